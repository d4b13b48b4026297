"""Evaluations beyond the basics in test_services_other.py: the figures a retro
snapshots, findings whose status follows the item made from them, the open
actions of the previous evaluation, and deleting / restoring findings.

The story (1 point a day): S1 (5–16 Jan) commits SAL-1 (3) and SAL-2 (5); OPS-1
(2) is added on the 6th; SAL-1 is done on the 8th; S1 closes on the 16th with
SAL-2 and OPS-1 carried to the backlog. The retro of S1 has six findings; S2
(19–30 Jan) is running and gets its own evaluation.
"""

from __future__ import annotations

import pytest

from sprinttui.domain import ConflictError, NotFoundError
from sprinttui.services import evaluations, items, members, sprints, streams
from sprinttui.services.items import create_item, move_item


@pytest.fixture
def story(tctx, clock):
    c = tctx
    streams.add_stream(c, "SAL", "Sales")
    streams.add_stream(c, "OPS", "Operations")
    members.add_member(c, "alice", "Alice", stream="SAL")
    members.add_member(c, "bob", "Bob", stream="OPS")
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    sprints.new_sprint(c, "S2", start="2026-01-19", end="2026-01-30")
    create_item(c, "Done", stream="SAL", points=3, sprint="S1")
    create_item(c, "Open", stream="SAL", points=5, sprint="S1")
    clock.set("2026-01-05")
    sprints.start_sprint(c, "S1")
    clock.set("2026-01-06")
    create_item(c, "Added", stream="OPS", points=2, sprint="S1")
    clock.set("2026-01-08")
    move_item(c, "SAL-1", "done")
    clock.set("2026-01-16 17:00")
    sprints.close_sprint(c, "S1", carry_to=None)
    clock.set("2026-01-16 17:30")
    ev = evaluations.create_evaluation(c, "S1", kind="retro", on="2026-01-16")
    f = {}
    for name, category, text, votes in (
        ("dor", "to_improve", "Definition of ready\nchecked by the stream leads", 5),
        ("slot", "process", "A weekly decision slot", 3),
        ("well", "went_well", "The kick-off", 6),
        ("rej", "to_improve", "One-week sprints", 1),
        ("train", "training", "Hands-on practice for key users", 4),
        ("tool", "tool_optimisation", "Search by phone number", 2),
    ):
        f[name] = evaluations.add_finding(c, ev.id, category, text, owner="alice" if name == "dor" else None)
        for _ in range(votes):
            evaluations.vote(c, f[name].id)
    evaluations.edit_finding(c, f["slot"].id, status="accepted")
    evaluations.edit_finding(c, f["rej"].id, status="rejected")
    dor = evaluations.convert_finding(c, f["dor"].id, stream="SAL")
    train = evaluations.convert_finding(c, f["train"].id, stream="OPS")
    clock.set("2026-01-19")
    sprints.start_sprint(c, "S2")
    return c, ev, f, dor.key, train.key


def finding(c, ev_id: int, fid: int):
    (v,) = [x for x in evaluations.list_findings(c, ev_id) if x.id == fid]
    return v


def test_a_retro_after_the_close_snapshots_carried_over_and_scope_change(story):
    c, ev, *_ = story
    assert ev.metrics == {
        "committed_points": 8.0, "completed_points": 3.0, "say_do_ratio": 0.375,
        "carried_over_points": 7.0,  # SAL-2 (5) and OPS-1 (2) went back to the backlog
        "added_points": 2.0, "removed_points": 0.0, "scope_change_points": 2.0,
        "reestimated_points": 0.0, "not_completed_points": 0.0,
    }
    stored = evaluations.get_evaluation(c, ev.id)
    assert (stored.metrics, stored.sprint, stored.kind, stored.findings) == (ev.metrics, "S1", "retro", 6)


