"""What one training stage is told: data, tasks, schedule and the policies that use bAbI's
task numbers (the model never sees them). Plain data: no torch import."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING

from askme.dmn.config import DMNConfig

if TYPE_CHECKING:
    from askme.dmn.entities import Lexicon

DEFAULT_SEED = 1  # the seed of a fresh run that names none


# DMNConfig fields a stage (--init) may set in the model it goes on from: how it trains and
# how it reads a one-sentence story and converse relations, never what its weights are.
STAGE_SETTINGS = ("dropout", "word_dropout", "gate_loss_weight", "sentence_words",
                  "converses")


@dataclass(frozen=True)
class Supervision:
    """How the passes of each bAbI task are supervised: the trainer's policy, by task
    number. It turns into each batch row's gate targets and teacher forcing (training.loop.
    supervise); the model is handed those, never a task. A model folder records it, and a
    later stage goes on with it unless it sets its own."""

    # Training makes each supervised pass's episode from its supporting fact, not from the
    # model's own gates (the gates still learn from their loss); inference is unchanged.
    teacher_forced_gates: bool = False
    # With teacher_forced_gates, only these tasks' questions are forced (None: every task).
    # Forcing teaches the answer module from clean episodes, which task 19 needs while its
    # first pass is split between look-alike facts; but tasks whose passes stay split at
    # test time (2, 3, 16) then answer worse from the episodes they really make.
    teacher_forced_tasks: list[int] | None = None
    # These tasks' questions get one unsupervised pass before the passes their supporting
    # facts supervise. A first pass asked for a fact that only a second fact singles out
    # has look-alikes: in task 19 the start room is in 1-4 facts, and a guess among them
    # names the labelled first step for 54.8 % of the test questions. A free pass may
    # gather several facts first (every room beside the destination), after which each
    # labelled pass has one right fact. On task 19 it makes the passes right, not the
    # answers (models/babi-1k/README.md, "What fails").
    free_pass_tasks: list[int] | None = None

    @classmethod
    def from_dict(cls, data: dict) -> "Supervision":
        """As a model folder records it (models made before this class kept the same keys
        in their config)."""
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})

    def to_dict(self) -> dict:
        return asdict(self)

    def after(self, before: "Supervision") -> "Supervision":
        """This stage's supervision, going on from the model's `before`: a stage that asks
        for teacher forcing sets which tasks are forced (a stage on a few tasks may force
        all of them, a joint one only some), and one that names free-pass tasks sets them
        (the later passes then learn to read the free pass); the rest stays as it was."""
        forced = self if self.teacher_forced_gates else before
        return Supervision(forced.teacher_forced_gates, forced.teacher_forced_tasks,
                           before.free_pass_tasks if self.free_pass_tasks is None
                           else self.free_pass_tasks)


@dataclass
class TrainOptions:
    data: Path  # a bAbI folder (en/ or en-10k/); only *_train.txt files are read
    tasks: list[int]  # bAbI task numbers trained jointly
    out: Path | None = None  # checkpoint folder; None keeps the model in memory only
    epochs: int = 100  # most passes over the training split
    batch_size: int = 32
    # Most story tokens a batch holds, rows times its longest story (askme.dmn.batches.
    # length_batches): long stories go fewer to a batch. None: batch_size rows always.
    batch_tokens: int | None = None
    lr: float = 2e-3  # Adam learning rate
    lr_decay: float = 0.5  # rate multiplier after `decay_patience` epochs with no lower val loss
    decay_patience: int = 6
    patience: int = 15  # stop after this many epochs with no new best val loss or accuracy
    val_fraction: float = 0.1  # share of each task's stories held out to pick the checkpoint
    # None: DEFAULT_SEED, or with `init` the seed that model was trained with, so the
    # stories it held out for validation stay held out
    seed: int | None = None
    time_limit: float | None = None  # minutes; stop after the epoch that passes it
    clip: float = 5.0  # gradient norm clipping
    vocab_size: int = 1000  # sentencepiece vocabulary (a soft limit on small corpora)
    # share of training questions whose entities are renamed (askme.training.augment)
    augment: float = 0.0
    # share of the retell_tasks' training questions retold (askme.training.retell)
    retell: float = 0.0
    retell_tasks: tuple[int, ...] = (17, 18, 19)  # which of tasks 17, 18 and 19 are retold
    # Joint epochs present each question of these tasks this many times (copies shuffled and
    # renamed apart), for a task that needs many more presentations than its share (17).
    oversample: dict[int, int] = field(default_factory=dict)
    task_augment: dict[int, float] = field(default_factory=dict)  # `augment` for these tasks
    # a model folder to go on training from (its config, tokenizer, lexicon)
    init: Path | None = None
    # Tasks whose training split the tokenizer and lexicon are built from (None: `tasks`). A
    # run on a few tasks that later stages (`init`) take on to all of them needs all their
    # words: later stages keep the tokenizer they start from.
    vocab_tasks: tuple[int, ...] | None = None
    # With `init`: the settings (STAGE_SETTINGS) this stage sets in that model's config,
    # only those given; the rest stay the model's. They do not touch the weights, so a
    # later stage may add dropout an earlier one left out, lean on the gate loss, or start
    # reading a one-sentence story word by word.
    stage_settings: dict[str, float | bool] = field(default_factory=dict)
    # Processes of one machine that split each batch (askme.training.parallel starts them; train
    # records it). They draw the batches one process would, with other dropout masks.
    processes: int = 1
    # The recipe this run is a stage of (askme.training.recipe): its name, file, stage and digest,
    # and for the last stage its whole text; recorded in the model's config.json.
    recipe: dict | None = None
    supervision: Supervision = field(default_factory=Supervision)
    model: DMNConfig = field(default_factory=DMNConfig)
    # The model's lexicon, when the data steps read stories through its slots
    # (askme.training.lexicon.stage_lexicon); None: from `init`, or built from `data`.
    lexicon: Lexicon | None = None
