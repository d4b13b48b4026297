"""The app on PostgreSQL: the demo project in a PostgreSQL database, every
screen and the item editor opened and written through, and live refresh of
changes made by another process.

These run only with SPRINTTUI_TEST_POSTGRES set to an admin URL of a
PostgreSQL server (``.ci/run`` starts one); the demo is built once into a
template database and each test gets a fresh copy of it.
"""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest
from rich.console import Console
from textual.widgets import DataTable, Input

from sprinttui.services import evaluations, items, kpis, members, open_ctx, standups
from sprinttui.tui.editor import ItemEditor
from sprinttui.tui.modals import ChooseModal, ConfirmModal, PromptModal
from sprinttui.tui.screens.standup import NotesModal
from tui_support import error_notes, make_app, notes, press, settle

PG_ADMIN_URL = os.environ.get("SPRINTTUI_TEST_POSTGRES", "")
pytestmark = pytest.mark.skipif(
    not PG_ADMIN_URL,
    reason="PostgreSQL only: set SPRINTTUI_TEST_POSTGRES to an admin URL of a PostgreSQL server "
           "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres; .ci/run does)",
)

# the demo as the snapshot tests see it (tests/conftest.py: DEMO_DAY, DEMO_NOW)
DEMO_DAY = date(2026, 3, 18)
DEMO_NOW = datetime(2026, 3, 18, 10, 0, tzinfo=UTC)
SIZE = (120, 36)
SCREENS = [("1", "board"), ("2", "backlog"), ("3", "planning"), ("4", "standup"),
           ("5", "evaluations"), ("6", "catchup"), ("7", "kpis"), ("8", "team")]
TODO, DOING, REVIEW, DONE = range(4)
LIVE_SECONDS = 2.0  # a change made elsewhere is on screen within this


# --------------------------------------------------------------------------- databases


