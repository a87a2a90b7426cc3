"""How well does a model answer bAbI's stories told, or its questions asked, in everyday forms?

    python research/everyday_forms.py [MODEL] [--facts [--every]] [--new-things] [--tasks 2,7]
                                      [--babi DIR] [--count N]
    python research/everyday_forms.py [MODEL] --animals|--full-names|--cities [--tasks 1,6]
    python research/everyday_forms.py [MODEL] --put-in [--tasks 6,7,8]

Each of bAbI 1k's training questions of the listed kinds (its first N a kind and task) is
asked again in other forms of the same question ("How many objects is Mary carrying?" as
"How many things is Mary holding?"), the story unchanged; with --facts, the question is
bAbI's and the fact that answers it is told in other forms ("Mary went to the kitchen." as
"Mary arrived at the kitchen.", "Mary dropped the milk." as "Mary threw away the milk.").
A line a form gives how many the model answered right and its commonest wrong answers; the
first form of each kind is bAbI's own. With --new-things, bAbI's three things are told as
words the model never read as things (the violin, the basket, the torch), throughout the
story, question and answer, so that the entity slots must read them; with --every, every
fact of the kind is told in the form, not only the latest that answers the question.
With --animals, the person each question asks about is told as an animal ("Mary went to
the office." as "The dog went to the office.", "he" after it as "it"), in tasks 1, 6, 7,
8, 9 and 11 unless --tasks says others. With --full-names, every person has a surname or a
title ("Mary Lee", "Mr Brown"); with --cities, bAbI's six rooms are cities of two words
("went to the kitchen" as "went to New York"), in story, question and answer. With
--put-in, a thing put down is put somewhere ("Mary dropped the milk." as "Mary put the milk
in the box.", "Mary left the milk on the table."), and the story's facts are cut into
clauses as chat, load and ask --stdin store them (askme.stories.split_clauses), in tasks
6, 7 and 8 unless --tasks says others.
Training stories, not the test: this is for choosing reading rules (askme/dmn/entities.py:
_QUESTION_FORMS, _TOLD_FORMS, EntityMap._arrived), and the story is what the model knows
best, so what a form loses is the form's. The numbers in docs/answers.md and
docs/long-memories.md come from this script.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WHERE = (r"Where is (?P<x>[A-Z]\w+)\?", [
    "Where is {x}?", "Where's {x}?", "where is {x}", "Where is {x} now?", "Where is {x} right now?",
    "Where is {x} at the moment?", "Where can {x} be found?", "Where did {x} go?",
    "Where is {x} currently?", "Where would I find {x}?", "Where was {x} last seen?",
    "Where is {x} located?"])
# (task, bAbI's question, its forms; the first is bAbI's own)
KINDS = [(task, *WHERE) for task in (1, 11, 12, 13)] + [
    (2, r"Where is the (?P<t>\w+)\?", [
        "Where is the {t}?", "Where's the {t}?", "Where is the {t} now?", "where is the {t}",
        "Where can the {t} be found?", "Where is the {t} located?", "Where did the {t} end up?"]),
    (3, r"Where was the (?P<t>\w+) before the (?P<y>\w+)\?", [
        "Where was the {t} before the {y}?", "Where was the {t} before it was in the {y}?",
        "Where had the {t} been before the {y}?"]),
    (4, r"What is (?P<d>north|south|east|west) of the (?P<a>\w+)\?", [
        "What is {d} of the {a}?", "What is to the {d} of the {a}?", "What lies {d} of the {a}?",
        "What is located {d} of the {a}?", "Which room is {d} of the {a}?",
        "What place is {d} of the {a}?", "What is directly {d} of the {a}?"]),
    (4, r"What is the (?P<a>\w+) (?P<d>north|south|east|west) of\?", [
        "What is the {a} {d} of?", "What does the {a} lie {d} of?",
        "What is the {a} to the {d} of?", "The {a} is {d} of what?"]),
    (5, r"Who received the (?P<t>\w+)\?", [
        "Who received the {t}?", "Who got the {t}?", "Who was given the {t}?",
        "Who ended up with the {t}?"]),
    (5, r"Who gave the (?P<t>\w+)\?", [
        "Who gave the {t}?", "Who handed over the {t}?", "Who gave away the {t}?",
        "Who passed the {t}?"]),
    (5, r"What did (?P<x>\w+) give to (?P<y>\w+)\?", [
        "What did {x} give to {y}?", "What did {x} give {y}?", "What did {x} hand to {y}?",
        "What did {y} get from {x}?", "What did {y} receive from {x}?"]),
    (5, r"Who did (?P<x>\w+) give the (?P<t>\w+) to\?", [
        "Who did {x} give the {t} to?", "To whom did {x} give the {t}?",
        "Who did {x} hand the {t} to?"]),
    (6, r"Is (?P<x>\w+) in the (?P<y>\w+)\?", [
        "Is {x} in the {y}?", "Is {x} in the {y} now?", "Is {x} still in the {y}?",
        "Is {x} at the {y}?", "Is {x} currently in the {y}?", "Is {x} inside the {y}?"]),
    (7, r"How many objects is (?P<x>\w+) carrying\?", [
        "How many objects is {x} carrying?", "How many things is {x} holding?",
        "How many things does {x} have?", "how many items is {x} carrying",
        "How many objects does {x} have?", "How many items does {x} hold?",
        "How many things is {x} carrying now?", "how many things has {x} got"]),
    (8, r"What is (?P<x>\w+) carrying\?", [
        "What is {x} carrying?", "What is {x} holding?", "What does {x} have?",
        "What does {x} hold?", "What is {x} carrying right now?", "What has {x} got?",
        "What does {x} carry?", "What is {x} holding now?", "What things does {x} have?"]),
    (14, r"Where was (?P<x>\w+) before the (?P<y>\w+)\?", [
        "Where was {x} before the {y}?", "Where was {x} before going to the {y}?",
        "Where was {x} before they went to the {y}?"]),
    (15, r"What is (?P<x>\w+) afraid of\?", [
        "What is {x} afraid of?", "What is {x} scared of?", "What does {x} fear?",
        "What scares {x}?", "What frightens {x}?"]),
    (16, r"What color is (?P<x>\w+)\?", [
        "What color is {x}?", "What colour is {x}?", "What is the color of {x}?"]),
    (17, r"Is the (?P<a>.+?) (?P<rel>below|above) the (?P<b>.+?)\?", [
        "Is the {a} {rel} the {b}?", "Is the {a} located {rel} the {b}?"]),
    (18, r"Is the (?P<a>.+?) bigger than the (?P<b>.+?)\?", [
        "Is the {a} bigger than the {b}?", "Is the {a} larger than the {b}?",
        "Is the {b} smaller than the {a}?"]),
    (19, r"How do you go from the (?P<a>\w+) to the (?P<b>\w+)\?", [
        "How do you go from the {a} to the {b}?", "How do I get from the {a} to the {b}?",
        "What is the way from the {a} to the {b}?"]),
    (20, r"Where will (?P<x>\w+) go\?", [
        "Where will {x} go?", "Where is {x} going to go?", "Where will {x} go next?",
        "Where is {x} likely to go?", "Where would {x} go?"]),
    (20, r"Why did (?P<x>\w+) go to the (?P<y>\w+)\?", [
        "Why did {x} go to the {y}?", "Why has {x} gone to the {y}?", "Why is {x} in the {y}?"]),
    (20, r"Why did (?P<x>\w+) get the (?P<y>\w+)\?", [
        "Why did {x} get the {y}?", "Why did {x} take the {y}?", "Why did {x} pick up the {y}?"]),
]

_MOVE = r"(?P<x>[A-Z]\w+) (?:moved|went|journeyed|travelled|went back) to the (?P<p>\w+)\."
_TAKE = r"(?P<x>[A-Z]\w+) (?:picked up|got|took|grabbed) the (?P<t>\w+)(?: there)?\."
_DROP = r"(?P<x>[A-Z]\w+) (?:dropped|discarded|put down|left) the (?P<t>\w+)(?: there)?\."
_ARRIVALS = ["{x} went to the {p}.", "{x} is in the {p}.", "{x} is now in the {p}.",
             "{x} was in the {p}.", "{x} arrived at the {p}.", "{x} entered the {p}.",
             "{x} reached the {p}.", "{x} made her way to the {p}.", "{x} went over to the {p}.",
             "{x} ended up in the {p}.", "{x} visited the {p}.", "{x} went into the {p}.",
             "{x} got to the {p}.", "{x} came to the {p}."]
_WAY = r"The (?P<a>\w+) is (?P<d>north|south|east|west) of the (?P<b>\w+)\."
_KIND = r"(?P<x>[A-Z]\w+) is a (?P<k>\w+)\."
_DROPS = ["{x} dropped the {t}.", "{x} threw away the {t}.", "{x} threw the {t} away.",
          "{x} got rid of the {t}.", "{x} abandoned the {t}.", "{x} left behind the {t}.",
          "{x} no longer has the {t}.", "{x} put away the {t}.", "{x} released the {t}.",
          "{x} laid down the {t}.", "{x} set down the {t}.", "{x} let go of the {t}.",
          "{x} put the {t} down.", "{x} left the {t} there."]
# (task, bAbI's fact that answers the question, its forms; the first is bAbI's own)
FACTS = [
    (1, _MOVE, _ARRIVALS),
    (6, _MOVE, _ARRIVALS),
    (2, _TAKE, ["{x} picked up the {t}.", "{x} lifted the {t}.", "{x} obtained the {t}.",
                "{x} scooped up the {t}.", "{x} took hold of the {t}.", "{x} collected the {t}.",
                "{x} has the {t}.", "{x} is holding the {t}.", "{x} picked the {t} up.",
                "{x} grabbed hold of the {t}.", "{x} got hold of the {t}.",
                "{x} fetched the {t}."]),
    (8, _TAKE, ["{x} picked up the {t}.", "{x} lifted the {t}.", "{x} obtained the {t}."]),
    (8, _DROP, _DROPS),
    (7, _DROP, _DROPS),
    (4, _WAY, ["The {a} is {d} of the {b}.", "The {a} is to the {d} of the {b}.",
               "The {a} lies {d} of the {b}.", "The {a} is located {d} of the {b}.",
               "The {a} is directly {d} of the {b}."]),
    (19, _WAY, ["The {a} is {d} of the {b}.", "The {a} is to the {d} of the {b}.",
                "The {a} lies {d} of the {b}.", "The {a} is located {d} of the {b}."]),
    (15, _KIND, ["{x} is a {k}.", "{x} is one of the {k}s.", "{x} is a kind of {k}."]),
    (16, _KIND, ["{x} is a {k}.", "{x} is a kind of {k}.", "{x} happens to be a {k}."]),
    (16, r"(?P<x>[A-Z]\w+) is (?P<c>white|gray|yellow|green)\.", [
        "{x} is {c}.", "{x} is {c} in colour.", "{x} is {c} in color.", "{x} has a {c} colour.",
        "{x} is coloured {c}."]),
    (17, r"The (?P<a>[\w ]+?) is (?P<r>above|below|to the left of|to the right of) the "
         r"(?P<b>[\w ]+?)\.", ["The {a} is {r} the {b}.", "The {a} is located {r} the {b}.",
                               "The {a} sits {r} the {b}."]),
    (18, r"The (?P<a>[\w ]+?) fits inside the (?P<b>[\w ]+?)\.", [
        "The {a} fits inside the {b}.", "The {a} fits in the {b}.", "The {a} fits into the {b}."]),
    (20, r"(?P<x>[A-Z]\w+) is (?P<m>bored|thirsty|tired|hungry)\.", [
        "{x} is {m}.", "{x} feels {m}.", "{x} is feeling {m}.", "{x} is very {m}.", "{x} was {m}."]),
    (5, r"(?P<x>[A-Z]\w+) (?:gave|handed|passed) the (?P<t>\w+) to (?P<y>[A-Z]\w+)\.", [
        "{x} gave the {t} to {y}.", "{y} received the {t} from {x}.", "{y} got the {t} from {x}.",
        "{y} was given the {t} by {x}."]),
    (10, r"(?P<x>[A-Z]\w+) is either in the (?P<a>\w+) or the (?P<b>\w+)\.", [
        "{x} is either in the {a} or the {b}.", "{x} is perhaps in the {a} or the {b}."]),
    (12, r"(?P<x>[A-Z]\w+) and (?P<y>[A-Z]\w+) (?:moved|went|journeyed|travelled|went back) to "
         r"the (?P<p>\w+)\.", [
        "{x} and {y} went to the {p}.", "{x} and {y} both went to the {p}.",
        "{x} and {y} went to the {p} together.", "{x} and {y} are in the {p}."]),
    (9, r"(?P<x>[A-Z]\w+) is (?:not|no longer) in the (?P<p>\w+)\.", [
        "{x} is not in the {p}.", "{x} isn't in the {p}.", "{x} is not at the {p}.",
        "{x} is not inside the {p}.", "{x} is away from the {p}.",
        "{x} is nowhere near the {p}.", "{x} left the {p}.", "{x} has left the {p}."]),
]


# bAbI's things and words the model never read as things, for --new-things.
NEW_THINGS = {"apple": "violin", "milk": "basket", "football": "torch"}
_BABI_THING = re.compile(r"\b(" + "|".join(NEW_THINGS) + r")\b")


def told_throughout(example, told):
    """`example` with `told` applied to each fact of its story, its question and answer."""
    return replace(example, story=tuple(told(f) for f in example.story),
                   question=told(example.question), answer=told(example.answer))


def with_new_things(example):
    """`example` with bAbI's things told as NEW_THINGS, in its story, question and answer."""
    return told_throughout(example, lambda text: _BABI_THING.sub(
        lambda m: NEW_THINGS[m.group(1)], text))


