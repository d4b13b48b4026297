"""The Catch-up screen (6) driven through Textual's Pilot, and its snapshots.

Every binding is pressed and checked on screen (the stream lines, the table,
dialogs, notifications) and in the database through the services.

The project (1 point per day, ten working days a sprint): SAL has alice at
100 % (10 pts), OPS has bob at 50 % (5 pts). S0 held SAL-2 and closed into the
backlog; S1 held SAL-1 (5), SAL-2 (3), SAL-3 (8) and OPS-1 (2) and closed into
the backlog too (carried: S0 SAL 3; S1 SAL 16, OPS 2). S2 is planned and holds
SAL-4 (4), so SAL has 6 pts free. SAL-5 (2) is overdue, SAL-6 (1) blocked for
long. The plan: OPS-1; SAL-2 (slipped twice), then SAL-5 (SAL-1 and SAL-3 do
not fit).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import text as sql
from textual.content import Content
from textual.widgets import DataTable, Static

from sprinttui.services import items, members, sprints, streams
from sprinttui.tui.app import SprintTuiApp
from sprinttui.tui.modals import ConfirmModal
from sprinttui.tui.screens.catchup import CatchUpScreen
from tui_support import changed_elsewhere, error_notes, make_app, notes, press, settle, until

SIZE = (100, 30)
PLAN_ORDER = ["OPS-1", "SAL-2", "SAL-1", "SAL-3", "SAL-5", "SAL-6"]


@pytest.fixture
def proj(tctx, clock):
    c = tctx
    clock.set("2025-12-15 08:00")
    streams.add_stream(c, "SAL", "Sales")
    streams.add_stream(c, "OPS", "Operations")
    members.add_member(c, "alice", "Alice", stream="SAL")
    members.add_member(c, "bob", "Bob", stream="OPS", availability=50)
    sprints.new_sprint(c, "S0", start="2025-12-15", end="2025-12-26")
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    sprints.new_sprint(c, "S2", start="2026-01-19", end="2026-01-30")
    items.create_item(c, "Lead import", stream="SAL", points=5)  # SAL-1
    items.create_item(c, "Quote template", stream="SAL", points=3, sprint="S0")  # SAL-2
    items.create_item(c, "Forecast view", stream="SAL", points=8)  # SAL-3
    items.create_item(c, "Monitoring", stream="OPS", points=2)  # OPS-1
    sprints.start_sprint(c, "S0")
    clock.set("2025-12-26 17:00")
    sprints.close_sprint(c, "S0", carry_to="backlog")
    clock.set("2026-01-05 09:00")
    items.plan_items(c, ["SAL-1", "SAL-2", "SAL-3", "OPS-1"], "S1")
    sprints.start_sprint(c, "S1")
    items.create_item(c, "Committed work", stream="SAL", points=4, sprint="S2")  # SAL-4
    items.create_item(c, "Renewal mail", stream="SAL", points=2, due="2026-01-12")  # SAL-5
    items.create_item(c, "Blocked import", stream="SAL", points=1)  # SAL-6
    items.set_blocked(c, "SAL-6", True, "waiting for the ERP export")
    clock.set("2026-01-16 17:00")
    sprints.close_sprint(c, "S1", carry_to="backlog")
    clock.set("2026-01-19 08:00")
    return c


async def open_catchup(app, pilot) -> CatchUpScreen:
    await settle(app, pilot)
    await press(app, pilot, "6")
    assert isinstance(app.screen, CatchUpScreen), app.screen
    return app.screen


def table(scr) -> DataTable:
    return scr.query_one("#cu-table", DataTable)


def shown_keys(scr) -> list[str]:
    return [row.key.value for row in table(scr).ordered_rows]


def plan_col(scr) -> dict[str, str]:
    t = table(scr)
    return {row.key.value: t.get_cell(row.key, "plan").plain for row in t.ordered_rows}


def cell(scr, key: str, column: str) -> str:
    return table(scr).get_cell(key, column).plain


def static_text(widget: Static) -> str:
    r = widget.render()
    return getattr(r, "plain", str(r))


def head(scr) -> str:
    return static_text(scr.query_one("#cu-head", Static))


def detail(scr) -> str:
    return static_text(scr.query_one("#cu-detail", Static))


def stream_lines(scr) -> dict[str, str]:
    """The streams' summary lines as shown, by stream key (each line's first word)."""
    shown = static_text(scr.query_one("#cu-stream-lines", Static))
    return {line.split()[0]: line for line in shown.splitlines() if line.strip()}


def stream_line(scr, stream: str) -> str:
    return stream_lines(scr)[stream]


async def goto(app, pilot, scr, key: str) -> None:
    table(scr).move_cursor(row=shown_keys(scr).index(key))
    await settle(app, pilot)
    assert scr.current.key == key


def sprint_of(c, key: str) -> str | None:
    return items.get_row(c, key).sprint


# --------------------------------------------------------------------------- showing


async def test_shows_each_streams_debt_trend_capacity_and_the_plan(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_catchup(app, pilot)
        assert "Catch-up into S2" in head(scr)
        assert "plan 3 items 7 pts" in head(scr)
        assert "debt 20 pts" in head(scr)  # SAL 5 + 3 + 8 + 2 overdue, OPS 2
        # after the debt, the trend: bars for the points carried over at the closes of S0 and S1
        # (SAL 3 and 16, OPS 0 and 2), each stream scaled to its largest
        assert stream_line(scr, "SAL").split() == (
            ["SAL", "debt", "18", "▂█", "cap", "10", "·", "in", "4", "·", "free", "6", "·",
             "plan", "+5", "→", "1", "free"])
        assert stream_line(scr, "OPS").split() == ["OPS", "debt", "2", "▁█", "cap", "5", "·", "in", "0", "·",
                                                   "free", "5", "·", "plan", "+2", "→", "3", "free"]
        trends = scr.query_one("#cu-stream-lines", Static).tooltip
        assert isinstance(trends, Content)  # not a markup string: sprint names are user text
        assert "SAL, carried over at each close: S0 3 · S1 16" in trends.plain
        assert shown_keys(scr) == PLAN_ORDER
        assert plan_col(scr) == {"OPS-1": "▶ suggested", "SAL-2": "▶ suggested", "SAL-1": "no fit",
                                 "SAL-3": "no fit", "SAL-5": "▶ suggested", "SAL-6": "blocked"}
        assert cell(scr, "SAL-2", "slips") == "2"
        await goto(app, pilot, scr, "SAL-1")
        assert detail(scr) == "SAL-1 · slipped 1× (S1) · age 35 d · does not fit: 5 pts, 3 free"
        await goto(app, pilot, scr, "SAL-6")
        assert "blocked: waiting for the ERP export" in detail(scr)


async def test_wide_terminals_show_age_due_date_and_why(proj):
    app = make_app(proj)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        scr = await open_catchup(app, pilot)
        labels = [c.label.plain for c in table(scr).ordered_columns]
        assert "Why" not in labels and "Due" not in labels
        await pilot.resize_terminal(160, 40)
        await settle(app, pilot)
        await until(pilot, lambda: {"Age d", "Due", "Why"} <= {c.label.plain for c in table(scr).ordered_columns},
                    "the wide columns")
        assert cell(scr, "SAL-2", "why") == "slipped 2× (S0, S1)"
        assert cell(scr, "SAL-5", "due") == "2026-01-12"
        assert shown_keys(scr) == PLAN_ORDER


async def test_footer_shows_the_screens_keys(proj):
    app = make_app(proj)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        scr = await open_catchup(app, pilot)
        shown = {k.key: k.description for k in scr.query("FooterKey")}
        assert {"enter", "s", "a", "A", "r", "space"} <= set(shown)


# --------------------------------------------------------------------------- accepting


async def test_enter_accepts_the_suggestion_on_the_cursor_row_and_u_undoes_it(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_catchup(app, pilot)
        await goto(app, pilot, scr, "SAL-2")
        await press(app, pilot, "enter")
        assert sprint_of(proj, "SAL-2") == "S2"
        assert "Planned SAL-2 into S2" in notes(app)
        assert plan_col(scr)["SAL-2"] == "in S2"
        assert stream_line(scr, "SAL").split() == (
            ["SAL", "debt", "18", "▂█", "cap", "10", "·", "in", "7", "·", "free", "3", "·",
             "plan", "+2", "→", "1", "free"])
        assert scr.current.key == "SAL-2"  # the cursor stays on the row
        await press(app, pilot, "u")
        assert sprint_of(proj, "SAL-2") is None
        assert plan_col(scr)["SAL-2"] == "▶ suggested"
        assert error_notes(app) == []


async def test_enter_on_a_row_outside_the_plan_writes_nothing(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_catchup(app, pilot)
        await goto(app, pilot, scr, "SAL-3")
        n = len(items.history(proj, "SAL-3"))
        await press(app, pilot, "enter")
        assert sprint_of(proj, "SAL-3") is None and len(items.history(proj, "SAL-3")) == n
        assert any(t.startswith("SAL-3 is not in the plan (does not fit") and t.endswith("a adds it")
                   for t in notes(app))


async def test_space_selects_rows_and_enter_accepts_the_selected_ones_in_the_plan(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_catchup(app, pilot)
        for key in ("OPS-1", "SAL-3", "SAL-5"):
            await goto(app, pilot, scr, key)
            await press(app, pilot, "space")
        assert {k for k in shown_keys(scr) if cell(scr, k, "sel") == "●"} == {"OPS-1", "SAL-3", "SAL-5"}
        assert "3 selected" in head(scr)
        await press(app, pilot, "space")  # SAL-5 again: unselected
        assert cell(scr, "SAL-5", "sel") == " "
        await press(app, pilot, "enter")
        assert sprint_of(proj, "OPS-1") == "S2"
        assert sprint_of(proj, "SAL-3") is None  # selected, but not in the plan
        assert sprint_of(proj, "SAL-5") is None  # not selected
        assert "1 selected item not in the plan stays out (a adds them)" in notes(app)
        assert not any(cell(scr, k, "sel") == "●" for k in ("OPS-1",))


async def test_A_accepts_the_whole_plan_after_confirming(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_catchup(app, pilot)
        await press(app, pilot, "A")
        assert isinstance(app.screen, ConfirmModal)
        assert "Plan 3 items (7 pts) into S2?" in app.screen.question
        await press(app, pilot, "n")
        assert [sprint_of(proj, k) for k in ("OPS-1", "SAL-2", "SAL-5")] == [None, None, None]
        await press(app, pilot, "A")
        await press(app, pilot, "y")
        assert [sprint_of(proj, k) for k in ("OPS-1", "SAL-2", "SAL-5")] == ["S2", "S2", "S2"]
        assert "plan 0 items 0 pts" in head(scr)
        await press(app, pilot, "A")
        assert "The plan is empty: nothing fits the free capacity" in notes(app)
        assert not isinstance(app.screen, ConfirmModal)


# --------------------------------------------------------------------------- adjusting


async def test_s_skips_a_suggestion_and_the_next_fit_takes_its_place(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_catchup(app, pilot)
        await goto(app, pilot, scr, "SAL-2")
        n = len(items.history(proj, "SAL-2"))
        await press(app, pilot, "s")
        # 6 free: SAL-1 (5) fits now, SAL-5 (2) no longer does
        assert plan_col(scr)["SAL-2"] == "skipped"
        assert plan_col(scr)["SAL-1"] == "▶ suggested"
        assert plan_col(scr)["SAL-5"] == "no fit"
        assert "Skipped SAL-2; SAL-1 fits instead; SAL-5 no longer fits" in notes(app)
        assert "plan +5 → 1 free" in stream_line(scr, "SAL")
        assert len(items.history(proj, "SAL-2")) == n  # nothing written
        # s on a skipped row takes it back
        await press(app, pilot, "s")
        assert plan_col(scr)["SAL-2"] == "▶ suggested" and plan_col(scr)["SAL-1"] == "no fit"
        assert "SAL-2 is no longer skipped; SAL-5 fits instead; SAL-1 no longer fits" in notes(app)
        # s on a row outside the plan says so
        await goto(app, pilot, scr, "SAL-6")
        await press(app, pilot, "s")
        assert any(t.startswith("SAL-6 is not in the plan (blocked: waiting") for t in notes(app))


async def test_r_resets_the_skips(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_catchup(app, pilot)
        await press(app, pilot, "r")
        assert "Nothing is skipped" in notes(app)
        for key in ("OPS-1", "SAL-2"):
            await goto(app, pilot, scr, key)
            await press(app, pilot, "s")
        assert plan_col(scr)["OPS-1"] == plan_col(scr)["SAL-2"] == "skipped"
        await press(app, pilot, "r")
        assert "2 skips undone: the plan is filled again" in notes(app)
        assert plan_col(scr) == {"OPS-1": "▶ suggested", "SAL-2": "▶ suggested", "SAL-1": "no fit",
                                 "SAL-3": "no fit", "SAL-5": "▶ suggested", "SAL-6": "blocked"}


async def test_a_adds_an_item_that_fits_without_asking(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_catchup(app, pilot)
        await goto(app, pilot, scr, "SAL-6")  # blocked, 1 pt: the lead's call
        await press(app, pilot, "a")
        assert not isinstance(app.screen, ConfirmModal)
        assert plan_col(scr)["SAL-6"] == "▶ added"
        assert "plan +6 → 0 free" in stream_line(scr, "SAL")  # 1 by hand, then SAL-2 (3) and SAL-5 (2)
        assert "Added SAL-6 to the plan" in notes(app)
        await press(app, pilot, "a")
        assert "SAL-6 is in the plan already" in notes(app)
        await press(app, pilot, "enter")
        assert sprint_of(proj, "SAL-6") == "S2"


async def test_a_over_capacity_asks_first_and_then_shows_the_stream_over(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_catchup(app, pilot)
        await goto(app, pilot, scr, "SAL-3")  # 8 pts, 6 free
        await press(app, pilot, "a")
        assert isinstance(app.screen, ConfirmModal)
        assert "takes stream SAL over its free capacity by 2 pts" in app.screen.question
        await press(app, pilot, "n")
        assert plan_col(scr)["SAL-3"] == "no fit"
        await press(app, pilot, "a")
        await press(app, pilot, "y")
        assert plan_col(scr)["SAL-3"] == "▶ added"
        assert plan_col(scr)["SAL-2"] == "no fit" and plan_col(scr)["SAL-5"] == "no fit"
        assert "plan +8 → over by 2" in stream_line(scr, "SAL")
        assert "Added SAL-3 to the plan; SAL-2, SAL-5 no longer fit" in notes(app)
        # s on an added row takes it out of the plan again
        await press(app, pilot, "s")
        assert plan_col(scr)["SAL-3"] == "skipped" and plan_col(scr)["SAL-2"] == "▶ suggested"


async def test_running_sprint_work_cannot_be_added(proj, clock):
    sprints.new_sprint(proj, "S3", start="2026-02-02", end="2026-02-13")
    items.plan_item(proj, "SAL-1", "S2")
    sprints.start_sprint(proj, "S2")
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_catchup(app, pilot)
        assert "Catch-up into S3" in head(scr)
        assert plan_col(scr)["SAL-1"] == "running"
        await goto(app, pilot, scr, "SAL-1")
        await press(app, pilot, "a")
        assert any(t.startswith("SAL-1 cannot be added: in the running S2") for t in notes(app))
        await press(app, pilot, "enter")
        assert sprint_of(proj, "SAL-1") == "S2"


# --------------------------------------------------------------------------- filter, reloads, errors


async def test_the_stream_filter_shows_one_stream(proj):
    app = make_app(proj, stream="OPS")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_catchup(app, pilot)
        assert shown_keys(scr) == ["OPS-1"]
        assert list(stream_lines(scr)) == ["OPS"]
        assert "stream OPS" in head(scr)
        app.set_stream_filter(None)
        await settle(app, pilot)
        assert shown_keys(scr) == PLAN_ORDER
        assert list(stream_lines(scr)) == ["OPS", "SAL"]


async def test_a_reload_keeps_the_cursor_skips_and_additions(proj, make_ctx, clock):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_catchup(app, pilot)
        await goto(app, pilot, scr, "SAL-2")
        await press(app, pilot, "s")
        await goto(app, pilot, scr, "SAL-3")
        # someone else plans OPS-1 meanwhile
        other = replace(make_ctx("bob"), clock=clock)
        items.plan_item(other, "OPS-1", "S2")
        changed_elsewhere(app)
        await settle(app, pilot)
        assert plan_col(scr)["OPS-1"] == "in S2"
        assert plan_col(scr)["SAL-2"] == "skipped"
        assert scr.current.key == "SAL-3"


async def test_a_long_list_fills_the_table_as_the_cursor_goes_down_and_a_reload_keeps_the_place(tctx, clock):
    """230 slipped items: the table starts with the first 100 and takes the
    next ones as the cursor nears its end, so every item can be reached; a
    reload keeps the cursor on its item, deep in the list."""
    c = tctx
    clock.set("2026-01-05 08:00")
    streams.add_stream(c, "SAL", "Sales")
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    for i in range(230):
        items.create_item(c, f"Slipped {i:03}", stream="SAL", points=1, sprint="S1")
    sprints.start_sprint(c, "S1")
    clock.set("2026-01-16 17:00")
    sprints.close_sprint(c, "S1", carry_to="backlog")
    clock.set("2026-01-19 08:00")
    app = make_app(c)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_catchup(app, pilot)
        everything = [e.key for e in scr.rows]
        assert len(everything) == 230
        assert shown_keys(scr) == everything[:100]
        for _ in range(12):  # a page is about 20 rows at this size
            await press(app, pilot, "pagedown")
        assert scr.current.key == everything[table(scr).cursor_row]
        assert table(scr).cursor_row > 100
        assert shown_keys(scr) == everything[: len(shown_keys(scr))] and len(shown_keys(scr)) >= 200
        for _ in range(10):
            await press(app, pilot, "pagedown")
        assert shown_keys(scr) == everything
        assert scr.current.key == everything[-1]
        await press(app, pilot, "pageup")
        here = scr.current.key
        assert everything.index(here) > 200
        changed_elsewhere(app)
        await settle(app, pilot)
        assert scr.current.key == here
        assert shown_keys(scr) == everything


async def test_without_a_planned_sprint_the_work_is_listed_and_the_keys_say_why(ctx):
    streams.add_stream(ctx, "SAL", "Sales")
    items.create_item(ctx, "Late", stream="SAL", points=2, due="2020-01-01")
    app = make_app(ctx)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_catchup(app, pilot)
        assert head(scr).startswith("No plan: no sprint is planned")
        assert shown_keys(scr) == ["SAL-1"]
        for key in ("enter", "a", "A", "s"):
            await press(app, pilot, key)
        warnings = [t for t in notes(app) if t.startswith("No plan: no sprint is planned")]
        assert len(warnings) == 4
        assert error_notes(app) == []


async def test_an_empty_project_shows_nothing_slipped(ctx):
    app = make_app(ctx)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_catchup(app, pilot)
        assert shown_keys(scr) == []
        assert "Nothing slipped" in detail(scr)
        for key in ("enter", "space", "s", "a", "r"):
            await press(app, pilot, key)
        assert error_notes(app) == []


# --------------------------------------------------------------------------- hostile text

HOSTILE = ["[bold]x[/]", "[@click=app.quit]x[/]", "a [/] b", "中文 עברית مرحبا 🎉👍🏽", "T" * 10_000]


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_hostile_titles_and_reasons_show_literally(proj, size):
    for _n, title in enumerate(HOSTILE):
        items.create_item(proj, title, stream="OPS", points=1, due="2026-01-01")  # OPS-2 … OPS-6
    items.create_item(proj, "raw escape", stream="OPS", points=1, due="2026-01-01")  # OPS-7
    items.set_blocked(proj, "OPS-5", True, "[@click=app.quit]x[/] \x1b[2J")
    with proj.db.write() as s:  # written by another tool: the service would have stripped it
        s.execute(sql("UPDATE item SET title = :t WHERE key = 'OPS-7'"), {"t": "clear \x1b[2J screen"})
    # planned to start before S2: the catch-up goes into this one
    sprints.new_sprint(proj, "[b]Sprint[/b] \x1b[31m", start="2026-01-18", end="2026-01-29")
    app = make_app(proj)
    async with app.run_test(size=size, notifications=True) as pilot:
        scr = await open_catchup(app, pilot)
        titles = {k: cell(scr, k, "title") for k in shown_keys(scr)}
        assert titles["OPS-2"] == "[bold]x[/]"
        assert titles["OPS-3"] == "[@click=app.quit]x[/]"
        assert titles["OPS-4"] == "a [/] b"
        assert titles["OPS-5"] == "中文 עברית مرحبا 🎉👍🏽"
        assert titles["OPS-6"].startswith("TTTT") and titles["OPS-6"].endswith("…")
        assert titles["OPS-7"] == "clear �[2J screen"
        await goto(app, pilot, scr, "OPS-3")
        assert "[@click=app.quit]x[/]" not in detail(scr)  # the title is not in the detail line
        assert "Catch-up into [b]Sprint[/b] [31m (18 Jan–29 Jan)" in head(scr)
        await goto(app, pilot, scr, "OPS-5")
        await press(app, pilot, "s", "a")
        assert plan_col(scr)["OPS-5"] == "▶ added"
        assert "\x1b" not in detail(scr)
        await goto(app, pilot, scr, "OPS-2")
        await press(app, pilot, "enter")
        assert sprint_of(proj, "OPS-2") == "[b]Sprint[/b] [31m"
        assert "Planned OPS-2 into [b]Sprint[/b] [31m" in notes(app)
        assert plan_col(scr)["OPS-2"] == "in [b]Sprint[/b] [31m"
        assert app.is_running and isinstance(app.screen, CatchUpScreen)
        assert error_notes(app) == []


async def test_a_hostile_blocked_reason_shows_literally_in_the_detail_line(proj):
    items.set_blocked(proj, "SAL-6", True, "[@click=app.quit]x[/] a [/] b")
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_catchup(app, pilot)
        await goto(app, pilot, scr, "SAL-6")
        assert "blocked: [@click=app.quit]x[/] a [/] b" in detail(scr)
        await press(app, pilot, "s")
        assert any("[@click=app.quit]x[/] a [/] b" in t for t in notes(app))
        assert app.is_running


# --------------------------------------------------------------------------- snapshots


@pytest.fixture
def demo_app(demo_ctx):
    # a slipped item back in the backlog, so the demo's plan has a suggestion
    items.create_item(demo_ctx, "Catch up: duplicate check for new leads", stream="SAL", points=2,
                      due="2026-03-13")
    return SprintTuiApp(demo_ctx, watch=False)


async def _snap_settle(pilot) -> None:
    for _ in range(2):
        await pilot.app.settle()
        await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_catchup_snapshot(snap_compare, demo_app, size):
    async def run_before(pilot):
        await _snap_settle(pilot)
        await pilot.press("6")
        await _snap_settle(pilot)
        assert isinstance(pilot.app.screen, CatchUpScreen)

    assert snap_compare(demo_app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_catchup_snapshot_after_skip_and_add(snap_compare, demo_app, size):
    async def run_before(pilot):
        await _snap_settle(pilot)
        await pilot.press("6")
        await _snap_settle(pilot)
        scr = pilot.app.screen
        keys = [row.key.value for row in scr.query_one("#cu-table", DataTable).ordered_rows]
        scr.query_one("#cu-table", DataTable).move_cursor(row=keys.index("SRV-9"))
        await pilot.press("a")  # SRV is over-committed: asks
        await _snap_settle(pilot)
        await pilot.press("y")
        await _snap_settle(pilot)

    assert snap_compare(demo_app, terminal_size=size, run_before=run_before)