def test_an_interim_evaluation_snapshots_figures_that_add_up_with_reestimates(story, clock):
    """SAL-2 (5) and OPS-1 (2) are added to the running S2, re-estimated to 8
    and 1, and OPS-1 is done."""
    c, *_ = story
    clock.set("2026-01-20")
    items.plan_items(c, ["SAL-2", "OPS-1"], "S2")
    clock.set("2026-01-21")
    items.edit_item(c, "SAL-2", points=8)
    items.edit_item(c, "OPS-1", points=1)
    move_item(c, "OPS-1", "done")
    ev = evaluations.create_evaluation(c, "S2", kind="interim", on="2026-01-21")
    m = evaluations.get_evaluation(c, ev.id).metrics
    assert (m["added_points"], m["reestimated_points"], m["not_completed_points"], m["completed_points"]) == (
        7.0, 2.0, 8.0, 1.0)
    assert (m["committed_points"] + m["added_points"] - m["removed_points"] + m["reestimated_points"]
            == m["completed_points"] + m["carried_over_points"] + m["not_completed_points"])


def test_the_finding_follows_its_item_moved_by_someone_else(story, make_ctx, clock):
    c, ev, f, dor_key, train_key = story
    other = make_ctx("bob", clock=clock)  # another process on the same database
    assert (items.get_row(c, train_key).kind, items.get_row(c, dor_key).kind) == ("change", "improvement")
    assert items.get_item(c, dor_key).source_finding_id == f["dor"].id
    v = finding(c, ev.id, f["dor"].id)
    assert (v.item_key, v.item_status, v.item_stream, v.status) == (dor_key, "todo", "SAL", "accepted")
    for status, expected in (("doing", "in_progress"), ("review", "in_progress"), ("done", "resolved"),
                             ("doing", "in_progress")):
        clock.advance(hours=1)
        move_item(other, dor_key, status)
        v = finding(c, ev.id, f["dor"].id)
        assert (v.status, v.item_status) == (expected, status)
    clock.advance(hours=1)
    items.delete_item(other, dor_key)
    v = finding(c, ev.id, f["dor"].id)
    assert (v.status, v.item_key, v.item_status) == ("open", None, None)
    items.restore_item(other, dor_key)
    v = finding(c, ev.id, f["dor"].id)
    assert (v.status, v.item_key, v.item_status) == ("in_progress", dor_key, "doing")


def test_open_actions_come_from_the_previous_evaluation_with_what_is_done(story, clock):
    c, ev1, f, dor_key, train_key = story
    ev2 = evaluations.create_evaluation(c, "current", on="2026-01-23")
    assert evaluations.previous_evaluation(c, evaluation_id=ev2.id) == evaluations.get_evaluation(c, ev1.id)
    assert evaluations.previous_evaluation(c, evaluation_id=ev1.id) is None
    assert evaluations.open_actions(c, evaluation_id=ev1.id) == []

    def actions(**kw):
        return [(a.id, a.item_key, evaluations.is_done(a)) for a in evaluations.open_actions(c, **kw)]

    # tracked or accepted, by votes; not what went well, was rejected or is still open
    expected = [(f["dor"].id, dor_key, False), (f["train"].id, train_key, False), (f["slot"].id, None, False)]
    assert actions(evaluation_id=ev2.id) == expected
    assert actions(sprint="S2") == actions() == expected
    clock.advance(hours=1)
    move_item(c, train_key, "done")
    evaluations.edit_finding(c, f["slot"].id, status="resolved")
    assert actions(evaluation_id=ev2.id) == [(f["dor"].id, dor_key, False), (f["train"].id, train_key, True),
                                             (f["slot"].id, None, True)]
    # a stream's lead sees the actions tracked in that stream and the untracked ones
    assert [a[0] for a in actions(evaluation_id=ev2.id, stream="ops")] == [f["train"].id, f["slot"].id]
    assert [a[0] for a in actions(evaluation_id=ev2.id, stream="SAL")] == [f["dor"].id, f["slot"].id]
    with pytest.raises(NotFoundError):
        evaluations.open_actions(c, evaluation_id=4242)


