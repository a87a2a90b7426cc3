"""Writes the hand-written stories of stories.txt as two bAbI folders: this one (each
story one sentence, its questions supported by words) and split/ (the same facts, a
sentence each); those of second/, third/ and fourth/stories.txt likewise into their
folders and a split/ in each; and, with --generated, generated/, 100 generated
one-sentence stories of each task type a sentence tells, by a seed no training data step
uses (held out). Run from anywhere: python probes/one-sentence/write.py"""

import re
import sys
from collections import defaultdict
from pathlib import Path

from askme.babi import TASK_NAMES
from askme.training.generator.sentences import ONE_SENTENCE_TASKS, one_sentence_stories

HERE = Path(__file__).resolve().parent


def hand_written(stories: Path) -> tuple[dict, dict]:
    """The stories of a file of hand-written lines: (told as one sentence, split)."""
    one, split = defaultdict(list), defaultdict(list)
    for line in stories.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        task, sentence, sentences, question, answer = (part.strip() for part in line.split("|"))
        words = sentence.split()
        supports = [f"w{i}" for i, word in enumerate(words, start=1) if "*" in word]
        one[int(task)] += [f"1 {sentence.replace('*', '')}",
                           f"2 {question}\t{answer}\t{' '.join(supports)}"]
        facts = re.split(r"(?<=[.!])\*?\s+", sentences + " ")
        starred = re.findall(r"[.!](\*?)(?=\s|$)", sentences)
        facts = [f for f in facts if f.strip()]
        assert len(facts) == len(starred), line
        lines = [f"{i} {fact.replace('*', '')}" for i, fact in enumerate(facts, start=1)]
        ids = [str(i) for i, star in enumerate(starred, start=1) if star]
        split[int(task)] += lines + [f"{len(facts) + 1} {question}\t{answer}\t{' '.join(ids)}"]
    return one, split


def main() -> None:
    one, split = hand_written(HERE / "stories.txt")
    folders = [(HERE, one), (HERE / "split", split)]
    for later in ("second", "third", "fourth"):
        told, told_split = hand_written(HERE / later / "stories.txt")
        folders += [(HERE / later, told), (HERE / later / "split", told_split)]
    # The stored generated/ is the set the notes report; the generator has grown since, so
    # it is written again only when asked.
    if "--generated" in sys.argv[1:]:
        folders.append((HERE / "generated", {task: one_sentence_stories(task, 100, seed=1000)
                                            for task in ONE_SENTENCE_TASKS}))
    for folder, stories in folders:
        folder.mkdir(exist_ok=True)
        for old in folder.glob("qa*_test.txt"):
            old.unlink()
        for task, lines in sorted(stories.items()):
            path = folder / f"qa{task}_{TASK_NAMES[task]}_test.txt"
            path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
