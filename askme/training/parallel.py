"""Training on several processes of one machine that add up their gradients in shared memory.

`askme train --processes N` (and `askme bench`) start N-1 worker processes beside this one.
Every process builds the same global batches, with the same random streams one process
would use, and computes the loss of its own share of each batch's rows, divided by the
counts of the whole batch (askme.dmn.model.DMN.loss_counts). Each writes its gradients into a
shared buffer; after a barrier every process adds the buffer's rows up in the same order,
so all of them hold the whole batch's gradient, bit for bit alike, and their optimizers
step to the same weights. The batches are those of one process; only the dropout masks and
the order in which floats are added differ.

Why not DistributedDataParallel (askme.training.distributed, for torchrun and several machines): on
the CPU it averages gradients through gloo's sockets, 1-2 ms a step on a 2-core machine,
as long as a fifth of a step of bAbI 10k task 1; here it is one copy, a barrier and one sum.
The rarer collectives (the tokenizer, each epoch's numbers) still go through a gloo group.
"""

from __future__ import annotations

import os
import queue
import socket
import threading
from dataclasses import dataclass
from typing import Callable

import torch
import torch.distributed as dist

from askme.errors import AskmeError

WAIT_SECONDS = 1800  # how long a process waits for the others at a step before giving up


class PeerStopped(AskmeError):
    """Another process left the barrier broken: its own error says why."""


@dataclass
class SharedGradients:
    """Double-buffered room for every process's gradients, and the barrier they meet at."""

    grads: torch.Tensor  # (2, N, numel) float32 in shared memory: a step's buffer, by parity
    present: torch.Tensor  # (2, N, params) bool: which parameters had a gradient
    barrier: object  # multiprocessing.Barrier(N)
    steps: int = 0

    @classmethod
    def create(cls, world_size: int, numel: int, params: int, context) -> "SharedGradients":
        return cls(torch.zeros(2, world_size, numel).share_memory_(),
                   torch.zeros(2, world_size, params, dtype=torch.bool).share_memory_(),
                   context.Barrier(world_size))

    def wait(self) -> None:
        try:
            self.barrier.wait(WAIT_SECONDS)
        except threading.BrokenBarrierError:
            raise PeerStopped("another training process stopped") from None

    def abort(self) -> None:
        self.barrier.abort()

    def sum_gradients(self, params: list[torch.nn.Parameter], rank: int) -> torch.Tensor:
        """Replace every parameter's gradient by the sum over all processes' and return that
        sum flat (the gradients are views into it).

        Two buffers used in turn: a process may write the next step's gradients while a
        slower one still reads this step's, but it cannot get two steps ahead, since the
        next barrier waits for the slower one's writes."""
        slot = self.steps % 2
        self.steps += 1
        numel = sum(p.numel() for p in params)
        if numel > self.grads.size(2) or len(params) > self.present.size(2):
            raise AskmeError("the model outgrew the gradient buffer shared between processes")
        self.present[slot, rank, :len(params)] = torch.tensor([p.grad is not None for p in params])
        rows = self.grads[slot, :, :numel]  # (N, numel)
        torch.cat([p.grad.reshape(-1) if p.grad is not None else p.new_zeros(p.numel())
                   for p in params], out=rows[rank])
        self.wait()
        total = rows[0] + rows[1] if len(rows) > 1 else rows[0].clone()
        for other in rows[2:]:  # every process adds in the same order, so all get equal sums
            total += other
        anyone = self.present[slot, :, :len(params)].any(0).tolist()
        for p, part, used in zip(params, total.split([p.numel() for p in params]), anyone):
            p.grad = part.view_as(p) if used else None
        return total


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _join_group(rank: int, world_size: int, port: int) -> None:
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                            world_size=world_size)


def _worker(rank, world_size, port, threads, shared, errors, started, job, args) -> None:
    from askme.training.distributed import Context, end_process, stop

    torch.set_num_threads(threads)
    context = None
    started.put(rank)
    try:
        _join_group(rank, world_size, port)
        context = Context(rank=rank, world_size=world_size, shared=shared)
        job(context, *args)
        stop(context)
    except BaseException as error:  # tell rank 0 why, and free it from the barrier
        errors.put(str(error) or type(error).__name__)
        shared.abort()
        if context is not None:
            stop(context, failed=True)
        raise SystemExit(1)  # a normal exit, so that the queue's thread delivers the error
    end_process(0)


def _wait_for_start(workers, started) -> None:
    """Wait until every worker has started, or fail at once if one died first (it could not
    import askme, or unpickle its arguments): joining the group would wait for it for the
    group's whole timeout, 30 minutes."""
    waiting = set(range(1, len(workers) + 1))  # the ranks of the workers not yet started
    while waiting:
        try:
            waiting.discard(started.get(timeout=0.2))
        except queue.Empty:
            pass
        for rank, worker in enumerate(workers, start=1):
            if rank in waiting and worker.exitcode is not None:
                for other in workers:
                    other.terminate()
                raise AskmeError(f"training process {rank} stopped as it started (exit code "
                                 f"{worker.exitcode})")


def run(world_size: int, threads: int, numel: int, params: int, job: Callable, args: tuple,
        main_kwargs: dict | None = None):
    """`job(context, *args)` in `world_size - 1` new processes, and `job(context, *args,
    **main_kwargs)` in this one (rank 0; a progress callback need not be picklable);
    returns what rank 0's call returns. `numel` and `params` size the gradient buffer:
    at least the model's parameter elements and parameters. A failure anywhere stops them
    all, with one error."""
    spawn = torch.multiprocessing.get_context("spawn")  # torch's pickling shares tensors
    shared = SharedGradients.create(world_size, numel, params, spawn)
    errors, started = spawn.Queue(), spawn.Queue()
    port = free_port()
    workers = [spawn.Process(target=_worker, daemon=True,
                             args=(rank, world_size, port, threads, shared, errors, started, job,
                                   args))
               for rank in range(1, world_size)]
    for worker in workers:
        worker.start()
    _wait_for_start(workers, started)
    from askme.training.distributed import Context, stop

    context, threads_before = None, torch.get_num_threads()
    torch.set_num_threads(threads)  # this process is one of the N sharing the cores
    try:
        _join_group(0, world_size, port)
        context = Context(rank=0, world_size=world_size, shared=shared)
        result = job(context, *args, **(main_kwargs or {}))
        stop(context)
        context = None
    except BaseException as error:
        shared.abort()
        if context is not None:
            stop(context, failed=True)
        for worker in workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.terminate()
        # This process's own error stands, unless it only says that another one stopped
        # (the barrier, or gloo's connection to it, broke): then that one's error explains.
        if isinstance(error, (PeerStopped, RuntimeError)) and not errors.empty():
            raise AskmeError(f"a training process failed: {errors.get()}") from None
        if isinstance(error, RuntimeError):
            raise AskmeError(f"training across processes failed: {error}") from None
        raise
    finally:
        torch.set_num_threads(threads_before)
    for worker in workers:
        worker.join()
    return result


def default_threads(processes: int) -> int:
    """Torch threads a process, when the cores are shared among `processes`."""
    return max(1, (os.cpu_count() or 1) // processes)
