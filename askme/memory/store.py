"""Working memories kept across runs in SQLite (stdlib `sqlite3`).

Every change (add, load, forget, clear) is one transaction and one *revision*; facts are
never updated in place, only marked removed by a revision, so `/undo` can take back the
latest change exactly, and a process killed half-way leaves the memory as it was before or
after the change, never in between (SQLite's atomic commit).
"""

from __future__ import annotations

import functools
import os
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from askme.errors import AskmeError
from askme.limits import MAX_MEMORY_FACTS

SCHEMA_VERSION = 3
DATABASE_FILE = "memories.sqlite3"
BUSY_TIMEOUT_MS = 30_000  # wait this long for another askme process to finish its write

# MIGRATIONS[v] takes a database at schema version v to v + 1.
MIGRATIONS: dict[int, str] = {
    0: """
        CREATE TABLE memories (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created REAL NOT NULL
        );
        CREATE TABLE revisions (
            id INTEGER PRIMARY KEY,
            memory_id INTEGER NOT NULL REFERENCES memories(id),
            action TEXT NOT NULL,          -- what /undo says it takes back, e.g. "add 2 facts"
            at REAL NOT NULL
        );
        CREATE TABLE facts (
            id INTEGER PRIMARY KEY,        -- insertion order = story order
            memory_id INTEGER NOT NULL REFERENCES memories(id),
            text TEXT NOT NULL,
            added_rev INTEGER NOT NULL REFERENCES revisions(id),
            removed_rev INTEGER REFERENCES revisions(id)   -- NULL while the fact is live
        );
        CREATE INDEX facts_live ON facts(memory_id, removed_rev, id);
    """,
    1: """
        -- The input GRU's state at each fact's end token, per model: a fact's encoding
        -- depends on every fact before it, so a change in the middle of a memory deletes
        -- the encodings after it. A row that exists is therefore always current.
        CREATE TABLE encodings (
            fact_id INTEGER NOT NULL REFERENCES facts(id),
            model TEXT NOT NULL,           -- fingerprint of the model's weights
            vector BLOB NOT NULL,          -- float32 (hidden size,)
            PRIMARY KEY (fact_id, model)
        ) WITHOUT ROWID;
    """,
    2: """
        -- How the model's entity slots (askme.dmn.entities) stand after fact `fact_id`, the last
        -- encoded one, so a new fact continues the mapping as it continues the encodings.
        CREATE TABLE entity_maps (
            memory_id INTEGER NOT NULL REFERENCES memories(id),
            model TEXT NOT NULL,
            fact_id INTEGER NOT NULL,
            state TEXT NOT NULL,           -- JSON, EntityMap.state()
            PRIMARY KEY (memory_id, model)
        ) WITHOUT ROWID;
    """,
}


class StoreError(AskmeError):
    """A memory database that cannot be opened, read or written."""


# SQLite's primary result codes (sqlite3.h), for Python 3.11+'s error.sqlite_errorcode.
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT = 5, 6, 8, 10, 11
SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 13, 14, 26
FULL_BELOW = 1 << 20  # bytes free under which a failed write is put down to a full disk


def _free_bytes(path: Path) -> int:
    try:
        stat = os.statvfs(path.parent)
    except (OSError, AttributeError):  # no folder, or no statvfs (Windows)
        return FULL_BELOW
    return stat.f_bavail * stat.f_frsize


def _size_limit() -> int | None:
    """The process's file-size limit (ulimit -f) in bytes, or None when there is none."""
    try:
        import resource
    except ImportError:
        return None
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    return None if limit == resource.RLIM_INFINITY else limit


def _over_size_limit(path: Path) -> bool:
    """Whether the memory's files are near the file-size limit, so a write past it failed."""
    limit = _size_limit()
    if limit is None:
        return False
    sizes = [p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"))
             if p.exists()]
    return max(sizes, default=0) + FULL_BELOW > limit


