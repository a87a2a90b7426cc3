import dataclasses
import json
import math
import random
import shutil

import pytest
import torch

from conftest import PAPER_DMN
from askme.babi import load_tasks
from askme.cli import main
from askme.dmn.batches import collate, encode_example
from askme.dmn.checkpoint import CHECKSUM_FILE, WEIGHTS_FILE, load_checkpoint, save_checkpoint
from askme.dmn.config import DMNConfig
from askme.dmn.entities import READING
from askme.dmn.model import DMN, Batch, with_gate_competition
from askme.dmn.tokenizer import Tokenizer
from askme.errors import AskmeError
from askme.evaluation import evaluate
from askme.memory.answering import answer_examples
from askme.training.loop import train, validation_split
from askme.training.options import Supervision, TrainOptions

TINY = DMNConfig(embed_dim=32, hidden_dim=32, gate_hidden_dim=32, max_passes=4, dropout=0.0,
                 **PAPER_DMN)


def tiny_options(babi_dir, out=None, seed=3, epochs=300):
    return TrainOptions(data=babi_dir, tasks=[1, 8, 19], out=out, epochs=epochs, batch_size=16,
                        lr=1e-2, patience=1000, decay_patience=1000, val_fraction=0.0, seed=seed, model=TINY)


def fixture_batch(checkpoint, babi_dir):
    """Every test question of the fixture tasks 1, 8 and 19, as one batch."""
    return collate([encode_example(checkpoint.tokenizer, ex)
                    for exs in load_tasks(babi_dir, [1, 8, 19], "test").values() for ex in exs])


def assert_predicts_alike(model, grown, batch):
    """`grown` answers and gates `batch` exactly as `model` does."""
    model.eval(), grown.eval()
    before, after = model.predict(batch), grown.predict(batch)
    assert torch.equal(before.answer_tokens, after.answer_tokens)
    assert torch.equal(before.gates, after.gates)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """A tiny model trained on the fixture stories (a few seconds), saved to a folder."""
    from pathlib import Path

    folder = tmp_path_factory.mktemp("model")
    babi_dir = Path(__file__).parent / "fixtures" / "babi"
    checkpoint = train(tiny_options(babi_dir, out=folder))
    return folder, checkpoint


def test_tiny_model_learns_the_fixture_stories(tiny_model, babi_dir):
    _, checkpoint = tiny_model
    train_set = load_tasks(babi_dir, [1, 8, 19], "train")
    report = evaluate(checkpoint, train_set)
    assert {t: r["accuracy"] for t, r in report["tasks"].items()} == {"1": 1.0, "8": 1.0, "19": 1.0}
    assert report["passed"] == 3
    # Gate supervision: passes follow the supporting facts, then halt.
    assert report["tasks"]["1"]["mean_passes"] == 1.0
    assert report["tasks"]["19"]["mean_passes"] == 2.0


def test_same_seed_same_model(babi_dir):
    first = train(tiny_options(babi_dir, epochs=3))
    again = train(tiny_options(babi_dir, epochs=3))
    other = train(tiny_options(babi_dir, epochs=3, seed=4))
    state, state_again, state_other = (c.model.state_dict() for c in (first, again, other))
    assert all(torch.equal(state[k], state_again[k]) for k in state)
    assert not all(torch.equal(state[k], state_other[k]) for k in state)


def test_checkpoint_round_trip_gives_identical_answers(tiny_model, babi_dir):
    folder, checkpoint = tiny_model
    loaded = load_checkpoint(folder)
    examples = [ex for exs in load_tasks(babi_dir, [1, 8, 19], "test").values() for ex in exs]
    before = answer_examples(checkpoint, examples)
    after = answer_examples(loaded, examples)
    assert [(a.text, a.passes, a.gates) for a in before] == [(a.text, a.passes, a.gates) for a in after]
    assert loaded.info["tasks"] == [1, 8, 19]
    assert loaded.model.config == checkpoint.model.config


