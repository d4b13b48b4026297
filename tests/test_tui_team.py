"""The Team screen (8) driven through Textual's Pilot: streams and members,
checked in the database through the services and on screen."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Label, Static

from sprinttui.services import members, sprints, streams
from sprinttui.tui.app import SprintTuiApp
from sprinttui.tui.modals import ChooseModal, PromptModal
from sprinttui.tui.screens.planning import PlanningScreen
from sprinttui.tui.screens.team import TeamScreen
from tui_support import press, settle, type_text

SIZE = (120, 36)


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def team(ctx):
    """Streams OPS and SAL; alice (SAL, 100 %, crm+sql) and bob (OPS, 50 %);
    planned sprint S1 of ten working days."""
    streams.add_stream(ctx, "SAL", "Sales")
    streams.add_stream(ctx, "OPS", "Operations")
    members.add_member(ctx, "alice", "Alice Smith", stream="SAL", competences="crm,sql")
    members.add_member(ctx, "bob", "Bob Jones", stream="OPS", availability=50)
    sprints.new_sprint(ctx, "S1", start="2026-03-02", end="2026-03-13")
    return ctx


def new_app(c, **kw) -> SprintTuiApp:
    return SprintTuiApp(c, watch=False, **kw)


async def answer(app, pilot, value: str) -> None:
    """Replace the text of the open PromptModal and submit it."""
    assert isinstance(app.screen, PromptModal), app.screen
    app.screen.query_one(Input).value = value
    await press(app, pilot, "enter")


async def choose(app, pilot, needle: str) -> None:
    """Filter the open ChooseModal and take the first match."""
    assert isinstance(app.screen, ChooseModal), app.screen
    await type_text(app, pilot, needle)
    await press(app, pilot, "enter")


async def open_team(app, pilot) -> TeamScreen:
    await settle(app, pilot)
    await press(app, pilot, "8")
    return screen_of(app)


def screen_of(app) -> TeamScreen:
    assert isinstance(app.screen, TeamScreen), f"expected team, got {app.screen!r}"
    return app.screen


def rows(scr, table_id: str) -> list[list[str]]:
    t = scr.query_one(f"#{table_id}", DataTable)
    return [[cell.plain for cell in t.get_row_at(i)] for i in range(t.row_count)]


def by_key(scr, table_id: str) -> dict[str, list[str]]:
    return {r[0]: r for r in rows(scr, table_id)}


def shown(scr, widget_id: str) -> str:
    r = scr.query_one(f"#{widget_id}", Static).render()
    return getattr(r, "plain", str(r))


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def errors(app) -> list[str]:
    return [str(n.message) for n in app._notifications if n.severity == "error"]


def handles(c) -> list[str]:
    return [m.handle for m in members.list_members(c, include_inactive=True)]


async def cursor_to(app, pilot, table: DataTable, key: str) -> None:
    """Move the table's cursor to the row with that first cell."""
    keys = [table.get_row_at(i)[0].plain for i in range(table.row_count)]
    table.move_cursor(row=keys.index(key))
    await settle(app, pilot)


# --------------------------------------------------------------------------- showing


async def test_shows_streams_and_members(team):
    streams.edit_stream(team, "SAL", lead="alice")
    members.set_absence(team, "bob", "S1", 2)
    app = new_app(team)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_team(app, pilot)
        assert rows(scr, "team-streams") == [
            ["OPS", "Operations", "-", "1"],
            ["SAL", "Sales", "alice (Alice Smith)", "1"],
        ]
        assert rows(scr, "team-members") == [
            ["alice", "Alice Smith", "SAL", "100%", "0", "yes", "crm, sql"],
            ["bob", "Bob Jones", "OPS", "50%", "2", "yes", "-"],
        ]
        assert "Absences in S1 (planned" in shown(scr, "team-info")
        assert scr.focused is scr.members_table
        await press(app, pilot, "tab")
        assert scr.focused is scr.streams_table
        await press(app, pilot, "tab")
        assert scr.focused is scr.members_table


async def test_absences_are_for_the_active_sprint_first(team):
    sprints.new_sprint(team, "S0", start="2026-02-16", end="2026-02-27")
    sprints.start_sprint(team, "S0")
    members.set_absence(team, "alice", "S1", 4)
    members.set_absence(team, "alice", "S0", 1.5)
    app = new_app(team)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_team(app, pilot)
        assert "Absences in S0 (active" in shown(scr, "team-info")
        assert by_key(scr, "team-members")["alice"][4] == "1.5"
        await press(app, pilot, "x")
        assert "during S0" in str(app.screen.prompt_title)
        await answer(app, pilot, "2")
        assert members.absences(team, "S0") == {"alice": 2.0}
        assert members.absences(team, "S1") == {"alice": 4.0}


