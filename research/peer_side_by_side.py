"""askme beside its peer, on this machine (issue 35): dandelin/Dynamic-memory-networks-plus-
Pytorch, the one maintained PyTorch DMN(+), measured run for run with askme, alternating,
each run a fresh process with the same number of threads.

    git clone https://github.com/dandelin/Dynamic-memory-networks-plus-Pytorch /tmp/peer
    python research/peer_side_by_side.py --peer /tmp/peer --babi ../shared/babi

The peer's code never enters askme's repository: this script imports it from --peer and
makes, at import, the few changes it needs to run on torch 2 and a CPU, leaving its model
and hyper-parameters as they are:
- `.cuda()` on tensors and modules returns them unchanged (there is no GPU);
- `init.xavier_normal` and `init.uniform`, removed from torch, are the in-place
  initialisers they were renamed to (`xavier_normal_`, `uniform_`);
- its module-level `hidden_size`, which InputModule.forward reads and only its __main__
  block sets, is set to that block's 80;
- its word embedding's gradient is dense (torch 2's Adam refuses sparse gradients; the same
  update);
- its loader reads data/en-10k/ below the working directory, so the run starts in a
  scratch folder whose data/en-10k is --babi's.

Each row is the median of --runs runs:
- training, bAbI 10k task 1 and task 2: examples a second over --steps steps after 3
  warm-up steps, each the peer's own step (forward, its loss with the L2 term, backward,
  Adam) at its batch of 100; askme's the trainer's step (askme.bench) at its default batch
  (32) and at 100;
- answering the task-1 test: questions a second, the peer at batches of 100 and 1,000
  (after one batch as a warm-up),
  askme as `askme eval` runs it (torch, batches of 256), each timed on text its loader has
  tokenized before (askme: a first pass over the test); and askme's forward alone
  ("answer:forward": the stories read into token ids before, then, after one such run as
  a warm-up, its input GRU over the 200 stories and its passes over the 1,000 questions,
  each one batch, as the peer's rows time its forward on token ids);
- one question about 10 facts: the mean time of 200 questions, the peer's forward on its
  first test example of 10 sentences (token ids in, its answer's scores out); askme's on
  numpy (askme.dmn.arrays, whose BLAS `askme` keeps to one thread), three ways: its forward
  alike ("one:forward": token ids of 10 facts and a question in, answer tokens, passes and
  gates out), the whole answer path as `askme ask` runs it ("one": the text of 10 facts and
  a question in, encoding the facts anew for every question, the answer's words out), and
  ("one:stored") as `askme ask` answers from a stored memory, whose facts were encoded
  when they were added.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def peer_module(peer: Path):
    """The peer's babi_main, importable and runnable on the CPU with torch 2."""
    import torch
    from torch import nn
    from torch.nn import init

    torch.Tensor.cuda = lambda self, *a, **k: self
    nn.Module.cuda = lambda self, *a, **k: self
    for old, new in (("xavier_normal", init.xavier_normal_), ("uniform", init.uniform_)):
        setattr(init, old, new)
    embedding = nn.Embedding.__init__

    def dense(self, *args, sparse=False, **kwargs):  # Adam takes no sparse gradient
        embedding(self, *args, **kwargs)

    nn.Embedding.__init__ = dense
    sys.path.insert(0, str(peer))
    import babi_main

    babi_main.hidden_size = 80
    return babi_main


def timed_steps(step, steps: int) -> float:
    """Seconds a step takes, over `steps` steps after 3 warm-up ones."""
    for _ in range(3):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps


def peer_measure(what: str, task: int, peer: Path, steps: int) -> float:
    import torch
    from torch.utils.data import DataLoader

    main = peer_module(peer)
    from babi_loader import BabiDataset, pad_collate

    torch.manual_seed(0)
    data = BabiDataset(task)
    model = main.DMNPlus(80, len(data.QA.VOCAB), num_hop=3, qa=data.QA)
    if what == "train":
        data.set_mode("train")
        batches = iter(DataLoader(data, batch_size=100, shuffle=True, collate_fn=pad_collate))
        optim = torch.optim.Adam(model.parameters())
        model.train()

        def step():
            contexts, questions, answers = next(batches)
            optim.zero_grad()
            output = model(contexts.long(), questions.long())
            loss = model.criterion(output, answers) + sum(
                0.001 * torch.sum(p * p) for p in model.parameters())
            loss.backward()
            optim.step()
        return 100 / timed_steps(step, steps)
    data.set_mode("test")
    model.eval()
    if what == "one":
        example = [data[i] for i in range(len(data)) if len(data[i][0]) == 10][:1]  # sentences
        contexts, questions, _ = pad_collate(list(example))
        with torch.no_grad():
            return timed_steps(lambda: model(contexts.long(), questions.long()), 200)
    batch = int(what.split(":")[1])  # "answer:100"
    loader = DataLoader(data, batch_size=batch, shuffle=False, collate_fn=pad_collate)
    with torch.no_grad():
        model(*(t.long() for t in next(iter(loader))[:2]))  # warm-up, as askme's rows have
        start = time.perf_counter()
        for contexts, questions, _ in loader:
            model(contexts.long(), questions.long())
    return len(data) / (time.perf_counter() - start)


