"""The demo project and the synthetic seed: shape, history and consistency."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest
from sqlmodel import select

from sprinttui.domain import ITEM_KEY_RE, STREAM_KEY_RE, StateError
from sprinttui.services import (
    evaluations,
    items,
    kpis,
    members,
    open_ctx,
    reports,
    sprints,
    standups,
    streams,
)
from sprinttui.store.models import Item, ItemEvent, Sprint, SprintEvent, Stream

TODAY = date(2026, 3, 18)  # a Wednesday
YESTERDAY = date(2026, 3, 17)


# --------------------------------------------------------------------------- helpers


def _ctx(path, name: str = "x.db"):
    return open_ctx(str(path / name), "tester")


def _rows(ctx) -> list[tuple]:
    return [(r.key, r.title, r.status, r.points, r.sprint) for r in items.list_items(ctx, order="key")]


def _check_history(ctx) -> None:
    """Replaying each item's history gives its current state, and sprint
    membership events are consistent with the sprints' starts and closes."""
    with ctx.db.read() as s:  # objects expire when the read session ends
        _check_history_in(s)


def _check_history_in(s) -> None:
    all_items = s.exec(select(Item)).all()
    sps = {sp.id: sp for sp in s.exec(select(Sprint)).all()}
    by_name = {sp.name: sp.id for sp in sps.values()}
    iev: dict[int, list[ItemEvent]] = defaultdict(list)
    for e in s.exec(select(ItemEvent).order_by(ItemEvent.at, ItemEvent.id)).all():
        iev[e.item_id].append(e)
    sev: dict[int, list[SprintEvent]] = defaultdict(list)
    per_sprint: dict[int, list[SprintEvent]] = defaultdict(list)
    for e in s.exec(select(SprintEvent).order_by(SprintEvent.at, SprintEvent.id)).all():
        sev[e.item_id].append(e)
        per_sprint[e.sprint_id].append(e)
    seq = defaultdict(int)
    for st in s.exec(select(Stream)).all():
        seq[st.id] = st.next_seq
    names = {v: k for k, v in by_name.items()}
    top: dict[int, int] = defaultdict(int)
    for it in all_items:
        top[it.stream_id] = max(top[it.stream_id], it.seq)
        evs = iev[it.id]
        assert evs and evs[0].field == "created", it.key
        assert evs[0].at == it.created_at
        status, sprint, slip, blocked = "todo", None, 0, False
        for e in evs[1:]:
            if e.field == "status":
                assert e.old == status, (it.key, e.old, status)
                status = e.new
            elif e.field == "sprint":
                assert e.old == sprint, (it.key, e.old, sprint)
                sprint = e.new
            elif e.field == "slip_count":
                assert int(e.old) == slip
                slip = int(e.new)
            elif e.field == "blocked":
                assert e.old == ("yes" if blocked else "no")
                blocked = e.new == "yes"
        assert status == it.status, it.key
        assert sprint == (names[it.sprint_id] if it.sprint_id else None), it.key
        assert slip == it.slip_count, it.key
        assert blocked == it.blocked, it.key
        inside: dict[int, bool] = {}
        carries = 0
        for e in sev[it.id]:
            if e.kind == "enter":
                assert not inside.get(e.sprint_id), it.key
                inside[e.sprint_id] = True
            elif e.kind == "commit":
                assert inside.get(e.sprint_id) and e.at == sps[e.sprint_id].started_at, it.key
            elif e.kind in ("leave", "carry"):
                assert inside.get(e.sprint_id), it.key
                inside[e.sprint_id] = False
                carries += e.kind == "carry"
            elif e.kind == "complete":
                assert inside.get(e.sprint_id) and e.status == "done", it.key
        assert carries == it.slip_count, it.key
        open_inside = {sid for sid, v in inside.items() if v and sps[sid].state != "closed"}
        assert open_inside == ({it.sprint_id} if it.sprint_id and sps[it.sprint_id].state != "closed" else set())
        if it.sprint_id and sps[it.sprint_id].state == "closed":
            assert it.status == "done" and inside.get(it.sprint_id)
    for sid, top_seq in top.items():
        assert seq[sid] == top_seq + 1
    # what was in a sprint when it started is exactly what was committed
    for sid, evs in per_sprint.items():
        sp = sps[sid]
        if sp.started_at is None:
            assert not [e for e in evs if e.kind != "enter" and e.kind != "leave"]
            continue
        member: dict[int, bool] = {}
        for e in evs:
            if e.at < sp.started_at and e.kind in ("enter", "leave"):
                member[e.item_id] = e.kind == "enter"
        committed = {e.item_id for e in evs if e.kind == "commit"}
        assert committed == {i for i, v in member.items() if v}, sp.name
        if sp.state == "closed":
            closing = [e for e in evs if e.kind in ("complete", "carry")]
            assert closing and all(e.at == sp.closed_at for e in closing)


# --------------------------------------------------------------------------- demo


@pytest.fixture(scope="module")
def demo_ctx(tmp_path_factory):
    from sprinttui.demo import create_demo

    ctx = _ctx(tmp_path_factory.mktemp("demo"))
    assert create_demo(ctx, today=TODAY) is True
    return ctx


