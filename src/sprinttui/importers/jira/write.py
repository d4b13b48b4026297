"""Publishing a staged import: one write transaction moves it into the project.

It first checks that the project is still as the plan read it (else
:class:`ProjectChanged`: the caller plans again), then inserts the new
streams, members and sprints, moves the staged items and history rows over
with ``INSERT … SELECT`` (their stream, member and sprint ids found by key,
handle and name, their numbers shifted past items added meanwhile), and
updates the existing rows the plan changed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String, cast, func, insert, literal, null, select
from sqlmodel import col

from sprinttui.importers.jira.load import project_fingerprint
from sprinttui.importers.jira.plan import ImportPlan
from sprinttui.importers.jira.records import Progress
from sprinttui.importers.jira.stage import Stage, table_of

__all__ = ["PUBLISH_STEPS", "ProjectChanged", "publish"]

PUBLISH_STEPS = 5


class ProjectChanged(Exception):
    """Someone changed what the plan rests on between reading and publishing."""


def _insert_learning_ids(conn, model, key_column, records, key_of, rows) -> None:
    """Insert `rows` (one per record) into `model`'s table in one statement,
    then give each record the id its row got, found by its unique key."""
    conn.execute(insert(table_of(model)), rows)
    ids = dict(conn.execute(select(key_column, model.id).where(key_column.in_([key_of(r) for r in records]))).all())
    for record in records:
        record.id = ids[key_of(record)]


def _lock_what_changes(s, plan: ImportPlan) -> None:
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
    items = sorted(i for i, it in state.items.items() if it.dirty and i is not None)
    sprints.update(it.sprint.id for it in state.items.values() if it.dirty and it.sprint and it.sprint.id)
    def lock(model: Any, ids: list[int]) -> None:
        for i in range(0, len(ids), 500):
            s.exec(for_update(sql_select(model).where(col(model.id).in_(ids[i:i + 500])).order_by(col(model.id))))

    lock(Stream, streams)
    lock(Sprint, sorted(sprints))
    lock(Item, items)


def _check_unchanged(s, plan: ImportPlan, stage: Stage, *, lock: bool) -> None:
    """Raise ProjectChanged unless the project is as the plan read it."""
    from sprinttui.domain import SprintState
    from sprinttui.store.models import Item

    state = plan.state
    conn = s.connection()
    if lock:
        _lock_what_changes(s, plan)
    loaded = [i for i in state.items if i is not None]
    # the open sprints as read (the plan has changed the records since)
    open_ids = [r[0] for r in state.fingerprint[3] if r[2] != SprintState.CLOSED]
    if project_fingerprint(conn, loaded, open_ids) != state.fingerprint:
        raise ProjectChanged
    staged = stage.items
    clash = conn.execute(select(func.count()).select_from(Item).join(staged, col(Item.external_key)
                                                                    == staged.c.external_key)
                         .where(col(Item.id) > state.max_item_id)).scalar()
    if clash:
        raise ProjectChanged


def publish(s, plan: ImportPlan, stage: Stage, *, user: str, is_sqlite: bool,
            progress: Progress | None = None) -> None:
    """Write everything `plan` worked out and `stage` holds, through session `s` (one transaction)."""
    from sprinttui.store.models import ItemEvent, Member, Sprint, SprintEvent, Stream

    def tick(done: int) -> None:
        if progress is not None:
            progress("Publishing", done, PUBLISH_STEPS)

    tick(0)
    _check_unchanged(s, plan, stage, lock=not is_sqlite)
    state = plan.state
    conn = s.connection()

    new_streams = [st for st in state.streams if st.new]
    if new_streams:
        _insert_learning_ids(conn, Stream, Stream.key, new_streams, lambda st: st.key, [
            dict(key=st.key, name=st.name, lead_id=None, next_seq=1, version=1,
                 description=f"Imported from Jira ({plan.stream_from} {st.name})")
            for st in new_streams])
    new_members = [m for m in state.members if m.new]
    if new_members:
        _insert_learning_ids(conn, Member, Member.handle, new_members, lambda m: m.handle, [
            dict(handle=m.handle, name=m.name, competences="", availability=100, active=True, version=1,
                 primary_stream_id=(m.streams.most_common(1)[0][0].id if m.streams else None))
            for m in new_members])
    new_sprints = [sp for sp in state.sprints if sp.new]
    if new_sprints:
        _insert_learning_ids(conn, Sprint, Sprint.name, new_sprints, lambda sp: sp.name, [
            dict(name=sp.name, goal="", start_date=sp.start, end_date=sp.end, state=sp.state,
                 started_at=sp.started_at, closed_at=sp.closed_at, goal_met=None, version=1)
            for sp in new_sprints])
    changed_sprints = {sp.id: sp for sp in state.sprints if sp.changed and not sp.new}
    if changed_sprints:
        for row in s.scalars(select(Sprint).where(col(Sprint.id).in_(list(changed_sprints)))):
            sp = changed_sprints[row.id]
            row.state, row.started_at, row.closed_at = sp.state, sp.started_at, sp.closed_at
    s.flush()
    tick(1)

    _publish_items(s, plan, stage, user)
    tick(2)
    _update_items(s, plan, user)
    tick(3)

    staged = stage.events
    item_ref = _item_id_of(staged)
    conn.execute(insert(table_of(ItemEvent)).from_select(
        ["item_id", "at", "actor", "field", "old", "new"],
        select(item_ref, staged.c.at, literal(user, String), staged.c.field, staged.c.old, staged.c.new)
        .order_by(staged.c.ord)))
    tick(4)
    staged = stage.sprint_events
    item_ref = _item_id_of(staged)
    target = table_of(Sprint).alias("target")
    sprint = table_of(Sprint).alias("sprint_of")
    conn.execute(insert(table_of(SprintEvent)).from_select(
        ["sprint_id", "item_id", "kind", "at", "actor", "points", "status", "target_sprint_id"],
        select(sprint.c.id, item_ref, staged.c.kind, staged.c.at, literal(user, String), staged.c.points,
               staged.c.status, target.c.id)
        .select_from(staged.join(sprint, sprint.c.name == staged.c.sprint_name)
                     .outerjoin(target, target.c.name == staged.c.target_name))
        .order_by(staged.c.ord)))
    tick(PUBLISH_STEPS)


def _item_id_of(staged):
    """A staged history row's item: its item_id, else the item with its Jira key (just published)."""
    from sprinttui.store.models import Item

    return func.coalesce(staged.c.item_id, select(col(Item.id)).where(col(Item.external_key) == staged.c.external_key)
                         .scalar_subquery())


