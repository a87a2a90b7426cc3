"""The DMN's shape as a plain dataclass (no torch import, so the CLI can show defaults and
start fast)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

MEMORY_UPDATES = ("gru", "relu")  # DMNConfig.memory_update: the paper's GRU, DMN+'s ReLU layer


# At inference (askme.dmn.model and askme.dmn.arrays) a fact whose gate is at most this is
# taken out of the episode GRU's sequential loop: each run of such facts between two steps
# moves the episode by their gate-weighted updates from one state, all computed at once.
# Each would move it by under this fraction of one GRU step; together they are right to
# first order in the gates (the error is of the order of the gates squared), where leaving
# them out would be off by the gates' sum, which grows with the memory. And on a memory
# longer than INFERENCE_MAX_STEPS facts, a pass runs the episode over that many facts at
# most, those with the highest gates: the sequential part of a pass stays bounded however
# long the memory. bAbI stories (at most 224 facts) get the same answers with and without
# either shortcut.
INFERENCE_SKIP_GATE = 1e-4
INFERENCE_MAX_STEPS = 128
# On such a long memory the episode also leaves out the facts whose gates are under
# COMPETITION_MASS_FLOOR (those just over COMPETITION_RAMP_FROM in part, as the competition
# counts them): at 10,000 facts the one fact that answers may hold a gate of 0.1-0.4 while
# thousands of others of 0.01 and less, each a step of the episode GRU after it, add up past
# it and turn the answer to another place (docs/long-memories.md). Left out, more questions
# about the first of 10,000 facts come right. bAbI's stories are shorter than the bound
# almost everywhere, and answer the same.

# The gate competition (DMNConfig.gate_competition) weighs the gate mass of the facts after
# and before each fact, each summed up to this much. A sum over every fact grows with the
# memory: at 10,000 facts the small gates of thousands of facts before the latest ones
# added up past anything training showed and opened the gates of unrelated recent facts
# (docs/long-memories.md). On bAbI's stories a sum rarely passes it.
COMPETITION_MASS_CAP = 3.0
# And a gate under this adds nothing to either sum: the near-closed gates of thousands of
# facts after a memory's first ones add up to the cap, which then shut the first facts out
# (a person told of only in fact 1 of 10,000 got a gate of 0.000, and 0.08 without the
# competition). On bAbI's stories such gates sum to little.
COMPETITION_MASS_FLOOR = 0.01
# Between this and the floor a gate counts in part, rising linearly to all of it: with a step
# at the floor, float rounding swung a sum by 0.01 where a gate lay on it (0.00999999 on
# numpy, 0.01 on torch: the next pass's gates 1.2e-3 apart on one bAbI question). A ramp
# this narrow leaves every other gate as the step did.
COMPETITION_RAMP_FROM = 0.009


def floored(gates):
    """`gates` (a torch tensor or a numpy array: both have .clip) with those under
    COMPETITION_MASS_FLOOR closed and those between it and COMPETITION_RAMP_FROM in part."""
    return gates * ((gates - COMPETITION_RAMP_FROM)
                    / (COMPETITION_MASS_FLOOR - COMPETITION_RAMP_FROM)).clip(0, 1)


# The time features (a fact's signed log distance to the question and to the last pass's
# focus) stop at this many facts, the longest story the default model trained on
# (data step long_worlds_slots): further back, a feature beyond any training saw pushed the
# first facts of a 10,000-fact memory shut (docs/long-memories.md). No bAbI story comes
# near it.
TIME_DISTANCE_CAP = 2000


@dataclass
class DMNConfig:
    """The DMN's shape; the defaults are the shipped models' (everyday and babi-1k, which it
    goes on from, share one shape). How its passes are supervised is the trainer's
    (askme.training.options.Supervision): the model is handed each row's targets and never
    sees a task number."""

    vocab_size: int = 1000  # sentencepiece pieces, reserved ids included
    embed_dim: int = 80  # word embedding size, shared by the input, question and answer modules
    hidden_dim: int = 80  # state size of every GRU (the paper's 80)
    gate_hidden_dim: int = 80  # hidden units of the two-layer gate MLP
    max_passes: int = 10  # backstop: most episodes before the memory stops (bAbI needs up to 8)
    max_answer_tokens: int = 12  # backstop for the answer decoder (bAbI's longest list: ~7 pieces)
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
    gate_loss_weight: float = 1.0  # weight of the gate supervision next to the answer loss
    # Each pass's fact scores also weigh the gate mass of the facts after and before each
    # fact, by two weights a linear layer reads from [m; q] (zero at first: the same gates).
    # A sigmoid gate sees its own fact alone, and the input GRU reads left to right, so an
    # earlier fact cannot tell that a later one says the same of X; yet the gated GRU keeps
    # of fact t only g_t * prod_{k>t}(1 - g_k), so "the latest fact about X" (tasks 2, 3)
    # is what the episode holds, while counting (task 7) takes the earliest first.
    gate_competition: bool = True
    # A story of one sentence is read word by word: the input GRU's state at each word is a
    # fact, so the passes attend over words (paper, sec. 2.1: "if it is just one sentence",
    # the input has "as many elements as the number of words in the sentence").
    sentence_words: bool = False
    # Facts and yes/no questions read with a relation and its converse alike ("A is below B"
    # as "B is above A": askme.converses), which the positions of task type 17 then follow
    # from with half the cues.
    converses: bool = False

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
               "answer_pass_keys": False, "gate_loss_weight": 1.0, "gate_competition": False,
               "sentence_words": False, "converses": False}
