"""Story batches (`askme train --story-batches`): the questions of a story train together
and the input GRU reads the story once for all of them."""

import dataclasses
import json
import random

import pytest
import torch

from conftest import PAPER_DMN
from askme.babi import Example, load_tasks
from askme.cli import main
from askme.dmn.batches import (Encoded, collate, encode_example, shared_stories, story_batches,
                               story_shares)
from askme.dmn.config import DMNConfig
from askme.dmn.model import DMN
from askme.dmn.tokenizer import Tokenizer
from askme.training import parallel
from askme.training.augment import EntityShuffler
from askme.training.loop import gradient_capacity, supervise, train, train_job
from askme.training.options import Supervision, TrainOptions

TINY = DMNConfig(embed_dim=16, hidden_dim=16, gate_hidden_dim=16, max_passes=4, dropout=0.0,
                 **PAPER_DMN)


def item(story):
    return Encoded(story=story, fact_positions=[], question=[9], answer=[], supports=[])


def test_a_story_that_starts_a_longer_one_is_read_as_that_one():
    items = [item([5, 6, 3]), item([7, 3]), item([5, 6, 3, 8, 3]), item([5, 6, 3, 8, 3])]
    stories, rows = shared_stories(items)
    assert stories == [[5, 6, 3, 8, 3], [7, 3]]
    assert rows == [0, 1, 0, 0]


@pytest.fixture
def encoded(babi_dir):
    examples = [ex for exs in load_tasks(babi_dir, [1, 8, 19], "train").values() for ex in exs]
    texts = [s for ex in examples for s in (*ex.story, ex.question, ex.answer)]
    tokenizer = Tokenizer.train(texts, vocab_size=300)
    return tokenizer, [encode_example(tokenizer, ex) for ex in examples], examples


def test_story_batches_hold_every_question_once_with_its_story(encoded):
    _, items, examples = encoded
    batches = story_batches(items, 4, random.Random(0), pool=2)
    assert sorted(i for batch in batches for i in batch) == list(range(len(items)))
    assert [len(batch) for batch in batches].count(4) >= len(batches) - len(batches) // 2
    # A batch of them all reads each bAbI story once.
    stories = {(ex.task, ex.story_id) for ex in examples}
    assert len(examples) > len(stories)
    (everything,) = story_batches(items, len(items), random.Random(0))
    assert len(shared_stories([items[i] for i in everything])[0]) == len(stories)
    # Batches of 4 keep a story's questions together: fewer stories read than questions.
    read = sum(len(shared_stories([items[i] for i in batch])[0]) for batch in batches)
    assert read < len(items) * 0.75
    # Another seed, another order.
    assert story_batches(items, 4, random.Random(1), pool=2) != batches


def test_a_shared_story_batch_trains_as_a_batch_of_one_story_per_question(encoded):
    tokenizer, items, _ = encoded
    torch.manual_seed(0)
    model = DMN(dataclasses.replace(TINY, vocab_size=tokenizer.vocab_size))
    model.train()
    chosen = [items[i] for i in story_batches(items, 16, random.Random(0))[0]]
    results = []
    for share in (False, True):
        batch = supervise(collate(chosen, share), [c.task for c in chosen], Supervision())
        model.zero_grad()
        _, loss = model(batch)
        loss.backward()
        results.append((batch.story.size(0), loss, [p.grad.clone() for p in model.parameters()]))
    (rows, loss, grads), (shared_rows, shared_loss, shared_grads) = results
    assert rows == len(chosen) and shared_rows < rows / 2
    assert torch.allclose(loss, shared_loss, atol=1e-6)
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(grads, shared_grads))


def test_some_rows_of_a_shared_batch_keep_their_own_stories(encoded):
    tokenizer, items, _ = encoded
    torch.manual_seed(0)
    model = DMN(dataclasses.replace(TINY, vocab_size=tokenizer.vocab_size)).eval()
    chosen = [items[i] for i in story_batches(items, 16, random.Random(0))[0]]
    every = collate(chosen, share_stories=True)
    part = torch.tensor([i for i, p in enumerate(story_shares(chosen, 2)) if p == 1])
    rows = every.rows(part)
    assert rows.story.size(0) < every.story.size(0)
    with torch.no_grad():
        assert torch.allclose(model.encode(rows)[0], model.encode(every)[0][part], atol=1e-6)
    alone = collate([chosen[i] for i in part.tolist()])
    assert torch.equal(model.predict(rows).answer_tokens, model.predict(alone).answer_tokens)


