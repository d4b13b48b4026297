"""Board paging: a sprint in one column per status.

A column can hold thousands of cards, so it is read a page at a time in rank
order, with the exact count and points of every column from one grouped query.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, select

from sprinttui.domain import Status, ValidationError, parse_enum
from sprinttui.services.context import Ctx
from sprinttui.services.item_rows import ItemQuery, ItemRow, matching, rank_page
from sprinttui.store.models import Item

#: cards of one board column read at a time
BOARD_PAGE = 60

#: status → (cards, points) of one board column
BoardCounts = dict[str, tuple[int, float]]


@dataclass(frozen=True)
class BoardSlice:
    """The loaded part of a board: the first cards of every column and the
    count and points of each whole column, read in one transaction."""

    pages: dict[str, list[ItemRow]]
    counts: BoardCounts


def _board_query(sprint: str, stream: str | None, text: str | None, status: str | None = None) -> ItemQuery:
    return ItemQuery(sprint=sprint, stream=stream or None, text=(text or "").strip() or None, status=status)


def _check_page(offset: int, limit: int) -> None:
    if offset < 0:
        raise ValidationError("the offset cannot be negative", "offset")
    if limit < 0:
        raise ValidationError("the limit cannot be negative", "limit")


def _board_counts(s: Session, q: ItemQuery) -> BoardCounts:
    stmt = matching(
        s, q, select(Item.status, func.count(Item.id), func.coalesce(func.sum(Item.points), 0.0))
    ).group_by(Item.status)
    counts: BoardCounts = {st.value: (0, 0.0) for st in Status}
    for status, n, points in s.exec(stmt).all():
        counts[status] = (int(n), float(points or 0))
    return counts


def _board_position(s: Session, q: ItemQuery, key: str) -> tuple[str, int] | None:
    found = s.exec(matching(s, q, select(Item.status, Item.rank, Item.id)).where(Item.key == key)).first()
    if found is None:
        return None
    status, rank, item_id = found
    before = s.exec(
        matching(s, q, select(func.count(Item.id))).where(
            Item.status == status,
            or_(Item.rank < rank, (Item.rank == rank) & (Item.id < item_id)),
        )
    ).one()
    return status, int(before)


def board_page(
    ctx: Ctx,
    sprint: str,
    status: str,
    *,
    stream: str | None = None,
    text: str | None = None,
    offset: int = 0,
    limit: int = BOARD_PAGE,
) -> list[ItemRow]:
    """Cards of one board column (sprint and status) in rank order, paged in SQL;
    ``stream`` and ``text`` (key, title, labels, description or assignee)
    filter as list_items does."""
    _check_page(offset, limit)
    q = _board_query(sprint, stream, text, status)
    with ctx.db.read() as s:
        return rank_page(s, q, offset, limit)


def board_counts(ctx: Ctx, sprint: str, *, stream: str | None = None, text: str | None = None) -> BoardCounts:
    """Status → (number of cards, their points) on the board of the sprint, for
    every status (zeros for an empty column), grouped in SQL."""
    with ctx.db.read() as s:
        return _board_counts(s, _board_query(sprint, stream, text))


def board_position(
    ctx: Ctx, sprint: str, key: str, *, stream: str | None = None, text: str | None = None
) -> tuple[str, int] | None:
    """The column (status) and the 0-based place in it of card ``key`` on the
    sprint's board with these filters, or None when the card is not on it."""
    with ctx.db.read() as s:
        return _board_position(s, _board_query(sprint, stream, text), key.strip().upper())


def board_slice(
    ctx: Ctx,
    sprint: str,
    *,
    stream: str | None = None,
    text: str | None = None,
    limits: dict[str, int] | None = None,
    keep: str | None = None,
) -> BoardSlice:
    """The first ``limits[status]`` cards (default BOARD_PAGE) of every column
    and the counts of all columns, in one read transaction so they agree.

    With ``keep`` (a card key), the column holding that card is read at least
    down to it, in whole pages, so a focused card deep in a column stays loaded.
    """
    wanted = {st.value: BOARD_PAGE for st in Status}
    for status, n in (limits or {}).items():
        wanted[parse_enum(Status, status, "status").value] = n
    for n in wanted.values():
        _check_page(0, n)
    base = _board_query(sprint, stream, text)
    with ctx.db.read() as s:
        counts = _board_counts(s, base)
        if keep:
            found = _board_position(s, base, keep.strip().upper())
            if found is not None:
                status, index = found
                pages = index // BOARD_PAGE + 1
                wanted[status] = max(wanted[status], pages * BOARD_PAGE)
        pages_by_status = {
            status: rank_page(s, _board_query(sprint, stream, text, status), 0, n) if counts[status][0] else []
            for status, n in wanted.items()
        }
    return BoardSlice(pages_by_status, counts)
