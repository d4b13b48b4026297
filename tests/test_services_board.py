"""The board's reads: a column a page at a time in rank order, and the count and
points of every column, with the stream and text filters applied in SQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sprinttui.domain import NotFoundError, ValidationError
from sprinttui.services import board as board_svc
from sprinttui.services import items, sprints, streams
from sprinttui.services.item_rows import ItemQuery, ItemRow
from sql_trace import query_plan, statements

STATUSES = ["todo", "doing", "review", "done"]


@pytest.fixture
def board(tctx):
    """Active sprint S1 with 23 SAL cards in To do (some without points, one
    titled with LIKE wildcards), 4 OPS cards in To do, 3 SAL in Doing, nothing
    in Review, 2 OPS in Done; plus a backlog item, an item of the next sprint
    and a deleted card that must count nowhere. Some To do cards are re-ranked
    so that rank order is not key order."""
    c = tctx
    streams.add_stream(c, "SAL", "Sales")
    streams.add_stream(c, "OPS", "Operations")
    today = c.today()
    sprints.new_sprint(c, "S1", start=today - timedelta(days=2), end=today + timedelta(days=5))
    sprints.new_sprint(c, "S2", start=today + timedelta(days=6), end=today + timedelta(days=19))
    with c.db.write() as s:
        for i in range(1, 24):
            title = "Migrate 100%_done records" if i == 7 else f"Sales task {i}"
            items.create_item(c, title, stream="SAL", sprint="S1", points=None if i % 5 == 0 else i % 4 + 1,
                              session=s)
        for i in range(1, 5):
            items.create_item(c, f"Ops chore {i}", stream="OPS", sprint="S1", points=2, session=s)
        for i in range(1, 4):
            items.create_item(c, f"Sales doing {i}", stream="SAL", sprint="S1", status="doing", points=0.5,
                              session=s)
        for i in range(1, 3):
            items.create_item(c, f"Ops finished {i}", stream="OPS", sprint="S1", status="done", points=3,
                              session=s)
        items.create_item(c, "Someday", stream="SAL", points=8, session=s)
        items.create_item(c, "Next sprint work", stream="SAL", sprint="S2", points=8, session=s)
        items.create_item(c, "Thrown away", stream="SAL", sprint="S1", points=13, session=s)
    items.delete_item(c, "SAL-29")
    items.rerank(c, "SAL-20", before="SAL-1")
    items.rerank(c, "OPS-2", before="SAL-3")
    sprints.start_sprint(c, "S1")
    return c


def column(c, status, **kw) -> list[ItemRow]:
    """The whole column, through the general item list (rank order)."""
    return items.list_items(c, ItemQuery(sprint="S1", status=status, **kw))


def keys(rows) -> list[str]:
    return [r.key for r in rows]


# --------------------------------------------------------------------------- pages


def test_pages_of_a_column_follow_rank_order_without_gaps_or_repeats(board):
    whole = keys(column(board, "todo"))
    assert len(whole) == 27 and whole[0] == "SAL-20"  # re-ranked to the top
    pages = [board_svc.board_page(board, "S1", "todo", offset=o, limit=10) for o in (0, 10, 20, 30)]
    assert [len(p) for p in pages] == [10, 10, 7, 0]
    assert keys(sum(pages, [])) == whole
    assert all(r.status == "todo" and r.sprint == "S1" for p in pages for r in p)
    # the rows are complete, as the board draws them
    first = pages[0][0]
    assert first == items.get_row(board, "SAL-20")
    assert (first.title, first.stream, first.points) == ("Sales task 20", "SAL", None)


def test_a_page_is_the_first_cards_by_default_and_holds_only_its_column(board):
    assert keys(board_svc.board_page(board, "S1", "doing")) == ["SAL-24", "SAL-25", "SAL-26"]
    assert board_svc.board_page(board, "S1", "review") == []
    assert keys(board_svc.board_page(board, "S1", "done")) == ["OPS-5", "OPS-6"]
    assert keys(board_svc.board_page(board, "S1", "todo", limit=3)) == keys(column(board, "todo"))[:3]
    # a backlog item, the next sprint's item and a deleted card are on no page
    shown = [k for st in STATUSES for k in keys(board_svc.board_page(board, "S1", st, limit=100))]
    assert {"SAL-27", "SAL-28", "SAL-29"}.isdisjoint(shown)
    assert len(shown) == len(set(shown)) == 27 + 3 + 2


def test_pages_filtered_by_stream_and_by_text(board):
    ops = board_svc.board_page(board, "S1", "todo", stream="ops")
    assert keys(ops) == keys(column(board, "todo", stream="OPS"))
    assert {r.stream for r in ops} == {"OPS"} and len(ops) == 4
    assert keys(board_svc.board_page(board, "S1", "todo", stream="OPS", offset=2, limit=1)) == [keys(ops)[2]]
    # text matches the key or the title, case-insensitively; wildcards are literal
    assert keys(board_svc.board_page(board, "S1", "todo", text="SALES TASK 1")) == keys(
        column(board, "todo", text="sales task 1"))
    assert keys(board_svc.board_page(board, "S1", "todo", text="100%_")) == ["SAL-7"]
    assert keys(board_svc.board_page(board, "S1", "todo", text="%")) == ["SAL-7"]
    assert keys(board_svc.board_page(board, "S1", "todo", text="ops-3")) == ["OPS-3"]
    assert board_svc.board_page(board, "S1", "todo", text="Sales", stream="OPS") == []


def test_page_arguments_are_checked(board):
    with pytest.raises(ValidationError):
        board_svc.board_page(board, "S1", "todo", offset=-1)
    with pytest.raises(ValidationError):
        board_svc.board_page(board, "S1", "todo", limit=-5)
    with pytest.raises(ValidationError):
        board_svc.board_page(board, "S1", "nonsense")
    with pytest.raises(NotFoundError):
        board_svc.board_page(board, "S1", "todo", stream="NOPE")
    with pytest.raises(NotFoundError):
        board_svc.board_page(board, "S9", "todo")


# --------------------------------------------------------------------------- counts


def expected_counts(c, **kw) -> dict[str, tuple[int, float]]:
    out = {}
    for st in STATUSES:
        rows = column(c, st, **kw)
        out[st] = (len(rows), float(sum(r.points or 0 for r in rows)))
    return out


def test_counts_and_points_of_every_column(board):
    counts = board_svc.board_counts(board, "S1")
    assert counts == expected_counts(board)
    assert counts["todo"][0] == 27 and counts["review"] == (0, 0.0)
    assert counts["doing"] == (3, 1.5)
    assert counts["done"] == (2, 6.0)
    # the deleted 13-point card and the 8-point items outside the sprint count nowhere
    assert sum(n for n, _p in counts.values()) == 32


def test_counts_filtered_by_stream_and_text(board):
    assert board_svc.board_counts(board, "S1", stream="OPS") == expected_counts(board, stream="OPS")
    assert board_svc.board_counts(board, "S1", stream="OPS") == {
        "todo": (4, 8.0), "doing": (0, 0.0), "review": (0, 0.0), "done": (2, 6.0)}
    by_text = board_svc.board_counts(board, "S1", text="sales")
    assert by_text == expected_counts(board, text="sales")
    assert by_text["done"] == (0, 0.0) and by_text["doing"][0] == 3
    assert board_svc.board_counts(board, "S1", text="  100%_ ")["todo"][0] == 1
    assert board_svc.board_counts(board, "S1", stream="SAL", text="ops") == {st: (0, 0.0) for st in STATUSES}


def test_counts_follow_moves_and_deletions(board, make_ctx):
    bob = make_ctx("bob")
    before = board_svc.board_counts(board, "S1")
    moved = items.get_row(board, "SAL-2")
    items.move_item(bob, "SAL-2", "review")
    items.delete_item(bob, "OPS-5")
    after = board_svc.board_counts(board, "S1")
    assert after["todo"] == (before["todo"][0] - 1, before["todo"][1] - moved.points)
    assert after["review"] == (1, float(moved.points))
    assert after["done"] == (1, 3.0)


# --------------------------------------------------------------------------- position and slice


def test_position_of_a_card_in_its_column(board):
    whole = keys(column(board, "todo"))
    for index in (0, 5, len(whole) - 1):
        assert board_svc.board_position(board, "S1", whole[index]) == ("todo", index)
    assert board_svc.board_position(board, "S1", "sal-25") == ("doing", 1)
    ops = keys(column(board, "todo", stream="OPS"))
    assert board_svc.board_position(board, "S1", ops[-1], stream="OPS") == ("todo", len(ops) - 1)
    # not on this board: filtered out, deleted, elsewhere
    assert board_svc.board_position(board, "S1", "SAL-1", stream="OPS") is None
    assert board_svc.board_position(board, "S1", "SAL-1", text="chore") is None
    assert board_svc.board_position(board, "S1", "SAL-27") is None  # backlog
    assert board_svc.board_position(board, "S1", "SAL-28") is None  # next sprint
    assert board_svc.board_position(board, "S1", "SAL-29") is None  # deleted


def test_slice_reads_the_first_pages_and_the_counts_together(board):
    whole = {st: keys(column(board, st)) for st in STATUSES}
    view = board_svc.board_slice(board, "S1", limits={"todo": 5, "doing": 2})
    assert view.counts == board_svc.board_counts(board, "S1")
    assert keys(view.pages["todo"]) == whole["todo"][:5]
    assert keys(view.pages["doing"]) == whole["doing"][:2]
    assert keys(view.pages["review"]) == []
    assert keys(view.pages["done"]) == whole["done"]  # the default page holds them all
    filtered = board_svc.board_slice(board, "S1", stream="OPS", text="chore")
    assert keys(filtered.pages["todo"]) == keys(column(board, "todo", stream="OPS", text="chore"))
    assert filtered.counts["todo"] == (4, 8.0) and filtered.counts["done"] == (0, 0.0)


def test_slice_reads_down_to_the_card_to_keep_in_whole_pages(board, monkeypatch):
    monkeypatch.setattr(board_svc, "BOARD_PAGE", 4)
    whole = keys(column(board, "todo"))
    deep = whole[13]  # on the fourth page of four cards
    view = board_svc.board_slice(board, "S1", limits={st: 4 for st in STATUSES}, keep=deep)
    assert keys(view.pages["todo"]) == whole[:16]
    assert keys(view.pages["doing"]) == keys(column(board, "doing"))[:3]
    # a card already within the limits, or not on the board, changes nothing
    assert keys(board_svc.board_slice(board, "S1", limits={"todo": 4}, keep=whole[2]).pages["todo"]) == whole[:4]
    assert keys(board_svc.board_slice(board, "S1", limits={"todo": 4}, keep="SAL-29").pages["todo"]) == whole[:4]
    assert keys(board_svc.board_slice(board, "S1", limits={"todo": 4}, keep=deep, stream="OPS").pages["todo"]) == \
        keys(column(board, "todo", stream="OPS"))[:4]
    with pytest.raises(ValidationError):
        board_svc.board_slice(board, "S1", limits={"later": 3})


# --------------------------------------------------------------------------- reading indexes, not the table


def test_pages_and_counts_are_read_from_the_sprint_indexes_without_a_pass_over_the_items(board):
    """A column's page walks ix_item_sprint_board in rank order (no sort of the
    column) and the counts come from ix_item_sprint_counts alone, with and
    without a stream filter: what the board reads follows what it shows."""
    if board.db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query plan")
    engine = board.db.engine
    with statements(engine) as seen:
        board_svc.board_slice(board, "S1")
        board_svc.board_slice(board, "S1", stream="SAL")
    plans = [(st, query_plan(engine, st, params)) for st, params in seen
             if st.lstrip().upper().startswith("SELECT") and "FROM item" in st]
    counts = [p for st, p in plans if "count(item.id)" in st]
    pages = [p for st, p in plans if "LIMIT" in st]
    # empty columns are not read: Review; with the SAL filter also Done
    assert len(counts) == 2 and len(pages) == 3 + 2
    for plan in counts:
        assert any("COVERING INDEX ix_item_sprint_counts" in step for step in plan), plan
    for plan in pages:
        inner = [step for step in plan if "ix_item_sprint_board" in step]
        assert inner and "SCAN item" not in " ".join(plan), plan
    # the one sort left is of the page's few joined rows, not of the column
    assert all(sum("TEMP B-TREE" in step for step in plan) == 1 for plan in pages)
