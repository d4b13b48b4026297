"""The Evaluations screen (5) driven through Textual's Pilot: the evaluation shown
with its figures and summary, the open actions of the previous one, findings
added, edited, voted on, sorted, turned into items and deleted; checked in the
database through the services and on screen. Snapshots of the demo at the end."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import DataTable, Input, Label, Static, TextArea

from sprinttui.services import evaluations, items, members, sprints, streams
from sprinttui.services.items import create_item, move_item
from sprinttui.tui.app import SprintTuiApp
from sprinttui.tui.editor import ItemEditor
from sprinttui.tui.modals import ChooseModal, ConfirmModal, PromptModal
from sprinttui.tui.screens.evaluations import EvaluationsScreen, TextModal
from tui_support import changed_elsewhere, error_notes, make_app, notes, press, settle, type_text

SMALL, BIG = (80, 24), (160, 48)

HOSTILE = ["[bold]x[/]", "[@click=app.quit]x[/]", "a [/] b", "evil \x1b[2J here", "日本語 שלום 🎉 ok",
           "x" * 10_000]


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def proj(tctx, clock):
    """Streams SAL and OPS, members alice (SAL) and bob (OPS). S1 (5–16 Jan)
    committed SAL-1 (3, done) and SAL-2 (5), carried to the backlog at the close.
    Its retro has four findings: "Definition of ready" (to improve, 5 votes,
    tracked as SAL-3), "Weekly decision slot" (process, 3, accepted), "Kick-off"
    (went well, 6) and "Hands-on practice" (training, 2, open). S2 (19–30 Jan)
    is running with OPS-1 (2, done) and OPS-2 (3). The app's today is 21 Jan."""
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
    clock.set("2026-01-08")
    move_item(c, "SAL-1", "done")
    clock.set("2026-01-16 17:00")
    sprints.close_sprint(c, "S1", carry_to=None)
    ev = evaluations.create_evaluation(c, "S1", kind="retro", on="2026-01-16", summary="A good start")
    for category, body, votes, status in (
        ("to_improve", "Definition of ready\nchecked by the stream leads", 5, None),
        ("process", "Weekly decision slot", 3, "accepted"),
        ("went_well", "Kick-off", 6, None),
        ("training", "Hands-on practice", 2, None),
    ):
        f = evaluations.add_finding(c, ev.id, category, body)
        for _ in range(votes):
            evaluations.vote(c, f.id)
        if status:
            evaluations.edit_finding(c, f.id, status=status)
    (dor,) = [f for f in evaluations.list_findings(c, ev.id) if f.category == "to_improve"]
    evaluations.convert_finding(c, dor.id, stream="SAL")  # SAL-3
    create_item(c, "Ops one", stream="OPS", points=2, sprint="S2")
    create_item(c, "Ops two", stream="OPS", points=3, sprint="S2")
    clock.set("2026-01-19")
    sprints.start_sprint(c, "S2")
    clock.set("2026-01-20")
    move_item(c, "OPS-1", "done")
    clock.set("2026-01-21 10:00")
    return c


async def open_evals(app, pilot) -> EvaluationsScreen:
    await settle(app, pilot)
    await press(app, pilot, "5")
    return screen_of(app)


def screen_of(app) -> EvaluationsScreen:
    assert isinstance(app.screen, EvaluationsScreen), f"expected evaluations, got {app.screen!r}"
    return app.screen


def rows(table: DataTable) -> list[list[str]]:
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


def findings(scr) -> list[tuple[str, str, str, str]]:
    """(category, votes, text, item / status) per row as shown."""
    return [(r[0], r[1], r[2], r[-1]) for r in rows(scr.findings_table)]


def texts(scr) -> list[str]:
    return [r[2] for r in rows(scr.findings_table)]


def shown(scr, widget_id: str) -> str:
    r = scr.query_one(f"#{widget_id}", Static).render()
    return getattr(r, "plain", str(r))


def screen_text(app) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)


async def answer(app, pilot, value: str) -> None:
    assert isinstance(app.screen, PromptModal), app.screen
    app.screen.query_one(Input).value = value
    await press(app, pilot, "enter")


