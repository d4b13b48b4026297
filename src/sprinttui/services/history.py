"""History and sprint membership: which rows a change writes, said in one place.

Two kinds of rows record what happened to an item:

* ``item_event``: one row per changed field (who, when, field, old, new); old
  and new are text made by :func:`history_text`, whoever writes them.
* ``sprint_event``: the item's membership of a sprint. Planning it into an open
  sprint is ENTER, taking it out LEAVE; starting a sprint COMMITs what is in it;
  closing one writes COMPLETE for done work and CARRY for the rest, plus ENTER
  in the sprint it is carried to. A closed sprint's record never changes again.

A third, ``record_event``, is the history of the other rows people edit:
members, streams and the project settings (:class:`RecordKind`). It holds the
same (who, when, field, old, new) rows with the same text for the values: a
"created" row when the row is added, then one per field whose value changed
(:func:`record_created`, :func:`record_diff`), read by :func:`record_history`.

The services write these rows through a session (:func:`record_change`,
:func:`record_moves`, :func:`record_created`, :func:`record_diff`). The Jira
importer and the demo-data simulator build item rows in bulk, in memory; they
take the same rules (:func:`plan_moves`, :func:`start_moves`,
:func:`close_moves`) and the same formatter, with whatever
stands for a sprint in their own bookkeeping.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlmodel import Session, select

from sprinttui.domain import SprintEventKind
from sprinttui.services.item_rows import HistoryEntry
from sprinttui.services.text import fmt_points
from sprinttui.store.models import Item, ItemEvent, RecordEvent, SprintEvent

S = TypeVar("S")  # what stands for a sprint: a row id, or an importer's own record


def history_text(value: Any) -> str | None:
    """A field's value as history stores it (None stays None): points as the
    app shows them, dates in ISO form, yes/no for flags."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return fmt_points(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Move(Generic[S]):
    """One sprint_event to write: `kind` in `sprint` (CARRY names its `target`, None = backlog)."""

    sprint: S
    kind: SprintEventKind
    target: S | None = None


def plan_moves(old: S | None, new: S | None, *, old_closed: bool = False) -> list[Move[S]]:
    """An item goes from sprint `old` to `new` (None = the backlog). Leaving a
    closed sprint writes nothing there: its record is final."""
    if old == new:
        return []
    moves: list[Move[S]] = []
    if old is not None and not old_closed:
        moves.append(Move(old, SprintEventKind.LEAVE))
    if new is not None:
        moves.append(Move(new, SprintEventKind.ENTER))
    return moves


def start_moves(sprint: S) -> list[Move[S]]:
    """A sprint starts: each item in it is committed."""
    return [Move(sprint, SprintEventKind.COMMIT)]


def close_moves(sprint: S, *, done: bool, carry_to: S | None) -> list[Move[S]]:
    """A sprint closes: a done item is completed in it; an unfinished one is
    carried over to `carry_to` (None = the backlog) and enters that sprint."""
    if done:
        return [Move(sprint, SprintEventKind.COMPLETE)]
    moves = [Move(sprint, SprintEventKind.CARRY, carry_to)]
    if carry_to is not None:
        moves.append(Move(carry_to, SprintEventKind.ENTER))
    return moves


def record_change(s: Session, item: Item, actor: str, field: str, old: Any, new: Any, at: datetime) -> None:
    """Add the history row of one changed field of `item`."""
    s.add(ItemEvent(item_id=item.id, at=at, actor=actor, field=field,
                    old=history_text(old), new=history_text(new)))


def record_moves(s: Session, item: Item, moves: Iterable[Move[int]], actor: str, at: datetime) -> list[SprintEvent]:
    """Add the sprint_event rows of `moves` (sprints by id), with the item's
    points and status at that moment; returns them (their ids once flushed)."""
    rows = [SprintEvent(sprint_id=move.sprint, item_id=item.id, kind=move.kind.value, at=at, actor=actor,
                        points=item.points, status=item.status, target_sprint_id=move.target) for move in moves]
    s.add_all(rows)
    return rows


# --------------------------------------------------------------------------- members, streams, project


class RecordKind(StrEnum):
    """Which table a record_event row is about."""

    MEMBER = "member"
    STREAM = "stream"
    PROJECT = "project"


def _saved(row_id: int | None) -> int:
    """The id of a row that history is about: it has one once flushed."""
    if row_id is None:
        raise ValueError("a record has history once it is saved: flush it first")
    return row_id


def record_created(s: Session, kind: RecordKind, row_id: int | None, actor: str, shown: Any, at: datetime) -> None:
    """Add the "created" row of a new member, stream or project (`shown`: its name)."""
    s.add(RecordEvent(kind=RecordKind(kind).value, row_id=_saved(row_id), at=at, actor=actor, field="created",
                      old=None, new=history_text(shown)))


def record_diff(s: Session, kind: RecordKind, row_id: int | None, actor: str,
                before: Mapping[str, Any], after: Mapping[str, Any], at: datetime) -> list[str]:
    """Add a row for each field of `after` whose value differs from `before`
    (the fields as history names and shows them); returns the fields changed.
    A value set to what it already was writes nothing."""
    changed = [f for f, new in after.items() if before.get(f) != new]
    s.add_all([RecordEvent(kind=RecordKind(kind).value, row_id=_saved(row_id), at=at, actor=actor, field=f,
                           old=history_text(before.get(f)), new=history_text(after[f])) for f in changed])
    return changed


def record_history(s: Session, kind: RecordKind, row_id: int | None) -> list[HistoryEntry]:
    """The history of one member, stream or project, oldest first."""
    rows = s.exec(
        select(RecordEvent)
        .where(RecordEvent.kind == RecordKind(kind).value, RecordEvent.row_id == _saved(row_id))
        .order_by(RecordEvent.at, RecordEvent.id)
    ).all()
    return [HistoryEntry(r.at, r.actor, r.field, r.old, r.new) for r in rows]
