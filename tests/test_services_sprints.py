"""Sprints and the figures computed from history: the specification of the
sprint life cycle (plan → start → close), carry-over, the sprint report over
several sprints, velocity, capacity, burndown and slipped work.

All figures below are worked out by hand from the story each test tells.
"""

from __future__ import annotations

from datetime import date

import pytest

from sprinttui.domain import (
    NotFoundError,
    SprintTuiError,
    StateError,
    ValidationError,
)
from sprinttui.services import items, members, project, reports, sprints, streams
from sprinttui.services.items import create_item, edit_item, move_item, plan_item

# --------------------------------------------------------------------------- helpers


def two_streams(c) -> None:
    streams.add_stream(c, "SAL", "Sales")
    streams.add_stream(c, "OPS", "Operations")


def fig(f) -> dict:
    """The figures of a report as a plain dict (say/do included)."""
    return {
        "committed": (f.committed_points, f.committed_count),
        "added": (f.added_points, f.added_count),
        "removed": (f.removed_points, f.removed_count),
        "completed": (f.completed_points, f.completed_count),
        "carried": (f.carried_over_points, f.carried_over_count),
        "say_do": f.say_do_ratio,
    }


def outcomes(report) -> dict[str, str]:
    return {o.key: o.outcome for o in report.items}


def state_of(c, name: str) -> str:
    return sprints.get_sprint(c, name).state


# --------------------------------------------------------------------------- creating sprints


def test_new_sprint_is_planned_with_its_dates(ctx):
    sp = sprints.new_sprint(ctx, "Sprint 1", start="2026-01-05", end="2026-01-16", goal="Pipeline live")
    assert sp.state == "planned"
    assert (sp.start, sp.end) == (date(2026, 1, 5), date(2026, 1, 16))
    assert sprints.get_sprint(ctx, "Sprint 1").goal == "Pipeline live"
    assert [s.name for s in sprints.list_sprints(ctx)] == ["Sprint 1"]


@pytest.mark.parametrize(
    "name, start, end, error",
    [
        ("S1", "2026-01-16", "2026-01-05", ValidationError),  # ends before it starts
        ("S1", "2026-02-30", "2026-03-10", ValidationError),  # no such day
        ("S1", "soon", "2026-03-10", ValidationError),
        ("S1", "2026-01-05", "2027-06-01", ValidationError),  # longer than a year
        ("", "2026-01-05", "2026-01-16", ValidationError),
        ("current", "2026-01-05", "2026-01-16", ValidationError),  # reserved word
        ("Next", "2026-01-05", "2026-01-16", ValidationError),
        ("backlog", "2026-01-05", "2026-01-16", ValidationError),
    ],
)
def test_new_sprint_rejects_bad_input_and_writes_nothing(ctx, name, start, end, error):
    with pytest.raises(error) as err:
        sprints.new_sprint(ctx, name, start=start, end=end)
    assert "\n" not in str(err.value)
    assert sprints.list_sprints(ctx) == []


def test_sprint_names_are_unique(ctx):
    sprints.new_sprint(ctx, "S1", start="2026-01-05", end="2026-01-16")
    with pytest.raises(ValidationError):
        sprints.new_sprint(ctx, "S1", start="2026-02-05", end="2026-02-16")
    assert len(sprints.list_sprints(ctx)) == 1


@pytest.mark.parametrize("name", ["none", "None", "NONE", "backlog", "Backlog", "current", "CURRENT", "next",
                                  "Last", " last "])
def test_no_sprint_is_named_or_renamed_a_reserved_word(ctx, name):
    with pytest.raises(ValidationError, match="reserved word") as err:
        sprints.new_sprint(ctx, name, start="2026-01-05", end="2026-01-16")
    assert err.value.field == "name" and "\n" not in str(err.value)
    assert sprints.list_sprints(ctx) == []
    sprints.new_sprint(ctx, "S1", start="2026-01-05", end="2026-01-16")
    with pytest.raises(ValidationError, match="reserved word"):
        sprints.edit_sprint(ctx, "S1", name=name)
    assert [s.name for s in sprints.list_sprints(ctx)] == ["S1"]
    # words that only contain a reserved one are names like any other
    assert sprints.edit_sprint(ctx, "S1", name=f"{name.strip()} 2").name == f"{name.strip()} 2"


def test_check_name_says_what_the_service_refuses(ctx):
    assert sprints.check_name("  Sprint 7 ", ["Sprint 6"]) == "Sprint 7"
    with pytest.raises(ValidationError, match="exists already"):
        sprints.check_name("Sprint 6", ["Sprint 6"])
    with pytest.raises(ValidationError, match="reserved word"):
        sprints.check_name("Next", [])
    with pytest.raises(ValidationError):
        sprints.check_name("", [])
    sprints.new_sprint(ctx, "S1", start="2026-01-05", end="2026-01-16")
    assert sprints.edit_sprint(ctx, "S1", name="S1", goal="same name, new goal").goal == "same name, new goal"
    with pytest.raises(ValidationError, match="exists already"):
        sprints.new_sprint(ctx, "S1", start="2026-01-19", end="2026-01-30")


def test_next_name():
    assert sprints.next_name(["Sprint 4", "Sprint 5"]) == "Sprint 6"
    assert sprints.next_name(["S9", "Hardening"]) == "S10"
    assert sprints.next_name(["Alpha"]) == "Sprint 2"
    assert sprints.next_name([]) == "Sprint 1"
    assert sprints.next_name(["S2", "S1"]) == "S3"  # never a name that is taken


# --------------------------------------------------------------------------- the dates proposed for a new sprint

WEEKDAYS = frozenset(range(5))  # Monday to Friday


def test_a_sprint_after_a_friday_end_starts_on_monday_and_holds_the_usual_working_days(ctx):
    sprints.new_sprint(ctx, "S1", start="2026-03-02", end="2026-03-13")  # Monday to Friday
    # the default project: sprints of 14 days, Monday to Friday; 14 days hold ten working days
    assert sprints.next_sprint_dates(ctx) == sprints.SprintDates(date(2026, 3, 16), date(2026, 3, 27), 10)
    # the latest end counts, not the last sprint created (S0 is added later but ends earlier)
    sprints.new_sprint(ctx, "S0", start="2026-02-16", end="2026-02-27")
    assert sprints.next_sprint_dates(ctx).start == date(2026, 3, 16)


@pytest.mark.parametrize("last_end,start", [
    ("2026-03-14", date(2026, 3, 16)),  # a Saturday: the Monday after
    ("2026-03-15", date(2026, 3, 16)),  # a Sunday: the next day
    ("2026-03-12", date(2026, 3, 13)),  # a Thursday: the Friday
])
def test_a_sprint_never_starts_on_a_weekend(ctx, last_end, start):
    sprints.new_sprint(ctx, "S1", start="2026-03-02", end=last_end)
    proposed = sprints.next_sprint_dates(ctx)
    assert proposed.start == start and proposed.start.weekday() < 5 and proposed.end.weekday() < 5
    assert proposed.working_days == 10


