"""One small world simulation per bAbI task type (Weston et al. 2015, "Towards AI-Complete
Question Answering", section 3), told in varied English. Each knows the answer and the
supporting facts of every question it asks, listed in the order bAbI lists them, so gate
supervision applies as it does to bAbI: for a thing's place, the thing's last event and
then its holder's move; for a chain, from the question back to the start.

A story is bAbI-format lines: facts and questions numbered in one sequence, a question line
holding "question<TAB>answer<TAB>supporting fact ids".
"""

from __future__ import annotations

import random
from collections import defaultdict

from askme.babi import UNKNOWN
from askme.training.generator import words as w
from askme.training.generator.words import Person, Place


class Telling:
    """A story being told: facts and questions numbered in one sequence."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.lines: list[str] = []
        self.last_subject: object = None  # who the last fact was about, for a pronoun

    def fact(self, text: str, about: object = None) -> int:
        self.lines.append(f"{len(self.lines) + 1} {text}")
        self.last_subject = about
        return len(self.lines)

    def question(self, text: str, answer: str, supports=()) -> None:
        ids = " ".join(str(i) for i in supports)
        self.lines.append(f"{len(self.lines) + 1} {text}\t{answer}\t{ids}")
        self.last_subject = None  # a pronoun after a question would be ambiguous

    def opener(self) -> float:
        return 0.15 if self.lines else 0.0


class World:
    """People moving between places, taking, dropping and handing over things."""

    def __init__(self, rng: random.Random, n_people: int = 4, n_places: int = 5,
                 n_things: int = 0, cities: bool = True, animals: float = 0.0, words=w):
        self.rng = rng
        self.words = words  # the pools and phrasings told in (generator.words: everyday English)
        self.people = words.people(rng, n_people, animals)
        self.places = words.places(rng, n_places, cities)
        self.things = rng.sample(words.THINGS, n_things)
        self.told = Telling(rng)
        self.at: dict[Person, tuple[Place, int]] = {}  # last place and the fact of the move
        self.named: dict[Person, int] = {}  # the last fact that named the person
        self.moves: dict[Person, list[tuple[Place, int]]] = defaultdict(list)
        self.holder: dict[str, Person | None] = {t: None for t in self.things}
        self.thing_event: dict[str, int] = {}  # the thing's last take, drop or hand-over
        self.left_at: dict[str, tuple[Place, int]] = {}  # where a dropped thing lies, and why
        self.events: dict[Person, list[int]] = defaultdict(list)  # takes and drops, in order

    def subject(self, person: Person) -> str:
        """The person's name, or a pronoun right after a fact about them alone."""
        if self.told.last_subject is person and self.rng.random() < 0.35:
            return person.pronoun
        return person.name

    def tell(self, person: Person, predicate: str, opener: bool = True) -> int:
        subject = self.subject(person)
        fact = self.told.fact(self.words.sentence(subject, predicate, self.rng,
                                                  self.told.opener() if opener else 0.0),
                              about=person)
        if subject == person.name:
            self.named[person] = fact
        return fact

    def move(self, person: Person, place: Place | None = None, pronoun: bool = False) -> int:
        """A move somewhere else; with `pronoun`, told by the pronoun alone, most often after
        a sequence word ("Then she went to the office.")."""
        here = self.at.get(person, (None, 0))[0]
        place = place or self.rng.choice([p for p in self.places if p != here])
        animal = person.female is None
        if pronoun:
            told = self.words.move(self.rng, place, animal)
            fact = self.told.fact(self.words.sentence(person.pronoun, told, self.rng, opener=0.7),
                                  about=person)
        else:
            stated = self.rng.random() < 0.15  # "Mary is in the kitchen.": no "then" before it
            told = (self.words.state(self.rng, place) if stated
                    else self.words.move(self.rng, place, animal))
            fact = self.tell(person, told, opener=not stated)
        self.at[person] = (place, fact)
        self.moves[person].append((place, fact))
        return fact

    def take(self, person: Person, thing: str) -> int:
        # "there" is wherever the story last was: a taker never placed may take a thing
        # "there" too, and still nobody said where it is (issue 32's laptop).
        there = " there" if self.at and self.rng.random() < 0.3 else ""
        fact = self.tell(person, self.rng.choice(self.words.TAKES).format(thing) + there)
        self.holder[thing], self.thing_event[thing] = person, fact
        self.left_at.pop(thing, None)
        self.events[person].append(fact)
        return fact

    def drop(self, person: Person, thing: str) -> int:
        fact = self.tell(person, self.rng.choice(self.words.DROPS).format(thing))
        self.holder[thing], self.thing_event[thing] = None, fact
        if person in self.at:
            self.left_at[thing] = (self.at[person][0], self.at[person][1])
        self.events[person].append(fact)
        return fact

    def give(self, person: Person, thing: str, receiver: Person) -> int:
        fact = self.tell(person, self.rng.choice(self.words.GIVES).format(
            thing=thing, to=receiver.name))
        self.told.last_subject = None  # "She ..." next could be either of the two
        self.holder[thing], self.thing_event[thing] = receiver, fact
        self.left_at.pop(thing, None)
        self.events[person].append(fact)
        self.events[receiver].append(fact)
        return fact

    def someone_placed(self) -> tuple[Person, Place, int] | None:
        """A person the story has placed, their place and the fact that says so."""
        if not self.at:
            return None
        person = self.rng.choice(sorted(self.at, key=lambda p: p.name))
        return person, *self.at[person]

    def carrying(self, person: Person) -> list[str]:
        """What the person holds, in the order it was picked up."""
        held = [t for t in self.things if self.holder[t] is person]
        return sorted(held, key=self.thing_event.__getitem__)

    def step(self, things: bool = True) -> None:
        """One random event: mostly moves; with things, takes and drops where they can be."""
        person = self.rng.choice(self.people)
        roll = self.rng.random()
        if things and roll < 0.3:
            here = self.at[person][0] if person in self.at else None
            # Someone never placed may take a thing no one left anywhere: then nobody said
            # where either is.
            free = self.free_things(here)
            if free and (here is not None or self.rng.random() < 0.3):
                self.take(person, self.rng.choice(free))
                return
        if things and roll < 0.45 and self.carrying(person):
            self.drop(person, self.rng.choice(self.carrying(person)))
            return
        self.move(person)

    def free_things(self, here: Place | None) -> list[str]:
        """The things no one holds that a person `here` may take: those never put down, and
        those put down here."""
        return [t for t in self.things if self.holder[t] is None
                and (t not in self.left_at or self.left_at[t][0] == here)]

    def where_thing(self, thing: str) -> tuple[Place, list[int]] | None:
        """Where the thing is and the facts that say so (its last event, then the move that
        placed its holder), or None when the story does not say."""
        holder = self.holder[thing]
        if holder is not None:
            if holder not in self.at:
                return None
            return self.at[holder][0], [self.thing_event[thing], self.at[holder][1]]
        if thing in self.left_at:
            place, move = self.left_at[thing]
            return place, [self.thing_event[thing], move]
        return None


