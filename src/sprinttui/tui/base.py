"""What every screen has: header, footer, the reload cycle and error reporting."""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, Static
from textual.widgets.data_table import RowDoesNotExist

from sprinttui.domain import ConflictError, SprintTuiError
from sprinttui.tui.navigation import SCREENS
from sprinttui.tui.tcss import load_tcss
from sprinttui.tui.textual_private import mark_css_current
from sprinttui.tui.widgets.footer import ScreenFooter
from sprinttui.tui.writes import EVERYTHING, Topic, Write

if TYPE_CHECKING:
    from sprinttui.tui.app import SprintTuiApp

T = TypeVar("T")


def row_at_cursor(table, rows: Sequence[T]) -> T | None:
    """The row under a DataTable's cursor, from the list the table was filled
    from (None when the table is empty or the cursor is off the rows)."""
    i = table.cursor_row
    return rows[i] if rows and table.row_count and 0 <= i < len(rows) else None


def row_index(table, key: str | None) -> int:
    """The index of the row with this key in a DataTable, -1 when it is not there."""
    if key is None:
        return -1
    try:
        return table.get_row_index(key)
    except RowDoesNotExist:
        return -1


def fit_rows(table) -> None:
    """Give a DataTable of one-line rows the height of its rows (header,
    padding and border included; a CSS max-height still caps it). Textual's
    `height: auto` on a DataTable does not always grow when rows are added
    after the first layout: the table then stays 0 lines high."""
    table.styles.height = table.row_count + (1 if table.show_header else 0) + table.styles.gutter.height


def fit_width(table) -> None:
    """Give a DataTable the width of its columns (as `width: auto` means; a CSS
    max-width still caps it). Like `height: auto` (see fit_rows), Textual's
    `width: auto` on a DataTable sometimes stays at the empty table's width
    once the rows arrive: the member table on Planning then showed as a
    2-column sliver."""
    from rich.cells import cell_len

    def width(cell) -> int:
        return cell_len(getattr(cell, "plain", None) or str(cell))

    columns = table.ordered_columns
    widest = [width(c.label) if table.show_header else 0 for c in columns]
    for row in table.ordered_rows:
        for i, cell in enumerate(table.get_row(row.key)):
            widest[i] = max(widest[i], width(cell))
    table.styles.width = sum(w + 2 * table.cell_padding for w in widest) + table.styles.gutter.width


class ScreenBar(Static):
    """One line naming every screen with its number key, the current one highlighted."""

    DEFAULT_CSS = load_tcss(__file__)

    def __init__(self, current: str) -> None:
        parts = []
        for key, _mode, title in SCREENS:
            style = "bold reverse" if title == current else ""
            parts.append(Content.styled(f" {key} {title}", style))
        super().__init__(Content("").join(parts))  # 78 cells: fits an 80-column terminal


class BaseScreen(Screen):
    """A screen that shows data from the services.

    Subclasses implement ``load()`` (runs in a worker thread, returns data)
    and ``show(data)`` (runs on the UI thread). ``reload()`` runs both; the
    app calls it when the database changes and when the stream filter changes.
    """

    #: what the help and the palette call this screen
    SCREEN_TITLE = ""
    #: what the screen shows: a change to any of it reloads the screen (now, or when next shown)
    SHOWS: Topic = EVERYTHING
    #: per-instance state, set on the instance when it changes
    _stale = False  # data changed while another screen was shown: reload on resume
    _was_suspended = False  # another screen has been shown since this one opened
    _frozen = False  # what opening this screen built is out of the collector's reach
    #: screens drive their own cursor; no widget takes the keys on open
    AUTO_FOCUS = None

    @property
    def sapp(self) -> SprintTuiApp:
        return self.app  # type: ignore[return-value]

    @property
    def ctx(self):
        return self.sapp.ctx

    @property
    def stream(self) -> str | None:
        return self.sapp.stream_filter

    def compose_header(self):
        yield Header(icon="≡")
        yield ScreenBar(self.SCREEN_TITLE)

    def compose_footer(self):
        yield ScreenFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.sapp.data_screens.add(self)
        # Styled with the current CSS as its widgets mounted. Textual only
        # records that for a screen mounted before its CSS refresh, so every
        # switch to this screen would refresh (and re-parse) all the CSS again.
        mark_css_current(self.app, self)
        self.reload()

    def _on_screen_resume(self, event) -> None:
        # A handler under Textual's private name: see sprinttui.tui.textual_private.
        # Runs before Textual's own handler of the same event (which restyles
        # the whole screen when refresh_styles is set). A screen resumed for
        # the first time (twice, when its mode is opened) was styled as its
        # widgets mounted a moment ago: restyling it again cost 20-45 ms.
        if not self._was_suspended:
            event.refresh_styles = False
        # Textual calls one handler per class for an event, the private name
        # first: an on_screen_resume beside this one would never run.
        if self._stale:
            self._stale = False
            self.reload()

    def _on_screen_suspend(self) -> None:  # Textual's private name too (textual_private)
        self._was_suspended = True

    def mark_stale(self) -> None:
        self._stale = True

    # -- loading ------------------------------------------------------------
    def reload(self) -> None:
        self.run_worker(self._load_in_thread, thread=True, exclusive=True, group="load")

    def _load_in_thread(self) -> None:
        try:
            data = self.load()
        except SprintTuiError as err:
            self.app.call_from_thread(self.sapp.report_error, err)
            return
        self.app.call_from_thread(self._show_loaded, data)

    def _show_loaded(self, data: Any) -> None:
        if not self.is_attached:
            return  # closed while its data was read (the app is quitting)
        self.show(data)
        self.sapp.screen_shown()
        if not self._frozen:
            # what opening this screen built (widgets, styles, render caches)
            # lives as long as the screen: out of the collector's reach, so
            # its full collections stay short (50-130 ms pauses were seen)
            self._frozen = True
            self.call_after_refresh(gc.freeze)

    def load(self) -> Any:  # pragma: no cover - overridden
        return None

    def show(self, data: Any) -> None:  # pragma: no cover - overridden
        pass

    # -- writing ------------------------------------------------------------
    def perform(self, write: Write, *, done: Callable[[Any], None] | None = None,
                conflict: Callable[[ConflictError], None] | None = None) -> None:
        """Hand `write` to the app's one write path (see sprinttui.tui.writes)."""
        self.sapp.perform(write, done=done, conflict=conflict)