def test_the_working_days_setting_decides_what_a_working_day_is(ctx):
    project.update_settings(ctx, working_days="tue,wed,thu,fri,sat", sprint_length_days=7)
    sprints.new_sprint(ctx, "S1", start="2026-03-03", end="2026-03-07")  # Tuesday to Saturday
    # Sunday and Monday are off: Tuesday to Saturday, five working days
    assert sprints.next_sprint_dates(ctx) == sprints.SprintDates(date(2026, 3, 10), date(2026, 3, 14), 5)


def test_the_length_is_counted_in_working_days_over_a_holiday_period_too():
    # there is no holiday calendar: two weeks over Christmas are ten working days, as any other
    assert sprints.sprint_dates(date(2026, 12, 21), length_days=14, weekdays=WEEKDAYS) == sprints.SprintDates(
        date(2026, 12, 21), date(2027, 1, 1), 10)
    # a length of 10 days from a Monday holds eight working days: the end is the Wednesday after next
    assert sprints.sprint_dates(date(2026, 3, 16), length_days=10, weekdays=WEEKDAYS) == sprints.SprintDates(
        date(2026, 3, 16), date(2026, 3, 25), 8)
    # a sprint that would end on a weekend ends on the Friday before it
    assert sprints.sprint_dates(date(2026, 3, 18), length_days=4, weekdays=WEEKDAYS).end == date(2026, 3, 20)
    # a one-day sprint typed to start on a Saturday still holds a working day: the Monday
    assert sprints.sprint_dates(date(2026, 3, 21), length_days=1, weekdays=WEEKDAYS) == sprints.SprintDates(
        date(2026, 3, 21), date(2026, 3, 23), 1)


def test_a_typed_start_gets_the_end_that_fits_it(ctx):
    sprints.new_sprint(ctx, "S1", start="2026-03-02", end="2026-03-13")
    # from a Wednesday: ten working days end on the Tuesday two weeks on
    assert sprints.next_sprint_dates(ctx, date(2026, 3, 18)) == sprints.SprintDates(
        date(2026, 3, 18), date(2026, 3, 31), 10)


def test_the_first_sprint_starts_today_or_on_the_next_working_day(tctx, clock):
    clock.set("2026-01-07")  # a Wednesday
    assert sprints.next_sprint_dates(tctx) == sprints.SprintDates(date(2026, 1, 7), date(2026, 1, 20), 10)
    clock.set("2026-01-03")  # a Saturday
    assert sprints.next_sprint_dates(tctx).start == date(2026, 1, 5)


# --------------------------------------------------------------------------- references


def test_sprint_references_current_next_last(tctx, clock):
    c = tctx
    for n, (a, b) in enumerate(
        [("2026-01-05", "2026-01-16"), ("2026-01-19", "2026-01-30"), ("2026-02-02", "2026-02-13"),
         ("2026-02-16", "2026-02-27")],
        start=1,
    ):
        sprints.new_sprint(c, f"S{n}", start=a, end=b)
    for ref, msg in (("current", "active"), ("last", "closed")):
        with pytest.raises(NotFoundError) as err:
            sprints.get_sprint(c, ref)
        assert msg in str(err.value)
    assert sprints.get_sprint(c, "next").name == "S1"

    clock.set("2026-01-05")
    sprints.start_sprint(c, "next")
    assert sprints.get_sprint(c, "current").name == "S1"
    assert sprints.get_sprint(c, "next").name == "S2"
    clock.set("2026-01-16 17:00")
    sprints.close_sprint(c, "current", carry_to=None)
    clock.set("2026-01-19")
    sprints.start_sprint(c, "S2")
    clock.set("2026-01-30 17:00")
    sprints.close_sprint(c, "current", carry_to=None)
    clock.set("2026-02-02")
    sprints.start_sprint(c, "next")

    assert sprints.get_sprint(c, "current").name == "S3"
    assert sprints.get_sprint(c, "last").name == "S2"  # the most recently closed
    assert sprints.get_sprint(c, "next").name == "S4"
    assert sprints.get_sprint(c, " Current ").name == "S3"  # case and blanks do not matter
    assert sprints.active_sprint(c).name == "S3"
    with pytest.raises(NotFoundError):
        sprints.get_sprint(c, "S9")


# --------------------------------------------------------------------------- start / close rules


def test_only_a_planned_sprint_starts_and_only_one_is_active(tctx, clock):
    c = tctx
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    sprints.new_sprint(c, "S2", start="2026-01-19", end="2026-01-30")
    started = sprints.start_sprint(c, "S1")
    assert started.state == "active" and started.started_at == clock()

    with pytest.raises(StateError) as err:
        sprints.start_sprint(c, "S2")  # S1 is still active
    assert "S1" in str(err.value)
    assert state_of(c, "S2") == "planned"

    with pytest.raises(StateError):
        sprints.start_sprint(c, "S1")  # already active

    clock.advance(days=11)
    sprints.close_sprint(c, "S1", carry_to=None)
    with pytest.raises(StateError):
        sprints.start_sprint(c, "S1")  # closed sprints never restart
    assert state_of(c, "S1") == "closed"
    sprints.start_sprint(c, "S2")
    assert state_of(c, "S2") == "active"


def test_only_the_active_sprint_can_be_closed(tctx, clock):
    c = tctx
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    with pytest.raises(StateError):
        sprints.close_sprint(c, "S1", carry_to=None)
    assert state_of(c, "S1") == "planned"
    sprints.start_sprint(c, "S1")
    clock.advance(days=11)
    closed = sprints.close_sprint(c, "S1", carry_to=None)
    assert closed.sprint.state == "closed" and closed.sprint.closed_at == clock()
    with pytest.raises(StateError):
        sprints.close_sprint(c, "S1", carry_to=None)


def test_close_moves_unfinished_work_to_the_target_sprint(tctx, clock):
    c = tctx
    two_streams(c)
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    sprints.new_sprint(c, "S2", start="2026-01-19", end="2026-01-30")
    create_item(c, "Done", stream="SAL", points=3, sprint="S1")  # SAL-1
    create_item(c, "In review", stream="SAL", points=2, sprint="S1")  # SAL-2
    create_item(c, "Not started", stream="OPS", points=1, sprint="S1")  # OPS-1
    clock.advance(hours=1)
    sprints.start_sprint(c, "S1")
    clock.advance(days=1)
    move_item(c, "SAL-1", "done")
    move_item(c, "SAL-2", "review")
    clock.set("2026-01-16 17:00")

    result = sprints.close_sprint(c, "S1", carry_to="S2")

    assert result.completed == ["SAL-1"]
    assert sorted(result.carried) == ["OPS-1", "SAL-2"]
    assert result.target == "S2"
    rows = {r.key: r for r in items.list_items(c)}
    assert rows["SAL-1"].sprint == "S1" and rows["SAL-1"].slip_count == 0  # done work stays
    assert rows["SAL-2"].sprint == "S2" and rows["SAL-2"].slip_count == 1
    assert rows["SAL-2"].status == "review"  # status is kept
    assert rows["OPS-1"].sprint == "S2" and rows["OPS-1"].slip_count == 1
    trail = items.slip_trail(c, "SAL-2")
    assert [(s.sprint, s.to, s.points) for s in trail] == [("S1", "S2", 2.0)]
    # the move shows in the item's history, by whom and when
    moves = [h for h in items.history(c, "OPS-1") if h.field == "sprint"]
    assert (moves[-1].old, moves[-1].new, moves[-1].actor, moves[-1].at) == ("S1", "S2", "tester", clock())
    slips = [h for h in items.history(c, "OPS-1") if h.field == "slip_count"]
    assert [(h.old, h.new) for h in slips] == [("0", "1")]


