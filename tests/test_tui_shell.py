"""Pilot tests of the application shell (the overview until the board lands)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable, Static

from sprinttui.services import items, sprints, streams
from sprinttui.tui.app import SprintTuiApp

HOSTILE = "a [/] b [bold]x[/bold] [@click=app.quit]y[/] [link=file:///etc/passwd]z[/link]"


def _setup(ctx):
    streams.add_stream(ctx, "SAL", "Sales")
    sprints.new_sprint(ctx, "S1", start="2026-01-05", end="2026-01-16", goal=HOSTILE)
    items.create_item(ctx, HOSTILE, stream="SAL", points=3, sprint="S1")
    items.create_item(ctx, "Plain item", stream="SAL", points=2, sprint="S1")
    sprints.start_sprint(ctx, "S1")


async def test_overview_shows_hostile_text_literally(ctx):
    _setup(ctx)
    app = SprintTuiApp(ctx)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.query_one(DataTable)
        assert table.row_count == 2
        titles = [table.get_row_at(i)[1] for i in range(table.row_count)]
        # long titles are cut with an ellipsis, the rest shown literally
        assert any(isinstance(t, Text) and t.plain == HOSTILE[:59] + "…" for t in titles)
        summary = app.query_one("#summary", Static)
        assert HOSTILE in str(summary.render())
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running  # the [@click=app.quit] text did not quit the app
        assert table.row_count == 2


async def test_q_quits(ctx):
    app = SprintTuiApp(ctx)
    async with app.run_test(notifications=True) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_stream_filter_limits_rows(ctx):
    _setup(ctx)
    streams.add_stream(ctx, "SRV", "Service")
    items.create_item(ctx, "Service item", stream="SRV", points=1, sprint="current")
    app = SprintTuiApp(ctx, stream="srv")
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.query_one(DataTable)
        assert [table.get_row_at(i)[0].plain for i in range(table.row_count)] == ["SRV-1"]
