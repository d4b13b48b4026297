"""Snapshot tests: every screen of the demo project at 80×24 and 160×48.

The demo is built for a fixed day with a fixed clock, so the pictures do not
change from one day to the next. Update after a deliberate change with
`pytest tests/test_snapshots.py --snapshot-update` and look at the result.
"""

from __future__ import annotations

import pytest

from sprinttui.tui.app import SprintTuiApp
from tui_support import settle

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


@pytest.fixture
def demo_app(demo_ctx):
    return SprintTuiApp(demo_ctx, watch=False)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("key,mode", SCREENS, ids=[m for _k, m in SCREENS])
def test_screen_snapshot(snap_compare, demo_app, key, mode, size):
    async def run_before(pilot):
        await settle(pilot.app, pilot)
        await pilot.press(key)
        await settle(pilot.app, pilot)
        assert pilot.app.current_mode == mode

    assert snap_compare(demo_app, terminal_size=size, run_before=run_before)
