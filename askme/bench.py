"""`askme bench`: the speed numbers of BENCHMARKS.md, each the median of several runs.

Everything is measured through the same functions the commands use: `training_step` for
training, `memory_facts` + `answer_prefixes` for answering against a stored memory,
`add_facts` for adding a fact, `evaluate` for `askme eval`, and real processes for start-up.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch

from askme.babi import TASK_NAMES, load_tasks
from askme.dmn.batches import encode_example, length_batches, loss_counts
from askme.dmn.model import DMN
from askme.evaluation import evaluate
from askme.memory import answering, cache
from askme.memory.store import MemoryStore
from askme.training.loop import make_optimizer, share_of_rows, supervised_batch, training_step
from askme.training.options import Supervision

MEMORY_SIZES = (10, 100, 1000, 10000)


@dataclass
class Results:
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (what, median, detail)
    long_memory: list[str] = field(default_factory=list)  # the long-memory table's lines

    def add(self, what: str, value: str, detail: str = "") -> None:
        self.rows.append((what, value, detail))
        print(f"{what}: {value}  {detail}", file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _examples_per_second(context, config, supervision, items, batch_size: int, batches: int,
                         seed: int) -> float:
    """Examples per second over `batches` training steps of a fresh model (after 3 warm-up
    steps). With an askme.training.parallel `context` this is one of the processes: each takes the
    batches one process would and computes its share of their rows, as train does."""
    torch.manual_seed(seed)
    model = DMN(config)
    model.train()
    if context is not None and context.rank:
        torch.manual_seed(seed + context.rank)
    optimizer = make_optimizer(model, 2e-3)
    order = length_batches(items, batch_size, random.Random(seed))[:batches + 3]

    def step(indices) -> None:  # as askme.training.loop.train steps without renaming
        chosen = [items[i] for i in indices]
        if context is None:
            training_step(model, optimizer, supervised_batch(chosen, supervision), 5.0)
        else:
            training_step(model, optimizer,
                          supervised_batch(chosen[share_of_rows(context)], supervision), 5.0,
                          context, loss_counts(chosen))

    for indices in order[:3]:
        step(indices)
    if context is not None:
        import torch.distributed as dist

        dist.barrier()  # the processes start the clock together
    start, seen = time.perf_counter(), 0
    for indices in order[3:]:
        step(indices)
        seen += len(indices)
    return seen / (time.perf_counter() - start)


def training_throughput(checkpoint, examples, batch_size: int, batches: int, seed: int) -> float:
    """Examples per second of one process training a fresh model of the shipped size."""
    items = [encode_example(checkpoint.tokenizer, ex) for ex in examples]
    return _examples_per_second(None, checkpoint.model.config,
                                Supervision.from_dict(checkpoint.supervision), items, batch_size,
                                batches, seed)


def parallel_training_throughput(checkpoint, examples, batch_size: int, batches: int, seed: int,
                                 processes: int) -> float:
    """`training_throughput` with `processes` processes of one thread splitting each batch,
    as `askme train --processes` trains (started afresh for each run)."""
    from askme.training import parallel

    items = [encode_example(checkpoint.tokenizer, ex) for ex in examples]
    params = list(checkpoint.model.parameters())
    return parallel.run(processes, 1, sum(p.numel() for p in params), len(params),
                        _examples_per_second,
                        (checkpoint.model.config, Supervision.from_dict(checkpoint.supervision),
                         items, batch_size, batches, seed))


def story_facts(data_1k: Path, count: int) -> list[str]:
    """`count` facts from bAbI task 1 test stories, one story after another."""
    facts: list[str] = []
    seen_stories: set[int] = set()
    for example in load_tasks(data_1k, [1], "test")[1]:
        if example.story_id not in seen_stories:
            seen_stories.add(example.story_id)
            facts.extend(example.story)
    while len(facts) < count:
        facts = facts + facts
    return facts[:count]


def timed(run: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def memory_latencies(checkpoint, data_1k: Path, results: Results, repeats: int) -> None:
    facts = story_facts(data_1k, max(MEMORY_SIZES) + repeats)
    with tempfile.TemporaryDirectory() as folder:
        store = MemoryStore(Path(folder) / "bench.sqlite3")
        for size in MEMORY_SIZES:
            name = f"m{size}"
            cache.add_facts(store, name, facts[:size], checkpoint)

            def answer() -> None:
                encoded = cache.memory_facts(checkpoint, store, name)
                answering.answer_prefixes(checkpoint, encoded,
                                          [("Where is Mary?", len(encoded.texts))])

            answer()  # warm-up
            times = timed(answer, repeats)
            results.add(f"answer latency, {size:,} facts",
                        f"p50 {1000 * statistics.median(times):.1f} ms",
                        f"p95 {1000 * percentile(times, 95):.1f} ms over {repeats} questions")
            extra = iter(facts[size:])
            adds = timed(lambda: cache.add_facts(store, name, [next(extra)], checkpoint), repeats)
            results.add(f"add-fact latency, {size:,} facts",
                        f"p50 {1000 * statistics.median(adds):.2f} ms",
                        f"p95 {1000 * percentile(adds, 95):.2f} ms over {repeats} facts")
        store.close()


_LAUNCHER = ("import resource, subprocess, sys\n"
             "code = subprocess.run(sys.argv[1:]).returncode\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
             "sys.exit(code)\n")


def process_stats(args: list[str], env: dict, stdin: bytes = b"") -> tuple[float, int]:
    """Wall seconds and peak resident memory (KiB) of one process.

    A small launcher process starts it, so the peak does not include pages inherited from
    this (large) benchmark process at fork time."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, *args], env=env, input=stdin,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited with {result.returncode}")
    return seconds, int(result.stderr.decode().strip().splitlines()[-1])


