"""3 Planning: fill the next sprint from the backlog against the team's capacity;
start the planned sprint, close the active one, create new sprints.

Why one module of this size: the screen is the sprint's life cycle in one
place (pull and push against capacity, start, close, new), and each step's
questions read the figures on screen; the rules themselves are in
services/sprints.py and services/reports.py."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import date

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from sprinttui.domain import SprintTuiError
from sprinttui.services import items as items_svc
from sprinttui.services import reports as reports_svc
from sprinttui.services import sprints as sprints_svc
from sprinttui.services.item_rows import ItemQuery, ItemRow
from sprinttui.services.text import fmt_points
from sprinttui.tui.base import BaseScreen, fit_rows, fit_width, row_at_cursor
from sprinttui.tui.modals import ChooseModal, ConfirmModal, PromptModal
from sprinttui.tui.safe import plain, text
from sprinttui.tui.tcss import load_tcss
from sprinttui.tui.widgets.table import Table
from sprinttui.tui.writes import Topic, Write

PAGE = 50  # backlog rows loaded at a time; `m` loads more
SPRINT_PAGE = 200  # rows of the planned sprint shown at a time; `m` on its table shows more


@dataclass
class PlanningData:
    planned: list[sprints_svc.SprintView]
    sprint: sprints_svc.SprintView | None  # the planned sprint shown
    capacity: reports_svc.Capacity | None
    sprint_items: list[ItemRow]
    backlog: list[ItemRow]
    backlog_total: int
    active: sprints_svc.SprintView | None
    sprint_total: int = 0  # items in the sprint, also those not loaded
    sprint_points: float = 0.0


def _pts(p: float | None) -> str:
    return fmt_points(round(p, 2) if p is not None else None)


def _cap(p: float | None) -> str:
    """Capacity, velocity and free points: one decimal is precise enough."""
    return fmt_points(round(p, 1) if p is not None else None)


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


#: what closing a sprint asks about its goal (not recorded: goal_met stays None)
GOAL_MET_CHOICES = (("yes", True), ("no", False), ("not recorded", "not recorded"))


def _day(d: date, today: date) -> str:
    """"Mon 23 Mar" (with the year when it is not this year's)."""
    return f"{d:%a %d %b}" + (f" {d.year}" if d.year != today.year else "")


def _start_question(name: str, start: date, end: date, today: date) -> str:
    """What to ask before starting sprint `name` (planned start → end) today:
    the dates first when today is outside them, then what starting does."""
    if today < start:
        days = (start - today).days
        when = "tomorrow" if days == 1 else f"in {days} days"
        return (f"{name} is planned to start on {_day(start, today)}, {when}. "
                f"Start it today, {_day(today, today)}?")
    if today > end:
        days = (today - end).days
        when = "yesterday" if days == 1 else f"{days} days ago"
        return (f"{name} was planned to end on {_day(end, today)}, {when}. "
                f"Start it today, {_day(today, today)}?")
    return f"Start {name} now?"


def _close_question(name: str, end: date, today: date, done: int, unfinished: int, where: str) -> str:
    """What to ask before closing sprint `name` today: the dates first when it
    is planned to run two days or more yet, then what closing does to its work."""
    early = ""
    if (end - today).days >= 2:
        early = (f"{name} is planned to end on {_day(end, today)}, in {(end - today).days} days. "
                 f"Close it today, {_day(today, today)}? ")
    else:
        early = f"Close {name}? "
    moved = ("" if not unfinished else
             f"; {_n(unfinished, 'unfinished item')} will move to {where} and {'its' if unfinished == 1 else 'their'} "
             "slip count grows by one")
    return f"{early}{_n(done, 'done item')} stay completed{moved}."


EPS = 1e-9


def _over_capacity(cap: reports_svc.Capacity, row: ItemRow) -> list[tuple[str, float]]:
    """What pulling `row` into the sprint of `cap` takes over its free
    capacity: ("stream", by) for its stream and ("sprint", by) for the sprint
    as a whole, each only when it goes over (an item without points takes
    nothing over)."""
    points = float(row.points or 0)
    if points <= 0:
        return []
    over: list[tuple[str, float]] = []
    stream = next((s for s in cap.streams if s.stream == row.stream), None)
    if stream is not None and stream.free_points - points < -EPS:
        over.append(("stream", points - stream.free_points))
    if cap.total.free_points - points < -EPS:
        over.append(("sprint", points - cap.total.free_points))
    return over


def _with_moved(cap: reports_svc.Capacity, row: ItemRow, sign: int) -> reports_svc.Capacity:
    """`cap` once `row` moved into the sprint (sign 1) or out of it (-1)."""
    points = sign * float(row.points or 0)
    if not points:
        return cap
    streams = [replace(s, committed_points=round(s.committed_points + points, 2)) if s.stream == row.stream else s
               for s in cap.streams]
    total = replace(cap.total, committed_points=round(cap.total.committed_points + points, 2))
    return replace(cap, streams=streams, total=total)


class PlanningScreen(BaseScreen):
    SCREEN_TITLE = "Planning"
    DEFAULT_CSS = load_tcss(__file__)
    BINDINGS = [
        Binding("tab", "switch_table", "Table"),
        Binding("greater_than_sign", "pull", "Pull", key_display=">"),
        Binding("less_than_sign", "push", "Push", key_display="<"),
        Binding("enter", "enter", "Pull / open", show=False, priority=True),
        Binding("backspace", "backspace", "Push back", show=False),
        Binding("s", "start_sprint", "Start"),
        Binding("c", "close_sprint", "Close"),
        Binding("N", "new_sprint", "New", key_display="N"),
        Binding("t", "choose_sprint", "Sprint"),
        Binding("left_square_bracket", "cycle_sprint(-1)", "Prev sprint", show=False, key_display="["),
        Binding("right_square_bracket", "cycle_sprint(1)", "Next sprint", show=False, key_display="]"),
        Binding("m", "more", "More rows", show=False),
        Binding("e", "open_item", "Open item", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sprint_name: str | None = None  # None: the next planned sprint
        self.backlog_limit = PAGE
        self.sprint_limit = SPRINT_PAGE
        self.data: PlanningData | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with Vertical(id="plan-head"):
            yield Static(Content("Loading…"), id="plan-title")
            yield Static("", id="plan-total")
        with Horizontal(id="plan-capacity"):
            yield Table(id="plan-members", cursor_type="none", zebra_stripes=True)
            yield Table(id="plan-streams", cursor_type="none", zebra_stripes=True)
        with Horizontal(id="plan-items"):
            yield Table(id="plan-sprint", cursor_type="row", zebra_stripes=True)
            yield Table(id="plan-backlog", cursor_type="row", zebra_stripes=True)
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.query_one("#plan-members", DataTable).border_title = "Capacity per member"
        self.query_one("#plan-streams", DataTable).border_title = "Capacity per stream"
        self.query_one("#plan-sprint", DataTable).border_title = "Sprint"
        self.query_one("#plan-backlog", DataTable).border_title = "Backlog"
        self.backlog_table.focus()
        # BaseScreen.on_mount (the first load) runs next: Textual calls the
        # handler of every class in the MRO, so calling it here loaded twice

    # -- tables ----------------------------------------------------------------
    @property
    def sprint_table(self) -> DataTable:
        return self.query_one("#plan-sprint", DataTable)

    @property
    def backlog_table(self) -> DataTable:
        return self.query_one("#plan-backlog", DataTable)

    @property
    def backlog_row(self) -> ItemRow | None:
        return row_at_cursor(self.backlog_table, self.data.backlog if self.data else [])

    @property
    def sprint_row(self) -> ItemRow | None:
        return row_at_cursor(self.sprint_table, self.data.sprint_items if self.data else [])

    # -- loading ---------------------------------------------------------------
    def load(self) -> PlanningData:
        ctx, stream = self.ctx, self.stream
        planned = sprints_svc.list_sprints(ctx, state="planned")
        active = sprints_svc.active_sprint(ctx)
        sprint = next((p for p in planned if p.name == self.sprint_name), None)
        if sprint is None and planned:
            sprint = planned[0]
        cap, sprint_items, sprint_total, sprint_points = None, [], 0, 0.0
        if sprint is not None:
            cap = reports_svc.capacity(ctx, sprint.name)
            in_sprint = ItemQuery(sprint=sprint.name, stream=stream)
            sprint_items = items_svc.list_items(ctx, replace(in_sprint, limit=self.sprint_limit))
            sprint_total, sprint_points = items_svc.count_and_points(ctx, in_sprint)
        query = ItemQuery(sprint="backlog", stream=stream, include_done=False, limit=self.backlog_limit)
        backlog = items_svc.list_items(ctx, query)
        total = items_svc.count_items(ctx, ItemQuery(sprint="backlog", stream=stream, include_done=False))
        return PlanningData(planned, sprint, cap, sprint_items, backlog, total, active, sprint_total, sprint_points)

    def show(self, data: PlanningData) -> None:
        self.data = data
        if data.sprint is not None:
            self.sprint_name = data.sprint.name
        self._show_head(data)
        self._show_capacity(data)
        self._show_items(data)

    def on_resize(self, _event) -> None:
        if self.data is not None and (self.app.size.width >= 110) != getattr(self, "_wide", None):
            self.show(self.data)

    def _error_style(self) -> str:
        try:
            colour = self.app.current_theme.error
        except Exception:  # pragma: no cover - no theme
            colour = None
        return f"bold {colour}" if colour else "bold red"

    def _show_head(self, data: PlanningData) -> None:
        title = self.query_one("#plan-title", Static)
        total = self.query_one("#plan-total", Static)
        if data.sprint is None:
            active = (f" (c closes the active sprint {plain(data.active.name, 40)})" if data.active else "")
            title.update(Content(f"No sprint is planned. Press N to create one.{active}"))
            total.update("")
            return
        sp, cap = data.sprint, data.capacity
        pos = ""
        if len(data.planned) > 1:
            i = next(i for i, p in enumerate(data.planned) if p.name == sp.name)
            pos = f" · {i + 1} of {len(data.planned)} ([ ] t)"
        title.update(Content.from_markup(
            "[b]$name[/b] (planned) $start → $end · $days working days$pos",
            name=plain(sp.name, 60), start=sp.start.isoformat(), end=sp.end.isoformat(),
            days=str(cap.working_days), pos=pos,
        ))
        t = cap.total
        parts: list = [Content.from_markup(
            "Committed [b]$cm[/b] of $cp pts capacity ($cd days) · velocity $v",
            cp=_cap(t.capacity_points), cd=_cap(t.capacity_days), cm=_pts(t.committed_points),
            v=_cap(t.velocity_points),
        )]
        if t.over_committed:
            parts.append(Content.assemble(
                " · ", ("OVER-COMMITTED", "bold $error"), f" by {_cap(-t.free_points)} pts"))
        else:
            parts.append(Content(f" · {_cap(t.free_points)} pts free"))
        over = [s.stream for s in cap.streams if s.over_committed]
        if over:
            parts.append(Content.assemble(
                " · ", ("OVER-COMMITTED", "bold $error"), f" stream{'s' if len(over) > 1 else ''}: ",
                (", ".join(over), "bold $error")))
        total.update(Content.assemble(*parts))

    def _show_capacity(self, data: PlanningData) -> None:
        members = self.query_one("#plan-members", DataTable)
        streams = self.query_one("#plan-streams", DataTable)
        members.clear(columns=True)
        streams.clear(columns=True)
        wide = self._wide = self.app.size.width >= 110
        if wide:
            members.add_columns("Member", "Stream", "Avail", "Away d", "Cap d")
            streams.add_columns("Stream", "Cap d", "Cap pts", "Committed", "Status", "Velocity")
        else:
            members.add_columns("Member", "Avail", "Away", "Days")
            streams.add_columns("Stream", "Days", "Cap", "Plan", "Status", "Vel")
        cap = data.capacity
        if cap is None:
            fit_rows(members)
            fit_rows(streams)
            return
        err = self._error_style()
        for m in cap.members:
            if self.stream and m.stream != self.stream:
                continue
            cells = [text(m.handle, limit=20 if wide else 10)]
            if wide:
                cells.append(text(m.stream or "-"))
            cells += [text(f"{m.availability}%"), text(_pts(m.absence_days)), text(_cap(m.capacity_days))]
            members.add_row(*cells)
        rows = [s for s in cap.streams if not self.stream or s.stream == self.stream]
        for s in [*rows, cap.total]:
            is_total = s is cap.total
            if s.over_committed:
                status = text("OVER-COMMITTED", style=err)
                if wide:
                    status.append(f" by {_cap(-s.free_points)}", style=err)
            else:
                status = text(f"ok, {_cap(s.free_points)} free" if wide else f"ok +{_cap(s.free_points)}")
            label = "TOTAL" if is_total else s.stream
            bold = "bold" if is_total else ""
            streams.add_row(
                text(label, style=bold), text(_cap(s.capacity_days)), text(_cap(s.capacity_points)),
                text(_pts(s.committed_points), style=err if s.over_committed else bold),
                status, text(_cap(s.velocity_points)),
            )
        fit_rows(members)
        fit_width(members)
        fit_rows(streams)

    def _fill(self, table: DataTable, rows: list[ItemRow], with_status: bool) -> None:
        keep_key = None
        keep_index = table.cursor_row if table.row_count else 0
        old = getattr(table, "_plan_rows", [])
        if 0 <= keep_index < len(old):
            keep_key = old[keep_index].key
        table.clear(columns=True)
        if with_status:
            table.add_columns("Key", "Pts", "Status", "Title")
        else:
            table.add_columns("Key", "Pts", "Title")
        for r in rows:
            cells: list[Text] = [text(r.key), text(_pts(r.points))]
            if with_status:
                cells.append(text(r.status))
            title = text(r.title, limit=60)
            if r.slip_count:
                title.append(f" ↻{r.slip_count}", style="bold yellow")
            cells.append(title)
            table.add_row(*cells, key=r.key)
        table._plan_rows = rows  # type: ignore[attr-defined]
        if rows:
            index = next((i for i, r in enumerate(rows) if r.key == keep_key), None)
            if index is None:
                index = min(keep_index, len(rows) - 1)
            table.move_cursor(row=index)

    def _show_items(self, data: PlanningData) -> None:
        filt = f" · stream {self.stream}" if self.stream else ""
        if data.sprint is None:
            self.sprint_table.border_title = "No planned sprint (N creates one)"
        else:
            shown = (f" · {len(data.sprint_items)} shown · m: more"
                     if data.sprint_total > len(data.sprint_items) else "")
            self.sprint_table.border_title = Content(
                f"In {plain(data.sprint.name, 40)} · {_n(data.sprint_total, 'item')} · "
                f"{_pts(data.sprint_points)} pts{filt}{shown}")
        more = " · m: more" if data.backlog_total > len(data.backlog) else ""
        self.backlog_table.border_title = Content(
            f"Backlog · {len(data.backlog)} of {data.backlog_total} open{filt}{more}")
        self._fill(self.sprint_table, data.sprint_items, with_status=self.app.size.width >= 110)
        self._fill(self.backlog_table, data.backlog, with_status=False)

    # -- navigation ------------------------------------------------------------
    def action_switch_table(self) -> None:
        if self.focused is self.backlog_table:
            self.sprint_table.focus()
        else:
            self.backlog_table.focus()

    def action_cycle_sprint(self, delta: int) -> None:
        if not self.data or not self.data.planned:
            self.notify("No sprint is planned. Press N to create one.", timeout=3)
            return
        names = [p.name for p in self.data.planned]
        i = names.index(self.sprint_name) if self.sprint_name in names else 0
        self.sprint_name = names[(i + delta) % len(names)]
        self.reload()

    @work(exclusive=True, group="dialog")
    async def action_choose_sprint(self) -> None:
        try:
            planned = await asyncio.to_thread(sprints_svc.list_sprints, self.ctx, state="planned")
        except SprintTuiError as err:
            self.sapp.report_error(err)
            return
        if not planned:
            self.notify("No sprint is planned. Press N to create one.", timeout=3)
            return
        options = [(f"{p.name}  ({p.start} → {p.end})", p.name) for p in planned]
        choice = await self.app.push_screen_wait(ChooseModal("Plan which sprint?", options))
        if choice is not None:
            self.sprint_name = str(choice)
            self.reload()

    def action_more(self) -> None:
        if self.focused is self.sprint_table:
            self.sprint_limit += SPRINT_PAGE
        else:
            self.backlog_limit += PAGE
        self.reload()

    # -- planning --------------------------------------------------------------
    def action_enter(self) -> None:
        if self.focused is self.sprint_table:
            self.action_open_item()
        elif self.focused is self.backlog_table:
            self.action_pull()

    def action_backspace(self) -> None:
        if self.focused is self.sprint_table:
            self.action_push()

    def action_open_item(self) -> None:
        row = self.sprint_row if self.focused is self.sprint_table else self.backlog_row
        if row is not None:
            self.sapp.open_item(row.key)

    def _move_on_screen(self, row: ItemRow, sprint: str | None) -> None:
        """Show the move at once (the reload after the write confirms it), so
        that a quick second key press acts on the next row, not on this one."""
        data = self.data
        assert data is not None
        order = lambda r: (r.rank, r.id)  # noqa: E731
        moved = replace(row, sprint=sprint)
        if sprint is None:
            data.sprint_items = [r for r in data.sprint_items if r.key != row.key]
            data.sprint_total -= 1
            data.sprint_points -= row.points or 0
            data.backlog = sorted([*data.backlog, moved], key=order)
            data.backlog_total += 1
        else:
            data.backlog = [r for r in data.backlog if r.key != row.key]
            data.backlog_total -= 1
            data.sprint_items = sorted([*data.sprint_items, moved], key=order)
            data.sprint_total += 1
            data.sprint_points += row.points or 0
        if data.capacity is not None:  # the capacity figures too: a quick next pull is checked against them
            data.capacity = _with_moved(data.capacity, row, -1 if sprint is None else 1)
            self._show_head(data)
            self._show_capacity(data)
        self._show_items(data)

    def action_pull(self) -> None:
        row, data = self.backlog_row, self.data
        if row is None or data is None:
            return
        if data.sprint is None:
            self.notify("No sprint is planned. Press N to create one.", severity="warning", timeout=4)
            return
        name = data.sprint.name
        over = _over_capacity(data.capacity, row) if data.capacity is not None else []
        if not over:
            self._pull(row, name)
            return
        parts = []
        for what, by in over:
            if what == "stream":
                parts.append(f"stream {plain(row.stream, 20)} over its free capacity by {_cap(by)} pts")
            else:
                parts.append(f"{plain(name, 60)} as a whole over its free capacity by {_cap(by)} pts")
        question = (f"Pulling {row.key} ({_pts(row.points)} pts) into {plain(name, 60)} takes "
                    f"{' and '.join(parts)}. Pull it anyway?")

        def answered(ok: bool | None) -> None:
            if not ok:
                return
            # as it is now: a reload may have come while the question was open
            fresh = next((r for r in self.data.backlog if r.key == row.key), None) if self.data else None
            if fresh is None:
                self.notify(Content(f"{row.key} is no longer in the backlog"), severity="warning", timeout=4)
                return
            self._pull(fresh, name)

        self.app.push_screen(ConfirmModal(question), answered)

    def _pull(self, row: ItemRow, name: str) -> None:
        ctx, key = self.ctx, row.key
        self._move_on_screen(row, name)
        self.perform(Write(f"pull of {key} into {name}",
                           lambda: items_svc.plan_items(ctx, [key], name, expected_versions={key: row.version}),
                           Topic.ITEMS, undo=self._take_back))

    def action_push(self) -> None:
        row, data = self.sprint_row, self.data
        if row is None or data is None or data.sprint is None:
            return
        ctx, key, name = self.ctx, row.key, data.sprint.name
        self._move_on_screen(row, None)
        self.perform(Write(f"push of {key} back from {name} to the backlog",
                           lambda: items_svc.plan_items(ctx, [key], None, expected_versions={key: row.version}),
                           Topic.ITEMS, undo=self._take_back))

    def _take_back(self, planning: items_svc.Planning) -> list[ItemRow]:
        """Undo a pull or push: back where it was, unless someone changed it since."""
        versions = {k: v for k in planning.before if (v := self.sapp.own_version(k)) is not None}
        return items_svc.revert_planning(self.ctx, planning, versions=versions)

    # -- sprint life cycle -----------------------------------------------------
    @work(exclusive=True, group="dialog")
    async def action_start_sprint(self) -> None:
        data = self.data
        if data is None or data.sprint is None:
            self.notify("No sprint is planned. Press N to create one.", severity="warning", timeout=4)
            return
        name = data.sprint.name
        try:
            sprint = await asyncio.to_thread(sprints_svc.get_sprint, self.ctx, name)
            rows = await asyncio.to_thread(items_svc.list_items, self.ctx, ItemQuery(sprint=name))
        except SprintTuiError as err:
            self.sapp.report_error(err)
            return
        pts = sum(r.points or 0 for r in rows)
        # outside its planned dates it says so, with the dates, before what starting does
        question = _start_question(plain(name, 60), sprint.start, sprint.end, self.ctx.today())
        ok = await self.app.push_screen_wait(ConfirmModal(
            f"{question} Its {_n(len(rows), 'item')} ({_pts(pts)} points) become the commitment."))
        if not ok:
            return
        ctx = self.ctx
        self.perform(
            Write(f"start of {name}", lambda: sprints_svc.start_sprint(ctx, name), Topic.SPRINTS | Topic.ITEMS),
            done=lambda v: self.notify(
                Content(f"{plain(v.name, 60)} started: {_n(len(rows), 'item')}, {_pts(pts)} points committed"),
                timeout=4),
        )

    @work(exclusive=True, group="dialog")
    async def action_close_sprint(self) -> None:
        ctx = self.ctx
        try:
            active = await asyncio.to_thread(sprints_svc.active_sprint, ctx)
            planned = await asyncio.to_thread(sprints_svc.list_sprints, ctx, state="planned")
        except SprintTuiError as err:
            self.sapp.report_error(err)
            return
        if active is None:
            self.notify("No sprint is active: there is nothing to close.", severity="warning", timeout=4)
            return
        options: list[tuple[str, object]] = [
            (f"{p.name}  ({p.start} → {p.end})", p.name) for p in planned
        ]
        options.append(("backlog", "backlog"))
        target = await self.app.push_screen_wait(
            ChooseModal(f"Close {plain(active.name, 60)}: carry unfinished work over to", options))
        if target is None:
            return
        goal = f": {plain(active.goal, 80)}" if active.goal.strip() else ""
        met = await self.app.push_screen_wait(ChooseModal(
            f"{plain(active.name, 60)}: was its goal met{goal}?", list(GOAL_MET_CHOICES)))
        if met is None:
            return
        note = await self.app.push_screen_wait(PromptModal(
            f"Review note for {plain(active.name, 60)} (optional: enter leaves it empty)",
            allow_empty=True, check=sprints_svc.clean_note))
        if note is None:
            return
        goal_met = met if isinstance(met, bool) else None
        try:
            n = await asyncio.to_thread(
                items_svc.count_items, ctx, ItemQuery(sprint=active.name, include_done=False))
            done = await asyncio.to_thread(
                items_svc.count_items, ctx, ItemQuery(sprint=active.name, status="done"))
        except SprintTuiError as err:
            self.sapp.report_error(err)
            return
        where = "the backlog" if target == "backlog" else str(target)
        said = {True: "yes", False: "no", None: "not recorded"}[goal_met]
        question = _close_question(plain(active.name, 60), active.end, ctx.today(), done, n, plain(where, 60))
        ok = await self.app.push_screen_wait(ConfirmModal(
            f"{question} Goal met: {said}{'; with a review note' if note else ''}."))
        if not ok:
            return
        name = active.name

        def closed(res: sprints_svc.CloseResult) -> None:
            dest = plain(res.target, 60) if res.target else "the backlog"
            self.notify(Content(
                f"{plain(res.sprint.name, 60)} closed: {len(res.completed)} completed, "
                f"{len(res.carried)} carried over to {dest}"), timeout=5)

        self.perform(Write(f"close of {name}",
                           lambda: sprints_svc.close_sprint(ctx, name, carry_to=str(target), goal_met=goal_met,
                                                            review_note=note or None),
                           Topic.SPRINTS | Topic.ITEMS), done=closed)

    @work(exclusive=True, group="dialog")
    async def action_new_sprint(self) -> None:
        ctx = self.ctx
        try:
            sprints = await asyncio.to_thread(sprints_svc.list_sprints, ctx)
            # the next working day after the last sprint, the usual number of working days
            proposed = await asyncio.to_thread(sprints_svc.next_sprint_dates, ctx)
        except SprintTuiError as err:
            self.sapp.report_error(err)
            return
        names = [s.name for s in sprints]
        name = await self.app.push_screen_wait(PromptModal(
            "Name of the new sprint", value=sprints_svc.next_name(names),
            check=lambda value: sprints_svc.check_name(value, names)))
        if not name:
            return
        start_text = await self.app.push_screen_wait(PromptModal(
            f"{plain(name, 60)} starts on (2026-03-02, today, +2w, next monday)",
            value=proposed.start.isoformat(), check=ctx.day))
        if not start_text:
            return
        try:
            start = ctx.day(start_text)
            dates = proposed if start == proposed.start else await asyncio.to_thread(
                sprints_svc.next_sprint_dates, ctx, start)
        except SprintTuiError as err:
            self.sapp.report_error(err)
            return
        end_text = await self.app.push_screen_wait(PromptModal(
            f"{plain(name, 60)} ends on ({_n(dates.working_days, 'working day')} from the start by default; "
            "+2w counts from today)",
            value=dates.end.isoformat(), check=ctx.day))
        if not end_text:
            return
        try:
            end = ctx.day(end_text)
        except SprintTuiError as err:
            self.sapp.report_error(err)
            return

        def created(v: sprints_svc.SprintView) -> None:
            self.sprint_name = v.name
            self.notify(Content(f"{plain(v.name, 60)} planned: {v.start} to {v.end}"), timeout=4)

        self.perform(Write(f"new sprint {name}", lambda: sprints_svc.new_sprint(ctx, name, start=start, end=end),
                           Topic.SPRINTS), done=created)
