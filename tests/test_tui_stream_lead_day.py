"""A stream lead's day and a sprint end in one app session on the demo, as the
README tells it: the standup with a blocker, the board, the interim
evaluation, closing the sprint with carry-over and goal met, the catch-up,
planning and starting the next sprint, and the board again. After each step
every screen involved shows what the step did."""

from __future__ import annotations

from textual.screen import ModalScreen
from textual.widgets import Static

from sprinttui.export import export_sprint
from sprinttui.services import catchup as catchup_svc
from sprinttui.services import evaluations, items, reports, sprints, standups
from sprinttui.tui.modals import SummaryModal
from sprinttui.tui.screens.catchup import BLOCKED_DAYS
from test_tui_coherence import answer, board_keys
from tui_support import keys_by_column, make_app, press, settle

SIZE = (120, 36)
STREAM = "SAL"


def card(app, key: str):
    return next(c for col in app.screen.columns for c in col.cards if c.key == key)


async def test_a_stream_leads_day_from_standup_to_the_next_sprint(demo_ctx):
    ctx = demo_ctx
    active = sprints.active_sprint(ctx)
    nxt = sprints.list_sprints(ctx, state="planned")[0]
    blocked = next(r for r in items.list_items(ctx, sprint=active.name, stream=STREAM)
                   if r.assignee and not r.blocked and r.status != "done")
    app = make_app(ctx, stream=STREAM)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        board = app.screen

        # 1. The standup: flag a blocker for its assignee, end the standup
        await press(app, pilot, "4")
        standup = app.screen
        for _ in standup.order:
            if standup.focus_handle == blocked.assignee:
                break
            await press(app, pilot, "n")
        assert standup.focus_handle == blocked.assignee
        await press(app, pilot, "b")
        await answer(app, pilot, blocked.key, "Test system is down")
        await press(app, pilot, "e")
        await answer(app, pilot, True)
        assert isinstance(app.screen, SummaryModal)
        summary = str(app.screen.query_one("#summary-body", Static).render())
        assert blocked.key in summary and "Test system is down" in summary
        await press(app, pilot, "enter")
        assert any(blocked.key in b for e in standups.entries(ctx, stream=STREAM) for b in [e.blockers])

        # 2. The board: the blocker shows; move a card on
        await press(app, pilot, "1")
        assert app.screen is board and card(app, blocked.key).blocked
        todo = keys_by_column(app)[0]
        assert todo, "the demo's stream has work to do"
        moved = todo[0]
        await press(app, pilot, ">")
        assert moved in keys_by_column(app)[1] and items.get_row(ctx, moved).status == "doing"

        # 3. The interim evaluation: start it, add a finding
        await press(app, pilot, "5")
        await press(app, pilot, "n")
        await answer(app, pilot, "interim")
        ev = evaluations.list_evaluations(ctx, sprint=active.name)[-1]
        await press(app, pilot, "a")
        await answer(app, pilot, None, "Blocked test system cost two days")
        assert "Blocked test system cost two days" in [f.text for f in evaluations.list_findings(ctx, ev.id)]
        table = app.screen.findings_table
        shown_rows = [" ".join(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]
        assert any("Blocked test system cost two days" in row for row in shown_rows)

        # 4. Close the sprint on Planning: carry over to the next one, goal met, a note
        unfinished = {r.key for r in items.list_items(ctx, sprint=active.name) if r.status != "done"}
        await press(app, pilot, "3", "c")
        await answer(app, pilot, nxt.name, "yes", "Pilot ready except the test system")
        while isinstance(app.screen, ModalScreen):
            await answer(app, pilot, None)
        closed = sprints.get_sprint(ctx, active.name)
        assert (closed.state, closed.goal_met) == ("closed", True)
        assert closed.review_note == "Pilot ready except the test system"
        assert {r.key for r in items.list_items(ctx, sprint=nxt.name)} >= unfinished
        exported = export_sprint(ctx, "md", sprint=active.name)
        assert "Pilot ready except the test system" in exported
        t = reports.sprint_report(ctx, active.name).totals
        assert abs(t.committed_points + t.added_points - t.removed_points + t.reestimated_points
                   - t.completed_points - t.carried_over_points) < 1e-6

        # 5. The catch-up: what slipped is there, as the services count it now
        await press(app, pilot, "6")
        fresh = catchup_svc.catchup_plan(ctx, stream=STREAM, blocked_days=BLOCKED_DAYS)
        shown = app.screen.base
        assert shown.sprint.name == nxt.name == fresh.sprint.name
        assert [[e.key for e in s.entries] for s in shown.streams] == [[e.key for e in s.entries]
                                                                     for s in fresh.streams]
        slipped = {e.key for s in shown.streams for e in s.entries}
        carried_here = {k for k in unfinished if items.get_row(ctx, k).stream == STREAM}
        assert carried_here and carried_here <= slipped  # every item of the stream that slipped is listed

        # 6. Planning: pull one more item in, start the sprint
        await press(app, pilot, "3")
        planning = app.screen
        pulled = planning.backlog_row.key
        await press(app, pilot, "greater_than_sign")
        while isinstance(app.screen, ModalScreen):  # over capacity: pull it anyway
            await answer(app, pilot, True)
        assert items.get_row(ctx, pulled).sprint == nxt.name
        await press(app, pilot, "s")
        while isinstance(app.screen, ModalScreen):
            await answer(app, pilot, None)
        assert sprints.active_sprint(ctx).name == nxt.name

        # 7. The board: the new sprint, with the carried-over work and the pulled item
        await press(app, pilot, "1")
        assert app.screen is board and board.data.sprint.name == nxt.name
        assert nxt.name in app.sub_title
        shown_keys = board_keys(app)
        assert pulled in shown_keys
        assert {k for k in unfinished if items.get_row(ctx, k).stream == STREAM} <= shown_keys
        assert not app.note_log.errors(), app.note_log.errors()
