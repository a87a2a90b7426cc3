"""From examples to padded tensor batches. Importing it does not import torch (the answer
path uses the token ids and batches of numpy; training, torch's)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from askme.babi import Example
from askme.converses import question_conversely
from askme.dmn.tokenizer import ANSWER_END_ID, FACT_END_ID, PAD_ID, Tokenizer

if TYPE_CHECKING:
    import torch

    from askme.dmn.model import Batch


@dataclass
class Encoded:
    story: list[int]  # story tokens with FACT_END after each fact
    fact_positions: list[int]  # index of each FACT_END in `story`
    question: list[int]
    answer: list[int]  # answer tokens then ANSWER_END; empty when the answer is unknown
    supports: list[int]
    task: int = 0  # bAbI task number (0: unknown), for the trainer's task-aware choices


def encode_facts(tokenizer: Tokenizer, facts) -> tuple[list[int], list[int]]:
    story, positions = [], []
    for fact in facts:
        story.extend(tokenizer.encode_fact(fact))
        positions.append(len(story))
        story.append(FACT_END_ID)
    return story, positions


def sentence_words(tokenizer: Tokenizer, sentence: str) -> tuple[list[int], list[int]] | None:
    """A sentence's pieces and each word's last piece (Tokenizer.fact_words), or None when
    the pieces group into other words than spaces split it into ("home !" reads as
    "home."): then it is read as one fact, since word supports and the words shown would
    not line up."""
    ids, ends = tokenizer.fact_words(sentence)
    return (ids, ends) if len(ends) == len(sentence.split()) else None


def supports_as_read(tokenizer: Tokenizer, example: Example) -> list[int]:
    """The example's supporting facts in the order its question is read: turned round with
    a question read conversely (Tokenizer.converses), whose two things then come in the
    other order (bAbI gives the fact of the question's first thing first)."""
    supports = list(example.supports)
    if tokenizer.converses and question_conversely(example.question)[1]:
        supports.reverse()
    return supports


def encode_example(tokenizer: Tokenizer, example: Example, words: bool = False) -> Encoded:
    """With `words` (DMNConfig.sentence_words), a story of one sentence has its words as
    facts: a question supported by the sentence (a bAbI fact) is supported by its last word,
    one with word supports by those words."""
    answer = tokenizer.encode_answer(example.answer) + [ANSWER_END_ID] if example.answer else []
    question = tokenizer.encode_question(example.question)
    supports = supports_as_read(tokenizer, example)
    read = sentence_words(tokenizer, example.story[0]) if words and len(example.story) == 1 else None
    if read is not None:
        ids, ends = read
        if not example.word_level:
            supports = [len(ends) - 1] * len(supports)
        return Encoded(ids + [FACT_END_ID], ends, question, answer, supports, example.task)
    story, positions = encode_facts(tokenizer, example.story)
    if example.word_level:  # read as one fact: the sentence supports it once
        supports = [0] if supports else []
    return Encoded(story, positions, question, answer, supports, example.task)


def pad_array(rows, value, min_width=1):
    """Rows of ids right-padded with `value` into one (len(rows), width) int64 numpy array."""
    import numpy as np

    width = max([min_width] + [len(r) for r in rows])
    return np.array([list(r) + [value] * (width - len(r)) for r in rows], dtype=np.int64)


def pad_rows(rows, value, min_width=1) -> "torch.Tensor":
    """pad_array as a torch tensor, for training batches."""
    import torch

    return torch.from_numpy(pad_array(rows, value, min_width))


def collate(items: list[Encoded]) -> "Batch":
    """Right-pad every field; a question of zero tokens is read as one PAD token."""
    import torch

    from askme.dmn.model import Batch

    positions = pad_rows([e.fact_positions for e in items], 0)
    fact_mask = pad_rows([[1] * len(e.fact_positions) for e in items], 0).bool()
    return Batch(
        story=pad_rows([e.story for e in items], PAD_ID),
        fact_positions=positions,
        fact_mask=fact_mask,
        question=pad_rows([e.question for e in items], PAD_ID),
        question_lengths=torch.tensor([max(1, len(e.question)) for e in items]),
        answer=pad_rows([e.answer for e in items], PAD_ID),
        supports=pad_rows([e.supports for e in items], -1),
    )


def loss_counts(items: list[Encoded]) -> "torch.Tensor":
    """DMN.loss_counts(collate(items)), from the items alone: answer tokens, then the
    supervised passes (each supporting fact, then the halt) twice."""
    import torch

    passes = sum(len(e.supports) + 1 for e in items)
    return torch.tensor([sum(len(e.answer) for e in items), passes, passes], dtype=torch.float64)


def length_batches(items: list[Encoded], batch_size: int, rng: random.Random | None = None,
                   pool: int = 50, max_tokens: int | None = None, least: int = 1
                   ) -> list[list[int]]:
    """Indices grouped into batches of similar story length (less padding, faster GRUs).

    With `rng`, the order is shuffled first and sorted only within pools of `pool` batches,
    so training batches still vary from epoch to epoch; the batch order is shuffled too.
    With `max_tokens`, a batch also ends before its rows times its longest story would pass
    it (but holds at least `least` rows): a story of 10,000 facts is 70,000 tokens, whose
    every step the backward pass keeps, so such stories go a few to a batch.
    """
    order = list(range(len(items)))
    if rng is not None:
        rng.shuffle(order)
    span = batch_size * pool if rng is not None else max(1, len(order))
    def length(i: int) -> int:
        return len(items[i].story)

    batches = []
    for start in range(0, len(order), span):
        batches += split_sorted(sorted(order[start:start + span], key=length), length,
                                batch_size, max_tokens, least)
    if rng is not None:
        rng.shuffle(batches)
    return batches


def split_sorted(order: list[int], size, batch_size: int, budget: int | None = None,
                 least: int = 1) -> list[list[int]]:
    """`order` (indices, smallest `size(i)` first) cut into runs of at most `batch_size`,
    each ending before its rows times its largest size would pass `budget` (if given),
    but holding at least `least` rows."""
    batches: list[list[int]] = []
    batch: list[int] = []
    for i in order:
        if len(batch) == batch_size or (
                budget and len(batch) >= least and (len(batch) + 1) * size(i) > budget):
            batches.append(batch)
            batch = []
        batch.append(i)
    if batch:
        batches.append(batch)
    return batches
