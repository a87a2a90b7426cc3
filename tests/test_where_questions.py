"""The data step where_questions (askme.training.data_steps): where-questions a story's own moves
answer, the rest kept."""

import re

from askme.training.data_steps import where_questions


def parse(lines):
    """Stories as lists of (number, text, answer, supports)."""
    stories = []
    for line in lines:
        number, text = line.split(" ", 1)
        if number == "1":
            stories.append([])
        question, answer, supports = (text.split("\t") + ["", ""])[:3]
        stories[-1].append((int(number), question, answer, supports.split()))
    return stories


def test_each_story_asks_where_a_moved_person_is_and_keeps_its_own_questions(babi_dir,
                                                                              tmp_path):
    changed = where_questions(babi_dir, tmp_path, tasks=(1, 8))
    assert set(changed) == {"qa1_single-supporting-fact_train.txt", "qa8_lists-sets_train.txt"}
    name = "qa8_lists-sets_train.txt"
    source = parse((babi_dir / name).read_text().splitlines())
    written = parse((tmp_path / name).read_text().splitlines())
    assert len(written) == len(source)
    added = 0
    for before, after in zip(source, written):
        assert [n for n, *_ in after] == list(range(1, len(after) + 1))  # renumbered
        by_number = {n: text for n, text, answer, _ in after if not answer}
        kept = [(q, a, [by_number[int(s)] for s in sup]) for _, q, a, sup in after
                if a and not q.startswith("Where is ")]
        old = {n: text for n, text, answer, _ in before if not answer}
        assert kept == [(q, a, [old[int(s)] for s in sup]) for _, q, a, sup in before if a]
        for n, question, answer, supports in after:
            if not question.startswith("Where is "):
                continue
            added += 1
            person = question.removeprefix("Where is ").removesuffix("?")
            moves = [t for m, t, a, _ in after if m < n and not a
                     and re.match(rf"{person} \w+( back)? to the \w+\.$", t)]
            assert by_number[int(supports[0])] == moves[-1]
            assert moves[-1].endswith(f" the {answer}.")
    assert added > 0
    # Other tasks keep their files, and test files are never touched.
    for path in babi_dir.iterdir():
        if path.name.endswith("_train.txt") and path.name.startswith(("qa1_", "qa8_")):
            assert (tmp_path / path.name).read_bytes() != path.read_bytes()
        else:
            assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_a_one_sentence_story_supported_by_words_is_kept_as_it_is():
    import random

    from askme.training.data_steps import add_where_questions

    lines = ["1 Mary went to the kitchen.", "2 John went to the garden.",
             "3 Mary picked up the apple.", "4 Where is the apple?\tkitchen\t3 1",
             "1 Mary went to the kitchen and picked up the apple.",
             "2 Where is the apple?\tkitchen\tw10 w5"]
    out, added = add_where_questions(lines, random.Random(0))
    assert added == 1 and out[-2:] == lines[-2:]
    assert out[3].startswith("4 Where is ") and out[4] == "5 Where is the apple?\tkitchen\t3 1"


def test_where_questions_told_reads_every_way_a_generated_story_tells_a_place():
    import random

    from askme.training.data_steps import add_where_questions

    lines = ["1 Mary went to the kitchen.", "2 Mary is now in the garden.",
             "3 John took the train to the office.", "4 Then John strolled over to the hallway.",
             "5 Sandra went to the bedroom.", "6 The apple is in the bathroom.",
             "7 Mary picked up the apple.", "8 What is Mary carrying?\tapple\t7"]
    asked = {}
    for seed in range(40):
        out, added = add_where_questions(lines, random.Random(seed), told=True)
        question, answer, support = out[7].split(" ", 1)[1].split("\t")
        asked[question] = (answer, support)
        assert added == 1 and out[8] == "9 What is Mary carrying?\tapple\t7"
    assert asked == {"Where is Mary?": ("garden", "2"), "Where is John?": ("hallway", "4"),
                     "Where is Sandra?": ("bedroom", "5")}
    # bAbI's moves alone, as where_questions reads them: Mary's state and John's journeys
    # are missed, and Mary is answered with the place before.
    before = {add_where_questions(lines, random.Random(seed))[0][7].split(" ", 1)[1]
              for seed in range(40)}
    assert "Where is Mary?\tkitchen\t1" in before
    # A pronoun's move, whose person the step cannot tell, leaves nobody to ask about.
    lines[4] = "5 Afterwards, she went to the bedroom."
    assert add_where_questions(lines, random.Random(0), told=True)[1] == 0
