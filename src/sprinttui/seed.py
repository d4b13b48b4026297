"""A deterministic synthetic project for benchmarks.

``seed_project(ctx, 10_000)`` builds streams, members, six closed sprints, an
active and a planned one, and items with full history, in one write
transaction. The rows are written with bulk inserts, but they are exactly what
the services would have written when the same things happened through them:

* every item has a ``created`` event; its key is ``<STREAM>-<seq>`` and ids,
  sequence numbers and ranks follow creation order; ``next_seq`` is correct;
* the sprint events of planning, taking an item out, starting and closing a
  sprint are the ones :mod:`sprinttui.services.history` says (its
  :func:`~sprinttui.services.history.plan_moves`, ``start_moves`` and
  ``close_moves``, with sprint numbers for sprints); planning and carrying
  over also write the ``sprint`` item event, carrying over ``slip_count``;
* status changes and blocking write their item events, in time order; every
  old and new value is stored as :func:`~sprinttui.services.history.history_text`
  makes it.

The same ``items``, ``seed`` and ``today`` always give the same project.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select, update

from sprinttui import dates
from sprinttui.dates import working_days
from sprinttui.domain import StateError, Status, ValidationError
from sprinttui.services.context import Ctx, login_name
from sprinttui.services.history import Move, close_moves, history_text, plan_moves, start_moves
from sprinttui.store.models import (
    Absence,
    Item,
    ItemEvent,
    Member,
    ProjectAdmin,
    ProjectSettings,
    Sprint,
    SprintEvent,
    Stream,
)

__all__ = ["seed_project"]

MAX_ITEMS = 1_000_000
WORKDAYS = frozenset({0, 1, 2, 3, 4})
CLOSED_SPRINTS = 6
SPRINT_SHARE = 0.08  # items in a closed sprint at its close, as a share of all items
ACTIVE_SHARE = 0.10  # items in the active sprint
PLANNED_SHARE = 0.05  # items planned into the next sprint
DAY_MINUTES = 480  # 09:00 to 17:00: a "slot" is one minute of a working day

STREAMS = [
    ("SAL", "Sales"), ("SRV", "Service"), ("MKT", "Marketing"), ("DATA", "Data migration"),
    ("CHG", "Change & training"), ("ERP", "ERP integration"), ("FIN", "Finance"),
    ("HR", "Human resources"), ("IT", "IT operations"), ("LOG", "Logistics"),
    ("PRC", "Procurement"), ("QM", "Quality management"),
]
FIRST = ["Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hannes", "Ines", "Jonas",
         "Katrin", "Lukas", "Marie", "Nils", "Olga", "Paul", "Rita", "Sven", "Tina", "Uwe",
         "Vera", "Wolf", "Yvonne", "Zoe"]
LAST = ["Becker", "Schmidt", "Fischer", "Weber", "Meyer", "Wagner", "Schulz", "Hoffmann", "Koch",
        "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Braun", "Zimmermann", "Krueger",
        "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Schmitt", "Walter"]
COMPETENCES = ["CRM configuration", "sales process", "service process", "SQL", "ETL", "Python",
               "reporting", "training", "communication", "GDPR", "ERP interfaces", "testing",
               "workflows", "data quality", "telephony", "marketing automation"]
VERBS = ["Configure", "Migrate", "Build", "Review", "Test", "Document", "Automate", "Import",
         "Clean up", "Design", "Validate", "Roll out"]
OBJECTS = ["lead routing", "account hierarchy", "opportunity stages", "ticket escalation",
           "knowledge articles", "consent records", "campaign members", "price lists",
           "contact roles", "service contracts", "quote approval", "data migration batch",
           "duplicate rules", "pipeline dashboard", "mobile layout", "e-mail templates",
           "SLA timers", "user permissions", "report subscriptions", "web-to-lead forms",
           "visit reports", "customer segments", "ERP customer mapping", "address data"]
QUALIFIERS = ["for region North", "for region South", "for key accounts", "for the service desk",
              "in the test system", "for the pilot group", "for branch Hamburg", "for branch Köln",
              "for branch München", "for inside sales", "for field sales", "before go-live"]
PROBLEMS = ["shows wrong totals", "times out", "loses changes on save", "ignores the region filter",
            "breaks umlauts", "is not translated", "sends duplicate e-mails"]
TRAININGS = ["Training: {o} {q}", "User guide: {o}", "Newsletter item on {o}", "Roadshow slot on {o} {q}"]
BLOCK_REASONS = ["Waiting for a decision from the business owner", "Test system is down",
                 "Interface partner has not delivered", "Needs sign-off by the works council",
                 "Waiting for data extract from IT"]
LABELS = ["pilot", "go-live", "migration", "gdpr", "reporting"]
KINDS = ["story"] * 60 + ["bug"] * 15 + ["task"] * 15 + ["change"] * 7 + ["improvement"] * 3
POINTS = [1.0] * 10 + [2.0] * 20 + [3.0] * 30 + [5.0] * 25 + [8.0] * 12 + [13.0] * 3
ORDER = [Status.TODO.value, Status.DOING.value, Status.REVIEW.value, Status.DONE.value]


def _at(d: date, minute_of_day: int) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC) + timedelta(minutes=minute_of_day)


def _round(x: float) -> int:
    return int(x + 0.5)


def _sprint_start(today: date) -> date:
    """The Monday the active sprint started: about a week before today."""
    monday = today - timedelta(days=today.weekday())
    return monday if today.weekday() >= 5 else monday - timedelta(days=7)


class _It:
    __slots__ = ("gen", "stream", "title", "kind", "points", "assignee", "status", "sprint", "slip",
                 "created_at", "created_by", "updated_at", "updated_by", "blocked", "reason",
                 "blocked_since", "labels", "id")

    def __init__(self, gen: int):
        self.gen = gen
        self.status = Status.TODO.value
        self.sprint: int | None = None
        self.slip = 0
        self.created_at: datetime | None = None
        self.blocked = False
        self.reason = ""
        self.blocked_since: datetime | None = None
        self.id = 0


class _Sim:
    def __init__(self, ctx: Ctx, n: int, seed: int, today: date):
        self.ctx = ctx
        self.n = n
        self.rng = random.Random(seed)
        self.today = today
        self.admin = ctx.user
        self.ievents: list[tuple] = []  # (at, order, item, actor, field, old, new)
        self.sevents: list[tuple] = []  # (at, order, item, Move (sprint numbers), actor, points, status)
        self.order = 0
        self.items: list[_It] = []
        self.fresh = 0  # slots handed out so far
        self.backlog: list[_It] = []  # materialised items back in the backlog (removed from a sprint)

    # -- events -------------------------------------------------------------
    def _touch(self, it: _It, at: datetime, actor: str) -> None:
        if it.updated_at is None or at >= it.updated_at:
            it.updated_at, it.updated_by = at, actor

    def ev(self, it: _It, at: datetime, actor: str, fld: str, old, new) -> None:
        self.order += 1
        self.ievents.append((at, self.order, it, actor, fld, old, new))
        self._touch(it, at, actor)

    def sev(self, it: _It, at: datetime, moves: list[Move[int]], actor: str) -> None:
        """The sprint events of `moves`, with the item's points and status now."""
        for move in moves:
            self.order += 1
            self.sevents.append((at, self.order, it, move, actor, it.points, it.status))

    # -- people and items ---------------------------------------------------
    def people(self) -> None:
        rng = self.rng
        self.n_streams = min(12, self.n // 2000 + 3)
        self.n_members = min(80, self.n // 200 + 8)
        self.streams = STREAMS[: self.n_streams]
        self.members: list[tuple[str, str, int, int, str]] = []  # handle, name, stream, availability, comp
        seen: set[str] = set()
        for i in range(self.n_members):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            base = (first[0] + last).lower()
            handle, k = base, 2
            while handle in seen:
                handle, k = f"{base}{k}", k + 1
            seen.add(handle)
            comp = ",".join(sorted(rng.sample(COMPETENCES, 3)))
            avail = rng.choice([20, 30, 40, 50, 60, 70, 80, 100])
            self.members.append((handle, f"{first} {last}", i % self.n_streams, avail, comp))
        self.team = [[m[0] for m in self.members if m[2] == s] for s in range(self.n_streams)]
        self.leads = [t[0] for t in self.team]

    def _new_slot(self) -> _It | None:
        if self.fresh >= self.n:
            return None
        rng = self.rng
        it = _It(self.fresh)
        self.fresh += 1
        it.stream = rng.randrange(self.n_streams)
        it.kind = rng.choice(KINDS)
        o, q = rng.choice(OBJECTS), rng.choice(QUALIFIERS)
        if it.kind == "bug":
            it.title = f"Bug: {o} {rng.choice(PROBLEMS)} {q}"
        elif it.kind == "change":
            it.title = rng.choice(TRAININGS).format(o=o, q=q).strip()
        else:
            it.title = f"{rng.choice(VERBS)} {o} {q}"
        it.points = rng.choice(POINTS) if rng.random() > 0.12 else None
        it.assignee = rng.choice(self.team[it.stream]) if rng.random() > 0.4 else None
        it.labels = rng.choice(LABELS) if rng.random() < 0.2 else ""
        it.created_by = self.leads[it.stream]
        it.updated_at, it.updated_by = None, ""
        self.items.append(it)
        return it

    def _create(self, it: _It, at: datetime) -> None:
        it.created_at = at
        self.ev(it, at, it.created_by, "created", None, it.title)

    def _random_past(self, lo: date, hi: date) -> datetime:
        days = self.all_days_between(lo, hi)
        return _at(self.rng.choice(days), 9 * 60 + self.rng.randrange(DAY_MINUTES))

    def all_days_between(self, lo: date, hi: date) -> list[date]:
        return working_days(lo, hi, WORKDAYS) or [lo]

    def take_for_planning(self, before: datetime) -> _It | None:
        """The next backlog item to plan: one taken out of a sprint earlier, else a new one
        written down some time before the planning."""
        if self.backlog:
            return self.backlog.pop(0)
        it = self._new_slot()
        if it is None:
            return None
        if it.points is None:
            it.points = self.rng.choice(POINTS)  # estimated before planning
        if it.assignee is None:
            it.assignee = self.rng.choice(self.team[it.stream])
        self._create(it, self._random_past(self.project_start, before.date() - timedelta(days=1)))
        return it

    # -- sprint calendar ----------------------------------------------------
    def calendar(self) -> None:
        active_start = _sprint_start(self.today)
        self.n_sprints = CLOSED_SPRINTS + 2
        self.starts = {k: active_start + timedelta(days=14 * (k - CLOSED_SPRINTS - 1))
                       for k in range(1, self.n_sprints + 1)}
        self.ends = {k: s + timedelta(days=11) for k, s in self.starts.items()}
        self.days = {k: working_days(self.starts[k], self.ends[k], WORKDAYS) for k in self.starts}
        self.project_start = self.starts[1] - timedelta(days=21)
        self.started_at: dict[int, datetime] = {}
        self.closed_at: dict[int, datetime] = {}

    def slot_at(self, k: int, slot: int) -> datetime:
        days = self.days[k]
        d, m = divmod(slot, DAY_MINUTES)
        return _at(days[min(d, len(days) - 1)], 9 * 60 + m)

    def name(self, k: int) -> str:
        return f"Sprint {k}"

    # -- one sprint ---------------------------------------------------------
    def _path(self, cur: str, final: str) -> list[str]:
        i, j = ORDER.index(cur), ORDER.index(final)
        path = ORDER[i + 1 : j + 1]
        if final == Status.DONE.value and len(path) > 1 and self.rng.random() < 0.3:
            path = [p for p in path if p != Status.REVIEW.value]
        return path

    def _moves(self, it: _It, k: int, final: str, lo: int, hi: int) -> None:
        path = self._path(it.status, final)
        if not path or hi < lo:
            return
        last = self.rng.randint(lo, hi)  # the final step, spread evenly over the window
        slots = sorted(self.rng.randint(lo, last) for _ in path[:-1]) + [last]
        prev = -1
        for slot, st in zip(slots, path, strict=False):
            slot = max(slot, prev + 1)
            prev = slot
            at = self.slot_at(k, slot)
            actor = it.assignee or self.leads[it.stream]
            self.ev(it, at, actor, "status", it.status, st)
            it.status = st

    def _block(self, it: _It, k: int, lo: int, hi: int, unblock: bool) -> None:
        if hi - lo < 2:
            return
        b = self.rng.randint(lo, hi - 1)
        at = self.slot_at(k, b)
        actor = it.assignee or self.leads[it.stream]
        reason = self.rng.choice(BLOCK_REASONS)
        self.ev(it, at, actor, "blocked", False, True)
        self.ev(it, at, actor, "blocked_reason", "", reason)
        it.blocked, it.reason, it.blocked_since = True, reason, at
        if unblock:
            at2 = self.slot_at(k, self.rng.randint(b + 1, hi))
            self.ev(it, at2, actor, "blocked", True, False)
            self.ev(it, at2, actor, "blocked_reason", reason, "")
            it.blocked, it.reason, it.blocked_since = False, "", None

    def _plan_into(self, it: _It, k: int, at: datetime) -> None:
        self.sev(it, at, plan_moves(it.sprint, k), self.admin)
        self.ev(it, at, self.admin, "sprint", None, self.name(k))
        it.sprint = k

    def run_sprint(self, k: int, carried: list[_It], *, active: bool) -> list[_It]:
        rng = self.rng
        share = ACTIVE_SHARE if active else SPRINT_SHARE
        target = max(1, _round(share * self.n)) if self.n else 0
        n_added = _round(target * (0.04 if active else 0.05))
        n_removed = _round(target * (0.02 if active else 0.03))
        n_new = max(0, target - len(carried) - n_added + n_removed)
        days = self.days[k]
        plan_at = _at(days[0], 8 * 60)
        start_at = _at(days[0], 9 * 60)
        last_slot = len(days) * DAY_MINUTES - 11  # 16:49 on the last day
        if active:
            elapsed = [i for i, d in enumerate(days) if d < self.today] or [0]
            last_slot = (elapsed[-1] + 1) * DAY_MINUTES - 11
        # planning on the first morning, then the start freezes the commitment
        members = list(carried)
        new: list[_It] = []
        for _ in range(n_new):
            it = self.take_for_planning(plan_at)
            if it is None:
                break
            self._plan_into(it, k, plan_at)
            new.append(it)
        members += new
        self.started_at[k] = start_at
        for it in members:
            self.sev(it, start_at, start_moves(k), self.admin)
        # scope changes during the sprint (never on the first day)
        window = (DAY_MINUTES, max(DAY_MINUTES, last_slot - DAY_MINUTES))
        removable = [it for it in new if it.status == Status.TODO.value]
        removed = rng.sample(removable, min(n_removed, len(removable)))
        removed_at = {id(it): rng.randint(*window) for it in removed}
        added: list[tuple[_It, int]] = []
        for _ in range(n_added):
            it = self._new_slot()
            if it is None:
                break
            if it.points is None:
                it.points = rng.choice(POINTS)
            if it.assignee is None:
                it.assignee = rng.choice(self.team[it.stream])
            slot = rng.randint(*window)
            at = self.slot_at(k, slot)
            self._create(it, at)
            self.sev(it, at, plan_moves(None, k), it.created_by)
            self.ev(it, at, it.created_by, "sprint", None, self.name(k))
            it.sprint = k
            added.append((it, slot))
        for it in removed:
            at = self.slot_at(k, removed_at[id(it)])
            self.sev(it, at, plan_moves(k, None), self.admin)
            self.ev(it, at, self.admin, "sprint", self.name(k), None)
            it.sprint = None
            self.backlog.append(it)
        removed_ids = {id(it) for it in removed}
        inside = [(it, 1) for it in members if id(it) not in removed_ids] + [(it, s + 1) for it, s in added]
        # progress
        frac = 1.0
        if active:
            frac = min(1.0, (last_slot + 11) / (len(days) * DAY_MINUTES))
        p_done = 0.78 if not active else 0.75 * frac
        for it, lo in inside:
            r = rng.random()
            if r < p_done:
                final = Status.DONE.value
            else:
                options = [s for s in ORDER[:3] if ORDER.index(s) >= ORDER.index(it.status)]
                final = rng.choice(options)
            if rng.random() < (0.03 if active else 0.02) and final != Status.DONE.value:
                self._block(it, k, lo, last_slot, unblock=not active)
            self._moves(it, k, final, lo, last_slot)
        if active:
            return [it for it, _lo in inside]
        # the close, in backlog order (rank follows creation)
        close_at = _at(days[-1], 17 * 60)
        self.closed_at[k] = close_at
        carry: list[_It] = []
        for it, _lo in sorted(inside, key=lambda t: (t[0].created_at, t[0].gen)):
            done = it.status == Status.DONE.value
            self.sev(it, close_at, close_moves(k, done=done, carry_to=k + 1), self.admin)
            if done:
                continue
            self.ev(it, close_at, self.admin, "sprint", self.name(k), self.name(k + 1))
            self.ev(it, close_at, self.admin, "slip_count", it.slip, it.slip + 1)
            it.slip += 1
            it.sprint = k + 1
            carry.append(it)
        return carry

    def plan_next(self, k: int) -> int:
        """Plan items into the planned sprint k during the active one."""
        want = _round(PLANNED_SHARE * self.n)
        prev_days = [d for d in self.days[k - 1] if d < self.today] or [self.days[k - 1][0]]
        at = _at(prev_days[-1], 15 * 60)
        n = 0
        for _ in range(want):
            it = self.take_for_planning(at)
            if it is None:
                break
            self._plan_into(it, k, at)
            n += 1
        return n

    def run(self) -> None:
        self.people()
        self.calendar()
        carried: list[_It] = []
        for k in range(1, CLOSED_SPRINTS + 1):
            carried = self.run_sprint(k, carried, active=False)
        self.active_members = self.run_sprint(CLOSED_SPRINTS + 1, carried, active=True)
        self.plan_next(CLOSED_SPRINTS + 2)
        # whatever is left was written down some time and waits in the backlog
        last = max(self.project_start, self.today - timedelta(days=1))
        while True:
            it = self._new_slot()
            if it is None:
                break
            self._create(it, self._random_past(self.project_start, last))

    # -- writing ------------------------------------------------------------
    def write(self) -> dict:
        s_ctx = self.ctx
        rng = self.rng
        with s_ctx.db.write() as s:
            conn = s.connection()
            if s.scalar(select(func.count()).select_from(Item)):
                n = s.scalar(select(func.count()).select_from(Item))
                raise StateError(
                    f"the database already has {n} items; seed needs an empty project (use a new --db file)"
                )
            for table, what in ((Stream, "streams"), (Member, "members"), (Sprint, "sprints")):
                if s.scalar(select(func.count()).select_from(table)):
                    raise StateError(
                        f"the database already has {what}; seed needs an empty project (use a new --db file)"
                    )
            if s.scalar(select(func.count()).select_from(ProjectSettings)) == 0:
                conn.execute(ProjectSettings.__table__.insert(), [dict(
                    name="Synthetic CRM rollout", sprint_length_days=14, working_days="0,1,2,3,4",
                    points_per_day=1.0, allow_user_override=True, version=1)])
                conn.execute(insert(ProjectAdmin), [dict(login=login_name())])  # its creator

            def next_id(model) -> int:
                return int(s.scalar(select(func.max(model.id))) or 0) + 1

            # streams, members, leads
            sid0 = next_id(Stream)
            stream_ids = [sid0 + i for i in range(self.n_streams)]
            conn.execute(Stream.__table__.insert(), [
                dict(id=stream_ids[i], key=key, name=name, lead_id=None,
                     description=f"Synthetic stream {name}", next_seq=1, version=1)
                for i, (key, name) in enumerate(self.streams)
            ])
            mid0 = next_id(Member)
            member_ids = {h: mid0 + i for i, (h, *_r) in enumerate(self.members)}
            conn.execute(Member.__table__.insert(), [
                dict(id=member_ids[h], handle=h, name=name, competences=comp, availability=avail,
                     primary_stream_id=stream_ids[st], active=True, version=1)
                for h, name, st, avail, comp in self.members
            ])
            for i, lead in enumerate(self.leads):
                conn.execute(update(Stream.__table__).where(Stream.__table__.c.id == stream_ids[i])
                             .values(lead_id=member_ids[lead]))
            # sprints
            spid0 = next_id(Sprint)
            sprint_ids = {k: spid0 + k - 1 for k in self.starts}
            active_k = CLOSED_SPRINTS + 1
            rows = []
            for k in sorted(self.starts):
                state = "closed" if k < active_k else ("active" if k == active_k else "planned")
                rows.append(dict(
                    id=sprint_ids[k], name=self.name(k),
                    goal=f"Increment {k}: {rng.choice(OBJECTS)} and {rng.choice(OBJECTS)}",
                    start_date=self.starts[k], end_date=self.ends[k], state=state,
                    started_at=self.started_at.get(k), closed_at=self.closed_at.get(k),
                    goal_met=(rng.random() < 0.7) if state == "closed" else None, version=1,
                ))
            conn.execute(Sprint.__table__.insert(), rows)
            # a few absences in the active and the planned sprint
            absences = []
            for k in (active_k, active_k + 1):
                for h in rng.sample([m[0] for m in self.members], max(1, self.n_members // 6)):
                    absences.append(dict(member_id=member_ids[h], sprint_id=sprint_ids[k],
                                         days=float(rng.choice([1, 2, 3, 5]))))
            conn.execute(Absence.__table__.insert(), absences)
            # items: ids, sequence numbers and ranks in creation order
            iid0 = next_id(Item)
            ordered = sorted(self.items, key=lambda it: (it.created_at, it.gen))
            seqs = [0] * self.n_streams
            item_rows = []
            for i, it in enumerate(ordered):
                it.id = iid0 + i
                seqs[it.stream] += 1
                key = self.streams[it.stream][0]
                item_rows.append(dict(
                    id=it.id, key=f"{key}-{seqs[it.stream]}", stream_id=stream_ids[it.stream],
                    seq=seqs[it.stream], title=it.title, description="", kind=it.kind,
                    assignee_id=member_ids[it.assignee] if it.assignee else None, points=it.points,
                    status=it.status, blocked=it.blocked, blocked_reason=it.reason,
                    blocked_since=it.blocked_since, rank=float(i + 1),
                    sprint_id=sprint_ids[it.sprint] if it.sprint else None, due_date=None,
                    labels=it.labels, source_finding_id=None, kpi_id=None, slip_count=it.slip,
                    external_key=None, deleted=False, created_by=it.created_by,
                    created_at=it.created_at, updated_by=it.updated_by or it.created_by,
                    updated_at=it.updated_at or it.created_at, version=1,
                ))
            for chunk in _chunks(item_rows, 5000):
                conn.execute(Item.__table__.insert(), chunk)
            for i, (_key, _name) in enumerate(self.streams):
                conn.execute(update(Stream.__table__).where(Stream.__table__.c.id == stream_ids[i])
                             .values(next_seq=seqs[i] + 1))
            # history, in time order
            self.ievents.sort(key=lambda e: (e[0], e[1]))
            ie_rows = [
                dict(item_id=it.id, at=at, actor=actor, field=fld, old=history_text(old), new=history_text(new))
                for at, _o, it, actor, fld, old, new in self.ievents
            ]
            for chunk in _chunks(ie_rows, 10000):
                conn.execute(ItemEvent.__table__.insert(), chunk)
            self.sevents.sort(key=lambda e: (e[0], e[1]))
            se_rows = [
                dict(sprint_id=sprint_ids[m.sprint], item_id=it.id, kind=m.kind.value, at=at, actor=actor,
                     points=pts, status=st, target_sprint_id=None if m.target is None else sprint_ids[m.target])
                for at, _o, it, m, actor, pts, st in self.sevents
            ]
            for chunk in _chunks(se_rows, 10000):
                conn.execute(SprintEvent.__table__.insert(), chunk)
        return {
            "items": len(self.items),
            "streams": self.n_streams,
            "members": self.n_members,
            "sprints": len(self.starts),
            "active_sprint_items": sum(1 for it in self.items if it.sprint == active_k),
            "planned_sprint_items": sum(1 for it in self.items if it.sprint == active_k + 1),
            "item_events": len(ie_rows),
            "sprint_events": len(se_rows),
        }


def _chunks(seq: list, n: int):
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def seed_project(ctx: Ctx, items: int, *, seed: int = 1, today: date | None = None) -> dict:
    """Fill an empty database with a synthetic project of `items` items.

    Deterministic for the same items, seed and today (``seed=None`` means 1).
    Raises StateError when the database already holds items (or streams,
    members or sprints).
    """
    t0 = time.perf_counter()
    try:
        n = int(items)
    except (TypeError, ValueError):
        raise ValidationError(f"items must be a whole number, not {items!r}", "items") from None
    if isinstance(items, bool) or n != items or not 0 <= n <= MAX_ITEMS:
        raise ValidationError(f"items must be a whole number from 0 to {MAX_ITEMS}", "items")
    with ctx.db.read() as s:
        existing = s.scalar(select(func.count()).select_from(Item))
    if existing:
        raise StateError(
            f"the database already has {existing} items; seed needs an empty project (use a new --db file)"
        )
    if seed is None:  # the command line passes None when --seed is not given
        seed = 1
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValidationError(f"seed must be a whole number, not {seed!r}", "seed")
    sim = _Sim(ctx, n, seed, today or dates.today())
    sim.run()
    stats = sim.write()
    stats["seconds"] = round(time.perf_counter() - t0, 2)
    return stats