def test_relu_memory_model_round_trips_through_a_checkpoint(babi_dir, tmp_path):
    out = tmp_path / "relu"
    relu = dataclasses.replace(TINY, memory_update="relu", word_dropout=0.0, dropout=0.2)
    options = dataclasses.replace(tiny_options(babi_dir, out=out, epochs=3), model=relu)
    trained = train(options)
    loaded = load_checkpoint(out)
    assert (loaded.model.config.memory_update, loaded.model.config.word_dropout) == ("relu", 0.0)
    assert type(loaded.model.memory.memory_gru).__name__ == "ComparingUpdate"
    examples = [ex for exs in load_tasks(babi_dir, [1, 8, 19], "test").values() for ex in exs]
    before, after = answer_examples(trained, examples), answer_examples(loaded, examples)
    assert [(a.text, a.passes, a.gates) for a in before] == [(a.text, a.passes, a.gates) for a in after]


def train_recipe(babi_dir, folder, text: str, out) -> int:
    """`askme train --recipe` of `text` (written into `folder`) on the fixtures, one thread."""
    recipe = folder / "recipe.toml"
    recipe.write_text(text)
    return main(["train", "--recipe", str(recipe), "--data", str(babi_dir), "--out", str(out),
                 "--threads", "1"])


def one_stage(babi_dir, folder, out, tasks: str, model: str = "", **stage) -> int:
    """`train_recipe` of one epoch on `tasks` of a 16-unit model (and the `model` lines),
    with the stage keys `stage` (their values as TOML writes them)."""
    keys = "".join(f"{key} = {value}\n" for key, value in stage.items())
    return train_recipe(babi_dir, folder, f"[model]\nhidden = 16\nembed = 16\n{model}"
                        f"[[stage]]\nname = \"only\"\ntasks = \"{tasks}\"\nepochs = 1\n{keys}", out)


def test_recipe_keys_reach_the_saved_config(babi_dir, tmp_path):
    out = tmp_path / "keys"
    architecture = 'memory_update = "gru"\nanswer_pass_keys = false\n'  # not the defaults
    assert one_stage(babi_dir, tmp_path, out, "1", architecture, dropout=0.3, word_dropout=0,
                     teacher_forced='"all"', gate_loss_weight=2.5, decay_patience=40,
                     oversample='{ "1" = 2 }', task_augment='{ "1" = 0.25 }') == 0
    saved = json.loads((out / "config.json").read_text())
    model, options = saved["model"], saved["info"]["options"]
    assert [options[k] for k in ("decay_patience", "oversample", "task_augment")] == [
        40, {"1": 2}, {"1": 0.25}]
    assert (model["memory_update"], model["word_dropout"], model["dropout"]) == ("gru", 0.0, 0.3)
    assert model["answer_reads_episodes"] and saved["supervision"]["teacher_forced_gates"]
    assert saved["supervision"]["teacher_forced_tasks"] is None  # "all" forces every task
    assert model["gate_loss_weight"] == 2.5
    loaded = load_checkpoint(out).model.answer_module
    assert loaded.episode_key is not None
    assert not model["answer_pass_keys"] and loaded.pass_key is None


def test_teacher_forced_gates_and_free_passes_can_name_tasks(babi_dir, tmp_path):
    out = tmp_path / "forced"
    assert one_stage(babi_dir, tmp_path, out, "1,19", teacher_forced='"19"',
                     free_pass='"19"') == 0
    saved = json.loads((out / "config.json").read_text())
    assert saved["supervision"] == {"teacher_forced_gates": True, "teacher_forced_tasks": [19],
                                    "free_pass_tasks": [19]}
    assert not {"teacher_forced_gates", "free_pass_tasks"} & set(saved["model"])  # not the model's
    assert load_checkpoint(out).supervision["free_pass_tasks"] == [19]


def test_supervision_turns_tasks_into_targets_and_forced_rows():
    """The trainer hands the model each row's targets: a free pass first for the free-pass
    tasks, teacher forcing on the forced ones; the model never sees a task number."""
    from askme.dmn.model import FREE_PASS
    from askme.training.loop import supervise
    from askme.training.options import Supervision

    batch = Batch(story=torch.zeros(2, 1), fact_positions=torch.zeros(2, 1),
                  fact_mask=torch.ones(2, 1), question=torch.zeros(2, 1),
                  question_lengths=torch.ones(2), supports=torch.tensor([[2, 0], [1, -1]]))
    both = supervise(batch, [19, 16], Supervision(True, [19], [19]))
    assert both.supports.tolist() == [[FREE_PASS, 2, 0], [1, -1, -1]]
    assert both.forced.tolist() == [True, False]
    every = supervise(batch, [19, 16], Supervision(teacher_forced_gates=True))
    assert every.supports.tolist() == [[2, 0], [1, -1]] and every.forced.tolist() == [True, True]
    none = supervise(batch, [19, 16], Supervision())
    assert none.supports is batch.supports and none.forced is None


