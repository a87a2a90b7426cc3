"""Retelling says the same picture another way: a solver that reads only the text gets the
retold answer, and the supporting facts still name the facts each pass must find."""

import random
import re

from askme.babi import Example
from askme.training.retell import CONTAINERS, COMPASS, LETTERS, POSITIONS, retell

# Clockwise from "above", as askme.training.retell orders them: x grows to the right, y upwards.
OFFSETS = [(0, 1), (1, 0), (0, -1), (-1, 0)]
_FACT_17 = re.compile(r"The (.+) is (above|to the right of|below|to the left of) the (.+)\.")

POSITIONAL = Example(
    ("The triangle is above the pink rectangle.", "The blue square is to the left of the triangle."),
    "Is the pink rectangle to the right of the blue square?", "yes", (0, 1), task=17)
POSITIONAL_NO = Example(
    ("The red sphere is to the left of the yellow square.", "The red sphere is below the pink rectangle."),
    "Is the pink rectangle to the right of the yellow square?", "no", (1, 0), task=17)
PATH = Example(
    ("The office is east of the hallway.", "The kitchen is north of the office.",
     "The garden is west of the bedroom.", "The office is west of the garden.",
     "The bathroom is north of the garden."),
    "How do you go from the kitchen to the garden?", "s,e", (1, 3), task=19)

SIZES = Example(
    ("The box of chocolates fits inside the chest.", "The box is bigger than the chest.",
     "The box is bigger than the suitcase.", "The suitcase fits inside the box.",
     "The container is bigger than the box of chocolates."),
    "Does the box fit in the box of chocolates?", "no", (0, 1), task=18)


def place_shapes(story):
    """Grid positions of the shapes that a task-17 story describes."""
    facts = [_FACT_17.fullmatch(f).groups() for f in story]
    where = {facts[0][2]: (0, 0)}
    for _ in facts:
        for a, position, b in facts:
            dx, dy = OFFSETS[POSITIONS.index(position)]  # a = b + offset
            if b in where and a not in where:
                where[a] = (where[b][0] + dx, where[b][1] + dy)
            if a in where and b not in where:
                where[b] = (where[a][0] - dx, where[a][1] - dy)
    return facts, where


def solve_positions(example):
    _, where = place_shapes(example.story)
    a, position, b = re.fullmatch(r"Is the (.+) (above|to the right of|below|to the left of) "
                                  r"the (.+)\?", example.question).groups()
    dx, dy = OFFSETS[POSITIONS.index(position)]
    gap = (where[a][0] - where[b][0], where[a][1] - where[b][1])
    return "yes" if gap[0] * dx + gap[1] * dy > 0 else "no"


def solve_path(example):
    """The two-step way, and the facts it uses, found by search over the story."""
    ways = {}
    for index, fact in enumerate(example.story):
        a, direction, b = re.fullmatch(r"The (\w+) is (\w+) of the (\w+)\.", fact).groups()
        step = COMPASS.index(direction)
        ways.setdefault(b, []).append((LETTERS[step], a, index))
        ways.setdefault(a, []).append((LETTERS[(step + 2) % 4], b, index))
    start, goal = re.fullmatch(r"How do you go from the (\w+) to the (\w+)\?",
                               example.question).groups()
    return [(f"{s1},{s2}", (i1, i2)) for s1, middle, i1 in ways[start]
            for s2, end, i2 in ways[middle] if end == goal]


def bigger_pairs(story):
    """(bigger, smaller) for each fact of a task-18 story."""
    pairs = []
    for fact in story:
        a, relation, b = re.fullmatch(r"The (.+) (fits inside|is bigger than) the (.+)\.",
                                      fact).groups()
        pairs.append((b, a) if relation == "fits inside" else (a, b))
    return pairs


def solve_sizes(example):
    """The answer, and the container the question calls bigger."""
    holds = {}
    for big, small in bigger_pairs(example.story):
        holds.setdefault(big, set()).add(small)
    for _ in example.story:  # transitive closure
        for big in holds:
            holds[big] |= {inner for small in holds[big] for inner in holds.get(small, ())}
    form, a, _, b = re.fullmatch(r"(Does|Is) the (.+) (fit in|bigger than) the (.+)\?",
                                 example.question).groups()
    big, small = (a, b) if form == "Is" else (b, a)
    return ("yes" if small in holds.get(big, ()) else
            "no" if big in holds.get(small, ()) else "unknown"), big


def test_the_solvers_agree_with_the_original_stories():
    assert solve_positions(POSITIONAL) == "yes" and solve_positions(POSITIONAL_NO) == "no"
    assert solve_path(PATH) == [("s,e", (1, 3))]
    assert solve_sizes(SIZES) == ("no", "box of chocolates")


def test_a_retold_size_story_has_the_same_answer_and_starts_from_the_bigger_one():
    rng = random.Random(3)
    questions, names = set(), set()
    for _ in range(300):
        told = retell(SIZES, rng)
        answer, big = solve_sizes(told)
        assert told.answer == answer == "no"
        # bAbI lists first the fact about the container the question calls bigger
        assert big in bigger_pairs(told.story)[told.supports[0]]
        questions.add(told.question.split()[0])
        names.update(name for pair in bigger_pairs(told.story) for name in pair)
    assert questions == {"Does", "Is"} and names == set(CONTAINERS)


def test_a_retold_positional_story_has_the_same_answer_and_its_facts_follow():
    rng = random.Random(0)
    tellings = set()
    for original in (POSITIONAL, POSITIONAL_NO):
        for _ in range(200):
            told = retell(original, rng)
            tellings.add((told.story, told.question))
            assert told.answer == original.answer == solve_positions(told)
            facts, _ = place_shapes(told.story)
            asked = re.fullmatch(r"Is the (.+) (?:above|to the right of|below|to the left of) "
                                 r"the (.+)\?", told.question).groups()
            # pass 1 finds the fact about the shape asked about first, pass 2 the other's
            for shape, support in zip(asked, told.supports):
                assert shape in (facts[support][0], facts[support][2])
            assert sorted(told.supports) == [0, 1]
    assert len(tellings) > 100  # it does retell: orders, sides, turns and mirrors


def test_a_retold_path_keeps_its_way_and_its_supporting_facts_in_path_order():
    rng = random.Random(1)
    answers, questions = set(), set()
    for _ in range(300):
        told = retell(PATH, rng)
        assert solve_path(told) == [(told.answer, told.supports)]
        answers.add(told.answer)
        questions.add(told.question)
    # every turn of the compass shows up, and the way back is asked too
    assert len(answers) == 8
    assert questions == {"How do you go from the kitchen to the garden?",
                         "How do you go from the garden to the kitchen?"}


def test_other_tasks_and_stories_that_do_not_parse_are_left_alone():
    rng = random.Random(2)
    where = Example(("Mary went to the kitchen.",), "Where is Mary?", "kitchen", (0,), task=1)
    odd = Example(("The triangle is near the square.",), "Is the triangle above the square?",
                  "no", (0,), task=17)
    assert retell(where, rng) is where and retell(odd, rng) is odd
