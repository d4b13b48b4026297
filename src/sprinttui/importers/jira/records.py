"""The importer's picture of the project while it plans.

One record per stream, member, sprint and item: those already in the database
and those the import creates (``new``, no ``id`` until written). Records compare
by identity, so a sprint record can stand for a sprint in the rules of
:mod:`sprinttui.services.history`. The history rows the import will write are
kept as :class:`PlannedItemEvent` and :class:`PlannedSprintEvent`, pointing at
records, and get their ids when everything is inserted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple, overload

from sprinttui.importers.jira.parse import JiraIssue

__all__ = [
    "MINUTE",
    "ItemRecord",
    "MemberRecord",
    "PlannedItemEvent",
    "PlannedSprintEvent",
    "Progress",
    "SprintMode",
    "SprintRecord",
    "StreamRecord",
    "aware",
    "EventSink",
    "datetime_on",
]

# (phase, done, total) – the command line turns these calls into a progress bar
Progress = Callable[[str, int, int], None]

# takes the history rows planned so far (the planner then forgets them): see ImportPlan
EventSink = Callable[[list["PlannedItemEvent"], list["PlannedSprintEvent"]], None]

# the smallest step between two events that must not happen at the same time
MINUTE = timedelta(minutes=1)


@overload
def aware(value: datetime) -> datetime: ...


@overload
def aware(value: datetime | None) -> datetime | None: ...


def aware(value: datetime | None) -> datetime | None:
    """A datetime read from the database as aware UTC (SQLite returns naive ones)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def datetime_on(day: date, hour: int, minute: int = 0) -> datetime:
    """That day at hour:minute UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


class SprintMode(StrEnum):
    """What the import does with a sprint the file names."""

    HISTORY = "hist"  # closed: its events are written at its own (past) dates
    CLOSE_NOW = "now"  # open here but over in Jira: the import closes it now
    OPEN = "open"  # stays open (planned or active)


@dataclass(eq=False, slots=True)
class StreamRecord:
    id: int | None
    key: str
    name: str
    next_seq: int
    new: bool = False
    changed: bool = False  # items were numbered in it: next_seq is written back


@dataclass(eq=False, slots=True)
class MemberRecord:
    id: int | None
    handle: str
    name: str
    new: bool = False
    # a new member: the streams of the new items assigned to it (the commonest becomes its primary stream)
    streams: Counter = field(default_factory=Counter)


@dataclass(eq=False, slots=True)
class SprintRecord:
    id: int | None
    name: str
    state: str
    start: date | None
    end: date | None
    started_at: datetime | None
    closed_at: datetime | None
    new: bool = False
    mode: SprintMode = SprintMode.OPEN
    position: int = -1  # its place in the file's order of sprints; -1: the file does not name it
    changed: bool = False  # an existing sprint whose state is written back
    start_now: bool = False  # the import starts it at this moment
    # its events may be written at past times (a sprint this import creates, not started now)
    historical: bool = False

    def __post_init__(self) -> None:
        self.started_at, self.closed_at = aware(self.started_at), aware(self.closed_at)


@dataclass(eq=False, slots=True)
class ItemRecord:
    id: int | None = None
    key: str = ""  # ours, like SAL-12
    external_key: str | None = None  # the Jira key
    stream: StreamRecord | None = None
    seq: int | None = None
    title: str = ""
    description: str = ""
    kind: str = ""
    status: str = ""
    points: float | None = None
    assignee: MemberRecord | None = None
    due: date | None = None
    labels: str = ""
    sprint: SprintRecord | None = None
    slip_count: int = 0
    deleted: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None  # the time of its newest history row this import writes
    rank: float | None = None
    new: bool = False  # created by this import
    dirty: bool = False  # an existing item whose fields are written back
    issue: JiraIssue | None = None  # the row of the file it is matched with
    changes: list[tuple[str, str | None, str | None]] | None = None  # for the report (None: no change)


class PlannedItemEvent(NamedTuple):
    """An item_event row: old and new already as history text."""

    item: ItemRecord
    at: datetime
    field: str
    old: str | None
    new: str | None


class PlannedSprintEvent(NamedTuple):
    """A sprint_event row, with the item's points and the status it had at that moment."""

    sprint: SprintRecord
    item: ItemRecord
    kind: str
    at: datetime
    points: float | None
    status: str
    target: SprintRecord | None