def test_supporting_facts_are_read_after_a_free_pass():
    """A free-pass task's first pass may choose anything; the passes after it must choose
    the supporting facts in order and then halt."""
    from askme.evaluation import supporting_facts_right
    from askme.memory.answering import Answer

    halted_after_three = Answer("s,e", 3, [], [4, 2, 0, 5])
    assert supporting_facts_right(halted_after_three, (2, 0), free_passes=1)
    assert not supporting_facts_right(halted_after_three, (2, 0))
    assert not supporting_facts_right(halted_after_three, (0, 2), free_passes=1)
    assert supporting_facts_right(Answer("s,e", 2, [], [2, 0, 5]), (2, 0))


def test_retelling_changes_only_the_spatial_tasks_training(babi_dir, tmp_path):
    def trained(tasks, retell, retell_tasks=(17, 18, 19)):
        options = dataclasses.replace(tiny_options(babi_dir, epochs=2), tasks=tasks, retell=retell,
                                      retell_tasks=retell_tasks, augment=0.5)
        return train(options).model.state_dict()

    plain, retold = trained([1, 8], 0.0), trained([1, 8], 1.0)
    assert all(torch.equal(plain[k], retold[k]) for k in plain)  # no task 17, 18 or 19 question
    plain, retold = trained([1, 19], 0.0), trained([1, 19], 1.0)
    assert not all(torch.equal(plain[k], retold[k]) for k in plain)
    not_19 = trained([1, 19], 1.0, retell_tasks=(17, 18))
    assert all(torch.equal(plain[k], not_19[k]) for k in plain)
    out = tmp_path / "retold"
    assert one_stage(babi_dir, tmp_path, out, "19", retell=0.5, retell_tasks='"19"') == 0
    saved = json.loads((out / "config.json").read_text())["info"]["options"]
    assert (saved["retell"], saved["retell_tasks"]) == (0.5, [19])


def test_oversampling_presents_a_tasks_questions_that_many_times_an_epoch(babi_dir, monkeypatch):
    import askme.training.loop

    presented = []
    step = askme.training.loop.training_step

    def counting(model, optimizer, batch, *args):
        presented.append(batch.story.size(0))
        return step(model, optimizer, batch, *args)

    monkeypatch.setattr(askme.training.loop, "training_step", counting)
    options = dataclasses.replace(tiny_options(babi_dir, epochs=1), tasks=[1, 19])
    by_task = load_tasks(babi_dir, [1, 19], "train")
    train(options)
    assert sum(presented) == len(by_task[1]) + len(by_task[19])
    presented.clear()
    train(dataclasses.replace(options, oversample={19: 3}))
    assert sum(presented) == len(by_task[1]) + 3 * len(by_task[19])


def test_task_augment_sets_the_renaming_share_of_its_tasks(babi_dir):
    options = dataclasses.replace(tiny_options(babi_dir, epochs=2), tasks=[1, 19], augment=0.5)
    weights = lambda **change: train(dataclasses.replace(options, **change)).model.state_dict()
    half = weights()
    # The same share given per task draws the same renamings: the same weights.
    same = weights(task_augment={1: 0.5, 19: 0.5})
    assert all(torch.equal(half[k], same[k]) for k in half)
    more = weights(task_augment={1: 1.0})
    assert not all(torch.equal(half[k], more[k]) for k in half)
    # With --augment 0, renaming task 1 alone still renames.
    none = weights(augment=0.0)
    only_1 = weights(augment=0.0, task_augment={1: 1.0})
    assert not all(torch.equal(none[k], only_1[k]) for k in none)


def test_init_goes_on_from_a_model_and_keeps_its_tokenizer_size_and_lexicon(
        tiny_model, babi_dir, tmp_path):
    folder, checkpoint = tiny_model
    out = tmp_path / "tuned"
    # The size flags name another model; --init's own size wins.
    assert main(["train", "--data", str(babi_dir), "--tasks", "1", "--out", str(out),
                 "--init", str(folder), "--hidden", "24", "--epochs", "1", "--lr", "0.1",
                 "--threads", "1"]) == 0
    assert (out / "tokenizer.model").read_bytes() == (folder / "tokenizer.model").read_bytes()
    saved, started = (json.loads((f / "config.json").read_text()) for f in (out, folder))
    assert saved["model"] == started["model"] and saved["lexicon"] == started["lexicon"]
    assert saved["info"]["options"]["init"] == str(folder)
    # No --seed: the model's own (tiny_options' 3), so its held-out stories stay held out.
    assert started["info"]["seed"] == 3 and saved["info"]["seed"] == 3
    tuned = load_checkpoint(out)
    before, after = checkpoint.model.state_dict(), tuned.model.state_dict()
    assert not torch.equal(before["embed.weight"], after["embed.weight"])  # it did train