async def test_without_sprints_absence_is_refused_politely(ctx):
    members.add_member(ctx, "solo", "Solo")
    app = new_app(ctx)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_team(app, pilot)
        assert "No sprint is active or planned" in shown(scr, "team-info")
        assert by_key(scr, "team-members")["solo"][4] == "-"
        await press(app, pilot, "x")
        assert isinstance(app.screen, TeamScreen)
        assert any("No sprint is active or planned" in n for n in notes(app))
        assert not errors(app)
        # L without any stream says so
        await press(app, pilot, "L")
        assert any("No stream yet" in n for n in notes(app))


async def test_fits_80_by_24(team):
    app = new_app(team)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        scr = await open_team(app, pilot)
        for t in (scr.streams_table, scr.members_table):
            assert t.region.width == 80 and t.region.height >= 4 and t.region.bottom <= 23
        labels = [c.label.plain for c in scr.members_table.ordered_columns]
        assert labels[:6] == ["Handle", "Name", "Stream", "Avail", "Away", "On"]


async def test_stream_filter_is_honoured(team):
    app = new_app(team, stream="OPS")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_team(app, pilot)
        assert list(by_key(scr, "team-members")) == ["bob"]
        assert "stream OPS" in shown(scr, "team-info")
        # a new member gets the filtered stream offered first
        await press(app, pilot, "a")
        await answer(app, pilot, "olga")
        await answer(app, pilot, "Olga")
        assert isinstance(app.screen, ChooseModal)
        assert app.screen.options[0][1] == "OPS" and app.screen.options[-1] == ("(no stream)", "")
        await press(app, pilot, "enter")
        await answer(app, pilot, "100")
        assert members.get_member(team, "olga").stream == "OPS"
        assert list(by_key(scr, "team-members")) == ["bob", "olga"]
        app.set_stream_filter(None)
        await settle(app, pilot)
        assert list(by_key(scr, "team-members")) == ["alice", "bob", "olga"]


# --------------------------------------------------------------------------- members


async def test_add_member(team):
    app = new_app(team)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_team(app, pilot)
        await press(app, pilot, "a")
        await answer(app, pilot, "carol")
        assert "carol" in app.screen.prompt_title
        await answer(app, pilot, "Carol King")
        await choose(app, pilot, "Sales")
        assert app.screen.query_one(Input).value == "100"
        await answer(app, pilot, "80")
        m = members.get_member(team, "carol")
        assert (m.name, m.stream, m.availability, m.active) == ("Carol King", "SAL", 80, True)
        assert by_key(scr, "team-members")["carol"] == ["carol", "Carol King", "SAL", "80%", "0", "yes", "-"]
        assert by_key(scr, "team-streams")["SAL"][3] == "2"
        assert "carol added" in notes(app)
        assert not errors(app)


async def test_add_member_without_a_stream(team):
    app = new_app(team)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_team(app, pilot)
        await press(app, pilot, "a")
        await answer(app, pilot, "dan")
        await answer(app, pilot, "Dan")
        await choose(app, pilot, "no stream")
        await answer(app, pilot, "100")
        assert members.get_member(team, "dan").stream is None


def dialog_error(app) -> str:
    """What the open PromptModal says is wrong ("" when nothing)."""
    assert isinstance(app.screen, PromptModal), app.screen
    return str(app.screen.query_one("#prompt-error", Label).content)


async def refused(app, pilot, value: str, message: str) -> None:
    """Answer the open PromptModal with `value`: it stays open, says `message`
    and keeps what was typed."""
    dialog = app.screen
    await answer(app, pilot, value)
    assert app.screen is dialog, "the dialog should have refused the answer"
    assert message in dialog_error(app)
    assert dialog.query_one(Input).value == value


