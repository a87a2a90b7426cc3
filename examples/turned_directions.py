"""Write a copy of a bAbI folder whose task 4 training stories turn every other second fact.

    python examples/turned_directions.py --data where --out turned
    askme train --data turned ...        (the test files are copied unchanged)

bAbI's task 4 never tells two facts at right angles: of its 1,000 training stories, 416
tell two places in opposite directions of a third, 461 a chain in one direction, and 123
other pairs in opposite directions. So "The office is west of the garden. The kitchen is
north of the garden. What is the garden east of?" is a guess between the two places for a
model trained on it. This turns the second fact of every other story a quarter clockwise
(north -> east -> south -> west -> north), and the question's direction with it when that
fact is its supporting fact; the answer stays. The stories and their count stay as they
are, so a run carves the same validation stories from the copy as from the original.
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

from askme.babi import task_file

TURN = {"north": "east", "east": "south", "south": "west", "west": "north"}
DIRECTION = re.compile(r"\b(north|east|south|west)\b")


def turn(text: str) -> str:
    return DIRECTION.sub(lambda m: TURN[m.group(1)], text)


def turn_second_facts(lines: list[str]) -> tuple[list[str], int]:
    """A task 4 file's lines with every other story's second fact (and a question it
    supports) turned; and how many stories were turned."""
    out: list[str] = []
    story = turned = 0
    for line in lines:
        number, text = line.split(" ", 1)
        if number == "1":
            story += 1
        turning = story % 2 == 0
        if turning and number == "2" and "\t" not in text:
            text = turn(text)
            turned += 1
        elif turning and "\t" in text:
            question, answer, supports = text.split("\t")
            if supports.split() == ["2"]:
                text = f"{turn(question)}\t{answer}\t{supports}"
        out.append(f"{number} {text}")
    return out, turned


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/babi/en"))
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    turning = task_file(args.data, 4, "train").name
    args.out.mkdir(parents=True, exist_ok=True)
    for path in sorted(args.data.glob("qa*_*.txt")):
        if path.name != turning:
            shutil.copy(path, args.out / path.name)
            continue
        lines, turned = turn_second_facts(path.read_text().splitlines())
        (args.out / path.name).write_text("\n".join(lines) + "\n")
        print(f"{path.name}: {turned} stories turned")


if __name__ == "__main__":
    main()
