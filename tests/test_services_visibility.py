"""The rows of an import batch that is not published are seen by no screen or command.

Rows are put into every table a batch writes to (a stream, a member, a sprint,
an item on the active sprint's board, a history row and a sprint event of an
existing item) under an unpublished batch, the way an import writes them
between its transactions; then the services are asked what a user would see.
Publishing the batch shows all of them at once.
"""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from sprinttui.domain import NotFoundError
from sprinttui.services import board, items, members, sprints, streams
from sprinttui.services.item_rows import ItemQuery
from sprinttui.store import batches
from sprinttui.store.models import ImportBatch, Item, ItemEvent, Member, Sprint, SprintEvent, Stream


def _table(model):
    return model.__table__


@pytest.fixture
def hidden(ctx):
    """SAL-1 on the board of the active sprint S1, and a batch (unpublished) holding a
    stream HID, a member ghost, a sprint "Hidden", the item HID-1 on S1's board, a
    title change of SAL-1 and SAL-1 leaving S1."""
    streams.add_stream(ctx, "SAL", "Sales")
    sprints.new_sprint(ctx, "S1", start="2026-12-07", end="2026-12-18")
    items.create_item(ctx, "Visible card", stream="SAL", sprint="S1")
    sprints.start_sprint(ctx, "S1")
    now = ctx.now()
    with ctx.db.write() as s:
        c = s.connection()
        batch = c.execute(insert(_table(ImportBatch)).values(
            source="test", started_by="importer", started_at=now, owner="", published=False)
            .returning(_table(ImportBatch).c.id)).scalar_one()
        stream = c.execute(insert(_table(Stream)).values(key="HID", name="Hidden stream", next_seq=2, version=1,
                                                         description="", import_batch_id=batch)
                           .returning(_table(Stream).c.id)).scalar_one()
        c.execute(insert(_table(Member)).values(handle="ghost", name="Ghost", competences="", availability=100,
                                                active=True, version=1, import_batch_id=batch))
        c.execute(insert(_table(Sprint)).values(name="Hidden", goal="", start_date=now.date(), end_date=now.date(),
                                                state="planned", version=1, import_batch_id=batch))
        s1 = c.execute(select(_table(Sprint).c.id).where(_table(Sprint).c.name == "S1")).scalar_one()
        sal1 = c.execute(select(_table(Item).c.id).where(_table(Item).c.key == "SAL-1")).scalar_one()
        c.execute(insert(_table(Item)).values(
            key="HID-1", stream_id=stream, seq=1, title="Hidden card", description="", kind="story", status="todo",
            blocked=False, blocked_reason="", rank=99.0, sprint_id=s1, labels="", slip_count=0, deleted=False,
            created_by="importer", created_at=now, updated_by="importer", updated_at=now, version=1,
            import_batch_id=batch))
        c.execute(insert(_table(ItemEvent)).values(item_id=sal1, at=now, actor="importer", field="title",
                                                   old="Visible card", new="Imported title", import_batch_id=batch))
        c.execute(insert(_table(SprintEvent)).values(sprint_id=s1, item_id=sal1, kind="leave", at=now,
                                                     actor="importer", import_batch_id=batch))
    return ctx, batch


def _seen(ctx) -> dict:
    counts = board.board_counts(ctx, "S1")
    return {
        "streams": [st.key for st in streams.list_streams(ctx)],
        "members": [m.handle for m in members.list_members(ctx)],
        "sprints": [sp.name for sp in sprints.list_sprints(ctx)],
        "items": [r.key for r in items.list_items(ctx, ItemQuery())],
        "board todo": counts["todo"][0],
        "history of SAL-1": [h.field for h in items.history(ctx, "SAL-1")],
    }


def test_an_unpublished_batch_is_seen_nowhere_and_a_published_one_everywhere(hidden):
    ctx, batch = hidden
    before = _seen(ctx)
    assert before["streams"] == ["SAL"] and before["members"] == [] and before["sprints"] == ["S1"]
    assert before["items"] == ["SAL-1"] and "title" not in before["history of SAL-1"]
    with pytest.raises(NotFoundError):
        items.get_item(ctx, "HID-1")
    # a write that reads first does not touch hidden rows either
    with pytest.raises(NotFoundError):
        items.edit_item(ctx, "HID-1", title="Found it")

    with ctx.db.write() as s:
        batches.publish_batch(s.connection(), batch, ctx.now())
    after = _seen(ctx)
    assert sorted(after["streams"]) == ["HID", "SAL"] and after["members"] == ["ghost"]
    assert sorted(after["sprints"]) == ["Hidden", "S1"]
    assert sorted(after["items"]) == ["HID-1", "SAL-1"] and "title" in after["history of SAL-1"]
    assert (before["board todo"], after["board todo"]) == (1, 2)
    assert items.get_item(ctx, "HID-1").row.title == "Hidden card"


def test_a_batch_writer_lets_others_in_after_holding_the_lock_for_a_while(ctx):
    """Paced: on SQLite, a pause (longer than a waiting writer's retry interval) each time the
    batch's transactions have held the write lock for HOLD_SECONDS in all; none on PostgreSQL.
    The clock is the test's: every reading is a quarter second later."""
    readings = iter(x * 0.25 for x in range(100))
    pauses: list[float] = []
    with ctx.db.engine.connect() as conn:
        paced = batches.Paced(ctx.db, conn, clock=lambda: next(readings), pause=pauses.append)
        for n in range(4):
            with paced.write() as s:
                s.connection().execute(insert(_table(Stream)).values(
                    key=f"P{n}", name=f"Paced {n}", next_seq=1, version=1, description=""))
    assert [st.key for st in streams.list_streams(ctx)] == ["P0", "P1", "P2", "P3"], "every write committed"
    # each transaction held the lock 0.25 s: a pause after the second and after the fourth
    assert pauses == ([batches.PAUSE_SECONDS] * 2 if ctx.db.is_sqlite else [])
    assert batches.PAUSE_SECONDS > 0.1, "longer than the busy handler sleeps between two tries"
