"""A relation and its converse read alike (askme.converses, DMNConfig.converses): which texts
are turned round, how the model is handed them, and that a model trained without it reads
as before."""

from pathlib import Path

import pytest

from askme.babi import Example
from askme.converses import fact_conversely, placed_things, question_conversely
from askme.dmn.batches import encode_example, supports_as_read
from askme.dmn.checkpoint import load_checkpoint
from askme.dmn.tokenizer import Tokenizer

MODELS = Path(__file__).resolve().parent.parent / "models"


@pytest.mark.parametrize("fact, read", [
    ("The red square is below the blue square.", "The blue square is above the red square."),
    ("The pink rectangle is to the right of the triangle.",
     "The triangle is to the left of the pink rectangle."),
    ("the sphere is BELOW the red square", "The red square is above the sphere"),
    ("Paris is to the right of Rome", "Rome is to the left of Paris"),
    ("It is below the table.", "The table is above it."),
    ("The lamp was below the shelf.", "The shelf was above the lamp."),
])
def test_a_converse_fact_is_said_the_other_way_round(fact, read):
    assert fact_conversely(fact) == read


@pytest.mark.parametrize("fact", [
    "The blue square is above the red square.",  # already the reading
    "The triangle is to the left of the square.",
    "The kitchen is north of the hallway.",  # directions are task 4's, asked both ways
    "Mary went home and the cat is below the table.",  # a clause, not a thing
    "The box is below the shelf in the big old kitchen.",
    "Then it is below the table.",
    "Where is the box below the bed?",
])
def test_other_facts_stay_as_written(fact):
    assert fact_conversely(fact) == fact


def test_a_converse_question_is_asked_the_other_way_round_and_says_so():
    assert question_conversely("Is the pink rectangle to the right of the red square?") == (
        "Is the red square to the left of the pink rectangle?", True)
    assert question_conversely("is the red sphere below the triangle") == (
        "is the triangle above the red sphere", True)
    for question in ("Is the red square above the triangle?", "Is the cat in the box?",
                     "Where is the box below the bed?", "Does the box fit in the chest?"):
        assert question_conversely(question) == (question, False)



def test_the_things_of_every_relation_of_place_are_found_in_facts_and_questions():
    def things(text, question=False):
        return [text[a:b] for a, b in placed_things(text, question)]

    assert things("  The lamp is to the left of the sofa.") == ["The lamp", "the sofa"]
    assert things("The red car was below the blue car .") == ["The red car", "the blue car"]
    assert things("is the clock above the desk", question=True) == ["the clock", "the desk"]
    assert things("Is the clock above the desk?") == []  # a question, read as a fact
    for text in ("Mary went to the kitchen.", "The kitchen is north of the hallway.",
                 "Mary went home and the cat is below the table."):
        assert things(text) == []

@pytest.fixture()
def tokenizer():
    return Tokenizer.load(MODELS / "babi-1k" / "tokenizer.model")


def test_a_tokenizer_reading_converses_hands_the_model_the_turned_text(tokenizer):
    below, above = "The triangle is below the red square.", "The red square is above the triangle."
    asked, turned = "Is the red square below the triangle?", "Is the triangle above the red square?"
    assert tokenizer.encode_fact(below) != tokenizer.encode_fact(above)
    tokenizer.converses = True
    assert tokenizer.encode_fact(below) == tokenizer.encode_fact(above)
    assert tokenizer.encode_question(asked) == tokenizer.encode_question(turned)
    # Read word by word, each word stays where it was written.
    ids, ends = tokenizer.fact_words(below)
    assert len(ends) == 7 and ids == Tokenizer.load(
        MODELS / "babi-1k" / "tokenizer.model").encode_fact(below)
    tokenizer.converses = False  # and back: nothing remembered from the other reading
    assert tokenizer.encode_fact(below) != tokenizer.encode_fact(above)


def test_supporting_facts_follow_the_question_turned_round(tokenizer):
    example = Example(("The triangle is to the left of the red square.",
                       "The blue square is below the triangle."),
                      "Is the blue square to the right of the red square?", "no", (1, 0))
    assert encode_example(tokenizer, example).supports == [1, 0]
    tokenizer.converses = True
    assert encode_example(tokenizer, example).supports == [0, 1]  # the red square's first
    assert supports_as_read(tokenizer, example) == [0, 1]  # as `askme eval` scores gates
    unturned = Example(example.story, "Is the blue square to the left of the red square?",
                       "yes", (1, 0))
    assert encode_example(tokenizer, unturned).supports == [1, 0]


def test_a_model_trained_without_it_reads_as_written():
    checkpoint = load_checkpoint(MODELS / "babi-1k", arrays=True)
    assert not checkpoint.model.config.converses and not checkpoint.tokenizer.converses
