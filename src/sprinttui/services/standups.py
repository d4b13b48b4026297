"""Daily standup entries: yesterday / today / blockers per member and day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import select

from sprinttui.services.context import Ctx
from sprinttui.services.items import check_version
from sprinttui.services.lookup import member_by_handle
from sprinttui.services.text import clean_text
from sprinttui.store.models import Member, StandupEntry


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
        m = member_by_handle(s, member)
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


def entries(ctx: Ctx, *, on=None) -> list[StandupView]:
    day = ctx.day(on)
    with ctx.db.read() as s:
        rows = s.exec(
            select(StandupEntry, Member).join(Member, Member.id == StandupEntry.member_id)
            .where(StandupEntry.date == day).order_by(Member.handle)
        ).all()
        return [StandupView(m.handle, m.name, e.date, e.yesterday, e.today, e.blockers, e.absent, e.version)
                for e, m in rows]
