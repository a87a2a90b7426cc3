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
    """Whoever moves in a story: a person, or an animal ("the cat", female None)."""

    name: str
    female: bool | None

    @property
    def pronoun(self) -> str:
        return {True: "she", False: "he", None: "it"}[self.female]


@dataclass(frozen=True)
class Place:
    name: str  # as answered: "kitchen", "living room", "Paris", "home"
    article: bool  # told as "the kitchen"

    @property
    def told(self) -> str:
        return f"the {self.name}" if self.article else self.name


BARE = ("home", "work", "school")  # places told with no article: "went home", "is at work"


def at(place: Place) -> str:
    """Being there: "in the kitchen", "in Paris", "at home"."""
    return f"at {place.told}" if place.name in BARE else f"in {place.told}"


def people(rng: random.Random, n: int, animals: float = 0.0) -> list[Person]:
    """`n` people; each may instead be an animal ("the cat") with chance `animals`."""
    chosen = rng.sample([(name, True) for name in WOMEN] + [(name, False) for name in MEN], n)
    pets = iter(rng.sample(ANIMALS, n))
    return [Person(f"the {next(pets)}", None) if rng.random() < animals else Person(*who)
            for who in chosen]


def places(rng: random.Random, n: int, cities: bool = True, bare: bool = True) -> list[Place]:
    """`n` places of one kind of story: rooms of a house, places of a town, or cities; with
    `bare`, a town or a city story may have home, work or school among them."""
    kind = rng.choice((ROOMS, TOWN, CITIES) if cities else (ROOMS, TOWN))
    chosen = [Place(name, kind is not CITIES) for name in rng.sample(kind, n)]
    if bare and kind is not ROOMS and rng.random() < 0.5:
        bare = rng.sample(BARE, rng.randint(1, 2))
        chosen[:len(bare)] = [Place(name, False) for name in bare]
    return chosen


# A move to a place, told many ways ("{}" is the place as told).
MOVES = ("went to {}", "walked to {}", "ran to {}", "moved to {}", "travelled to {}",
         "journeyed to {}", "headed to {}", "hurried to {}", "wandered to {}", "drove to {}",
         "cycled to {}", "rushed to {}", "strolled over to {}", "went back to {}",
         "returned to {}", "came back to {}", "made it to {}", "got to {}", "arrived at {}",
         "went over to {}", "went into {}", "ran into {}", "went out to {}",
         "took a taxi to {}")
FLIGHTS = ("flew to {}", "took a train to {}", "took the train to {}", "drove to {}",
           "travelled to {}", "went to {}", "moved to {}", "returned to {}", "arrived in {}")
HOME = ("went home", "came home", "got home", "headed home", "went back home",
        "returned home", "walked home", "drove home")
TO_BARE = ("went to {}", "walked to {}", "drove to {}", "cycled to {}", "headed to {}",
           "got to {}", "came back to {}", "went back to {}", "rushed to {}")
STATES = ("is in {}", "is at {}", "is now in {}", "is currently in {}")
ANIMAL_MOVES = ("went to {}", "ran to {}", "ran into {}", "went into {}", "wandered into {}",
                "crept into {}", "jumped into {}", "walked into {}")
TAKES = ("picked up the {}", "took the {}", "grabbed the {}", "got the {}",
         "collected the {}", "fetched the {}", "picked the {} up", "took hold of the {}")
DROPS = ("put down the {}", "dropped the {}", "left the {}", "discarded the {}",
         "put the {} down", "set down the {}", "let go of the {}")
GIVES = ("gave the {thing} to {to}", "handed the {thing} to {to}",
         "passed the {thing} to {to}", "handed {to} the {thing}", "gave {to} the {thing}")


def move(rng: random.Random, place: Place, animal: bool = False) -> str:
    if place.name == "home":
        return rng.choice(("went home", "ran home") if animal else HOME)
    if place.name in BARE:
        return rng.choice(("went to {}", "ran to {}") if animal else TO_BARE).format(place.told)
    if not place.article:
        return rng.choice(FLIGHTS).format(place.told)
    return rng.choice(ANIMAL_MOVES if animal else MOVES).format(place.told)


def state(rng: random.Random, place: Place) -> str:
    if place.name in BARE:
        return rng.choice(("is at {}", "is now at {}")).format(place.told)
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
