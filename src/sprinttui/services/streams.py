"""Streams: the sub-projects of the rollout, each with a KEY and a lead.

Adding a stream and each change of its name, lead or description go to the
stream's history (:func:`history`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from sprinttui.domain import STREAM_KEY_RE, ValidationError, one_line
from sprinttui.services.context import Ctx
from sprinttui.services.history import RecordKind, record_created, record_diff, record_history
from sprinttui.services.item_rows import HistoryEntry
from sprinttui.services.lookup import member_by_handle, stream_by_key
from sprinttui.services.text import clean_line, clean_text
from sprinttui.store.models import Member, Stream


@dataclass(frozen=True)
class StreamView:
    id: int
    key: str
    name: str
    lead: str | None  # handle
    lead_name: str | None
    description: str
    members: int
    version: int


def _check_key(key: str) -> str:
    k = str(key).strip()
    if not STREAM_KEY_RE.match(k):
        raise ValidationError(
            f"stream key {one_line(key, 20)!r} must be 2 to 6 upper-case letters, like SAL", "key"
        )
    return k


def _recorded(s: Session, st: Stream) -> dict[str, Any]:
    """The fields the history follows, as it shows them (the lead by handle)."""
    lead = s.get(Member, st.lead_id) if st.lead_id else None
    return {"name": st.name, "lead": lead.handle if lead else None, "description": st.description}


def add_stream(ctx: Ctx, key: str, name: str, *, lead: str | None = None, description: str = "") -> StreamView:
    k = _check_key(key)
    with ctx.db.write() as s:
        if s.exec(select(Stream).where(Stream.key == k)).first():
            raise ValidationError(f"stream {k} exists already", "key")
        row = Stream(
            key=k,
            name=clean_line(name, "name", limit=200),
            description=clean_text(description, "description"),
            lead_id=member_by_handle(s, lead).id if lead else None,
        )
        s.add(row)
        s.flush()
        record_created(s, RecordKind.STREAM, row.id, ctx.user, row.name, ctx.now())
    return get_stream(ctx, k)


def edit_stream(
    ctx: Ctx,
    key: str,
    *,
    name: str | None = None,
    lead: str | None = None,
    description: str | None = None,
    expected_version: int | None = None,
) -> StreamView:
    from sprinttui.services.items import check_version

    with ctx.db.write() as s:
        row = stream_by_key(s, key, lock=True)
        check_version(row, expected_version, f"stream {row.key}")
        before = _recorded(s, row)
        if name is not None:
            row.name = clean_line(name, "name", limit=200)
        if lead is not None:
            row.lead_id = member_by_handle(s, lead).id if lead else None
        if description is not None:
            row.description = clean_text(description, "description")
        record_diff(s, RecordKind.STREAM, row.id, ctx.user, before, _recorded(s, row), ctx.now())
        s.flush()
        k = row.key
    return get_stream(ctx, k)


def history(ctx: Ctx, key: str) -> list[HistoryEntry]:
    """Who changed what of the stream, when: "created", then each changed field, oldest first."""
    with ctx.db.read() as s:
        return record_history(s, RecordKind.STREAM, stream_by_key(s, key).id)


def list_streams(ctx: Ctx) -> list[StreamView]:
    with ctx.db.read() as s:
        counts = dict(
            s.exec(
                select(Member.primary_stream_id, func.count(Member.id))
                .where(Member.active)
                .group_by(Member.primary_stream_id)
            ).all()
        )
        leads = {m.id: m for m in s.exec(select(Member)).all()}
        rows = s.exec(select(Stream).order_by(Stream.key)).all()
        return [
            StreamView(
                id=r.id,
                key=r.key,
                name=r.name,
                lead=leads[r.lead_id].handle if r.lead_id in leads else None,
                lead_name=leads[r.lead_id].name if r.lead_id in leads else None,
                description=r.description,
                members=counts.get(r.id, 0),
                version=r.version,
            )
            for r in rows
        ]


def get_stream(ctx: Ctx, key: str) -> StreamView:
    k = str(key).strip().upper()
    for v in list_streams(ctx):
        if v.key == k:
            return v
    with ctx.db.read() as s:
        stream_by_key(s, key)  # raises NotFoundError
    raise AssertionError("unreachable")
