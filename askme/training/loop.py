"""Joint training over bAbI tasks with answer and gate supervision (paper, sec. 3.1)."""

from __future__ import annotations

import copy
import dataclasses
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F

from askme.babi import TASK_NAMES, Example, read_babi_file, task_file
from askme.dmn.batches import Encoded, collate, encode_example, length_batches, loss_counts
from askme.dmn.checkpoint import Checkpoint, load_checkpoint, save_checkpoint, saved_info
from askme.dmn.config import DMNConfig
from askme.dmn.entities import Lexicon
from askme.dmn.gru import native_applies
from askme.dmn.model import DMN, FREE_PASS, Batch, with_gate_competition
from askme.dmn.tokenizer import Tokenizer
from askme.errors import AskmeError, UsageError
from askme.memory.answering import answer_examples
from askme.training.augment import EntityShuffler
from askme.training.distributed import Context, global_normalizers, share, share_bytes, shard, total
from askme.training.lexicon import read_as_askme_reads
from askme.training.options import DEFAULT_SEED, Supervision, TrainOptions
from askme.training.retell import retell


@dataclass
class EpochReport:
    epoch: int
    loss: float  # mean training loss of the epoch
    val_accuracy: float
    best_accuracy: float
    seconds: float  # since training began
    lr: float
    val_by_task: dict[int, float] = dataclasses.field(default_factory=dict)
    rate: float = 0.0  # training questions a second in this epoch (all processes together)


def split_by_story(examples: list[Example], fraction: float, rng: random.Random):
    """Hold out whole stories, so no validation question shares facts with training."""
    stories = sorted({ex.story_id for ex in examples})
    rng.shuffle(stories)
    held = set(stories[:round(len(stories) * fraction)])
    return ([ex for ex in examples if ex.story_id not in held],
            [ex for ex in examples if ex.story_id in held])


def validation_split(folder, tasks: list[int], fraction: float, rng: random.Random
                     ) -> tuple[list[Example], list[Example]]:
    """Training and validation questions of `tasks`, each task's stories held out as a joint
    run over every task in `folder` holds them out, whichever of them are asked for.

    So a run on some tasks (a warm-up, or a stage fine-tuning another model with --init and
    the same seed) never validates on stories another run of the seed trained on; for
    tasks 1-20 this is the split of every run before it."""
    train_set, val_set = [], []
    asked = set(tasks)
    for task in sorted(TASK_NAMES):  # every bAbI task, in the order a 1-20 run draws them
        try:
            path = task_file(folder, task, "train")
        except AskmeError:
            if task in asked:
                raise
            continue  # absent from this folder (en-10k has no task 3): no draws for it
        examples = read_babi_file(path, task=task)
        fit, held = split_by_story(examples, fraction, rng)
        if task in asked:
            train_set += fit
            val_set += held
    return train_set, val_set


def accuracy(checkpoint: Checkpoint, examples: list[Example]) -> tuple[float, dict[int, float]]:
    """Accuracy over `examples`, and per task."""
    if not examples:
        return 0.0, {}
    answers = answer_examples(checkpoint, examples)
    right: dict[int, list[bool]] = {}
    for ex, a in zip(examples, answers):
        right.setdefault(ex.task, []).append(a.text == ex.answer)
    overall = sum(sum(r) for r in right.values()) / len(examples)
    return overall, {task: sum(r) / len(r) for task, r in sorted(right.items())}


def supervise(batch: Batch, tasks: list[int], supervision: Supervision) -> Batch:
    """`batch` with each row's gate targets and teacher forcing as `supervision` gives its
    task (`tasks`, a row's each): the model is handed these, never a task number. A free
    pass is a FREE_PASS target before the supporting facts."""
    task = torch.tensor(tasks)  # (B,)
    supports, forced = batch.supports, None
    if supervision.free_pass_tasks:
        free = torch.isin(task, torch.tensor(supervision.free_pass_tasks))  # (B,)
        supports = torch.where(free.unsqueeze(1), F.pad(supports, (1, 0), value=FREE_PASS),
                               F.pad(supports, (0, 1), value=-1))
    if supervision.teacher_forced_gates:
        forced = (torch.ones_like(task, dtype=torch.bool)
                  if supervision.teacher_forced_tasks is None
                  else torch.isin(task, torch.tensor(supervision.teacher_forced_tasks)))
    return dataclasses.replace(batch, supports=supports, forced=forced)


