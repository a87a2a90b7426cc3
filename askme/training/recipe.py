"""Recipes: a model made by one command from one file (`askme train --recipe FILE`).

A recipe is a TOML file: a `[recipe]` table, the architecture in `[model]`, and its
training stages in order as `[[stage]]` tables. The first stage builds the model and its
tokenizer; each later one goes on from the one before (or from the earlier stage it names
as `start`). A last stage of only `name` and `average` trains nothing: its model is the mean
of the weights of the earlier stages it names (askme.training.average). A stage may first
change its data with data steps (askme.training.data_steps). Every key is checked before
anything runs: an unknown key, or one a stage cannot change, is a one-line error naming the
file and the stage.

    [recipe]
    name = "tiny"                # the model's name, recorded in its config.json
    seed = 3                     # random seed of every stage
    threads = 1                  # torch threads a process (default: the cores)

    [model]                      # fixed by the first stage
    hidden = 80                  # GRU state size (and the gate MLP's hidden units)
    embed = 80                   # word embedding size
    memory_update = "relu"       # "gru" (the paper's) or "relu" (DMN+'s)
    answer_reads_episodes = true # the decoder attends over the episodes
    answer_pass_keys = true      # ... each keyed by its pass
    max_passes = 10              # backstop on the memory's passes
    vocab_size = 1000            # sentencepiece pieces (a soft limit on small corpora)

    [[stage]]
    name = "first"               # its folder among the run's stages
    tasks = "1-20"               # bAbI tasks trained jointly
    epochs = 100
    ...                          # the stage keys below

Stage keys (a stage that leaves one out takes the default; the model settings among them,
marked *, are instead kept from the stage before):
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from askme.dmn.config import DMNConfig

from askme.babi import parse_tasks
from askme.errors import AskmeError, UsageError
from askme.training.data_steps import DATA_STEPS, data_step
from askme.training.options import STAGE_SETTINGS, Supervision, TrainOptions
from askme.training.retell import RETOLD_TASKS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_options = TrainOptions(data=Path(), tasks=[])
_model = DMNConfig()

RECIPE_KEYS = {
    "name": "the model's name, recorded in its config.json",
    "description": "a line on what the model is",
    "seed": "random seed of every stage",
    "threads": "torch threads a process (default: the cores)",
    "init": "a model to go on from, a folder or a shipped model's name (none: the first "
            "stage builds one of [model])",
}
MODEL_KEYS = {  # the architecture: fixed by the first stage
    "hidden": f"GRU state size and the gate MLP's hidden units ({_model.hidden_dim})",
    "embed": f"word embedding size ({_model.embed_dim})",
    "memory_update": f"how a pass updates the memory: gru or relu ({_model.memory_update})",
    "answer_reads_episodes": "the answer decoder attends over the episodes (true)",
    "answer_pass_keys": "with answer_reads_episodes: each episode keyed by its pass (true)",
    "max_passes": f"most memory passes before halting is forced ({_model.max_passes})",
    "vocab_size": f"sentencepiece pieces ({_options.vocab_size})",
}
STAGE_KEYS = {
    "name": "the stage's folder among the run's stages (required)",
    "tasks": "bAbI tasks trained jointly, e.g. 1-20 (required)",
    "start": "an earlier stage to go on from (the stage just before)",
    "seed": "random seed of this stage (the recipe's)",
    "average": "last stage only, with only name: earlier stages whose weights it averages",
    "data_steps": f"data steps applied in order before the stage: {', '.join(DATA_STEPS)}; "
                  f"NAME:TASKS changes only those tasks' files (babi_10k:17)",
    "vocab_tasks": "first stage: tasks whose words the tokenizer and lexicon learn (tasks)",
    "epochs": f"most epochs ({_options.epochs})",
    "batch_size": f"questions per step ({_options.batch_size})",
    "batch_tokens": "most story tokens a step reads, rows times the longest: long stories "
                    "go fewer to a step (no limit)",
    "lr": f"Adam learning rate ({_options.lr})",
    "decay_patience": f"halve the rate after this many epochs without a lower validation "
                      f"loss ({_options.decay_patience})",
    "patience": f"stop after this many epochs without better validation ({_options.patience})",
    "val_fraction": f"share of each task's training stories held out ({_options.val_fraction})",
    "time_limit": "minutes; stop after the epoch that passes it (none)",
    "augment": f"share of questions whose entities are renamed each epoch ({_options.augment})",
    "task_augment": "augment for some tasks, e.g. { \"17\" = 1.0, \"4,19\" = 0 }",
    "oversample": "present these tasks' questions N times an epoch, e.g. { \"4,19\" = 4 }",
    "retell": f"share of retell_tasks' questions retold each epoch ({_options.retell})",
    "retell_tasks": "which of tasks 17, 18, 19 are retold (17-19)",
    "dropout": f"* dropout on facts, and on words unless word_dropout ({_model.dropout})",
    "word_dropout": "* dropout on word embeddings (0)",
    "gate_loss_weight": f"* weight of the gate loss ({_model.gate_loss_weight})",
    "teacher_forced": "* tasks whose passes train on their supporting facts' episodes, or "
                      "\"all\" (none)",
    "free_pass": "* tasks given one unsupervised pass before the supervised ones (none)",
    "gate_competition": "* each gate also weighs the gates after and before it (true); "
                        "a later stage can add it, not take it away",
    "sentence_words": "* a story of one sentence is read word by word, its words the facts "
                      "(false)",
    "converses": "* a relation and its converse read alike: \"A is below B\" as \"B is "
                 "above A\" (false)",
}
__doc__ += "".join(f"    {key:<18} {text}\n" for key, text in STAGE_KEYS.items())

_TYPES = {
    "name": str, "description": str, "seed": int, "threads": int, "init": str,
    "hidden": int, "embed": int, "memory_update": str, "answer_reads_episodes": bool,
    "answer_pass_keys": bool, "max_passes": int, "vocab_size": int, "sentence_words": bool,
    "converses": bool,
    "tasks": str, "data_steps": list, "vocab_tasks": str, "epochs": int, "batch_size": int,
    "batch_tokens": int,
    "lr": float, "decay_patience": int, "patience": int, "val_fraction": float,
    "time_limit": float, "augment": float, "task_augment": dict, "oversample": dict,
    "retell": float, "retell_tasks": str, "dropout": float, "word_dropout": float,
    "gate_loss_weight": float, "teacher_forced": str, "free_pass": str,
    "gate_competition": bool, "start": str, "average": list,
}


_AT_LEAST_1 = ("threads", "hidden", "embed", "max_passes", "vocab_size", "epochs",
               "batch_size", "batch_tokens", "decay_patience", "patience")
_ABOVE_0 = ("lr", "time_limit", "gate_loss_weight")
_SHARES = ("augment", "retell", "dropout", "word_dropout", "val_fraction")  # in [0, 1]


def _out_of_range(key: str, value) -> str | None:
    if key in _AT_LEAST_1 and value < 1:
        return "should be at least 1"
    if key in _ABOVE_0 and value <= 0:
        return "should be above 0"
    if key in _SHARES and not 0 <= value <= 1:
        return "should be between 0 and 1"
    if key == "memory_update" and value not in ("gru", "relu"):
        return "should be \"gru\" or \"relu\""
    return None


@dataclass
class Stage:
    name: str
    settings: dict  # the stage's keys as the recipe gives them

    def digest(self, recipe: "Recipe") -> str:
        """Names what this stage would train: its settings and all before it."""
        upto = recipe.stages[: recipe.stages.index(self) + 1]
        text = json.dumps([recipe.header, recipe.model, [s.settings for s in upto]],
                          sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Recipe:
    path: Path | None  # None: a plain `askme train` run
    text: str
    header: dict
    model: dict
    stages: list[Stage] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.header.get("name") or (self.path.stem if self.path else "askme train")

    def options(self, index: int, data: Path, out: Path | None,
                init: Path | None) -> TrainOptions:
        """The TrainOptions of stage `index` on `data`, going on from `init`."""
        return stage_options(self, self.stages[index].settings, data, out, init)


def load_recipe(path: str | Path) -> Recipe:
    """Read and check a recipe; every problem is a one-line AskmeError naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as error:
        raise AskmeError(f"{path}: cannot read ({error.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise AskmeError(f"{path}: not a TOML file ({error})") from None
    return parse_recipe(data, path, text)


def one_stage(tasks: str, seed: int | None = None, hidden: int | None = None,
              embed: int | None = None, **stage) -> Recipe:
    """The recipe of a plain `askme train` run: one stage of the given settings (None: the
    default), checked as a recipe file is."""
    header = {"seed": seed} if seed is not None else {}
    model = {key: value for key, value in (("hidden", hidden), ("embed", embed))
             if value is not None}
    settings = {"name": "train", "tasks": tasks} | {
        key: value for key, value in stage.items() if value is not None}
    return parse_recipe({"recipe": header, "model": model, "stage": [settings]}, None, "")


def parse_recipe(data: dict, path: Path | None, text: str) -> Recipe:
    """Check a recipe's tables (as read from TOML; `path` None: made from the command line)
    and make it a Recipe."""

    def fail(where: str, why: str) -> AskmeError:
        return AskmeError(f"{path}: {where}: {why}") if path else UsageError(why)

    def check(where: str, table, known: dict) -> dict:
        if not isinstance(table, dict):
            raise fail(where, "should be a table")
        for key, value in table.items():
            if key not in known:
                if known is STAGE_KEYS and key in MODEL_KEYS:
                    raise fail(where, f"{key!r} is the architecture, which the first stage "
                                      f"fixes: put it in [model]")
                raise fail(where, f"unknown key {key!r} (known: {', '.join(known)})")
            wanted = _TYPES[key]
            ok = isinstance(value, wanted) or (wanted is float and isinstance(value, int)
                                              and not isinstance(value, bool))
            if not ok or (wanted is int and isinstance(value, bool)):
                raise fail(where, f"{key} should be {wanted.__name__}, not {value!r}")
            if why := _out_of_range(key, value):
                raise fail(where, f"{key} {why}, not {value!r}")
        return table

    for key in data:
        if key not in ("recipe", "model", "stage"):
            raise fail("top level", f"unknown table {key!r} (known: recipe, model, stage)")
    header = check("[recipe]", data.get("recipe", {}), RECIPE_KEYS)
    model = check("[model]", data.get("model", {}), MODEL_KEYS)
    if "init" in header and model:
        raise fail("[model]", "the model comes from [recipe] init, so it cannot be given here")
    stages = data.get("stage")
    if not isinstance(stages, list) or not stages:
        raise fail("top level", "no [[stage]] to run")
    recipe = Recipe(path, text, header, model)
    names = set()
    for number, table in enumerate(stages, start=1):
        named = isinstance(table, dict) and isinstance(table.get("name"), str)
        where = f"stage {number}" + (f" ({table['name']!r})" if named else "")
        settings = check(where, table, STAGE_KEYS)
        if "average" in settings:
            _check_average(settings, names, last=number == len(stages),
                           fail=lambda why: fail(where, why))
            names.add(settings["name"])
            recipe.stages.append(Stage(settings["name"], settings))
            continue
        if "start" in settings and settings["start"] not in names:
            raise fail(where, f"start: no stage {settings['start']!r} before it")
        for required in ("name", "tasks"):
            if required not in settings:
                raise fail(where, f"needs {required!r}")
        if settings["name"] in names:
            raise fail(where, "another stage has this name")
        names.add(settings["name"])
        goes_on = number > 1 or "init" in header
        if goes_on and "vocab_tasks" in settings:
            raise fail(where, "vocab_tasks: only a stage that builds the model builds its "
                              "tokenizer")
        for position, step in enumerate(settings.get("data_steps", [])):
            try:
                data_step(step)
            except (ValueError, AskmeError) as error:
                raise fail(where, str(error)) from None
            if position and step.partition(":")[0] == "babi_10k":
                raise fail(where, "babi_10k reads en-10k/ beside the data folder, so it must "
                                  "be the stage's first data step")
        try:
            options = stage_options(recipe, settings, data=Path(), out=None,
                                    init=Path() if goes_on else None)
        except (AskmeError, ValueError) as error:
            raise fail(where, str(error)) from None
        for key, named in (("oversample", options.oversample),
                           ("task_augment", options.task_augment)):
            if untrained := sorted(set(named) - set(options.tasks)):
                raise fail(where, f"{key}: task {', '.join(map(str, untrained))} is not among "
                                  f"its tasks")
        if bad := [n for n in options.oversample.values() if n < 1]:
            raise fail(where, f"oversample: {bad[0]} should be at least 1")
        if bad := [s for s in options.task_augment.values() if not 0 <= s <= 1]:
            raise fail(where, f"task_augment: {bad[0]} should be between 0 and 1")
        if untold := sorted(set(options.retell_tasks) - set(RETOLD_TASKS)):
            raise fail(where, f"retell_tasks: only tasks {', '.join(map(str, RETOLD_TASKS))} "
                              f"can be retold, not {', '.join(map(str, untold))}")
        unworded = sorted(set(options.tasks) - set(options.vocab_tasks or options.tasks))
        if unworded:
            raise fail(where, f"vocab_tasks must include every task trained on (not "
                              f"{', '.join(map(str, unworded))})")
        recipe.stages.append(Stage(settings["name"], settings))
    return recipe


def _check_average(settings: dict, earlier: set[str], last: bool, fail) -> None:
    if extra := sorted(set(settings) - {"name", "average"}):
        raise fail(f"{extra[0]}: a stage that averages trains nothing, so it takes only name "
                   f"and average")
    if not last:
        raise fail("average: only the last stage can average")
    averaged = settings["average"]
    if (not all(isinstance(name, str) for name in averaged) or len(averaged) < 2
            or len(set(averaged)) < len(averaged)):
        raise fail("average: name two or more stages, each once")
    if missing := [name for name in averaged if name not in earlier]:
        raise fail(f"average: no stage {missing[0]!r} before it")


def _per_task(table: dict, convert) -> dict[int, float]:
    return {task: convert(value) for tasks, value in table.items() for task in parse_tasks(tasks)}


def stage_options(recipe: Recipe, settings: dict, data: Path, out: Path | None,
                  init: Path | None) -> TrainOptions:
    """The TrainOptions of one stage: the first builds the model of [model]; a later one
    (`init`, the model before) keeps it, with the stage's settings (starred) set in it."""
    model, given = recipe.model, settings.get
    if given("gate_competition") is False and init is not None:
        raise ValueError("gate_competition cannot be taken away from the model before")
    forced = given("teacher_forced")
    stage_settings = {key: given(key) for key in STAGE_SETTINGS if given(key) is not None}
    asked = DMNConfig(
        embed_dim=model.get("embed", _model.embed_dim),
        hidden_dim=model.get("hidden", _model.hidden_dim),
        gate_hidden_dim=model.get("hidden", _model.hidden_dim),
        memory_update=model.get("memory_update", _model.memory_update),
        max_passes=model.get("max_passes", _model.max_passes),
        answer_reads_episodes=model.get("answer_reads_episodes", _model.answer_reads_episodes),
        answer_pass_keys=model.get("answer_pass_keys", _model.answer_pass_keys),
        # Not given, a later stage keeps the model's own; a first stage builds the default.
        gate_competition=given("gate_competition", _model.gate_competition if init is None
                               else False),
        **stage_settings)
    supervision = Supervision(
        teacher_forced_gates=forced is not None,
        teacher_forced_tasks=None if forced in (None, "all") else parse_tasks(forced),
        free_pass_tasks=parse_tasks(given("free_pass")) if given("free_pass") else None)
    return TrainOptions(
        data=data, tasks=parse_tasks(settings["tasks"]), out=out,
        seed=given("seed", recipe.header.get("seed")),
        init=init, stage_settings=stage_settings if init is not None else {}, model=asked,
        supervision=supervision,
        vocab_size=model.get("vocab_size", _options.vocab_size),
        vocab_tasks=tuple(parse_tasks(given("vocab_tasks"))) if given("vocab_tasks") else None,
        retell_tasks=tuple(parse_tasks(given("retell_tasks", "17-19"))),
        oversample=_per_task(given("oversample", {}), int),
        task_augment=_per_task(given("task_augment", {}), float),
        **{key: given(key) for key in ("epochs", "batch_size", "batch_tokens", "lr",
                                       "decay_patience", "patience", "val_fraction",
                                       "time_limit", "augment", "retell")
           if given(key) is not None})


def run_recipe(recipe: Recipe, data: Path, out: Path, train_stage, say,
               rank: int | None = None) -> None:
    """Run the recipe's stages in order into `out`, the stages before the last in the
    folder `OUT.stages` beside it. A stage that finished before with the same settings
    (and the same ones before it) is kept, not run again, so a run cut short goes on where
    it stopped. `train_stage(options)` trains one stage; `say` reports a line; `rank` is
    this process's under torchrun (None: not started by it)."""
    import dataclasses

    from askme.paths import model_folder

    work = out.parent / f"{out.name}.stages"
    before = model_folder(recipe.header["init"])[0] if "init" in recipe.header else None
    folders = {}  # each stage's model folder, by name
    for number, stage in enumerate(recipe.stages, start=1):
        last = number == len(recipe.stages)
        folder = folders[stage.name] = out if last else work / stage.name
        digest = stage.digest(recipe)
        marker = work / f"{stage.name}.done"
        heading = f"stage {number}/{len(recipe.stages)} {stage.name!r}"
        if _finished(marker, digest, folder):
            say(f"{heading}: finished before with these settings, kept ({folder})")
            before = folder
            continue
        # What its model records of the recipe: the last stage's, the whole text too.
        record = {"name": recipe.name, "file": recipe.path.name, "stage": stage.name,
                  "digest": digest, **({"text": recipe.text} if last else {})}
        if "average" in stage.settings:
            averaged = stage.settings["average"]
            say(f"{heading}: the mean of the weights of {', '.join(averaged)}")
            if not rank:  # the last stage, so no other process waits for it
                from askme.training.average import average_models

                average_models([folders[name] for name in averaged], folder, record)
                _mark_finished(marker, digest)
                say(f"saved {folder}")
            continue
        before = folders.get(stage.settings.get("start"), before)
        stage_data, lexicon = data, None
        steps = stage.settings.get("data_steps", [])
        if steps:
            from askme.training.data_steps import reads_slots
            from askme.training.lexicon import stage_lexicon

            made = [data_step(step) for step in steps]  # each `NAME:TASKS` read once
            if any(map(reads_slots, made)):
                # One lexicon, of the stage's own bAbI data, for every step and the model:
                # the folder a step before wrote holds generated words too.
                lexicon = stage_lexicon(data, before)
            # Under torchrun each process writes its own copy, so none reads a half-written one.
            base = work / "data" / (f"rank{rank}" if rank is not None else "")
            for done, make in enumerate(made, start=1):
                target = base / "+".join(steps[:done]).replace(":", "-")
                make(stage_data, target, **({"lexicon": lexicon} if reads_slots(make) else {}))
                stage_data = target
        say(f"{heading}: tasks {stage.settings['tasks']}"
            + (f", data {' + '.join(steps)}" if steps else "")
            + (f", from {before}" if before else ""))
        options = recipe.options(number - 1, stage_data, folder, before)
        options = dataclasses.replace(options, lexicon=lexicon, recipe=record)
        if train_stage(options):  # the main process: the one that saves
            _mark_finished(marker, digest)
        before = folder


def _mark_finished(marker: Path, digest: str) -> None:
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"digest": digest}) + "\n")


def _finished(marker: Path, digest: str, folder: Path) -> bool:
    try:
        return (json.loads(marker.read_text()).get("digest") == digest
                and (folder / "config.json").is_file())
    except (OSError, ValueError, AttributeError):
        return False
