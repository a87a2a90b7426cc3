"""The chat loop: prompt-toolkit on a terminal, plain lines otherwise (so a session file
piped in replays exactly: no prompt, no colour)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.text import Text

from askme.repl.commands import handle_line
from askme.repl.state import ChatState
from askme.visible import visible

PROMPT = "askme> "
WELCOME = ("Type facts (\"Mary went to the kitchen.\") and questions (\"Where is Mary?\"); "
           "/help lists the commands, Ctrl-D quits.")


def _print_all(console: Console, state: ChatState, text: str) -> None:
    for line in text.splitlines() or [""]:  # a paste of several lines: several facts
        try:
            for item in handle_line(state, line):
                # A Text marked no_wrap (an error) stays one line, however narrow the screen.
                console.print(item, soft_wrap=getattr(item, "no_wrap", None) is True)
        except KeyboardInterrupt:  # Ctrl-C during an answer cancels it, not the chat
            console.print("cancelled", style="yellow")
        if state.done:
            return


def run_plain(state: ChatState, console: Console, lines) -> None:
    for line in lines:
        _print_all(console, state, line.rstrip("\n"))
        if state.done:
            return


def run_interactive(state: ChatState, console: Console, history: Path | None,
                    suggest: bool = True, input=None, output=None) -> None:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.auto_suggest import AutoSuggestFromHistory

    from askme.repl.completer import ChatCompleter
    from askme.repl.keys import chat_key_bindings
    from askme.repl.toolbar import toolbar_text

    lines = _history(history, console)
    session = PromptSession(
        history=lines, auto_suggest=AutoSuggestFromHistory() if suggest else None,
        completer=ChatCompleter(state), complete_while_typing=False,
        key_bindings=chat_key_bindings(), bottom_toolbar=lambda: toolbar_text(state),
        input=input, output=output)
    console.print(WELCOME, style="dim")
    while not state.done:
        try:
            text = session.prompt(PROMPT)
        except KeyboardInterrupt:
            console.print("(Ctrl-D or /quit leaves)", style="dim")
            continue
        except EOFError:
            break
        if getattr(lines, "failure", None):
            _history_off(console, history, lines.failure)
            lines.failure = None
        _print_all(console, state, text)


def _history_off(console: Console, history: Path, error: OSError) -> None:
    console.print(Text(visible(f"history off: cannot write {history} ({error.strerror})"),
                       style="yellow"))


def _history(history: Path | None, console: Console):
    """The lines typed before, kept in `history`; a file that cannot be written (a read-only
    folder, a full disk) turns history off with a note, and the chat goes on."""
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    class KeptHistory(FileHistory):
        failure: OSError | None = None  # the loop reports it once the prompt is done
        off = False

        def store_string(self, string: str) -> None:
            if not self.off:
                try:
                    super().store_string(string)
                except OSError as error:
                    self.failure, self.off = error, True

    if history is None:
        return InMemoryHistory()
    try:
        history.parent.mkdir(parents=True, exist_ok=True)
        history.touch()
        return KeptHistory(str(history))
    except OSError as error:
        _history_off(console, history, error)
        return InMemoryHistory()
