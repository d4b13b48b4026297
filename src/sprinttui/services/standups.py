"""Daily standups: the notes per member and day (yesterday / today /
blockers, absent) and the held meetings themselves (timebox, parking lot and
the summary stored when the meeting ends).

Why one module of this size: the notes, the suggestions made from a member's
history and the meeting's summary are one record of the day; the summary and
the standup export read the notes by the same rules that write them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, or_
from sqlmodel import select

from sprinttui.domain import NotFoundError, StateError, Status, ValidationError
from sprinttui.services.context import Ctx
from sprinttui.services.item_rows import ROW_WIDTH, ItemQuery, ItemRow, row_query, to_row
from sprinttui.services.items import check_version, list_items, set_blocked
from sprinttui.services.lookup import for_update, item_by_key, member_by_handle, stream_by_key
from sprinttui.services.text import clean_line, clean_text
from sprinttui.store.models import Item, ItemEvent, Member, StandupEntry, StandupSession, Stream

MAX_TIMEBOX_MINUTES = 240


@dataclass(frozen=True)
class StandupView:
    member: str
    name: str
    date: date
    yesterday: str
    today: str
    blockers: str
    absent: bool
    version: int


def save_entry(ctx: Ctx, member: str, *, on=None, yesterday: str | None = None, today: str | None = None,
               blockers: str | None = None, absent: bool | None = None,
               expected_version: int | None = None) -> StandupView:
    """Create or update the member's entry for the day (fields left None stay)."""
    day = ctx.day(on)
    with ctx.db.write() as s:
        m = member_by_handle(s, member, lock=True)  # one writer of the member's notes at a time
        row = s.exec(select(StandupEntry).where(StandupEntry.member_id == m.id, StandupEntry.date == day)).first()
        if row is None:
            row = StandupEntry(member_id=m.id, date=day, updated_by=ctx.user, updated_at=ctx.now())
            s.add(row)
        else:
            check_version(row, expected_version, f"standup entry of {m.handle}")
        for fld, val in (("yesterday", yesterday), ("today", today), ("blockers", blockers)):
            if val is not None:
                setattr(row, fld, clean_text(val, fld, limit=5000))
        if absent is not None:
            row.absent = bool(absent)
        row.updated_by = ctx.user
        row.updated_at = ctx.now()
        s.flush()
        return StandupView(m.handle, m.name, row.date, row.yesterday, row.today, row.blockers, row.absent, row.version)


def entries(ctx: Ctx, *, on=None, stream: str | None = None) -> list[StandupView]:
    """The day's notes, by member handle; with ``stream`` only that stream's members."""
    day = ctx.day(on)
    with ctx.db.read() as s:
        stmt = (select(StandupEntry, Member).join(Member, Member.id == StandupEntry.member_id)
                .where(StandupEntry.date == day).order_by(Member.handle))
        if stream:
            stmt = stmt.where(Member.primary_stream_id == stream_by_key(s, stream).id)
        return [StandupView(m.handle, m.name, e.date, e.yesterday, e.today, e.blockers, e.absent, e.version)
                for e, m in s.exec(stmt).all()]


def _entry_row(s, member_id: int, day: date) -> StandupEntry | None:
    return s.exec(select(StandupEntry).where(StandupEntry.member_id == member_id, StandupEntry.date == day)).first()


def _has_notes(row: StandupEntry) -> bool:
    return bool(row.yesterday.strip() or row.today.strip() or row.blockers.strip())


def _new_entry(ctx: Ctx, member_id: int, day: date, notes: tuple[str, str, str] | None) -> StandupEntry:
    yesterday, today, blockers = notes or ("", "", "")
    return StandupEntry(
        member_id=member_id, date=day, yesterday=clean_text(yesterday, "yesterday", limit=5000),
        today=clean_text(today, "today", limit=5000), blockers=clean_text(blockers, "blockers", limit=5000),
        updated_by=ctx.user, updated_at=ctx.now(),
    )


def keep_suggestions(ctx: Ctx, member: str, notes: tuple[str, str, str], *, on=None) -> StandupView | None:
    """Take (yesterday, today, blockers) suggested from the member's history
    as their notes of the day: the standup passed them with these on screen.
    Notes the member has already (taken, cleared, or an absence) stay as they
    are; suggestions with nothing in them store nothing. Returns the day's
    notes, None when there are none."""
    day = ctx.day(on)
    with ctx.db.write() as s:
        m = member_by_handle(s, member, lock=True)
        row = _entry_row(s, m.id, day)
        if row is None:
            if not any(str(v or "").strip() for v in notes):
                return None
            row = _new_entry(ctx, m.id, day, notes)
            s.add(row)
            s.flush()
        return _entry_view(row, m)


