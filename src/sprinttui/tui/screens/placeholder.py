"""A screen that is not built yet."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from sprinttui.tui.base import BaseScreen


def make_placeholder(title: str) -> type[BaseScreen]:
    class Placeholder(BaseScreen):
        SCREEN_TITLE = title

        def compose(self) -> ComposeResult:
            yield from self.compose_header()
            yield Static(f"{title}: coming soon.", id="placeholder")
            yield from self.compose_footer()

    Placeholder.__name__ = f"{title.replace('-', '')}Placeholder"
    return Placeholder
