"""A probe of the DMN's answer path: can it say a word of the fact its memory chose?

    python research/copy_probe.py [--data ../shared/babi/en] --out /tmp/probe
    askme train --data /tmp/probe --tasks 19 --out /tmp/probe-model --hidden 80 --embed 80 \
        --dropout 0.2 --augment 1.0 --epochs 60 --patience 60 --threads 1 [--word-dropout 0]

It writes bAbI task 19 (path finding) with each question's answer replaced by the first
letter of the direction word in its first supporting fact, and that fact as the only
support: "The kitchen is north of the office. ... How do you go from the kitchen to the
garden?" -> n. The gate is supervised to pick that fact, so the answer needs no reasoning,
only the word carried from the fact through the episode and the memory to the decoder.
With --augment the compass is rotated at random per question, so the letter cannot be
guessed from the story's other words. The numbers in models/babi-1k/README.md ("What fails") come
from the train command above.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from askme.babi import task_file

DIRECTION = re.compile(r" is (north|south|east|west) of ")


def probe_lines(lines):
    facts: dict[str, str] = {}  # line number -> fact, within the current story
    for line in lines:
        number, text = line.split(" ", 1)
        parts = text.rstrip("\n").split("\t")
        if len(parts) < 3:
            facts = {} if number == "1" else facts
            facts[number] = text
            yield line
            continue
        question, _, supports = parts[:3]
        first = supports.split()[0]
        letter = DIRECTION.search(facts[first]).group(1)[0]
        yield f"{number} {question}\t{letter}\t{first}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/babi/en", help="a bAbI folder")
    parser.add_argument("--out", required=True, help="folder to write the probe task to")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for split in ("train", "test"):
        source = task_file(args.data, 19, split)
        with source.open(encoding="utf-8") as handle:
            (out / source.name).write_text("".join(probe_lines(handle)), encoding="utf-8")
    print(f"wrote the probe task to {out}")


if __name__ == "__main__":
    main()
