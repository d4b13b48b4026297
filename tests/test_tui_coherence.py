"""One session, several screens: a change made on one screen shows on every
other screen that shows it, also on one visited before, without a restart
(each test reproduces what a stream lead met on the demo)."""

from __future__ import annotations

from textual.screen import ModalScreen
from textual.widgets import Input, TextArea

from sprinttui.services import catchup as catchup_svc
from sprinttui.services import items, reports, sprints
from sprinttui.tui.modals import ChooseModal, ConfirmModal
from sprinttui.tui.screens.backlog import BacklogScreen
from sprinttui.tui.screens.board import BoardScreen
from sprinttui.tui.screens.catchup import BLOCKED_DAYS, CatchUpScreen
from sprinttui.tui.screens.planning import PlanningScreen
from sprinttui.tui.screens.standup import StandupScreen
from tui_support import keys_by_column, make_app, press, settle, type_text, until

SIZE = (120, 36)


def backlog_keys(screen: BacklogScreen) -> list[str]:
    return [row.key for row in screen.rows]


def board_keys(app) -> set[str]:
    return {key for column in keys_by_column(app) for key in column}


async def answer(app, pilot, *answers: object) -> None:
    """Answer the dialogs that open, one answer each: a chooser gets its filter
    typed and picks the highlighted entry, a confirmation yes (True) or no, a
    prompt its text; None takes what the dialog offers."""
    for given in answers:
        await until(pilot, lambda: isinstance(app.screen, ModalScreen), f"a dialog for {given!r}")
        dialog = app.screen
        if isinstance(dialog, ConfirmModal):
            await press(app, pilot, "y" if given or given is None else "n")
        elif isinstance(dialog, ChooseModal):
            if given is not None:
                await type_text(app, pilot, str(given))
            await press(app, pilot, "enter")
        else:
            fields = dialog.query("Input, TextArea")
            field = fields.first() if fields else None
            if given is not None and isinstance(field, Input):
                field.value = str(given)
            elif given is not None and isinstance(field, TextArea):
                field.text = str(given)
            await press(app, pilot, "ctrl+s" if isinstance(field, TextArea) else "enter")
        await until(pilot, lambda d=dialog: app.screen is not d, f"the dialog answered with {given!r}")
    await settle(app, pilot)


async def test_a_card_deleted_on_the_board_leaves_the_backlog_seen_before(demo_ctx):
    app = make_app(demo_ctx)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await press(app, pilot, "2")
        backlog = app.screen
        assert isinstance(backlog, BacklogScreen)
        before, total = backlog_keys(backlog), backlog.total
        await press(app, pilot, "1")
        doomed = keys_by_column(app)[0][0]
        assert doomed in before
        await press(app, pilot, "d", "y")
        assert doomed not in board_keys(app)
        await press(app, pilot, "2")
        assert app.screen is backlog
        assert doomed not in backlog_keys(backlog)
        assert backlog.total == total - 1
        await press(app, pilot, "1")
        assert doomed not in board_keys(app)


async def test_an_item_made_on_the_board_is_in_the_backlog_seen_before(demo_ctx):
    app = make_app(demo_ctx, stream="SAL")  # a stream lead's app: new items are in their stream
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await press(app, pilot, "2")
        backlog = app.screen
        total = backlog.total
        await press(app, pilot, "1", "n")
        await type_text(app, pilot, "Coherence check item")
        await press(app, pilot, "ctrl+s")
        made = next(r for r in items.list_items(demo_ctx) if r.title == "Coherence check item")
        assert made.key in board_keys(app)
        await press(app, pilot, "2")
        assert made.key in backlog_keys(backlog) and backlog.total == total + 1


async def test_a_blocker_flagged_in_the_standup_shows_on_the_board(demo_ctx):
    row = items.get_row(demo_ctx, "SAL-18")
    assert not row.blocked and row.assignee
    app = make_app(demo_ctx, stream="SAL")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        assert not next(c for col in board.columns for c in col.cards if c.key == "SAL-18").blocked
        await press(app, pilot, "4")
        standup = app.screen
        assert isinstance(standup, StandupScreen)
        for _ in standup.order:
            if standup.focus_handle == row.assignee:
                break
            await press(app, pilot, "n")
        assert standup.focus_handle == row.assignee
        await press(app, pilot, "b")
        await answer(app, pilot, "SAL-18", "Waiting for the VPN profile")
        assert items.get_row(demo_ctx, "SAL-18").blocked
        await press(app, pilot, "1")
        assert app.screen is board
        card = next(c for col in board.columns for c in col.cards if c.key == "SAL-18")
        assert card.blocked and card.blocked_reason == "Waiting for the VPN profile"


