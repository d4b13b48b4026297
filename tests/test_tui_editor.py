"""The item editor (a modal form) driven through Textual's Pilot.

Creating and editing through the form, validation next to the fields, the
history panel, undo, and the conflict dialog when someone else changed the
item while it was open. Checked on screen and in the database.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import text as sql
from textual import events
from textual.color import Color
from textual.widgets import Checkbox, Input, Label, Select, TextArea

from sprinttui.services import items, kpis, members, sprints, streams
from sprinttui.tui.editor import ConflictModal, ItemEditor
from sprinttui.tui.modals import ConfirmModal, NotesModal
from tui_support import HANG_SECONDS, focused_key, make_app, press, settle

SIZE = (120, 36)
HOSTILE = "a [/] b [@click=app.quit]x[/] [bold]y"


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def proj(ctx):
    """Streams SAL/OPS, members alice/bob, active S1, planned S2, KPI NPS, item SAL-1."""
    streams.add_stream(ctx, "SAL", "Sales")
    streams.add_stream(ctx, "OPS", "Operations")
    members.add_member(ctx, "alice", "Alice Smith", stream="SAL")
    members.add_member(ctx, "bob", "Bob Jones", stream="OPS")
    today = ctx.today()
    sprints.new_sprint(ctx, "S1", start=today - timedelta(days=2), end=today + timedelta(days=5))
    sprints.new_sprint(ctx, "S2", start=today + timedelta(days=6), end=today + timedelta(days=19))
    sprints.start_sprint(ctx, "S1")
    kpis.add_kpi(ctx, "NPS")
    items.create_item(ctx, "Write migration plan", stream="SAL", points=3, description="First line\nsecond")
    return ctx


async def open_editor(app, pilot, key: str | None = None, **defaults) -> ItemEditor:
    await settle(app, pilot)
    if key is None:
        app.new_item(**defaults)
    else:
        app.open_item(key)
    await settle(app, pilot)
    editor = app.screen
    assert isinstance(editor, ItemEditor)
    assert editor._built
    return editor


async def focus(app, pilot, editor: ItemEditor, name: str) -> None:
    editor.query_one(f"#f-{name}").focus()
    await settle(app, pilot)


async def retype(app, pilot, editor: ItemEditor, name: str, value: str) -> None:
    """Focus a one-line field, clear it with the keyboard and type value."""
    await focus(app, pilot, editor, name)
    await press(app, pilot, "home", "ctrl+k", *value)
    assert editor.query_one(f"#f-{name}", Input).value == value


def error_of(editor: ItemEditor, name: str) -> str:
    label = editor.query_one(f"#e-{name}")
    return str(label.content) if label.has_class("-shown") else ""


def value_of(editor: ItemEditor, name: str):
    return editor._raw()[name]


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def errors(app) -> list[str]:
    return [str(n.message) for n in app._notifications if n.severity == "error"]


def fields(c, key: str) -> list[tuple]:
    return [(h.actor, h.field, h.old, h.new) for h in items.history(c, key)]


def screen_text(app) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)


# --------------------------------------------------------------------------- opening


@pytest.fixture
def gate(monkeypatch):
    """While `gate` is clear, reading an item (the editor's read as it opens) waits."""
    gate = threading.Event()
    gate.set()
    get_item = items.get_item

    def gated(*args, **kw):
        assert gate.wait(HANG_SECONDS), "the test never opened the gate"
        return get_item(*args, **kw)

    monkeypatch.setattr(items, "get_item", gated)
    return gate


@pytest.fixture
def on_board(proj) -> None:
    """proj with SAL-1 in the active sprint: the board's first card."""
    items.edit_item(proj, "SAL-1", sprint="S1")


async def on_board_with_sal_1(app, pilot) -> None:
    await settle(app, pilot)
    assert focused_key(app) == "SAL-1"


async def test_keys_typed_while_the_editor_opens_all_land_in_the_title(proj, on_board, gate):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_board_with_sal_1(app, pilot)
        gate.clear()  # the item is being read: the editor is not there yet
        await pilot.press("e", *" next", "ctrl+s")  # n on the board would open a new item, x export …
        assert not isinstance(app.screen, ItemEditor)
        gate.set()
        await settle(app, pilot)
        # the keys went to the form, in order, the save last
        assert not isinstance(app.screen, ItemEditor)
        assert items.get_row(proj, "SAL-1").title == "Write migration plan next"
        assert "Saved SAL-1" in notes(app)
        assert items.count_items(proj) == 1 and not errors(app)


async def test_keys_typed_while_the_editor_opens_wait_for_the_form(proj, on_board, gate):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_board_with_sal_1(app, pilot)
        gate.clear()
        await pilot.press("e", *" v2", "tab", *"Intro")
        gate.set()
        await settle(app, pilot)
        editor = app.screen
        assert isinstance(editor, ItemEditor)
        assert value_of(editor, "title") == "Write migration plan v2"
        assert value_of(editor, "description") == "IntroFirst line\nsecond"  # tab moved on to it
        assert app.focused is editor.query_one("#f-description")


async def test_keys_typed_in_one_go_with_e_go_to_the_form_not_to_the_board(proj, on_board):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_board_with_sal_1(app, pilot)
        # as a terminal hands over a burst of keys: all queued before the board has handled the e
        for key, char in [("e", "e"), ("space", " "), ("n", "n"), ("e", "e"), ("x", "x"), ("t", "t"),
                          ("tab", None), ("N", "N")]:
            app.post_message(events.Key(key, char))
        await settle(app, pilot)
        editor = app.screen
        assert isinstance(editor, ItemEditor) and editor.key == "SAL-1"
        assert value_of(editor, "title") == "Write migration plan next"
        assert value_of(editor, "description") == "NFirst line\nsecond"
        await press(app, pilot, "escape", "y")
        assert not isinstance(app.screen, (ItemEditor, ConfirmModal))  # no new item, no other dialog opened
        assert items.count_items(proj) == 1 and not errors(app)


async def test_escape_while_the_editor_opens_opens_nothing(proj, on_board, gate):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_board_with_sal_1(app, pilot)
        gate.clear()
        await pilot.press("e", "escape")
        gate.set()
        await settle(app, pilot)
        assert not isinstance(app.screen, ItemEditor)
        await press(app, pilot, "e")  # the board takes keys again
        assert isinstance(app.screen, ItemEditor)


async def test_the_editor_opens_with_its_values_and_the_cursor_at_the_end_of_the_title(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        editor = await open_editor(app, pilot, "SAL-1")
        assert not editor.query("#editor-loading")
        title = editor.query_one("#f-title", Input)
        assert app.focused is title
        assert title.cursor_position == len("Write migration plan")
        assert title.selection.is_empty
        await press(app, pilot, "s")  # one key adds to the title, it does not replace it
        assert title.value == "Write migration plans"
        # a field focused again keeps what it holds too
        await focus(app, pilot, editor, "description")
        await press(app, pilot, "shift+tab")
        assert title.selection.is_empty
        await press(app, pilot, "x")
        assert title.value == "Write migration plansx"


async def test_each_field_is_checked_as_it_is_left_and_keeps_what_was_typed(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        editor = await open_editor(app, pilot)  # a new item: title and stream required
        await press(app, pilot, "tab")  # the title left empty
        assert error_of(editor, "title") == "title must not be empty"
        assert "title must not be empty" in screen_text(app)
        await focus(app, pilot, editor, "stream")
        await focus(app, pilot, editor, "points")  # the stream left unchosen
        assert error_of(editor, "stream") == "choose a known stream"
        await focus(app, pilot, editor, "title")
        await press(app, pilot, *"Import")
        assert error_of(editor, "title") == ""  # gone once it is right
        await retype(app, pilot, editor, "points", "-3")
        await press(app, pilot, "tab")
        assert error_of(editor, "points") == "points must be 0 or more"
        assert value_of(editor, "points") == "-3"  # kept as typed
        await focus(app, pilot, editor, "blocked")
        await press(app, pilot, "space")  # ticked: the reason has the focus
        await press(app, pilot, "tab")  # and is left empty
        assert error_of(editor, "blocked_reason") == "say why the item is blocked"
        await focus(app, pilot, editor, "blocked")
        await press(app, pilot, "space")  # not blocked after all: no reason needed
        assert error_of(editor, "blocked_reason") == ""
        assert (value_of(editor, "title"), error_of(editor, "stream")) == ("Import", "choose a known stream")
        assert items.count_items(proj) == 1  # nothing saved on the way


def distance(a: Color, b: Color) -> float:
    return sum((x - y) ** 2 for x, y in zip(a.rgb, b.rgb, strict=True)) ** 0.5


def background(widget) -> Color:
    """The background the widget is painted with (a select's is that of its current value)."""
    if isinstance(widget, Select):
        widget = widget.query_one("SelectCurrent")
    return widget.background_colors[1]


#: how far (in RGB) a focused field's colour must be from the one it has unfocused;
#: Textual's own focus tint of the compact fields was 10 to 17 away
VISIBLE = 40


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "nord"])
@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_the_focused_field_stands_out_in_the_editor_and_in_dialogs(proj, theme, size):
    app = make_app(proj)
    async with app.run_test(size=size, notifications=True) as pilot:
        app.theme = theme
        editor = await open_editor(app, pilot, "SAL-1")
        for name in ("title", "description", "kind", "blocked", "points"):
            widget = editor.query_one(f"#f-{name}")
            await focus(app, pilot, editor, "labels")
            unfocused = background(widget)
            await focus(app, pilot, editor, name)
            assert distance(background(widget), unfocused) >= VISIBLE, (name, theme)
        # the focused row's name is marked too
        names = {n: editor.query_one(f"#row-{n} > .name", Label) for n in ("points", "labels")}
        assert names["points"].styles.color != names["labels"].styles.color
        assert names["points"].styles.text_style.bold and not names["labels"].styles.text_style.bold
        await press(app, pilot, "escape")
        # a dialog: the focused input's border is in the accent colour, the others' not
        app.push_screen(NotesModal("Notes of alice", ("did a", "", "none")))
        await settle(app, pilot)
        await press(app, pilot, "tab")
        dialog = app.screen
        today, yesterday = dialog.query_one("#notes-today"), dialog.query_one("#notes-yesterday")
        assert app.focused is today
        accent = Color.parse(app.theme_variables["accent"])
        assert today.styles.border_top[1] == accent
        assert distance(yesterday.styles.border_top[1], accent) >= VISIBLE


# --------------------------------------------------------------------------- creating


async def test_create_a_new_item_through_the_form(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        editor = await open_editor(app, pilot)
        assert app.focused is editor.query_one("#f-title", Input)
        await press(app, pilot, *"Import legacy accounts")
        await retype(app, pilot, editor, "points", "5")
        # pick the stream with the keyboard: open the list, type to find it, enter
        await focus(app, pilot, editor, "stream")
        await press(app, pilot, "enter", "o", "enter")
        assert value_of(editor, "stream") == "OPS"
        await retype(app, pilot, editor, "due", "+3d")
        due = proj.today() + timedelta(days=3)
        assert error_of(editor, "due") == ""
        assert f"{due:%d %b %Y}" in str(editor.query_one("#due-parsed").content)
        await retype(app, pilot, editor, "labels", "data, migration")
        await press(app, pilot, "ctrl+s")
        assert not isinstance(app.screen, ItemEditor)
        row = items.get_row(proj, "OPS-1")
        assert (row.title, row.points, row.stream, row.due_date, row.labels, row.sprint, row.status) == (
            "Import legacy accounts", 5.0, "OPS", due, ["data", "migration"], None, "todo")
        assert "Created OPS-1" in notes(app)
        # undo deletes it again
        await press(app, pilot, "u")
        assert [r.key for r in items.list_items(proj)] == ["SAL-1"]
        assert "Undone: creation of OPS-1" in notes(app)
        assert not errors(app)


async def test_new_item_defaults_fill_the_form(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        editor = await open_editor(app, pilot, status="doing", sprint="current", stream="SAL",
                                   kind="bug", points=2, assignee="alice")
        raw = editor._raw()
        assert (raw["status"], raw["sprint"], raw["stream"], raw["kind"], raw["points"], raw["assignee"]) == (
            "doing", "S1", "SAL", "bug", "2", "alice")
        assert not editor.query_one("#f-stream", Select).disabled  # a new item chooses its stream
        await press(app, pilot, *"Crash on login", "ctrl+s")
        row = items.get_row(proj, "SAL-2")
        assert (row.kind, row.status, row.sprint, row.points, row.assignee) == ("bug", "doing", "S1", 2.0, "alice")


async def test_stream_filter_is_the_default_stream_and_escape_without_changes_closes(proj):
    app = make_app(proj, stream="OPS")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        editor = await open_editor(app, pilot)
        assert value_of(editor, "stream") == "OPS"
        await press(app, pilot, "escape")
        assert not isinstance(app.screen, ItemEditor)


async def test_new_item_needs_a_title_and_a_stream(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        editor = await open_editor(app, pilot)
        await press(app, pilot, "ctrl+s")
        assert app.screen is editor
        assert error_of(editor, "title") == "title must not be empty"
        assert error_of(editor, "stream") == "choose a known stream"
        assert items.count_items(proj) == 1
        await press(app, pilot, *"Only a title")
        await pilot.click("#editor-save")
        await settle(app, pilot)
        assert app.screen is editor
        assert error_of(editor, "title") == ""
        assert error_of(editor, "stream") == "choose a known stream"
        assert items.count_items(proj) == 1


# --------------------------------------------------------------------------- editing


async def test_edit_title_and_points_saves_history_and_undo_reverts(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        editor = await open_editor(app, pilot, "SAL-1")
        raw = editor._raw()
        assert (raw["title"], raw["points"], raw["stream"], raw["sprint"], raw["description"]) == (
            "Write migration plan", "3", "SAL", "backlog", "First line\nsecond")
        assert editor.query_one("#f-stream", Select).disabled  # the key contains it
        version = items.get_row(proj, "SAL-1").version
        await retype(app, pilot, editor, "title", "Write the migration plan")
        await retype(app, pilot, editor, "points", "5")
        await press(app, pilot, "ctrl+s")
        assert not isinstance(app.screen, ItemEditor)
        row = items.get_row(proj, "SAL-1")
        assert (row.title, row.points, row.version) == ("Write the migration plan", 5.0, version + 1)
        assert fields(proj, "SAL-1")[-2:] == [
            ("tester", "title", "Write migration plan", "Write the migration plan"),
            ("tester", "points", "3", "5"),
        ]
        assert "Saved SAL-1" in notes(app)
        await press(app, pilot, "u")
        row = items.get_row(proj, "SAL-1")
        assert (row.title, row.points) == ("Write migration plan", 3.0)
        assert "Undone: edit of SAL-1 (title, points)" in notes(app)


async def test_edit_every_other_field(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        editor = await open_editor(app, pilot, "SAL-1")
        editor.query_one("#f-kind", Select).value = "bug"
        editor.query_one("#f-assignee", Select).value = "bob"
        editor.query_one("#f-status", Select).value = "doing"
        editor.query_one("#f-sprint", Select).value = "S2"
        editor.query_one("#f-kpi", Select).value = "NPS"
        editor.query_one("#f-description", TextArea).load_text("New text\nwith two lines")
        await settle(app, pilot)
        await retype(app, pilot, editor, "due", "2026-12-01")
        await retype(app, pilot, editor, "labels", "a, b, a")
        await focus(app, pilot, editor, "blocked")
        await press(app, pilot, "space")  # tick "blocked": the reason is required now
        assert app.focused is editor.query_one("#f-blocked_reason", Input)
        await press(app, pilot, "ctrl+s")
        assert app.screen is editor
        assert error_of(editor, "blocked_reason") == "say why the item is blocked"
        await press(app, pilot, *"waiting for the vendor", "ctrl+s")
        assert not isinstance(app.screen, ItemEditor)
        d = items.get_item(proj, "SAL-1")
        r = d.row
        assert (r.kind, r.assignee, r.status, r.sprint, d.kpi, d.description, r.due_date.isoformat(),
                r.labels, r.blocked, r.blocked_reason) == (
            "bug", "bob", "doing", "S2", "NPS", "New text\nwith two lines", "2026-12-01",
            ["a", "b"], True, "waiting for the vendor")
        # one undo restores all of them
        await press(app, pilot, "u")
        d = items.get_item(proj, "SAL-1")
        r = d.row
        assert (r.kind, r.assignee, r.status, r.sprint, d.kpi, d.description, r.due_date, r.labels,
                r.blocked) == ("story", None, "todo", None, None, "First line\nsecond", None, [], False)


async def test_no_change_saves_nothing(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_editor(app, pilot, "SAL-1")
        before = fields(proj, "SAL-1")
        await press(app, pilot, "ctrl+s")
        assert not isinstance(app.screen, ItemEditor)
        assert fields(proj, "SAL-1") == before
        assert app.undo_stack == []


@pytest.mark.parametrize(
    ("name", "typed", "message"),
    [
        ("points", "-3", "points must be 0 or more"),
        ("points", "abc", "points must be a number, not 'abc'"),
        ("due", "someday soon", "cannot read 'someday soon' as a date"),
        ("title", "", "title must not be empty"),
    ],
)
async def test_invalid_values_show_a_message_and_keep_the_form_open(proj, name, typed, message):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        editor = await open_editor(app, pilot, "SAL-1")
        before = (items.get_row(proj, "SAL-1"), fields(proj, "SAL-1"))
        await retype(app, pilot, editor, name, typed)
        await press(app, pilot, "ctrl+s")
        assert app.screen is editor
        assert error_of(editor, name).startswith(message)
        assert message in screen_text(app)  # next to the field, visible
        assert app.focused is editor.query_one(f"#f-{name}")
        assert (items.get_row(proj, "SAL-1"), fields(proj, "SAL-1")) == before
        # fixing it saves
        await retype(app, pilot, editor, name, {"points": "2", "due": "fri", "title": "Fixed"}[name])
        assert error_of(editor, name) == ""
        await press(app, pilot, "ctrl+s")
        assert not isinstance(app.screen, ItemEditor)
        assert items.get_row(proj, "SAL-1").version == before[0].version + 1


async def test_escape_with_changes_asks_first(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        editor = await open_editor(app, pilot, "SAL-1")
        await retype(app, pilot, editor, "points", "8")
        await press(app, pilot, "escape")
        assert isinstance(app.screen, ConfirmModal)
        await press(app, pilot, "n")
        assert app.screen is editor
        assert value_of(editor, "points") == "8"
        await press(app, pilot, "escape", "y")
        assert not isinstance(app.screen, (ItemEditor, ConfirmModal))
        assert items.get_row(proj, "SAL-1").points == 3.0


async def test_history_and_slip_trail_are_shown(proj, make_ctx):
    items.edit_item(make_ctx("bob"), "SAL-1", points=5, sprint="S1")
    sprints.close_sprint(proj, "S1", carry_to="S2")  # SAL-1 slips from S1 to S2
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        editor = await open_editor(app, pilot, "SAL-1")
        panel = str(editor.query_one("#editor-history").content)
        assert "bob  points: 3 → 5" in panel
        assert "tester  created Write migration plan" in panel
        assert "slipped from S1 to S2  (5 pts)" in panel
        assert value_of(editor, "sprint") == "S2"


# --------------------------------------------------------------------------- conflicts


async def test_conflict_lists_the_changes_and_reload_shows_theirs(proj, make_ctx):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        editor = await open_editor(app, pilot, "SAL-1")
        await retype(app, pilot, editor, "title", "My better title")
        items.edit_item(make_ctx("bob"), "SAL-1", points=13, assignee="alice")  # meanwhile
        await press(app, pilot, "ctrl+s")
        dialog = app.screen
        assert isinstance(dialog, ConflictModal)
        listed = str(dialog.query_one("#conflict-list").content)
        assert "Points: 3 → 13" in listed
        assert "Assignee: — → alice" in listed
        assert "Title" not in listed
        assert "changed by bob" in screen_text(app)
        assert items.get_row(proj, "SAL-1").title == "Write migration plan"  # nothing overwritten
        await press(app, pilot, "r")
        assert app.screen is editor
        assert (value_of(editor, "title"), value_of(editor, "points"), value_of(editor, "assignee")) == (
            "Write migration plan", "13", "alice")
        assert not editor.dirty
        assert "bob  points: 3 → 13" in str(editor.query_one("#editor-history").content)
        # saving now works against the fresh version
        await retype(app, pilot, editor, "points", "8")
        await press(app, pilot, "ctrl+s")
        assert not isinstance(app.screen, ItemEditor)
        row = items.get_row(proj, "SAL-1")
        assert (row.points, row.assignee, row.title) == (8.0, "alice", "Write migration plan")


async def test_conflict_reapply_saves_mine_on_top_of_theirs(proj, make_ctx):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        editor = await open_editor(app, pilot, "SAL-1")
        version = items.get_row(proj, "SAL-1").version
        await retype(app, pilot, editor, "title", "My better title")
        await retype(app, pilot, editor, "points", "5")
        bob = make_ctx("bob")
        items.edit_item(bob, "SAL-1", points=13, labels="urgent")  # meanwhile, points too
        await press(app, pilot, "ctrl+s")
        dialog = app.screen
        assert isinstance(dialog, ConflictModal)
        listed = str(dialog.query_one("#conflict-list").content)
        assert "Points: 3 → 13  (you changed it too)" in listed
        assert "Labels: — → urgent" in listed
        await press(app, pilot, "a")
        assert not isinstance(app.screen, (ItemEditor, ConflictModal))
        row = items.get_row(proj, "SAL-1")
        assert (row.title, row.points, row.labels) == ("My better title", 5.0, ["urgent"])
        assert row.version == version + 2
        assert fields(proj, "SAL-1")[-4:] == [
            ("bob", "points", "3", "13"),
            ("bob", "labels", "", "urgent"),
            ("tester", "title", "Write migration plan", "My better title"),
            ("tester", "points", "13", "5"),
        ]
        # undo goes back to bob's version, not to what I first saw
        await press(app, pilot, "u")
        row = items.get_row(proj, "SAL-1")
        assert (row.title, row.points, row.labels) == ("Write migration plan", 13.0, ["urgent"])


async def test_conflict_back_keeps_the_edits(proj, make_ctx):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        editor = await open_editor(app, pilot, "SAL-1")
        await retype(app, pilot, editor, "title", "Mine")
        bob = make_ctx("bob")
        items.create_item(proj, "Other", stream="SAL")
        items.rerank(bob, "SAL-1", after="SAL-2")  # moving it in the backlog is no edit of it …
        row = items.get_row(proj, "SAL-1")
        items.edit_item(bob, "SAL-1", points=21, expected_version=row.version)  # … this is
        await press(app, pilot, "ctrl+s")
        dialog = app.screen
        assert isinstance(dialog, ConflictModal)
        listed = str(dialog.query_one("#conflict-list").content)
        assert "Points: 3 → 21" in listed and "rank" not in listed.lower()
        await press(app, pilot, "escape")
        assert app.screen is editor
        assert value_of(editor, "title") == "Mine"
        assert items.get_row(proj, "SAL-1").title == "Write migration plan"
        await press(app, pilot, "ctrl+s")  # still based on the old version: asks again
        assert isinstance(app.screen, ConflictModal)
        await press(app, pilot, "a")
        assert items.get_row(proj, "SAL-1").title == "Mine"


async def test_a_rerank_meanwhile_does_not_stop_the_save(proj, make_ctx):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        editor = await open_editor(app, pilot, "SAL-1")
        await retype(app, pilot, editor, "title", "Mine")
        items.create_item(proj, "Other", stream="SAL")
        items.rerank(make_ctx("bob"), "SAL-1", after="SAL-2")
        await press(app, pilot, "ctrl+s")
        assert not isinstance(app.screen, ConflictModal)
        row = items.get_row(proj, "SAL-1")
        assert row.title == "Mine"
        assert [r.key for r in items.list_items(proj, order="rank", include_done=False)].index("SAL-1") > 0


# --------------------------------------------------------------------------- hostile text, small terminal


async def test_hostile_text_shows_literally_in_the_form(proj):
    items.create_item(proj, HOSTILE, stream="SAL", description="[red]not red[/] [@click=app.quit]q")  # SAL-2
    with proj.db.write() as s:  # control characters as another tool could have stored them
        s.execute(sql("UPDATE item SET description = :d WHERE key = 'SAL-2'"), {"d": "x \x1b[2J y\nline 2"})
    items.edit_item(proj, "SAL-2", labels="[b]bold[/b]")
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        editor = await open_editor(app, pilot, "SAL-2")
        assert value_of(editor, "title") == HOSTILE
        assert value_of(editor, "description") == "x �[2J y\nline 2"
        shown = screen_text(app)
        assert HOSTILE in shown
        assert "\x1b" not in shown
        assert "[b]bold[/b]" in shown
        assert "created a [/] b [@click=app.quit]x[/] [bold]y" in str(editor.query_one("#editor-history").content)
        # saving another field leaves the hostile title (and the stored description) alone
        await retype(app, pilot, editor, "points", "1")
        await press(app, pilot, "ctrl+s")
        assert app.is_running
        d = items.get_item(proj, "SAL-2")
        assert (d.row.title, d.description, d.row.points) == (HOSTILE, "x \x1b[2J y\nline 2", 1.0)
        # and a hostile title typed into the form is stored as typed
        editor = await open_editor(app, pilot, "SAL-1")
        await retype(app, pilot, editor, "title", "[/] [@click=app.quit]z")
        await press(app, pilot, "ctrl+s")
        assert app.is_running
        assert items.get_row(proj, "SAL-1").title == "[/] [@click=app.quit]z"
        assert not errors(app)


async def test_editor_is_usable_in_80x24(proj):
    app = make_app(proj)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        editor = await open_editor(app, pilot, "SAL-1")
        screen_region = app.screen.region
        for widget_id in ("#editor-save", "#editor-cancel", "#f-title"):
            assert screen_region.contains_region(editor.query_one(widget_id).region)
        # the last field scrolls into view when focused
        await focus(app, pilot, editor, "kpi")
        assert screen_region.contains_region(editor.query_one("#f-kpi").region)
        assert editor.query_one("#f-kpi").region.height >= 1
        editor.query_one("#f-kpi", Select).value = "NPS"
        await press(app, pilot, "ctrl+s")
        assert items.get_item(proj, "SAL-1").kpi == "NPS"


async def test_checkbox_and_reason_are_linked(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        editor = await open_editor(app, pilot, "SAL-1")
        assert editor.query_one("#f-blocked_reason", Input).disabled
        editor.query_one("#f-blocked", Checkbox).value = True
        await settle(app, pilot)
        assert not editor.query_one("#f-blocked_reason", Input).disabled
