"""Screens 4–7 as read-only views of what the services hold today.

The interactive standup, evaluation, catch-up and KPI screens replace these;
until then a stream lead can at least see the data here.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import DataTable, Static

from sprinttui.services import standups as standups_svc
from sprinttui.tui.base import BaseScreen
from sprinttui.tui.safe import text


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
