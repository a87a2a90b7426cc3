"""research/size_proofs.py: counts the proofs of task 18 questions and scores rules for the label."""

from conftest import run_research, write_task

# Each question has two proofs and is labelled with the one that starts earlier: facts 1+2
# or 3+4 in the first story; in the second, facts 1 and 2 say the same thing two ways, so
# either chains the box of chocolates to the suitcase through the container (fact 3).
STORIES = """1 The chocolate fits inside the box.
2 The box fits inside the chest.
3 The chocolate fits inside the suitcase.
4 The suitcase fits inside the chest.
5 Is the chest bigger than the chocolate?\tyes\t2 1
1 The container is bigger than the box of chocolates.
2 The box of chocolates fits inside the container.
3 The suitcase is bigger than the container.
4 Does the suitcase fit in the box of chocolates?\tno\t3 1
"""


def test_counts_proofs_and_finds_the_rule_that_names_the_label(tmp_path):
    result = run_research("size_proofs.py", "--data",
                          write_task(tmp_path, "qa18_size-reasoning", STORIES))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "test questions: 2; with one proof: 0; with several: 2 (2 with 2)",
        "labelled supports that are a proof: 2",
        "a perfect reasoner guessing among the proofs: 50.0 %",
        "best position rule on train (100.0 %): earliest smaller-end fact; on test: 100.0 %",
    ]