# Animals for --animals, one drawn for each story (seeded).
ANIMALS_TOLD = ("dog", "cat", "rabbit", "horse", "parrot", "hamster", "goat", "fox")
_PERSON = re.compile(r"\b(Mary|John|Sandra|Daniel)\b")


def with_animals(examples, seed: int = 5):
    """Each example whose question names one of bAbI's people, that person told as an
    animal throughout its story and question; the first "he" or "she" of a fact right after
    one naming the animal as "it"."""
    import random

    rng = random.Random(seed)
    for ex in examples:
        asked = _PERSON.search(ex.question)
        if asked is None:
            continue
        animal = rng.choice(ANIMALS_TOLD)

        def told(text: str) -> str:
            text = re.sub(rf"^{asked.group()}\b", f"The {animal}", text)
            return re.sub(rf"\b{asked.group()}\b", f"the {animal}", text)
        story, after = [], False
        for fact in ex.story:
            fact = re.sub(r"\b([Hh]e|[Ss]he)\b", "it", told(fact), count=1) if after \
                else told(fact)
            after = animal in fact
            story.append(fact)
        yield replace(ex, story=tuple(story), question=told(ex.question))


SURNAMES = {"Mary": "Mary Lee", "John": "Mr Brown", "Sandra": "Sandra Okafor",
            "Daniel": "Dr. Daniel Weiss"}
