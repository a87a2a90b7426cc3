"""The hand-written probe of everyday English (probes/everyday) stays what the project
reports on: bAbI format, every task type, enough questions and unanswerable ones."""

from pathlib import Path

import pytest

from askme.babi import UNKNOWN, load_tasks, tasks_in

PROBE = Path(__file__).resolve().parent.parent / "probes" / "everyday"


def test_the_probe_covers_every_task_type_with_unanswerable_questions_mixed_in():
    examples = load_tasks(PROBE, list(range(1, 21)), "test")
    questions = [e for task in examples.values() for e in task]
    unknown = [e for e in questions if e.answer == UNKNOWN]
    assert len(questions) >= 200 and len(unknown) >= 40
    assert sum(any(e.answer == UNKNOWN for e in task) for task in examples.values()) >= 8
    assert all(e.supports for e in questions if e.answer != UNKNOWN)
    assert all(not e.supports for e in unknown)
    asked = {e.question for e in questions}
    assert {"Where is Tom?", "Where is the cat?", "where is alice",
            "What is the capital of France?", "Where is the laptop?"} <= asked


ONE_SENTENCE = PROBE.parent / "one-sentence"


@pytest.mark.parametrize("folder", [ONE_SENTENCE, *(ONE_SENTENCE / later
                                                   for later in ("second", "third", "fourth"))],
                         ids=["first", "second", "third", "fourth"])
def test_each_hand_written_one_sentence_set_tells_each_story_both_ways(folder):
    tasks = tasks_in(folder, "test")
    one = load_tasks(folder, tasks, "test")
    split = load_tasks(folder / "split", tasks, "test")
    stories = [e for task in tasks for e in one[task]]
    assert len(stories) >= 40 and len(tasks) >= 8
    assert all(len(e.story) == 1 and (e.word_level or e.answer == UNKNOWN) for e in stories)
    told_apart = [e for task in tasks for e in split[task]]
    assert [(e.question, e.answer) for e in told_apart] == [(e.question, e.answer) for e in stories]
    assert all(len(e.story) > 1 for e in told_apart)
    assert all(bool(e.supports) == (e.answer != UNKNOWN) for e in stories + told_apart)


def test_eval_of_a_probe_folder_scores_the_task_types_it_holds(capsys):
    import json

    from askme.cli import main

    assert main(["eval", "--data", str(ONE_SENTENCE), "--model", "babi-1k", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert sorted(map(int, report["tasks"])) == tasks_in(ONE_SENTENCE, "test")


def test_agree_counts_the_same_answer_to_a_story_told_both_ways():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, str(ONE_SENTENCE / "agree.py"), "babi-1k"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "one sentence right", "one sentence cut into clauses right", "split right",
        "same answer both ways", "same answer, cut into clauses and split"]
    n = len([e for task in load_tasks(ONE_SENTENCE, tasks_in(ONE_SENTENCE, "test"), "test").values()
             for e in task])
    assert all(line.endswith(f"/{n}") for line in lines)
