"""What each speed change bought: every measurement with the change and without it.

    python research/speed_ablations.py [--data ../shared/babi] [--threads 1]

Each row switches one change off (through the same functions the commands use, with the
change undone by a patch) on the shipped model: eval and answering as medians of 3 runs,
training as one run of 40 steps after 3 warm-up steps. The numbers in
README.md ("Speed: what each change bought") come from this script.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import torch

from askme import evaluation
from askme.babi import TASK_NAMES, load_tasks
from askme.bench import story_facts
from askme.dmn import gru
from askme.dmn import model as dmn
from askme.dmn.batches import encode_example, length_batches
from askme.memory import cache, answering
from askme.memory.store import MemoryStore
from askme.training.loop import make_optimizer, supervised_batch, training_step
from askme.training.options import Supervision


def median_time(run, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@contextmanager
def no_story_sharing():
    """Every bAbI question encodes its own story (no shared longest telling)."""
    original = evaluation.answer_examples

    def separately(checkpoint, examples, batch_size=256):
        renumbered = [type(ex)(ex.story, ex.question, ex.answer, ex.supports, ex.task,
                               f"{ex.source}#{i}", i) for i, ex in enumerate(examples)]
        return original(checkpoint, renumbered, batch_size)

    with mock.patch.object(evaluation, "answer_examples", separately):
        yield


@contextmanager
def no_inference_shortcuts():
    with mock.patch.object(dmn, "INFERENCE_SKIP_GATE", -1.0), \
            mock.patch.object(dmn, "INFERENCE_MAX_STEPS", 10 ** 9):
        yield


@contextmanager
def reference_kernels():
    """Training as before the compiled scan: nn.GRU and nn.GRUCell, the Python gru_scan,
    torch's dropout, the gate under autograd and plain Adam (what ASKME_NATIVE=0 gives)."""
    with mock.patch.object(gru, "_native", False):
        yield


@contextmanager
def autograd_episode():
    """The episode GRU as a Python loop of GRUCell steps under autograd (no gru_scan)."""
    def episode(self, facts_ih, gates):
        cell = self.episode_gru
        h = facts_ih.new_zeros(facts_ih.size(0), cell.hidden_size)
        for t in range(facts_ih.size(1)):
            g = gates[:, t].unsqueeze(-1)
            h = g * dmn.gru_step(cell, facts_ih[:, t], h) + (1 - g) * h
        return h

    with mock.patch.object(dmn.EpisodicMemory, "episode", episode):
        yield


@contextmanager
def torch_dropout():
    """Dropout masks from torch's Bernoulli draws instead of the compiled hash."""
    with mock.patch.object(dmn.Dropout, "forward", torch.nn.Dropout.forward):
        yield


@contextmanager
def autograd_gate():
    """The gate MLP left to autograd (EpisodicMemory's own code) instead of askme.dmn.fused: its
    fused branches test native_applies on the memory and question (2-D); dropout's inputs
    are 3-D and keep their hash."""
    with mock.patch.object(dmn, "native_applies", lambda x: x.dim() == 3 and gru.native_applies(x)):
        yield


@contextmanager
def torch_gru_cells():
    """The memory update's and the answer decoder's GRU cells as torch's nn.GRUCell."""
    with mock.patch.object(dmn, "gru_cell", lambda cell, x, h: cell(x, h)):
        yield


