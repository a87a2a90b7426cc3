"""Reading lines as people write them: a question needs no question mark when it reads as
one (it starts with an auxiliary, or a question word not followed by a clause's subject), or
asks for one ("Tell me where Ken is.")."""

import pytest

from askme.stories import classify, plain_story, reads_as_question


@pytest.mark.parametrize("sentence", [
    "Where is Mary?", "where is alice", "Where's the ball", "who went to the garden",
    "is Mary in the kitchen", "Did John go home", "how many apples does John have",
    "Which room is Mary in", "What is the capital of France", "where is mary ?",
    "where is zoë", "Tell me where Ken is.", "Do you know where Ken is.",
    "I wonder who has the ball", "Please tell me, what is Amy holding."])
def test_these_read_as_questions(sentence):
    assert reads_as_question(sentence)


@pytest.mark.parametrize("sentence", [
    "Mary went home.", "The cat is in the box.", "When Mary left, John stayed.",
    "What the box holds is a secret.", "Then she went to the office.", "Do not go.",
    "How Mary did it is a mystery.", "Where the river bends there is a mill.", "Is",
    "Will went to the kitchen.", "May picked up the apple.", "When asked, Mary went home.",
    "Where possible, John walks", "where is mary.", "Where Émile lives is a secret",
    "Tell me a story.", "I wonder."])
def test_these_read_as_statements(sentence):
    assert not reads_as_question(sentence)


def test_a_line_may_hold_a_fact_and_a_question_without_a_mark():
    lines = classify("Alice went to the library. where is alice")
    assert [(line.kind, line.text) for line in lines] == [
        ("fact", "Alice went to the library."), ("question", "where is alice")]


def test_a_question_line_without_a_mark_stands_alone_between_prose_lines():
    story = plain_story("s", ["Mary went to", "the kitchen.", "where is mary", "where's mary",
                              "John went to the", "garden."])
    assert story.facts == ["Mary went to the kitchen.", "John went to the garden."]
    assert [(q.text, q.fact_count) for q in story.questions] == [("where is mary", 1),
                                                                 ("where's mary", 1)]


def test_a_question_ending_in_a_mark_ends_the_prose_before_it():
    story = plain_story("s", ["Mary went to the kitchen", "Where is Mary?", "The ball",
                              "is in the box."])
    assert story.facts == ["Mary went to the kitchen", "The ball is in the box."]
    assert [(q.text, q.fact_count) for q in story.questions] == [("Where is Mary?", 1)]