async def test_closing_and_starting_sprints_on_planning_shows_on_the_board_and_catch_up(demo_ctx):
    active = sprints.active_sprint(demo_ctx)
    nxt = sprints.list_sprints(demo_ctx, state="planned")[0]
    app = make_app(demo_ctx)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        board = app.screen
        running = board_keys(app)
        assert running and board.data.sprint.name == active.name
        await press(app, pilot, "6")
        catchup = app.screen
        assert isinstance(catchup, CatchUpScreen)
        await press(app, pilot, "3")
        planning = app.screen
        assert isinstance(planning, PlanningScreen)
        await press(app, pilot, "c")
        # carry over to the next sprint; then every question the close asks, answered with what it offers
        await answer(app, pilot, nxt.name)
        while isinstance(app.screen, ModalScreen):
            await answer(app, pilot, None)
        assert sprints.active_sprint(demo_ctx) is None
        # the board: no sprint, no cards of the closed one, and a move on it is not someone else's change
        await press(app, pilot, "1")
        assert app.screen is board and board.data.sprint is None
        assert board_keys(app) == set()
        assert "no active sprint" in app.sub_title
        # the catch-up seen before: what the services say now, not the list from before the close
        await press(app, pilot, "6")
        fresh = catchup_svc.catchup_plan(demo_ctx, blocked_days=BLOCKED_DAYS)
        shown = catchup.base
        assert shown.sprint.name == fresh.sprint.name
        assert [[(e.key, e.base) for e in sp.entries] for sp in shown.streams] == \
            [[(e.key, e.base) for e in sp.entries] for sp in fresh.streams]
        # start the next sprint on planning: the board shows it, with the work carried over
        await press(app, pilot, "3", "s")
        while isinstance(app.screen, ModalScreen):
            await answer(app, pilot, None)
        assert sprints.active_sprint(demo_ctx).name == nxt.name
        await press(app, pilot, "1")
        assert board.data.sprint is not None and board.data.sprint.name == nxt.name
        assert nxt.name in app.sub_title
        in_sprint = {r.key for r in items.list_items(demo_ctx, sprint=nxt.name)}
        assert board_keys(app) == in_sprint and running - board_keys(app) <= in_sprint | set(
            r.key for r in items.list_items(demo_ctx, sprint=active.name))
        await press(app, pilot, ">")
        assert not [n for n in app.note_log.errors()], app.note_log.errors()


async def test_a_member_added_on_team_counts_in_the_capacity_on_planning_seen_before(demo_ctx):
    nxt = sprints.list_sprints(demo_ctx, state="planned")[0]
    before = {s.stream: s.capacity_days for s in reports.capacity(demo_ctx, nxt.name).streams}
    app = make_app(demo_ctx)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await press(app, pilot, "3")
        planning = app.screen
        assert planning.data.capacity is not None
        assert {s.stream: s.capacity_days for s in planning.data.capacity.streams} == before
        await press(app, pilot, "8", "a")
        await answer(app, pilot, "newbie", "New Person", "SAL", "50")
        await press(app, pilot, "3")
        assert app.screen is planning
        shown = {s.stream: s.capacity_days for s in planning.data.capacity.streams}
        assert shown["SAL"] > before["SAL"]
        assert shown == {s.stream: s.capacity_days for s in reports.capacity(demo_ctx, nxt.name).streams}


async def test_an_item_planned_on_the_backlog_is_on_the_board_once_its_sprint_starts(demo_ctx):
    active = sprints.active_sprint(demo_ctx)
    nxt = sprints.list_sprints(demo_ctx, state="planned")[0]
    app = make_app(demo_ctx)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        board = app.screen
        await press(app, pilot, "2")
        backlog = app.screen
        key = next(r.key for r in backlog.rows if r.sprint is None)
        backlog.table.move_cursor(row=backlog_keys(backlog).index(key), animate=False)
        await settle(app, pilot)
        await press(app, pilot, "p")
        await answer(app, pilot, nxt.name)
        assert items.get_row(demo_ctx, key).sprint == nxt.name
        # close the running sprint and start the next one on planning
        await press(app, pilot, "3", "c")
        await answer(app, pilot, nxt.name)
        while isinstance(app.screen, ModalScreen):
            await answer(app, pilot, None)
        await press(app, pilot, "s")
        while isinstance(app.screen, ModalScreen):
            await answer(app, pilot, None)
        assert sprints.get_sprint(demo_ctx, active.name).state == "closed"
        await press(app, pilot, "1")
        assert app.screen is board and key in board_keys(app)


async def test_planning_an_item_and_undoing_it_leaves_no_trace_in_the_sprint_report(demo_ctx):
    active = sprints.active_sprint(demo_ctx)

    def figures():
        t = reports.sprint_report(demo_ctx, active.name).totals
        return (t.committed_points, t.added_points, t.removed_points, t.completed_points)

    before = figures()
    app = make_app(demo_ctx)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await press(app, pilot, "2")
        backlog = app.screen
        key = next(r.key for r in backlog.rows if r.sprint is None and r.points)
        backlog.table.move_cursor(row=backlog_keys(backlog).index(key), animate=False)
        await settle(app, pilot)
        await press(app, pilot, "p")
        await answer(app, pilot, active.name)
        assert items.get_row(demo_ctx, key).sprint == active.name
        assert figures() != before  # added to the running sprint
        await press(app, pilot, "u")
        assert items.get_row(demo_ctx, key).sprint is None
        assert figures() == before  # the management report is as it was
        sprint_changes = [(h.old, h.new) for h in items.history(demo_ctx, key) if h.field == "sprint"]
        assert sprint_changes[-2:] == [(None, active.name), (active.name, None)]  # the history tells both