WHERE_PERSON = ("Where is {x}?", "Where's {x}?", "Where is {x} now?", "Where did {x} go?",
                "Where is {x} at the moment?", "Where can {x} be found?")
WHERE_THING = ("Where is the {x}?", "Where's the {x}?", "Where is the {x} now?",
               "Where can the {x} be found?")
HOLDING = ("What is {x} carrying?", "What is {x} holding?", "What does {x} have?",
           "What has {x} got?")
HOW_MANY = ("How many objects is {x} carrying?", "How many things does {x} have?",
            "How many items is {x} holding?", "How many things is {x} carrying?")
# Questions of no task type the model knows: nothing in a memory answers them.
OFF_TOPIC = ("What is the capital of France?", "Who wrote Hamlet?", "What time is it?",
             "How old is {x}?", "What colour is the sky?", "Why is {x} sad?",
             "What is the weather like?", "Who is the president?", "How far is the moon?",
             "What is {x}'s favourite food?", "When was {x} born?",
             "What does {x} do for a living?", "Who won the match?", "Is it raining?",
             "What is {x}'s phone number?", "How tall is {x}?", "Where was {x} born?",
             "Who is {x} married to?", "What day is it today?", "Is {x} happy?",
             "How much does the {thing} cost?", "Who made the {thing}?",
             "What is the {thing} made of?", "How many people live in Paris?")


def unused_names(people: list[Person]) -> list[str]:
    """The names no one of `people` has, for someone the story never mentions."""
    return [n for n in w.WOMEN + w.MEN if n not in {p.name for p in people}]


def stranger_name(people: list[Person], rng: random.Random) -> str:
    return rng.choice(unused_names(people))


def off_topic(world: World) -> str:
    rng = world.rng
    return w.ask(rng, OFF_TOPIC, x=rng.choice(world.people).name,
                 thing=rng.choice(world.things or list(w.THINGS)))


def unknown_question(world: World, rng: random.Random, asking=None) -> None:
    """A question the story cannot answer: about a person or thing never mentioned, the
    place of a person never said to be anywhere or of a thing whose holder never was, or
    a question of no known type. `asking(name)` asks the task's own question about a
    person (default: where they are). Its gates target end-of-passes at the first pass
    (no supporting fact)."""
    told = world.told
    asking = asking or (lambda name: w.ask(rng, WHERE_PERSON, x=name))
    mentioned = {p.name for p in world.people if p in world.named}
    unplaced = [p for p in world.people if p.name in mentioned and p not in world.at]
    # "Bob took the laptop." and nothing of where Bob is: nobody said where the laptop is.
    untold = [t for t in world.things if t in world.thing_event and world.where_thing(t) is None]
    roll = rng.random()
    if roll < 0.3:
        told.question(asking(stranger_name(world.people, rng)), UNKNOWN)
    elif roll < 0.45:
        thing = rng.choice([t for t in w.THINGS if t not in world.things])
        told.question(w.ask(rng, WHERE_THING, x=thing), UNKNOWN)
    elif roll < 0.75 and (unplaced or untold):
        if untold and (not unplaced or rng.random() < 0.5):
            told.question(w.ask(rng, WHERE_THING, x=rng.choice(untold)), UNKNOWN)
        else:
            told.question(w.ask(rng, WHERE_PERSON, x=rng.choice(unplaced).name), UNKNOWN)
    else:
        told.question(off_topic(world), UNKNOWN)


