"""Showing user text safely.

Titles and names are never markup: widgets get rich Text / Textual Content
built from the plain string. ``plain`` also replaces control characters and
shows bidi controls as markers (``<U+202E>``, sprinttui.display) so that no
terminal escape sequence from user data reaches the terminal and nothing
reorders what is drawn.
"""

from __future__ import annotations

import unicodedata

from rich.text import Text

# bidi marks, embeddings, overrides and isolates: they would reorder what the terminal
# draws (a title that shows "exe.pdf" for "fdp.exe", columns that swap places)
from sprinttui.display import BIDI_CONTROLS, bidi_marker

__all__ = ["BIDI_CONTROLS", "plain", "text"]


def plain(value: object, limit: int | None = None) -> str:
    raw = str(value if value is not None else "")
    cut = limit is not None and len(raw) > limit
    if cut:  # one character out for each one in: cut first, a 100 kB title costs nothing
        raw = raw[: max(limit - 1, 0)]
    if raw.isprintable():  # the usual case: no control, format or separator character to replace
        return raw + ("…" if cut else "")
    out = []
    for ch in raw:
        if ch in "\n\t\r":
            out.append(" ")
        elif ch in BIDI_CONTROLS:
            out.append(bidi_marker(ch))
        elif unicodedata.category(ch) == "Cc":
            out.append("�")
        else:
            out.append(ch)
    return "".join(out) + ("…" if cut else "")


def text(value: object, style: str = "", limit: int | None = None) -> Text:
    """A rich Text showing `value` literally."""
    return Text(plain(value, limit), style=style, no_wrap=True, overflow="ellipsis")
