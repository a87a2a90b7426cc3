"""Training across processes: two CPU processes under torchrun (gloo on loopback)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from askme.dmn.config import DMNConfig

from askme.errors import UsageError
from askme.training.distributed import Context
from askme.training.loop import train
from askme.training.options import TrainOptions

TORCHRUN = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}


def run(args, **kwargs):
    return subprocess.run(TORCHRUN + args, env=ENV, capture_output=True, text=True, timeout=300,
                          **kwargs)


def test_two_processes_step_exactly_as_one_process_on_their_union(tmp_path):
    steps = 3
    result = run([str(Path(__file__).parent / "ddp_worker.py"), str(tmp_path), str(steps)])
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((tmp_path / "steps.json").read_text())
    assert len(report) == steps
    for step in report:
        first, second = step["batches"]
        assert not set(first) & set(second)  # each rank trains on its own shard
        assert step["params_equal"]  # bitwise, after every optimizer step
        # DDP's averaged gradient is one process's gradient on both batches together
        # (a rank normalising by its own batch alone misses by ~1e-2 here).
        assert step["grad_max"] > 0.01
        assert step["grad_max_diff"] < 1e-5


def test_askme_train_under_torchrun_saves_one_model_that_answers(tmp_path, babi_dir):
    out = tmp_path / "model"
    result = run(["-m", "askme", "train", "--data", str(babi_dir), "--tasks", "1,8", "--out",
                  str(out), "--epochs", "2", "--hidden", "16", "--embed", "16",
                  "--batch-size", "4", "--device", "cpu"])
    assert result.returncode == 0, result.stderr[-2000:]
    progress = [line for line in result.stderr.splitlines() if line.startswith("epoch ")]
    assert [line.split()[1] for line in progress] == ["1/2", "2/2"]  # shown once, by rank 0
    assert result.stderr.count(f"saved {out}") == 1
    assert sorted(p.name for p in out.iterdir()) == ["SHA256SUMS", "config.json",
                                                     "tokenizer.model", "weights.pt"]

    answered = subprocess.run(
        [sys.executable, "-m", "askme", "ask", "--model", str(out), "--stdin", "--json"],
        input="John went to the garden.\nWhere is John?\n", capture_output=True, text=True,
        env={**os.environ, "ASKME_HOME": str(tmp_path / "home")})
    assert answered.returncode == 0, answered.stderr
    (answer,) = [json.loads(line) for line in answered.stdout.splitlines()]
    assert answer["question"] == "Where is John?" and answer["facts"] == ["John went to the garden."]


def test_a_global_batch_that_does_not_split_over_the_processes_is_refused(babi_dir):
    options = TrainOptions(data=babi_dir, tasks=[1], batch_size=5,
                           model=DMNConfig(embed_dim=8, hidden_dim=8, gate_hidden_dim=8))
    with pytest.raises(UsageError, match="--batch-size 5 does not split evenly over 2 processes"):
        train(options, context=Context(rank=0, world_size=2))
