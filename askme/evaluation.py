"""Batched answering and the per-task bAbI report."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from askme.babi import Example
from askme.checkpoint import Checkpoint
from askme.data import Encoded, collate, encode_example, length_batches
from askme.tokenizer import ANSWER_END_ID

PASS_ERROR = 0.05  # a bAbI task is "passed" with under 5 % error (Weston et al. 2015)


@dataclass
class Answer:
    text: str
    passes: int  # episodes used before the memory halted
    gates: list[list[float]]  # per pass run: sigmoid gate per fact, then end-of-passes
    choices: list[int]  # per pass run: argmax position (len(facts) means end-of-passes)


def decode_prediction(tokenizer, prediction, fact_counts: list[int]) -> list[Answer]:
    """One Answer per row of a Prediction; `fact_counts` drops each row's fact padding."""
    answers = []
    for row, n_facts in enumerate(fact_counts):
        tokens = prediction.answer_tokens[row].tolist()
        if ANSWER_END_ID in tokens:
            tokens = tokens[:tokens.index(ANSWER_END_ID)]
        passes = int(prediction.passes[row])
        ran = min(passes + 1, prediction.gates.size(1))
        keep = list(range(n_facts)) + [prediction.gates.size(2) - 1]
        choices = [min(int(c), n_facts) for c in prediction.choices[row, :ran]]
        answers.append(Answer(tokenizer.decode_answer(tokens), passes,
                              prediction.gates[row, :ran][:, keep].tolist(), choices))
    return answers


def answer_encoded(checkpoint: Checkpoint, items: list[Encoded], batch_size: int = 256
                   ) -> list[Answer]:
    """Answer every item; batches group stories of similar length."""
    model = checkpoint.model
    model.eval()
    answers: list[Answer | None] = [None] * len(items)
    with torch.inference_mode():
        for indices in length_batches(items, batch_size):
            prediction = model.predict(collate([items[i] for i in indices]))
            counts = [len(items[i].fact_positions) for i in indices]
            for index, answer in zip(indices, decode_prediction(checkpoint.tokenizer,
                                                                prediction, counts)):
                answers[index] = answer
    return answers  # type: ignore[return-value]


def supporting_facts_right(answer: Answer, supports) -> bool:
    """Every pass chose its supporting fact and the memory halted right after the last."""
    k = len(supports)
    return answer.passes == k and answer.choices[:k] == list(supports)


def evaluate(checkpoint: Checkpoint, examples: dict[int, list[Example]], batch_size: int = 256
             ) -> dict:
    """The report printed by `askme eval`: per task n, accuracy, gate accuracy, mean passes."""
    flat = [(task, ex) for task, exs in examples.items() for ex in exs]
    encoded = [encode_example(checkpoint.tokenizer, ex) for _, ex in flat]
    answers = answer_encoded(checkpoint, encoded, batch_size)
    tasks: dict[str, dict] = {}
    for task in examples:
        rows = [(ex, a) for (t, ex), a in zip(flat, answers) if t == task]
        n = len(rows)
        tasks[str(task)] = {
            "n": n,
            "accuracy": sum(a.text == ex.answer for ex, a in rows) / max(n, 1),
            "gate_accuracy": sum(supporting_facts_right(a, ex.supports) for ex, a in rows)
            / max(n, 1),
            "mean_passes": sum(a.passes for _, a in rows) / max(n, 1),
        }
    errors = [1 - t["accuracy"] for t in tasks.values()]
    return {
        "tasks": tasks,
        "mean_error": sum(errors) / max(len(errors), 1),
        "passed": sum(e < PASS_ERROR for e in errors),
    }
