"""Untrusted text reaches the terminal safely: a story holding every control character and
the bidirectional overrides goes through load, ask and the chat on a pseudo-terminal, /facts,
/why and both exports; the only escape sequences on the terminal are askme's own."""

import fcntl
import html.parser
import json
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
import xml.etree.ElementTree as ElementTree

from askme.repl.toolbar import toolbar_text
from askme.visible import visible

CONTROLS = ([chr(c) for c in range(0x20) if c not in (0x00, 0x09, 0x0A)]  # NUL is refused
            + ["\x7f"] + [chr(c) for c in range(0x80, 0xA0)]
            + [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))])
# Whole sequences a hostile story would plant: window title, clipboard (OSC 52), clear
# screen, blink in red, a C1 CSI, a device control string.
PLANTED = ["\x1b]0;PWNED\x07", "\x1b]52;c;cHduZWQ=\x07", "\x1b[2J", "\x1b[5;31m", "\x9b2J",
           "\x1bP+q544e\x1b\\"]
ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|P[^\x1b]*\x1b\\|.)",
                    re.DOTALL)
RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def story(hostile: bool) -> str:
    """A bAbI-format story; `hostile` puts the controls and planted sequences in its facts
    and in a question and its answer, the other one has '?' in their places."""
    mark = (lambda s: s) if hostile else (lambda s: "?" * len(s))
    lines = ["Mary went to the kitchen."]
    for start in range(0, len(CONTROLS), 8):
        lines.append(f"John went{mark(''.join(CONTROLS[start:start + 8]))} to the garden.")
    lines += [f"Sandra went to the {mark(s)}hallway." for s in PLANTED]
    numbered = [f"{i} {line}" for i, line in enumerate(lines, 1)]
    numbered.append(f"{len(lines) + 1} Where is Mary{mark(PLANTED[0])}?"
                    f"\tkit{mark(PLANTED[1])}chen\t1")
    return "\n".join(numbered) + "\n"


def spawn_on_terminal(args, env):
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    process = subprocess.Popen([sys.executable, "-m", "askme", *args], stdin=follower,
                               stdout=follower, stderr=follower, env=env, cwd=env["HOME"])
    os.close(follower)
    return process, leader


def read_available(leader, wait: float) -> bytes:
    out = b""
    while select.select([leader], [], [], wait)[0]:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        out += chunk
        wait = 0.2
    return out


PROMPT_START = b"\x1b[?2004h"  # prompt-toolkit turns bracketed paste on at each prompt


def run_on_terminal(args, env, lines=()) -> str:
    """askme on a pseudo-terminal, 200 columns wide; each of `lines` is typed once the chat
    shows its prompt. Returns everything written to the terminal."""
    process, leader = spawn_on_terminal(args, env)
    out, prompts = b"", 0
    deadline = time.monotonic() + 120
    for line in lines:
        while out.count(PROMPT_START) == prompts and time.monotonic() < deadline:
            out += read_available(leader, 1.0)
        prompts += 1
        os.write(leader, line.encode() + b"\r")
    while process.poll() is None and time.monotonic() < deadline:
        out += read_available(leader, 0.5)
    out += read_available(leader, 0.2)
    process.wait(timeout=5)
    os.close(leader)
    return out.decode("utf-8", "surrogateescape")


def sessions(tmp_path, hostile: bool) -> list[str]:
    """What load, ask and the chat write to a terminal, in a fresh home."""
    home = tmp_path / ("hostile" if hostile else "clean")
    home.mkdir()
    (home / "story.txt").write_text(story(hostile))
    env = {**os.environ, "ASKME_HOME": str(home / "data"), "HOME": str(home),
           "TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1", "COLUMNS": "200",
           "LINES": "50"}
    env.pop("NO_COLOR", None)
    question = f"Where is John{PLANTED[0] if hostile else '?' * len(PLANTED[0])}?"
    return [run_on_terminal(["load", "story.txt"], env),
            run_on_terminal(["ask", question], env),
            run_on_terminal(["chat", "--no-history"], env, [
                "/load story.txt", "/facts", "Where is Mary?", "/why", "/export out.svg",
                "/export out.html", "/quit"])]


