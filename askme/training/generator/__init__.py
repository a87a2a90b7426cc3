"""Stories of our own for every bAbI task type, told the way people write (many verbs,
places with and without an article, pronouns, sequence words, questions in several forms,
some in lower case or without a question mark), with questions the story cannot answer
("unknown"). Written from the task definitions of Weston et al. 2015.

`generate(task, stories, seed)` gives bAbI-format lines, so everything that reads bAbI
(training, eval, `askme load`) reads them too.
"""

from __future__ import annotations

import random

from askme.training.generator.tasks import TASK_TYPES, UNKNOWN

__all__ = ["TASK_TYPES", "UNKNOWN", "generate"]


def generate(task: int, stories: int, seed: int = 0, unknown: float = 0.1) -> list[str]:
    """`stories` stories of bAbI task type `task` as bAbI-format lines; about `unknown` of
    the questions (after each question, by chance) are ones the story cannot answer. The
    same arguments give the same lines."""
    rng = random.Random(f"generate {task} {seed}")
    lines: list[str] = []
    for _ in range(stories):
        lines.extend(TASK_TYPES[task](rng, unknown))
    return lines
