"""Sprint figures computed from history: commitment, scope change, completion,
carry-over, say/do; velocity, capacity, burndown and slipped work.

Why one module of this size: every figure here is read from the same sprint
events by the same rules (what counts as committed, added, removed,
re-estimated, completed, carried over); velocity and capacity reuse the
report's grouped query. Split apart, those rules would have to be shared
through private helpers or written twice."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import reduce
from operator import add
from typing import NamedTuple

from sqlalchemy import and_, exists, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from sprinttui.dates import working_days
from sprinttui.domain import SprintEventKind as EK
from sprinttui.domain import SprintState, Status
from sprinttui.services.context import Ctx
from sprinttui.services.item_rows import ItemRow, row_query, to_row
from sprinttui.services.lookup import sprint_by_ref, stream_by_key
from sprinttui.services.project import get_settings
from sprinttui.services.sprints import SprintView, view
from sprinttui.store.models import Absence, Item, ItemEvent, Member, Sprint, SprintEvent, Stream


@dataclass
class Figures:
    committed_points: float = 0.0
    committed_count: int = 0
    added_points: float = 0.0
    added_count: int = 0
    removed_points: float = 0.0
    removed_count: int = 0
    # points changed while an item was part of the sprint: from its points when
    # committed or added to those of its outcome (items whose points changed)
    reestimated_points: float = 0.0
    reestimated_count: int = 0
    completed_points: float = 0.0
    completed_count: int = 0
    carried_over_points: float = 0.0
    carried_over_count: int = 0
    # items still open in the running sprint, at their points now (0 once it closed)
    not_completed_points: float = 0.0
    not_completed_count: int = 0
    # completed points of items that were committed, at their committed points
    committed_completed_points: float = 0.0

    @property
    def say_do_ratio(self) -> float | None:
        if not self.committed_points:
            return None
        return round(self.committed_completed_points / self.committed_points, 4)

    @property
    def scope_change_points(self) -> float:
        return self.added_points - self.removed_points

    def as_dict(self) -> dict:
        d = asdict(self)
        d.pop("committed_completed_points")
        d["say_do_ratio"] = self.say_do_ratio
        d["scope_change_points"] = self.scope_change_points
        return d


@dataclass
class ItemOutcome:
    key: str
    title: str
    stream: str
    status: str
    points: float | None
    outcome: str  # completed | carried_over | removed | not_completed
    committed: bool
    added_after_start: bool
    slip_count: int
    blocked: bool
    blocked_reason: str
    reestimated_points: float = 0.0  # its points at the outcome − when committed or added


@dataclass
class SprintReport:
    sprint: SprintView
    totals: Figures
    streams: dict[str, Figures]
    items: list[ItemOutcome] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "sprint": self.sprint.as_dict(),
            "totals": self.totals.as_dict(),
            "streams": [{"stream": k, **f.as_dict()} for k, f in sorted(self.streams.items())],
        }


def _pts(p: float | None) -> float:
    return float(p or 0.0)


def sprint_report(ctx: Ctx, ref: str = "current", *, stream: str | None = None) -> SprintReport:
    with ctx.db.read() as s:
        sp = sprint_by_ref(s, ref)
        return report_in(s, sp, stream)


class _ReportItem(NamedTuple):
    """The columns of an item the report reads (a named tuple: attribute reads
    on it are several times cheaper than on a result row)."""

    id: int
    key: str
    title: str
    stream_id: int
    seq: int
    status: str
    points: float | None
    deleted: bool
    slip_count: int
    blocked: bool
    blocked_reason: str


def report_in(s: Session, sp: Sprint, stream: str | None = None) -> SprintReport:
    """The report of sprint `sp` (of one stream's items, with `stream`), read in session `s`.

    Every item that was part of the sprint after its start enters it once
    (committed, or added) and ends once (completed, carried over, removed, or
    still open while it runs), so that for every item, stream and the total:
    committed + added − removed + re-estimated = completed + carried over + not completed.
    """
    # plain column rows, not ORM objects: a sprint of thousands of items has
    # twice as many events, and only these columns are read
    events = s.exec(
        select(SprintEvent.item_id, SprintEvent.kind, SprintEvent.at, SprintEvent.points, SprintEvent.status)
        .where(SprintEvent.sprint_id == sp.id).order_by(SprintEvent.at, SprintEvent.id)
    ).all()
    item_ids = {e[0] for e in events}
    streams: dict[int, str] = dict(s.exec(select(Stream.id, Stream.key)).all())
    items = {
        row[0]: _ReportItem._make(row)
        for row in s.exec(
            select(*(getattr(Item, name) for name in _ReportItem._fields))  # the tuple's fields, in order
            .where(Item.id.in_(select(SprintEvent.item_id).where(SprintEvent.sprint_id == sp.id)))
        ).all()
    }
    only_stream = stream_by_key(s, stream).id if stream else None

    committed: dict[int, float] = {}
    completed: dict[int, float] = {}
    carried: dict[int, float] = {}
    added: dict[int, float] = {}
    member: dict[int, bool] = {}  # membership after the last enter/leave
    left_not_done: dict[int, float] = {}
    left_done: dict[int, float] = {}  # taken out of the running sprint when done
    started = sp.started_at
    # the commitment first: an item planned at the very instant of the start
    # is committed, not added
    for iid, kind, _at, points, _status in events:
        if kind == EK.COMMIT:
            committed[iid] = _pts(points)
    for iid, kind, at, points, status in events:
        if kind == EK.COMMIT:
            member[iid] = True
        elif kind == EK.ENTER:
            member[iid] = True
            left_not_done.pop(iid, None)
            left_done.pop(iid, None)
            if started is not None and at >= started and iid not in committed:
                added.setdefault(iid, _pts(points))
        elif kind == EK.LEAVE:
            member[iid] = False
            if started is not None and at >= started:
                (left_done if status == Status.DONE else left_not_done)[iid] = _pts(points)
        elif kind == EK.COMPLETE:
            completed[iid] = _pts(points)
        elif kind == EK.CARRY:
            carried[iid] = _pts(points)
            member[iid] = False
    closed = sp.state == SprintState.CLOSED
    open_now: dict[int, float] = {}
    if not closed:
        # still running: what is done now counts as completed so far, the rest is not completed yet
        for iid, inside in member.items():
            it = items.get(iid)
            if not inside or it is None or it.deleted:
                continue
            if it.status == Status.DONE:
                completed[iid] = _pts(it.points)
            elif started is not None:
                open_now[iid] = _pts(it.points)
    # removed: it was part of the running sprint, left it unfinished, and stayed out;
    # left it done and stayed out: completed in it, at its points when it left
    removed = {
        i: p for i, p in left_not_done.items()
        if not member.get(i) and (i in committed or i in added)
    }
    for i, p in left_done.items():
        if not member.get(i) and (i in committed or i in added):
            completed[i] = p
    totals = Figures()
    per: dict[str, Figures] = defaultdict(Figures)
    outcomes: list[ItemOutcome] = []
    for iid in sorted(item_ids, key=lambda i: (items[i].stream_id, items[i].seq) if i in items else (0, i)):
        it = items.get(iid)
        if it is None:
            continue
        if only_stream is not None and it.stream_id != only_stream:
            continue
        in_scope = iid in committed or iid in added or member.get(iid) or iid in carried or iid in completed
        if not in_scope and iid not in removed:
            continue  # planned in and out before the start: never part of the sprint
        key = streams.get(it.stream_id, "?")
        entered = committed.get(iid, added.get(iid))
        ended = next((d[iid] for d in (completed, carried, removed, open_now) if iid in d), None)
        # exact in binary for whole and half points; rounded against the noise of other fractions
        change = round(ended - entered, 6) + 0.0 if entered is not None and ended is not None else 0.0
        for f in (totals, per[key]):
            if iid in committed:
                f.committed_points += committed[iid]
                f.committed_count += 1
            if iid in added:
                f.added_points += added[iid]
                f.added_count += 1
            if iid in removed:
                f.removed_points += removed[iid]
                f.removed_count += 1
            if change:
                f.reestimated_points = round(f.reestimated_points + change, 6) + 0.0
                f.reestimated_count += 1
            if iid in open_now:
                f.not_completed_points += open_now[iid]
                f.not_completed_count += 1
            if iid in completed:
                f.completed_points += completed[iid]
                f.completed_count += 1
                if iid in committed:
                    f.committed_completed_points += committed[iid]
            if iid in carried:
                f.carried_over_points += carried[iid]
                f.carried_over_count += 1
        if iid in completed:
            outcome = "completed"
        elif iid in carried:
            outcome = "carried_over"
        elif iid in removed:
            outcome = "removed"
        else:
            outcome = "not_completed"
        outcomes.append(
            ItemOutcome(
                key=it.key, title=it.title, stream=key, status=it.status, points=it.points,
                outcome=outcome, committed=iid in committed, added_after_start=iid in added,
                slip_count=it.slip_count, blocked=it.blocked, blocked_reason=it.blocked_reason,
                reestimated_points=change,
            )
        )
    return SprintReport(view(sp), totals, dict(per), outcomes)


# --------------------------------------------------------------------------- velocity


@dataclass(frozen=True)
class VelocityPoint:
    sprint: str
    committed_points: float
    completed_points: float


@dataclass(frozen=True)
class SprintVelocity:
    """One closed sprint's committed and completed points, in total and per stream."""

    sprint: SprintView
    total: VelocityPoint
    streams: dict[str, VelocityPoint]

    def of(self, stream: str | None) -> VelocityPoint:
        if stream is None:
            return self.total
        return self.streams.get(stream, VelocityPoint(self.sprint.name, 0.0, 0.0))


def velocity(ctx: Ctx, *, last: int = 3, stream: str | None = None) -> list[VelocityPoint]:
    """Committed vs completed points of the last closed sprints, oldest first."""
    with ctx.db.read() as s:
        return _velocity(s, last, stream)


def closed_velocity(ctx: Ctx, *, last: int = 3, before: str | None = None) -> list[SprintVelocity]:
    """The last closed sprints (those ending before sprint `before`, if given),
    oldest first, each with its committed and completed points in total and
    per stream."""
    with ctx.db.read() as s:
        limit = sprint_by_ref(s, before) if before else None
        return _closed_velocity(s, last, limit)


def _closed_velocity(s: Session, last: int, before: Sprint | None = None, *,
                     completed_only: bool = False) -> list[SprintVelocity]:
    """A closed sprint's committed and completed points follow from its commit
    and complete events, and the leave events of items taken out when done
    (see report_in), so one grouped query serves all the sprints.

    With ``completed_only`` the commit events are not read (committed points
    stay 0.0): for callers that only want the completed points, at half the cost.
    """
    stmt = select(Sprint).where(Sprint.state == SprintState.CLOSED.value)
    if before is not None:
        stmt = stmt.where(Sprint.id != before.id, Sprint.end_date <= before.end_date)
    sprints = list(reversed(s.exec(stmt.order_by(Sprint.end_date.desc(), Sprint.id.desc()).limit(last)).all()))
    if not sprints:
        return []
    ids = [sp.id for sp in sprints]
    kinds = [EK.COMPLETE.value] if completed_only else [EK.COMMIT.value, EK.COMPLETE.value]
    # an item's last event of each kind counts, as in report_in
    last_events = (
        select(func.max(SprintEvent.id))
        .where(SprintEvent.sprint_id.in_(ids), SprintEvent.kind.in_(kinds))
        .group_by(SprintEvent.sprint_id, SprintEvent.item_id, SprintEvent.kind)
    )
    rows = s.exec(
        select(SprintEvent.sprint_id, Stream.key, SprintEvent.kind, func.sum(func.coalesce(SprintEvent.points, 0.0)))
        .join(Item, Item.id == SprintEvent.item_id)
        .join(Stream, Stream.id == Item.stream_id)
        .where(SprintEvent.id.in_(last_events))
        .group_by(SprintEvent.sprint_id, Stream.key, SprintEvent.kind)
    ).all()
    sums: dict[int, dict[str, list[float]]] = {i: defaultdict(lambda: [0.0, 0.0]) for i in ids}
    for sprint_id, key, kind, points in rows:
        sums[sprint_id][key][0 if kind == EK.COMMIT.value else 1] += float(points or 0.0)
    for sprint_id, key, points in _left_done(s, ids):
        sums[sprint_id][key][1] += float(points or 0.0)
    out = []
    for sp in sprints:
        per = {k: VelocityPoint(sp.name, v[0], v[1]) for k, v in sorted(sums[sp.id].items())}
        total = VelocityPoint(sp.name, sum(v.committed_points for v in per.values()),
                              sum(v.completed_points for v in per.values()))
        out.append(SprintVelocity(view(sp), total, per))
    return out


_MOVES = [EK.ENTER.value, EK.LEAVE.value, EK.COMMIT.value, EK.CARRY.value, EK.COMPLETE.value]


def _left_done(s: Session, ids: list[int | None]):
    """(sprint id, stream key, points) of the items taken out of each of these
    running sprints when done, that did not come back: completed there (see
    report_in). Few rows: the leave events of done items, each checked for a
    later move in that sprint."""
    later = aliased(SprintEvent)
    part = aliased(SprintEvent)
    return s.exec(
        select(SprintEvent.sprint_id, Stream.key, SprintEvent.points)
        .join(Sprint, Sprint.id == SprintEvent.sprint_id)
        .join(Item, Item.id == SprintEvent.item_id)
        .join(Stream, Stream.id == Item.stream_id)
        .where(
            SprintEvent.sprint_id.in_(ids), SprintEvent.kind == EK.LEAVE.value,
            SprintEvent.status == Status.DONE.value, SprintEvent.at >= Sprint.started_at,
            ~exists().where(later.sprint_id == SprintEvent.sprint_id, later.item_id == SprintEvent.item_id,
                            later.id > SprintEvent.id, later.kind.in_(_MOVES)),
            # part of the running sprint: committed, or added after the start
            exists().where(part.sprint_id == SprintEvent.sprint_id, part.item_id == SprintEvent.item_id,
                           or_(part.kind == EK.COMMIT.value,
                               and_(part.kind == EK.ENTER.value, part.at >= Sprint.started_at))),
        )
    ).all()


def _velocity(s: Session, last: int, stream: str | None) -> list[VelocityPoint]:
    key = stream_by_key(s, stream).key if stream else None
    return [v.of(key) for v in _closed_velocity(s, last)]


# --------------------------------------------------------------------------- capacity


@dataclass(frozen=True)
class MemberCapacity:
    handle: str
    name: str
    stream: str | None
    availability: int
    absence_days: float
    capacity_days: float


@dataclass(frozen=True)
class StreamCapacity:
    stream: str
    capacity_days: float
    capacity_points: float
    committed_points: float
    velocity_points: float | None  # average completed, last 3 closed sprints

    @property
    def over_committed(self) -> bool:
        return self.committed_points > self.capacity_points + 1e-9

    @property
    def free_points(self) -> float:
        return self.capacity_points - self.committed_points


@dataclass(frozen=True)
class Capacity:
    sprint: SprintView
    working_days: int
    members: list[MemberCapacity]
    streams: list[StreamCapacity]
    total: StreamCapacity


def capacity(ctx: Ctx, ref: str = "next") -> Capacity:
    """Availability × (working days − absences), per member and stream, against
    the points planned into the sprint and recent velocity."""
    settings = get_settings(ctx)
    with ctx.db.read() as s:
        sp = sprint_by_ref(s, ref)
        days = len(working_days(sp.start_date, sp.end_date, settings.working_days))
        keys = dict(s.exec(select(Stream.id, Stream.key)).all())
        away = dict(s.exec(select(Absence.member_id, Absence.days).where(Absence.sprint_id == sp.id)).all())
        members = []
        per_days: dict[str, float] = defaultdict(float)
        for m in s.exec(select(Member).where(Member.active == True).order_by(Member.handle)).all():  # noqa: E712
            absent = float(away.get(m.id, 0.0))
            cap = round(m.availability / 100 * max(days - absent, 0.0), 2)
            stream_key = keys.get(m.primary_stream_id)
            members.append(MemberCapacity(m.handle, m.name, stream_key, m.availability, absent, cap))
            per_days[stream_key or "-"] += cap
        committed: dict[str, float] = defaultdict(float)
        for sid, pts in s.exec(
            select(Item.stream_id, Item.points).where(Item.sprint_id == sp.id, Item.deleted == False)  # noqa: E712
        ).all():
            committed[keys[sid]] += _pts(pts)
        recent = _closed_velocity(s, 3, completed_only=True)  # only the completed points are averaged
        vel_total = [v.total for v in recent]
        stream_rows = []
        for key in sorted(set(keys.values())):
            vel = [v.of(key) for v in recent]
            stream_rows.append(
                StreamCapacity(
                    stream=key,
                    capacity_days=round(per_days.get(key, 0.0), 2),
                    capacity_points=round(per_days.get(key, 0.0) * settings.points_per_day, 2),
                    committed_points=committed.get(key, 0.0),
                    velocity_points=_avg([v.completed_points for v in vel]),
                )
            )
        total_days = sum(per_days.values())
        total = StreamCapacity(
            stream="total",
            capacity_days=round(total_days, 2),
            capacity_points=round(total_days * settings.points_per_day, 2),
            committed_points=sum(committed.values()),
            velocity_points=_avg([v.completed_points for v in vel_total]),
        )
        return Capacity(view(sp), days, members, stream_rows, total)


def _avg(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


# --------------------------------------------------------------------------- burndown


@dataclass(frozen=True)
class BurndownPoint:
    day: date
    remaining: float | None  # None for days still ahead
    ideal: float


def burndown(ctx: Ctx, ref: str = "current", *, as_of: date | None = None,
             stream: str | None = None) -> list[BurndownPoint]:
    """Remaining points at the end of each working day, from history, with the
    ideal line; with ``stream`` only that stream's items."""
    settings = get_settings(ctx)
    as_of = as_of or ctx.today()
    with ctx.db.read() as s:
        sp = sprint_by_ref(s, ref)
        days = working_days(sp.start_date, sp.end_date, settings.working_days) or [sp.start_date]
        of_sprint = SprintEvent.sprint_id == sp.id
        if stream:
            of_sprint = of_sprint & SprintEvent.item_id.in_(
                select(Item.id).where(Item.stream_id == stream_by_key(s, stream).id))
        # plain column rows, not ORM objects: this runs on every board refresh
        events = s.exec(
            select(SprintEvent.item_id, SprintEvent.kind, SprintEvent.at, SprintEvent.points)
            .where(of_sprint).order_by(SprintEvent.at, SprintEvent.id)
        ).all()
        committed = sum(_pts(points) for _iid, kind, _at, points in events if kind == EK.COMMIT)
        if sp.state == SprintState.PLANNED:
            planned = select(Item.points).where(Item.sprint_id == sp.id, Item.deleted == False)  # noqa: E712
            if stream:
                planned = planned.where(Item.stream_id == stream_by_key(s, stream).id)
            committed = sum(_pts(p) for p in s.exec(planned).all())

        # the moment each day is read at: its end, or just before the close;
        # None for days still ahead (and every day of a planned sprint)
        ends: list[datetime | None] = []
        for d in days:
            if d > as_of or sp.state == SprintState.PLANNED:
                ends.append(None)
                continue
            t = datetime.combine(d, time(23, 59, 59), tzinfo=UTC)
            if sp.closed_at is not None and t > sp.closed_at and d >= sp.closed_at.date():
                t = sp.closed_at - timedelta(microseconds=1)
            ends.append(t)
        past = [t for t in ends if t is not None]
        remaining = _remaining(s, of_sprint, events, past) if past else []

    out = []
    n = len(days)
    left = iter(remaining)
    for i, (d, t) in enumerate(zip(days, ends, strict=False)):
        ideal = round(committed * (1 - (i + 1) / n), 2) if n else 0.0
        out.append(BurndownPoint(d, None if t is None else round(next(left), 2), ideal))
    return out


_MEMBERSHIP = (EK.ENTER, EK.LEAVE, EK.COMMIT, EK.CARRY)
# the item fields the burndown follows, and where an item's state keeps each
_SLOT = {"status": 1, "points": 2, "deleted": 3}
_INSIDE = (EK.ENTER, EK.COMMIT)


def _remaining(s: Session, of_sprint, events, ends: list[datetime]) -> list[float]:
    """Points left at each of the moments `ends` (in time order): of the items
    in the sprint then, not deleted and not done then, at their points then.

    One pass through the history in time order keeps each item's state
    (membership, status, points, deleted) and what it adds to the sum; at each
    end the sum is taken item by item in the order they joined the sprint, as
    it always was, so the figures come out the same to the last bit (an item
    not counted adds 0.0, which changes no sum of points, all ≥ 0)."""
    in_sprint = select(SprintEvent.item_id).where(of_sprint)
    changes = s.exec(
        select(ItemEvent.item_id, ItemEvent.field, ItemEvent.at, ItemEvent.old, ItemEvent.new)
        .where(ItemEvent.item_id.in_(in_sprint), ItemEvent.field.in_(list(_SLOT)))
        .order_by(ItemEvent.at, ItemEvent.id)
    ).all()
    current = {
        iid: [status, points, "yes" if deleted else None]
        for iid, status, points, deleted in s.exec(
            select(Item.id, Item.status, Item.points, Item.deleted).where(Item.id.in_(in_sprint))
        ).all()
    }
    joins = [e for e in events if e[1] in _MEMBERSHIP]
    place: dict[int, int] = {}  # item id → its place in the sum: the order of joining
    for e in joins:
        place.setdefault(e[0], len(place))
    # each item's field values before the history's first change of that field
    # (that change's old value); without a change, its value now
    state: list[list | None] = [None] * len(place)
    for iid, n in place.items():
        now = current.get(iid)
        state[n] = None if now is None else [False, *now]  # [inside, status, points, deleted]
    first_old = {(iid, fld): old for iid, fld, _at, old, _new in reversed(changes)}  # the earliest wins
    for (iid, fld), old in first_old.items():
        n = place.get(iid)
        if n is not None and state[n] is not None:
            state[n][_SLOT[fld]] = old

    def share(st: list | None) -> float:  # what an item in this state adds to the sum
        if st is None or not st[0] or st[3] == "yes" or st[1] == Status.DONE:
            return 0.0
        p = st[2]
        return float(p) if p not in (None, "", "-") else 0.0

    shares = [0.0] * len(place)
    remaining = []
    j = k = 0
    for t in ends:
        while j < len(joins) and joins[j][2] <= t:
            iid, kind, _at, _points = joins[j]
            n = place[iid]
            if state[n] is not None:
                state[n][0] = kind in _INSIDE
                shares[n] = share(state[n])
            j += 1
        while k < len(changes) and changes[k][2] <= t:
            iid, fld, _at, _old, new = changes[k]
            n = place.get(iid)
            if n is not None and state[n] is not None:
                state[n][_SLOT[fld]] = new
                shares[n] = share(state[n])
            k += 1
        remaining.append(reduce(add, shares, 0.0))  # left to right, as a loop of +=
    return remaining


# --------------------------------------------------------------------------- slipped work


@dataclass(frozen=True)
class SlippedWork:
    stream: str
    slipped: list[ItemRow]
    overdue: list[ItemRow]
    blocked: list[ItemRow]

    @property
    def debt_points(self) -> float:
        keys = {r.key: r for r in self.slipped + self.overdue}
        return sum(_pts(r.points) for r in keys.values())


def slipped_work(ctx: Ctx, *, stream: str | None = None, blocked_days: int = 3,
                 on: date | None = None) -> list[SlippedWork]:
    """Per stream: unfinished items that slipped at least once, overdue items,
    and items blocked for more than `blocked_days` days."""
    on = on or ctx.today()
    with ctx.db.read() as s:
        stmt = row_query().where(Item.deleted == False, Item.status != Status.DONE.value)  # noqa: E712
        only = stream_by_key(s, stream) if stream else None
        if only is not None:
            stmt = stmt.where(Item.stream_id == only.id)
        slipped = stmt.where(Item.slip_count >= 1).order_by(Item.slip_count.desc(), Item.rank)
        overdue = stmt.where(Item.due_date < on).order_by(Item.due_date, Item.rank)
        cutoff = datetime.combine(on, time(0), tzinfo=UTC) - timedelta(days=blocked_days)
        blocked = stmt.where(Item.blocked == True, Item.blocked_since <= cutoff).order_by(Item.blocked_since)  # noqa: E712
        groups: dict[str, SlippedWork] = {}
        keys = list(s.exec(select(Stream.key).order_by(Stream.key)).all())
        for k in keys:
            if only is not None and k != only.key:
                continue
            groups[k] = SlippedWork(k, [], [], [])
        for stmt_, attr in ((slipped, "slipped"), (overdue, "overdue"), (blocked, "blocked")):
            for t in s.exec(stmt_).all():
                row = to_row(t)
                getattr(groups[row.stream], attr).append(row)
        return list(groups.values())