def _closed(ctx):
    return sprints.list_sprints(ctx, state="closed")


def test_demo_shape(demo_ctx):
    ctx = demo_ctx
    sts = streams.list_streams(ctx)
    assert sorted(s.key for s in sts) == ["CHG", "DATA", "MKT", "SAL", "SRV"]
    assert all(s.lead for s in sts)
    ms = members.list_members(ctx)
    assert 10 <= len(ms) <= 14
    assert any(m.availability < 100 for m in ms) and all(m.competences for m in ms)
    states = [sp.state for sp in sprints.list_sprints(ctx)]
    assert states == ["closed", "closed", "closed", "active", "planned"]
    assert 80 <= items.count_items(ctx) <= 150
    assert items.count_items(ctx, sprint="next") > 0
    assert members.absences(ctx, "current") and members.absences(ctx, "next")
    change = [r for r in items.list_items(ctx) if r.kind == "change"]
    titles = " ".join(r.title.lower() for r in change)
    for word in ("training", "user guide", "newsletter", "roadshow", "kick-off"):
        assert word in titles


def test_demo_active_sprint_is_midway(demo_ctx):
    ctx = demo_ctx
    active = sprints.get_sprint(ctx, "current")
    assert active.start < TODAY <= active.end + timedelta(days=3)
    assert 5 <= (TODAY - active.start).days <= 13
    rows = items.list_items(ctx, sprint="current")
    by_status = defaultdict(int)
    for r in rows:
        by_status[r.status] += 1
    assert by_status["done"] > 0 and by_status["doing"] + by_status["review"] > 0 and by_status["todo"] > 0
    blocked = [r for r in rows if r.blocked]
    assert len(blocked) >= 2 and all(r.blocked_reason for r in blocked)


def test_demo_closed_sprint_reports(demo_ctx):
    ctx = demo_ctx
    reps = [reports.sprint_report(ctx, sp.name) for sp in _closed(ctx)]
    assert len(reps) == 3
    for r in reps:
        t = r.totals
        assert t.committed_count > 0 and t.committed_points > 0
        assert t.carried_over_count > 0
        assert t.completed_count > 0
        assert t.committed_count + t.added_count - t.removed_count == t.completed_count + t.carried_over_count
    assert any(r.totals.added_count > 0 for r in reps)
    assert any(r.totals.removed_count > 0 for r in reps)


def test_demo_item_slipped_twice(demo_ctx):
    ctx = demo_ctx
    twice = [r for r in items.list_items(ctx) if r.slip_count == 2]
    assert twice
    for r in twice:
        trail = items.slip_trail(ctx, r.key)
        assert len(trail) == 2
        assert trail[0].to == trail[1].sprint  # slipped out of the sprint it had slipped into


def test_demo_burndown_descends(demo_ctx):
    ctx = demo_ctx
    for sp in _closed(ctx):
        committed = reports.sprint_report(ctx, sp.name).totals.committed_points
        points = reports.burndown(ctx, sp.name, as_of=TODAY)
        values = [p.remaining for p in points]
        assert all(v is not None for v in values)
        assert abs(values[0] - committed) <= 0.1 * committed
        assert any(b < a for a, b in zip(values, values[1:], strict=False))
        assert values[-1] < values[0]


def test_demo_evaluations_and_findings(demo_ctx):
    ctx = demo_ctx
    evs = evaluations.list_evaluations(ctx)
    assert {e.sprint for e in evs} == {sp.name for sp in _closed(ctx)}
    findings = [f for e in evs for f in evaluations.list_findings(ctx, e.id)]
    assert len({f.category for f in findings}) >= 4
    assert sum(f.votes for f in findings) > 0
    converted = [f for f in findings if f.item_key]
    assert converted
    done = [f for f in converted if f.item_status == "done"]
    assert done and all(f.status == "resolved" for f in done)
    assert all(e.metrics.get("committed_points") for e in evs)


def test_demo_kpis_and_standups(demo_ctx):
    ctx = demo_ctx
    ks = kpis.list_kpis(ctx)
    assert len(ks) >= 4
    assert {k.direction for k in ks} == {"higher", "lower"}
    for k in ks:
        assert k.baseline is not None and k.target is not None
        assert len(k.measurements) >= 3
        assert all(m.date <= TODAY for m in k.measurements)
    assert any(kpis.linked_items(ctx, k.name) for k in ks)
    entries = standups.entries(ctx, on=YESTERDAY)
    assert len(entries) >= 9
    assert sum(1 for e in entries if not e.absent and e.yesterday and e.today) >= 8


def test_demo_history_is_consistent(demo_ctx):
    _check_history(demo_ctx)


def test_demo_second_call_adds_nothing(demo_ctx):
    from sprinttui.demo import create_demo

    ctx = demo_ctx
    before = (_rows(ctx), len(sprints.list_sprints(ctx)), len(members.list_members(ctx)),
              len(evaluations.list_evaluations(ctx)))
    assert create_demo(ctx, today=TODAY) is False
    assert create_demo(ctx) is False
    after = (_rows(ctx), len(sprints.list_sprints(ctx)), len(members.list_members(ctx)),
             len(evaluations.list_evaluations(ctx)))
    assert after == before


