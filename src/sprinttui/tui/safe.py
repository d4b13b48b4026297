"""Showing user text safely.

Titles and names are never markup: widgets get rich Text / Textual Content
built from the plain string. ``plain`` also removes control characters so
that no terminal escape sequence from user data reaches the terminal.
"""

from __future__ import annotations

import unicodedata

from rich.text import Text


def plain(value: object, limit: int | None = None) -> str:
    out = []
    for ch in str(value if value is not None else ""):
        if ch in "\n\t\r":
            out.append(" ")
        elif unicodedata.category(ch) == "Cc":
            out.append("�")
        else:
            out.append(ch)
    s = "".join(out)
    if limit is not None and len(s) > limit:
        s = s[: max(limit - 1, 0)] + "…"
    return s


def text(value: object, style: str = "", limit: int | None = None) -> Text:
    """A rich Text showing `value` literally."""
    return Text(plain(value, limit), style=style, no_wrap=True, overflow="ellipsis")
