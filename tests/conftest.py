from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def babi_dir() -> Path:
    """A small bAbI-format folder written for these tests (tasks 1, 8 and 19)."""
    return FIXTURES / "babi"


ROOT = FIXTURES.parent.parent


def run_example(script: str, *args) -> "subprocess.CompletedProcess[str]":
    """`python examples/SCRIPT ARGS...` from the project root, output captured."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, f"examples/{script}", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True)


def write_task(folder: Path, name: str, text: str) -> Path:
    """`text` as both the train and the test file of bAbI task file `name` (e.g.
    qa19_path-finding) in `folder`, which is returned for --data."""
    for split in ("train", "test"):
        (folder / f"{name}_{split}.txt").write_text(text)
    return folder
