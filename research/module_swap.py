"""Which part of a DMN holds what a training stage taught it?

    python research/module_swap.py BASE DONOR [--data ../shared/babi/en] [--tasks 1-20] [--watch 19]

BASE and DONOR are two models of one lineage (one trained from the other with `askme train
--init`, so the same config and tokenizer). Starting from BASE, this puts in one part of
DONOR at a time (each top-level part of the DMN, then each part of its episodic memory),
then BASE's whole memory moved a quarter, half and three quarters of the way to DONOR's,
and scores each on the test files: mean error, the watched task's accuracy and the other
tasks' mean accuracy. The table in models/babi-1k/README.md ("What fails": where task 19 goes in
the recovering stage) comes from this script.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from askme.babi import load_tasks, parse_tasks
from askme.dmn.checkpoint import load_checkpoint
from askme.errors import AskmeError
from askme.evaluation import evaluate


def blends(donor_state: dict) -> list[tuple[str, set[str], float]]:
    """(label, parameter-name prefixes taken from the donor, how far toward it)."""
    parts = sorted({name.split(".")[0] for name in donor_state})
    memory_parts = sorted({".".join(name.split(".")[:2]) for name in donor_state
                           if name.startswith("memory.")})
    return ([("none", set(), 1.0)]
            + [(part, {part}, 1.0) for part in parts]
            + [(part, {part}, 1.0) for part in memory_parts]
            + [(f"memory x{share}", {"memory"}, share) for share in (0.25, 0.5, 0.75)])


def blended(base_state: dict, donor_state: dict, prefixes: set[str], share: float) -> dict:
    return {name: share * donor_state[name] + (1 - share) * weights
            if any(name == p or name.startswith(p + ".") for p in prefixes) else weights
            for name, weights in base_state.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path)
    parser.add_argument("donor", type=Path)
    parser.add_argument("--data", type=Path, default=Path("../shared/babi/en"))
    parser.add_argument("--tasks", default="1-20")
    parser.add_argument("--watch", type=int, default=19, help="the task to follow (19)")
    args = parser.parse_args(argv)
    try:
        tasks = parse_tasks(args.tasks)
        if args.watch not in tasks:
            raise AskmeError(f"--watch {args.watch} is not among --tasks")
        tests = load_tasks(args.data, tasks, "test")
        donor_state = load_checkpoint(args.donor).model.state_dict()
        checkpoint = load_checkpoint(args.base)
        checkpoint.fingerprint = ""  # its weights change below: nothing may cache by them
        base_state = {name: w.clone() for name, w in checkpoint.model.state_dict().items()}
        if {n: w.shape for n, w in base_state.items()} != {n: w.shape for n, w in donor_state.items()}:
            raise AskmeError(f"{args.base} and {args.donor} have different shapes: not one "
                             f"lineage (train one from the other with askme train --init)")
        for label, prefixes, share in blends(donor_state):
            checkpoint.model.load_state_dict(blended(base_state, donor_state, prefixes, share))
            report = evaluate(checkpoint, tests)
            scores = {int(t): row["accuracy"] for t, row in report["tasks"].items()}
            others = [a for t, a in scores.items() if t != args.watch]
            print(f"{label}: mean error {100 * report['mean_error']:.2f} %, task {args.watch} "
                  f"{100 * scores[args.watch]:.1f} %, the others {100 * sum(others) / max(len(others), 1):.1f} %",
                  flush=True)
    except AskmeError as error:
        print(f"module_swap: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