def _questions(world: World, asking, n: int, steps=(1, 3), things: bool = False,
               unknown: float = 0.0, about=None) -> list[str]:
    """Events, then a question `asking(world)` asks (it returns False when it had nothing
    to ask yet), `n` times; now and then (`unknown`) a question the story cannot answer
    (`about(name)`: the task's question about a person, for one never mentioned)."""
    rng = world.rng
    asked = 0
    for _ in range(n * 6):
        for _ in range(rng.randint(*steps)):
            world.step(things)
        if asking(world):
            asked += 1
        if rng.random() < unknown:
            unknown_question(world, rng, about)
        if asked == n:
            break
    return world.told.lines


# ---- the twenty task types ----------------------------------------------------------------

def single_supporting_fact(rng: random.Random, unknown: float = 0.0) -> list[str]:
    world = World(rng, animals=0.2)

    def ask(world: World) -> bool:
        placed = world.someone_placed()
        if placed:
            person, place, fact = placed
            world.told.question(w.ask(rng, WHERE_PERSON, x=person.name), place.name, [fact])
        return placed is not None
    return _questions(world, ask, 5, unknown=unknown)


def two_supporting_facts(rng: random.Random, unknown: float = 0.0) -> list[str]:
    world = World(rng, n_things=rng.randint(2, 4))

    def ask(world: World) -> bool:
        known = [(t, found) for t in world.things if (found := world.where_thing(t))]
        if not known:
            return False
        thing, (place, supports) = rng.choice(known)
        world.told.question(w.ask(rng, WHERE_THING, x=thing), place.name, supports)
        return True
    return _questions(world, ask, 5, steps=(2, 4), things=True, unknown=unknown)


def three_supporting_facts(rng: random.Random, unknown: float = 0.0) -> list[str]:
    """A thing picked up in one place and carried to another: where was it before that?
    Supports, from the question back: the thing's last event, the move that brought it,
    the move to where it was taken."""
    world = World(rng, n_things=2)
    carrier = rng.choice(world.people)
    others = [p for p in world.people if p is not carrier]
    for _ in range(rng.randint(1, 4)):
        world.step(things=False)
    start = world.move(carrier)
    thing = rng.choice(world.things)
    for _ in range(rng.randint(0, 2)):
        world.move(rng.choice(others))
    last = world.take(carrier, thing)
    before = world.at[carrier][0]
    for _ in range(rng.randint(0, 2)):
        world.move(rng.choice(others))
    arrived = world.move(carrier)
    after = world.at[carrier][0]
    if rng.random() < 0.5:
        last = world.drop(carrier, thing)
    for _ in range(rng.randint(0, 2)):
        world.move(rng.choice(others))
    forms = (("Where was the {x} before the {y}?", "Where was the {x} before it was in the {y}?",
              "Before the {y}, where was the {x}?") if after.article
             else ("Where was the {x} before {y}?",))
    world.told.question(w.ask(rng, forms, x=thing, y=after.name), before.name,
                        [last, arrived, start])
    if rng.random() < unknown:
        unknown_question(world, rng)
    return world.told.lines


IS_IN = ("Is {x} {y}?", "Is {x} {y} now?", "Is {x} still {y}?")  # y: "in the kitchen"


def _ask_is_there(world: World, person: Person, fact: int, said: list[Place],
                  answer_for) -> None:
    """"Is X in the Y?" of a place `fact` names (most often) or of any place; the answer is
    `answer_for(place)`, and nothing is asked when that is None (the story does not tell)."""
    rng = world.rng
    asked = rng.choice(said) if rng.random() < 0.6 else rng.choice(world.places)
    answer = answer_for(asked)
    if answer is not None:
        world.told.question(w.ask(rng, IS_IN, x=person.name, y=w.at(asked)), answer, [fact])


def _is_in(world: World):
    """"Is X in the Y?" about a person, of a place of the story."""
    return lambda name: w.ask(world.rng, IS_IN, x=name, y=w.at(world.rng.choice(world.places)))


def yes_no_questions(rng: random.Random, unknown: float = 0.0) -> list[str]:
    world = World(rng, n_things=2)

    def ask(world: World) -> bool:
        placed = world.someone_placed()
        if placed:
            person, place, fact = placed
            _ask_is_there(world, person, fact, [place],
                          lambda asked: "yes" if asked == place else "no")
        return placed is not None
    return _questions(world, ask, 5, things=True, unknown=unknown, about=_is_in(world))


