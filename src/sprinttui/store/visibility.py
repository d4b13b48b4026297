"""Rows of an import that is not published yet are seen by no one.

A large import (store/batches.py) writes its rows in many short
transactions, each row carrying its batch's id in ``import_batch_id``, and
publishes them all at once by setting ``import_batch.published`` in one
short last transaction. Until then every ORM statement run through a
session (select, update, delete; joins, subqueries and relationship loads
included) sees only the rows with no batch or a published one: one rule
here, added to every statement, instead of a filter in each query.

Core statements on a bare connection are not filtered: the importer finds
its own hidden rows that way, and the synthetic-data seed writes that way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, func, select, text
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlmodel import col

__all__: list[str] = []  # it works by being imported (store/engine.py)

_ASKED = "sprinttui.unpublished_batch"  # (transaction, answer) of the last transaction asked
_ANY_UNPUBLISHED = text("SELECT 1 FROM import_batch WHERE published = 0 LIMIT 1")  # SQLite only
_options: tuple[Any, ...] | None = None


def _visible(cls: Any) -> Any:
    """Not a row of an unpublished batch. Written as one expression over the column (not
    "IS NULL OR IN …") so that it only filters the rows a query reads: the database
    never picks the batch index over the query's own for it."""
    from sprinttui.store.models import ImportBatch

    unpublished = select(col(ImportBatch.id)).where(col(ImportBatch.published) == False)  # noqa: E712
    return func.coalesce(cls.import_batch_id, 0).not_in(unpublished)


def _criteria() -> tuple[Any, ...]:
    global _options
    if _options is None:
        from sprinttui.store.models import Item, ItemEvent, Member, Sprint, SprintEvent, Stream

        _options = tuple(with_loader_criteria(model, _visible, include_aliases=True,
                                              track_closure_variables=False)
                         for model in (Stream, Member, Sprint, Item, ItemEvent, SprintEvent))
    return _options


def _batch_unpublished(session: Session) -> bool:
    """Whether this transaction of `session` may meet rows of an unpublished batch.

    SQLite: asked once per transaction, as its first read. A transaction reads
    one snapshot from its first read on, and a batch row is committed before
    any row of the batch, so a transaction that saw no unpublished batch then
    sees none of their rows: its statements need no rule (and are not
    compiled with it). PostgreSQL reads a new snapshot per statement: always."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return True
    transaction = session.get_transaction()
    known = session.info.get(_ASKED)
    if known is not None and known[0] is transaction:
        return known[1]
    answer = connection.execute(_ANY_UNPUBLISHED).first() is not None
    session.info[_ASKED] = (transaction, answer)
    return answer


@event.listens_for(Session, "do_orm_execute")
def _hide_unpublished(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if not _batch_unpublished(state.session):
        return
    state.statement = state.statement.options(*_criteria())
