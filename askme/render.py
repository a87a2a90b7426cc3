"""Rich output for the command line: the eval table and the training progress bar.

Rich drops colour and escape codes by itself when the output is not a terminal and when
NO_COLOR is set, so a pipe receives plain text.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

from rich.console import Console, Group
from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn, TransferSpeedColumn)
from rich.table import Table
from rich.text import Text

from askme.babi import TASK_NAMES
from askme.evaluation import PASS_ERROR, unknown_line
from askme.visible import visible


PIPE_WIDTH = 100  # Rich assumes 80 columns off a terminal, which squeezes the eval table


def stdout() -> Console:
    console = Console()
    if not console.is_terminal:
        console.width = max(console.width, PIPE_WIDTH)
    return console


def stderr() -> Console:
    return Console(stderr=True)


def eval_table(report: dict) -> Table:
    table = Table(title="bAbI test results", title_justify="left")
    table.add_column("task", justify="right")
    table.add_column("name", no_wrap=True)
    table.add_column("questions", justify="right")
    table.add_column("accuracy", justify="right")
    table.add_column("error %", justify="right")
    table.add_column("passed", justify="center")
    table.add_column("supporting\nfacts", justify="right")
    table.add_column("mean\npasses", justify="right")
    for task, row in report["tasks"].items():
        error = 1 - row["accuracy"]
        passed = error < PASS_ERROR
        table.add_row(task, TASK_NAMES.get(int(task), ""), str(row["n"]),
                      f"{row['accuracy']:.1%}", f"{100 * error:.1f}",
                      "[green]yes[/]" if passed else "[red]no[/]",
                      f"{row['gate_accuracy']:.1%}", f"{row['mean_passes']:.2f}")
    table.add_section()
    table.add_row("", "mean", str(sum(r["n"] for r in report["tasks"].values())), "",
                  f"{100 * report['mean_error']:.1f}",
                  f"{report['passed']}/{len(report['tasks'])}", "", "", style="bold")
    if "unknown" in report:
        table.caption, table.caption_justify = unknown_line(report["unknown"]), "left"
    return table


@contextmanager
def training_progress(epochs: int):
    """A progress bar on stderr (one plain line per epoch when stderr is not a terminal, so
    logs show progress); yields the callback that `askme.training.loop.train` reports to."""
    console = stderr()
    if not console.is_terminal:
        def log(r) -> None:
            weak = " ".join(f"{t}:{100 * a:.0f}" for t, a in r.val_by_task.items() if a < 0.95)
            console.print(f"epoch {r.epoch}/{epochs}  loss {r.loss:.3f}  val {r.val_accuracy:.1%}  "
                          f"best {r.best_accuracy:.1%}  lr {r.lr:.1e}  {r.rate:.0f} q/s  {r.seconds:.0f} s"
                          + (f"  below 95%: {weak}" if weak else ""),
                          soft_wrap=True, highlight=False)
        yield log
        return
    progress = Progress(
        TextColumn("[bold]epoch {task.completed:.0f}/{task.total:.0f}"), BarColumn(),
        TextColumn("loss {task.fields[loss]}  val {task.fields[val]}  best {task.fields[best]}  "
                   "lr {task.fields[lr]}"),
        TimeElapsedColumn(), console=console, transient=False)
    task = progress.add_task("train", total=epochs, loss="-", val="-", best="-",
                             lr="-")

    def report(epoch_report) -> None:
        progress.update(task, completed=epoch_report.epoch, loss=f"{epoch_report.loss:.3f}",
                        val=f"{epoch_report.val_accuracy:.1%}",
                        best=f"{epoch_report.best_accuracy:.1%}", lr=f"{epoch_report.lr:.1e}")

    with progress:
        yield report
        progress.update(task, total=progress.tasks[0].completed)


@contextmanager
def download_progress():
    """A download bar on stderr where stderr is a terminal; yields `progress(done, total)`."""
    console = stderr()
    progress = Progress(TextColumn("[bold]downloading bAbI"), BarColumn(), DownloadColumn(),
                        TransferSpeedColumn(), TimeRemainingColumn(), console=console,
                        transient=True, disable=not console.is_terminal)
    task = progress.add_task("download", total=None)

    def report(done: int, total: int | None) -> None:
        progress.update(task, completed=done, total=total)

    with progress:
        yield report


BAR_WIDTH = 8  # characters of the gate bar in the episode table
SHOWN_GATE = 0.1  # on a long memory, facts no pass gives this much are hidden first


def gate_cell(gate: float, chosen: bool) -> Text:
    """The gate as a bar the eye can scan; the fact a pass chose is bold and marked."""
    full = round(gate * BAR_WIDTH)
    bar = "█" * full + "·" * (BAR_WIDTH - full)
    style = "bold green" if chosen else ("dim" if gate < SHOWN_GATE else "")
    return Text(f"{bar} {gate:.2f}" + (" ◀" if chosen else "  "), style=style)


def _caption(explanation, hidden: int = 0, highest: float = 0.0) -> str:
    caption = ""
    if explanation.unnamed:
        caption = (f"no fact names {_listed(explanation.unnamed)}, so the answer is unknown; "
                   "the passes: ")
    elif explanation.unsupported:
        caption = (f"the model said {visible(explanation.unsupported)}, which no fact names, "
                   "so the answer is unknown; the passes: ")
    elif explanation.no_person:
        caption = (f"the model said {visible(explanation.no_person)}, which is no person, "
                   "so the answer is unknown; the passes: ")
    elif explanation.unfound:
        caption = (f"the model said {visible(explanation.unfound)}, but pass "
                   f"{explanation.empty_pass()} found no fact to rest it on, so the answer is "
                   "unknown; the passes: ")
    elif explanation.off_kind:
        caption = (f"the model said {visible(explanation.off_kind)}, which answers no question "
                   "of this kind, so the answer is unknown; the passes: ")
    if explanation.halted:
        caption += (f"halted after {explanation.passes} episode"
                    f"{'s' * (explanation.passes != 1)}: pass {len(explanation.episodes)} "
                    "chose end-of-passes")
    else:
        caption += f"stopped at the limit of {explanation.passes} passes without halting"
    caption += f"; answer confidence {explanation.confidence:.2f}"
    if hidden:
        caption += (f"; {hidden:,} fact{'s' * (hidden != 1)} hidden, "
                    + (f"all with gates under {SHOWN_GATE}" if highest < SHOWN_GATE
                       else f"the highest gate among them {highest:.2f}"))
    return caption


def _listed(words) -> str:
    """Words for a sentence: "Carlos", "Carlos or umbrella", "Carlos, Ana or umbrella"."""
    words = [visible(w) for w in words]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def word_table(explanation) -> Group:
    """A sentence read word by word: a row per pass, the sentence with the word the pass
    chose in brackets and bold, the words it looked at underlined; then its gate there."""
    words, episodes = explanation.facts, explanation.episodes
    table = Table()
    table.add_column("pass", justify="right")
    table.add_column("sentence, the word each pass chose in brackets", overflow="fold")
    table.add_column("chose", no_wrap=True)
    for number, (gates, chosen) in enumerate(zip(episodes, explanation.chosen()), start=1):
        line = Text()
        for i, word in enumerate(words):
            if i:
                line.append(" ")
            if i == chosen:
                line.append(f"[{visible(word)}]", style="bold green")
            else:
                line.append(visible(word), style="underline" if gates[i] >= SHOWN_GATE else "dim")
        if chosen == len(words):
            line = Text("end of passes", style="bold green italic")
        said = "end of passes" if chosen == len(words) else f"word {chosen + 1}"
        table.add_row(str(number), line, gate_cell(gates[chosen], True).append(f" {said}"))
    return Group(table, Text(_caption(explanation), style="dim"))


def episode_table(explanation, max_rows: int = 20) -> Group:
    """Rows: the facts (number and text) then end-of-passes; one column per memory pass."""
    if explanation.sentence is not None:
        return word_table(explanation)
    facts, episodes = explanation.facts, explanation.episodes
    choices = explanation.chosen()
    highest = 0.0
    rows = list(range(len(facts)))
    hidden = 0
    if len(facts) > max_rows:
        # The facts the passes chose, then the ones they looked at most (however many look
        # alike in a long memory), then the latest ones: never more than max_rows.
        top = [max(e[i] for e in episodes) for i in rows]
        keep = {c for c in choices if c < len(facts)}
        for i in sorted(rows, key=lambda i: -top[i]):
            if len(keep) >= max_rows or top[i] < SHOWN_GATE:
                break
            keep.add(i)
        for i in reversed(rows):
            if len(keep) >= max_rows:
                break
            keep.add(i)
        rows = sorted(keep)
        hidden = len(facts) - len(rows)
        highest = max((top[i] for i in set(range(len(facts))) - keep), default=0.0)
    caption = _caption(explanation, hidden, highest)
    table = Table()
    table.add_column("#", justify="right")
    table.add_column("fact", overflow="fold")
    for number in range(1, len(episodes) + 1):
        table.add_column(f"pass {number}", no_wrap=True)
    for i in rows:
        table.add_row(str(i + 1), Text(visible(facts[i])),
                      *(gate_cell(e[i], c == i) for e, c in zip(episodes, choices)))
    table.add_section()
    end = len(facts)
    table.add_row("", Text("end of passes", style="italic"),
                  *(gate_cell(e[end], c == end) for e, c in zip(episodes, choices)))
    return Group(table, Text(caption, style="dim"))  # a caption outside: no padding spaces


def answer_line(explanation) -> Text:
    return Text(visible(explanation.answer) or "(no answer)", style="bold")


def facts_table(facts: list[str], title: str | None = None, limit: int | None = None) -> Text:
    """Numbered facts, one per line; with `limit`, the first and last ones and a count of
    those between."""
    numbered = list(enumerate(facts, 1))
    if limit is not None and len(facts) > limit:
        head, tail = numbered[:limit // 2], numbered[-(limit - limit // 2):]
        numbered = [*head, (None, f"{len(facts) - len(head) - len(tail)} more"), *tail]
    width = len(str(len(facts)))
    out = Text()
    if title:
        out.append(visible(title) + "\n", style="bold")
    for number, fact in numbered:
        out.append(f"{'…' if number is None else number:>{width}}  ", style="dim")
        out.append(visible(fact) + "\n", style="dim" if number is None else "")
    out.rstrip()
    return out


def load_report(story, results, memory: str, replaced: int, appended: bool) -> list:
    """What `askme load` and /load print: the facts, each question's answer (marked right or
    wrong where the file gives the answer), then a summary and score line."""
    out: list = []
    if story.facts:
        out.append(facts_table(story.facts, limit=20))
    right = 0
    for question, explanation in zip(story.questions, results):
        line = Text(f"{visible(question.text)}  ")
        if explanation is None:
            line.append("(no facts before this question)", style="dim")
        else:
            line.append(visible(explanation.answer) or "(no answer)", style="bold")
            if question.gold is not None:
                ok = explanation.answer == question.gold
                right += ok
                line.append("  ✓" if ok else f"  ✗ expected {visible(question.gold)}",
                            style="green" if ok else "red")
        out.append(line)
    n = len(story.facts)
    summary = visible(f"loaded {n} fact{'s' * (n != 1)} into memory {memory!r}")
    if appended:
        summary += " (appended)"
    elif replaced:
        summary += f" (replacing {replaced})"
    out.append(Text(summary, style="cyan"))
    gold = [q for q in story.questions if q.gold is not None]
    if gold:
        out.append(Text(f"score: {right}/{len(gold)} right ({right / len(gold):.1%})",
                        style="bold"))
    return out


def export(path, renderables) -> None:
    """The renderables as an SVG or HTML file, through Rich's own export."""
    from askme.errors import AskmeError

    console = Console(record=True, width=100, file=open(os.devnull, "w"), force_terminal=True)
    for item in renderables:
        console.print(item)
    try:
        if str(path).lower().endswith(".svg"):
            console.save_svg(str(path), title="askme")
        else:
            console.save_html(str(path))
    except OSError as error:
        raise AskmeError(f"{path}: cannot write ({error.strerror})") from None
    finally:
        console.file.close()