def startup(results: Results, repeats: int) -> None:
    askme = [sys.executable, "-m", "askme"]
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "ASKME_HOME": home}
        helps = [process_stats(askme + ["--help"], env)[0] for _ in range(repeats)]
        results.add("`askme --help` wall", f"{statistics.median(helps):.2f} s")
        process_stats(askme + ["load", "-"], env, b"Mary went to the kitchen.\n")
        asks = [process_stats(askme + ["ask", "Where is Mary?"], env) for _ in range(repeats)]
        results.add("one-question `askme ask` wall", f"{statistics.median(a[0] for a in asks):.2f} s",
                    "start-up, model load and answer")
        results.add("peak RSS of `askme ask`", f"{max(a[1] for a in asks) / 1024:.0f} MiB")
        chats = [process_stats(askme + ["chat", "--no-episodes", "--memory", f"c{i}"], env,
                               b"Mary went to the kitchen.\nWhere is Mary?\n")[0]
                 for i in range(repeats)]
        results.add("`askme chat` wall, start to first answer", f"{statistics.median(chats):.2f} s",
                    "a fact and a question piped in; the answer is the last thing it does")
        imports = [process_stats([sys.executable, "-c", "import torch"], env)[0]
                   for _ in range(repeats)]
        results.add("`python -c 'import torch'` wall (for scale)", f"{statistics.median(imports):.2f} s")


def run_benchmarks(checkpoint, data_1k: Path, data_10k: Path, repeats: int = 3,
                   batches: int = 60, quick: bool = False, processes: int = 2) -> Results:
    results = Results()
    batch_size = checkpoint.info.get("options", {}).get("batch_size", 32)
    sets = [("bAbI 10k task 1", lambda: load_tasks(data_10k, [1], "train")[1]),
            ("bAbI 10k task 2", lambda: load_tasks(data_10k, [2], "train")[2]),
            ("bAbI 1k, 20 tasks jointly",
             lambda: [e for es in load_tasks(data_1k, list(TASK_NAMES), "train").values()
                      for e in es])]
    for name, examples in sets:
        examples = examples()
        rates = [training_throughput(checkpoint, examples, batch_size, batches, seed)
                 for seed in range(repeats)]
        results.add(f"training, {name}", f"{statistics.median(rates):,.0f} examples/s",
                    f"batch {batch_size}, {batches} steps a run, one process of "
                    f"{torch.get_num_threads()} threads, runs: " + ", ".join(f"{r:,.0f}" for r in rates))
        if processes > 1:
            rates = [parallel_training_throughput(checkpoint, examples, batch_size, batches, seed,
                                                  processes) for seed in range(repeats)]
            results.add(f"training, {name}, {processes} processes",
                        f"{statistics.median(rates):,.0f} examples/s",
                        f"batch {batch_size} split over {processes} processes of 1 thread "
                        "(`askme train --processes`), runs: " + ", ".join(f"{r:,.0f}" for r in rates))
    memory_latencies(checkpoint, data_1k, results, 10 if quick else 50)
    results.long_memory = long_memory(checkpoint, QUICK_LONG_STORIES if quick else LONG_STORIES)
    test = load_tasks(data_1k, list(TASK_NAMES), "test")
    evaluate(checkpoint, {1: test[1][:200]})  # warm-up
    for name, subset in (("`askme eval`, 20-task 1k test", test), ("`askme eval`, task 1", {1: test[1]})):
        n = sum(len(v) for v in subset.values())
        times = timed(lambda: evaluate(checkpoint, subset), repeats)
        median = statistics.median(times)
        results.add(name, f"{n / median:,.0f} questions/s", f"{n:,} questions in {median:.2f} s")
    startup(results, repeats if quick else 5)
    return results