@pytest.mark.parametrize("target", [None, "backlog", "BACKLOG"])
def test_close_to_the_backlog(tctx, clock, target):
    c = tctx
    two_streams(c)
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    create_item(c, "Unfinished", stream="SAL", points=2, sprint="S1")
    clock.advance(hours=1)
    sprints.start_sprint(c, "S1")
    clock.advance(days=11)
    result = sprints.close_sprint(c, "S1", carry_to=target)
    assert result.target is None and result.carried == ["SAL-1"]
    row = items.get_row(c, "SAL-1")
    assert row.sprint is None and row.slip_count == 1
    assert [i.key for i in items.list_items(c, sprint="backlog")] == ["SAL-1"]
    assert [(s.sprint, s.to) for s in items.slip_trail(c, "SAL-1")] == [("S1", None)]


def _close_fixture(c, clock):
    two_streams(c)
    sprints.new_sprint(c, "S0", start="2025-12-15", end="2025-12-26")
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    sprints.new_sprint(c, "S2", start="2026-01-19", end="2026-01-30")
    clock.set("2025-12-15")
    sprints.start_sprint(c, "S0")
    clock.set("2025-12-26 17:00")
    sprints.close_sprint(c, "S0", carry_to=None)
    clock.set("2026-01-02")
    create_item(c, "One", stream="SAL", points=3, sprint="S1")
    create_item(c, "Two", stream="OPS", points=1, sprint="S1")
    create_item(c, "Three", stream="OPS", points=2, sprint="S1")
    clock.set("2026-01-05")
    sprints.start_sprint(c, "S1")
    clock.set("2026-01-07")
    move_item(c, "OPS-2", "done")
    clock.set("2026-01-16 17:00")


@pytest.mark.parametrize(
    "target, error",
    [
        ("S0", StateError),  # a closed sprint
        ("S1", ValidationError),  # the sprint being closed
        ("current", ValidationError),
        ("S9", NotFoundError),
    ],
)
def test_close_with_an_invalid_target_changes_nothing(tctx, clock, target, error):
    c = tctx
    _close_fixture(c, clock)
    before_rows = items.list_items(c)
    before_history = {r.key: items.history(c, r.key) for r in before_rows}

    with pytest.raises(error) as err:
        sprints.close_sprint(c, "S1", carry_to=target)
    assert "\n" not in str(err.value)

    assert state_of(c, "S1") == "active"
    assert sprints.get_sprint(c, "S1").closed_at is None
    assert items.list_items(c) == before_rows  # same sprint, slip count, version
    assert {r.key: items.history(c, r.key) for r in before_rows} == before_history
    assert items.slip_trail(c, "SAL-1") == []
    # and the sprint can still be closed properly afterwards
    result = sprints.close_sprint(c, "S1", carry_to="S2")
    assert sorted(result.carried) == ["OPS-1", "SAL-1"]


def test_close_carry_to_next_without_a_planned_sprint_changes_nothing(tctx, clock):
    c = tctx
    two_streams(c)
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    create_item(c, "One", stream="SAL", points=3, sprint="S1")
    clock.advance(hours=1)
    sprints.start_sprint(c, "S1")
    clock.advance(days=11)
    with pytest.raises(NotFoundError):
        sprints.close_sprint(c, "S1")  # default carry_to="next", and nothing is planned
    assert state_of(c, "S1") == "active"
    assert items.get_row(c, "SAL-1").sprint == "S1"
    assert items.get_row(c, "SAL-1").slip_count == 0


def test_close_records_whether_the_goal_was_met_and_the_review_note(tctx, clock):
    c = tctx
    _close_fixture(c, clock)
    sprints.close_sprint(c, "S1", carry_to="S2", goal_met=False, review_note="  Pilot slipped:\nvendor late  ")
    v = sprints.get_sprint(c, "S1")
    assert (v.state, v.goal_met, v.review_note) == ("closed", False, "Pilot slipped:\nvendor late")
    assert {k: v.as_dict()[k] for k in ("goal_met", "review_note")} == {
        "goal_met": False, "review_note": "Pilot slipped:\nvendor late"}
    # corrected after the review; a note left out stays
    sprints.edit_sprint(c, "S1", goal_met=True)
    assert (sprints.get_sprint(c, "S1").goal_met, sprints.get_sprint(c, "S1").review_note) == (
        True, "Pilot slipped:\nvendor late")
    sprints.edit_sprint(c, "S1", review_note="Met after all")
    assert (sprints.get_sprint(c, "S1").goal_met, sprints.get_sprint(c, "S1").review_note) == (True, "Met after all")
    # closing without saying leaves it not recorded
    clock.advance(days=3)
    sprints.start_sprint(c, "S2")
    sprints.close_sprint(c, "S2", carry_to="backlog")
    assert (sprints.get_sprint(c, "S2").goal_met, sprints.get_sprint(c, "S2").review_note) == (None, "")


def test_a_review_note_too_long_refuses_the_close_and_changes_nothing(tctx, clock):
    c = tctx
    _close_fixture(c, clock)
    before = items.list_items(c)
    with pytest.raises(ValidationError) as err:
        sprints.close_sprint(c, "S1", carry_to="S2", goal_met=True, review_note="x" * 5001)
    assert "note" in str(err.value) and "\n" not in str(err.value)
    v = sprints.get_sprint(c, "S1")
    assert (v.state, v.goal_met, v.review_note) == ("active", None, "")
    assert items.list_items(c) == before
    with pytest.raises(ValidationError):
        sprints.edit_sprint(c, "S1", goal_met=True, review_note="x" * 5001)
    assert sprints.get_sprint(c, "S1").goal_met is None


def test_cannot_plan_into_a_closed_sprint(tctx, clock):
    c = tctx
    two_streams(c)
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    sprints.start_sprint(c, "S1")
    clock.advance(days=11)
    sprints.close_sprint(c, "S1", carry_to=None)
    create_item(c, "Backlog item", stream="SAL", points=1)
    with pytest.raises(StateError):
        plan_item(c, "SAL-1", "S1")
    with pytest.raises(StateError):
        create_item(c, "Straight in", stream="SAL", points=1, sprint="S1")
    assert items.get_row(c, "SAL-1").sprint is None
    assert items.count_items(c) == 1


# --------------------------------------------------------------------------- the report over three sprints


