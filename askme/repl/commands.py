"""The chat's commands (a registry that /help is generated from) and `handle_line`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from rich.table import Table
from rich.text import Text

from askme import stories, render

from askme.errors import AskmeError
from askme.memory import cache, answering
from askme.memory.store import count
from askme.repl.state import ChatState
from askme.visible import visible


@dataclass(frozen=True)
class Command:
    name: str  # with the leading "/"
    usage: str  # arguments, e.g. "N" or "FILE"
    help: str
    run: Callable[[ChatState, str], list]
    completes_paths: bool = False  # Tab completes file names after it


COMMANDS: dict[str, Command] = {}


def command(name: str, usage: str, help: str, completes_paths: bool = False):
    def register(run):
        COMMANDS[name] = Command(name, usage, help, run, completes_paths)
        return run
    return register


def note(text: str) -> Text:
    return Text(visible(text), style="cyan")


def error_line(text: str) -> Text:
    """A one-line error; it may quote a user's line, so it is shown by the same rule."""
    return Text(f"error: {visible(text)}", style="bold red", no_wrap=True)


def question_line(question: str) -> Text:
    return Text(f"Q: {visible(question)}")


def handle_line(state: ChatState, text: str) -> list:
    """Everything the chat does with one line; returns what to print (Rich renderables).

    A problem the user can fix comes back as a one-line message, never an exception.
    """
    try:
        out: list = []
        facts: list[str] = []
        for line in stories.classify(text, state.cuts_clauses()):
            if line.kind == "command":
                return _run_command(state, line.text)
            if line.kind == "fact":
                facts.append(line.text)
            elif line.kind == "question":
                if facts:  # "Mary went home. Where is Mary?" stores the fact first
                    out.append(_add_facts(state, facts))
                    facts = []
                out.extend(_answer(state, line.text))
        if facts:
            out.append(_add_facts(state, facts))
        return out
    except AskmeError as error:
        return [error_line(str(error))]


def _add_facts(state: ChatState, facts: list[str]) -> Text:
    total = cache.add_facts(state.store, state.memory, facts, state.loaded_checkpoint())
    first = total - len(facts) + 1
    numbers = f"{first}" if len(facts) == 1 else f"{first}-{total}"
    return note(f"noted as fact {numbers}" if len(facts) == 1 else f"noted as facts {numbers}")


def _answer(state: ChatState, question: str) -> list:
    facts = state.facts()
    if not facts:
        return [note("There are no facts in memory yet: type some sentences first, or "
                     "/load FILE.")]
    state.last = answering.answer_from_memory(state.checkpoint(), state.store, state.memory,
                                              facts, [], [(question, len(facts))])[0]
    state.last_rendered = [render.answer_line(state.last), render.episode_table(state.last)]
    return state.last_rendered if state.episodes else state.last_rendered[:1]


def _run_command(state: ChatState, text: str) -> list:
    name, _, argument = text.partition(" ")
    found = COMMANDS.get(name.lower())
    if found is None:
        return [error_line(f"unknown command {name!r}; /help lists the commands")]
    return found.run(state, argument.strip())


def _no_argument(name: str, argument: str) -> None:
    if argument:
        raise AskmeError(f"{name} takes no argument")


@command("/help", "", "show this table of commands")
def _help(state: ChatState, argument: str) -> list:
    table = Table(title="Commands", title_justify="left", caption="A sentence ending in '?', "
                  "starting like one ('where is alice', 'is Mary here') or asking for one "
                  "('tell me where Ken is.') is a question; any other is a fact.",
                  caption_justify="left")
    table.add_column("command", no_wrap=True, style="bold")
    table.add_column("what it does")
    for item in COMMANDS.values():
        table.add_row(f"{item.name} {item.usage}".strip(), item.help)
    return [table]


@command("/facts", "", "list the facts in memory, numbered")
def _facts(state: ChatState, argument: str) -> list:
    _no_argument("/facts", argument)
    facts = state.facts()
    if not facts:
        return [note(f"Memory {state.memory!r} is empty.")]
    return [render.facts_table(facts, title=f"Memory {state.memory!r}")]


@command("/forget", "N", "remove fact number N")
def _forget(state: ChatState, argument: str) -> list:
    if not argument.isdigit():
        raise AskmeError("usage: /forget N, where N is a fact number from /facts")
    text = state.store.forget(state.memory, int(argument))
    return [note(f"forgot fact {int(argument)}: {text}")]


@command("/undo", "", "take back the last change to the memory")
def _undo(state: ChatState, argument: str) -> list:
    _no_argument("/undo", argument)
    action = state.store.undo(state.memory)
    return [note(f"undid: {action} (now {count(len(state.facts()))})")]


@command("/clear", "", "remove every fact (/undo brings them back)")
def _clear(state: ChatState, argument: str) -> list:
    _no_argument("/clear", argument)
    removed = state.store.clear(state.memory)
    return [note(f"cleared {count(removed)}")]


@command("/load", "FILE", "replace the memory with a story file (plain or bAbI)",
         completes_paths=True)
def _load(state: ChatState, argument: str) -> list:
    if not argument:
        raise AskmeError("usage: /load FILE")
    story = stories.read_story(Path(argument).expanduser(), clauses=state.cuts_clauses())
    results = answering.story_answers(state.checkpoint(), story) if story.questions else []
    replaced = state.store.replace(state.memory, story.facts)
    return render.load_report(story, results, state.memory, replaced, appended=False)


@command("/save", "FILE", "write the facts to a text file, one per line", completes_paths=True)
def _save(state: ChatState, argument: str) -> list:
    if not argument:
        raise AskmeError("usage: /save FILE")
    facts = state.facts()
    stories.write_facts(Path(argument).expanduser(), facts)
    return [note(f"saved {count(len(facts))} to {argument}")]


@command("/why", "", "show the last answer's episode table again")
def _why(state: ChatState, argument: str) -> list:
    _no_argument("/why", argument)
    if state.last is None:
        return [note("Nothing to explain yet: ask a question first.")]
    return [question_line(state.last.question), *state.last_rendered]


@command("/episodes", "on|off", "show or hide the episode table after each answer")
def _episodes(state: ChatState, argument: str) -> list:
    if argument not in ("on", "off"):
        raise AskmeError("usage: /episodes on|off")
    state.episodes = argument == "on"
    return [note(f"episode tables {argument}")]


@command("/export", "FILE.svg|FILE.html", "save the last answer and its table as a picture",
         completes_paths=True)
def _export(state: ChatState, argument: str) -> list:
    if state.last is None:
        raise AskmeError("nothing to export yet: ask a question first")
    path = Path(argument).expanduser()
    if path.suffix.lower() not in (".svg", ".html"):
        raise AskmeError("usage: /export FILE.svg or /export FILE.html")
    render.export(path, [question_line(state.last.question), *state.last_rendered])
    return [note(f"exported the last answer to {argument}")]


@command("/model", "", "show which model answers and how it was trained")
def _model(state: ChatState, argument: str) -> list:
    _no_argument("/model", argument)
    return [render.model_table(state.checkpoint(), state.model_name())]


@command("/memory", "[NAME]", "list the memories, or switch to memory NAME")
def _memory(state: ChatState, argument: str) -> list:
    if argument:
        from askme.memory.store import validate_name

        state.memory = validate_name(argument)
        return [note(f"memory {argument!r}: {count(len(state.facts()))}")]
    return [render.memories_table(state.store.memories(), state.memory)]


@command("/quit", "", "leave the chat (Ctrl-D does too)")
def _quit(state: ChatState, argument: str) -> list:
    state.done = True
    return []