def _holdings(world: World, rng: random.Random, counting: bool,
              person: Person | None = None) -> bool:
    """A question of what a person carries or how many things (`counting`): of `person`, or
    of anyone who took or dropped something; False where no one has."""
    people = [p for p in world.people if world.events[p]]
    if not people:
        return False
    person = person or rng.choice(people)
    held = world.carrying(person)
    supports = world.events[person][-8:]  # the person's takes and drops, as bAbI lists them
    if counting:
        world.told.question(w.ask(rng, HOW_MANY, x=person.name), w.count_word(len(held)),
                            supports)
    else:
        world.told.question(w.ask(rng, HOLDING, x=person.name),
                            ",".join(held) if held else "nothing", supports)
    return True


def counting(rng: random.Random, unknown: float = 0.0) -> list[str]:
    world = World(rng, n_things=rng.randint(3, 5))
    return _questions(world, lambda wd: _holdings(wd, rng, True), 5, steps=(1, 3),
                      things=True, unknown=unknown,
                      about=lambda name: w.ask(rng, HOW_MANY, x=name))


def lists_sets(rng: random.Random, unknown: float = 0.0) -> list[str]:
    world = World(rng, n_things=rng.randint(3, 5))
    return _questions(world, lambda wd: _holdings(wd, rng, False), 5, steps=(1, 3),
                      things=True, unknown=unknown,
                      about=lambda name: w.ask(rng, HOLDING, x=name))


GIVEN = 0.3  # of the things dropped_holdings' holders let go of, those handed to someone


def dropped_holdings(rng: random.Random, counting: bool) -> list[str]:
    """A story of people moving, in which a person takes two or three things and puts one
    down or hands it to someone (as often the first taken as any other; now and then more,
    or all), then is asked what they carry or how many things (`counting`), one to three
    times. Told at random (counting, lists_sets), a person seldom holds two things at once,
    and models trained on such stories answered with the first thing taken after it was put
    down (bAbI's own task-8 test: 4 of 25 such questions right; docs/everyday-english.md),
    or after it was given away (bAbI's task 8 never gives)."""
    world = World(rng, n_things=rng.randint(3, 5))

    def release(person: Person, thing: str) -> None:
        if rng.random() < GIVEN:
            world.give(person, thing, rng.choice([p for p in world.people if p != person]))
        else:
            world.drop(person, thing)

    for _ in range(rng.randint(1, 3)):
        person = rng.choice(world.people)
        for _ in range(rng.randint(0, 2)):
            world.step(things=False)
        if person not in world.at:
            world.move(person)
        for _ in range(rng.choice((2, 2, 3))):
            free = world.free_things(world.at[person][0])
            if not free:
                break
            world.take(person, rng.choice(free))
            if rng.random() < 0.3:
                world.step(things=False)
        held = world.carrying(person)
        if held:
            release(person, held[0] if rng.random() < 0.5 else rng.choice(held))
        while world.carrying(person) and rng.random() < 0.3:  # and now and then all of it
            release(person, rng.choice(world.carrying(person)))
        for _ in range(rng.randint(0, 2)):
            world.step(things=False)
        _holdings(world, rng, counting, person)
    return world.told.lines


def unplaced_holders(rng: random.Random) -> list[str]:
    """A story in which people move and someone never said to be anywhere takes a thing
    (often "there"), asked where it is (`unknown`: nobody said where its holder is) beside
    the same question of a thing whose holder a fact places (answered, so that taking
    "there" is no sign of `unknown`). Told at random (unknown_question) they are rare, and
    models trained on from the shipped one answered with the place someone else went (issue
    32's laptop: "Alice went to the library. Bob took the laptop there. Alice travelled to
    the cafe." answered "cafe")."""
    world = World(rng, n_things=rng.randint(2, 4))
    unplaced, *placed = rng.sample(world.people, len(world.people))
    for _ in range(rng.randint(1, 3)):
        world.move(rng.choice(placed))
    for _ in range(rng.randint(1, 2)):
        free = [t for t in world.things if world.holder[t] is None]
        if rng.random() < 0.5:
            world.take(unplaced, rng.choice(free))
        else:
            taker = rng.choice([p for p in placed if p in world.at])
            world.take(taker, rng.choice(free))
        for _ in range(rng.randint(0, 2)):
            world.move(rng.choice(placed))
    for thing in rng.sample(world.things, len(world.things)):
        if world.holder[thing] is unplaced:
            world.told.question(w.ask(rng, WHERE_THING, x=thing), UNKNOWN)
        elif (found := world.where_thing(thing)) is not None:
            world.told.question(w.ask(rng, WHERE_THING, x=thing), found[0].name, found[1])
    return world.told.lines


def unplaced_holders_stories(stories: int, seed: int = 0) -> list[str]:
    """`stories` of unplaced_holders as bAbI-format lines (task 2's questions); the same
    arguments give the same lines."""
    rng = random.Random(f"unplaced holders {seed}")
    return [line for _ in range(stories) for line in unplaced_holders(rng)]


def dropped_holdings_stories(task: int, stories: int, seed: int = 0) -> list[str]:
    """`stories` of dropped_holdings for task 7 (how many) or 8 (what), as bAbI-format
    lines; the same arguments give the same lines."""
    rng = random.Random(f"dropped holdings {task} {seed}")
    return [line for _ in range(stories) for line in dropped_holdings(rng, task == 7)]


