"""The lexicon a trained model reads a user's words with (askme.dmn.entities), and with which
the data steps read their generated stories, so the two never differ.

bAbI alone teaches the slot reader few neighbours: of generated things ("The pen is on the
shelf."), it read fewer than half as things, most as places (docs/everyday-english.md). So
the neighbour counts also take in generated stories, each person, place and thing counted as
bAbI's first word of its kind; the words the model knows, its verbs of motion and its
questions stay bAbI's.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

from askme.dmn.entities import AS_THEMSELVES, READING, Lexicon

# Generated stories whose neighbours are counted: the first of each task type's training
# stories, and of the stories of things (the data steps' seeds). Measured on stories of
# other seeds (701-720, 702), with the two words after as a feature and cities left out:
# things read as things in 548 of 606 mentions (300 with bAbI's counts alone) and 650 of
# 734 in stories of things (252); people 3,670 of 3,673 (3,650), places 1,969 of 2,099
# (1,945). docs/everyday-english.md has the rest.
COUNTED_STORIES = 500
COUNTED_THINGS_STORIES = 1000


def babi_lexicon(source: Path) -> Lexicon:
    """The lexicon of a bAbI folder's training files alone, as a model trained on them
    builds it."""
    examples = _training_examples(source)
    return Lexicon.build(_texts(examples), [(e.question, e.answer) for e in examples])


def _training_examples(source: Path) -> list:
    from askme.babi import load_tasks, tasks_in

    return [e for task in load_tasks(source, tasks_in(source, "train"), "train").values()
            for e in task]


def _texts(examples) -> list[str]:
    """Every sentence, question and answer of `examples`, as Lexicon.build counts them."""
    return [s for e in examples for s in (*e.story, e.question, e.answer)]


@functools.cache
def _generated_texts() -> tuple[str, ...]:
    from askme.training.generator import TASK_TYPES, generate
    from askme.training.generator.things import generate_things

    lines = [line for task in sorted(TASK_TYPES)
             for line in generate(task, COUNTED_STORIES, seed=task)]
    lines += generate_things(COUNTED_THINGS_STORIES, seed=1)
    return tuple(line.split(" ", 1)[1].split("\t")[0] for line in lines)


def _generated_kinds() -> dict[str, str | None]:
    """Each word the generator names a person, place or thing with (lower case) -> its kind;
    one it uses as both a thing and a place ("basket") is left out, and a city is None (not
    counted). A place of two words ("living room") is its last."""
    from askme.training.generator import words
    from askme.training.generator.things import SPOTS

    kinds = {name.lower(): "actor" for name in words.WOMEN + words.MEN}
    for place in (*words.ROOMS, *words.TOWN, *SPOTS, *words.CONTAINERS):
        kinds[place.split()[-1].lower()] = "place"
    both = {thing.lower() for thing in words.THINGS + words.ANIMALS} & set(kinds)
    kinds.update({thing.lower(): "object" for thing in words.THINGS + words.ANIMALS})
    kinds = {word: kind for word, kind in kinds.items() if word not in both}
    # A city is a place by EntityMap's rules ("flew to Paris", "is in Rome"), not by its
    # neighbours; counted, "to Paris." would outvote bAbI's "gave the milk to Fred."
    return kinds | {city.lower(): None for city in words.CITIES}


def counting_generated(lexicon: Lexicon) -> Lexicon:
    """`lexicon` with the neighbours of generated stories counted (once: a lexicon that
    counts them already is returned as it is)."""
    if lexicon.counts_generated:
        return lexicon
    first = {kind: words[0].lower() for kind, words in lexicon.slots.items() if words}
    counted = {word: first.get(kind) for word, kind in _generated_kinds().items()}
    counted |= {word.lower(): word.lower() for words in lexicon.slots.values() for word in words}
    return dataclasses.replace(lexicon.counting(_generated_texts(), counted),
                               counts_generated=True)


def read_as_askme_reads(lexicon: Lexicon | None, build) -> Lexicon:
    """A model's `lexicon`, to go on training with, read as this askme reads (READING): a
    model goes on to learn that reading, and is read so from then on. None (a model saved
    without one) is `build()`'s; one saved before verbs of motion were counted gets
    `build()`'s."""
    if lexicon is None or not lexicon.moves:
        built = build()
        lexicon = built if lexicon is None else dataclasses.replace(
            lexicon, moves=built.moves, movers=built.movers)
    return dataclasses.replace(lexicon, reading=READING)


def stage_lexicon(data: Path, init: Path | None) -> Lexicon:
    """The lexicon a stage training on the bAbI folder `data` gives its model: the one of
    the model it goes on from (`init`; None: a new model, whose words are `data`'s), read
    as this askme reads (READING), counting generated stories' neighbours."""
    if init is None:
        lexicon = babi_lexicon(data)
    else:
        from askme.dmn.checkpoint import load_checkpoint

        lexicon = read_as_askme_reads(load_checkpoint(init, arrays=True).lexicon,
                                      lambda: babi_lexicon(data))
    if not any(feature.startswith("R2 ") for feature in lexicon.contexts):
        # Counted before the two words after a word were a feature: count them on the
        # data's bAbI text, as a lexicon built now would.
        lexicon = lexicon.counting(_texts(_training_examples(data)), AS_THEMSELVES, only="R2 ")
    return counting_generated(lexicon)
