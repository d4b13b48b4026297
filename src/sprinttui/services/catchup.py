"""Catch-up: everything that slipped, per stream, and a plan to pull it into a sprint.

What is listed (unfinished, not deleted items), per stream:

* **slipped** — carried over at least once (slip count ≥ 1), with the sprints it
  slipped from and its age (days since it was created);
* **overdue** — its due date is before today;
* **long blocked** — blocked for more than ``blocked_days`` days.

Each stream also gets its **backlog debt** (points of its slipped or overdue
items, as :func:`sprinttui.services.reports.slipped_work` counts it) and the
**debt trend**: the points carried over at the close of each of the last closed
sprints (from the ``carry`` sprint events, at the points the items had then).

The **catch-up plan** for a target sprint (``"next"`` by default) fills each
stream's free capacity (capacity − points already in the sprint) greedily:

1. items the lead added by hand come first, whatever they cost (the screen asks
   before an addition goes over capacity);
2. then the other listed items in priority order — slip count (highest first),
   rank, due date — each one that still fits is *suggested*; one that does not
   fit is passed over and smaller ones after it may still fit. Suggestions never
   take a stream over its free capacity.

Never suggested, only shown with the reason:

* items blocked now (a blocked item pulled into a sprint slips again); the lead
  may still add one by hand;
* items without an estimate (their cost is unknown); may be added by hand;
* items already in the target sprint (they are part of the committed points);
* items in the running sprint: they carry over when that sprint closes, and
  pulling them out now would count as scope removed from it — they cannot be
  added to the plan.

``catchup_plan`` reads everything in a few queries (no query per item);
``replan`` recomputes the plan for other skips and additions without touching
the database, so a screen can show the effect of each decision at once;
``accept`` plans items into the sprint through ``items.plan_items``, so history
and sprint events stay right.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_, text
from sqlmodel import select

from sprinttui.dates import working_days
from sprinttui.domain import (
    NotFoundError,
    SprintEventKind,
    SprintState,
    StateError,
    Status,
    ValidationError,
    one_line,
)
from sprinttui.services.context import Ctx
from sprinttui.services.item_rows import ROW_WIDTH, ItemRow, row_query, to_row
from sprinttui.services.items import Planning, plan_items, revert_planning
from sprinttui.services.lookup import sprint_by_ref, stream_by_key
from sprinttui.services.project import get_settings
from sprinttui.services.sprints import SprintView, view
from sprinttui.services.text import fmt_points
from sprinttui.store.models import CATCHUP_CANDIDATE, Absence, Item, Member, Sprint, SprintEvent, Stream

#: how many closed sprints the debt trend covers
TREND_SPRINTS = 6
#: points are compared with this slack (capacities are rounded to 2 decimals)
EPS = 1e-9

# Where an item stands in the plan.
SUGGESTED = "suggested"  # fits, the plan pulls it in
ADDED = "added"  # added to the plan by hand
SKIPPED = "skipped"  # the lead took it out of the plan
NO_FIT = "no_fit"  # does not fit in the capacity left
BLOCKED = "blocked"  # blocked now: flagged, never suggested
NO_POINTS = "no_points"  # no estimate: never suggested
COMMITTED = "committed"  # already in the target sprint
RUNNING = "running"  # in the running sprint: carries over at its close
NO_SPRINT = "no_sprint"  # there is no target sprint to plan into

IN_PLAN = frozenset({SUGGESTED, ADDED})
#: states whose items may be added to the plan by hand
ADDABLE = frozenset({SUGGESTED, ADDED, SKIPPED, NO_FIT, BLOCKED, NO_POINTS})


@dataclass(frozen=True)
class DebtPoint:
    sprint: str
    points: float  # points carried over at the sprint's close


@dataclass(frozen=True)
class CatchUpEntry:
    """One listed item and where it stands in the plan."""

    row: ItemRow
    slipped_from: tuple[str, ...]  # sprint names, oldest first
    age_days: int  # days since the item was created
    overdue_days: int | None  # days past the due date, None when not overdue
    blocked_days: int | None  # days blocked, None when not blocked
    long_blocked: bool  # blocked for more than the plan's blocked_days
    base: str  # the state before skips/additions: SUGGESTED (a candidate), BLOCKED, NO_POINTS, COMMITTED, RUNNING
    state: str = SUGGESTED
    note: str = ""  # why the item is in this state, one line

    @property
    def key(self) -> str:
        return self.row.key

    @property
    def points(self) -> float | None:
        return self.row.points

    @property
    def slip_count(self) -> int:
        return self.row.slip_count

    @property
    def due(self) -> date | None:
        return self.row.due_date

    @property
    def in_plan(self) -> bool:
        return self.state in IN_PLAN

    @property
    def reasons(self) -> tuple[str, ...]:
        out = []
        if self.row.slip_count:
            out.append("slipped")
        if self.overdue_days is not None:
            out.append("overdue")
        if self.long_blocked:
            out.append("blocked")
        return tuple(out)

    @property
    def why(self) -> str:
        """Why it is listed: 'slipped 2× (Sprint 2, Sprint 3) · overdue 4 d · blocked 6 d'."""
        parts = []
        if self.row.slip_count:
            trail = f" ({', '.join(self.slipped_from)})" if self.slipped_from else ""
            parts.append(f"slipped {self.row.slip_count}×{trail}")
        if self.overdue_days is not None:
            parts.append(f"overdue {self.overdue_days} d")
        if self.blocked_days is not None:
            parts.append(f"blocked {self.blocked_days} d")
        return " · ".join(parts)


@dataclass(frozen=True)
class StreamPlan:
    stream: str
    capacity_points: float
    committed_points: float  # points already in the target sprint
    debt_points: float  # points of the stream's slipped or overdue items
    trend: tuple[DebtPoint, ...]  # carried over at the last closes, oldest first
    entries: tuple[CatchUpEntry, ...]  # in plan priority order

    @property
    def free_points(self) -> float:
        return round(self.capacity_points - self.committed_points, 2)

    @property
    def plan_points(self) -> float:
        return round(sum(float(e.points or 0) for e in self.entries if e.in_plan), 2)

    @property
    def free_after(self) -> float:
        """Free capacity left once the plan is accepted (negative: over capacity)."""
        return round(self.free_points - self.plan_points, 2)

    @property
    def over_capacity(self) -> bool:
        return self.free_after < -EPS and self.plan_points > 0

    @property
    def plan_keys(self) -> list[str]:
        return [e.key for e in self.entries if e.in_plan]


@dataclass(frozen=True)
class CatchUpPlan:
    sprint: SprintView | None  # the target sprint; None: no plan, the list only
    streams: tuple[StreamPlan, ...]
    blocked_days: int
    skip: frozenset[str] = frozenset()
    add: frozenset[str] = frozenset()

    @property
    def entries(self) -> list[CatchUpEntry]:
        return [e for sp in self.streams for e in sp.entries]

    def entry(self, key: str) -> CatchUpEntry | None:
        return next((e for e in self.entries if e.key == key), None)

    def stream_plan(self, stream: str) -> StreamPlan | None:
        return next((sp for sp in self.streams if sp.stream == stream), None)

    @property
    def plan_keys(self) -> list[str]:
        return [k for sp in self.streams for k in sp.plan_keys]

    @property
    def plan_points(self) -> float:
        return round(sum(sp.plan_points for sp in self.streams), 2)

    @property
    def debt_points(self) -> float:
        return round(sum(sp.debt_points for sp in self.streams), 2)


@dataclass(frozen=True)
class AcceptResult:
    sprint: str
    keys: list[str]  # planned into the sprint now
    before: dict[str, str | None] = field(default_factory=dict)  # key → its sprint before (None: backlog)
    planning: Planning | None = None  # what was planned, for unaccept


# --------------------------------------------------------------------------- reading


def _priority(e: CatchUpEntry) -> tuple:
    return (-e.row.slip_count, e.row.rank, e.row.due_date or date.max, e.row.key)


def catchup_plan(
    ctx: Ctx,
    *,
    sprint: str | None = "next",
    stream: str | None = None,
    blocked_days: int = 3,
    skip=(),
    add=(),
) -> CatchUpPlan:
    """Slipped, overdue and long-blocked work per stream, with a plan to pull it
    into `sprint` (a sprint ref; None lists the work without a plan).

    `skip` and `add` are item keys the lead took out of / put into the plan.
    Raises NotFoundError for an unknown sprint or stream (or when no sprint is
    planned for "next"), StateError for a target sprint that is not planned.
    """
    if isinstance(blocked_days, bool) or not isinstance(blocked_days, int) or blocked_days < 0:
        raise ValidationError("blocked days must be a whole number of days, 0 or more", "blocked_days")
    today = ctx.today()
    cutoff = datetime.combine(today, time(0), tzinfo=UTC) - timedelta(days=blocked_days)
    with ctx.db.read() as s:
        target = sprint_by_ref(s, sprint) if sprint is not None else None
        if target is not None and target.state != SprintState.PLANNED:
            raise StateError(f"sprint {one_line(target.name, 60)} is {target.state}; "
                             "catch up into a planned sprint")
        only = stream_by_key(s, stream) if stream else None
        keys = dict(s.exec(select(Stream.id, Stream.key)).all())
        shown = sorted(k for k in keys.values() if only is None or k == only.key)

        # the listed items, one query
        listed = (
            row_query()
            .add_columns(Sprint.state, Item.created_at, Item.blocked_since)
            .where(
                Item.deleted == False,  # noqa: E712
                Item.status != Status.DONE.value,
                or_(
                    Item.slip_count >= 1,
                    Item.due_date < today,
                    (Item.blocked == True) & (Item.blocked_since <= cutoff),  # noqa: E712
                ),
                # implied by the above; said in the partial index's words, so
                # that SQLite reads that index (a few hundred entries) rather
                # than the item table
                text(CATCHUP_CANDIDATE),
            )
        )
        if only is not None:
            listed = listed.where(Item.stream_id == only.id)
        found = [(to_row(t), *t[ROW_WIDTH:]) for t in s.exec(listed).all()]

        # the sprints each slipped from, one query per 900 listed items (the ids
        # found, not the listing again as a subquery: that would scan the items twice)
        trails: dict[int, list[str]] = defaultdict(list)
        ids = [row.id for row, *_ in found]
        for chunk in _chunks(ids, 900):
            carried = (
                select(SprintEvent.item_id, Sprint.name)
                .join(Sprint, Sprint.id == SprintEvent.sprint_id)
                .where(SprintEvent.kind == SprintEventKind.CARRY.value, SprintEvent.item_id.in_(chunk))
                .order_by(SprintEvent.at, SprintEvent.id)
            )
            for item_id, name in s.exec(carried).all():
                trails[item_id].append(name)

        # the debt trend: points carried over at each of the last closes, per stream
        closed = s.exec(
            select(Sprint.id, Sprint.name).where(Sprint.state == SprintState.CLOSED.value)
            .order_by(Sprint.end_date.desc(), Sprint.id.desc()).limit(TREND_SPRINTS)
        ).all()
        closed = list(reversed(closed))
        carried_pts: dict[tuple[int, int], float] = {}
        if closed:
            q = (
                select(SprintEvent.sprint_id, Item.stream_id, func.sum(func.coalesce(SprintEvent.points, 0.0)))
                .join(Item, Item.id == SprintEvent.item_id)
                .where(SprintEvent.kind == SprintEventKind.CARRY.value,
                       SprintEvent.sprint_id.in_([sid for sid, _n in closed]))
                .group_by(SprintEvent.sprint_id, Item.stream_id)
            )
            if only is not None:
                q = q.where(Item.stream_id == only.id)
            for sid, stream_id, pts in s.exec(q).all():
                carried_pts[(sid, stream_id)] = float(pts or 0.0)

        # capacity and what is already in the target sprint
        cap_points: dict[str, float] = {}
        committed: dict[str, float] = defaultdict(float)
        if target is not None:
            cap_points = _capacity_points(ctx, s, target, keys)
            for sid, pts in s.exec(
                select(Item.stream_id, func.sum(func.coalesce(Item.points, 0.0)))
                .where(Item.sprint_id == target.id, Item.deleted == False)  # noqa: E712
                .group_by(Item.stream_id)
            ).all():
                committed[keys[sid]] += float(pts or 0.0)
        target_view = view(target) if target is not None else None

    by_stream: dict[str, list[CatchUpEntry]] = defaultdict(list)
    for row, sprint_state, created_at, blocked_since in found:
        overdue = (today - row.due_date).days if row.due_date is not None and row.due_date < today else None
        blocked_for = None
        if row.blocked:
            since = blocked_since.date() if blocked_since is not None else today
            blocked_for = max((today - since).days, 0)
        long_blocked = bool(row.blocked and blocked_since is not None and _aware(blocked_since) <= cutoff)
        if target_view is None:
            base = NO_SPRINT
        elif row.sprint is not None and row.sprint == target_view.name:
            base = COMMITTED
        elif sprint_state == SprintState.ACTIVE:
            base = RUNNING
        elif row.blocked:
            base = BLOCKED
        elif row.points is None:
            base = NO_POINTS
        else:
            base = SUGGESTED
        by_stream[row.stream].append(CatchUpEntry(
            row=row,
            slipped_from=tuple(trails.get(row.id, ())),
            age_days=max((today - _aware(created_at).date()).days, 0),
            overdue_days=overdue,
            blocked_days=blocked_for,
            long_blocked=long_blocked,
            base=base,
        ))

    streams = []
    for key in shown:
        entries = tuple(sorted(by_stream.get(key, []), key=_priority))
        stream_id = next(i for i, k in keys.items() if k == key)
        debt = sum(float(e.points or 0) for e in entries if e.row.slip_count or e.overdue_days is not None)
        streams.append(StreamPlan(
            stream=key,
            capacity_points=cap_points.get(key, 0.0),
            committed_points=round(committed.get(key, 0.0), 2),
            debt_points=round(debt, 2),
            trend=tuple(DebtPoint(name, round(carried_pts.get((sid, stream_id), 0.0), 2)) for sid, name in closed),
            entries=entries,
        ))
    plan = CatchUpPlan(sprint=target_view, streams=tuple(streams), blocked_days=blocked_days)
    return replan(plan, skip=skip, add=add)


def _chunks(seq: list, n: int):
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def _capacity_points(ctx: Ctx, s, sp: Sprint, keys: dict[int, str]) -> dict[str, float]:
    """Capacity points per stream, counted as reports.capacity counts them
    (availability × (working days − absence days) × points per day), without
    the velocity that screen needs and this one does not."""
    settings = get_settings(ctx)
    days = len(working_days(sp.start_date, sp.end_date, settings.working_days))
    away = dict(s.exec(select(Absence.member_id, Absence.days).where(Absence.sprint_id == sp.id)).all())
    per_days: dict[str, float] = defaultdict(float)
    for member_id, availability, stream_id in s.exec(
        select(Member.id, Member.availability, Member.primary_stream_id).where(Member.active == True)  # noqa: E712
    ).all():
        absent = float(away.get(member_id, 0.0))
        per_days[keys.get(stream_id) or "-"] += round(availability / 100 * max(days - absent, 0.0), 2)
    return {k: round(per_days.get(k, 0.0) * settings.points_per_day, 2) for k in keys.values()}


# --------------------------------------------------------------------------- planning


def replan(plan: CatchUpPlan, *, skip=(), add=()) -> CatchUpPlan:
    """The same listing with the plan filled again for these skips and additions
    (no database access). Keys not listed, or not addable, are ignored."""
    skip_set, add_set = frozenset(skip), frozenset(add)
    streams = []
    for sp in plan.streams:
        left = sp.free_points
        states: dict[str, tuple[str, str]] = {}
        # 1. the lead's additions, whatever they cost
        for e in sp.entries:
            if e.key in add_set and e.base in (SUGGESTED, BLOCKED, NO_POINTS):
                left -= float(e.points or 0)
                states[e.key] = (ADDED, "added by hand")
        # 2. the suggestions, in priority order, while they fit
        for e in sp.entries:
            if e.key in states:
                continue
            if e.base == NO_SPRINT:
                states[e.key] = (NO_SPRINT, "no sprint to plan into")
            elif e.base == COMMITTED:
                states[e.key] = (COMMITTED, f"already in {e.row.sprint}")
            elif e.base == RUNNING:
                states[e.key] = (RUNNING, f"in the running {e.row.sprint}; carries over at its close")
            elif e.key in skip_set:
                states[e.key] = (SKIPPED, "skipped")
            elif e.base == BLOCKED:
                reason = one_line(e.row.blocked_reason, 200) if e.row.blocked_reason else "no reason given"
                states[e.key] = (BLOCKED, f"blocked: {reason}")
            elif e.base == NO_POINTS or e.points is None:
                states[e.key] = (NO_POINTS, "no estimate: give it points to plan it")
            elif float(e.points or 0) <= left + EPS:
                left -= float(e.points or 0)
                states[e.key] = (SUGGESTED, f"fits: {fmt_points(e.points)} pts")
            else:
                states[e.key] = (NO_FIT, f"does not fit: {fmt_points(e.points)} pts, "
                                         f"{fmt_points(round(max(left, 0.0), 2))} free")
        entries = tuple(replace(e, state=states[e.key][0], note=states[e.key][1]) for e in sp.entries)
        streams.append(replace(sp, entries=entries))
    return replace(plan, streams=tuple(streams), skip=skip_set, add=add_set)


def accept(ctx: Ctx, keys, sprint: str = "next") -> AcceptResult:
    """Plan these items into the sprint (one transaction, through plan_items).

    Refused with a StateError, before anything is written: a done item, an item
    in the running sprint (it carries over when that sprint closes), a closed or
    running target sprint. NotFoundError for an unknown item or sprint.
    Items already in the sprint are left as they are.
    """
    wanted = list(dict.fromkeys(str(k).strip().upper() for k in keys))
    if not wanted:
        raise ValidationError("no items to plan", "keys")
    with ctx.db.read() as s:
        target = sprint_by_ref(s, sprint)
        if target.state != SprintState.PLANNED:
            raise StateError(f"sprint {one_line(target.name, 60)} is {target.state}; "
                             "catch up into a planned sprint")
        found = {
            key: (status, sprint_id, name, state)
            for key, status, sprint_id, name, state in s.exec(
                select(Item.key, Item.status, Item.sprint_id, Sprint.name, Sprint.state)
                .outerjoin(Sprint, Sprint.id == Item.sprint_id)
                .where(Item.key.in_(wanted), Item.deleted == False)  # noqa: E712
            ).all()
        }
        name = target.name
        target_id = target.id
    before: dict[str, str | None] = {}
    for key in wanted:
        if key not in found:
            raise NotFoundError(f"no item {one_line(key, 40)}")
        status, sprint_id, sprint_name, state = found[key]
        if sprint_id == target_id:
            continue
        if status == Status.DONE:
            raise StateError(f"{key} is done; there is nothing to catch up")
        if state == SprintState.ACTIVE:
            raise StateError(f"{key} is in the running sprint {one_line(sprint_name, 60)}; "
                             "it carries over when that sprint closes")
        before[key] = sprint_name
    planning = plan_items(ctx, list(before), name) if before else None
    return AcceptResult(sprint=name, keys=list(before), before=before, planning=planning)


def unaccept(ctx: Ctx, result: AcceptResult, *, versions: dict[str, int] | None = None) -> None:
    """Undo an accept: each item goes back to the sprint (or backlog) it came
    from, leaving the sprints' figures as they were (see revert_planning);
    refused when one of them changed since."""
    if result.planning is not None:
        revert_planning(ctx, result.planning, versions=versions)