# Stories a memory size, and the sizes: enough questions for a point's resolution where it
# is cheap, and at 10,000 facts still 20 questions whose only supporting fact is the first.
LONG_STORIES = {10: 100, 100: 40, 1000: 20, 10000: 20}  # sizes up to 10,000: the bands' range
QUICK_LONG_STORIES = {10: 5, 100: 2, 1000: 1, 10000: 1}


def long_memory(checkpoint, stories: dict[int, int] = LONG_STORIES) -> list[str]:
    """Accuracy and supporting-fact accuracy on generated memories of 10 to 10,000 facts
    (askme.training.generator.long), told in everyday English and in bAbI's own words, per
    size and per distance from the question back to the earliest supporting fact, answered
    as `askme load` answers a story: the facts encoded once, every question after the last.
    Returns the table's Markdown lines."""
    from askme.evaluation import supporting_facts_right
    from askme.memory.answering import Answer
    from askme.memory.cache import encode_facts
    from askme.training.generator.long import DISTANCE_BANDS, band, long_story

    bands = [f"{first:,}-{last:,}" for first, last in DISTANCE_BANDS]
    lines = ["| told in | facts in memory | questions | right | supporting facts | "
             + " | ".join(f"distance {b}" for b in bands) + " | told only in fact 1 |",
             "|---" + "|---:" * (5 + len(bands)) + "|"]
    for babi_words, size, count in [(b, size, count) for b in (False, True)
                                    for size, count in stories.items()]:
        right = supported = 0
        by_band: dict[str, list[bool]] = {b: [] for b in bands}
        first: list[bool] = []
        total = 0
        for seed in range(count):
            story = long_story(size, seed, babi_words)
            encoded = encode_facts(checkpoint, story.facts)
            asked = [(q.text, size) for q in story.questions]
            for question, said in zip(story.questions, answering.answer_prefixes(
                    checkpoint, encoded, asked)):
                ok = said.answer == question.answer
                passes = Answer(said.answer, said.passes, said.episodes, said.chosen())
                total += 1
                right += ok
                supported += supporting_facts_right(passes, [s - 1 for s in question.supports])
                by_band.setdefault(band(story.distance(question)), []).append(ok)
                if question.supports == (1,):
                    first.append(ok)
        if not total:
            continue
        cells = ["bAbI's words" if babi_words else "everyday English", f"{size:,}", f"{total:,}",
                 f"{100 * right / total:.1f} %",
                 f"{100 * supported / total:.1f} %"]
        cells += [f"{100 * sum(v) / len(v):.1f} % ({len(v)})" if v else ""
                  for b, v in by_band.items() if b in bands]
        cells.append(f"{sum(first)}/{len(first)}")
        lines.append("| " + " | ".join(cells) + " |")
        print(lines[-1], file=sys.stderr, flush=True)
    return lines


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores, torch {torch.__version__} with "
            f"{torch.get_num_threads()} threads, Python {platform.python_version()}")


def markdown(results: Results, command: str, model: str) -> str:
    """BENCHMARKS.md's generated part; `model` names the model measured (a shipped model's
    name or a folder)."""
    lines = ["# Benchmarks", "",
             f"Machine: {machine()}. Model: `{model}`.", "",
             f"Command: `{command}` (medians of several runs; see `askme/bench.py`).", "",
             "| what | median | detail |", "|---|---:|---|"]
    lines += [f"| {what} | {value} | {detail} |" for what, value, detail in results.rows]
    if results.long_memory:
        lines += ["", "## Long memories", "", LONG_MEMORY_TEXT, "", *results.long_memory]
    return "\n".join(lines) + "\n"


# BENCHMARKS.md from this heading on is written by hand (research/peer_side_by_side.py
# measures askme beside another project's code, which bench does not run): kept on rewrite.
SIDE_BY_SIDE = "## Side by side"


def keeping_side_by_side(generated: str, previous: str) -> str:
    """`generated`, then `previous` from its side-by-side section on, where it has one."""
    start = previous.find(f"\n{SIDE_BY_SIDE}")
    return generated if start < 0 else generated + previous[start:]


LONG_MEMORY_TEXT = (
    "Generated memories (`askme/training/generator/long.py`: people moving, things taken "
    "and dropped, a deduction; the same stories every run), told in everyday English and in "
    "bAbI's own words, every question asked after the last fact. Distance: facts from the "
    "question back to the earliest supporting fact (questions in brackets). The last "
    "column: people told once, in the very first fact.")