def mark_absent(ctx: Ctx, member: str, absent: bool, *, on=None) -> StandupView | None:
    """Mark the member absent for the day, or back. Back from an absence that
    was all the day held for them (the entry was made by the absence and
    nothing was noted or changed since) takes the entry away again: the day is
    as it was before, without notes. Returns the day's notes, None when there
    are none."""
    day = ctx.day(on)
    with ctx.db.write() as s:
        m = member_by_handle(s, member, lock=True)
        row = _entry_row(s, m.id, day)
        if not absent:
            if row is None:
                return None
            if row.absent and row.version == 1 and not _has_notes(row):
                s.delete(row)
                return None
        if row is None:
            row = _new_entry(ctx, m.id, day, None)
            s.add(row)
        row.absent = bool(absent)
        row.updated_by = ctx.user
        row.updated_at = ctx.now()
        s.flush()
        return _entry_view(row, m)


@dataclass(frozen=True)
class FlaggedBlocker:
    """A blocker flagged in the standup: the item blocked, and the member's
    notes of the day with the blocker among them."""

    item: ItemRow
    entry: StandupView
    before: StandupView | None  # the notes before the flag; None: there were none


def _blocker_text(key: str, reason: str) -> str:
    """How a blocked item reads among a member's blockers (as the suggested notes write it)."""
    return f"{key}: {reason or 'blocked'}"


def _with_blocker(blockers: str, key: str, text: str) -> str:
    """The blockers with ``text`` (``"KEY: reason"``) among them: in place of
    what they said about the same item, else added at the end."""
    parts = [p.strip() for p in blockers.split(";")]
    if any(p.startswith(f"{key}:") for p in parts):
        kept = [p for p in parts if p and not p.startswith(f"{key}:")]
        return "; ".join([*kept, text])
    return f"{blockers.rstrip()}; {text}" if blockers.strip() else text


def flag_blocker(ctx: Ctx, member: str, key: str, reason: str = "", *, on=None,
                 notes: tuple[str, str, str] | None = None,
                 expected_version: int | None = None) -> FlaggedBlocker:
    """A blocker the member names in the standup: their item ``key`` is
    blocked with the reason, and ``"KEY: reason"`` joins the blockers in their
    notes of the day, so that the day's summary and the sprint summary count
    it and the member is among those who reported. A member without notes
    yet gets ``notes`` (the suggestions on screen) with the blocker added.
    ``expected_version`` is the item's."""
    day = ctx.day(on)
    with ctx.db.read() as s:
        member_by_handle(s, member)  # an unknown member blocks nothing
    item = set_blocked(ctx, key, True, reason, expected_version=expected_version)
    with ctx.db.write() as s:
        m = member_by_handle(s, member, lock=True)
        row = _entry_row(s, m.id, day)
        before = _entry_view(row, m) if row is not None else None
        if row is None:
            row = _new_entry(ctx, m.id, day, notes)
            s.add(row)
        row.blockers = clean_text(_with_blocker(row.blockers, item.key, _blocker_text(item.key, item.blocked_reason)),
                                  "blockers", limit=5000)
        row.updated_by = ctx.user
        row.updated_at = ctx.now()
        s.flush()
        return FlaggedBlocker(item, _entry_view(row, m), before)


def unflag_blocker(ctx: Ctx, flagged: FlaggedBlocker) -> ItemRow:
    """Undo :func:`flag_blocker`: the member's notes are as they were before
    (none, if there were none) and the item is no longer blocked. If the notes
    or the item changed since the flag, ConflictError, and nothing is undone.
    Returns the item."""
    what = f"the standup notes of {flagged.entry.member}"
    with ctx.db.read() as s:
        member_id = member_by_handle(s, flagged.entry.member).id
        row = _entry_row(s, member_id, flagged.entry.date)
        if row is not None:
            check_version(row, flagged.entry.version, what)
        check_version(item_by_key(s, flagged.item.key), flagged.item.version, f"item {flagged.item.key}")
    with ctx.db.write() as s:
        member_by_handle(s, flagged.entry.member, lock=True)
        row = _entry_row(s, member_id, flagged.entry.date)
        if row is not None:
            check_version(row, flagged.entry.version, what)
            if flagged.before is None:
                s.delete(row)
            else:
                row.blockers = flagged.before.blockers
                row.updated_by = ctx.user
                row.updated_at = ctx.now()
    return set_blocked(ctx, flagged.item.key, False, expected_version=flagged.item.version)