NOT_IN = ("is no longer {}", "is not {}", "is not {} any more")  # {}: "in the kitchen"


def simple_negation(rng: random.Random, unknown: float = 0.0) -> list[str]:
    world = World(rng, n_people=3)
    last: dict[Person, tuple[Place, bool, int]] = {}  # place, there or not, the fact
    told = world.told
    for _ in range(5):
        for _ in range(rng.randint(1, 2)):
            person, place = rng.choice(world.people), rng.choice(world.places)
            if rng.random() < 0.35:
                fact = world.tell(person, rng.choice(NOT_IN).format(w.at(place)), opener=False)
                last[person] = (place, False, fact)
            else:
                fact = world.move(person, place)
                last[person] = (place, True, fact)
        person = rng.choice(sorted(last, key=lambda p: p.name))
        place, there, fact = last[person]
        # Not there, and nothing said of another place: the story does not tell.
        _ask_is_there(world, person, fact, [place], lambda asked: (
            ("yes" if asked == place else "no") if there else ("no" if asked == place else None)))
        if rng.random() < unknown:
            unknown_question(world, rng, _is_in(world))
    return told.lines


def indefinite_knowledge(rng: random.Random, unknown: float = 0.0) -> list[str]:
    world = World(rng, n_people=3)
    told = world.told
    for _ in range(5):
        person = rng.choice(world.people)
        if rng.random() < 0.5:
            one, other = rng.sample(world.places, 2)
            fact = world.tell(person, rng.choice(("is either {} or {}", "is {} or {}",
                                                  "might be {} or {}")).format(
                w.at(one), w.at(other)), opener=False)
            options = {one, other}
        else:
            fact = world.move(person)
            options = {world.at[person][0]}
        _ask_is_there(world, person, fact, sorted(options, key=lambda p: p.name), lambda asked: (
            "no" if asked not in options else "yes" if len(options) == 1 else "maybe"))
        if rng.random() < unknown:
            unknown_question(world, rng, _is_in(world))
    return told.lines


def basic_coreference(rng: random.Random, unknown: float = 0.0) -> list[str]:
    world = World(rng, animals=0.2)
    told = world.told
    for _ in range(5):
        person = rng.choice(world.people)
        told.last_subject = None  # the first fact names the person
        first = world.move(person)
        fact = world.move(person, pronoun=True)
        told.question(w.ask(rng, WHERE_PERSON, x=person.name), world.at[person][0].name,
                      [first, fact])
        if rng.random() < unknown:
            unknown_question(world, rng)
    return told.lines


def _pair(names: list[str]) -> str:
    return f"{names[0]} and {names[1]}"


def conjunction(rng: random.Random, unknown: float = 0.0) -> list[str]:
    world = World(rng)
    told = world.told
    for _ in range(5):
        pair = rng.sample(world.people, 2)
        place = rng.choice(world.places)
        fact = told.fact(w.sentence(_pair([p.name for p in pair]), w.move(rng, place), rng,
                                    told.opener()))
        for person in pair:
            world.at[person] = (place, fact)
        person = rng.choice(sorted(world.at, key=lambda p: p.name))
        told.question(w.ask(rng, WHERE_PERSON, x=person.name), world.at[person][0].name,
                      [world.at[person][1]])
        if rng.random() < unknown:
            unknown_question(world, rng)
    return told.lines


def compound_coreference(rng: random.Random, unknown: float = 0.0) -> list[str]:
    world = World(rng)
    told = world.told
    for _ in range(5):
        pair = rng.sample(world.people, 2)
        place = rng.choice(world.places)
        first = told.fact(w.sentence(_pair([p.name for p in pair]), w.move(rng, place), rng,
                                     told.opener()))
        place = rng.choice([p for p in world.places if p != place])
        fact = told.fact(w.sentence("they", w.move(rng, place), rng, opener=0.7))
        person = rng.choice(pair)
        told.question(w.ask(rng, WHERE_PERSON, x=person.name), place.name, [first, fact])
        if rng.random() < unknown:
            unknown_question(world, rng)
    return told.lines


TIMES = ("yesterday", "this morning", "this afternoon", "this evening")