def supervised_batch(items: list[Encoded], supervision: Supervision) -> Batch:
    return supervise(collate(items), [item.task for item in items], supervision)


def mean_loss(model: DMN, items, batch_size: int, supervision: Supervision,
              max_tokens: int | None = None) -> float:
    model.eval()
    device = next(model.parameters()).device
    summed = 0.0
    with torch.no_grad():
        for indices in length_batches(items, batch_size, max_tokens=max_tokens):
            batch = supervised_batch([items[i] for i in indices], supervision)
            _, loss = model(batch.to(device))
            summed += loss.item() * len(indices)
    return summed / max(len(items), 1)


def training_step(model, optimizer, batch, clip: float, context: Context | None = None,
                  normalizers: torch.Tensor | None = None) -> float:
    """One optimizer step on one batch; returns the batch's loss.

    `model` is a DMN or, across processes, its DistributedDataParallel wrapper; then the
    loss is normalised by the global batch (askme.training.distributed.global_normalizers). With
    `context.shared` (askme.training.parallel) `batch` is this process's rows of a global batch
    whose loss counts are `normalizers`, and the gradients are summed over the processes;
    the loss returned is then this process's part of the global batch's loss."""
    shared = context.shared if context is not None else None
    if normalizers is None and context is not None and context.distributed and shared is None:
        normalizers = global_normalizers(DMN.loss_counts(batch), context)
    optimizer.zero_grad(set_to_none=True)
    value = 0.0
    if batch.story.size(0):  # a process's share of a small last batch can be empty
        _, loss = model(batch, normalizers)
        loss.backward()
        value = loss.item()
    parameters = list(model.parameters())
    if shared is not None:
        # The gradients are views into one flat sum, so clipping is one norm and one scale
        # (clip_grad_norm_'s arithmetic, which scales by 1.0 when under the limit).
        flat = shared.sum_gradients(parameters, context.rank)
        scale = clip / (float(flat.norm()) + 1e-6)
        if scale < 1:
            flat.mul_(scale)
    else:
        torch.nn.utils.clip_grad_norm_(parameters, clip, foreach=True)
    optimizer.step()
    return value


def share_of_rows(context: Context) -> slice:
    """The rows of a global batch that this process computes: every N-th from its rank.
    A batch's rows run from its shortest story to its longest (askme.dmn.batches.length_batches),
    so striding gives each process stories as long as the others' and none waits long."""
    return slice(context.rank, None, context.world_size)


def make_optimizer(model: DMN, lr: float):
    """Adam over the model."""
    # Fused: one kernel for all parameters instead of a few operations each (7 % of a step
    # on 10k task 1); it goes with the compiled GRU, so ASKME_NATIVE=0 gives the reference
    # numerics of models trained before either.
    return torch.optim.Adam(model.parameters(), lr=lr,
                            fused=native_applies(next(model.parameters())))


def stage_config(start: DMNConfig, asked: DMNConfig,
                 settings: dict[str, float] | None = None) -> DMNConfig:
    """The config of a model that --init's model (config `start`) becomes in a stage that
    asks for `asked`: its own, except that a stage may add the gate competition
    (with_gate_competition: it gates as before until it learns). `settings`
    (TrainOptions.stage_settings) sets the dropout and gate-loss weight it trains with."""
    config = dataclasses.replace(start, **(settings or {}))
    if asked.gate_competition:
        config = dataclasses.replace(config, gate_competition=True)
    return config


def gradient_capacity(options: TrainOptions) -> tuple[int, int]:
    """Parameter elements and parameters of the largest model `train(options)` can build
    (its tokenizer may come out smaller than options.vocab_size): what askme.training.parallel's
    shared gradient buffer must hold."""
    config = options.model
    vocab = options.vocab_size
    if options.init is not None:
        config = stage_config(load_checkpoint(options.init).model.config, options.model,
                              options.stage_settings)
        vocab = config.vocab_size
    with torch.device("meta"):
        model = DMN(dataclasses.replace(config, vocab_size=max(vocab, config.vocab_size)))
    return sum(p.numel() for p in model.parameters()), len(list(model.parameters()))


def train_job(context: Context, options: TrainOptions,
              report: Callable[[EpochReport], None] | None = None) -> Checkpoint:
    """`train` as one process of askme.training.parallel.run."""
    return train(options, report, context)


