"""Item rows: what lists, boards, reports and exports read of an item, and the
one query that reads it.

An :class:`ItemRow` is read from plain columns (:data:`ROW_COLUMNS`, joined by
:func:`row_query`, turned into a row by :func:`to_row`); a service that needs a
column more adds it after them. :class:`ItemQuery` says which items a list
shows; :func:`matching` adds its filters to a statement and :func:`rank_page`
reads one page of them in rank order. Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from sprinttui.domain import NotFoundError, Status, parse_enum
from sprinttui.services.lookup import member_by_handle, sprint_or_backlog, stream_by_key
from sprinttui.store.models import Item, Member, Sprint, Stream


@dataclass(frozen=True)
class ItemRow:
    """An item as lists, boards and exports show it."""

    id: int
    key: str
    title: str
    kind: str
    stream: str
    status: str
    points: float | None
    sprint: str | None
    assignee: str | None
    slip_count: int
    blocked: bool
    blocked_reason: str
    rank: float
    due_date: date | None
    labels: list[str]
    version: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "kind": self.kind,
            "stream": self.stream,
            "status": self.status,
            "points": self.points,
            "sprint": self.sprint,
            "assignee": self.assignee,
            "slip_count": self.slip_count,
            "blocked": self.blocked,
            "blocked_reason": self.blocked_reason,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "labels": self.labels,
            "version": self.version,
        }


@dataclass(frozen=True)
class ItemDetail:
    row: ItemRow
    description: str
    source_finding_id: int | None
    kpi: str | None
    external_key: str | None
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime

    def as_dict(self) -> dict[str, Any]:
        d = self.row.as_dict()
        d.update(
            description=self.description,
            source_finding_id=self.source_finding_id,
            kpi=self.kpi,
            external_key=self.external_key,
            created_by=self.created_by,
            created_at=self.created_at.isoformat(),
            updated_by=self.updated_by,
            updated_at=self.updated_at.isoformat(),
        )
        return d


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Slip:
    sprint: str
    at: datetime
    to: str | None  # sprint name, or None for the backlog
    points: float | None


# --------------------------------------------------------------------------- the row query

_Assignee = aliased(Member)

#: the columns of an ItemRow, in to_row's order: plain columns, not whole Item
#: objects (the description and the ORM bookkeeping per row cost more than the rest)
ROW_COLUMNS = (
    Item.id, Item.key, Item.title, Item.kind, Stream.key, Item.status, Item.points, Sprint.name,
    _Assignee.handle, Item.slip_count, Item.blocked, Item.blocked_reason, Item.rank, Item.due_date,
    Item.labels, Item.version,
)
#: how many leading columns of a row_query() row make an ItemRow (more may be added after them)
ROW_WIDTH = len(ROW_COLUMNS)


def row_query():
    """SELECT of the ROW_COLUMNS of items (add .where, .order_by, .add_columns)."""
    return (
        select(*ROW_COLUMNS)
        .select_from(Item)
        .join(Stream, Stream.id == Item.stream_id)
        .outerjoin(Sprint, Sprint.id == Item.sprint_id)
        .outerjoin(_Assignee, _Assignee.id == Item.assignee_id)
    )


def to_row(t) -> ItemRow:
    """The ItemRow of a row_query() row (its first ROW_WIDTH columns)."""
    (item_id, key, title, kind, stream_key, status, points, sprint_name, handle, slip_count, blocked,
     blocked_reason, rank, due_date, labels, version) = t[:ROW_WIDTH]
    return ItemRow(
        id=item_id,
        key=key,
        title=title,
        kind=kind,
        stream=stream_key,
        status=status,
        points=points,
        sprint=sprint_name,
        assignee=handle,
        slip_count=slip_count,
        blocked=blocked,
        blocked_reason=blocked_reason,
        rank=rank,
        due_date=due_date,
        labels=[x for x in labels.split(",") if x],
        version=version,
    )


def read_row(s: Session, key: str) -> ItemRow:
    """The ItemRow of item `key` (deleted too), read in session `s`."""
    t = s.exec(row_query().where(Item.key == key)).first()
    if t is None:
        raise NotFoundError(f"no item {key}")
    return to_row(t)


# --------------------------------------------------------------------------- which items


@dataclass
class ItemQuery:
    """Which items a list shows, in what order, which page of them."""

    sprint: str | None = None  # sprint ref, or "backlog"
    stream: str | None = None
    status: str | None = None
    assignee: str | None = None
    text: str | None = None  # in the key, title, labels, description or assignee (see text_match)
    include_done: bool = True
    blocked_only: bool = False
    order: str = "rank"  # rank | key | points | status | updated
    limit: int | None = None
    offset: int = 0
    statuses: list[str] = field(default_factory=list)


def matching(s: Session, q: ItemQuery, stmt, *, by_rank: bool = False):
    """`stmt` restricted to the items q matches. With ``by_rank`` (a page in
    rank order), the backlog is matched so that SQLite walks the rank index
    and stops at the page's end: through the (sprint_id, status) index it read
    every backlog item and sorted them all for one page (9.5 ms against 0.1 ms
    for 100 items at 50,000 items, 24,000 of them in the backlog)."""
    stmt = stmt.where(Item.deleted == False)  # noqa: E712
    if q.sprint is not None:
        target = sprint_or_backlog(s, q.sprint)
        if target is not None:
            stmt = stmt.where(Item.sprint_id == target.id)
        elif by_rank:
            stmt = stmt.where((Item.sprint_id + 0).is_(None))  # "+ 0": no index for this term
        else:
            stmt = stmt.where(Item.sprint_id.is_(None))
    if q.stream:
        stmt = stmt.where(Item.stream_id == stream_by_key(s, q.stream).id)
    if q.status:
        stmt = stmt.where(Item.status == parse_enum(Status, q.status, "status").value)
    if q.statuses:
        stmt = stmt.where(Item.status.in_([parse_enum(Status, x, "status").value for x in q.statuses]))
    if q.assignee:
        stmt = stmt.where(Item.assignee_id == member_by_handle(s, q.assignee).id)
    if not q.include_done:
        stmt = stmt.where(Item.status != Status.DONE.value)
    if q.blocked_only:
        stmt = stmt.where(Item.blocked == True)  # noqa: E712
    if q.text and q.text.strip():
        stmt = stmt.where(text_match(q.text, like_ignores_case=s.get_bind().dialect.name == "sqlite"))
    return stmt


def text_match(text: str, *, like_ignores_case: bool = False):
    """The condition of a search for ``text`` (stripped): it is in the item's
    key, title, one of its labels, its description, or its assignee's handle or
    name, in any case; the text is one literal piece (``%``, ``_`` and ``\\``
    match themselves), as typed.

    With ``like_ignores_case`` (SQLite: its LIKE ignores the case of ASCII
    letters, as its lower() folds only those) the columns are compared with
    LIKE as they are, not lower()ed first: the same matches, and at 50,000
    items the count of a search takes half the time. Elsewhere ILIKE.

    The assignee's fields are read by a subquery that runs once (the members
    whose handle or name hold the text), not by a join per item, and a
    statement without a text filter never reads the member table for it. The
    terms are in the order SQLite tries them, the long description last."""
    pattern = "%" + escape_like(text.strip()) + "%"

    def holds(column):
        if like_ignores_case:
            return column.like(pattern, escape="\\")
        return column.ilike(pattern, escape="\\")

    assignees = (
        select(Member.id)
        .where(or_(holds(Member.handle), holds(Member.name)))
        .correlate(None)  # never tied to a member table of the statement it filters
    )
    terms = [holds(Item.key), holds(Item.title)]
    if "," not in text:  # labels are stored comma separated, and a label holds no comma
        terms.append(holds(Item.labels))
    terms += [Item.assignee_id.in_(assignees), holds(Item.description)]
    return or_(*terms)


def escape_like(text: str) -> str:
    """``text`` for a LIKE pattern with ESCAPE '\\': its wildcards and the escape
    character match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


#: the orders of a list by name, and the columns each sorts by
ORDERS = {
    "rank": (Item.rank, Item.id),
    "key": (Item.stream_id, Item.seq),
    "points": (Item.points.desc(), Item.rank),
    "status": (Item.status, Item.rank),
    "updated": (Item.updated_at.desc(), Item.id),
    "slip": (Item.slip_count.desc(), Item.rank),
}


def rank_page(s: Session, q: ItemQuery, offset: int, limit: int) -> list[ItemRow]:
    """One page of the items matching q, in rank order (list_items and the board)."""
    # page by id first, then join only the page: sorting bare (rank, id) pairs
    # of a long list is several times cheaper than sorting joined full rows
    ids = matching(s, q, select(Item.id), by_rank=True).order_by(*ORDERS["rank"])
    if offset:
        ids = ids.offset(offset)
    stmt = row_query().where(Item.id.in_(ids.limit(limit).scalar_subquery())).order_by(*ORDERS["rank"])
    return [to_row(t) for t in s.exec(stmt).all()]
