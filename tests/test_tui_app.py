"""The application shell through Pilot: screens on the number keys, the stream
filter (f, --stream, palette), the command palette's item jump, the help panel,
quitting, and the theme remembered per user."""

from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest
from textual.command import CommandList, CommandPalette

from sprinttui.services import items, members, sprints, streams
from sprinttui.tui.app import SCREENS
from sprinttui.tui.base import BaseScreen
from sprinttui.tui.modals import ChooseModal
from sprinttui.tui.screens.board import BoardScreen
from tui_support import error_notes, make_app, notes, press, settle, type_text, until

SIZE = (120, 36)


@pytest.fixture
def proj(ctx):
    streams.add_stream(ctx, "SAL", "Sales")
    streams.add_stream(ctx, "OPS", "Operations")
    members.add_member(ctx, "alice", "Alice", stream="SAL")
    today = ctx.today()
    sprints.new_sprint(ctx, "S1", start=today - timedelta(days=1), end=today + timedelta(days=9), goal="Pilot")
    items.create_item(ctx, "Write migration plan", stream="SAL", sprint="S1")  # SAL-1 todo
    items.create_item(ctx, "Train sales team", stream="SAL", sprint="S1", status="doing")  # SAL-2
    items.create_item(ctx, "Monitor rollout", stream="OPS", sprint="S1")  # OPS-1 todo
    items.create_item(ctx, "Close old tickets", stream="OPS", sprint="S1", status="done")  # OPS-2
    sprints.start_sprint(ctx, "S1")
    return ctx


ALL = [["SAL-1", "OPS-1"], ["SAL-2"], [], ["OPS-2"]]
ONLY_OPS = [["OPS-1"], [], [], ["OPS-2"]]
ONLY_SAL = [["SAL-1"], ["SAL-2"], [], []]


def keys_by_column(app) -> list[list[str]]:
    assert isinstance(app.screen, BoardScreen), app.screen
    return [[c.key for c in col.cards] for col in app.screen.columns]


