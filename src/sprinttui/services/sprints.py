"""Sprints: plan, start (freezes the commitment), close (carries unfinished work over)."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import select

from sprinttui.dates import working_days
from sprinttui.domain import SprintState, StateError, Status, ValidationError
from sprinttui.services.context import Ctx
from sprinttui.services.history import close_moves, record_change, record_moves, start_moves
from sprinttui.services.items import check_version, mark_updated
from sprinttui.services.lookup import is_reserved_sprint_name, lock_item_rows, sprint_by_ref, sprint_or_backlog
from sprinttui.services.project import get_settings
from sprinttui.services.text import clean_line, clean_text
from sprinttui.store.models import Item, Sprint


@dataclass(frozen=True)
class SprintView:
    id: int
    name: str
    goal: str
    start: date
    end: date
    state: str
    started_at: datetime | None
    closed_at: datetime | None
    goal_met: bool | None  # None: not recorded
    version: int
    review_note: str = ""  # what the review said (usually typed at the close)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "goal": self.goal,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "state": self.state,
            "goal_met": self.goal_met,
            "review_note": self.review_note,
        }


@dataclass(frozen=True)
class CloseResult:
    sprint: SprintView
    completed: list[str]
    carried: list[str]
    target: str | None  # sprint name, None = backlog


def view(sp: Sprint) -> SprintView:
    return SprintView(
        id=sp.id,
        name=sp.name,
        goal=sp.goal,
        start=sp.start_date,
        end=sp.end_date,
        state=sp.state,
        started_at=sp.started_at,
        closed_at=sp.closed_at,
        goal_met=sp.goal_met,
        version=sp.version,
        review_note=sp.review_note,
    )


def _dates(ctx: Ctx, start, end) -> tuple[date, date]:
    if start is None or end is None:
        raise ValidationError("a sprint needs a start and an end date", "start" if start is None else "end")
    s, e = ctx.day(start), ctx.day(end)
    if e < s:
        raise ValidationError(f"the sprint ends ({e}) before it starts ({s})", "end")
    if (e - s).days > 366:
        raise ValidationError("a sprint may last at most a year", "end")
    return s, e


def check_name(name: str, taken: Collection[str] = ()) -> str:
    """`name` cleaned for a new or renamed sprint; ValidationError when it is
    empty, too long, one of `taken`, or a reserved word (none, backlog,
    current, next, last, in any case: a sprint reference means something else
    by them)."""
    n = clean_line(name, "name", limit=100)
    if n in taken:
        raise ValidationError(f"a sprint named {n!r} exists already", "name")
    if is_reserved_sprint_name(n):
        raise ValidationError(f"{n!r} is a reserved word; choose another sprint name", "name")
    return n


def next_name(names: list[str]) -> str:
    """The name to offer for a new sprint after `names` (list_sprints' order):
    'Sprint 5' → 'Sprint 6', never one that is taken."""
    taken = set(names)
    for last in reversed(names):
        m = re.match(r"^(.*?)(\d+)$", last)
        if m:
            n = int(m.group(2)) + 1
            while f"{m.group(1)}{n}" in taken:
                n += 1
            return f"{m.group(1)}{n}"
    n = len(names) + 1
    while f"Sprint {n}" in taken:
        n += 1
    return f"Sprint {n}"


def clean_note(text: str) -> str:
    """A review note as stored (several lines allowed); ValidationError when too long."""
    return clean_text(text, "note", limit=5000)


@dataclass(frozen=True)
class SprintDates:
    """The dates to propose for a new sprint."""

    start: date
    end: date
    working_days: int  # how many working days it holds, start and end included


def first_working_day(day: date, weekdays: frozenset[int]) -> date:
    """`day` if it is a working day (weekday numbers, 0 = Monday), else the next one."""
    if not weekdays:
        raise ValidationError("at least one working day is needed", "working_days")
    while day.weekday() not in weekdays:
        day += timedelta(days=1)
    return day


def sprint_dates(start: date, *, length_days: int, weekdays: frozenset[int]) -> SprintDates:
    """A sprint from `start` that holds the usual number of working days: as
    many as the project's sprint length (`length_days`, calendar days: 14 is
    two weeks, ten working days Monday to Friday) holds from that start; it
    ends on the last of them, never on a day off. There is no holiday
    calendar: a sprint over Christmas counts its working days as any other."""
    span = working_days(start, start + timedelta(days=max(length_days, 1) - 1), weekdays)
    if not span:  # a sprint of a day, typed to start on a day off
        span = [first_working_day(start, weekdays)]
    return SprintDates(start, span[-1], len(span))


def next_sprint_dates(ctx: Ctx, start: date | None = None) -> SprintDates:
    """The dates to propose for the next new sprint: it starts on the first
    working day after the last sprint's end (with no sprint yet, today or the
    next working day), or on `start` when one is given, and lasts the usual
    number of working days of the project's sprint length (see sprint_dates)."""
    settings = get_settings(ctx)
    if start is None:
        with ctx.db.read() as s:
            last_end = s.exec(select(func.max(Sprint.end_date))).one()
        after = last_end + timedelta(days=1) if last_end is not None else ctx.today()
        start = first_working_day(after, settings.working_days)
    return sprint_dates(start, length_days=settings.sprint_length_days, weekdays=settings.working_days)


def _taken(s, name: str) -> list[str]:
    return list(s.exec(select(Sprint.name).where(Sprint.name == name)).all())


