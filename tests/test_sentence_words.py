"""One sentence read word by word (the seed's second input mode): generated one-sentence
stories with word supports, their bAbI-format lines, and what the model is handed."""

import re
from pathlib import Path

import pytest

from askme.babi import BabiFormatError, Example, file_task, parse_babi
from askme.dmn.batches import encode_example
from askme.dmn.tokenizer import FACT_END_ID, Tokenizer
from askme.training.generator.sentences import (ONE_SENTENCE_TASKS, join_facts,
                                                one_fact_stories, one_sentence_stories)
from askme.training.generator.words import MEN, WOMEN

PEOPLE = set(WOMEN) | set(MEN)

TOKENIZER = Path(__file__).resolve().parent.parent / "models" / "babi-1k" / "tokenizer.model"


@pytest.fixture(scope="module")
def tokenizer():
    return Tokenizer.load(TOKENIZER)


def test_facts_joined_into_a_sentence_know_where_each_fact_ends():
    import random

    facts = ["Mary went to the kitchen.", "Mary picked up the apple.", "Then she walked to the garden."]
    sentence, ends = join_facts(facts, random.Random(1))
    words = sentence.split()
    assert sentence.endswith("garden.") and sentence.count(".") == 1
    assert [re.sub(r"\W", "", words[e]) for e in ends] == ["kitchen", "apple", "garden"]


@pytest.mark.parametrize("task", ONE_SENTENCE_TASKS)
def test_one_sentence_stories_are_valid_babi_with_word_supports(task, tokenizer):
    lines = one_sentence_stories(task, 60, seed=2)
    assert one_sentence_stories(task, 60, seed=2) == lines
    examples = parse_babi(lines, task=task)
    assert len(examples) == 60 and all(len(e.story) == 1 for e in examples)
    assert all(e.word_level for e in examples if e.supports)
    for example in examples:
        sentence = example.story[0]
        ids, ends = tokenizer.fact_words(sentence)
        assert len(ends) == len(sentence.split())  # a state for every word
        assert ends == sorted(set(ends)) and ends[-1] == len(ids) - 1
        assert not re.search(r"\b(and|then|which),? and\b", sentence), sentence
        if example.answer == "unknown":
            continue
        # whoever the question names, the sentence names
        asked = {w for w in re.findall(r"[A-Za-z]+", example.question) if w.istitle()}
        assert all(name.lower() in sentence.lower() for name in asked & PEOPLE), example
        # a place or thing answered is a word of the supporting clauses (a list: of the
        # sentence; counts, yes/no and kinds are not words of it)
        if example.answer in ("yes", "no", "maybe", "nothing") or task in (7, 15):
            continue
        supported = " ".join(sentence.split()[s] for s in example.supports)
        if task == 8:
            assert all(item in sentence for item in example.answer.split(",")), example
        elif task == 14:  # "... to the park yesterday": a time word may end the clause
            assert example.answer in sentence
        else:
            assert example.answer.split()[-1] in supported, example


@pytest.mark.parametrize("task", [1, 4, 10, 20])
def test_one_fact_sentences_ask_of_their_one_fact_alone(task):
    lines = one_fact_stories(task, 40, seed=3)
    assert one_fact_stories(task, 40, seed=3) == lines
    examples = parse_babi(lines, task=task)
    assert len(examples) == 40 and all(len(e.story) == 1 for e in examples)
    sentence_ends = [len(e.story[0].split()) - 1 for e in examples]
    # supported by the sentence's last word (its one clause), or 'unknown' and by nothing
    assert all(e.supports == (end,) if e.supports else e.answer == "unknown"
               for e, end in zip(examples, sentence_ends))
    assert 0 < sum(e.answer == "unknown" for e in examples) <= 20
    named = [e for e in examples if e.answer not in ("unknown", "yes", "no", "maybe")]
    if task != 20:  # task 20 answers where a feeling sends someone, a place it never names
        assert all(e.answer.split()[-1] in e.story[0] for e in named)


def test_a_task_whose_every_answer_rests_on_two_facts_gives_no_one_fact_story():
    assert one_fact_stories(17, 10) == []  # positional reasoning: two relations, always