def _admin():
    from sqlalchemy import create_engine

    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def _url_of(name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def pg_demo_template() -> str:
    """A PostgreSQL database holding the demo project, built once."""
    name = f"sprinttui_demo_{uuid4().hex[:12]}"
    admin = _admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        from sprinttui.demo import create_demo

        c = replace(open_ctx(_url_of(name), "maria"), clock=lambda: DEMO_NOW)
        try:
            assert create_demo(c, today=DEMO_DAY)
        finally:
            c.db.dispose()  # a template must have no one connected
        yield name
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def pg_demo_url(pg_demo_template) -> str:
    """A fresh PostgreSQL database with the demo project, dropped afterwards."""
    name = f"sprinttui_test_{uuid4().hex[:12]}"
    admin = _admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{pg_demo_template}"')
    try:
        yield _url_of(name)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def open_pg():
    """open_pg(url, user) → a Ctx on its own Database (as another process has), clock at DEMO_NOW."""
    opened = []

    def _open(url: str, user: str = "maria"):
        c = replace(open_ctx(url, user), clock=lambda: DEMO_NOW)
        opened.append(c)
        return c

    yield _open
    for c in opened:
        c.db.dispose()


@pytest.fixture
def demo(pg_demo_url, open_pg):
    c = open_pg(pg_demo_url)
    assert not c.db.is_sqlite
    return c


# --------------------------------------------------------------------------- helpers


def screen_text(app) -> str:
    """The screen as plain text, the way App.export_screenshot draws it."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def cell_text(value) -> str:
    return getattr(value, "plain", str(value))


def screen_view(app) -> dict[str, list]:
    """What the screen shows: each table's header and rows cell by cell, and
    the text of everything else. (A table's column widths may lag a refresh
    behind its rows, whichever the database, so tables are read by cell.)"""
    lines = screen_text(app).splitlines()
    view: dict[str, list] = {}
    for table in app.screen.query(DataTable):
        view[f"table {table.id}"] = [[cell_text(c.label) for c in table.ordered_columns]] + [
            [cell_text(c) for c in table.get_row(row.key)] for row in table.ordered_rows]
        r = table.region
        for y in range(r.y, min(r.bottom, len(lines))):
            line = lines[y].ljust(r.right)
            lines[y] = line[:r.x] + " " * r.width + line[r.right:]
    view["text"] = lines
    return view


async def open_screen(app, pilot, key: str, mode: str):
    await press(app, pilot, key)
    assert app.current_mode == mode, app.current_mode
    return app.screen


def table_keys(scr, table_id: str) -> list[str]:
    return [row.key.value for row in scr.query_one(f"#{table_id}", DataTable).ordered_rows]


async def cursor_to(app, pilot, scr, table_id: str, key: str) -> None:
    t = scr.query_one(f"#{table_id}", DataTable)
    t.move_cursor(row=table_keys(scr, table_id).index(key))
    await settle(app, pilot)


async def answer(app, pilot, value: str) -> None:
    assert isinstance(app.screen, PromptModal), app.screen
    app.screen.query_one(Input).value = value
    await press(app, pilot, "enter")


async def choose(app, pilot, needle: str) -> None:
    assert isinstance(app.screen, ChooseModal), app.screen
    await press(app, pilot, *needle)
    await press(app, pilot, "enter")


def board_keys(app) -> list[list[str]]:
    from sprinttui.tui.screens.board import BoardScreen

    for scr in reversed(app.screen_stack):
        if isinstance(scr, BoardScreen):
            return [[c.key for c in col.cards] for col in scr.columns]
    raise AssertionError("no board on the screen stack")


async def wait_until(pilot, condition, seconds: float, what=lambda: "") -> float:
    """Seconds it took until condition() held; fails after `seconds`."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > seconds:
            raise AssertionError(f"not shown within {seconds} s: {what()}")
        await pilot.pause(0.05)
    return time.monotonic() - start


# --------------------------------------------------------------------------- every screen


async def test_every_screen_shows_the_demo_as_on_sqlite(demo, demo_ctx):
    """Each screen and the item editor draw exactly what they draw for the same
    demo in SQLite (tests/conftest.py's demo_ctx): same rows, same order, same
    figures, no error."""
    shown: dict[str, dict[str, dict[str, list]]] = {}
    for backend, c in (("postgresql", demo), ("sqlite", demo_ctx)):
        app = make_app(c)
        texts = shown[backend] = {}
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(app, pilot)
            for key, mode in SCREENS:
                await open_screen(app, pilot, key, mode)
                texts[mode] = screen_view(app)
            await press(app, pilot, "1", "enter")  # the focused card in the editor
            assert isinstance(app.screen, ItemEditor)
            texts["editor"] = screen_view(app)
            await press(app, pilot, "escape")
            assert error_notes(app) == [], (backend, app.note_log)
    assert any("Sprint 4" in line for line in shown["postgresql"]["board"]["text"])
    assert len(shown["postgresql"]["backlog"]["table backlog-table"]) > 20
    for name, view in shown["sqlite"].items():
        pg_view = shown["postgresql"][name]
        assert pg_view.keys() == view.keys(), name
        for part, lite_lines in view.items():
            pg_lines = pg_view[part]
            differ = [(n, p, s) for n, (p, s) in enumerate(zip(pg_lines, lite_lines, strict=False)) if p != s]
            assert differ == [] and len(pg_lines) == len(lite_lines), (
                f"the {name} screen's {part} differs on PostgreSQL (line, postgresql, sqlite): {differ[:4]}")


# --------------------------------------------------------------------------- a write on each


async def test_board_moves_a_card(demo):
    app = make_app(demo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        key = board_keys(app)[TODO][0]
        await press(app, pilot, ">")
        assert items.get_row(demo, key).status == "doing"
        assert key in board_keys(app)[DOING]
        await press(app, pilot, "u")  # undo writes too
        assert items.get_row(demo, key).status == "todo"
        assert error_notes(app) == []


async def test_item_editor_saves_an_edit(demo):
    app = make_app(demo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        key = board_keys(app)[TODO][0]
        await press(app, pilot, "enter")
        editor = app.screen
        assert isinstance(editor, ItemEditor)
        version = items.get_row(demo, key).version
        editor.query_one("#f-title", Input).focus()
        await press(app, pilot, "end", *" (PostgreSQL)")
        await press(app, pilot, "ctrl+s")
        assert not isinstance(app.screen, ItemEditor)
        row = items.get_row(demo, key)
        assert row.title.endswith(" (PostgreSQL)") and row.version == version + 1
        assert [(h.actor, h.field) for h in items.history(demo, key)][-1] == ("maria", "title")
        assert f"Saved {key}" in notes(app)
        assert error_notes(app) == []


async def test_backlog_plans_an_item_into_the_next_sprint(demo):
    app = make_app(demo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        scr = await open_screen(app, pilot, "2", "backlog")
        key = next(r.key for r in items.list_items(demo, include_done=False, order="rank") if r.sprint is None)
        await cursor_to(app, pilot, scr, scr.query_one(DataTable).id, key)
        await press(app, pilot, "p")
        await choose(app, pilot, "Sprint 5")
        assert items.get_row(demo, key).sprint == "Sprint 5"
        assert scr.query_one(DataTable).get_cell(key, "sprint").plain == "Sprint 5"
        assert error_notes(app) == []


async def test_planning_pulls_backlog_work_into_the_next_sprint(demo):
    app = make_app(demo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        scr = await open_screen(app, pilot, "3", "planning")
        before = table_keys(scr, "plan-sprint")
        key = table_keys(scr, "plan-backlog")[0]
        await press(app, pilot, ">")
        assert isinstance(app.screen, ConfirmModal)  # it takes its stream over the free capacity
        await press(app, pilot, "y")
        assert items.get_row(demo, key).sprint == "Sprint 5"
        assert sorted(table_keys(scr, "plan-sprint")) == sorted(before + [key])
        assert key not in table_keys(scr, "plan-backlog")
        assert error_notes(app) == []


async def test_standup_saves_notes(demo):
    app = make_app(demo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        scr = await open_screen(app, pilot, "4", "standup")
        member = scr.current
        assert member is not None
        await press(app, pilot, "enter")
        assert isinstance(app.screen, NotesModal)
        app.screen.query_one("#notes-today", Input).value = "Check the PostgreSQL run"
        await press(app, pilot, "ctrl+s")
        assert not isinstance(app.screen, NotesModal)
        saved = {e.member: e for e in standups.entries(demo, on=DEMO_DAY)}
        assert saved[member.handle].today == "Check the PostgreSQL run"
        assert f"Notes of {member.handle} saved" in notes(app)
        assert error_notes(app) == []


async def test_evaluations_add_a_finding(demo):
    app = make_app(demo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await open_screen(app, pilot, "5", "evaluations")
        await press(app, pilot, "a")
        await choose(app, pilot, "tool")
        await answer(app, pilot, "Search by phone number")
        latest = evaluations.list_evaluations(demo)[-1]
        (new,) = [f for f in evaluations.list_findings(demo, latest.id) if f.text == "Search by phone number"]
        assert (new.category, new.votes, new.status) == ("tool_optimisation", 0, "open")
        assert "Search by phone number" in screen_text(app)
        assert error_notes(app) == []


async def test_catchup_accepts_a_suggestion(demo):
    # a slipped item back in the backlog, so the demo's plan has a suggestion
    # (as tests/test_tui_catchup.py's demo_app does)
    extra = items.create_item(demo, "Catch up: duplicate check for new leads", stream="SAL", points=2,
                              due="2026-03-13")
    app = make_app(demo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        scr = await open_screen(app, pilot, "6", "catchup")
        suggested = scr.plan.plan_keys
        assert extra.key in suggested
        await cursor_to(app, pilot, scr, "cu-table", suggested[0])
        await press(app, pilot, "enter")
        assert items.get_row(demo, suggested[0]).sprint == "Sprint 5"
        assert f"Planned {suggested[0]} into Sprint 5" in notes(app)
        assert error_notes(app) == []


async def test_kpis_record_a_measurement(demo):
    app = make_app(demo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        scr = await open_screen(app, pilot, "7", "kpis")
        name = scr.kpi.name
        await press(app, pilot, "m")
        await answer(app, pilot, "42.5")
        await answer(app, pilot, "today")
        last = kpis.get_kpi(demo, name).measurements[-1]
        assert (last.date, last.value) == (DEMO_DAY, 42.5)
        assert scr.kpi.name == name  # the cursor stayed on its KPI across the reload
        assert any(n.startswith(f"{name}: 42.5") for n in notes(app)), notes(app)
        assert error_notes(app) == []


async def test_team_edits_a_member(demo):
    app = make_app(demo)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        scr = await open_screen(app, pilot, "8", "team")
        handle = scr.member.handle
        before = members.get_member(demo, handle).availability
        await press(app, pilot, "e")
        await choose(app, pilot, "availability")
        await answer(app, pilot, "35")
        assert members.get_member(demo, handle).availability == 35 != before
        assert scr.query_one("#team-members", DataTable).get_row(handle)[3].plain == "35%"
        assert error_notes(app) == []


# --------------------------------------------------------------------------- live refresh


async def test_live_refresh_shows_changes_made_by_others(demo, pg_demo_url, open_pg):
    """With watch=True the board notices, through the change_counter row, a
    commit made through another Database (another process's view) and a real
    CLI process, each within LIVE_SECONDS."""
    app = make_app(demo, watch=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await wait_until(pilot, lambda: app._token is not None, 10)  # the watcher's baseline
        first, second = board_keys(app)[TODO][:2]

        other = open_pg(pg_demo_url, "bob")
        assert other.db is not demo.db
        token = demo.db.change_token()
        await asyncio.to_thread(items.move_item, other, first, "review")
        assert demo.db.change_token() != token  # seen through this app's own Database
        took = await wait_until(pilot, lambda: first in board_keys(app)[REVIEW], LIVE_SECONDS,
                                lambda: f"{first} not in Review: {board_keys(app)}, token {app._token}")
        assert first not in board_keys(app)[TODO], took

        proc = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "sprinttui", "--db", pg_demo_url, "--user", "carol",
             "item", "move", second, "done"],
            capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
        await wait_until(pilot, lambda: second in board_keys(app)[DONE], LIVE_SECONDS,
                         lambda: f"{second} not in Done: {board_keys(app)}, token {app._token}")
        assert [h.actor for h in items.history(demo, second)][-1] == "carol"
        assert error_notes(app) == []
