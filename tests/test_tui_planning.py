"""The Planning screen (3) driven through Textual's Pilot.

Every binding is pressed and checked twice: in the database through the
services and on screen (DataTable cells, the head lines, dialogs and
notifications).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from textual.widgets import DataTable, Input, Static

from sprinttui.services import items, members, project, sprints, streams
from sprinttui.services.text import fmt_points
from sprinttui.tui.app import SprintTuiApp
from sprinttui.tui.modals import ChooseModal, ConfirmModal, PromptModal
from sprinttui.tui.screens.planning import PlanningScreen
from tui_support import changed_elsewhere, dialog_text, press, settle, type_text, until

SIZE = (120, 36)


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def plan(ctx):
    """SAL (alice 100 %) and OPS (bob 50 %); planned sprints S1 and S2 of ten
    working days each (1 point per day: SAL 10 pts, OPS 5 pts, total 15).
    S1 holds SAL-1 (5 pts); the backlog SAL-2 (6), SAL-3 (3), OPS-1 (2) and a
    done OPS-2 that must not show."""
    streams.add_stream(ctx, "SAL", "Sales")
    streams.add_stream(ctx, "OPS", "Operations")
    members.add_member(ctx, "alice", "Alice Smith", stream="SAL")
    members.add_member(ctx, "bob", "Bob Jones", stream="OPS", availability=50)
    sprints.new_sprint(ctx, "S1", start="2026-03-02", end="2026-03-13")
    sprints.new_sprint(ctx, "S2", start="2026-03-16", end="2026-03-27")
    items.create_item(ctx, "Migration plan", stream="SAL", sprint="S1", points=5)  # SAL-1
    items.create_item(ctx, "Train sales", stream="SAL", points=6)  # SAL-2
    items.create_item(ctx, "Pilot dashboards", stream="SAL", points=3)  # SAL-3
    items.create_item(ctx, "Monitoring", stream="OPS", points=2)  # OPS-1
    items.create_item(ctx, "Old tickets", stream="OPS", points=1, status="done")  # OPS-2
    return ctx


def new_app(c, **kw) -> SprintTuiApp:
    return SprintTuiApp(c, watch=False, **kw)


async def open_planning(app, pilot) -> PlanningScreen:
    await settle(app, pilot)
    await press(app, pilot, "3")
    return screen_of(app)


async def answer(app, pilot, value: str) -> None:
    """Replace the text of the open PromptModal and submit it."""
    assert isinstance(app.screen, PromptModal), app.screen
    app.screen.query_one(Input).value = value
    await press(app, pilot, "enter")


def screen_of(app) -> PlanningScreen:
    assert isinstance(app.screen, PlanningScreen), f"expected planning, got {app.screen!r}"
    return app.screen


def rows(scr, table_id: str) -> list[list[str]]:
    t = scr.query_one(f"#{table_id}", DataTable)
    return [[cell.plain for cell in t.get_row_at(i)] for i in range(t.row_count)]


def column(scr, table_id: str, label: str) -> dict[str, str]:
    """First cell → the cell under `label`, for each row."""
    t = scr.query_one(f"#{table_id}", DataTable)
    labels = [c.label.plain for c in t.ordered_columns]
    i = labels.index(label)
    return {r[0]: r[i] for r in rows(scr, table_id)}


def keys(scr, table_id: str) -> list[str]:
    return [r[0] for r in rows(scr, table_id)]


def shown(scr, widget_id: str) -> str:
    r = scr.query_one(f"#{widget_id}", Static).render()
    return getattr(r, "plain", str(r))


def title_of(widget) -> str:
    return widget._border_title.plain if widget._border_title is not None else ""


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def errors(app) -> list[str]:
    return [str(n.message) for n in app._notifications if n.severity == "error"]


async def pull_over_capacity(app, pilot, key: str = "greater_than_sign") -> str:
    """Pull (> or enter) a row that takes its stream or the sprint over its
    free capacity: the question it asks, answered yes."""
    await press(app, pilot, key)
    assert isinstance(app.screen, ConfirmModal), app.screen
    question = app.screen.question
    await press(app, pilot, "y")
    return question


def on_day(c, day: str):
    """`c` with a clock standing at 09:00 UTC on `day`."""
    moment = datetime.fromisoformat(day).replace(hour=9, tzinfo=UTC)
    return replace(c, clock=lambda: moment)


def sprint_of(c, key: str) -> str | None:
    return items.get_row(c, key).sprint


def state(c, name: str) -> str:
    return sprints.get_sprint(c, name).state


# --------------------------------------------------------------------------- showing


async def test_shows_capacity_per_member_and_stream_items_and_backlog(plan):
    app = new_app(plan)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_planning(app, pilot)
        head = shown(scr, "plan-title")
        assert "S1" in head and "2026-03-02" in head and "10 working days" in head
        assert "1 of 2 ([ ] t)" in head
        # members: availability, absence, capacity days
        assert rows(scr, "plan-members") == [
            ["alice", "SAL", "100%", "0", "10"],
            ["bob", "OPS", "50%", "0", "5"],
        ]
        # streams: capacity days, capacity points, committed, status, velocity
        assert rows(scr, "plan-streams") == [
            ["OPS", "5", "5", "0", "ok, 5 free", "-"],
            ["SAL", "10", "10", "5", "ok, 5 free", "-"],
            ["TOTAL", "15", "15", "5", "ok, 10 free", "-"],
        ]
        total = shown(scr, "plan-total")
        assert total == "Committed 5 of 15 pts capacity (15 days) · velocity - · 10 pts free"
        assert keys(scr, "plan-sprint") == ["SAL-1"]
        # top ranked, not done
        assert keys(scr, "plan-backlog") == ["SAL-2", "SAL-3", "OPS-1"]
        assert rows(scr, "plan-backlog")[0] == ["SAL-2", "6", "Train sales"]
        assert "3 of 3 open" in title_of(scr.backlog_table)
        assert "In S1" in title_of(scr.sprint_table) and "5 pts" in title_of(scr.sprint_table)
        assert scr.focused is scr.backlog_table


async def test_velocity_of_the_last_closed_sprints_is_shown(plan):
    sprints.new_sprint(plan, "S0", start="2026-02-16", end="2026-02-27")
    items.create_item(plan, "Done before", stream="SAL", sprint="S0", points=4, status="done")
    sprints.start_sprint(plan, "S0")
    sprints.close_sprint(plan, "S0", carry_to="backlog")
    app = new_app(plan)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_planning(app, pilot)
        vel = column(scr, "plan-streams", "Velocity")
        assert vel["SAL"] == "4" and vel["TOTAL"] == "4" and vel["OPS"] == "0"
        assert "velocity 4" in shown(scr, "plan-total")


async def test_fits_80_by_24_and_adapts_to_the_width(plan):
    for i in range(10):  # a bigger team: the capacity area must not crowd out the items
        members.add_member(plan, f"member{i}", f"Member {i}", stream="OPS", availability=10)
    app = new_app(plan)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        scr = await open_planning(app, pilot)
        for tid in ("plan-sprint", "plan-backlog", "plan-streams", "plan-members"):
            t = scr.query_one(f"#{tid}", DataTable)
            assert t.region.width > 0 and t.region.height >= 3
            assert t.region.right <= 80 and t.region.bottom <= 23
        assert scr.backlog_table.region.height >= 8  # border, header and at least five rows
        assert "\n" not in shown(scr, "plan-title") and len(shown(scr, "plan-title")) <= 78
        # the status column is visible without scrolling in the narrow layout
        labels = [c.label.plain for c in scr.query_one("#plan-streams", DataTable).ordered_columns]
        assert labels[:5] == ["Stream", "Days", "Cap", "Plan", "Status"]
        assert [c.label.plain for c in scr.sprint_table.ordered_columns] == ["Key", "Pts", "Title"]
        assert keys(scr, "plan-backlog") == ["SAL-2", "SAL-3", "OPS-1"]
        # wider: the long headings, the member's stream and the item status come back
        await pilot.resize_terminal(120, 36)
        await settle(app, pilot)
        wide = ["Stream", "Cap d", "Cap pts", "Committed", "Status", "Velocity"]
        await until(pilot, lambda: [c.label.plain for c in scr.query_one("#plan-streams", DataTable).ordered_columns]
                    == wide, "the long headings")
        await settle(app, pilot)
        assert [c.label.plain for c in scr.sprint_table.ordered_columns] == ["Key", "Pts", "Status", "Title"]
        assert rows(scr, "plan-members")[0] == ["alice", "SAL", "100%", "0", "10"]


async def test_stream_filter_is_honoured(plan):
    app = new_app(plan, stream="OPS")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_planning(app, pilot)
        assert keys(scr, "plan-backlog") == ["OPS-1"]
        assert keys(scr, "plan-sprint") == []
        assert keys(scr, "plan-members") == ["bob"]
        assert keys(scr, "plan-streams") == ["OPS", "TOTAL"]
        assert "stream OPS" in title_of(scr.backlog_table)
        # switching the filter off shows everything again
        app.set_stream_filter(None)
        await settle(app, pilot)
        assert keys(scr, "plan-backlog") == ["SAL-2", "SAL-3", "OPS-1"]


async def test_backlog_pages_with_m(plan):
    for i in range(55):
        items.create_item(plan, f"Filler {i}", stream="OPS", points=1)
    app = new_app(plan)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_planning(app, pilot)
        assert len(keys(scr, "plan-backlog")) == 50
        assert "50 of 58 open" in title_of(scr.backlog_table)
        assert "m: more" in title_of(scr.backlog_table)
        await press(app, pilot, "m")
        assert len(keys(scr, "plan-backlog")) == 58
        assert "more" not in title_of(scr.backlog_table)


async def test_a_big_planned_sprint_shows_its_full_count_and_pages_with_m(plan, monkeypatch):
    from sprinttui.tui.screens import planning

    monkeypatch.setattr(planning, "SPRINT_PAGE", 5)
    before = items.count_items(plan, sprint="S1")
    for i in range(12):
        items.create_item(plan, f"Planned {i}", stream="OPS", points=2, sprint="S1")
    total = before + 12
    app = new_app(plan)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_planning(app, pilot)
        assert len(keys(scr, "plan-sprint")) == 5
        title = title_of(scr.sprint_table)
        assert f"{total} items" in title and "5 shown · m: more" in title
        pts = items.count_and_points(plan, sprint="S1")[1]
        assert f"{fmt_points(pts)} pts" in title  # the points of all of them, not of those shown
        scr.sprint_table.focus()
        await press(app, pilot, "m")
        assert len(keys(scr, "plan-sprint")) == 10
        await press(app, pilot, "m")
        assert len(keys(scr, "plan-sprint")) == total
        assert "m: more" not in title_of(scr.sprint_table)


# --------------------------------------------------------------------------- pull / push


async def test_pull_and_push_move_items_and_update_the_figures(plan):
    app = new_app(plan)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_planning(app, pilot)
        await pull_over_capacity(app, pilot)  # SAL-2 (6 pts) into S1: SAL 11 > 10
        assert sprint_of(plan, "SAL-2") == "S1"
        assert keys(scr, "plan-sprint") == ["SAL-1", "SAL-2"]
        assert keys(scr, "plan-backlog") == ["SAL-3", "OPS-1"]
        assert column(scr, "plan-streams", "Committed")["SAL"] == "11"
        assert column(scr, "plan-streams", "Committed")["TOTAL"] == "11"
        assert shown(scr, "plan-total").startswith("Committed 11 of 15 pts")
        assert app.undo_stack[-1].description == "pull of SAL-2 into S1"
        # enter pulls the backlog row under the cursor too: SAL-3 (the cursor stayed at row 0)
        await pull_over_capacity(app, pilot, "enter")
        assert sprint_of(plan, "SAL-3") == "S1"
        assert keys(scr, "plan-backlog") == ["OPS-1"]
        # tab to the sprint table; < pushes the row under its cursor back
        await press(app, pilot, "tab")
        assert scr.focused is scr.sprint_table
        await press(app, pilot, "down", "less_than_sign")  # SAL-2
        assert sprint_of(plan, "SAL-2") is None
        assert keys(scr, "plan-sprint") == ["SAL-1", "SAL-3"]
        assert column(scr, "plan-streams", "Committed")["SAL"] == "8"
        assert app.undo_stack[-1].description == "push of SAL-2 back from S1 to the backlog"
        # backspace on a sprint row pushes it back as well (the cursor stayed on row 1: SAL-3)
        await press(app, pilot, "backspace")
        assert sprint_of(plan, "SAL-3") is None
        assert keys(scr, "plan-sprint") == ["SAL-1"]
        # tab goes back to the backlog
        await press(app, pilot, "tab")
        assert scr.focused is scr.backlog_table
        assert not errors(app)


async def test_quick_repeated_pulls_take_the_next_rows(plan):
    project.update_settings(plan, points_per_day=2)  # room for both: no question in between
    app = new_app(plan)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_planning(app, pilot)
        await pilot.press("greater_than_sign", "greater_than_sign")  # no settling in between
        assert keys(scr, "plan-backlog") == ["OPS-1"]  # shown at once
        await settle(app, pilot)
        assert not errors(app), notes(app)
        assert [r.key for r in items.list_items(plan, sprint="S1")] == ["SAL-1", "SAL-2", "SAL-3"]
        assert keys(scr, "plan-sprint") == ["SAL-1", "SAL-2", "SAL-3"]
        await pilot.press("tab", "less_than_sign", "less_than_sign")
        await settle(app, pilot)
        assert not errors(app), notes(app)
        assert [r.key for r in items.list_items(plan, sprint="S1")] == ["SAL-3"]
        assert keys(scr, "plan-backlog") == ["SAL-1", "SAL-2", "OPS-1"]
        # two undos put both back
        await press(app, pilot, "u")
        await press(app, pilot, "u")
        assert [r.key for r in items.list_items(plan, sprint="S1")] == ["SAL-1", "SAL-2", "SAL-3"]


async def test_backspace_on_the_backlog_and_enter_without_rows_do_nothing(plan):
    app = new_app(plan)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_planning(app, pilot)
        await press(app, pilot, "backspace")
        assert keys(scr, "plan-backlog") == ["SAL-2", "SAL-3", "OPS-1"]
        assert [r.key for r in items.list_items(plan, sprint="S1")] == ["SAL-1"]
        for key in ("SAL-2", "SAL-3", "OPS-1"):
            items.plan_item(plan, key, "S1")
        changed_elsewhere(app)
        await settle(app, pilot)
        assert keys(scr, "plan-backlog") == []
        await press(app, pilot, "greater_than_sign", "enter")
        assert not errors(app)
        assert len(keys(scr, "plan-sprint")) == 4


async def test_over_commit_warning_per_stream_and_in_total(plan):
    app = new_app(plan)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_planning(app, pilot)
        await pull_over_capacity(app, pilot)  # SAL-2: SAL 11 > 10
        status = column(scr, "plan-streams", "Status")
        assert status["SAL"] == "OVER-COMMITTED by 1"
        assert status["OPS"].startswith("ok") and status["TOTAL"].startswith("ok")
        total = shown(scr, "plan-total")
        assert "OVER-COMMITTED stream: SAL" in total
        assert total.startswith("Committed 11 of 15 pts capacity (15 days) · velocity - · 4 pts free · ")
        # the warning is coloured as an error, not only worded
        t = scr.query_one("#plan-streams", DataTable)
        cell = t.get_row_at(1)[4]
        assert cell.plain == "OVER-COMMITTED by 1" and "bold" in str(cell.style)
        # pull everything: the total is over-committed too (5+6+3+2 = 16 > 15)
        await pull_over_capacity(app, pilot)
        await pull_over_capacity(app, pilot)
        assert keys(scr, "plan-backlog") == []
        status = column(scr, "plan-streams", "Status")
        assert status["TOTAL"] == "OVER-COMMITTED by 1" and status["SAL"] == "OVER-COMMITTED by 4"
        assert status["OPS"] == "ok, 3 free"
        total = shown(scr, "plan-total")
        assert total == ("Committed 16 of 15 pts capacity (15 days) · velocity - · OVER-COMMITTED by 1 pts"
                         " · OVER-COMMITTED stream: SAL")
        # push SAL-2 and SAL-3 back: the warnings disappear
        await press(app, pilot, "tab", "down", "less_than_sign")
        await press(app, pilot, "less_than_sign")
        assert keys(scr, "plan-sprint") == ["SAL-1", "OPS-1"]
        status = column(scr, "plan-streams", "Status")
        assert not any("OVER" in v for v in status.values())
        assert "OVER" not in shown(scr, "plan-total")


async def test_a_pull_over_the_free_capacity_asks_first(plan):
    app = new_app(plan)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        scr = await open_planning(app, pilot)
        # SAL-2 (6 pts): SAL has 5 free of 10
        await press(app, pilot, "greater_than_sign")
        assert isinstance(app.screen, ConfirmModal)
        question = "Pulling SAL-2 (6 pts) into S1 takes stream SAL over its free capacity by 1 pts. Pull it anyway?"
        assert app.screen.question == question
        assert question in dialog_text(app)
        await press(app, pilot, "n")  # no: nothing moves
        assert sprint_of(plan, "SAL-2") is None and keys(scr, "plan-backlog") == ["SAL-2", "SAL-3", "OPS-1"]
        assert column(scr, "plan-streams", "Plan")["SAL"] == "5"  # "Committed", at 80 columns
        # SAL-3 (3 pts) fits: no question
        await press(app, pilot, "down", "greater_than_sign")
        assert isinstance(app.screen, PlanningScreen) and sprint_of(plan, "SAL-3") == "S1"
        # now SAL-2 goes over by 4, enter asks too; yes pulls it
        await press(app, pilot, "up")
        assert await pull_over_capacity(app, pilot, "enter") == (
            "Pulling SAL-2 (6 pts) into S1 takes stream SAL over its free capacity by 4 pts. Pull it anyway?")
        assert sprint_of(plan, "SAL-2") == "S1"
        # OPS-1 (2 pts) fits its stream (5 free) but not the sprint (15 - 14 = 1 free)
        assert await pull_over_capacity(app, pilot) == (
            "Pulling OPS-1 (2 pts) into S1 takes S1 as a whole over its free capacity by 1 pts. Pull it anyway?")
        assert sprint_of(plan, "OPS-1") == "S1"
        assert not errors(app)


async def test_quick_pulls_are_checked_against_what_was_pulled_just_before(plan):
    app = new_app(plan)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_planning(app, pilot)
        await press(app, pilot, "down")  # SAL-3 (3 pts): SAL 8 of 10
        await pilot.press("greater_than_sign", "greater_than_sign")  # no settling in between: OPS-1 (2 pts) next
        await settle(app, pilot)
        assert [r.key for r in items.list_items(plan, sprint="S1")] == ["SAL-1", "SAL-3", "OPS-1"]
        assert column(scr, "plan-streams", "Committed")["TOTAL"] == "10"
        # SAL-2 (6 pts) at once after pulling SAL-3: counted with it (SAL 14 > 10)
        await press(app, pilot, "up", "greater_than_sign")
        assert isinstance(app.screen, ConfirmModal)
        assert "takes stream SAL over its free capacity by 4 pts and S1 as a whole over its free capacity by 1 pts" \
            in app.screen.question
        await press(app, pilot, "escape")
        assert sprint_of(plan, "SAL-2") is None


async def test_undo_reverts_a_pull(plan):
    app = new_app(plan)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_planning(app, pilot)
        await pull_over_capacity(app, pilot)
        assert sprint_of(plan, "SAL-2") == "S1"
        await press(app, pilot, "u")
        assert sprint_of(plan, "SAL-2") is None
        assert keys(scr, "plan-backlog") == ["SAL-2", "SAL-3", "OPS-1"]
        assert column(scr, "plan-streams", "Committed")["SAL"] == "5"
        assert notes(app)[-1] == "Undone: pull of SAL-2 into S1"
        # and a push is undone back into the sprint
        await press(app, pilot, "tab", "less_than_sign")
        assert sprint_of(plan, "SAL-1") is None
        await press(app, pilot, "u")
        assert sprint_of(plan, "SAL-1") == "S1"


async def test_choose_another_planned_sprint(plan):
    items.create_item(plan, "For later", stream="OPS", sprint="S2", points=1)  # OPS-3
    app = new_app(plan)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_planning(app, pilot)
        await press(app, pilot, "right_square_bracket")
        assert keys(scr, "plan-sprint") == ["OPS-3"]
        assert shown(scr, "plan-title").startswith("S2") and "2 of 2 ([ ] t)" in shown(scr, "plan-title")
        # pulling now plans into S2
        await press(app, pilot, "greater_than_sign")
        assert sprint_of(plan, "SAL-2") == "S2"
        assert app.undo_stack[-1].description == "pull of SAL-2 into S2"
        await press(app, pilot, "left_square_bracket")
        assert keys(scr, "plan-sprint") == ["SAL-1"]
        await press(app, pilot, "left_square_bracket")  # wraps around
        assert keys(scr, "plan-sprint") == ["SAL-2", "OPS-3"]  # by rank
        # the chooser
        await press(app, pilot, "t")
        assert isinstance(app.screen, ChooseModal)
        assert [v for _label, v in app.screen.options] == ["S1", "S2"]
        await type_text(app, pilot, "S1")
        await press(app, pilot, "enter")
        scr = screen_of(app)
        assert keys(scr, "plan-sprint") == ["SAL-1"]
        # escape keeps the sprint
        await press(app, pilot, "t", "escape")
        assert keys(screen_of(app), "plan-sprint") == ["SAL-1"]


# --------------------------------------------------------------------------- start


async def test_start_the_planned_sprint(plan):
    plan = on_day(plan, "2026-03-02")  # S1's first day
    app = new_app(plan)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_planning(app, pilot)
        await press(app, pilot, "s")
        assert isinstance(app.screen, ConfirmModal)
        assert app.screen.question == "Start S1 now? Its 1 item (5 points) become the commitment."
        await press(app, pilot, "n")  # no: nothing happens
        assert state(plan, "S1") == "planned"
        await press(app, pilot, "s", "y")
        assert state(plan, "S1") == "active"
        assert "S1 started: 1 item, 5 points committed" in notes(app)
        # the screen moves on to the next planned sprint and names the active one
        scr = screen_of(app)
        head = shown(scr, "plan-title")
        assert head.startswith("S2 (planned)")
        assert app.sub_title.startswith("S1")


async def test_starting_before_its_start_date_asks_with_the_dates(plan):
    plan = on_day(plan, "2026-02-25")  # a Wednesday; S1 starts on Monday 2 March
    app = new_app(plan)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_planning(app, pilot)
        await press(app, pilot, "s")
        assert isinstance(app.screen, ConfirmModal)
        question = ("S1 is planned to start on Mon 02 Mar, in 5 days. Start it today, Wed 25 Feb? "
                    "Its 1 item (5 points) become the commitment.")
        assert app.screen.question == question
        assert question in dialog_text(app)  # all of it, wrapped, at 80×24
        await press(app, pilot, "n")
        assert state(plan, "S1") == "planned"
        await press(app, pilot, "s", "y")
        assert state(plan, "S1") == "active"


async def test_starting_after_its_end_date_asks_with_the_dates(plan):
    plan = on_day(plan, "2026-03-16")  # S1 was to end on Friday 13 March
    app = new_app(plan)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_planning(app, pilot)
        await press(app, pilot, "s")
        assert app.screen.question.startswith(
            "S1 was planned to end on Fri 13 Mar, 3 days ago. Start it today, Mon 16 Mar? ")
        await press(app, pilot, "n")
        assert state(plan, "S1") == "planned"
    # the day before its start, and in another year
    for day, said in (("2026-03-01", "S1 is planned to start on Mon 02 Mar, tomorrow. Start it today, Sun 01 Mar?"),
                      ("2025-12-31", "S1 is planned to start on Mon 02 Mar 2026, in 61 days. "
                                     "Start it today, Wed 31 Dec?")):
        app = new_app(on_day(plan, day))
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await open_planning(app, pilot)
            await press(app, pilot, "s")
            assert app.screen.question.startswith(said + " Its 1 item"), app.screen.question
            await press(app, pilot, "escape")


async def test_start_is_refused_while_another_sprint_is_active(plan):
    sprints.start_sprint(plan, "S1")
    app = new_app(plan)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_planning(app, pilot)
        assert shown(scr, "plan-title").startswith("S2")
        await press(app, pilot, "s", "y")
        assert state(plan, "S2") == "planned"
        assert any("S1 is still active" in e for e in errors(app))
        assert isinstance(app.screen, PlanningScreen)


# --------------------------------------------------------------------------- close


@pytest.fixture
def running(plan):
    """S1 active with SAL-1 (todo), SAL-2 (done) and SAL-3 (doing); S2 and S3 planned."""
    items.plan_items(plan, ["SAL-2", "SAL-3"], "S1")
    sprints.start_sprint(plan, "S1")
    items.move_item(plan, "SAL-2", "done")
    items.move_item(plan, "SAL-3", "doing")
    sprints.new_sprint(plan, "S3", start="2026-03-30", end="2026-04-10")
    return plan


async def test_close_carries_unfinished_work_to_a_chosen_planned_sprint(running):
    app = new_app(running)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_planning(app, pilot)
        await press(app, pilot, "c")
        assert isinstance(app.screen, ChooseModal)
        assert [v for _l, v in app.screen.options] == ["S2", "S3", "backlog"]
        assert "S1" in app.screen.choose_title
        await type_text(app, pilot, "S3")
        await press(app, pilot, "enter")
        await press(app, pilot, "enter", "enter")  # goal met: yes (the first choice); no review note
        assert isinstance(app.screen, ConfirmModal)
        q = app.screen.question
        assert "Close S1?" in q and "1 done item stay" in q and "2 unfinished items will move to S3" in q
        await press(app, pilot, "y")
        assert state(running, "S1") == "closed"
        assert (sprints.get_sprint(running, "S1").goal_met, sprints.get_sprint(running, "S1").review_note) == (
            True, "")
        for key in ("SAL-1", "SAL-3"):
            row = items.get_row(running, key)
            assert row.sprint == "S3" and row.slip_count == 1
        assert items.get_row(running, "SAL-2").sprint == "S1"
        assert items.get_row(running, "SAL-2").slip_count == 0
        assert "S1 closed: 1 completed, 2 carried over to S3" in notes(app)
        # S3 on screen shows the carried items with their slip mark
        scr = screen_of(app)
        await press(app, pilot, "t")
        await type_text(app, pilot, "S3")
        await press(app, pilot, "enter")
        scr = screen_of(app)
        assert keys(scr, "plan-sprint") == ["SAL-1", "SAL-3"]
        assert rows(scr, "plan-sprint")[0][3].endswith("↻1")


async def test_close_carries_unfinished_work_to_the_backlog(running):
    app = new_app(running)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_planning(app, pilot)
        await press(app, pilot, "c")
        await type_text(app, pilot, "backlog")
        await press(app, pilot, "enter")
        await close_answers(app, pilot, "not recorded", "")
        assert "2 unfinished items will move to the backlog" in app.screen.question
        await press(app, pilot, "y")
        assert state(running, "S1") == "closed"
        for key in ("SAL-1", "SAL-3"):
            row = items.get_row(running, key)
            assert row.sprint is None and row.slip_count == 1
        assert "S1 closed: 1 completed, 2 carried over to the backlog" in notes(app)
        scr = screen_of(app)
        assert {"SAL-1", "SAL-3"} <= set(keys(scr, "plan-backlog"))


async def close_answers(app, pilot, goal_met: str, note: str) -> None:
    """Answer the close's questions after the carry-over target: goal met? then the review note."""
    assert isinstance(app.screen, ChooseModal), app.screen
    await type_text(app, pilot, goal_met)
    await press(app, pilot, "enter")
    await answer(app, pilot, note)