def go_on(babi_dir, tmp_path, folder, out, tasks="1", **settings) -> int:
    """A one-stage recipe that goes on from `folder` for an epoch on `tasks`, with `settings`."""
    keys = "".join(f"{key} = {value}\n" for key, value in settings.items())
    return train_recipe(babi_dir, tmp_path, f"""
[recipe]
init = "{folder}"
[[stage]]
name = "on"
tasks = "{tasks}"
epochs = 1
lr = 0.1
{keys}""", out)


def test_a_stage_trains_with_the_dropout_it_names_and_keeps_the_rest(tiny_model, babi_dir,
                                                                    tmp_path):
    folder, _ = tiny_model  # dropout 0.0, word dropout as dropout
    out = tmp_path / "words"
    assert go_on(babi_dir, tmp_path, folder, out, word_dropout=0.25) == 0
    saved, started = (json.loads((f / "config.json").read_text())["model"] for f in (out, folder))
    assert (saved["dropout"], saved["word_dropout"]) == (0.0, 0.25)
    assert {k: v for k, v in saved.items() if k != "word_dropout"} == {
        k: v for k, v in started.items() if k != "word_dropout"}
    tuned = load_checkpoint(out).model
    assert (tuned.dropout.p, tuned.word_dropout.p) == (0.0, 0.25)
    assert go_on(babi_dir, tmp_path, folder, tmp_path / "plain") == 0  # not given: the model's
    plain = load_checkpoint(tmp_path / "plain").model
    assert (plain.config.dropout, plain.config.word_dropout) == (0.0, None)
    assert not torch.equal(tuned.embed.weight, plain.embed.weight)  # the masks changed training
    assert go_on(babi_dir, tmp_path, folder, tmp_path / "facts", dropout=0.1) == 0
    facts = load_checkpoint(tmp_path / "facts").model  # words follow the facts, as before
    assert (facts.dropout.p, facts.word_dropout.p) == (0.1, 0.1)


def test_a_stage_trains_with_the_gate_loss_weight_it_names(tiny_model, babi_dir, tmp_path):
    folder, _ = tiny_model
    assert go_on(babi_dir, tmp_path, folder, tmp_path / "heavy", gate_loss_weight=4) == 0
    assert go_on(babi_dir, tmp_path, folder, tmp_path / "plain") == 0
    heavy, plain = (load_checkpoint(tmp_path / name).model for name in ("heavy", "plain"))
    assert (heavy.config.gate_loss_weight, plain.config.gate_loss_weight) == (4.0, 1.0)
    assert {k: v for k, v in vars(heavy.config).items() if k != "gate_loss_weight"} == {
        k: v for k, v in vars(plain.config).items() if k != "gate_loss_weight"}
    # The weight is not only written down: the gate loss weighed four times as much.
    assert not torch.equal(heavy.memory.end_of_passes, plain.memory.end_of_passes)
    again = ["train", "--data", str(babi_dir), "--tasks", "1", "--init", str(tmp_path / "heavy"),
             "--epochs", "1", "--threads", "1", "--out", str(tmp_path / "again")]
    assert main(again) == 0  # not given: the model's own weight, not the default
    assert load_checkpoint(tmp_path / "again").model.config.gate_loss_weight == 4.0


