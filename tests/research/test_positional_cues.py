"""research/positional_cues.py: how much of a task 17 answer a lookup table on k cues tells."""

from conftest import run_research, write_task

# One picture, four questions whose answers are an exclusive or: each cue alone is a coin
# toss (2 yes, 2 no for either value), while the two relations together decide them all.
STORY = """1 The triangle is above the pink rectangle.
2 The blue square is to the left of the triangle.
3 Is the pink rectangle below the blue square?\tyes\t1 2
4 Is the pink rectangle above the blue square?\tno\t1 2
5 Is the blue square above the pink rectangle?\tyes\t2 1
6 Is the blue square below the pink rectangle?\tno\t2 1
"""


def test_no_single_cue_tells_the_answer_but_two_together_do(tmp_path):
    result = run_research("positional_cues.py", "--data",
                          write_task(tmp_path, "qa17_positional-reasoning", STORY))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "best 1 cue on train (50.0 %): question's relation; on test: 50.0 %",
        "best 2 cues on train (100.0 %): question's relation + first fact's relation; "
        "on test: 100.0 %",
    ]
    assert len(lines) == 5 and all("(100.0 %)" in line for line in lines[2:])