NOTE = "Vendor late [b]again[/b] <i>x</i>"


async def test_close_asks_whether_the_goal_was_met_and_takes_a_review_note(running):
    sprints.edit_sprint(running, "S1", goal="Pilot [red]ready[/red]")
    app = new_app(running)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_planning(app, pilot)
        await press(app, pilot, "c")
        await type_text(app, pilot, "S2")
        await press(app, pilot, "enter")
        assert isinstance(app.screen, ChooseModal)
        assert app.screen.choose_title == "S1: was its goal met: Pilot [red]ready[/red]?"
        assert [label for label, _v in app.screen.options] == ["yes", "no", "not recorded"]
        await type_text(app, pilot, "no")
        await press(app, pilot, "enter")
        assert isinstance(app.screen, PromptModal) and "Review note for S1" in app.screen.prompt_title
        await answer(app, pilot, NOTE)
        assert isinstance(app.screen, ConfirmModal)
        assert app.screen.question.endswith(
            "will move to S2 and their slip count grows by one. Goal met: no; with a review note.")
        await press(app, pilot, "y")
        v = sprints.get_sprint(running, "S1")
        assert (v.state, v.goal_met, v.review_note) == ("closed", False, NOTE)  # the note as typed, not markup
        assert "S1 closed: 1 completed, 2 carried over to S2" in notes(app)


