"""Retelling: a training-time augmentation for the bAbI tasks whose stories describe a fixed
picture in any order: 17 (positional reasoning), 18 (size reasoning) and 19 (path finding).

A retold story says the same picture another way, and the question asks the same thing:
- the facts come in another order (in these tasks no fact changes another);
- each fact may be said from its other side ("The kitchen is north of the office." ->
  "The office is south of the kitchen.");
- the whole picture is turned or mirrored (any of the 8 symmetries of the square), with
  task 19's answer letters turned alike;
- the question may be asked the other way round ("Is A left of B?" -> "Is B right of A?";
  "from A to B" -> "from B to A", whose path is the reverse one with every step turned
  back); task 18's "Is A bigger than B?" is "Does B fit in A?";
- task 18's six containers swap names at random (token-level renaming leaves them alone,
  since "box" is part of "box of chocolates").
The supporting facts follow their facts to their new places (and reverse with the
question), so gate supervision still names pass i's fact.

Why: task 17 has 125 stories in bAbI 1k and task 19 900, few enough to learn by heart; on
task 18 the shipped model's gates find the labelled facts for 92 % of the training
questions and 63 % of the test ones, often taking "The box of chocolates fits inside the
chest." for a fact about the box. Token-level renaming (askme.training.augment) can only mirror task
17, since "above" and "to the left of" differ in length; this works on the text, before
tokenizing.
"""

from __future__ import annotations

import dataclasses
import random
import re

from askme.babi import Example

RETOLD_TASKS = (17, 18, 19)

# Clockwise order, so turning the picture by a quarter adds 1 and the opposite side adds 2.
POSITIONS = ("above", "to the right of", "below", "to the left of")
COMPASS = ("north", "east", "south", "west")
LETTERS = ("n", "e", "s", "w")

_POSITION = "|".join(POSITIONS)
_FACT_17 = re.compile(rf"The (.+) is ({_POSITION}) the (.+)\.")
_QUESTION_17 = re.compile(rf"Is the (.+) ({_POSITION}) the (.+)\?")
_FACT_19 = re.compile(r"The (\w+) is (north|east|south|west) of the (\w+)\.")
_QUESTION_19 = re.compile(r"How do you go from the (\w+) to the (\w+)\?")
CONTAINERS = ("box", "box of chocolates", "chest", "chocolate", "container", "suitcase")
_FACT_18 = re.compile(r"The (.+) (fits inside|is bigger than) the (.+)\.")
_QUESTION_18 = re.compile(r"(Does|Is) the (.+) (fit in|bigger than) the (.+)\?")


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
    if example.task == 18:
        return _retell_sizes(example, rng)
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


def _retell_sizes(example: Example, rng: random.Random) -> Example:
    facts = [_FACT_18.fullmatch(f) for f in example.story]
    question = _QUESTION_18.fullmatch(example.question)
    if question is None or not all(facts):
        return example
    names = [m[1] for m in facts] + [m[3] for m in facts] + [question[2], question[4]]
    if not set(names) <= set(CONTAINERS):
        return example
    shuffled = list(CONTAINERS)
    rng.shuffle(shuffled)
    name = dict(zip(CONTAINERS, shuffled))
    # As (bigger, smaller) pairs; a fact then says it from either side.
    pairs = [(m[3], m[1]) if m[2] == "fits inside" else (m[1], m[3]) for m in facts]
    told, supports = _retell_facts([(name[big], 0, name[small]) for big, small in pairs],
                                   example.supports, rng)
    story = tuple(f"The {a} is bigger than the {b}." if side == 0 else
                  f"The {a} fits inside the {b}." for a, side, b in told)
    # bAbI lists first the fact about the container the question calls bigger ("Is A bigger
    # than B?", "Does B fit in A?": A), so saying the question the other way keeps them.
    big, small = ((question[2], question[4]) if question[1] == "Is" else
                  (question[4], question[2]))
    big, small = name[big], name[small]
    asked = (f"Is the {big} bigger than the {small}?" if rng.random() < 0.5 else
             f"Does the {small} fit in the {big}?")
    return dataclasses.replace(example, story=story, question=asked, supports=supports)
