"""6 Catch-up: slipped, overdue and long-blocked work per stream, and a plan to
pull it into the next sprint within each stream's free capacity.

Top: one line per stream — backlog debt, its trend (points carried over at the
last sprint closes, a sparkline), capacity, committed, free and what is left
after the plan. Below: the listed items grouped by stream in plan order, the
suggested ones marked. The plan (skips and additions) lives on this screen and
is recomputed in memory at each key press; only accepting writes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Static

from sprinttui.domain import NotFoundError, StateError
from sprinttui.services import catchup as catchup_svc
from sprinttui.services.catchup import (
    ADDED,
    BLOCKED,
    COMMITTED,
    NO_FIT,
    NO_POINTS,
    NO_SPRINT,
    RUNNING,
    SKIPPED,
    SUGGESTED,
    AcceptResult,
    CatchUpEntry,
    CatchUpPlan,
    StreamPlan,
)
from sprinttui.services.text import fmt_points
from sprinttui.tui.base import BaseScreen, row_at_cursor, row_index
from sprinttui.tui.modals import ConfirmModal
from sprinttui.tui.safe import plain, text
from sprinttui.tui.tcss import load_tcss
from sprinttui.tui.widgets.table import Table
from sprinttui.tui.writes import Topic, Write

MARK = "●"
WIDE = 120  # from this terminal width on, the table shows age, due date and why
BLOCKED_DAYS = 3
#: rows put in the table at a time: more follow as the cursor nears the last one
#: (a large project lists hundreds of slipped items; the table shows thirty)
CHUNK = 100
LOOKAHEAD = 10

NARROW_COLUMNS = [("sel", " ", 1), ("key", "Key", 9), ("points", "Pts", 4), ("slips", "Slip", 4),
                  ("title", "Title", None), ("plan", "Plan", 12)]
WIDE_COLUMNS = [("sel", " ", 1), ("key", "Key", 9), ("points", "Pts", 4), ("slips", "Slip", 4),
                ("age", "Age d", 5), ("due", "Due", 10), ("title", "Title", None), ("why", "Why", 30),
                ("plan", "Plan", 14)]

#: the columns of a stream's line: name and debt, then the trend's bars
NAME_WIDTH = 18
TREND_WIDTH = 8
BARS = "▁▂▃▄▅▆▇█"

#: how each plan state shows: label, style
STATE_LOOK = {
    SUGGESTED: ("▶ suggested", "bold $success"),
    ADDED: ("▶ added", "bold $accent"),
    SKIPPED: ("skipped", "dim"),
    NO_FIT: ("no fit", "$warning"),
    BLOCKED: ("blocked", "$error"),
    NO_POINTS: ("no estimate", "dim"),
    COMMITTED: ("in sprint", "dim"),
    RUNNING: ("running", "dim"),
    NO_SPRINT: ("-", "dim"),
}


def _pts(p: float | None) -> str:
    return fmt_points(round(p, 1) if p is not None else None)


def _keys_text(keys: list[str]) -> str:
    return ", ".join(keys[:3]) + (f" and {len(keys) - 3} more" if len(keys) > 3 else "")


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@dataclass
class CatchUpData:
    plan: CatchUpPlan
    problem: str  # why there is no plan ("no sprint is planned"), else ""


class CatchUpScreen(BaseScreen):
    SCREEN_TITLE = "Catch-up"
    DEFAULT_CSS = load_tcss(__file__)
    BINDINGS = [
        Binding("enter", "accept", "Accept", priority=True),
        Binding("s", "skip", "Skip"),
        Binding("a", "add", "Add"),
        Binding("A", "accept_all", "All", key_display="A"),
        Binding("r", "reset", "Reset"),
        Binding("space", "toggle_select", "Select"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.base: CatchUpPlan | None = None  # as loaded
        self.plan: CatchUpPlan | None = None  # with this screen's skips and additions
        self.problem = ""
        self.skipped: set[str] = set()
        self.added: set[str] = set()
        self.selected: set[str] = set()
        self.rows: list[CatchUpEntry] = []  # every entry; the table holds the first self._shown
        self._shown = 0
        self._title_width = 0
        self._wide: bool | None = None
        self._stream_lines: dict[str, Content] = {}  # stream key → its summary line

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static(Content("Loading…"), id="cu-head")
        with VerticalScroll(id="cu-streams"):
            yield Static("", id="cu-stream-lines")
        yield Table(id="cu-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="cu-detail")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self._add_columns(self.app.size.width)
        self.table.focus()
        # BaseScreen.on_mount (the first load) runs next: Textual calls the
        # handler of every class in the MRO, so calling it here loaded twice

    @property
    def table(self) -> DataTable:
        return self.query_one("#cu-table", DataTable)

    @property
    def current(self) -> CatchUpEntry | None:
        return row_at_cursor(self.table, self.rows)

    # -- columns -----------------------------------------------------------------
    def _columns(self, width: int) -> list[tuple[str, str, int | None]]:
        return WIDE_COLUMNS if width >= WIDE else NARROW_COLUMNS

    def _add_columns(self, width: int) -> None:
        columns = self._columns(width)
        fixed = sum(w or 0 for _k, _l, w in columns) + 2 * len(columns) + 2
        self._title_width = max(16, width - fixed)
        self._wide = width >= WIDE
        keep = self.current.key if self.current else None
        table = self.table
        table.clear(columns=True)
        for key, label, w in columns:
            table.add_column(label, key=key, width=w or self._title_width)
        self._fill_table(keep)

    def on_resize(self, event) -> None:
        columns = self._columns(event.size.width)
        fixed = sum(w or 0 for _k, _l, w in columns) + 2 * len(columns) + 2
        if (event.size.width >= WIDE) != self._wide or max(16, event.size.width - fixed) != self._title_width:
            self._add_columns(event.size.width)

    # -- loading -----------------------------------------------------------------
    def load(self) -> CatchUpData:
        ctx, stream, add = self.ctx, self.stream, set(self.added)
        try:
            plan = catchup_svc.catchup_plan(ctx, stream=stream, blocked_days=BLOCKED_DAYS, add=add)
            return CatchUpData(plan, "")
        except (NotFoundError, StateError) as err:
            # no sprint to plan into: still show what slipped
            plan = catchup_svc.catchup_plan(ctx, sprint=None, stream=stream, blocked_days=BLOCKED_DAYS)
            return CatchUpData(plan, str(err))

    def show(self, data: CatchUpData) -> None:
        self.base = data.plan
        self.problem = data.problem
        listed = {e.key for e in data.plan.entries}
        self.selected &= listed
        self._replan()

    def _replan(self) -> None:
        """Fill the plan again for the current skips and additions and show it."""
        if self.base is None:
            return
        self.plan = catchup_svc.replan(self.base, skip=self.skipped, add=self.added)
        keep = self.current.key if self.current else None
        self._show_head()
        self._show_streams()
        self._fill_table(keep)
        self._show_detail()

    # -- showing -----------------------------------------------------------------
    def _show_head(self) -> None:
        plan = self.plan
        assert plan is not None
        parts: list[Content | str] = []
        if plan.sprint is None:
            problem = plain(self.problem, 80) or "no sprint is planned"
            parts.append(Content.assemble((f"No plan: {problem}", "bold $warning"),
                                          " (N on Planning, 3, creates a sprint)"))
        else:
            sp = plan.sprint
            keys = plan.plan_keys
            parts.append(Content.assemble(
                "Catch-up into ", (plain(sp.name, 40), "bold"), f" ({sp.start:%d %b}–{sp.end:%d %b})",
                f" · plan {_n(len(keys), 'item')} {_pts(plan.plan_points)} pts"))
        parts.append(f" · debt {_pts(plan.debt_points)} pts")
        if self.app.size.width >= 100:
            parts.append(f" · listing items blocked > {plan.blocked_days} d")
        if self.stream:
            parts.append(f" · stream {self.stream}")
        if self.selected:
            parts.append(f" · {len(self.selected)} selected")
        if not plan.entries:
            parts.append(" · nothing slipped")
        self.query_one("#cu-head", Static).update(Content.assemble(*parts))

    def _show_streams(self) -> None:
        """One line per stream: its debt, the trend of its carry-over, its capacity
        and the plan. One Static for all of them: no widgets to mount per stream."""
        plan = self.plan
        assert plan is not None
        self._stream_lines = {
            sp.stream: Content.assemble(self._name_text(sp).truncate(NAME_WIDTH, pad=True),
                                        self._trend(sp).truncate(TREND_WIDTH, pad=True),
                                        self._capacity_text(sp))
            for sp in plan.streams
        }
        lines = self.query_one("#cu-stream-lines", Static)
        lines.update(Content("\n").join(self._stream_lines.values()))
        tip = "\n".join(
            f"{plain(sp.stream, 20)}, carried over at each close: "
            + (" · ".join(f"{plain(d.sprint, 30)} {_pts(d.points)}" for d in sp.trend) or "none")
            for sp in plan.streams)
        lines.tooltip = Content(tip) if tip else None  # sprint names are user text: never markup

    def _trend(self, sp: StreamPlan) -> Content:
        """The points carried over at each closed sprint's close, as bars (the
        last TREND_WIDTH - 1 sprints, scaled to the stream's largest)."""
        points = [d.points for d in sp.trend][-(TREND_WIDTH - 1):]
        top = max(points, default=0)
        bars = "".join(BARS[0] if top <= 0 or p <= 0 else BARS[max(1, round(p / top * (len(BARS) - 1)))]
                       for p in points)
        return Content.styled(bars, "$warning")

    def _name_text(self, sp: StreamPlan) -> Content:
        return Content.assemble((f"{sp.stream:<6}", "bold"), f"debt {_pts(sp.debt_points):>4} ")

    def _capacity_text(self, sp: StreamPlan) -> Content:
        plan = self.plan
        if plan is None or plan.sprint is None:
            return Content(f"{_n(len(sp.entries), 'item')} listed")
        parts: list = [f"cap {_pts(sp.capacity_points)} · in {_pts(sp.committed_points)} · "
                       f"free {_pts(sp.free_points)}"]
        if sp.plan_points or sp.plan_keys:
            parts.append(f" · plan +{_pts(sp.plan_points)} → ")
            if sp.over_capacity:
                parts.append((f"over by {_pts(-sp.free_after)}", "bold $error"))
            else:
                parts.append(f"{_pts(sp.free_after)} free")
        elif sp.free_points < 0:
            parts.append((" · over-committed", "bold $error"))
        return Content.assemble(*parts)

    def _fill_table(self, keep: str | None) -> None:
        table = self.table
        old_index = table.cursor_row
        self.rows = list(self.plan.entries) if self.plan is not None else []
        # as many rows as before (and the kept entry's), in whole chunks
        want = max(CHUNK, self._shown, next((i + 1 for i, e in enumerate(self.rows) if e.key == keep), 0))
        self._shown = min(len(self.rows), -(-want // CHUNK) * CHUNK)
        table.clear()
        for e in self.rows[: self._shown]:
            table.add_row(*self._cells(e), key=e.key)
        if self.rows:
            index = row_index(table, keep)
            if index < 0:
                index = max(0, min(old_index, len(self.rows) - 1))
            table.move_cursor(row=index, animate=False)

    def _cells(self, e: CatchUpEntry) -> list:
        r = e.row
        cells: list = [
            self._mark(e.key),
            text(r.key, "bold red" if r.blocked else "bold"),
            Text(fmt_points(r.points), justify="right"),
            Text(str(r.slip_count), style="bold yellow" if r.slip_count else "dim", justify="right"),
        ]
        if self._wide:
            cells += [
                Text(str(e.age_days), justify="right"),
                text(r.due_date.isoformat() if r.due_date else "—", "bold red" if e.overdue_days else "dim"),
            ]
        cells.append(text(r.title, limit=200))
        if self._wide:
            cells.append(text(e.why, limit=120))
        cells.append(self._plan_cell(e))
        return cells

    def _plan_cell(self, e: CatchUpEntry) -> Content:
        label, style = STATE_LOOK.get(e.state, (e.state, ""))
        if e.state == COMMITTED and e.row.sprint:
            label = f"in {plain(e.row.sprint, 20)}"
        return Content.styled(label, style)

    def _mark(self, key: str) -> Text:
        return Text(MARK if key in self.selected else " ", style="bold")

    def _show_detail(self) -> None:
        e = self.current
        detail = self.query_one("#cu-detail", Static)
        if e is None:
            detail.update("" if self.plan is None or self.plan.entries else
                          Content("Nothing slipped, nothing overdue, nothing blocked for long."))
            return
        parts = [e.key]
        if e.why:
            parts.append(e.why)
        parts.append(f"age {e.age_days} d")
        if e.row.due_date:
            parts.append(f"due {e.row.due_date.isoformat()}")
        parts.append(e.note)
        detail.update(Content(plain(" · ".join(parts), 300)))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()
        if self._shown < len(self.rows) and event.cursor_row >= self._shown - LOOKAHEAD:
            table, more = self.table, self.rows[self._shown : self._shown + CHUNK]
            for e in more:
                table.add_row(*self._cells(e), key=e.key)
            self._shown += len(more)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()  # enter is this screen's accept; a click only moves the cursor

    # -- selection ---------------------------------------------------------------
    def action_toggle_select(self) -> None:
        e = self.current
        if e is None:
            return
        self.selected ^= {e.key}
        self.table.update_cell(e.key, "sel", self._mark(e.key))
        self._show_head()

    # -- adjusting the plan ------------------------------------------------------
    def _no_sprint(self) -> bool:
        if self.plan is None or self.plan.sprint is None:
            problem = plain(self.problem, 80) or "no sprint is planned"
            self.notify(Content(f"No plan: {problem}. Create a sprint on the Planning screen (3)."),
                        severity="warning", timeout=4)
            return True
        return False

    def _newly(self, before: CatchUpPlan, state: str) -> list[str]:
        """Keys in `state` now that were not before."""
        old = {e.key: e.state for e in before.entries}
        return [e.key for e in self.plan.entries if e.state == state and old.get(e.key) != state]

    def action_skip(self) -> None:
        e = self.current
        if e is None or self._no_sprint():
            return
        before = self.plan
        if e.state == SKIPPED:
            self.skipped.discard(e.key)
            self._replan()
            what = f"{e.key} is no longer skipped"
        elif e.in_plan:
            self.added.discard(e.key)
            self.skipped.add(e.key)
            self._replan()
            what = f"Skipped {e.key}"
        else:
            self.notify(Content(f"{e.key} is not in the plan ({plain(e.note, 100)})"), timeout=3)
            return
        now_in = [k for k in self._newly(before, SUGGESTED) if k != e.key]
        now_out = self._newly(before, NO_FIT)
        if now_in:
            what += f"; {_keys_text(now_in)} fit{'s' if len(now_in) == 1 else ''} instead"
        if now_out:
            what += f"; {_keys_text(now_out)} no longer fit{'s' if len(now_out) == 1 else ''}"
        self.notify(Content(what), timeout=3)

    def action_reset(self) -> None:
        if not self.skipped:
            self.notify("Nothing is skipped", timeout=2)
            return
        n = len(self.skipped)
        self.skipped.clear()
        self._replan()
        self.notify(Content(f"{_n(n, 'skip')} undone: the plan is filled again"), timeout=3)

    def action_add(self) -> None:
        e = self.current
        if e is None or self._no_sprint():
            return
        if e.in_plan:
            self.notify(Content(f"{e.key} is in the plan already"), timeout=2)
            return
        if e.state in (COMMITTED, RUNNING):
            self.notify(Content(f"{e.key} cannot be added: {plain(e.note, 100)}"), severity="warning", timeout=4)
            return
        assert self.base is not None
        trial = catchup_svc.replan(self.base, skip=self.skipped - {e.key}, add=self.added | {e.key})
        sp = trial.stream_plan(e.row.stream)
        if sp is not None and sp.over_capacity:
            question = (f"Adding {e.key} ({fmt_points(e.points)} pts) takes stream {sp.stream} over its free "
                        f"capacity by {_pts(-sp.free_after)} pts. Add it anyway?")

            def answered(ok: bool | None) -> None:
                if ok:
                    self._do_add(e.key)

            self.app.push_screen(ConfirmModal(question), answered)
            return
        self._do_add(e.key)

    def _do_add(self, key: str) -> None:
        before = self.plan
        self.skipped.discard(key)
        self.added.add(key)
        self._replan()
        what = f"Added {key} to the plan"
        out = self._newly(before, NO_FIT)
        if out:
            what += f"; {_keys_text(out)} no longer fit{'s' if len(out) == 1 else ''}"
        sp = self.plan.stream_plan(self.plan.entry(key).row.stream) if self.plan.entry(key) else None
        over = sp is not None and sp.over_capacity
        self.notify(Content(what), severity="warning" if over else "information", timeout=3)

    # -- accepting ---------------------------------------------------------------
    def action_accept(self) -> None:
        if self._no_sprint():
            return
        if self.selected:
            chosen = [e for e in self.rows if e.key in self.selected]
            keys = [e.key for e in chosen if e.in_plan]
            if not keys:
                self.notify("None of the selected items is in the plan: a adds them", severity="warning", timeout=3)
                return
            left = len(chosen) - len(keys)
            if left:
                self.notify(Content(f"{_n(left, 'selected item')} not in the plan stay{'s' if left == 1 else ''} "
                                    "out (a adds them)"), timeout=3)
            self._accept(keys)
            return
        e = self.current
        if e is None:
            return
        if not e.in_plan:
            hint = "" if e.state in (COMMITTED, RUNNING) else ": a adds it"
            self.notify(Content(f"{e.key} is not in the plan ({plain(e.note, 100)}){hint}"), timeout=3)
            return
        self._accept([e.key])

    def action_accept_all(self) -> None:
        if self._no_sprint():
            return
        plan = self.plan
        keys = plan.plan_keys
        if not keys:
            self.notify("The plan is empty: nothing fits the free capacity", timeout=3)
            return
        over = [sp.stream for sp in plan.streams if sp.over_capacity]
        question = (f"Plan {_n(len(keys), 'item')} ({_pts(plan.plan_points)} pts) into "
                    f"{plain(plan.sprint.name, 40)}?")
        if over:
            question += f" Over capacity: {', '.join(over)}."

        def answered(ok: bool | None) -> None:
            if ok:
                self._accept(keys)

        self.app.push_screen(ConfirmModal(question), answered)

    def _accept(self, keys: list[str]) -> None:
        plan = self.plan
        assert plan is not None and plan.sprint is not None
        ctx, name = self.ctx, plan.sprint.name
        self._show_accepted(keys, name)

        def done(res: AcceptResult) -> None:
            self.selected.difference_update(keys)
            self.added.difference_update(keys)
            self.skipped.difference_update(keys)
            self.notify(Content(f"Planned {_keys_text(res.keys or keys)} into {plain(name, 40)}"), timeout=3)

        def undo(res: AcceptResult) -> None:
            # back where they came from, unless someone changed one since
            versions = {k: v for k in res.keys if (v := self.sapp.own_version(k)) is not None}
            catchup_svc.unaccept(ctx, res, versions=versions)

        self.perform(Write(f"catch-up of {_keys_text(keys)} into {plain(name, 40)}",
                           lambda: catchup_svc.accept(ctx, keys, name), Topic.ITEMS, undo=undo), done=done)

    def _show_accepted(self, keys: list[str], name: str) -> None:
        """Show the items in the sprint at once (the reload after the write
        confirms it), so a quick second enter acts on the next row."""
        assert self.base is not None
        moved = set(keys)
        streams = []
        for sp in self.base.streams:
            gained = sum(float(e.points or 0) for e in sp.entries if e.key in moved)
            entries = tuple(replace(e, base=COMMITTED, row=replace(e.row, sprint=name)) if e.key in moved else e
                            for e in sp.entries)
            streams.append(replace(sp, entries=entries, committed_points=round(sp.committed_points + gained, 2)))
        self.base = replace(self.base, streams=tuple(streams))
        self.selected -= moved
        self._replan()