# --------------------------------------------------------------------------- held standups


@dataclass(frozen=True)
class SessionView:
    """One held standup."""

    id: int
    date: date
    stream: str | None  # stream key, None = all streams
    facilitator: str
    started_at: datetime
    ended_at: datetime | None
    timebox_seconds: int
    elapsed_seconds: int
    parking_lot: list[str]
    summary: dict  # stored when the standup ends (see end_session)
    version: int

    @property
    def ended(self) -> bool:
        return self.ended_at is not None


def _stored_summary(row: StandupSession) -> dict:
    try:
        summary = json.loads(row.summary_json or "{}")
    except ValueError:
        summary = {}
    return summary if isinstance(summary, dict) else {}


def _session_view(row: StandupSession, stream_key: str | None) -> SessionView:
    return SessionView(
        row.id, row.date, stream_key, row.facilitator, row.started_at, row.ended_at,
        row.timebox_seconds, row.elapsed_seconds,
        [t for t in row.parking_lot.split("\n") if t], _stored_summary(row),
        row.version,
    )


def _load_session(s, session_id: int, *, lock: bool = False) -> tuple[StandupSession, str | None]:
    query = select(StandupSession).where(StandupSession.id == int(session_id))
    row = s.exec(for_update(query, lock)).first()
    if row is None:
        raise NotFoundError(f"no standup with id {session_id}")
    key = s.get(Stream, row.stream_id).key if row.stream_id is not None else None
    return row, key


def _clean_seconds(value, name: str, *, upper: int) -> int:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{name} must be a whole number of seconds", name) from None
    if not 0 <= seconds <= upper:
        raise ValidationError(f"{name} must be between 0 and {upper} seconds", name)
    return seconds


def start_session(ctx: Ctx, *, stream: str | None = None, on=None, timebox_minutes: float = 15) -> SessionView:
    """Open today's standup for a stream (or all streams)."""
    try:
        minutes = float(timebox_minutes)
    except (TypeError, ValueError):
        raise ValidationError("the timebox must be a number of minutes", "timebox") from None
    if not 1 <= minutes <= MAX_TIMEBOX_MINUTES:
        raise ValidationError(f"the timebox must be between 1 and {MAX_TIMEBOX_MINUTES} minutes", "timebox")
    day = ctx.day(on)
    with ctx.db.write() as s:
        stream_row = stream_by_key(s, stream) if stream else None
        row = StandupSession(
            date=day, stream_id=stream_row.id if stream_row else None, facilitator=ctx.user,
            started_at=ctx.now(), timebox_seconds=int(minutes * 60),
        )
        s.add(row)
        s.flush()
        return _session_view(row, stream_row.key if stream_row else None)


def update_session(ctx: Ctx, session_id: int, *, elapsed_seconds: int | None = None,
                   parking_lot: list[str] | None = None, expected_version: int | None = None) -> SessionView:
    """Record the time used so far and/or replace the parking-lot topics."""
    with ctx.db.write() as s:
        row, key = _load_session(s, session_id, lock=True)
        check_version(row, expected_version, "this standup")
        if elapsed_seconds is not None:
            row.elapsed_seconds = _clean_seconds(elapsed_seconds, "elapsed", upper=24 * 3600)
        if parking_lot is not None:
            topics = [clean_line(t, "topic", limit=500) for t in parking_lot if str(t).strip()]
            row.parking_lot = "\n".join(topics)
        s.flush()
        return _session_view(row, key)


def add_parking_topic(ctx: Ctx, session_id: int, topic: str) -> SessionView:
    """Park a topic for after the standup."""
    cleaned = clean_line(topic, "topic", limit=500)
    with ctx.db.write() as s:
        row, key = _load_session(s, session_id, lock=True)
        row.parking_lot = "\n".join([t for t in row.parking_lot.split("\n") if t] + [cleaned])
        s.flush()
        return _session_view(row, key)