async def test_close_cancelled_at_the_goal_or_the_note_changes_nothing(running):
    app = new_app(running)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_planning(app, pilot)
        await press(app, pilot, "c")
        await type_text(app, pilot, "S2")
        await press(app, pilot, "enter")
        assert isinstance(app.screen, ChooseModal) and "was its goal met" in app.screen.choose_title
        await press(app, pilot, "escape")  # goal met? cancelled
        assert isinstance(app.screen, PlanningScreen)
        await press(app, pilot, "c")
        await type_text(app, pilot, "S2")
        await press(app, pilot, "enter", "enter")
        assert isinstance(app.screen, PromptModal) and "Review note" in app.screen.prompt_title
        await press(app, pilot, "escape")  # the review note cancelled
        assert isinstance(app.screen, PlanningScreen)
        v = sprints.get_sprint(running, "S1")
        assert (v.state, v.goal_met, v.review_note) == ("active", None, "")
        assert items.get_row(running, "SAL-1").sprint == "S1"


async def test_close_can_be_cancelled_and_needs_an_active_sprint(running):
    app = new_app(running)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_planning(app, pilot)
        await press(app, pilot, "c", "escape")  # chooser cancelled
        assert state(running, "S1") == "active"
        await press(app, pilot, "c")
        await type_text(app, pilot, "S2")
        await press(app, pilot, "enter", "enter", "enter", "n")  # target, goal, note; confirmation refused
        assert state(running, "S1") == "active"
        assert items.get_row(running, "SAL-1").sprint == "S1"
        assert sprints.get_sprint(running, "S1").goal_met is None
    sprints.close_sprint(running, "S1", carry_to="backlog")
    app = new_app(running)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_planning(app, pilot)
        await press(app, pilot, "c")
        assert isinstance(app.screen, PlanningScreen)
        assert "No sprint is active: there is nothing to close." in notes(app)


