"""Model and training settings as plain dataclasses (no torch import, so the CLI can show
their defaults in --help and still start fast)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

MEMORY_UPDATES = ("gru", "relu")  # DMNConfig.memory_update: the paper's GRU, DMN+'s ReLU layer


@dataclass
class DMNConfig:
    """The DMN's shape; the defaults are the shipped model's (babi-1k). The training
    policies below (teacher forcing, free passes) default to off: a recipe turns them on."""

    vocab_size: int = 1000  # sentencepiece pieces, reserved ids included
    embed_dim: int = 80  # word embedding size, shared by the input, question and answer modules
    hidden_dim: int = 80  # state size of every GRU (the paper's 80)
    gate_hidden_dim: int = 80  # hidden units of the two-layer gate MLP
    max_passes: int = 10  # backstop: most episodes before the memory stops (bAbI needs up to 8)
    max_answer_tokens: int = 12  # backstop for the answer decoder (bAbI's longest list is ~7 pieces)
    dropout: float = 0.1  # on the facts (and on word embeddings, see word_dropout), training only
    # Dropout on word embeddings; None means `dropout` (every model before this field). Zero
    # lets the model carry a word of the fact a pass chose into the answer: on the probe of
    # research/copy_probe.py it answers 81.4 % of the test questions with 0, and 22.5 %
    # (chance: 25 %) with 0.2.
    word_dropout: float | None = 0.0
    # How a pass updates the memory: "gru" is the paper's m_i = GRU(e_i, m_{i-1}); "relu" is
    # DMN+'s ReLU layer (Xiong et al. 2016) over [m; e; e∘m; |e-m|], which compares the
    # episode with what the memory holds in one step.
    memory_update: str = "relu"
    # The answer decoder reads the episodes: each step attends over e_1..e_k (softmax, keyed
    # by its own state) beside the question. The paper decodes from m_k alone, where a path
    # ("s,e", task 19) must survive later memory updates to be said; here each word can be
    # read from the pass that found it.
    answer_reads_episodes: bool = True
    # With answer_reads_episodes: the attention also keys each episode by a learned vector
    # of its pass's place (e_p + k_p), and its scores are divided by sqrt(H). Keyed by content
    # alone, its weights saturate one-hot on an episode that changes from question to
    # question, so a path's steps are read from the wrong passes and no gradient moves them;
    # keyed by place too, a decoder step learns which pass it says. Tasks 4 and 19 with a
    # free pass: task 19 at 99.7-99.9 % on test in three seeds of six (7.6-49.3 % without).
    answer_pass_keys: bool = True
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
    gate_loss_weight: float = 1.0  # weight of the gate supervision next to the answer loss
    # Each pass's fact scores also weigh the gate mass of the facts after and before each
    # fact, by two weights a linear layer reads from [m; q] (zero at first: the same gates).
    # A sigmoid gate sees its own fact alone, and the input GRU reads left to right, so an
    # earlier fact cannot tell that a later one says the same of X; yet the gated GRU keeps
    # of fact t only g_t * prod_{k>t}(1 - g_k), so "the latest fact about X" (tasks 2, 3)
    # is what the episode holds, while counting (task 7) takes the earliest first.
    gate_competition: bool = True

    def __post_init__(self):
        if self.answer_pass_keys and not self.answer_reads_episodes:
            raise ValueError("answer_pass_keys keys the episodes the answer reads, so it needs "
                             "answer_reads_episodes")
        if self.memory_update not in MEMORY_UPDATES:
            raise ValueError(f"memory_update is {self.memory_update!r}, not one of "
                             f"{', '.join(MEMORY_UPDATES)}")

    @classmethod
    def from_dict(cls, data: dict) -> "DMNConfig":
        """A saved config; a field it lacks was added after it was saved, so its model was
        made without it (ADDED_LATER), whatever today's default."""
        known = {f.name for f in fields(cls)}
        return cls(**{**ADDED_LATER, **{k: v for k, v in data.items() if k in known}})

    def to_dict(self) -> dict:
        return asdict(self)


# The fields a config may lack, as a model saved before each of them was made.
ADDED_LATER = {"word_dropout": None, "memory_update": "gru", "answer_reads_episodes": False,
               "answer_pass_keys": False, "teacher_forced_gates": False,
               "teacher_forced_tasks": None, "free_pass_tasks": None, "gate_loss_weight": 1.0,
               "gate_competition": False}

DEFAULT_SEED = 1  # the seed of a fresh run that names none


# DMNConfig fields a stage (--init) may set: how the model trains, not what it is.
STAGE_SETTINGS = ("dropout", "word_dropout", "gate_loss_weight")


@dataclass
class TrainOptions:
    data: Path  # a bAbI folder (en/ or en-10k/); only *_train.txt files are read
    tasks: list[int]  # bAbI task numbers trained jointly
    out: Path | None = None  # checkpoint folder; None keeps the model in memory only
    epochs: int = 100  # most passes over the training split
    batch_size: int = 32
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
    augment: float = 0.0  # share of training questions whose entities are renamed (askme.augment)
    retell: float = 0.0  # share of the retell_tasks' training questions retold (askme.retell)
    retell_tasks: tuple[int, ...] = (17, 18, 19)  # which of tasks 17, 18 and 19 are retold
    # Joint epochs present each question of these tasks this many times (copies shuffled and
    # renamed apart), for a task that needs many more presentations than its share (17).
    oversample: dict[int, int] = field(default_factory=dict)
    task_augment: dict[int, float] = field(default_factory=dict)  # `augment` for these tasks
    init: Path | None = None  # a model folder to go on training from (its config, tokenizer, lexicon)
    # Tasks whose training split the tokenizer and lexicon are built from (None: `tasks`). A
    # run on a few tasks that later stages (`init`) take on to all of them needs all their
    # words: later stages keep the tokenizer they start from.
    vocab_tasks: tuple[int, ...] | None = None
    # With `init`: the training settings (STAGE_SETTINGS) this stage sets in that model's
    # config, only those given; the rest stay the model's. They do not touch the weights, so
    # a later stage may add dropout an earlier one left out, or lean on the gate loss.
    stage_settings: dict[str, float] = field(default_factory=dict)
    # Processes of one machine that split each batch (askme.parallel starts them; train
    # records it). They draw the batches one process would, with other dropout masks.
    processes: int = 1
    # The recipe this run is a stage of (askme.recipe): its name, file, stage and digest,
    # and for the last stage its whole text; recorded in the model's config.json.
    recipe: dict | None = None
    model: DMNConfig = field(default_factory=DMNConfig)


PASS_ERROR = 0.05  # a bAbI task is "passed" with under 5 % error (Weston et al. 2015)

# Limits on what the user gives askme, in one place. Each is checked where input enters
# (askme.api and askme.store) and reported in one line that names the limit.
MAX_LINE_CHARS = 2_000  # a fact or question longer than this is refused (bAbI's longest: ~60)
MAX_MEMORY_FACTS = 100_000  # facts in one memory; answering stays well under a second below it
MAX_STORY_BYTES = 50 * 1024 * 1024  # a story file (or stdin) larger than this is refused unread
