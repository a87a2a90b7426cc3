import os
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"

# The paper's DMN, none of the shipped model's additions: for tests of the base path, and of
# adding a part to a model that lacks it.
PAPER_DMN = dict(memory_update="gru", answer_reads_episodes=False, answer_pass_keys=False,
                 gate_competition=False, word_dropout=None)


@pytest.fixture(scope="session", autouse=True)
def compiled_gru():
    """The compiled GRU built before any test runs, so that no test's output holds the
    note of the first build (and no test's time its 30 s)."""
    from askme.dmn.gru import native

    native()


@pytest.fixture
def babi_dir() -> Path:
    """A small bAbI-format folder written for these tests (tasks 1, 8 and 19)."""
    return FIXTURES / "babi"


ROOT = FIXTURES.parent.parent


@pytest.fixture
def askme(tmp_path):
    """`askme ARGS...` as a user runs it, in a process of its own with its own ASKME_HOME;
    the result carries .out and .err as text. Nothing on a pipe may carry escape codes, and
    no traceback may reach the user."""
    env = {**os.environ, "ASKME_HOME": str(tmp_path / "home"), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)

    def run(*args, stdin: str | bytes = ""):
        result = subprocess.run([sys.executable, "-m", "askme", *args], env=env, timeout=120,
                                input=stdin.encode() if isinstance(stdin, str) else stdin,
                                capture_output=True)
        result.out, result.err = result.stdout.decode(), result.stderr.decode()
        assert "\x1b" not in result.out + result.err
        assert "Traceback" not in result.err
        return result
    return run


def run_research(script: str, *args) -> "subprocess.CompletedProcess[str]":
    """`python research/SCRIPT ARGS...` from the project root, output captured."""
    return subprocess.run([sys.executable, f"research/{script}", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True)


def write_task(folder: Path, name: str, text: str) -> Path:
    """`text` as both the train and the test file of bAbI task file `name` (e.g.
    qa19_path-finding) in `folder`, which is returned for --data."""
    for split in ("train", "test"):
        (folder / f"{name}_{split}.txt").write_text(text)
    return folder