def test_three_sprints_figures_computed_from_history(tctx, clock):
    """S1 → S2 → S3 with carry-over, re-estimates, additions and removals.

    SAL-1 (5)  committed S1, carried → S2 (re-estimated to 6 before S2), carried → S3, done in S3
    SAL-2 (3)  committed S1, re-estimated to 8 after the start, done in S1
    SAL-3 (2)  planned into S1 and out again before the start: never part of S1
    OPS-1 (4)  committed S1, taken back to the backlog mid-sprint (removed)
    SAL-4 (2)  committed S1, taken out and put back (not removed), carried → S2, done in S2
    OPS-2 (1)  added to S1 mid-sprint, done
    SAL-5 (3)  planned into S2 before it starts, taken out mid-sprint (removed)
    OPS-3 (2)  added to S2 mid-sprint, carried → S3, done in S3
    OPS-4 (1)  added to S3 mid-sprint, carried → backlog at the close
    """
    c = tctx
    two_streams(c)
    clock.set("2026-01-02 10:00")
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    sprints.new_sprint(c, "S2", start="2026-01-19", end="2026-01-30")
    sprints.new_sprint(c, "S3", start="2026-02-02", end="2026-02-13")
    create_item(c, "Carried twice", stream="SAL", points=5, sprint="S1")
    create_item(c, "Re-estimated", stream="SAL", points=3, sprint="S1")
    create_item(c, "Planned out", stream="SAL", points=2, sprint="S1")
    create_item(c, "Removed in S1", stream="OPS", points=4, sprint="S1")
    create_item(c, "Out and back", stream="SAL", points=2, sprint="S1")
    clock.advance(hours=1)
    plan_item(c, "SAL-3", None)

    # ---- S1
    clock.set("2026-01-05 09:00")
    sprints.start_sprint(c, "S1")
    clock.set("2026-01-06 10:00")
    edit_item(c, "SAL-2", points=8)
    clock.set("2026-01-07 10:00")
    create_item(c, "Added in S1", stream="OPS", points=1, sprint="current")
    clock.set("2026-01-08 10:00")
    plan_item(c, "OPS-1", "backlog")
    clock.set("2026-01-09 10:00")
    plan_item(c, "SAL-4", None)
    clock.set("2026-01-09 12:00")
    plan_item(c, "SAL-4", "S1")
    clock.set("2026-01-12 10:00")
    move_item(c, "SAL-2", "done")
    clock.set("2026-01-12 11:00")
    move_item(c, "OPS-2", "done")
    clock.set("2026-01-14 11:00")
    move_item(c, "SAL-1", "doing")
    clock.set("2026-01-16 17:00")
    r1 = sprints.close_sprint(c, "S1", carry_to="S2")
    assert sorted(r1.completed) == ["OPS-2", "SAL-2"]
    assert sorted(r1.carried) == ["SAL-1", "SAL-4"]

    # ---- between S1 and S2
    clock.set("2026-01-17 10:00")
    edit_item(c, "SAL-1", points=6)
    clock.set("2026-01-17 11:00")
    create_item(c, "Removed in S2", stream="SAL", points=3, sprint="S2")

    # ---- S2
    clock.set("2026-01-19 09:00")
    sprints.start_sprint(c, "S2")
    clock.set("2026-01-20 10:00")
    move_item(c, "SAL-4", "done")
    clock.set("2026-01-21 10:00")
    plan_item(c, "SAL-5", "backlog")
    clock.set("2026-01-22 10:00")
    create_item(c, "Added in S2", stream="OPS", points=2, sprint="current")
    clock.set("2026-01-30 17:00")
    r2 = sprints.close_sprint(c, "S2")  # carry_to defaults to the next planned sprint
    assert r2.target == "S3"
    assert r2.completed == ["SAL-4"]
    assert sorted(r2.carried) == ["OPS-3", "SAL-1"]

    # ---- S3
    clock.set("2026-02-02 09:00")
    sprints.start_sprint(c, "S3")
    clock.set("2026-02-03 10:00")
    create_item(c, "Added in S3", stream="OPS", points=1, sprint="S3")
    clock.set("2026-02-05 10:00")
    move_item(c, "SAL-1", "done")
    clock.set("2026-02-06 10:00")
    move_item(c, "OPS-3", "done")
    clock.set("2026-02-13 17:00")
    r3 = sprints.close_sprint(c, "S3", carry_to="backlog")
    assert r3.target is None and r3.carried == ["OPS-4"]

    # ---- S1, read after everything else happened: history decides, not today's rows
    s1 = reports.sprint_report(c, "S1")
    assert s1.sprint.state == "closed"
    assert fig(s1.totals) == {
        "committed": (14.0, 4),  # SAL-1 5 + SAL-2 3 (as at the start) + OPS-1 4 + SAL-4 2
        "added": (1.0, 1),  # OPS-2
        "removed": (4.0, 1),  # OPS-1
        "completed": (9.0, 2),  # SAL-2 at 8 + OPS-2 1
        "carried": (7.0, 2),  # SAL-1 5 + SAL-4 2
        "say_do": round(3 / 14, 4),  # only SAL-2 of the commitment, at its committed 3
    }
    assert s1.totals.scope_change_points == 1.0 - 4.0
    assert fig(s1.streams["SAL"]) == {
        "committed": (10.0, 3), "added": (0.0, 0), "removed": (0.0, 0),
        "completed": (8.0, 1), "carried": (7.0, 2), "say_do": 0.3,
    }
    assert fig(s1.streams["OPS"]) == {
        "committed": (4.0, 1), "added": (1.0, 1), "removed": (4.0, 1),
        "completed": (1.0, 1), "carried": (0.0, 0), "say_do": 0.0,
    }
    assert outcomes(s1) == {
        "SAL-1": "carried_over", "SAL-2": "completed", "SAL-4": "carried_over",
        "OPS-1": "removed", "OPS-2": "completed",
    }  # SAL-3 was never part of S1
    by_key = {o.key: o for o in s1.items}
    assert by_key["OPS-2"].added_after_start and not by_key["OPS-2"].committed
    assert by_key["SAL-4"].committed and not by_key["SAL-4"].added_after_start

    # ---- S2
    s2 = reports.sprint_report(c, "S2")
    assert fig(s2.totals) == {
        "committed": (11.0, 3),  # SAL-1 at 6 (re-estimated before the start) + SAL-4 2 + SAL-5 3
        "added": (2.0, 1),  # OPS-3
        "removed": (3.0, 1),  # SAL-5
        "completed": (2.0, 1),  # SAL-4
        "carried": (8.0, 2),  # SAL-1 6 + OPS-3 2
        "say_do": round(2 / 11, 4),
    }
    assert fig(s2.streams["OPS"]) == {
        "committed": (0.0, 0), "added": (2.0, 1), "removed": (0.0, 0),
        "completed": (0.0, 0), "carried": (2.0, 1), "say_do": None,
    }
    assert fig(s2.streams["SAL"])["say_do"] == round(2 / 11, 4)

    # ---- S3
    s3 = reports.sprint_report(c, "last")
    assert s3.sprint.name == "S3"
    assert fig(s3.totals) == {
        "committed": (8.0, 2),  # SAL-1 6 + OPS-3 2
        "added": (1.0, 1),  # OPS-4
        "removed": (0.0, 0),
        "completed": (8.0, 2),
        "carried": (1.0, 1),  # OPS-4 to the backlog
        "say_do": 1.0,
    }

    # ---- per-stream filter gives the stream's own figures
    s1_sal = reports.sprint_report(c, "S1", stream="sal")
    assert fig(s1_sal.totals) == fig(s1.streams["SAL"])
    assert set(s1_sal.streams) == {"SAL"}

    # ---- slips
    sal1 = items.get_row(c, "SAL-1")
    assert (sal1.slip_count, sal1.status, sal1.sprint) == (2, "done", "S3")
    assert [(s.sprint, s.to, s.points) for s in items.slip_trail(c, "SAL-1")] == [
        ("S1", "S2", 5.0),
        ("S2", "S3", 6.0),
    ]
    assert items.get_row(c, "OPS-4").slip_count == 1
    assert items.get_row(c, "OPS-4").sprint is None
    assert items.get_row(c, "SAL-3").slip_count == 0
    assert items.get_row(c, "SAL-5").slip_count == 0  # removed mid-sprint is not a slip

    # ---- velocity: committed vs completed of the closed sprints, oldest first
    vel = reports.velocity(c, last=3)
    assert [(v.sprint, v.committed_points, v.completed_points) for v in vel] == [
        ("S1", 14.0, 9.0),
        ("S2", 11.0, 2.0),
        ("S3", 8.0, 8.0),
    ]
    assert [v.sprint for v in reports.velocity(c, last=2)] == ["S2", "S3"]


