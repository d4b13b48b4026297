"""What a person types into the backlog search (2, then /) and the board filter
(1, then /) finds an item by its key, title, labels, description or assignee
(handle or name), driven through Textual's Pilot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import DataTable, Input

from sprinttui.services import items, members, sprints, streams
from sprinttui.tui.screens.backlog import BacklogScreen
from tui_support import board_of, keys_by_column, make_app, press, settle, type_text

SIZE = (120, 36)


@pytest.fixture
def proj(ctx):
    """Streams SAL and OPS (Operations), members alice (Alice Smith) and bob (Bob
    Jones), the active sprint S1 and the backlog:

    SAL-1 "Write migration plan"  S1 to do, label gdpr
    SAL-2 "Train sales team"      S1 to do, bob, description about the zebra printer
    SAL-3 "Pilot dashboards"      S1 doing, alice
    OPS-1 "Monitor rollout"       backlog, label gdpr, alice
    OPS-2 "Clean contact data"    backlog, description about the zebra printer
    """
    streams.add_stream(ctx, "SAL", "Sales")
    streams.add_stream(ctx, "OPS", "Operations")
    members.add_member(ctx, "alice", "Alice Smith", stream="SAL")
    members.add_member(ctx, "bob", "Bob Jones", stream="OPS")
    today = ctx.today()
    sprints.new_sprint(ctx, "S1", start=today - timedelta(days=2), end=today + timedelta(days=5))
    items.create_item(ctx, "Write migration plan", stream="SAL", sprint="S1", points=3, labels="gdpr")
    items.create_item(ctx, "Train sales team", stream="SAL", sprint="S1", points=2, assignee="bob",
                      description="Book the room.\nThe Zebra printer prints the badges.")
    items.create_item(ctx, "Pilot dashboards", stream="SAL", sprint="S1", status="doing", assignee="alice")
    items.create_item(ctx, "Monitor rollout", stream="OPS", points=2, labels=["gdpr", "ops"], assignee="alice")
    items.create_item(ctx, "Clean contact data", stream="OPS", description="zebra printer labels")
    sprints.start_sprint(ctx, "S1")
    return ctx


def shown_keys(screen: BacklogScreen) -> list[str]:
    return [row.key.value for row in screen.query_one(DataTable).ordered_rows]


def screen_text(app) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)


async def test_backlog_search_finds_labels_descriptions_and_assignees(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await press(app, pilot, "2")
        screen = app.screen
        assert isinstance(screen, BacklogScreen)
        assert shown_keys(screen) == ["SAL-1", "SAL-2", "SAL-3", "OPS-1", "OPS-2"]
        await press(app, pilot, "slash")
        assert app.focused is screen.query_one("#backlog-search", Input)
        await type_text(app, pilot, "GDPR")  # a label, in another case
        assert shown_keys(screen) == ["SAL-1", "OPS-1"]
        assert "search “GDPR”" in screen_text(app)
        await press(app, pilot, *["backspace"] * 4)
        await type_text(app, pilot, "zebra printer")  # words of the descriptions
        assert shown_keys(screen) == ["SAL-2", "OPS-2"]
        await press(app, pilot, *["backspace"] * 13)
        await type_text(app, pilot, "smith")  # the assignee's name
        assert shown_keys(screen) == ["SAL-3", "OPS-1"]
        await press(app, pilot, *["backspace"] * 5)
        await type_text(app, pilot, "bob")  # the assignee's handle
        assert shown_keys(screen) == ["SAL-2"]
        assert "1 open item" in screen_text(app)
        await press(app, pilot, "enter")  # keep the search, the keys go back to the table
        assert app.focused is screen.query_one(DataTable)
        assert shown_keys(screen) == ["SAL-2"]
        await press(app, pilot, "escape")
        assert len(shown_keys(screen)) == 5


async def test_board_filter_finds_labels_descriptions_and_assignees(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        board = board_of(app)
        assert keys_by_column(app) == [["SAL-1", "SAL-2"], ["SAL-3"], [], []]
        await press(app, pilot, "slash")
        await type_text(app, pilot, "jones")  # the assignee's name
        assert keys_by_column(app) == [["SAL-2"], [], [], []]
        assert "filter “jones”" in str(board.query_one("#board-stats").content)
        await press(app, pilot, *["backspace"] * 5)
        await type_text(app, pilot, "Gdpr")  # a label
        assert keys_by_column(app) == [["SAL-1"], [], [], []]
        await press(app, pilot, *["backspace"] * 4)
        await type_text(app, pilot, "the zebra")  # a description
        assert keys_by_column(app) == [["SAL-2"], [], [], []]
        await press(app, pilot, *["backspace"] * 9)
        await type_text(app, pilot, "alice")  # the assignee's handle
        assert keys_by_column(app) == [[], ["SAL-3"], [], []]
        await press(app, pilot, "enter")
        assert not board.query_one("#board-filter").display
        assert keys_by_column(app) == [[], ["SAL-3"], [], []]
        await press(app, pilot, "escape")
        assert keys_by_column(app) == [["SAL-1", "SAL-2"], ["SAL-3"], [], []]
        assert items.count_items(proj) == 5  # nothing was written
