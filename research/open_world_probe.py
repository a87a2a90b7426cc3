"""How well does a model read stories told in words bAbI never uses?

    python research/open_world_probe.py [MODEL ...]     (default: the model askme uses without --model)

Four sets of 80 short stories, the same for every model (a fixed seed), each asking where
a person or a thing is, as bAbI tasks 1 and 2 ask:

- new verbs: the last move of the person asked about is told with a verb bAbI never uses
  ("Mary walked to the bedroom."), the other sentences with bAbI's own;
- new names: people, places and things bAbI never names ("Alice went to the library.
  Alice picked up the kettle. ... Where is the kettle?"), read through askme's entity
  slots, with bAbI's verbs;
- bAbI words: the new-names stories with bAbI's names, places and things in their places
  (the lists are as long, so the random draws are the same), the control;
- dropped: bAbI's words, where a thing is that its carrier dropped and then walked away
  from (bAbI task 2 with a longer walk: "Mary dropped the apple. Mary went to the office.
  Where is the apple?").

A model that only memorised bAbI's words scores well on the last set and poorly on the
first two. The numbers in models/babi-1k/README.md ("What fails") come from this script.
"""

from __future__ import annotations

import argparse
import random

PEOPLE = ["Mary", "John", "Daniel", "Sandra"]
PLACES = ["kitchen", "bedroom", "garden", "hallway", "office", "bathroom"]
THINGS = ["apple", "football", "milk"]
MOVES = ["went to", "travelled to", "journeyed to", "moved to", "went back to"]
NEW_MOVES = ["walked to", "ran to", "hurried to", "wandered to", "headed to", "strolled to",
             "rushed to", "walked back to"]
NEW_PEOPLE = ["Alice", "Bob", "Priya", "Omar"]
NEW_PLACES = ["library", "garage", "studio", "attic", "cellar", "porch"]
NEW_THINGS = ["umbrella", "laptop", "kettle"]

Story = tuple[list[str], str, str]  # facts, question, answer


def new_verb_stories(n: int = 80, seed: int = 0) -> list[Story]:
    rng = random.Random(seed)
    stories = []
    for _ in range(n):
        facts, where = [], {}
        for _ in range(rng.randint(2, 5)):
            person, place = rng.choice(PEOPLE), rng.choice(PLACES)
            facts.append(f"{person} {rng.choice(MOVES)} the {place}.")
            where[person] = place
            if rng.random() < 0.3:
                facts.append(f"{person} picked up the {rng.choice(THINGS)}.")
        person = rng.choice(list(where))
        place = rng.choice([p for p in PLACES if p != where[person]])
        facts.append(f"{person} {rng.choice(NEW_MOVES)} the {place}.")
        if rng.random() < 0.5:  # someone else moves after, so the answer is not the last fact
            other = rng.choice([p for p in PEOPLE if p != person])
            facts.append(f"{other} {rng.choice(MOVES)} the {rng.choice(PLACES)}.")
        stories.append((facts, f"Where is {person}?", place))
    return stories


def carrying_stories(people, places, things, n: int = 80, seed: int = 1) -> list[Story]:
    rng = random.Random(seed)
    stories = []
    for i in range(n):
        facts, where, holder = [], {}, {}
        for _ in range(rng.randint(3, 7)):
            person, place = rng.choice(people), rng.choice(places)
            facts.append(f"{person} {rng.choice(MOVES)} the {place}.")
            where[person] = place
            if rng.random() < 0.4 and len(holder) < len(things):
                thing = rng.choice([t for t in things if t not in holder])
                facts.append(f"{person} picked up the {thing}.")
                holder[thing] = person
        if holder and i % 2:  # where is a thing: where its carrier went last
            thing = rng.choice(list(holder))
            person = holder[thing]
            place = rng.choice([p for p in places if p != where[person]])
            facts.append(f"{person} went to the {place}.")
            stories.append((facts, f"Where is the {thing}?", place))
        else:
            person = rng.choice(list(where))
            stories.append((facts, f"Where is {person}?", where[person]))
    return stories


def dropped_stories(n: int = 80, seed: int = 2) -> list[Story]:
    rng = random.Random(seed)
    stories = []
    for _ in range(n):
        carrier, other = rng.sample(PEOPLE, 2)
        thing = rng.choice(THINGS)
        facts = [f"{carrier} {rng.choice(MOVES)} the {rng.choice(PLACES)}.",
                 f"{carrier} picked up the {thing}."]
        for _ in range(rng.randint(1, 3)):
            place = rng.choice(PLACES)
            facts.append(f"{carrier} {rng.choice(MOVES)} the {place}.")
            if rng.random() < 0.5:
                facts.append(f"{other} {rng.choice(MOVES)} the {rng.choice(PLACES)}.")
        facts.append(f"{carrier} dropped the {thing}.")
        for _ in range(rng.randint(0, 2)):  # walks away: the thing stays where it was dropped
            away = rng.choice([p for p in PLACES if p != place])
            facts.append(f"{carrier} {rng.choice(MOVES)} the {away}.")
        stories.append((facts, f"Where is the {thing}?", place))
    return stories


PROBES = {
    "new verbs": lambda: new_verb_stories(),
    "new names": lambda: carrying_stories(NEW_PEOPLE, NEW_PLACES, NEW_THINGS),
    "bAbI words": lambda: carrying_stories(PEOPLE, PLACES, THINGS),
    "dropped": lambda: dropped_stories(),
}


def score(checkpoint, stories: list[Story]) -> int:
    from askme.memory import answering

    return sum(answering.answer(checkpoint, facts, question).answer == expected
               for facts, question, expected in stories)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="model folders or shipped names (default: askme's own)")
    args = parser.parse_args(argv)
    from askme.memory import answering

    probes = {name: make() for name, make in PROBES.items()}
    print("model | " + " | ".join(probes))
    for folder in args.models or [None]:
        checkpoint = answering.load_model(folder)
        cells = [f"{score(checkpoint, stories)}/{len(stories)}" for stories in probes.values()]
        print(f"{folder or 'default'} | " + " | ".join(cells))


if __name__ == "__main__":
    main()
