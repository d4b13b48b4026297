"""1 Board: the active sprint in four status columns.

A column is read a page at a time in rank order (PAGE cards), with the exact
count and points of every whole column for the titles: opening the board costs
the same for 50 cards in a sprint as for 5,000. The next page of a column is
loaded when the cursor or the scroll position nears the end of what is loaded.

Above the columns: the sprint's goal, its figures and its burndown, as one
line ("Burndown: 58 of 88 pts left · ideal 44 · day 6 of 10") and, from
CHART_ROOM up, as the KPI screen's burndown chart (axis, ideal line, legend).
The figures follow the cards (see load_figures); the chart module, which
imports plotext, is imported with them, off the UI thread and after the
first paint, into a box laid out from the start, so nothing moves when it comes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Static

from sprinttui.domain import SprintTuiError, Status
from sprinttui.services import board as board_svc
from sprinttui.services import items as items_svc
from sprinttui.services import members as members_svc
from sprinttui.services import reports as reports_svc
from sprinttui.services import sprints as sprints_svc
from sprinttui.services.item_rows import ItemRow
from sprinttui.services.text import fmt_points
from sprinttui.tui.base import BaseScreen
from sprinttui.tui.modals import ChooseModal, ConfirmModal, PromptModal
from sprinttui.tui.safe import plain
from sprinttui.tui.tcss import load_tcss
from sprinttui.tui.widgets.card_column import CardColumn
from sprinttui.tui.writes import Topic, Write

if TYPE_CHECKING:  # imported when the chart is first drawn (see _place_chart)
    from sprinttui.tui.widgets.charts import BurndownChart

COLUMNS = [
    (Status.TODO.value, "To do"),
    (Status.DOING.value, "Doing"),
    (Status.REVIEW.value, "Review"),
    (Status.DONE.value, "Done"),
]
ORDER = [c for c, _ in COLUMNS]
#: cards of a column loaded at a time (several screens' worth)
PAGE = board_svc.BOARD_PAGE
#: load a column's next page when the cursor or the bottom of the view is this close to its last loaded card
LOOKAHEAD = 20
#: seconds the board must be quiet (no load shown, no card moved) before the sprint figures are computed
FIGURES_QUIET = 0.25
#: the terminal size (columns, rows) from which the burndown is drawn as a chart, not only summed up in a line
CHART_ROOM = (120, 36)


@dataclass
class BoardData:
    sprint: sprints_svc.SprintView | None
    #: the loaded cards (the first pages) of every column
    cards: dict[str, list[ItemRow]]
    #: status → (cards, points) of every whole column
    counts: dict[str, tuple[int, float]] = field(default_factory=dict)
    gen: int = 0


@dataclass(frozen=True)
class BoardRequest:
    """What a load of the board reads, fixed on the UI thread when it starts."""

    gen: int
    stream: str | None
    text: str | None
    limits: dict[str, int]  # cards to load per status
    keep: str | None  # the focused card: its column is loaded down to it


@dataclass
class BoardFigures:
    gen: int
    report: reports_svc.SprintReport
    burndown: list[reports_svc.BurndownPoint]


def burndown_line(points: list[reports_svc.BurndownPoint], committed: float) -> str:
    """The burndown in a line: the points left at the end of the last working
    day so far, of those committed, against the ideal line's on that day."""
    if not points:
        return ""
    past = [p for p in points if p.remaining is not None]
    if not past:
        return f"Burndown: {fmt_points(committed)} pts committed · day 0 of {len(points)}"
    last = past[-1]
    return (f"Burndown: {fmt_points(last.remaining)} of {fmt_points(committed)} pts left · "
            f"ideal {fmt_points(last.ideal)} · day {len(past)} of {len(points)}")


