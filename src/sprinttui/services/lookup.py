"""Finding rows by the names people type: stream KEY, handle, sprint name, item KEY."""

from __future__ import annotations

from sqlmodel import Session, select

from sprinttui.domain import ITEM_KEY_RE, NotFoundError, SprintState, ValidationError, one_line
from sprinttui.store.models import Item, Member, Sprint, Stream

BACKLOG = "backlog"
#: the words a sprint reference may use for no sprint at all: the backlog
BACKLOG_WORDS = (BACKLOG, "none")
#: the words for a sprint by its place: how to find it, and what to say when there is none
_PLACES = {
    "current": (lambda: select(Sprint).where(Sprint.state == SprintState.ACTIVE), "no sprint is active"),
    "next": (lambda: select(Sprint).where(Sprint.state == SprintState.PLANNED).order_by(Sprint.start_date, Sprint.id),
             "no sprint is planned"),
    "last": (lambda: select(Sprint).where(Sprint.state == SprintState.CLOSED).order_by(
        Sprint.end_date.desc(), Sprint.id.desc()), "no sprint has been closed yet"),
}
PLACE_WORDS = tuple(_PLACES)
#: no sprint may be named one of these, in any case: a `--sprint` or `--carry-to`
#: word (and a screen's) is taken for its meaning and would never reach that sprint
RESERVED_SPRINT_NAMES = BACKLOG_WORDS + PLACE_WORDS


def is_reserved_sprint_name(name: str) -> bool:
    return str(name).strip().lower() in RESERVED_SPRINT_NAMES


def stream_by_key(s: Session, key: str) -> Stream:
    k = str(key).strip().upper()
    row = s.exec(select(Stream).where(Stream.key == k)).first()
    if row is None:
        raise NotFoundError(f"unknown stream {one_line(key, 40)!r}")
    return row


def member_by_handle(s: Session, handle: str) -> Member:
    row = s.exec(select(Member).where(Member.handle == str(handle).strip())).first()
    if row is None:
        raise NotFoundError(f"unknown member {one_line(handle, 40)!r}")
    return row


def sprint_by_ref(s: Session, ref: str) -> Sprint:
    """A sprint by name, or `current` (active), `next` (first planned), `last` (last closed)."""
    r = str(ref).strip()
    low = r.lower()
    if low in _PLACES:
        query, none_there = _PLACES[low]
        row = s.exec(query()).first()
        if row is None:
            raise NotFoundError(none_there)
        return row
    row = s.exec(select(Sprint).where(Sprint.name == r)).first()
    if row is None:
        raise NotFoundError(f"unknown sprint {one_line(ref, 40)!r}")
    return row


def sprint_or_backlog(s: Session, ref: str | None) -> Sprint | None:
    if ref is None or str(ref).strip().lower() in ("", *BACKLOG_WORDS):
        return None
    return sprint_by_ref(s, ref)


def item_by_key(s: Session, key: str, *, include_deleted: bool = False) -> Item:
    k = str(key).strip().upper()
    if not ITEM_KEY_RE.match(k):
        raise ValidationError(f"{one_line(key, 40)!r} is not an item key (like SAL-12)", "key")
    row = s.exec(select(Item).where(Item.key == k)).first()
    if row is None or (row.deleted and not include_deleted):
        raise NotFoundError(f"no item {k}")
    return row
