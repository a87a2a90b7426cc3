"""Scoring on bAbI: accuracy, supporting facts and passes per task, beside the paper."""

from __future__ import annotations

from typing import TYPE_CHECKING

from askme.babi import UNKNOWN, Example

if TYPE_CHECKING:
    from askme.dmn.checkpoint import Checkpoint
    from askme.memory.answering import Answer

PASS_ERROR = 0.05  # a bAbI task is "passed" with under 5 % error (Weston et al. 2015)


# Test accuracy (%) on bAbI 1k with supporting-fact supervision, from Kumar et al. 2016,
# Table 1: the DMN, and the strongly supervised MemNN of Weston et al. 2015.
PAPER_DMN = {1: 100, 2: 98.2, 3: 95.2, 4: 100, 5: 99.3, 6: 100, 7: 96.9, 8: 96.5, 9: 100,
             10: 97.5, 11: 99.9, 12: 100, 13: 99.8, 14: 100, 15: 100, 16: 99.4, 17: 59.6,
             18: 95.3, 19: 34.5, 20: 100}
PAPER_MEMNN = {1: 100, 2: 100, 3: 100, 4: 100, 5: 98, 6: 100, 7: 85, 8: 91, 9: 100, 10: 98,
               11: 100, 12: 100, 13: 100, 14: 99, 15: 100, 16: 100, 17: 65, 18: 95, 19: 36,
               20: 100}


def supporting_facts_right(answer: Answer, supports, free_passes: int = 0) -> bool:
    """Every pass chose its supporting fact and the memory halted right after the last;
    the first `free_passes` passes (Supervision.free_pass_tasks) may choose anything."""
    k = free_passes + len(supports)
    return answer.passes == k and answer.choices[free_passes:k] == list(supports)


def evaluate(checkpoint: Checkpoint, examples: dict[int, list[Example]], batch_size: int = 256
             ) -> dict:
    """The report printed by `askme eval`: per task n, accuracy, gate accuracy, mean passes."""
    from askme.memory.answering import answer_examples

    from askme.dmn.batches import encode_example, supports_as_read

    flat = [(task, ex) for task, exs in examples.items() for ex in exs]
    answers = answer_examples(checkpoint, [ex for _, ex in flat], batch_size)
    words = checkpoint.model.config.sentence_words

    def supports(ex: Example, answer: Answer):
        """As the model reads the story: a sentence by words, or as facts, where a fact
        whose pronoun names the person of an earlier one tells both (Answer.merged)."""
        if len(ex.story) == 1 and (words or ex.word_level):
            return encode_example(checkpoint.tokenizer, ex, words).supports
        told_in = {earlier for fact, earlier in answer.merged if fact in ex.supports}
        return [s for s in supports_as_read(checkpoint.tokenizer, ex) if s not in told_in]
    free_tasks = checkpoint.supervision.get("free_pass_tasks") or []  # the trainer's
    tasks: dict[str, dict] = {}
    for task in examples:
        rows = [(ex, a) for (t, ex), a in zip(flat, answers) if t == task]
        n = len(rows)
        free = int(task in free_tasks)
        tasks[str(task)] = {
            "n": n,
            "accuracy": sum(a.text == ex.answer for ex, a in rows) / max(n, 1),
            "gate_accuracy": sum(supporting_facts_right(a, supports(ex, a), free) for ex, a in rows)
            / max(n, 1),
            "mean_passes": sum(a.passes for _, a in rows) / max(n, 1),
        }
    errors = [1 - t["accuracy"] for t in tasks.values()]
    report = {
        "tasks": tasks,
        "mean_error": sum(errors) / max(len(errors), 1),
        "passed": sum(e < PASS_ERROR for e in errors),
    }
    if any(ex.answer == UNKNOWN for _, ex in flat):  # a probe with unanswerable questions
        report["unknown"] = _unknown_counts([(ex, a) for (_, ex), a in zip(flat, answers)])
        for task in examples:
            tasks[str(task)]["unknown"] = _unknown_counts(
                [(ex, a) for (t, ex), a in zip(flat, answers) if t == task])
    return report