def _writable(path: Path) -> bool:
    return os.access(path.parent, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


@dataclass(frozen=True)
class MemoryInfo:
    name: str
    facts: int


def validate_name(name: str) -> str:
    if not name or len(name) > 64 or not all(c.isalnum() or c in "-_." for c in name):
        raise AskmeError(f"bad memory name {name!r}: use up to 64 letters, digits, '-', '_' "
                         f"or '.'", exit_code=2)
    return name


class MemoryStore:
    """All named memories in one SQLite file. Facts are numbered 1..n in story order."""

    def __init__(self, path: str | Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS):
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=busy_timeout_ms / 1000,
                                       isolation_level=None)
        except OSError as error:
            raise StoreError(f"{self.path}: cannot open the memory database "
                             f"({error.strerror or error})") from None
        except sqlite3.Error as error:
            raise self._failure(error) from None
        self.read_only: str | None = None  # why changes are refused, when they are
        try:
            self._db.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
            self._migrate()
            self._db.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as error:
            self._db.close()
            cause = self._cause(error)
            if cause in ("read-only", "disk full", "size limit") and self.path.is_file():
                self._open_read_only(self._message(cause, error))
            else:
                raise self._failure(error, cause) from None
        except StoreError:
            self._db.close()
            raise

    def _open_read_only(self, why: str) -> None:
        """A memory we may read but not change (a read-only file or folder, a full disk):
        answer from it; any change then fails with `why`."""
        base = self.path.resolve().as_uri()
        # Read-only with what the write-ahead log holds; where that cannot open (the log's
        # index cannot be made), the main file as it is.
        for mode in ("ro", "ro&immutable=1"):
            try:
                self._db = sqlite3.connect(f"{base}?mode={mode}", uri=True, isolation_level=None)
                version = self._db.execute("PRAGMA user_version").fetchone()[0]
                break
            except sqlite3.Error as error:
                failed = error
        else:
            raise self._failure(failed) from None
        if version == 0:  # a memory never made: there is nothing to read either
            self._db.close()
            raise StoreError(why)
        if version != SCHEMA_VERSION:
            self._db.close()
            raise StoreError(f"{why.removesuffix('; nothing was changed')}, and the memory "
                             f"needs an upgrade (schema {version}) that needs a write")
        self.read_only = why

    def close(self) -> None:
        self._db.close()

    # Faults, each named for what it is: the person can then fix the right thing.
    def _cause(self, error: sqlite3.Error) -> str | None:
        """'locked', 'damaged', 'disk full', 'size limit', 'read-only' or None (another
        fault). I/O errors carry no errno through sqlite3, so the folder is looked at."""
        code = getattr(error, "sqlite_errorcode", None)  # Python 3.11+
        primary = None if code is None else code & 0xFF
        text = str(error)
        if primary in (SQLITE_BUSY, SQLITE_LOCKED) or "is locked" in text:
            return "locked"
        if (primary in (SQLITE_CORRUPT, SQLITE_NOTADB) or "malformed" in text
                or "not a database" in text):
            return "damaged"
        if primary == SQLITE_READONLY or "readonly" in text:
            return "read-only"
        # A file that cannot be opened or written: look at the disk and the folder.
        io = primary in (SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_FULL) or any(
            words in text for words in ("disk", "unable to open"))
        if primary == SQLITE_FULL or "disk is full" in text or (
                io and _free_bytes(self.path) < FULL_BELOW):
            return "disk full"
        if io and _over_size_limit(self.path):
            return "size limit"
        if io and not _writable(self.path):
            return "read-only"
        return None

    def _message(self, cause: str | None, error: sqlite3.Error) -> str:
        if cause == "disk full":
            free = _free_bytes(self.path)
            return (f"{self.path}: the disk is full ({free // 1024:,} KiB free); nothing was "
                    f"changed")
        if cause == "size limit":
            return (f"{self.path}: the file-size limit ({_size_limit():,} bytes, ulimit -f) "
                    f"stops the write; nothing was changed")
        if cause == "read-only":
            return (f"{self.path}: the memory is read-only here (the file or its folder cannot "
                    f"be written); nothing was changed")
        if cause == "locked":
            return (f"{self.path}: another program kept the memory locked for "
                    f"{self.busy_timeout_ms / 1000:g} s; nothing was changed: try again when "
                    f"it is done")
        if cause == "damaged":
            return (f"{self.path}: not a readable askme memory database ({error}); it was left "
                    f"untouched: move it away to start afresh")
        return f"{self.path}: the memory database failed ({error}); nothing was changed"

    def _failure(self, error: sqlite3.Error, cause: str | None = None) -> StoreError:
        return StoreError(self._message(cause or self._cause(error), error))

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: made by a newer askme (schema {version}, this one "
                               f"reads up to {SCHEMA_VERSION}); upgrade askme to use it")
        if version == SCHEMA_VERSION:
            return
        # WAL lets readers go on while one writer commits; it is a property of the file.
        self._db.execute("PRAGMA journal_mode = WAL")
        with self._write():
            version = self._db.execute("PRAGMA user_version").fetchone()[0]  # another process?
            for step in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[step].split(";"):
                    if statement.strip():
                        self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def _write(self):
        """One atomic change: BEGIN IMMEDIATE takes the write lock up front, so two writers
        queue on the busy timeout instead of failing half-way. A failure rolls back and is
        named (SQLite has already rolled back on some, such as a full disk)."""
        if self.read_only:
            raise StoreError(self.read_only)
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise self._failure(error) from None
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException as error:
            if self._db.in_transaction:
                try:
                    self._db.execute("ROLLBACK")
                except sqlite3.Error:  # the journal or WAL still undoes it at the next open
                    pass
            if isinstance(error, sqlite3.Error):
                raise self._failure(error) from None
            raise

    def _memory_id(self, name: str, create: bool) -> int | None:
        row = self._db.execute("SELECT id FROM memories WHERE name = ?", (name,)).fetchone()
        if row is not None or not create:
            return row and row[0]
        return self._db.execute("INSERT INTO memories (name, created) VALUES (?, ?)",
                                (validate_name(name), time.time())).lastrowid

    def _revision(self, memory_id: int, action: str) -> int:
        return self._db.execute("INSERT INTO revisions (memory_id, action, at) VALUES (?, ?, ?)",
                                (memory_id, action, time.time())).lastrowid

    def _live_ids(self, memory_id: int) -> list[int]:
        return [r[0] for r in self._db.execute(
            "SELECT id FROM facts WHERE memory_id = ? AND removed_rev IS NULL ORDER BY id",
            (memory_id,))]

    def _stale_from(self, memory_id: int, fact_id: int) -> None:
        """Facts from `fact_id` on (live or not) now follow other facts: drop their encodings."""
        self._db.execute("DELETE FROM encodings WHERE fact_id IN (SELECT id FROM facts WHERE "
                         "memory_id = ? AND id >= ?)", (memory_id, fact_id))
        self._db.execute("DELETE FROM entity_maps WHERE memory_id = ?", (memory_id,))

    def facts(self, name: str) -> list[str]:
        memory_id = self._memory_id(name, create=False)
        if memory_id is None:
            return []
        return [r[0] for r in self._db.execute(
            "SELECT text FROM facts WHERE memory_id = ? AND removed_rev IS NULL ORDER BY id",
            (memory_id,))]

    def fact_rows(self, name: str, model: str, last: int | None = None
                  ) -> list[tuple[int, str, bytes | None]]:
        """Live facts in order as (id, text, encoding by `model` or None); with `last`, only
        the last that many (cheap on a long memory)."""
        memory_id = self._memory_id(name, create=False)
        if memory_id is None:
            return []
        rows = self._db.execute(
            "SELECT f.id, f.text, e.vector FROM facts f LEFT JOIN encodings e "
            "ON e.fact_id = f.id AND e.model = ? "
            "WHERE f.memory_id = ? AND f.removed_rev IS NULL ORDER BY f.id DESC LIMIT ?",
            (model, memory_id, -1 if last is None else last)).fetchall()
        return rows[::-1]

    def entity_map(self, name: str, model: str) -> tuple[int, str] | None:
        """(last fact id, JSON state) of the memory's entity slots under `model`, if kept."""
        memory_id = self._memory_id(name, create=False)
        if memory_id is None:
            return None
        return self._db.execute("SELECT fact_id, state FROM entity_maps WHERE memory_id = ? AND "
                                "model = ?", (memory_id, model)).fetchone()

    def _keep_entity_map(self, memory_id: int, model: str, fact_id: int, state: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO entity_maps VALUES (?, ?, ?, ?)",
                         (memory_id, model, fact_id, state))

    def save_entity_map(self, name: str, model: str, fact_id: int, state: str) -> bool:
        """Keep the entity slots as they stand after fact `fact_id`, if it is still the last
        live fact (False, and nothing kept, otherwise: the cache is only a cache)."""
        try:
            with self._write():
                memory_id = self._memory_id(name, create=False)
                last = self._db.execute("SELECT MAX(id) FROM facts WHERE memory_id = ? AND "
                                        "removed_rev IS NULL", (memory_id,)).fetchone()
                if memory_id is None or not last or last[0] != fact_id:
                    return False
                self._keep_entity_map(memory_id, model, fact_id, state)
            return True
        except StoreError:
            return False

    def save_encodings(self, name: str, model: str, rows: list[tuple[int, bytes]],
                       after: int | None, entity_state: str | None = None) -> bool:
        """Store encodings of consecutive live facts that were encoded following fact `after`
        (None: from the start). Nothing is stored, and False returned, when the memory
        changed meanwhile (another process) or cannot be written: the cache is only a cache."""
        if not rows:
            return True
        try:
            with self._write():
                memory_id = self._memory_id(name, create=False)
                before = self._db.execute(
                    "SELECT id FROM facts WHERE memory_id = ? AND removed_rev IS NULL AND id < ? "
                    "ORDER BY id DESC LIMIT 1", (memory_id, rows[0][0])).fetchone()
                if (before and before[0]) != after or (after is not None and not self._db.execute(
                        "SELECT 1 FROM encodings WHERE fact_id = ? AND model = ?",
                        (after, model)).fetchone()):
                    return False
                ids = [r[0] for r in self._db.execute(
                    "SELECT id FROM facts WHERE memory_id = ? AND removed_rev IS NULL AND id >= ? "
                    "ORDER BY id LIMIT ?", (memory_id, rows[0][0], len(rows)))]
                if ids != [r[0] for r in rows]:
                    return False
                self._db.executemany("INSERT OR REPLACE INTO encodings (fact_id, model, vector) "
                                     "VALUES (?, ?, ?)", ((i, model, v) for i, v in rows))
                if entity_state is not None:  # the slots as they stand after the last row
                    self._keep_entity_map(memory_id, model, rows[-1][0], entity_state)
            return True
        except StoreError:
            return False

    def memories(self) -> list[MemoryInfo]:
        return [MemoryInfo(name, count) for name, count in self._db.execute(
            "SELECT m.name, COUNT(f.id) FROM memories m LEFT JOIN facts f "
            "ON f.memory_id = m.id AND f.removed_rev IS NULL GROUP BY m.id ORDER BY m.name")]

    def _insert(self, memory_id: int, revision: int, texts) -> None:
        live = self._db.execute("SELECT COUNT(*) FROM facts WHERE memory_id = ? AND "
                                "removed_rev IS NULL", (memory_id,)).fetchone()[0]
        if live + len(texts) > MAX_MEMORY_FACTS:
            raise AskmeError(f"a memory holds at most {MAX_MEMORY_FACTS:,} facts "
                             f"(askme.limits.MAX_MEMORY_FACTS); this one has {live:,} and "
                             f"{len(texts):,} more were given: nothing was stored")
        self._db.executemany(
            "INSERT INTO facts (memory_id, text, added_rev) VALUES (?, ?, ?)",
            ((memory_id, text, revision) for text in texts))

    def add(self, name: str, texts: list[str]) -> int:
        """Append facts; returns the new fact count."""
        with self._write():
            memory_id = self._memory_id(name, create=True)
            self._insert(memory_id, self._revision(memory_id, f"add {count(len(texts))}"), texts)
            return self._db.execute("SELECT COUNT(*) FROM facts WHERE memory_id = ? AND "
                                    "removed_rev IS NULL", (memory_id,)).fetchone()[0]

    def replace(self, name: str, texts: list[str], action: str = "load") -> int:
        """Replace every fact with `texts` in one change; returns how many were replaced."""
        with self._write():
            memory_id = self._memory_id(name, create=True)
            revision = self._revision(memory_id, f"{action} {count(len(texts))}")
            replaced = self._remove_all(memory_id, revision)
            self._insert(memory_id, revision, texts)
            return replaced

    def _remove_all(self, memory_id: int, revision: int) -> int:
        return self._db.execute(
            "UPDATE facts SET removed_rev = ? WHERE memory_id = ? AND removed_rev IS NULL",
            (revision, memory_id)).rowcount

    def forget(self, name: str, number: int) -> str:
        """Remove fact `number` (1-based); returns its text."""
        with self._write():
            memory_id = self._memory_id(name, create=False)
            live = self._live_ids(memory_id) if memory_id is not None else []
            if not 1 <= number <= len(live):
                raise AskmeError(f"no fact {number}: the memory has {count(len(live))}"
                                 if live else f"no fact {number}: the memory is empty")
            text = self._db.execute("SELECT text FROM facts WHERE id = ?",
                                    (live[number - 1],)).fetchone()[0]
            revision = self._revision(memory_id, f"forget fact {number}")
            self._db.execute("UPDATE facts SET removed_rev = ? WHERE id = ?",
                             (revision, live[number - 1]))
            self._stale_from(memory_id, live[number - 1])
            return text

    def clear(self, name: str) -> int:
        """Remove every fact (undoable); returns how many."""
        with self._write():
            memory_id = self._memory_id(name, create=False)
            if memory_id is None:
                return 0
            return self._remove_all(memory_id, self._revision(memory_id, "clear"))

    def undo(self, name: str) -> str:
        """Take back the latest change to the memory; returns what it was."""
        with self._write():
            memory_id = self._memory_id(name, create=False)
            row = memory_id and self._db.execute(
                "SELECT id, action FROM revisions WHERE memory_id = ? ORDER BY id DESC LIMIT 1",
                (memory_id,)).fetchone()
            if not row:
                raise AskmeError("nothing to undo")
            revision, action = row
            restored = self._db.execute("SELECT MIN(id) FROM facts WHERE removed_rev = ?",
                                        (revision,)).fetchone()[0]
            if restored is not None:
                self._stale_from(memory_id, restored)
            self._db.execute("DELETE FROM encodings WHERE fact_id IN "
                             "(SELECT id FROM facts WHERE added_rev = ?)", (revision,))
            self._db.execute("DELETE FROM facts WHERE added_rev = ?", (revision,))
            self._db.execute("UPDATE facts SET removed_rev = NULL WHERE removed_rev = ?",
                             (revision,))
            self._db.execute("DELETE FROM revisions WHERE id = ?", (revision,))
            return action


def _guarded(method):
    """SQLite errors from a public method become one StoreError naming the file and fault."""
    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as error:
            raise self._failure(error) from None
    return call


for _name in ("facts", "fact_rows", "entity_map", "memories", "add", "replace", "forget",
              "clear", "undo"):
    setattr(MemoryStore, _name, _guarded(getattr(MemoryStore, _name)))


def count(n: int, noun: str = "fact") -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def open_store(folder: str | Path | None = None) -> MemoryStore:
    from askme.paths import user_data_dir

    return MemoryStore(Path(folder or user_data_dir()) / DATABASE_FILE)
