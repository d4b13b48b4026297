"""Finding rows by the names people type: stream KEY, handle, sprint name, item KEY.

A write that changes the row it finds asks for it with ``lock=True``
(:func:`for_update`): on PostgreSQL another writer of the same row then waits
for this transaction and reads the row as it committed, instead of failing
the version check of the row's UPDATE (a conflict nobody who did not read a
version beforehand should see). Rows of one table are locked in id order and
items before the rows that follow them (their finding), so two writers never
wait for each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

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


T = TypeVar("T")


def for_update(stmt: SelectOfScalar[T], lock: bool = True) -> SelectOfScalar[T]:
    """`stmt` locking the rows it reads until the transaction ends, for the
    writer that will change them: ``SELECT … FOR NO KEY UPDATE`` on PostgreSQL
    (a second writer of the row waits, then reads it as committed; rows that
    merely reference it, history and sprint events, are added without
    waiting). Nothing on SQLite, where ``BEGIN IMMEDIATE`` already lets one
    writer in at a time. The rows are read afresh even when the session holds
    them already. With `lock` false, `stmt` as it is (for lookups that serve
    reads and writes alike)."""
    if not lock:
        return stmt
    return stmt.with_for_update(key_share=True).execution_options(populate_existing=True)


def is_reserved_sprint_name(name: str) -> bool:
    return str(name).strip().lower() in RESERVED_SPRINT_NAMES


def stream_by_key(s: Session, key: str, *, lock: bool = False) -> Stream:
    k = str(key).strip().upper()
    row = s.exec(for_update(select(Stream).where(Stream.key == k), lock)).first()
    if row is None:
        raise NotFoundError(f"unknown stream {one_line(key, 40)!r}")
    return row


def member_by_handle(s: Session, handle: str, *, lock: bool = False) -> Member:
    row = s.exec(for_update(select(Member).where(Member.handle == str(handle).strip()), lock)).first()
    if row is None:
        raise NotFoundError(f"unknown member {one_line(handle, 40)!r}")
    return row


def sprint_by_ref(s: Session, ref: str, *, lock: bool = False) -> Sprint:
    """A sprint by name, or `current` (active), `next` (first planned), `last` (last closed)."""
    r = str(ref).strip()
    low = r.lower()
    if low in _PLACES:
        query, none_there = _PLACES[low]
        row = s.exec(for_update(query(), lock)).first()
        if row is None:
            raise NotFoundError(none_there)
        return row
    row = s.exec(for_update(select(Sprint).where(Sprint.name == r), lock)).first()
    if row is None:
        raise NotFoundError(f"unknown sprint {one_line(ref, 40)!r}")
    return row


def sprint_or_backlog(s: Session, ref: str | None) -> Sprint | None:
    if ref is None or str(ref).strip().lower() in ("", *BACKLOG_WORDS):
        return None
    return sprint_by_ref(s, ref)


def item_key(key: str) -> str:
    """`key` as items are keyed (SAL-12); ValidationError when it is not one."""
    k = str(key).strip().upper()
    if not ITEM_KEY_RE.match(k):
        raise ValidationError(f"{one_line(key, 40)!r} is not an item key (like SAL-12)", "key")
    return k


def item_by_key(s: Session, key: str, *, include_deleted: bool = False, lock: bool = False) -> Item:
    k = item_key(key)
    row = s.exec(for_update(select(Item).where(Item.key == k), lock)).first()
    if row is None or (row.deleted and not include_deleted):
        raise NotFoundError(f"no item {k}")
    return row


def lock_item_rows(s: Session, *where: Any) -> None:
    """Lock the items matching `where` (see :func:`for_update`) in id order, so
    that two writers of several items (planning, closing a sprint) never hold
    one each while waiting for the other's."""
    s.exec(for_update(select(Item).where(*where).order_by(col(Item.id)))).all()


def lock_items(s: Session, keys: Iterable[str]) -> None:
    """Lock the items of `keys` in id order (see :func:`lock_item_rows`);
    unknown keys are left for the caller to report."""
    wanted = sorted({item_key(k) for k in keys})
    if wanted:
        lock_item_rows(s, col(Item.key).in_(wanted))
