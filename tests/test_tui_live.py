"""Several people on one database file: the board follows changes committed by
another process (the CLI in a real subprocess) and never overwrites a change
it has not seen (optimistic locking surfaces as a clear notification)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from datetime import timedelta

import pytest

from sprinttui.services import items, members, sprints, streams
from sprinttui.tui.modals import ChooseModal, PromptModal
from sprinttui.tui.screens.board import BoardScreen
from tui_support import error_notes, make_app, notes, press, settle

SIZE = (120, 36)
TODO, DOING, REVIEW, DONE = range(4)
WAIT_STEPS = 40  # × 0.2 s: generous, only hit when something is wrong


@pytest.fixture
def proj(ctx):
    streams.add_stream(ctx, "SAL", "Sales")
    members.add_member(ctx, "alice", "Alice", stream="SAL")
    today = ctx.today()
    sprints.new_sprint(ctx, "S1", start=today - timedelta(days=1), end=today + timedelta(days=9))
    for title in ("Write migration plan", "Train sales team", "Pilot dashboards"):
        items.create_item(ctx, title, stream="SAL", sprint="S1")  # SAL-1..3, todo
    sprints.start_sprint(ctx, "S1")
    return ctx


async def wait_until(pilot, condition, what: str) -> None:
    for _ in range(WAIT_STEPS):
        if condition():
            return
        await pilot.pause(0.2)
    assert condition(), f"timed out waiting for {what}"


def board_of(app) -> BoardScreen:
    """The board, also while a dialog is open on top of it."""
    for scr in reversed(app.screen_stack):
        if isinstance(scr, BoardScreen):
            return scr
    raise AssertionError("no board on the screen stack")


def keys_by_column(app) -> list[list[str]]:
    return [[c.key for c in col.cards] for col in board_of(app).columns]


def focused_key(app) -> str | None:
    card = board_of(app).focused_card
    return card.key if card else None


async def watcher_armed(app, pilot) -> None:
    """The watcher has its baseline reading (taken when the app is created)."""
    await wait_until(pilot, lambda: app._token is not None, "the change watcher's first poll")


def cli(db_path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "sprinttui", "--db", str(db_path), "--user", "other", *args],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc


# --------------------------------------------------------------------------- another process


async def test_board_follows_changes_made_by_another_process(proj, db_path):
    app = make_app(proj, watch=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "j")  # focus SAL-2, the card below the one that will move
        assert focused_key(app) == "SAL-2"
        await watcher_armed(app, pilot)

        await asyncio.to_thread(cli, db_path, "item", "move", "SAL-1", "doing")
        await wait_until(pilot, lambda: "SAL-1" in keys_by_column(app)[DOING], "SAL-1 in Doing")
        assert keys_by_column(app) == [["SAL-2", "SAL-3"], ["SAL-1"], [], []]
        # the focus stays on the same item, although it moved up a row
        assert board_of(app).col == TODO and focused_key(app) == "SAL-2"

        proc = await asyncio.to_thread(
            cli, db_path, "item", "add", "Added from the CLI", "--stream", "SAL", "--sprint", "current")
        assert "SAL-4" in proc.stdout
        await wait_until(pilot, lambda: "SAL-4" in keys_by_column(app)[TODO], "the new SAL-4 in To do")
        assert keys_by_column(app) == [["SAL-2", "SAL-3", "SAL-4"], ["SAL-1"], [], []]
        assert focused_key(app) == "SAL-2"
        todo = board_of(app).columns[TODO]
        assert any(todo.render_line(y).text.startswith("SAL-4 Added from the CLI") for y in range(12))
        assert items.get_row(proj, "SAL-1").status == "doing"
        assert error_notes(app) == []
        # the focused card still acts on the right item
        await press(app, pilot, ">")
        assert items.get_row(proj, "SAL-2").status == "doing"
        assert items.get_row(proj, "SAL-3").status == "todo"


async def test_board_reloads_under_an_open_dialog(proj, make_ctx):
    app = make_app(proj, watch=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await watcher_armed(app, pilot)
        await press(app, pilot, "a")
        assert isinstance(app.screen, ChooseModal)
        await asyncio.to_thread(items.move_item, make_ctx("bob"), "SAL-3", "review")
        await wait_until(pilot, lambda: "SAL-3" in keys_by_column(app)[REVIEW], "SAL-3 in Review")
        assert isinstance(app.screen, ChooseModal)  # the dialog stays open
        await press(app, pilot, "escape")
        assert isinstance(app.screen, BoardScreen)
        assert focused_key(app) == "SAL-1"


async def test_a_change_right_after_the_board_loads_is_shown(proj, make_ctx):
    # record the watcher's readings; holding `order` while committing decides
    # for sure whether its first reading comes before or after the commit
    order = threading.Lock()
    readings: list[int] = []
    read_token = proj.db.change_token

    def change_token() -> int:
        with order:
            token = read_token()
            readings.append(token)
            return token

    proj.db.change_token = change_token
    app = make_app(proj, watch=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert keys_by_column(app)[DONE] == []
        assert len(readings) == 1  # the baseline, read when the app was created
        with order:
            if len(readings) > 1:
                pytest.skip("the watcher already ticked; this run cannot show the gap")
            items.move_item(make_ctx("bob"), "SAL-1", "done")  # another connection commits
        await wait_until(pilot, lambda: app._token is not None, "the first poll")
        await wait_until(pilot, lambda: "SAL-1" in keys_by_column(app)[DONE], "SAL-1 in Done")


# --------------------------------------------------------------------------- conflicts


async def test_moving_a_card_someone_else_changed_reports_a_conflict_and_shows_theirs(proj, make_ctx):
    app = make_app(proj)  # the board has NOT seen bob's change
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert focused_key(app) == "SAL-1"
        bob = make_ctx("bob")
        items.move_item(bob, "SAL-1", "review")
        items.edit_item(bob, "SAL-1", title="Plan v2 (bob)")
        assert keys_by_column(app)[TODO][0] == "SAL-1"  # stale on screen

        await press(app, pilot, ">")  # tester moves it todo → doing from the stale card
        assert error_notes(app), (app.note_log, keys_by_column(app), items.get_row(proj, "SAL-1"))
        assert "SAL-1" in error_notes(app)[-1] and "someone else" in error_notes(app)[-1]
        # no lost update: bob's state stands, and the board shows it
        row = items.get_row(proj, "SAL-1")
        assert row.status == "review" and row.title == "Plan v2 (bob)"
        assert "SAL-1" in keys_by_column(app)[REVIEW]
        assert "SAL-1" not in keys_by_column(app)[DOING]
        review = board_of(app).columns[REVIEW]
        assert review.render_line(0).text.startswith("SAL-1 Plan v2 (bob)")
        assert [(h.actor, h.new) for h in items.history(proj, "SAL-1") if h.field == "status"] == [
            ("bob", "review")]
        # the failed move is not on the undo stack
        await press(app, pilot, "u")
        assert notes(app)[-1] == "Nothing to undo"
        assert items.get_row(proj, "SAL-1").status == "review"
        # and the reloaded card can be moved now
        assert focused_key(app) == "SAL-1"
        await press(app, pilot, ">")
        assert items.get_row(proj, "SAL-1").status == "done"


async def test_blocking_a_card_someone_else_changed_is_refused(proj, make_ctx):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "j")
        items.edit_item(make_ctx("bob"), "SAL-2", assignee="alice")
        await press(app, pilot, "b")
        assert isinstance(app.screen, PromptModal)
        await pilot.press(*list("waiting"))
        await press(app, pilot, "enter")
        assert any("someone else" in e for e in error_notes(app)), (app.note_log, items.get_row(proj, "SAL-2"))
        row = items.get_row(proj, "SAL-2")
        assert not row.blocked and row.assignee == "alice"
        assert focused_key(app) == "SAL-2"
        assert board_of(app).focused_card.assignee == "alice"  # reloaded


async def test_deleting_a_card_someone_else_changed_is_refused(proj, make_ctx):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert focused_key(app) == "SAL-1"
        items.move_item(make_ctx("bob"), "SAL-1", "doing")
        await press(app, pilot, "d")
        await press(app, pilot, "y")
        assert any("someone else" in e for e in error_notes(app)), (app.note_log, keys_by_column(app))
        assert items.get_row(proj, "SAL-1").status == "doing"  # not deleted
        assert "SAL-1" in keys_by_column(app)[DOING]
