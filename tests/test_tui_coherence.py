"""One session, several screens: a change made on one screen shows on every
other screen that shows it, also on one visited before (issue: screens
disagreed until the app was restarted)."""

from __future__ import annotations

from sprinttui.services import items
from sprinttui.tui.screens.backlog import BacklogScreen
from sprinttui.tui.screens.board import BoardScreen
from tui_support import keys_by_column, make_app, press

SIZE = (120, 36)


def backlog_keys(screen: BacklogScreen) -> list[str]:
    return [row.key for row in screen.rows]


async def test_a_card_deleted_on_the_board_leaves_the_backlog_seen_before(demo_ctx):
    app = make_app(demo_ctx)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await press(app, pilot, "2")
        backlog = app.screen
        assert isinstance(backlog, BacklogScreen)
        before, total = backlog_keys(backlog), backlog.total
        await press(app, pilot, "1")
        board = app.screen
        assert isinstance(board, BoardScreen)
        doomed = keys_by_column(app)[0][0]
        assert doomed in before
        await press(app, pilot, "d", "y")
        assert doomed not in keys_by_column(app)[0]
        await press(app, pilot, "2")
        assert app.screen is backlog
        assert doomed not in backlog_keys(backlog)
        assert backlog.total == total - 1
        assert items.count_items(demo_ctx) == len(items.list_items(demo_ctx))  # the service agrees
        # and back: the board, shown before the backlog's reload, still agrees
        await press(app, pilot, "1")
        assert doomed not in keys_by_column(app)[0]
