"""Key bindings beyond prompt-toolkit's Emacs defaults (which already give Ctrl-R history
search, Ctrl-A/E, Alt-B/F and bracketed paste of several lines)."""

from __future__ import annotations

from prompt_toolkit.key_binding import KeyBindings


def chat_key_bindings() -> KeyBindings:
    bindings = KeyBindings()

    @bindings.add("c-c")
    def _clear_or_interrupt(event):
        """Ctrl-C clears a typed line; on an empty line it reminds how to leave."""
        buffer = event.current_buffer
        if buffer.text:
            buffer.reset()
        else:
            event.app.exit(exception=KeyboardInterrupt())

    return bindings
