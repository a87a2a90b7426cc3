"""Rich output for the command line: the eval table and the training progress bar.

Rich drops colour and escape codes by itself when the output is not a terminal and when
NO_COLOR is set, so a pipe receives plain text.
"""

from __future__ import annotations

from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from askme.babi import TASK_NAMES
from askme.evaluation import PASS_ERROR


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
    return table


@contextmanager
def training_progress(epochs: int):
    """A progress bar on stderr (one plain line per epoch when stderr is not a terminal, so
    logs show progress); yields the callback that `askme.training.train` reports to."""
    console = stderr()
    if not console.is_terminal:
        def log(r) -> None:
            console.print(f"epoch {r.epoch}/{epochs}  loss {r.loss:.3f}  val {r.val_accuracy:.1%}  "
                          f"best {r.best_accuracy:.1%}  lr {r.lr:.1e}  {r.seconds:.0f} s",
                          soft_wrap=True, highlight=False)
        yield log
        return
    progress = Progress(
        TextColumn("[bold]epoch {task.completed:.0f}/{task.total:.0f}"), BarColumn(),
        TextColumn("loss {task.fields[loss]}  val {task.fields[val]}  best {task.fields[best]}  "
                   "lr {task.fields[lr]}"),
        TimeElapsedColumn(), console=console, transient=False)
    task = progress.add_task("train", total=epochs, loss="-", val="-", best="-", lr="-")

    def report(epoch_report) -> None:
        progress.update(task, completed=epoch_report.epoch, loss=f"{epoch_report.loss:.3f}",
                        val=f"{epoch_report.val_accuracy:.1%}",
                        best=f"{epoch_report.best_accuracy:.1%}", lr=f"{epoch_report.lr:.1e}")

    with progress:
        yield report
        progress.update(task, total=progress.tasks[0].completed)