def test_processes_get_equal_shares_of_questions_and_few_stories_twice(encoded):
    _, items, _ = encoded
    chosen = [items[i] for i in story_batches(items, len(items), random.Random(0))[0]]
    for parts in (2, 3):
        shares = story_shares(chosen, parts)
        counts = [shares.count(part) for part in range(parts)]
        assert max(counts) - min(counts) <= 1
        read = [len(shared_stories([c for c, s in zip(chosen, shares) if s == part])[0])
                for part in range(parts)]
        # A story straddles the boundary between two processes at most.
        assert sum(read) <= len(shared_stories(chosen)[0]) + parts - 1


def test_a_shared_story_is_renamed_as_its_questions_are():
    texts = ["Mary went to the kitchen.", "John moved to the garden.", "Where is Mary?",
             "Where is John?", "kitchen", "garden", "Sandra went to the office.",
             "Daniel went to the hallway.", "office", "hallway"] * 4
    tokenizer = Tokenizer.train(texts)
    story = ("Mary went to the kitchen.", "John moved to the garden.")
    questions = [Example(story[:1], "Where is Mary?", "kitchen", (0,), task=1),
                 Example(story, "Where is John?", "garden", (1,), task=1)] * 10
    renamed = EntityShuffler(tokenizer).apply(
        collate([encode_example(tokenizer, q) for q in questions], share_stories=True),
        [1] * 20, torch.Generator().manual_seed(0))
    assert renamed.story.size(0) == 1
    told = tokenizer.decode([int(i) for i in renamed.story[0] if int(i) > 4])
    for row in range(20):
        answer = tokenizer.decode([int(i) for i in renamed.answer[row] if int(i) > 4])
        person = tokenizer.decode([int(i) for i in renamed.question[row] if int(i) > 4]).split()[2]
        assert f"{person.rstrip('?')} " in told and answer in told
    assert told != " ".join(story)  # it does rename


def test_two_processes_of_story_batches_train_the_model_one_process_would(babi_dir):
    opts = TrainOptions(data=babi_dir, tasks=[1, 8, 19], epochs=2, batch_size=16, lr=1e-2,
                        patience=1000, decay_patience=1000, val_fraction=0.2, seed=3,
                        model=TINY, story_batches=True, augment=0.5)
    one = train(opts)
    numel, params = gradient_capacity(opts)
    two = parallel.run(2, 1, numel, params, train_job, (dataclasses.replace(opts, processes=2),))
    a, b = one.model.state_dict(), two.model.state_dict()
    assert all(torch.allclose(a[k], b[k], atol=5e-4) for k in a)
    plain = train(dataclasses.replace(opts, story_batches=False)).model.state_dict()
    assert not all(torch.allclose(a[k], plain[k], atol=1e-3) for k in a)


def test_story_batches_from_the_command_line_and_a_recipe(babi_dir, tmp_path, capsys):
    def recorded(folder):
        return json.loads((folder / "config.json").read_text())["info"]["options"]["story_batches"]

    assert main(["train", "--data", str(babi_dir), "--tasks", "1", "--epochs", "1",
                 "--story-batches", "--out", str(tmp_path / "m")]) == 0
    assert recorded(tmp_path / "m") is True
    recipe = tmp_path / "r.toml"
    stage = '[recipe]\nname = "r"\n[[stage]]\nname = "one"\ntasks = "1"\nepochs = 1\n'
    recipe.write_text(stage + "story_batches = true\n")
    assert main(["train", "--recipe", str(recipe), "--data", str(babi_dir),
                 "--out", str(tmp_path / "r")]) == 0
    assert recorded(tmp_path / "r") is True
    recipe.write_text(stage + 'story_batches = "yes"\n')
    capsys.readouterr()
    assert main(["train", "--recipe", str(recipe), "--data", str(babi_dir),
                 "--out", str(tmp_path / "bad")]) == 1
    assert capsys.readouterr().err == (f"askme: error: {recipe}: stage 1 ('one'): story_batches "
                                       "should be bool, not 'yes'\n")
    assert not (tmp_path / "bad").exists()


def test_copies_of_a_question_read_stories_of_their_own(encoded):
    """An oversampled task gives the same items twice; each copy is renamed apart, so the
    copies must not read one shared story."""
    _, items, _ = encoded
    twice = items * 2
    (everything,) = story_batches(twice, len(twice), random.Random(0))
    stories, rows = shared_stories([twice[i] for i in everything])
    assert len(stories) == 2 * len(shared_stories(items)[0])
    for batch in story_batches(twice, 7, random.Random(0)):
        chosen = [twice[i] for i in batch]
        _, rows = shared_stories(chosen)
        for row in set(rows):
            readers = [id(item) for item, r in zip(chosen, rows) if r == row]
            assert len(readers) == len(set(readers))