async def test_add_member_refuses_each_bad_answer_in_its_dialog_and_keeps_the_others(team):
    app = new_app(team)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_team(app, pilot)
        await press(app, pilot, "a")
        await refused(app, pilot, "bad handle!", "'bad handle!' may use letters, digits, '.', '_' and '-' only")
        await refused(app, pilot, "alice", "member alice exists already")
        await answer(app, pilot, "carol")
        assert "Full name of carol" in app.screen.prompt_title and dialog_error(app) == ""
        await refused(app, pilot, "", "Please type something")
        await answer(app, pilot, "Carol King")
        await choose(app, pilot, "Sales")
        assert "Availability of carol" in app.screen.prompt_title
        await refused(app, pilot, "150", "availability must be between 0 and 100 %")
        await refused(app, pilot, "lots", "availability must be a whole percentage, not 'lots'")
        assert handles(team) == ["alice", "bob"]  # nothing saved while an answer is wrong
        await answer(app, pilot, "80%")
        assert isinstance(app.screen, TeamScreen)
        m = members.get_member(team, "carol")  # the answers before the refused ones were kept
        assert (m.name, m.stream, m.availability) == ("Carol King", "SAL", 80)
        assert by_key(scr, "team-members")["carol"] == ["carol", "Carol King", "SAL", "80%", "0", "yes", "-"]
        assert "carol added" in notes(app)
        assert not errors(app)


async def test_add_member_refused_when_saved_asks_that_again_with_the_other_answers_kept(team, make_ctx):
    app = new_app(team)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_team(app, pilot)
        await press(app, pilot, "a")
        await answer(app, pilot, "carol")
        members.add_member(make_ctx("bob"), "carol", "Carol Other")  # meanwhile, someone else
        await answer(app, pilot, "Carol King")
        await choose(app, pilot, "Ops")
        await answer(app, pilot, "60")
        # the handle is asked again, saying why, with what was typed
        assert "Handle of the new member" in app.screen.prompt_title
        assert dialog_error(app) == "member carol exists already"
        assert app.screen.query_one(Input).value == "carol"
        await refused(app, pilot, "carol", "member carol exists already")
        await answer(app, pilot, "cking")
        assert isinstance(app.screen, TeamScreen)  # the name, stream and availability were not asked again
        m = members.get_member(team, "cking")
        assert (m.name, m.stream, m.availability) == ("Carol King", "OPS", 60)
        assert members.get_member(team, "carol").name == "Carol Other"
        assert not errors(app)


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_the_members_table_shows_its_columns_at_their_width_after_an_add(team, size):
    app = new_app(team)
    async with app.run_test(size=size, notifications=True) as pilot:
        scr = await open_team(app, pilot)
        table = scr.members_table
        show = scr.show

        def show_and_paint(data):
            # a frame drawn before the table is idle again (a terminal can draw one
            # then): the table has its rows, its columns are not measured yet
            show(data)
            for y in range(table.size.height):
                table.render_line(y)

        scr.show = show_and_paint
        await press(app, pilot, "a")
        await answer(app, pilot, "carol")
        await answer(app, pilot, "Carol King")
        await choose(app, pilot, "Sales")
        await answer(app, pilot, "80")
        widths = {c.label.plain: c.get_render_width(table) for c in table.ordered_columns}
        assert widths["Name"] == len("Alice Smith") + 2 and widths["Competences"] == len("Competences") + 2
        painted = [table.render_line(y).text.rstrip() for y in range(4)]
        assert painted[0].split() == ["Handle", "Name", "Stream", "Avail", "Away", "On", "Competences"]
        assert painted[1].startswith(" alice   Alice Smith  SAL     100%   0     yes  crm, sql")
        assert painted[3].startswith(" carol   Carol King   SAL     80%    0     yes  -")


async def test_add_member_escape_at_any_step_adds_nothing(team):
    app = new_app(team)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_team(app, pilot)
        await press(app, pilot, "a", "escape")
        await press(app, pilot, "a")
        await answer(app, pilot, "zed")
        await press(app, pilot, "escape")
        await press(app, pilot, "a")
        await answer(app, pilot, "zed")
        await answer(app, pilot, "Zed")
        await press(app, pilot, "escape")
        assert isinstance(app.screen, TeamScreen)
        assert handles(team) == ["alice", "bob"]


