"""Each pair of converse relations read as one: "A is below B" as "B is above A", "A is to
the right of B" as "B is to the left of A", in facts and in yes/no questions.

Why: whether "Is the triangle below the square?" holds follows from two facts by a parity
of cues (which relation each fact states, which way round, which the question asks); with
a relation and its converse read alike, half of those cues go. On bAbI 10k's task 17 alone a
DMN that reads converses alike answers 99.9-100 % of validation after 14-20 epochs in two
seeds, and 70-97 % after 25-40 epochs as written (docs/everyday-english.md). The turned text
says what the user's said; a model reads text so only if it trained so (DMNConfig.converses).
"""

from __future__ import annotations

import re

from askme.english import ADVERBS, AUXILIARIES, PRONOUNS, QUESTION_WORDS

CONVERSES = {"below": "above", "to the right of": "to the left of"}
# Every relation of place between two things, both of each converse pair.
PLACES = (*CONVERSES, *CONVERSES.values())
_DETERMINERS = {"the", "a", "an", "this", "that", "my", "your", "his", "her", "our", "their"}
# A thing named in a relation: one to four words ("the pink rectangle", "Paris"). Longer
# runs are clauses ("Mary went home and the cat"), whose turning round would say something
# else.
_THING = r"(?:[^\W\d_]+[\w'-]*)(?: [^\W\d_]+[\w'-]*){0,3}"
_RELATION = "|".join(re.escape(r) for r in PLACES)
_FACT = re.compile(rf"^(?P<a>{_THING}) (?P<verb>is|was) (?P<rel>{_RELATION}) (?P<b>{_THING})"
                   rf"(?P<end>[\s.!;:\u2026]*)$", re.IGNORECASE)
_QUESTION = re.compile(rf"^(?P<verb>is|was) (?P<a>{_THING}) (?P<rel>{_RELATION}) (?P<b>{_THING})"
                       rf"(?P<end>[\s?!.]*)$", re.IGNORECASE)
# Words that make a run of words no thing's name ("then it", "who", "is").
_NOT_IN_A_THING = QUESTION_WORDS | AUXILIARIES | ADVERBS | {"and", "or", "but", "not", "no",
                                                            "never", "if", "because", "when"}


def _related(text: str, pattern: re.Pattern) -> re.Match | None:
    """`pattern`'s match of `text` (stripped) where both its things are things."""
    m = pattern.match(text.strip())
    return m if m and _a_thing(m["a"]) and _a_thing(m["b"]) else None


def placed_things(text: str, question: bool = False) -> tuple[tuple[int, int], ...]:
    """Where in `text` the two things of "A is above B" stand (a question: "Is A above
    B?"), as (start, end) spans; () for any other text."""
    lower = text.lower()
    if not any(relation in lower for relation in PLACES):
        return ()  # most texts end here
    m = _related(text, _QUESTION if question else _FACT)
    if m is None:
        return ()
    start = len(text) - len(text.lstrip())
    return tuple((start + m.start(k), start + m.end(k)) for k in ("a", "b"))


def _a_thing(words: str) -> bool:
    split = words.lower().split()
    return (not _NOT_IN_A_THING.intersection(split)
            and (len(split) == 1 or split[0] not in PRONOUNS))


def _as_object(thing: str) -> str:
    first, _, rest = thing.partition(" ")
    if first.lower() not in _DETERMINERS | PRONOUNS:
        return thing  # a name keeps its capital
    return f"{first.lower()} {rest}" if rest else first.lower()


def _as_subject(thing: str) -> str:
    return thing[:1].upper() + thing[1:]


def _may_relate(text: str) -> bool:
    lower = text.lower()
    return "below" in lower or "right of" in lower  # most texts end here, unread


def _conversely(text: str, pattern: re.Pattern) -> re.Match | None:
    """`pattern`'s match of `text` where its relation is one of CONVERSES' keys."""
    m = _may_relate(text) and _related(text, pattern)
    return m if m and m["rel"].lower() in CONVERSES else None


def fact_conversely(text: str) -> str:
    """`text` with a converse relation said the other way round; any other text as it is."""
    m = _conversely(text, _FACT)
    if m is None:
        return text
    return (f"{_as_subject(m['b'])} {m['verb']} {CONVERSES[m['rel'].lower()]} "
            f"{_as_object(m['a'])}{m['end']}")


def question_conversely(text: str) -> tuple[str, bool]:
    """`text` asked with a converse relation the other way round, and whether it was: its
    two things then come in the other order, as its supporting facts do."""
    m = _conversely(text, _QUESTION)
    if m is None:
        return text, False
    return (f"{m['verb']} {_as_object(m['b'])} {CONVERSES[m['rel'].lower()]} "
            f"{_as_object(m['a'])}{m['end']}"), True