async def choose(app, pilot, needle: str) -> None:
    assert isinstance(app.screen, ChooseModal), app.screen
    await type_text(app, pilot, needle)
    await press(app, pilot, "enter")


async def write_text(app, pilot, value: str) -> None:
    assert isinstance(app.screen, TextModal), app.screen
    app.screen.query_one(TextArea).text = value
    await press(app, pilot, "ctrl+s")


async def cursor_to(app, pilot, scr, body: str) -> None:
    scr.findings_table.move_cursor(row=texts(scr).index(body))
    await settle(app, pilot)


def latest(c):
    ev = evaluations.list_evaluations(c)[-1]
    return ev, evaluations.list_findings(c, ev.id)


# --------------------------------------------------------------------------- showing


async def test_shows_the_latest_evaluation_its_figures_and_findings_by_category(proj):
    app = make_app(proj)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        scr = await open_evals(app, pilot)
        head = shown(scr, "ev-head")
        assert "Retro evaluation of S1 · 2026-01-16" in head
        assert "committed 8 · completed 3 · say/do 38% · carried over 5 · scope 0" in head
        assert shown(scr, "ev-summary") == "Summary: A good start"
        assert findings(scr) == [
            ("went well", "6", "Kick-off", "open"),
            ("to improve", "5", "Definition of ready checked by the stream leads", "SAL-3 todo"),
            ("process", "3", "Weekly decision slot", "accepted"),
            ("training", "2", "Hands-on practice", "open"),
        ]
        assert str(scr.findings_table.border_title) == "Findings · 4 · by category"
        assert "No earlier evaluation" in shown(scr, "ev-actions-title")
        assert not scr.actions_table.display
        assert app.focused is scr.findings_table
        # every cell is rich Text or Content, never a markup string
        for r in range(scr.findings_table.row_count):
            assert all(not isinstance(cell, str) for cell in scr.findings_table.get_row_at(r))
        await press(app, pilot, "down")
        assert "to improve · 5 votes · accepted · tracked as SAL-3 (todo, SAL" in shown(scr, "ev-detail")
        assert "checked by the stream leads" in shown(scr, "ev-detail")


async def test_fits_80_by_24_with_the_main_keys_in_the_footer(proj):
    app = make_app(proj)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        scr = await open_evals(app, pilot)
        await press(app, pilot, "n", "enter")  # an evaluation with open actions above the findings
        t = scr.findings_table
        assert t.region.width == 80 and t.region.height >= 6 and t.region.bottom <= 22
        assert scr.actions_table.region.height >= 2
        assert scr.list_table is None  # the list of evaluations needs a wide terminal
        assert t.virtual_size.width <= t.region.width  # nothing scrolls sideways
        footer = screen_text(app).splitlines()[-1]
        for key in ("nNew", "aAdd", "eEdit", "+Vote", "cItem", "vSort", "sSummary", "fStream", "uUndo",
                    "?Help", "qQuit"):
            assert key in footer.replace(" ", ""), footer


async def test_without_any_evaluation_the_screen_says_how_to_start(ctx):
    app = make_app(ctx)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        scr = await open_evals(app, pilot)
        assert "No evaluation yet" in shown(scr, "ev-head")
        for key in ("a", "plus", "c", "d", "e", "s"):
            await press(app, pilot, key)
            assert app.screen is scr
        await press(app, pilot, "n")  # no sprint at all
        assert app.screen is scr
        assert any("No sprint is active or closed" in n for n in notes(app))
        assert not error_notes(app)


# --------------------------------------------------------------------------- n: a new evaluation


