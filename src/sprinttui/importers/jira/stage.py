"""The staging area of an import: temporary tables on the import's own connection.

A large import is planned from a read of the project, and its rows (new
items, their history) go into temporary tables in short transactions of their
own, so no other writer waits for them. Publishing (:mod:`.write`) then moves
them into the project's tables as a batch, a few thousand rows (one range of
``ord``, numbered 1, 2, 3 … per table) per transaction. Temporary tables
belong to the connection: they vanish with it, and other connections never
see them.

Rows name what they point at by its natural key (a stream's key, a member's
handle, a sprint's name, a new item's Jira key), since the new rows get their
ids only when published.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, insert

from sprinttui.importers.jira.records import ItemRecord, PlannedItemEvent, PlannedSprintEvent, Progress
from sprinttui.store.models import table_of

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

__all__ = ["STAGE_CHUNK", "Stage", "table_of"]

STAGE_CHUNK = 5000  # rows per staging transaction


def _tables(item_table: Table, event_table: Table,
            sprint_event_table: Table) -> tuple[Table, Table, Table, Table, Table]:
    """The staging tables, with the column types of the tables they fill."""
    meta = MetaData()

    def like(table: Table, name: str) -> Column:
        return Column(name, table.c[name].type)

    items = Table(
        "jira_stage_item", meta,
        Column("ord", Integer, primary_key=True),
        Column("external_key", String, nullable=False, unique=True),
        Column("stream_key", String, nullable=False),
        Column("seq", Integer, nullable=False),
        Column("rank", Float, nullable=False),
        Column("assignee_handle", String),
        Column("sprint_name", String),
        *(like(item_table, n) for n in ("title", "description", "kind", "points", "status", "due_date",
                                         "labels", "slip_count", "created_at", "updated_at")),
        prefixes=["TEMPORARY"],
    )
    events = Table(
        "jira_stage_item_event", meta,
        Column("ord", Integer, primary_key=True),
        Column("item_id", Integer),  # an item that exists, else:
        Column("external_key", String),  # the Jira key of an item the import creates
        *(like(event_table, n) for n in ("at", "field", "old", "new")),
        prefixes=["TEMPORARY"],
    )
    sprint_events = Table(
        "jira_stage_sprint_event", meta,
        Column("ord", Integer, primary_key=True),
        Column("item_id", Integer),
        Column("external_key", String),
        Column("sprint_name", Text, nullable=False),
        Column("target_name", Text),
        *(like(sprint_event_table, n) for n in ("kind", "at", "points", "status")),
        prefixes=["TEMPORARY"],
    )
    updates = Table(  # the new fields of existing items, written in one statement when published
        "jira_stage_update", meta,
        Column("ord", Integer, primary_key=True),
        Column("item_id", Integer, nullable=False, unique=True),
        Column("assignee_handle", String),
        Column("sprint_name", String),
        *(like(item_table, n) for n in ("title", "description", "kind", "points", "status", "due_date",
                                         "labels", "slip_count")),
        prefixes=["TEMPORARY"],
    )
    read = Table(  # the version of every item the plan read, compared when it is published
        "jira_stage_read", meta,
        Column("item_id", Integer, primary_key=True),
        Column("version", Integer, nullable=False),
        prefixes=["TEMPORARY"],
    )
    return items, events, sprint_events, updates, read


class Stage:
    """The staging tables of one import, on connection `conn` (which must stay open)."""

    def __init__(self, conn: Connection):
        from sprinttui.store.models import Item, ItemEvent, SprintEvent

        self.conn = conn
        self.items, self.events, self.sprint_events, self.updates, self.read = _tables(
            table_of(Item), table_of(ItemEvent), table_of(SprintEvent))
        self._ord: dict[str, int] = {}  # the last `ord` given, per table: each table's run 1, 2, 3 …

    @property
    def tables(self) -> tuple[Table, Table, Table]:
        """The tables whose rows publishing adds to the batch, a range of ``ord`` at a time."""
        return self.items, self.events, self.sprint_events

    def reset(self) -> None:
        """Empty staging tables (made anew: an earlier attempt's rows are gone)."""
        self.drop()
        with self.conn.begin():
            for table in (*self.tables, self.updates, self.read):
                table.create(self.conn)
        self._ord = {}

    def drop(self) -> None:
        with self.conn.begin():
            for table in (*self.tables, self.updates, self.read):
                table.drop(self.conn, checkfirst=True)

    def _put(self, table: Table, rows: Iterable[dict[str, Any]]) -> None:
        """Insert `rows` into `table`, STAGE_CHUNK rows per transaction."""
        chunk: list[dict[str, Any]] = []
        numbered = "ord" in table.c

        def flush() -> None:
            with self.conn.begin():
                self.conn.execute(insert(table), chunk)
            chunk.clear()

        for row in rows:
            if numbered:
                row["ord"] = self._ord[table.name] = self._ord.get(table.name, 0) + 1
            chunk.append(row)
            if len(chunk) >= STAGE_CHUNK:
                flush()
        if chunk:
            flush()

    def add_events(self, item_events: list[PlannedItemEvent], sprint_events: list[PlannedSprintEvent]) -> None:
        """Stage planned history rows (the planner's sink)."""
        self._put(self.events, (
            dict(**_item_ref(e.item), at=e.at, field=e.field, old=e.old, new=e.new) for e in item_events))
        self._put(self.sprint_events, (
            dict(**_item_ref(e.item), sprint_name=e.sprint.name, target_name=e.target.name if e.target else None,
                 kind=e.kind, at=e.at, points=e.points, status=e.status) for e in sprint_events))

    def add_read(self, versions: dict[int, int]) -> None:
        """Stage the version of each item the plan read (item id → version)."""
        self._put(self.read, (dict(item_id=i, version=v) for i, v in versions.items()))

    def add_items(self, items: list[ItemRecord], loaded_max_rank: float, progress: Progress | None = None) -> None:
        """Stage the new items: their number in their stream and their rank are kept
        relative to what was read, so that publishing can shift them past items
        other people added meanwhile."""
        def row(it: ItemRecord) -> dict[str, Any]:
            assert it.stream is not None and it.seq is not None and it.rank is not None
            return dict(external_key=it.external_key, stream_key=it.stream.key, seq=it.seq,
                        rank=it.rank - loaded_max_rank, assignee_handle=it.assignee.handle if it.assignee else None,
                        sprint_name=it.sprint.name if it.sprint else None, title=it.title,
                        description=it.description, kind=it.kind, points=it.points, status=it.status,
                        due_date=it.due, labels=it.labels, slip_count=it.slip_count, created_at=it.created_at,
                        updated_at=it.updated_at or it.created_at)

        self._put_shown(self.items, items, row, "Staging", progress)

    def add_updates(self, items: list[ItemRecord], progress: Progress | None = None) -> None:
        """Stage the new fields of the existing items the plan changes."""
        def row(it: ItemRecord) -> dict[str, Any]:
            return dict(item_id=it.id, assignee_handle=it.assignee.handle if it.assignee else None,
                        sprint_name=it.sprint.name if it.sprint else None, title=it.title,
                        description=it.description, kind=it.kind, points=it.points, status=it.status,
                        due_date=it.due, labels=it.labels, slip_count=it.slip_count)

        if items:
            self._put_shown(self.updates, items, row, "Staging changes", progress)

    def _put_shown(self, table: Table, items: list[ItemRecord], row: Callable[[ItemRecord], dict[str, Any]],
                   phase: str, progress: Progress | None) -> None:
        """Stage one row per item into `table`, the progress shown as `phase`."""
        total = len(items)

        def tick(done: int) -> None:
            if progress is not None:
                progress(phase, done, total)

        def rows() -> Iterator[dict[str, Any]]:
            for n, it in enumerate(items, start=1):
                if n % STAGE_CHUNK == 0:
                    tick(n)
                yield row(it)

        tick(0)
        self._put(table, rows())
        tick(total)


def _item_ref(it: ItemRecord) -> dict[str, Any]:
    """How a staged history row names its item: by id if it exists, else by its Jira key."""
    return dict(item_id=None, external_key=it.external_key) if it.new else dict(item_id=it.id, external_key=None)
