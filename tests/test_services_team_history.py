"""The history of members, streams and the project settings: who changed which
field, when, from what to what; a "created" row when one is added; nothing
when a value is set to what it already is."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sprinttui.domain import ConflictError, NotFoundError, ValidationError
from sprinttui.services import members, project, streams
from sprinttui.services.history import history_text


def changes(entries) -> list[tuple[str, str | None, str | None]]:
    return [(h.field, h.old, h.new) for h in entries]


@pytest.fixture
def team(tctx, clock):
    """Streams SAL and SUP, member ann in SAL; clock at 2026-01-05 09:00."""
    clock.set("2026-01-05 09:00")
    streams.add_stream(tctx, "SAL", "Sales")
    streams.add_stream(tctx, "SUP", "Support")
    members.add_member(tctx, "ann", "Ann Example", stream="SAL", availability=80, competences="crm")
    return tctx


# --------------------------------------------------------------------------- members


def test_adding_a_member_records_created_by_the_user_at_the_time(team, clock):
    (entry,) = members.history(team, "ann")
    assert (entry.field, entry.old, entry.new) == ("created", None, "Ann Example")
    assert entry.actor == "tester" and entry.at == clock.set("2026-01-05 09:00")


@pytest.mark.parametrize("change, field, old, new", [
    (dict(name="Ann Other"), "name", "Ann Example", "Ann Other"),
    (dict(stream="SUP"), "stream", "SAL", "SUP"),
    (dict(stream=""), "stream", "SAL", None),
    (dict(availability="50%"), "availability", "80", "50"),
    (dict(competences="crm, sql"), "competences", "crm", "crm,sql"),
    (dict(active=False), "active", "yes", "no"),
])
def test_each_member_field_changed_is_one_row_old_to_new(team, clock, change, field, old, new):
    at = clock.set("2026-01-06 14:30")
    members.edit_member(team, "ann", **change)
    created, entry = members.history(team, "ann")
    assert created.field == "created"
    assert (entry.field, entry.old, entry.new, entry.actor, entry.at) == (field, old, new, "tester", at)


def test_a_member_edit_of_several_fields_records_each_in_order(team, clock):
    members.edit_member(team, "ann", name="Ann E.", availability=60, active=False)
    clock.advance(hours=1)
    members.edit_member(team, "ann", active=True, stream=None)  # stream None: not given
    assert changes(members.history(team, "ann")) == [
        ("created", None, "Ann Example"),
        ("name", "Ann Example", "Ann E."), ("availability", "80", "60"), ("active", "yes", "no"),
        ("active", "no", "yes"),
    ]


def test_a_member_field_set_to_what_it_is_records_nothing(team):
    view = members.edit_member(team, "ann", name=" Ann Example ", stream="sal", availability="80%",
                               competences="crm", active=True)
    assert changes(members.history(team, "ann")) == [("created", None, "Ann Example")]
    assert view.version == 1  # and the row was not written either
    members.add_member(team, "bob", "Bob")
    members.edit_member(team, "bob", stream="")  # no stream, and none given
    assert changes(members.history(team, "bob")) == [("created", None, "Bob")]


def test_a_refused_member_edit_records_nothing(team):
    for bad in (dict(name="Ann Z", availability=101), dict(stream="NOPE"),
                dict(name="Ann Z", expected_version=7)):
        with pytest.raises((ValidationError, NotFoundError, ConflictError)):
            members.edit_member(team, "ann", **bad)
    assert changes(members.history(team, "ann")) == [("created", None, "Ann Example")]


def test_member_history_names_the_acting_user_and_only_that_member(team, make_ctx, clock):
    bob_ctx = replace(make_ctx("bob"), clock=clock)
    members.add_member(bob_ctx, "cem", "Cem")
    members.edit_member(bob_ctx, "ann", availability=40)
    assert [(h.field, h.actor) for h in members.history(team, "ann")] == [("created", "tester"),
                                                                          ("availability", "bob")]
    assert [(h.field, h.actor) for h in members.history(team, "cem")] == [("created", "bob")]


def test_history_of_an_unknown_member_is_refused(team):
    with pytest.raises(NotFoundError, match="unknown member"):
        members.history(team, "nobody")


# --------------------------------------------------------------------------- streams


def test_adding_a_stream_records_created(team, clock):
    clock.set("2026-01-07 08:00")
    streams.add_stream(team, "OPS", "Operations", lead="ann", description="runs it")
    (entry,) = streams.history(team, "OPS")
    assert (entry.field, entry.old, entry.new, entry.actor, entry.at) == (
        "created", None, "Operations", "tester", clock.current)


@pytest.mark.parametrize("first, change, field, old, new", [
    ({}, dict(name="Sales & marketing"), "name", "Sales", "Sales & marketing"),
    ({}, dict(lead="ann"), "lead", None, "ann"),
    (dict(lead="ann"), dict(lead="bob"), "lead", "ann", "bob"),
    (dict(lead="ann"), dict(lead=""), "lead", "ann", None),
    ({}, dict(description="The pipeline\nand leads"), "description", "", "The pipeline\nand leads"),
])
def test_each_stream_field_changed_is_one_row_old_to_new(team, clock, first, change, field, old, new):
    members.add_member(team, "bob", "Bob")
    if first:
        streams.edit_stream(team, "SAL", **first)
    at = clock.set("2026-01-08 11:00")
    streams.edit_stream(team, "sal", **change)
    entry = streams.history(team, "SAL")[-1]
    assert (entry.field, entry.old, entry.new, entry.actor, entry.at) == (field, old, new, "tester", at)
    assert len(streams.history(team, "SAL")) == 2 + bool(first)


def test_a_stream_field_set_to_what_it_is_records_nothing(team):
    streams.edit_stream(team, "SAL", lead="ann", description="pipeline")
    before = changes(streams.history(team, "SAL"))
    assert before == [("created", None, "Sales"), ("lead", None, "ann"), ("description", "", "pipeline")]
    streams.edit_stream(team, "SAL", name="Sales", lead="ann", description="pipeline")
    streams.edit_stream(team, "SUP", lead="")
    assert changes(streams.history(team, "SAL")) == before
    assert changes(streams.history(team, "SUP")) == [("created", None, "Support")]


def test_stream_history_names_the_acting_user_and_keeps_to_its_stream(team, make_ctx, clock):
    streams.edit_stream(replace(make_ctx("dora"), clock=clock), "SUP", name="Customer support")
    assert [(h.field, h.actor) for h in streams.history(team, "SUP")] == [("created", "tester"), ("name", "dora")]
    assert changes(streams.history(team, "SAL")) == [("created", None, "Sales")]
    # member ann and stream SAL share row id 1: each history keeps to its own kind
    assert changes(members.history(team, "ann")) == [("created", None, "Ann Example")]


def test_history_of_an_unknown_stream_is_refused(team):
    with pytest.raises(NotFoundError, match="unknown stream"):
        streams.history(team, "NOPE")


# --------------------------------------------------------------------------- project settings


@pytest.fixture
def proj(make_ctx, clock):
    """A project created on the test's clock (2026-01-05 09:00) on a database of its own."""
    c = replace(make_ctx("tester"), clock=clock)
    clock.set("2026-01-05 09:00")
    project.init_project(c, "Test project")
    return c


