"""research/copy_probe.py: the probe task keeps the stories and asks for one fact's word."""

from conftest import run_research


def test_probe_answers_with_the_first_supporting_facts_direction(babi_dir, tmp_path):
    result = run_research("copy_probe.py", "--data", babi_dir, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    written = (tmp_path / "qa19_path-finding_train.txt").read_text().splitlines()
    assert written[:3] == ["1 The den is north of the hall.", "2 The porch is west of the hall.",
                           "3 How do you go from the den to the porch?\tn\t1"]
    source = (babi_dir / "qa19_path-finding_test.txt").read_text().splitlines()
    probe = (tmp_path / "qa19_path-finding_test.txt").read_text().splitlines()
    assert len(probe) == len(source)
    assert [line for line in probe if "\t" not in line] == [line for line in source if "\t" not in line]