def test_word_supports_are_checked_when_read():
    good = ["1 Mary went to the kitchen and John went home.", "2 Where is John?\thome\tw9"]
    (example,) = parse_babi(good)
    assert example.word_level and example.supports == (8,)
    for support, why in [("w10", "supporting word w10 is not a word of the sentence"),
                         ("wx", "supporting word 'wx' is not 'w' and a number")]:
        with pytest.raises(BabiFormatError, match=re.escape(why)):
            parse_babi([good[0], f"2 Where is John?\thome\t{support}"])
    with pytest.raises(BabiFormatError, match="supporting words need a story of one sentence"):
        parse_babi(["1 Mary went home.", "2 John went home.", "3 Where is John?\thome\tw2"])


def test_a_sentence_read_word_by_word_has_a_fact_per_word(tokenizer):
    sentence = "Mary went to the kitchen and John went home."
    by_words = encode_example(tokenizer, Example((sentence,), "Where is John?", "home", (8,),
                                                 word_level=True), words=True)
    ids, ends = tokenizer.fact_words(sentence)
    assert by_words.story == ids + [FACT_END_ID] and by_words.fact_positions == ends
    assert by_words.supports == [8]
    # bAbI's own one-fact stories: supported by the sentence, so by its last word
    babi = encode_example(tokenizer, Example(("Yann is hungry.",), "Where will Yann go?",
                                             "kitchen", (0,)), words=True)
    assert len(babi.fact_positions) == 3 and babi.supports == [2]
    # a model that reads facts: the sentence is one fact, supporting once
    as_fact = encode_example(tokenizer, Example((sentence,), "Where is John?", "home", (4, 8),
                                                word_level=True))
    assert as_fact.fact_positions == [len(ids)] and as_fact.supports == [0]
    # stories of several sentences are read by facts either way
    two = Example(("Mary went home.", "John went home."), "Where is John?", "home", (1,))
    assert encode_example(tokenizer, two, words=True) == encode_example(tokenizer, two)


def test_the_one_sentence_data_step_adds_to_the_task_types_a_sentence_tells(babi_dir, tmp_path):
    from askme.training.data_steps import DATA_STEPS

    added = DATA_STEPS["one_sentence"](babi_dir, tmp_path / "out", stories=5)
    assert added == {p.name: 5 for p in babi_dir.glob("qa*_train.txt")
                     if file_task(p) in ONE_SENTENCE_TASKS}
    for name in added:
        lines = (tmp_path / "out" / name).read_text().splitlines()
        assert any("\tw" in line for line in lines[-10:])


@pytest.fixture(scope="module")
def word_model(tmp_path_factory, tokenizer):
    """An untrained model that reads one sentence word by word: what it answers is noise,
    but the shape of every explanation is not."""
    import torch

    from askme.dmn.checkpoint import save_checkpoint
    from askme.dmn.config import DMNConfig
    from askme.dmn.model import DMN

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("words")
    save_checkpoint(folder, DMN(DMNConfig(vocab_size=tokenizer.vocab_size, sentence_words=True)),
                    tokenizer)
    return folder


def run(*args, stdin="", home):
    import os
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "askme", *args], input=stdin, text=True,
                            capture_output=True, env={**os.environ, "ASKME_HOME": str(home)})
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return result.stdout


SENTENCE = "Mary went to the kitchen, picked up the apple and walked to the garden."


def test_a_memory_of_one_sentence_is_answered_word_by_word_and_of_two_by_facts(word_model, tmp_path):
    import json

    out = run("ask", "--stdin", "--json", "--model", str(word_model), home=tmp_path,
              stdin=f"{SENTENCE}\nWhere is the apple?\nJohn went home.\nWhere is the apple?\n")
    one, two = (json.loads(line) for line in out.splitlines())
    assert one["facts"] == [SENTENCE] and one["words"] == SENTENCE.split()
    assert all(len(p["gates"]) == 14 for p in one["passes"])  # a gate per word
    assert "words" not in two and two["facts"] == [SENTENCE, "John went home."]
    assert all(len(p["gates"]) == 2 for p in two["passes"])


def test_the_chat_draws_each_pass_on_the_sentence(word_model, tmp_path):
    import json

    out = run("chat", "--model", str(word_model), "--memory", "w", home=tmp_path,
              stdin=f"{SENTENCE}\nWhere is the apple?\n")
    table = out.splitlines()[2:]
    assert "sentence, the word each pass chose in brackets" in table[1]
    passes = [line for line in table if re.match(r"│ +\d+ │", line)]
    asked = json.loads(run("ask", "--json", "--model", str(word_model), "--memory", "w",
                           "Where is the apple?", home=tmp_path))
    assert len(passes) == len(asked["passes"])
    for line, gates in zip(passes, asked["passes"]):
        chosen = max(range(15), key=(gates["gates"] + [gates["end_of_passes"]]).__getitem__)
        if chosen < 14:
            assert f"[{SENTENCE.split()[chosen]}]" in line and f"word {chosen + 1}" in line
        else:
            assert "end of passes" in line
    assert table[-1].startswith(("halted after", "stopped at the limit"))


