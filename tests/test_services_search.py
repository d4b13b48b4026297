"""The text filter of an item list, the backlog search and the board filter:
what a person types is looked for in the item's key, title, labels,
description and in its assignee's handle and name, in any case, as one
literal piece; nothing else of the item matches."""

from __future__ import annotations

import pytest

from sprinttui.services import board as board_svc
from sprinttui.services import items, members, sprints, streams
from sprinttui.services.item_rows import ItemQuery
from sql_trace import statements


@pytest.fixture
def proj(tctx):
    """Streams SAL (Sales) and OPS (Operations); members alice (Alice Smith),
    bob (Robert Miller) and carol (Carol Jones, assigned nothing); sprint S1.

    SAL-1 "Write migration plan": labels gdpr and go-live, alice, in S1
    SAL-2 "Train the team": a description about a zebra printer
    OPS-1 "Monitor rollout": bob, blocked (reason "waiting for the vendor"), in S1
    OPS-2 "Close tickets": done, description "zebra" too
    OPS-3 "Old chore": deleted, label gdpr, description zebra, bob
    """
    c = tctx
    streams.add_stream(c, "SAL", "Sales")
    streams.add_stream(c, "OPS", "Operations")
    members.add_member(c, "alice", "Alice Smith", stream="SAL")
    members.add_member(c, "bob", "Robert Miller", stream="OPS")
    members.add_member(c, "carol", "Carol Jones", stream="OPS")
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    items.create_item(c, "Write migration plan", stream="SAL", sprint="S1", points=3, assignee="alice",
                      labels=["gdpr", "go-live"])
    items.create_item(c, "Train the team", stream="SAL", points=5,
                      description="First line.\nAsk about the Zebra printer driver before the training.")
    items.create_item(c, "Monitor rollout", stream="OPS", sprint="S1", points=2, assignee="bob")
    items.set_blocked(c, "OPS-1", True, "waiting for the vendor")
    items.create_item(c, "Close tickets", stream="OPS", status="done", description="zebra")
    items.create_item(c, "Old chore", stream="OPS", assignee="bob", labels="gdpr", description="zebra")
    items.delete_item(c, "OPS-3")
    return c


def found(c, text: str, **kw) -> list[str]:
    """Keys the item list shows for the text, in rank order (done items too)."""
    return [r.key for r in items.list_items(c, ItemQuery(text=text, **kw))]


def test_a_label_finds_its_items(proj):
    assert found(proj, "gdpr") == ["SAL-1"]  # the deleted OPS-3 is not found
    assert found(proj, "GO-LIVE") == ["SAL-1"]
    assert found(proj, "o-liv") == ["SAL-1"]  # part of a label, as in a title
    assert found(proj, "gdpr,go-live") == []  # one label at a time: not across the stored list
    assert items.count_items(proj, ItemQuery(text="Gdpr")) == 1


def test_a_word_of_the_description_finds_its_items(proj):
    assert found(proj, "zebra") == ["SAL-2", "OPS-2"]  # done items are listed when asked for
    assert found(proj, "ZEBRA PRINTER") == ["SAL-2"]  # the text is one piece, as typed
    assert found(proj, "zebra", include_done=False) == ["SAL-2"]
    assert found(proj, "  driver before ") == ["SAL-2"]  # the text is stripped


def test_the_assignees_handle_finds_their_items(proj):
    assert found(proj, "bob") == ["OPS-1"]  # not the deleted OPS-3
    assert found(proj, "ALICE") == ["SAL-1"]
    assert found(proj, "bob", sprint="S1") == ["OPS-1"]
    assert found(proj, "bob", stream="SAL") == []  # the other filters still apply


def test_the_assignees_name_finds_their_items(proj):
    assert found(proj, "robert") == ["OPS-1"]
    assert found(proj, "Miller") == ["OPS-1"]
    assert found(proj, "alice smith") == ["SAL-1"]
    assert found(proj, "carol") == []  # a member with no items finds nothing, nor unassigned items


def test_nothing_else_of_an_item_matches(proj):
    # OPS-1 (OPS, Operations; in S1; a story; blocked waiting for the vendor;
    # created by tester) is found by its assignee's name, by nothing else of it
    assert found(proj, "miller") == ["OPS-1"]
    assert found(proj, "Operations") == []  # the stream's name
    assert found(proj, "Sales") == []
    assert found(proj, "S1") == []  # the sprint's name
    assert found(proj, "story") == []  # the kind
    assert found(proj, "vendor") == []  # the blocked reason
    assert found(proj, "tester") == []  # who created the items
    assert found(proj, "OPS") == ["OPS-1", "OPS-2"]  # the key, as before


def test_wildcards_and_the_escape_character_are_literal_in_every_field(proj):
    c = proj
    members.add_member(c, "dan_w", "Dan 100% Wild", stream="OPS")
    items.create_item(c, "Plain", stream="SAL", description="costs 100% more")  # SAL-3
    items.create_item(c, "Plain too", stream="SAL", description="costs 1000 more")  # SAL-4
    items.create_item(c, "Labelled", stream="SAL", labels=["q_1"])  # SAL-5
    items.create_item(c, "Labelled too", stream="SAL", labels=["qx1"])  # SAL-6
    items.create_item(c, "Assigned", stream="OPS", assignee="dan_w")  # OPS-4
    items.create_item(c, "Path", stream="OPS", description=r"see C:\temp\x")  # OPS-5
    assert found(c, "100%") == ["SAL-3", "OPS-4"]  # description, assignee name; not "1000"
    assert found(c, "0% m") == ["SAL-3"]
    assert found(c, "q_1") == ["SAL-5"]  # not qx1
    assert found(c, "n_w") == ["OPS-4"]  # the handle dan_w
    assert found(c, "%") == ["SAL-3", "OPS-4"]
    assert found(c, "_") == ["SAL-5", "OPS-4"]
    assert found(c, "\\temp") == ["OPS-5"]
    assert found(c, "\\") == ["OPS-5"]
    assert found(c, "\\%") == []


def test_the_board_filters_and_counts_by_the_same_fields(proj):
    c = proj
    assert [r.key for r in board_svc.board_page(c, "S1", "todo", text="gdpr")] == ["SAL-1"]
    assert [r.key for r in board_svc.board_page(c, "S1", "todo", text="Robert")] == ["OPS-1"]
    assert board_svc.board_counts(c, "S1", text="alice")["todo"] == (1, 3.0)
    assert board_svc.board_position(c, "S1", "OPS-1", text="miller") == ("todo", 0)
    view = board_svc.board_slice(c, "S1", text="bob")
    assert [r.key for r in view.pages["todo"]] == ["OPS-1"] and view.counts["todo"] == (1, 2.0)


def test_a_search_is_one_statement_and_reads_members_only_when_searching(proj):
    engine = proj.db.engine
    with statements(engine) as seen:
        assert items.count_items(proj, ItemQuery(text="miller")) == 1
    reads = [st for st, _params in seen if "FROM item" in st]
    assert len(reads) == 1 and "FROM member" in reads[0]
    with statements(engine) as seen:
        items.count_items(proj, ItemQuery(text="   "))  # blank: no filter
        board_svc.board_counts(proj, "S1")
    assert [st for st, _params in seen if "member" in st] == []