async def palette_pick(app, pilot, query: str, expect: str) -> None:
    """Open the palette, type the query, wait until the highlighted hit mentions
    `expect`, then press enter."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*list(query))
    def offered() -> bool:
        hits = app.screen.query_one(CommandList)
        if hits.highlighted is None or not hits.option_count:
            return False
        return expect in str(hits.get_option_at_index(hits.highlighted).prompt)

    await until(pilot, offered, f"the palette offering {expect!r} for {query!r}")
    await pilot.press("enter")
    await settle(app, pilot)


# --------------------------------------------------------------------------- screens


async def test_number_keys_switch_screens(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert app.current_mode == "board" and isinstance(app.screen, BoardScreen)
        for key, mode, title in SCREENS:
            await press(app, pilot, key)
            assert app.current_mode == mode, key
            assert isinstance(app.screen, BaseScreen)
            assert title == app.screen.SCREEN_TITLE
        await press(app, pilot, "1")
        assert app.current_mode == "board" and isinstance(app.screen, BoardScreen)
        assert keys_by_column(app) == ALL
        assert app.is_running
        assert error_notes(app) == []


# --------------------------------------------------------------------------- stream filter


async def test_f_chooses_a_stream_and_the_board_shows_only_its_cards(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert app.stream_filter is None and keys_by_column(app) == ALL
        await press(app, pilot, "f")
        assert isinstance(app.screen, ChooseModal)
        assert sorted(v for _label, v in app.screen.options) == ["", "OPS", "SAL"]
        await type_text(app, pilot, "OPS")
        await press(app, pilot, "enter")
        assert app.stream_filter == "OPS"
        assert keys_by_column(app) == ONLY_OPS
        assert "stream OPS" in app.sub_title
        assert "Showing stream OPS" in notes(app)
        # back to every stream
        await press(app, pilot, "f")
        await type_text(app, pilot, "all")
        await press(app, pilot, "enter")
        assert app.stream_filter is None
        assert keys_by_column(app) == ALL
        assert "all streams" in app.sub_title


async def test_f_then_escape_keeps_the_filter(proj):
    app = make_app(proj, stream="OPS")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "f", "escape")
        assert isinstance(app.screen, BoardScreen)
        assert app.stream_filter == "OPS" and keys_by_column(app) == ONLY_OPS


async def test_app_started_with_a_stream_is_filtered(proj):
    app = make_app(proj, stream="sal")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.stream_filter == "SAL"
        assert keys_by_column(app) == ONLY_SAL
        assert "stream SAL" in app.sub_title


async def test_stream_filter_applies_to_a_moved_card_and_other_screens(proj):
    app = make_app(proj, stream="SAL")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(app, pilot, ">")  # SAL-1 → doing
        assert items.get_row(proj, "SAL-1").status == "doing"
        assert keys_by_column(app) == [[], ["SAL-1", "SAL-2"], [], []]
        await press(app, pilot, "2", "1")
        assert app.stream_filter == "SAL" and keys_by_column(app) == [[], ["SAL-1", "SAL-2"], [], []]


# --------------------------------------------------------------------------- palette


async def test_palette_jump_to_an_item_by_key_opens_it(proj):
    app = make_app(proj)
    opened: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_item = opened.append  # the editor's own tests cover the editor
        await palette_pick(app, pilot, "OPS-2", "OPS-2")
        assert opened == ["OPS-2"]


async def test_palette_jump_by_title_words(proj):
    app = make_app(proj)
    opened: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_item = opened.append
        await palette_pick(app, pilot, "sales team", "SAL-2")
        assert opened == ["SAL-2"]


async def test_palette_jump_opens_the_item_editor(proj):
    editor = pytest.importorskip("sprinttui.tui.editor")
    app = make_app(proj)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await palette_pick(app, pilot, "SAL-2", "SAL-2")
        await until(pilot, lambda: isinstance(app.screen, editor.ItemEditor), "the item editor opening")
        assert app.screen.key == "SAL-2"
        assert app.is_running


async def test_palette_stream_filter_switches_the_stream(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await palette_pick(app, pilot, "Stream filter: OPS", "Stream filter: OPS")
        assert isinstance(app.screen, BoardScreen)
        assert app.stream_filter == "OPS"
        assert keys_by_column(app) == ONLY_OPS
        assert "stream OPS" in app.sub_title
        await palette_pick(app, pilot, "Stream filter: all", "all streams")
        assert app.stream_filter is None
        assert keys_by_column(app) == ALL


# --------------------------------------------------------------------------- help, quit


async def test_question_mark_toggles_the_help_panel(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert len(app.screen.query("HelpPanel")) == 0
        await press(app, pilot, "question_mark")
        assert len(app.screen.query("HelpPanel")) == 1
        # the board's keys still work with the panel open
        await press(app, pilot, "l")
        assert app.screen.col == 1
        await press(app, pilot, "question_mark")
        assert len(app.screen.query("HelpPanel")) == 0
        assert app.is_running


async def test_q_quits(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("q")
        await until(pilot, lambda: not app.is_running, "the app closing")
    assert not app.is_running
    assert app.return_code == 0


async def test_q_while_typing_a_filter_does_not_quit(proj):
    app = make_app(proj)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "slash")
        await type_text(app, pilot, "q")
        assert app.is_running and app.screen.text_filter == "q"
        await press(app, pilot, "escape")
        assert keys_by_column(app) == ALL


# --------------------------------------------------------------------------- theme


async def test_theme_is_remembered_per_user(proj, make_ctx, tmp_path, monkeypatch):
    config_file = tmp_path / "prefs" / "config.json"
    monkeypatch.setenv("SPRINTTUI_CONFIG", str(config_file))
    first = make_app(proj)
    default_theme = first.theme
    assert default_theme != "textual-light"
    async with first.run_test(size=SIZE) as pilot:
        await settle(first, pilot)
        first.theme = "textual-light"
        await pilot.pause()
    saved = json.loads(config_file.read_text(encoding="utf-8"))
    assert saved["users"]["tester"]["theme"] == "textual-light"
    # a new app for the same user starts with it
    second = make_app(proj)
    assert second.theme == "textual-light"
    async with second.run_test(size=SIZE) as pilot:
        await settle(second, pilot)
        assert second.theme == "textual-light"
        assert isinstance(second.screen, BoardScreen)
    # another user keeps the default
    other = make_app(make_ctx("bob"))
    assert other.theme == default_theme


async def test_a_theme_chosen_on_one_screen_shows_on_every_screen_opened_before_or_after(proj):
    """Screens opened earlier are restyled when shown again, screens opened
    later start in the new theme (the app skips Textual's CSS refresh for a
    screen that is already up to date, never for one that is not)."""
    app = make_app(proj)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "2")  # the backlog, opened in the first theme
        await press(app, pilot, "1")
        dark_bg = app.screen.styles.background
        app.theme = "textual-light"
        await settle(app, pilot)
        light_bg = app.screen.styles.background
        assert light_bg != dark_bg
        for key in ("2", "3", "1"):  # opened before the change, opened after it, the board again
            await press(app, pilot, key)
            assert app.screen.styles.background == light_bg, key
            assert app.screen.query_one("Footer").styles.background != dark_bg


async def test_unknown_or_broken_theme_preferences_are_ignored(proj, tmp_path, monkeypatch):
    config_file = tmp_path / "config.json"
    monkeypatch.setenv("SPRINTTUI_CONFIG", str(config_file))
    config_file.write_text(json.dumps({"users": {"tester": {"theme": "no-such-theme"}}}), encoding="utf-8")
    app = make_app(proj)
    assert app.theme in app.available_themes and app.theme != "no-such-theme"
    config_file.write_text("{not json", encoding="utf-8")
    app = make_app(proj)
    assert app.theme in app.available_themes
    assert os.path.exists(config_file)


async def test_the_collector_the_command_line_turned_off_is_back_on_once_the_board_shows(proj):
    """The command line starts the app with the garbage collector off (its
    imports load faster); the app turns it back on after the first paint."""
    import gc

    gc.disable()
    try:
        app = make_app(proj)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(app, pilot)
            assert isinstance(app.screen, BoardScreen) and app.screen.data is not None
            await until(pilot, gc.isenabled, "the garbage collector switched on again")
    finally:
        gc.enable()


def test_once_the_board_is_painted_the_other_screens_are_imported_in_the_background(tmp_path):
    """A fresh process (nothing imported yet): the app opens on the board only;
    after the first paint it imports the other screens' modules in a worker,
    so that pressing 2…8 later does not wait for an import."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent("""
        import asyncio, sys
        from sprinttui.services import open_ctx
        from sprinttui.tui.app import SprintTuiApp
        from sprinttui.tui.screens import SCREEN_CLASSES

        names = [f"sprinttui.tui.screens.{m}" for m, _c in SCREEN_CLASSES.values()]
        before = sorted(n for n in names if n in sys.modules)

        async def main():
            app = SprintTuiApp(open_ctx(sys.argv[1], "tester"), watch=False)
            async with app.run_test(size=(120, 36)) as pilot:
                while True:  # until every screen is imported (the test's timeout ends a hang)
                    await pilot.pause()
                    if all(n in sys.modules for n in names) and not any(
                            w.group == "preload" and w.is_running for w in app.workers):
                        break
                print("SHOWN:" + type(app.screen).__name__)
                print("AFTER:" + ",".join(sorted(n for n in names if n in sys.modules)))
                # and then out of the garbage collector's reach (frozen), as the board's modules are
                import gc
                from sprinttui.tui.screens.kpis import KpiScreen
                from sprinttui.tui.screens.board import BoardScreen
                tracked = gc.get_objects()
                print("TRACKED:" + ",".join(c.__name__ for c in (BoardScreen, KpiScreen)
                                            if any(o is c for o in tracked)))

        asyncio.run(main())
        print("BEFORE:" + ",".join(before))
    """)
    db = tmp_path / "p.db"
    env = dict(os.environ, TEXTUAL_ANIMATION="none")
    init = subprocess.run([sys.executable, "-m", "sprinttui", "--db", str(db), "init", "--name", "P"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert init.returncode == 0, init.stderr
    result = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    out = dict(line.split(":", 1) for line in result.stdout.splitlines() if ":" in line)
    assert out["BEFORE"] == ""
    assert out["SHOWN"] == "BoardScreen"
    assert out["TRACKED"] == ""
    assert sorted(out["AFTER"].split(",")) == sorted(
        f"sprinttui.tui.screens.{m}" for m in ("board", "backlog", "planning", "standup", "evaluations",
                                               "catchup", "kpis", "team"))


async def each_screen_opened(app, pilot):
    """Open screens 2–8 in turn from the board the app starts on; yields each one's title."""
    await settle(app, pilot)
    for key, _mode, title in SCREENS[1:]:
        await press(app, pilot, key)
        yield title