async def test_n_starts_an_evaluation_of_the_current_sprint_with_the_figures_and_open_actions(proj):
    app = make_app(proj)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        scr = await open_evals(app, pilot)
        await press(app, pilot, "n")
        assert isinstance(app.screen, ChooseModal) and "S2" in app.screen.choose_title
        await choose(app, pilot, "interim")
        ev, fs = latest(proj)
        assert (ev.sprint, ev.kind, ev.date, fs) == ("S2", "interim", date(2026, 1, 21), [])
        assert ev.metrics["committed_points"] == 5.0 and ev.metrics["completed_points"] == 2.0
        head = shown(scr, "ev-head")
        assert "Interim evaluation of S2 · 2026-01-21" in head and "2 of 2" in head
        assert "committed 5 · completed 2 · say/do 40% · carried over 0 · scope 0" in head
        assert findings(scr) == []
        assert shown(scr, "ev-summary") == "No summary yet: s writes one."
        # the loop: what the retro of S1 agreed, and whether it is done
        assert shown(scr, "ev-actions-title") == "Open actions from S1 (2026-01-16): 0 of 2 done"
        assert rows(scr.actions_table) == [
            ["✗ open", "SAL-3 todo", "Definition of ready checked by the stream leads"],
            ["✗ open", "accepted", "Weekly decision slot"],
        ]
        # the item is finished elsewhere; the next reload shows it done
        move_item(proj, "SAL-3", "done")
        changed_elsewhere(app)
        await settle(app, pilot)
        assert shown(scr, "ev-actions-title") == "Open actions from S1 (2026-01-16): 1 of 2 done"
        assert rows(scr.actions_table)[0][:2] == ["✓ done", "SAL-3 done"]
        # with the open actions focused, the keys act on them: the accepted one becomes work
        await press(app, pilot, "tab", "down")
        assert app.focused is scr.actions_table
        await press(app, pilot, "c")
        await choose(app, pilot, "OPS")
        assert rows(scr.actions_table)[1][:2] == ["✗ open", "OPS-3 todo"]
        assert items.get_row(proj, "OPS-3").title == "Weekly decision slot"
        await press(app, pilot, "enter")
        assert isinstance(app.screen, ItemEditor) and app.screen.key == "OPS-3"
        await press(app, pilot, "escape")
        await press(app, pilot, "u")  # the item
        # undo takes the evaluation back
        await press(app, pilot, "u")
        assert [e.sprint for e in evaluations.list_evaluations(proj)] == ["S1"]
        assert "Retro evaluation of S1" in shown(scr, "ev-head")


async def test_the_stream_filter_narrows_the_open_actions(proj):
    app = make_app(proj, stream="OPS")
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        scr = await open_evals(app, pilot)
        await press(app, pilot, "n", "enter")
        assert rows(scr.actions_table) == [["✗ open", "accepted", "Weekly decision slot"]]
        assert shown(scr, "ev-actions-title").endswith("0 of 1 done · stream OPS")
        app.set_stream_filter(None)
        await settle(app, pilot)
        assert len(rows(scr.actions_table)) == 2


# --------------------------------------------------------------------------- findings


async def test_add_and_edit_a_finding(proj):
    app = make_app(proj)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        scr = await open_evals(app, pilot)
        await press(app, pilot, "a")
        assert isinstance(app.screen, ChooseModal)
        await choose(app, pilot, "tool")
        assert isinstance(app.screen, PromptModal)
        await answer(app, pilot, "Search by phone number")
        _ev, fs = latest(proj)
        (new,) = [f for f in fs if f.text == "Search by phone number"]
        assert (new.category, new.votes, new.status) == ("tool_optimisation", 0, "open")
        assert scr.finding.id == new.id  # the cursor is on the new finding
        assert findings(scr)[2] == ("tool optim.", "0", "Search by phone number", "open")

        # e → text: a text of several lines
        await press(app, pilot, "e")
        await choose(app, pilot, "Text")
        assert isinstance(app.screen, TextModal)
        assert app.screen.query_one(TextArea).text == "Search by phone number"
        await write_text(app, pilot, "Search by phone number\nService agents need it all day")
        assert scr.finding.text == "Search by phone number\nService agents need it all day"
        assert "Service agents need it all day" in shown(scr, "ev-detail")
        # e → category
        await press(app, pilot, "e")
        await choose(app, pilot, "Category")
        await choose(app, pilot, "process")
        assert scr.finding.category == "process" and scr.finding.id == new.id
        # e → owner
        await press(app, pilot, "e")
        await choose(app, pilot, "Owner")
        await choose(app, pilot, "bob")
        assert scr.finding.owner == "bob"
        # e → status
        await press(app, pilot, "e")
        await choose(app, pilot, "Status")
        await choose(app, pilot, "rejected")
        assert scr.finding.status == "rejected"
        # enter edits as well; escape leaves everything as it was
        await press(app, pilot, "enter")
        assert isinstance(app.screen, ChooseModal)
        await press(app, pilot, "escape")
        assert app.screen is scr
        # undo goes back one change at a time
        await press(app, pilot, "u")
        assert scr.finding.status == "open"
        await press(app, pilot, "u", "u")
        assert (scr.finding.owner, scr.finding.category) == (None, "tool_optimisation")
        assert not error_notes(app)


