"""Import batches: rows written in many short transactions, shown all at once.

An import opens a batch (a row of ``import_batch``), writes its rows with the
batch's id in ``import_batch_id`` a few thousand per transaction (readers do
not see them: store/visibility.py), and publishes them by setting the batch's
``published`` flag in one short transaction. Other writers wait for one of
those short transactions at most, never for the whole import.

Each batch names its ``owner``, the process writing it, so that the rows of an
import that was killed before publishing can be told from those of one still
running: on SQLite the host, process id and process start time; on PostgreSQL
a session advisory lock held by the importing connection. :func:`clean_abandoned`
(run when a database is opened) removes what killed imports left.

The many transactions run through a :class:`Paced` writer, which pauses now
and then on SQLite: a writer that waits for the lock retries only every
100 ms or so (SQLite's busy handler), and transactions that follow each other
within microseconds would keep it out for seconds although each one is short.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, text, update

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy.engine import Connection

    from sprinttui.store.engine import Database

__all__ = ["CHUNK", "Batch", "Paced", "clean_abandoned", "discard", "open_batch", "publish_batch",
           "running_batch"]

CHUNK = 5000  # rows per transaction
HOLD_SECONDS = 0.4  # SQLite: holding the write lock this long in all, a batch writer then
PAUSE_SECONDS = 0.12  # pauses this long, longer than the busy handler's longest sleep (100 ms)
_PG_LOCK_CLASS = 0x5350  # the first key of the advisory lock an importing connection holds per batch
_PG_LOCK = text("SELECT pg_advisory_lock(:k, :b)")
_PG_TRY_LOCK = text("SELECT pg_try_advisory_lock(:k, :b)")
_PG_UNLOCK_ALL = text("SELECT pg_advisory_unlock_all()")


@dataclass(frozen=True)
class Batch:
    id: int
    started_by: str
    started_at: dt.datetime


class Paced:
    """Write transactions on `conn` one after another, with a pause of PAUSE_SECONDS each time
    they have held SQLite's write lock for HOLD_SECONDS in all (see the module): another
    writer then waits about half a second at most. No pauses on PostgreSQL, whose writers
    wait for the rows they need, in turn."""

    def __init__(self, db: Database, conn: Connection, *, clock: Callable[[], float] = time.monotonic,
                 pause: Callable[[float], None] = time.sleep):
        self.db, self.conn = db, conn
        self._clock, self._pause = clock, pause
        self.held = 0.0  # seconds of lock held since the last pause

    @contextmanager
    def write(self) -> Iterator[Any]:
        """One write transaction (Database.write), then a pause if it is time for one."""
        with self.db.write(self.conn) as s:
            began = self._clock()  # the lock is ours from here
            yield s
        if not self.db.is_sqlite:
            return
        self.held += self._clock() - began
        if self.held >= HOLD_SECONDS:
            self._pause(PAUSE_SECONDS)
            self.held = 0.0


def _tables() -> list[Any]:
    """The tables a batch writes to, the ones that point at others first (deleting in this order)."""
    from sprinttui.store.models import Item, ItemEvent, Member, Sprint, SprintEvent, Stream, table_of

    return [table_of(m) for m in (SprintEvent, ItemEvent, Item, Sprint, Member, Stream)]


def _batch_table() -> Any:
    from sprinttui.store.models import ImportBatch, table_of

    return table_of(ImportBatch)


def _process_start(pid: int) -> str:
    """When process `pid` started (Linux: clock ticks since boot), "" if unknown or gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def _sqlite_owner() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()} {pid} {_process_start(pid)}"


def _sqlite_owner_alive(owner: str) -> bool:
    host, _, rest = owner.partition(" ")
    pid_text, _, started = rest.partition(" ")
    if host != socket.gethostname() or not pid_text.isdigit():
        return True  # another machine's process: it cannot be checked from here
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, another user's
    return not started or _process_start(pid) == started  # a new process with a reused id is not it


def running_batch(conn: Connection, is_sqlite: bool) -> Batch | None:
    """An unpublished batch whose import is still running, if any."""
    table = _batch_table()
    for row in conn.execute(select(table).where(table.c.published == False)).all():  # noqa: E712
        if _alive(conn, is_sqlite, row):
            return Batch(row.id, row.started_by, row.started_at)
    return None


