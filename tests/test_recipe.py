"""Recipes (askme.training.recipe): checked before anything runs, run stage by stage by
`askme train --recipe`, recorded in the model, and a finished stage kept on a rerun."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from askme.dmn.checkpoint import load_checkpoint
from askme.errors import AskmeError
from askme.training.options import Supervision
from askme.training.recipe import load_recipe, stage_options

ROOT = Path(__file__).resolve().parent.parent

TINY = """\
[recipe]
name = "tiny"
seed = 2
threads = 1

[model]
hidden = 8
embed = 8

[[stage]]
name = "first"
tasks = "1,19"
epochs = 2

[[stage]]
name = "second"
tasks = "1,8,19"
data_steps = ["where_questions", "turned_directions"]
epochs = 1
dropout = 0.2
gate_competition = true
sentence_words = true
converses = true
oversample = { "8" = 2 }
"""


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "recipe.toml"
    path.write_text(text)
    return path


def test_the_shipped_recipe_reads_as_its_stages():
    recipe = load_recipe(ROOT / "recipes" / "babi-1k.toml")
    assert recipe.name == "babi-1k" and recipe.header["seed"] == 3
    assert [s.name for s in recipe.stages] == ["paths", "joint", "two-three", "competition",
                                               "where", "turned"]
    first = stage_options(recipe, recipe.stages[0].settings, Path("en"), None, None)
    assert (first.tasks, first.vocab_tasks, first.epochs, first.time_limit) == (
        [4, 19], tuple(range(1, 21)), 400, 10)
    assert (first.model.hidden_dim, first.model.memory_update) == (80, "relu")
    assert first.supervision == Supervision(True, None, [19])
    fourth = stage_options(recipe, recipe.stages[3].settings, Path("en"), None, Path("b1"))
    assert fourth.oversample == {4: 4, 19: 4, 16: 8, 3: 2, 7: 2, 8: 2, 18: 2}
    assert fourth.task_augment == {17: 1.0, 4: 0.0, 19: 0.0} and fourth.model.gate_competition
    assert recipe.stages[5].settings["data_steps"] == ["where_questions", "turned_directions"]
    assert fourth.batch_tokens is None  # no budget unless a stage sets one
    budget = stage_options(recipe, {**recipe.stages[3].settings, "batch_tokens": 200_000},
                           Path("en"), None, Path("b1"))
    assert budget.batch_tokens == 200_000


def test_the_default_models_last_stage_is_its_recipes_last_stage(tmp_path):
    """The shipped everyday records the recipe text its last stage ran from (the stages
    after 7 run from the model before, models/everyday/README.md): every stage's settings,
    and the run's seed and threads, are recipes/everyday.toml's."""
    recorded = json.loads((ROOT / "models" / "everyday" / "config.json").read_text())
    ran = recorded["info"]["options"]["recipe"]
    recipe = load_recipe(ROOT / "recipes" / "everyday.toml")
    assert ran["stage"] == recipe.stages[-1].name == "held_mean"
    run = load_recipe(write(tmp_path, ran["text"]))
    assert [s.settings for s in run.stages] == [s.settings for s in recipe.stages]
    assert sorted(recorded["info"]["averaged"]) == sorted(recipe.stages[-1].settings["average"])
    assert [run.header[k] for k in ("seed", "threads")] == [recipe.header[k]
                                                           for k in ("seed", "threads")]


@pytest.mark.parametrize("change, message", [
    (lambda t: t.replace("epochs = 1\n", "epochs = 1\nepoch = 3\n"),
     "stage 2 ('second'): unknown key 'epoch' (known: name, tasks,"),
    (lambda t: t.replace("epochs = 1\n", "epochs = 1\nhidden = 16\n"),
     "stage 2 ('second'): 'hidden' is the architecture, which the first stage fixes: put it "
     "in [model]"),
    (lambda t: t.replace("epochs = 2", "epochs = \"two\""),
     "stage 1 ('first'): epochs should be int, not 'two'"),
    (lambda t: t.replace("epochs = 1\n", "epochs = 1\nvocab_tasks = \"1-20\"\n"),
     "stage 2 ('second'): vocab_tasks: only a stage that builds the model builds its tokenizer"),
    (lambda t: t.replace("\"turned_directions\"", "\"shuffled\""),
     "stage 2 ('second'): no data step 'shuffled' (known: where_questions, "
     "where_questions_told, turned_directions, "
     "babi_10k, sequence_words, everyday_english, things_placed, one_sentence, "
     "one_sentence_slots, one_fact_slots, everyday_slots, everyday_slots_few, "
     "things_placed_few, holdings_dropped, holders_unplaced, long_worlds, long_babi_worlds, "
     "long_worlds_slots, long_worlds_slots_more, long_worlds_slots_unknown, "
     "long_worlds_slots_far)"),
    (lambda t: t.replace("\"turned_directions\"", "\"turned_directions:17\""),
     "stage 2 ('second'): data step 'turned_directions' changes no chosen tasks (no "
     "turned_directions:TASKS)"),
    (lambda t: t.replace("\"turned_directions\"", "\"where_questions:2,21\""),
     "stage 2 ('second'): bad task list '2,21': tasks are numbered 1 to 20"),
    (lambda t: t.replace("\"turned_directions\"", "\"babi_10k:17\""),
     "stage 2 ('second'): babi_10k reads en-10k/ beside the data folder, so it must be the "
     "stage's first data step"),
    (lambda t: t.replace("name = \"second\"", "name = \"first\""),
     "stage 2 ('first'): another stage has this name"),
    (lambda t: t.replace("tasks = \"1,19\"", "tasks = \"1,21\""),
     "stage 1 ('first'): bad task list '1,21': tasks are numbered 1 to 20"),
    (lambda t: t.replace("gate_competition = true", "gate_competition = false"),
     "stage 2 ('second'): gate_competition cannot be taken away from the model before"),
    (lambda t: t.replace("[model]", "[modle]"),
     "top level: unknown table 'modle' (known: recipe, model, stage)"),
    (lambda t: t.replace("hidden = 8", "hidden = 8\ndropout = 0.1"),
     "[model]: unknown key 'dropout' (known: hidden, embed,"),
    (lambda t: t[: t.index("[[stage]]")], "top level: no [[stage]] to run"),
    (lambda t: t.replace("epochs = 1\n", "epochs = 1\nstart = \"third\"\n"),
     "stage 2 ('second'): start: no stage 'third' before it"),
    (lambda t: t + "[[stage]]\nname = \"mean\"\naverage = [\"first\", \"first\"]\n",
     "stage 3 ('mean'): average: name two or more stages, each once"),
    (lambda t: t + "[[stage]]\nname = \"mean\"\naverage = [\"first\", \"third\"]\n",
     "stage 3 ('mean'): average: no stage 'third' before it"),
    (lambda t: t + "[[stage]]\nname = \"mean\"\naverage = [\"first\", \"second\"]\n"
                   "epochs = 1\n",
     "stage 3 ('mean'): epochs: a stage that averages trains nothing, so it takes only name "
     "and average"),
    (lambda t: t.replace("[[stage]]\nname = \"second\"",
                         "[[stage]]\nname = \"mean\"\naverage = [\"first\", \"first\"]\n"
                         "[[stage]]\nname = \"second\""),
     "stage 2 ('mean'): average: only the last stage can average"),
    (lambda t: t.replace("[recipe]", "[recipe"), "not a TOML file"),
])
def test_a_bad_recipe_is_one_line_naming_the_file_and_stage(tmp_path, change, message):
    path = write(tmp_path, change(TINY))
    with pytest.raises(AskmeError) as error:
        load_recipe(path)
    assert str(error.value).startswith(f"{path}: {message}"), str(error.value)
    assert "\n" not in str(error.value)


def run_train(*args, cwd: Path):
    env = {**os.environ, "ASKME_HOME": str(cwd / "home")}
    return subprocess.run([sys.executable, "-m", "askme", "train", *map(str, args)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300)


def test_train_runs_every_stage_records_the_recipe_and_keeps_finished_stages(tmp_path,
                                                                             babi_dir):
    recipe = write(tmp_path, TINY)
    result = run_train("--recipe", recipe, "--data", babi_dir, "--out", "model", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    log = [line for line in result.stderr.splitlines() if not line.startswith("epoch ")]
    assert log[0] == "stage 1/2 'first': tasks 1,19"
    assert log[2] == ("stage 2/2 'second': tasks 1,8,19, data where_questions + "
                      "turned_directions, from model.stages/first")
    assert log[1].startswith("saved model.stages/first: ") and log[3].startswith("saved model: ")
    info = json.loads((tmp_path / "model" / "config.json").read_text())
    assert info["info"]["options"]["recipe"]["text"] == TINY
    assert info["info"]["options"]["recipe"]["stage"] == "second"
    assert info["model"]["gate_competition"] and info["model"]["dropout"] == 0.2
    # A later stage may start reading a one-sentence story word by word, or converses
    # alike: no weight changes. The model loaded reads as it trained.
    assert info["model"]["sentence_words"] and info["model"]["converses"]
    assert load_checkpoint(tmp_path / "model", arrays=True).tokenizer.converses
    first = json.loads((tmp_path / "model.stages" / "first" / "config.json").read_text())
    assert not first["model"]["sentence_words"] and not first["model"]["converses"]
    assert info["model"]["hidden_dim"] == 8 and info["info"]["seed"] == 2
    weights = (tmp_path / "model" / "weights.pt").read_bytes()

    again = run_train("--recipe", recipe, "--data", babi_dir, "--out", "model", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stderr.splitlines() == [
        "stage 1/2 'first': finished before with these settings, kept (model.stages/first)",
        "stage 2/2 'second': finished before with these settings, kept (model)"]
    assert (tmp_path / "model" / "weights.pt").read_bytes() == weights

    # A stage cut short (its folder saved, its run not finished) is run again.
    (tmp_path / "model.stages" / "first.done").unlink()
    cut = run_train("--recipe", recipe, "--data", babi_dir, "--out", "model", cwd=tmp_path)
    assert cut.returncode == 0, cut.stderr
    assert cut.stderr.splitlines()[0] == "stage 1/2 'first': tasks 1,19"
    assert (tmp_path / "model.stages" / "first.done").is_file()

    # A changed last stage is run again; the first is kept.
    write(tmp_path, TINY.replace("epochs = 1\n", "epochs = 2\n"))
    changed = run_train("--recipe", recipe, "--data", babi_dir, "--out", "model", cwd=tmp_path)
    assert changed.returncode == 0, changed.stderr
    assert changed.stderr.splitlines()[:2] == [
        "stage 1/2 'first': finished before with these settings, kept (model.stages/first)",
        "stage 2/2 'second': tasks 1,8,19, data where_questions + turned_directions, from "
        "model.stages/first"]


def test_a_last_stage_averages_stages_that_went_on_from_one_model(tmp_path, babi_dir):
    """Two stages from stage 1 (one at its own seed), and a last stage whose weights are
    their mean, kept on a rerun as a trained stage is; models of other settings are not
    averaged."""
    import torch

    third = """