def test_hostile_story_reaches_terminal_and_exports_only_as_visible_escapes(tmp_path):
    clean = sessions(tmp_path, hostile=False)
    hostile = sessions(tmp_path, hostile=True)
    own = {seq for out in clean for seq in ESCAPE.findall(out)}  # Rich's and prompt-toolkit's
    for name, out in zip(("load", "ask", "chat"), hostile):
        assert set(ESCAPE.findall(out)) <= own, name
        assert not RAW.search(ESCAPE.sub("", out)), name
        assert not any(planted in out for planted in PLANTED), name
        assert visible(PLANTED[0]) in out, name
    load, ask, chat = hostile
    assert "Where is Mary\\x1b]0;PWNED\\x07?" in load
    assert "expected kit\\x1b]52;c;cHduZWQ=\\x07chen" in load
    assert "John went\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08 to the garden." in load
    assert "\\u2067\\u2068\\u2069 to the garden." in load  # the last of the bidi controls
    assert "\\x1b[2J" in ask and "end of passes" in ask
    assert "Memory 'default'" in chat and "Q: Where is Mary?" in chat  # /facts and /why
    assert "exported the last answer to out.html" in chat

    home = tmp_path / "hostile"
    svg = (home / "out.svg").read_text()
    ElementTree.fromstring(svg)  # well-formed XML
    assert "\\x1b]0;PWNED\\x07hallway." in svg.replace("&#160;", " ")
    page = (home / "out.html").read_text()
    assert not RAW.search(page)  # control characters are HTML parse errors
    text = []
    parser = html.parser.HTMLParser()
    parser.handle_data = text.append
    parser.feed(page)
    assert "\\x1b]0;PWNED\\x07hallway." in "".join(text)


def test_visible_escapes_each_control_and_keeps_ordinary_text():
    assert visible("John went to the \x1b]0;PWNED\x07garden.") == \
        "John went to the \\x1b]0;PWNED\\x07garden."
    assert visible("tab\tstays, é 中 🙂 stay") == "tab\tstays, é 中 🙂 stay"
    assert visible("\x00\n\r\x7f\x85\x9f") == "\\x00\\x0a\\x0d\\x7f\\x85\\x9f"
    assert visible("\u202e\u2066\ufffe\ud800") == "\\u202e\\u2066\\ufffe\\ud800"
    for control in CONTROLS:
        assert not RAW.search(visible(control)), repr(control)


def test_markup_in_a_fact_stays_literal_and_json_keeps_the_exact_text(tmp_path):
    env = {**os.environ, "ASKME_HOME": str(tmp_path / "data"), "HOME": str(tmp_path),
           "TERM": "xterm-256color", "COLUMNS": "200"}
    env.pop("NO_COLOR", None)
    facts = "[bold red]Mary[/] went to the kitchen.\nJohn went \x1b[5mhome.\n"
    subprocess.run([sys.executable, "-m", "askme", "load", "-"], input=facts.encode(),
                   env=env, capture_output=True, check=True)
    table = run_on_terminal(["ask", "Where is Mary?"], env)
    assert "[bold red]Mary[/] went to the kitchen." in table
    assert "John went \\x1b[5mhome." in table
    result = subprocess.run([sys.executable, "-m", "askme", "ask", "--json", "Where is Mary?"],
                            env=env, capture_output=True, text=True)
    assert json.loads(result.stdout)["facts"] == facts.splitlines()


def test_toolbar_shows_a_model_name_by_the_same_rule(tmp_path):
    from askme.memory.store import MemoryStore
    from askme.repl import ChatState

    state = ChatState(MemoryStore(tmp_path / "memories.sqlite3"), model="odd\x1b]0;x\x07")
    assert " model: odd\\x1b]0;x\\x07 " in [text for _, text in toolbar_text(state)]