def test_points_changed_after_start_do_not_change_the_commitment(tctx, clock):
    c = tctx
    two_streams(c)
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    create_item(c, "Grows", stream="SAL", points=3, sprint="S1")
    create_item(c, "Shrinks", stream="SAL", points=5, sprint="S1")
    clock.set("2026-01-05")
    sprints.start_sprint(c, "S1")
    clock.set("2026-01-06")
    edit_item(c, "SAL-1", points=13)
    clock.set("2026-01-07")
    edit_item(c, "SAL-2", points=1)
    clock.set("2026-01-08")
    move_item(c, "SAL-1", "done")

    running = reports.sprint_report(c, "current")
    assert running.totals.committed_points == 8.0
    assert running.totals.completed_points == 13.0  # done so far, at today's points
    assert running.totals.say_do_ratio == round(3 / 8, 4)

    clock.set("2026-01-16 17:00")
    sprints.close_sprint(c, "S1", carry_to=None)
    clock.set("2026-01-20")
    edit_item(c, "SAL-2", points=40)  # after the close, in the backlog
    closed = reports.sprint_report(c, "S1")
    assert closed.totals.committed_points == 8.0
    assert closed.totals.carried_over_points == 1.0  # SAL-2 at its points when carried
    assert closed.totals.say_do_ratio == round(3 / 8, 4)


def test_running_sprint_counts_what_is_done_so_far(tctx, clock):
    c = tctx
    two_streams(c)
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    create_item(c, "A", stream="SAL", points=2, sprint="S1")
    create_item(c, "B", stream="SAL", points=3, sprint="S1")
    clock.set("2026-01-05")
    sprints.start_sprint(c, "S1")
    assert fig(reports.sprint_report(c).totals)["completed"] == (0.0, 0)
    clock.set("2026-01-06")
    move_item(c, "SAL-2", "done")
    r = reports.sprint_report(c)
    assert fig(r.totals)["completed"] == (3.0, 1)
    assert fig(r.totals)["carried"] == (0.0, 0)  # nothing carried before the close
    assert r.totals.say_do_ratio == 0.6
    assert outcomes(r) == {"SAL-1": "not_completed", "SAL-2": "completed"}
    clock.set("2026-01-07")
    move_item(c, "SAL-2", "doing")  # reopened
    assert fig(reports.sprint_report(c).totals)["completed"] == (0.0, 0)


def test_item_planned_out_before_the_start_is_neither_committed_nor_removed(tctx, clock):
    c = tctx
    two_streams(c)
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    create_item(c, "Stays", stream="SAL", points=2, sprint="S1")
    create_item(c, "Goes", stream="SAL", points=5, sprint="S1")
    clock.advance(hours=1)
    plan_item(c, "SAL-2", "backlog")
    clock.advance(hours=1)
    sprints.start_sprint(c, "S1")
    clock.advance(days=11)
    sprints.close_sprint(c, "S1", carry_to=None)
    r = reports.sprint_report(c, "S1")
    assert fig(r.totals)["committed"] == (2.0, 1)
    assert fig(r.totals)["removed"] == (0.0, 0)
    assert fig(r.totals)["added"] == (0.0, 0)
    assert "SAL-2" not in outcomes(r)
    assert items.get_row(c, "SAL-2").slip_count == 0


def test_item_that_left_and_came_back_is_not_removed(tctx, clock):
    c = tctx
    two_streams(c)
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    create_item(c, "Committed", stream="SAL", points=2, sprint="S1")
    clock.set("2026-01-05")
    sprints.start_sprint(c, "S1")
    clock.set("2026-01-06")
    create_item(c, "Added", stream="OPS", points=3, sprint="S1")
    clock.set("2026-01-07")
    plan_item(c, "SAL-1", None)
    clock.set("2026-01-07 10:00")
    plan_item(c, "OPS-1", None)
    clock.set("2026-01-08")
    plan_item(c, "SAL-1", "S1")
    clock.set("2026-01-08 10:00")
    plan_item(c, "OPS-1", "S1")
    clock.set("2026-01-09")
    move_item(c, "SAL-1", "done")
    move_item(c, "OPS-1", "done")
    clock.set("2026-01-16 17:00")
    sprints.close_sprint(c, "S1", carry_to=None)
    r = reports.sprint_report(c, "S1")
    assert fig(r.totals) == {
        "committed": (2.0, 1),
        "added": (3.0, 1),  # added once, even though it entered twice
        "removed": (0.0, 0),
        "completed": (5.0, 2),
        "carried": (0.0, 0),
        "say_do": 1.0,
    }


def test_done_item_taken_out_is_not_removed(tctx, clock):
    c = tctx
    two_streams(c)
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    sprints.new_sprint(c, "S2", start="2026-01-19", end="2026-01-30")
    create_item(c, "Done early", stream="SAL", points=2, sprint="S1")
    create_item(c, "Unfinished", stream="SAL", points=3, sprint="S1")
    clock.set("2026-01-05")
    sprints.start_sprint(c, "S1")
    clock.set("2026-01-06")
    move_item(c, "SAL-1", "done")
    clock.set("2026-01-07")
    plan_item(c, "SAL-1", "S2")  # done, moved away
    clock.set("2026-01-08")
    plan_item(c, "SAL-2", "S2")  # unfinished, moved away: removed
    clock.set("2026-01-16 17:00")
    sprints.close_sprint(c, "S1", carry_to=None)
    r = reports.sprint_report(c, "S1")
    assert fig(r.totals)["removed"] == (3.0, 1)
    assert outcomes(r)["SAL-2"] == "removed"
    assert outcomes(r)["SAL-1"] != "removed"
    assert fig(r.totals)["carried"] == (0.0, 0)


def adds_up(f) -> bool:
    """committed + added − removed + re-estimated = completed + carried over + not completed yet."""
    return (f.committed_points + f.added_points - f.removed_points + f.reestimated_points
            == f.completed_points + f.carried_over_points + f.not_completed_points)