def test_deleting_a_finding_keeps_its_item_and_restoring_links_it_again(story, clock):
    c, ev, f, dor_key, _train = story
    clock.advance(hours=1)
    move_item(c, dor_key, "doing")
    before = finding(c, ev.id, f["dor"].id)
    with pytest.raises(ConflictError):
        evaluations.delete_finding(c, before.id, expected_version=before.version - 1)
    gone = evaluations.delete_finding(c, before.id, expected_version=before.version)
    assert before.id not in [x.id for x in evaluations.list_findings(c, ev.id)]
    assert evaluations.get_evaluation(c, ev.id).findings == 5
    kept = items.get_item(c, dor_key)  # not deleted, or this raises
    assert (kept.source_finding_id, kept.row.status) == (None, "doing")
    with pytest.raises(NotFoundError):
        evaluations.delete_finding(c, before.id)

    back = evaluations.restore_finding(c, gone)
    assert back.id == before.id  # its id was free
    assert (back.text, back.category, back.votes, back.owner, back.status, back.item_key, back.item_status) == (
        before.text, "to_improve", 5, "alice", "in_progress", dor_key, "doing")
    assert items.get_item(c, dor_key).source_finding_id == back.id
    # the item moves on: the restored finding follows it again
    clock.advance(hours=1)
    move_item(c, dor_key, "done")
    assert finding(c, ev.id, back.id).status == "resolved"


def test_a_restored_finding_never_takes_over_another(story):
    c, ev, f, *_ = story
    last = evaluations.add_finding(c, ev.id, "process", "Latest finding")
    gone = evaluations.delete_finding(c, last.id)
    newer = evaluations.add_finding(c, ev.id, "process", "Added after the deletion")
    back = evaluations.restore_finding(c, gone)
    texts = {x.id: x.text for x in evaluations.list_findings(c, ev.id)}
    assert texts[newer.id] == "Added after the deletion"
    assert texts[back.id] == "Latest finding"
    assert back.id != newer.id and len(texts) == 8


def test_deleting_an_evaluation_undoes_its_creation_and_keeps_the_items(story):
    c, ev, f, dor_key, train_key = story
    ev2 = evaluations.create_evaluation(c, "current", on="2026-01-23")
    evaluations.add_finding(c, ev2.id, "process", "Short-lived")
    assert evaluations.delete_evaluation(c, ev2.id).id == ev2.id
    assert [e.id for e in evaluations.list_evaluations(c)] == [ev.id]
    gone = evaluations.delete_finding(c, f["tool"].id)
    evaluations.delete_evaluation(c, ev.id)
    assert evaluations.list_evaluations(c) == []
    assert items.get_item(c, dor_key).source_finding_id is None
    assert items.get_row(c, train_key).status == "todo"
    with pytest.raises(NotFoundError):
        evaluations.delete_evaluation(c, ev.id)
    with pytest.raises(NotFoundError):  # nowhere to put it back
        evaluations.restore_finding(c, gone)


def test_the_evaluation_page_reads_what_the_screen_shows_in_one_go(story, clock):
    c, ev1, f, dor_key, train_key = story
    ev2 = evaluations.create_evaluation(c, "current", on="2026-01-23", facilitator="bob")
    mine = evaluations.add_finding(c, ev2.id, "process", "Standups run long")
    page = evaluations.evaluation_page(c)  # the latest
    assert [e.id for e in page.evaluations] == [ev1.id, ev2.id]
    assert (page.current.id, page.current.facilitator, page.current.findings) == (ev2.id, "bob", 1)
    assert [x.id for x in page.findings] == [mine.id]
    assert page.previous.id == ev1.id
    assert page.actions == evaluations.open_actions(c, evaluation_id=ev2.id)
    assert [a.item_stream for a in page.actions] == ["SAL", "OPS", None]
    assert [a.id for a in evaluations.evaluation_page(c, ev2.id, stream="SAL").actions] == [
        f["dor"].id, f["slot"].id]

    first = evaluations.evaluation_page(c, ev1.id)
    assert (first.current.id, first.previous, first.actions) == (ev1.id, None, [])
    assert sorted(x.id for x in first.findings) == sorted(x.id for x in f.values())
    assert {x.id: (x.item_key, x.item_status) for x in first.findings}[f["train"].id] == (train_key, "todo")
    # a deleted one falls back to the latest
    evaluations.delete_evaluation(c, ev2.id)
    assert evaluations.evaluation_page(c, ev2.id).current.id == ev1.id
    evaluations.delete_evaluation(c, ev1.id)
    assert evaluations.evaluation_page(c) == evaluations.EvaluationPage([], None, [], None, [])
