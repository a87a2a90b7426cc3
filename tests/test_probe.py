"""The hand-written probe of everyday English (probes/everyday) stays what the project
reports on: bAbI format, every task type, enough questions and unanswerable ones."""

from pathlib import Path

from askme.babi import UNKNOWN, load_tasks

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