@contextmanager
def threads(count: int):
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def training_rate(checkpoint, examples, bucketed: bool, steps: int = 40) -> float:
    torch.manual_seed(0)
    model = dmn.DMN(checkpoint.model.config)
    model.train()
    optimizer = make_optimizer(model, 2e-3)
    items = [encode_example(checkpoint.tokenizer, ex) for ex in examples]
    rng = random.Random(0)
    if bucketed:
        order = length_batches(items, 32, rng)
    else:
        shuffled = list(range(len(items)))
        rng.shuffle(shuffled)
        order = [shuffled[i:i + 32] for i in range(0, len(shuffled), 32)]
    supervision = Supervision.from_dict(checkpoint.supervision)  # as the shipped model trained
    for indices in order[:3]:
        training_step(model, optimizer, supervised_batch([items[i] for i in indices], supervision),
                      5.0)
    start, seen = time.perf_counter(), 0
    for indices in order[3:3 + steps]:
        training_step(model, optimizer, supervised_batch([items[i] for i in indices], supervision),
                      5.0)
        seen += len(indices)
    return seen / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/babi"))
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    checkpoint = answering.load_model()
    rows = []

    test = load_tasks(args.data / "en", list(TASK_NAMES), "test")
    n = sum(len(v) for v in test.values())
    rate = lambda: n / median_time(lambda: evaluation.evaluate(checkpoint, test))  # noqa: E731
    with_all = rate()
    with no_story_sharing():
        rows.append(("eval reads each story once for all its questions", with_all, rate(),
                     "questions/s, 20-task test"))
    with no_inference_shortcuts():
        rows.append(("inference skips closed gates, bounds the episode", with_all, rate(),
                     "questions/s, 20-task test"))

    facts = story_facts(args.data / "en", 10_001)
    with tempfile.TemporaryDirectory() as folder:
        store = MemoryStore(Path(folder) / "m.sqlite3")
        cache.add_facts(store, "m", facts[:10_000], checkpoint)
        extra = iter(facts[10_000:] * 10)
        added = median_time(lambda: cache.add_facts(store, "m", [next(extra)], checkpoint))
        texts = store.facts("m")
        full = median_time(lambda: cache.encode_facts(checkpoint, texts))
        rows.append(("adding a fact continues the cached input GRU state", 1 / added, 1 / full,
                     "facts added/s at 10,000 facts"))

        def ask():
            encoded = cache.memory_facts(checkpoint, store, "m")
            answering.answer_prefixes(checkpoint, encoded, [("Where is Mary?", len(encoded.texts))])
        fast = median_time(ask)
        with no_inference_shortcuts():
            slow = median_time(ask)
        rows.append(("inference shortcuts, one question at 10,000 facts", 1 / fast, 1 / slow,
                     "questions/s"))
        store.close()

    task2 = load_tasks(args.data / "en-10k", [2], "train")[2]
    task1 = load_tasks(args.data / "en-10k", [1], "train")[1]
    for name, examples in (("1", task1), ("2", task2)):
        compiled = training_rate(checkpoint, examples, True)
        with reference_kernels():
            rows.append(("all that ASKME_NATIVE=0 turns off: the compiled GRU scan (input, "
                         "question, episode, cells), hash dropout, fused gate, fused Adam", compiled,
                         training_rate(checkpoint, examples, True),
                         f"examples/s, 10k task {name}, batch 32"))
    for what, undone in (("dropout masks from a hash, not torch's Bernoulli draws", torch_dropout),
                         ("the gate MLP as one autograd node (askme/dmn/fused.py)", autograd_gate),
                         ("GRU cells of memory and answer on the compiled scan", torch_gru_cells)):
        with_it = training_rate(checkpoint, task1, True)
        with undone():
            rows.append((what, with_it, training_rate(checkpoint, task1, True),
                         "examples/s, 10k task 1, batch 32"))
    from askme.bench import parallel_training_throughput, training_throughput

    cores = min(2, os.cpu_count() or 1)
    if cores > 1:  # both rows as askme bench measures them: medians of 3 runs of 60 steps
        with threads(cores):
            one = statistics.median(training_throughput(checkpoint, task1, 32, 60, seed)
                                    for seed in range(3))
        rows.append((f"{cores} processes of 1 thread split each batch (`--processes {cores}`), "
                     f"against one process of {cores} threads",
                     statistics.median(parallel_training_throughput(checkpoint, task1, 32, 60,
                                                                    seed, cores)
                                       for seed in range(3)),
                     one, "examples/s, 10k task 1, batch 32, medians of 3"))
    with reference_kernels():
        fused = training_rate(checkpoint, task2, True)
        with autograd_episode():
            rows.append(("episode GRU with a hand-written backward (gru_scan), in Python",
                         fused, training_rate(checkpoint, task2, True),
                         "examples/s, 10k task 2, batch 32"))
    rows.append(("length-bucketed batches", training_rate(checkpoint, task1, True),
                 training_rate(checkpoint, task1, False), "examples/s, 10k task 1, batch 32"))

    print(f"| change (torch threads: {args.threads}) | with | without | gain | unit |")
    print("|---|---:|---:|---:|---|")
    for what, on, off, unit in rows:
        print(f"| {what} | {on:,.{0 if off >= 100 else 1}f} | {off:,.{0 if off >= 100 else 1}f} | "
              f"{on / off:.2f}x | {unit} |")


if __name__ == "__main__":
    main()