async def test_votes_change_the_order_when_sorted_by_votes(proj):
    app = make_app(proj)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        scr = await open_evals(app, pilot)
        await press(app, pilot, "v")
        assert texts(scr) == ["Kick-off", "Definition of ready checked by the stream leads",
                              "Weekly decision slot", "Hands-on practice"]
        assert str(scr.findings_table.border_title) == "Findings · 4 · by votes"
        await cursor_to(app, pilot, scr, "Hands-on practice")
        await press(app, pilot, "plus", "plus")
        assert texts(scr)[1:3] == ["Definition of ready checked by the stream leads", "Hands-on practice"]
        await press(app, pilot, "plus")  # 5 votes: a tie, the older finding stays first
        assert texts(scr)[1:3] == ["Definition of ready checked by the stream leads", "Hands-on practice"]
        await press(app, pilot, "equals_sign", "plus")  # = is + without shift
        assert texts(scr)[:2] == ["Hands-on practice", "Kick-off"]
        assert findings(scr)[0][1] == "7"
        assert scr.finding.text == "Hands-on practice"  # the cursor follows its finding
        await press(app, pilot, "minus", "minus")
        assert texts(scr)[1:3] == ["Definition of ready checked by the stream leads", "Hands-on practice"]
        assert [f.votes for f in latest(proj)[1] if f.text == "Hands-on practice"] == [5]
        # by category again: the finding sits in its category
        await press(app, pilot, "v")
        assert texts(scr)[-1] == "Hands-on practice" and scr.finding.text == "Hands-on practice"
        # undo takes back the last vote; minus at zero does nothing
        await press(app, pilot, "u")
        assert [f.votes for f in latest(proj)[1] if f.text == "Hands-on practice"] == [6]
        kick = [f for f in latest(proj)[1] if f.text == "Kick-off"][0]
        for _ in range(6):
            evaluations.vote(proj, kick.id, -1)
        changed_elsewhere(app)
        await settle(app, pilot)
        await cursor_to(app, pilot, scr, "Kick-off")
        await press(app, pilot, "minus")
        assert any("No votes to take back" in n for n in notes(app))
        assert not error_notes(app)


async def test_c_turns_a_finding_into_an_item_whose_status_it_then_shows(proj, make_ctx, clock):
    app = make_app(proj, stream="OPS")
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        scr = await open_evals(app, pilot)
        await cursor_to(app, pilot, scr, "Hands-on practice")
        await press(app, pilot, "c")
        assert isinstance(app.screen, ChooseModal)
        assert app.screen.options[0][1] == "OPS"  # the stream filter first: enter takes it
        assert "change item" in app.screen.choose_title  # training becomes a change
        await press(app, pilot, "enter")
        row = items.get_row(proj, "OPS-3")
        assert (row.kind, row.title, row.sprint) == ("change", "Hands-on practice", None)
        assert items.get_item(proj, "OPS-3").source_finding_id == scr.finding.id
        assert findings(scr)[-1] == ("training", "2", "Hands-on practice", "OPS-3 todo")
        assert scr.finding.status == "accepted"
        assert any("Tracked as OPS-3" in n for n in notes(app))
        # moved to done by someone else: shown after the next reload
        clock.advance(hours=1)
        move_item(make_ctx("bob", clock=clock), "OPS-3", "done")
        changed_elsewhere(app)
        await settle(app, pilot)
        assert findings(scr)[-1][-1] == "OPS-3 done"
        assert scr.finding.status == "resolved"
        # once tracked, c says where; i opens the item
        await press(app, pilot, "c")
        assert app.screen is scr and any("Already tracked as OPS-3" in n for n in notes(app))
        await press(app, pilot, "i")
        assert isinstance(app.screen, ItemEditor) and app.screen.key == "OPS-3"
        await press(app, pilot, "escape")
        # a rejected finding is not turned into work
        await cursor_to(app, pilot, scr, "Weekly decision slot")
        evaluations.edit_finding(proj, scr.finding.id, status="rejected")
        changed_elsewhere(app)
        await settle(app, pilot)
        await press(app, pilot, "c")
        assert app.screen is scr and any("was rejected" in n for n in notes(app))
        assert not error_notes(app)


