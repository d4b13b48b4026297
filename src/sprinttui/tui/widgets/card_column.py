"""A board column drawn with the Line API: only visible lines are rendered.

Each card is CARD_HEIGHT lines produced on demand in ``render_line``. The
column holds the cards loaded so far (the board reads a long column a page at a
time, see ``append_cards``); its title shows the count and points of the whole
column, which the board passes in.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sprinttui.services.item_rows import ItemRow
from sprinttui.services.text import fmt_points
from sprinttui.tui.safe import plain
from sprinttui.tui.tcss import load_tcss

CARD_HEIGHT = 3


class CardColumn(ScrollView, can_focus=False):
    """One status column of the board."""

    COMPONENT_CLASSES = {
        "card--key",
        "card--meta",
        "card--selected",
        "card--blocked",
        "card--slip",
        "card--heading",
    }
    DEFAULT_CSS = load_tcss(__file__)

    cursor: reactive[int] = reactive(-1, always_update=True)

    class Clicked(Message):
        def __init__(self, column: CardColumn, index: int) -> None:
            super().__init__()
            self.column = column
            self.index = index

    def __init__(self, status: str, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.status = status
        self.heading = title
        self.cards: list[ItemRow] = []
        #: cards and points of the whole column (loaded or not)
        self.total = 0
        self.points = 0.0
        self._cache: dict[tuple, list[Strip]] = {}

    # -- data ---------------------------------------------------------------
    def set_cards(
        self,
        cards: list[ItemRow],
        keep_key: str | None = None,
        *,
        total: int | None = None,
        points: float | None = None,
    ) -> None:
        """Show these cards: the first ``len(cards)`` of a column of ``total``
        cards worth ``points`` (both default to what ``cards`` hold)."""
        self.cards = cards
        self.total = max(len(cards), total if total is not None else len(cards))
        self.points = points if points is not None else sum(c.points or 0 for c in cards)
        self._cache.clear()
        self.virtual_size = Size(self.size.width, len(cards) * CARD_HEIGHT)
        if keep_key is not None:
            idx = self.index_of(keep_key)
            if idx >= 0:
                self.cursor = idx
        if self.cursor >= len(cards):
            self.cursor = len(cards) - 1
        self._update_title()
        self.refresh()

    def append_cards(self, cards: list[ItemRow]) -> int:
        """Add the next loaded cards at the end; the cursor and the scroll
        position stay. Cards already shown are skipped (rows shift between
        pages when others write). Returns how many were added."""
        have = {c.key for c in self.cards}
        new = []
        for card in cards:
            if card.key not in have:
                have.add(card.key)
                new.append(card)
        if new:
            self.cards = [*self.cards, *new]
            self.total = max(self.total, len(self.cards))
            self.virtual_size = Size(self.size.width, len(self.cards) * CARD_HEIGHT)
            self._update_title()
            self.refresh()
        return len(new)

    @property
    def more(self) -> bool:
        """Whether the column has cards that are not loaded yet."""
        return len(self.cards) < self.total

    def _update_title(self) -> None:
        self.border_title = f"{self.heading} · {self.total} · {fmt_points(self.points)} pts"

    def set_active(self, active: bool) -> None:
        if self.has_class("-active") != active:
            self.set_class(active, "-active")
            self._cache.clear()
            self.refresh()

    def index_of(self, key: str) -> int:
        for i, c in enumerate(self.cards):
            if c.key == key:
                return i
        return -1

    @property
    def current(self) -> ItemRow | None:
        if 0 <= self.cursor < len(self.cards):
            return self.cards[self.cursor]
        return None

    def watch_cursor(self, old: int, new: int) -> None:
        for idx in (old, new):
            if 0 <= idx < len(self.cards):
                self._cache.pop(("card", idx), None)
                self.refresh(Region(0, idx * CARD_HEIGHT - int(self.scroll_y), self.size.width, CARD_HEIGHT))
        if 0 <= new < len(self.cards):
            self.scroll_to_region(
                Region(0, new * CARD_HEIGHT, 1, CARD_HEIGHT), animate=False, immediate=True
            )

    def on_resize(self) -> None:
        self._cache.clear()
        self.virtual_size = Size(self.size.width, len(self.cards) * CARD_HEIGHT)

    def on_click(self, event) -> None:
        idx = (event.y + int(self.scroll_y)) // CARD_HEIGHT
        if 0 <= idx < len(self.cards):
            self.post_message(self.Clicked(self, idx))

    # -- rendering ----------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        line = int(self.scroll_y) + y
        idx, row = divmod(line, CARD_HEIGHT)
        width = self.scrollable_content_region.width
        if idx >= len(self.cards):
            return Strip.blank(width, self.rich_style)
        return self._card_strips(idx, width)[row]

    def _card_strips(self, idx: int, width: int) -> list[Strip]:
        key = ("card", idx)
        cached = self._cache.get(key)
        if cached is not None and cached[0].cell_length == width:
            return cached
        # the widget's style walks all its ancestors: once per card, not per line
        base = self.rich_style
        card = self.cards[idx]
        selected = idx == self.cursor and self.has_class("-active")
        style = base + self.get_component_rich_style("card--selected") if selected else base
        key_style = self.get_component_rich_style("card--key")
        meta_style = self.get_component_rich_style("card--meta")
        first = Text(no_wrap=True, overflow="ellipsis", end="")
        first.append(card.key, key_style)
        if card.slip_count:
            first.append(f" ↻{card.slip_count}", self.get_component_rich_style("card--slip"))
        if card.blocked:
            first.append(" ⊘blocked" if width > 40 else " ⊘", self.get_component_rich_style("card--blocked"))
        first.append(" ")
        first.append(plain(card.title))
        second = Text(no_wrap=True, overflow="ellipsis", end="")
        second.append(
            f"  {fmt_points(card.points)} pts · {plain(card.assignee or 'unassigned')} · {card.stream}",
            meta_style,
        )
        strips = [self._strip(first, width, style), self._strip(second, width, style), Strip.blank(width, base)]
        self._cache[key] = strips
        return strips

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        text.truncate(max(width - 1, 1), overflow="ellipsis")
        segments = list(text.render(self.app.console))
        segments = [Segment(t, (style + s) if s else style, c) for t, s, c in segments]
        return Strip(Segment.adjust_line_length(segments, width, style=style), width)
