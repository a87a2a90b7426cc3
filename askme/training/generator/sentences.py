"""One-sentence stories: a short generated story's facts told as one sentence ("Mary went
to the kitchen, picked up the apple and walked to the garden."), its questions supported by
words, not facts.

The seed's input module has two modes: several sentences give a fact per sentence; "if it
is just one sentence", every word's hidden state is a fact. A question about a one-sentence
story is supported by the last word of each clause that supports it (in the file:
"w5 w12", 1-based word numbers of the sentence as split at spaces).
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Callable

from askme.babi import UNKNOWN, Example, parse_babi
from askme.training.generator import generate
from askme.training.generator import words as w

# Task types whose facts read well joined into one sentence.
ONE_SENTENCE_TASKS = (1, 2, 6, 7, 8, 9, 11, 12, 13, 14, 15)
PROPER = set(w.WOMEN) | set(w.MEN) | set(w.CITIES)
JOINS = (", ", ", ", " and ", ", then ", ", and then ", ", after which ")
LAST_JOINS = (" and ", ", and ", " and then ", ", then ")


def _clause(fact: str) -> tuple[str, str | None]:
    """A fact as a clause (no full stop, a first word that is no name in lower case), and
    the one person it is about when it starts with their name ("Mary and John ..." is about
    two: None)."""
    text = fact.strip().rstrip(".!")
    first, second = (text.split(" ") + [""])[:2]
    if first in PROPER:
        return text, None if second == "and" else first
    return text[:1].lower() + text[1:], None


def join_facts(facts: list[str], rng: random.Random) -> tuple[str, list[int]]:
    """The facts as one sentence, and the 0-based number of each fact's last word in it.
    A clause whose person is the one before's drops the name now and then ("... and picked
    up the apple")."""
    sentence, ends, before = "", [], None
    for number, fact in enumerate(facts):
        clause, named = _clause(fact)
        sequenced = any(fact.startswith(word) for word in w.SEQUENCE)
        if number:
            if sequenced:  # "Then she ...": the clause says the order itself
                join = rng.choice((", ", " and "))
            elif named is not None and named == before and rng.random() < 0.6:
                clause = clause.split(" ", 1)[1]  # the same person: the name is understood
                join = rng.choice((" and ", ", ", ", then "))
            else:
                join = rng.choice(LAST_JOINS if number == len(facts) - 1 else JOINS)
            sentence += join
        sentence += clause
        ends.append(len(sentence.split()) - 1)
        before = named  # a clause about anyone else ends what a dropped name could mean
    return sentence[:1].upper() + sentence[1:] + ".", ends


def one_sentence_lines(example: Example, rng: random.Random) -> list[str]:
    """The example as a one-sentence story in bAbI format with word supports."""
    sentence, ends = join_facts(list(example.story), rng)
    supports = " ".join(f"w{ends[s] + 1}" for s in example.supports)
    return [f"1 {sentence}", f"2 {example.question}\t{example.answer}\t{supports}"]


LONGEST = {15: 8}  # most facts a sentence joins (6 by default; task 15 tells 8 at once)


def one_sentence_stories(task: int, stories: int, seed: int = 0,
                         read: Callable[[list[str]], list[str]] | None = None) -> list[str]:
    """`stories` one-sentence stories of task type `task` (one of ONE_SENTENCE_TASKS), each
    of 2 to 6 facts (LONGEST) and one question, some of them unanswerable ('unknown').
    `read`, if given, rewrites the generated bAbI-format lines before their facts are joined
    (data_steps.read_through_slots), so the word supports count the words it wrote."""
    if task not in ONE_SENTENCE_TASKS:
        raise ValueError(f"task type {task} is not told in one sentence")
    rng = random.Random(f"one sentence {task} {seed}")
    longest = LONGEST.get(task, 6)
    lines: list[str] = []
    round_ = 0
    while len(lines) < 2 * stories:
        generated = generate(task, 50, seed=10_000 * (seed + 1) + round_)
        examples = parse_babi(read(generated) if read else generated, task=task)
        round_ += 1
        for example in examples:
            if 2 <= len(example.story) <= longest and (example.supports or
                                                       example.answer == UNKNOWN):
                lines += one_sentence_lines(example, rng)
                if len(lines) == 2 * stories:
                    break
    return lines


def one_fact_stories(task: int, stories: int, seed: int = 0,
                     read: Callable[[list[str]], list[str]] | None = None) -> list[str]:
    """`stories` stories of task type `task` (any of 1-20) told in one sentence of one fact,
    in the word-supported form one_sentence_stories writes: the first fact of a generated
    story and a question about it alone (its one supporting fact is that fact, or it has
    none and the answer is 'unknown', which a shorter story leaves unknown). A memory of one
    plain sentence ("The library is south of the museum.") is read word by word too, so
    every task type needs such stories, not only those whose facts join into one sentence.
    Fewer when the generator asks few such questions (none in some task types)."""
    rng = random.Random(f"one fact {task} {seed}")
    lines: list[str] = []
    unknown = 0
    for round_ in range(40):  # the generator's questions about the first fact alone are few
        generated = generate(task, 50, seed=20_000 * (seed + 1) + round_)
        for example in parse_babi(read(generated) if read else generated, task=task):
            # At most half 'unknown', where the task type has other questions: most of the
            # generator's questions are not about a story's first fact alone.
            if example.supports == (0,) or (not example.supports and example.answer == UNKNOWN
                                            and unknown < stories // 2):
                unknown += not example.supports
                lines += one_sentence_lines(replace(example, story=example.story[:1]), rng)
                if len(lines) == 2 * stories:
                    return lines
    return lines
