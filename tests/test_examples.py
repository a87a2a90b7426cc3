"""examples/README.md shows real output: re-running its commands must print exactly that."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_examples_readme_matches_what_the_commands_print():
    result = subprocess.run([sys.executable, "examples/transcript.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