def model_table(checkpoint, name: str) -> Table:
    config, info = checkpoint.model.config, checkpoint.info
    table = Table(title=Text(f"Model: {visible(name)}"), title_justify="left", show_header=False)
    table.add_column(style="bold")
    table.add_column()
    tasks = info.get("tasks")
    rows = [
        ("trained on", f"bAbI tasks {_task_ranges(tasks)}" if tasks else "unknown"),
        ("validation accuracy", f"{info['val_accuracy']:.1%}" if "val_accuracy" in info else "-"),
        ("sizes", f"hidden {config.hidden_dim}, embeddings {config.embed_dim}, "
                  f"vocabulary {config.vocab_size}"),
        ("memory passes", f"halts by itself, at most {config.max_passes}"),
        ("parameters", f"{_parameters(checkpoint.model):,}"),
    ]
    for key, value in rows:
        table.add_row(key, value)
    return table


def _parameters(model) -> int:
    if hasattr(model, "parameter_count"):  # the numpy answer path
        return model.parameter_count()
    return sum(p.numel() for p in model.parameters())


def _task_ranges(tasks: list[int]) -> str:
    spans, start = [], None
    for i, task in enumerate(tasks):
        if start is None:
            start = task
        if i + 1 == len(tasks) or tasks[i + 1] != task + 1:
            spans.append(f"{start}" if start == task else f"{start}-{task}")
            start = None
    return ",".join(spans)


def memories_table(memories, current: str) -> Table:
    table = Table(title="Memories", title_justify="left")
    table.add_column("name")
    table.add_column("facts", justify="right")
    for info in memories:
        marker = " (current)" if info.name == current else ""
        table.add_row(Text(visible(info.name) + marker), str(info.facts))
    if not any(info.name == current for info in memories):
        table.add_row(Text(f"{visible(current)} (current)"), "0")
    return table
