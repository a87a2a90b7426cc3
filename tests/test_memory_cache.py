"""The working memory's encoding cache: adding a fact runs the input GRU over that fact only,
and whatever happened to the memory, the cached facts equal a full re-encode."""

import dataclasses
import json

import numpy as np
import pytest
import torch

from askme.memory import cache, answering
from askme.memory.store import MemoryStore

FACTS = [f"{name} went to the {place}." for name, place in zip(
    ["Mary", "John", "Sandra", "Daniel"] * 8, ["kitchen", "garden", "office", "hallway", "bedroom"] * 7)]
# People and places the model never saw, among ones it knows: "Alice" takes Mary's slot,
# so the real Mary, arriving later, is moved to another one (askme.dmn.entities).
NEW_FACTS = [f"{name} went to the {place}." for name, place in zip(
    ["Alice", "John", "Mary", "Zoe"] * 8, ["library", "garden", "kitchen", "attic", "bedroom"] * 7)]

# Facts opening with a pronoun, read as the person the fact before named: the cache keeps
# whom, so a fact added later reads as it would in the whole memory.
PRONOUN_FACTS = [fact for name, place in zip(["Alice", "Bob", "Mary", "Zoe"] * 4,
                                             ["library", "garden", "kitchen", "attic"] * 4)
                 for fact in (f"{name} went to the {place}.", "Then she went to the hall.")]


@pytest.fixture(scope="module")
def checkpoint():
    return answering.load_model()


@pytest.fixture
def store(tmp_path):
    store = MemoryStore(tmp_path / "memories.sqlite3")
    yield store
    store.close()


@pytest.fixture
def encoded_count(monkeypatch):
    """How many facts the input GRU has encoded since the fixture started."""
    seen = [0]
    original = cache.encode_more

    def counting(checkpoint, texts, after=None):
        seen[0] += len(texts)
        return original(checkpoint, texts, after)

    monkeypatch.setattr(cache, "encode_more", counting)
    return seen


def assert_matches_full_encode(checkpoint, store, person=False):
    """The cached reading (`person`: the one for questions about a person) equals reading
    the facts afresh."""
    cached = cache.memory_facts(checkpoint, store, "default", person=person)
    assert cached.texts == store.facts("default")
    full = cache.encode_facts(checkpoint, cached.texts, person=person)
    assert cached.vectors.shape == full.vectors.shape
    assert np.allclose(cached.vectors, full.vectors, atol=1e-5)
    assert cached.entities == full.entities


@pytest.mark.parametrize("facts", [FACTS, NEW_FACTS, PRONOUN_FACTS],
                         ids=["babi-words", "new-words", "pronouns"])
def test_facts_added_one_by_one_are_encoded_once_and_equal_a_full_encode(checkpoint, store,
                                                                         encoded_count, facts):
    for fact in facts[:20]:
        cache.add_facts(store, "default", [fact], checkpoint)
    cache.add_facts(store, "default", facts[20:], checkpoint)
    assert encoded_count[0] == len(facts)  # each fact went through the GRU exactly once
    assert all(row[2] is not None for row in store.fact_rows("default", checkpoint.fingerprint))
    cached = cache.memory_facts(checkpoint, store, "default")
    assert encoded_count[0] == len(facts)  # answering reads the cache, encodes nothing
    full = cache.encode_facts(checkpoint, cached.texts)
    assert np.allclose(cached.vectors, full.vectors, atol=1e-5)
    assert cached.entities == full.entities


@pytest.mark.parametrize("facts", [FACTS, NEW_FACTS], ids=["babi-words", "new-words"])
def test_cache_stays_right_through_forget_undo_clear_and_load(checkpoint, store, facts):
    cache.add_facts(store, "default", facts, checkpoint)
    store.forget("default", 10)
    assert_matches_full_encode(checkpoint, store)
    assert_matches_full_encode(checkpoint, store, person=True)
    store.undo("default")  # fact 10 is back in the middle: what follows it is re-encoded
    assert_matches_full_encode(checkpoint, store)
    assert_matches_full_encode(checkpoint, store, person=True)
    store.clear("default")
    store.undo("default")
    assert_matches_full_encode(checkpoint, store)
    store.replace("default", facts[:5])
    assert_matches_full_encode(checkpoint, store)
    store.undo("default")
    cache.add_facts(store, "default", ["Bill went to the park."], checkpoint)
    assert_matches_full_encode(checkpoint, store)
    store.forget("default", len(facts) + 1)  # the last fact: the slots after it are rebuilt
    cache.add_facts(store, "default", ["Zoe went to the cellar."], checkpoint)
    assert_matches_full_encode(checkpoint, store)


