"""The Backlog screen (2) driven through Textual's Pilot.

Every binding is pressed and checked on screen (rows of the DataTable, the
cursor, dialogs, notifications) and in the database through the services.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from rich.text import Text
from sqlalchemy import text as sql
from textual.widgets import DataTable, Input

from sprinttui.services import items, members, sprints, streams
from sprinttui.tui.editor import ItemEditor
from sprinttui.tui.modals import ChooseModal
from sprinttui.tui.screens.backlog import MARK, PAGE, BacklogScreen
from tui_support import changed_elsewhere, make_app, press, settle

SIZE = (120, 36)
HOSTILE = "a [/] b [@click=app.quit]x[/] [bold]y"


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def proj(ctx):
    """Streams SAL/OPS, members, active sprint S1, planned sprint S2, and items:
    SAL-1..SAL-4 and OPS-1 open, OPS-2 done (never in the backlog), SAL-2 in S1."""
    streams.add_stream(ctx, "SAL", "Sales")
    streams.add_stream(ctx, "OPS", "Operations")
    members.add_member(ctx, "alice", "Alice Smith", stream="SAL")
    today = ctx.today()
    sprints.new_sprint(ctx, "S1", start=today - timedelta(days=2), end=today + timedelta(days=5))
    sprints.new_sprint(ctx, "S2", start=today + timedelta(days=6), end=today + timedelta(days=19))
    items.create_item(ctx, "Write migration plan", stream="SAL", points=3)  # SAL-1
    items.create_item(ctx, "Train sales team", stream="SAL", sprint="S1", points=8, assignee="alice")  # SAL-2
    items.create_item(ctx, "Pilot dashboards", stream="SAL", points=5)  # SAL-3
    items.create_item(ctx, "Clean contact data", stream="SAL", points=1)  # SAL-4
    items.create_item(ctx, "Monitor rollout", stream="OPS", points=2)  # OPS-1
    items.create_item(ctx, "Close old tickets", stream="OPS", status="done")  # OPS-2
    sprints.start_sprint(ctx, "S1")
    return ctx


async def open_backlog(app, pilot) -> BacklogScreen:
    await press(app, pilot, "2")
    assert isinstance(app.screen, BacklogScreen)
    return app.screen


def shown_keys(screen: BacklogScreen) -> list[str]:
    """Item keys in the order the table shows them."""
    table = screen.query_one(DataTable)
    return [row.key.value for row in table.ordered_rows]


def cell(screen: BacklogScreen, key: str, column: str) -> Text:
    return screen.query_one(DataTable).get_cell(key, column)


def cursor_key(screen: BacklogScreen) -> str:
    return screen.current.key


def db_order(c) -> list[str]:
    return [r.key for r in items.list_items(c, include_done=False, order="rank")]


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def errors(app) -> list[str]:
    return [str(n.message) for n in app._notifications if n.severity == "error"]


async def move_to(app, pilot, screen: BacklogScreen, key: str) -> None:
    screen.query_one(DataTable).move_cursor(row=shown_keys(screen).index(key))
    await settle(app, pilot)
    assert cursor_key(screen) == key


def screen_text(app) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)


# --------------------------------------------------------------------------- listing


async def test_backlog_lists_open_items_in_rank_order(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_backlog(app, pilot)
        assert shown_keys(screen) == ["SAL-1", "SAL-2", "SAL-3", "SAL-4", "OPS-1"]  # OPS-2 is done
        assert app.focused is screen.query_one(DataTable)
        # every cell is rich Text, never a markup string
        for key in shown_keys(screen):
            for column in ("key", "title", "kind", "stream", "points", "sprint", "assignee", "slip"):
                assert isinstance(cell(screen, key, column), Text)
        assert cell(screen, "SAL-2", "title").plain == "Train sales team"
        assert cell(screen, "SAL-2", "sprint").plain == "S1"
        assert cell(screen, "SAL-2", "assignee").plain == "alice"
        assert cell(screen, "SAL-2", "points").plain == "8"
        assert cell(screen, "SAL-1", "sprint").plain == "backlog"
        assert cell(screen, "SAL-1", "slip").plain == "0"
        assert "5 open items" in screen_text(app)
        # arrows move the cursor (the table has focus)
        await press(app, pilot, "down", "down")
        assert cursor_key(screen) == "SAL-3"
        await press(app, pilot, "k")
        assert cursor_key(screen) == "SAL-2"
        assert not errors(app)


async def test_backlog_honours_the_stream_filter(proj):
    app = make_app(proj, stream="OPS")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_backlog(app, pilot)
        assert shown_keys(screen) == ["OPS-1"]
        app.set_stream_filter("SAL")
        await settle(app, pilot)
        assert shown_keys(screen) == ["SAL-1", "SAL-2", "SAL-3", "SAL-4"]


async def test_backlog_pages_rows_in_from_sql(ctx):
    streams.add_stream(ctx, "BIG", "Big stream")
    n = 2 * PAGE + 50
    with ctx.db.write() as s:  # many rows fast: one transaction
        for i in range(n):
            items.create_item(ctx, f"Item number {i}", stream="BIG", session=s)
    app = make_app(ctx)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_backlog(app, pilot)
        table = screen.query_one(DataTable)
        assert screen.total == n
        assert len(screen.rows) == PAGE and table.row_count == PAGE
        await press(app, pilot, "ctrl+end")  # the cursor nears the end: the next page comes
        assert table.row_count == 2 * PAGE
        assert cursor_key(screen) == f"BIG-{PAGE}"  # the cursor stays where it went
        table.scroll_to(y=table.max_scroll_y, animate=False)  # so does scrolling with the wheel
        await settle(app, pilot)
        assert table.row_count == n
        assert screen.total == n and f"{n} open items" in screen_text(app)
        assert shown_keys(screen) == [f"BIG-{i}" for i in range(1, n + 1)]
        # a reload keeps what was paged in and the cursor on its item
        far = f"BIG-{n - 30}"
        await move_to(app, pilot, screen, far)
        screen.reload()
        await settle(app, pilot)
        assert table.row_count == n
        assert cursor_key(screen) == far
        # a new search starts again from the first page
        await press(app, pilot, "slash")
        await press(app, pilot, *"Item")
        assert screen.total == n and table.row_count == PAGE
        assert not errors(app)


async def test_reload_keeps_the_cursor_on_the_same_item(proj, make_ctx):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_backlog(app, pilot)
        await move_to(app, pilot, screen, "SAL-3")
        other = make_ctx("bob")  # another process moves SAL-3 to the bottom
        items.rerank(other, "SAL-3", after="OPS-1")
        items.create_item(other, "Brand new", stream="SAL")  # SAL-5
        changed_elsewhere(app)  # what the watcher does when the database changed
        await settle(app, pilot)
        assert shown_keys(screen) == ["SAL-1", "SAL-2", "SAL-4", "OPS-1", "SAL-3", "SAL-5"]
        assert cursor_key(screen) == "SAL-3"


# --------------------------------------------------------------------------- search and sort


async def test_search_narrows_rows_in_sql_and_escape_clears(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_backlog(app, pilot)
        box = screen.query_one("#backlog-search", Input)
        assert box.disabled and not box.display  # never takes keys unasked
        await press(app, pilot, "slash")
        assert not box.disabled and app.focused is box
        await press(app, pilot, *"AT")  # "Write migration plan", "Clean contact data"; any case
        assert shown_keys(screen) == ["SAL-1", "SAL-4"]
        await press(app, pilot, "i")
        assert shown_keys(screen) == ["SAL-1"]
        await press(app, pilot, "backspace", "backspace", "backspace", *"ops-")
        assert shown_keys(screen) == ["OPS-1"]  # keys match too (done OPS-2 stays hidden)
        await press(app, pilot, "escape")
        assert shown_keys(screen) == ["SAL-1", "SAL-2", "SAL-3", "SAL-4", "OPS-1"]
        assert box.disabled and app.focused is screen.query_one(DataTable)
        # enter keeps the search and gives the keys back to the table
        await press(app, pilot, "slash", *"team", "enter")
        assert shown_keys(screen) == ["SAL-2"]
        assert box.disabled and app.focused is screen.query_one(DataTable)
        assert "search “team”" in screen_text(app)
        await press(app, pilot, "s")  # a letter binding works again while the search is kept
        assert screen.order == "key"
        await press(app, pilot, "escape")
        assert len(shown_keys(screen)) == 5


async def test_s_cycles_the_sort_and_header_click_sorts(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_backlog(app, pilot)
        items.edit_item(proj, "SAL-4", points=13)
        screen.reload()
        await settle(app, pilot)
        assert screen.order == "rank"
        await press(app, pilot, "s")
        assert screen.order == "key"
        assert shown_keys(screen) == ["SAL-1", "SAL-2", "SAL-3", "SAL-4", "OPS-1"]  # streams in creation order
        await press(app, pilot, "s")
        assert screen.order == "points"
        assert shown_keys(screen) == ["SAL-4", "SAL-2", "SAL-3", "SAL-1", "OPS-1"]
        await press(app, pilot, "s")
        assert screen.order == "slip"
        await press(app, pilot, "s")
        assert screen.order == "rank"
        assert shown_keys(screen) == ["SAL-1", "SAL-2", "SAL-3", "SAL-4", "OPS-1"]
        assert "sorted by rank" in screen_text(app)
        # clicking the Pts header sorts by points
        table = screen.query_one(DataTable)
        x = 0
        for column in table.ordered_columns:
            if column.key.value == "points":
                break
            x += column.get_render_width(table)
        await pilot.click(DataTable, offset=(x + 2, 0))
        await settle(app, pilot)
        assert screen.order == "points"
        assert shown_keys(screen)[0] == "SAL-4"


# --------------------------------------------------------------------------- ranking


async def test_K_and_J_rerank_in_the_database_and_keep_the_cursor(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_backlog(app, pilot)
        await move_to(app, pilot, screen, "SAL-3")
        await press(app, pilot, "K")
        assert db_order(proj) == ["SAL-1", "SAL-3", "SAL-2", "SAL-4", "OPS-1"]
        assert shown_keys(screen) == db_order(proj)
        assert cursor_key(screen) == "SAL-3"
        await press(app, pilot, "K")
        assert db_order(proj) == ["SAL-3", "SAL-1", "SAL-2", "SAL-4", "OPS-1"]
        assert cursor_key(screen) == "SAL-3"
        await press(app, pilot, "K")  # already on top: nothing happens
        assert db_order(proj) == ["SAL-3", "SAL-1", "SAL-2", "SAL-4", "OPS-1"]
        await press(app, pilot, "J", "J", "J")
        assert db_order(proj) == ["SAL-1", "SAL-2", "SAL-4", "SAL-3", "OPS-1"]
        assert cursor_key(screen) == "SAL-3"
        await press(app, pilot, "shift+down")
        assert db_order(proj) == ["SAL-1", "SAL-2", "SAL-4", "OPS-1", "SAL-3"]
        await press(app, pilot, "shift+up")
        assert db_order(proj) == ["SAL-1", "SAL-2", "SAL-4", "SAL-3", "OPS-1"]
        assert cursor_key(screen) == "SAL-3"
        assert shown_keys(screen) == db_order(proj)
        assert [h.field for h in items.history(proj, "SAL-3")].count("rank") == 7
        assert not errors(app)


async def test_undo_of_a_rerank(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_backlog(app, pilot)
        await move_to(app, pilot, screen, "SAL-4")
        await press(app, pilot, "K")
        assert db_order(proj) == ["SAL-1", "SAL-2", "SAL-4", "SAL-3", "OPS-1"]
        await press(app, pilot, "u")
        assert db_order(proj) == ["SAL-1", "SAL-2", "SAL-3", "SAL-4", "OPS-1"]
        assert shown_keys(screen) == db_order(proj)
        assert "Undone: re-rank of SAL-4 (above SAL-3)" in notes(app)
        assert cursor_key(screen) == "SAL-4"


async def test_rerank_needs_rank_order(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_backlog(app, pilot)
        await press(app, pilot, "s", "s")  # by points
        await move_to(app, pilot, screen, "SAL-3")
        await press(app, pilot, "K")
        assert db_order(proj) == ["SAL-1", "SAL-2", "SAL-3", "SAL-4", "OPS-1"]
        assert any("rank order" in n for n in notes(app))


# --------------------------------------------------------------------------- planning


async def test_p_plans_the_cursor_item_through_a_sprint_chooser_and_u_undoes(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_backlog(app, pilot)
        await move_to(app, pilot, screen, "SAL-3")
        await press(app, pilot, "p")
        assert isinstance(app.screen, ChooseModal)
        labels = [label for label, _v in app.screen.options]
        assert [v for _l, v in app.screen.options] == ["S1", "S2"]
        assert "active" in labels[0] and "planned" in labels[1]
        await press(app, pilot, *"s2", "enter")
        assert app.screen is screen
        assert items.get_row(proj, "SAL-3").sprint == "S2"
        assert cell(screen, "SAL-3", "sprint").plain == "S2"
        assert cursor_key(screen) == "SAL-3"
        await press(app, pilot, "u")
        assert items.get_row(proj, "SAL-3").sprint is None
        assert "Undone: planning of SAL-3 into S2" in notes(app)
        assert cell(screen, "SAL-3", "sprint").plain == "backlog"


async def test_p_escape_plans_nothing(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_backlog(app, pilot)
        await press(app, pilot, "p")
        assert isinstance(app.screen, ChooseModal)
        await press(app, pilot, "escape")
        assert app.screen is screen
        assert items.get_row(proj, "SAL-1").sprint is None
        assert app.undo_stack == []


async def test_P_sends_the_item_back_to_the_backlog_and_u_replans(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_backlog(app, pilot)
        await move_to(app, pilot, screen, "SAL-2")
        await press(app, pilot, "P")
        assert items.get_row(proj, "SAL-2").sprint is None
        assert cell(screen, "SAL-2", "sprint").plain == "backlog"
        await press(app, pilot, "u")
        assert items.get_row(proj, "SAL-2").sprint == "S1"
        assert "Undone: planning of SAL-2 into the backlog" in notes(app)


async def test_space_selects_several_and_p_plans_them_all(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_backlog(app, pilot)
        await move_to(app, pilot, screen, "SAL-1")
        await press(app, pilot, "space", "down", "down", "space", "down", "down", "space")
        assert screen.selected == {"SAL-1", "SAL-3", "OPS-1"}
        assert [cell(screen, k, "sel").plain for k in shown_keys(screen)] == [MARK, " ", MARK, " ", MARK]
        assert "3 selected" in screen_text(app)
        await press(app, pilot, "up", "up", "space")  # toggles SAL-3 off again
        assert screen.selected == {"SAL-1", "OPS-1"}
        await press(app, pilot, "space")
        await press(app, pilot, "p")
        assert isinstance(app.screen, ChooseModal)
        await press(app, pilot, *"s1", "enter")
        for key in ("SAL-1", "SAL-3", "OPS-1"):
            assert items.get_row(proj, key).sprint == "S1"
        assert items.get_row(proj, "SAL-4").sprint is None
        assert screen.selected == set()
        assert [cell(screen, k, "sel").plain for k in shown_keys(screen)] == [" "] * 5
        # one undo puts all three back where each was
        await press(app, pilot, "u")
        for key in ("SAL-1", "SAL-3", "OPS-1"):
            assert items.get_row(proj, key).sprint is None
        assert any(n.startswith("Undone: planning of SAL-1, SAL-3, OPS-1") for n in notes(app))


async def test_space_selection_and_P_with_mixed_previous_sprints(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_backlog(app, pilot)
        items.plan_item(proj, "SAL-3", "S2")
        screen.reload()
        await settle(app, pilot)
        for key in ("SAL-2", "SAL-3"):
            await move_to(app, pilot, screen, key)
            await press(app, pilot, "space")
        await press(app, pilot, "P")
        assert items.get_row(proj, "SAL-2").sprint is None
        assert items.get_row(proj, "SAL-3").sprint is None
        await press(app, pilot, "u")
        assert items.get_row(proj, "SAL-2").sprint == "S1"
        assert items.get_row(proj, "SAL-3").sprint == "S2"
        # escape clears a selection
        await press(app, pilot, "space")
        assert screen.selected
        await press(app, pilot, "escape")
        assert screen.selected == set()


# --------------------------------------------------------------------------- editor


async def test_n_opens_the_editor_for_a_new_item(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_backlog(app, pilot)
        await press(app, pilot, "n")
        assert isinstance(app.screen, ItemEditor)
        assert app.screen.key is None


async def test_enter_and_e_open_the_editor_on_the_cursor_item(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_backlog(app, pilot)
        await move_to(app, pilot, screen, "SAL-3")
        await press(app, pilot, "enter")
        assert isinstance(app.screen, ItemEditor)
        assert app.screen.key == "SAL-3"
        await press(app, pilot, "escape")
        assert app.screen is screen
        await press(app, pilot, "down", "e")
        assert isinstance(app.screen, ItemEditor)
        assert app.screen.key == "SAL-4"


# --------------------------------------------------------------------------- hostile text


async def test_hostile_titles_show_literally(proj):
    items.create_item(proj, HOSTILE, stream="SAL")  # SAL-5
    with proj.db.write() as s:  # as another tool could have written it, control characters and all
        s.execute(sql("UPDATE item SET title = :t WHERE key = 'SAL-1'"), {"t": "evil \x1b[2J title [b]x"})
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_backlog(app, pilot)
        assert cell(screen, "SAL-5", "title").plain == HOSTILE
        assert cell(screen, "SAL-1", "title").plain == "evil �[2J title [b]x"
        shown = screen_text(app)
        assert "a [/] b [@click=app.quit]x[/] [bold]y" in shown
        assert "evil �[2J title [b]x" in shown
        assert "\x1b" not in shown
        await move_to(app, pilot, screen, "SAL-5")
        await press(app, pilot, "K", "space", "slash", *"[/]", "enter")
        assert app.is_running
        assert shown_keys(screen) == ["SAL-5"]
        assert not errors(app)