def _alive(conn: Connection, is_sqlite: bool, row: Any) -> bool:
    """Whether the import of batch `row` is still running. On PostgreSQL a batch found
    not running stays locked by `conn` (its remover) until :func:`release`."""
    if is_sqlite:
        return _sqlite_owner_alive(row.owner)
    return not conn.execute(_PG_TRY_LOCK, {"k": _PG_LOCK_CLASS, "b": row.id}).scalar()


def open_batch(conn: Connection, is_sqlite: bool, *, source: str, user: str, now: dt.datetime) -> Batch:
    """Add a batch row, inside the caller's write transaction on `conn`; on PostgreSQL
    `conn` holds the batch's advisory lock from now (a session lock: it outlives the
    transaction, so it is held before anyone can see the batch) until :func:`release`."""
    table = _batch_table()
    owner = _sqlite_owner() if is_sqlite else "postgresql session"
    batch_id = conn.execute(table.insert().values(source=source, started_by=user, started_at=now, owner=owner,
                                                  published=False).returning(table.c.id)).scalar_one()
    if not is_sqlite:
        conn.execute(_PG_LOCK, {"k": _PG_LOCK_CLASS, "b": batch_id})
    return Batch(batch_id, user, now)


def release(conn: Connection, is_sqlite: bool) -> None:
    """PostgreSQL: give up the batch locks `conn` holds (before it goes back to the pool),
    also after a failed transaction."""
    if not is_sqlite:
        with suppress(Exception):
            if conn.in_transaction():
                conn.rollback()
            conn.execute(_PG_UNLOCK_ALL)
            conn.commit()


def publish_batch(conn: Connection, batch_id: int, now: dt.datetime) -> None:
    """Show the batch's rows to everyone, inside the caller's (last) write transaction."""
    table = _batch_table()
    conn.execute(update(table).where(table.c.id == batch_id).values(published=True, published_at=now))


def discard(db: Database, conn: Connection, batch_id: int) -> None:
    """Delete an unpublished batch's rows, CHUNK rows per write transaction, then the batch;
    a stream whose last numbers it took gets them back (its next item follows what is left)."""
    from sqlalchemy import func

    from sprinttui.store.models import Item, Stream, table_of

    item, stream = table_of(Item), table_of(Stream)
    with db.read(conn) as s:
        claimed = s.connection().execute(select(item.c.stream_id, func.max(item.c.seq))
                                         .where(item.c.import_batch_id == batch_id).group_by(item.c.stream_id)).all()
    paced = Paced(db, conn)
    for table in _tables():
        while True:
            with paced.write() as s:
                ids = select(table.c.id).where(table.c.import_batch_id == batch_id).limit(CHUNK)
                gone = s.connection().execute(delete(table).where(table.c.id.in_(ids))).rowcount
            if gone < CHUNK:
                break
    batch = _batch_table()
    with db.write(conn) as s:
        c = s.connection()
        for row in claimed:
            stream_id, last = row[0], row[1]
            left = select(func.coalesce(func.max(item.c.seq), 0) + 1).where(item.c.stream_id == stream_id)
            c.execute(update(stream).where(stream.c.id == stream_id, stream.c.next_seq == last + 1)
                      .values(next_seq=left.scalar_subquery()))
        c.execute(delete(batch).where(batch.c.id == batch_id, batch.c.published == False))  # noqa: E712


def clean_abandoned(db: Database) -> int:
    """Remove the rows of imports killed before they published (none while they run);
    how many batches were removed. Costs one query on a small table when there are none."""
    table = _batch_table()
    with db.engine.connect() as conn:
        rows = conn.execute(select(table).where(table.c.published == False)).all()  # noqa: E712
        if not rows:
            return 0
        removed = 0
        for row in rows:
            if _alive(conn, db.is_sqlite, row):
                continue
            conn.commit()
            try:
                discard(db, conn, row.id)
                removed += 1
            finally:
                release(conn, db.is_sqlite)
        return removed