def askme_measure(what: str, task: int, babi: Path, steps: int) -> float:
    from askme.babi import load_tasks
    from askme.memory.answering import answer, load_model

    if what.startswith("one"):
        checkpoint = load_model(arrays=True)
        facts = [f"{name} went to the {place}." for name, place in zip(
            ["Mary", "John", "Sandra", "Daniel", "Mary", "John", "Sandra", "Daniel", "Mary", "John"],
            ["kitchen", "garden", "office", "hallway", "bedroom", "bathroom", "kitchen", "garden",
             "office", "hallway"])]
        if what == "one":
            return timed_steps(lambda: answer(checkpoint, facts, "Where is Mary?"), 200)
        if what == "one:forward":  # as the peer's row: token ids in, the model's output out
            import numpy as np

            from askme.dmn.batches import encode_facts as token_ids
            from askme.memory.cache import new_entities

            entities = new_entities(checkpoint, False)
            story, positions = token_ids(checkpoint.tokenizer, entities.rewrite_all(facts))
            question = checkpoint.tokenizer.encode_question(
                entities.rewrite("Where is Mary?", question=True))
            engine = checkpoint.model.arrays

            def forward():
                encoded, _ = engine.encode_story(np.array([story]), np.array([positions]))
                q = engine.encode_question(np.array([question]), np.array([len(question)]))
                return engine.answer_facts(encoded, np.ones(encoded.shape[:2], bool), q)
            return timed_steps(forward, 200)
        from askme.memory.answering import answer_from_memory
        from askme.memory.cache import add_facts
        from askme.memory.store import MemoryStore

        with tempfile.TemporaryDirectory() as folder:  # "one:stored": as `askme ask` answers
            store = MemoryStore(Path(folder) / "memories.sqlite3")
            add_facts(store, "m", facts, checkpoint)
            return timed_steps(lambda: answer_from_memory(
                checkpoint, store, "m", facts, [], [("Where is Mary?", len(facts))]), 200)
    checkpoint = load_model()
    if what.startswith("train"):
        from askme.bench import training_throughput

        batch = int(what.split(":")[1])
        examples = load_tasks(babi / "en-10k", [task], "train")[task]
        return training_throughput(checkpoint, examples, batch, steps, seed=0)
    from askme.evaluation import evaluate

    test = {task: load_tasks(babi / "en", [task], "test")[task]}
    if what == "answer:forward":
        test_forward(checkpoint, test[task])  # warm-up
        return len(test[task]) / test_forward(checkpoint, test[task])
    # A first pass tokenizes the text (the tokenizer keeps what it read), as the peer's
    # loader has before it is timed; the timed pass still collates and decodes.
    evaluate(checkpoint, test)
    start = time.perf_counter()
    evaluate(checkpoint, test)
    return len(test[task]) / (time.perf_counter() - start)


