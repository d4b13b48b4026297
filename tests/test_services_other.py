"""Streams, members, project settings, evaluations and findings, KPIs and
standup entries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sprinttui.domain import (
    ConflictError,
    NotFoundError,
    SprintTuiError,
    StateError,
    ValidationError,
)
from sprinttui.services import (
    evaluations,
    items,
    kpis,
    members,
    open_ctx,
    project,
    sprints,
    standups,
    streams,
)
from sprinttui.services.context import login_name
from sprinttui.services.items import create_item, move_item

# --------------------------------------------------------------------------- streams


def test_stream_with_lead_and_member_count(ctx):
    s = streams.add_stream(ctx, "SAL", "Sales", description="Sales pipeline")
    assert (s.key, s.name, s.lead, s.members) == ("SAL", "Sales", None, 0)
    members.add_member(ctx, "alice", "Alice Smith", stream="SAL")
    members.add_member(ctx, "bob", "Bob", stream="SAL")
    s = streams.edit_stream(ctx, "sal", lead="alice", expected_version=s.version)
    assert (s.lead, s.lead_name, s.members) == ("alice", "Alice Smith", 2)
    with pytest.raises(ConflictError):
        streams.edit_stream(ctx, "SAL", name="Stale", expected_version=s.version - 1)
    assert streams.get_stream(ctx, "SAL").name == "Sales"


@pytest.mark.parametrize("key", ["S", "TOOLONG", "S4L", "SA-L", "", "  ", "SÄL", "sal"])
def test_stream_key_must_be_two_to_six_capital_letters(ctx, key):
    with pytest.raises(ValidationError) as err:
        streams.add_stream(ctx, key, "Whatever")
    assert "\n" not in str(err.value)
    assert streams.list_streams(ctx) == []


@pytest.mark.parametrize("key", ["HR", "SALES", "ABCDEF"])
def test_stream_keys_of_two_to_six_letters_are_accepted(ctx, key):
    assert streams.add_stream(ctx, key, "Fine").key == key


def test_stream_key_is_unique_and_lead_must_exist(ctx):
    streams.add_stream(ctx, "SAL", "Sales")
    with pytest.raises(ValidationError):
        streams.add_stream(ctx, "SAL", "Sales again")
    with pytest.raises(NotFoundError):
        streams.add_stream(ctx, "OPS", "Operations", lead="ghost")
    assert [s.key for s in streams.list_streams(ctx)] == ["SAL"]


# --------------------------------------------------------------------------- members


def test_member_availability_defaults_to_100_and_must_be_0_to_100(ctx):
    streams.add_stream(ctx, "SAL", "Sales")
    m = members.add_member(ctx, "alice", "Alice", stream="SAL", competences="sql, crm, sql")
    assert (m.availability, m.stream, m.competences, m.active) == (100, "SAL", ["sql", "crm"], True)
    assert members.add_member(ctx, "zero", "Zero", availability=0).availability == 0
    assert members.add_member(ctx, "half", "Half", availability="50%").availability == 50
    for bad in (101, -1, "lots", "12.5"):
        with pytest.raises(ValidationError) as err:
            members.add_member(ctx, "carol", "Carol", availability=bad)
        assert "\n" not in str(err.value)
        with pytest.raises(ValidationError):
            members.edit_member(ctx, "alice", availability=bad)
    assert [m.handle for m in members.list_members(ctx)] == ["alice", "half", "zero"]
    assert members.get_member(ctx, "alice").availability == 100


def test_member_validation_and_absence(tctx, clock):
    c = tctx
    streams.add_stream(c, "SAL", "Sales")
    members.add_member(c, "alice", "Alice")
    for handle in ("", "with space", "-dash", "x" * 41, "tab\there"):
        with pytest.raises(ValidationError):
            members.add_member(c, handle, "Someone")
    with pytest.raises(ValidationError):
        members.add_member(c, "alice", "Alice twice")
    with pytest.raises(NotFoundError):
        members.add_member(c, "bob", "Bob", stream="XYZ")
    with pytest.raises(NotFoundError):
        members.edit_member(c, "ghost", name="Ghost")
    assert [m.handle for m in members.list_members(c)] == ["alice"]

    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    members.set_absence(c, "alice", "S1", 3)
    members.set_absence(c, "alice", "next", 2.5)  # replaces, does not add
    assert members.absences(c, "S1") == {"alice": 2.5}
    for bad in (-1, 400, "many"):
        with pytest.raises(ValidationError):
            members.set_absence(c, "alice", "S1", bad)
    members.set_absence(c, "alice", "S1", 0)
    assert members.absences(c, "S1") == {}

    members.edit_member(c, "alice", active=False)
    assert members.list_members(c) == []
    assert [m.handle for m in members.list_members(c, include_inactive=True)] == ["alice"]


# --------------------------------------------------------------------------- project settings


def test_working_days_parse_names_and_numbers():
    assert project.parse_working_days("mon,tue,wed,thu,fri") == frozenset({0, 1, 2, 3, 4})
    assert project.parse_working_days(" Monday, TUE ,sun") == frozenset({0, 1, 6})
    assert project.parse_working_days("0,2,4") == frozenset({0, 2, 4})
    for bad in ("", ",", "funday", "mon,7", "mon,-1"):
        with pytest.raises(ValidationError):
            project.parse_working_days(bad)


@pytest.mark.parametrize("text", ["mon;tue", "monkey", "sunshine"])
def test_working_days_refuse_words_that_only_start_like_a_weekday(text):
    try:
        days = project.parse_working_days(text)
    except ValidationError:
        return
    assert text == "mon;tue" and days == frozenset({0, 1}), f"{text!r} read as {sorted(days)}"


def test_project_settings_update(ctx):
    st = project.get_settings(ctx)
    assert st.name == "Test project"
    assert st.working_days == frozenset({0, 1, 2, 3, 4})
    assert st.points_per_day == 1.0 and st.allow_user_override
    st = project.update_settings(ctx, working_days="sun,mon,tue,wed", points_per_day=0.75,
                                 sprint_length_days=10, name="CRM rollout")
    again = project.get_settings(ctx)
    assert again == st
    assert again.working_days_text == "mon,tue,wed,sun"
    assert (again.points_per_day, again.sprint_length_days, again.name) == (0.75, 10, "CRM rollout")
    for bad in (dict(working_days="holiday"), dict(points_per_day=0), dict(points_per_day=101),
                dict(sprint_length_days=0), dict(name="   ")):
        with pytest.raises(ValidationError):
            project.update_settings(ctx, **bad)
    assert project.get_settings(ctx) == again
    # init on an existing project keeps the settings
    project.init_project(ctx)
    assert project.get_settings(ctx) == again


def test_user_override_can_be_switched_off(ctx, db_url, monkeypatch):
    monkeypatch.delenv("SPRINTTUI_USER", raising=False)
    other = login_name() + "-someone-else"
    c = open_ctx(db_url, user=other)
    assert c.user == other
    c.db.dispose()

    project.update_settings(ctx, allow_user_override=False)
    with pytest.raises(ValidationError) as err:
        open_ctx(db_url, user=other)
    assert "\n" not in str(err.value)
    c = open_ctx(db_url, user=login_name())  # your own name is always fine
    assert c.user == login_name()
    c.db.dispose()
    c = open_ctx(db_url)
    assert c.user == login_name()
    c.db.dispose()


def test_user_override_off_also_refuses_the_environment_variable(ctx, db_url, monkeypatch):
    # the refusal message promises "--user / SPRINTTUI_USER is disabled": both must be
    project.update_settings(ctx, allow_user_override=False)
    monkeypatch.setenv("SPRINTTUI_USER", login_name() + "-someone-else")
    with pytest.raises(ValidationError):
        c = open_ctx(db_url)
        c.db.dispose()
    monkeypatch.setenv("SPRINTTUI_USER", login_name())
    c = open_ctx(db_url)
    assert c.user == login_name()
    c.db.dispose()


# --------------------------------------------------------------------------- evaluations and findings


@pytest.fixture
def retro(tctx, clock):
    """S1 started with SAL-1 (3, done) and SAL-2 (5, open); an evaluation of it."""
    c = tctx
    streams.add_stream(c, "SAL", "Sales")
    streams.add_stream(c, "OPS", "Operations")
    members.add_member(c, "alice", "Alice", stream="SAL")
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    create_item(c, "Done", stream="SAL", points=3, sprint="S1")
    create_item(c, "Open", stream="SAL", points=5, sprint="S1")
    clock.set("2026-01-05")
    sprints.start_sprint(c, "S1")
    clock.set("2026-01-06")
    create_item(c, "Added", stream="OPS", points=2, sprint="S1")
    clock.set("2026-01-08")
    move_item(c, "SAL-1", "done")
    clock.set("2026-01-09")
    return c


def test_evaluation_snapshots_the_sprint_figures_when_created(retro, clock):
    c = retro
    ev = evaluations.create_evaluation(c, "current", kind="interim", on="2026-01-09",
                                       facilitator="alice", summary="Half way")
    assert (ev.sprint, ev.kind, ev.date, ev.facilitator, ev.findings) == (
        "S1", "interim", date(2026, 1, 9), "alice", 0)
    expected = {
        "committed_points": 8.0,
        "completed_points": 3.0,
        "say_do_ratio": 0.375,
        "carried_over_points": 0.0,
        "added_points": 2.0,
        "removed_points": 0.0,
        "scope_change_points": 2.0,
        "reestimated_points": 0.0,
        "not_completed_points": 7.0,  # 8 + 2 − 0 + 0 = 3 done + 7 still open
    }
    assert ev.metrics == expected

    # the sprint moves on; the snapshot does not
    clock.set("2026-01-12")
    move_item(c, "SAL-2", "done")
    clock.set("2026-01-16 17:00")
    sprints.close_sprint(c, "S1", carry_to=None)
    stored = evaluations.list_evaluations(c, sprint="S1")
    assert [e.metrics for e in stored] == [expected]

    retro_ev = evaluations.create_evaluation(c, "last", kind="retro", on="2026-01-16")
    assert retro_ev.metrics["completed_points"] == 8.0
    assert retro_ev.metrics["carried_over_points"] == 2.0  # OPS-1 went to the backlog
    assert retro_ev.metrics["say_do_ratio"] == 1.0
    assert [e.kind for e in evaluations.list_evaluations(c)] == ["interim", "retro"]


def test_evaluation_bad_input(retro):
    c = retro
    for call, error in (
        (lambda: evaluations.create_evaluation(c, "S1", kind="party"), ValidationError),
        (lambda: evaluations.create_evaluation(c, "S9"), NotFoundError),
        (lambda: evaluations.create_evaluation(c, "S1", on="the 45th"), ValidationError),
        (lambda: evaluations.create_evaluation(c, "S1", facilitator="ghost"), NotFoundError),
    ):
        with pytest.raises(error) as err:
            call()
        assert "\n" not in str(err.value)
    assert evaluations.list_evaluations(c) == []


def test_findings_add_edit_vote_and_rank_by_votes(retro):
    c = retro
    ev = evaluations.create_evaluation(c, "S1", on="2026-01-09")
    a = evaluations.add_finding(c, ev.id, "went_well", "Daily standups were short")
    b = evaluations.add_finding(c, ev.id, "to_improve", "Estimates were too low\nespecially for data")
    d = evaluations.add_finding(c, ev.id, "Training", "Users need a CRM course", owner="alice")
    assert (a.votes, a.status, d.category, d.owner) == (0, "open", "training", "alice")
    with pytest.raises(ValidationError):
        evaluations.add_finding(c, ev.id, "gossip", "Nope")
    with pytest.raises(ValidationError):
        evaluations.add_finding(c, ev.id, "process", " \x1b ")
    with pytest.raises(NotFoundError):
        evaluations.add_finding(c, 999, "process", "No evaluation")

    for _ in range(3):
        evaluations.vote(c, b.id)
    evaluations.vote(c, d.id)
    assert evaluations.vote(c, a.id, -1).votes == 0  # never below zero
    assert evaluations.vote(c, a.id, -1).votes == 0
    with pytest.raises(ValidationError):
        evaluations.vote(c, a.id, 5)
    ranked = evaluations.list_findings(c, ev.id, by_votes=True)
    assert [(f.id, f.votes) for f in ranked] == [(b.id, 3), (d.id, 1), (a.id, 0)]

    edited = evaluations.edit_finding(c, a.id, text="Standups were short and useful", category="process",
                                      expected_version=a.version)
    assert (edited.text, edited.category) == ("Standups were short and useful", "process")
    with pytest.raises(ConflictError):
        evaluations.edit_finding(c, a.id, text="stale", expected_version=a.version)
    with pytest.raises(ValidationError):
        evaluations.edit_finding(c, a.id, status="maybe")
    assert evaluations.list_evaluations(c)[0].findings == 3


@pytest.mark.parametrize("category, kind", [("to_improve", "improvement"), ("process", "improvement"),
                                            ("tool_optimisation", "improvement"), ("training", "change")])
def test_convert_finding_creates_linked_work_whose_status_drives_the_finding(retro, clock, category, kind):
    c = retro
    ev = evaluations.create_evaluation(c, "S1", on="2026-01-09")
    f = evaluations.add_finding(c, ev.id, category, "Do the thing better\nwith details below")
    row = evaluations.convert_finding(c, f.id, stream="OPS", points=2)
    assert (row.kind, row.stream, row.points, row.title, row.sprint) == (kind, "OPS", 2.0,
                                                                         "Do the thing better", None)
    detail = items.get_item(c, row.key)
    assert detail.source_finding_id == f.id
    assert detail.description == "Do the thing better\nwith details below"

    def finding():
        (v,) = [x for x in evaluations.list_findings(c, ev.id) if x.id == f.id]
        return v

    assert (finding().item_key, finding().item_status, finding().status) == (row.key, "todo", "accepted")
    for status, expected in (("doing", "in_progress"), ("review", "in_progress"), ("done", "resolved"),
                             ("todo", "accepted")):
        clock.advance(hours=1)
        move_item(c, row.key, status)
        assert (finding().status, finding().item_status) == (expected, status)

    with pytest.raises(StateError):
        evaluations.convert_finding(c, f.id, stream="OPS")
    assert items.count_items(c, stream="OPS") == 2  # OPS-1 from the fixture and the converted one


def test_converted_item_can_go_into_a_sprint_and_deleting_it_reopens_the_finding(retro, clock):
    c = retro
    sprints.new_sprint(c, "S2", start="2026-01-19", end="2026-01-30")
    ev = evaluations.create_evaluation(c, "S1", on="2026-01-09")
    f = evaluations.add_finding(c, ev.id, "to_improve", "Review the pipeline stages")
    row = evaluations.convert_finding(c, f.id, stream="SAL", sprint="S2", assignee="alice")
    assert (row.sprint, row.assignee) == ("S2", "alice")
    clock.advance(hours=1)
    items.delete_item(c, row.key)
    (view,) = evaluations.list_findings(c, ev.id)
    assert (view.status, view.item_key) == ("open", None)
    again = evaluations.convert_finding(c, f.id, stream="SAL")  # a deleted conversion does not count
    assert again.key != row.key
    assert items.get_item(c, again.key).source_finding_id == f.id


def test_rejected_or_unknown_finding_cannot_be_converted(retro):
    c = retro
    ev = evaluations.create_evaluation(c, "S1", on="2026-01-09")
    f = evaluations.add_finding(c, ev.id, "process", "Not worth it")
    g = evaluations.add_finding(c, ev.id, "process", "Worth it")
    evaluations.edit_finding(c, f.id, status="rejected")
    with pytest.raises(StateError):
        evaluations.convert_finding(c, f.id, stream="SAL")
    with pytest.raises(NotFoundError):
        evaluations.convert_finding(c, 4242, stream="SAL")
    with pytest.raises(NotFoundError):
        evaluations.convert_finding(c, g.id, stream="XYZ")
    with pytest.raises(ValidationError):
        evaluations.convert_finding(c, g.id, stream="SAL", points="many")
    assert items.count_items(c) == 3  # SAL-1, SAL-2, OPS-1 from the fixture
    assert [(x.status, x.item_key) for x in evaluations.list_findings(c, ev.id)] == [
        ("rejected", None), ("open", None)]


# --------------------------------------------------------------------------- KPIs


def test_kpi_higher_is_better(ctx):
    streams.add_stream(ctx, "SAL", "Sales")
    k = kpis.add_kpi(ctx, "Leads per week", unit="leads", baseline=10, target=20)
    assert (k.direction, k.latest, k.on_track, k.target_met, k.trend) == ("higher", None, None, False, [])
    kpis.record(ctx, "Leads per week", 12, on="2026-01-05")
    kpis.record(ctx, "Leads per week", "9", on="2026-01-19", note="holiday")
    k = kpis.record(ctx, "Leads per week", 15, on="2026-01-12")  # recorded late, sorted by date
    assert k.trend == [12.0, 15.0, 9.0]
    assert k.latest == 9.0
    assert (k.target_met, k.on_track) == (False, False)  # below the baseline
    k = kpis.record(ctx, "Leads per week", 16, on="2026-01-26")
    assert (k.target_met, k.on_track) == (False, True)  # above the baseline, below target
    k = kpis.record(ctx, "Leads per week", 20, on="2026-02-02")
    assert (k.target_met, k.on_track) == (True, True)
    assert kpis.get_kpi(ctx, "Leads per week").measurements[1].date == date(2026, 1, 12)


def test_kpi_lower_is_better(ctx):
    k = kpis.add_kpi(ctx, "Hours per quote", baseline=10, target=4, direction="lower")
    k = kpis.record(ctx, "Hours per quote", 11, on="2026-01-05")
    assert (k.target_met, k.on_track) == (False, False)
    k = kpis.record(ctx, "Hours per quote", 7, on="2026-01-12")
    assert (k.target_met, k.on_track) == (False, True)
    k = kpis.record(ctx, "Hours per quote", 4, on="2026-01-19")
    assert (k.target_met, k.on_track) == (True, True)
    k = kpis.record(ctx, "Hours per quote", 3.5, on="2026-01-26")
    assert k.target_met


def test_kpi_without_baseline_compares_with_the_first_value(ctx):
    kpis.add_kpi(ctx, "Adoption", target=90, unit="%")
    k = kpis.record(ctx, "Adoption", 40, on="2026-01-05")
    assert k.on_track is False  # a single value shows no movement yet
    k = kpis.record(ctx, "Adoption", 55, on="2026-01-12")
    assert k.on_track is True
    k = kpis.record(ctx, "Adoption", 30, on="2026-01-19")
    assert k.on_track is False


def test_kpi_relative_dates_and_validation(ctx):
    kpis.add_kpi(ctx, "Tickets", direction="lower")
    today = date.today()
    kpis.record(ctx, "Tickets", 5, on="today")
    kpis.record(ctx, "Tickets", 7, on="-1w")
    kpis.record(ctx, "Tickets", 6, on="yesterday")
    k = kpis.record(ctx, "Tickets", 4)  # no date: today
    assert [(m.date, m.value) for m in k.measurements] == [
        (today - timedelta(days=7), 7.0), (today - timedelta(days=1), 6.0), (today, 5.0), (today, 4.0)
    ]
    before = kpis.get_kpi(ctx, "Tickets")
    for call, error in (
        (lambda: kpis.record(ctx, "Tickets", "lots"), ValidationError),
        (lambda: kpis.record(ctx, "Tickets", "nan"), ValidationError),
        (lambda: kpis.record(ctx, "Tickets", ""), ValidationError),
        (lambda: kpis.record(ctx, "Tickets", 3, on="someday"), ValidationError),
        (lambda: kpis.record(ctx, "Nope", 3), NotFoundError),
        (lambda: kpis.add_kpi(ctx, "Tickets"), ValidationError),  # exists
        (lambda: kpis.add_kpi(ctx, "Other", direction="sideways"), ValidationError),
        (lambda: kpis.add_kpi(ctx, "Other", target="high"), ValidationError),
        (lambda: kpis.add_kpi(ctx, "", target=1), ValidationError),
    ):
        with pytest.raises(error) as err:
            call()
        assert isinstance(err.value, SprintTuiError) and "\n" not in str(err.value)
    assert kpis.get_kpi(ctx, "Tickets") == before
    assert [k.name for k in kpis.list_kpis(ctx)] == ["Tickets"]


def test_kpi_linked_items(ctx):
    streams.add_stream(ctx, "SAL", "Sales")
    kpis.add_kpi(ctx, "Leads per week", target=20)
    kpis.add_kpi(ctx, "Adoption", target=90)
    create_item(ctx, "Lead form", stream="SAL", kpi="Leads per week")
    create_item(ctx, "Unrelated", stream="SAL")
    create_item(ctx, "Lead import", stream="SAL")
    items.edit_item(ctx, "SAL-3", kpi="Leads per week")
    create_item(ctx, "Deleted", stream="SAL", kpi="Leads per week")
    items.delete_item(ctx, "SAL-4")
    assert [r.key for r in kpis.linked_items(ctx, "Leads per week")] == ["SAL-1", "SAL-3"]
    assert items.get_item(ctx, "SAL-1").kpi == "Leads per week"
    items.edit_item(ctx, "SAL-1", kpi="Adoption")
    assert [r.key for r in kpis.linked_items(ctx, "Leads per week")] == ["SAL-3"]
    assert [r.key for r in kpis.linked_items(ctx, "Adoption")] == ["SAL-1"]
    assert [(h.field, h.old, h.new) for h in items.history(ctx, "SAL-1")][-1] == (
        "kpi", "Leads per week", "Adoption")
    with pytest.raises(NotFoundError):
        kpis.linked_items(ctx, "Nope")


# --------------------------------------------------------------------------- standups


def test_standup_entry_is_one_per_member_and_day(tctx, clock):
    c = tctx
    members.add_member(c, "alice", "Alice")
    members.add_member(c, "bob", "Bob")
    first = standups.save_entry(c, "alice", on="2026-01-05", yesterday="setup", today="import")
    standups.save_entry(c, "bob", on="2026-01-05", absent=True)
    standups.save_entry(c, "alice", on="2026-01-06", today="tests")
    clock.advance(hours=2)
    updated = standups.save_entry(c, "alice", on="2026-01-05", blockers="no VPN\x1b[2J",
                                  expected_version=first.version)
    assert (updated.yesterday, updated.today, updated.blockers) == ("setup", "import", "no VPN[2J")

    day = standups.entries(c, on="2026-01-05")
    assert [(e.member, e.absent) for e in day] == [("alice", False), ("bob", True)]
    assert day[0].blockers == "no VPN[2J"
    assert [e.today for e in standups.entries(c, on="2026-01-06")] == ["tests"]
    assert standups.entries(c, on="2026-01-07") == []

    with pytest.raises(ConflictError):
        standups.save_entry(c, "alice", on="2026-01-05", today="stale", expected_version=first.version)
    assert standups.entries(c, on="2026-01-05")[0].today == "import"
    with pytest.raises(NotFoundError):
        standups.save_entry(c, "ghost", on="2026-01-05", today="x")
    with pytest.raises(ValidationError):
        standups.save_entry(c, "alice", on="2026-02-31", today="x")
    assert len(standups.entries(c, on="2026-01-05")) == 2


# --------------------------------------------------------------------------- change detection


def test_another_processs_commit_changes_the_token_and_a_read_does_not(ctx, make_ctx):
    """What live refresh polls, on SQLite (data_version) and PostgreSQL (change counter)."""
    streams.add_stream(ctx, "SAL", "Sales")
    watcher = make_ctx("watcher")
    other = make_ctx("other")
    before = watcher.db.change_token()
    items.list_items(other)  # reading changes nothing
    assert watcher.db.change_token() == before
    create_item(other, "Made elsewhere", stream="SAL")
    after_write = watcher.db.change_token()
    assert after_write != before
    with pytest.raises(ValidationError):
        create_item(other, "", stream="SAL")  # a refused write leaves no trace
    assert watcher.db.change_token() == after_write
