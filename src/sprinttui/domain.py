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


class BusyError(StorageError):
    """The server undid a write whole because another write got in the way (a
    PostgreSQL deadlock or serialization failure): doing it again may succeed."""


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


# Numbers people type: ASCII digits only. Python's int() and float() also take
# '1_000' and other scripts' digits ('१२'), which nobody means as a number here.
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_WHOLE_RE = re.compile(r"[+-]?\d+", re.ASCII)

# Dates people mean: anything outside these years is a typo (26-1-1, 0001-01-01).
FIRST_YEAR = 1970
LAST_YEAR = 2200


def parse_number(value: object, field: str) -> float:
    """A finite number from user input; ValidationError names the field otherwise."""
    if isinstance(value, str):
        text = value.strip()
        if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
            raise ValidationError(f"{field} must be a finite number", field)
        if not _NUMBER_RE.fullmatch(text):
            raise ValidationError(f"{field} must be a number, not {one_line(text, 20)!r}", field)
        number = float(text)
    elif isinstance(value, bool) or value is None:
        raise ValidationError(f"{field} must be a number, not {one_line(str(value), 20)!r}", field)
    else:
        try:
            number = float(value)  # type: ignore[arg-type]  # int, float, Decimal from code
        except (TypeError, ValueError, OverflowError):
            raise ValidationError(f"{field} must be a number, not {one_line(str(value), 20)!r}", field) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValidationError(f"{field} must be a finite number", field)
    return number


def parse_whole(value: object, field: str) -> int:
    """A whole number from user input (ASCII digits, an optional sign)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip() if value is not None else ""
    if not _WHOLE_RE.fullmatch(text):
        raise ValidationError(f"{field} must be a whole number, not {one_line(text, 20)!r}", field)
    return int(text)
