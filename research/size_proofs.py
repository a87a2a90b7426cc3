"""How many proofs does a bAbI task 18 (size reasoning) question have, and which one is labelled?

    python research/size_proofs.py [--data ../shared/babi/en] [--model babi-1k]

A task 18 question ("Is the chest bigger than the chocolate?") is labelled with two
supporting facts that chain its two containers through a third ("The chocolate fits inside
the box.", "The box fits inside the chest."). Often the story holds several such chains,
each as good a proof as the labelled one. This script counts them, asks how well any rule
on fact positions (chosen on the training file) predicts the labelled chain among them, and,
with --model, how often the model's passes pick the labelled facts and how often a valid
proof. The numbers in models/babi-1k/README.md ("What fails") come from this script.
"""

from __future__ import annotations

import argparse
import itertools
import re
from collections import Counter
from pathlib import Path

from askme.babi import Example, load_tasks
from askme.training.retell import CONTAINERS

# Longest name first, so "box of chocolates" is not read as "box".
CONTAINER = "(" + "|".join(sorted(CONTAINERS, key=len, reverse=True)) + ")"
FITS = re.compile(rf"The {CONTAINER} fits inside the {CONTAINER}\.")
BIGGER = re.compile(rf"The {CONTAINER} is bigger than the {CONTAINER}\.")
NAMED = re.compile(rf"\bthe {CONTAINER}\b")

Chain = tuple[int, int]  # (fact with the smaller end, fact with the bigger end), story indices

# Each rule ranks a question's chains by fact positions; ties split the credit.
POSITIONS = {"smaller-end fact": lambda c: c[0], "bigger-end fact": lambda c: c[1],
             "earlier fact": min, "later fact": max}


def smaller_bigger(fact: str) -> tuple[str, str]:
    if match := FITS.fullmatch(fact):
        return match.group(1), match.group(2)
    if match := BIGGER.fullmatch(fact):
        return match.group(2), match.group(1)
    raise ValueError(f"not a size fact: {fact!r}")


def proofs(example: Example) -> list[Chain]:
    """Every pair of facts that chains the question's two containers through a third."""
    pairs = [smaller_bigger(fact) for fact in example.story]
    ends = set(NAMED.findall(example.question.lower()))
    return [(i, j) for (i, (small, mid)), (j, (mid_again, big))
            in itertools.product(enumerate(pairs), repeat=2)
            if i != j and mid == mid_again and {small, big} == ends]


def rule_score(rule, questions: list[tuple[list[Chain], frozenset[int]]]) -> float:
    """Share of questions whose labelled supports are the chain `rule` ranks first (a
    question with no proof counts as missed)."""
    score = 0.0
    for chains, label in questions:
        if not chains:
            continue
        first = min(map(rule, chains))
        winners = [frozenset(c) for c in chains if rule(c) == first]
        score += (label in winners) / len(winners)
    return score / len(questions)


def best_rule(questions, levels: int = 3):
    """The lexicographic position rule (up to `levels` keys) that scores best on `questions`."""
    best = (-1.0, "", None)
    for n in range(1, levels + 1):
        for keys in itertools.product(POSITIONS.items(), (1, -1), repeat=n):
            pairs = list(zip(keys[::2], keys[1::2]))
            rule = lambda c, pairs=pairs: tuple(sign * key(c) for (_, key), sign in pairs)
            name = ", then ".join(f"{'earliest' if sign > 0 else 'latest'} {what}"
                                  for (what, _), sign in pairs)
            best = max(best, (rule_score(rule, questions), name, rule), key=lambda b: b[0])
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/babi/en"), help="a bAbI folder")
    parser.add_argument("--model", type=Path, help="also score this model's passes")
    args = parser.parse_args()
    split = {name: load_tasks(args.data, [18], name)[18] for name in ("train", "test")}
    labelled = {name: [(proofs(ex), frozenset(ex.supports)) for ex in examples]
                for name, examples in split.items()}
    test = labelled["test"]
    counts = Counter(len(chains) for chains, _ in test)
    several = sum(n for k, n in counts.items() if k > 1)
    print(f"test questions: {len(test)}; with one proof: {counts[1]}; with several: {several} "
          f"({', '.join(f'{n} with {k}' for k, n in sorted(counts.items()) if k > 1)})")
    print(f"labelled supports that are a proof: {sum(label in map(frozenset, c) for c, label in test)}")
    print(f"a perfect reasoner guessing among the proofs: {100 * rule_score(lambda c: 0, test):.1f} %")
    train_score, name, rule = best_rule(labelled["train"])
    print(f"best position rule on train ({100 * train_score:.1f} %): {name}; "
          f"on test: {100 * rule_score(rule, test):.1f} %")
    if args.model is not None:
        from askme.dmn.checkpoint import load_checkpoint
        from askme.evaluation import supporting_facts_right
        from askme.memory.answering import answer_examples

        answers = answer_examples(load_checkpoint(args.model), split["test"])
        in_order = sum(supporting_facts_right(a, ex.supports) for a, ex in zip(answers, split["test"]))
        proof = sum(a.passes == 2 and frozenset(a.choices[:2]) in map(frozenset, chains)
                    for a, (chains, _) in zip(answers, test))
        print(f"model: labelled supports in order {100 * in_order / len(test):.1f} %; "
              f"a valid proof {100 * proof / len(test):.1f} %")


if __name__ == "__main__":
    main()