def _publish_items(s, plan: ImportPlan, stage: Stage, user: str) -> None:
    """Move the staged new items in: per stream, numbered from its next_seq now, ranked after
    every item there is now; and move each stream's next_seq on."""
    from sprinttui.store.models import Item, Member, Sprint, Stream

    conn = s.connection()
    state = plan.state
    staged = stage.items
    loaded_max_rank = state.max_rank
    rank_now = float(conn.execute(select(func.max(Item.rank))).scalar() or 0.0)
    rank_base = max(rank_now, loaded_max_rank)
    streams = {st.key: st for st in state.streams if st.changed}
    offsets: dict[str, int] = {}
    member = table_of(Member).alias("assignee")
    sprint = table_of(Sprint).alias("sprint_of")
    for key, st in streams.items():
        row = s.scalars(select(Stream).where(col(Stream.key) == key)).one()
        planned_from = 1 if st.new else state.loaded_next_seq[key]
        offset = row.next_seq - planned_from  # items added there since the plan read it
        count = st.next_seq - planned_from
        offsets[key] = offset
        seq = staged.c.seq + offset
        columns: dict[str, Any] = {
            "key": literal(f"{key}-", String) + cast(seq, String), "stream_id": literal(row.id, Integer),
            "seq": seq, "title": staged.c.title, "description": staged.c.description, "kind": staged.c.kind,
            "assignee_id": member.c.id, "points": staged.c.points, "status": staged.c.status,
            "blocked": literal(False), "blocked_reason": literal("", String), "blocked_since": null(),
            "rank": staged.c.rank + rank_base, "sprint_id": sprint.c.id, "due_date": staged.c.due_date,
            "labels": staged.c.labels, "source_finding_id": null(), "kpi_id": null(),
            "slip_count": staged.c.slip_count, "external_key": staged.c.external_key, "deleted": literal(False),
            "created_by": literal(user, String), "created_at": staged.c.created_at,
            "updated_by": literal(user, String), "updated_at": staged.c.updated_at, "version": literal(1, Integer),
        }
        conn.execute(insert(table_of(Item)).from_select(
            list(columns),
            select(*columns.values())
            .select_from(staged.outerjoin(member, member.c.handle == staged.c.assignee_handle)
                         .outerjoin(sprint, sprint.c.name == staged.c.sprint_name))
            .where(staged.c.stream_key == key).order_by(staged.c.ord)))
        row.next_seq = row.next_seq + count
    s.flush()
    if any(offsets.values()):  # the records (and so the report) take the numbers the items got
        for it in state.new_items:
            if it.stream is not None and it.seq is not None and offsets.get(it.stream.key):
                it.seq += offsets[it.stream.key]
                it.key = f"{it.stream.key}-{it.seq}"


def _update_items(s, plan: ImportPlan, user: str) -> None:
    """Write the fields of the existing items the plan changed."""
    from sprinttui.store.models import Item

    dirty = {it.id: it for it in plan.state.items.values() if it.dirty}
    ids = list(dirty)
    for i in range(0, len(ids), 500):
        for row in s.scalars(select(Item).where(col(Item.id).in_(ids[i:i + 500]))):
            it = dirty[row.id]
            row.title, row.description, row.kind, row.status = it.title, it.description, it.kind, it.status
            row.points, row.due_date, row.labels = it.points, it.due, it.labels
            row.assignee_id = it.assignee.id if it.assignee else None
            row.sprint_id = it.sprint.id if it.sprint else None
            row.slip_count = it.slip_count
            row.updated_by, row.updated_at = user, plan.now
    s.flush()
