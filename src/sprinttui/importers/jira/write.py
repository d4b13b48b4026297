"""Writing a planned import: bulk inserts of the new streams, members, sprints,
items and history rows, updates of the existing rows it changes, all in the
caller's transaction. New rows get their ids as they are inserted, so the rows
that point at them (an item's stream, an event's sprint) are written after."""

from __future__ import annotations

from sprinttui.importers.jira.plan import ImportPlan
from sprinttui.importers.jira.records import Progress

__all__ = ["write_plan"]

WRITE_STEPS = 6



def _insert_learning_ids(conn, model, key_column, records, key_of, rows) -> None:
    """Insert `rows` (one per record) into `model`'s table in one statement,
    then give each record the id its row got, found by its unique key."""
    from sqlalchemy import insert, select

    conn.execute(insert(model.__table__), rows)
    ids = dict(conn.execute(select(key_column, model.id).where(key_column.in_([key_of(r) for r in records]))).all())
    for record in records:
        record.id = ids[key_of(record)]

def write_plan(s, plan: ImportPlan, *, user: str, progress: Progress | None = None) -> None:
    """Write everything `plan` worked out, through session `s`, as `user`."""
    from sqlalchemy import insert, select

    from sprinttui.store.models import Item, ItemEvent, Member, Sprint, SprintEvent, Stream

    def tick(done: int) -> None:
        if progress is not None:
            progress("Writing", done, WRITE_STEPS)

    state = plan.state
    now = plan.now
    conn = s.connection()
    tick(0)
    new_streams = [st for st in state.streams if st.new]
    if new_streams:
        _insert_learning_ids(conn, Stream, Stream.key, new_streams, lambda st: st.key, [
            dict(key=st.key, name=st.name, lead_id=None, next_seq=st.next_seq, version=1,
                 description=f"Imported from Jira ({plan.stream_from} {st.name})")
            for st in new_streams])
    changed_streams = {st.id: st for st in state.streams if st.changed and not st.new}
    if changed_streams:
        for row in s.scalars(select(Stream).where(Stream.id.in_(list(changed_streams)))):
            row.next_seq = changed_streams[row.id].next_seq
    new_members = [m for m in state.members if m.new]
    if new_members:
        _insert_learning_ids(conn, Member, Member.handle, new_members, lambda m: m.handle, [
            dict(handle=m.handle, name=m.name, competences="", availability=100, active=True, version=1,
                 primary_stream_id=(m.streams.most_common(1)[0][0].id if m.streams else None))
            for m in new_members])
    tick(1)

    new_sprints = [sp for sp in state.sprints if sp.new]
    if new_sprints:
        _insert_learning_ids(conn, Sprint, Sprint.name, new_sprints, lambda sp: sp.name, [
            dict(name=sp.name, goal="", start_date=sp.start, end_date=sp.end, state=sp.state,
                 started_at=sp.started_at, closed_at=sp.closed_at, goal_met=None, version=1)
            for sp in new_sprints])
    changed_sprints = {sp.id: sp for sp in state.sprints if sp.changed and not sp.new}
    if changed_sprints:
        for row in s.scalars(select(Sprint).where(Sprint.id.in_(list(changed_sprints)))):
            sp = changed_sprints[row.id]
            row.state, row.started_at, row.closed_at = sp.state, sp.started_at, sp.closed_at
    s.flush()
    tick(2)

    new_items = [it for it in state.items.values() if it.new]
    rows = [
        dict(key=it.key, stream_id=it.stream.id, seq=it.seq, title=it.title, description=it.description,
             kind=it.kind, assignee_id=it.assignee.id if it.assignee else None, points=it.points,
             status=it.status, blocked=False, blocked_reason="", blocked_since=None, rank=it.rank,
             sprint_id=it.sprint.id if it.sprint else None, due_date=it.due, labels=it.labels,
             source_finding_id=None, kpi_id=None, slip_count=it.slip_count, external_key=it.external_key,
             deleted=False, created_by=user, created_at=it.created_at, updated_by=user,
             updated_at=it.updated_at or it.created_at, version=1)
        for it in new_items
    ]
    for i in range(0, len(rows), 2000):
        conn.execute(insert(Item.__table__), rows[i:i + 2000])
    by_external_key = {it.external_key: it for it in new_items}
    keys = list(by_external_key)
    for i in range(0, len(keys), 500):
        for item_id, key in conn.execute(select(Item.id, Item.external_key)
                                         .where(Item.external_key.in_(keys[i:i + 500]))).all():
            by_external_key[key].id = item_id
    tick(3)

    dirty = {it.id: it for it in state.items.values() if it.dirty and not it.new}
    ids = list(dirty)
    for i in range(0, len(ids), 500):
        for row in s.scalars(select(Item).where(Item.id.in_(ids[i:i + 500]))):
            it = dirty[row.id]
            row.title, row.description, row.kind, row.status = it.title, it.description, it.kind, it.status
            row.points, row.due_date, row.labels = it.points, it.due, it.labels
            row.assignee_id = it.assignee.id if it.assignee else None
            row.sprint_id = it.sprint.id if it.sprint else None
            row.slip_count = it.slip_count
            row.updated_by, row.updated_at = user, now
    s.flush()
    tick(4)

    item_events = [dict(item_id=e.item.id, at=e.at, actor=user, field=e.field, old=e.old, new=e.new)
                   for e in plan.item_events]
    for i in range(0, len(item_events), 5000):
        conn.execute(insert(ItemEvent.__table__), item_events[i:i + 5000])
    tick(5)
    sprint_events = [dict(sprint_id=e.sprint.id, item_id=e.item.id, kind=e.kind, at=e.at, actor=user,
                          points=e.points, status=e.status, target_sprint_id=e.target.id if e.target else None)
                     for e in plan.sprint_events]
    for i in range(0, len(sprint_events), 5000):
        conn.execute(insert(SprintEvent.__table__), sprint_events[i:i + 5000])
    tick(WRITE_STEPS)
