"""History and sprint membership: which rows a change writes, said in one place.

Two kinds of rows record what happened to an item:

* ``item_event``: one row per changed field (who, when, field, old, new); old
  and new are text made by :func:`history_text`, whoever writes them.
* ``sprint_event``: the item's membership of a sprint. Planning it into an open
  sprint is ENTER, taking it out LEAVE; starting a sprint COMMITs what is in it;
  closing one writes COMPLETE for done work and CARRY for the rest, plus ENTER
  in the sprint it is carried to. A closed sprint's record never changes again.

The services write these rows through a session (:func:`record_change`,
:func:`record_moves`). The Jira importer and the demo-data simulator build rows
in bulk, in memory; they take the same rules (:func:`plan_moves`,
:func:`start_moves`, :func:`close_moves`) and the same formatter, with whatever
stands for a sprint in their own bookkeeping.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlmodel import Session

from sprinttui.domain import SprintEventKind
from sprinttui.services.text import fmt_points
from sprinttui.store.models import Item, ItemEvent, SprintEvent

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