[[stage]]
name = "third"
start = "first"
seed = 5
tasks = "1,19"
epochs = 1
lr = 0.01
gate_competition = true

[[stage]]
name = "mean"
average = ["second", "third"]
"""
    recipe = write(tmp_path, TINY + third)
    result = run_train("--recipe", recipe, "--data", babi_dir, "--out", "model", cwd=tmp_path)
    assert (result.returncode, result.stderr.splitlines()[-1]) == (
        1, "askme: error: model.stages/third: another model config, tokenizer or lexicon than "
           "model.stages/second, so their weights cannot be averaged")
    assert not (tmp_path / "model").exists()

    write(tmp_path, TINY + third.replace("gate_competition = true", "gate_competition = true\n"
                                         "dropout = 0.2\nsentence_words = true\n"
                                         "converses = true"))
    result = run_train("--recipe", recipe, "--data", babi_dir, "--out", "model", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    log = [line for line in result.stderr.splitlines() if not line.startswith("epoch ")]
    assert log[:2] == [f"stage {n}/4 '{name}': finished before with these settings, kept "
                       f"(model.stages/{name})" for n, name in ((1, "first"), (2, "second"))]
    assert log[2] == "stage 3/4 'third': tasks 1,19, from model.stages/first"
    assert log[3].startswith("saved model.stages/third: ")
    assert log[4:] == ["stage 4/4 'mean': the mean of the weights of second, third",
                       "saved model"]
    stages = tmp_path / "model.stages"
    assert json.loads((stages / "third" / "config.json").read_text())["info"]["seed"] == 5
    weights = {name: torch.load(folder / "weights.pt", weights_only=True) for name, folder in
               (("second", stages / "second"), ("third", stages / "third"),
                ("mean", tmp_path / "model"))}
    for key, value in weights["mean"].items():
        if value.is_floating_point():
            assert torch.allclose(value, (weights["second"][key] + weights["third"][key]) / 2,
                                  atol=1e-7), key
    assert not torch.equal(weights["second"]["embed.weight"],
                           weights["third"]["embed.weight"])
    info = json.loads((tmp_path / "model" / "config.json").read_text())
    assert sorted(info["info"]["averaged"]) == ["second", "third"]
    assert info["info"]["options"]["recipe"]["stage"] == "mean"
    assert info["model"]["sentence_words"] and load_checkpoint(tmp_path / "model").model

    again = run_train("--recipe", recipe, "--data", babi_dir, "--out", "model", cwd=tmp_path)
    assert again.stderr.splitlines()[-1] == ("stage 4/4 'mean': finished before with these "
                                             "settings, kept (model)")


def test_the_recipe_sets_what_the_command_line_would(tmp_path):
    result = run_train("--recipe", write(tmp_path, TINY), "--out", "m", "--epochs", "3",
                       "--lr", "0.1", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        2, "askme: error: --epochs, --lr: the recipe sets this; with --recipe give only --data, "
           "--out, --threads, --processes and --device\n")


def test_steps_that_read_through_slots_read_with_the_lexicon_the_model_keeps(tmp_path, babi_dir):
    from askme.training.data_steps import read_through_slots
    from askme.training.generator.things import generate_things
    from askme.training.lexicon import babi_lexicon
    from askme.training.recipe import run_recipe

    recipe = load_recipe(write(tmp_path, TINY.split("[[stage]]")[0] + """
[[stage]]
name = "only"
tasks = "1,8,19"
data_steps = ["everyday_slots_few", "things_placed_few"]
"""))
    told = []
    run_recipe(recipe, babi_dir, tmp_path / "model", told.append, say=lambda line: None)
    (options,) = told
    # The stage's own bAbI words, not those of the folder the step before wrote ...
    assert options.lexicon.words == babi_lexicon(babi_dir).words
    assert options.lexicon.counts_generated
    # ... and the stories of things are read with the very lexicon the model will keep.
    (things,) = options.data.glob("qa1_*_train.txt")
    read = read_through_slots(generate_things(400, seed=1), options.lexicon)
    assert things.read_text().splitlines()[-len(read):] == read