async def test_c_asks_the_stream_and_undo_deletes_the_item(proj):
    app = make_app(proj)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        scr = await open_evals(app, pilot)
        await cursor_to(app, pilot, scr, "Weekly decision slot")
        await press(app, pilot, "c")
        assert [v for _l, v in app.screen.options] == ["OPS", "SAL"]
        await choose(app, pilot, "SAL")
        assert findings(scr)[2][-1] == "SAL-4 todo"
        assert items.get_row(proj, "SAL-4").kind == "improvement"
        await press(app, pilot, "u")
        assert findings(scr)[2][-1] == "open"
        assert items.count_items(proj, stream="SAL") == 3


async def test_d_deletes_a_finding_after_a_confirmation_and_undo_restores_it(proj):
    app = make_app(proj)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        scr = await open_evals(app, pilot)
        await cursor_to(app, pilot, scr, "Definition of ready checked by the stream leads")
        await press(app, pilot, "d")
        assert isinstance(app.screen, ConfirmModal)
        assert "SAL-3 stays in the backlog" in app.screen.question
        await press(app, pilot, "n")
        assert len(latest(proj)[1]) == 4
        await press(app, pilot, "d", "y")
        assert texts(scr) == ["Kick-off", "Weekly decision slot", "Hands-on practice"]
        assert items.get_item(proj, "SAL-3").source_finding_id is None
        assert scr.finding.text == "Weekly decision slot"  # the cursor stays where it was
        await press(app, pilot, "u")
        assert findings(scr)[1] == ("to improve", "5", "Definition of ready checked by the stream leads",
                                    "SAL-3 todo")


async def test_s_edits_the_summary(proj):
    app = make_app(proj, )
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        scr = await open_evals(app, pilot)
        await press(app, pilot, "s")
        assert isinstance(app.screen, TextModal)
        assert app.screen.query_one(TextArea).text == "A good start"
        await write_text(app, pilot, "A good start\nbut we planned too much")
        assert evaluations.list_evaluations(proj)[0].summary == "A good start\nbut we planned too much"
        assert shown(scr, "ev-summary") == "Summary: A good start but we planned too much"
        await press(app, pilot, "u")
        assert evaluations.list_evaluations(proj)[0].summary == "A good start"


async def test_brackets_and_the_wide_list_choose_the_evaluation(proj):
    ev2 = evaluations.create_evaluation(proj, "S2", kind="interim")
    evaluations.add_finding(proj, ev2.id, "process", "Standups run long")
    app = make_app(proj)
    async with app.run_test(size=BIG, notifications=True) as pilot:
        scr = await open_evals(app, pilot)
        assert scr.list_table.display
        assert rows(scr.list_table) == [["S1", "2026-01-16", "retro", "4"], ["S2", "2026-01-21", "interim", "1"]]
        assert texts(scr) == ["Standups run long"]
        await press(app, pilot, "left_square_bracket")
        assert "Retro evaluation of S1" in shown(scr, "ev-head") and len(texts(scr)) == 4
        assert scr.list_table.cursor_row == 0
        await press(app, pilot, "left_square_bracket")
        assert any("first evaluation" in n for n in notes(app))
        await press(app, pilot, "right_square_bracket")
        assert "Interim evaluation of S2" in shown(scr, "ev-head")
        # the list on the left: tab to it, the cursor picks the evaluation
        await press(app, pilot, "tab", "tab")
        assert app.focused is scr.list_table
        await press(app, pilot, "up")
        assert "Retro evaluation of S1" in shown(scr, "ev-head")
        loads = []
        load = scr.load
        scr.load = lambda: loads.append(1) or load()
        await press(app, pilot, "down")
        assert "Interim evaluation of S2" in shown(scr, "ev-head")
        await settle(app, pilot)
        assert len(loads) == 1  # refilling the list does not load again and again
        await press(app, pilot, "up", "enter")
        assert "Retro evaluation of S1" in shown(scr, "ev-head")
        assert app.focused is scr.findings_table
        # adding goes to the evaluation shown
        await press(app, pilot, "a")
        await choose(app, pilot, "went")
        await answer(app, pilot, "Trial migration")
        assert [f.text for f in evaluations.list_findings(proj, ev2.id)] == ["Standups run long"]
        assert "Trial migration" in texts(scr)


