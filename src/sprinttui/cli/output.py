"""Printing for the command line: safe cells, aligned tables, JSON.

Nothing here imports the database layers, so ``--help`` stays fast.

Every piece of user text goes through :func:`clean` before it reaches the
terminal: control characters (ESC, BEL, C1 controls, bidi overrides …) are
replaced, so no escape sequence stored in the data can act on the terminal;
bidi controls show as ``<U+202E>`` (sprinttui.display), so no text reads reversed.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sprinttui.display import show_bidi

ELLIPSIS = "…"


def clean(value: Any, limit: int | None = None) -> str:
    """One safe line: whitespace becomes a space, bidi controls their marker
    (<U+202E>), other non-printables '?'."""
    if value is None:
        return ""
    out = []
    for ch in show_bidi(str(value)):
        if ch.isprintable():
            out.append(ch)
        elif ch in "\t\n\r" or unicodedata.category(ch) == "Zs":
            out.append(" ")
        else:
            out.append("?")
    text = "".join(out)
    if limit is not None and width(text) > limit:
        text = truncate(text, limit)
    return text


def clean_lines(value: Any) -> list[str]:
    """Multi-line user text as a list of safe lines."""
    if value is None:
        return []
    return [clean(line) for line in str(value).replace("\r\n", "\n").split("\n")]


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def width(text: str) -> int:
    """Columns the text takes on a terminal (wide East Asian characters count 2)."""
    return sum(_char_width(ch) for ch in text)


def truncate(text: str, limit: int) -> str:
    if width(text) <= limit:
        return text
    out, used = [], 0
    for ch in text:
        w = _char_width(ch)
        if used + w > limit - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + ELLIPSIS


def _pad(text: str, size: int, align: str) -> str:
    gap = " " * max(size - width(text), 0)
    return gap + text if align == "r" else text + gap


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    align: str = "",
    limits: dict[int, int] | None = None,
    empty: str | None = None,
    indent: str = "",
    file=None,
) -> None:
    """Print an aligned plain-text table.

    align: one letter per column, 'l' or 'r' (default 'l'); limits: column
    index -> maximum width (longer cells are cut with an ellipsis).
    """
    out = file or sys.stdout
    limits = limits or {}
    cells = [[clean(c, limits.get(i)) for i, c in enumerate(r)] for r in rows]
    if not cells:
        if empty is not None:
            print(indent + empty, file=out)
        return
    heads = [clean(h) for h in headers]
    n = len(heads)
    sizes = [max([width(heads[i])] + [width(r[i]) for r in cells]) for i in range(n)]
    aligns = (align + "l" * n)[:n]

    def line(values: Sequence[str]) -> str:
        parts = [_pad(v, sizes[i], aligns[i]) for i, v in enumerate(values)]
        return (indent + "  ".join(parts)).rstrip()

    print(line(heads), file=out)
    print(line(["-" * s for s in sizes]), file=out)
    for r in cells:
        print(line(r), file=out)


def fields(pairs: Iterable[tuple[str, Any]], *, indent: str = "", file=None) -> None:
    """Print 'label: value' lines with the values aligned."""
    out = file or sys.stdout
    pairs = [(clean(k), clean(v)) for k, v in pairs]
    if not pairs:
        return
    size = max(width(k) for k, _ in pairs) + 1
    for k, v in pairs:
        print((indent + _pad(k + ":", size + 1, "l") + v).rstrip(), file=out)


def _json_default(obj: Any):
    if isinstance(obj, (datetime, date)):
        return obj.isoformat()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if isinstance(obj, (set, frozenset, tuple)):
        return sorted(obj) if isinstance(obj, (set, frozenset)) else list(obj)
    raise TypeError(f"cannot write {type(obj).__name__} as JSON")


def emit_json(obj: Any, file=None) -> None:
    """JSON on stdout. ensure_ascii keeps every control character escaped."""
    out = file or sys.stdout
    out.write(json.dumps(obj, indent=2, default=_json_default, ensure_ascii=True))
    out.write("\n")


def points(p: float | None) -> str:
    if p is None:
        return "-"
    p = float(p)
    return str(int(p)) if p.is_integer() else f"{p:g}"


def ratio(r: float | None) -> str:
    if r is None:
        return "-"
    return f"{r * 100:.1f}%"


def when(dt: datetime | date | None) -> str:
    if dt is None:
        return "-"
    if isinstance(dt, datetime):
        return dt.strftime("%Y-%m-%d %H:%M")
    return dt.isoformat()