def test_facts_added_without_a_model_are_encoded_at_the_next_question(checkpoint, store,
                                                                      encoded_count):
    cache.add_facts(store, "default", FACTS[:8], checkpoint)
    cache.add_facts(store, "default", FACTS[8:12])  # the chat adds facts before loading a model
    cache.add_facts(store, "default", FACTS[12:14], checkpoint)  # cannot continue: left for later
    assert encoded_count[0] == 8
    assert_matches_full_encode(checkpoint, store)
    assert encoded_count[0] == 8 + 6 + 14  # the 6 missing ones, then the full reference


def test_another_model_does_not_reuse_the_cache(checkpoint, store, encoded_count):
    cache.add_facts(store, "default", FACTS[:6], checkpoint)
    other = dataclasses.replace(checkpoint, fingerprint="another-model")
    cache.memory_facts(other, store, "default")
    assert encoded_count[0] == 12


@pytest.mark.parametrize("reading", ["READING", "PHRASE_RULES"])
def test_a_new_reading_of_text_does_not_reuse_the_cache(checkpoint, store, encoded_count,
                                                        monkeypatch, reading):
    import askme.dmn.checkpoint
    from askme.paths import shipped_model_dir

    cache.add_facts(store, "default", FACTS[:6], checkpoint)
    monkeypatch.setattr(askme.dmn.checkpoint, reading, "a later reading")
    newer = askme.dmn.checkpoint.load_checkpoint(shipped_model_dir())
    assert newer.fingerprint != checkpoint.fingerprint
    cache.memory_facts(newer, store, "default")
    assert encoded_count[0] == 12


def test_answers_from_the_cache_equal_answers_from_scratch(checkpoint, store):
    cache.add_facts(store, "default", FACTS[:6] + ["Mary went to the kitchen."], checkpoint)
    encoded = cache.memory_facts(checkpoint, store, "default")
    texts = encoded.texts
    cached = answering.answer_prefixes(checkpoint, encoded,
                                       [("Where is Mary?", 7), ("Where is Mary?", 5)])
    fresh = [answering.answer(checkpoint, texts, "Where is Mary?"),
             answering.answer(checkpoint, texts[:5], "Where is Mary?")]
    assert [e.answer for e in cached] == [e.answer for e in fresh] == ["kitchen", "bedroom"]
    for a, b in zip(cached, fresh):
        assert a.facts == b.facts and a.passes == b.passes
        assert torch.allclose(torch.tensor(a.episodes), torch.tensor(b.episodes), atol=1e-5)


GIVING = ["Priya moved to the studio.", "Priya grabbed the kettle there.",
          "Tariq journeyed to the studio.", "Priya gave the kettle to Tariq.",
          "Tariq handed the kettle to Ines."]


def test_the_reading_for_questions_about_a_person_is_cached_and_grows_by_the_new_fact(
        checkpoint, store, encoded_count):
    cache.add_facts(store, "default", GIVING[:4], checkpoint)
    assert encoded_count[0] == 4

    def ask(question):
        encoded = cache.memory_facts(checkpoint, store, "default")
        return answering.answer_prefixes(checkpoint, encoded, [(question, len(encoded.texts))])[0]

    assert ask("Where is Priya?").answer == "studio" and encoded_count[0] == 4
    assert ask("Who gave the kettle to Tariq?").answer == "Priya"
    assert encoded_count[0] == 8  # the second reading, once
    assert ask("Who gave the kettle to Tariq?").answer == "Priya" and encoded_count[0] == 8
    cache.add_facts(store, "default", GIVING[4:], checkpoint)
    assert encoded_count[0] == 9
    latest = ask("Who gave the kettle to Ines?")
    assert latest.answer == "Tariq" and encoded_count[0] == 10  # only the new fact, again
    fresh = answering.answer(checkpoint, GIVING, "Who gave the kettle to Ines?")
    assert fresh.answer == latest.answer
    assert torch.allclose(torch.tensor(fresh.episodes), torch.tensor(latest.episodes), atol=1e-5)


def test_a_memory_of_known_people_has_one_reading(checkpoint, store, encoded_count):
    cache.add_facts(store, "default", ["Fred went to the kitchen.", "Fred took the apple there.",
                                     "Bill went to the kitchen.",
                                     "Fred gave the apple to Bill."], checkpoint)
    encoded = cache.memory_facts(checkpoint, store, "default")
    assert not encoded.entities.reads_new_people()
    answers = answering.answer_prefixes(checkpoint, encoded, [("Who gave the apple to Bill?", 4)])
    assert answers[0].answer == "Fred" and encoded_count[0] == 4


