"""Entity shuffling: a training-time augmentation that renames bAbI's people, places,
objects, animals, colours and shapes, consistently within each question, by another of
the same kind.

bAbI 1k gives 900 training questions a task, few enough that a model can learn "kitchen
north of office -> s" by heart instead of reading which place the question starts from.
Renaming every story at random (each epoch anew) keeps the reasoning and removes the
shortcut. It works on token ids, after tokenizing: every entity word is one sentencepiece
piece, so a renaming is a lookup table.
"""

from __future__ import annotations

import dataclasses

import torch

from askme.babi import ENTITY_WORDS
from askme.dmn.model import Batch

# Task 20 ties places and objects to motives (hungry -> kitchen, apple): only its actors
# may be renamed.
TASK_CATEGORIES = {20: ("actor",)}

# The spatial tasks read the same in a mirror: task 19's compass under any rotation or
# reflection (north -> east -> south -> west, with the answers' n/e/s/w alike), task 17's
# picture flipped left-right or upside-down. Each list is in cyclic order, so a symmetry
# maps position i to (±i + shift) mod 4; `flips` only allows the two mirror pairs.
SYMMETRIES = {
    19: {"cycle": (("north", "east", "south", "west"), ("n", "e", "s", "w")), "flips": False},
    17: {"cycle": (("above", "right", "below", "left"),), "flips": True},
}


class EntityShuffler:
    def __init__(self, tokenizer):
        self.vocab_size = tokenizer.vocab_size
        self.symmetries = {}  # task -> (forms, 4) piece ids of its cyclic words
        for task, spec in SYMMETRIES.items():
            ids = [[tokenizer.encode(word) for word in words] for words in spec["cycle"]]
            if all(len(i) == 1 for row in ids for i in row):
                self.symmetries[task] = (torch.tensor([[i[0] for i in row] for row in ids]),
                                         spec["flips"])
        # Per category, groups of words whose same forms (lower case, capitalised) are single
        # pieces; a renaming permutes a group, so each form maps to a piece of the same form.
        self.groups: dict[str, list[torch.Tensor]] = {}
        for category, words in ENTITY_WORDS.items():
            by_forms: dict[tuple[bool, ...], list[list[int]]] = {}
            for word in words:
                forms = (word.lower(), word[0].upper() + word[1:])
                ids = [tokenizer.encode(form) for form in forms]
                single = tuple(len(i) == 1 and i[0] > 4 for i in ids)
                if any(single):
                    by_forms.setdefault(single, []).append(
                        [i[0] if ok else -1 for i, ok in zip(ids, single)])
            self.groups[category] = [torch.tensor(rows) for rows in by_forms.values()
                                     if len(rows) > 1]

    def tables(self, tasks: list[int], generator: torch.Generator,
               share: float | torch.Tensor = 1.0) -> torch.Tensor:
        """One id -> id lookup table per question (B, V): a fresh random renaming for a
        `share` of the questions (one for all, or (B,) one a question), the identity for
        the rest."""
        tables = torch.arange(self.vocab_size).repeat(len(tasks), 1)
        chosen = torch.rand(len(tasks), generator=generator) < share
        for row, task in enumerate(tasks):
            if not chosen[row]:
                continue
            for category in TASK_CATEGORIES.get(task, ENTITY_WORDS):
                for group in self.groups[category]:  # (words, forms) piece ids, -1 = none
                    order = torch.randperm(len(group), generator=generator)
                    for form in range(group.size(1)):
                        source, target = group[:, form], group[order, form]
                        tables[row, source[source >= 0]] = target[source >= 0]
            if task in self.symmetries:
                cycle, flips = self.symmetries[task]
                position = torch.arange(4)
                if flips:  # the two mirrors: swap positions (0, 2) and/or (1, 3)
                    swap = torch.randint(2, (2,), generator=generator)
                    position = torch.tensor([2 * swap[0], 1 + 2 * swap[1], 2 - 2 * swap[0],
                                             3 - 2 * swap[1]])
                else:  # any of the 8 rotations and reflections of the compass
                    sign = 1 - 2 * int(torch.randint(2, (1,), generator=generator))
                    position = (sign * position + torch.randint(4, (1,), generator=generator)) % 4
                tables[row, cycle.flatten()] = cycle[:, position].flatten()
        return tables

    def apply(self, batch: Batch, tasks: list[int], generator: torch.Generator,
              share: float | torch.Tensor = 1.0) -> Batch:
        tables = self.tables(tasks, generator, share)
        rename = lambda ids: tables.gather(1, ids)  # noqa: E731  (B, *) ids -> renamed ids
        return dataclasses.replace(batch, story=rename(batch.story),
                                   question=rename(batch.question),
                                   answer=None if batch.answer is None else rename(batch.answer))
