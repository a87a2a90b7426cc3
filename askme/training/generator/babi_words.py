"""bAbI's own words for the world simulation (tasks.World's `words`): its people, rooms,
three objects and four verbs of motion, told as bAbI tells tasks 1 and 2. The long-memory
benchmark's control: a model trained on bAbI alone reads these stories as its own."""

from __future__ import annotations

import random

from askme.training.generator.words import Person, Place

WOMEN = ("Mary", "Sandra", "Julie", "Lily", "Emily", "Gertrude", "Winona", "Jessica")
MEN = ("John", "Daniel", "Fred", "Bill", "Jeff", "Julius", "Greg", "Brian", "Bernhard",
       "Jason", "Antoine", "Yann", "Sumit")
ROOMS = ("kitchen", "bedroom", "office", "garden", "hallway", "bathroom")
THINGS = ("apple", "football", "milk")
TAKES = ("picked up the {}", "got the {}", "grabbed the {}", "took the {}")
DROPS = ("dropped the {}", "discarded the {}", "put down the {}", "left the {}")
SPECIES = {"mouse": "mice", "cat": "cats", "wolf": "wolves", "sheep": "sheep"}
WHERE_PERSON = ("Where is {x}?",)
WHERE_THING = ("Where is the {x}?",)


def people(rng: random.Random, n: int, animals: float = 0.0) -> list[Person]:
    chosen = rng.sample([(name, True) for name in WOMEN] + [(name, False) for name in MEN], n)
    return [Person(*who) for who in chosen]


def places(rng: random.Random, n: int, cities: bool = True) -> list[Place]:
    return [Place(name, True) for name in rng.sample(ROOMS, n)]


def move(rng: random.Random, place: Place, animal: bool = False) -> str:
    return rng.choice(("went to {}", "journeyed to {}", "travelled to {}", "moved to {}",
                       "went back to {}")).format(place.told)


def state(rng: random.Random, place: Place) -> str:
    return f"is in {place.told}"


def sentence(subject: str, predicate: str, rng: random.Random, opener: float = 0.0) -> str:
    text = f"{subject} {predicate}."
    return text[0].upper() + text[1:]