def end_session(ctx: Ctx, session_id: int, *, elapsed_seconds: int | None = None) -> SessionView:
    """End the standup and store its summary: who spoke, who was absent, the
    blockers named, the blocked items and the parking-lot topics."""
    with ctx.db.read() as s:
        row, key = _load_session(s, session_id)
        if row.ended_at is not None:
            raise StateError("this standup has already ended")
        on = row.date
    day = day_summary(ctx, on=on, stream=key)
    summary = {
        "date": on.isoformat(),
        "stream": key,
        "present": day.present,
        "absent": day.absent,
        "blockers": [{"member": m, "text": t} for m, t in day.blockers],
        "blocked_items": [
            {"key": r.key, "title": r.title, "assignee": r.assignee, "reason": r.blocked_reason}
            for r in day.blocked_items
        ],
    }
    with ctx.db.write() as s:
        row, key = _load_session(s, session_id, lock=True)
        if row.ended_at is not None:
            raise StateError("this standup has already ended")
        if elapsed_seconds is not None:
            row.elapsed_seconds = _clean_seconds(elapsed_seconds, "elapsed", upper=24 * 3600)
        row.ended_at = ctx.now()
        summary["elapsed_seconds"] = row.elapsed_seconds
        summary["parking_lot"] = [t for t in row.parking_lot.split("\n") if t]
        row.summary_json = json.dumps(summary, ensure_ascii=False)
        s.flush()
        return _session_view(row, key)


def sessions(ctx: Ctx, *, on=None, stream: str | None = None) -> list[SessionView]:
    """The standups held on a day, oldest first; with ``stream`` only that stream's."""
    day = ctx.day(on)
    with ctx.db.read() as s:
        stmt = (select(StandupSession, Stream.key).outerjoin(Stream, Stream.id == StandupSession.stream_id)
                .where(StandupSession.date == day).order_by(StandupSession.started_at, StandupSession.id))
        if stream:
            stmt = stmt.where(StandupSession.stream_id == stream_by_key(s, stream).id)
        return [_session_view(row, key) for row, key in s.exec(stmt).all()]


@dataclass(frozen=True)
class DaySummary:
    """A day's standup as the exports and the standup screen show it."""

    date: date
    stream: str | None
    members: list[str] = field(default_factory=list)  # active members of the stream, by handle
    entries: list[StandupView] = field(default_factory=list)
    # the members of the standups held that day (of the stream: its own and
    # those of all streams), by handle; for an ended one those it had then
    met: list[str] = field(default_factory=list)
    sessions: list[SessionView] = field(default_factory=list)
    # blocked now and not done; for a past day the ended sessions' stored
    # summaries hold what was blocked then
    blocked_items: list[ItemRow] = field(default_factory=list)

    @property
    def absent(self) -> list[str]:
        return [e.member for e in self.entries if e.absent]

    @property
    def present(self) -> list[str]:
        """The stream's active members not marked absent (with or without notes)."""
        away = set(self.absent)
        return [m for m in self.members if m not in away]

    @property
    def blockers(self) -> list[tuple[str, str]]:
        """(member, text) for every note that names a blocker."""
        return [(e.member, e.blockers) for e in self.entries if e.blockers.strip()]

    @property
    def no_notes(self) -> list[str]:
        """The members of the day's standups who have no notes that day."""
        noted = {e.member for e in self.entries}
        return [m for m in self.met if m not in noted]

    @property
    def parking_lot(self) -> list[str]:
        return [t for sess in self.sessions for t in sess.parking_lot]


def _met(s, day: date, stream_id: int | None) -> list[str]:
    """The members of the standups held on the day (for a stream: its own and
    those of all streams, its members among them), by handle. An ended
    standup's are those its stored summary names (present or absent), a
    running one's the active members of its stream."""
    held = select(StandupSession).where(StandupSession.date == day)
    if stream_id is not None:
        held = held.where(or_(StandupSession.stream_id == stream_id, StandupSession.stream_id.is_(None)))
    people = s.exec(select(Member.handle, Member.primary_stream_id, Member.active)).all()
    met: set[str] = set()
    for sess in s.exec(held).all():
        stored = _stored_summary(sess) if sess.ended_at is not None else {}
        present, absent = stored.get("present"), stored.get("absent")
        if isinstance(present, list) and isinstance(absent, list):
            met.update(h for h in present + absent if isinstance(h, str))
        else:
            met.update(h for h, sid, active in people
                       if active and (sess.stream_id is None or sid == sess.stream_id))
    known = {h for h, sid, _active in people if stream_id is None or sid == stream_id}
    return sorted(met & known)