def train(options: TrainOptions, report: Callable[[EpochReport], None] | None = None,
          context: Context | None = None) -> Checkpoint:
    """Train one model on all of `options.tasks`; the best validation epoch is kept.

    With a distributed `context` (askme.training.distributed.start under torchrun) every process
    runs this: each steps on its shard of every global batch, while rank 0 alone trains the
    tokenizer, validates, saves and reports, and shares what the others must act on."""
    context = context or Context()
    shared = context.shared  # processes of one machine that split every batch's rows
    if shared is None and options.batch_size % context.world_size:
        raise UsageError(f"--batch-size {options.batch_size} does not split evenly over "
                         f"{context.world_size} processes")
    local_batch = options.batch_size if shared else options.batch_size // context.world_size
    # With shared gradients every process draws what one process would (the same batches,
    # renamings and retellings); under torchrun each draws its own shard's.
    stream = 0 if shared else context.rank
    started = time.monotonic()
    if options.seed is None:
        seed = saved_info(options.init).get("seed", DEFAULT_SEED) if options.init else DEFAULT_SEED
        options = dataclasses.replace(options, seed=seed)
    rng = random.Random(options.seed)
    torch.manual_seed(options.seed)

    train_set, val_set = validation_split(options.data, options.tasks, options.val_fraction, rng)

    vocab_set = train_set
    if options.vocab_tasks is not None and set(options.vocab_tasks) != set(options.tasks):
        # A fresh generator of the seed carves these tasks' split as a run on them would,
        # and leaves `rng` to draw what it draws without the option.
        vocab_set, _ = validation_split(options.data, list(options.vocab_tasks),
                                        options.val_fraction, random.Random(options.seed))
    texts = [s for ex in vocab_set for s in (*ex.story, ex.question, ex.answer)]
    asked = [(ex.question, ex.answer) for ex in vocab_set]
    if options.init is not None:
        # Fine-tuning: the model, its tokenizer and its lexicon go on as they were (every
        # process loads the same files, so the weights start equal everywhere).
        start = load_checkpoint(options.init)
        tokenizer = start.tokenizer
        lexicon = options.lexicon or read_as_askme_reads(
            start.lexicon, lambda: Lexicon.build(texts, asked))
        model = start.model
        supervision = options.supervision.after(Supervision.from_dict(start.supervision))
        config = stage_config(model.config, options.model, options.stage_settings)
        if config.gate_competition and not model.config.gate_competition:
            model = with_gate_competition(model)
        model.config = config
        model.set_dropout(config)
        model = model.to(context.device)
    else:
        proto = (Tokenizer.train(texts, vocab_size=options.vocab_size).model_proto
                 if context.is_main else None)
        tokenizer = Tokenizer(share_bytes(proto, context))
        lexicon = options.lexicon or Lexicon.build(texts, asked)
        config = dataclasses.replace(options.model, vocab_size=tokenizer.vocab_size)
        model = DMN(config).to(context.device)
        supervision = options.supervision
    checkpoint = Checkpoint(model, tokenizer, lexicon=lexicon,
                            supervision=supervision.to_dict())
    stepped = model
    if context.distributed and shared is None:  # also broadcasts rank 0's initial weights to every rank
        from torch.nn.parallel import DistributedDataParallel

        stepped = DistributedDataParallel(
            model, device_ids=[context.device] if context.device.type == "cuda" else None)

    words = model.config.sentence_words
    train_items = [encode_example(tokenizer, ex, words) for ex in train_set]
    val_items = [encode_example(tokenizer, ex, words) for ex in val_set]
    held_out = len(val_set)
    if not val_set:  # nothing held out (--val-fraction 0): select on the training questions
        val_set, val_items = train_set, train_items
    optimizer = make_optimizer(model, options.lr)
    shuffler = (EntityShuffler(tokenizer)
                if max([options.augment, *options.task_augment.values()]) > 0 else None)
    generator = torch.Generator().manual_seed(options.seed + stream)
    # Its own random stream, so that without --retell every other draw stays as it was.
    retell_rng = random.Random(f"retell {options.seed} {stream}") if options.retell else None
    if shared is not None and context.rank:
        torch.manual_seed(options.seed + context.rank)  # its own dropout masks
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, mode="min", factor=options.lr_decay, patience=options.decay_patience)

    def run_info(epochs_run: int, best_epoch: int, best_accuracy: float) -> dict:
        return {
            "tasks": options.tasks,
            "data": str(options.data),
            "seed": options.seed,
            "epochs_run": epochs_run,
            "best_epoch": best_epoch,
            "val_accuracy": best_accuracy,
            "train_examples": len(train_set),
            "val_examples": held_out,
            "train_seconds": round(time.monotonic() - started, 1),
            "options": {k: str(v) if isinstance(v, Path) else v  # plain data for config.json
                        for k, v in vars(options).items()
                        if k not in ("data", "tasks", "out", "model", "supervision",
                                     "lexicon")},
        }

    best_accuracy, best_loss, best_state, best_epoch = -1.0, float("inf"), None, 0
    stale, lowest_loss, best_seen = 0, float("inf"), -1.0
    epoch = 0

    def past_time_limit() -> bool:
        return (options.time_limit is not None
                and time.monotonic() - started > options.time_limit * 60)

    # Every training question once, and those of --oversample tasks that many times.
    everything = [i for i, item in enumerate(train_items)
                  for _ in range(options.oversample.get(item.task, 1))]
    for epoch in range(1, options.epochs + 1):
        model.train()
        summed, count, epoch_start = 0.0, 0, time.monotonic()
        mine = ([everything[i] for i in shard(len(everything), epoch, options.seed, context)]
                if context.distributed and shared is None else everything)
        items = [train_items[i] for i in mine]
        for indices in length_batches(items, local_batch, rng, max_tokens=options.batch_tokens,
                                      least=context.world_size if shared else 1):
            tasks = [items[i].task for i in indices]
            shares = [options.task_augment.get(t, options.augment)
                      for t in tasks]  # each question's chance to be renamed
            renaming = shuffler is not None and max(shares) > 0
            normalizers = None
            if shared is not None and retell_rng is None and not renaming:
                # Nothing random to draw for the batch: this process collates its rows alone.
                chosen = [items[i] for i in indices]
                normalizers = loss_counts(chosen)
                batch = supervised_batch(chosen[share_of_rows(context)], supervision)
            else:
                if retell_rng is None:
                    batch = collate([items[i] for i in indices])
                else:
                    batch = collate([
                        encode_example(tokenizer, retell(train_set[mine[i]], retell_rng), words)
                        if items[i].task in options.retell_tasks
                        and retell_rng.random() < options.retell
                        else items[i] for i in indices])
                if renaming:
                    batch = shuffler.apply(batch, tasks, generator, torch.tensor(shares))
                batch = supervise(batch, tasks, supervision)
                if shared is not None:
                    normalizers = DMN.loss_counts(batch)
                    batch = batch.rows(share_of_rows(context))
            batch = batch.to(context.device)
            loss = training_step(stepped, optimizer, batch, options.clip, context, normalizers)
            summed += loss * len(indices)
            count += len(indices) / (context.world_size if shared else 1)
        summed, count = total([summed, count], context)
        rate = count / max(time.monotonic() - epoch_start, 1e-9)
        val_accuracy, val_by_task, val_loss = 0.0, {}, 0.0
        if context.is_main:
            val_accuracy, val_by_task = accuracy(checkpoint, val_set)
            val_loss = mean_loss(model, val_items, options.batch_size, supervision,
                                 options.batch_tokens)
        val_accuracy, val_loss, out_of_time = share([val_accuracy, val_loss, past_time_limit()],
                                                    context)
        # The rate follows the validation loss, which keeps falling through the early
        # epochs where accuracy is flat; accuracy alone would decay the rate too soon.
        scheduler.step(val_loss)
        if (val_accuracy, -val_loss) > (best_accuracy, -best_loss):
            best_accuracy, best_loss, best_epoch = val_accuracy, val_loss, epoch
            best_state = copy.deepcopy(model.state_dict())
            if options.out is not None and context.is_main:  # a run cut short keeps its best
                save_checkpoint(options.out, model, tokenizer,
                                run_info(epoch, best_epoch, best_accuracy), lexicon,
                                checkpoint.supervision)
        if val_loss < lowest_loss or val_accuracy > best_seen:
            stale = 0
        else:
            stale += 1
        lowest_loss, best_seen = min(lowest_loss, val_loss), max(best_seen, val_accuracy)
        elapsed = time.monotonic() - started
        if report and context.is_main:
            report(EpochReport(epoch, summed / max(count, 1), val_accuracy, best_accuracy, elapsed,
                               optimizer.param_groups[0]["lr"], val_by_task, rate))
        if stale >= options.patience:
            break
        if out_of_time:
            break

    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    checkpoint.info = run_info(epoch, best_epoch, best_accuracy)
    if options.out is not None and context.is_main:
        save_checkpoint(options.out, model, tokenizer, checkpoint.info, lexicon,
                        checkpoint.supervision)
    return checkpoint