CITIES = {"kitchen": "New York", "garden": "Los Angeles", "office": "Hong Kong",
          "hallway": "San Francisco", "bathroom": "Buenos Aires", "bedroom": "Tel Aviv"}


_ROOM = re.compile(r"\b(?:the )?(" + "|".join(CITIES) + r")\b")


def with_full_names(examples):
    for ex in examples:
        yield told_throughout(ex, lambda text: _PERSON.sub(lambda m: SURNAMES[m.group()], text))


def with_cities(examples):
    for ex in examples:
        yield told_throughout(ex, lambda text: _ROOM.sub(lambda m: CITIES[m.group(1)], text))


_PUT_DOWN = re.compile(r"^(\w+) (?:put down|dropped|discarded|left) the (\w+)\.$")


def put_in(examples, form: str | None):
    """Each example with a thing put down, every such fact told in `form` ("put the X in
    the box"; None: as bAbI tells it), its facts cut into clauses as askme stores typed
    ones."""
    from askme.stories import split_clauses

    for ex in examples:
        if any(_PUT_DOWN.match(fact) for fact in ex.story):
            story = list(ex.story)
            if form:
                verb, where = form.split(" the X ")
                story = [_PUT_DOWN.sub(rf"\1 {verb} the \2 {where}.", f) for f in story]
            yield replace(ex, story=tuple(c for f in story for c in split_clauses(f)),
                          supports=())


