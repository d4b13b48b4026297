"""The Board screen (1) driven through Textual's Pilot, the way a user drives it.

Every binding of BoardScreen is pressed and checked twice: on screen (columns,
focus, rendered card lines, dialogs, notifications) and in the database
through the services. Card text is read from what the Line API renders
(``CardColumn.render_line(y).text``), so badges, truncation and hostile titles
are checked as a user would see them.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from datetime import date, timedelta

import pytest
from textual.geometry import Region
from textual.widgets import Static

from sprinttui.domain import NotFoundError
from sprinttui.services import board as board_svc
from sprinttui.services import items, members, sprints, streams
from sprinttui.services.item_rows import ItemQuery
from sprinttui.services.text import fmt_points
from sprinttui.tui.modals import ChooseModal, ConfirmModal, NoticeModal, PromptModal
from sprinttui.tui.screens.board import PAGE, BoardScreen
from sprinttui.tui.widgets.card_column import split_title
from tui_support import (
    HANG_SECONDS,
    board_of,
    changed_elsewhere,
    error_notes,
    focused_key,
    keys_by_column,
    make_app,
    notes,
    press,
    settle,
    type_text,
    until,
)

SIZE = (120, 36)
TODO, DOING, REVIEW, DONE = range(4)
BLOCKED_MARK = "⊘"  # drawn after the key of a blocked card


# --------------------------------------------------------------------------- helpers


def sprint_around_today(c, name: str = "S1", goal: str = "Ship the pilot", before: int = 2, after: int = 5):
    today = c.today()
    return sprints.new_sprint(
        c, name, start=today - timedelta(days=before), end=today + timedelta(days=after), goal=goal
    )


@pytest.fixture
def proj(ctx):
    """Two streams, two members, active sprint S1 (ends in 5 days) with cards in
    every column, plus one backlog item that must not show on the board."""
    streams.add_stream(ctx, "SAL", "Sales")
    streams.add_stream(ctx, "OPS", "Operations")
    members.add_member(ctx, "alice", "Alice Smith", stream="SAL")
    members.add_member(ctx, "bob", "Bob Jones", stream="OPS")
    sprint_around_today(ctx)
    items.create_item(ctx, "Write migration plan", stream="SAL", sprint="S1", points=3)  # SAL-1 todo
    items.create_item(ctx, "Train sales team", stream="SAL", sprint="S1", points=2)  # SAL-2 todo
    items.create_item(ctx, "Pilot dashboards", stream="SAL", sprint="S1", status="doing",
                      assignee="alice", points=5)  # SAL-3 doing
    items.create_item(ctx, "Monitor rollout", stream="OPS", sprint="S1", status="review")  # OPS-1
    items.create_item(ctx, "Close old tickets", stream="OPS", sprint="S1", status="done", points=1)  # OPS-2
    items.create_item(ctx, "Someday maybe", stream="SAL")  # SAL-4, backlog
    sprints.start_sprint(ctx, "S1")
    return ctx


def column_lines(column) -> list[str]:
    return [column.render_line(y).text for y in range(column.size.height)]


def card_lines(column, key: str) -> tuple[str, str]:
    """The two text lines of the card with that key, as rendered."""
    lines = column_lines(column)
    for i, line in enumerate(lines):
        if line.startswith(key + " "):
            return line, lines[i + 1]
    raise AssertionError(f"card {key} not rendered in column {column.status}: {lines!r}")


def status(c, key: str) -> str:
    return items.get_row(c, key).status


def shown_text(widget) -> str:
    """The lines `widget` and the widgets in it draw on screen (none for those not shown)."""
    out = []
    for w in [widget, *widget.walk_children()]:
        if w.region.area:  # laid out on screen: displayed, and so is everything it is in
            out += [strip.text for strip in w.render_lines(Region(0, 0, *w.region.size))]
    return "\n".join(out)


#: what a Sparkline or a bar chart draws with
BLOCKS = set("▁▂▃▄▅▆▇█")


# --------------------------------------------------------------------------- showing


async def test_board_shows_the_active_sprint_in_four_columns_with_header(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        board = board_of(app)
        assert keys_by_column(app) == [["SAL-1", "SAL-2"], ["SAL-3"], ["OPS-1"], ["OPS-2"]]
        assert "SAL-4" not in str(keys_by_column(app))  # backlog items are not on the board
        assert [c.status for c in board.columns] == ["todo", "doing", "review", "done"]
        assert board.columns[TODO].border_title.startswith("To do · 2 · 5 pts")
        assert board.columns[DOING].border_title.startswith("Doing · 1 · 5 pts")
        # header: project name, sprint, days left, stream, user
        assert app.title == "Test project"
        assert "S1 · 5 days left" in app.sub_title
        assert "all streams" in app.sub_title and "tester" in app.sub_title
        assert "Ship the pilot" in str(board.query_one("#board-goal").content)
        # the first card of To do has the focus, only that column is active
        assert board.col == TODO and focused_key(app) == "SAL-1"
        assert [c.has_class("-active") for c in board.columns] == [True, False, False, False]
        first, meta = card_lines(board.columns[TODO], "SAL-1")
        assert "Write migration plan" in first
        assert "3 pts · unassigned · SAL" in meta
        assert "alice" in card_lines(board.columns[DOING], "SAL-3")[1]


async def test_one_day_left_is_singular(ctx):
    streams.add_stream(ctx, "SAL", "Sales")
    sprint_around_today(ctx, after=1)
    sprints.start_sprint(ctx, "S1")
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "S1 · 1 day left" in app.sub_title


async def test_board_without_an_active_sprint_says_so_and_keys_are_harmless(ctx):
    streams.add_stream(ctx, "SAL", "Sales")
    sprint_around_today(ctx)  # planned, not started
    items.create_item(ctx, "Planned work", stream="SAL", sprint="S1")
    app = make_app(ctx)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        board = board_of(app)
        assert "No sprint is active" in str(board.query_one("#board-goal").content)
        assert "no active sprint" in app.sub_title
        assert keys_by_column(app) == [[], [], [], []]
        assert board.focused_card is None
        for key in (">", "<", "b", "a", "d", "l", "j", "h", "k", "shift+right"):
            await press(app, pilot, key)
            assert isinstance(app.screen, BoardScreen), key  # no dialog for a missing card
        await press(app, pilot, "u")
        assert "Nothing to undo" in notes(app)
        assert app.is_running
        assert items.get_row(ctx, "SAL-1").status == "todo"


# --------------------------------------------------------------------------- burndown


@pytest.fixture
def known_sprint(tctx, clock):
    """S1 from Monday 5 to Friday 16 January 2026 (10 working days), 20 points
    committed; on Friday 9 (day 5) the 5-point SAL-1 is done: 15 points left,
    the ideal line at 10."""
    c = tctx
    streams.add_stream(c, "SAL", "Sales")
    sprints.new_sprint(c, "S1", start=date(2026, 1, 5), end=date(2026, 1, 16), goal="Ship the pilot")
    for title, points in (("Alpha", 5), ("Beta", 3), ("Gamma", 8), ("Delta", 4)):
        items.create_item(c, title, stream="SAL", sprint="S1", points=points)
    clock.set("2026-01-05 09:00")
    sprints.start_sprint(c, "S1")
    clock.set("2026-01-09 12:00")
    items.move_item(c, "SAL-1", "done")
    return c


KNOWN_LINE = "Burndown: 15 of 20 pts left · ideal 10 · day 5 of 10"


async def test_burndown_at_80x24_is_one_labelled_line_with_the_sprints_figures(known_sprint):
    app = make_app(known_sprint)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        top = shown_text(board_of(app).query_one("#board-top"))
        assert KNOWN_LINE in top
        assert "Done 5 of 20 committed pts" in top
        assert not BLOCKS & set(top)  # no unlabelled bars beside it


async def test_the_sprint_figures_say_how_much_was_reestimated_only_when_something_was(known_sprint, clock):
    c = known_sprint
    app = make_app(c)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        stats = shown_text(board_of(app).query_one("#board-stats")).strip()
        assert stats == "Done 5 of 20 committed pts · added 0 · removed 0"
    clock.set("2026-01-09 13:00")
    items.edit_item(c, "SAL-3", points=13)  # Gamma 8 → 13
    items.edit_item(c, "SAL-4", points=2)  # Delta 4 → 2
    app = make_app(c)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        stats = shown_text(board_of(app).query_one("#board-stats")).strip()
        assert stats == "Done 5 of 20 committed pts · added 0 · removed 0 · re-estimated +3"
    items.edit_item(c, "SAL-3", points=5)  # Gamma 8 → 5 in all
    app = make_app(c)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert shown_text(board_of(app).query_one("#board-stats")).strip().endswith("· re-estimated -5")


async def test_burndown_at_120x36_is_a_chart_with_axis_ideal_line_and_legend(known_sprint):
    app = make_app(known_sprint)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        board = board_of(app)
        assert KNOWN_LINE in shown_text(board.query_one("#board-top"))
        chart = shown_text(board.query_one("#board-chart"))
        lines = chart.splitlines()
        assert "Burndown · S1 · all streams" in lines[0]
        # the legend, in the box's bottom edge
        assert any(line.startswith("╰") and "▀▀ remaining" in line and "•• ideal" in line for line in lines)
        # the y axis from 0 to the 20 committed points, the x axis from the first working day to the last
        assert any(line.lstrip().startswith("20┤") for line in lines)
        assert any(line.lstrip().startswith("0┤") for line in lines)
        assert "01-05" in chart and "01-16" in chart and "└" in chart
        assert "•" in chart  # the ideal line


async def test_the_chart_comes_with_room_for_it_and_goes_without(known_sprint):
    app = make_app(known_sprint)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        board = board_of(app)
        assert not board.query_one("#board-chart").region.area
        await pilot.resize_terminal(*SIZE)
        await settle(app, pilot)
        # the chart draws once the resize is laid out, a refresh or two later
        await until(pilot, lambda: "01-05" in shown_text(board.query_one("#board-chart")), "the chart drawn")
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        await until(pilot, lambda: not board.query_one("#board-chart").region.area, "the chart gone again")
        assert KNOWN_LINE in shown_text(board.query_one("#board-top"))


async def test_the_burndown_follows_a_card_moved_to_done(known_sprint):
    app = make_app(known_sprint)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, ">", ">", ">")  # SAL-2 (3 pts, the first card of To do) → done
        assert items.get_row(known_sprint, "SAL-2").status == "done"
        top = shown_text(board_of(app).query_one("#board-top"))
        assert "Burndown: 12 of 20 pts left · ideal 10 · day 5 of 10" in top


@pytest.mark.parametrize("size", [(80, 24), SIZE], ids=["80x24", "120x36"])
async def test_without_an_active_sprint_no_burndown_claims_any_data(ctx, size):
    streams.add_stream(ctx, "SAL", "Sales")
    sprint_around_today(ctx)  # planned, not started
    items.create_item(ctx, "Planned work", stream="SAL", sprint="S1", points=5)
    app = make_app(ctx)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        board = board_of(app)
        top = shown_text(board.query_one("#board-top"))
        assert "No sprint is active" in top
        assert "Burndown" not in top and "pts" not in top
        assert not BLOCKS & set(top)
        assert not board.query_one("#board-chart").region.area  # no chart, not even an empty one


# --------------------------------------------------------------------------- focus


@pytest.mark.parametrize(
    "left,right,up,down",
    [("h", "l", "k", "j"), ("left", "right", "up", "down")],
    ids=["hjkl", "arrows"],
)
async def test_focus_moves_between_cards_and_columns_and_stops_at_edges(proj, left, right, up, down):
    app = make_app(proj)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        board = board_of(app)
        assert (board.col, focused_key(app)) == (TODO, "SAL-1")
        await press(app, pilot, down)
        assert (board.col, focused_key(app)) == (TODO, "SAL-2")
        await press(app, pilot, down)  # last card: stays
        assert (board.col, focused_key(app)) == (TODO, "SAL-2")
        await press(app, pilot, up)
        assert (board.col, focused_key(app)) == (TODO, "SAL-1")
        await press(app, pilot, up)  # first card: stays
        assert (board.col, focused_key(app)) == (TODO, "SAL-1")
        await press(app, pilot, left)  # first column: stays
        assert (board.col, focused_key(app)) == (TODO, "SAL-1")
        await press(app, pilot, right)
        assert (board.col, focused_key(app)) == (DOING, "SAL-3")
        assert [c.has_class("-active") for c in board.columns] == [False, True, False, False]
        await press(app, pilot, right, right)
        assert (board.col, focused_key(app)) == (DONE, "OPS-2")
        await press(app, pilot, right)  # last column: stays
        assert (board.col, focused_key(app)) == (DONE, "OPS-2")
        assert [c.has_class("-active") for c in board.columns] == [False, False, False, True]
        # moving focus writes nothing
        assert [status(proj, k) for k in ("SAL-1", "SAL-2", "SAL-3", "OPS-1", "OPS-2")] == [
            "todo", "todo", "doing", "review", "done"]


async def test_focus_into_an_empty_column_has_no_card(proj):
    items.move_item(proj, "OPS-1", "done")  # Review becomes empty
    app = make_app(proj)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "l", "l")
        board = board_of(app)
        assert board.col == REVIEW and board.focused_card is None
        await press(app, pilot, "j", ">", "<")  # nothing to move
        assert status(proj, "OPS-1") == "done"
        await press(app, pilot, "l")
        assert board.col == DONE and focused_key(app) == "OPS-1"  # cards in rank order


# --------------------------------------------------------------------------- moving cards


@pytest.mark.parametrize("forward,back", [(">", "<"), ("shift+right", "shift+left")], ids=["gt-lt", "shift-arrows"])
async def test_move_card_forward_and_back_through_the_statuses(proj, forward, back):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        board = board_of(app)
        await press(app, pilot, back)  # already in To do: nothing happens
        assert status(proj, "SAL-1") == "todo" and keys_by_column(app)[TODO] == ["SAL-1", "SAL-2"]
        expected = ["doing", "review", "done"]
        for col, st in enumerate(expected, start=1):
            await press(app, pilot, forward)
            assert status(proj, "SAL-1") == st
            assert "SAL-1" in keys_by_column(app)[col]
            assert sum(k == "SAL-1" for column in keys_by_column(app) for k in column) == 1
            # the focus travels with the card
            assert (board.col, focused_key(app)) == (col, "SAL-1")
        version = items.get_row(proj, "SAL-1").version
        await press(app, pilot, forward)  # already done: nothing happens
        assert status(proj, "SAL-1") == "done" and items.get_row(proj, "SAL-1").version == version
        await press(app, pilot, back)
        assert status(proj, "SAL-1") == "review"
        assert (board.col, focused_key(app)) == (REVIEW, "SAL-1")
        assert keys_by_column(app)[REVIEW] == ["SAL-1", "OPS-1"]  # rank order after the reload
        await press(app, pilot, back, back)
        assert status(proj, "SAL-1") == "todo"
        assert [h.field for h in items.history(proj, "SAL-1")].count("status") == 6
        assert error_notes(app) == []
        assert app.title == "Test project"


async def test_undo_after_a_move_restores_the_old_status_and_says_what(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "j", ">")  # SAL-2 → doing
        assert status(proj, "SAL-2") == "doing"
        await press(app, pilot, "u")
        assert status(proj, "SAL-2") == "todo"
        assert "SAL-2" in keys_by_column(app)[TODO]
        assert "SAL-2" not in keys_by_column(app)[DOING]
        undone = [n for n in notes(app) if n.startswith("Undone:")]
        assert undone and "SAL-2" in undone[-1]
        assert app.undo_stack == []
        await press(app, pilot, "u")
        assert notes(app)[-1] == "Nothing to undo"
        assert status(proj, "SAL-2") == "todo"


async def test_undo_does_not_overwrite_a_change_someone_made_since(proj, make_ctx):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "j", ">")  # SAL-2 → doing
        bob = make_ctx("bob")
        items.move_item(bob, "SAL-2", "review")  # bob moves it on meanwhile
        await press(app, pilot, "u")
        assert status(proj, "SAL-2") == "review"  # bob's change stands
        # a dialog says so, and why, before anything else happens
        assert isinstance(app.screen, NoticeModal)
        said = str(app.screen.query_one("#notice-body", Static).render())
        assert said.startswith("move of SAL-2 to doing was not undone")
        assert "changed by someone else" in said
        assert not error_notes(app)
        await press(app, pilot, "enter")
        assert not isinstance(app.screen, NoticeModal)
        assert "SAL-2" in keys_by_column(app)[REVIEW]  # and the board shows bob's change


async def test_undo_with_nothing_to_undo_says_so(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "u")
        assert notes(app) == ["Nothing to undo"]
        assert keys_by_column(app) == [["SAL-1", "SAL-2"], ["SAL-3"], ["OPS-1"], ["OPS-2"]]


async def test_several_undos_unwind_in_reverse_order(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await press(app, pilot, ">")  # SAL-1 → doing
        await press(app, pilot, ">")  # SAL-1 → review
        assert status(proj, "SAL-1") == "review"
        await press(app, pilot, "u")
        assert status(proj, "SAL-1") == "doing"
        await press(app, pilot, "u")
        assert status(proj, "SAL-1") == "todo"
        assert [n for n in notes(app) if n.startswith("Undone:")] == [
            "Undone: move of SAL-1 to review", "Undone: move of SAL-1 to doing"]


async def test_two_quick_moves_of_the_same_card_both_apply(proj):
    """Pressing > twice before the first write is saved moves the card two
    steps; the user's own first move is not reported as someone else's change."""
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        gate = threading.Event()
        app._writer.submit(gate.wait)  # a slow disk: the writes queue up behind this
        try:
            await pilot.press(">")
            await pilot.press(">")  # the user sees the card in Doing and presses again
            assert focused_key(app) == "SAL-1"
        finally:
            gate.set()
        await settle(app, pilot)
        assert error_notes(app) == []
        assert status(proj, "SAL-1") == "review"
        assert "SAL-1" in keys_by_column(app)[REVIEW]
        await press(app, pilot, "u")
        assert status(proj, "SAL-1") == "doing"
        await press(app, pilot, "u")
        assert status(proj, "SAL-1") == "todo"


class AlreadyDoneExecutor:
    """A writer whose job is finished when submit() returns: the state a busy
    machine produces whenever the writer thread completes the job before the UI
    thread reaches fut.add_done_callback() in SprintTuiApp.perform."""

    def submit(self, fn, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:  # noqa: BLE001 - handed over like a real executor
            future.set_exception(err)
        return future

    def shutdown(self, *args, **kwargs) -> None:
        pass


async def test_a_write_finishing_before_its_callback_is_registered_is_not_lost(proj, make_ctx):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        app._writer = AlreadyDoneExecutor()
        await pilot.press(">")  # SAL-1 → doing
        await app.settle()
        await pilot.pause()
        assert status(proj, "SAL-1") == "doing"  # the write itself happened
        lost = []
        if not app.undo_stack:
            lost.append("no undo entry for the move")
        # a conflict must be reported, too
        items.move_item(make_ctx("bob"), "SAL-2", "review")
        await pilot.press("h")  # back to To do, where only SAL-2 is left
        assert focused_key(app) == "SAL-2"
        await pilot.press(">")  # stale version: the service raises ConflictError
        await app.settle()
        await pilot.pause()
        if not any("someone else" in e for e in error_notes(app)):
            lost.append("no conflict notification")
        assert lost == []


# --------------------------------------------------------------------------- block / assign


async def test_block_with_a_reason_then_unblock_and_undo(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        board = board_of(app)
        await press(app, pilot, "b")
        assert isinstance(app.screen, PromptModal)
        assert "SAL-1" in str(app.screen.query_one("Label.title").content)
        await type_text(app, pilot, "waiting for the vendor")
        await press(app, pilot, "enter")
        board = board_of(app)
        row = items.get_row(proj, "SAL-1")
        assert row.blocked and row.blocked_reason == "waiting for the vendor"
        assert BLOCKED_MARK in card_lines(board.columns[TODO], "SAL-1")[0]
        assert focused_key(app) == "SAL-1"
        # b on a blocked card unblocks at once, without asking
        await press(app, pilot, "b")
        assert isinstance(app.screen, BoardScreen)
        row = items.get_row(proj, "SAL-1")
        assert not row.blocked and row.blocked_reason == ""
        assert BLOCKED_MARK not in card_lines(board.columns[TODO], "SAL-1")[0]
        # undo the unblocking: blocked again, with the old reason
        await press(app, pilot, "u")
        row = items.get_row(proj, "SAL-1")
        assert row.blocked and row.blocked_reason == "waiting for the vendor"
        assert "SAL-1" in notes(app)[-1] and notes(app)[-1].startswith("Undone:")
        assert BLOCKED_MARK in card_lines(board.columns[TODO], "SAL-1")[0]


async def test_block_needs_a_reason_and_escape_cancels(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "b")
        assert isinstance(app.screen, PromptModal)
        await press(app, pilot, "enter")  # empty reason: refused, dialog stays
        assert isinstance(app.screen, PromptModal)
        assert "type something" in str(app.screen.query_one("#prompt-error").content)
        await press(app, pilot, "escape")
        assert isinstance(app.screen, BoardScreen)
        assert not items.get_row(proj, "SAL-1").blocked
        assert app.undo_stack == []


async def test_assign_picks_a_member_unassign_and_undo(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "a")
        assert isinstance(app.screen, ChooseModal)
        labels = [label for label, _v in app.screen.options]
        assert labels[0].startswith("Nobody") and any(lb.startswith("alice") for lb in labels)
        await type_text(app, pilot, "bob")
        await press(app, pilot, "enter")
        board = board_of(app)
        assert items.get_row(proj, "SAL-1").assignee == "bob"
        assert "· bob ·" in card_lines(board.columns[TODO], "SAL-1")[1]
        # unassign
        await press(app, pilot, "a")
        await type_text(app, pilot, "nobody")
        await press(app, pilot, "enter")
        assert items.get_row(proj, "SAL-1").assignee is None
        assert "unassigned" in card_lines(board.columns[TODO], "SAL-1")[1]
        # undo the unassignment
        await press(app, pilot, "u")
        assert items.get_row(proj, "SAL-1").assignee == "bob"
        # escape in the chooser changes nothing
        await press(app, pilot, "a", "escape")
        assert isinstance(app.screen, BoardScreen)
        assert items.get_row(proj, "SAL-1").assignee == "bob"


# --------------------------------------------------------------------------- text filter


async def test_slash_filters_cards_by_text_and_escape_restores(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        board = board_of(app)
        box = board.query_one("#board-filter")
        assert not box.display
        await press(app, pilot, "slash")
        assert box.display and app.focused is box
        # letters go to the box, not to the board's bindings (a = assign, d = delete …)
        await type_text(app, pilot, "dashboards")
        assert isinstance(app.screen, BoardScreen)
        assert keys_by_column(app) == [[], ["SAL-3"], [], []]
        assert "dashboards" in str(board.query_one("#board-stats").content)
        await press(app, pilot, "escape")
        assert not box.display and board.text_filter == ""
        assert keys_by_column(app) == [["SAL-1", "SAL-2"], ["SAL-3"], ["OPS-1"], ["OPS-2"]]
        assert items.count_items(proj) == 6  # nothing was written or deleted


async def test_filter_by_key_kept_with_enter_then_cleared_with_escape(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        board = board_of(app)
        await press(app, pilot, "slash")
        await type_text(app, pilot, "ops-")
        await press(app, pilot, "enter")  # keep the filter, give the keys back to the board
        assert not board.query_one("#board-filter").display
        assert keys_by_column(app) == [[], [], ["OPS-1"], ["OPS-2"]]
        await press(app, pilot, "l", "l")
        assert focused_key(app) == "OPS-1"
        await press(app, pilot, ">")  # the board's bindings work again
        assert status(proj, "OPS-1") == "done"
        assert keys_by_column(app) == [[], [], [], ["OPS-1", "OPS-2"]]
        await press(app, pilot, "escape")
        assert keys_by_column(app) == [["SAL-1", "SAL-2"], ["SAL-3"], [], ["OPS-1", "OPS-2"]]


async def test_filter_matching_nothing_shows_empty_columns(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "slash")
        await type_text(app, pilot, "%_ no such thing")
        assert keys_by_column(app) == [[], [], [], []]
        await press(app, pilot, "escape")
        assert keys_by_column(app)[TODO] == ["SAL-1", "SAL-2"]


# --------------------------------------------------------------------------- delete


@pytest.mark.parametrize("key", ["d", "delete"])
async def test_delete_after_yes_removes_the_card_and_undo_restores_it(proj, key):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await press(app, pilot, key)
        assert isinstance(app.screen, ConfirmModal)
        question = str(app.screen.query_one("Label.title").content)
        assert "SAL-1" in question and "Write migration plan" in question
        await press(app, pilot, "y")
        assert isinstance(app.screen, BoardScreen)
        assert keys_by_column(app)[TODO] == ["SAL-2"]
        assert "SAL-1" not in [r.key for r in items.list_items(proj)]
        with pytest.raises(NotFoundError):
            items.get_row(proj, "SAL-1")
        assert any("SAL-1 deleted" in n for n in notes(app))
        assert focused_key(app) == "SAL-2"
        await press(app, pilot, "u")
        assert keys_by_column(app)[TODO] == ["SAL-1", "SAL-2"]
        row = items.get_row(proj, "SAL-1")
        assert row.title == "Write migration plan" and row.sprint == "S1" and row.status == "todo"
        assert notes(app)[-1].startswith("Undone:") and "SAL-1" in notes(app)[-1]


@pytest.mark.parametrize("answer", ["n", "escape"])
async def test_delete_answered_no_keeps_the_card(proj, answer):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "d")
        assert isinstance(app.screen, ConfirmModal)
        await press(app, pilot, answer)
        assert isinstance(app.screen, BoardScreen)
        assert keys_by_column(app)[TODO] == ["SAL-1", "SAL-2"]
        assert items.get_row(proj, "SAL-1").title == "Write migration plan"
        assert app.undo_stack == []


# --------------------------------------------------------------------------- new / edit


async def test_n_asks_for_a_new_item_in_the_focused_column(proj):
    app = make_app(proj)
    calls: list[dict] = []
    async with app.run_test(size=SIZE) as pilot:
        app.new_item = lambda **defaults: calls.append(defaults)
        await settle(app, pilot)
        await press(app, pilot, "n")
        await press(app, pilot, "l", "l", "n")
        assert calls == [{"status": "todo", "sprint": "current"}, {"status": "review", "sprint": "current"}]


@pytest.mark.parametrize("key", ["enter", "e"])
async def test_enter_and_e_ask_to_edit_the_focused_card(proj, key):
    app = make_app(proj)
    calls: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        app.open_item = calls.append
        await settle(app, pilot)
        await press(app, pilot, "j", key)
        await press(app, pilot, "l", "l", "l", "l", key)  # the last press stays in Done
        assert calls == ["SAL-2", "OPS-2"]


async def test_n_opens_the_item_editor(proj):
    editor = pytest.importorskip("sprinttui.tui.editor")
    app = make_app(proj)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "l", "n")
        assert isinstance(app.screen, editor.ItemEditor)
        assert app.screen.key is None  # a new item
        assert app.is_running


@pytest.mark.parametrize("key", ["enter", "e"])
async def test_enter_opens_the_item_editor_on_the_focused_card(proj, key):
    editor = pytest.importorskip("sprinttui.tui.editor")
    app = make_app(proj)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "j", key)
        assert isinstance(app.screen, editor.ItemEditor)
        assert app.screen.key == "SAL-2"
        assert app.is_running


# --------------------------------------------------------------------------- card rendering


@pytest.fixture
def slipped(ctx):
    """SAL-1 slipped out of two sprints and sits in the active S2; SAL-2 is blocked."""
    streams.add_stream(ctx, "SAL", "Sales")
    today = ctx.today()
    sprints.new_sprint(ctx, "S0", start=today - timedelta(days=30), end=today - timedelta(days=17))
    sprints.new_sprint(ctx, "S1", start=today - timedelta(days=16), end=today - timedelta(days=3))
    sprint_around_today(ctx, "S2")
    items.create_item(ctx, "Slippery task", stream="SAL", sprint="S0", points=8)
    sprints.start_sprint(ctx, "S0")
    sprints.close_sprint(ctx, "S0", carry_to="S1")
    sprints.start_sprint(ctx, "S1")
    sprints.close_sprint(ctx, "S1", carry_to="S2")
    items.create_item(ctx, "Stuck task", stream="SAL", sprint="S2")
    items.set_blocked(ctx, "SAL-2", True, "no access")
    sprints.start_sprint(ctx, "S2")
    return ctx


async def test_slip_badge_and_blocked_marker_are_on_the_card(slipped):
    assert items.get_row(slipped, "SAL-1").slip_count == 2
    app = make_app(slipped)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        todo = board_of(app).columns[TODO]
        first, _meta = card_lines(todo, "SAL-1")
        assert first.startswith("SAL-1 ↻2 Slippery task")
        assert BLOCKED_MARK not in first
        first, _meta = card_lines(todo, "SAL-2")
        assert first.startswith(f"SAL-2 {BLOCKED_MARK}") and "Stuck task" in first
        assert "↻" not in first
        assert "S2 ·" in app.sub_title


async def test_a_10000_character_title_is_cut_with_an_ellipsis(ctx):
    streams.add_stream(ctx, "SAL", "Sales")
    sprint_around_today(ctx)
    long_title = ("Migrate every legacy record " * 400)[:10_000].strip()
    items.create_item(ctx, long_title, stream="SAL", sprint="S1")
    items.create_item(ctx, "Short one", stream="SAL", sprint="S1")
    sprints.start_sprint(ctx, "S1")
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        todo = board_of(app).columns[TODO]
        width = todo.scrollable_content_region.width
        first, meta = card_lines(todo, "SAL-1")
        assert first.startswith("SAL-1 Migrate every legacy")
        assert "…" in first and len(first) == width
        assert first.rstrip().endswith("…")
        assert todo.render_line(0).cell_length == width
        assert card_lines(todo, "SAL-2")[0].startswith("SAL-2 Short one")  # the next card is intact
        await press(app, pilot, "j", "k", ">")
        assert items.get_row(ctx, "SAL-1").status == "doing"


LONG_TITLES = [
    "Approval workflow for discounts above the regional limit",
    "Migrate every customer record from the legacy system",
    "Training sessions for the sales teams in the north",
    "Deduplicate accounts with fuzzy matching on names",
]


async def test_at_80x24_each_card_shows_20_characters_of_a_long_title(ctx):
    """A column of an 80-column terminal is 18 cells wide: a card carries its
    title over two lines, also beside the blocked mark."""
    streams.add_stream(ctx, "SAL", "Sales")
    sprint_around_today(ctx)
    for title, column in zip(LONG_TITLES, ("todo", "doing", "review", "done"), strict=True):
        items.create_item(ctx, title, stream="SAL", sprint="S1", status=column, points=3)
    items.create_item(ctx, "Blocked on the vendor's answer about the licences", stream="SAL", sprint="S1")
    items.set_blocked(ctx, "SAL-5", True, "vendor")
    sprints.start_sprint(ctx, "S1")
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        board = board_of(app)
        titles = {f"SAL-{i}": t for i, t in enumerate(LONG_TITLES, 1)}
        titles["SAL-5"] = "Blocked on the vendor's answer about the licences"
        for key, title in titles.items():
            column = next(c for c in board.columns if c.index_of(key) >= 0)
            lines = column_lines(column)
            i = next(n for n, line in enumerate(lines) if line.startswith(key + " "))
            first = lines[i][len(key):].replace(BLOCKED_MARK, "").strip()
            second = lines[i + 1].strip().removesuffix("…")
            # the title goes on on the second line, after a space or in the middle of a word
            shown = next((s for s in (f"{first} {second}", first + second) if title.startswith(s)), "")
            assert len(shown) >= 20, (key, lines[i:i + 3])
            assert "3 pts" in lines[i + 2] or "- pts" in lines[i + 2]  # the points and assignee follow


@pytest.mark.parametrize("title,room,expected", [
    ("Floor walkers for the pilot go-live", 10, ("Floor", "walkers for the pilot go-live")),  # at a space
    ("Web-to-lead form on the website", 10, ("Web-to-", "lead form on the website")),  # after a hyphen
    ("Data quality report per region", 8, ("Data qua", "lity report per region")),  # a word cut: 20 shown
    ("Short", 10, ("Short", "")),
    ("Anything", 0, ("", "Anything")),
    ("会議の議事録を共有する", 9, ("会議の議", "事録を共有する")),  # wide characters: 2 cells each
])
def test_a_title_is_split_over_two_lines(title, room, expected):
    assert split_title(title, room, 16) == expected


HOSTILE = [
    "[/]",
    "a [/] b",
    "[bold]x[/bold]",
    "[link=file:///etc/passwd]x[/link]",
    "[@click=app.quit]x[/]",
    "before \x1b[2J after",
    "🚀 数据迁移",
    "שלום",
]


@pytest.fixture
def hostile(ctx):
    streams.add_stream(ctx, "SAL", "Sales")
    members.add_member(ctx, "alice", "Alice", stream="SAL")
    members.add_member(ctx, "j.doe-2", "[red]J[/red] Doe", stream="SAL")
    sprint_around_today(ctx, goal="[@click=app.quit]goal[/]")
    for i, title in enumerate(HOSTILE):
        items.create_item(ctx, title, stream="SAL", sprint="S1",
                          assignee="j.doe-2" if i % 2 else "alice", points=i)
    sprints.start_sprint(ctx, "S1")
    return ctx


def assert_plain_strip(strip) -> None:
    for seg in strip:
        style = seg.style
        if style is not None:
            assert not style.link, f"a link reached the screen: {seg!r}"
            assert "@click" not in (style.meta or {}), f"a click action reached the screen: {seg!r}"


async def test_hostile_titles_render_literally_on_cards(hostile):
    app = make_app(hostile)
    async with app.run_test(size=(240, 50)) as pilot:
        await settle(app, pilot)
        todo = board_of(app).columns[TODO]
        width = todo.scrollable_content_region.width
        assert keys_by_column(app)[TODO] == [f"SAL-{i}" for i in range(1, len(HOSTILE) + 1)]
        for i, title in enumerate(HOSTILE, start=1):
            stored = items.get_row(hostile, f"SAL-{i}").title
            assert "\x1b" not in stored  # the services strip control characters
            first, meta = card_lines(todo, f"SAL-{i}")
            assert first.startswith(f"SAL-{i} {stored}"), (title, first)
            assert ("j.doe-2" if (i - 1) % 2 else "alice") in meta
        assert "before [2J after" in card_lines(todo, "SAL-6")[0]
        for y in range(todo.size.height):
            strip = todo.render_line(y)
            assert "\x1b" not in strip.text
            assert strip.cell_length == width  # wide CJK / emoji cells keep the column straight
            assert_plain_strip(strip)
        assert "[@click=app.quit]goal[/]" in str(board_of(app).query_one("#board-goal").content)


async def test_app_keeps_running_when_acting_on_hostile_cards(hostile):
    app = make_app(hostile)
    async with app.run_test(size=(240, 50), notifications=True) as pilot:
        await settle(app, pilot)
        # walk down over every card and back
        for _ in HOSTILE:
            await press(app, pilot, "j")
        assert focused_key(app) == f"SAL-{len(HOSTILE)}"
        for _ in HOSTILE:
            await press(app, pilot, "k")
        assert focused_key(app) == "SAL-1"
        # SAL-5 is "[@click=app.quit]x[/]": block it with a markup-looking reason
        await press(app, pilot, "j", "j", "j", "j")
        assert focused_key(app) == "SAL-5"
        await press(app, pilot, "b")
        assert isinstance(app.screen, PromptModal)
        await type_text(app, pilot, "[b]why[/b] [/]")
        await press(app, pilot, "enter")
        row = items.get_row(hostile, "SAL-5")
        assert row.blocked and row.blocked_reason == "[b]why[/b] [/]"
        first = card_lines(board_of(app).columns[TODO], "SAL-5")[0]
        assert first.startswith(f"SAL-5 {BLOCKED_MARK}") and "[@click=app.quit]x[/]" in first
        # assign SAL-4 ("[link=…]") through the chooser whose labels hold markup-looking names
        await press(app, pilot, "k", "a")
        assert isinstance(app.screen, ChooseModal)
        await type_text(app, pilot, "j.doe")
        await press(app, pilot, "enter")
        assert items.get_row(hostile, "SAL-4").assignee == "j.doe-2"
        # the delete question shows the title literally; answer no
        await press(app, pilot, "d")
        assert isinstance(app.screen, ConfirmModal)
        assert "[link=file:///etc/passwd]x[/link]" in str(app.screen.query_one("Label.title").content)
        await press(app, pilot, "n")
        # move the emoji / CJK card and the RTL card, and undo
        await press(app, pilot, "j", "j", "j", "j", ">")
        assert items.get_row(hostile, "SAL-8").status == "doing"
        await press(app, pilot, "u")
        assert items.get_row(hostile, "SAL-8").status == "todo"
        assert error_notes(app) == []
        assert app.is_running and isinstance(app.screen, BoardScreen)
        assert items.count_items(hostile) == len(HOSTILE)


async def test_enter_on_hostile_cards_opens_the_editor(hostile):
    editor = pytest.importorskip("sprinttui.tui.editor")
    app = make_app(hostile)
    async with app.run_test(size=(240, 50)) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "j", "j", "j", "j", "enter")  # "[@click=app.quit]x[/]"
        assert isinstance(app.screen, editor.ItemEditor)
        assert app.screen.key == "SAL-5"
        assert app.is_running


# --------------------------------------------------------------------------- long columns (paging)
# A column is loaded a page at a time (PAGE cards, in rank order); its title
# counts the whole column; the next page comes when the cursor or the scroll
# position nears the end of what is loaded.

TODO_CARDS = 2 * PAGE + 25  # three pages: PAGE, PAGE, 25
DOING_CARDS = PAGE + 10  # two pages


@pytest.fixture
def long_board(ctx):
    """Active sprint S1 with TODO_CARDS cards in To do and DOING_CARDS in Doing
    (every fourth card of stream OPS, the others SAL). Doing's cards were made
    first, so a card moved from To do to Doing lands at the end of Doing, beyond
    its first page. The last To do card is re-ranked to the top."""
    streams.add_stream(ctx, "SAL", "Sales")
    streams.add_stream(ctx, "OPS", "Operations")
    sprint_around_today(ctx)
    with ctx.db.write() as s:
        for status, n in (("doing", DOING_CARDS), ("todo", TODO_CARDS)):
            for i in range(n):
                items.create_item(ctx, f"{status} card {i}", stream="OPS" if i % 4 == 3 else "SAL",
                                  sprint="S1", status=status, points=i % 5 or None, session=s)
    todo = column_keys(ctx, "todo")
    items.rerank(ctx, todo[-1], before=todo[0])
    sprints.start_sprint(ctx, "S1")
    return ctx


def column_keys(c, status: str, **kw) -> list[str]:
    """A whole column in rank order, through the general item list."""
    return [r.key for r in items.list_items(c, ItemQuery(sprint="S1", status=status, **kw))]


def title_of(c, heading: str, status: str, **kw) -> str:
    """The column title the services say the board should show."""
    rows = items.list_items(c, ItemQuery(sprint="S1", status=status, **kw))
    return f"{heading} · {len(rows)} · {fmt_points(sum(r.points or 0 for r in rows))} pts"


async def test_a_long_column_loads_one_page_and_its_title_counts_every_card(long_board):
    app = make_app(long_board)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        board = board_of(app)
        todo, doing = column_keys(long_board, "todo"), column_keys(long_board, "doing")
        assert len(todo) == TODO_CARDS
        assert keys_by_column(app) == [todo[:PAGE], doing[:PAGE], [], []]
        assert board.columns[TODO].border_title == title_of(long_board, "To do", "todo")
        assert board.columns[TODO].border_title.startswith(f"To do · {TODO_CARDS} · ")
        assert board.columns[DOING].border_title == title_of(long_board, "Doing", "doing")
        assert board.columns[REVIEW].border_title == "Review · 0 · 0 pts"
        assert focused_key(app) == todo[0]
        assert card_lines(board.columns[TODO], todo[0])[0].startswith(f"{todo[0]} todo card {TODO_CARDS - 1}")


async def test_j_walks_on_past_the_first_page(long_board):
    app = make_app(long_board)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        todo = column_keys(long_board, "todo")
        for _ in range(PAGE // 10):  # ten at a time: the next page is read while the cursor walks
            await press(app, pilot, *["j"] * 10)
        assert focused_key(app) == todo[PAGE]  # the first card of the second page
        assert keys_by_column(app)[TODO] == todo[: 2 * PAGE]
        await press(app, pilot, "k")
        assert focused_key(app) == todo[PAGE - 1]
        await press(app, pilot, "j", "enter")
        assert app.screen.key == todo[PAGE]  # the editor opens on the card the cursor reached


@pytest.mark.parametrize("key", ["pagedown", "down"])
async def test_going_down_to_the_end_loads_every_card_once_in_rank_order(long_board, key):
    app = make_app(long_board)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        board = board_of(app)
        todo = column_keys(long_board, "todo")
        title = board.columns[TODO].border_title
        step = 10 if key == "pagedown" else 1
        for _ in range(TODO_CARDS // step + 5):
            await press(app, pilot, *[key] * (10 // step))
            if focused_key(app) == todo[-1]:
                break
        assert focused_key(app) == todo[-1]
        assert keys_by_column(app)[TODO] == todo  # all of them, in rank order, none twice
        assert board.columns[TODO].border_title == title
        assert card_lines(board.columns[TODO], todo[-1])[0].startswith(todo[-1])  # scrolled into view
        await press(app, pilot, "pageup")
        assert focused_key(app) == todo[-11]
        assert keys_by_column(app)[DOING] == column_keys(long_board, "doing")[:PAGE]  # only the column walked


async def test_scrolling_a_column_to_its_end_loads_more_and_keeps_the_cursor(long_board):
    app = make_app(long_board)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        board = board_of(app)
        todo = column_keys(long_board, "todo")
        column = board.columns[TODO]
        loaded = [len(column.cards)]
        for _ in range(6):
            column.scroll_to(y=column.max_scroll_y, animate=False, immediate=True)
            await settle(app, pilot)
            loaded.append(len(column.cards))
        assert loaded[:4] == [PAGE, 2 * PAGE, TODO_CARDS, TODO_CARDS]
        assert keys_by_column(app)[TODO] == todo
        assert focused_key(app) == todo[0] and column.cursor == 0


async def test_moving_the_last_loaded_card_while_the_next_page_is_read(long_board, monkeypatch):
    """The cursor on the last card of the first page, its next page still being
    read: > moves the card at once; the page read for the old column is dropped
    (the reload after the move replaced it) and no card is lost or doubled."""
    gate, disk = threading.Event(), threading.Event()
    read_page = board_svc.board_page

    def slow_page(*args, **kw):
        gate.wait(HANG_SECONDS)  # opened by the test (always, in its finally), never by a timeout
        return read_page(*args, **kw)

    monkeypatch.setattr(board_svc, "board_page", slow_page)
    app = make_app(long_board)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        board = board_of(app)
        todo, doing = column_keys(long_board, "todo"), column_keys(long_board, "doing")
        last = todo[PAGE - 1]
        try:
            await pilot.press(*["j"] * PAGE)  # the next page is asked for on the way; it waits
            assert focused_key(app) == last and len(board.columns[TODO].cards) == PAGE
            app._writer.submit(disk.wait, HANG_SECONDS)  # a slow disk: the move is not saved yet
            await pilot.press(">")
            # on screen at once: at the top of Doing, focused, both titles counted again
            assert keys_by_column(app)[DOING][:2] == [last, doing[0]]
            assert (board.col, focused_key(app)) == (DOING, last)
            assert keys_by_column(app)[TODO] == todo[: PAGE - 1]
            assert board.columns[TODO].border_title.startswith(f"To do · {TODO_CARDS - 1} · ")
            assert board.columns[DOING].border_title.startswith(f"Doing · {DOING_CARDS + 1} · ")
            disk.set()
            # the move is saved and the board reloaded (the page is still held)
            await until(pilot, lambda: status(long_board, last) == "doing" and board.data.gen == board._gen,
                        "the move saved and the board reloaded")
            assert status(long_board, last) == "doing"
        finally:
            disk.set()
            gate.set()
        await settle(app, pilot)
        assert status(long_board, last) == "doing"
        after_todo, after_doing = column_keys(long_board, "todo"), column_keys(long_board, "doing")
        assert after_doing[-1] == last  # in rank order it is the last card of Doing …
        assert (board.col, focused_key(app)) == (DOING, last)  # … beyond Doing's first page, and focused
        shown = keys_by_column(app)
        assert shown[DOING] == after_doing
        assert len(shown[TODO]) >= PAGE and shown[TODO] == after_todo[: len(shown[TODO])]
        assert board.columns[TODO].border_title == title_of(long_board, "To do", "todo")
        assert board.columns[DOING].border_title == title_of(long_board, "Doing", "doing")
        assert error_notes(app) == []
        await press(app, pilot, "u")
        assert status(long_board, last) == "todo"
        assert (board.col, focused_key(app)) == (TODO, last)


async def test_a_reload_keeps_the_focus_on_a_card_of_the_third_page(long_board, make_ctx):
    app = make_app(long_board)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        board = board_of(app)
        todo = column_keys(long_board, "todo")
        for _ in range(13):
            await press(app, pilot, "pagedown")
        deep = todo[130]
        assert focused_key(app) == deep and 2 * PAGE <= 130
        # someone else edits another card: the live refresh reloads the board
        bob = make_ctx("bob")
        items.edit_item(bob, todo[0], title="Renamed by bob")
        changed_elsewhere(app)
        await settle(app, pilot)
        assert focused_key(app) == deep and board.columns[TODO].cursor == 130
        assert card_lines(board.columns[TODO], deep)[0].startswith(deep)
        assert board.columns[TODO].cards[0].title == "Renamed by bob"
        assert keys_by_column(app)[TODO] == todo  # as much as was loaded, read again
        # bob moves the focused card to Doing, where it lands beyond the first page: the focus follows it
        items.move_item(bob, deep, "doing")
        changed_elsewhere(app)
        await settle(app, pilot)
        doing = column_keys(long_board, "doing")
        assert doing.index(deep) >= PAGE
        assert (board.col, focused_key(app)) == (DOING, deep)
        assert keys_by_column(app)[DOING][: doing.index(deep) + 1] == doing[: doing.index(deep) + 1]
        await press(app, pilot, "enter")
        assert app.screen.key == deep


async def test_filters_keep_a_deep_focused_card_and_count_what_matches(long_board):
    app = make_app(long_board)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        board = board_of(app)
        todo = column_keys(long_board, "todo")
        for _ in range(13):
            await press(app, pilot, "pagedown")
        deep = todo[130]
        assert items.get_row(long_board, deep).stream == "SAL"
        # the stream filter reads the first page again, down to the focused card
        app.set_stream_filter("SAL")
        await settle(app, pilot)
        sal = column_keys(long_board, "todo", stream="SAL")
        assert focused_key(app) == deep and sal.index(deep) >= PAGE
        assert keys_by_column(app)[TODO] == sal[: len(keys_by_column(app)[TODO])]
        assert board.columns[TODO].border_title == title_of(long_board, "To do", "todo", stream="SAL")
        assert board.columns[DOING].border_title == title_of(long_board, "Doing", "doing", stream="SAL")
        # the text filter counts its matches in every column
        await press(app, pilot, "slash")
        await type_text(app, pilot, "card 1")
        await press(app, pilot, "enter")
        matching = column_keys(long_board, "todo", stream="SAL", text="card 1")
        assert keys_by_column(app)[TODO] == matching[:PAGE]
        assert board.columns[TODO].border_title == title_of(long_board, "To do", "todo", stream="SAL",
                                                            text="card 1")
        assert board.columns[DOING].border_title == title_of(long_board, "Doing", "doing", stream="SAL",
                                                             text="card 1")
        focused = focused_key(app)
        assert focused in matching
        await press(app, pilot, "escape")
        app.set_stream_filter(None)
        await settle(app, pilot)
        shown = keys_by_column(app)[TODO]
        assert focused_key(app) == focused and shown == todo[: len(shown)]
        assert len(shown) == min(TODO_CARDS, (todo.index(focused) // PAGE + 1) * PAGE)  # whole pages down to it
        assert board.columns[TODO].border_title.startswith(f"To do · {TODO_CARDS} · ")
