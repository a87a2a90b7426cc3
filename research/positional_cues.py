"""How much of a task 17 (positional reasoning) answer do one to five cues tell?

    python research/positional_cues.py [--data ../shared/babi/en]

"Is the pink rectangle to the right of the blue square?" is answered from two facts about a
third shape ("The triangle is above the pink rectangle.", "The blue square is to the left of
the triangle."). Each question is described by a few cues read from it and its supporting
facts (in the label's order: the first names the question's first shape). For k = 1 to 5
the script fits the best lookup table on k cues (the majority answer for each combination)
on the training file and scores it on both files. If no single cue says much, the answer is
a parity of several, and a network sees no gradient towards any one of them until it has
found them together: the long flat start that task 17 shows in training (models/babi-1k/README.md,
"What fails").
"""

from __future__ import annotations

import argparse
import itertools
import re
from collections import Counter, defaultdict
from pathlib import Path

from askme.babi import Example, load_tasks
from askme.training.retell import POSITIONS

RELATION = "(" + "|".join(POSITIONS) + ")"
FACT = re.compile(rf"The (.+) is {RELATION} the (.+)\.")
QUESTION = re.compile(rf"Is the (.+) {RELATION} the (.+)\?")
# POSITIONS goes round the compass (above, right, below, left): every other one shares an axis.
AXIS = {relation: i % 2 for i, relation in enumerate(POSITIONS)}


def cues(example: Example) -> dict[str, object]:
    first_shape, asked, second_shape = QUESTION.fullmatch(example.question).groups()
    first, second = (FACT.fullmatch(example.story[i]).groups() for i in example.supports)
    return {
        "question's relation": asked,
        "first fact's relation": first[1],
        "second fact's relation": second[1],
        "first shape leads the first fact": first[0] == first_shape,
        "second shape leads the second fact": second[0] == second_shape,
        "the facts share an axis": AXIS[first[1]] == AXIS[second[1]],
        "the question's axis is the first fact's": AXIS[asked] == AXIS[first[1]],
    }


def fit(rows: list[tuple[dict, str]], names: tuple[str, ...]) -> dict[tuple, str]:
    seen: dict[tuple, Counter] = defaultdict(Counter)
    for row, answer in rows:
        seen[tuple(row[n] for n in names)][answer] += 1
    return {key: counts.most_common(1)[0][0] for key, counts in seen.items()}


def score(table: dict[tuple, str], rows, names) -> float:
    """Share answered right; an unseen combination counts as a wrong guess."""
    return sum(table.get(tuple(row[n] for n in names)) == answer for row, answer in rows) / len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/babi/en"), help="a bAbI folder")
    args = parser.parse_args()
    rows = {split: [(cues(ex), ex.answer) for ex in load_tasks(args.data, [17], split)[17]]
            for split in ("train", "test")}
    names = list(rows["train"][0][0])
    for k in (1, 2, 3, 4, 5):
        tables = [(fit(rows["train"], c), c) for c in itertools.combinations(names, k)]
        scored = [(score(table, rows["train"], c), table, c) for table, c in tables]
        train_score, table, chosen = max(scored, key=lambda f: f[0])  # the first of equals
        test_score = score(table, rows["test"], chosen)
        print(f"best {k} cue{'s' if k > 1 else ''} on train ({100 * train_score:.1f} %): "
              f"{' + '.join(chosen)}; on test: {100 * test_score:.1f} %")


if __name__ == "__main__":
    main()