def test_skipping_closed_gates_barely_moves_the_episode(checkpoint, monkeypatch):
    import askme.dmn.model

    memory = checkpoint.model.memory
    torch.manual_seed(0)
    facts_ih = torch.randn(3, 200, 3 * memory.episode_gru.hidden_size)
    gates = torch.rand(3, 200) * 1e-5
    gates[:, [17, 120, 199]] = torch.tensor([0.9, 0.99, 0.5])
    with torch.no_grad():
        skipped = memory.episode(facts_ih, gates)
        monkeypatch.setattr(askme.dmn.model, "INFERENCE_SKIP_GATE", -1.0)
        monkeypatch.setattr(askme.dmn.model, "INFERENCE_MAX_STEPS", 10**9)
        full = memory.episode(facts_ih, gates)
    # Left out, the 197 closed facts (gates summing to about 1e-3) moved it by about 1e-3;
    # taken to first order, by the order of their gates squared: float rounding.
    assert torch.allclose(full, skipped, atol=1e-5)
    assert not torch.equal(full, memory.episode(facts_ih, torch.zeros(3, 200)))


def test_facts_past_the_step_bound_move_the_episode_no_further_than_they_could(checkpoint,
                                                                               monkeypatch):
    import askme.dmn.model

    memory = checkpoint.model.memory
    torch.manual_seed(0)
    facts_ih = torch.randn(2, 300, 3 * memory.episode_gru.hidden_size)
    # The 172 facts past the bound come last, in one run whose gates sum to about 77.
    gates = torch.cat([0.9 + 0.1 * torch.rand(2, 128), 0.4 + 0.1 * torch.rand(2, 172)], 1)
    with torch.no_grad():
        bounded = memory.episode(facts_ih, gates)
        monkeypatch.setattr(askme.dmn.model, "INFERENCE_MAX_STEPS", 10**9)
        full = memory.episode(facts_ih, gates)
    assert bounded.abs().max() <= 1  # inside the GRU's range, as every state it could reach
    assert not torch.allclose(bounded, full, atol=1e-3)  # the bound is a shortcut, not exact


def test_on_a_long_memory_near_closed_facts_leave_the_one_that_answers_its_say(checkpoint,
                                                                                monkeypatch):
    from askme.dmn.model import EpisodicMemory
    from askme.training.generator.long import long_story

    story = long_story(10_000, 8, False)  # seed 8 of `askme bench`'s long table
    question = next(q for q in story.questions if q.supports == (1,))
    assert (story.facts[0], question.text) == ("Anna travelled to the cinema.",
                                               "Where did Anna go?")
    encoded = cache.encode_facts(checkpoint, story.facts)
    asked = [(question.text, len(story.facts))]
    answer = answering.answer_prefixes(checkpoint, encoded, asked)[0]
    assert (answer.answer, answer.chosen()[0]) == ("cinema", 0)
    assert 0.1 < answer.episodes[0][0] < 0.9  # the first fact's gate: not wide open
    # With the near-closed gates of the 9,999 facts after it in the episode, each a step of
    # its GRU after the first fact's, the same gates give another place.
    monkeypatch.setattr(EpisodicMemory, "long_memory_gates", staticmethod(lambda gates, _: gates))
    assert answering.answer_prefixes(checkpoint, encoded, asked)[0].answer not in ("cinema",
                                                                                   "unknown")


def test_slots_kept_by_an_askme_before_seen_words_are_rebuilt_and_vectors_reused(
        checkpoint, store, encoded_count):
    cache.add_facts(store, "default", NEW_FACTS[:6], checkpoint)
    fact_id, kept = store.entity_map("default", checkpoint.fingerprint)
    old = {k: v for k, v in json.loads(kept).items() if k != "seen"}
    assert store.save_entity_map("default", checkpoint.fingerprint, fact_id, json.dumps(old))
    encoded = cache.memory_facts(checkpoint, store, "default")
    assert encoded_count[0] == 6  # the encodings were kept; only the slots were read again
    assert encoded.entities == cache.encode_facts(checkpoint, NEW_FACTS[:6]).entities
    answers = answering.answer_prefixes(checkpoint, encoded, [("Where is Carlos?", 6),
                                                              ("Where is Zoe?", 6)])
    assert [(a.answer, a.unnamed) for a in answers] == [("unknown", ("Carlos",)), ("attic", ())]
