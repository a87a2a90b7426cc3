"""Training across processes and machines with torch.distributed (DistributedDataParallel).

`askme train` started by `torchrun` finds the usual environment (RANK, WORLD_SIZE,
LOCAL_RANK, MASTER_ADDR, MASTER_PORT) and joins the process group: gloo on the CPU, nccl on
GPUs. Started any other way it is one process, and nothing here changes what it computes.

How one global batch is shared: `--batch-size` stays the global batch. Each process takes
its shard of the training questions (a DistributedSampler, reshuffled every epoch) and
steps on batch_size / world_size of them at a time. The loss terms are divided by the
counts of the *global* batch (`global_normalizers`), so DDP's average of the processes'
gradients is exactly the gradient of the whole batch in one process.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import NoReturn

import torch
import torch.distributed as dist

from askme.errors import AskmeError, UsageError

DEVICES = ("auto", "cpu", "cuda")

_joined_a_group = False  # set by start(); end_process() reads it


@dataclass
class Context:
    """Where this process sits in the job."""

    rank: int = 0  # 0 evaluates, saves checkpoints and shows progress
    world_size: int = 1  # processes training together
    device: torch.device = torch.device("cpu")
    # Processes of one machine started by askme.training.parallel: they split each global batch's
    # rows and add up their gradients through this (askme.training.parallel.SharedGradients);
    # None under torchrun, where DistributedDataParallel averages them.
    shared: object | None = None

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


def pick_device(choice: str, local_rank: int = 0) -> torch.device:
    """`auto`: a GPU when torch sees one, else the CPU."""
    if choice not in DEVICES:
        raise UsageError(f"--device must be one of {', '.join(DEVICES)}, not {choice!r}")
    if choice == "cpu" or (choice == "auto" and not torch.cuda.is_available()):
        return torch.device("cpu")
    if not torch.cuda.is_available():
        raise AskmeError("--device cuda: no GPU is visible to torch")
    return torch.device("cuda", local_rank % torch.cuda.device_count())


def launched_rank() -> int | None:
    """This process's rank as torchrun declares it (None when not started by torchrun)."""
    if launched_world_size() <= 1:
        return None
    try:
        return int(os.environ.get("RANK", "0"))
    except ValueError:
        raise AskmeError(f"RANK={os.environ['RANK']!r} is not a number") from None


def launched_world_size() -> int:
    """Processes in the job as torchrun declares it (1 when not started by torchrun)."""
    try:
        return int(os.environ.get("WORLD_SIZE", "1"))
    except ValueError:
        raise AskmeError(f"WORLD_SIZE={os.environ['WORLD_SIZE']!r} is not a number") from None


def start(device: str = "auto") -> Context:
    """Join the process group when launched by torchrun; a one-process Context otherwise."""
    world_size = launched_world_size()
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    chosen = pick_device(device, local_rank)
    if world_size <= 1:
        return Context(device=chosen)
    if not dist.is_available():
        raise AskmeError("this torch build has no torch.distributed")
    if not dist.is_initialized():
        backend = "nccl" if chosen.type == "cuda" else "gloo"
        if chosen.type == "cuda":
            torch.cuda.set_device(chosen)
        dist.init_process_group(backend)
        global _joined_a_group
        _joined_a_group = True
    return Context(rank=dist.get_rank(), world_size=dist.get_world_size(), device=chosen)


def stop(context: Context, failed: bool = False) -> None:
    """Leave the process group: together after a run (a rank that tore its connections down
    while rank 0 was still saving could abort the job), at once after an error."""
    if context.distributed and dist.is_initialized():
        if not failed:
            dist.barrier()
        dist.destroy_process_group()


def joined_a_group() -> bool:
    """Whether start() joined a torchrun process group in this process."""
    return _joined_a_group


def end_process(code: int) -> NoReturn:
    """End a process that has been in a gloo group, skipping Python's shutdown.

    gloo's worker threads free a finished collective a moment after the caller's wait()
    returns, and that work may hold the last reference to tensors made in Python. If the
    interpreter is finalizing by then, the thread's call for the GIL ends the thread inside
    C++ code and the process aborts (SIGABRT, "terminate called without an active
    exception") after its work is done and saved: about one run in fifteen of the torchrun
    test on two loaded cores. No torch API waits for those threads, so the process leaves
    without finalizing, once its output is flushed."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def global_normalizers(counts: torch.Tensor, context: Context) -> torch.Tensor:
    """The loss counts (DMN.loss_counts) of the global batch, divided by the world size.

    Each process then computes sum_of_its_terms / global_count * world_size, and DDP's mean
    over processes of those gradients is the gradient of the global batch's mean loss."""
    if not context.distributed:
        return counts
    total = counts.to(context.device).clone()
    dist.all_reduce(total)
    return total / context.world_size


def _across(values: list[float], context: Context, collective) -> list[float]:
    """`values` after a collective over all ranks (unchanged on one process)."""
    if not context.distributed:
        return values
    tensor = torch.tensor(values, dtype=torch.float64, device=context.device)
    collective(tensor)
    return tensor.tolist()


def share(values: list[float], context: Context) -> list[float]:
    """Rank 0's numbers, on every rank (validation results that every rank acts on)."""
    return _across(values, context, lambda tensor: dist.broadcast(tensor, src=0))


def total(values: list[float], context: Context) -> list[float]:
    """The sum over ranks of each number (e.g. the epoch's loss and question count)."""
    return _across(values, context, dist.all_reduce)


def share_bytes(data: bytes | None, context: Context) -> bytes:
    """Rank 0's bytes (the trained tokenizer), on every rank."""
    if not context.distributed:
        assert data is not None
        return data
    box = [data]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def shard(count: int, epoch: int, seed: int, context: Context) -> list[int]:
    """This rank's indices into `count` training questions for one epoch: a
    DistributedSampler shard, so every rank gets as many (the sampler repeats a few
    questions to even them out) and they take the same number of steps."""
    from torch.utils.data import DistributedSampler

    sampler = DistributedSampler(range(count), num_replicas=context.world_size,
                                 rank=context.rank, shuffle=True, seed=seed)
    sampler.set_epoch(epoch)
    return list(sampler)