def test_points_changed_in_the_sprint_are_counted_as_reestimated_so_the_figures_add_up(tctx, clock):
    """SAL-1 committed at 3, re-estimated to 5 and done; OPS-1 added at 5,
    re-estimated to 8 and carried over; OPS-2 added at 2, cut to 1 and taken
    out; SAL-2 re-estimated before the start (its commitment) and after the close."""
    c = tctx
    two_streams(c)
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    create_item(c, "Grows", stream="SAL", points=3, sprint="S1")
    create_item(c, "Planned", stream="SAL", points=1, sprint="S1")
    edit_item(c, "SAL-2", points=2)  # before the start: part of the commitment, not a re-estimate
    clock.set("2026-01-05")
    sprints.start_sprint(c, "S1")
    clock.set("2026-01-06")
    edit_item(c, "SAL-1", points=5)
    create_item(c, "Added", stream="OPS", points=5, sprint="current")
    create_item(c, "Cut", stream="OPS", points=2, sprint="current")
    clock.set("2026-01-07")
    edit_item(c, "OPS-1", points=8)
    edit_item(c, "OPS-2", points=1)
    clock.set("2026-01-08")
    plan_item(c, "OPS-2", None)
    move_item(c, "SAL-1", "done")

    running = reports.sprint_report(c, "S1")
    t = running.totals
    assert (t.reestimated_points, t.reestimated_count) == (2.0 + 3.0 - 1.0, 3)
    assert (t.not_completed_points, t.not_completed_count) == (10.0, 2)  # OPS-1 at 8, SAL-2 at 2
    assert t.carried_over_points == 0.0 and adds_up(t)
    assert {k: (f.reestimated_points, adds_up(f)) for k, f in running.streams.items()} == {
        "SAL": (2.0, True), "OPS": (2.0, True)}

    clock.set("2026-01-16 17:00")
    sprints.close_sprint(c, "S1", carry_to=None)
    clock.set("2026-01-20")
    edit_item(c, "SAL-2", points=13)  # after the close: not this sprint's
    closed = reports.sprint_report(c, "S1")
    assert fig(closed.totals) == {
        "committed": (5.0, 2), "added": (7.0, 2), "removed": (1.0, 1),
        "completed": (5.0, 1), "carried": (10.0, 2), "say_do": 0.6,
    }
    assert (closed.totals.reestimated_points, closed.totals.not_completed_points) == (4.0, 0.0)
    assert 5 + 7 - 1 + 4 == 5 + 10 and adds_up(closed.totals)
    assert all(adds_up(f) for f in closed.streams.values())
    assert {i.key: i.reestimated_points for i in closed.items} == {
        "SAL-1": 2.0, "SAL-2": 0.0, "OPS-1": 3.0, "OPS-2": -1.0}
    assert closed.as_dict()["totals"]["reestimated_points"] == 4.0
    assert closed.as_dict()["streams"][0] == {**closed.as_dict()["streams"][0], "stream": "OPS",
                                              "reestimated_points": 2.0, "reestimated_count": 2}


def test_done_item_taken_out_of_the_running_sprint_is_completed_there(tctx, clock):
    c = tctx
    two_streams(c)
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    sprints.new_sprint(c, "S2", start="2026-01-19", end="2026-01-30")
    create_item(c, "Moved on when done", stream="SAL", points=2, sprint="S1")
    create_item(c, "Deleted when done", stream="OPS", points=3, sprint="S1")
    create_item(c, "Stays", stream="SAL", points=1, sprint="S1")
    clock.set("2026-01-05")
    sprints.start_sprint(c, "S1")
    clock.set("2026-01-06")
    move_item(c, "SAL-1", "done")
    move_item(c, "OPS-1", "done")
    clock.set("2026-01-07")
    plan_item(c, "SAL-1", "S2")
    items.delete_item(c, "OPS-1")
    running = reports.sprint_report(c, "S1")
    assert fig(running.totals)["completed"] == (5.0, 2) and adds_up(running.totals)
    clock.set("2026-01-16 17:00")
    sprints.close_sprint(c, "S1", carry_to="backlog")
    r = reports.sprint_report(c, "S1")
    assert outcomes(r) == {"SAL-1": "completed", "SAL-2": "carried_over", "OPS-1": "completed"}
    assert fig(r.totals)["completed"] == (5.0, 2) and fig(r.totals)["removed"] == (0.0, 0)
    assert adds_up(r.totals) and all(adds_up(f) for f in r.streams.values())
    # the velocity trend (one grouped query over the closed sprints) says the same
    (v,) = reports.closed_velocity(c)
    assert (v.total.completed_points, v.of("SAL").completed_points, v.of("OPS").completed_points) == (5.0, 2.0, 3.0)


def test_deleted_item_counts_as_removed_and_restored_item_does_not(tctx, clock):
    c = tctx
    two_streams(c)
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    create_item(c, "Deleted", stream="SAL", points=2, sprint="S1")
    create_item(c, "Deleted then restored", stream="SAL", points=3, sprint="S1")
    clock.set("2026-01-05")
    sprints.start_sprint(c, "S1")
    clock.set("2026-01-06")
    items.delete_item(c, "SAL-1")
    items.delete_item(c, "SAL-2")
    clock.set("2026-01-07")
    items.restore_item(c, "SAL-2")
    clock.set("2026-01-16 17:00")
    result = sprints.close_sprint(c, "S1", carry_to=None)
    assert result.carried == ["SAL-2"]  # the deleted item is not carried anywhere
    r = reports.sprint_report(c, "S1")
    assert fig(r.totals)["committed"] == (5.0, 2)
    assert fig(r.totals)["removed"] == (2.0, 1)
    assert fig(r.totals)["carried"] == (3.0, 1)


def test_say_do_is_none_when_nothing_was_committed(tctx, clock):
    c = tctx
    two_streams(c)
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    clock.set("2026-01-05")
    sprints.start_sprint(c, "S1")
    clock.set("2026-01-06")
    create_item(c, "Added", stream="SAL", points=3, sprint="S1")
    clock.set("2026-01-07")
    move_item(c, "SAL-1", "done")
    clock.set("2026-01-16 17:00")
    sprints.close_sprint(c, "S1", carry_to=None)
    r = reports.sprint_report(c, "S1")
    assert r.totals.committed_points == 0
    assert r.totals.say_do_ratio is None
    assert r.totals.completed_points == 3.0
    assert r.as_dict()["totals"]["say_do_ratio"] is None


def test_items_planned_at_the_same_instant_as_the_start_are_committed_not_added(tctx, clock):
    c = tctx
    two_streams(c)
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    # The clock does not move: planning and starting happen at the same instant,
    # as in a replay that stamps everything of one day with the same time.
    create_item(c, "A", stream="SAL", points=2, sprint="S1")
    create_item(c, "B", stream="SAL", points=3, sprint="S1")
    sprints.start_sprint(c, "S1")
    r = reports.sprint_report(c, "S1")
    assert fig(r.totals)["committed"] == (5.0, 2)
    assert fig(r.totals)["added"] == (0.0, 0)


# --------------------------------------------------------------------------- capacity


