"""The one rule for showing stored text to a person: control characters become visible
escapes.

Story files come from anywhere, and askme prints their sentences back. A raw ESC, BEL or C1
byte in a fact would reach the terminal as a command (set the window title, hide or rewrite
text, write the clipboard with OSC 52), and a bidirectional override would reorder what is
shown; the same bytes make an SVG or HTML export ill-formed. So everything askme prints for a
person passes what came from a user through `visible`; `--json` keeps the exact text (JSON
escapes it itself).
"""

from __future__ import annotations

import re

# C0 except tab, DEL, C1, the bidirectional embeddings, overrides and isolates, and what XML
# cannot hold at all (lone surrogates, U+FFFE and U+FFFF).
_HIDDEN = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
                     "\ud800-\udfff\ufffe\uffff]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with each control character written as an escape: ESC shows as \\x1b."""
    return _HIDDEN.sub(_escape, text)
