"""The screens of the app, one module each, keyed by mode name.

A screen's module is imported when the screen is first shown, so opening the
app on the board does not pay for the others; the app then imports the rest in
the background (`preload`) once its first screen is painted.
"""

from __future__ import annotations

from importlib import import_module

SCREEN_CLASSES = {
    "board": ("board", "BoardScreen"),
    "backlog": ("backlog", "BacklogScreen"),
    "planning": ("planning", "PlanningScreen"),
    "standup": ("standup", "StandupScreen"),
    "evaluations": ("evaluations", "EvaluationsScreen"),
    "catchup": ("catchup", "CatchUpScreen"),
    "kpis": ("kpis", "KpiScreen"),
    "team": ("team", "TeamScreen"),
}


def screen_class(mode: str) -> type:
    module, name = SCREEN_CLASSES[mode]
    return getattr(import_module(f"{__name__}.{module}"), name)


def preload() -> None:
    """Import every screen's module (safe from a thread: importing only defines classes)."""
    for module, _name in SCREEN_CLASSES.values():
        import_module(f"{__name__}.{module}")
