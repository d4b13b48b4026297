"""Undo never overwrites someone else's change: when the row was changed by
another user since, `u` refuses with a dialog that says so, and their change
stays (each screen that undoes a write, on the demo)."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from sprinttui.services import evaluations, items, members, sprints
from sprinttui.tui.modals import ConfirmModal, NoticeModal
from test_tui_coherence import answer
from tui_support import make_app, press, settle

SIZE = (120, 36)


@pytest.fixture
def bob(demo_ctx):
    """Another user with a connection of their own to the same database."""
    from dataclasses import replace

    from sprinttui.services import open_ctx

    other = replace(open_ctx(str(demo_ctx.db.path), "bob"), clock=demo_ctx.clock)
    yield other
    other.db.dispose()


def kpi_of(c, key: str) -> str | None:
    return items.get_item(c, key).kpi


async def refused(app, pilot) -> str:
    """Press u; the refusal dialog's text (the dialog closed again after)."""
    await press(app, pilot, "u")
    assert isinstance(app.screen, NoticeModal), app.screen
    said = str(app.screen.query_one("#notice-body", Static).render())
    await press(app, pilot, "enter")
    assert not isinstance(app.screen, NoticeModal)
    return said


async def test_undoing_a_pull_on_planning_keeps_what_someone_changed_since(demo_ctx, bob):
    app = make_app(demo_ctx)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await press(app, pilot, "3")
        planning = app.screen
        row = planning.backlog_row
        nxt = planning.data.sprint.name
        await press(app, pilot, "greater_than_sign")
        assert isinstance(app.screen, ConfirmModal)  # it takes its stream over the free capacity
        await press(app, pilot, "y")
        assert items.get_row(demo_ctx, row.key).sprint == nxt
        items.edit_item(bob, row.key, title="Bob renamed it")
        said = await refused(app, pilot)
        assert said.startswith(f"pull of {row.key} into {nxt} was not undone") and "changed by someone else" in said
        now = items.get_row(demo_ctx, row.key)
        assert (now.sprint, now.title) == (nxt, "Bob renamed it")


async def test_undoing_a_team_edit_keeps_what_someone_changed_since(demo_ctx, bob):
    app = make_app(demo_ctx)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await press(app, pilot, "8")
        team = app.screen
        handle = team.member.handle
        await press(app, pilot, "e")
        await answer(app, pilot, "availability", "40")
        assert members.get_member(demo_ctx, handle).availability == 40
        members.edit_member(bob, handle, availability=70)
        said = await refused(app, pilot)
        assert f"change of availability of {handle} was not undone" in said
        assert members.get_member(demo_ctx, handle).availability == 70


async def test_undoing_an_absence_keeps_what_someone_set_since(demo_ctx, bob):
    active = sprints.active_sprint(demo_ctx)
    app = make_app(demo_ctx)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await press(app, pilot, "8")
        handle = app.screen.member.handle
        await press(app, pilot, "x")
        await answer(app, pilot, "3")
        assert members.absences(demo_ctx, active.name)[handle] == 3
        members.set_absence(bob, handle, active.name, 1)
        said = await refused(app, pilot)
        assert "changed by someone else" in said
        assert members.absences(demo_ctx, active.name)[handle] == 1


async def test_undoing_a_kpi_link_keeps_what_someone_changed_since(demo_ctx, bob):
    app = make_app(demo_ctx)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await press(app, pilot, "7")
        await press(app, pilot, "l")
        key = next(r.key for r in items.list_items(demo_ctx) if kpi_of(demo_ctx, r.key) is None)
        await answer(app, pilot, key)
        linked = kpi_of(demo_ctx, key)
        assert linked is not None
        items.edit_item(bob, key, points=13)
        said = await refused(app, pilot)
        assert f"link of {key}" in said
        assert kpi_of(demo_ctx, key) == linked and items.get_row(demo_ctx, key).points == 13


async def test_undoing_a_finding_edit_keeps_what_someone_changed_since(demo_ctx, bob):
    app = make_app(demo_ctx)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await press(app, pilot, "5")
        screen = app.screen
        await settle(app, pilot)
        finding = screen._need_finding()
        assert finding is not None
        await press(app, pilot, "e")
        await answer(app, pilot, "text", "Our own wording")
        assert evaluations.list_findings(demo_ctx, finding.evaluation_id)
        edited = next(f for f in evaluations.list_findings(demo_ctx, finding.evaluation_id) if f.id == finding.id)
        assert edited.text == "Our own wording"
        evaluations.edit_finding(bob, finding.id, text="Bob's wording")
        said = await refused(app, pilot)
        assert "was not undone" in said
        now = next(f for f in evaluations.list_findings(demo_ctx, finding.evaluation_id) if f.id == finding.id)
        assert now.text == "Bob's wording"


async def test_undoing_a_standup_blocker_keeps_what_someone_changed_since(demo_ctx, bob):
    row = items.get_row(demo_ctx, "SAL-18")
    app = make_app(demo_ctx, stream="SAL")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await press(app, pilot, "4")
        standup = app.screen
        for _ in standup.order:
            if standup.focus_handle == row.assignee:
                break
            await press(app, pilot, "n")
        await press(app, pilot, "b")
        await answer(app, pilot, "SAL-18", "Waiting for a licence")
        assert items.get_row(demo_ctx, "SAL-18").blocked
        items.edit_item(bob, "SAL-18", blocked_reason="Licence ordered, arrives Friday")
        said = await refused(app, pilot)
        assert "blocker on SAL-18 was not undone" in said
        now = items.get_row(demo_ctx, "SAL-18")
        assert now.blocked and now.blocked_reason == "Licence ordered, arrives Friday"
