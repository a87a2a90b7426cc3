"""`askme train --processes`: processes of one machine splitting every batch
(askme.training.parallel)."""

import dataclasses
import os
import time

import pytest
import torch

from conftest import PAPER_DMN
from askme.babi import load_tasks
from askme.cli import main
from askme.dmn.batches import collate, encode_example, loss_counts
from askme.dmn.config import DMNConfig
from askme.dmn.model import DMN
from askme.dmn.tokenizer import Tokenizer
from askme.errors import AskmeError
from askme.training import parallel
from askme.training.loop import gradient_capacity, train, train_job
from askme.training.options import TrainOptions

# Summing gradients in another order moves weights by float rounding, which Adam can grow to
# ~3e-5 in these runs (seen on AMD EPYC; less on Intel Xeon); processes that drew their own
# renamings differ by ~0.1.
SAME = 5e-4
TINY = DMNConfig(embed_dim=16, hidden_dim=16, gate_hidden_dim=16, max_passes=4, dropout=0.0,
                 **PAPER_DMN)


def options(babi_dir, **changes):
    base = TrainOptions(data=babi_dir, tasks=[1, 8, 19], epochs=3, batch_size=16, lr=1e-2,
                        patience=1000, decay_patience=1000, val_fraction=0.2, seed=3, model=TINY)
    return dataclasses.replace(base, **changes)


def train_in_processes(opts, processes=2):
    numel, params = gradient_capacity(opts)
    return parallel.run(processes, 1, numel, params, train_job, (opts,))


def test_two_processes_train_the_model_one_process_would(babi_dir):
    """Without dropout nothing random differs: the same batches, the same gradients (summed
    in another order), so the same weights but for float rounding."""
    one = train(options(babi_dir))
    two = train_in_processes(options(babi_dir, processes=2))
    a, b = one.model.state_dict(), two.model.state_dict()
    assert a.keys() == b.keys()
    assert all(torch.allclose(a[k], b[k], atol=SAME) for k in a)
    assert not all(torch.equal(a[k], torch.zeros_like(a[k])) for k in a)
    assert two.info["options"]["processes"] == 2
    assert (two.info["epochs_run"], two.info["val_examples"]) == (3, one.info["val_examples"])


def test_renaming_and_uneven_shares_draw_what_one_process_draws(babi_dir):
    """With --augment every process renames what one process would rename, and with 3
    processes and batches of 7 the rows split unevenly: still one process's weights."""
    opts = options(babi_dir, augment=0.5, batch_size=7)
    one = train(opts)
    three = train_in_processes(dataclasses.replace(opts, processes=3), processes=3)
    a, b = one.model.state_dict(), three.model.state_dict()
    assert all(torch.allclose(a[k], b[k], atol=SAME) for k in a)
    unrenamed = train(dataclasses.replace(opts, augment=0.0)).model.state_dict()
    assert not all(torch.allclose(a[k], unrenamed[k], atol=1e-3) for k in a)


def test_the_loss_counts_of_items_are_those_of_their_batch(babi_dir):
    examples = [ex for exs in load_tasks(babi_dir, [1, 8, 19], "train").values() for ex in exs]
    texts = [s for ex in examples for s in (*ex.story, ex.question, ex.answer)]
    tokenizer = Tokenizer.train(texts, vocab_size=300)
    items = [encode_example(tokenizer, ex) for ex in examples]
    for chosen in (items[:5], items[3:40:3], items):
        assert torch.equal(loss_counts(chosen), DMN.loss_counts(collate(chosen)))


def _fail_on_rank_1(context):
    if context.rank == 1:
        raise AskmeError("no such bAbI file on this process")
    context.shared.wait()  # rank 0 would wait for rank 1's gradients forever


def test_a_failing_process_stops_the_others_with_its_own_error():
    with pytest.raises(AskmeError, match="a training process failed: no such bAbI file"):
        parallel.run(2, 1, 10, 2, _fail_on_rank_1, ())


def _fail_on_rank_0(context):
    if context.rank == 0:
        raise AskmeError("cannot write the model")
    context.shared.wait()  # rank 1 waits at the barrier; rank 0's failure breaks it


def test_the_first_process_failing_reports_its_own_error():
    with pytest.raises(AskmeError, match="^cannot write the model$"):
        parallel.run(2, 1, 10, 2, _fail_on_rank_0, ())


class _DiesWhenUnpickled:
    """An argument whose unpickling ends the process, as a worker that cannot start ends."""

    def __reduce__(self):
        return (os._exit, (3,))


def _never_runs(context, *args):
    raise AssertionError("rank 0 ran its job though rank 1 never started")


def test_a_process_that_dies_as_it_starts_is_an_error_at_once_not_a_wait():
    start = time.monotonic()
    stopped = r"^training process 1 stopped as it started \(exit code 3\)$"
    with pytest.raises(AskmeError, match=stopped):
        parallel.run(2, 1, 10, 1, _never_runs, (_DiesWhenUnpickled(),))
    assert time.monotonic() - start < 60  # joining the group would wait 30 minutes


def test_train_processes_from_the_command_line(babi_dir, tmp_path, capsys):
    out = tmp_path / "model"
    code = main(["train", "--data", str(babi_dir), "--tasks", "1,8,19", "--out", str(out),
                 "--hidden", "12", "--embed", "12", "--epochs", "2", "--processes", "2"])
    assert code == 0
    assert "saved" in capsys.readouterr().err
    assert (out / "weights.pt").exists()


def test_processes_refuse_a_gpu_and_torchrun(babi_dir, tmp_path, monkeypatch, capsys):
    args = ["train", "--data", str(babi_dir), "--tasks", "1", "--epochs", "1", "--processes", "2",
            "--out", str(tmp_path / "model")]
    assert main(args + ["--device", "cuda"]) == 2
    assert capsys.readouterr().err.strip() == (
        "askme: error: --processes trains on the CPU; on a GPU leave it out")
    monkeypatch.setenv("WORLD_SIZE", "2")
    assert main(args) == 2
    assert capsys.readouterr().err.strip() == (
        "askme: error: --processes starts its own processes; under torchrun leave it out")
