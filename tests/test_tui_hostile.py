"""The hostile-input corpus (tests/data/hostile.json) in the app, through Pilot.

The corpus goes into every place the app shows text — the project name, item
titles, descriptions and blocked reasons, stream and member names, sprint names
and goals, findings, KPI names, standup notes and parking topics — partly
through the services and partly written straight into the file behind their
back (escape sequences, a 100 kB title), as an older version or another tool
could have. Then every screen 1–8 and the item editor is opened at 80×24 and at
160×48 and its rows are walked through. The app keeps running, raises no error,
shows the markup literally and never puts a control character, a bidi override
or a click action that came from the data on the terminal, and a click on the
literal ``[@click=app.quit]x[/]`` does not quit.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.screen import ModalScreen
from textual.widgets import Input, TextArea

from sprinttui.display import show_bidi
from sprinttui.services import evaluations, items, kpis, members, project, sprints, standups, streams
from sprinttui.services.context import Ctx
from sprinttui.store.engine import Database
from sprinttui.tui.base import BaseScreen
from sprinttui.tui.editor import ItemEditor
from tui_support import error_notes, make_app, press, settle

CORPUS_FILE = Path(__file__).parent / "data" / "hostile.json"
TEXT_KINDS = ("markup", "ansi", "osc", "control", "huge", "rtl", "combining", "emoji", "cjk",
              "csv_formula", "html", "markdown_table")


def _materialise(text):
    return text["repeat"] * text["times"] if isinstance(text, dict) else text


CORPUS = [{**e, "text": _materialise(e["text"])} for e in json.loads(CORPUS_FILE.read_text(encoding="utf-8"))]
TEXTS = [e["text"] for e in CORPUS if e["kind"] in TEXT_KINDS]


def keep_line(raw: str) -> str:
    return "".join(" " if ch in "\t\r\n" else ch for ch in raw
                   if ch in "\t\r\n" or unicodedata.category(ch) != "Cc").strip()


def fits(limit: int) -> list[str]:
    """The corpus texts a one-line field of this size stores (the others are refused)."""
    return [t for t in TEXTS if 0 < len(keep_line(t)) <= limit]


CLICK = "[@click=app.quit]x[/]"
RAW = "raw \x1b[2J\x1b]52;c;ZXZpbA==\x07\x1b]8;;http://x\x1b\\\x00\x9b31m\u202eend"  # written behind the services
HUGE = "Ω" * 100_000
NOW = datetime(2026, 3, 18, 9, 0, tzinfo=UTC)
ACTIVE = CLICK  # the running sprint's name: in the header on every screen
CLOSED = "[bold]closed[/bold] [/"
NEXT = "next [link=file:///etc/passwd]x[/link] 日本"
SMALL, BIG = (80, 24), (160, 48)


class Clock:
    def __init__(self) -> None:
        self.now = NOW - timedelta(days=16)

    def __call__(self) -> datetime:
        return self.now


def fixed_clock() -> datetime:
    return NOW


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tui-hostile") / "template.db"
    db = Database(f"sqlite:///{path}")
    clock = Clock()
    c = Ctx(db, "tester", clock=clock)
    project.init_project(c, "[@click=app.bell]Project[/] \u202erollout")
    streams.add_stream(c, "SAL", "Sales")
    keys = ["SAL"]
    for i, t in enumerate(fits(200)[:8]):
        keys.append(streams.add_stream(c, "S" + chr(65 + i) + "X", t).key)
    handles = []
    for i, t in enumerate(fits(200)[::4]):
        handles.append(members.add_member(c, f"m{i:02d}", t, stream=keys[i % len(keys)], availability=50).handle)
    sprints.new_sprint(c, CLOSED, start="2026-03-02", end="2026-03-13", goal=fits(5000)[1])
    sprints.new_sprint(c, ACTIVE, start="2026-03-16", end="2026-03-27", goal="\n".join(fits(100)[:12]))
    sprints.new_sprint(c, NEXT, start="2026-03-30", end="2026-04-10", goal=TEXTS[2])
    # slipped work for the catch-up view: planned into the closed sprint, carried on
    slipped = [items.create_item(c, t, stream=keys[i % len(keys)], sprint=CLOSED, points=2,
                                 assignee=handles[i % len(handles)]).key
               for i, t in enumerate(fits(200)[:10])]
    sprints.start_sprint(c, CLOSED)
    clock.now = NOW - timedelta(days=5)
    items.set_blocked(c, slipped[0], True, TEXTS[5])
    sprints.close_sprint(c, CLOSED, carry_to=ACTIVE)
    items.plan_items(c, slipped[5:], "backlog")
    statuses = ["todo", "doing", "review", "done"]
    for i, t in enumerate(fits(20_000)):
        row = items.create_item(c, t, stream=keys[i % len(keys)], sprint=ACTIVE if i % 3 else None,
                                points=i % 5 + 1, description=t, assignee=handles[i % len(handles)])
        if i % 3:
            items.move_item(c, row.key, statuses[i % 4])
        if i % 5 == 1 and len(keep_line(t)) <= 2000:
            items.set_blocked(c, row.key, True, t)
    sprints.start_sprint(c, ACTIVE)
    clock.now = NOW - timedelta(hours=2)
    ev = evaluations.create_evaluation(c, "current", on=NOW.date(), summary=TEXTS[6])
    for t in fits(20_000):
        evaluations.add_finding(c, ev.id, "to_improve", t)
    for i, t in enumerate(fits(200)):
        k = kpis.add_kpi(c, t, unit="%", baseline=10, target=90)
        kpis.record(c, k.name, 20 + i, on=NOW.date() - timedelta(days=3), note=t)
        kpis.record(c, k.name, 30 + i, on=NOW.date(), note=t)
        kpis.link_item(c, k.name, slipped[i % len(slipped)])
    for i, h in enumerate(handles):
        t = fits(5000)[i]
        standups.save_entry(c, h, on=NOW.date(), yesterday=t, today=t, blockers=t)
    sess = standups.start_session(c, on=NOW.date())
    for t in fits(500):
        standups.add_parking_topic(c, sess.id, t)
    db.dispose()
    # written straight into the file: control characters and a 100 kB title
    with closing(sqlite3.connect(path)) as con:
        con.execute("UPDATE item SET title = ? WHERE id = (SELECT min(id) FROM item WHERE status = 'todo' "
                    "AND sprint_id = (SELECT id FROM sprint WHERE name = ?))", (HUGE, ACTIVE))
        con.execute("UPDATE item SET title = ?, blocked = 1, blocked_reason = ? WHERE id = (SELECT min(id) "
                    "FROM item WHERE status = 'doing')", (RAW, RAW))
        con.execute("UPDATE item SET description = ? WHERE id IN (SELECT id FROM item LIMIT 5)", (RAW,))
        con.execute("UPDATE member SET name = ? WHERE handle = 'm01'", (RAW,))
        con.execute("UPDATE stream SET name = ?, description = ? WHERE key = 'SAL'", (RAW, RAW))
        con.execute("UPDATE kpi SET name = ?, unit = ? WHERE id = 1", (RAW, "\x1b[31m%"))
        con.execute("UPDATE finding SET text = ? WHERE id IN (1, 2)", (RAW,))
        con.execute("UPDATE evaluation SET summary = ?", (RAW + "\n" + CLICK,))
        con.execute("UPDATE standup_entry SET yesterday = ?, blockers = ? WHERE id = 1", (RAW, RAW))
        con.execute("UPDATE standup SET parking_lot = ? || char(10) || parking_lot", (RAW,))
        con.execute("UPDATE sprint SET goal = ? || char(10) || goal WHERE name = ?", (RAW, ACTIVE))
        con.commit()
    return path


@pytest.fixture
def hctx(template, tmp_path):
    path = tmp_path / "project.db"
    with closing(sqlite3.connect(template)) as a, closing(sqlite3.connect(path)) as b:
        a.backup(b)
    db = Database(f"sqlite:///{path}")
    yield Ctx(db, "tester", clock=fixed_clock)
    db.dispose()


# --------------------------------------------------------------------------- reading the screen

# what must never reach the terminal from the data: C0 controls, DEL, C1 controls,
# bidi embeddings, overrides and isolates
UNSAFE = {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]} | set("\u202a\u202b\u202c\u202d\u202e") \
    | set("\u2066\u2067\u2068\u2069")


def shown(text: str, multi_line: bool = False) -> str:
    """A stored text as an edit field holds it: a bidi control as <U+202E>, what else
    no terminal may get replaced by '�'."""
    text = show_bidi(text)
    if multi_line:
        return "".join("" if ch == "\r" else ch if ch in "\n\t" else "�" if ch in UNSAFE else ch for ch in text)
    return "".join(" " if ch in "\t\r\n" else "�" if ch in UNSAFE else ch for ch in text)


class Seen:
    """Every screen text rendered during the session, checked as it is read."""

    def __init__(self) -> None:
        self.texts: dict[str, list[str]] = {}

    def read(self, app, label: str) -> list[str]:
        lines = []
        for y, strip in enumerate(app.screen._compositor.render_strips()):
            parts = []
            for seg in strip:
                bad = UNSAFE & set(seg.text)
                assert not bad, f"{label}: {bad!r} on line {y}: {strip.text!r}"
                style = seg.style
                if style is not None and style.meta:
                    action = str(style.meta.get("@click", ""))
                    assert "quit" not in action and "bell" not in action and "dismiss" not in action, \
                        f"{label}: a click action from the data reached the screen: {seg!r}"
                if style is not None:
                    assert not (style.link or "").startswith("file:"), f"{label}: a link from the data: {seg!r}"
                parts.append(seg.text)
            lines.append("".join(parts))
        self.texts.setdefault(label, []).append("\n".join(lines))
        return lines

    def all(self, label: str) -> str:
        return "\n".join(self.texts.get(label, []))


async def walk(app, pilot, seen: Seen, label: str, steps: list) -> None:
    """Press each step (a key, or a tuple of keys pressed together) and read
    (and check) the screen after it."""
    seen.read(app, label)
    for step in steps:
        await press(app, pilot, *((step,) if isinstance(step, str) else step))
        assert app.is_running, f"{label}: the app stopped at {step!r}"
        seen.read(app, label)


async def click_on(app, pilot, seen: Seen, label: str, text: str) -> bool:
    """Click the first place below the header where the screen shows `text`;
    True when it was on screen."""
    for y, line in enumerate(seen.read(app, label)):
        i = line.find(text)
        if y >= 2 and i >= 0:
            await pilot.click(offset=(cell_len(line[:i]) + 1, y))
            await settle(app, pilot)
            assert app.is_running, f"{label}: a click on {text!r} quit the app"
            if isinstance(app.screen, ModalScreen):
                await press(app, pilot, "escape")
            return True
    return False


async def goto(app, pilot, key: str, title: str) -> None:
    # a notification left by the previous screen (e.g. the end of the standup
    # rotation, 4 s) would cover part of the next one, whose text is checked
    app.clear_notifications()
    await press(app, pilot, key)
    assert isinstance(app.screen, BaseScreen) and title == app.screen.SCREEN_TITLE, app.screen


# --------------------------------------------------------------------------- the session


async def one_session(c, size: tuple[int, int]) -> Seen:
    """Every screen and the editor, their rows walked through. At 80×24 every
    page and every member is read; at 160×48 a page shows most of it."""
    seen = Seen()
    small = size == SMALL
    pages = 2 if small else 1
    app = make_app(c)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(app, pilot)

        # 1 board: every column top to bottom, the item editor on a card of each
        for col in range(4):
            await walk(app, pilot, seen, "board", ["pagedown"] * pages)
            if small or col % 2 == 0:
                await press(app, pilot, "pageup", "j")
                await press(app, pilot, "enter")
                editor = app.screen
                assert isinstance(editor, ItemEditor), editor
                await settle(app, pilot)
                seen.read(app, "editor")
                stored = items.get_item(c, editor.key)
                assert editor.query_one("#f-title", Input).value == shown(stored.row.title)
                assert editor.query_one("#f-description", TextArea).text == shown(stored.description, True)
                await press(app, pilot, "escape")
                assert not isinstance(app.screen, ModalScreen), app.screen
            await press(app, pilot, "l")

        # 2 backlog, 3 planning, 4 standup (every member), 5 evaluations, 6 catch-up, 7 KPIs, 8 team
        await goto(app, pilot, "2", "Backlog")
        await walk(app, pilot, seen, "backlog", ["pagedown"] * (pages + 1))
        await goto(app, pilot, "3", "Planning")
        await walk(app, pilot, seen, "planning", ["pagedown"] * pages + ["tab"] + ["pagedown"] * pages)
        await goto(app, pilot, "4", "Standup")
        n = len(members.list_members(c))
        await walk(app, pilot, seen, "standup", ["n"] * n if small else [("n", "n")] * (n // 2 + 1))
        await goto(app, pilot, "5", "Evaluations")
        await walk(app, pilot, seen, "evaluations", ["pagedown"] * pages + ["tab", "pagedown", "tab"])
        await goto(app, pilot, "6", "Catch-up")
        await walk(app, pilot, seen, "catchup", [("down",) * 4] * 3)
        await goto(app, pilot, "7", "KPIs")
        await walk(app, pilot, seen, "kpis", ["pagedown"] * pages + ["c", "c", "c", "tab", "pagedown"])
        await goto(app, pilot, "8", "Team")
        await walk(app, pilot, seen, "team", ["pagedown"] * pages + ["tab"] + ["pagedown"] * pages)

        # a click on the literal [@click=app.quit]x[/] (a stream's name, the sprint goal) quits nothing
        assert await click_on(app, pilot, seen, "team", CLICK)
        await goto(app, pilot, "1", "Board")
        assert await click_on(app, pilot, seen, "board", CLICK)  # the sprint goal
        assert app.is_running and isinstance(app.screen, BaseScreen)
        assert error_notes(app) == []
    return seen


RAW_SHOWN = "raw �[2J�]52;c;ZXZpbA==��]8;;http://x"  # the escape characters replaced, nothing run
LITERAL = {  # what each screen shows literally at either size (the corpus minus control characters)
    "board": ["[/]", "[bold]bold[/bold] text", "[link=file:///etc/passwd]x[/link]",
              "[@click=app.bell]ring[/] [@click=screen.dismiss]close[/]", "Edit $key by $who ${x} [$var]",
              RAW_SHOWN],
    "editor": ["Title       [", "Description"],
    "backlog": ["[2J[Hcleared screen", "Edit $key by $who"],
    "planning": ["[link=file:///etc/passwd]x[/link] 日本", "[@click=app.bell]ring[/]"],
    # (the marker makes the note one word too long for 80 columns: it wraps after "raw")
    "standup": [RAW_SHOWN[4:] + "�\\��31m<U+202E>end", "Yesterday: [/bold] closes nothing", "中文标题 한국어 제목"],
    "evaluations": ["Summary: " + RAW_SHOWN, "[?1049halt screen[?1049l", "]52;c;ZWNobyBwd25lZA==clipboard"],
    "catchup": ["[/bold] closes nothing", "[@click=app.quit]x[/]", "Ω" * 20],
    "kpis": ["<script>alert(1)", "=HYPERLINK(", "@SUM(A1:A9)"],
    "team": [RAW_SHOWN, "[link=file:///etc/passwd]x[/link]", "[/bold] closes nothing", "中文标题 한국어 제목"],
}


LITERAL_BIG = {  # and what only a big terminal has room for
    "standup": ["Parking lot (", "  • [@click=app.quit]x[/]", "  • [link=file:///etc/passwd]x[/link]"],
    "kpis": ["Burndown · [@click=app.quit]x[/]", "[bold]closed[/bold] [/"],
    "board": ["Ω" * 20, "[@click=app.quit]x[/]  "],
}


@pytest.mark.parametrize("size", [SMALL, BIG], ids=["80x24", "160x48"])
async def test_every_screen_shows_hostile_text_literally_and_safely(hctx, size):
    seen = await one_session(hctx, size)
    for label, expected in LITERAL.items():
        text = seen.all(label)
        for piece in expected + (LITERAL_BIG.get(label, []) if size == BIG else []):
            assert piece in text, (label, piece)
        if label != "editor":  # the header: the project's and the running sprint's names, literally
            # (at 80 columns the <U+202E> marker pushes the sprint name past the header's end)
            assert "[@click=app.bell]Project[/] <U+202E>rollout" in text and (CLICK in text or size == SMALL), label