# --------------------------------------------------------------------------- new sprint


async def test_new_sprint_with_the_defaults(plan):
    project.update_settings(plan, sprint_length_days=14)
    app = new_app(plan)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_planning(app, pilot)
        await press(app, pilot, "N")
        assert isinstance(app.screen, PromptModal)
        assert app.screen.query_one(Input).value == "S3"
        await press(app, pilot, "enter")
        # S2 ends on Friday 27 March: S3 starts on the next working day, the Monday,
        # and holds the ten working days of the project's sprint length (14 days)
        assert app.screen.query_one(Input).value == "2026-03-30"
        await press(app, pilot, "enter")
        assert app.screen.query_one(Input).value == "2026-04-10"
        assert "10 working days from the start" in app.screen.prompt_title
        await press(app, pilot, "enter")
        v = sprints.get_sprint(plan, "S3")
        assert (v.start, v.end, v.state) == (date(2026, 3, 30), date(2026, 4, 10), "planned")
        assert "S3 planned: 2026-03-30 to 2026-04-10" in notes(app)
        # the new sprint is the one shown now
        scr = screen_of(app)
        assert shown(scr, "plan-title").startswith("S3")


async def test_new_sprint_after_a_weekend_end_starts_on_the_next_working_day(plan):
    """S2 was moved to end on a Saturday, the project works Tuesday to
    Saturday and its sprints last a week: the next starts on the Tuesday
    and ends on the Saturday, after five working days."""
    project.update_settings(plan, sprint_length_days=7, working_days="tue,wed,thu,fri,sat")
    sprints.edit_sprint(plan, "S2", end="2026-03-28")
    app = new_app(plan)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await open_planning(app, pilot)
        await press(app, pilot, "N", "enter")
        assert app.screen.query_one(Input).value == "2026-03-31"
        hint = "S3 starts on (2026-03-02, today, +2w, next monday)"
        assert hint in dialog_text(app)
        # another start: the end follows it
        await answer(app, pilot, "2026-04-01")
        assert app.screen.query_one(Input).value == "2026-04-07"
        hint = "S3 ends on (5 working days from the start by default; +2w counts from today)"
        assert hint in dialog_text(app)  # the whole hint, wrapped, at 80×24
        await press(app, pilot, "enter")
        v = sprints.get_sprint(plan, "S3")
        assert (v.start, v.end) == (date(2026, 4, 1), date(2026, 4, 7))


