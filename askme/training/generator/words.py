"""The words generated stories are told in: large pools, so that no name, place or thing is
special, and the many ways people say the same event."""

from __future__ import annotations

import random
from dataclasses import dataclass

WOMEN = ("Mary", "Sandra", "Julie", "Anna", "Alice", "Emma", "Sofia", "Yuki", "Fatima",
         "Priya", "Chloe", "Grace", "Lena", "Olga", "Amara", "Zoe", "Mia", "Nora", "Ines",
         "Leila", "Hannah", "Rosa", "Keiko", "Aisha", "Elena", "Maya", "Clara", "Ruth",
         "Ingrid", "Lucia", "Nadia", "Tara", "Beatrice", "Camille", "Daria", "Esther",
         "Freya", "Gloria", "Helen", "Irene")
MEN = ("John", "Daniel", "Tom", "Bill", "Fred", "Jeff", "Oliver", "Lucas", "Omar", "Hiro",
       "Pedro", "Samuel", "Victor", "Ivan", "Ahmed", "Kofi", "Liam", "Noah", "Ethan",
       "Mateo", "Arjun", "Felix", "George", "Hugo", "Isaac", "Jonas", "Karl", "Leo",
       "Marco", "Nikolai", "Oscar", "Paul", "Rafael", "Stefan", "Theo", "Umar", "Walter",
       "Xavier", "Yusuf", "Zane")
# Places told with "the": rooms, and places of a town.
ROOMS = ("kitchen", "garden", "bedroom", "bathroom", "hallway", "office", "cellar", "attic",
         "garage", "living room", "dining room", "study", "basement", "balcony", "pantry")
TOWN = ("library", "cafe", "park", "school", "cinema", "station", "market", "museum",
        "beach", "bakery", "gym", "church", "hospital", "bank", "airport", "harbour",
        "theatre", "stadium", "zoo", "farm", "forest", "post office", "supermarket",
        "restaurant", "pharmacy", "university", "hotel", "bridge", "square", "river")
# Places told without an article.
CITIES = ("Paris", "Berlin", "Tokyo", "Rome", "Madrid", "Lisbon", "Cairo", "Lagos", "Lima",
          "Oslo", "Vienna", "Prague", "Dublin", "Seoul", "Mumbai", "Sydney", "Toronto",
          "Boston", "Chicago", "Nairobi", "Athens", "Warsaw", "Istanbul", "Havana")
THINGS = ("apple", "football", "milk", "ball", "book", "laptop", "umbrella", "key",
          "phone", "wallet", "bottle", "cup", "hat", "bag", "camera", "guitar", "pen", "map",
          "letter", "ticket", "scarf", "lamp", "radio", "kite", "watch", "torch", "basket",
          "coin", "spoon", "newspaper", "sandwich", "candle", "hammer", "violin", "notebook",
          "jacket", "glasses", "parcel", "flower", "banana")
ANIMALS = ("cat", "dog", "mouse", "rabbit", "parrot", "hamster", "puppy", "kitten",
           "tortoise", "goldfish")
CONTAINERS = ("box", "basket", "drawer", "cupboard", "suitcase", "crate", "wardrobe", "car")

SEQUENCE = ("Then", "Afterwards,", "Later,", "After that,", "Next,", "Soon after,",
            "A bit later,")  # words that keep the telling order; never a time of day


@dataclass(frozen=True)
class Person:
    name: str
    female: bool

    @property
    def pronoun(self) -> str:
        return "she" if self.female else "he"


@dataclass(frozen=True)
class Place:
    name: str  # as answered: "kitchen", "living room", "Paris"
    article: bool  # told as "the kitchen"

    @property
    def told(self) -> str:
        return f"the {self.name}" if self.article else self.name


def people(rng: random.Random, n: int) -> list[Person]:
    chosen = rng.sample([(name, True) for name in WOMEN] + [(name, False) for name in MEN], n)
    return [Person(name, female) for name, female in chosen]


def places(rng: random.Random, n: int, cities: bool = True) -> list[Place]:
    """`n` places of one kind of story: rooms of a house, places of a town, or cities."""
    kind = rng.choice((ROOMS, TOWN, CITIES) if cities else (ROOMS, TOWN))
    return [Place(name, kind is not CITIES) for name in rng.sample(kind, n)]


# A move to a place, told many ways ("{}" is the place as told).
MOVES = ("went to {}", "walked to {}", "ran to {}", "moved to {}", "travelled to {}",
         "journeyed to {}", "headed to {}", "hurried to {}", "wandered to {}", "drove to {}",
         "cycled to {}", "rushed to {}", "strolled over to {}", "went back to {}",
         "returned to {}", "came back to {}", "made it to {}", "got to {}", "arrived at {}",
         "went over to {}")
FLIGHTS = ("flew to {}", "took a train to {}", "drove to {}", "travelled to {}",
           "went to {}", "moved to {}", "returned to {}", "arrived in {}")
STATES = ("is in {}", "is at {}", "is now in {}", "is currently in {}")
TAKES = ("picked up the {}", "took the {}", "grabbed the {}", "got the {}",
         "collected the {}", "fetched the {}", "picked the {} up", "took hold of the {}")
DROPS = ("put down the {}", "dropped the {}", "left the {}", "discarded the {}",
         "put the {} down", "set down the {}", "let go of the {}")
GIVES = ("gave the {thing} to {to}", "handed the {thing} to {to}",
         "passed the {thing} to {to}", "handed {to} the {thing}", "gave {to} the {thing}")


def move(rng: random.Random, place: Place) -> str:
    phrases = FLIGHTS if not place.article else MOVES
    return rng.choice(phrases).format(place.told)


def state(rng: random.Random, place: Place) -> str:
    return rng.choice(STATES if place.article else ("is in {}", "is now in {}")).format(place.told)


def sentence(subject: str, predicate: str, rng: random.Random, opener: float = 0.0) -> str:
    """'Subject predicate.', with a sequence word in front now and then (`opener`)."""
    text = f"{subject} {predicate}."
    if rng.random() < opener:
        text = f"{rng.choice(SEQUENCE)} {text}"
    return text[0].upper() + text[1:]


def count_word(n: int) -> str:
    return ("none", "one", "two", "three", "four", "five", "six")[n]


def ask(rng: random.Random, forms: tuple[str, ...], **names: str) -> str:
    """One of the ways to ask, now and then in lower case or without its question mark."""
    text = rng.choice(forms).format(**names)
    roll = rng.random()
    if roll < 0.1:
        text = text.lower()
    if roll < 0.05 or 0.1 <= roll < 0.15:
        text = text.rstrip("?")
    return text
