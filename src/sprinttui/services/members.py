"""Members: who works on the rollout, how much of their time, and when they are away.

Adding a member and each change of a field (name, stream, availability,
competences, active) go to the member's history (:func:`history`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from sprinttui.domain import HANDLE_RE, ConflictError, ValidationError, one_line
from sprinttui.services.context import Ctx
from sprinttui.services.history import RecordKind, record_created, record_diff, record_history
from sprinttui.services.item_rows import HistoryEntry
from sprinttui.services.lookup import member_by_handle, sprint_by_ref, stream_by_key
from sprinttui.services.text import clean_line, clean_list, fmt_points
from sprinttui.store.models import Absence, Member, Stream


@dataclass(frozen=True)
class MemberView:
    id: int
    handle: str
    name: str
    competences: list[str]
    availability: int
    stream: str | None
    active: bool
    version: int


def check_handle(handle: str, taken: Collection[str] = ()) -> str:
    """`handle` cleaned for a new member; ValidationError when it is not 1 to 40
    letters, digits, '.', '_' and '-' (starting with a letter or digit), or is
    one of `taken`."""
    h = str(handle).strip()
    if not HANDLE_RE.match(h):
        raise ValidationError(
            f"handle {one_line(handle, 40)!r} may use letters, digits, '.', '_' and '-' only", "handle"
        )
    if h in taken:
        raise ValidationError(f"member {h} exists already", "handle")
    return h


def check_name(name: str) -> str:
    """A member's full name cleaned; ValidationError when it is empty or too long."""
    return clean_line(name, "name", limit=200)


def check_availability(value: object) -> int:
    """The share of a member's time for the project, a whole percentage from 0
    to 100 ("80" or "80%"); ValidationError otherwise."""
    try:
        pct = int(str(value).strip().rstrip("%"))
    except ValueError:
        raise ValidationError(f"availability must be a whole percentage, not {str(value)[:20]!r}",
                              "availability") from None
    if not 0 <= pct <= 100:
        raise ValidationError("availability must be between 0 and 100 %", "availability")
    return pct


def _recorded(s: Session, m: Member) -> dict[str, Any]:
    """The fields the history follows, as it shows them (the stream by its key)."""
    stream = s.get(Stream, m.primary_stream_id) if m.primary_stream_id else None
    return {"name": m.name, "stream": stream.key if stream else None, "availability": m.availability,
            "competences": m.competences, "active": m.active}


def _view(m: Member, streams: dict[int, str]) -> MemberView:
    return MemberView(
        id=m.id,
        handle=m.handle,
        name=m.name,
        competences=[c for c in m.competences.split(",") if c],
        availability=m.availability,
        stream=streams.get(m.primary_stream_id) if m.primary_stream_id else None,
        active=m.active,
        version=m.version,
    )


def add_member(
    ctx: Ctx,
    handle: str,
    name: str,
    *,
    stream: str | None = None,
    availability: int | str = 100,
    competences: str | list[str] = "",
) -> MemberView:
    h = check_handle(handle)
    with ctx.db.write() as s:
        check_handle(h, taken=s.exec(select(Member.handle).where(Member.handle == h)).all())
        row = Member(
            handle=h,
            name=check_name(name),
            availability=check_availability(availability),
            competences=clean_list(competences),
            primary_stream_id=stream_by_key(s, stream).id if stream else None,
        )
        s.add(row)
        s.flush()
        record_created(s, RecordKind.MEMBER, row.id, ctx.user, row.name, ctx.now())
    return get_member(ctx, h)


def edit_member(
    ctx: Ctx,
    handle: str,
    *,
    name: str | None = None,
    stream: str | None = None,
    availability: int | str | None = None,
    competences: str | list[str] | None = None,
    active: bool | None = None,
    expected_version: int | None = None,
) -> MemberView:
    from sprinttui.services.items import check_version

    with ctx.db.write() as s:
        row = member_by_handle(s, handle, lock=True)
        check_version(row, expected_version, f"member {row.handle}")
        before = _recorded(s, row)
        if name is not None:
            row.name = check_name(name)
        if stream is not None:
            row.primary_stream_id = stream_by_key(s, stream).id if stream else None
        if availability is not None:
            row.availability = check_availability(availability)
        if competences is not None:
            row.competences = clean_list(competences)
        if active is not None:
            row.active = bool(active)
        record_diff(s, RecordKind.MEMBER, row.id, ctx.user, before, _recorded(s, row), ctx.now())
        s.flush()
        h = row.handle
    return get_member(ctx, h)


def list_members(ctx: Ctx, *, stream: str | None = None, include_inactive: bool = False) -> list[MemberView]:
    with ctx.db.read() as s:
        streams = dict(s.exec(select(Stream.id, Stream.key)).all())
        q = select(Member).order_by(Member.handle)
        if stream:
            q = q.where(Member.primary_stream_id == stream_by_key(s, stream).id)
        if not include_inactive:
            q = q.where(Member.active)
        return [_view(m, streams) for m in s.exec(q).all()]


def get_member(ctx: Ctx, handle: str) -> MemberView:
    with ctx.db.read() as s:
        m = member_by_handle(s, handle)
        streams = dict(s.exec(select(Stream.id, Stream.key)).all())
        return _view(m, streams)


def history(ctx: Ctx, handle: str) -> list[HistoryEntry]:
    """Who changed what of the member, when: "created", then each changed field, oldest first."""
    with ctx.db.read() as s:
        return record_history(s, RecordKind.MEMBER, member_by_handle(s, handle).id)


def set_absence(ctx: Ctx, handle: str, sprint: str, days: float, *, expected: float | None = None) -> float:
    """Days the member is away during the sprint (0 removes the absence).
    With `expected`: refused (ConflictError) unless that is what is recorded now
    (an undo must not overwrite what someone else set since)."""
    try:
        d = float(days)
    except (TypeError, ValueError):
        raise ValidationError("absence must be a number of days", "days") from None
    if not 0 <= d <= 366:
        raise ValidationError("absence must be between 0 and 366 days", "days")
    with ctx.db.write() as s:
        m = member_by_handle(s, handle, lock=True)  # one writer of the member's absences at a time
        sp = sprint_by_ref(s, sprint)
        row = s.exec(
            select(Absence).where(Absence.member_id == m.id, Absence.sprint_id == sp.id)
        ).first()
        now = float(row.days) if row else 0.0
        if expected is not None and now != float(expected):
            raise ConflictError(
                f"the absence of {m.handle} in {sp.name} was changed by someone else ({fmt_points(now)} days, "
                f"you had {fmt_points(float(expected))}); reload to see the change")
        if d == 0:
            if row:
                s.delete(row)
        elif row:
            row.days = d
        else:
            s.add(Absence(member_id=m.id, sprint_id=sp.id, days=d))
    return d


def absences(ctx: Ctx, sprint: str) -> dict[str, float]:
    with ctx.db.read() as s:
        sp = sprint_by_ref(s, sprint)
        rows = s.exec(
            select(Member.handle, Absence.days)
            .join(Absence, Absence.member_id == Member.id)
            .where(Absence.sprint_id == sp.id)
        ).all()
        return {h: d for h, d in rows}
