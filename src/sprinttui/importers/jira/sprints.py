"""The sprints a Jira file names: their order, what the import does with each,
and the dates of the ones it creates.

A CSV export has no sprint dates. The order comes from the issues' sprint
trails (an issue lists the sprints it was in, oldest first); a sprint every
unfinished issue has moved on from is over. Closed sprints the import creates
get dates from the issues' created and resolved times, one sprint length each,
ending on the last working day of a week before today.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from heapq import heappop, heappush

from sprinttui.domain import SprintState, Status
from sprinttui.importers.jira.load import ProjectState
from sprinttui.importers.jira.parse import JiraIssue
from sprinttui.importers.jira.records import MINUTE, SprintMode, SprintRecord, datetime_on
from sprinttui.importers.jira.report import listing

__all__ = ["SprintPlan", "done_time"]


def _natural_key(name: str) -> tuple:
    """Sort key of a sprint name with its numbers as numbers (Sprint 9 before Sprint 10)."""
    parts = re.split(r"(\d+)", name.casefold())
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts))


def done_time(iss: JiraIssue, prev_close: datetime | None) -> datetime | None:
    """When the issue became done (or got its current status), after its last carry."""
    t = (iss.resolved if iss.status == Status.DONE else None) or iss.updated or iss.created
    if t is None:
        return None
    if iss.created and t < iss.created:
        t = iss.created
    if prev_close is not None and t <= prev_close:
        t = prev_close + MINUTE
    return t


class SprintPlan:
    """Orders the file's sprints, gives each its :class:`SprintMode`, adds the
    sprints the project lacks to `state` and dates them.

    After construction: ``order`` (the file's sprints, oldest first), ``trails``
    (Jira key → the names of the sprints the issue was in, in that order),
    ``holders`` (sprint name → the issues it held), ``activate`` (the open
    sprint that is, or is to be, the active one) and ``warnings``.
    """

    def __init__(self, state: ProjectState, issues: list[JiraIssue], *, now: datetime, today: date):
        self.state = state
        self.now = now
        self.today = today
        self.warnings: list[str] = []
        self.activate: SprintRecord | None = None  # set with the dates of the open sprints
        raw_order = self._order_names([iss.sprints for iss in issues])
        pos = {n: i for i, n in enumerate(raw_order)}
        ordered: dict[tuple[str, ...], tuple[str, ...]] = {}  # issues with the same sprints share one trail
        self.trails: dict[str, tuple[str, ...]] = {}
        for iss in issues:
            trail = ordered.get(iss.sprints)
            if trail is None:
                trail = ordered[iss.sprints] = tuple(sorted(iss.sprints, key=pos.__getitem__))
            self.trails[iss.key] = trail
        moved_from = {n for t in self.trails.values() for n in t[:-1]}
        last_moved = max((pos[n] for n in moved_from), default=-1)
        unfinished = {self.trails[iss.key][-1] for iss in issues
                      if self.trails[iss.key] and iss.status != Status.DONE}
        first_open = next((i for i, n in enumerate(raw_order) if i > last_moved and n in unfinished), None)
        file_closed = {n for i, n in enumerate(raw_order) if first_open is None or i < first_open}

        self.order: list[SprintRecord] = []
        live = False
        for i, name in enumerate(raw_order):
            sp = state.sprint_by_name.get(name)
            if sp is not None:
                if sp.state == SprintState.CLOSED:
                    sp.mode = SprintMode.HISTORY
                    sp.historical = True
                    sp.started_at = sp.started_at or datetime_on(sp.start, 9)
                    sp.closed_at = sp.closed_at or max(datetime_on(sp.end, 17), sp.started_at + MINUTE)
                else:
                    sp.mode = SprintMode.CLOSE_NOW if name in file_closed else SprintMode.OPEN
                    live = True
            else:
                sp = SprintRecord(None, name, SprintState.PLANNED.value, None, None, None, None, new=True)
                if name not in file_closed:
                    sp.mode = SprintMode.OPEN
                else:  # closed in Jira: history if nothing here is open before it, else closed now
                    sp.mode = SprintMode.CLOSE_NOW if live else SprintMode.HISTORY
                state.add_sprint(sp)
            sp.position = i
            self.order.append(sp)
        self.holders: dict[str, list[JiraIssue]] = defaultdict(list)
        for iss in issues:
            for n in self.trails[iss.key]:
                self.holders[n].append(iss)
        self._date_closed()
        self._date_open()

    def trail(self, iss: JiraIssue) -> list[SprintRecord]:
        """The sprints the issue was in, oldest first."""
        return [self.state.sprint_by_name[n] for n in self.trails[iss.key]]

    def next_in_trail(self, iss: JiraIssue, sp: SprintRecord) -> tuple[bool, SprintRecord | None]:
        """(whether `sp` is in the issue's trail, the sprint after it there or None)."""
        trail = self.trails.get(iss.key, ())
        if sp.name not in trail:
            return False, None
        i = trail.index(sp.name)
        return True, (self.state.sprint_by_name[trail[i + 1]] if i + 1 < len(trail) else None)

    # -- the order ------------------------------------------------------------
    def _order_names(self, trails: list[tuple[str, ...]]) -> list[str]:
        """All sprint names, each after the ones that precede it in some trail;
        by name (numbers as numbers) where the trails leave it open or contradict."""
        first_seen: dict[str, int] = {}
        succ: dict[str, set[str]] = defaultdict(set)
        indeg: Counter = Counter()
        for trail in trails:
            for n in trail:
                first_seen.setdefault(n, len(first_seen))
            for a, b in zip(trail, trail[1:], strict=False):
                if b not in succ[a]:
                    succ[a].add(b)
                    indeg[b] += 1

        def key(n: str) -> tuple:
            return (_natural_key(n), first_seen[n])

        heap = [(key(n), n) for n in first_seen if indeg[n] == 0]
        heap.sort()
        order: list[str] = []
        done: set[str] = set()
        forced: list[str] = []
        while len(order) < len(first_seen):
            if not heap:
                _k, n = min((key(n), n) for n in first_seen if n not in done)
                forced.append(n)
                heappush(heap, (_k, n))
            _k, n = heappop(heap)
            if n in done:
                continue
            done.add(n)
            order.append(n)
            for m in succ[n]:
                if m not in done:
                    indeg[m] -= 1
                    if indeg[m] == 0:
                        heappush(heap, (key(m), m))
        if forced:
            self.warnings.append(
                "the issues list sprints in contradicting orders; ordered by name where they disagree: "
                + listing(forced))
        return order

    # -- the dates ------------------------------------------------------------
    def _prev_close_of(self, iss: JiraIssue, sp: SprintRecord) -> datetime | None:
        """When the sprint before `sp` in the issue's trail closed (None: `sp` is its first)."""
        trail = self.trails[iss.key]
        i = trail.index(sp.name)
        if i == 0:
            return None
        prev = self.state.sprint_by_name[trail[i - 1]]
        return prev.closed_at

    def _end_for(self, start: date) -> date:
        """The end of a sprint starting on `start`: one sprint length, on a working day."""
        end = start + timedelta(days=self.state.sprint_length - 1)
        while end > start and end.weekday() not in self.state.workdays:
            end -= timedelta(days=1)
        return end

    def _date_closed(self) -> None:
        """Dates of the closed sprints this import creates, from the issues' dates."""
        L = timedelta(days=self.state.sprint_length)
        workdays = self.state.workdays
        monday = self.today - timedelta(days=self.today.weekday())
        hist_new = [sp for sp in self.order if sp.mode == SprintMode.HISTORY and sp.new]
        prev: SprintRecord | None = None
        for sp in self.order:
            if sp.mode == SprintMode.HISTORY and sp.new:
                holders = self.holders[sp.name]
                created = [iss.created for iss in holders if iss.created]
                anchors: list[datetime] = []
                if created:
                    anchors.append(max(created) + MINUTE)
                    anchors.append(datetime_on(min(created).date() + L - timedelta(days=1), 17))
                has_done = False
                for iss in holders:
                    if iss.status == Status.DONE and self.trails[iss.key][-1] == sp.name:
                        t = done_time(iss, self._prev_close_of(iss, sp))
                        if t is not None:
                            anchors.append(t + MINUTE)
                            has_done = True
                prev_close = ((prev.closed_at or datetime_on(prev.end, 17))
                              if prev is not None and prev.end else None)
                if prev_close is not None:
                    cand = prev_close + (timedelta(days=1) if has_done else L)
                    if cand > self.now and anchors:
                        cand = prev_close + timedelta(days=1)
                    anchors.append(cand)
                if not anchors:  # no dates at all: count back from this week
                    after = len(hist_new) - 1 - hist_new.index(sp)
                    anchors.append(datetime_on(monday - timedelta(days=3) - after * L, 17))
                close = max(anchors)
                end = close.date()
                # sprints end on a fixed weekday: the last working day of that week (before today)
                week_end = end + timedelta(days=6 - end.weekday())
                while week_end > end and week_end.weekday() not in workdays:
                    week_end -= timedelta(days=1)
                if week_end < self.today:
                    end = week_end
                start = end - L + timedelta(days=1)
                while start < end and start.weekday() not in workdays:
                    start += timedelta(days=1)
                if prev is not None and prev.end is not None and start <= prev.end:
                    start = min(prev.end + timedelta(days=1), end)
                started_at = datetime_on(start, 9)
                if prev_close is not None and started_at <= prev_close:
                    started_at = prev_close + MINUTE
                closed_at = max(close, datetime_on(end, 17))
                if closed_at <= started_at:
                    closed_at = started_at + MINUTE
                sp.start, sp.end, sp.started_at, sp.closed_at = start, end, started_at, closed_at
                sp.state = SprintState.CLOSED.value
                sp.historical = True
            if sp.end is not None:
                prev = sp

    def _date_open(self) -> None:
        """Which open sprint is active; dates of the open (and closed-now) sprints this import creates."""
        L = timedelta(days=self.state.sprint_length)
        sprints = self.state.sprints
        monday = self.today - timedelta(days=self.today.weekday())
        any_now = any(sp.mode == SprintMode.CLOSE_NOW for sp in self.order)
        live_active = any(sp.state == SprintState.ACTIVE and sp.mode != SprintMode.CLOSE_NOW for sp in sprints)
        opens = [sp for sp in self.order if sp.mode == SprintMode.OPEN]
        self.activate = opens[0] if opens and not live_active and opens[0].state == SprintState.PLANNED else None
        if opens and live_active and opens[0].new and opens[0].state == SprintState.PLANNED:
            active = next(sp.name for sp in sprints if sp.state == SprintState.ACTIVE)
            self.warnings.append(f"sprint {opens[0].name} is open in Jira but sprint {active} is active here; "
                                 f"it was added as planned")
        db_end = max((sp.end for sp in sprints if not sp.new and sp.end), default=None)
        first_start = max(monday, db_end + timedelta(days=1)) if db_end else monday
        prev: SprintRecord | None = None
        for sp in self.order:
            if sp.new and sp.mode in (SprintMode.OPEN, SprintMode.CLOSE_NOW):
                nxt = (max(prev.end + timedelta(days=1), prev.start + L) if prev is not None else first_start)
                if sp is self.activate and any_now:
                    start = self.today  # started now, right after the sprint closed now
                    sp.start_now = True
                elif sp is self.activate:
                    start = max(monday, prev.end + timedelta(days=1)) if prev is not None else first_start
                    started_at = datetime_on(start, 9)
                    if start <= self.today and started_at > self.now:
                        started_at = self.now
                    if prev is not None and prev.closed_at is not None and started_at <= prev.closed_at:
                        started_at = prev.closed_at + MINUTE
                    sp.started_at = started_at
                    sp.state = SprintState.ACTIVE.value
                    sp.historical = True
                elif sp.mode == SprintMode.CLOSE_NOW:
                    start = min(nxt, self.today)  # started and closed now
                else:
                    start = nxt
                    sp.historical = True
                sp.start, sp.end = start, self._end_for(start)
            elif sp is self.activate:
                sp.start_now = True  # a planned sprint here that Jira has running: start it now
            if sp.end is not None:
                prev = sp
