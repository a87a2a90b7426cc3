"""The limits of askme.limits: each refused with one line naming it, nothing half-stored."""

import io
import subprocess
import sys

import pytest

from askme.errors import AskmeError
import askme.memory.store
from askme.memory.store import MemoryStore
import askme.stories
from askme.stories import classify, read_story


def test_an_overlong_line_is_refused_by_name():
    with pytest.raises(AskmeError, match=r"a line of 2,001 characters: the limit is 2,000 "
                                         r"\(askme.limits.MAX_LINE_CHARS\)"):
        classify("x" * 2001)
    assert classify("x" * 1999 + ".")[0].kind == "fact"


def test_a_story_over_the_size_limit_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(askme.stories, "MAX_STORY_BYTES", 100)
    story = tmp_path / "big.txt"
    story.write_text("Mary went home.\n" * 10)
    with pytest.raises(AskmeError, match="larger than 0 MB, the limit for a story"):
        read_story(story)

    class Pipe(io.BytesIO):
        def fileno(self):
            raise io.UnsupportedOperation

    with pytest.raises(AskmeError, match="<stdin>: larger than"):
        read_story("-", stdin=Pipe(b"Mary went home.\n" * 10))
    assert read_story("-", stdin=Pipe(b"Mary went home.\n" * 2)).facts == ["Mary went home."] * 2


def test_a_memory_over_the_fact_limit_stores_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(askme.memory.store, "MAX_MEMORY_FACTS", 5)
    store = MemoryStore(tmp_path / "m.sqlite3")
    store.add("default", ["a", "b", "c"])
    with pytest.raises(AskmeError, match="a memory holds at most 5 facts .*this one has 3 and "
                                         "3 more were given: nothing was stored"):
        store.add("default", ["d", "e", "f"])
    assert store.facts("default") == ["a", "b", "c"]
    store.replace("default", ["x"] * 5)  # replacing frees the old facts first
    assert store.facts("default") == ["x"] * 5


def test_the_plain_commands_never_import_torch():
    probe = ("import sys\nfrom askme import cli, render, stories\nfrom askme.memory import "
             "answering, cache, store\nfrom askme.repl import commands, completer, keys, loop, "
             "toolbar\nprint('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_a_one_megabyte_line_in_a_story_is_refused_by_line(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text("Mary went home.\n" + "x" * 2**20 + "\n")
    with pytest.raises(AskmeError, match=rf"{story}:2: a line of 1,048,576 characters: the "
                                         r"limit is 2,000"):
        read_story(story)
