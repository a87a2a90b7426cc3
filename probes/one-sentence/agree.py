"""How often a model gives the same answer to a hand-written story told as one sentence
(this folder) and as a sentence a fact (split/), and how often each is right (issue 34).
Run from anywhere: python probes/one-sentence/agree.py [MODEL]"""

import sys
from pathlib import Path

from askme.babi import load_tasks, tasks_in
from askme.dmn.checkpoint import load_checkpoint
from askme.memory.answering import answer_examples
from askme.paths import model_folder

HERE = Path(__file__).resolve().parent


def answers(checkpoint, folder: Path):
    examples = [ex for exs in load_tasks(folder, tasks_in(folder, "test"), "test").values()
                for ex in exs]
    return examples, [a.text for a in answer_examples(checkpoint, examples, 256)]


def main() -> None:
    checkpoint = load_checkpoint(model_folder(sys.argv[1] if len(sys.argv) > 1 else None)[0])
    one, said_one = answers(checkpoint, HERE)
    split, said_split = answers(checkpoint, HERE / "split")
    assert [e.question for e in one] == [e.question for e in split]
    n = len(one)
    print(f"one sentence right: {sum(a == e.answer for e, a in zip(one, said_one))}/{n}")
    print(f"split right: {sum(a == e.answer for e, a in zip(split, said_split))}/{n}")
    print(f"same answer both ways: {sum(a == b for a, b in zip(said_one, said_split))}/{n}")


if __name__ == "__main__":
    main()