def test_capacity_per_member_and_stream(ctx):
    two_streams(ctx)
    streams.add_stream(ctx, "HR", "Human resources")
    project.update_settings(ctx, points_per_day=0.5)
    sprints.new_sprint(ctx, "C1", start="2026-01-05", end="2026-01-16")  # 10 working days
    members.add_member(ctx, "alice", "Alice", stream="SAL")  # 100 %
    members.add_member(ctx, "bob", "Bob", stream="SAL", availability=50)
    members.add_member(ctx, "carol", "Carol", stream="OPS", availability="80%")
    members.add_member(ctx, "dave", "Dave")  # no primary stream
    members.add_member(ctx, "erin", "Erin", stream="OPS")
    members.edit_member(ctx, "erin", active=False)  # gone: no capacity
    members.set_absence(ctx, "bob", "C1", 2)
    members.set_absence(ctx, "carol", "C1", 1.5)
    create_item(ctx, "Big", stream="SAL", points=5, sprint="C1")
    create_item(ctx, "Bigger", stream="SAL", points=3, sprint="C1")
    create_item(ctx, "Small", stream="OPS", points=3, sprint="C1")
    create_item(ctx, "Unplanned", stream="OPS", points=20)
    create_item(ctx, "Deleted", stream="OPS", points=20, sprint="C1")
    items.delete_item(ctx, "OPS-3")

    cap = reports.capacity(ctx, "C1")

    assert cap.working_days == 10
    per_member = {m.handle: (m.stream, m.availability, m.absence_days, m.capacity_days) for m in cap.members}
    assert per_member == {
        "alice": ("SAL", 100, 0.0, 10.0),
        "bob": ("SAL", 50, 2.0, 4.0),  # 50 % of (10 - 2)
        "carol": ("OPS", 80, 1.5, 6.8),  # 80 % of (10 - 1.5)
        "dave": (None, 100, 0.0, 10.0),
    }
    per_stream = {s.stream: s for s in cap.streams}
    assert set(per_stream) == {"HR", "OPS", "SAL"}
    sal, ops, hr = per_stream["SAL"], per_stream["OPS"], per_stream["HR"]
    assert (sal.capacity_days, sal.capacity_points, sal.committed_points) == (14.0, 7.0, 8.0)
    assert sal.over_committed
    assert (ops.capacity_days, ops.capacity_points, ops.committed_points) == (6.8, 3.4, 3.0)
    assert not ops.over_committed
    assert (hr.capacity_days, hr.capacity_points, hr.committed_points) == (0.0, 0.0, 0.0)
    assert not hr.over_committed
    assert sal.velocity_points is None  # no closed sprint yet
    assert cap.total.capacity_days == 30.8  # dave counts in the total
    assert cap.total.committed_points == 11.0
    assert cap.total.capacity_points == 15.4
    assert not cap.total.over_committed

    members.set_absence(ctx, "bob", "C1", 0)  # back in full
    assert {m.handle: m.capacity_days for m in reports.capacity(ctx, "C1").members}["bob"] == 5.0


def test_capacity_follows_the_working_days_setting(ctx):
    two_streams(ctx)
    members.add_member(ctx, "alice", "Alice", stream="SAL")
    sprints.new_sprint(ctx, "C1", start="2026-01-05", end="2026-01-16")
    project.update_settings(ctx, working_days="mon,tue,wed,thu")
    cap = reports.capacity(ctx, "next")
    assert cap.working_days == 8
    assert cap.members[0].capacity_days == 8.0


def _run_sprint(c, clock, name, start, end, done: dict[str, list[float]]):
    """A sprint whose items (stream → points) are all done, closed at the end."""
    sprints.new_sprint(c, name, start=start, end=end)
    clock.set(start)
    keys = []
    for stream, pts in done.items():
        for p in pts:
            keys.append(create_item(c, f"{name} work", stream=stream, points=p, sprint=name).key)
    clock.advance(hours=1)
    sprints.start_sprint(c, name)
    clock.advance(days=1)
    for k in keys:
        move_item(c, k, "done")
    clock.set(f"{end} 17:00")
    sprints.close_sprint(c, name, carry_to=None)


def test_capacity_velocity_is_the_average_of_the_last_three_closed_sprints(tctx, clock):
    c = tctx
    two_streams(c)
    _run_sprint(c, clock, "V1", "2025-11-03", "2025-11-14", {"SAL": [20]})  # too old to count
    _run_sprint(c, clock, "V2", "2025-11-17", "2025-11-28", {"SAL": [4]})
    _run_sprint(c, clock, "V3", "2025-12-01", "2025-12-12", {"SAL": [2, 4]})
    _run_sprint(c, clock, "V4", "2025-12-15", "2025-12-26", {"SAL": [8], "OPS": [2]})
    sprints.new_sprint(c, "V5", start="2026-01-05", end="2026-01-16")
    create_item(c, "Planned", stream="SAL", points=3, sprint="V5")

    cap = reports.capacity(c, "next")
    per_stream = {s.stream: s for s in cap.streams}
    assert per_stream["SAL"].velocity_points == 6.0  # (4 + 6 + 8) / 3
    assert per_stream["OPS"].velocity_points == round(2 / 3, 2)  # (0 + 0 + 2) / 3
    assert cap.total.velocity_points == round((4 + 6 + 10) / 3, 2)
    assert cap.total.committed_points == 3.0


# --------------------------------------------------------------------------- burndown


def test_burndown_follows_history_per_working_day(tctx, clock):
    c = tctx
    two_streams(c)
    sprints.new_sprint(c, "B1", start="2026-01-05", end="2026-01-16")  # Mon .. Fri next week
    clock.set("2026-01-02")
    create_item(c, "A", stream="SAL", points=3, sprint="B1")
    create_item(c, "B", stream="SAL", points=5, sprint="B1")
    create_item(c, "C", stream="OPS", points=2, sprint="B1")
    clock.set("2026-01-05 09:00")
    sprints.start_sprint(c, "B1")
    clock.set("2026-01-06 14:00")
    move_item(c, "SAL-1", "done")
    clock.set("2026-01-07 11:00")
    create_item(c, "D", stream="OPS", points=4, sprint="B1")
    clock.set("2026-01-08 15:00")
    move_item(c, "SAL-2", "done")
    clock.set("2026-01-09 10:00")
    move_item(c, "OPS-1", "done")
    clock.set("2026-01-12 10:00")
    move_item(c, "OPS-1", "doing")  # reopened
    clock.set("2026-01-13 10:00")
    move_item(c, "OPS-2", "done")
    clock.set("2026-01-13 11:00")
    edit_item(c, "OPS-1", points=1)  # re-estimated

    bd = reports.burndown(c, "B1", as_of=date(2026, 1, 13))

    days = [p.day for p in bd]
    assert days == [date(2026, 1, d) for d in (5, 6, 7, 8, 9, 12, 13, 14, 15, 16)]  # no weekend
    assert [p.remaining for p in bd] == [10.0, 7.0, 11.0, 6.0, 4.0, 6.0, 1.0, None, None, None]

    ideal = [p.ideal for p in bd]
    assert ideal[0] in (10.0, 9.0)  # from the committed 10 points …
    assert ideal[-1] == 0.0  # … down to zero on the last day
    steps = {round(a - b, 6) for a, b in zip(ideal, ideal[1:], strict=False)}
    assert len(steps) == 1 and steps.pop() > 0  # a straight line

    # per stream: SAL had A (3) and B (5); OPS had C (2, reopened, re-estimated to 1) and D (4, added)
    sal = reports.burndown(c, "B1", as_of=date(2026, 1, 13), stream="sal")
    ops = reports.burndown(c, "B1", as_of=date(2026, 1, 13), stream="OPS")
    assert [p.remaining for p in sal][:7] == [8.0, 5.0, 5.0, 0.0, 0.0, 0.0, 0.0]
    assert [p.remaining for p in ops][:7] == [2.0, 2.0, 6.0, 6.0, 4.0, 6.0, 1.0]
    assert sal[0].ideal in (8.0, 7.2) and ops[0].ideal in (2.0, 1.8)
    with pytest.raises(NotFoundError):
        reports.burndown(c, "B1", stream="NOPE")

    # later reads give the same past: the past comes from history, not from today's rows
    clock.set("2026-01-14 10:00")
    move_item(c, "OPS-1", "done")
    again = reports.burndown(c, "B1", as_of=date(2026, 1, 14))
    assert [p.remaining for p in again][:8] == [10.0, 7.0, 11.0, 6.0, 4.0, 6.0, 1.0, 0.0]


