"""Entity shuffling renames people, places and things consistently, never anything else."""

import re

import torch

from askme.babi import Example
from askme.dmn.batches import collate, encode_example
from askme.dmn.tokenizer import Tokenizer
from askme.training.augment import EntityShuffler

TEXTS = ["Mary went to the kitchen.", "John moved to the garden.", "Sandra went to the office.",
         "Daniel took the apple there.", "Fred got the football.", "Bill left the milk.",
         "The kitchen is north of the office.", "How do you go from the garden to the office?",
         "Where is Mary?", "Yann is tired.", "Where will yann go?", "Jason is hungry.",
         "Where will jason go?", "bedroom", "hallway", "bathroom", "s,e", "n,w"] * 3


def decode(tokenizer, ids):
    return tokenizer.decode([int(i) for i in ids if int(i) > 4 or int(i) == 1])


def words(tokenizer, ids):
    return re.findall(r"[A-Za-z]+", decode(tokenizer, ids))


def test_renaming_is_consistent_across_story_question_and_answer():
    tokenizer = Tokenizer.train(TEXTS)
    shuffler = EntityShuffler(tokenizer)
    example = Example(("Mary went to the kitchen.", "John moved to the garden."),
                      "Where is Mary?", "kitchen", (0,), task=1)
    batch = collate([encode_example(tokenizer, example)] * 20)
    renamed = shuffler.apply(batch, [1] * 20, torch.Generator().manual_seed(0))
    seen = set()
    for row in range(20):
        story = words(tokenizer, renamed.story[row])
        question = words(tokenizer, renamed.question[row])
        answer = decode(tokenizer, renamed.answer[row])
        assert story[1:4] == ["went", "to", "the"] and story[6:9] == ["moved", "to", "the"]
        assert question[:2] == ["Where", "is"] and question[2] == story[0]  # same person
        assert answer == story[4]  # the answer is the renamed place
        assert story[0] != story[5]  # two people stay two people
        seen.add((story[0], answer))
    assert len(seen) > 5  # it does rename
    assert torch.equal(renamed.supports, batch.supports)
    assert torch.equal(renamed.fact_positions, batch.fact_positions)


def test_task_20_keeps_places_and_share_zero_keeps_everything():
    tokenizer = Tokenizer.train(TEXTS)
    shuffler = EntityShuffler(tokenizer)
    example = Example(("Yann is tired.",), "Where will yann go?", "bedroom", (0,), task=20)
    batch = collate([encode_example(tokenizer, example)] * 10)
    renamed = shuffler.apply(batch, [20] * 10, torch.Generator().manual_seed(1))
    answers = {decode(tokenizer, renamed.answer[r]) for r in range(10)}
    people = {words(tokenizer, renamed.story[r])[0] for r in range(10)}
    assert answers == {"bedroom"} and len(people) > 1
    for r in range(10):  # the lower-case form in the question follows the capitalised one
        assert words(tokenizer, renamed.question[r])[2] == \
            words(tokenizer, renamed.story[r])[0].lower()
    same = shuffler.apply(batch, [1] * 10, torch.Generator().manual_seed(1), share=0.0)
    assert torch.equal(same.story, batch.story) and torch.equal(same.answer, batch.answer)
