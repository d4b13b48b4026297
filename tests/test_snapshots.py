"""Snapshot tests: every screen of the demo project at 80×24 and 160×48.

The demo is built for a fixed day with a fixed clock, so the pictures do not
change from one day to the next. Update after a deliberate change with
`pytest tests/test_snapshots.py --snapshot-update` and look at the result.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date, datetime, timezone

import pytest

from sprinttui.demo import create_demo
from sprinttui.services import open_ctx
from sprinttui.tui.app import SprintTuiApp

DEMO_DAY = date(2026, 3, 18)
NOW = datetime(2026, 3, 18, 10, 0, tzinfo=timezone.utc)
SIZES = [(80, 24), (160, 48)]
SCREENS = [
    ("1", "board"),
    ("2", "backlog"),
    ("3", "planning"),
    ("4", "standup"),
    ("5", "evaluations"),
    ("6", "catchup"),
    ("7", "kpis"),
    ("8", "team"),
]


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    ctx = replace(open_ctx(str(path), "maria"), clock=lambda: NOW)
    create_demo(ctx, today=DEMO_DAY)
    ctx.db.dispose()
    return path


@pytest.fixture
def demo_app(demo_template, tmp_path):
    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    ctx = replace(open_ctx(str(path), "maria"), clock=lambda: NOW)
    app = SprintTuiApp(ctx, watch=False)
    yield app
    ctx.db.dispose()


async def _settle(pilot) -> None:
    await pilot.app.settle()
    await pilot.pause()
    await pilot.app.settle()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("key,mode", SCREENS, ids=[m for _k, m in SCREENS])
def test_screen_snapshot(snap_compare, demo_app, key, mode, size):
    async def run_before(pilot):
        await _settle(pilot)
        await pilot.press(key)
        await _settle(pilot)
        assert pilot.app.current_mode == mode

    assert snap_compare(demo_app, terminal_size=size, run_before=run_before)