def test_demo_is_deterministic(demo_ctx, tmp_path):
    from sprinttui.demo import create_demo

    other = _ctx(tmp_path)
    assert create_demo(other, today=TODAY)
    assert _rows(other) == _rows(demo_ctx)


# --------------------------------------------------------------------------- seed


def _seed(path, n=500, seed=1, name="x.db"):
    from sprinttui.seed import seed_project

    ctx = _ctx(path, name)
    return ctx, seed_project(ctx, n, seed=seed, today=TODAY)


def test_seed_is_deterministic(tmp_path):
    a, sa = _seed(tmp_path, name="a.db")
    b, sb = _seed(tmp_path, name="b.db")
    c, _ = _seed(tmp_path, seed=2, name="c.db")
    assert _rows(a) == _rows(b)
    assert _rows(a) != _rows(c)
    assert {k: v for k, v in sa.items() if k != "seconds"} == {k: v for k, v in sb.items() if k != "seconds"}


def test_seed_shape(tmp_path):
    ctx, stats = _seed(tmp_path)
    assert stats["items"] == 500 and items.count_items(ctx) == 500
    assert stats["streams"] == 3 and stats["members"] == 10 and stats["sprints"] == 8
    assert "seconds" in stats
    sts = streams.list_streams(ctx)
    assert len(sts) == 3 and all(STREAM_KEY_RE.match(s.key) and s.lead for s in sts)
    assert len(members.list_members(ctx)) == 10
    assert [sp.state for sp in sprints.list_sprints(ctx)] == ["closed"] * 6 + ["active", "planned"]
    active = items.count_items(ctx, sprint="current")
    assert active == stats["active_sprint_items"] and 40 <= active <= 60
    assert items.count_items(ctx, sprint="next") > 0
    assert items.count_items(ctx, sprint="backlog") > 0
    rows = items.list_items(ctx)
    assert all(ITEM_KEY_RE.match(r.key) for r in rows)
    assert len({r.key for r in rows}) == 500
    assert any(r.slip_count >= 1 for r in rows)


def test_seed_scales_with_items(tmp_path):
    ctx, stats = _seed(tmp_path, n=4000)
    assert stats["streams"] == 5 and stats["members"] == 28
    assert 360 <= stats["active_sprint_items"] <= 440
    assert items.count_items(ctx) == 4000


def test_seed_closed_sprint_reports_are_consistent(tmp_path):
    ctx, _ = _seed(tmp_path)
    for sp in sprints.list_sprints(ctx, state="closed"):
        t = reports.sprint_report(ctx, sp.name).totals
        at_close = t.committed_count + t.added_count - t.removed_count
        assert t.committed_count > 0 and at_close > 0
        assert t.completed_count + t.carried_over_count == at_close
        # done items stay in the closed sprint; everything else moved on
        still = items.list_items(ctx, sprint=sp.name)
        assert len(still) == t.completed_count and all(r.status == "done" for r in still)
        values = [p.remaining for p in reports.burndown(ctx, sp.name, as_of=TODAY)]
        assert values[-1] < values[0]


def test_seed_history_is_consistent(tmp_path):
    ctx, _ = _seed(tmp_path)
    _check_history(ctx)


def test_seed_project_keeps_working_with_the_services(tmp_path):
    ctx, _ = _seed(tmp_path)
    todo = items.list_items(ctx, sprint="current", status="todo", limit=1)[0]
    items.move_item(ctx, todo.key, "doing")
    res = sprints.close_sprint(ctx, "current", carry_to="next")
    assert res.carried and res.target == "Sprint 8"
    trail = items.slip_trail(ctx, todo.key)
    assert trail[-1].sprint == "Sprint 7" and trail[-1].to == "Sprint 8"
    sprints.start_sprint(ctx, "Sprint 8")
    t = reports.sprint_report(ctx, "current").totals
    assert t.committed_count == items.count_items(ctx, sprint="current")
    stream = streams.list_streams(ctx)[0].key
    seqs = [int(r.key.split("-")[1]) for r in items.list_items(ctx, stream=stream)]
    created = items.create_item(ctx, "After the seed", stream=stream)
    assert created.key == f"{stream}-{max(seqs) + 1}"
    _check_history(ctx)


def test_seed_refuses_a_database_with_items(tmp_path):
    from sprinttui.seed import seed_project

    ctx, _ = _seed(tmp_path, n=50)
    with pytest.raises(StateError, match="already has"):
        seed_project(ctx, 50)
    assert items.count_items(ctx) == 50


def test_seed_none_means_the_default_seed(tmp_path):
    from sprinttui.seed import seed_project

    a, _ = _seed(tmp_path, n=60, name="a.db")
    b = _ctx(tmp_path, "b.db")
    seed_project(b, 60, seed=None, today=TODAY)
    assert _rows(a) == _rows(b)
