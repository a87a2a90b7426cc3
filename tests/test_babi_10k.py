"""The data step babi_10k (askme.training.data_steps): each task's training file from
bAbI's 10k set beside the 1k one, the test files as they are."""

import pytest


def test_the_babi_10k_data_step_takes_each_tasks_10k_training_file(tmp_path):
    from askme.errors import AskmeError
    from askme.training.data_steps import DATA_STEPS

    en, tenk = tmp_path / "en", tmp_path / "en-10k"
    en.mkdir()
    for task in (1, 3):
        for split in ("train", "test"):
            (en / f"qa{task}_t_{split}.txt").write_text("1 Mary went home.\n"
                                                        "2 Where is Mary?\thome\t1\n")
    with pytest.raises(AskmeError, match="babi_10k: no en-10k folder beside"):
        DATA_STEPS["babi_10k"](en, tmp_path / "out")
    tenk.mkdir()
    bigger = "1 Mary went home.\n2 Where is Mary?\thome\t1\n1 John went out.\n" * 3
    (tenk / "qa1_t_train.txt").write_text(bigger)  # task 3 has no 10k file, as in our copy
    taken = DATA_STEPS["babi_10k"](en, tmp_path / "out")
    assert taken == {"qa1_t_train.txt": 6}
    assert (tmp_path / "out" / "qa1_t_train.txt").read_text() == bigger
    for name in ("qa3_t_train.txt", "qa1_t_test.txt", "qa3_t_test.txt"):
        assert (tmp_path / "out" / name).read_text() == (en / name).read_text()


def test_babi_10k_can_take_some_tasks_only(tmp_path):
    from askme.training.data_steps import data_step

    en, tenk = tmp_path / "en", tmp_path / "en-10k"
    en.mkdir(), tenk.mkdir()
    for task in (1, 17):
        (en / f"qa{task}_t_train.txt").write_text("1 Mary went home.\n2 Where is Mary?\thome\t1\n")
        (tenk / f"qa{task}_t_train.txt").write_text("1 John went out.\n2 Where is John?\tout\t1\n" * 2)
    assert data_step("babi_10k:17")(en, tmp_path / "out") == {"qa17_t_train.txt": 2}
    assert (tmp_path / "out" / "qa17_t_train.txt").read_text() == (tenk / "qa17_t_train.txt").read_text()
    assert (tmp_path / "out" / "qa1_t_train.txt").read_text() == (en / "qa1_t_train.txt").read_text()