def day_summary(ctx: Ctx, *, on=None, stream: str | None = None) -> DaySummary:
    day = ctx.day(on)
    with ctx.db.read() as s:
        stream_id = stream_by_key(s, stream).id if stream else None
        stmt = select(Member.handle).where(Member.active == True).order_by(Member.handle)  # noqa: E712
        if stream_id is not None:
            stmt = stmt.where(Member.primary_stream_id == stream_id)
        handles = list(s.exec(stmt).all())
        met = _met(s, day, stream_id)
    return DaySummary(
        date=day,
        stream=stream.upper() if stream else None,
        members=handles,
        met=met,
        entries=entries(ctx, on=day, stream=stream),
        sessions=sessions(ctx, on=day, stream=stream),
        blocked_items=list_items(ctx, ItemQuery(stream=stream, blocked_only=True, include_done=False)),
    )


# --------------------------------------------------------------------------- the standup screen's data


@dataclass(frozen=True)
class Moved:
    """A status change of one of the member's items since the last standup."""

    key: str
    title: str
    old: str | None
    new: str | None
    at: datetime
    actor: str


@dataclass(frozen=True)
class StandupMember:
    """One member in the standup's rotation."""

    id: int
    handle: str
    name: str
    availability: int
    entry: StandupView | None  # the day's notes, if any were taken

    @property
    def absent(self) -> bool:
        return self.entry is not None and self.entry.absent


@dataclass(frozen=True)
class MemberDigest:
    """A member's work as the standup shows it."""

    handle: str
    moved: list[Moved]  # since the last standup, oldest first
    in_progress: list[ItemRow]  # doing or review
    blocked: list[ItemRow]  # blocked, not done, with reasons

    @property
    def finished(self) -> list[Moved]:
        return [m for m in self.moved if m.new == Status.DONE.value]

    def suggested_notes(self) -> tuple[str, str, str]:
        """(yesterday, today, blockers) filled in from the history, for a
        member with no notes yet today: what they moved, what they have in
        progress, and the reasons of their blocked items."""
        done = [m.key for m in self.finished]
        moved = [f"{m.key} → {m.new}" for m in self.moved if m.new != Status.DONE.value]
        yesterday = "; ".join(
            part for part in (
                f"finished {', '.join(dict.fromkeys(done))}" if done else "",
                f"moved {', '.join(dict.fromkeys(moved))}" if moved else "",
            ) if part
        )
        today = "; ".join(f"{r.key} {r.title}" for r in self.in_progress)
        blockers = "; ".join(_blocker_text(r.key, r.blocked_reason) for r in self.blocked)
        return yesterday, today, blockers


@dataclass(frozen=True)
class StandupBoard:
    date: date
    stream: str | None
    since: datetime  # "since the last standup" starts here
    members: list[StandupMember]  # the rotation's members, by handle
    session: SessionView | None  # today's standup of this stream, the latest one
    digests: dict[str, MemberDigest]  # the work of the members asked for, by handle

    def member(self, handle: str | None) -> StandupMember | None:
        return next((m for m in self.members if m.handle == handle), None)


def _last_standup_start(s, stream_id: int | None, day: date) -> datetime | None:
    stmt = select(StandupSession.started_at).where(StandupSession.date < day)
    if stream_id is not None:
        stmt = stmt.where(or_(StandupSession.stream_id == stream_id, StandupSession.stream_id.is_(None)))
    return s.exec(stmt.order_by(StandupSession.started_at.desc()).limit(1)).first()


#: from this many members on, their work is read in one pass over the item
#: table; for fewer, through the assignee index (a member at a time)
_SCAN_FROM = 12


