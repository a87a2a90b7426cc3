"""The SQLite working memories: order, undo, migrations, and files it must not touch."""

import sqlite3

import pytest

from askme.errors import AskmeError
from askme.memory.store import MIGRATIONS, SCHEMA_VERSION, MemoryStore


def test_facts_keep_order_across_connections_and_undo_steps_back(tmp_path):
    path = tmp_path / "m.sqlite3"
    store = MemoryStore(path)
    store.add("default", ["a", "b"])
    store.add("default", ["c"])
    store.replace("default", ["x", "y"])
    store.close()
    again = MemoryStore(path)
    assert again.facts("default") == ["x", "y"]
    assert again.undo("default") == "load 2 facts"
    assert again.facts("default") == ["a", "b", "c"]
    assert again.forget("default", 2) == "b"
    assert again.facts("default") == ["a", "c"]
    assert again.undo("default") == "forget fact 2"
    assert again.undo("default") == "add 1 fact"
    assert again.facts("default") == ["a", "b"]
    assert again.facts("other") == []


def test_an_older_schema_is_migrated_and_keeps_its_facts(tmp_path):
    path = tmp_path / "m.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute("INSERT INTO memories (name, created) VALUES ('default', 0)")
    db.execute("INSERT INTO revisions (memory_id, action, at) VALUES (1, 'add 1 fact', 0)")
    db.execute("INSERT INTO facts (memory_id, text, added_rev) VALUES (1, 'Mary went home.', 1)")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    store = MemoryStore(path)
    assert store.facts("default") == ["Mary went home."]
    assert store._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.fact_rows("default", "model") == [(1, "Mary went home.", None)]
    assert store.entity_map("default", "model") is None  # v3: entity slots, none kept yet


def test_newer_schema_and_corrupt_files_are_reported_and_left_untouched(tmp_path):
    newer = tmp_path / "newer.sqlite3"
    db = sqlite3.connect(newer)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    before = newer.read_bytes()
    with pytest.raises(AskmeError, match=r"made by a newer askme \(schema 4, this one reads up to 3\)"):
        MemoryStore(newer)
    assert newer.read_bytes() == before
    corrupt = tmp_path / "corrupt.sqlite3"
    corrupt.write_bytes(b"this is not a database" * 100)
    with pytest.raises(AskmeError, match="not a readable askme memory database .*left untouched"):
        MemoryStore(corrupt)
    assert corrupt.read_bytes() == b"this is not a database" * 100


def test_a_memory_opened_read_only_sees_what_the_write_ahead_log_holds(tmp_path):
    """Read-only (a full disk, a read-only folder), the memory is read with its write-ahead
    log: facts another open chat has committed but not yet merged into the main file."""
    path = tmp_path / "memories.sqlite3"
    keeper = MemoryStore(path)  # stays open, so the facts stay in the log
    keeper.add("default", ["Mary went home.", "John went to work."])
    reader = MemoryStore.__new__(MemoryStore)
    reader.path, reader.busy_timeout_ms = path, 100
    reader._open_read_only(f"{path}: the disk is full (0 KiB free); nothing was changed")
    assert reader.facts("default") == ["Mary went home.", "John went to work."]
    with pytest.raises(AskmeError, match="the disk is full"):
        reader.add("default", ["Sandra went home."])
    keeper.close()
