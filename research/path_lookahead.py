"""Why task 19's first pass is a guess, and what one free pass before it changes.

    python research/path_lookahead.py [--data ../shared/babi/en] [--model babi-1k]

A path question ("How do you go from the kitchen to the garden?") is labelled with two
facts in path order: the step out of the start room, then the step into the destination. A
memory pass scores each fact on its own (against the question and the memory), so the first
pass can find the facts that name the start room, but not which of them leads on to the
destination: that takes a second fact. This script counts, on the test file, how many facts
name the start room, how often a pass that guesses among them names the labelled first fact,
and how often the labelled first fact is the only one that names the start room and a room
next to the destination: what a first pass can single out once a free pass before it has
gathered the destination's neighbours (`askme train --free-pass 19`). With --model it
also sorts each step of the model's answers: the right direction, its opposite (the right
fact read the wrong way round: from its other room), or one across it. The numbers in
models/babi-1k/README.md ("What fails") come from this script.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

from askme.babi import load_tasks
from askme.dmn.checkpoint import load_checkpoint
from askme.memory.answering import answer_examples

FACT = re.compile(r"The (\w+) is (?:north|south|east|west) of the (\w+)\.")
QUESTION = re.compile(r"How do you go from the (\w+) to the (\w+)\?")
OPPOSITE = {"n": "s", "s": "n", "e": "w", "w": "e"}
OUTCOMES = ("right", "opposite", "across", "missing")


def rooms(fact: str) -> tuple[str, str]:
    match = FACT.fullmatch(fact)
    if match is None:
        raise ValueError(f"not a path fact: {fact!r}")
    return match.group(1), match.group(2)


def step_outcomes(gold: str, said: str) -> list[str]:
    """How each step of a path answer ("n,e") compares with the labelled one."""
    steps = said.split(",")
    outcomes = []
    for i, right in enumerate(gold.split(",")):
        step = steps[i] if i < len(steps) else None
        outcomes.append("right" if step == right else "opposite" if step == OPPOSITE[right]
                        else "missing" if step not in OPPOSITE else "across")
    return outcomes


def model_steps(model: Path, questions) -> None:
    answers = answer_examples(load_checkpoint(model), questions)
    tally: list[Counter[str]] = [Counter(), Counter()]
    both = 0
    for example, answer in zip(questions, answers):
        outcomes = step_outcomes(example.answer, answer.text)
        both += outcomes == ["right", "right"]
        for count, outcome in zip(tally, outcomes):
            count[outcome] += 1
    n = len(questions)
    print(f"model: both steps right {100 * both / n:.1f} %")
    for step, count in enumerate(tally, 1):
        print(f"model step {step}: " + ", ".join(f"{outcome} {100 * count[outcome] / n:.1f} %"
                                                 for outcome in OUTCOMES))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/babi/en"))
    parser.add_argument("--model", type=Path, help="also sort this model's answer steps")
    args = parser.parse_args(argv)
    questions = load_tasks(args.data, [19], "test")[19]
    naming_start: Counter[int] = Counter()
    guessed = singled_out = 0.0
    for example in questions:
        start, goal = QUESTION.fullmatch(example.question).groups()
        pairs = [rooms(fact) for fact in example.story]
        with_start = [i for i, pair in enumerate(pairs) if start in pair]
        beside_goal = {room for pair in pairs if goal in pair for room in pair} - {goal}
        leading_on = [i for i in with_start if set(pairs[i]) - {start} <= beside_goal]
        first = example.supports[0]
        naming_start[len(with_start)] += 1
        guessed += (first in with_start) / len(with_start)
        singled_out += leading_on == [first]
    n = len(questions)
    counts = ", ".join(f"{k}: {naming_start[k]}" for k in sorted(naming_start))
    print(f"test questions: {n}; facts naming the start room: {counts}")
    print(f"a first pass guessing among them names the labelled first fact: "
          f"{100 * guessed / n:.1f} %")
    print(f"the labelled first fact is the only one naming the start room and a room next to "
          f"the destination: {100 * singled_out / n:.1f} %")
    if args.model is not None:
        model_steps(args.model, questions)


if __name__ == "__main__":
    main()
