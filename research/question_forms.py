"""How well does a model answer bAbI's questions asked in everyday forms?

    python research/question_forms.py [MODEL] [--babi DIR] [--count N]

Each of bAbI 1k's training questions of the listed kinds (its first N a kind and task) is
asked again in other forms of the same question ("How many objects is Mary carrying?" as
"How many things is Mary holding?"), the story unchanged; a line a form gives how many the
model answered right and its commonest wrong answers. Training stories, not the test: this
is for choosing reading rules (askme/dmn/entities.py, _QUESTION_FORMS), and the story is
what the model knows best, so what a form loses is the form's. The numbers in
docs/answers.md come from this script.
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


def main() -> None:
    from askme.babi import load_tasks
    from askme.dmn.checkpoint import load_checkpoint
    from askme.memory.answering import answer_examples
    from askme.paths import model_folder

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", nargs="?")
    parser.add_argument("--babi", type=Path, default=ROOT.parent / "shared" / "babi" / "en")
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    checkpoint = load_checkpoint(model_folder(args.model)[0])
    stories = load_tasks(args.babi, sorted({task for task, _, _ in KINDS}), "train")
    for task, babi, forms in KINDS:
        examples = [ex for ex in stories[task] if re.fullmatch(babi, ex.question)][:args.count]
        for form in forms:
            asked = [replace(ex, question=form.format(**re.fullmatch(babi, ex.question).groupdict()))
                     for ex in examples]
            said = [a.text for a in answer_examples(checkpoint, asked, 256)]
            wrong = Counter(a for a, ex in zip(said, asked) if a != ex.answer).most_common(3)
            right = sum(a == ex.answer for a, ex in zip(said, asked))
            print(f"{task:>2} {right:>4}/{len(asked):<4} {form:45} {wrong}", flush=True)


if __name__ == "__main__":
    main()