def test_a_stage_counts_the_verbs_of_motion_an_older_lexicon_lacks_and_reads_as_askme_does(
        babi_dir, tmp_path):
    from askme.dmn.checkpoint import write_checksums

    data = tmp_path / "babi"  # the fixture's task 1 told with bAbI's names
    data.mkdir()
    for split in ("train", "test"):
        name = f"qa1_single-supporting-fact_{split}.txt"
        text = (babi_dir / name).read_text().replace("Anna", "Mary").replace("Tom", "John")
        (data / name).write_text(text)
    older = tmp_path / "older"
    first = dataclasses.replace(tiny_options(data, out=older, epochs=1), tasks=[1])
    fresh = train(first).lexicon
    assert fresh.moves == {"ran": 5, "walked": 5}
    config = json.loads((older / "config.json").read_text())
    del config["lexicon"]["moves"], config["lexicon"]["movers"], config["lexicon"]["reading"]
    (older / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    write_checksums(older)
    assert not load_checkpoint(older).lexicon.moves
    assert (load_checkpoint(older).lexicon.reading, fresh.reading) == (1, READING)
    tuned = train(dataclasses.replace(first, out=None, init=older))
    assert tuned.lexicon == fresh


def test_a_stage_given_the_lexicon_its_data_steps_read_with_keeps_it(babi_dir, tmp_path):
    from askme.training.lexicon import stage_lexicon

    lexicon = stage_lexicon(babi_dir, None)
    first = dataclasses.replace(tiny_options(babi_dir, out=tmp_path / "m", epochs=1), tasks=[1],
                                lexicon=lexicon)
    assert train(first).lexicon == lexicon
    assert train(dataclasses.replace(first, out=None, lexicon=None)).lexicon != lexicon
    going_on = stage_lexicon(babi_dir, tmp_path / "m")
    assert going_on == lexicon  # counted once, not again
    assert train(dataclasses.replace(first, out=None, init=tmp_path / "m",
                                     lexicon=going_on)).lexicon == lexicon


def test_train_goes_on_with_the_init_models_seed_unless_given_one(tiny_model, babi_dir):
    folder, _ = tiny_model
    one_epoch = dataclasses.replace(tiny_options(babi_dir, epochs=1), tasks=[1], seed=None)
    inherited = train(dataclasses.replace(one_epoch, init=folder))
    named = train(dataclasses.replace(one_epoch, init=folder, seed=3))
    assert inherited.info["seed"] == named.info["seed"] == 3
    assert all(torch.equal(v, named.model.state_dict()[k])  # the same run, draw for draw
               for k, v in inherited.model.state_dict().items())
    assert train(dataclasses.replace(one_epoch, init=folder, seed=5)).info["seed"] == 5
    assert train(one_epoch).info["seed"] == 1


def test_a_free_pass_given_with_init_changes_the_models_training_not_its_weights(
        tiny_model, babi_dir, tmp_path):
    folder, checkpoint = tiny_model
    assert checkpoint.supervision["free_pass_tasks"] is None
    one_epoch = dataclasses.replace(tiny_options(babi_dir, epochs=1), init=folder)
    assert train(one_epoch).supervision["free_pass_tasks"] is None  # not given: the model's own
    given = dataclasses.replace(one_epoch, out=tmp_path / "free",
                                supervision=Supervision(free_pass_tasks=[19]))
    tuned = train(given)
    assert tuned.supervision["free_pass_tasks"] == [19]
    assert load_checkpoint(tmp_path / "free").supervision["free_pass_tasks"] == [19]
    kept = train(dataclasses.replace(one_epoch, init=tmp_path / "free"))
    assert kept.supervision["free_pass_tasks"] == [19]  # a later stage goes on with it


def test_a_recipe_that_goes_on_from_a_model_cannot_give_it_another_architecture(
        tiny_model, babi_dir, tmp_path, capsys):
    folder, _ = tiny_model
    assert train_recipe(babi_dir, tmp_path, f"""
[recipe]
init = "{folder}"
[model]
answer_pass_keys = true
[[stage]]
name = "on"
tasks = "1"
""", tmp_path / "keys") == 1
    assert capsys.readouterr().err == (
        f"askme: error: {tmp_path / 'recipe.toml'}: [model]: the model comes from [recipe] "
        "init, so it cannot be given here\n")
    assert not (tmp_path / "keys").exists()


def held_out(examples, task):
    return sorted(ex.story_id for ex in examples if ex.task == task)


def test_a_subset_of_tasks_holds_out_the_stories_a_run_on_all_of_them_holds_out(tmp_path):
    # A warm-up or an --init stage on some tasks must not train on another stage's
    # validation stories: each task's split may not depend on which others are trained.
    stories = "".join(f"1 Mary went to the {place}.\n2 Where is Mary?\t{place}\t1\n"
                      for place in ("kitchen", "garden", "office") * 4)
    for task in (2, 5, 8):  # 12 stories each, so a split drawn differently shows
        (tmp_path / f"qa{task}_stories_train.txt").write_text(stories)
    _, joint = validation_split(tmp_path, [2, 5, 8], 0.5, random.Random(3))
    fit, alone = validation_split(tmp_path, [8], 0.5, random.Random(3))
    assert len(held_out(alone, 8)) == 6 and held_out(alone, 8) == held_out(joint, 8)
    assert {ex.task for ex in fit} == {8}
    _, without_5 = validation_split(tmp_path, [2, 8], 0.5, random.Random(3))
    assert held_out(without_5, 8) == held_out(joint, 8)
    # A task this folder lacks (en-10k has no task 3 train file) draws nothing; one asked
    # for is named.
    (tmp_path / "qa5_stories_train.txt").unlink()
    _, lacking_5 = validation_split(tmp_path, [2, 8], 0.5, random.Random(3))
    assert len(held_out(lacking_5, 8)) == 6
    with pytest.raises(AskmeError, match="no train file for task 5"):
        validation_split(tmp_path, [5, 8], 0.5, random.Random(3))


def test_weights_load_without_unpickling_objects(tiny_model, tmp_path):
    folder, _ = tiny_model
    copy = tmp_path / "model"
    shutil.copytree(folder, copy)
    (copy / CHECKSUM_FILE).unlink()  # past the checksum, the loader itself must refuse

    class Evil:
        def __reduce__(self):
            return (print, ("unpickled!",))

    torch.save({"payload": Evil()}, copy / WEIGHTS_FILE)
    with pytest.raises(AskmeError, match=f"{WEIGHTS_FILE}: cannot load the weights"):
        load_checkpoint(copy)


def test_damaged_or_mismatched_model_files_are_named(tiny_model, tmp_path):
    folder, checkpoint = tiny_model
    copy = tmp_path / "model"
    shutil.copytree(folder, copy)
    data = (copy / WEIGHTS_FILE).read_bytes()
    (copy / WEIGHTS_FILE).write_bytes(data[: len(data) // 2])
    with pytest.raises(AskmeError, match=f"{copy / WEIGHTS_FILE}: does not match its recorded "
                                         f"checksum in SHA256SUMS"):
        load_checkpoint(copy)
    (copy / CHECKSUM_FILE).unlink()
    with pytest.raises(AskmeError, match=f"{copy / WEIGHTS_FILE}: cannot load the weights"):
        load_checkpoint(copy)
    with pytest.raises(AskmeError, match=f"{copy / CHECKSUM_FILE}: missing"):
        load_checkpoint(copy, checksums_required=True)

    other = Tokenizer.train(["something else entirely"], vocab_size=300)
    save_checkpoint(copy, checkpoint.model, checkpoint.tokenizer)
    other.save(copy / "tokenizer.model")
    (copy / CHECKSUM_FILE).unlink()
    with pytest.raises(AskmeError, match="belongs to another model"):
        load_checkpoint(copy)

    save_checkpoint(copy, checkpoint.model, checkpoint.tokenizer)
    meta = json.loads((copy / "config.json").read_text())
    meta["model"]["memory_update"] = "lstm"
    (copy / "config.json").write_text(json.dumps(meta))
    (copy / CHECKSUM_FILE).unlink()
    with pytest.raises(AskmeError, match="config.json: not an askme model config "
                                         r"\(memory_update is 'lstm', not one of gru, relu\)"):
        load_checkpoint(copy)

    with pytest.raises(AskmeError, match="no model folder"):
        load_checkpoint(tmp_path / "nowhere")
    (copy / "config.json").unlink()
    with pytest.raises(AskmeError, match="config.json: missing"):
        load_checkpoint(copy)


def test_eval_json_shape(tiny_model, babi_dir, capsys):
    folder, _ = tiny_model
    code = main(["eval", "--data", str(babi_dir), "--tasks", "1,8,19", "--model", str(folder),
                 "--json", "--threads", "1"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"tasks", "mean_error", "passed"}
    assert set(report["tasks"]) == {"1", "8", "19"}
    for row in report["tasks"].values():
        assert set(row) == {"n", "accuracy", "gate_accuracy", "mean_passes"}
        assert 0 <= row["accuracy"] <= 1 and 0 <= row["gate_accuracy"] <= 1
    assert report["tasks"]["1"]["n"] == 4 and report["tasks"]["8"]["n"] == 3
    assert isinstance(report["passed"], int) and 0 <= report["mean_error"] <= 1


def test_eval_markdown_sits_beside_the_paper(tiny_model, babi_dir, capsys):
    folder, _ = tiny_model
    args = ["eval", "--data", str(babi_dir), "--tasks", "1,8,19", "--model", str(folder),
            "--threads", "1"]
    assert main(args + ["--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert main(args + ["--markdown"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("| task | accuracy | supporting facts | mean passes | DMN (paper) | "
                        "MemNN (paper) |")
    row = report["tasks"]["19"]
    assert lines[4] == (f"| 19 path-finding | {100 * row['accuracy']:.1f} | "
                        f"{100 * row['gate_accuracy']:.1f} | {row['mean_passes']:.2f} | 34.5 | 36 |")
    assert lines[-1].endswith("| 2/3 | 1/3 |") and "**mean error**" in lines[-2]


def test_eval_of_a_probe_with_unanswerable_questions_counts_them_apart(tiny_model, tmp_path,
                                                                       capsys):
    """A question whose answer is 'unknown' is scored as one the model should refuse; the
    report and both tables say how the answerable and the unanswerable ones went."""
    folder, checkpoint = tiny_model
    (tmp_path / "qa1_probe_test.txt").write_text(
        "1 Mary went to the kitchen.\n2 Where is Mary?\tkitchen\t1\n"
        "3 Where is Zoe?\tunknown\t\n4 What is the capital of France?\tunknown\t\n")
    args = ["eval", "--data", str(tmp_path), "--tasks", "1", "--model", str(folder)]
    assert main(args + ["--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    said = [a.text for a in answer_examples(checkpoint, load_tasks(tmp_path, [1], "test")[1])]
    assert report["unknown"] == {"answerable": 1, "answerable_right": int(said[0] == "kitchen"),
                                 "unanswerable": 2, "said_unknown": said[1:].count("unknown")}
    assert report["tasks"]["1"]["unknown"] == report["unknown"]  # one task: the same counts
    assert main(args + ["--markdown"]) == 0
    right, refused = int(said[0] == "kitchen"), said[1:].count("unknown")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "| task type | answerable, right | unanswerable, 'unknown' | accuracy |"
    assert lines[2].startswith(f"| 1 single-supporting-fact | {right}/1 ({100 * right:.1f} %) | "
                               f"{refused}/2 ({50 * refused:.1f} %) | ")
    assert lines[-1].startswith(f"| **all** | **{right}/1 ")
    assert main(args) == 0
    assert "unanswerable ones answered 'unknown': " in capsys.readouterr().out


def test_a_run_on_some_tasks_can_take_its_words_from_all_of_them(babi_dir, tmp_path):
    one_epoch = dataclasses.replace(tiny_options(babi_dir, epochs=1), tasks=[19])
    own = train(one_epoch)
    worded = train(dataclasses.replace(one_epoch, vocab_tasks=(1, 8, 19)))
    joint = train(dataclasses.replace(one_epoch, tasks=[1, 8, 19]))
    # Task 1's people and task 8's things: unknown to task 19's tokenizer, known to the joint one.
    assert worded.tokenizer.model_proto == joint.tokenizer.model_proto != own.tokenizer.model_proto
    assert worded.lexicon == joint.lexicon
    assert {"anna", "apple"} <= worded.lexicon.words and not {"anna", "apple"} & own.lexicon.words
    # The words only change what the run is built from, not which questions it draws.
    assert worded.info["val_accuracy"] == own.info["val_accuracy"]
    out = tmp_path / "worded"
    assert one_stage(babi_dir, tmp_path, out, "19", vocab_tasks='"1,8,19"') == 0
    assert json.loads((out / "config.json").read_text())["info"]["options"]["vocab_tasks"] == [1, 8, 19]


def test_teacher_forcing_given_with_init_sets_which_tasks_are_forced(tiny_model, babi_dir):
    folder, _ = tiny_model
    forced_all = Supervision(teacher_forced_gates=True)  # every task forced
    only_19 = Supervision(teacher_forced_gates=True, teacher_forced_tasks=[19])
    assert only_19.after(forced_all) == only_19  # a stage that asks narrows it
    assert Supervision().after(forced_all) == forced_all  # not asked: the model's own
    free = Supervision(free_pass_tasks=[19])
    assert free.after(only_19) == Supervision(True, [19], [19])
    tuned = train(dataclasses.replace(tiny_options(babi_dir, epochs=1), init=folder,
                                      supervision=only_19))
    assert tuned.supervision["teacher_forced_tasks"] == [19]


def test_gate_competition_given_with_init_gates_as_before_then_learns(tiny_model, babi_dir,
                                                                        tmp_path):
    folder, checkpoint = tiny_model
    assert_predicts_alike(checkpoint.model, with_gate_competition(checkpoint.model),
                          fixture_batch(checkpoint, babi_dir))

    assert go_on(babi_dir, tmp_path, folder, tmp_path / "compete", tasks="1,8,19",
                 gate_competition="true") == 0
    tuned = load_checkpoint(tmp_path / "compete").model
    assert tuned.config.gate_competition
    assert tuned.memory.competition.weight.abs().sum() > 0  # it learns
    assert load_checkpoint(folder).model.memory.competition is None  # none unless asked


def test_gate_competition_lowers_a_fact_by_the_gate_mass_around_it():
    model = with_gate_competition(DMN(dataclasses.replace(TINY, vocab_size=50))).eval()
    memory = model.memory
    with torch.no_grad():
        memory.competition.bias.copy_(torch.tensor([2.0, 0.5]))  # after, before
    logits = torch.tensor([[0.0, 0.0, float("-inf"), 1.0]])  # two facts, padding, end-of-passes
    h = torch.zeros(1, TINY.hidden_dim)
    out = memory.compete(logits, h, h)
    half = torch.sigmoid(torch.tensor(0.0))  # each fact's gate before competing
    assert torch.allclose(out[0, :2], torch.stack([-2.0 * half, -0.5 * half]))
    assert out[0, 2] == float("-inf") and out[0, 3] == 1.0  # padding, end-of-passes unchanged


def test_a_gate_on_the_competition_floor_moves_the_sums_by_rounding_only():
    # A gate on COMPETITION_MASS_FLOOR, a float's rounding above it or below: the other
    # facts' scores move by no more than that rounding. With a step at the floor they moved
    # by the floor's 0.01 times the weights, and torch and numpy (each rounding its own way)
    # answered one bAbI question 1.2e-3 apart.
    from askme.dmn.config import COMPETITION_MASS_FLOOR, COMPETITION_RAMP_FROM

    model = with_gate_competition(DMN(dataclasses.replace(TINY, vocab_size=50))).eval()
    with torch.no_grad():
        model.memory.competition.bias.copy_(torch.tensor([2.0, 0.5]))
    h = torch.zeros(1, TINY.hidden_dim, dtype=torch.float64)
    model.memory.double()
    scores = []
    for gate in (COMPETITION_MASS_FLOOR - 1e-9, COMPETITION_MASS_FLOOR + 1e-9,
                 COMPETITION_RAMP_FROM - 1e-9):
        logit = math.log(gate / (1 - gate))
        logits = torch.tensor([[0.0, logit, 0.0, 1.0]], dtype=torch.float64)
        scores.append(model.memory.compete(logits, h, h)[0, [0, 2]])
    assert torch.allclose(scores[0], scores[1], atol=1e-7)
    # Under the ramp the gate adds nothing: the first fact loses only the third's mass.
    half = torch.sigmoid(torch.tensor(0.0, dtype=torch.float64))
    assert torch.allclose(scores[2], torch.stack([-2.0 * half, -0.5 * half]))


def test_a_token_budget_puts_long_stories_fewer_to_a_batch():
    from askme.dmn.batches import Encoded, length_batches

    lengths = [random.Random(k).choice([50, 300, 70_000]) for k in range(200)]
    items = [Encoded([5] * n, [n - 1], [6], [7], []) for n in lengths]
    plain = length_batches(items, 32, random.Random(1))
    # Without a budget: batches of 32 (the shipped recipes' steps as they were).
    assert sorted(len(b) for b in plain)[1:] == [32] * (len(plain) - 1)
    budgeted = length_batches(items, 32, random.Random(1), max_tokens=200_000, least=2)
    assert sorted(i for b in budgeted for i in b) == list(range(200))
    for batch in budgeted:
        longest = max(lengths[i] for i in batch)
        assert len(batch) <= 32 and (len(batch) * longest <= 200_000 or len(batch) == 2)
    assert any(len(b) == 2 and max(lengths[i] for i in b) == 70_000 for b in budgeted)
    assert any(len(b) == 32 for b in budgeted)  # short stories still go 32 to a step