def test_the_project_created_is_the_first_row_of_its_history(ctx):
    (entry,) = project.settings_history(ctx)
    assert (entry.field, entry.old, entry.new, entry.actor) == ("created", None, "Test project", "tester")


def test_settings_history_of_an_uninitialised_database_is_empty(make_ctx):
    fresh = make_ctx("tester")
    assert not project.is_initialised(fresh)
    assert project.settings_history(fresh) == []
    project.update_settings(fresh, sprint_length_days=7)  # creates the row with the defaults, then changes it
    assert changes(project.settings_history(fresh)) == [("created", None, "CRM rollout"),
                                                        ("sprint_length_days", "14", "7")]


@pytest.mark.parametrize("change, field, old, new", [
    (dict(name="CRM rollout"), "name", "Test project", "CRM rollout"),
    (dict(sprint_length_days=10), "sprint_length_days", "14", "10"),
    (dict(working_days="sun,mon,tue"), "working_days", "mon,tue,wed,thu,fri", "mon,tue,sun"),
    (dict(points_per_day=0.75), "points_per_day", "1", "0.75"),
    (dict(allow_user_override=False), "allow_user_override", "yes", "no"),
])
def test_each_setting_changed_is_one_row_old_to_new(proj, clock, change, field, old, new):
    at = clock.set("2026-01-09 16:00")
    project.update_settings(proj, **change)
    created, entry = project.settings_history(proj)
    assert created.field == "created"
    assert (entry.field, entry.old, entry.new, entry.actor, entry.at) == (field, old, new, "tester", at)


def test_several_settings_at_once_and_a_rename_by_init(proj, clock):
    project.update_settings(proj, sprint_length_days=10, points_per_day=2, working_days="mon,fri")
    clock.advance(days=1)
    project.init_project(proj, "Renamed")
    project.init_project(proj)  # no name: nothing changes
    assert changes(project.settings_history(proj))[1:] == [
        ("sprint_length_days", "14", "10"), ("working_days", "mon,tue,wed,thu,fri", "mon,fri"),
        ("points_per_day", "1", "2"), ("name", "Test project", "Renamed")]


def test_a_setting_set_to_what_it_is_records_nothing(ctx):
    project.update_settings(ctx, name="Test project", sprint_length_days=14, working_days="0,1,2,3,4",
                            points_per_day=1, allow_user_override=True)
    project.update_settings(ctx, working_days="friday thursday wed tue mon")
    project.init_project(ctx, "Test project")
    assert changes(project.settings_history(ctx)) == [("created", None, "Test project")]
    with pytest.raises(ValidationError):
        project.update_settings(ctx, name="Changed", sprint_length_days=0)
    assert changes(project.settings_history(ctx)) == [("created", None, "Test project")]


def test_settings_history_names_the_acting_user(ctx, make_ctx):
    project.update_settings(make_ctx("erin"), points_per_day=1.5)
    assert [(h.field, h.actor, h.new) for h in project.settings_history(ctx)][1:] == [
        ("points_per_day", "erin", history_text(1.5))]
