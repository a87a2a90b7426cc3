"""research/module_swap.py: puts one part of a donor model into a base model and scores it."""

import dataclasses

import torch

from askme.dmn.checkpoint import load_checkpoint, save_checkpoint
from askme.training.loop import train
from conftest import run_research
from test_training import tiny_options


def test_only_the_part_that_differs_changes_the_scores(babi_dir, tmp_path):
    base = tmp_path / "base"
    train(tiny_options(babi_dir, out=base, epochs=40))
    donor = load_checkpoint(base)
    with torch.no_grad():  # a donor that differs from the base in its memory update alone
        for p in donor.model.memory.memory_gru.parameters():
            p.zero_()
    save_checkpoint(tmp_path / "donor", donor.model, donor.tokenizer, donor.info, donor.lexicon)
    result = run_research("module_swap.py", base, tmp_path / "donor", "--data", babi_dir, "--tasks", "1,8,19")
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines())
    assert list(lines) == ["none", "answer_module", "embed", "input_module", "memory",
                           "question_module", "memory.bilinear", "memory.end_of_passes",
                           "memory.episode_gru", "memory.gate_mlp", "memory.memory_gru",
                           "memory x0.25", "memory x0.5", "memory x0.75"]
    unchanged = ["answer_module", "embed", "input_module", "question_module",
                 "memory.bilinear", "memory.end_of_passes", "memory.episode_gru", "memory.gate_mlp"]
    assert all(lines[label] == lines["none"] for label in unchanged)
    assert lines["memory"] == lines["memory.memory_gru"] != lines["none"]
    assert lines["none"].startswith("mean error ") and ", task 19 " in lines["none"]


def test_a_watched_task_outside_tasks_is_one_line(babi_dir, tmp_path):
    result = run_research("module_swap.py", tmp_path, tmp_path, "--data", babi_dir, "--tasks", "1,8", "--watch", "19")
    assert result.returncode == 1
    assert result.stderr == "module_swap: --watch 19 is not among --tasks\n"


def test_models_of_different_shapes_are_one_line(babi_dir, tmp_path):
    train(tiny_options(babi_dir, out=tmp_path / "a", epochs=1))
    train(dataclasses.replace(tiny_options(babi_dir, out=tmp_path / "b", epochs=1),
                              model=dataclasses.replace(tiny_options(babi_dir).model, hidden_dim=16)))
    result = run_research("module_swap.py", tmp_path / "a", tmp_path / "b", "--data", babi_dir, "--tasks", "1,8,19")
    assert result.returncode == 1
    assert result.stderr == (f"module_swap: {tmp_path / 'a'} and {tmp_path / 'b'} have different "
                             "shapes: not one lineage (train one from the other with askme train "
                             "--init)\n")