async def test_the_cursor_stays_on_its_finding_across_reloads(proj, make_ctx):
    app = make_app(proj)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        scr = await open_evals(app, pilot)
        await cursor_to(app, pilot, scr, "Weekly decision slot")
        ev = evaluations.list_evaluations(proj)[0]
        evaluations.add_finding(make_ctx("bob"), ev.id, "went_well", "A went well added by bob")
        changed_elsewhere(app)
        await settle(app, pilot)
        assert texts(scr)[1] == "A went well added by bob"
        assert scr.finding.text == "Weekly decision slot"
        # j and k move the cursor too
        await press(app, pilot, "j")
        assert scr.finding.text == "Hands-on practice"
        await press(app, pilot, "k", "k")
        assert scr.finding.text == "Definition of ready\nchecked by the stream leads"


async def test_the_palette_offers_the_screen_actions(proj):
    app = make_app(proj)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        scr = await open_evals(app, pilot)
        commands = {c.title: c for c in app.get_system_commands(scr)}
        for title in ("Evaluation: start one", "Evaluation: add a finding", "Evaluation: vote for the finding",
                      "Evaluation: turn the finding into an item", "Evaluation: delete the finding",
                      "Evaluation: edit the summary", "Evaluation: previous"):
            assert title in commands
        commands["Evaluation: sort findings"].callback()
        await settle(app, pilot)
        assert str(scr.findings_table.border_title) == "Findings · 4 · by votes"
        commands["Evaluation: vote for the finding"].callback()  # on Kick-off, at the top
        await settle(app, pilot)
        assert findings(scr)[0][:2] == ("went well", "7")


# --------------------------------------------------------------------------- bad input


async def test_bad_input_gives_one_line_and_loses_nothing(proj, make_ctx):
    app = make_app(proj)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        scr = await open_evals(app, pilot)
        before = latest(proj)[1]
        # an empty finding: the prompt stays open and says why
        await press(app, pilot, "a")
        await choose(app, pilot, "process")
        await answer(app, pilot, "   ")
        assert isinstance(app.screen, PromptModal)
        assert "Please type something" in str(app.screen.query_one("#prompt-error", Label).render())
        # too long: one line, the text stays in the field
        long = "y" * 20_001
        await answer(app, pilot, long)
        assert isinstance(app.screen, PromptModal)
        error = str(app.screen.query_one("#prompt-error", Label).render())
        assert "too long" in error and "\n" not in error
        assert app.screen.query_one(Input).value == long
        await press(app, pilot, "escape")
        assert latest(proj)[1] == before
        # editing: an empty text is refused inside the dialog, the text as typed kept
        await press(app, pilot, "e")
        await choose(app, pilot, "Text")
        await write_text(app, pilot, " \n ")
        assert isinstance(app.screen, TextModal)
        assert "Please type something" in str(app.screen.query_one("#text-error", Label).render())
        await write_text(app, pilot, "z" * 20_001)
        assert isinstance(app.screen, TextModal)
        assert "too long" in str(app.screen.query_one("#text-error", Label).render())
        assert app.screen.query_one(TextArea).text == "z" * 20_001
        await press(app, pilot, "escape")
        assert latest(proj)[1] == before
        # someone else changed the finding meanwhile: one error line, their change kept
        await press(app, pilot, "e")
        await choose(app, pilot, "Text")
        evaluations.edit_finding(make_ctx("bob"), scr.finding.id, text="Kick-off, by bob")
        await write_text(app, pilot, "Kick-off, mine")
        errs = error_notes(app)
        assert len(errs) == 1 and "changed by someone else" in errs[0] and "\n" not in errs[0]
        assert texts(scr)[0] == "Kick-off, by bob"
        assert app.is_running


