"""2 Backlog: every item not done, in rank order; re-rank, plan, search, sort.

Rows are paged in SQL: the first PAGE rows are loaded, more when the cursor
nears the end of what is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Input, Static

from sprinttui.domain import SprintState, SprintTuiError
from sprinttui.services import items as items_svc
from sprinttui.services import sprints as sprints_svc
from sprinttui.services.item_rows import ItemQuery, ItemRow
from sprinttui.services.text import fmt_points
from sprinttui.tui.base import BaseScreen, row_at_cursor, row_index
from sprinttui.tui.modals import ChooseModal
from sprinttui.tui.safe import plain, text
from sprinttui.tui.tcss import load_tcss
from sprinttui.tui.widgets.table import Table
from sprinttui.tui.writes import Topic, Write

PAGE = 100
#: load the next page when the cursor is this close to the last loaded row
LOOKAHEAD = 40
SORTS = ["rank", "key", "points", "slip"]
SORT_BY_COLUMN = {"key": "key", "points": "points", "slip": "slip"}
MARK = "●"

COLUMNS = [
    # key, label, width (None: the title takes what the others leave)
    ("sel", " ", 1),
    ("key", "Key", 10),
    ("title", "Title", None),
    ("kind", "Kind", 7),
    ("stream", "Stream", 6),
    ("points", "Pts", 4),
    ("sprint", "Sprint", 10),
    ("assignee", "Assignee", 10),
    ("slip", "Slips", 5),
]
#: what the columns other than the title take, with one cell of padding each side and a scrollbar
FIXED_WIDTH = sum(w or 0 for _k, _l, w in COLUMNS) + 2 * len(COLUMNS) + 2


@dataclass
class BacklogData:
    gen: int
    rows: list[ItemRow]
    total: int


def _keys_text(keys: list[str]) -> str:
    return ", ".join(keys[:3]) + (f" and {len(keys) - 3} more" if len(keys) > 3 else "")


class BacklogScreen(BaseScreen):
    SCREEN_TITLE = "Backlog"
    DEFAULT_CSS = load_tcss(__file__)
    BINDINGS = [
        Binding("slash", "search", "Search", key_display="/"),
        Binding("s", "cycle_sort", "Sort"),
        Binding("K,shift+up", "rerank(-1)", "Rank up", key_display="K"),
        Binding("J,shift+down", "rerank(1)", "Rank down", key_display="J"),
        Binding("p", "plan", "Plan"),
        Binding("P", "unplan", "To backlog", key_display="P"),
        Binding("space", "toggle_select", "Select"),
        Binding("n", "new_item", "New"),
        # e first: the table in focus takes enter for itself (and edits on it),
        # so the footer shows e, from the first frame on
        Binding("e,enter", "edit_item", "Edit"),
        Binding("k", "cursor(-1)", "↑", show=False),
        Binding("j", "cursor(1)", "↓", show=False),
        Binding("escape", "clear", "Clear", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.order = "rank"
        self.text_filter = ""
        self.rows: list[ItemRow] = []
        self.total = 0
        self.selected: set[str] = set()
        self._gen = 0
        self._loading_more = False
        self._want = PAGE
        self._from_top = False
        self._title_width = 0

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static(Content("Loading…"), id="backlog-status")
        yield Table(id="backlog-table", cursor_type="row", zebra_stripes=True)
        yield Input(
            placeholder="search key, title, labels, description or assignee; enter keeps it, escape clears",
            id="backlog-search",
            disabled=True,  # enabled while shown, so it never takes the keys unasked
        )
        yield from self.compose_footer()

    def on_mount(self) -> None:
        # (BaseScreen.on_mount, which starts the first load, runs after this one:
        # Textual calls the handler of every class, so no super() call here)
        self._add_columns(self.app.size.width)
        table = self.table
        table.focus()
        self.watch(table, "scroll_y", self._scrolled, init=False)

    def _add_columns(self, screen_width: int) -> None:
        """(Re)create the columns; the title gets the width the others leave."""
        keep = self.current.key if self.current else None
        self._title_width = max(20, screen_width - FIXED_WIDTH)
        table = self.table
        table.clear(columns=True)
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width or self._title_width)
        self._fill_table(keep)

    def on_resize(self, event) -> None:
        if max(20, event.size.width - FIXED_WIDTH) != self._title_width:
            self._add_columns(event.size.width)

    @property
    def table(self) -> DataTable:
        return self.query_one("#backlog-table", DataTable)

    @property
    def current(self) -> ItemRow | None:
        return row_at_cursor(self.table, self.rows)

    # -- loading ---------------------------------------------------------------
    def reload(self, *, new_query: bool = False) -> None:
        """Load again; with ``new_query`` (search or sort changed) from the first
        page only, else as many rows as are paged in, so the cursor stays."""
        self._gen += 1
        self._loading_more = False
        self._want = PAGE if new_query else max(PAGE, len(self.rows))
        self._from_top = new_query
        super().reload()

    def _query(self, **kw) -> ItemQuery:
        return ItemQuery(include_done=False, stream=self.stream, text=self.text_filter or None,
                         order=self.order, **kw)

    def load(self) -> BacklogData:
        gen = self._gen
        rows = items_svc.list_items(self.ctx, self._query(limit=self._want))
        total = items_svc.count_items(self.ctx, self._query())
        return BacklogData(gen, rows, total)

    def show(self, data: BacklogData) -> None:
        if data.gen != self._gen:
            return  # an older load finished after a newer one started
        keep = self.current.key if self.current else None
        self.rows = data.rows
        self.total = data.total
        self._fill_table(keep, from_top=self._from_top)
        self._update_status()

    def _fill_table(self, keep: str | None, *, from_top: bool = False) -> None:
        """Show self.rows; the cursor stays on item `keep` when it is still there,
        else on the same row (or on the first with ``from_top``: a new search)."""
        table = self.table
        old_index = table.cursor_row
        table.clear()
        for r in self.rows:
            table.add_row(*self._cells(r), key=r.key)
        if self.rows:
            index = row_index(table, keep)
            if index < 0:
                index = 0 if from_top else max(0, min(old_index, len(self.rows) - 1))
            table.move_cursor(row=index, animate=False)

    def _cells(self, r: ItemRow) -> list[Text]:
        return [
            self._mark(r.key),
            text(r.key, "bold red" if r.blocked else "bold"),
            text(r.title, limit=200),
            text(r.kind, "dim"),
            text(r.stream),
            Text(fmt_points(r.points), justify="right"),
            text(r.sprint or "backlog", "" if r.sprint else "dim", limit=30),
            text(r.assignee or "—", "" if r.assignee else "dim", limit=30),
            Text(str(r.slip_count), style="bold yellow" if r.slip_count else "dim", justify="right"),
        ]

    def _mark(self, key: str) -> Text:
        return Text(MARK if key in self.selected else " ", style="bold")

    def _update_status(self) -> None:
        parts = [f"{self.total} open item{'s' if self.total != 1 else ''}"]
        if len(self.rows) < self.total:
            parts.append(f"{len(self.rows)} loaded")
        parts.append(f"sorted by {self.order}")
        if self.stream:
            parts.append(f"stream {self.stream}")
        if self.text_filter:
            parts.append(f"search “{plain(self.text_filter, 40)}”")
        if self.selected:
            parts.append(f"{len(self.selected)} selected")
        self.query_one("#backlog-status", Static).update(Content(" · ".join(parts)))

    # -- paging ------------------------------------------------------------------
    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._maybe_load_more(event.cursor_row)

    def _scrolled(self, scroll_y: float) -> None:
        """Scrolling with the mouse wheel pages in too, not only the cursor."""
        table = self.table
        self._maybe_load_more(int(scroll_y) + table.scrollable_content_region.height)

    def _maybe_load_more(self, row: int) -> None:
        if row >= len(self.rows) - LOOKAHEAD and len(self.rows) < self.total and not self._loading_more:
            self._loading_more = True
            self.load_more(self._gen, len(self.rows))

    @work(thread=True, group="backlog-more")
    def load_more(self, gen: int, offset: int) -> None:
        try:
            rows = items_svc.list_items(self.ctx, self._query(limit=PAGE, offset=offset))
        except SprintTuiError as err:
            self.app.call_from_thread(self.sapp.report_error, err)
            self.app.call_from_thread(setattr, self, "_loading_more", False)
            return
        self.app.call_from_thread(self._more_loaded, gen, offset, rows)

    def _more_loaded(self, gen: int, offset: int, rows: list[ItemRow]) -> None:
        if gen != self._gen:
            return  # reloaded meanwhile; that load brought its own rows
        self._loading_more = False
        if offset != len(self.rows):
            return
        have = {r.key for r in self.rows}
        table = self.table
        for r in rows:
            if r.key not in have:  # rows can shift between pages when others write
                have.add(r.key)
                self.rows.append(r)
                table.add_row(*self._cells(r), key=r.key)
        if not rows:
            self.total = len(self.rows)
        self._update_status()

    # -- movement ------------------------------------------------------------------
    def action_cursor(self, delta: int) -> None:
        if self.rows:
            row = max(0, min(len(self.rows) - 1, self.table.cursor_row + delta))
            self.table.move_cursor(row=row)

    # -- search and sort -----------------------------------------------------------
    def action_search(self) -> None:
        box = self.query_one("#backlog-search", Input)
        box.disabled = False
        box.add_class("-visible")
        box.value = self.text_filter
        box.focus()

    @on(Input.Changed, "#backlog-search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        needle = event.value.strip()
        if needle != self.text_filter:
            self.text_filter = needle
            self.reload(new_query=True)

    @on(Input.Submitted, "#backlog-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._hide_search()

    def _hide_search(self) -> None:
        box = self.query_one("#backlog-search", Input)
        box.remove_class("-visible")
        box.disabled = True
        self.table.focus()

    def action_clear(self) -> None:
        box = self.query_one("#backlog-search", Input)
        if box.has_class("-visible") or self.text_filter:
            self._hide_search()
            if self.text_filter:
                self.text_filter = ""
                box.value = ""
                self.reload(new_query=True)
            return
        if self.selected:
            self.selected.clear()
            self._refresh_marks()

    def action_cycle_sort(self) -> None:
        i = SORTS.index(self.order) if self.order in SORTS else -1
        self._sort_by(SORTS[(i + 1) % len(SORTS)])

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self._sort_by(SORT_BY_COLUMN.get(str(event.column_key.value), "rank"))

    def _sort_by(self, order: str) -> None:
        if order != self.order:
            self.order = order
            self.notify(f"Sorted by {order}", timeout=2)
            self.reload(new_query=True)

    # -- selection -------------------------------------------------------------------
    def action_toggle_select(self) -> None:
        row = self.current
        if row is None:
            return
        if row.key in self.selected:
            self.selected.discard(row.key)
        else:
            self.selected.add(row.key)
        self.table.update_cell(row.key, "sel", self._mark(row.key))
        self._update_status()

    def _refresh_marks(self) -> None:
        table = self.table
        for r in self.rows:
            table.update_cell(r.key, "sel", self._mark(r.key))
        self._update_status()

    def _targets(self) -> list[str]:
        """The multi-selection in table order, or else the cursor item."""
        if self.selected:
            shown = [r.key for r in self.rows if r.key in self.selected]
            return shown + sorted(self.selected - set(shown))
        row = self.current
        return [row.key] if row else []

    # -- items -------------------------------------------------------------------------
    def action_new_item(self) -> None:
        self.sapp.new_item()

    def action_edit_item(self) -> None:
        row = self.current
        if row is not None:
            self.sapp.open_item(row.key)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.sapp.open_item(str(event.row_key.value))

    # -- ranking -----------------------------------------------------------------------
    def action_rerank(self, delta: int) -> None:
        row = self.current
        if row is None:
            return
        if self.order != "rank":
            self.notify("Re-ranking works in rank order: press s until the backlog is sorted by rank",
                        severity="warning", timeout=4)
            return
        i = self.table.cursor_row
        j = i + delta
        if not 0 <= j < len(self.rows):
            return
        neighbour = self.rows[j]
        ctx, key, other = self.ctx, row.key, neighbour.key
        up = delta < 0
        where = f"above {other}" if up else f"below {other}"
        # move it on screen at once; the reload after the write confirms it
        self.rows[i], self.rows[j] = self.rows[j], self.rows[i]
        position = {r.key: n for n, r in enumerate(self.rows)}
        self.table.sort("key", key=lambda cell: position.get(cell.plain, len(position)))
        self.table.move_cursor(row=j, animate=False)
        self.perform(Write(
            f"re-rank of {key} ({where})",
            lambda: items_svc.rerank(ctx, key, **{"before" if up else "after": other}),
            Topic.ITEMS,
            undo=lambda _r: items_svc.rerank(ctx, key, **{"after" if up else "before": other}),
        ))

    # -- planning ------------------------------------------------------------------------
    def action_plan(self) -> None:
        keys = self._targets()
        if keys:
            self._choose_sprint(keys)

    @work(thread=True, exclusive=True, group="backlog-sprints")
    def _choose_sprint(self, keys: list[str]) -> None:
        try:
            open_sprints = [s for s in sprints_svc.list_sprints(self.ctx) if s.state != SprintState.CLOSED]
        except SprintTuiError as err:
            self.app.call_from_thread(self.sapp.report_error, err)
            return
        self.app.call_from_thread(self._ask_sprint, keys, open_sprints)

    def _ask_sprint(self, keys: list[str], open_sprints: list[sprints_svc.SprintView]) -> None:
        if not open_sprints:
            self.notify("There is no open sprint: plan one on the Planning screen (3)",
                        severity="warning", timeout=4)
            return
        options: list[tuple[str, object]] = [
            (f"{s.name}  ({s.state}, {s.start:%d %b} – {s.end:%d %b})", s.name) for s in open_sprints
        ]

        def chosen(name: object | None) -> None:
            if name is not None:
                self._plan(keys, str(name))

        self.app.push_screen(ChooseModal(f"Plan {_keys_text(keys)} into which sprint?", options), chosen)

    def action_unplan(self) -> None:
        keys = self._targets()
        if keys:
            self._plan(keys, None)

    def _plan(self, keys: list[str], sprint: str | None) -> None:
        ctx = self.ctx
        where = sprint if sprint is not None else "the backlog"

        def undo(planning: items_svc.Planning) -> list[ItemRow]:
            # back where they were, unless someone changed one since (then nothing is undone)
            versions = {k: v for k in planning.before if (v := self.sapp.own_version(k)) is not None}
            return items_svc.revert_planning(ctx, planning, versions=versions)

        def done(_planning: items_svc.Planning) -> None:
            self.selected.difference_update(keys)
            self.notify(Content.from_markup("Planned $what into $where", what=_keys_text(keys), where=where),
                        timeout=3)

        self.perform(Write(f"planning of {_keys_text(keys)} into {where}",
                           lambda: items_svc.plan_items(ctx, keys, sprint), Topic.ITEMS, undo=undo), done=done)