def _unknown_counts(rows) -> dict:
    answerable = [a.text == ex.answer for ex, a in rows if ex.answer != UNKNOWN]
    unanswerable = [a.text == UNKNOWN for ex, a in rows if ex.answer == UNKNOWN]
    return {"answerable": len(answerable), "answerable_right": sum(answerable),
            "unanswerable": len(unanswerable), "said_unknown": sum(unanswerable)}


def markdown_table(report: dict) -> str:
    """The report as a Markdown table beside the paper's DMN and MemNN (for model cards)."""
    from askme.babi import TASK_NAMES

    if "unknown" in report:
        return _probe_table(report)
    lines = ["| task | accuracy | supporting facts | mean passes | DMN (paper) | MemNN (paper) |",
             "|---|---:|---:|---:|---:|---:|"]
    for task, row in report["tasks"].items():
        t = int(task)
        lines.append(f"| {t} {TASK_NAMES.get(t, '')} | {100 * row['accuracy']:.1f} | "
                     f"{100 * row['gate_accuracy']:.1f} | {row['mean_passes']:.2f} | "
                     f"{PAPER_DMN[t]:g} | {PAPER_MEMNN[t]:g} |")
    tasks = [int(t) for t in report["tasks"]]
    mean = lambda table: sum(table[t] for t in tasks) / len(tasks)  # noqa: E731
    passed = lambda table: sum(table[t] >= 95 for t in tasks)  # noqa: E731
    ours = 100 * (1 - report["mean_error"])
    lines.append(f"| **mean accuracy** | **{ours:.1f}** | | | {mean(PAPER_DMN):.1f} | "
                 f"{mean(PAPER_MEMNN):.1f} |")
    lines.append(f"| **mean error** | **{100 * report['mean_error']:.1f}** | | | "
                 f"{100 - mean(PAPER_DMN):.2f} | {100 - mean(PAPER_MEMNN):.2f} |")
    lines.append(f"| **passed (error < 5 %)** | **{report['passed']}/{len(tasks)}** | | | "
                 f"{passed(PAPER_DMN)}/{len(tasks)} | {passed(PAPER_MEMNN)}/{len(tasks)} |")
    return "\n".join(lines) + "\n"


def _probe_table(report: dict) -> str:
    """A probe's table: per task type, the answerable questions answered right and the
    unanswerable ones answered 'unknown' (the paper has no column for either)."""
    from askme.babi import TASK_NAMES

    def share(right: int, n: int) -> str:
        return f"{right}/{n} ({100 * right / n:.1f} %)" if n else ""

    lines = ["| task type | answerable, right | unanswerable, 'unknown' | accuracy |",
             "|---|---:|---:|---:|"]
    for task, row in report["tasks"].items():
        counts = row["unknown"]
        lines.append(f"| {task} {TASK_NAMES.get(int(task), '')} | "
                     f"{share(counts['answerable_right'], counts['answerable'])} | "
                     f"{share(counts['said_unknown'], counts['unanswerable'])} | "
                     f"{100 * row['accuracy']:.1f} |")
    counts = report["unknown"]
    right = sum(round(row["accuracy"] * row["n"]) for row in report["tasks"].values())
    asked = sum(row["n"] for row in report["tasks"].values())
    lines.append(f"| **all** | **{share(counts['answerable_right'], counts['answerable'])}** | "
                 f"**{share(counts['said_unknown'], counts['unanswerable'])}** | "
                 f"**{100 * right / max(asked, 1):.1f}** |")
    return "\n".join(lines) + "\n"


def unknown_line(counts: dict) -> str:
    """How a probe with unanswerable questions went, in one line."""
    right, said = counts["answerable_right"], counts["said_unknown"]
    return (f"answerable questions right: {right}/{counts['answerable']} "
            f"({right / max(counts['answerable'], 1):.1%}); unanswerable ones answered "
            f"'unknown': {said}/{counts['unanswerable']} "
            f"({said / max(counts['unanswerable'], 1):.1%})")
