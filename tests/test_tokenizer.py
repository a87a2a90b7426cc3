import pytest

from askme.errors import AskmeError
from askme.dmn.tokenizer import (ANSWER_END_ID, ANSWER_START_ID, FACT_END_ID, PAD_ID, Tokenizer)

TEXTS = ["Mary went to the kitchen.", "Where is Mary?", "kitchen", "apple,football", "n,w"]


@pytest.fixture(scope="module")
def tokenizer():
    return Tokenizer.train(TEXTS)


@pytest.mark.parametrize("text", [
    "Mary went to the kitchen.",
    "Zyxwv quokka went to the observatory.",  # unseen words
    "Where is 🦘 the kangaroo? 🙂",  # emoji
    "naïve café 東京 Ελλάδα",
])
def test_round_trip(tokenizer, text):
    ids = tokenizer.encode(text)
    assert ids and all(i > FACT_END_ID for i in ids)  # reserved ids never come from text
    assert tokenizer.decode(ids) == text


def test_control_characters_and_reserved_names_encode(tokenizer):
    for text in ["tab\there", "nul\x00byte", "bell\x07", "<fact_end>", "<s></s><pad>", "", " "]:
        ids = tokenizer.encode(text)
        assert FACT_END_ID not in ids and PAD_ID not in ids
        assert isinstance(tokenizer.decode(ids), str)


def test_reserved_ids_and_answers(tokenizer):
    assert (PAD_ID, ANSWER_START_ID, ANSWER_END_ID, FACT_END_ID) == (0, 2, 3, 4)
    for answer in ["kitchen", "apple,football", "n,w", "unseen,words"]:
        assert tokenizer.decode_answer(tokenizer.encode_answer(answer)) == answer
    # A list item is encoded as the same word piece it is in a fact.
    assert tokenizer.encode_answer("kitchen,apple")[0] == tokenizer.encode("kitchen")[0]


def test_facts_and_questions_are_read_in_the_form_of_the_training_text(tokenizer):
    fact, question = tokenizer.encode("Mary went to the kitchen."), tokenizer.encode("Where is Mary?")
    for typed in ["Mary went to the kitchen.", "Mary went to the kitchen!", "mary went to the KITCHEN",
                  "  Mary went to the kitchen ... "]:
        assert tokenizer.encode_fact(typed) == fact, typed
    for typed in ["Where is Mary?", "where is mary", "Where is Mary ?", "WHERE IS MARY?!"]:
        assert tokenizer.encode_question(typed) == question, typed
    # A word it knows in no case stays as written; only the end mark changes.
    assert tokenizer.encode_fact("Zyxwv went to the QUOKKA") == tokenizer.encode(
        "Zyxwv went to the QUOKKA.")
    assert tokenizer.encode("where is mary") != question  # plain encode reads text as it is


def test_emoji_read_as_if_they_were_not_there(tokenizer):
    fact = tokenizer.encode("Mary went to the kitchen.")
    question = tokenizer.encode("Where is Mary?")
    for typed in ["Mary went to the kitchen \U0001f373.",
                  "Mary \U0001f469\U0001f3fd went to the kitchen!",
                  "Mary went to the kitchen. \u2764\ufe0f",
                  "\U0001f468\u200d\U0001f469\u200d\U0001f467 Mary went to the kitchen"]:
        assert tokenizer.encode_fact(typed) == fact, typed
    assert tokenizer.encode_question("Where is Mary? \U0001f914") == question
    # Letters of any script, digits, currency and maths signs are read, as before.
    for kept in ["Zo\u00eb paid 5\u20ac at the caf\u00e9 in \u6771\u4eac.", "2+2=4 < 5."]:
        assert tokenizer.encode_fact(kept) == tokenizer.encode(kept), kept


def test_save_load_and_reject_garbage(tokenizer, tmp_path):
    path = tmp_path / "tokenizer.model"
    tokenizer.save(path)
    again = Tokenizer.load(path)
    assert again.encode("Where is Mary?") == tokenizer.encode("Where is Mary?")
    path.write_bytes(b"not a model")
    with pytest.raises(AskmeError, match="tokenizer.model"):
        Tokenizer.load(path)


def test_training_is_deterministic():
    assert Tokenizer.train(TEXTS).model_proto == Tokenizer.train(list(reversed(TEXTS))).model_proto


def test_a_vocabulary_too_small_for_the_text_is_one_line():
    texts = ["Mary went to the kitchen.", "Where is Mary?", "kitchen"]
    needed = 256 + 5 + len(set("".join(texts)))
    with pytest.raises(AskmeError, match=rf"^a vocabulary of {needed - 1} pieces is too small "
                                         rf"for this text: it needs at least {needed} "):
        Tokenizer.train(texts, vocab_size=needed - 1)
    assert Tokenizer.train(texts, vocab_size=needed).vocab_size == needed


def test_a_question_or_fact_starting_in_lower_case_reads_as_the_capitalised_training_text():
    tokenizer = Tokenizer.train(["Mary is in the kitchen.", "Is Mary in the kitchen?",
                                 "The box is in the kitchen."])
    capital = tokenizer.encode("Is Mary in the kitchen?")
    assert tokenizer.encode("is Mary in the kitchen?") != capital  # "is" is a piece of its own
    for typed in ["is Mary in the kitchen", "is mary in the kitchen?", "IS MARY IN THE KITCHEN"]:
        assert tokenizer.encode_question(typed) == capital, typed
    assert tokenizer.encode_fact("the box is in the kitchen") == tokenizer.encode(
        "The box is in the kitchen.")
