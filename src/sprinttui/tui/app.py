"""The sprinttui application shell.

Until the board and the other screens land this shows an overview of the
project: the active sprint with its figures and the streams. Every piece of
user text is passed to widgets as Content or rich Text, never as markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static

from sprinttui.dates import today
from sprinttui.services import Ctx
from sprinttui.services import items as items_svc
from sprinttui.services import project as project_svc
from sprinttui.services import reports as reports_svc
from sprinttui.services import sprints as sprints_svc
from sprinttui.services.text import fmt_points


@dataclass
class Overview:
    project: str
    sprint: sprints_svc.SprintView | None
    report: reports_svc.SprintReport | None
    rows: list[items_svc.ItemRow]


class OverviewLoaded(Message):
    def __init__(self, overview: Overview) -> None:
        super().__init__()
        self.overview = overview


class SprintTuiApp(App):
    TITLE = "sprinttui"
    CSS = """
    #summary { height: auto; padding: 0 1; }
    #items { height: 1fr; }
    """
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("r", "reload", "Reload"),
    ]

    def __init__(self, ctx: Ctx, *, stream: str | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.stream = stream.upper() if stream else None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical():
            yield Static(Content("Loading…"), id="summary")
            yield DataTable(id="items", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Key", "Title", "Status", "Pts", "Assignee", "Stream")
        self.sub_title = f"user {self.ctx.user}"
        self.action_reload()

    def action_reload(self) -> None:
        self.load_overview()

    @work(thread=True, exclusive=True)
    def load_overview(self) -> None:
        settings = project_svc.get_settings(self.ctx)
        sprint = sprints_svc.active_sprint(self.ctx)
        report = rows = None
        if sprint is not None:
            report = reports_svc.sprint_report(self.ctx, sprint.name, stream=self.stream)
            rows = items_svc.list_items(
                self.ctx, sprint=sprint.name, stream=self.stream, order="status", limit=500
            )
        self.post_message(OverviewLoaded(Overview(settings.name, sprint, report, rows or [])))

    def on_overview_loaded(self, message: OverviewLoaded) -> None:
        ov = message.overview
        self.title = ov.project
        summary = self.query_one("#summary", Static)
        if ov.sprint is None:
            summary.update(Content("No sprint is active. Plan and start one with the sprinttui CLI."))
        else:
            t = ov.report.totals
            days_left = max((ov.sprint.end - today()).days, 0)
            summary.update(
                Content.from_markup(
                    "[b]$name[/b]  $start → $end  ($left days left)\nGoal: $goal\n"
                    "Done $done of $committed committed points · added $added · removed $removed",
                    name=ov.sprint.name,
                    start=ov.sprint.start.isoformat(),
                    end=ov.sprint.end.isoformat(),
                    left=str(days_left),
                    goal=ov.sprint.goal or "-",
                    done=fmt_points(t.completed_points),
                    committed=fmt_points(t.committed_points),
                    added=fmt_points(t.added_points),
                    removed=fmt_points(t.removed_points),
                )
            )
        table = self.query_one(DataTable)
        table.clear()
        for r in ov.rows:
            title = r.title if len(r.title) <= 60 else r.title[:59] + "…"
            table.add_row(
                Text(r.key), Text(title), Text(r.status), Text(fmt_points(r.points)),
                Text(r.assignee or ""), Text(r.stream), key=r.key,
            )


def run(ctx: Ctx, stream: str | None = None) -> None:
    SprintTuiApp(ctx, stream=stream).run()