def retold(examples, fact: str, form: str, every: bool = False):
    """Each example with a supporting fact that reads `fact`, the latest such told in `form`
    (`every`: and every other fact that reads `fact` too, so a thing's first telling is)."""
    for ex in examples:
        for k in sorted(ex.supports, reverse=True):
            if re.fullmatch(fact, ex.story[k]):
                story = list(ex.story)
                for j in range(len(story)) if every else (k,):
                    said = re.fullmatch(fact, story[j])
                    if said:
                        story[j] = form.format(**said.groupdict())
                yield replace(ex, story=tuple(story))
                break


def main() -> None:
    from askme.babi import load_tasks
    from askme.dmn.checkpoint import load_checkpoint
    from askme.memory.answering import answer_examples
    from askme.paths import model_folder

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", nargs="?")
    parser.add_argument("--babi", type=Path, default=ROOT.parent / "shared" / "babi" / "en")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--facts", action="store_true", help="forms of the facts, not the questions")
    parser.add_argument("--new-things", action="store_true",
                        help="bAbI's things told as words the model never read as things")
    parser.add_argument("--every", action="store_true",
                        help="with --facts: every fact of the kind told in the form, not the last")
    parser.add_argument("--tasks", help="only these tasks, e.g. 2,7,8")
    parser.add_argument("--animals", action="store_true",
                        help="the person asked about told as an animal")
    parser.add_argument("--full-names", action="store_true",
                        help="every person with a surname or a title")
    parser.add_argument("--cities", action="store_true", help="bAbI's rooms as cities of two words")
    parser.add_argument("--put-in", action="store_true",
                        help="a thing put down told as put somewhere, cut into clauses")
    args = parser.parse_args()
    checkpoint = load_checkpoint(model_folder(args.model)[0])
    if args.put_in:
        tasks = [int(t) for t in (args.tasks or "6,7,8").split(",")]
        for task, examples in load_tasks(args.babi, tasks, "train").items():
            for form in (None, "put the X in the box", "left the X on the table"):
                asked = list(put_in(examples, form))[:args.count]
                said = [a.text for a in answer_examples(checkpoint, asked, 256)]
                right = sum(a == ex.answer for a, ex in zip(said, asked))
                print(f"{task:>2} {right:>4}/{len(asked):<4} {form or 'as bAbI tells it'}",
                      flush=True)
        return
    retelling = (args.animals and ("the person asked about told as an animal", with_animals)
                 or args.full_names and ("people with surnames and titles", with_full_names)
                 or args.cities and ("rooms as cities of two words", with_cities))
    if retelling:
        name, retell = retelling
        tasks = [int(t) for t in (args.tasks or "1,6,7,8,9,11").split(",")]
        for task, examples in load_tasks(args.babi, tasks, "train").items():
            if args.animals:
                examples = [ex for ex in examples if _PERSON.search(ex.question)]
            examples = examples[:args.count]
            for form, asked in (("as bAbI tells it", examples), (name, list(retell(examples)))):
                said = [a.text for a in answer_examples(checkpoint, asked, 256)]
                right = sum(a == ex.answer for a, ex in zip(said, asked))
                print(f"{task:>2} {right:>4}/{len(asked):<4} {form}", flush=True)
        return
    kinds = FACTS if args.facts else KINDS
    if args.tasks:
        kinds = [k for k in kinds if k[0] in {int(t) for t in args.tasks.split(",")}]
    stories = load_tasks(args.babi, sorted({task for task, _, _ in kinds}), "train")
    if args.new_things:
        stories = {task: [with_new_things(ex) for ex in examples]
                   for task, examples in stories.items()}

    def line(task: int, form: str, asked) -> None:
        said = [a.text for a in answer_examples(checkpoint, asked, 256)]
        wrong = Counter(a for a, ex in zip(said, asked) if a != ex.answer).most_common(3)
        right = sum(a == ex.answer for a, ex in zip(said, asked))
        print(f"{task:>2} {right:>4}/{len(asked):<4} {form:45} {wrong}", flush=True)

    for task, babi, forms in kinds:
        for form in forms:
            if args.facts:
                line(task, form, list(retold(stories[task], babi, form, args.every))[:args.count])
                continue
            examples = [ex for ex in stories[task] if re.fullmatch(babi, ex.question)]
            line(task, form, [replace(ex, question=form.format(**re.fullmatch(
                babi, ex.question).groupdict())) for ex in examples[:args.count]])


if __name__ == "__main__":
    main()
