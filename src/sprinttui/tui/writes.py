"""The app's one write path: what a change is, and the message that says it happened.

Every change the app makes (a key on any screen, a dialog, the item editor, an
undo) is a :class:`Write` handed to ``SprintTuiApp.perform``: its service call
runs on the app's writer thread (writes stay in order, off the UI thread), and
once it is committed the app posts one :class:`DataChanged` naming what it
changed. The change poll posts the same message when another process wrote.
The app answers it in one place: the header is read again, the screen in view
reloads when it shows what changed, a hidden one is marked stale and reloads
when it is shown again (and only then).

A write that can be undone says how, given what its service call returned: the
undo expects the versions that call wrote, so it refuses (a ConflictError) to
overwrite a change someone made since.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Flag, auto
from typing import Any, Generic, TypeVar

from textual.message import Message

T = TypeVar("T")


class Topic(Flag):
    """What a write changes, and what a screen shows."""

    ITEMS = auto()  # items, their history, links to KPIs and findings
    SPRINTS = auto()  # sprints: dates, goal, state, membership
    TEAM = auto()  # streams, members, availability, absences
    EVALUATIONS = auto()  # evaluations and their findings
    KPIS = auto()  # KPIs and their measurements
    STANDUPS = auto()  # standup sessions and notes
    PROJECT = auto()  # the project's settings


EVERYTHING = Topic.ITEMS | Topic.SPRINTS | Topic.TEAM | Topic.EVALUATIONS | Topic.KPIS | Topic.STANDUPS | Topic.PROJECT


@dataclass(frozen=True)
class Write(Generic[T]):
    """One change: a service call, what it changes, and (optionally) its undo."""

    #: what it does, as the undo notice names it: "move of SAL-1 to doing"; or,
    #: for what only the result names (a new item's key), made from the result
    label: str | Callable[[T], str]
    #: the service call; runs on the writer thread and returns what it wrote
    do: Callable[[], T]
    #: what it changes: the screens that show any of it reload
    changes: Topic
    #: reverts it, given what `do` returned (expecting the versions `do` wrote)
    undo: Callable[[T], Any] | None = None


class DataChanged(Message):
    """Posted to the app after a write of this session was committed (`external`
    False) or after another process's commit was noticed (True)."""

    def __init__(self, changes: Topic, *, external: bool = False) -> None:
        super().__init__()
        self.changes = changes
        self.external = external
