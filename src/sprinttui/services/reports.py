"""Sprint figures computed from history: commitment, scope change, completion,
carry-over, say/do; velocity, capacity, burndown and slipped work."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func
from sqlalchemy.orm import Session
from sqlmodel import select

from sprinttui.dates import working_days
from sprinttui.domain import SprintEventKind as EK, SprintState, Status
from sprinttui.services.context import Ctx
from sprinttui.services.items import ItemRow, _row_query, _to_row
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
    completed_points: float = 0.0
    completed_count: int = 0
    carried_over_points: float = 0.0
    carried_over_count: int = 0
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
        return _report(s, sp, stream)


def _report(s: Session, sp: Sprint, stream: str | None = None) -> SprintReport:
    events = s.exec(
        select(SprintEvent).where(SprintEvent.sprint_id == sp.id).order_by(SprintEvent.at, SprintEvent.id)
    ).all()
    item_ids = {e.item_id for e in events}
    items: dict[int, Item] = {}
    streams: dict[int, str] = dict(s.exec(select(Stream.id, Stream.key)).all())
    if item_ids:
        for chunk in _chunks(sorted(item_ids), 900):
            for it in s.exec(select(Item).where(Item.id.in_(chunk))).all():
                items[it.id] = it
    only_stream = stream_by_key(s, stream).id if stream else None

    committed: dict[int, float] = {}
    completed: dict[int, float] = {}
    carried: dict[int, float] = {}
    added: dict[int, float] = {}
    member: dict[int, bool] = {}  # membership after the last enter/leave
    left_not_done: dict[int, float] = {}
    started = sp.started_at
    # the commitment first: an item planned at the very instant of the start
    # is committed, not added
    for e in events:
        if e.kind == EK.COMMIT:
            committed[e.item_id] = _pts(e.points)
    for e in events:
        if e.kind == EK.COMMIT:
            member[e.item_id] = True
        elif e.kind == EK.ENTER:
            member[e.item_id] = True
            left_not_done.pop(e.item_id, None)
            if started is not None and e.at >= started and e.item_id not in committed:
                added.setdefault(e.item_id, _pts(e.points))
        elif e.kind == EK.LEAVE:
            member[e.item_id] = False
            if started is not None and e.at >= started and e.status != Status.DONE:
                left_not_done[e.item_id] = _pts(e.points)
        elif e.kind == EK.COMPLETE:
            completed[e.item_id] = _pts(e.points)
        elif e.kind == EK.CARRY:
            carried[e.item_id] = _pts(e.points)
            member[e.item_id] = False
    closed = sp.state == SprintState.CLOSED
    if not closed:
        # still running: what is done now counts as completed so far
        for iid, inside in member.items():
            it = items.get(iid)
            if inside and it is not None and not it.deleted and it.status == Status.DONE:
                completed[iid] = _pts(it.points)
    # removed: it was part of the running sprint, left it unfinished, and stayed out
    removed = {
        i: p for i, p in left_not_done.items()
        if not member.get(i) and (i in committed or i in added)
    }
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
            )
        )
    return SprintReport(view(sp), totals, dict(per), outcomes)


def _chunks(seq, n):
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


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


def _closed_velocity(s: Session, last: int, before: Sprint | None = None) -> list[SprintVelocity]:
    """A closed sprint's figures follow from its commit and complete events
    alone (see _report), so one grouped query serves all the sprints."""
    stmt = select(Sprint).where(Sprint.state == SprintState.CLOSED.value)
    if before is not None:
        stmt = stmt.where(Sprint.id != before.id, Sprint.end_date <= before.end_date)
    sprints = list(reversed(s.exec(stmt.order_by(Sprint.end_date.desc(), Sprint.id.desc()).limit(last)).all()))
    if not sprints:
        return []
    ids = [sp.id for sp in sprints]
    kinds = [EK.COMMIT.value, EK.COMPLETE.value]
    # an item's last event of each kind counts, as in _report
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
    out = []
    for sp in sprints:
        per = {k: VelocityPoint(sp.name, v[0], v[1]) for k, v in sorted(sums[sp.id].items())}
        total = VelocityPoint(sp.name, sum(v.committed_points for v in per.values()),
                              sum(v.completed_points for v in per.values()))
        out.append(SprintVelocity(view(sp), total, per))
    return out


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
        recent = _closed_velocity(s, 3)
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
        in_sprint = select(SprintEvent.item_id).where(of_sprint)
        changes: dict[int, list] = defaultdict(list)
        for ev in s.exec(
            select(ItemEvent.item_id, ItemEvent.at, ItemEvent.field, ItemEvent.old, ItemEvent.new)
            .where(ItemEvent.item_id.in_(in_sprint), ItemEvent.field.in_(["status", "points", "deleted"]))
            .order_by(ItemEvent.at, ItemEvent.id)
        ).all():
            changes[ev.item_id].append(ev)
        current = {
            it.id: it
            for it in s.exec(
                select(Item.id, Item.status, Item.points, Item.deleted, Item.sprint_id).where(Item.id.in_(in_sprint))
            ).all()
        }
        membership: dict[int, list] = defaultdict(list)
        for e in events:
            if e.kind in (EK.ENTER, EK.LEAVE, EK.COMMIT, EK.CARRY):
                membership[e.item_id].append(e)
        committed = sum(_pts(e.points) for e in events if e.kind == EK.COMMIT)
        if sp.state == SprintState.PLANNED:
            planned = select(Item.points).where(Item.sprint_id == sp.id, Item.deleted == False)  # noqa: E712
            if stream:
                planned = planned.where(Item.stream_id == stream_by_key(s, stream).id)
            committed = sum(_pts(p) for p in s.exec(planned).all())

        # per item, per field: change times and the value from each change on
        timelines: dict[tuple[int, str], tuple[list[datetime], list, object]] = {}
        for iid, it in current.items():
            by_field: dict[str, list] = defaultdict(list)
            for ev in changes.get(iid, []):
                by_field[ev.field].append(ev)
            for fld in ("status", "points", "deleted"):
                evs = by_field.get(fld, [])
                now_val = getattr(it, fld)
                if fld == "deleted":
                    now_val = "yes" if now_val else None
                initial = evs[0].old if evs else now_val
                timelines[(iid, fld)] = ([e.at for e in evs], [e.new for e in evs], initial)
        members: dict[int, tuple[list[datetime], list[bool]]] = {
            iid: ([e.at for e in mem], [e.kind in (EK.ENTER, EK.COMMIT) for e in mem])
            for iid, mem in membership.items()
        }

        def value_at(iid: int, fld: str, t: datetime):
            times, values, initial = timelines[(iid, fld)]
            i = bisect_right(times, t)
            return values[i - 1] if i else initial

        out = []
        n = len(days)
        end_limit = sp.closed_at
        for i, d in enumerate(days):
            ideal = round(committed * (1 - (i + 1) / n), 2) if n else 0.0
            if d > as_of or sp.state == SprintState.PLANNED:
                out.append(BurndownPoint(d, None, ideal))
                continue
            t = datetime.combine(d, time(23, 59, 59), tzinfo=timezone.utc)
            if end_limit is not None and t > end_limit and d >= end_limit.date():
                t = end_limit - timedelta(microseconds=1)
            remaining = 0.0
            for iid, (times, inside) in members.items():
                k = bisect_right(times, t)
                if not k or not inside[k - 1] or iid not in current:
                    continue
                if value_at(iid, "deleted", t) == "yes" or value_at(iid, "status", t) == Status.DONE:
                    continue
                p = value_at(iid, "points", t)
                remaining += float(p) if p not in (None, "", "-") else 0.0
            out.append(BurndownPoint(d, round(remaining, 2), ideal))
        return out


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
        stmt = _row_query().where(Item.deleted == False, Item.status != Status.DONE.value)  # noqa: E712
        only = stream_by_key(s, stream) if stream else None
        if only is not None:
            stmt = stmt.where(Item.stream_id == only.id)
        slipped = stmt.where(Item.slip_count >= 1).order_by(Item.slip_count.desc(), Item.rank)
        overdue = stmt.where(Item.due_date < on).order_by(Item.due_date, Item.rank)
        cutoff = datetime.combine(on, time(0), tzinfo=timezone.utc) - timedelta(days=blocked_days)
        blocked = stmt.where(Item.blocked == True, Item.blocked_since <= cutoff).order_by(Item.blocked_since)  # noqa: E712
        groups: dict[str, SlippedWork] = {}
        keys = list(s.exec(select(Stream.key).order_by(Stream.key)).all())
        for k in keys:
            if only is not None and k != only.key:
                continue
            groups[k] = SlippedWork(k, [], [], [])
        for stmt_, attr in ((slipped, "slipped"), (overdue, "overdue"), (blocked, "blocked")):
            for t in s.exec(stmt_).all():
                row = _to_row(t)
                getattr(groups[row.stream], attr).append(row)
        return list(groups.values())
