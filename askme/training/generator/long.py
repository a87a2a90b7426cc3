"""Long memories: one world told for up to thousands of facts, then questions whose
supporting facts lie at every distance from them (`askme bench`'s long-memory table).

A chat memory grows for days, and the seed asks whether the input GRU's state at each
end-of-sentence token is enough for really long inputs; bAbI's stories are too short to
tell. Here a few people, "anchors", are each told once, at positions spread evenly on a log
scale back from the question (always including the very first fact), while everyone else
keeps moving and taking and dropping things around them, and a deduction (task 15) is told
among them. The same size and seed give the same story.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from askme.babi import UNKNOWN
from askme.training.generator import babi_words as bw
from askme.training.generator import words as w
from askme.training.generator.tasks import (IS_IN, SPECIES, WHERE_PERSON, WHERE_THING, World,
                                            off_topic)
from askme.training.generator.words import Person

# (first, last) distance of a band: facts from the question back to the earliest supporting
# fact, counting that fact (the last fact told is at distance 1).
DISTANCE_BANDS = ((1, 10), (11, 100), (101, 1000), (1001, 10000))


@dataclass(frozen=True)
class LongQuestion:
    text: str
    answer: str
    supports: tuple[int, ...]  # fact numbers (from 1), in bAbI's order
    kind: str  # "where person", "where thing", "yes/no" or "deduction"; unanswerable ones
    # (answer "unknown", no supports) are of the kind whose task type asks them


@dataclass
class LongStory:
    facts: list[str]
    questions: list[LongQuestion]  # every one asked after the last fact

    def distance(self, question: LongQuestion) -> int:
        return len(self.facts) + 1 - min(question.supports)


def band(distance: int) -> str:
    for first, last in DISTANCE_BANDS:
        if first <= distance <= last:
            return f"{first:,}-{last:,}"
    return f"over {DISTANCE_BANDS[-1][1]:,}"


def anchor_positions(size: int, anchors: int) -> list[int]:
    """Where the anchors are told: distances from 1 to `size` evenly spaced on a log scale,
    so the first fact and the last are among them."""
    if anchors == 1:
        return [1]
    distances = {round(size ** (k / (anchors - 1))) for k in range(anchors)}
    return sorted(size + 1 - d for d in distances)


def long_story(size: int, seed: int = 0, babi_words: bool = False,
               unknowns: float = 0.0) -> LongStory:
    """A story of `size` facts (at least 10) and its questions; `babi_words`: told in bAbI's
    own people, rooms, objects and verbs (generator.babi_words), else in everyday English;
    `unknowns`: the chance of one question more of each kind that the story cannot answer
    (drawn after the rest, so the story and its other questions stay as they were)."""
    if size < 10:
        raise ValueError("a long story has at least 10 facts")
    words = bw if babi_words else w
    species = bw.SPECIES if babi_words else SPECIES
    where_person = bw.WHERE_PERSON if babi_words else WHERE_PERSON
    where_thing = bw.WHERE_THING if babi_words else WHERE_THING
    rng = random.Random(f"long {size} {seed}" + (" babi" if babi_words else ""))
    world = World(rng, n_people=4, n_places=6, n_things=min(4, len(words.THINGS)),
                  cities=False, words=words)
    told = world.told
    taken = {p.name for p in world.people}
    strangers = [Person(name, female) for name, female in
                 [(n, True) for n in words.WOMEN] + [(n, False) for n in words.MEN]
                 if name not in taken]
    anchors = rng.sample(strangers, max(2, min(8, size // 5)))
    at = dict(zip(anchor_positions(size, len(anchors)), anchors))
    # A deduction: which kind its member is, and what that kind fears, told far apart.
    member = rng.choice([p for p in strangers if p not in anchors])
    kind, feared = rng.sample(list(species), 2)
    free = [i for i in range(2, size + 1) if i not in at]
    kind_at, fear_at = sorted(rng.sample(free, 2))
    told_at = {fear_at: f"{species[kind].capitalize()} are afraid of {species[feared]}.",
               kind_at: f"{member.name} is a {kind}."}
    for number in range(1, size + 1):
        if number in at:
            world.move(at[number])
        elif number in told_at:
            told.fact(told_at[number])
        else:
            world.step(things=True)
    facts = [line.split(" ", 1)[1] for line in told.lines]
    questions = []
    for k, (position, anchor) in enumerate(sorted(at.items())):
        place = world.at[anchor][0]
        if k % 4 == 3:  # a yes/no question now and then, half of them "no"
            asked = place if rng.random() < 0.5 else rng.choice(
                [p for p in world.places if p != place])
            questions.append(LongQuestion(
                f"Is {anchor.name} {w.at(asked)}?", "yes" if asked == place else "no",
                (position,), "yes/no"))
        else:
            questions.append(LongQuestion(w.ask(rng, where_person, x=anchor.name),
                                          place.name, (position,), "where person"))
    for person in world.people:
        if person in world.at:
            place, move = world.at[person]
            questions.append(LongQuestion(w.ask(rng, where_person, x=person.name), place.name,
                                          (move,), "where person"))
    for thing in world.things:
        if where := world.where_thing(thing):
            questions.append(LongQuestion(w.ask(rng, where_thing, x=thing), where[0].name,
                                          tuple(where[1]), "where thing"))
    questions.append(LongQuestion(f"What is {member.name} afraid of?", feared,
                                  (kind_at, fear_at), "deduction"))
    if unknowns:
        never = [p.name for p in strangers if p not in anchors and p != member]
        questions += _unanswerable(rng, world, never, anchors, words, where_person,
                                   where_thing, unknowns)
    return LongStory(facts, questions)


def _unanswerable(rng: random.Random, world: World, never: list[str], anchors: list[Person],
                  words, where_person, where_thing, chance: float) -> list[LongQuestion]:
    """Now and then (`chance`) a question of each kind that nothing in a long memory answers:
    where someone never mentioned is, or a question of no task type (about someone who is);
    where a thing never mentioned is; whether someone never mentioned is in a place; what
    someone fears whose kind no fact told (told once, far back, or never). Models trained on
    long stories that asked none of these lost a few of the hand-written probes' refusals
    (docs/everyday-english.md)."""
    asked = []
    if rng.random() < chance:
        if rng.random() < 0.7:
            text = w.ask(rng, where_person, x=rng.choice(never))
        else:
            text = off_topic(world)
        asked.append(LongQuestion(text, UNKNOWN, (), "where person"))
    unseen = [t for t in words.THINGS if t not in world.things]
    if unseen and rng.random() < chance:
        asked.append(LongQuestion(w.ask(rng, where_thing, x=rng.choice(unseen)), UNKNOWN, (),
                                  "where thing"))
    if rng.random() < chance:
        asked.append(LongQuestion(w.ask(rng, IS_IN, x=rng.choice(never),
                                        y=w.at(rng.choice(world.places))), UNKNOWN, (),
                                  "yes/no"))
    if rng.random() < chance:
        who = rng.choice(anchors).name if rng.random() < 0.5 else rng.choice(never)
        asked.append(LongQuestion(f"What is {who} afraid of?", UNKNOWN, (), "deduction"))
    return asked


# The task type each kind of question trains, as the bAbI training files hold them.
KIND_TASKS = {"where person": 1, "where thing": 2, "yes/no": 6, "deduction": 15}


def long_training_lines(task: int, stories: int, seed: int = 0, sizes=(10, 100),
                        babi_words: bool | None = None, unknowns: float = 0.0) -> list[str]:
    """`stories` long stories as bAbI-format lines for the task type `task` (one of
    KIND_TASKS' values: its questions alone, after the last fact), each of a size drawn
    log-uniformly from `sizes` and told in bAbI's own words (`babi_words`), in everyday
    English, or (None) in each by turns; `unknowns`: long_story's.
    bAbI's stories have four to six people; these up to a dozen, some told once, far back."""
    rng = random.Random(f"long training {task} {seed}")
    lines: list[str] = []
    for k in range(stories):
        size = round(sizes[0] * (sizes[1] / sizes[0]) ** rng.random())
        story = long_story(size, seed=rng.randrange(10**9),
                           babi_words=k % 2 == 1 if babi_words is None else babi_words,
                           unknowns=unknowns)
        asked = [q for q in story.questions if KIND_TASKS[q.kind] == task]
        if not asked:
            continue
        lines += [f"{n} {fact}" for n, fact in enumerate(story.facts, 1)]
        lines += [f"{n} {q.text}\t{q.answer}\t{' '.join(map(str, q.supports))}"
                  for n, q in enumerate(asked, len(story.facts) + 1)]
    return lines
