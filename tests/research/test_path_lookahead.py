"""research/path_lookahead.py: how often a first pass can tell task 19's first step."""

from conftest import PAPER_DMN, run_research, write_task

# The office is in two facts and only the kitchen leads on to the hallway, so a guess
# between facts 1 and 2 is right half the time; the hallway is in one fact of the second.
STORIES = """1 The kitchen is north of the office.
2 The garden is west of the office.
3 The hallway is east of the kitchen.
4 The bedroom is south of the garden.
5 How do you go from the office to the hallway?\tn,e\t1 3
1 The bathroom is east of the hallway.
2 The bedroom is north of the bathroom.
3 How do you go from the hallway to the bedroom?\te,n\t1 2
"""


def test_a_guess_among_the_start_rooms_facts_against_one_that_knows_the_destination(tmp_path):
    result = run_research("path_lookahead.py", "--data",
                          write_task(tmp_path, "qa19_path-finding", STORIES))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "test questions: 2; facts naming the start room: 1: 1, 2: 1",
        "a first pass guessing among them names the labelled first fact: 75.0 %",
        "the labelled first fact is the only one naming the start room and a room next to "
        "the destination: 100.0 %",
    ]


def test_each_answer_step_is_right_its_opposite_across_or_missing():
    import sys

    from conftest import ROOT
    sys.path.insert(0, str(ROOT / "research"))
    try:
        from path_lookahead import step_outcomes
    finally:
        sys.path.remove(str(ROOT / "research"))
    assert step_outcomes("n,e", "n,e") == ["right", "right"]
    assert step_outcomes("n,e", "s,n") == ["opposite", "across"]
    assert step_outcomes("n,e", "w") == ["across", "missing"]
    assert step_outcomes("n,e", "kitchen,w") == ["missing", "opposite"]


def test_sorts_the_steps_of_a_models_answers(tmp_path):
    from askme.dmn.config import DMNConfig
    from askme.training.loop import TrainOptions, train

    data = write_task(tmp_path, "qa19_path-finding", STORIES)
    tiny = DMNConfig(embed_dim=32, hidden_dim=32, gate_hidden_dim=32, max_passes=4, dropout=0.0,
                     **PAPER_DMN)
    train(TrainOptions(data=data, tasks=[19], out=tmp_path / "model", epochs=60, lr=1e-2,
                       patience=1000, decay_patience=1000, val_fraction=0.0, seed=3, model=tiny))
    result = run_research("path_lookahead.py", "--data", data, "--model", tmp_path / "model")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[3:] == [
        "model: both steps right 100.0 %",
        "model step 1: right 100.0 %, opposite 0.0 %, across 0.0 %, missing 0.0 %",
        "model step 2: right 100.0 %, opposite 0.0 %, across 0.0 %, missing 0.0 %",
    ]
