"""Items: keys, history of every change, validation, text hygiene, optimistic
locking, ranking and listing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from sprinttui.domain import (
    ConflictError,
    NotFoundError,
    SprintTuiError,
    StateError,
    ValidationError,
)
from sprinttui.services import items, members, sprints, streams
from sprinttui.services.items import create_item, edit_item, history, move_item, plan_item


@pytest.fixture
def proj(tctx, clock):
    """Two streams, two members, a planned sprint; returns the timed ctx."""
    streams.add_stream(tctx, "SAL", "Sales")
    streams.add_stream(tctx, "OPS", "Operations")
    members.add_member(tctx, "alice", "Alice", stream="SAL")
    members.add_member(tctx, "bob", "Bob", stream="OPS")
    sprints.new_sprint(tctx, "S1", start="2026-01-05", end="2026-01-16")
    return tctx


def fields(c, key: str) -> list[tuple]:
    return [(h.field, h.old, h.new) for h in history(c, key)]


def snapshot(c) -> dict:
    """Everything a user could see about the items, to check 'nothing was written'."""
    rows = items.list_items(c, order="key")
    deleted_too = {}
    for r in rows:
        deleted_too[r.key] = (r, history(c, r.key))
    return {"rows": rows, "history": deleted_too, "count": items.count_items(c)}


# --------------------------------------------------------------------------- keys


def test_item_keys_count_per_stream_and_are_never_reused(proj):
    c = proj
    assert create_item(c, "First sales", stream="SAL").key == "SAL-1"
    assert create_item(c, "Second sales", stream="sal").key == "SAL-2"  # key typed in lower case
    assert create_item(c, "First ops", stream="OPS").key == "OPS-1"
    items.delete_item(c, "SAL-2")
    assert create_item(c, "Third sales", stream="SAL").key == "SAL-3"  # SAL-2 stays taken
    items.delete_item(c, "SAL-3")
    assert create_item(c, "Fourth sales", stream="SAL").key == "SAL-4"
    assert [r.key for r in items.list_items(c, order="key")] == ["SAL-1", "SAL-4", "OPS-1"]


def test_deleted_item_is_hidden_keeps_its_history_and_can_be_restored(proj, clock):
    c = proj
    create_item(c, "To delete", stream="SAL", points=3)
    clock.advance(hours=1)
    deleted = items.delete_item(c, "SAL-1")
    assert deleted.key == "SAL-1"
    with pytest.raises(NotFoundError):
        items.get_row(c, "SAL-1")
    with pytest.raises(NotFoundError):
        edit_item(c, "SAL-1", title="edited while deleted")
    assert items.count_items(c) == 0
    assert ("deleted", None, "yes") in fields(c, "SAL-1")  # history still readable
    clock.advance(hours=1)
    restored = items.restore_item(c, "SAL-1")
    assert restored.title == "To delete" and restored.points == 3.0
    assert fields(c, "SAL-1")[-1] == ("deleted", "yes", None)
    assert items.count_items(c) == 1


def test_key_lookup_errors_are_clear(proj):
    c = proj
    with pytest.raises(NotFoundError) as err:
        items.get_row(c, "SAL-99")
    assert "SAL-99" in str(err.value)
    with pytest.raises(ValidationError) as err:
        items.get_row(c, "not a key\nreally")
    assert "\n" not in str(err.value)
    create_item(c, "Found by lower-case key", stream="SAL")
    assert items.get_row(c, " sal-1 ").key == "SAL-1"


# --------------------------------------------------------------------------- history


def test_every_change_is_in_history_with_who_and_when(proj, clock):
    c = proj
    bob = replace(c, user="bob")
    t0 = clock.set("2026-01-02 09:00")
    create_item(c, "Import leads", stream="SAL", kind="task")
    assert [(h.field, h.new, h.actor, h.at) for h in history(c, "SAL-1")] == [
        ("created", "Import leads", "tester", t0)
    ]

    t1 = clock.set("2026-01-02 10:00")
    edit_item(bob, "SAL-1", title="Import all leads", points=3, description="from the old CRM",
              labels="data, migration", due="2026-01-20", kind="story")
    t2 = clock.set("2026-01-02 11:00")
    edit_item(c, "SAL-1", points=2.5, assignee="alice")
    t3 = clock.set("2026-01-02 12:00")
    plan_item(c, "SAL-1", "S1")
    t4 = clock.set("2026-01-05 10:00")
    move_item(bob, "SAL-1", "doing")
    t5 = clock.set("2026-01-06 10:00")
    items.set_blocked(c, "SAL-1", True, "waiting for export")
    t6 = clock.set("2026-01-07 10:00")
    items.set_blocked(bob, "SAL-1", False)
    t7 = clock.set("2026-01-07 11:00")
    edit_item(c, "SAL-1", assignee="bob")
    t8 = clock.set("2026-01-07 12:00")
    edit_item(c, "SAL-1", assignee="")
    t9 = clock.set("2026-01-08 10:00")
    plan_item(bob, "SAL-1", None)
    t10 = clock.set("2026-01-08 11:00")
    items.delete_item(c, "SAL-1")
    t11 = clock.set("2026-01-08 12:00")
    items.restore_item(bob, "SAL-1")

    h = [(e.field, e.old, e.new, e.actor, e.at) for e in history(c, "SAL-1")]
    expected = [
        ("created", None, "Import leads", "tester", t0),
        ("title", "Import leads", "Import all leads", "bob", t1),
        ("description", "", "from the old CRM", "bob", t1),
        ("kind", "task", "story", "bob", t1),
        ("points", None, "3", "bob", t1),
        ("due", None, "2026-01-20", "bob", t1),
        ("labels", "", "data,migration", "bob", t1),
        ("points", "3", "2.5", "tester", t2),
        ("assignee", "", "alice", "tester", t2),
        ("sprint", None, "S1", "tester", t3),
        ("status", "todo", "doing", "bob", t4),
        ("blocked", "no", "yes", "tester", t5),
        ("blocked_reason", "", "waiting for export", "tester", t5),
        ("blocked", "yes", "no", "bob", t6),
        ("blocked_reason", "waiting for export", "", "bob", t6),
        ("assignee", "alice", "bob", "tester", t7),
        ("sprint", "S1", None, "bob", t9),
        ("deleted", None, "yes", "tester", t10),
        ("deleted", "yes", None, "bob", t11),
    ]
    # unassigning: old "bob", new empty
    unassign = [e for e in h if e[0] == "assignee" and e[4] == t8]
    assert len(unassign) == 1 and unassign[0][1] == "bob" and unassign[0][2] in ("", None)
    # history is chronological; within one edit the order of the fields does not matter
    assert [e[4] for e in h] == sorted(e[4] for e in h)
    assert sorted((e for e in h if e[4] != t8), key=repr) == sorted(expected, key=repr)

    detail = items.get_item(c, "SAL-1")
    assert detail.created_by == "tester" and detail.created_at == t0
    assert detail.updated_by == "bob" and detail.updated_at == t11
    assert detail.row.assignee is None and detail.row.sprint is None
    assert detail.row.labels == ["data", "migration"]
    assert detail.row.due_date == date(2026, 1, 20)


def test_create_into_a_sprint_is_in_history(proj, clock):
    c = proj
    create_item(c, "Planned at once", stream="OPS", sprint="S1", points=1)
    assert fields(c, "OPS-1") == [("created", None, "Planned at once"), ("sprint", None, "S1")]


def test_edit_that_changes_nothing_writes_nothing(proj, clock):
    c = proj
    row = create_item(c, "Same", stream="SAL", points=2, assignee="alice")
    clock.advance(hours=1)
    again = edit_item(c, "SAL-1", title="Same", points="2", assignee="alice", status="todo")
    assert again.version == row.version
    assert len(history(c, "SAL-1")) == 1
    detail = items.get_item(c, "SAL-1")
    assert detail.updated_at == detail.created_at


def test_plan_items_moves_several_at_once_with_history(proj, clock):
    c = proj
    for n in range(3):
        create_item(c, f"Item {n}", stream="SAL", points=1)
    clock.advance(hours=1)
    rows = items.plan_items(c, ["SAL-1", "SAL-3"], "S1").rows
    assert [r.sprint for r in rows] == ["S1", "S1"]
    assert [r.key for r in items.list_items(c, sprint="S1")] == ["SAL-1", "SAL-3"]
    assert fields(c, "SAL-3")[-1] == ("sprint", None, "S1")
    assert len(history(c, "SAL-2")) == 1
    with pytest.raises(NotFoundError):
        items.plan_items(c, ["SAL-2", "SAL-77"], "S1")  # one bad key: none is planned
    assert items.get_row(c, "SAL-2").sprint is None


# --------------------------------------------------------------------------- validation


CREATE_ERRORS = [
    (dict(points=-1), ValidationError),
    (dict(points="abc"), ValidationError),
    (dict(points="nan"), ValidationError),
    (dict(points="1e400"), ValidationError),
    (dict(due="2026-13-45"), ValidationError),
    (dict(due="someday"), ValidationError),
    (dict(stream="NOPE"), NotFoundError),
    (dict(assignee="ghost"), NotFoundError),
    (dict(sprint="S9"), NotFoundError),
    (dict(title=""), ValidationError),
    (dict(title="   "), ValidationError),
    (dict(title="\x1b\x00\x07"), ValidationError),  # nothing left after stripping controls
    (dict(kind="epic"), ValidationError),
    (dict(status="finished"), ValidationError),
    (dict(kpi="No such KPI"), NotFoundError),
]


@pytest.mark.parametrize("bad, error", CREATE_ERRORS, ids=[repr(b) for b, _ in CREATE_ERRORS])
def test_create_item_rejects_bad_input_and_writes_nothing(proj, bad, error):
    c = proj
    create_item(c, "Existing", stream="SAL", points=1)
    before = snapshot(c)
    args = dict(title="New item", stream="SAL", points=2)
    args.update(bad)
    title = args.pop("title")
    with pytest.raises(error) as err:
        create_item(c, title, **args)
    assert isinstance(err.value, SprintTuiError)
    assert str(err.value) and "\n" not in str(err.value)
    assert snapshot(c) == before
    # the failed create did not use up a number
    assert create_item(c, "Next", stream="SAL").key == "SAL-2"


EDIT_ERRORS = [
    (dict(points=-0.5), ValidationError),
    (dict(points="abc"), ValidationError),
    (dict(due="31/31/2026"), ValidationError),
    (dict(due="next blursday"), ValidationError),
    (dict(assignee="ghost"), NotFoundError),
    (dict(sprint="S9"), NotFoundError),
    (dict(title=""), ValidationError),
    (dict(kind="epic"), ValidationError),
    (dict(status="finished"), ValidationError),
    (dict(stream="OPS"), ValidationError),  # the stream is part of the key
    (dict(blocked=True), ValidationError),  # blocked needs a reason
    (dict(colour="red"), ValidationError),  # not an editable field
]


@pytest.mark.parametrize("bad, error", EDIT_ERRORS, ids=[repr(b) for b, _ in EDIT_ERRORS])
def test_edit_item_rejects_bad_input_and_writes_nothing(proj, clock, bad, error):
    c = proj
    create_item(c, "Original", stream="SAL", points=1, assignee="alice")
    clock.advance(hours=1)
    before = snapshot(c)
    # a good change together with the bad one: neither is saved
    good = dict(title="Changed", points=5) if not {"title", "points"} & set(bad) else dict(labels="changed")
    with pytest.raises(error) as err:
        edit_item(c, "SAL-1", **good, **bad)
    assert isinstance(err.value, SprintTuiError)
    assert str(err.value) and "\n" not in str(err.value)
    assert snapshot(c) == before


@pytest.mark.parametrize("key, error", [("SAL-9", NotFoundError), ("OPS-1", NotFoundError),
                                        ("SAL 1", ValidationError), ("", ValidationError)])
def test_edit_unknown_item_is_an_error(proj, key, error):
    create_item(proj, "Only one", stream="SAL")
    with pytest.raises(error) as err:
        edit_item(proj, key, title="x")
    assert "\n" not in str(err.value)


def test_control_characters_are_stripped_and_markup_is_kept_literally(proj):
    c = proj
    row = create_item(c, "Fix \x1b[31mred\x1b[0m\x00 alert\x07\r\nnow", stream="SAL",
                      description="line one\n\x1b]52;c;evil\x07line two\x00")
    assert row.title == "Fix [31mred[0m alert  now"
    detail = items.get_item(c, "SAL-1")
    assert "\x1b" not in detail.description and "\x00" not in detail.description
    assert detail.description.split("\n") == ["line one", "]52;c;evilline two"]  # newlines kept

    markup = "[bold]x[/] [link=file:///etc/passwd]y[/link] [@click=app.quit]z[/]"
    row = create_item(c, markup, stream="SAL")
    assert items.get_row(c, row.key).title == markup
    edited = edit_item(c, row.key, title="[red]still literal[/red]\x1b")
    assert edited.title == "[red]still literal[/red]"
    assert history(c, row.key)[-1].new == "[red]still literal[/red]"
    assert [r.key for r in items.list_items(c, text="[bold]")] == []  # the old title is gone
    assert items.list_items(c, text="[red]")[0].key == row.key


# --------------------------------------------------------------------------- optimistic locking


def test_stale_expected_version_is_refused_and_changes_nothing(proj, clock):
    c = proj
    v1 = create_item(c, "Shared", stream="SAL", points=1).version
    clock.advance(minutes=1)
    v2 = edit_item(c, "SAL-1", points=2, expected_version=v1).version
    assert v2 != v1
    before = snapshot(c)
    clock.advance(minutes=1)
    with pytest.raises(ConflictError) as err:
        edit_item(c, "SAL-1", title="Overwrite", expected_version=v1)
    assert err.value.current_version == v2
    assert "\n" not in str(err.value)
    for call in (
        lambda: move_item(c, "SAL-1", "done", expected_version=v1),
        lambda: plan_item(c, "SAL-1", "S1", expected_version=v1),
        lambda: items.set_blocked(c, "SAL-1", True, "x", expected_version=v1),
        lambda: items.delete_item(c, "SAL-1", expected_version=v1),
    ):
        with pytest.raises(ConflictError):
            call()
    assert snapshot(c) == before


def test_two_users_on_the_same_file_first_edit_wins(proj, make_ctx, clock):
    c = proj
    create_item(c, "Contested", stream="SAL", points=1)
    other = make_ctx("bob", clock=clock)  # its own Database, like a second process
    assert other.db is not c.db
    v_first = items.get_row(c, "SAL-1").version
    v_second = items.get_row(other, "SAL-1").version
    assert v_first == v_second

    clock.advance(minutes=1)
    won = edit_item(c, "SAL-1", title="Tester's title", expected_version=v_first)
    with pytest.raises(ConflictError):
        edit_item(other, "SAL-1", title="Bob's title", points=8, expected_version=v_second)

    for view in (c, other):
        row = items.get_row(view, "SAL-1")
        assert row.title == "Tester's title" and row.points == 1.0
        assert row.version == won.version
    assert [h.actor for h in history(other, "SAL-1")] == ["tester", "tester"]
    # after reloading, bob can save on top of the new version
    edit_item(other, "SAL-1", points=8, expected_version=won.version)
    assert items.get_row(c, "SAL-1").points == 8.0


# --------------------------------------------------------------------------- ranking and lists


def test_backlog_pages_in_rank_order_skip_planned_done_and_deleted_items(proj, clock):
    """The backlog read a page at a time (Planning, the CLI's --limit) gives the
    same items in the same order as the whole backlog read at once."""
    c = proj
    for n in range(12):
        create_item(c, f"Item {n}", stream="SAL" if n % 3 else "OPS", points=n % 5,
                    sprint="S1" if n % 4 == 0 else None)
    move_item(c, "SAL-2", "done")
    items.delete_item(c, "SAL-4")
    items.rerank(c, "SAL-8", before="SAL-1")
    whole = [r.key for r in items.list_items(c, sprint="backlog", include_done=False)]
    assert "SAL-2" not in whole and "SAL-4" not in whole and "OPS-1" not in whole  # done, deleted, in S1
    assert whole[0] == "SAL-8" and len(whole) == 7
    paged = [r.key for offset in range(0, 9, 2)
             for r in items.list_items(c, sprint="backlog", include_done=False, limit=2, offset=offset)]
    assert paged == whole
    assert [r.key for r in items.list_items(c, sprint="backlog", stream="OPS", limit=5)] == \
        [k for k in whole if k.startswith("OPS")]


def test_rerank_before_and_after_changes_list_order(proj):
    c = proj
    for t in "ABCD":
        create_item(c, t, stream="SAL")
    order = lambda: [r.title for r in items.list_items(c, order="rank")]  # noqa: E731
    assert order() == ["A", "B", "C", "D"]
    items.rerank(c, "SAL-4", before="SAL-2")
    assert order() == ["A", "D", "B", "C"]
    items.rerank(c, "SAL-1", after="SAL-3")
    assert order() == ["D", "B", "C", "A"]
    items.rerank(c, "SAL-2", before="SAL-4")
    assert order() == ["B", "D", "C", "A"]
    items.rerank(c, "SAL-3", after="SAL-1")
    assert order() == ["B", "D", "A", "C"]
    items.rerank(c, "SAL-3", after="SAL-3")  # onto itself: nothing moves
    assert order() == ["B", "D", "A", "C"]
    with pytest.raises(ValidationError):
        items.rerank(c, "SAL-1")
    with pytest.raises(ValidationError):
        items.rerank(c, "SAL-1", before="SAL-2", after="SAL-3")
    with pytest.raises(NotFoundError):
        items.rerank(c, "SAL-1", before="SAL-42")
    assert order() == ["B", "D", "A", "C"]


def test_reranking_is_in_the_history_but_does_not_conflict_with_an_open_editor(proj, make_ctx):
    c = proj
    for t in "ABC":
        create_item(c, t, stream="SAL")
    opened = items.get_row(c, "SAL-3")  # someone opens SAL-3 in the editor
    other = make_ctx("bob")
    moved = items.rerank(other, "SAL-3", before="SAL-1")  # bob moves it to the top
    assert moved.version == opened.version
    assert [r.key for r in items.list_items(c, order="rank")] == ["SAL-3", "SAL-1", "SAL-2"]
    (rank_event,) = [h for h in history(c, "SAL-3") if h.field == "rank"]
    assert rank_event.actor == "bob"
    detail = items.get_item(c, "SAL-3")
    assert detail.updated_by == "bob"
    # the editor's save goes through: the rank was nobody's edit of the item
    saved = edit_item(c, "SAL-3", points=5, expected_version=opened.version)
    assert saved.points == 5.0 and saved.version == opened.version + 1
    assert [r.key for r in items.list_items(c, order="rank")] == ["SAL-3", "SAL-1", "SAL-2"]
    # and a real edit by someone else still conflicts
    edit_item(other, "SAL-3", title="C2", expected_version=saved.version)
    with pytest.raises(ConflictError):
        edit_item(c, "SAL-3", points=8, expected_version=saved.version)


def test_rerank_keeps_order_when_ranks_run_out_of_room(proj):
    c = proj
    for t in "ABCDE":
        create_item(c, t, stream="SAL")
    # swapping B and C over and over halves the gap each time until the ranks
    # must be renumbered; the order must stay exactly what was asked for
    expected = ["A", "B", "C", "D", "E"]
    for n in range(40):
        mover, anchor = ("SAL-3", "SAL-2") if n % 2 == 0 else ("SAL-2", "SAL-3")
        items.rerank(c, mover, before=anchor)
        i, j = expected.index("B"), expected.index("C")
        expected[i], expected[j] = expected[j], expected[i]
        assert [r.title for r in items.list_items(c, order="rank")] == expected, n
    items.rerank(c, "SAL-5", after="SAL-1")
    assert [r.title for r in items.list_items(c, order="rank")][:2] == ["A", "E"]


def test_list_items_filters_and_orders(proj, clock):
    c = proj
    create_item(c, "Alpha 100% done", stream="SAL", points=3, sprint="S1", assignee="alice")  # SAL-1
    create_item(c, "Beta 100 done", stream="SAL", points=8)  # SAL-2
    create_item(c, "Gamma_x", stream="OPS", points=1, sprint="S1", assignee="bob")  # OPS-1
    create_item(c, "Delta", stream="OPS", points=5, sprint="S1")  # OPS-2
    move_item(c, "OPS-1", "done")
    items.set_blocked(c, "OPS-2", True, "vendor")

    keys = lambda **kw: [r.key for r in items.list_items(c, **kw)]  # noqa: E731
    assert keys(sprint="S1") == ["SAL-1", "OPS-1", "OPS-2"]
    assert keys(sprint="backlog") == ["SAL-2"]
    assert keys(stream="OPS") == ["OPS-1", "OPS-2"]
    assert keys(status="done") == ["OPS-1"]
    assert keys(statuses=["todo", "done"]) == ["SAL-1", "SAL-2", "OPS-1", "OPS-2"]
    assert keys(assignee="alice") == ["SAL-1"]
    assert keys(include_done=False) == ["SAL-1", "SAL-2", "OPS-2"]
    assert keys(blocked_only=True) == ["OPS-2"]
    assert keys(text="100%") == ["SAL-1"]  # % is literal, not a wildcard
    assert keys(text="a_x") == ["OPS-1"]  # so is _
    assert keys(text="ops-2") == ["OPS-2"]  # keys match too, any case
    assert keys(order="points") == ["SAL-2", "OPS-2", "SAL-1", "OPS-1"]
    assert keys(order="key") == ["SAL-1", "SAL-2", "OPS-1", "OPS-2"]
    assert keys(order="rank", limit=2, offset=1) == ["SAL-2", "OPS-1"]
    assert items.count_items(c, sprint="S1") == 3
    assert items.count_items(c, include_done=False, stream="OPS") == 1
    with pytest.raises(ValidationError):
        items.list_items(c, order="colour")
    with pytest.raises(NotFoundError):
        items.list_items(c, sprint="S9")
    with pytest.raises(ValidationError):
        items.list_items(c, status="finished")


def test_block_needs_a_reason_and_unblock_clears_it(proj, clock):
    c = proj
    create_item(c, "Blockable", stream="SAL")
    with pytest.raises(ValidationError):
        items.set_blocked(c, "SAL-1", True, "   ")
    assert not items.get_row(c, "SAL-1").blocked
    row = items.set_blocked(c, "SAL-1", True, "licences")
    assert (row.blocked, row.blocked_reason) == (True, "licences")
    row = items.set_blocked(c, "SAL-1", False)
    assert (row.blocked, row.blocked_reason) == (False, "")


def test_create_a_blocked_item_in_one_transaction(proj, clock):
    c = proj
    row = create_item(c, "Blocked at once", stream="SAL", sprint="S1", blocked=True, blocked_reason=" licences ")
    assert (row.key, row.blocked, row.blocked_reason, row.sprint) == ("SAL-1", True, "licences", "S1")
    assert fields(c, "SAL-1") == [("created", None, "Blocked at once"), ("sprint", None, "S1"),
                                  ("blocked", "no", "yes"), ("blocked_reason", "", "licences")]
    assert items.get_row(c, "SAL-1") == row  # the version returned is the saved one
    # no reason: nothing is created, not even the key
    with pytest.raises(ValidationError, match="say why") as err:
        create_item(c, "Blocked, no reason", stream="SAL", blocked=True, blocked_reason="  ")
    assert err.value.field == "blocked_reason"
    assert [r.key for r in items.list_items(c)] == ["SAL-1"]
    assert create_item(c, "Next", stream="SAL", blocked_reason="ignored unless blocked").key == "SAL-2"
    assert not items.get_row(c, "SAL-2").blocked and items.get_row(c, "SAL-2").blocked_reason == ""


def test_plan_into_closed_sprint_is_a_state_error(proj, clock):
    c = proj
    sprints.start_sprint(c, "S1")
    clock.advance(days=10)
    sprints.close_sprint(c, "S1", carry_to=None)
    create_item(c, "Late", stream="SAL")
    with pytest.raises(StateError):
        plan_item(c, "SAL-1", "S1")
    assert fields(c, "SAL-1") == [("created", None, "Late")]


def test_restored_item_does_not_come_back_inside_a_closed_sprint(proj, clock):
    c = proj
    create_item(c, "Deleted during the sprint", stream="SAL", points=2, sprint="S1")
    clock.set("2026-01-05")
    sprints.start_sprint(c, "S1")
    clock.set("2026-01-06")
    items.delete_item(c, "SAL-1")
    clock.set("2026-01-16 17:00")
    sprints.close_sprint(c, "S1", carry_to=None)
    clock.set("2026-01-19")
    row = items.restore_item(c, "SAL-1")
    assert row.status == "todo"
    assert row.sprint is None or sprints.get_sprint(c, row.sprint).state != "closed"
    assert items.list_items(c, sprint="S1", include_done=False) == []


def test_concurrent_creates_from_several_connections_get_distinct_keys(proj, make_ctx):
    import threading

    contexts = [make_ctx(f"user{n}") for n in range(4)]
    errors: list[BaseException] = []
    made: list[str] = []
    lock = threading.Lock()

    def work(c):
        try:
            for n in range(8):
                key = create_item(c, f"{c.user} #{n}", stream="SAL", points=1).key
                with lock:
                    made.append(key)
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(c,)) for c in contexts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert sorted(made, key=lambda k: int(k.split("-")[1])) == [f"SAL-{n}" for n in range(1, 33)]
    assert items.count_items(proj, stream="SAL") == 32
    assert create_item(proj, "After the rush", stream="SAL").key == "SAL-33"


def test_windows_and_old_mac_line_ends_in_a_description_become_plain_newlines(ctx):
    streams.add_stream(ctx, "SAL", "Sales")
    row = items.create_item(ctx, "Line ends", stream="SAL", description="one\r\ntwo\rthree\nfour\x1b[2J")
    assert items.get_item(ctx, row.key).description == "one\ntwo\nthree\nfour[2J"


def test_count_and_points_sum_in_sql_with_the_same_filters_as_the_list(proj):
    c = proj
    sprints.new_sprint(c, "S9", start="2026-02-02", end="2026-02-13")
    create_item(c, "A", stream="SAL", points=3, sprint="S9")
    create_item(c, "B", stream="SAL", points=2.5, sprint="S9")
    create_item(c, "C", stream="SAL", sprint="S9")  # not estimated: counts, adds no points
    create_item(c, "D", stream="SAL", points=8)  # the backlog
    assert items.count_and_points(c, sprint="S9") == (3, 5.5)
    assert items.count_and_points(c, sprint="S9", text="b") == (1, 2.5)
    assert items.count_and_points(c, sprint="backlog", stream="SAL")[1] >= 8.0
    assert items.count_and_points(c, sprint="S9", status="done") == (0, 0.0)


# --------------------------------------------------------------------------- taking a planning back


def _figures(c, sprint: str) -> tuple:
    from sprinttui.services import reports

    t = reports.sprint_report(c, sprint).totals
    return (t.committed_points, t.added_points, t.removed_points, t.completed_points)


def test_reverting_a_planning_leaves_the_sprint_figures_as_they_were(proj, clock):
    c = proj
    for n in range(3):
        create_item(c, f"Item {n}", stream="SAL", points=n + 1, sprint="S1" if n == 0 else None)
    clock.set("2026-01-05 09:00")
    sprints.start_sprint(c, "S1")
    clock.advance(hours=2)
    figures = _figures(c, "S1")
    planning = items.plan_items(c, ["SAL-2", "SAL-3", "SAL-1"], "S1")  # SAL-1 is in S1 already
    assert planning.before == {"SAL-2": None, "SAL-3": None}
    assert _figures(c, "S1") != figures  # added in the running sprint
    clock.advance(minutes=5)
    back = items.revert_planning(c, planning)
    assert [(r.key, r.sprint) for r in back] == [("SAL-2", None), ("SAL-3", None)]
    assert _figures(c, "S1") == figures  # no trace in the management report
    # the item's own history tells both
    assert fields(c, "SAL-2")[-2:] == [("sprint", None, "S1"), ("sprint", "S1", None)]


def test_reverting_a_planning_refuses_when_someone_changed_an_item_since(proj, make_ctx, clock):
    c = proj
    create_item(c, "Mine", stream="SAL")
    create_item(c, "Also mine", stream="SAL")
    planning = items.plan_items(c, ["SAL-1", "SAL-2"], "S1")
    other = replace(make_ctx("bob"), clock=clock)
    edit_item(other, "SAL-2", title="Bob's title")
    with pytest.raises(ConflictError):
        items.revert_planning(c, planning)
    # nothing was taken back: not even the item nobody touched
    assert [items.get_row(c, k).sprint for k in ("SAL-1", "SAL-2")] == ["S1", "S1"]
    assert items.get_row(c, "SAL-2").title == "Bob's title"


def test_a_planning_taken_back_after_the_sprint_started_is_an_ordinary_removal(proj, clock):
    c = proj
    create_item(c, "Early", stream="SAL", points=5)
    planning = items.plan_items(c, ["SAL-1"], "S1")
    clock.set("2026-01-05 09:00")
    sprints.start_sprint(c, "S1")  # SAL-1 is now committed: its record of S1 stays
    clock.advance(hours=1)
    items.revert_planning(c, planning)
    assert items.get_row(c, "SAL-1").sprint is None
    committed, _added, removed, _done = _figures(c, "S1")
    assert (committed, removed) == (5, 5)
