"""The demo project: a believable CRM rollout with real history.

Everything is written through the service layer with a clock set to the right
past days, so the sprint figures, burndowns, slip trails and evaluations are
exactly what the services compute from recorded history. The result depends
only on ``today`` (a fixed random seed drives the few choices left open).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from sprinttui import dates
from sprinttui.dates import working_days
from sprinttui.demo.story import (
    ABSENCES,
    ADMIN,
    CATALOG,
    DQ,
    DUP,
    KPI_NOTES,
    KPIS,
    MEMBERS,
    NEW_IN_SPRINT,
    NEXT_PLAN,
    ORDER,
    PLANS,
    RNG_SEED,
    STREAMS,
    WORKDAYS,
    Plan,
    Spec,
)
from sprinttui.domain import Status
from sprinttui.services import (
    evaluations,
    items,
    kpis,
    members,
    project,
    sprints,
    standups,
    streams,
)
from sprinttui.services.context import Ctx
from sprinttui.services.item_rows import ItemRow

__all__ = ["create_demo"]

# --------------------------------------------------------------------------- machinery


class _Clock:
    """A clock the demo moves by hand."""

    def __init__(self, start: datetime):
        self.value = start

    def __call__(self) -> datetime:
        return self.value

    def set(self, day: date, minutes: int) -> None:
        self.value = datetime.combine(day, time(0), tzinfo=UTC) + timedelta(minutes=minutes)


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def active_sprint_start(today: date) -> date:
    """The Monday the active sprint started: about a week before today."""
    if today.weekday() >= 5:  # a weekend: the sprint started this week
        return _monday(today)
    return _monday(today) - timedelta(days=7)


def previous_working_day(d: date) -> date:
    d -= timedelta(days=1)
    while d.weekday() >= 5:
        d -= timedelta(days=1)
    return d


class _Demo:
    def __init__(self, ctx: Ctx, today: date):
        self.today = today
        self.rng = random.Random(RNG_SEED)
        self.base = ctx
        s4 = active_sprint_start(today)
        # sprint n starts on s4 + 14 * (n - 4) days and ends on the second Friday
        self.starts = {n: s4 + timedelta(days=14 * (n - 4)) for n in range(1, 6)}
        self.ends = {n: self.starts[n] + timedelta(days=11) for n in range(1, 6)}
        self.project_start = self.starts[1] - timedelta(days=14)
        self.clock = _Clock(datetime.combine(self.project_start, time(8), tzinfo=UTC))
        self._ctxs: dict[str, Ctx] = {}
        self.keys: dict[str, str] = {}  # ref -> item key
        self.status: dict[str, str] = {}  # item key -> status
        self.assignee: dict[str, str | None] = {}  # item key -> handle
        self.stream_of: dict[str, str] = {}  # item key -> stream
        self.leads = {key: lead for key, _n, lead, _d in STREAMS}
        self.first_use: dict[str, int] = {}  # catalog ref -> first sprint it is planned into
        self.creation: dict[int, list[tuple[str, str, Spec]]] = {}
        self._kpi_done: set[int] = set()
        self._minute = 0
        self.team = {key: [h for h, _n, st, _a, _c in MEMBERS if st == key] for key, *_ in STREAMS}

    # -- helpers ------------------------------------------------------------
    def as_(self, user: str) -> Ctx:
        if user not in self._ctxs:
            self._ctxs[user] = replace(self.base, user=user, clock=self.clock)
        return self._ctxs[user]

    def at(self, day: date, minutes_after_nine: int, user: str) -> Ctx:
        self.clock.set(day, 9 * 60 + minutes_after_nine)
        return self.as_(user)

    def name(self, n: int) -> str:
        return f"Sprint {n}"

    def key(self, ref: str) -> str:
        return self.keys[ref]

    def days(self, n: int) -> list[date]:
        return working_days(self.starts[n], self.ends[n], WORKDAYS)

    def _remember(self, ref: str, row: ItemRow) -> None:
        self.keys[ref] = row.key
        self.status[row.key] = row.status
        self.assignee[row.key] = row.assignee
        self.stream_of[row.key] = row.stream

    # -- setup --------------------------------------------------------------
    def setup(self) -> None:
        ctx = self.at(self.project_start, -60, self.base.user)
        if project.is_initialised(ctx):
            project.init_project(ctx)  # keep the name someone already gave the project
        else:
            project.init_project(ctx, "CRM rollout")
        project.update_settings(ctx, sprint_length_days=14, working_days="mon,tue,wed,thu,fri",
                                points_per_day=0.8)
        for key, name, _lead, desc in STREAMS:
            streams.add_stream(ctx, key, name, description=desc)
        for handle, name, stream, avail, comp in MEMBERS:
            members.add_member(ctx, handle, name, stream=stream, availability=avail, competences=comp)
        for key, _name, lead, _desc in STREAMS:
            streams.edit_stream(ctx, key, lead=lead)
        goals = {p.number: p.goal for p in PLANS}
        goals[NEXT_PLAN[0]] = NEXT_PLAN[1]
        for n in range(1, 6):
            sprints.new_sprint(ctx, self.name(n), start=self.starts[n], end=self.ends[n], goal=goals[n])
        for sprint_no, rows in ABSENCES.items():
            for handle, days in rows:
                members.set_absence(ctx, handle, self.name(sprint_no), days)
        kctx = self.at(self.project_start, 30, ADMIN)
        for name, unit, base, target, direction, desc, _values in KPIS:
            kpis.add_kpi(kctx, name, unit=unit, baseline=base, target=target, direction=direction,
                         description=desc)
        self.record_kpis(upto=self.project_start)

    def _kpi_dates(self) -> list[date]:
        last = previous_working_day(self.today)
        return [self.project_start, self.starts[2], self.starts[3], self.starts[4], last]

    def record_kpis(self, upto: date | None = None) -> None:
        """Record every measurement dated on or before `upto` (None: all) not recorded yet."""
        for i, d in enumerate(self._kpi_dates()):
            if i in self._kpi_done or (upto is not None and d > upto):
                continue
            self._kpi_done.add(i)
            for name, _u, _b, _t, _dir, _desc, values in KPIS:
                who = "mschulz" if name in (DQ, DUP) else ADMIN
                kpis.record(self.at(d, 90, who), name, values[i], on=d, note=KPI_NOTES[i])

    # -- the backlog --------------------------------------------------------
    def plan_creation(self) -> None:
        """Decide when each catalog item is written down: at setup, or in the backlog
        refinement of an earlier sprint (never after it is first planned)."""
        first_use: dict[str, int] = {}
        for p in PLANS:
            for ref in p.plan + [r for r, _d, _o in p.added]:
                first_use.setdefault(ref, p.number)
        for ref in NEXT_PLAN[2]:
            first_use.setdefault(ref, NEXT_PLAN[0])
        self.first_use = first_use
        self.creation = {n: [] for n in range(0, 5)}
        for stream, specs in CATALOG.items():
            for i, spec in enumerate(specs, start=1):
                ref = f"{stream.lower()[:3]}{i:02d}"
                k = first_use.get(ref)
                if k is None:
                    slot = self.rng.randint(0, 4)
                elif k <= 2:
                    slot = 0
                else:
                    slot = self.rng.randint(0, k - 1)
                self.creation[slot].append((ref, stream, spec))

    def _due(self, spec: Spec) -> date | None:
        if spec.due is None:
            return None
        n, which = spec.due
        return self.starts[n] if which == "start" else self.ends[n]

    def create(self, ctx_day: date, minute: int, ref: str, stream: str, spec: Spec,
               sprint: str | None = None, assignee: str | None = None) -> None:
        if assignee is None and (ref in self.first_use):
            team = self.team[stream]
            assignee = team[(int(ref[-2:]) - 1) % len(team)] if ref[-2:].isdigit() else team[0]
        c = self.at(ctx_day, minute, self.leads[stream])
        row = items.create_item(
            c, spec.title, stream=stream, points=spec.points, kind=spec.kind, sprint=sprint,
            assignee=assignee, description=spec.description, due=self._due(spec), labels=spec.labels,
            kpi=spec.kpi,
        )
        self._remember(ref, row)

    def create_initial_backlog(self) -> None:
        # each lead writes down their stream's backlog on one of the days before sprint 1
        setup_days = working_days(self.project_start, self.starts[1] - timedelta(days=1), WORKDAYS)
        order = [key for key, *_ in STREAMS]
        for ref, stream, spec in self.creation[0]:
            day = setup_days[(order.index(stream) * 2) % len(setup_days)]
            self._minute += 3
            self.create(day, 60 + self._minute % 300, ref, stream, spec)

    # -- running a sprint ---------------------------------------------------
    def _path(self, cur: str, final: str) -> list[str]:
        i, j = ORDER.index(cur), ORDER.index(final)
        if j < i:
            raise AssertionError(f"demo script moves an item back from {cur} to {final}")
        path = ORDER[i + 1 : j + 1]
        if final == Status.DONE and Status.REVIEW.value in path and len(path) > 1 and self.rng.random() < 0.35:
            path.remove(Status.REVIEW.value)  # small things skip the review column
        return path

    def _moves(self, key: str, final: str, lo: int, hi: int) -> list[tuple[int, int, str, str]]:
        """(day index, minute, key, status) for each step from the item's status to final."""
        path = self._path(self.status[key], final)
        if not path:
            return []
        last = self.rng.randint(max(lo, 2), max(hi, 2)) if final == Status.DONE else self.rng.randint(lo, hi)
        days = sorted(self.rng.randint(lo, last) for _ in path[:-1]) + [last]
        out, prev_day, n_same = [], None, 0
        for d, st in zip(days, path, strict=False):
            n_same = n_same + 1 if d == prev_day else 0
            prev_day = d
            out.append((d, 60 + self.rng.randint(0, 300) // 10 * 10 + 30 * n_same, key, st))
        # keep one item's steps in order on a shared day
        fixed, last_min = [], {}
        for d, m, k, st in out:
            m = max(m, last_min.get(d, -1) + 10)
            last_min[d] = m
            fixed.append((d, m, k, st))
        self.status[key] = final
        return fixed

    def run_sprint(self, p: Plan, *, active: bool) -> None:
        n = p.number
        name = self.name(n)
        days = self.days(n)
        hi = len(days) - 1
        if active:
            elapsed = [i for i, d in enumerate(days) if d < self.today]
            hi = elapsed[-1] if elapsed else 0
        # planning on the first morning, start half an hour later
        items.plan_items(self.at(days[0], -60, ADMIN), [self.key(r) for r in p.plan], name)
        sprints.start_sprint(self.at(days[0], -30, ADMIN), name)
        in_sprint = [r.key for r in items.list_items(self.base, sprint=name)]
        outcomes = {self.key(r): o for r, o in p.outcomes.items() if r in self.keys}
        removed = {self.keys[r]: d for r, d in p.removed}
        actions: list[tuple[int, int, int, tuple]] = []
        seq = 0

        def push(day: int, minute: int, action: tuple) -> None:
            nonlocal seq
            seq += 1
            actions.append((day, minute, seq, action))

        for key in in_sprint:
            if key in removed:
                push(removed[key], 10, ("remove", key))
                continue
            final = outcomes.get(key, Status.DONE.value if not active else Status.DOING.value)
            for d, m, k, st in self._moves(key, final, 0, hi):
                push(d, m, ("move", k, st))
        for ref, day, final in p.added:
            push(day, 0, ("add", ref, final, day))
        for ref, day, reason, until in p.blocked:
            push(day, 20, ("block", ref, reason))
            if until is not None:
                push(until, 40, ("unblock", ref))
        # backlog refinement on the third day: new items written down
        for i, (ref, stream, spec) in enumerate(self.creation.get(n, [])):
            push(2, 300 + i * 2, ("create", ref, stream, spec))
        push(0, 90, ("kpis",))
        if active:
            push(hi, 90, ("kpis",))
            push(hi, 380, ("plan-next",))

        # added items get their moves once they exist; process in time order
        pending = sorted(actions)
        while pending:
            day, minute, _s, action = pending.pop(0)
            when = days[day]
            kind = action[0]
            if kind == "move":
                _k, key, st = action
                who = self.assignee.get(key) or self.leads[self.stream_of[key]]
                row = items.move_item(self.at(when, minute, who), key, st)
                self.status[key] = row.status
            elif kind == "remove":
                key = action[1]
                items.plan_item(self.at(when, minute, ADMIN), key, None)
            elif kind == "add":
                _k, ref, final, add_day = action
                if ref in NEW_IN_SPRINT:
                    stream, spec, who = NEW_IN_SPRINT[ref]
                    self.create(when, minute, ref, stream, spec, sprint=name, assignee=who)
                else:
                    items.plan_item(self.at(when, minute, self.leads[self.stream_of[self.key(ref)]]),
                                    self.key(ref), name)
                key = self.key(ref)
                for d, m, k, st in self._moves(key, final, add_day, hi):
                    if d == add_day:
                        m = max(m, minute + 30)
                    seq += 1
                    pending.append((d, m, seq, ("move", k, st)))
                pending.sort()
            elif kind == "block":
                _k, ref, reason = action
                key = self.key(ref)
                items.set_blocked(self.at(when, minute, self.assignee.get(key) or ADMIN), key, True, reason)
            elif kind == "unblock":
                key = self.key(action[1])
                items.set_blocked(self.at(when, minute, self.assignee.get(key) or ADMIN), key, False)
            elif kind == "create":
                _k, ref, stream, spec = action
                self.create(when, minute, ref, stream, spec)
            elif kind == "kpis":
                self.record_kpis(upto=when)
            elif kind == "plan-next":
                nxt, _goal, refs = NEXT_PLAN
                items.plan_items(self.at(when, minute, ADMIN), [self.key(r) for r in refs], self.name(nxt))
        if active:
            return
        # close on the last Friday afternoon, then the interim evaluation
        self.clock.set(days[-1], 16 * 60)
        sprints.close_sprint(self.as_(ADMIN), name, carry_to=self.name(n + 1))
        if p.goal_met is not None:
            sprints.edit_sprint(self.as_(ADMIN), name, goal_met=p.goal_met)
        self.evaluate(p, days[-1])

    def evaluate(self, p: Plan, day: date) -> None:
        name = self.name(p.number)
        ctx = self.at(day, 7 * 60 + 30, ADMIN)
        ev = evaluations.create_evaluation(ctx, name, kind="interim", on=day, facilitator=ADMIN,
                                           summary=p.summary)
        voters = [h for h, *_ in MEMBERS]
        for i, f in enumerate(p.findings):
            author = f.owner or voters[(i * 5 + p.number) % len(voters)]
            fv = evaluations.add_finding(self.at(day, 7 * 60 + 35 + i, author), ev.id, f.category, f.text,
                                         owner=f.owner)
            for v in range(f.votes):
                evaluations.vote(self.as_(voters[(v * 7 + i) % len(voters)]), fv.id, +1)
            if f.status:
                evaluations.edit_finding(self.at(day, 7 * 60 + 50, ADMIN), fv.id, status=f.status)
            if f.convert:
                ref, stream, pts, sprint_no, who = f.convert
                row = evaluations.convert_finding(
                    self.at(day, 7 * 60 + 55 + i, ADMIN), fv.id, stream=stream, points=pts,
                    sprint=self.name(sprint_no) if sprint_no else None, assignee=who,
                )
                self._remember(ref, row)

    def standups(self) -> None:
        """Yesterday's standup: everyone's notes, held by the project lead,
        two minutes over its timebox, with two topics parked."""
        day = previous_working_day(self.today)
        held = standups.start_session(self.at(day, 0, "maria"))
        active = items.list_items(self.base, sprint=self.name(4))
        by_member: dict[str, list[ItemRow]] = {}
        for r in active:
            if r.assignee:
                by_member.setdefault(r.assignee, []).append(r)
        for i, (handle, _name, _s, _a, _c) in enumerate(MEMBERS):
            if handle == "rbraun":
                continue  # forgot to fill it in
            ctx = self.at(day, 15 + i, handle)
            if handle == "fneumann":
                standups.save_entry(ctx, handle, on=day, absent=True, yesterday="", today="",
                                    blockers="")
                continue
            mine = sorted(by_member.get(handle, []), key=lambda r: (r.status == "done", r.rank))
            open_ = [r for r in mine if r.status != "done"]
            done = [r for r in mine if r.status == "done"]
            if done:
                y = f"Finished {done[0].key} ({done[0].title})."
            elif open_:
                y = f"Worked on {open_[0].key} ({open_[0].title})."
            else:
                y = "Reviewed the backlog for the next sprint with my stream lead."
            if len(open_) > 1:
                t = f"Continue {open_[0].key}, then start on {open_[1].key}."
            elif open_:
                t = f"Continue {open_[0].key} ({open_[0].title})."
            else:
                t = "Support the key users in the pilot group and refine stories for Sprint 5."
            blocked = [r for r in mine if r.blocked]
            b = f"{blocked[0].key}: {blocked[0].blocked_reason}" if blocked else ""
            standups.save_entry(ctx, handle, on=day, yesterday=y, today=t, blockers=b)
        lead = self.at(day, 17, "maria")
        standups.add_parking_topic(lead, held.id, "Who signs off the data-protection review of the lead import?")
        standups.add_parking_topic(lead, held.id, "Book the training room for the key-user sessions")
        standups.end_session(lead, held.id, elapsed_seconds=17 * 60)

    def run(self) -> None:
        self.setup()
        self.plan_creation()
        self.create_initial_backlog()
        for p in PLANS:
            self.run_sprint(p, active=(p.number == 4))
        self.record_kpis()
        self.standups()


def create_demo(ctx: Ctx, *, today: date | None = None) -> bool:
    """Fill an empty project with the demo CRM rollout; False if it has streams already."""
    if streams.list_streams(ctx):
        return False
    _Demo(ctx, today or dates.today()).run()
    return True
