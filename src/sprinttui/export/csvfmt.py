"""CSV: one row per item of the sprint, the same fields as the JSON ``items``.

Spreadsheets run a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula. Cells holding user text (the title, the blocked
reason) that begin like that get a leading ``'``, which the spreadsheet shows as
text. Item keys, stream keys, statuses, outcomes, numbers and flags are not user
text (keys are validated, the rest is ours) and are written as they are.
Bidi control characters show as ``<U+202E>``: a cell never reads reversed.
"""

from __future__ import annotations

import csv
import io

from sprinttui.display import show_bidi
from sprinttui.export.summary import ITEM_FIELDS, points_text

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
USER_TEXT = frozenset({"title", "blocked_reason"})


def guard(text: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _cell(field: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if field in ("points", "reestimated_points"):
        return points_text(value)
    text = "".join("\ufffd" if (c < " " and c not in "\n\t") or "\x7f" <= c <= "\x9f" else c
                   for c in show_bidi(str(value)))
    return guard(text) if field in USER_TEXT else text


def items_csv(doc: dict) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(ITEM_FIELDS)
    for item in doc["items"]:
        w.writerow([_cell(f, item[f]) for f in ITEM_FIELDS])
    return buf.getvalue()