def test_a_babi_story_of_one_sentence_is_explained_by_its_words(word_model, tmp_path):
    from askme.memory import answering
    from askme.stories import read_story

    path = tmp_path / "qa1_story_test.txt"
    path.write_text(f"1 {SENTENCE}\n2 Where is the apple?\tgarden\tw9 w14\n"
                    "1 Mary went home.\n2 John went home.\n3 Where is John?\thome\t2\n")
    checkpoint = answering.load_model(str(word_model), arrays=True)
    one, two = answering.story_answers(checkpoint, read_story(str(path)))
    assert one.sentence == SENTENCE and one.facts == SENTENCE.split()
    assert all(len(gates) == 15 for gates in one.episodes)
    assert two.sentence is None and two.facts == ["Mary went home.", "John went home."]


def test_a_sentence_whose_pieces_group_other_words_is_read_as_one_fact(word_model):
    from askme.memory import answering

    checkpoint = answering.load_model(str(word_model), arrays=True)
    spaced = "Mary went home !"  # read as "Mary went home.": three words, not four
    (said,) = answering.answer_questions(checkpoint, [spaced], ["Where is Mary?"])
    assert said.sentence is None and said.facts == [spaced]
    assert all(len(gates) == 2 for gates in said.episodes)
    (said,) = answering.answer_questions(checkpoint, ["Mary went home."], ["Where is Mary?"])
    assert said.sentence == "Mary went home." and all(len(g) == 4 for g in said.episodes)


def test_one_sentence_stories_read_through_slots_count_the_words_the_slots_wrote(tmp_path):
    from askme.training.data_steps import read_through_slots
    from askme.training.lexicon import babi_lexicon

    people, rooms = ["Mary", "John", "Sandra", "Daniel"], ["kitchen", "garden", "office",
                                                          "hallway", "bedroom", "bathroom"]
    story = [f"{i + 1} {people[i % 4]} went to the {rooms[i % 6]}." for i in range(12)]
    story += [f"13 Where is {people[3]}?\t{rooms[3]}\t12"]
    (tmp_path / "qa1_single-supporting-fact_train.txt").write_text("\n".join(story * 3) + "\n")
    lexicon = babi_lexicon(tmp_path)
    lines = one_sentence_stories(1, 40, seed=3, read=lambda ls: read_through_slots(ls, lexicon))
    assert lines != one_sentence_stories(1, 40, seed=3)
    answered = 0
    for example in parse_babi(lines, task=1):
        assert len(example.story) == 1
        if example.answer == "unknown":
            continue
        words = example.story[0].split()
        # the supporting clause ends in the place answered, in the slot word that says it
        assert example.answer.split()[-1] in words[example.supports[-1]], example
        answered += 1
    assert answered > 30


def test_the_one_fact_data_step_adds_plain_sentences_to_every_task_read_through_slots(
        babi_dir, tmp_path):
    from askme.training.data_steps import DATA_STEPS
    from askme.training.lexicon import babi_lexicon

    lexicon = babi_lexicon(babi_dir)
    added = DATA_STEPS["one_fact_slots"](babi_dir, tmp_path / "out", stories=6,
                                         lexicon=lexicon)
    # path finding asks nothing of one fact: only its 'unknown's, at most half
    assert added == {p.name: 3 if file_task(p) == 19 else 6
                     for p in babi_dir.glob("qa*_train.txt")}
    assert all((tmp_path / "out" / p.name).exists() for p in babi_dir.glob("qa*.txt"))
    tail = (tmp_path / "out" / "qa1_single-supporting-fact_train.txt").read_text().splitlines()
    examples = parse_babi(tail[-12:], task=1)
    assert len(examples) == 6 and all(len(e.story) == 1 for e in examples)
    # the generator's places are read as the slots' places, as a user's are
    answered = [e.answer for e in examples if e.answer != "unknown"]
    assert answered and set(answered) <= set(lexicon.slots["place"])