async def test_new_sprint_accepts_today_and_relative_dates_and_checks_input(plan):
    app = new_app(plan)
    today = plan.today()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_planning(app, pilot)
        await press(app, pilot, "N")
        await answer(app, pilot, "S1")  # taken: refused in the dialog
        assert isinstance(app.screen, PromptModal)
        assert "exists already" in str(app.screen.query_one("#prompt-error").content)
        await answer(app, pilot, "Next")  # reserved word
        assert "reserved" in str(app.screen.query_one("#prompt-error").content)
        await answer(app, pilot, "Hardening [b]1[/b]")
        await answer(app, pilot, "someday")  # not a date
        assert "cannot read" in str(app.screen.query_one("#prompt-error").content)
        await answer(app, pilot, "today")
        await answer(app, pilot, "+2w")
        v = sprints.get_sprint(plan, "Hardening [b]1[/b]")
        assert v.start == today and (v.end - today).days == 14
        scr = screen_of(app)
        assert shown(scr, "plan-title").startswith("Hardening [b]1[/b] (planned)")


async def test_new_sprint_escape_creates_nothing(plan):
    app = new_app(plan)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_planning(app, pilot)
        await press(app, pilot, "N", "enter", "escape")
        assert isinstance(app.screen, PlanningScreen)
        assert [s.name for s in sprints.list_sprints(plan)] == ["S1", "S2"]


