"""Crash safety and concurrent writers, with real processes."""

import os
import random
import signal
import subprocess
import sys
import time

from askme.memory.store import MemoryStore, open_store


def askme_process(args, home, stdin=None):
    """askme running in the background; `stdin` is a file to read, or None."""
    env = {**os.environ, "ASKME_HOME": str(home)}
    handle = open(stdin, "rb") if stdin is not None else subprocess.DEVNULL
    return subprocess.Popen([sys.executable, "-m", "askme", *args], env=env, stdin=handle,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_load_killed_at_random_moments_leaves_the_memory_before_or_after(tmp_path):
    home = tmp_path / "home"
    before = [f"Mary went to the kitchen {i}." for i in range(3)]
    open_store(home).add("default", before)
    after = [f"John moved to the garden number {i}." for i in range(90_000)]
    story = tmp_path / "story.txt"
    story.write_text("\n".join(after) + "\n")
    # Kill moments are spread over one whole load's time, measured here, so they land
    # mid-load on a fast machine as on a slow one.
    start = time.perf_counter()
    assert askme_process(["load", str(story)], home).wait() == 0
    whole = time.perf_counter() - start
    assert open_store(home).facts("default") == after
    open_store(home).replace("default", before)
    rng = random.Random(0)
    outcomes = {"before": 0, "after": 0}
    kills = 0
    for attempt in range(12):
        process = askme_process(["load", str(story)], home)
        time.sleep(rng.uniform(0.1, 1.1) * whole)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.communicate()
        store = MemoryStore(home / "memories.sqlite3")
        facts = store.facts("default")
        store.close()
        assert facts in (before, after), f"attempt {attempt}: {len(facts)} facts, a half load"
        outcomes["before" if facts == before else "after"] += 1
        if facts == after:  # put the memory back for the next attempt
            open_store(home).replace("default", before)
    print(f"kills: {kills} of 12 loads; memory afterwards: {outcomes}")  # shown with -s
    assert kills >= 6 and outcomes["before"] >= 1  # the kills did land mid-load


def test_concurrent_writers_lose_nothing_and_never_report_a_lock(tmp_path):
    home = tmp_path / "home"
    open_store(home).add("default", ["Mary went to the kitchen."])
    loads = []
    for writer in range(3):
        story = tmp_path / f"story{writer}.txt"
        story.write_text("".join(f"Person{writer}x{i} went to the office.\n" for i in range(150)))
        loads.append(story)
    processes = [askme_process(["load", "--append", str(story)], home) for story in loads]
    for writer in range(2):
        questions = tmp_path / f"ask{writer}.txt"
        questions.write_text("".join(f"Asker{writer}x{i} went to the garden.\n" for i in range(50))
                             + "Where is Mary?\n")
        processes.append(askme_process(["ask", "--stdin", "--save"], home, stdin=questions))
    for process in processes:
        out, err = process.communicate(timeout=240)
        assert process.returncode == 0, err.decode()
        assert b"locked" not in err and b"Traceback" not in err
    facts = MemoryStore(home / "memories.sqlite3").facts("default")
    expected = {"Mary went to the kitchen."}
    expected |= {f"Person{w}x{i} went to the office." for w in range(3) for i in range(150)}
    expected |= {f"Asker{w}x{i} went to the garden." for w in range(2) for i in range(50)}
    assert len(facts) == len(set(facts)) == len(expected)  # each exactly once
    assert set(facts) == expected
    for w in range(3):  # each load's facts stay together and in order
        mine = [f for f in facts if f.startswith(f"Person{w}x")]
        start = facts.index(mine[0])
        assert facts[start:start + 150] == mine