class BoardScreen(BaseScreen):
    SCREEN_TITLE = "Board"
    #: the quiet period before the figures are computed (tests set 0: nothing to wait for there)
    figures_quiet: float = FIGURES_QUIET
    DEFAULT_CSS = load_tcss(__file__)
    BINDINGS = [
        Binding("left,h", "focus_column(-1)", "←", show=False),
        Binding("right,l", "focus_column(1)", "→", show=False),
        Binding("up,k", "focus_card(-1)", "↑", show=False),
        Binding("down,j", "focus_card(1)", "↓", show=False),
        Binding("pageup", "focus_card(-10)", show=False),
        Binding("pagedown", "focus_card(10)", show=False),
        Binding("greater_than_sign,shift+right", "move_card(1)", "Move", key_display="<>"),
        Binding("less_than_sign,shift+left", "move_card(-1)", "Move back", key_display="<", show=False),
        Binding("n", "new_item", "New"),
        Binding("enter,e", "edit_item", "Edit"),
        Binding("b", "toggle_blocked", "Block"),
        Binding("a", "assign", "Assign"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("d,delete", "delete_item", "Delete"),
        Binding("x", "export", "Export"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.col = 0
        self.text_filter = ""
        self.data: BoardData | None = None
        self._figures_gen = 0
        self._burndown: tuple[str, list[reports_svc.BurndownPoint]] | None = None  # (sprint, points) known
        self._chart: BurndownChart | None = None  # mounted when first drawn
        self._charted: tuple | None = None  # the _burndown the chart was last given
        self._chart_room = False  # the terminal is at least CHART_ROOM
        self._busy_at = 0.0  # (time.monotonic) when a load was last shown or a card moved
        self._gen = 0  # counts reloads: pages of an older load are dropped
        self._request = BoardRequest(0, None, None, {}, None)
        self._filters: tuple[str | None, str] | None = None  # (stream, text) of the last load
        self._loading: set[str] = set()  # columns whose next page is being read
        # key → the last cards moved on screen, each with the version its move's save returned
        self._moved: dict[str, list[tuple[ItemRow, list[int]]]] = {}

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        self._chart_room = self._has_chart_room()
        with Horizontal(id="board-top"):
            with Vertical(id="board-text"):
                yield Static(Content("Loading…"), id="board-goal")
                yield Static("", id="board-stats")
                yield Static("", id="board-burndown")
            # the burndown chart goes in here when its figures come (show_burndown)
            slot = Vertical(id="board-chart")
            slot.display = False  # until an active sprint is shown
            slot.styles.height = self._chart_height()
            slot.border_title = Content("Burndown")
            yield slot
        with Horizontal(id="board-columns"):
            for status, title in COLUMNS:
                yield CardColumn(status, title, id=f"col-{status}")
        yield Input(
            placeholder="filter cards by key, title, labels, description or assignee; enter keeps it, escape clears",
            id="board-filter",
            disabled=True,  # enabled while shown, so it never takes the keys unasked
        )
        yield from self.compose_footer()

    def on_mount(self) -> None:
        # (BaseScreen.on_mount, which starts the first load, runs after this one)
        for column in self.columns:
            self._follow_scrolling(column)

    def _follow_scrolling(self, column: CardColumn) -> None:
        """Scrolling a column with the mouse wheel pages in too, not only the cursor."""

        def scrolled(_scroll_y: float) -> None:
            self._maybe_load_more(column)

        self.watch(column, "scroll_y", scrolled, init=False)

    def action_export(self) -> None:
        from sprinttui.tui.exporting import ask_and_export

        sprint = self.data.sprint.name if self.data is not None and self.data.sprint is not None else None
        ask_and_export(self, sprint, stream=self.stream)

    # -- columns ---------------------------------------------------------------
    @property
    def columns(self) -> list[CardColumn]:
        return [self.query_one(f"#col-{s}", CardColumn) for s in ORDER]

    @property
    def column(self) -> CardColumn:
        return self.columns[self.col]

    @property
    def focused_card(self) -> ItemRow | None:
        return self.column.current

    def _activate(self) -> None:
        for i, c in enumerate(self.columns):
            c.set_active(i == self.col)
        if self.column.cursor < 0 and self.column.cards:
            self.column.cursor = 0

    # -- loading ---------------------------------------------------------------
    # The cards come first; the sprint figures above them (report, burndown)
    # take longer to compute and follow from a second worker, started once the
    # cards are painted, so the board is usable before they arrive.
    def reload(self, *, new_query: bool = False) -> None:
        """Load again: as many cards per column as are loaded now (at least a
        page), so the cursor and the scroll position stay; with ``new_query``
        (the text or the stream filter changed) the first page of each."""
        self._gen += 1
        self._loading.clear()
        filters = (self.stream, self.text_filter)
        fresh = new_query or filters != self._filters
        self._filters = filters
        card = self.focused_card
        self._request = BoardRequest(
            gen=self._gen,
            stream=self.stream,
            text=self.text_filter or None,
            limits={c.status: PAGE if fresh else max(PAGE, len(c.cards)) for c in self.columns},
            keep=card.key if card is not None else None,
        )
        super().reload()

    def load(self) -> BoardData:
        req = self._request
        sprint = sprints_svc.active_sprint(self.ctx)
        if sprint is None:
            return BoardData(None, {s: [] for s in ORDER}, {}, req.gen)
        board = board_svc.board_slice(
            self.ctx, sprint.name, stream=req.stream, text=req.text, limits=req.limits, keep=req.keep
        )
        return BoardData(sprint, board.pages, board.counts, req.gen)

    @work(thread=True, exclusive=True, group="board-figures")
    def load_figures(self, gen: int, sprint: str, stream: str | None) -> None:
        # wait for the board to be quiet: the figures read the sprint's whole
        # history (about 260 ms of CPU for a sprint of 5,000 items), and running
        # them beside the board's last frames after a load, or beside the next
        # card move, slowed both (opening by about 100 ms)
        while (wait := self._busy_at + self.figures_quiet - time.monotonic()) > 0:
            time.sleep(wait)
            if gen != self._figures_gen:
                return  # loaded again meanwhile: that load asks for its own figures
        if self._chart_room:
            # the chart's module and plotext (tens of ms), here rather than on the UI thread
            import sprinttui.tui.widgets.charts  # noqa: F401
        try:
            report = reports_svc.sprint_report(self.ctx, sprint, stream=stream)
            burn = reports_svc.burndown(self.ctx, sprint, stream=stream)
        except SprintTuiError as err:
            self.app.call_from_thread(self.sapp.report_error, err)
            return
        self.app.call_from_thread(self.show_figures, BoardFigures(gen, report, burn))

    def show_figures(self, figures: BoardFigures) -> None:
        if figures.gen != self._figures_gen:
            return  # the board was loaded again meanwhile; its own figures follow
        stats = self.query("#board-stats")
        if not stats:
            return  # the app is closing: the board's widgets are gone already
        t = figures.report.totals
        # points changed while in the sprint, only when there are any
        change = t.reestimated_points
        reestimated = f" · re-estimated {'+' if change > 0 else ''}{fmt_points(change)}" if change else ""
        stats.first(Static).update(Content.from_markup(
            "Done [b]$done[/b] of $committed committed pts · added $added · removed $removed$reestimated$filter",
            done=fmt_points(t.completed_points), committed=fmt_points(t.committed_points),
            added=fmt_points(t.added_points), removed=fmt_points(t.removed_points), reestimated=reestimated,
            filter=f" · filter “{plain(self.text_filter, 30)}”" if self.text_filter else "",
        ))
        self.show_burndown(figures.burndown, t.committed_points)

    def show(self, data: BoardData) -> None:
        if data.gen != self._gen:
            return  # an older load finished after a newer one started
        keep = self.focused_card.key if self.focused_card else None
        self.data = data
        self._busy_at = time.monotonic()
        goal = self.query_one("#board-goal", Static)
        self._figures_gen += 1
        if data.sprint is None:
            goal.update(Content("No sprint is active. Plan one on the Planning screen (3) and start it there."))
            self.query_one("#board-stats", Static).update("")
            self.query_one("#board-burndown", Static).update("")
            self._burndown = None
        else:
            goal.update(Content.assemble(("Goal: ", "bold"), plain(data.sprint.goal or "—", 300)))
            # after the cards are painted (see load_figures): the board is usable without them
            self.call_after_refresh(self.load_figures, self._figures_gen, data.sprint.name, self.stream)
        self._place_chart()
        for column in self.columns:
            total, points = data.counts.get(column.status, (0, 0.0))
            column.set_cards(data.cards[column.status], keep_key=keep, total=total, points=points)
        if keep is not None:
            for i, column in enumerate(self.columns):
                if column.index_of(keep) >= 0:
                    self.col = i
                    column.cursor = column.index_of(keep)
        self._activate()
        for column in self.columns:
            self._maybe_load_more(column)

    # -- burndown -----------------------------------------------------------------
    def show_burndown(self, points: list[reports_svc.BurndownPoint], committed: float) -> None:
        self.query_one("#board-burndown", Static).update(Content(burndown_line(points, committed)))
        sprint = self.data.sprint if self.data is not None else None
        self._burndown = (sprint.name, points) if sprint is not None and points else None
        self._place_chart()

    def _has_chart_room(self) -> bool:
        return self.app.size.width >= CHART_ROOM[0] and self.app.size.height >= CHART_ROOM[1]

    def _chart_height(self) -> int:
        """A quarter of the terminal, 8 to 12 lines: at 120×36 the columns show
        as many cards as with an 8-line chart (7), at 160×48, one less (10)."""
        return max(8, min(12, self.app.size.height // 4))

    def on_resize(self) -> None:
        self.query_one("#board-chart", Vertical).styles.height = self._chart_height()
        room = self._has_chart_room()
        if room != self._chart_room:
            self._chart_room = room
            self._place_chart()

    def _place_chart(self) -> None:
        """Show the chart's box when there is room for it and a sprint is
        active; draw the sprint's burndown in it once that is known."""
        slot = self.query_one("#board-chart", Vertical)
        slot.display = self._chart_room and self.data is not None and self.data.sprint is not None
        if self._burndown is None:
            if self._chart is not None:  # no burndown of another sprint is left in the box
                self._chart.remove()
                self._chart = None
                slot.border_title, slot.border_subtitle = Content("Burndown"), None
            self._charted = None
            return
        if not slot.display or self._charted is self._burndown:
            return  # (a reload of the cards: the chart stays as it is drawn)
        from sprinttui.tui.widgets.charts import BurndownChart, BurndownData

        if self._chart is None:
            self._chart = BurndownChart(legend_outside=True, id="board-burndown-chart")
            slot.mount(self._chart)
        chart = self._chart
        sprint, points = self._burndown
        scope = f"stream {plain(self.stream, 10)}" if self.stream else "all streams"
        slot.border_title = Content(f"Burndown · {plain(sprint, 40)} · {scope}")
        slot.border_subtitle = BurndownChart.LEGEND
        chart.update_data(BurndownData(sprint, [p.day for p in points], [p.ideal for p in points],
                                       [p.remaining for p in points]))
        self._charted = self._burndown

    # -- paging --------------------------------------------------------------------
    def _maybe_load_more(self, column: CardColumn) -> None:
        """Read the column's next page when its cursor or the bottom of its view
        is within LOOKAHEAD cards of the last loaded card."""
        if not column.more or column.status in self._loading:
            return
        if self.data is None or self.data.sprint is None:
            return
        bottom = (int(column.scroll_y) + column.scrollable_content_region.height) // column.card_height
        if max(column.cursor, bottom) >= len(column.cards) - LOOKAHEAD:
            self._loading.add(column.status)
            req = self._request
            self.load_more(req.gen, self.data.sprint.name, column.status, len(column.cards), req.stream, req.text)

    @work(thread=True, group="board-more")
    def load_more(self, gen: int, sprint: str, status: str, offset: int, stream: str | None, text: str | None) -> None:
        try:
            rows = board_svc.board_page(self.ctx, sprint, status, stream=stream, text=text, offset=offset, limit=PAGE)
        except SprintTuiError as err:
            self.app.call_from_thread(self.sapp.report_error, err)
            self.app.call_from_thread(self._more_loaded, gen, status, offset, None)
            return
        self.app.call_from_thread(self._more_loaded, gen, status, offset, rows)

    def _more_loaded(self, gen: int, status: str, offset: int, rows: list[ItemRow] | None) -> None:
        if gen != self._gen or not self.is_attached:
            return  # reloaded meanwhile (that load brought its own cards), or closed
        self._loading.discard(status)
        if rows is None:
            return  # failed (reported); the next cursor move tries again
        column = self.columns[ORDER.index(status)]
        if offset != len(column.cards):
            # a card moved in or out of the column meanwhile: read from its new end
            self._maybe_load_more(column)
            return
        if not rows:
            # others took cards away meanwhile: stop here; the next reload counts again
            column.set_cards(column.cards, total=len(column.cards), points=column.points)
            return
        if column.append_cards(rows):
            self._maybe_load_more(column)  # a tall column, or the cursor ran ahead

    # -- movement ----------------------------------------------------------------
    def action_focus_column(self, delta: int) -> None:
        self.col = max(0, min(len(ORDER) - 1, self.col + delta))
        self._activate()

    def action_focus_card(self, delta: int) -> None:
        col = self.column
        if col.cards:
            col.cursor = max(0, min(len(col.cards) - 1, col.cursor + delta))
            self._maybe_load_more(col)

    def on_card_column_clicked(self, event: CardColumn.Clicked) -> None:
        self.col = ORDER.index(event.column.status)
        event.column.cursor = event.index
        self._activate()
        self._maybe_load_more(event.column)

    # -- changes -----------------------------------------------------------------
    def action_move_card(self, delta: int) -> None:
        self._busy_at = time.monotonic()
        card = self.focused_card
        if card is None:
            return
        i = ORDER.index(card.status) + delta
        if not 0 <= i < len(ORDER):
            return
        new, old = ORDER[i], card.status
        # move it on screen at once; the reload confirms it
        src, dst = self.column, self.columns[i]
        points = card.points or 0
        src.set_cards([c for c in src.cards if c.key != card.key], total=src.total - 1, points=src.points - points)
        moved = replace(card, status=new)
        saved: list[int] = []
        self._moved[card.key] = [*self._moved.get(card.key, [])[-7:], (moved, saved)]
        dst.set_cards([moved, *dst.cards], total=dst.total + 1, points=dst.points + points)
        dst.cursor = 0
        self.col = i
        self._activate()
        ctx = self.ctx

        def save() -> ItemRow:
            row = items_svc.move_item(ctx, card.key, new, expected_version=self._version(card))
            saved.append(row.version)
            return row

        self.perform(Write(
            f"move of {card.key} to {new}", save, Topic.ITEMS,
            undo=lambda _r: items_svc.move_item(ctx, card.key, old, expected_version=self.sapp.own_version(card.key)),
        ))

    def _version(self, card: ItemRow) -> int:
        """The version a write of `card` expects (called on the writer thread).
        A card moved on screen keeps the version it was read with until the
        reload; a second key press before then must expect the version that
        move's save returned (writes run in order), not report our own move as
        someone else's change."""
        saved = next((v for shown, v in self._moved.get(card.key, []) if shown is card), [])
        return saved[-1] if saved else card.version

    def action_new_item(self) -> None:
        self.sapp.new_item(status=self.column.status, sprint="current")

    def action_edit_item(self) -> None:
        card = self.focused_card
        if card is not None:
            self.sapp.open_item(card.key)

    @work(exclusive=True, group="dialog")
    async def action_toggle_blocked(self) -> None:
        card = self.focused_card
        if card is None:
            return
        ctx = self.ctx
        if card.blocked:
            self.perform(Write(
                f"unblocking {card.key}",
                lambda: items_svc.set_blocked(ctx, card.key, False, expected_version=self._version(card)),
                Topic.ITEMS,
                undo=lambda _r: items_svc.set_blocked(ctx, card.key, True, card.blocked_reason,
                                                      expected_version=self.sapp.own_version(card.key)),
            ))
            return
        reason = await self.app.push_screen_wait(PromptModal(f"Why is {card.key} blocked?"))
        if reason:
            self.perform(Write(
                f"blocking {card.key}",
                lambda: items_svc.set_blocked(ctx, card.key, True, reason, expected_version=self._version(card)),
                Topic.ITEMS,
                undo=lambda _r: items_svc.set_blocked(ctx, card.key, False,
                                                      expected_version=self.sapp.own_version(card.key)),
            ))

    @work(exclusive=True, group="dialog")
    async def action_assign(self) -> None:
        card = self.focused_card
        if card is None:
            return
        import asyncio

        members = await asyncio.to_thread(members_svc.list_members, self.ctx)
        options: list[tuple[str, object]] = [("Nobody (unassign)", "")]
        options += [(f"{m.handle}  {m.name}  ({m.stream or '-'}, {m.availability}%)", m.handle) for m in members]
        choice = await self.app.push_screen_wait(ChooseModal(f"Assign {card.key} to", options))
        if choice is None:
            return
        ctx, old = self.ctx, card.assignee or ""
        self.perform(Write(
            f"assignment of {card.key}",
            lambda: items_svc.edit_item(ctx, card.key, assignee=choice, expected_version=self._version(card)),
            Topic.ITEMS,
            undo=lambda _r: items_svc.edit_item(ctx, card.key, assignee=old,
                                                expected_version=self.sapp.own_version(card.key)),
        ))

    @work(exclusive=True, group="dialog")
    async def action_delete_item(self) -> None:
        card = self.focused_card
        if card is None:
            return
        ok = await self.app.push_screen_wait(ConfirmModal(f"Delete {card.key} “{plain(card.title, 60)}”?"))
        if not ok:
            return
        ctx = self.ctx
        self.perform(
            Write(f"deletion of {card.key}",
                  lambda: items_svc.delete_item(ctx, card.key, expected_version=self._version(card)),
                  Topic.ITEMS,
                  undo=lambda _r: items_svc.restore_item(ctx, card.key,
                                                         expected_version=self.sapp.own_version(card.key))),
            done=lambda _r: self.notify(f"{card.key} deleted (u undoes)", timeout=3),
        )

    # -- filter ------------------------------------------------------------------
    def action_filter(self) -> None:
        box = self.query_one("#board-filter", Input)
        box.disabled = False
        box.add_class("-visible")
        box.value = self.text_filter
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "board-filter" and event.value.strip() != self.text_filter:
            self.text_filter = event.value.strip()
            self.reload(new_query=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "board-filter":
            event.input.remove_class("-visible")
            event.input.disabled = True
            self.set_focus(None)

    def action_clear_filter(self) -> None:
        box = self.query_one("#board-filter", Input)
        box.remove_class("-visible")
        box.disabled = True
        self.set_focus(None)
        if self.text_filter:
            self.text_filter = ""
            box.value = ""
            self.reload(new_query=True)
