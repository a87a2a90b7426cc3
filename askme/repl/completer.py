"""Tab completion: command names, file paths after the commands that take a file, on/off
after /episodes, and otherwise the words of the facts in memory."""

from __future__ import annotations

import re

from prompt_toolkit.completion import Completer, Completion, PathCompleter
from prompt_toolkit.document import Document

from askme.repl.commands import COMMANDS
from askme.repl.state import ChatState

_WORD = re.compile(r"[^\W\d_][\w'-]*")


class ChatCompleter(Completer):
    def __init__(self, state: ChatState):
        self.state = state
        self.paths = PathCompleter(expanduser=True)

    def get_completions(self, document: Document, complete_event):
        text = document.text_before_cursor
        if text.startswith("/"):
            name, space, argument = text.partition(" ")
            if not space:
                for command in COMMANDS.values():
                    if command.name.startswith(name.lower()):
                        yield Completion(command.name, -len(name), display_meta=command.help)
                return
            command = COMMANDS.get(name.lower())
            if command and command.completes_paths:
                yield from self.paths.get_completions(Document(argument.lstrip()),
                                                      complete_event)
            elif command and command.name == "/episodes":
                for choice in ("on", "off"):
                    if choice.startswith(argument.strip()):
                        yield Completion(choice, -len(argument.strip()))
            return
        word = document.get_word_before_cursor()
        if not word:
            return
        for candidate in self.memory_words():
            if candidate.lower().startswith(word.lower()) and candidate != word:
                yield Completion(candidate, -len(word))

    def memory_words(self) -> list[str]:
        words = {w for fact in self.state.facts() for w in _WORD.findall(fact)}
        return sorted(words, key=str.lower)
