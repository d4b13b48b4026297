"""JSON: the export document itself (schema in docs/exports.md), pretty-printed.

``ensure_ascii`` keeps every control or invisible formatting character escaped,
so the file is safe to print on a terminal; any JSON reader restores the text.
"""

from __future__ import annotations

import json


def to_json(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=True) + "\n"
