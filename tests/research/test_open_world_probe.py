"""research/open_world_probe.py: stories in words bAbI never uses, and babi-1k's scores on
them (the numbers models/babi-1k/README.md gives)."""

import sys
from pathlib import Path

from conftest import run_research

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "research"))
import open_world_probe as probe  # noqa: E402


def test_the_new_words_are_words_babi_1k_never_read():
    from askme.memory import answering

    known = answering.load_model("babi-1k").lexicon.words
    new = {w.lower() for m in probe.NEW_MOVES for w in m.split()} - {"to", "back"}
    assert new and not new & known
    assert not {w.lower() for w in probe.NEW_PEOPLE + probe.NEW_PLACES + probe.NEW_THINGS} & known
    assert {w.lower() for w in probe.PEOPLE + probe.PLACES + probe.THINGS} <= known


def test_each_story_asks_for_the_place_its_facts_name_last():
    for facts, question, answer in probe.new_verb_stories():
        person = question.removeprefix("Where is ").removesuffix("?")
        moves = [f for f in facts if f.startswith(person + " ") and " to the " in f]
        assert moves[-1].endswith(f" the {answer}.")
        assert any(" " + verb + " " in moves[-1] for verb in probe.NEW_MOVES)
    stories = probe.carrying_stories(probe.NEW_PEOPLE, probe.NEW_PLACES, probe.NEW_THINGS)
    asked_things = 0
    for facts, question, answer in stories:
        if question.startswith("Where is the "):
            thing = question.removeprefix("Where is the ").removesuffix("?")
            carrier = next(f.split()[0] for f in facts if f.endswith(f"picked up the {thing}."))
            asked_things += 1
        else:
            carrier = question.removeprefix("Where is ").removesuffix("?")
        assert [f for f in facts if f.startswith(carrier + " ") and " to the " in f][-1] \
            .endswith(f" the {answer}.")
    assert 20 < asked_things < 60  # both kinds of question are asked
    # The control tells the same stories in bAbI's words.
    swap = dict(zip(probe.NEW_PEOPLE + probe.NEW_PLACES + probe.NEW_THINGS,
                    probe.PEOPLE + probe.PLACES + probe.THINGS))
    control = probe.carrying_stories(probe.PEOPLE, probe.PLACES, probe.THINGS)
    reword = lambda text: " ".join(swap.get(w.strip(".?"), w.strip(".?")) for w in text.split())  # noqa: E731
    assert [([reword(f) for f in facts], reword(q), swap[a]) for facts, q, a in stories] == [
        ([reword(f) for f in facts], reword(q), a) for facts, q, a in control]


def test_a_dropped_thing_is_where_its_carrier_was_when_dropping_it():
    walked_away = 0
    for facts, question, answer in probe.dropped_stories():
        thing = question.removeprefix("Where is the ").removesuffix("?")
        drop = facts.index(next(f for f in facts if f.endswith(f"dropped the {thing}.")))
        carrier = facts[drop].split()[0]
        moves = [(i, f) for i, f in enumerate(facts)
                 if f.startswith(carrier + " ") and " to the " in f]
        assert [f for i, f in moves if i < drop][-1].endswith(f" the {answer}.")
        walked_away += not moves[-1][1].endswith(f" the {answer}.")
    assert walked_away > 20  # the carrier's last place is often not the answer


def test_babi_1ks_scores():
    result = run_research("open_world_probe.py", "babi-1k")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("model | new verbs | new names | bAbI words | dropped\n"
                             "babi-1k | 80/80 | 79/80 | 79/80 | 80/80\n")