async def test_edit_availability_and_undo(team):
    app = new_app(team)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_team(app, pilot)
        await press(app, pilot, "e")
        assert isinstance(app.screen, ChooseModal)
        assert [v for _l, v in app.screen.options] == ["availability", "competences", "stream", "name"]
        await press(app, pilot, "enter")  # availability is first
        assert app.screen.query_one(Input).value == "100"
        await answer(app, pilot, "60")
        assert members.get_member(team, "alice").availability == 60
        assert by_key(scr, "team-members")["alice"][3] == "60%"
        # a bad value is an error notification and changes nothing
        await press(app, pilot, "e", "enter")
        await answer(app, pilot, "120")
        assert any("between 0 and 100" in e for e in errors(app))
        assert members.get_member(team, "alice").availability == 60
        # undo brings the old availability back
        await press(app, pilot, "u")
        assert members.get_member(team, "alice").availability == 100
        assert by_key(scr, "team-members")["alice"][3] == "100%"
        assert notes(app)[-1] == "Undone: change of availability of alice"


async def test_enter_edits_competences_stream_and_name(team):
    app = new_app(team)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_team(app, pilot)
        await cursor_to(app, pilot, scr.members_table, "bob")
        await press(app, pilot, "enter")
        await choose(app, pilot, "Competences")
        await answer(app, pilot, "itil, linux,itil")
        assert members.get_member(team, "bob").competences == ["itil", "linux"]
        assert by_key(scr, "team-members")["bob"][6] == "itil, linux"
        await press(app, pilot, "enter")
        await choose(app, pilot, "Stream")
        assert app.screen.options[0][1] == "OPS"  # the current stream first
        await choose(app, pilot, "Sales")
        assert members.get_member(team, "bob").stream == "SAL"
        assert by_key(scr, "team-members")["bob"][2] == "SAL"
        await press(app, pilot, "e")
        await choose(app, pilot, "Name")
        await answer(app, pilot, "Robert Jones")
        assert members.get_member(team, "bob").name == "Robert Jones"
        assert by_key(scr, "team-members")["bob"][1] == "Robert Jones"
        # an empty name is refused by the dialog itself; escape cancels
        await press(app, pilot, "e")
        await choose(app, pilot, "Name")
        await answer(app, pilot, "")
        assert isinstance(app.screen, PromptModal)
        await press(app, pilot, "escape")
        assert members.get_member(team, "bob").name == "Robert Jones"
        # competences may be cleared
        await press(app, pilot, "e")
        await choose(app, pilot, "Competences")
        await answer(app, pilot, "")
        assert members.get_member(team, "bob").competences == []
        # the stream may be removed
        await press(app, pilot, "e")
        await choose(app, pilot, "Stream")
        await choose(app, pilot, "no stream")
        assert members.get_member(team, "bob").stream is None
        assert not errors(app)


async def test_set_absence_and_see_it_in_planning_capacity(team):
    app = new_app(team)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_team(app, pilot)
        await press(app, pilot, "x")
        assert isinstance(app.screen, PromptModal)
        assert app.screen.query_one(Input).value == "0"
        await answer(app, pilot, "3")
        assert members.absences(team, "S1") == {"alice": 3.0}
        assert by_key(scr, "team-members")["alice"][4] == "3"
        # bad input: an error notification and no change
        await press(app, pilot, "x")
        await answer(app, pilot, "-1")
        assert any("between 0 and 366" in e for e in errors(app))
        assert members.absences(team, "S1") == {"alice": 3.0}
        # the planning screen's capacity reflects it: 100 % × (10 − 3) days
        await press(app, pilot, "3")
        plan = app.screen
        assert isinstance(plan, PlanningScreen)
        t = plan.query_one("#plan-members", DataTable)
        alice = [c.plain for c in t.get_row_at(0)]
        assert alice == ["alice", "SAL", "100%", "3", "7"]
        streams_rows = {r[0].plain: [c.plain for c in r] for r in
                        (plan.query_one("#plan-streams", DataTable).get_row_at(i) for i in range(3))}
        assert streams_rows["SAL"][1] == "7" and streams_rows["TOTAL"][1] == "12"
        # undo (from any screen) removes the absence again
        await press(app, pilot, "u")
        assert members.absences(team, "S1") == {}
        assert [c.plain for c in t.get_row_at(0)] == ["alice", "SAL", "100%", "0", "10"]


async def test_toggle_active(team):
    app = new_app(team)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_team(app, pilot)
        await cursor_to(app, pilot, scr.members_table, "bob")
        await press(app, pilot, "i")
        assert members.get_member(team, "bob").active is False
        assert by_key(scr, "team-members")["bob"][5] == "no"
        assert by_key(scr, "team-streams")["OPS"][3] == "0"
        assert "bob is inactive now" in notes(app)
        # the cursor stays on bob; i again activates
        await press(app, pilot, "i")
        assert members.get_member(team, "bob").active is True
        assert by_key(scr, "team-members")["bob"][5] == "yes"
        await press(app, pilot, "i", "u")
        assert members.get_member(team, "bob").active is True


