"""The data step sequence_words (askme.training.data_steps): named events told with a sequence
word ("Then Mary went to the kitchen."), every fact, question and number kept."""

import random
import re

from askme.training.data_steps import add_sequence_words, sequence_words
from askme.training.generator.words import SEQUENCE

OPENERS = "|".join(re.escape(word) for word in SEQUENCE)


def untold(text: str) -> str:
    """A fact without the sequence word the step may have put in."""
    text = re.sub(rf"^(?:{OPENERS}) ", "", text)
    return re.sub(r"^([A-Z][a-z]+(?: and [A-Z][a-z]+)?) (?:then|later) ", r"\1 ", text)


STORY = ["1 Mary went to the kitchen.", "2 John moved to the garden.",
         "3 Then he journeyed to the office.", "4 Mary and Sandra travelled to the hallway.",
         "5 Where is Mary?\thallway\t4", "6 Daniel picked up the apple there.",
         "7 Daniel is in the bedroom.", "8 Where is John?\toffice\t3"]


def test_named_events_after_the_first_line_get_a_sequence_word_and_say_the_same():
    out, told = add_sequence_words(STORY * 40, random.Random(0))
    assert len(out) == len(STORY) * 40
    changed = [(a, b) for a, b in zip(out, STORY * 40) if a != b]
    assert told == len(changed) and 0 < told < 40 * 3  # a share of the 3 events it may tell
    for new, old in changed:
        number, text = new.split(" ", 1)
        assert f"{number} {untold(text)}" == old
        # Never a story's first line, a question, a pronoun's sentence or a state.
        assert number in ("2", "4", "6"), new
    texts = [new.split(" ", 1)[1] for new, _ in changed]
    assert any(re.match(rf"(?:{OPENERS}) [A-Z]", text) for text in texts)  # "Then John moved"
    assert any(re.match(r"[A-Z]\w+ (?:then|later) ", text) for text in texts)  # "John then moved"


def test_the_step_changes_training_files_only_and_the_same_way_each_run(babi_dir, tmp_path):
    changed = sequence_words(babi_dir, tmp_path / "a")
    assert changed["qa8_lists-sets_train.txt"] > 0
    assert changed["qa19_path-finding_train.txt"] == 0  # no named events
    sequence_words(babi_dir, tmp_path / "b")
    for path in babi_dir.iterdir():
        written = (tmp_path / "a" / path.name).read_text()
        assert written == (tmp_path / "b" / path.name).read_text()
        if path.name.endswith("_test.txt"):
            assert written == path.read_text()
        else:
            kept = [untold(line.split(" ", 1)[1]) for line in written.splitlines()]
            assert kept == [line.split(" ", 1)[1] for line in path.read_text().splitlines()]
