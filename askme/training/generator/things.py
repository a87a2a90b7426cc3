"""Things as the subjects of a story ("The keys are on the table.", "Anna put the book in
the drawer."), asked where they are (task type 1 told about things, not people).

A kind of story of its own, beside askme.training.generator.tasks, so the stories the
shipped model was trained on stay as they were; the data step `things_placed` adds them.
"""

from __future__ import annotations

import random

from askme.babi import UNKNOWN
from askme.training.generator import words as w
from askme.training.generator.tasks import Telling

PLURAL_THINGS = ("keys", "glasses", "scissors", "shoes", "socks", "gloves", "papers",
                 "headphones", "sunglasses", "boots")
# Where a thing can lie, with the word that puts it there.
SPOTS = {"table": "on", "shelf": "on", "desk": "on", "sofa": "on", "bed": "under",
         "counter": "on", "chair": "on", "windowsill": "on", "drawer": "in", "box": "in",
         "cupboard": "in", "basket": "in", "bag": "in", "fridge": "in", "wardrobe": "in",
         "suitcase": "in", "sink": "in", "floor": "on"}
# Things told in the singular: none that is also a spot ("the bag in the bag") or that has
# a plural twin among PLURAL_THINGS ("key" and "keys", "glasses").
# Animals too: "The cat is in the box." (issue 32) is told as a thing would be.
SINGULAR_THINGS = tuple(t for t in w.THINGS + w.ANIMALS if t not in SPOTS
                        and t not in PLURAL_THINGS and t + "s" not in PLURAL_THINGS)
STATES = ("{the} {is} {at} the {spot}.", "{the} {is} {at} the {spot} now.",
          "{the} {is} lying {at} the {spot}.")
PUTS = ("{who} put {the_lower} {at} the {spot}.", "{who} left {the_lower} {at} the {spot}.",
        "{who} placed {the_lower} {at} the {spot}.", "{who} moved {the_lower} to the {spot}.",
        "{who} dropped {the_lower} {at} the {spot}.")
WHERE = ("Where {is} {the_lower}?", "Where {is} {the_lower} now?", "Where can I find "
         "{the_lower}?", "Where did {who} put {the_lower}?")


def things_placed(rng: random.Random, unknown: float = 0.1) -> list[str]:
    """Three or four things put here and there, with a question after every event or two
    about where one of them is now; now and then (`unknown`) one about a thing never told."""
    told = Telling(rng)
    things = (rng.sample(SINGULAR_THINGS, rng.randint(1, 3))
              + rng.sample(PLURAL_THINGS, rng.randint(1, 2)))
    spots = rng.sample(sorted(SPOTS), 4)
    people = [p.name for p in w.people(rng, 2)]
    where: dict[str, tuple[str, int, str | None]] = {}  # thing: (spot, fact, who put it)
    asked = 0
    while asked < 5:
        for _ in range(rng.randint(1, 2)):
            thing = rng.choice(things)
            spot = rng.choice([s for s in spots if s != where.get(thing, ("",))[0]])
            names = {"the": f"The {thing}", "the_lower": f"the {thing}", "spot": spot,
                     "at": SPOTS[spot], "is": "are" if thing in PLURAL_THINGS else "is",
                     "who": rng.choice(people)}
            if rng.random() < 0.5:
                fact = told.fact(rng.choice(STATES).format(**names))
                where[thing] = (spot, fact, None)
            else:
                fact = told.fact(rng.choice(PUTS).format(**names))
                where[thing] = (spot, fact, names["who"])
        thing = rng.choice(sorted(where))
        spot, fact, who = where[thing]
        forms = WHERE if who else WHERE[:-1]
        told.question(w.ask(rng, forms, the_lower=f"the {thing}", who=who or "",
                            **{"is": "are" if thing in PLURAL_THINGS else "is"}), spot, [fact])
        asked += 1
        if rng.random() < unknown:
            stranger = rng.choice([t for t in SINGULAR_THINGS + PLURAL_THINGS if t not in things])
            told.question(w.ask(rng, WHERE[:2], the_lower=f"the {stranger}",
                                **{"is": "are" if stranger in PLURAL_THINGS else "is"}), UNKNOWN)
    return told.lines


def generate_things(stories: int, seed: int = 0, unknown: float = 0.1) -> list[str]:
    rng = random.Random(f"things placed {seed}")
    lines: list[str] = []
    for _ in range(stories):
        lines.extend(things_placed(rng, unknown))
    return lines
