"""Showing user text safely.

Titles and names are never markup: widgets get rich Text / Textual Content
built from the plain string. ``plain`` also replaces control characters and
bidi overrides so that no terminal escape sequence from user data reaches the
terminal and nothing reorders what is drawn.
"""

from __future__ import annotations

import unicodedata

from rich.text import Text

# bidi embeddings, overrides and isolates: they would reorder what the terminal draws
# (a title that shows "exe.pdf" for "fdp.exe", columns that swap places)
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


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
        elif ch in BIDI_CONTROLS or unicodedata.category(ch) == "Cc":
            out.append("�")
        else:
            out.append(ch)
    return "".join(out) + ("…" if cut else "")


def text(value: object, style: str = "", limit: int | None = None) -> Text:
    """A rich Text showing `value` literally."""
    return Text(plain(value, limit), style=style, no_wrap=True, overflow="ellipsis")
