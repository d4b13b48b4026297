"""Screens 4–7 as read-only views of what the services hold today.

The interactive standup, evaluation, catch-up and KPI screens replace these;
until then a stream lead can at least see the data here.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import DataTable, Static

from sprinttui.domain import SprintTuiError
from sprinttui.services import evaluations as evaluations_svc
from sprinttui.services import kpis as kpis_svc
from sprinttui.services import reports as reports_svc
from sprinttui.services import sprints as sprints_svc
from sprinttui.services import standups as standups_svc
from sprinttui.services.text import fmt_points
from sprinttui.tui.base import BaseScreen
from sprinttui.tui.safe import plain, text


class TableScreen(BaseScreen):
    """A heading and one table."""

    #: (label, width): fixed widths keep the layout the same however the rows arrive
    COLUMNS: tuple[tuple[str, int], ...] = ()
    DEFAULT_CSS = """
    TableScreen #view-heading { height: auto; padding: 0 1; }
    TableScreen DataTable { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static(Content("Loading…"), id="view-heading")
        yield DataTable(id="view-table", cursor_type="row", zebra_stripes=True)
        yield from self.compose_footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in self.COLUMNS:
            table.add_column(label, width=width)
        table.focus()  # BaseScreen.on_mount (called by Textual after this) loads the data

    def show(self, data: tuple[str, list[list]]) -> None:
        heading, rows = data
        self.query_one("#view-heading", Static).update(Content(heading))
        table = self.query_one(DataTable)
        table.clear()
        for row in rows:
            table.add_row(*[c if isinstance(c, Text) else text(c, limit=200) for c in row])


class StandupView(TableScreen):
    SCREEN_TITLE = "Standup"
    COLUMNS = (("Member", 12), ("Yesterday", 36), ("Today", 36), ("Blockers", 30), ("Absent", 6))

    def load(self):
        day = self.ctx.today()
        rows = standups_svc.entries(self.ctx, on=day)
        label = "today"
        if not rows:
            day = self.ctx.day("yesterday")
            rows = standups_svc.entries(self.ctx, on=day)
            label = "yesterday"
        return (
            f"Standup notes of {label} ({day.isoformat()}): {len(rows)} entries",
            [[r.member, r.yesterday, r.today, r.blockers, "yes" if r.absent else ""] for r in rows],
        )


class EvaluationsView(TableScreen):
    SCREEN_TITLE = "Evaluations"
    COLUMNS = (("Category", 17), ("Finding", 70), ("Votes", 5), ("Status", 11), ("Item", 16))

    def load(self):
        evs = evaluations_svc.list_evaluations(self.ctx)
        if not evs:
            return ("No evaluation yet.", [])
        ev = evs[-1]
        m = ev.metrics
        say_do = m.get("say_do_ratio")
        heading = (
            f"{plain(ev.kind)} evaluation of {plain(ev.sprint)} on {ev.date.isoformat()} · "
            f"committed {fmt_points(m.get('committed_points'))} · completed {fmt_points(m.get('completed_points'))}"
            f" · say/do {'-' if say_do is None else f'{say_do:.0%}'} · {len(evs)} evaluations in all"
        )
        rows = [
            [f.category.replace("_", " "), f.text, str(f.votes), f.status.replace("_", " "),
             f"{f.item_key} ({f.item_status})" if f.item_key else ""]
            for f in evaluations_svc.list_findings(self.ctx, ev.id, by_votes=True)
        ]
        return heading, rows


class CatchUpView(TableScreen):
    SCREEN_TITLE = "Catch-up"
    COLUMNS = (("Stream", 6), ("Key", 9), ("Title", 60), ("Pts", 4), ("Slips", 5), ("Why", 8))

    def load(self):
        rows, debt = [], 0.0
        for group in reports_svc.slipped_work(self.ctx, stream=self.stream):
            debt += group.debt_points
            seen = set()
            for why, items in (("slipped", group.slipped), ("overdue", group.overdue), ("blocked", group.blocked)):
                for r in items:
                    if (r.key, why) in seen:
                        continue
                    seen.add((r.key, why))
                    rows.append([r.stream, r.key, r.title, fmt_points(r.points), str(r.slip_count), why])
        return f"Slipped, overdue and long-blocked work · backlog debt {fmt_points(debt)} pts", rows


class KpiView(TableScreen):
    SCREEN_TITLE = "KPIs"
    COLUMNS = (("KPI", 40), ("Unit", 8), ("Baseline", 8), ("Target", 8), ("Latest", 8), ("Better", 6),
               ("Status", 10))

    def load(self):
        rows = []
        for k in kpis_svc.list_kpis(self.ctx):
            status = {True: "on track", False: "off track", None: "no data"}[k.on_track]
            if k.target_met:
                status = "target met"
            rows.append([k.name, k.unit, _num(k.baseline), _num(k.target), _num(k.latest), k.direction, status])
        try:
            sprint = sprints_svc.active_sprint(self.ctx)
        except SprintTuiError:
            sprint = None
        return f"KPI register · {len(rows)} KPIs" + (f" · sprint {plain(sprint.name)}" if sprint else ""), rows


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:g}"
