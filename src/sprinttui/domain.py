"""Domain vocabulary: the enumerations and error types every layer shares.

Nothing here touches the database or the UI.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Kind(StrEnum):
    STORY = "story"
    BUG = "bug"
    TASK = "task"
    IMPROVEMENT = "improvement"
    CHANGE = "change"  # training, user guide, communication


class Status(StrEnum):
    TODO = "todo"
    DOING = "doing"
    REVIEW = "review"
    DONE = "done"


class SprintState(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    CLOSED = "closed"


class EvaluationKind(StrEnum):
    INTERIM = "interim"
    REVIEW = "review"
    RETRO = "retro"


class FindingCategory(StrEnum):
    WENT_WELL = "went_well"
    TO_IMPROVE = "to_improve"
    TOOL_OPTIMISATION = "tool_optimisation"
    PROCESS = "process"
    TRAINING = "training"


class FindingStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REJECTED = "rejected"


class Direction(StrEnum):
    HIGHER = "higher"  # higher is better
    LOWER = "lower"  # lower is better


class SprintEventKind(StrEnum):
    """Explicit sprint-membership events, the source of every sprint figure."""

    ENTER = "enter"  # item planned into the sprint
    LEAVE = "leave"  # item taken out of the sprint (not at close)
    COMMIT = "commit"  # item was in the sprint when it started (points frozen)
    COMPLETE = "complete"  # item was done when the sprint closed
    CARRY = "carry"  # item was unfinished at close and moved on (a slip)


STREAM_KEY_RE = re.compile(r"^[A-Z]{2,6}$")
HANDLE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
ITEM_KEY_RE = re.compile(r"^([A-Z]{2,6})-(\d+)$")


class SprintTuiError(Exception):
    """Base of every error a user may see. str(err) is a one-line message."""

    exit_code = 2


class ValidationError(SprintTuiError):
    """Input that does not make sense (bad date, negative points, bad key)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFoundError(SprintTuiError):
    """A stream, member, sprint, item … that does not exist."""


class StateError(SprintTuiError):
    """An operation not allowed in the current state (closing a planned sprint)."""


class ConflictError(SprintTuiError):
    """Someone else changed the row since it was read (optimistic locking)."""

    def __init__(self, message: str, current_version: int | None = None):
        super().__init__(message)
        self.current_version = current_version


class StorageError(SprintTuiError):
    """The database cannot be opened, is locked too long, or is too new."""


def parse_enum(enum: type[StrEnum], value: str, what: str) -> StrEnum:
    try:
        return enum(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise ValidationError(f"unknown {what} {value!r}; use one of: {allowed}", what) from None


def one_line(text: str, limit: int = 120) -> str:
    """A safe one-line rendering of user text for error messages."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in str(text))
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return cleaned