async def test_without_a_planned_sprint_it_says_so_and_offers_n(ctx):
    streams.add_stream(ctx, "SAL", "Sales")
    items.create_item(ctx, "Lonely", stream="SAL", points=2)
    app = new_app(ctx)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_planning(app, pilot)
        assert shown(scr, "plan-title") == "No sprint is planned. Press N to create one."
        assert keys(scr, "plan-backlog") == ["SAL-1"]
        assert keys(scr, "plan-sprint") == [] and keys(scr, "plan-members") == []
        for key in ("greater_than_sign", "s", "right_square_bracket", "t"):
            await press(app, pilot, key)
            assert isinstance(app.screen, PlanningScreen)
        assert items.get_row(ctx, "SAL-1").sprint is None
        assert any("No sprint is planned" in n for n in notes(app))
        assert not errors(app)
        # N on an empty project starts today (or on the next working day)
        await press(app, pilot, "N")
        assert app.screen.query_one(Input).value == "Sprint 1"
        await press(app, pilot, "enter")
        first = sprints.first_working_day(ctx.today(), project.get_settings(ctx).working_days)
        assert app.screen.query_one(Input).value == first.isoformat()
        await press(app, pilot, "enter", "enter")
        assert [s.name for s in sprints.list_sprints(ctx, state="planned")] == ["Sprint 1"]
        scr = screen_of(app)
        assert shown(scr, "plan-title").startswith("Sprint 1")
        await pull_over_capacity(app, pilot)  # nobody on the team: no capacity
        assert items.get_row(ctx, "SAL-1").sprint == "Sprint 1"