# --------------------------------------------------------------------------- streams


async def test_add_stream(team):
    app = new_app(team)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_team(app, pilot)
        await press(app, pilot, "S")
        await answer(app, pilot, "FIN")
        await answer(app, pilot, "Finance")
        assert streams.get_stream(team, "FIN").name == "Finance"
        assert by_key(scr, "team-streams")["FIN"] == ["FIN", "Finance", "-", "0"]
        assert "Stream FIN added" in notes(app)
        # a bad key is an error notification
        await press(app, pilot, "S")
        await answer(app, pilot, "finance")
        await answer(app, pilot, "Finance again")
        assert any("2 to 6 upper-case letters" in e for e in errors(app))
        assert [s.key for s in streams.list_streams(team)] == ["FIN", "OPS", "SAL"]


async def test_set_lead_and_clear_it(team):
    app = new_app(team)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_team(app, pilot)
        await press(app, pilot, "tab")
        await cursor_to(app, pilot, scr.streams_table, "SAL")
        await press(app, pilot, "L")
        assert isinstance(app.screen, ChooseModal)
        assert app.screen.options[0][1] == "alice"  # the stream's own members first
        assert app.screen.options[-1] == ("Nobody", "")
        await choose(app, pilot, "bob")
        assert streams.get_stream(team, "SAL").lead == "bob"
        assert by_key(scr, "team-streams")["SAL"][2] == "bob (Bob Jones)"
        await press(app, pilot, "L")
        await choose(app, pilot, "Nobody")
        assert streams.get_stream(team, "SAL").lead is None
        await press(app, pilot, "u")
        assert streams.get_stream(team, "SAL").lead == "bob"
        await press(app, pilot, "L", "escape")
        assert streams.get_stream(team, "SAL").lead == "bob"


async def test_enter_on_a_stream_renames_it(team):
    app = new_app(team)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_team(app, pilot)
        await press(app, pilot, "tab", "enter")
        assert isinstance(app.screen, PromptModal)
        assert app.screen.query_one(Input).value == "Operations"
        await answer(app, pilot, "Ops & Infra")
        assert streams.get_stream(team, "OPS").name == "Ops & Infra"
        assert by_key(scr, "team-streams")["OPS"][1] == "Ops & Infra"


# --------------------------------------------------------------------------- hostile text


async def test_hostile_names_show_literally_and_the_app_keeps_running(team):
    hostile = "[bold]x[/] [@click=app.quit]y"
    app = new_app(team)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_team(app, pilot)
        # typed in through the screen itself
        await press(app, pilot, "S")
        await answer(app, pilot, "EVIL")
        await answer(app, pilot, "a [/] b")
        await press(app, pilot, "a")
        await answer(app, pilot, "mallory")
        await answer(app, pilot, hostile)
        await choose(app, pilot, "EVIL")
        await answer(app, pilot, "100")
        assert not errors(app), notes(app)
        assert members.get_member(team, "mallory").name == hostile
        assert streams.get_stream(team, "EVIL").name == "a [/] b"
        assert by_key(scr, "team-members")["mallory"][1] == hostile
        assert by_key(scr, "team-streams")["EVIL"][1] == "a [/] b"
        # as lead, and in the dialogs
        await cursor_to(app, pilot, scr.streams_table, "EVIL")
        await press(app, pilot, "L")
        assert any(hostile in label for label, _v in app.screen.options)
        await choose(app, pilot, "mallory")
        assert by_key(scr, "team-streams")["EVIL"][2] == f"mallory ({hostile})"
        await cursor_to(app, pilot, scr.members_table, "mallory")
        await press(app, pilot, "e")
        assert any(hostile in label for label, _v in app.screen.options)
        await press(app, pilot, "escape")
        # the planning screen shows them too, and the app still runs
        sprints.new_sprint(team, "S[/]2", start="2026-03-16", end="2026-03-27")
        await press(app, pilot, "3")
        assert isinstance(app.screen, PlanningScreen)
        await press(app, pilot, "8")
        assert app.is_running and isinstance(app.screen, TeamScreen)
        assert by_key(screen_of(app), "team-members")["mallory"][1] == hostile
