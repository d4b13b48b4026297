"""Planning an import in memory: which streams, members, sprints and items to
create or change, and the history rows that go with them.

Matching: an item is the issue whose key is its ``external_key``; a stream is
found by name (or, from projects, by key); a member by name or handle. A new
item gets the next number of its stream; its history is rebuilt from the
issue's sprint trail. An existing item is updated field by field, each change
one history row at the time of the import.

Sprint membership is written by the rules of :mod:`sprinttui.services.history`
(:func:`plan_moves`, :func:`start_moves`, :func:`close_moves`), with sprint
records standing for sprints, and every value through :func:`history_text`.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sprinttui.domain import SprintEventKind, SprintState, Status
from sprinttui.importers.jira.load import ProjectState
from sprinttui.importers.jira.parse import JiraIssue, ParsedFile
from sprinttui.importers.jira.records import (
    MINUTE,
    EventSink,
    ItemRecord,
    MemberRecord,
    PlannedItemEvent,
    PlannedSprintEvent,
    Progress,
    SprintMode,
    SprintRecord,
    StreamRecord,
)
from sprinttui.importers.jira.report import ImportReport, ItemChange, SprintNote, listing
from sprinttui.importers.jira.sprints import SprintPlan, done_time
from sprinttui.services.history import Move, close_moves, history_text, plan_moves, start_moves
from sprinttui.services.text import clean_line

__all__ = ["DEFAULT_STREAM_KEY", "DEFAULT_STREAM_NAME", "STREAM_FROM", "ImportPlan"]

STREAM_FROM = ("component", "project", "label")
DEFAULT_STREAM_NAME = "Imported from Jira"
DEFAULT_STREAM_KEY = "JIRA"
FLUSH_EVENTS = 5_000  # history rows planned before they go to the sink


# --------------------------------------------------------------------------- names


def _handle_of(name: str) -> str:
    """A member handle made from a person's name: ``Jürgen Groß`` → ``jurgen.gross``."""
    s = name.replace("ß", "ss").replace("æ", "ae").replace("ø", "o").replace("ł", "l")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    s = re.sub(r"[^A-Za-z0-9]+", ".", s).strip(".").lower()
    return s[:36].strip(".") or "user"


def _words(text: str) -> list[str]:
    """The words of `text` in upper-case ASCII letters."""
    s = unicodedata.normalize("NFKD", text.replace("ß", "ss")).encode("ascii", "ignore").decode("ascii")
    return [w.upper() for w in re.split(r"[^A-Za-z]+", s) if w]


def _stream_keys(name: str, preferred: str | None = None):
    """Stream keys (2 to 6 upper-case letters) to try for a stream name, best first."""
    if preferred and re.fullmatch(r"[A-Z]{2,6}", preferred):
        yield preferred
    words = _words(name)
    joined = "".join(words)
    if len(words) >= 2:
        initials = "".join(w[0] for w in words)[:6]
        if len(initials) >= 2:
            yield initials
    if len(joined) == 2:
        yield joined
    for n in (3, 4, 5, 6):
        if len(joined) >= n:
            yield joined[:n]
    base = (joined or "JIRA")[:4]
    if len(base) < 2:
        base = (base + "XX")[:2]
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for a in letters:
        yield base + a
    for a in letters:
        for b in letters:
            yield base + a + b


# --------------------------------------------------------------------------- the plan


