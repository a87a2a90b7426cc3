"""The bottom toolbar: memory name, fact count and model."""

from __future__ import annotations

from askme.memory.store import count
from askme.repl.state import ChatState
from askme.visible import visible


def toolbar_text(state: ChatState) -> list[tuple[str, str]]:
    facts = len(state.facts())
    return [("bold", f" memory: {visible(state.memory)} "), ("", "│"),
            ("", f" {count(facts)} "), ("", "│"),
            ("", f" model: {visible(state.model_name())} "), ("", "│"),
            ("italic", " /help  Ctrl-D quits ")]