def time_reasoning(rng: random.Random, unknown: float = 0.0) -> list[str]:
    world = World(rng, n_people=3, cities=False)
    told = world.told
    trips: dict[Person, dict[int, tuple[Place, int]]] = defaultdict(dict)
    plan = [(p, t) for p in world.people for t in range(len(TIMES))]
    rng.shuffle(plan)
    for person, when in plan[:rng.randint(5, 9)]:
        visited = {place for place, _ in trips[person].values()}
        place = rng.choice([p for p in world.places if p not in visited])
        time = TIMES[when]
        text = w.move(rng, place)
        said = (f"{time[0].upper()}{time[1:]} {person.name} {text}." if rng.random() < 0.5
                else f"{person.name} {text} {time}.")
        trips[person][when] = (place, told.fact(said, about=person))
        known = [(p, t) for p in trips for t in trips[p] if any(e < t for e in trips[p])]
        if known and rng.random() < 0.6:
            asked_person, later = rng.choice(known)
            earlier = max(e for e in trips[asked_person] if e < later)
            place_later, fact_later = trips[asked_person][later]
            place_before, fact_before = trips[asked_person][earlier]
            told.question(w.ask(rng, ("Where was {x} before {y}?",
                                      "Where was {x} before going to {y}?",
                                      "Before {y}, where was {x}?"),
                                x=asked_person.name, y=place_later.told),
                          place_before.name, [fact_later, fact_before])
        elif trips and rng.random() < unknown:
            # Before a place the person was never told to be, or before their first: the
            # story does not say.
            asked_person = rng.choice(sorted(trips, key=lambda p: p.name))
            first = min(trips[asked_person])
            never = [p for p in world.places
                     if p not in {place for place, _ in trips[asked_person].values()}]
            place = trips[asked_person][first][0] if rng.random() < 0.5 else rng.choice(never)
            told.question(w.ask(rng, ("Where was {x} before {y}?", "Before {y}, where was {x}?"),
                                x=asked_person.name, y=place.told), UNKNOWN)
    return told.lines


DIRECTIONS = {"north": (0, 1), "south": (0, -1), "east": (1, 0), "west": (-1, 0)}
OPPOSITE = {"north": "south", "south": "north", "east": "west", "west": "east"}


def two_arg_relations(rng: random.Random, unknown: float = 0.0) -> list[str]:
    told = Telling(rng)
    a, b, c = w.places(rng, 3, cities=False, bare=False)
    direction = rng.choice(list(DIRECTIONS))
    # Not back the way the first fact came: that would put the third place on the second.
    second = rng.choice([d for d in DIRECTIONS if d != OPPOSITE[direction]])
    first_fact = told.fact(f"The {a.name} is {direction} of the {b.name}.")
    said = rng.choice(("The {0} is {1} of the {2}.", "{1} of the {2} is the {0}."))
    said = said.format(c.name, second, a.name)
    second_fact = told.fact(said[0].upper() + said[1:])
    asking = [(f"What is {direction} of the {b.name}?", a.name, first_fact),
              (f"What is the {b.name} {OPPOSITE[direction]} of?", a.name, first_fact),
              (f"What is the {a.name} {direction} of?", b.name, first_fact),
              (f"What is {second} of the {a.name}?", c.name, second_fact),
              (f"What is the {c.name} {second} of?", a.name, second_fact)]
    question, answer, fact = rng.choice(asking)
    told.question(question, answer, [fact])
    if rng.random() < unknown:
        # A direction the story never gives from that place ("What is east of the hall?").
        told_of = {(direction, b), (OPPOSITE[direction], a), (second, a), (OPPOSITE[second], c)}
        untold = [(d, p) for d in DIRECTIONS for p in (a, b, c) if (d, p) not in told_of]
        d, p = rng.choice(untold)
        told.question(f"What is {d} of the {p.name}?", UNKNOWN)
    return told.lines


GIVE_FORMS = {"giver": ("Who gave the {thing} to {to}?", "Who handed {to} the {thing}?"),
              "receiver": ("Who did {x} give the {thing} to?", "Who received the {thing}?",
                           "Who got the {thing} from {x}?"),
              "thing": ("What did {x} give to {to}?", "What did {to} get from {x}?")}


def three_arg_relations(rng: random.Random, unknown: float = 0.0) -> list[str]:
    world = World(rng, n_things=3)
    told = world.told
    gives = []
    for _ in range(rng.randint(3, 6)):
        if rng.random() < 0.5:
            world.move(rng.choice(world.people))
            continue
        giver, receiver = rng.sample(world.people, 2)
        thing = rng.choice(world.things)
        fact = world.tell(giver, rng.choice(w.GIVES).format(thing=thing, to=receiver.name))
        world.holder[thing] = receiver
        told.last_subject = None  # "She gave ..." next could be either of the two
        gives.append((giver, receiver, thing, fact))
    if not gives:
        return three_arg_relations(rng, unknown)
    giver, receiver, thing, fact = gives[-1] if rng.random() < 0.5 else rng.choice(gives)
    if sum(g[2] == thing for g in gives) > 1:
        giver, receiver, thing, fact = [g for g in gives if g[2] == thing][-1]
    kind = rng.choice(list(GIVE_FORMS))
    if kind == "thing" and sum(g[:2] == (giver, receiver) for g in gives) > 1:
        kind = "giver"  # "What did Fred give to Bill?" has two answers
    answer = {"giver": giver.name, "receiver": receiver.name, "thing": thing}[kind]
    told.question(w.ask(rng, GIVE_FORMS[kind], x=giver.name, to=receiver.name, thing=thing),
                  answer, [fact])
    if rng.random() < unknown:
        never = [(x, to) for x in world.people for to in world.people
                 if x is not to and not any(g[:2] == (x, to) for g in gives)]
        if rng.random() < 0.5:  # a giving never told ("What did Bill give to Fred?")
            x, to = rng.choice(never)
            told.question(w.ask(rng, GIVE_FORMS["thing"], x=x.name, to=to.name), UNKNOWN)
        else:
            unknown_question(world, rng)
    return told.lines


