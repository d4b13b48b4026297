"""Showing bidi control characters visibly, for every layer that displays user text.

The Unicode Bidi_Control characters (the Arabic letter mark, the left-to-right
and right-to-left marks, the embeddings, overrides and isolates) are invisible,
yet they reorder what is drawn around them: a title holding U+202E shows its
text reversed (the "Trojan Source" trick), a cell can seem to hold what it does
not. Stored data keeps them; everything that shows user text (the exports, the
app, the command line) shows each one as a marker like ``<U+202E>`` instead.

No Textual, no database: domain, services, cli, export and tui may all import it.
"""

from __future__ import annotations

import re

#: Unicode's Bidi_Control property: ALM, LRM, RLM, LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

_MARKERS = {ord(ch): f"<U+{ord(ch):04X}>" for ch in BIDI_CONTROLS}
_MARKER_RE = re.compile("|".join(re.escape(m) for m in sorted(_MARKERS.values())))
_FROM_MARKER = {m: chr(code) for code, m in _MARKERS.items()}


def bidi_marker(ch: str) -> str:
    """The visible marker for one bidi control character: "<U+202E>"."""
    return _MARKERS[ord(ch)]


def show_bidi(text: str) -> str:
    """`text` with every bidi control character shown as its marker (<U+202E>)."""
    return text.translate(_MARKERS)


def restore_bidi(text: str) -> str:
    """The inverse of show_bidi: a marker a form showed becomes the character again,
    so that editing a field around it keeps the stored character."""
    if "<U+" not in text:
        return text
    return _MARKER_RE.sub(lambda m: _FROM_MARKER[m.group(0)], text)
