"""JSON: the export document itself (schema in docs/exports.md), pretty-printed.

``ensure_ascii`` keeps every control or invisible formatting character escaped,
so the file is safe to print on a terminal; any JSON reader restores the text.
JSON is data, not display: bidi control characters (U+202E …) keep their exact
stored value, escaped like the rest (the Markdown, HTML and CSV exports show
them as ``<U+202E>``).
"""

from __future__ import annotations

import json


def to_json(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=True) + "\n"