def standup_board(ctx: Ctx, *, on=None, stream: str | None = None,
                  detail: Iterable[str] | None = None) -> StandupBoard:
    """The standup of a day: each active member of the stream (or of all
    streams) with the day's notes, the latest standup held, and the work of
    the members named in ``detail`` (all of them when it is None; see
    ``member_digests``)."""
    day = ctx.day(on)
    with ctx.db.read() as s:
        stream_row = stream_by_key(s, stream) if stream else None
        stmt = select(Member).where(Member.active == True).order_by(Member.handle)  # noqa: E712
        if stream_row is not None:
            stmt = stmt.where(Member.primary_stream_id == stream_row.id)
        people = s.exec(stmt).all()
        ids = [m.id for m in people]
        last = _last_standup_start(s, stream_row.id if stream_row else None, day)
        # without an earlier standup: from the start of the previous day
        since = last or datetime.combine(day - timedelta(days=1), time(0, 0), tzinfo=UTC)
        notes = {
            e.member_id: e
            for e in s.exec(select(StandupEntry).where(StandupEntry.date == day,
                                                       StandupEntry.member_id.in_(ids))).all()
        }
        rotation = [
            StandupMember(m.id, m.handle, m.name, m.availability,
                          _entry_view(notes[m.id], m) if m.id in notes else None)
            for m in people
        ]
        sess_stmt = select(StandupSession).where(StandupSession.date == day)
        sess_stmt = sess_stmt.where(
            StandupSession.stream_id == stream_row.id if stream_row else StandupSession.stream_id.is_(None))
        latest = s.exec(sess_stmt.order_by(StandupSession.started_at.desc(), StandupSession.id.desc())).first()
        key = stream_row.key if stream_row else None
        session = _session_view(latest, key) if latest else None
        board = StandupBoard(day, key, since, rotation, session, {})
        wanted = [m.handle for m in people] if detail is None else list(detail)
        board.digests.update(_digests(s, board, wanted))
    return board


def _entry_view(e: StandupEntry, m: Member) -> StandupView:
    return StandupView(m.handle, m.name, e.date, e.yesterday, e.today, e.blockers, e.absent, e.version)


def member_digests(ctx: Ctx, board: StandupBoard, handles: Iterable[str]) -> dict[str, MemberDigest]:
    """The work of some of the board's members, read now: their status
    changes since the board's last standup, their items in progress and
    their blocked items. Handles not in the board are left out."""
    with ctx.db.read() as s:
        return _digests(s, board, handles)


def _digests(s, board: StandupBoard, handles: Iterable[str]) -> dict[str, MemberDigest]:
    by_handle = {m.handle: m.id for m in board.members}
    wanted = {by_handle[h]: h for h in dict.fromkeys(handles) if h in by_handle}
    if not wanted:
        return {}
    ids = list(wanted)
    # many members' items: one pass over the table (assignee_id + 0 keeps
    # SQLite off the assignee index, through which it would read nearly every
    # item one at a time, several times slower); a few members': by that index
    assignee = Item.assignee_id + 0 if len(ids) >= _SCAN_FROM else Item.assignee_id
    open_rows = s.exec(
        row_query().add_columns(Item.assignee_id).where(
            Item.deleted == False,  # noqa: E712
            assignee.in_(ids),
            or_(Item.status.in_([Status.DOING.value, Status.REVIEW.value]),
                and_(Item.blocked == True, Item.status != Status.DONE.value)),  # noqa: E712
        ).order_by(Item.rank, Item.id)
    ).all()
    in_progress: dict[int, list[ItemRow]] = {i: [] for i in ids}
    blocked: dict[int, list[ItemRow]] = {i: [] for i in ids}
    for t in open_rows:
        row = to_row(t)
        owner = t[ROW_WIDTH]
        if row.status in (Status.DOING.value, Status.REVIEW.value):
            in_progress[owner].append(row)
        if row.blocked and row.status != Status.DONE.value:
            blocked[owner].append(row)

    # a change belongs to the item's assignee if they are on the board, else
    # to whoever made it
    everyone = set(by_handle.values())
    moved: dict[int, list[Moved]] = {i: [] for i in ids}
    events = s.exec(
        select(ItemEvent.at, ItemEvent.actor, ItemEvent.old, ItemEvent.new, Item.key, Item.title,
               Item.assignee_id)
        .join(Item, Item.id == ItemEvent.item_id)
        .where(ItemEvent.field == "status", ItemEvent.at > board.since,
               or_(Item.assignee_id.in_(ids), ItemEvent.actor.in_(list(wanted.values()))))
        .order_by(ItemEvent.at, ItemEvent.id)
    ).all()
    for at, actor, old, new, key, title, assignee_id in events:
        owner = assignee_id if assignee_id in everyone else by_handle.get(actor)
        if owner in moved:
            moved[owner].append(Moved(key, title, old, new, at, actor))
    return {h: MemberDigest(h, moved[i], in_progress[i], blocked[i]) for i, h in wanted.items()}
