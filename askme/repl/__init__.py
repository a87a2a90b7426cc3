"""`askme chat`: one file per concern (state, commands, completer, keys, toolbar, loop).

The loop only reads lines and prints what `handle_line(state, text)` returns, so tests
drive the chat without a terminal.
"""

from askme.repl.commands import COMMANDS, handle_line
from askme.repl.state import ChatState

__all__ = ["COMMANDS", "ChatState", "handle_line"]
