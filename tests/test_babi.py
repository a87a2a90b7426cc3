import pytest

from askme.babi import BabiFormatError, load_tasks, parse_babi, parse_tasks, read_babi_file
from askme.errors import AskmeError


def test_stories_restart_and_supports_map_to_fact_positions(babi_dir):
    examples = read_babi_file(babi_dir / "qa1_single-supporting-fact_train.txt", task=1)
    assert len(examples) == 10
    first = examples[0]
    assert first.story == ("Anna walked to the garden.", "Tom ran to the kitchen.")
    assert (first.question, first.answer, first.supports) == ("Where is Anna?", "garden", (0,))
    # Line 4 is the third fact: the question on line 3 is not a fact.
    second = examples[1]
    assert second.story[-1] == "Anna walked to the office."
    assert second.supports == (2,)
    assert len(second.story) == 3
    # A new story starts at id 1: its first question sees only its own facts.
    new_story = examples[3]
    assert new_story.story == ("Tom ran to the bedroom.", "Anna walked to the hallway.")
    assert new_story.story_id == 1
    assert examples[-1].supports == (1,)
    assert examples[-1].story_id == 3


def test_list_answers_and_several_supporting_facts(babi_dir):
    examples = read_babi_file(babi_dir / "qa8_lists-sets_test.txt", task=8)
    assert [e.answer for e in examples] == ["apple", "apple,ball", "ball"]
    assert examples[1].supports == (0, 2)
    assert examples[1].question == "What is Lea carrying?"  # the stray space is gone
    path = read_babi_file(babi_dir / "qa19_path-finding_test.txt", task=19)
    assert (path[0].answer, path[0].supports) == ("s,w", (0, 1))


@pytest.mark.parametrize("lines, line_number, why", [
    (["1 Anna went home.", "Where is Anna?\thome\t1"], 2, "expected 'ID text'"),
    (["1 Anna went home.", "3 Bob left."], 2, "does not follow"),
    (["1 Anna went home.", "2 Where is Anna?\thome"], 2, "question line needs"),
    (["1 Anna went home.", "2 Where is Anna?\thome\t5"], 2, "not an earlier fact"),
    (["1 Anna went home.", "2 Where is Anna?\thome\tone"], 2, "not a number"),
    (["1 Anna went home.", "2 Where is Anna?\t\t1"], 2, "empty answer"),
    (["1 Where is Anna?\thome\t1"], 1, "not an earlier fact"),
])
def test_malformed_line_names_file_and_line(lines, line_number, why):
    with pytest.raises(BabiFormatError) as caught:
        parse_babi(lines, name="story.txt")
    assert f"story.txt:{line_number}:" in str(caught.value)
    assert why in str(caught.value)


def test_malformed_file_error_names_the_path(tmp_path):
    bad = tmp_path / "qa1_bad_test.txt"
    bad.write_text("1 Anna went home.\n2 Where is Anna?\thome\n")
    with pytest.raises(BabiFormatError, match=rf"{bad}:2: "):
        read_babi_file(bad)
    binary = tmp_path / "qa2_binary_test.txt"
    binary.write_bytes(b"1 Anna \xff\xfe went home.\n")
    with pytest.raises(BabiFormatError, match="not UTF-8"):
        read_babi_file(binary)


def test_task_lists():
    assert parse_tasks("1-20") == list(range(1, 21))
    assert parse_tasks("1,2,6") == [1, 2, 6]
    assert parse_tasks("6, 1-3") == [1, 2, 3, 6]
    for bad in ("0", "21", "1-", "a", "5-2"):
        with pytest.raises(AskmeError):
            parse_tasks(bad)


def test_load_tasks_selects_files_by_number(babi_dir):
    loaded = load_tasks(babi_dir, [1, 19], "test")
    assert sorted(loaded) == [1, 19]
    assert all(e.task == 19 for e in loaded[19])
    with pytest.raises(AskmeError, match="no test file for task 2"):
        load_tasks(babi_dir, [2], "test")
    with pytest.raises(AskmeError, match="no such data folder"):
        load_tasks(babi_dir / "missing", [1], "test")


def test_task_files_are_known_by_their_number(tmp_path):
    from askme.babi import file_task, tasks_in

    for name in ("qa12_conjunction_test.txt", "qa3_three-supporting-facts_train.txt",
                 "qa1_probe_test.txt", "notes.txt", "qa_x_test.txt"):
        (tmp_path / name).write_text("")
    assert file_task(tmp_path / "qa12_conjunction_test.txt") == 12
    assert file_task("notes.txt") is None and file_task("qa_x_test.txt") is None
    assert tasks_in(tmp_path, "test") == [1, 12] and tasks_in(tmp_path, "train") == [3]