# --------------------------------------------------------------------------- hostile text


@pytest.mark.parametrize("size", [SMALL, BIG], ids=["80x24", "160x48"])
async def test_hostile_text_is_shown_literally(proj, size):
    ev = evaluations.list_evaluations(proj)[0]
    for h in HOSTILE:
        evaluations.add_finding(proj, ev.id, "process", h)
    evaluations.edit_evaluation(proj, ev.id, summary="\n".join(HOSTILE))
    with proj.db.write() as s:  # as another tool could have written it, escape character and all
        from sqlalchemy import text as sql

        s.execute(sql("UPDATE finding SET text = :t WHERE text = 'Kick-off'"), {"t": "raw \x1b[2J [b]x"})
    app = make_app(proj)
    async with app.run_test(size=size, notifications=True) as pilot:
        scr = await open_evals(app, pilot)
        shown_texts = texts(scr)
        for h in HOSTILE[:3] + ["日本語 שלום 🎉 ok"]:
            assert h in shown_texts
        assert "evil [2J here" in shown_texts  # the service never stores the escape character
        assert "raw �[2J [b]x" in shown_texts
        assert any(t.startswith("xxxx") and t.endswith("…") for t in shown_texts)
        summary = shown(scr, "ev-summary")
        assert "[bold]x[/] [@click=app.quit]x[/] a [/] b" in summary
        whole = screen_text(app)
        assert "\x1b" not in whole
        # walk over every finding, vote, open the edit dialog on the long one
        for _ in HOSTILE:
            await press(app, pilot, "down")
        await cursor_to(app, pilot, scr, "[@click=app.quit]x[/]")
        await press(app, pilot, "plus")
        assert app.is_running
        await cursor_to(app, pilot, scr, shown_texts[[t.startswith("xxxx") for t in shown_texts].index(True)])
        assert len(scr.finding.text) == 10_000
        await press(app, pilot, "e")
        await choose(app, pilot, "Text")
        assert app.screen.query_one(TextArea).text == "x" * 10_000
        await press(app, pilot, "escape")
        await press(app, pilot, "s")
        assert isinstance(app.screen, TextModal)
        await press(app, pilot, "escape")
        assert app.is_running and not error_notes(app)


# --------------------------------------------------------------------------- snapshots of the demo


@pytest.fixture
def demo_app(demo_ctx):
    return SprintTuiApp(demo_ctx, watch=False)


@pytest.mark.parametrize("size,keys", [
    (SMALL, ["v"]),                             # Sprint 3's findings by votes
    (SMALL, ["n", "enter"]),                    # a new evaluation of Sprint 4: Sprint 3's actions on top
    (BIG, ["left_square_bracket", "down"]),    # Sprint 2's evaluation, a tracked finding
    (BIG, ["n", "enter"]),
], ids=["80x24-by-votes", "80x24-new", "160x48-sprint2", "160x48-new"])
def test_evaluations_snapshot(snap_compare, demo_app, size, keys):
    async def run_before(pilot):
        await settle(pilot.app, pilot)
        await pilot.press("5")
        await settle(pilot.app, pilot)
        for key in keys:
            await press(pilot.app, pilot, key)  # waits for a dialog to open, or for the write
        await settle(pilot.app, pilot)
        pilot.app.clear_notifications()
        await pilot.pause()
        assert isinstance(pilot.app.screen, EvaluationsScreen)

    assert snap_compare(demo_app, terminal_size=size, run_before=run_before)