# --------------------------------------------------------------------------- hostile text


async def test_hostile_names_show_literally(plan):
    streams.add_stream(plan, "EVIL", "a [/] b")
    members.add_member(plan, "mallory", "[bold]x[/] [@click=app.quit]y", stream="EVIL")
    items.create_item(plan, "[red]boom[/] [@click=app.quit]z", stream="EVIL", points=1)  # EVIL-1
    sprints.edit_sprint(plan, "S1", name="S[/]1")
    app = new_app(plan)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_planning(app, pilot)
        assert shown(scr, "plan-title").startswith("S[/]1 (planned)")
        assert "EVIL" in keys(scr, "plan-streams")
        assert rows(scr, "plan-backlog")[-1] == ["EVIL-1", "1", "[red]boom[/] [@click=app.quit]z"]
        await press(app, pilot, "ctrl+end")
        await press(app, pilot, "greater_than_sign")
        assert sprint_of(plan, "EVIL-1") == "S[/]1"
        assert "In S[/]1" in title_of(scr.sprint_table)
        assert app.is_running and isinstance(app.screen, PlanningScreen)


# --------------------------------------------------------------------------- open an item


async def test_enter_on_a_sprint_row_and_e_open_the_item_editor(plan):
    from sprinttui.tui.editor import ItemEditor

    app = new_app(plan)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_planning(app, pilot)
        await press(app, pilot, "tab", "enter")  # the sprint table: enter opens, it does not pull
        assert isinstance(app.screen, ItemEditor) and app.screen.key == "SAL-1"
        await press(app, pilot, "escape")
        scr = screen_of(app)
        assert scr.focused is scr.sprint_table
        await press(app, pilot, "tab", "e")  # e on the backlog opens its row
        assert isinstance(app.screen, ItemEditor) and app.screen.key == "SAL-2"
        await press(app, pilot, "escape")
        assert isinstance(app.screen, PlanningScreen)
        assert items.get_row(plan, "SAL-1").sprint == "S1" and items.get_row(plan, "SAL-2").sprint is None


async def test_closing_two_days_before_the_end_asks_with_the_dates_and_says_what_slips(running):
    from dataclasses import replace
    from datetime import UTC, datetime

    wednesday = replace(running, clock=lambda: datetime(2026, 3, 11, 10, 0, tzinfo=UTC))  # S1 ends Fri 13 Mar
    app = new_app(wednesday)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_planning(app, pilot)
        await press(app, pilot, "c")
        await type_text(app, pilot, "S2")
        await press(app, pilot, "enter")
        await close_answers(app, pilot, "yes", "")
        q = app.screen.question
        assert q.startswith("S1 is planned to end on Fri 13 Mar, in 2 days. Close it today, Wed 11 Mar? ")
        assert "2 unfinished items will move to S2 and their slip count grows by one" in q
        await press(app, pilot, "n")  # not now: nothing is closed
        assert state(running, "S1") == "active"