def new_sprint(ctx: Ctx, name: str, *, start, end, goal: str = "") -> SprintView:
    n = clean_line(name, "name", limit=100)
    s_date, e_date = _dates(ctx, start, end)
    with ctx.db.write() as s:
        check_name(n, _taken(s, n))
        sp = Sprint(name=n, goal=clean_text(goal, "goal", limit=5000), start_date=s_date, end_date=e_date)
        s.add(sp)
        s.flush()
        return view(sp)


def edit_sprint(
    ctx: Ctx,
    ref: str,
    *,
    name: str | None = None,
    goal: str | None = None,
    start=None,
    end=None,
    goal_met: bool | None = None,
    review_note: str | None = None,
    expected_version: int | None = None,
) -> SprintView:
    """Change what is given (None: unchanged); `goal_met` True or False
    records whether the goal was met, `review_note` what the review said."""
    note = None if review_note is None else clean_note(review_note)
    with ctx.db.write() as s:
        sp = sprint_by_ref(s, ref, lock=True)
        check_version(sp, expected_version, f"sprint {sp.name}")
        if name is not None:
            n = clean_line(name, "name", limit=100)
            if n != sp.name:
                sp.name = check_name(n, _taken(s, n))
        if goal is not None:
            sp.goal = clean_text(goal, "goal", limit=5000)
        if start is not None or end is not None:
            sp.start_date, sp.end_date = _dates(ctx, start or sp.start_date, end or sp.end_date)
        if goal_met is not None:
            sp.goal_met = goal_met
        if note is not None:
            sp.review_note = note
        s.flush()
        return view(sp)


def list_sprints(ctx: Ctx, *, state: str | None = None) -> list[SprintView]:
    with ctx.db.read() as s:
        q = select(Sprint).order_by(Sprint.start_date, Sprint.id)
        if state:
            q = q.where(Sprint.state == SprintState(state).value)
        return [view(sp) for sp in s.exec(q).all()]


def get_sprint(ctx: Ctx, ref: str) -> SprintView:
    with ctx.db.read() as s:
        return view(sprint_by_ref(s, ref))


def active_sprint(ctx: Ctx) -> SprintView | None:
    with ctx.db.read() as s:
        sp = s.exec(select(Sprint).where(Sprint.state == SprintState.ACTIVE.value)).first()
        return view(sp) if sp else None


def start_sprint(ctx: Ctx, ref: str) -> SprintView:
    """Start a planned sprint. What is in it now becomes its frozen commitment."""
    with ctx.db.write() as s:
        sp = sprint_by_ref(s, ref, lock=True)
        if sp.state != SprintState.PLANNED:
            raise StateError(f"sprint {sp.name} is {sp.state}; only a planned sprint can start")
        other = s.exec(select(Sprint).where(Sprint.state == SprintState.ACTIVE.value)).first()
        if other is not None:
            raise StateError(f"sprint {other.name} is still active; close it first")
        at = ctx.now()
        items = s.exec(select(Item).where(Item.sprint_id == sp.id, Item.deleted == False)).all()  # noqa: E712
        for item in items:
            record_moves(s, item, start_moves(sp.id), ctx.user, at)
        sp.state = SprintState.ACTIVE.value
        sp.started_at = at
        s.flush()
        return view(sp)


def close_sprint(ctx: Ctx, ref: str, *, carry_to: str | None = "next", goal_met: bool | None = None,
                 review_note: str | None = None) -> CloseResult:
    """Close the active sprint in one transaction.

    Done items stay in it (completed); every unfinished item moves to carry_to
    (a sprint ref, or 'backlog'/None) and its slip count goes up by one.
    `goal_met` (None: not recorded) and `review_note` are what the review said.
    """
    note = None if review_note is None else clean_note(review_note)
    with ctx.db.write() as s:
        sp = sprint_by_ref(s, ref, lock=True)
        if sp.state != SprintState.ACTIVE:
            raise StateError(f"sprint {sp.name} is {sp.state}; only the active sprint can be closed")
        target = sprint_or_backlog(s, carry_to)
        if target is not None:
            if target.id == sp.id:
                raise ValidationError("cannot carry work over into the sprint being closed", "carry_to")
            if target.state != SprintState.PLANNED:
                raise StateError(f"sprint {target.name} is {target.state}; carry over into a planned sprint")
        at = ctx.now()
        lock_item_rows(s, Item.sprint_id == sp.id)
        items = s.exec(
            select(Item).where(Item.sprint_id == sp.id, Item.deleted == False).order_by(Item.rank)  # noqa: E712
        ).all()
        completed, carried = [], []
        for item in items:
            done = item.status == Status.DONE
            record_moves(s, item, close_moves(sp.id, done=done, carry_to=target.id if target else None), ctx.user, at)
            if done:
                completed.append(item.key)
                continue
            record_change(s, item, ctx.user, "sprint", sp.name, target.name if target else None, at)
            record_change(s, item, ctx.user, "slip_count", item.slip_count, item.slip_count + 1, at)
            item.sprint_id = target.id if target else None
            item.slip_count += 1
            mark_updated(ctx, item, at)
            carried.append(item.key)
        sp.state = SprintState.CLOSED.value
        sp.closed_at = at
        if goal_met is not None:
            sp.goal_met = goal_met
        if note is not None:
            sp.review_note = note
        s.flush()
        return CloseResult(view(sp), completed, carried, target.name if target else None)