def test_burndown_of_a_planned_sprint_has_no_actuals(ctx):
    two_streams(ctx)
    sprints.new_sprint(ctx, "B1", start="2026-01-05", end="2026-01-09")
    create_item(ctx, "A", stream="SAL", points=4, sprint="B1")
    create_item(ctx, "B", stream="OPS", points=6, sprint="B1")
    bd = reports.burndown(ctx, "B1", as_of=date(2026, 1, 8))
    assert [p.remaining for p in bd] == [None] * 5
    assert bd[-1].ideal == 0.0
    assert bd[0].ideal in (10.0, 8.0)
    assert reports.burndown(ctx, "B1", as_of=date(2026, 1, 8), stream="SAL")[0].ideal in (4.0, 3.2)


# --------------------------------------------------------------------------- slipped work


def test_slipped_work_groups_slipped_overdue_and_long_blocked_items_by_stream(tctx, clock):
    c = tctx
    two_streams(c)
    streams.add_stream(c, "HR", "Human resources")
    sprints.new_sprint(c, "S1", start="2025-12-15", end="2025-12-26")
    clock.set("2025-12-12")
    create_item(c, "Slipped, still open", stream="SAL", points=3, sprint="S1")  # SAL-1
    create_item(c, "Slipped, then done", stream="SAL", points=2, sprint="S1")  # SAL-2
    clock.set("2025-12-15")
    sprints.start_sprint(c, "S1")
    clock.set("2025-12-26 17:00")
    sprints.close_sprint(c, "S1", carry_to=None)
    clock.set("2026-01-02")
    move_item(c, "SAL-2", "done")

    create_item(c, "Overdue", stream="OPS", points=5, due="2026-01-10")  # OPS-1
    create_item(c, "Due on the day", stream="OPS", points=1, due="2026-01-12")  # OPS-2
    create_item(c, "Overdue but done", stream="OPS", points=1, due="2026-01-05")  # OPS-3
    move_item(c, "OPS-3", "done")
    create_item(c, "Blocked long", stream="SAL", points=1)  # SAL-3
    create_item(c, "Blocked recently", stream="SAL", points=1)  # SAL-4
    create_item(c, "Overdue and deleted", stream="OPS", points=1, due="2026-01-01")  # OPS-4
    items.delete_item(c, "OPS-4")
    clock.set("2026-01-05 09:00")
    items.set_blocked(c, "SAL-3", True, "waiting for licences")
    clock.set("2026-01-10 09:00")
    items.set_blocked(c, "SAL-4", True, "vendor")

    groups = reports.slipped_work(c, on=date(2026, 1, 12), blocked_days=3)
    by = {g.stream: g for g in groups}
    assert set(by) == {"HR", "OPS", "SAL"}
    assert [r.key for r in by["SAL"].slipped] == ["SAL-1"]
    assert by["SAL"].slipped[0].slip_count == 1
    assert [r.key for r in by["SAL"].blocked] == ["SAL-3"]  # 7 days; SAL-4 only 2
    assert by["SAL"].overdue == []
    assert [r.key for r in by["OPS"].overdue] == ["OPS-1"]
    assert by["OPS"].slipped == [] and by["OPS"].blocked == []
    assert (by["HR"].slipped, by["HR"].overdue, by["HR"].blocked) == ([], [], [])
    assert by["SAL"].debt_points == 3.0
    assert by["OPS"].debt_points == 5.0

    # with a shorter limit the recently blocked item shows too
    sal = {g.stream: g for g in reports.slipped_work(c, on=date(2026, 1, 12), blocked_days=1)}["SAL"]
    assert [r.key for r in sal.blocked] == ["SAL-3", "SAL-4"]

    # unblocking takes it off the list
    items.set_blocked(c, "SAL-3", False)
    sal = {g.stream: g for g in reports.slipped_work(c, on=date(2026, 1, 12))}["SAL"]
    assert sal.blocked == []

    only = reports.slipped_work(c, stream="ops", on=date(2026, 1, 12))
    assert [g.stream for g in only] == ["OPS"]
    assert [r.key for r in only[0].overdue] == ["OPS-1"]


def test_report_on_unknown_sprint_or_stream_is_a_clear_error(ctx):
    two_streams(ctx)
    sprints.new_sprint(ctx, "S1", start="2026-01-05", end="2026-01-16")
    for call in (
        lambda: reports.sprint_report(ctx, "S7"),
        lambda: reports.sprint_report(ctx, "S1", stream="XYZ"),
        lambda: reports.capacity(ctx, "S7"),
        lambda: reports.burndown(ctx, "current", as_of=date(2026, 1, 6)),
        lambda: reports.slipped_work(ctx, stream="XYZ"),
    ):
        with pytest.raises(SprintTuiError) as err:
            call()
        assert isinstance(err.value, NotFoundError)
        assert "\n" not in str(err.value)


def test_velocity_from_the_grouped_query_matches_each_closed_sprints_report(ctx):
    """velocity() and capacity() read closed sprints from one grouped query;
    the figures must be those of the full report of each sprint."""
    from sprinttui.demo import create_demo

    create_demo(ctx, today=date(2026, 3, 18))
    closed = [s for s in sprints.list_sprints(ctx, state="closed")]
    assert len(closed) == 3
    vel = reports.closed_velocity(ctx, last=10)
    assert [v.sprint.name for v in vel] == [s.name for s in sorted(closed, key=lambda s: (s.end, s.id))]
    for v in vel:
        rep = reports.sprint_report(ctx, v.sprint.name)
        assert (v.total.committed_points, v.total.completed_points) == (
            rep.totals.committed_points, rep.totals.completed_points)
        assert {k: (p.committed_points, p.completed_points) for k, p in v.streams.items()} == {
            k: (f.committed_points, f.completed_points) for k, f in rep.streams.items()}
    assert [(p.sprint, p.committed_points, p.completed_points)
            for p in reports.velocity(ctx, last=2, stream="SAL")] == [
        (v.sprint.name, v.of("SAL").committed_points, v.of("SAL").completed_points) for v in vel[-2:]]
    # the sprints before a given one only
    before_last = reports.closed_velocity(ctx, last=5, before=vel[-1].sprint.name)
    assert [v.sprint.name for v in before_last] == [v.sprint.name for v in vel[:-1]]
