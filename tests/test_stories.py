"""Reading lines as people write them: a question needs no question mark when it reads as
one (it starts with an auxiliary, or a question word not followed by a clause's subject), or
asks for one ("Tell me where Ken is.")."""

import pytest

from askme.stories import classify, plain_story, reads_as_question, split_clauses


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


def test_a_title_s_full_stop_ends_no_sentence():
    lines = classify("Dr. Jones went to the clinic. Mrs. Lee is at home. Where is Dr. Jones?")
    assert [(line.kind, line.text) for line in lines] == [
        ("fact", "Dr. Jones went to the clinic."), ("fact", "Mrs. Lee is at home."),
        ("question", "Where is Dr. Jones?")]


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


@pytest.mark.parametrize("sentence, clauses", [
    ("Ken went to the park and took the ball.", ["Ken went to the park.", "Ken took the ball."]),
    ("Mary went to the kitchen, picked up the apple and walked to the garden, where she gave "
     "it to John.", ["Mary went to the kitchen.", "Mary picked up the apple.",
                     "Mary walked to the garden.", "She gave it to John."]),
    ("The cat is in the box and the dog is in the garden!",
     ["The cat is in the box!", "The dog is in the garden!"]),
    ("Hiro and Camille walked to the park, then Daria and Hiro took a taxi to the office.",
     ["Hiro and Camille walked to the park.", "Daria and Hiro took a taxi to the office."]),
    ("The puppy flew to Oslo and later, it returned to Rome.",
     ["The puppy flew to Oslo.", "Later, it returned to Rome."]),
    ("Yesterday Fred went to the park and this morning he went to school.",
     ["Yesterday Fred went to the park.", "This morning he went to school."]),
    ("Ken went home, then later took the ball.", ["Ken went home.", "Later Ken took the ball."]),
    ("Ken went home, later, Amy and Bob took the bus to Rome.",
     ["Ken went home.", "Later, Amy and Bob took the bus to Rome."]),
    ("Jo grabbed the cup and the plate.", ["Jo grabbed the cup.", "Jo grabbed the plate."]),
    ("Ken gave the apple to Amy and the ball to Bob.",
     ["Ken gave the apple to Amy.", "Ken gave the ball to Bob."]),
    ("Wolves are afraid of cats, and then hens fear wolves.",
     ["Wolves are afraid of cats.", "Hens fear wolves."]),
    # any verb in the past, not only those of moving and handling
    ("Hannah woke up early, jogged to the park and sat on a bench.",
     ["Hannah woke up early.", "Hannah jogged to the park.", "Hannah sat on a bench."]),
    ("Marco went to the cellar, found the wine and opened it.",
     ["Marco went to the cellar.", "Marco found the wine.", "Marco opened it."]),
    ("Tim and Sue drove to the lake, and Max and Eva stayed in the hotel.",
     ["Tim and Sue drove to the lake.", "Max and Eva stayed in the hotel."]),
    # "but" and "while" between two clauses
    ("Grace went to the bank, but Eli stayed at the hotel.",
     ["Grace went to the bank.", "Eli stayed at the hotel."]),
    ("Eli stayed at the hotel while Grace went to the bank.",
     ["Eli stayed at the hotel.", "Grace went to the bank."]),
    ("Mary went to the kitchen and bread was on the table.",
     ["Mary went to the kitchen.", "Bread was on the table."]),
    # carrying a thing somewhere: taking it, and going there
    ("Ben carried the box to the garage.", ["Ben took the box.", "Ben went to the garage."]),
    ("Kofi made some tea and carried it to the study.",
     ["Kofi made some tea.", "Kofi went to the study."]),
    # taking a thing somewhere: going there, and taking it; going with it: taking it along
    ("Julia picked up the cake at the shop and took it to the party.",
     ["Julia went to the shop.", "Julia picked up the cake.", "Julia went to the party."]),
    ("Lena went to the beach with her camera.",
     ["Lena took her camera.", "Lena went to the beach."]),
    # putting a thing somewhere: putting it down, and where it then is
    ("I put my keys in the drawer.", ["I put down my keys.", "My keys are in the drawer."]),
    ("Ravi left the ball on the table and went home.",
     ["Ravi put down the ball.", "The ball is on the table.", "Ravi went home."]),
    ("Vera left the house.", ["Vera left the house."]),
    ("Anna left the office in the morning.", ["Anna left the office in the morning."]),
    ("I put the glass on the table.", ["I put down the glass.", "The glass is on the table."]),
    # "before" keeps the order told; a list of things may open with "some"
    ("Ada took the scarf and the gloves before she went outside.",
     ["Ada took the scarf.", "Ada took the gloves.", "She went outside."]),
    ("Tariq picked up a hammer, a saw and some nails.",
     ["Tariq picked up a hammer.", "Tariq picked up a saw.", "Tariq picked up some nails."]),
    ("Chloe bought the bread and the milk.", ["Chloe bought the bread.", "Chloe bought the milk."]),
])
def test_a_fact_told_as_clauses_is_a_fact_a_clause(sentence, clauses):
    assert split_clauses(sentence) == clauses


@pytest.mark.parametrize("sentence", [
    "Ken and Amy went to the park.", "The cat and the dog went home.",
    "Mary, John and Ken went home.", "Ken went to the kitchen and then to the garden.",
    "When Mary left, John went home.", "Ken went home, because Amy took the ball.",
    "Tom flew to Paris", "Mary went home.", "Ken went to the park with a friend.",
    "Bob took the book from the shelf.", "Mary went to the kitchen before the garden.",
    "Mary and John are in the park, and so is Bob.", "Mary, who was tired, went home.",
    "If Mary is in the park, John is at home.", "Mary saw the dog and the red ball.",
    "She was tired and bored.", "Fred went home and smiled.", "Mary has nothing but the ball.",
    "While Grace went to the bank, Eli stayed at the hotel.", "Ken went to the park and Ned.",
    "Tom took a train to Rome.", "Ken took the ball to Mary."])
def test_words_that_begin_no_clause_stay_with_the_clause_before(sentence):
    assert split_clauses(sentence) == [sentence]


def test_a_typed_line_stores_a_fact_a_clause_and_its_questions_after_them():
    lines = classify("Ken went to the park and took the ball. where is Ken")
    assert [(line.kind, line.text) for line in lines] == [
        ("fact", "Ken went to the park."), ("fact", "Ken took the ball."),
        ("question", "where is Ken")]
    story = plain_story("s", ["Sue picked up the keys, walked to the garage", "and dropped them."])
    assert story.facts == ["Sue picked up the keys.", "Sue walked to the garage.",
                           "Sue dropped them."]
