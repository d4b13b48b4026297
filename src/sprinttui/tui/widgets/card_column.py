"""A board column drawn with the Line API: only visible lines are rendered.

Each card is ``card_height`` lines produced on demand in ``render_line``: the
key and title, the points, assignee and stream, a blank line. A column too
narrow for a title beside its key (below WRAP_BELOW cells, as in an 80-column
terminal, where a line held about 8 characters of a title) carries the title
on to a second line, so a card is WRAPPED_CARD_HEIGHT lines and shows 20 or
more characters of its title; every card of a column is as high, so a line is
found by one division, however many cards the column holds. The column holds
the cards loaded so far (the board reads a long column a page at a time, see
``append_cards``); its title shows the count and points of the whole column,
which the board passes in.
"""

from __future__ import annotations

from rich.cells import cell_len
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
#: a card whose title goes on over a second line
WRAPPED_CARD_HEIGHT = 4
#: columns narrower than this (cells inside the border) carry a card's title over two lines
WRAP_BELOW = 26


#: characters of a title a card shows at least, over its two lines (when the title is as long)
MIN_TITLE = 20


def split_title(title: str, room: int, rest: int) -> tuple[str, str]:
    """A title over two lines, `room` cells left on the first (beside the key)
    and `rest` on the second: what goes on each. The first ends at a space or
    after a hyphen when one is in its second half and the two lines still show
    MIN_TITLE characters; otherwise a word is cut where the line ends."""
    if room <= 0:
        return "", title
    width, cut = 0, len(title)
    for i, ch in enumerate(title):
        width += cell_len(ch)
        if width > room:
            cut = i
            break
    if cut >= len(title):
        return title, ""
    if title[cut] != " ":
        head = title[:cut]
        end = max(head.rfind(" "), head.rfind("-") + 1)  # the first line's end at a word's end
        after = title[end:].lstrip()
        if end >= cut / 2 and (len(after) <= rest or end + rest - 1 >= MIN_TITLE):
            cut = end
    return title[:cut].rstrip(), title[cut:].lstrip()


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
        #: lines per card (each card of the column is as high): see WRAP_BELOW
        self.card_height = CARD_HEIGHT
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
        self.virtual_size = Size(self.size.width, len(cards) * self.card_height)
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
            self.virtual_size = Size(self.size.width, len(self.cards) * self.card_height)
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
                h = self.card_height
                self.refresh(Region(0, idx * h - int(self.scroll_y), self.size.width, h))
        if 0 <= new < len(self.cards):
            self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        h = self.card_height
        self.scroll_to_region(Region(0, self.cursor * h, 1, h), animate=False, immediate=True)

    def on_resize(self) -> None:
        self._cache.clear()
        height = WRAPPED_CARD_HEIGHT if self.size.width < WRAP_BELOW else CARD_HEIGHT
        changed, self.card_height = height != self.card_height, height
        self.virtual_size = Size(self.size.width, len(self.cards) * height)
        if changed and 0 <= self.cursor < len(self.cards):
            self._scroll_to_cursor()

    def on_click(self, event) -> None:
        idx = (event.y + int(self.scroll_y)) // self.card_height
        if 0 <= idx < len(self.cards):
            self.post_message(self.Clicked(self, idx))

    # -- rendering ----------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        line = int(self.scroll_y) + y
        idx, row = divmod(line, self.card_height)
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
        title = plain(card.title)
        lines = [first]
        if self.card_height == WRAPPED_CARD_HEIGHT:
            # (a line holds width - 1 cells: see _strip)
            title, more = split_title(title, width - 1 - first.cell_len, width - 1)
            lines.append(Text(more, no_wrap=True, overflow="ellipsis", end=""))
        first.append(title)
        meta = Text(no_wrap=True, overflow="ellipsis", end="")
        meta.append(
            f"  {fmt_points(card.points)} pts · {plain(card.assignee or 'unassigned')} · {card.stream}",
            meta_style,
        )
        lines.append(meta)
        strips = [*(self._strip(line, width, style) for line in lines), Strip.blank(width, base)]
        self._cache[key] = strips
        return strips

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        text.truncate(max(width - 1, 1), overflow="ellipsis")
        segments = list(text.render(self.app.console))
        segments = [Segment(t, (style + s) if s else style, c) for t, s, c in segments]
        return Strip(Segment.adjust_line_length(segments, width, style=style), width)
