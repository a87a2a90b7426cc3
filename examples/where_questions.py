"""Write a copy of a bAbI folder whose training stories also ask where a person is.

    python examples/where_questions.py --data ../shared/babi/en --tasks 2,3,5,6,7,8 --out where
    askme train --data where ...        (the test files are bAbI's own, copied unchanged)

bAbI asks where a person is only in task 1 (people moving, nothing carried or given), and
asks about giving only with "who" and "what" (task 5), so a model can learn to answer
"Where is Priya?" after "Priya gave the kettle to Tariq." with a place the story never
names. Before each question of the named tasks' training stories this adds "Where is P?"
for a person the story has moved so far (chosen at random, one fixed generator a file),
answered with P's last place and supported by that move: what bAbI's own generator would
have written. Validation, carved from the training stories, sees them too; every test
file is copied as it is. The numbers in models/babi-1k/README.md ("What fails") come from this
script.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
from pathlib import Path

from askme.babi import parse_tasks, task_file

# "Mary went to the kitchen.", "John journeyed back to the office.": a person's move.
MOVE = re.compile(r"^([A-Z]\w*) \w+(?: back)? to the (\w+)\.$")


def add_where_questions(lines: list[str], rng: random.Random) -> tuple[list[str], int]:
    """A bAbI file's lines with a where-question before every question of a story that has
    moved someone, the lines renumbered (supports too); and how many were added."""
    out: list[str] = []
    added = number = 0
    last_move: dict[str, tuple[str, int]] = {}  # person -> (place, line) in the new numbering
    renumbered: dict[int, int] = {}
    for line in lines:
        old, text = line.split(" ", 1)
        if old == "1":  # a new story
            last_move, number, renumbered = {}, 0, {}
        if "\t" in text:
            if last_move:
                person = rng.choice(sorted(last_move))
                place, where = last_move[person]
                number += 1
                out.append(f"{number} Where is {person}?\t{place}\t{where}")
                added += 1
            question, answer, supports = text.split("\t")
            number += 1
            new_supports = " ".join(str(renumbered[int(s)]) for s in supports.split())
            out.append(f"{number} {question}\t{answer}\t{new_supports}")
        else:
            number += 1
            renumbered[int(old)] = number
            out.append(f"{number} {text}")
            move = MOVE.match(text)
            if move:
                last_move[move.group(1)] = (move.group(2), number)
    return out, added


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/babi/en"))
    parser.add_argument("--tasks", default="2,3,5,6,7,8",
                        help="tasks whose training stories get the questions")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    asking = {task_file(args.data, task, "train").name for task in parse_tasks(args.tasks)}
    args.out.mkdir(parents=True, exist_ok=True)
    for path in sorted(args.data.glob("qa*_*.txt")):
        if path.name not in asking:
            shutil.copy(path, args.out / path.name)
            continue
        # Each file its own generator, so a file's questions do not depend on the others.
        rng = random.Random(f"where {path.name}")
        lines, added = add_where_questions(path.read_text().splitlines(), rng)
        (args.out / path.name).write_text("\n".join(lines) + "\n")
        print(f"{path.name}: {added} questions added")


if __name__ == "__main__":
    main()