class ImportPlan:
    """Everything an import will write, worked out on the records of `state`.

    :meth:`build` fills ``report`` and the lists of history rows,
    ``item_events`` and ``sprint_events``; it writes nothing.
    """

    def __init__(self, state: ProjectState, parsed: ParsedFile, *, stream_from: str, dry_run: bool,
                 now: datetime, today: date, progress: Progress | None = None, sink: EventSink | None = None):
        self.state = state
        self.sink = sink
        self.parsed = parsed
        self.stream_from = stream_from
        self.now = now
        self.today = today
        self.progress = progress
        self.item_events: list[PlannedItemEvent] = []
        self.sprint_events: list[PlannedSprintEvent] = []
        self.warnings: list[str] = []
        self.report = ImportReport(file=parsed.name, dry_run=dry_run, stream_from=stream_from,
                                   rows=parsed.rows, problems=list(parsed.problems))

    def build(self) -> ImportReport:
        self._plan_sprints()
        self._plan_items()
        self._close_and_start_now()
        self._flush(force=True)
        self._finish_report()
        return self.report

    def _flush(self, force: bool = False) -> None:
        """Hand the history rows planned so far to the sink (if there is one), so
        that a large import never holds all of them at once."""
        if self.sink is None or not force and len(self.item_events) + len(self.sprint_events) < FLUSH_EVENTS:
            return
        self.sink(self.item_events, self.sprint_events)
        self.item_events, self.sprint_events = [], []

    # -- history rows ---------------------------------------------------------
    def _tick(self, phase: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(phase, done, total)

    def add_item_event(self, it: ItemRecord, at: datetime, field: str, old: Any, new: Any) -> None:
        """One item_event row of a changed field."""
        self.item_events.append(PlannedItemEvent(it, at, field, history_text(old), history_text(new)))
        if it.updated_at is None or at > it.updated_at:
            it.updated_at = at

    def add_sprint_event(self, it: ItemRecord, move: Move[SprintRecord], at: datetime,
                         status: str | None = None) -> None:
        """The sprint_event row of `move`, with the item's points and `status` (default: its status now)."""
        self.sprint_events.append(PlannedSprintEvent(move.sprint, it, move.kind.value, at, it.points,
                                                     status or it.status, move.target))

    def add_sprint_events(self, it: ItemRecord, moves: Iterable[Move[SprintRecord]], at: datetime) -> None:
        for move in moves:
            self.add_sprint_event(it, move, at)

    def _change(self, it: ItemRecord, field: str, old: Any, new: Any) -> None:
        """A field of an existing item changes now: a history row and a line of the report."""
        self.add_item_event(it, self.now, field, old, new)
        if it.changes is None:
            it.changes = []
        it.changes.append((field, history_text(old), history_text(new)))
        it.dirty = True

    # -- streams and members --------------------------------------------------
    def _stream_name(self, iss: JiraIssue) -> tuple[str | None, str | None]:
        """The name of the issue's stream, and the key to prefer for it."""
        if self.stream_from == "project":
            name = iss.project_name or iss.project_key
            pref = "".join(_words(iss.project_key))[:6] if iss.project_key else None
            return (clean_line(name, "project", limit=200) if name else None), pref
        if self.stream_from == "label":
            return (iss.labels[0] if iss.labels else None), None
        return (iss.components[0] if iss.components else None), None

    def _same_stream(self, st: StreamRecord, iss: JiraIssue) -> bool:
        name, pref = self._stream_name(iss)
        if not name:
            name, pref = DEFAULT_STREAM_NAME, DEFAULT_STREAM_KEY
        return st.name.casefold() == name.casefold() or (self.stream_from == "project" and st.key == pref)

    def _stream_for(self, iss: JiraIssue) -> StreamRecord:
        state = self.state
        name, pref = self._stream_name(iss)
        if not name:
            name, pref = DEFAULT_STREAM_NAME, DEFAULT_STREAM_KEY
        st = state.stream_by_name.get(name.casefold())
        if st is None and pref and pref in state.stream_by_key and self.stream_from == "project":
            st = state.stream_by_key[pref]
        if st is not None:
            return st
        key = next(k for k in _stream_keys(name, pref) if k not in state.stream_by_key)
        st = StreamRecord(None, key, name, 1, new=True)
        state.add_stream(st)
        self.report.streams.append((key, name))
        return st

    def _member_for(self, name: str | None) -> MemberRecord | None:
        if not name:
            return None
        state = self.state
        m = state.member_by_name.get(name.casefold()) or state.member_by_handle.get(name.lower())
        if m is not None:
            return m
        base = _handle_of(name)
        handle, n = base, 2
        while handle.lower() in state.member_by_handle:
            handle, n = f"{base}{n}", n + 1
        m = MemberRecord(None, handle, name, new=True)
        state.add_member(m)
        self.report.members.append((handle, name))
        return m

    # -- sprints --------------------------------------------------------------
    def _plan_sprints(self) -> None:
        self.sprint_plan = SprintPlan(self.state, self.parsed.issues, now=self.now, today=self.today)
        self.warnings.extend(self.sprint_plan.warnings)
        for sp in self.sprint_plan.order:
            if sp.new:
                self.report.sprints.append(SprintNote(sp.name, "created", sp.state, sp.start, sp.end))

    # -- items ----------------------------------------------------------------
    def _plan_items(self) -> None:
        issues = self.parsed.issues
        deleted: list[str] = []
        moved_streams = 0
        new_issues: list[JiraIssue] = []
        total = len(issues)
        done = 0  # issues planned: the matched ones first, then the new ones

        def planned_one() -> None:
            nonlocal done
            done += 1
            if done % 500 == 0:
                self._tick("Planning", done, total)

        for iss in issues:
            it = self.state.item_by_external_key.get(iss.key)
            if it is None:
                new_issues.append(iss)
                continue
            planned_one()
            it.issue = iss
            if it.deleted:
                deleted.append(iss.key)
                continue
            if it.stream is not None and not self._same_stream(it.stream, iss):
                moved_streams += 1
            self._update(it, iss)
        rank = self.state.max_rank
        for iss in new_issues:
            rank += 1.0
            self._create(iss, rank)
            planned_one()
        self._tick("Planning", total, total)
        if deleted:
            self.warnings.append(f"{len(deleted)} issues were deleted here and stay deleted: {listing(deleted)}")
        if moved_streams:
            label = {"component": "component", "project": "project", "label": "first label"}[self.stream_from]
            self.warnings.append(
                f"{moved_streams} issues have another {label} in Jira than their item's stream here; "
                "they keep their stream (it is part of the item key)")

    def _update(self, it: ItemRecord, iss: JiraIssue) -> None:
        """An existing item takes the issue's fields, and its sprint where Jira moved it."""
        who = self._member_for(iss.assignee)
        labels = ",".join(iss.labels)
        for field, new in (("title", iss.title), ("description", iss.description), ("kind", iss.kind),
                           ("points", iss.points), ("due", iss.due), ("labels", labels)):
            old = getattr(it, field)
            if old != new:
                setattr(it, field, new)
                self._change(it, field, old, new)
        if it.assignee is not who:
            old = it.assignee
            it.assignee = who
            self._change(it, "assignee", old.handle if old else "", who.handle if who else "")
        if it.status != iss.status:
            old = it.status
            it.status = iss.status
            self._change(it, "status", old, iss.status)
        # the current sprint, as far as history here allows
        trail = self.sprint_plan.trail(iss)
        last = trail[-1] if trail else None
        want = last if last is not None and last.mode != SprintMode.HISTORY else None
        cur = it.sprint
        if cur is want or (cur is not None and cur.mode == SprintMode.CLOSE_NOW and cur in trail):
            return  # there already, or in a sprint this import closes now: closing it moves the item on
        if cur is not None and want is None and (cur.state == SprintState.CLOSED or cur.position < 0):
            return  # finished in a closed sprint, or planned into a sprint Jira does not know: leave it
        self._move(it, want)

    def _move(self, it: ItemRecord, target: SprintRecord | None) -> None:
        """Plan an existing item into `target` (None: the backlog) now, as planning it here would."""
        cur = it.sprint
        old_closed = cur is not None and cur.state == SprintState.CLOSED
        self.add_sprint_events(it, plan_moves(cur, target, old_closed=old_closed), self.now)
        self._change(it, "sprint", cur.name if cur else None, target.name if target else None)
        it.sprint = target

    def _create(self, iss: JiraIssue, rank: float) -> None:
        st = self._stream_for(iss)
        it = ItemRecord(new=True, issue=iss, external_key=iss.key, stream=st, seq=st.next_seq,
                        key=f"{st.key}-{st.next_seq}", title=iss.title, description=iss.description,
                        kind=iss.kind, status=iss.status, points=iss.points, due=iss.due,
                        labels=self.parsed.shared(",".join(iss.labels)), rank=rank, slip_count=0, deleted=False,
                        sprint=None)
        st.next_seq += 1
        st.changed = True
        it.assignee = self._member_for(iss.assignee)
        if it.assignee is not None and it.assignee.new:
            it.assignee.streams[st] += 1
        self.state.add_item(iss.key, it)
        self._replay_trail(it, iss)
        self.report.created.add(it)
        self._flush()

    def _replay_trail(self, it: ItemRecord, iss: JiraIssue) -> None:
        """History of a new item: created, sprints entered, carried over, completed.

        The membership rules are the app's, but they happen at the times Jira's
        sprint trail implies (each sprint's start and close), not now, and each
        row gets the status the item had then: todo until its current status
        was reached, and never done in a sprint it was carried out of.
        """
        now = self.now
        trail = self.sprint_plan.trail(iss)
        t_created = iss.created or now
        start_ev = len(self.item_events)
        first_enter: datetime | None = None
        last_carry: datetime | None = None
        t_status: datetime | None = None

        # when the item got its current status (done after its last carry)
        hist_prefix = 0
        for sp in trail:
            if sp.mode != SprintMode.HISTORY:
                break
            hist_prefix += 1
        carries = [trail[i].closed_at for i in range(min(hist_prefix, len(trail) - 1))]
        if iss.status != Status.TODO:
            t_status = done_time(iss, carries[-1] if carries and iss.status == Status.DONE else None) or now
            if t_status < t_created:
                t_status = t_created
            if iss.status == Status.DONE and hist_prefix == len(trail) and trail:
                last = trail[-1]
                if t_status >= last.closed_at:
                    t_status = last.closed_at - MINUTE

        def status_at(t: datetime, carried: bool = False) -> str:
            st = iss.status if t_status is not None and t >= t_status else Status.TODO.value
            if carried and st == Status.DONE:
                st = Status.TODO.value
            return st

        def enter_first(sp: SprintRecord) -> datetime:
            nonlocal first_enter
            if sp.historical and sp.started_at is not None:
                t = sp.started_at if t_created <= sp.started_at else t_created
                if sp.closed_at is not None and t >= sp.closed_at:
                    t = sp.closed_at - 2 * MINUTE
            elif sp.historical:  # a planned sprint this import creates
                t = t_created
            else:
                t = now
            for move in plan_moves(None, sp):
                self.add_sprint_event(it, move, t, status_at(t))
            self.add_item_event(it, t, "sprint", None, sp.name)
            first_enter = t
            return t

        for i, sp in enumerate(trail):
            # the first sprint is entered by planning; each later one by the carry out of the one before
            entered = enter_first(sp) if i == 0 else last_carry if trail[i].historical else now
            if sp.mode != SprintMode.HISTORY:
                if sp.historical and sp.started_at is not None and entered <= sp.started_at:
                    for move in start_moves(sp):
                        self.add_sprint_event(it, move, sp.started_at, status_at(sp.started_at))
                it.sprint = sp
                break
            if entered <= sp.started_at:
                for move in start_moves(sp):
                    self.add_sprint_event(it, move, sp.started_at, status_at(sp.started_at))
            t = sp.closed_at
            nxt = trail[i + 1] if i + 1 < len(trail) else None
            # Jira's trail decides: an issue that went on to another sprint was carried, whatever its
            # status now; only in its last sprint is a done issue completed
            done = nxt is None and iss.status == Status.DONE
            for move in close_moves(sp, done=done, carry_to=nxt):
                if move.kind == SprintEventKind.COMPLETE:
                    self.add_sprint_event(it, move, t, Status.DONE.value)
                elif move.kind == SprintEventKind.CARRY:
                    self.add_sprint_event(it, move, t, status_at(t, carried=True))
                else:  # entering the next sprint: when it closed, unless that sprint only starts now
                    t_in = t if nxt is not None and nxt.historical else now
                    self.add_sprint_event(it, move, t_in, status_at(t_in))
            if done:
                it.sprint = sp
                continue
            self.add_item_event(it, t, "sprint", sp.name, nxt.name if nxt else None)
            self.add_item_event(it, t, "slip_count", it.slip_count, it.slip_count + 1)
            it.slip_count += 1
            it.sprint = nxt
            if nxt is not None:
                last_carry = t
        created_at = min(t_created, first_enter) if first_enter is not None else t_created
        it.created_at = created_at
        # the created event first, the status change where it happened
        self.add_item_event(it, created_at, "created", None, it.title)
        if t_status is not None:
            self.add_item_event(it, t_status, "status", Status.TODO.value, iss.status)
        mine = self.item_events[start_ev:]
        mine.sort(key=lambda e: (e.at, e.field != "created"))
        self.item_events[start_ev:] = mine

    # -- sprint transitions happening now --------------------------------------
    def _inside(self, sp: SprintRecord) -> list[ItemRecord]:
        """The items in `sp`: those here first, then the new ones in backlog order."""
        return sorted((it for it in itertools.chain(self.state.items.values(), self.state.new_items)
                       if it.sprint is sp and not it.deleted),
                      key=lambda it: (it.rank if it.new else -1, it.id or 0))

    def _close_and_start_now(self) -> None:
        """Close the sprints Jira has finished and start the one it has running, as of now."""
        now = self.now
        for sp in self.sprint_plan.order:
            if sp.mode != SprintMode.CLOSE_NOW:
                continue
            if sp.state == SprintState.PLANNED:
                for it in self._inside(sp):
                    self.add_sprint_events(it, start_moves(sp), now)
                sp.started_at = now
            completed = carried = 0
            for it in self._inside(sp):
                if it.status == Status.DONE:
                    self.add_sprint_events(it, close_moves(sp, done=True, carry_to=None), now)
                    completed += 1
                    continue
                target = self._carry_target(it, sp)
                self.add_sprint_events(it, close_moves(sp, done=False, carry_to=target), now)
                if it.new:
                    self.add_item_event(it, now, "sprint", sp.name, target.name if target else None)
                    self.add_item_event(it, now, "slip_count", it.slip_count, it.slip_count + 1)
                else:
                    self._change(it, "sprint", sp.name, target.name if target else None)
                    self._change(it, "slip_count", it.slip_count, it.slip_count + 1)
                it.slip_count += 1
                it.sprint = target
                carried += 1
            sp.state = SprintState.CLOSED.value
            sp.closed_at = now
            sp.changed = True
            if not sp.new:
                self.report.sprints.append(SprintNote(sp.name, "closed now", sp.state, sp.start, sp.end))
                self.warnings.append(f"sprint {sp.name} is closed in Jira: closed here now "
                                     f"({completed} completed, {carried} carried over)")
            else:
                for note in self.report.sprints:
                    if note.name == sp.name:
                        note.state = sp.state
        sp = self.sprint_plan.activate
        if sp is not None and sp.start_now:
            for it in self._inside(sp):
                self.add_sprint_events(it, start_moves(sp), now)
            sp.state = SprintState.ACTIVE.value
            sp.started_at = now
            sp.changed = True
            if sp.new:
                for note in self.report.sprints:
                    if note.name == sp.name:
                        note.state = sp.state
            else:
                self.report.sprints.append(SprintNote(sp.name, "started now", sp.state, sp.start, sp.end))

    def _carry_target(self, it: ItemRecord, sp: SprintRecord) -> SprintRecord | None:
        """Where an unfinished item goes when `sp` closes now: the next sprint of its Jira
        trail (the backlog if there is none, or it is closed), else the next open sprint."""
        if it.issue is not None:
            in_trail, nxt = self.sprint_plan.next_in_trail(it.issue, sp)
            if in_trail:
                return nxt if nxt is not None and nxt.mode != SprintMode.HISTORY else None
        return next((o for o in self.sprint_plan.order if o.position > sp.position and o.mode == SprintMode.OPEN),
                    None)

    # -- the report -----------------------------------------------------------
    def _finish_report(self) -> None:
        rep = self.report
        for iss in self.parsed.issues:
            it = self.state.item_by_external_key.get(iss.key)
            if it is None or it.new or it.deleted:
                continue
            if it.changes:
                rep.updated.append(ItemChange(it.key, iss.key, list(it.changes)))
            else:
                rep.unchanged += 1
        p = self.parsed
        if p.unknown_statuses:
            n = sum(p.unknown_statuses.values())
            rep.warnings.append(f"{n} issues with a status not known here were imported as todo: "
                                + listing([f"{k!r} ×{v}" for k, v in p.unknown_statuses.most_common()]))
        if p.unknown_types:
            n = sum(p.unknown_types.values())
            rep.warnings.append(f"{n} issues of a type not known here were imported as tasks: "
                                + listing([f"{k!r} ×{v}" for k, v in p.unknown_types.most_common()]))
        if p.missing_columns:
            rep.warnings.append("columns not in the file (not imported): " + ", ".join(p.missing_columns))
        rep.warnings.extend(p.notes)
        rep.warnings.extend(self.warnings)