SPECIES = {"mouse": "mice", "cat": "cats", "wolf": "wolves", "sheep": "sheep",
           "lion": "lions", "fox": "foxes", "hen": "hens", "owl": "owls"}


def basic_deduction(rng: random.Random, unknown: float = 0.0) -> list[str]:
    told = Telling(rng)
    kinds = rng.sample(list(SPECIES), 4)
    fears = {k: rng.choice([o for o in SPECIES if o != k]) for k in kinds}
    fear_fact = {k: told.fact(rng.choice(("{} are afraid of {}.", "{} fear {}.",
                                          "{} are scared of {}.")).format(
        SPECIES[k].capitalize(), SPECIES[fears[k]])) for k in kinds}
    people = w.people(rng, 5)
    members = dict(zip(people, kinds))
    member_fact = {p: told.fact(f"{p.name} is a {k}.") for p, k in members.items()}
    asking = ("What is {x} afraid of?", "What does {x} fear?", "What is {x} scared of?")
    for person in rng.sample(list(members), 2):
        told.question(w.ask(rng, asking, x=person.name),
                      fears[members[person]], [member_fact[person], fear_fact[members[person]]])
    if rng.random() < unknown:
        # One of a kind whose fears nobody told, or someone never mentioned.
        kind = rng.choice([k for k in SPECIES if k not in kinds])
        told.fact(f"{people[4].name} is a {kind}.")
        told.question(w.ask(rng, asking, x=rng.choice([people[4].name,
                                                       stranger_name(people, rng)])), UNKNOWN)
    return told.lines


COLOURS = ("white", "yellow", "green", "grey", "red", "pink", "blue", "black", "brown",
           "orange")
KINDS = ("swan", "frog", "lion", "rhino", "duck", "crow", "parrot", "bear")


def basic_induction(rng: random.Random, unknown: float = 0.0) -> list[str]:
    told = Telling(rng)
    kinds = rng.sample(KINDS, 3)
    colour = {k: rng.choice(COLOURS) for k in kinds}
    seen: dict[str, tuple[int, int]] = {}
    people = w.people(rng, 5)
    for person in people[:4]:
        kind = rng.choice(kinds)
        is_a = told.fact(f"{person.name} is a {kind}.")
        has = told.fact(rng.choice(("{} is {}.", "{} is coloured {}.")).format(
            person.name, colour[kind]))
        seen[kind] = (is_a, has)
    kind = rng.choice(list(seen))
    asked = told.fact(f"{people[4].name} is a {kind}.")
    asking = ("What color is {x}?", "What colour is {x}?")
    told.question(w.ask(rng, asking, x=people[4].name), colour[kind], [asked, *seen[kind]])
    if rng.random() < unknown:
        # One of a kind whose colour nobody told, or someone never mentioned.
        newcomer, never = rng.sample(unused_names(people), 2)
        told.fact(f"{newcomer} is a {rng.choice([k for k in KINDS if k not in seen])}.")
        told.question(w.ask(rng, asking, x=rng.choice([newcomer, never])), UNKNOWN)
    return told.lines


SHAPES = ("square", "triangle", "sphere", "rectangle", "circle", "cube")
SIDES = {"to the left of": (-1, 0), "to the right of": (1, 0), "above": (0, 1),
         "below": (0, -1)}


def positional_reasoning(rng: random.Random, unknown: float = 0.0) -> list[str]:
    told = Telling(rng)
    names = [f"the {c} {s}" for c, s in zip(rng.sample(COLOURS, 3), rng.sample(SHAPES, 3))]
    side1 = rng.choice(list(SIDES))
    side2 = rng.choice([side for side in SIDES if side != side1])  # else both on one spot
    at = {names[0]: (0, 0)}
    d1, d2 = SIDES[side1], SIDES[side2]
    at[names[1]] = (-d1[0], -d1[1])  # names[0] is side1 of names[1]
    at[names[2]] = (at[names[1]][0] + d2[0], at[names[1]][1] + d2[1])  # names[2] side2 of [1]
    f1 = told.fact(f"{names[0][0].upper()}{names[0][1:]} is {side1} {names[1]}.")
    f2 = told.fact(f"{names[2][0].upper()}{names[2][1:]} is {side2} {names[1]}.")
    for _ in range(2):
        a, b = rng.sample([names[0], names[2]], 2)
        side = rng.choice(list(SIDES))
        axis = 0 if SIDES[side][0] else 1
        delta = at[a][axis] - at[b][axis]
        if delta == 0:
            continue
        told.question(f"Is {a} {side} {b}?", "yes" if delta * sum(SIDES[side]) > 0 else "no",
                      [f1, f2] if a == names[0] else [f2, f1])  # the subject's fact first
    return told.lines


SIZES = ("chocolate", "box", "chest", "suitcase", "container", "cupboard", "wardrobe")


