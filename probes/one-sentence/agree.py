"""How often a model gives the same answer to a hand-written story told as one sentence
(this folder) and as a sentence a fact (split/), and how often each is right (issue 34);
each both as the model reads the file (one fact, or its words) and as askme stores what a
person types (the sentence cut into clauses: askme.stories.split_clauses). With
--generated, how many of the held-out generated stories (generated/) are answered right
each way, per task type. Run from anywhere:

    python probes/one-sentence/agree.py [MODEL] [--generated | --second | --third | --fourth]

--second scores the second hand-written set (second/), written after the clause-cutting
rules to check them on stories they were not written from; --third the third (third/),
written before the reading rules mended on the second's misses; --fourth the fourth
(fourth/), written after the twenty-fifth session's reading rules, on which none was tuned."""

import argparse
from dataclasses import replace
from pathlib import Path

from askme.babi import load_tasks, tasks_in
from askme.dmn.checkpoint import load_checkpoint
from askme.memory.answering import answer_examples
from askme.paths import model_folder
from askme.stories import split_clauses

HERE = Path(__file__).resolve().parent
LATER_SETS = ("second", "third", "fourth")  # the hand-written sets after the first, in folders


def as_typed(example):
    """The example as chat, load and ask --stdin store its facts: cut into clauses (its
    word supports then name no fact, and are left out)."""
    story = tuple(clause for fact in example.story for clause in split_clauses(fact))
    if story == example.story:
        return example
    return replace(example, story=story, supports=(), word_level=False)


def answers(checkpoint, folder: Path, typed: bool = False):
    examples = [ex for exs in load_tasks(folder, tasks_in(folder, "test"), "test").values()
                for ex in exs]
    if typed:
        examples = [as_typed(ex) for ex in examples]
    return examples, [a.text for a in answer_examples(checkpoint, examples, 256)]


def right(examples, said) -> int:
    return sum(a == e.answer for e, a in zip(examples, said))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", nargs="?")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--generated", action="store_true")
    for name in LATER_SETS:
        which.add_argument(f"--{name}", action="store_true")
    args = parser.parse_args()
    checkpoint = load_checkpoint(model_folder(args.model)[0])
    if args.generated:
        for typed in (False, True):
            examples, said = answers(checkpoint, HERE / "generated", typed)
            tasks = sorted({e.task for e in examples})
            rows = list(zip(examples, said))
            per = ", ".join(f"{t}: {sum(a == e.answer for e, a in rows if e.task == t)}"
                            for t in tasks)
            print(f"generated, {'cut into clauses' if typed else 'as the file reads'}: "
                  f"{right(examples, said)}/{len(examples)} ({per})")
        return
    later = [name for name in LATER_SETS if getattr(args, name)]
    folder = HERE / later[0] if later else HERE
    one, said_one = answers(checkpoint, folder)
    typed, said_typed = answers(checkpoint, folder, typed=True)
    split, said_split = answers(checkpoint, folder / "split")
    assert [e.question for e in one] == [e.question for e in split]
    n = len(one)
    print(f"one sentence right: {right(one, said_one)}/{n}")
    print(f"one sentence cut into clauses right: {right(typed, said_typed)}/{n}")
    print(f"split right: {right(split, said_split)}/{n}")
    print(f"same answer both ways: {sum(a == b for a, b in zip(said_one, said_split))}/{n}")
    print(f"same answer, cut into clauses and split: "
          f"{sum(a == b for a, b in zip(said_typed, said_split))}/{n}")


if __name__ == "__main__":
    main()
