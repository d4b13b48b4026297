"""The sprint figures add up, whatever happened: over random histories played
through the services (items created, planned in and out, re-estimated, moved,
deleted and restored; sprints started and closed with carry-over), for every
started sprint, in total and per stream:

    committed + added − removed + re-estimated = completed + carried over + not completed yet

where "not completed yet" is what is still open in the running sprint (nothing
once it is closed). Each example plays on a fresh copy of the migrated template
database, with a clock that moves only when the history says so (sometimes not
at all between two steps, as in a replay that stamps a day's changes alike).
"""

from __future__ import annotations

import itertools
import shutil
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Clock
from sprinttui.domain import SprintTuiError
from sprinttui.services import items, reports, sprints, streams
from sprinttui.services.context import Ctx
from sprinttui.store.engine import Database

STREAMS = ("SAL", "OPS")
SPRINTS = ("S1", "S2", "S3", "S4")
POINTS = st.sampled_from([None, 0, 0.5, 1, 2, 3, 5, 8, 13])
STATUS = st.sampled_from(["todo", "doing", "review", "done"])
WHERE = st.sampled_from(["backlog", "current", "next", *SPRINTS])
ITEM = st.integers(min_value=0, max_value=30)  # which of the items made so far (modulo their number)

CREATE = st.tuples(st.just("create"), st.sampled_from(STREAMS), POINTS, WHERE, STATUS)
PLAN = st.tuples(st.just("plan"), ITEM, WHERE)
REESTIMATE = st.tuples(st.just("reestimate"), ITEM, POINTS)
MOVE = st.tuples(st.just("move"), ITEM, STATUS)
STEP = st.one_of(
    CREATE, CREATE, PLAN, PLAN, REESTIMATE, REESTIMATE, MOVE, MOVE,
    st.tuples(st.just("plan_and_reestimate"), ITEM, WHERE, POINTS),
    # the first planned sprint starts (as a team works), now and then another one
    st.tuples(st.just("start"), st.sampled_from(["first", "first", *SPRINTS])),
    st.tuples(st.just("close"), st.sampled_from(["next", "next", "backlog", *SPRINTS])),
    st.tuples(st.just("delete"), ITEM),
    st.tuples(st.just("restore"), ITEM),
)
# minutes the clock moves before a step: often not at all
PAUSE = st.sampled_from([0, 0, 1, 30, 240, 1440])
HISTORY = st.lists(st.tuples(PAUSE, STEP), min_size=10, max_size=60)

_files = itertools.count()


def play(c: Ctx, clock: Clock, history) -> None:
    keys: list[str] = []
    for pause, (op, *args) in history:
        clock.advance(minutes=pause)
        key = keys[args[0] % len(keys)] if keys and op not in ("create", "start", "close") else None
        try:
            if op == "create":
                stream, points, where, status = args
                keys.append(items.create_item(c, f"Item {len(keys) + 1}", stream=stream, points=points,
                                              sprint=where, status=status).key)
            elif op == "start":
                planned = [v.name for v in sprints.list_sprints(c, state="planned")]
                if planned:
                    sprints.start_sprint(c, planned[0] if args[0] == "first" else args[0])
            elif op == "close":
                active = sprints.active_sprint(c)
                if active is not None:
                    sprints.close_sprint(c, active.name, carry_to=args[0])
            elif key is None:
                continue
            elif op == "plan":
                items.plan_item(c, key, args[1])
            elif op == "reestimate":
                items.edit_item(c, key, points=args[1])
            elif op == "plan_and_reestimate":  # one edit, one transaction
                items.edit_item(c, key, sprint=args[1], points=args[2])
            elif op == "move":
                items.move_item(c, key, args[1])
            elif op == "delete":
                items.delete_item(c, key)
            elif op == "restore":
                items.restore_item(c, key)
        except SprintTuiError:
            pass  # refused (a closed sprint, no next sprint, a deleted item …): nothing changed


def left(f: reports.Figures) -> float:
    return f.committed_points + f.added_points - f.removed_points + f.reestimated_points


def right(f: reports.Figures) -> float:
    return f.completed_points + f.carried_over_points + f.not_completed_points


def check(rep: reports.SprintReport, what: str) -> None:
    closed = rep.sprint.state == "closed"
    for name, f in [("total", rep.totals), *sorted(rep.streams.items())]:
        assert left(f) == pytest.approx(right(f), abs=1e-9), (what, name, f)
        if closed:
            assert (f.not_completed_points, f.not_completed_count) == (0.0, 0), (what, name, f)
    # the items' own re-estimates make the total's, and every item of a closed sprint has an outcome there
    assert sum(i.reestimated_points for i in rep.items) == pytest.approx(rep.totals.reestimated_points, abs=1e-9)
    assert rep.totals.reestimated_count == sum(1 for i in rep.items if i.reestimated_points)
    if closed:
        assert {i.outcome for i in rep.items} <= {"completed", "carried_over", "removed"}, (what, rep.items)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(history=HISTORY)
def test_committed_added_removed_and_reestimated_add_up_to_the_outcome(project_template, tmp_path, history):
    path = tmp_path / f"example-{next(_files)}.db"
    shutil.copy(project_template, path)
    database = Database(f"sqlite:///{path}")
    clock = Clock("2026-01-02 09:00")
    c = replace(Ctx(database, "tester"), clock=clock)
    try:
        for key in STREAMS:
            streams.add_stream(c, key, key.title())
        for n, name in enumerate(SPRINTS):
            sprints.new_sprint(c, name, start=f"2026-0{n + 1}-05", end=f"2026-0{n + 1}-16")
        play(c, clock, history)
        for v in sprints.list_sprints(c):
            if v.state == "planned":
                continue
            full = reports.sprint_report(c, v.name)
            check(full, v.name)
            for key in STREAMS:
                alone = reports.sprint_report(c, v.name, stream=key)
                check(alone, f"{v.name} {key}")
                assert alone.totals == full.streams.get(key, reports.Figures())
        # the velocity trend reads closed sprints from one grouped query: the same completed points
        for vel in reports.closed_velocity(c, last=len(SPRINTS)):
            rep = reports.sprint_report(c, vel.sprint.name)
            assert (vel.total.committed_points, vel.total.completed_points) == pytest.approx(
                (rep.totals.committed_points, rep.totals.completed_points))
    finally:
        database.dispose()
        path.unlink()

