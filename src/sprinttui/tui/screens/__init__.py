"""The screens of the app, one module each, keyed by mode name."""

from __future__ import annotations

from sprinttui.tui.screens.backlog import BacklogScreen
from sprinttui.tui.screens.board import BoardScreen
from sprinttui.tui.screens.planning import PlanningScreen
from sprinttui.tui.screens.rituals import CatchUpView, EvaluationsView, KpiView, StandupView
from sprinttui.tui.screens.team import TeamScreen

SCREEN_CLASSES = {
    "board": BoardScreen,
    "backlog": BacklogScreen,
    "planning": PlanningScreen,
    "standup": StandupView,
    "evaluations": EvaluationsView,
    "catchup": CatchUpView,
    "kpis": KpiView,
    "team": TeamScreen,
}
