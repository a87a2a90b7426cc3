"""One process of the two that tests/test_distributed.py starts with torchrun.

Both ranks step a tiny DMN (no dropout, so the ranks' randomness cannot matter) on their own
DistributedSampler shards through askme.training.loop.training_step. After every step rank 0
writes to OUT/steps.json whether the parameters are bitwise equal on both ranks, and how far
the averaged gradient is from one process's gradient on the union of the ranks' batches.
"""

import copy
import json
import sys
from pathlib import Path

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from askme.babi import load_tasks
from askme.dmn.batches import collate, encode_example
from askme.dmn.config import DMNConfig
from askme.dmn.model import DMN
from askme.dmn.tokenizer import Tokenizer
from askme.training.distributed import end_process, share_bytes, shard, start, stop
from askme.training.loop import make_optimizer, training_step

FIXTURES = Path(__file__).parent / "fixtures" / "babi"
LOCAL_BATCH = 3
NO_CLIPPING = 1e9  # the test compares raw gradients


def main(out: Path, steps: int) -> None:
    context = start("cpu")
    torch.manual_seed(0)
    examples = [ex for exs in load_tasks(FIXTURES, [1, 8, 19], "train").values() for ex in exs]
    texts = [s for ex in examples for s in (*ex.story, ex.question, ex.answer)]
    proto = Tokenizer.train(texts, vocab_size=300).model_proto if context.is_main else None
    tokenizer = Tokenizer(share_bytes(proto, context))
    items = [encode_example(tokenizer, ex) for ex in examples]
    config = DMNConfig(vocab_size=tokenizer.vocab_size, embed_dim=12, hidden_dim=12,
                       gate_hidden_dim=12, dropout=0.0)
    model = DMN(config)
    model.train()
    stepped = DistributedDataParallel(model)
    optimizer = make_optimizer(model, 1e-2)
    report = []
    for step in range(steps):
        mine = shard(len(items), step, 0, context)[:LOCAL_BATCH]
        everyone: list = [None] * context.world_size
        dist.all_gather_object(everyone, mine)
        before = copy.deepcopy(model.state_dict())

        training_step(stepped, optimizer, collate([items[i] for i in mine]), NO_CLIPPING, context)

        flat = torch.cat([p.detach().flatten() for p in model.parameters()])
        gathered = [torch.empty_like(flat) for _ in range(context.world_size)]
        dist.all_gather(gathered, flat)
        if context.is_main:
            single = DMN(config)
            single.load_state_dict(before)
            single.train()
            union = collate([items[i] for ranks in everyone for i in ranks])
            _, loss = single(union)
            loss.backward()
            diffs = [(p.grad - q.grad).abs().max().item()
                     for p, q in zip(model.parameters(), single.parameters())]
            report.append({
                "batches": everyone,
                "params_equal": all(torch.equal(gathered[0], g) for g in gathered[1:]),
                "grad_max_diff": max(diffs),
                "grad_max": max(q.grad.abs().max().item() for q in single.parameters()),
            })
    if context.is_main:
        (out / "steps.json").write_text(json.dumps(report))
    stop(context)


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
    end_process(0)
