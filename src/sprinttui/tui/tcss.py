"""The styles of the TUI's screens and widgets, kept in .tcss files beside their modules.

``DEFAULT_CSS = load_tcss(__file__)`` gives a class the text of the .tcss file
next to its module (``screens/board.py`` → ``screens/board.tcss``). The rules
stay a class's DEFAULT_CSS, as they were when written inline: Textual ranks
DEFAULT_CSS below the CSS and CSS_PATH of screens and apps, scopes it to its
class and ties it to the class's place in the hierarchy, so moving the rules
to CSS_PATH would change which rule wins where. Textual parses the text as it
parsed the inline string; the only cost added is reading the file, once, when
the module is imported.

A module with several styled classes keeps one file whose sections start with
a line ``/* @ClassName */``; ``load_tcss(__file__, "ClassName")`` gives that
section only, so each class's DEFAULT_CSS still holds its own rules and no
rule is parsed more often than before. Text before the first section is the
file's own comment.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

_SECTION = re.compile(r"^/\* @(\w+) \*/[ \t]*$", re.MULTILINE)


@cache
def _read(path: Path) -> tuple[str, dict[str, str]]:
    """A .tcss file's text, and its sections by name (empty without sections)."""
    text = path.read_text(encoding="utf-8")
    parts = _SECTION.split(text)  # [head, name, body, name, body, …]
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    return text, sections


def load_tcss(module_file: str, section: str | None = None) -> str:
    """The styles in the .tcss file beside the module `module_file` (pass
    ``__file__``): the whole file, or the section named `section`."""
    path = Path(module_file).with_suffix(".tcss")
    text, sections = _read(path)
    if section is None:
        if sections:
            raise ValueError(f"{path.name} has sections: say which one")
        return text
    try:
        return sections[section]
    except KeyError:
        raise ValueError(f"{path.name} has no section {section!r}") from None
