"""The catch-up service: slipped, overdue and long-blocked work per stream and the
plan that pulls it into the next sprint without going over capacity.

The story (worked out by hand; 1 point per day, ten working days a sprint):
SAL has alice at 100 % (10 pts), OPS has bob at 50 % (5 pts).

* S1 (5–16 Jan) holds SAL-1 (5), SAL-2 (3), SAL-3 (8), SAL-4 (no points),
  OPS-1 (2) and SAL-5 (1, done). It closes into the backlog: all but SAL-5
  slip once (carried: SAL 16 pts, OPS 2).
* S2 (19–30 Jan) holds SAL-2 only, which slips a second time (carried: SAL 3).
* On 2 Feb, S3 (2–13 Feb) is planned and holds SAL-8 (4): SAL has 6 pts free.
  SAL-6 (2) was due on 28 Jan (overdue 5 days); SAL-7 (1) is blocked since 20 Jan.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace

import pytest

from sprinttui.domain import NotFoundError, StateError, ValidationError
from sprinttui.services import catchup, items, members, reports, sprints, streams
from sprinttui.services.catchup import (
    ADDED,
    BLOCKED,
    COMMITTED,
    NO_FIT,
    NO_POINTS,
    NO_SPRINT,
    RUNNING,
    SKIPPED,
    SUGGESTED,
    CatchUpEntry,
    CatchUpPlan,
    DebtPoint,
    StreamPlan,
)
from sprinttui.services.item_rows import ItemRow
from sql_trace import query_plan, statements


@pytest.fixture
def story(tctx, clock):
    c = tctx
    clock.set("2026-01-05 08:00")
    streams.add_stream(c, "SAL", "Sales")
    streams.add_stream(c, "OPS", "Operations")
    members.add_member(c, "alice", "Alice", stream="SAL")
    members.add_member(c, "bob", "Bob", stream="OPS", availability=50)
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    sprints.new_sprint(c, "S2", start="2026-01-19", end="2026-01-30")
    sprints.new_sprint(c, "S3", start="2026-02-02", end="2026-02-13")
    items.create_item(c, "Lead import", stream="SAL", points=5, sprint="S1")  # SAL-1
    items.create_item(c, "Quote template", stream="SAL", points=3, sprint="S1")  # SAL-2
    items.create_item(c, "Forecast view", stream="SAL", points=8, sprint="S1")  # SAL-3
    items.create_item(c, "Partner portal", stream="SAL", sprint="S1")  # SAL-4, no estimate
    items.create_item(c, "Monitoring", stream="OPS", points=2, sprint="S1")  # OPS-1
    items.create_item(c, "Price list", stream="SAL", points=1, sprint="S1")  # SAL-5
    clock.set("2026-01-05 09:00")
    sprints.start_sprint(c, "S1")
    items.move_item(c, "SAL-5", "done")
    clock.set("2026-01-16 17:00")
    sprints.close_sprint(c, "S1", carry_to="backlog")
    clock.set("2026-01-19 09:00")
    items.plan_item(c, "SAL-2", "S2")
    sprints.start_sprint(c, "S2")
    items.create_item(c, "Renewal mail", stream="SAL", points=2, due="2026-01-28")  # SAL-6
    clock.set("2026-01-20 10:00")
    items.create_item(c, "Blocked import", stream="SAL", points=1)  # SAL-7
    items.set_blocked(c, "SAL-7", True, "waiting for the ERP export")
    clock.set("2026-01-30 17:00")
    sprints.close_sprint(c, "S2", carry_to="backlog")
    clock.set("2026-02-02 09:00")
    items.create_item(c, "Committed work", stream="SAL", points=4, sprint="S3")  # SAL-8
    return c


def states(plan: CatchUpPlan, stream: str) -> list[tuple[str, str]]:
    return [(e.key, e.state) for e in plan.stream_plan(stream).entries]


def sprint_of(c, key: str) -> str | None:
    return items.get_row(c, key).sprint


# --------------------------------------------------------------------------- the plan


def test_slipped_items_come_first_and_the_plan_stays_within_free_capacity(story):
    plan = catchup.catchup_plan(story)
    assert plan.sprint.name == "S3"
    sal = plan.stream_plan("SAL")
    assert (sal.capacity_points, sal.committed_points, sal.free_points) == (10.0, 4.0, 6.0)
    # slipped twice first, then slipped once in rank order, then the overdue item;
    # SAL-1 and SAL-3 do not fit once SAL-2 is in, the smaller overdue SAL-6 still does
    assert states(plan, "SAL") == [
        ("SAL-2", SUGGESTED), ("SAL-1", NO_FIT), ("SAL-3", NO_FIT), ("SAL-4", NO_POINTS),
        ("SAL-6", SUGGESTED), ("SAL-7", BLOCKED),
    ]
    assert (sal.plan_points, sal.free_after, sal.over_capacity) == (5.0, 1.0, False)
    assert sal.plan_keys == ["SAL-2", "SAL-6"]
    ops = plan.stream_plan("OPS")
    assert (ops.free_points, states(plan, "OPS"), ops.free_after) == (5.0, [("OPS-1", SUGGESTED)], 3.0)
    assert plan.plan_keys == ["OPS-1", "SAL-2", "SAL-6"]  # streams in key order
    assert plan.plan_points == 7.0


def test_each_entry_says_why_it_is_listed_and_why_it_is_or_is_not_planned(story):
    plan = catchup.catchup_plan(story)
    sal2, sal1, sal6, sal7, sal4 = (plan.entry(k) for k in ("SAL-2", "SAL-1", "SAL-6", "SAL-7", "SAL-4"))
    assert sal2.slipped_from == ("S1", "S2") and sal2.slip_count == 2
    assert sal2.age_days == 28  # created 5 Jan, today 2 Feb
    assert sal2.why == "slipped 2× (S1, S2)"
    assert sal2.reasons == ("slipped",)
    assert sal1.note == "does not fit: 5 pts, 3 free"
    assert (sal6.overdue_days, sal6.reasons, sal6.why) == (5, ("overdue",), "overdue 5 d")
    assert sal6.slipped_from == ()
    assert (sal7.blocked_days, sal7.long_blocked, sal7.reasons) == (13, True, ("blocked",))
    assert sal7.note == "blocked: waiting for the ERP export"
    assert sal4.note.startswith("no estimate")
    assert plan.entry("SAL-8") is None  # in the sprint, but it never slipped
    assert plan.entry("SAL-5") is None  # done


def test_skipping_an_item_pulls_in_the_next_that_fits(story):
    plan = catchup.catchup_plan(story, skip=["SAL-2"])
    # 6 free: SAL-1 (5) now fits, SAL-6 (2) no longer does
    assert states(plan, "SAL")[:5] == [
        ("SAL-2", SKIPPED), ("SAL-1", SUGGESTED), ("SAL-3", NO_FIT), ("SAL-4", NO_POINTS), ("SAL-6", NO_FIT),
    ]
    assert plan.stream_plan("SAL").free_after == 1.0
    # replanning in memory gives the same as reading again
    again = catchup.replan(catchup.catchup_plan(story), skip=["SAL-2"])
    assert again == plan
    # and back
    assert catchup.replan(plan) == catchup.catchup_plan(story)


def test_an_addition_by_hand_may_go_over_capacity_and_pushes_suggestions_out(story):
    plan = catchup.catchup_plan(story, add=["SAL-3"])
    sal = plan.stream_plan("SAL")
    assert [k for k, s in states(plan, "SAL") if s == ADDED] == ["SAL-3"]
    assert not [k for k, s in states(plan, "SAL") if s == SUGGESTED]  # 8 > 6: nothing else fits
    assert (sal.plan_points, sal.free_after, sal.over_capacity) == (8.0, -2.0, True)
    # a blocked item and one without points may be added by hand too
    plan = catchup.catchup_plan(story, add=["SAL-7", "SAL-4"])
    assert dict(states(plan, "SAL"))["SAL-7"] == ADDED
    assert dict(states(plan, "SAL"))["SAL-4"] == ADDED
    assert plan.stream_plan("SAL").plan_points == 6.0  # 1 + 0 by hand, then SAL-2 (3) and SAL-6 (2)
    # unknown keys are ignored
    assert catchup.catchup_plan(story, add=["SAL-99"], skip=["OPS-77"]) == replace(
        catchup.catchup_plan(story), add=frozenset({"SAL-99"}), skip=frozenset({"OPS-77"}))


def test_capacity_and_debt_agree_with_the_reports(story):
    members.set_absence(story, "alice", "S3", 2)
    members.add_member(story, "carl", "Carl", stream="OPS", availability=30)
    plan = catchup.catchup_plan(story)
    cap = {s.stream: s for s in reports.capacity(story, "S3").streams}
    for sp in plan.streams:
        assert sp.capacity_points == cap[sp.stream].capacity_points
        assert sp.committed_points == cap[sp.stream].committed_points
    assert plan.stream_plan("SAL").capacity_points == 8.0  # alice away 2 of 10 days
    debt = {g.stream: g.debt_points for g in reports.slipped_work(story)}
    assert {sp.stream: sp.debt_points for sp in plan.streams} == debt
    assert debt == {"SAL": 18.0, "OPS": 2.0}  # SAL-1, -2, -3, -4 (no points), -6 overdue


def test_debt_trend_is_the_points_carried_over_at_each_close(story):
    plan = catchup.catchup_plan(story)
    assert plan.stream_plan("SAL").trend == (DebtPoint("S1", 16.0), DebtPoint("S2", 3.0))
    assert plan.stream_plan("OPS").trend == (DebtPoint("S1", 2.0), DebtPoint("S2", 0.0))


def test_items_already_in_the_sprint_count_as_committed(story):
    items.plan_item(story, "SAL-1", "S3")
    plan = catchup.catchup_plan(story)
    sal = plan.stream_plan("SAL")
    assert sal.committed_points == 9.0
    assert plan.entry("SAL-1").state == COMMITTED and plan.entry("SAL-1").note == "already in S3"
    # 1 free: nothing of SAL-2 (3), SAL-3 (8), SAL-6 (2) fits
    assert sal.plan_keys == [] and sal.free_after == 1.0
    # an addition of a committed item is ignored
    assert catchup.catchup_plan(story, add=["SAL-1"]).entry("SAL-1").state == COMMITTED


def test_accept_plans_the_items_with_history_and_undo(story):
    plan = catchup.catchup_plan(story)
    res = catchup.accept(story, plan.stream_plan("SAL").plan_keys, "next")
    assert (res.sprint, res.keys, res.before) == ("S3", ["SAL-2", "SAL-6"], {"SAL-2": None, "SAL-6": None})
    assert sprint_of(story, "SAL-2") == sprint_of(story, "SAL-6") == "S3"
    assert [(h.field, h.old, h.new) for h in items.history(story, "SAL-2")][-1] == ("sprint", None, "S3")
    after = catchup.catchup_plan(story)
    assert after.stream_plan("SAL").committed_points == 9.0
    assert (after.entry("SAL-2").state, after.entry("SAL-6").state) == (COMMITTED, COMMITTED)
    # the sprint's commitment counts them when it starts
    sprints.start_sprint(story, "S3")
    assert reports.sprint_report(story, "S3", stream="SAL").totals.committed_points == 9.0
    # slip trail untouched
    assert [s.sprint for s in items.slip_trail(story, "SAL-2")] == ["S1", "S2"]


def test_unaccept_puts_each_item_back_where_it_was(story):
    sprints.new_sprint(story, "S4", start="2026-02-16", end="2026-02-27")
    items.plan_item(story, "SAL-6", "S4")
    res = catchup.accept(story, ["SAL-6", "OPS-1"], "S3")
    assert res.before == {"SAL-6": "S4", "OPS-1": None}
    catchup.unaccept(story, res)
    assert (sprint_of(story, "SAL-6"), sprint_of(story, "OPS-1")) == ("S4", None)


def test_accepting_an_item_already_in_the_sprint_changes_nothing(story):
    items.plan_item(story, "SAL-1", "S3")
    n = len(items.history(story, "SAL-1"))
    res = catchup.accept(story, ["sal-1"], "S3")
    assert res.keys == [] and len(items.history(story, "SAL-1")) == n


def test_work_in_the_running_sprint_is_shown_but_never_pulled_out(story, clock):
    sprints.new_sprint(story, "S4", start="2026-02-16", end="2026-02-27")
    items.plan_item(story, "SAL-2", "S3")
    sprints.start_sprint(story, "S3")
    plan = catchup.catchup_plan(story)
    assert plan.sprint.name == "S4"
    e = plan.entry("SAL-2")
    assert e.state == RUNNING and "carries over" in e.note
    assert catchup.catchup_plan(story, add=["SAL-2"]).entry("SAL-2").state == RUNNING
    with pytest.raises(StateError, match="SAL-2 is in the running sprint S3"):
        catchup.accept(story, ["SAL-1", "SAL-2"], "S4")
    assert sprint_of(story, "SAL-1") is None  # nothing written
    assert sprint_of(story, "SAL-2") == "S3"


def test_the_stream_filter_keeps_one_stream(story):
    plan = catchup.catchup_plan(story, stream="ops")
    assert [sp.stream for sp in plan.streams] == ["OPS"]
    assert [e.key for e in plan.entries] == ["OPS-1"]
    assert plan.stream_plan("OPS").trend == catchup.catchup_plan(story).stream_plan("OPS").trend
    with pytest.raises(NotFoundError, match="unknown stream"):
        catchup.catchup_plan(story, stream="XYZ")


def test_blocked_days_decides_what_counts_as_long_blocked(story):
    # blocked on 20 Jan, today is 2 Feb: 13 days, which is more than 12 and not more than 13
    assert catchup.catchup_plan(story, blocked_days=12).entry("SAL-7").blocked_days == 13
    assert catchup.catchup_plan(story, blocked_days=13).entry("SAL-7") is None
    with pytest.raises(ValidationError):
        catchup.catchup_plan(story, blocked_days=-1)


def test_without_a_sprint_to_plan_into_the_work_is_listed_without_a_plan(story):
    with pytest.raises(NotFoundError, match="unknown sprint 'S9'"):
        catchup.catchup_plan(story, sprint="S9")
    with pytest.raises(StateError, match="S1 is closed"):
        catchup.catchup_plan(story, sprint="S1")
    plan = catchup.catchup_plan(story, sprint=None)
    assert plan.sprint is None and plan.plan_keys == []
    assert {e.state for e in plan.entries} == {NO_SPRINT}
    assert plan.debt_points == 20.0


def test_no_planned_sprint_is_a_clear_error(ctx):
    streams.add_stream(ctx, "SAL", "Sales")
    with pytest.raises(NotFoundError, match="no sprint is planned"):
        catchup.catchup_plan(ctx)
    with pytest.raises(NotFoundError, match="no sprint is planned"):
        catchup.accept(ctx, ["SAL-1"])


def test_accept_refuses_bad_input_before_writing(story):
    with pytest.raises(StateError, match="S2 is closed"):
        catchup.accept(story, ["SAL-1"], "S2")
    items.move_item(story, "SAL-6", "done")
    with pytest.raises(StateError, match="SAL-6 is done"):
        catchup.accept(story, ["SAL-1", "SAL-6"], "S3")
    with pytest.raises(NotFoundError, match="no item SAL-99"):
        catchup.accept(story, ["SAL-1", "SAL-99"], "S3")
    with pytest.raises(ValidationError):
        catchup.accept(story, [], "S3")
    assert sprint_of(story, "SAL-1") is None


def test_reading_the_plan_takes_the_same_queries_for_many_items(story, clock):
    def count_queries() -> int:
        with statements(story.db.engine) as seen:
            catchup.catchup_plan(story)
        return len(seen)

    few = count_queries()
    for n in range(30):
        items.create_item(story, f"Late {n}", stream="OPS" if n % 2 else "SAL", points=1, due="2026-01-20")
    assert len(catchup.catchup_plan(story).entries) == 37
    assert count_queries() == few


def test_the_listing_reads_the_partial_index_of_candidates_not_the_item_table(story):
    """The query repeats the index's condition word for word (SQLite takes a
    partial index only then); if either text changes alone, this fails."""
    if story.db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query plan")
    engine = story.db.engine
    with statements(engine) as seen:
        catchup.catchup_plan(story)
        catchup.catchup_plan(story, stream="SAL")
    listings = [(st, params) for st, params in seen if "slip_count >=" in st]
    assert len(listings) == 2
    for statement, parameters in listings:
        plan = " ".join(query_plan(engine, statement, parameters))
        assert re.search(r"(SCAN|SEARCH) item USING INDEX ix_item_catchup\b", plan), plan


# --------------------------------------------------------------------------- the greedy fill, at random


def _entry(key: str, points: float | None, slips: int, rank: float, base: str = SUGGESTED) -> CatchUpEntry:
    row = ItemRow(id=int(key.split("-")[1]), key=key, title=key, kind="story", stream="SAL", status="todo",
                  points=points, sprint=None, assignee=None, slip_count=slips, blocked=base == BLOCKED,
                  blocked_reason="", rank=rank, due_date=None, labels=[], version=1)
    return CatchUpEntry(row=row, slipped_from=(), age_days=0, overdue_days=None if slips else 1,
                        blocked_days=None, long_blocked=False, base=base)


@pytest.mark.parametrize("seed", range(40))
def test_the_plan_is_never_over_capacity_and_takes_the_slipped_items_first(seed):
    rng = random.Random(seed)
    n = rng.randint(0, 25)
    entries = [
        _entry(f"SAL-{i + 1}", rng.choice([None, 0, 1, 2, 3, 5, 8, 13]), rng.choice([0, 0, 1, 2, 3]),
               rng.random() * 100, rng.choice([SUGGESTED] * 6 + [BLOCKED, COMMITTED]))
        for i in range(n)
    ]
    entries.sort(key=catchup._priority)
    sp = StreamPlan("SAL", capacity_points=rng.choice([0, 5, 10, 20, 40]),
                    committed_points=rng.choice([0, 3, 8]), debt_points=0, trend=(), entries=tuple(entries))
    base = CatchUpPlan(sprint=None, streams=(sp,), blocked_days=3)
    skip = {e.key for e in entries if rng.random() < 0.2}
    plan = catchup.replan(base, skip=skip).streams[0]
    # never over capacity: what is suggested fits in what is free
    assert plan.plan_points <= max(plan.free_points, 0) + 1e-9
    # greedy in priority order: each candidate is suggested exactly when it fits what is left
    left = plan.free_points
    for e in plan.entries:
        if e.base != SUGGESTED or e.key in skip:
            assert e.state != SUGGESTED
            continue
        if e.points is None:
            assert e.state == NO_POINTS
        elif e.points <= left + 1e-9:
            assert e.state == SUGGESTED
            left -= e.points
        else:
            assert e.state == NO_FIT
    # the slipped items come first: the unslipped ones only take what the slipped ones leave
    order = [e.slip_count for e in plan.entries]
    assert order == sorted(order, reverse=True)
    only_slipped = replace(base, streams=(replace(sp, entries=tuple(e for e in entries if e.slip_count)),))
    alone = catchup.replan(only_slipped, skip=skip).streams[0]
    assert alone.plan_keys == [k for k in plan.plan_keys if plan_entry(plan, k).slip_count]


def plan_entry(sp: StreamPlan, key: str) -> CatchUpEntry:
    return next(e for e in sp.entries if e.key == key)
