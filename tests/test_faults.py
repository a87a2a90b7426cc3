"""Faults named for what they are: a full disk, a file-size limit, a locked memory, a
damaged file, each one line, with the memory left as it was."""

import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from askme.errors import AskmeError
from askme.memory.store import MemoryStore, open_store

BIG_STORY = "".join(f"Mary went to the kitchen number {i} and then she went on.\n"
                    for i in range(3000))


def askme(home, *args, stdin="", limit_bytes=None):
    """askme in a subprocess; with `limit_bytes`, under that file-size limit (ulimit -f)."""
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past it fails, not the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run([sys.executable, "-m", "askme", *args], input=stdin, text=True,
                          capture_output=True, env={**os.environ, "ASKME_HOME": str(home)},
                          preexec_fn=limit if limit_bytes else None, timeout=120)


def test_a_file_size_limit_is_named_and_the_memory_is_unchanged(tmp_path):
    home = tmp_path / "home"
    assert askme(home, "load", "-", stdin="Mary went to the kitchen.\n").returncode == 0
    database = home / "memories.sqlite3"
    limit = database.stat().st_size + 8192  # the load fails half-way through its write
    message = (f"{database}: the file-size limit ({limit:,} bytes, ulimit -f) stops the "
               f"write; nothing was changed")
    load = askme(home, "load", "--append", "-", stdin=BIG_STORY, limit_bytes=limit)
    assert (load.returncode, load.stdout, load.stderr) == (1, "", f"askme: error: {message}\n")
    # Under a lower limit the write-ahead log cannot even start: the chat answers from the
    # memory and refuses the fact in the same words.
    chat = askme(home, "chat", "--no-episodes", stdin="John went home.\nWhere is Mary?\n",
                 limit_bytes=16384)
    assert (chat.returncode, chat.stdout, chat.stderr) == (
        0, f"error: {message.replace(f'{limit:,}', '16,384')}\nkitchen\n", "")
    store = open_store(home)
    assert store.facts("default") == ["Mary went to the kitchen."]
    assert [row[0] for row in store._db.execute("PRAGMA integrity_check")] == ["ok"]


def namespaces_allowed() -> bool:
    return shutil.which("unshare") is not None and subprocess.run(
        ["unshare", "-rm", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not namespaces_allowed(), reason="needs unshare -rm (a user namespace) to "
                    "mount a small tmpfs without root")
def test_a_full_disk_is_named_and_the_memory_is_unchanged(tmp_path):
    """A real full disk: a 1 MiB tmpfs in a user namespace, filled up after the first load."""
    (tmp_path / "big.txt").write_text(BIG_STORY)
    script = textwrap.dedent(f"""\
        mount -t tmpfs -o size=1m tmpfs {tmp_path}/disk || exit 99
        export ASKME_HOME={tmp_path}/disk/home
        echo 'Mary went to the kitchen.' | {sys.executable} -m askme load - > /dev/null
        dd if=/dev/zero of={tmp_path}/disk/fill bs=4k 2> /dev/null
        {sys.executable} -m askme load --append {tmp_path}/big.txt; echo "exit $?"
        printf 'John went home.\\nWhere is Mary?\\n' | {sys.executable} -m askme chat --no-episodes
        rm {tmp_path}/disk/fill
        echo /facts | {sys.executable} -m askme chat
    """)
    (tmp_path / "disk").mkdir()
    result = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True,
                            text=True, timeout=300)
    if result.returncode == 99:
        pytest.skip("this kernel does not let a user namespace mount a tmpfs")
    message = (f"askme: error: {tmp_path}/disk/home/memories.sqlite3: the disk is full (0 KiB "
               f"free); nothing was changed")
    assert result.stderr == message + "\n"
    assert result.stdout == (f"exit 1\n{message.removeprefix('askme: ')}\nkitchen\n"
                             f"Memory 'default'\n1  Mary went to the kitchen.\n")


def test_a_memory_locked_past_the_timeout_is_named_and_unchanged(tmp_path):
    path = tmp_path / "memories.sqlite3"
    MemoryStore(path).add("default", ["Mary went to the kitchen."])
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another program holds the write lock
    store = MemoryStore(path, busy_timeout_ms=200)
    with pytest.raises(AskmeError) as raised:
        store.add("default", ["John went home."])
    assert str(raised.value) == (f"{path}: another program kept the memory locked for 0.2 s; "
                                 f"nothing was changed: try again when it is done")
    other.execute("ROLLBACK")
    assert store.facts("default") == ["Mary went to the kitchen."]


def test_a_damaged_page_is_named_when_read_and_the_file_left_alone(tmp_path):
    path = tmp_path / "memories.sqlite3"
    store = MemoryStore(path)
    store.add("default", [f"Mary went to room {i}." for i in range(500)])
    store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    data = bytearray(path.read_bytes())
    page = 4096
    data[3 * page:6 * page] = b"\xff" * (3 * page)  # pages of the facts table
    path.write_bytes(bytes(data))
    with pytest.raises(AskmeError, match=r": not a readable askme memory database \(database "
                                         r"disk image is malformed\); it was left untouched"):
        MemoryStore(path).facts("default")
    assert path.read_bytes() == bytes(data)
