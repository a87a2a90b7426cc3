"""The data step turned_directions (askme.training.data_steps): every other task 4 story's
second fact turned a quarter, its question with it, the answer still the one the facts
give."""

import re

from askme.training.data_steps import turned_directions

OPPOSITE = {"north": "south", "south": "north", "east": "west", "west": "east"}
FACT = re.compile(r"The (\w+) is (\w+) of the (\w+)\.")

# Our own stories in task 4's shape: two facts, one question (supporting fact last).
STORIES = """1 The attic is north of the cellar.
2 The porch is south of the cellar.
3 What is south of the cellar?\tporch\t2
1 The study is east of the den.
2 The loft is east of the study.
3 What is the study west of?\tloft\t2
1 The shed is west of the barn.
2 The yard is north of the shed.
3 What is west of the barn?\tshed\t1
1 The hall is south of the lobby.
2 The vault is north of the lobby.
3 What is the lobby south of?\tvault\t2
"""


def answers(facts, question):
    """Every place the facts make the question's answer."""
    relations = []
    for a, direction, b in (FACT.match(f).groups() for f in facts):
        relations += [(a, direction, b), (b, OPPOSITE[direction], a)]
    asked = re.match(r"What is (\w+) of the (\w+)\?", question)
    if asked:
        return [a for a, d, b in relations if (d, b) == asked.groups()]
    place, direction = re.match(r"What is the (\w+) (\w+) of\?", question).groups()
    return [b for a, d, b in relations if (a, d) == (place, direction)]


def test_every_other_story_is_turned_and_still_answered_by_its_facts(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "qa4_two-arg-relations_train.txt").write_text(STORIES)
    (data / "qa4_two-arg-relations_test.txt").write_text(STORIES)
    assert turned_directions(data, tmp_path / "out") == {"qa4_two-arg-relations_train.txt": 2}
    written = (tmp_path / "out" / "qa4_two-arg-relations_train.txt").read_text()
    assert (tmp_path / "out" / "qa4_two-arg-relations_test.txt").read_text() == STORIES
    lines = [line.split(" ", 1)[1] for line in written.splitlines()]
    stories = [lines[i:i + 3] for i in range(0, len(lines), 3)]
    assert stories[0] == [line.split(" ", 1)[1] for line in STORIES.splitlines()[:3]]
    assert stories[1][1] == "The loft is south of the study."  # east, a quarter clockwise
    assert stories[1][2] == "What is the study north of?\tloft\t2"  # its question with it
    assert stories[3][1] == "The vault is east of the lobby."
    assert stories[3][2] == "What is the lobby west of?\tvault\t2"
    for facts_and_question in stories:
        *facts, asked = facts_and_question
        question, answer, _ = asked.split("\t")
        assert answers(facts, question) == [answer]
