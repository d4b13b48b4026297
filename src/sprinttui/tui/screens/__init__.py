"""The screens of the app, one module each, keyed by mode name."""

from __future__ import annotations

from sprinttui.tui.screens.board import BoardScreen
from sprinttui.tui.screens.placeholder import make_placeholder

SCREEN_CLASSES = {
    "board": BoardScreen,
    "backlog": make_placeholder("Backlog"),
    "planning": make_placeholder("Planning"),
    "standup": make_placeholder("Standup"),
    "evaluations": make_placeholder("Evaluations"),
    "catchup": make_placeholder("Catch-up"),
    "kpis": make_placeholder("KPIs"),
    "team": make_placeholder("Team"),
}