async def test_each_screen_reads_its_data_once_when_it_opens(proj, monkeypatch):
    """Textual calls on_mount of every class of a screen, BaseScreen's too: a
    screen that also called super().on_mount() started its first load twice."""
    loads: dict[str, int] = {}
    original = BaseScreen.reload

    def counted(self, *args, **kwargs):
        loads[type(self).__name__] = loads.get(type(self).__name__, 0) + 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(BaseScreen, "reload", counted)
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        async for _title in each_screen_opened(app, pilot):
            pass
        assert set(loads) == {type(s).__name__ for s in app.data_screens}
        assert loads == dict.fromkeys(loads, 1)


def footer_shown(app) -> str:
    """The keys drawn whole on the bottom row of the terminal, as "key description"."""
    width, y = app.size.width, app.size.height - 1
    keys: list = []
    for x in range(width):
        widget, region = app.screen.get_widget_at(x, y)
        if hasattr(widget, "key_display") and widget not in keys and region.right <= width:
            keys.append(widget)
    return " ".join(f"{k.key_display} {k.description}" for k in keys)


async def test_at_80x24_the_footer_of_every_screen_shows_help_and_quit(proj):
    app = make_app(proj)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for key, _mode, title in SCREENS:
            await press(app, pilot, key)
            shown = footer_shown(app)
            assert shown.endswith("? Help q Quit"), (title, shown)
        await press(app, pilot, "1")
        assert "f Stream" not in footer_shown(app)  # the app-wide keys make room first …
        assert "x Export" in footer_shown(app)  # … for the board's own
        await pilot.resize_terminal(160, 48)
        await settle(app, pilot)
        await until(pilot, lambda: "x Export f Stream u Undo ? Help q Quit" in footer_shown(app),
                    "the footer wide enough for all keys again")
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        await until(pilot, lambda: footer_shown(app).endswith("x Export ? Help q Quit"), "the narrow footer again")


async def test_a_screens_footer_is_built_once_when_it_opens_and_shows_its_keys(proj, monkeypatch):
    """Textual's Footer mounts a widget per key again on every bindings refresh,
    and opening a screen sends several for the same keys; the app's footer
    builds its keys once, as the screen is composed (not in a frame of their
    own after it), also where the table in focus takes one of the keys."""
    from sprinttui.tui.widgets.footer import ScreenFooter

    builds: dict[str, int] = {}
    original = ScreenFooter.compose

    def counted(self):
        builds[type(self.screen).__name__] = builds.get(type(self.screen).__name__, 0) + 1
        yield from original(self)

    monkeypatch.setattr(ScreenFooter, "compose", counted)
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        async for title in each_screen_opened(app, pilot):
            await settle(app, pilot)
            footer = app.screen.query_one(ScreenFooter)
            shown = " ".join(f"{k.key_display} {k.description}" for k in footer.query("FooterKey"))
            assert "? Help" in shown and "q Quit" in shown, (title, shown)
        assert builds == dict.fromkeys(builds, 1) and len(builds) == len(SCREENS), builds
