"""Retelling: a training-time augmentation for bAbI's two spatial tasks, 17 (positional
reasoning) and 19 (path finding), whose stories are a fixed picture described in any order.

A retold story says the same picture another way, and the question asks the same thing:
- the facts come in another order (in these two tasks no fact changes another);
- each fact may be said from its other side ("The kitchen is north of the office." ->
  "The office is south of the kitchen.");
- the whole picture is turned or mirrored (any of the 8 symmetries of the square), with
  task 19's answer letters turned alike;
- the question may be asked the other way round ("Is A left of B?" -> "Is B right of A?";
  "from A to B" -> "from B to A", whose path is the reverse one with every step turned
  back).
The supporting facts follow their facts to their new places (and reverse with the
question), so gate supervision still names pass i's fact.

Why: task 17 has 125 stories in bAbI 1k and task 19 900, few enough to learn by heart.
Token-level renaming (askme.augment) can only mirror task 17, since "above" and "to the
left of" differ in length; this works on the text, before tokenizing.
"""

from __future__ import annotations

import dataclasses
import random
import re

from askme.babi import Example

RETOLD_TASKS = (17, 19)

# Clockwise order, so turning the picture by a quarter adds 1 and the opposite side adds 2.
POSITIONS = ("above", "to the right of", "below", "to the left of")
COMPASS = ("north", "east", "south", "west")
LETTERS = ("n", "e", "s", "w")

_POSITION = "|".join(POSITIONS)
_FACT_17 = re.compile(rf"The (.+) is ({_POSITION}) the (.+)\.")
_QUESTION_17 = re.compile(rf"Is the (.+) ({_POSITION}) the (.+)\?")
_FACT_19 = re.compile(r"The (\w+) is (north|east|south|west) of the (\w+)\.")
_QUESTION_19 = re.compile(r"How do you go from the (\w+) to the (\w+)\?")


def _symmetry(rng: random.Random):
    """One of the 8 symmetries of the square, as a map on clockwise positions 0..3."""
    sign, turn = rng.choice((1, -1)), rng.randrange(4)
    return lambda i: (sign * i + turn) % 4


def _retell_facts(facts: list[tuple[str, int, str]], supports: tuple[int, ...],
                  rng: random.Random):
    """Facts (subject, position 0..3, object) said from a random side in a random order;
    returns them with the supports moved along."""
    said = [(b, (p + 2) % 4, a) if rng.random() < 0.5 else (a, p, b) for a, p, b in facts]
    order = list(range(len(said)))
    rng.shuffle(order)  # order[new place] = old place
    place = {old: new for new, old in enumerate(order)}
    return [said[old] for old in order], tuple(place[s] for s in supports)


def retell(example: Example, rng: random.Random) -> Example:
    """`example` retold at random (see the module docstring); other tasks, and any story
    that does not read like its task, come back as they are."""
    if example.task == 17:
        return _retell_positions(example, rng)
    if example.task == 19:
        return _retell_path(example, rng)
    return example


def _retell_positions(example: Example, rng: random.Random) -> Example:
    facts = [_FACT_17.fullmatch(f) for f in example.story]
    question = _QUESTION_17.fullmatch(example.question)
    if question is None or not all(facts):
        return example
    turn = _symmetry(rng)
    told = [(m[1], turn(POSITIONS.index(m[2])), m[3]) for m in facts]
    told, supports = _retell_facts(told, example.supports, rng)
    a, p, b = question[1], turn(POSITIONS.index(question[2])), question[3]
    if rng.random() < 0.5:  # "Is A left of B?" is "Is B right of A?"; pass 1 is B's fact then
        a, p, b, supports = b, (p + 2) % 4, a, supports[::-1]
    return dataclasses.replace(
        example, story=tuple(f"The {x} is {POSITIONS[q]} the {y}." for x, q, y in told),
        question=f"Is the {a} {POSITIONS[p]} the {b}?", supports=supports)


def _retell_path(example: Example, rng: random.Random) -> Example:
    facts = [_FACT_19.fullmatch(f) for f in example.story]
    question = _QUESTION_19.fullmatch(example.question)
    steps = example.answer.split(",")
    if question is None or not all(facts) or not all(s in LETTERS for s in steps):
        return example
    turn = _symmetry(rng)
    told = [(m[1], turn(COMPASS.index(m[2])), m[3]) for m in facts]
    told, supports = _retell_facts(told, example.supports, rng)
    start, goal = question[1], question[2]
    path = [turn(LETTERS.index(s)) for s in steps]
    if rng.random() < 0.5:  # the way back: the steps reversed, each one turned round
        start, goal = goal, start
        path, supports = [(s + 2) % 4 for s in reversed(path)], supports[::-1]
    return dataclasses.replace(
        example, story=tuple(f"The {x} is {COMPASS[q]} of the {y}." for x, q, y in told),
        question=f"How do you go from the {start} to the {goal}?",
        answer=",".join(LETTERS[s] for s in path), supports=supports)
