"""Held standups: timebox, parking lot, the summary stored at the end, and a
day's summary as the exports and the standup screen read it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from sprinttui.domain import ConflictError, NotFoundError, StateError, ValidationError
from sprinttui.services import items, members, standups, streams


@pytest.fixture
def team(tctx, clock):
    c = tctx
    clock.set("2026-01-05 09:00")
    streams.add_stream(c, "SAL", "Sales")
    streams.add_stream(c, "OPS", "Operations")
    members.add_member(c, "alice", "Alice", stream="SAL")
    members.add_member(c, "bob", "Bob", stream="SAL")
    members.add_member(c, "olga", "Olga", stream="OPS")
    return c


def test_a_standup_runs_and_its_summary_is_stored_when_it_ends(team, clock):
    c = team
    blocked = items.create_item(c, "Import leads", stream="SAL", assignee="alice")
    items.set_blocked(c, blocked.key, True, "no VPN access")
    items.create_item(c, "Ops runbook", stream="OPS", assignee="olga")  # not blocked
    ops_blocked = items.create_item(c, "Ops export", stream="OPS")
    items.set_blocked(c, ops_blocked.key, True, "waiting for IT")

    sess = standups.start_session(c, stream="sal", timebox_minutes=10)
    assert (sess.stream, sess.facilitator, sess.timebox_seconds, sess.ended) == ("SAL", "tester", 600, False)
    standups.save_entry(c, "alice", yesterday="mapping", today="import", blockers="VPN")
    standups.save_entry(c, "bob", absent=True)
    standups.save_entry(c, "olga", today="runbook", blockers="printer")  # other stream
    standups.add_parking_topic(c, sess.id, "Data protection review")
    standups.add_parking_topic(c, sess.id, "Training room booking")
    clock.advance(minutes=9)
    ended = standups.end_session(c, sess.id, elapsed_seconds=540)

    assert ended.ended and ended.elapsed_seconds == 540
    assert ended.summary["present"] == ["alice"]
    assert ended.summary["absent"] == ["bob"]
    assert ended.summary["blockers"] == [{"member": "alice", "text": "VPN"}]
    assert [b["key"] for b in ended.summary["blocked_items"]] == [blocked.key]
    assert ended.summary["blocked_items"][0]["reason"] == "no VPN access"
    assert ended.summary["parking_lot"] == ["Data protection review", "Training room booking"]
    with pytest.raises(StateError):
        standups.end_session(c, sess.id)

    # what is stored is what a later read sees, also the next day
    clock.advance(days=1)
    (again,) = standups.sessions(c, on="2026-01-05", stream="SAL")
    assert again.summary == ended.summary
    assert standups.sessions(c, on="2026-01-05", stream="OPS") == []
    assert standups.sessions(c) == []  # today (the 6th) nobody met


def test_day_summary_of_one_stream_and_of_all(team):
    c = team
    standups.save_entry(c, "alice", blockers="VPN")
    standups.save_entry(c, "olga", blockers="printer", today="runbook")
    standups.save_entry(c, "bob", absent=True)
    standups.start_session(c)

    everyone = standups.day_summary(c)
    assert everyone.date == date(2026, 1, 5) and everyone.stream is None
    assert [e.member for e in everyone.entries] == ["alice", "bob", "olga"]
    assert everyone.blockers == [("alice", "VPN"), ("olga", "printer")]
    assert everyone.absent == ["bob"]
    assert everyone.members == ["alice", "bob", "olga"]
    assert everyone.present == ["alice", "olga"]
    assert len(everyone.sessions) == 1

    sales = standups.day_summary(c, stream="sal")
    assert sales.stream == "SAL"
    assert [e.member for e in sales.entries] == ["alice", "bob"]
    assert sales.blockers == [("alice", "VPN")]
    assert sales.sessions == []  # the one held was for all streams

    with pytest.raises(NotFoundError):
        standups.day_summary(c, stream="NOPE")


def test_parking_lot_and_timebox_reject_bad_input_and_keep_what_was_there(team):
    c = team
    with pytest.raises(ValidationError):
        standups.start_session(c, timebox_minutes=0)
    with pytest.raises(ValidationError):
        standups.start_session(c, timebox_minutes="soon")
    with pytest.raises(NotFoundError):
        standups.start_session(c, stream="XYZ")
    sess = standups.start_session(c, stream="OPS")
    standups.add_parking_topic(c, sess.id, "[bold]budget[/] \x1b[2J")
    with pytest.raises(ValidationError):
        standups.add_parking_topic(c, sess.id, "   ")
    with pytest.raises(ValidationError):
        standups.update_session(c, sess.id, elapsed_seconds=-5)
    (kept,) = standups.sessions(c, stream="OPS")
    (topic,) = kept.parking_lot
    assert topic.startswith("[bold]budget[/]") and "\x1b" not in topic
    assert kept.elapsed_seconds == 0
    replaced = standups.update_session(c, sess.id, parking_lot=["one", " ", "two"], elapsed_seconds=30,
                                       expected_version=kept.version)
    assert (replaced.parking_lot, replaced.elapsed_seconds) == (["one", "two"], 30)
    with pytest.raises(NotFoundError):
        standups.update_session(c, 9999, elapsed_seconds=1)


def test_standup_board_shows_each_members_moves_work_and_blockers_since_the_last_standup(team, clock):
    c = team
    a1 = items.create_item(c, "Lead import", stream="SAL", assignee="alice")
    a2 = items.create_item(c, "Mapping", stream="SAL", assignee="alice")
    a3 = items.create_item(c, "Old work", stream="SAL", assignee="alice")
    b1 = items.create_item(c, "Price list", stream="SAL", assignee="bob")
    o1 = items.create_item(c, "Runbook", stream="OPS", assignee="olga")
    items.move_item(c, a3.key, "doing")  # before the last standup: not "since"
    standups.start_session(c, stream="SAL")  # Monday's standup, 09:00

    clock.set("2026-01-05 14:00")
    items.move_item(c, a1.key, "doing")
    items.move_item(c, a1.key, "done")
    items.move_item(c, a2.key, "review")
    items.set_blocked(c, b1.key, True, "supplier has not answered")
    items.move_item(c, o1.key, "doing")

    clock.set("2026-01-06 09:00")
    board = standups.standup_board(c, stream="SAL")
    assert board.date == date(2026, 1, 6) and board.stream == "SAL"
    assert board.since.isoformat().startswith("2026-01-05T09:00")
    assert [m.handle for m in board.members] == ["alice", "bob"]  # olga is in OPS
    alice, bob = (board.digests[m.handle] for m in board.members)
    assert [(m.key, m.new) for m in alice.moved] == [(a1.key, "doing"), (a1.key, "done"), (a2.key, "review")]
    assert [r.key for r in alice.finished] == [a1.key]
    assert [r.key for r in alice.in_progress] == [a2.key, a3.key]  # rank order
    assert alice.blocked == [] and board.members[0].entry is None
    yesterday, today, blockers = alice.suggested_notes()
    assert yesterday == f"finished {a1.key}; moved {a1.key} → doing, {a2.key} → review"
    assert f"{a2.key} Mapping" in today and f"{a3.key} Old work" in today
    assert blockers == ""
    assert [r.key for r in bob.blocked] == [b1.key]
    assert bob.suggested_notes()[2] == f"{b1.key}: supplier has not answered"
    assert board.session is None  # nobody has started today's standup yet

    standups.save_entry(c, "bob", absent=True)
    sess = standups.start_session(c, stream="SAL")
    board = standups.standup_board(c, stream="SAL")
    assert board.members[1].entry.absent and board.members[1].entry.name == "Bob"
    assert board.session.id == sess.id

    everyone = standups.standup_board(c)
    assert [m.handle for m in everyone.members] == ["alice", "bob", "olga"]
    assert [(m.key, m.new) for m in everyone.digests["olga"].moved] == [(o1.key, "doing")]
    assert everyone.session is None  # today's standup was SAL's, not everyone's

    # the work of only the members asked for, there and later, read the same way
    # whichever way it is read (by the assignee index or in one pass)
    some = standups.standup_board(c, detail=["bob", "nobody"])
    assert list(some.digests) == ["bob"] and some.digests["bob"] == everyone.digests["bob"]
    assert standups.member_digests(c, some, ["alice", "olga"]) == {
        h: everyone.digests[h] for h in ("alice", "olga")}
    assert standups.standup_board(c, detail=[]).digests == {}


def test_a_members_moves_by_someone_off_the_board_are_theirs_and_others_moves_of_unassigned_items_the_actors(
        team, clock):
    c = team
    mine = items.create_item(c, "Mine", stream="SAL", assignee="alice")
    loose = items.create_item(c, "Nobody's", stream="SAL")
    clock.set("2026-01-05 14:00")
    c_olga = replace(c, user="olga")
    items.move_item(c_olga, mine.key, "doing")  # olga (OPS) moves alice's item
    c_bob = replace(c, user="bob")
    items.move_item(c_bob, loose.key, "doing")  # bob moves an item nobody has
    clock.set("2026-01-06 09:00")
    everyone = standups.standup_board(c, stream="SAL")
    assert [(m.key, m.actor) for m in everyone.digests["alice"].moved] == [(mine.key, "olga")]
    assert [(m.key, m.actor) for m in everyone.digests["bob"].moved] == [(loose.key, "bob")]
    for handle in ("alice", "bob"):
        one = standups.standup_board(c, stream="SAL", detail=[handle])
        assert one.digests == {handle: everyone.digests[handle]}


def test_the_work_read_in_one_pass_equals_the_work_read_member_by_member(team, clock, monkeypatch):
    c = team
    for n, who in enumerate(["alice", "bob", "olga", None] * 3):
        it = items.create_item(c, f"Item {n}", stream="OPS" if who == "olga" else "SAL", assignee=who)
        if n % 3 == 0:
            items.move_item(c, it.key, "doing")
        if n % 4 == 1:
            items.set_blocked(c, it.key, True, f"reason {n}")
        if n % 5 == 2:
            items.move_item(c, it.key, "review")
    clock.set("2026-01-06 09:00")
    by_index = standups.standup_board(c)
    monkeypatch.setattr(standups, "_SCAN_FROM", 1)
    in_one_pass = standups.standup_board(c)
    assert in_one_pass.digests == by_index.digests
    assert sum(len(d.in_progress) + len(d.blocked) + len(d.moved) for d in by_index.digests.values()) > 10


# --------------------------------------------------------------------------- what the standup records


def test_a_blocker_flagged_in_the_standup_is_among_the_blockers_the_member_reported(team):
    c = team
    lead = items.create_item(c, "Lead import", stream="SAL", assignee="alice")
    price = items.create_item(c, "Price list", stream="SAL", assignee="bob")
    sess = standups.start_session(c, stream="SAL")
    standups.save_entry(c, "bob", today="price list", blockers=f"VPN; {price.key}: waiting")

    # alice had no notes yet: the suggestions on screen become hers, with the blocker
    flagged = standups.flag_blocker(c, "alice", lead.key, "no test data", notes=("moved X", "Lead import", ""))
    assert flagged.item.blocked and flagged.item.blocked_reason == "no test data"
    assert items.get_row(c, lead.key).blocked
    assert flagged.before is None
    assert (flagged.entry.yesterday, flagged.entry.today, flagged.entry.blockers) == (
        "moved X", "Lead import", f"{lead.key}: no test data")
    # bob's notes keep what else they say; what they said of the same item gives way
    again = standups.flag_blocker(c, "bob", price.key, "supplier has not answered")
    assert again.entry.today == "price list"
    assert again.entry.blockers == f"VPN; {price.key}: supplier has not answered"

    day = standups.day_summary(c, stream="SAL")
    assert day.blockers == [("alice", f"{lead.key}: no test data"),
                            ("bob", f"VPN; {price.key}: supplier has not answered")]
    assert day.no_notes == []  # flagging a blocker is something they reported
    ended = standups.end_session(c, sess.id)
    assert ended.summary["blockers"] == [{"member": "alice", "text": f"{lead.key}: no test data"},
                                         {"member": "bob", "text": f"VPN; {price.key}: supplier has not answered"}]


def test_unflagging_a_blocker_puts_the_notes_back_as_they_were(team):
    c = team
    lead = items.create_item(c, "Lead import", stream="SAL", assignee="alice")
    price = items.create_item(c, "Price list", stream="SAL", assignee="bob")
    standups.save_entry(c, "bob", blockers="VPN")

    first = standups.flag_blocker(c, "alice", lead.key, "no test data")
    assert (first.entry.yesterday, first.entry.today) == ("", "")  # no suggestions given: the blocker alone
    standups.unflag_blocker(c, first)
    assert not items.get_row(c, lead.key).blocked
    assert standups.entries(c, stream="SAL")[0].member == "bob"  # alice has no notes again

    second = standups.flag_blocker(c, "bob", price.key, "supplier")
    unblocked = standups.unflag_blocker(c, second)
    assert not unblocked.blocked
    (bob,) = standups.entries(c, stream="SAL")
    assert bob.blockers == "VPN"

    # notes changed since the flag: nothing is undone
    third = standups.flag_blocker(c, "bob", price.key, "supplier")
    standups.save_entry(c, "bob", today="call the supplier")
    with pytest.raises(ConflictError):
        standups.unflag_blocker(c, third)
    assert items.get_row(c, price.key).blocked
    assert standups.entries(c, stream="SAL")[0].blockers == f"VPN; {price.key}: supplier"

    # the item changed since the flag: nothing is undone either
    fourth = standups.flag_blocker(c, "alice", lead.key, "no test data")
    items.edit_item(c, lead.key, points=3)
    with pytest.raises(ConflictError):
        standups.unflag_blocker(c, fourth)
    assert items.get_row(c, lead.key).blocked
    assert "alice" in {e.member for e in standups.entries(c, stream="SAL")}

    with pytest.raises(NotFoundError):
        standups.flag_blocker(c, "nobody", price.key, "x")


def test_suggestions_kept_for_a_member_passed_never_replace_notes_they_have(team):
    c = team
    kept = standups.keep_suggestions(c, "alice", ("finished SAL-1", "SAL-2 Mapping", ""))
    assert (kept.yesterday, kept.today, kept.blockers, kept.absent) == ("finished SAL-1", "SAL-2 Mapping", "", False)
    # notes taken (or cleared) meanwhile, or an absence, stay as they are
    standups.save_entry(c, "bob", yesterday="", today="", blockers="")
    assert standups.keep_suggestions(c, "bob", ("moved SAL-3", "", "")).yesterday == ""
    standups.save_entry(c, "olga", absent=True)
    assert standups.keep_suggestions(c, "olga", ("", "runbook", "")).today == ""
    assert standups.keep_suggestions(c, "alice", ("other", "", "")).yesterday == "finished SAL-1"
    # nothing to suggest: nothing stored
    standups.start_session(c)
    assert standups.keep_suggestions(c, "alice", ("", " ", ""), on="2026-01-06") is None
    assert standups.entries(c, on="2026-01-06") == []


def test_absent_and_back_leaves_the_day_as_it_was(team):
    c = team
    assert standups.mark_absent(c, "alice", False) is None  # back without having been away: nothing written
    assert standups.entries(c) == []
    assert standups.mark_absent(c, "alice", True).absent
    assert standups.mark_absent(c, "alice", False) is None  # the absence was all there was
    assert standups.entries(c) == []

    # notes taken stay; only the absence goes
    standups.save_entry(c, "bob", today="price list")
    assert standups.mark_absent(c, "bob", True).today == "price list"
    back = standups.mark_absent(c, "bob", False)
    assert (back.absent, back.today) == (False, "price list")
    # notes cleared before the absence stay cleared (the entry outlived the absence)
    standups.save_entry(c, "olga", yesterday="", today="", blockers="")
    standups.mark_absent(c, "olga", True)
    assert standups.mark_absent(c, "olga", False) is not None
    assert [(e.member, e.absent) for e in standups.entries(c)] == [("bob", False), ("olga", False)]


def test_no_notes_are_from_the_members_of_the_standups_held_that_day(team, clock):
    c = team
    members.add_member(c, "cid", "Cid", stream="SAL")
    standups.save_entry(c, "alice", today="import")
    assert standups.day_summary(c).no_notes == []  # no standup held: nobody was asked

    sal = standups.start_session(c, stream="SAL")
    assert standups.day_summary(c).no_notes == ["bob", "cid"]  # not olga: OPS held none
    assert standups.day_summary(c, stream="SAL").no_notes == ["bob", "cid"]
    assert standups.day_summary(c, stream="OPS").no_notes == []

    standups.end_session(c, sal.id)
    members.add_member(c, "dan", "Dan", stream="SAL")  # joined after the standup ended: not one of its members
    assert standups.day_summary(c).no_notes == ["bob", "cid"]

    standups.start_session(c)  # one for all streams: everyone is asked
    assert standups.day_summary(c).no_notes == ["bob", "cid", "dan", "olga"]
    assert standups.day_summary(c, stream="OPS").no_notes == ["olga"]
    assert standups.day_summary(c, stream="SAL").no_notes == ["bob", "cid", "dan"]
