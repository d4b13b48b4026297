"""Publishing a staged import as a batch: short transactions, shown all at once.

1. *Opening* (one short write transaction): check that the project is still
   as the plan read it (else :class:`ProjectChanged`: the caller plans
   again), open an import batch (store/batches.py), insert the new streams,
   members and sprints, and claim the item numbers: each stream's next_seq
   moves past the new items now, so items others add meanwhile come after.
2. *Filling* (a write transaction per few thousand rows): the staged items
   and history rows go into the project's tables with ``INSERT … SELECT``
   (their stream, member and sprint ids found by key, handle and name).
   Every row carries the batch's id, and readers do not see it yet
   (store/visibility.py); other writers wait for one chunk at most.
3. *Publishing* (one short write transaction): check again, update the
   existing items the plan changed (one ``UPDATE … FROM`` the staged fields)
   and its sprints, and mark the batch published: the whole import appears
   at once.

If anything fails or the project changed, the batch's rows are deleted (in
chunks) and the claimed numbers given back; an import killed half-way leaves
an unpublished batch that the next open of the database removes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, String, cast, func, insert, literal, null, select, update
from sqlmodel import col

from sprinttui.importers.jira.load import project_fingerprint
from sprinttui.importers.jira.plan import ImportPlan
from sprinttui.importers.jira.records import Progress
from sprinttui.importers.jira.stage import Stage, table_of
from sprinttui.store import batches

__all__ = ["ProjectChanged", "publish"]


class ProjectChanged(Exception):
    """Someone changed what the plan rests on between reading and publishing."""


class ImportRunning(Exception):
    """Another import is being published into the project right now."""

    def __init__(self, batch: batches.Batch):
        super().__init__(batch)
        self.batch = batch


@dataclass
class _Claim:
    """What the opening step reserved: the batch, and per stream the numbers its new items take."""

    batch: batches.Batch
    stream_ids: dict[str, int] = field(default_factory=dict)
    offsets: dict[str, int] = field(default_factory=dict)  # seq shift past items added since the plan read
    rank_base: float = 0.0


def _insert_learning_ids(conn, model, key_column, records, key_of, rows) -> None:
    """Insert `rows` (one per record) into `model`'s table in one statement,
    then give each record the id its row got, found by its unique key."""
    conn.execute(insert(table_of(model)), rows)
    ids = dict(conn.execute(select(key_column, model.id).where(key_column.in_([key_of(r) for r in records]))).all())
    for record in records:
        record.id = ids[key_of(record)]


def _lock_what_changes(s, plan: ImportPlan, stage: Stage) -> None:
    """PostgreSQL: lock, until the commit, the existing rows publishing changes or files
    new items under: the streams that number them, the sprints they go into or that
    start or close, the items it updates (each kind in id order). Everyone else's
    writes go on meanwhile: to other streams, sprints, items, members, the settings."""
    from sqlmodel import select as sql_select

    from sprinttui.services.lookup import for_update
    from sprinttui.store.models import Item, Sprint, Stream

    state = plan.state
    streams = sorted(st.id for st in state.streams if st.changed and st.id is not None)
    sprints = {sp.id for sp in state.sprints if sp.changed and sp.id is not None}
    sprints.update(it.sprint.id for it in state.new_items if it.sprint is not None and it.sprint.id is not None)
    sprints.update(it.sprint.id for it in state.items.values() if it.dirty and it.sprint and it.sprint.id)

    def lock(model: Any, ids: list[int]) -> None:
        for i in range(0, len(ids), 500):
            s.exec(for_update(sql_select(model).where(col(model.id).in_(ids[i:i + 500])).order_by(col(model.id))))

    lock(Stream, streams)
    lock(Sprint, sorted(sprints))
    s.execute(select(col(Item.id)).where(col(Item.id).in_(select(stage.updates.c.item_id)))
              .order_by(col(Item.id)).with_for_update(key_share=True))  # as for_update does


def _check_unchanged(s, plan: ImportPlan, stage: Stage, *, lock: bool) -> None:
    """Raise ProjectChanged unless the project, as everyone sees it, is as the plan read it
    (`s` is a plain session: the rows of unpublished imports, this one's too, are not in it):
    the settings, streams, members and sprints alike, every item read at its version still,
    no other item in the open sprints, no item with a Jira key of a new one."""
    from sqlalchemy import or_

    from sprinttui.domain import SprintState
    from sprinttui.store.models import Item

    state = plan.state
    if lock:
        _lock_what_changes(s, plan, stage)
    if project_fingerprint(s) != state.fingerprint:
        raise ProjectChanged
    read = stage.read
    count = func.count()
    changed = s.execute(select(count).select_from(read.outerjoin(Item, col(Item.id) == read.c.item_id))
                        .where(or_(col(Item.id).is_(None), col(Item.version) != read.c.version))).scalar()
    # the open sprints as read (the plan has changed the records since)
    open_ids = [r[0] for r in state.fingerprint[3] if r[2] != SprintState.CLOSED]
    arrived = open_ids and s.execute(select(count).select_from(Item).where(
        col(Item.sprint_id).in_(open_ids), col(Item.deleted).is_(False),
        col(Item.id).not_in(select(read.c.item_id)))).scalar()
    staged = stage.items
    clash = s.execute(select(count).select_from(Item).join(staged, col(Item.external_key) == staged.c.external_key)
                      .where(col(Item.id) > state.max_item_id)).scalar()
    if changed or arrived or clash:
        raise ProjectChanged


def _chunks(conn, table) -> list[tuple[int, int]]:
    """The staged rows of `table` as ranges of `ord` of at most CHUNK rows each."""
    low, high = conn.execute(select(func.min(table.c.ord), func.max(table.c.ord))).one()
    if low is None:
        return []
    return [(lo, lo + batches.CHUNK - 1) for lo in range(low, high + 1, batches.CHUNK)]


def publish(db, conn, plan: ImportPlan, stage: Stage, *, user: str, source: str = "jira-csv",
            progress: Progress | None = None) -> None:
    """Write everything `plan` worked out and `stage` holds, on connection `conn`:
    open a batch, fill it in short transactions, publish it in one (see the module)."""
    with db.read(conn) as s:
        steps = [(table, rng) for table in stage.tables for rng in _chunks(s.connection(), table)]
    total = len(steps) + 2

    def tick(done: int) -> None:
        if progress is not None:
            progress("Publishing", done, total)

    tick(0)
    paced = batches.Paced(db, conn)  # others get in between those transactions
    try:
        with paced.write() as s:
            claim = _open(s, plan, stage, user=user, source=source, is_sqlite=db.is_sqlite)
    except BaseException:  # undone, the batch with it: its lock goes too
        batches.release(conn, db.is_sqlite)
        raise
    try:
        tick(1)
        for n, (table, (lo, hi)) in enumerate(steps, start=2):
            with paced.write() as s:
                _fill(s.connection(), plan, stage, claim, table, lo, hi, user)
            tick(n)
        with paced.write() as s:
            _check_unchanged(s, plan, stage, lock=not db.is_sqlite)
            _update_sprints(s, plan)
            _update_items(s.connection(), plan, stage, user)
            batches.publish_batch(s.connection(), claim.batch.id, plan.now)
        tick(total)
    except BaseException:
        _give_back(db, conn, claim)
        raise
    finally:
        batches.release(conn, db.is_sqlite)
    _renumber_records(plan, claim)


def _give_back(db, conn, claim: _Claim) -> None:
    """Undo an unpublished batch: its rows, and the numbers it took (see batches.discard)."""
    from contextlib import suppress

    from sprinttui.domain import StorageError

    with suppress(StorageError, OSError):  # else the next open of the database removes them
        if conn.in_transaction():
            conn.rollback()
        batches.discard(db, conn, claim.batch.id)


def _open(s, plan: ImportPlan, stage: Stage, *, user: str, source: str, is_sqlite: bool) -> _Claim:
    """The opening step (see the module), in write session `s`."""
    conn = s.connection()
    running = batches.running_batch(conn, is_sqlite)
    if running is not None:
        raise ImportRunning(running)
    _check_unchanged(s, plan, stage, lock=not is_sqlite)
    claim = _Claim(batches.open_batch(conn, is_sqlite, source=source, user=user, now=plan.now))
    _open_batch_rows(conn, plan, claim)
    return claim


def _open_batch_rows(conn, plan: ImportPlan, claim: _Claim) -> None:
    """The opening step's rows: new streams, members and sprints, and the numbers taken."""
    from sprinttui.store.models import Item, Member, Sprint, Stream

    state = plan.state
    batch_id = claim.batch.id

    new_streams = [st for st in state.streams if st.new]
    if new_streams:
        _insert_learning_ids(conn, Stream, Stream.key, new_streams, lambda st: st.key, [
            dict(key=st.key, name=st.name, lead_id=None, next_seq=1, version=1, import_batch_id=batch_id,
                 description=f"Imported from Jira ({plan.stream_from} {st.name})")
            for st in new_streams])
    new_members = [m for m in state.members if m.new]
    if new_members:
        _insert_learning_ids(conn, Member, Member.handle, new_members, lambda m: m.handle, [
            dict(handle=m.handle, name=m.name, competences="", availability=100, active=True, version=1,
                 import_batch_id=batch_id,
                 primary_stream_id=(m.streams.most_common(1)[0][0].id if m.streams else None))
            for m in new_members])
    new_sprints = [sp for sp in state.sprints if sp.new]
    if new_sprints:
        _insert_learning_ids(conn, Sprint, Sprint.name, new_sprints, lambda sp: sp.name, [
            dict(name=sp.name, goal="", start_date=sp.start, end_date=sp.end, state=sp.state,
                 started_at=sp.started_at, closed_at=sp.closed_at, goal_met=None, version=1,
                 import_batch_id=batch_id)
            for sp in new_sprints])

    # the numbers: each stream's new items follow whatever it holds now
    stream = table_of(Stream)
    for st in state.streams:
        if not st.changed:
            continue
        row = conn.execute(select(stream.c.id, stream.c.next_seq).where(stream.c.key == st.key)).one()
        planned_from = 1 if st.new else state.loaded_next_seq[st.key]
        count = st.next_seq - planned_from
        claim.stream_ids[st.key] = row.id
        claim.offsets[st.key] = row.next_seq - planned_from  # items added there since the plan read it
        conn.execute(update(stream).where(stream.c.id == row.id).values(next_seq=row.next_seq + count))
    rank_now = float(conn.execute(select(func.max(table_of(Item).c.rank))).scalar() or 0.0)
    claim.rank_base = max(rank_now, state.max_rank)


def _update_sprints(s, plan: ImportPlan) -> None:
    """The existing sprints the plan starts or closes."""
    from sprinttui.store.models import Sprint

    changed = {sp.id: sp for sp in plan.state.sprints if sp.changed and not sp.new}
    if changed:
        for row in s.scalars(select(Sprint).where(col(Sprint.id).in_(list(changed)))):
            sp = changed[row.id]
            row.state, row.started_at, row.closed_at = sp.state, sp.started_at, sp.closed_at
        s.flush()


def _item_id_of(staged):
    """A staged history row's item: its item_id, else the item with its Jira key (just written)."""
    from sprinttui.store.models import Item

    return func.coalesce(staged.c.item_id, select(col(Item.id)).where(col(Item.external_key) == staged.c.external_key)
                         .scalar_subquery())


def _fill(conn, plan: ImportPlan, stage: Stage, claim: _Claim, table, lo: int, hi: int, user: str) -> None:
    """One filling step: the staged rows of `table` with `ord` in lo..hi, into the batch."""
    staged = table
    in_range = staged.c.ord.between(lo, hi)
    batch_id = literal(claim.batch.id, Integer)
    if table is stage.items:
        _fill_items(conn, claim, staged, in_range, user)
    elif table is stage.events:
        from sprinttui.store.models import ItemEvent

        conn.execute(insert(table_of(ItemEvent)).from_select(
            ["item_id", "at", "actor", "field", "old", "new", "import_batch_id"],
            select(_item_id_of(staged), staged.c.at, literal(user, String), staged.c.field, staged.c.old,
                   staged.c.new, batch_id)
            .where(in_range).order_by(staged.c.ord)))
    else:
        from sprinttui.store.models import Sprint, SprintEvent

        target = table_of(Sprint).alias("target")
        sprint = table_of(Sprint).alias("sprint_of")
        conn.execute(insert(table_of(SprintEvent)).from_select(
            ["sprint_id", "item_id", "kind", "at", "actor", "points", "status", "target_sprint_id",
             "import_batch_id"],
            select(sprint.c.id, _item_id_of(staged), staged.c.kind, staged.c.at, literal(user, String),
                   staged.c.points, staged.c.status, target.c.id, batch_id)
            .select_from(staged.join(sprint, sprint.c.name == staged.c.sprint_name)
                         .outerjoin(target, target.c.name == staged.c.target_name))
            .where(in_range).order_by(staged.c.ord)))


def _fill_items(conn, claim: _Claim, staged, in_range, user: str) -> None:
    """Staged new items into the batch: per stream, numbered from the numbers the opening
    claimed, ranked after every item there was then."""
    from sprinttui.store.models import Item, Member, Sprint

    member = table_of(Member).alias("assignee")
    sprint = table_of(Sprint).alias("sprint_of")
    for key, stream_id in claim.stream_ids.items():
        seq = staged.c.seq + claim.offsets[key]
        columns: dict[str, Any] = {
            "key": literal(f"{key}-", String) + cast(seq, String), "stream_id": literal(stream_id, Integer),
            "seq": seq, "title": staged.c.title, "description": staged.c.description, "kind": staged.c.kind,
            "assignee_id": member.c.id, "points": staged.c.points, "status": staged.c.status,
            "blocked": literal(False), "blocked_reason": literal("", String), "blocked_since": null(),
            "rank": staged.c.rank + claim.rank_base, "sprint_id": sprint.c.id, "due_date": staged.c.due_date,
            "labels": staged.c.labels, "source_finding_id": null(), "kpi_id": null(),
            "slip_count": staged.c.slip_count, "external_key": staged.c.external_key, "deleted": literal(False),
            "created_by": literal(user, String), "created_at": staged.c.created_at,
            "updated_by": literal(user, String), "updated_at": staged.c.updated_at, "version": literal(1, Integer),
            "import_batch_id": literal(claim.batch.id, Integer),
        }
        conn.execute(insert(table_of(Item)).from_select(
            list(columns),
            select(*columns.values())
            .select_from(staged.outerjoin(member, member.c.handle == staged.c.assignee_handle)
                         .outerjoin(sprint, sprint.c.name == staged.c.sprint_name))
            .where(staged.c.stream_key == key, in_range).order_by(staged.c.ord)))


def _renumber_records(plan: ImportPlan, claim: _Claim) -> None:
    """The records (and so the report) take the numbers the items got."""
    offsets = claim.offsets
    if any(offsets.values()):
        for it in plan.state.new_items:
            if it.stream is not None and it.seq is not None and offsets.get(it.stream.key):
                it.seq += offsets[it.stream.key]
                it.key = f"{it.stream.key}-{it.seq}"


def _update_items(conn, plan: ImportPlan, stage: Stage, user: str) -> None:
    """Write the staged fields of the existing items the plan changed, in one statement
    (each item's version goes up: an editor open on one of them is told it changed)."""
    from sprinttui.store.models import Item, Member, Sprint

    staged = stage.updates
    member = table_of(Member).alias("assignee")
    sprint = table_of(Sprint).alias("sprint_of")
    item = table_of(Item)
    new = (select(staged, member.c.id.label("assignee_id"), sprint.c.id.label("sprint_id"))
           .select_from(staged.outerjoin(member, member.c.handle == staged.c.assignee_handle)
                        .outerjoin(sprint, sprint.c.name == staged.c.sprint_name))
           .subquery("new"))
    fields = ("title", "description", "kind", "status", "points", "due_date", "labels", "assignee_id",
              "sprint_id", "slip_count")
    conn.execute(update(item).where(item.c.id == new.c.item_id).values(
        {**{name: new.c[name] for name in fields}, "updated_by": user, "updated_at": plan.now,
         "version": item.c.version + 1}))
