"""The bottom toolbar: memory name, fact count and model."""

from __future__ import annotations

from askme.repl.state import ChatState
from askme.store import count


def toolbar_text(state: ChatState) -> list[tuple[str, str]]:
    facts = len(state.facts())
    return [("bold", f" memory: {state.memory} "), ("", "│"),
            ("", f" {count(facts)} "), ("", "│"),
            ("", f" model: {state.model_name()} "), ("", "│"),
            ("italic", " /help  Ctrl-D quits ")]
