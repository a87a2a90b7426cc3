"""Runs the commands shown in README.md and examples/README.md and writes their real output
into them.

    python examples/transcript.py          # rewrite both files
    python examples/transcript.py --check  # exit 1 if any output differs (tests do this)

Every ```console block holds `$ command` lines, each followed by its output. The commands
run in order from the project root, in one fresh ASKME_HOME, with colour off.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "README.md", ROOT / "examples" / "README.md"]
BLOCK = re.compile(r"```console\n(.*?)```", re.S)


def commands_of(block: str) -> list[str]:
    return [line[2:] for line in block.splitlines() if line.startswith("$ ")]


def run_all(text: str) -> str:
    """`text` with every console block's outputs replaced by what the commands print now."""
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "ASKME_HOME": home, "NO_COLOR": "1", "COLUMNS": "100"}
        bin_dir = Path(sys.executable).parent
        env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"

        def run_block(match: re.Match) -> str:
            out = []
            for command in commands_of(match.group(1)):
                result = subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        timeout=300)
                out.append(f"$ {command}\n{result.stdout}")
            return "```console\n" + "".join(out) + "```"

        return BLOCK.sub(run_block, text)


def main() -> int:
    status = 0
    for path in FILES:
        text = path.read_text()
        fresh = run_all(text)
        if "--check" not in sys.argv:
            path.write_text(fresh)
        elif fresh != text:
            import difflib

            name = str(path.relative_to(ROOT))
            sys.stdout.writelines(difflib.unified_diff(text.splitlines(True),
                                                       fresh.splitlines(True), name, "now"))
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