def size_reasoning(rng: random.Random, unknown: float = 0.0) -> list[str]:
    told = Telling(rng)
    order = rng.sample(SIZES, 4)  # small to large
    facts = {}
    for small, large in zip(order, order[1:]):
        facts[small, large] = told.fact(rng.choice(("The {0} fits inside the {1}.",
                                                    "The {1} is bigger than the {0}.",
                                                    "The {0} is smaller than the {1}.")).format(
            small, large))
    i = rng.randrange(3)
    j = min(3, i + rng.randint(1, 2))
    chain = [facts[order[k], order[k + 1]] for k in range(i, j)]
    small, large = order[i], order[j]
    if rng.random() < 0.5:
        told.question(f"Does the {small} fit in the {large}?", "yes", chain[::-1])  # Y first
    else:
        told.question(f"Does the {large} fit in the {small}?", "no", chain)
    if rng.random() < unknown:  # about a thing the story never names
        never = rng.choice([s for s in SIZES if s not in order])
        known = rng.choice(order)
        told.question(f"Does the {never} fit in the {known}?" if rng.random() < 0.5
                      else f"Does the {known} fit in the {never}?", UNKNOWN)
    return told.lines


SHORT = {"north": "n", "south": "s", "east": "e", "west": "w"}


def path_finding(rng: random.Random, unknown: float = 0.0) -> list[str]:
    told = Telling(rng)
    rooms = w.places(rng, 5, cities=False, bare=False)
    grid: dict[tuple[int, int], Place] = {(0, 0): rooms[0]}
    facts: dict[tuple[Place, Place], int] = {}
    for room in rooms[1:]:
        while True:
            base = rng.choice(list(grid))
            direction = rng.choice(list(DIRECTIONS))
            spot = (base[0] + DIRECTIONS[direction][0], base[1] + DIRECTIONS[direction][1])
            if spot not in grid:
                break
        grid[spot] = room
        facts[grid[base], room] = told.fact(f"The {room.name} is {direction} of the "
                                            f"{grid[base].name}.")
    where = {room: spot for spot, room in grid.items()}
    step = {}
    for (a, b), fact in facts.items():
        d = (where[b][0] - where[a][0], where[b][1] - where[a][1])
        name = next(n for n, v in DIRECTIONS.items() if v == d)
        step[a, b] = (SHORT[name], fact)
        step[b, a] = (SHORT[OPPOSITE[name]], fact)
    paths = [(a, b, c) for (a, b) in step for (b2, c) in step if b2 == b and c != a]
    a, b, c = rng.choice(paths)
    asking = ("How do you go from the {x} to the {y}?", "How do I get from the {x} to the {y}?")
    told.question(w.ask(rng, asking, x=a.name, y=c.name),
                  f"{step[a, b][0]},{step[b, c][0]}", [step[a, b][1], step[b, c][1]])
    if rng.random() < unknown:  # to a place the story never names
        never = w.places(rng, 6, cities=False, bare=False)
        never = next(p for p in never if p.name not in {r.name for r in rooms})
        told.question(w.ask(rng, asking, x=rng.choice(rooms).name, y=never.name), UNKNOWN)
    return told.lines


MOTIVES = {"hungry": ("kitchen", "apple"), "thirsty": ("kitchen", "milk"),
           "tired": ("bedroom", "pajamas"), "bored": ("garden", "football")}


def agents_motivations(rng: random.Random, unknown: float = 0.0) -> list[str]:
    told = Telling(rng)
    people = w.people(rng, 3)
    for person in people:
        motive = rng.choice(list(MOTIVES))
        place, thing = MOTIVES[motive]
        why = told.fact(f"{person.name} is {motive}.")
        form = rng.choice(("Where will {x} go?", "Where is {x} going to go?"))
        told.question(form.format(x=person.name), place, [why])
        told.fact(f"{person.name} {w.move(rng, Place(place, True))}.")
        told.question(f"Why did {person.name} go to the {place}?", motive, [why])
        told.fact(f"{person.name} {rng.choice(w.TAKES).format(thing)} there.")
        told.question(f"Why did {person.name} get the {thing}?", motive, [why])
    if rng.random() < unknown:  # someone who went somewhere for no reason the story gives
        name = stranger_name(people, rng)
        place = rng.choice([place for place, _ in MOTIVES.values()])
        told.fact(f"{name} {w.move(rng, Place(place, True))}.")
        told.question(f"Why did {name} go to the {place}?", UNKNOWN)
    return told.lines


TASK_TYPES = {1: single_supporting_fact, 2: two_supporting_facts, 3: three_supporting_facts,
              4: two_arg_relations, 5: three_arg_relations, 6: yes_no_questions, 7: counting,
              8: lists_sets, 9: simple_negation, 10: indefinite_knowledge,
              11: basic_coreference, 12: conjunction, 13: compound_coreference,
              14: time_reasoning, 15: basic_deduction, 16: basic_induction,
              17: positional_reasoning, 18: size_reasoning, 19: path_finding,
              20: agents_motivations}