def test_forward(checkpoint, examples) -> float:
    """Seconds askme's model takes over `examples` from token ids to answer tokens, passes
    and gates, as the peer's answering rows time its forward: every story read into the
    model's words and tokens before (each story once, its questions asking of its first
    facts, as `askme eval` reads them), then in one timed run the input GRU over the
    stories (one batch) and the questions and memory passes (one batch)."""
    import numpy as np

    from askme.dmn.batches import encode_example, pad_array
    from askme.dmn.entities import EntityMap
    from askme.dmn.tokenizer import PAD_ID

    engine, tokenizer = checkpoint.model.arrays, checkpoint.tokenizer
    longest: dict[str, object] = {}  # story -> its longest telling
    for ex in examples:
        if len(ex.story) > len(getattr(longest.get(ex.story_id), "story", ())):
            longest[ex.story_id] = ex
    stories, maps, row = [], {}, {}
    for i, (key, ex) in enumerate(longest.items()):
        maps[key] = EntityMap(checkpoint.lexicon)
        told = tuple(maps[key].rewrite_all(list(ex.story)))
        stories.append(encode_example(tokenizer, replace(ex, story=told)))
        row[key] = i
    questions = [tokenizer.encode_question(maps[ex.story_id].copy().rewrite(
        ex.question, question=True)) for ex in examples]
    story_ids = pad_array([e.story for e in stories], PAD_ID)
    positions = pad_array([e.fact_positions for e in stories], 0)
    counts = np.array([len(ex.story) for ex in examples])
    rows = np.array([row[ex.story_id] for ex in examples])
    question_ids = pad_array(questions, PAD_ID)
    lengths = np.array([len(q) for q in questions])
    start = time.perf_counter()
    facts, _ = engine.encode_story(story_ids, positions)  # (stories, T, H)
    T = counts.max()
    asked = facts[rows, :T]  # each question's story, cut to its own facts by the mask
    mask = np.arange(T)[None] < counts[:, None]
    prediction = engine.answer_facts(asked, mask, engine.encode_question(question_ids, lengths))
    seconds = time.perf_counter() - start
    if os.environ.get("ASKME_CHECK_FORWARD"):  # the forward answers as eval does
        from askme.memory.answering import decode_prediction
        said = [a.text for a in decode_prediction(tokenizer, prediction, list(counts))]
        print(sum(a == ex.answer for a, ex in zip(said, examples)), "of", len(examples))
    return seconds


ROWS = [  # (row, peer's measure, askme's measures)
    ("train bAbI 10k task 1, examples/s", ("train", 1), [("train:32", 1), ("train:100", 1)]),
    ("train bAbI 10k task 2, examples/s", ("train", 2), [("train:32", 2), ("train:100", 2)]),
    ("task-1 test, questions/s", ("answer:1000", 1), [("answer", 1), ("answer:forward", 1)]),
    ("task-1 test at batch 100, questions/s", ("answer:100", 1), [("answer", 1)]),
    ("one question about 10 facts, ms", ("one", 1),
     [("one:forward", 1), ("one", 1), ("one:stored", 1)]),
]


def run_one(side: str, what: str, task: int, args) -> float:
    """One measure in a fresh process of `args.threads` threads."""
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads), "ASKME_HOME": args.scratch}
    if side == "askme" and what.startswith("one"):
        env["OPENBLAS_NUM_THREADS"] = "1"  # as `askme` sets it for its numpy answer path
    code = (f"import sys, torch; torch.set_num_threads({args.threads}); "
            f"sys.path.insert(0, {str(ROOT / 'research')!r}); import peer_side_by_side as p; "
            f"print(p.{side}_measure({what!r}, {task}, __import__('pathlib').Path("
            f"{str(args.peer if side == 'peer' else args.babi)!r}), {args.steps}))")
    cwd = args.scratch if side == "peer" else ROOT
    result = subprocess.run([sys.executable, "-W", "ignore", "-c", code], cwd=cwd, env=env,
                            capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"{side} {what}: {result.stderr.strip().splitlines()[-1]}")
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peer", type=Path, required=True, help="the peer's checkout")
    parser.add_argument("--babi", type=Path, default=ROOT.parent / "shared" / "babi",
                        help="the folder holding en/ and en-10k/")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rows", default="", help="only the rows whose name holds this text")
    args = parser.parse_args()
    args.peer, args.babi = args.peer.resolve(), args.babi.resolve()
    with tempfile.TemporaryDirectory() as scratch:
        args.scratch = scratch
        (Path(scratch) / "data").mkdir()
        (Path(scratch) / "data" / "en-10k").symlink_to(args.babi / "en-10k")
        results = {}
        for row, peer, ours in [r for r in ROWS if args.rows in r[0]]:
            runs = {"peer": [], **{w: [] for w, _ in ours}}
            for _ in range(args.runs):  # alternating: peer, askme, peer, askme, ...
                runs["peer"].append(run_one("peer", *peer, args))
                for what, task in ours:
                    runs[what].append(run_one("askme", what, task, args))
            results[row] = {k: statistics.median(v) for k, v in runs.items()}
            scale = 1000 if row.endswith("ms") else 1
            print(f"{row}: " + ", ".join(f"{k} {scale * v:,.2f}" for k, v in results[row].items()),
                  flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
