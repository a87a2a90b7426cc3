"""From examples to padded tensor batches. Importing it does not import torch (the answer
path uses the token ids and batches of numpy; training, torch's)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from askme.babi import Example
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


def encode_example(tokenizer: Tokenizer, example: Example, words: bool = False) -> Encoded:
    """With `words` (DMNConfig.sentence_words), a story of one sentence has its words as
    facts: a question supported by the sentence (a bAbI fact) is supported by its last word,
    one with word supports by those words."""
    answer = tokenizer.encode_answer(example.answer) + [ANSWER_END_ID] if example.answer else []
    question = tokenizer.encode_question(example.question)
    supports = list(example.supports)
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


def shared_stories(items: list[Encoded]) -> tuple[list[list[int]], list[int]]:
    """The stories `items` read, each told once, and which of them each item reads.

    A story that is the start of a longer one in `items` is read as that one: the input GRU
    runs left to right, so the states up to a question's last fact are the same in both
    (bAbI asks up to five questions of a story, each about the facts before it). An item
    given twice (a task oversampled) reads another row the second time, so that its copies
    are renamed apart (askme.training.augment)."""
    order = sorted(range(len(items)), key=lambda i: -len(items[i].story))
    stories: list[list[int]] = []
    readers: list[set[int]] = []  # id() of the items reading each story
    rows = [0] * len(items)
    for i in order:
        story = items[i].story
        for row, longer in enumerate(stories):
            if id(items[i]) not in readers[row] and longer[:len(story)] == story:
                break
        else:
            row = len(stories)
            stories.append(story)
            readers.append(set())
        readers[row].add(id(items[i]))
        rows[i] = row
    return stories, rows


def story_shares(items: list[Encoded], parts: int) -> list[int]:
    """Which of `parts` processes computes each item of a story batch (story_batches, whose
    items come story by story): equal runs of items in order, so each process reads its
    own stories, at most one story is read by two, and every process has as many
    questions as the others (the memory passes, most of a step, go by questions)."""
    return [i * parts // len(items) for i in range(len(items))]


def collate(items: list[Encoded], share_stories: bool = False) -> "Batch":
    """Right-pad every field; a question of zero tokens is read as one PAD token. With
    `share_stories`, a story that several questions read is one row of `story`
    (shared_stories), and `story_rows` says which row each question reads."""
    import torch

    from askme.dmn.model import Batch

    positions = pad_rows([e.fact_positions for e in items], 0)
    fact_mask = pad_rows([[1] * len(e.fact_positions) for e in items], 0).bool()
    stories, rows = (shared_stories(items) if share_stories
                     else ([e.story for e in items], None))
    return Batch(
        story=pad_rows(stories, PAD_ID),
        fact_positions=positions,
        fact_mask=fact_mask,
        question=pad_rows([e.question for e in items], PAD_ID),
        question_lengths=torch.tensor([max(1, len(e.question)) for e in items]),
        answer=pad_rows([e.answer for e in items], PAD_ID),
        supports=pad_rows([e.supports for e in items], -1),
        story_rows=None if rows is None else torch.tensor(rows),
    )


def loss_counts(items: list[Encoded]) -> "torch.Tensor":
    """DMN.loss_counts(collate(items)), from the items alone: answer tokens, then the
    supervised passes (each supporting fact, then the halt) twice."""
    import torch

    passes = sum(len(e.supports) + 1 for e in items)
    return torch.tensor([sum(len(e.answer) for e in items), passes, passes], dtype=torch.float64)


def length_batches(items: list[Encoded], batch_size: int, rng: random.Random | None = None,
                   pool: int = 50) -> list[list[int]]:
    """Indices grouped into batches of similar story length (less padding, faster GRUs).

    With `rng`, the order is shuffled first and sorted only within pools of `pool` batches,
    so training batches still vary from epoch to epoch; the batch order is shuffled too.
    """
    order = list(range(len(items)))
    if rng is not None:
        rng.shuffle(order)
    span = batch_size * pool if rng is not None else max(1, len(order))
    batches = []
    for start in range(0, len(order), span):
        chunk = sorted(order[start:start + span], key=lambda i: len(items[i].story))
        batches.extend(chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size))
    if rng is not None:
        rng.shuffle(batches)
    return batches


def story_batches(items: list[Encoded], batch_size: int, rng: random.Random,
                  pool: int = 50) -> list[list[int]]:
    """Training batches of `batch_size` questions in which the questions of one story
    (those whose stories start one another: shared_stories) come together, so that
    collate(..., share_stories=True) reads each story once for all of them.

    As length_batches: the stories are shuffled, sorted by length within pools of `pool`
    batches, and the batches shuffled. A story whose questions do not fit the rest of a
    batch goes on in the next one."""
    # An item given more than once (a task oversampled) is a copy: each copy of a story's
    # questions makes its own family, so copies land apart, as in length_batches.
    seen: dict[int, int] = {}  # id(item) -> its copies so far
    copy = []  # which copy of its item each item is
    for item in items:
        copy.append(seen.get(id(item), 0))
        seen[id(item)] = copy[-1] + 1
    # Sorted by their tokens, a story comes right before the stories that go on from it.
    by_tokens = sorted(range(len(items)), key=lambda i: (copy[i], items[i].story))
    families: list[list[int]] = []
    for i in by_tokens:
        last = families[-1][-1] if families else None
        if (last is not None and copy[i] == copy[last]
                and items[i].story[:len(items[last].story)] == items[last].story):
            families[-1].append(i)
        else:
            families.append([i])
    rng.shuffle(families)
    span = batch_size * pool
    batches: list[list[int]] = []
    start = 0
    while start < len(families):
        chunk, size = [], 0
        while start < len(families) and size < span:
            chunk.append(families[start])
            size += len(families[start])
            start += 1
        chunk.sort(key=lambda family: len(items[family[-1]].story))
        flat = [i for family in chunk for i in family]
        batches.extend(flat[k:k + batch_size] for k in range(0, len(flat), batch_size))
    rng.shuffle(batches)
    return batches
