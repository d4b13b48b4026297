"""Bidi control characters (U+202E RIGHT-TO-LEFT OVERRIDE, the isolates, the
marks) in user text never reach what a person reads: the Markdown, HTML and CSV
exports, the app's screens and the command line show each one as a visible
marker (``<U+202E>``), so no title displays reversed ("Trojan Source"). The
database keeps the characters; the JSON export, being data, keeps them too
(escaped); editing an item in the app keeps them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import timedelta
from html import unescape

import pytest
from textual.widgets import Input, TextArea

from sprinttui.export import export_sprint, export_standup
from sprinttui.services import evaluations, items, members, sprints, standups, streams
from sprinttui.tui.editor import ItemEditor
from tui_support import make_app, press, settle, until

RLO, LRI, PDI, RLM = "\u202e", "\u2066", "\u2069", "\u200f"
MARKERS = ("<U+202E>", "<U+2066>", "<U+200F>")
TITLE = f"Pay {RLO}exe.txt{PDI} {LRI}now{PDI}{RLM}"  # SAL-1
SHOWN_TITLE = "Pay <U+202E>exe.txt<U+2069> <U+2066>now<U+2069><U+200F>"
NAME = f"Ann {RLO}nhoJ{RLM} {LRI}x{PDI}"
STREAM = f"Sales {RLO}htroN{LRI}{RLM}"
NOTE = f"waiting {RLO}rodnev{LRI}x{PDI}{RLM}"
GOAL = f"Ship {RLO}tolip{LRI}x{PDI}{RLM}"
FINDING = f"Standups {RLO}gnol{LRI}x{PDI}{RLM}"
SIZE = (160, 48)
# Unicode Bidi_Control: ALM, LRM, RLM, LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def no_bidi(text: str) -> bool:
    return not any(ch in BIDI_CONTROLS for ch in text)


def markers_in(text: str) -> bool:
    return all(m in text for m in MARKERS)


@pytest.fixture
def proj(ctx):
    """A running sprint S1 (goal, stream, member, item, blocked reason,
    description, standup note, evaluation finding all hold bidi controls)."""
    c = ctx
    streams.add_stream(c, "SAL", STREAM)
    members.add_member(c, "ann", NAME, stream="SAL")
    today = c.today()
    sprints.new_sprint(c, "S1", start=today - timedelta(days=2), end=today + timedelta(days=5), goal=GOAL)
    items.create_item(c, TITLE, stream="SAL", sprint="S1", points=3, assignee="ann",
                      description=f"First {NOTE}\nsecond")                                  # SAL-1
    items.create_item(c, "Plain one", stream="SAL", sprint="S1", points=1)                   # SAL-2
    items.create_item(c, f"Later {RLO}gol{LRI}x{PDI}{RLM}", stream="SAL")                     # SAL-3, backlog
    sprints.start_sprint(c, "S1")
    items.set_blocked(c, "SAL-2", True, NOTE)
    standups.save_entry(c, "ann", yesterday=NOTE, today="SAL-1", blockers=NOTE)
    ev = evaluations.create_evaluation(c, "S1", kind="interim", facilitator="ann")
    evaluations.add_finding(c, ev.id, "to_improve", FINDING)
    return c


def stored_title(db_path, key: str = "SAL-1") -> str:
    with closing(sqlite3.connect(db_path)) as con:
        return con.execute("SELECT title FROM item WHERE key = ?", (key,)).fetchone()[0]


def test_exports_show_bidi_controls_as_markers_and_json_keeps_them(proj, db_path):
    md = export_sprint(proj, "md")
    html = export_sprint(proj, "html")
    rows = list(csv.reader(io.StringIO(export_sprint(proj, "csv"))))
    standup_md = export_standup(proj, "md")
    for name, text in (("md", md), ("html", html), ("standup md", standup_md)):
        assert no_bidi(text), name
        assert markers_in(unescape(text)), name  # shown to the reader as <U+202E> …
        assert SHOWN_TITLE in unescape(text) or name == "standup md", name
    assert "&lt;U+202E&gt;" in md and "<U+202E>" not in md  # the marker is text, never an HTML tag
    assert "&lt;U+202E&gt;" in html and "<U+202E>" not in html
    csv_text = "\n".join(",".join(r) for r in rows)
    assert no_bidi(csv_text)
    titles = {r[0]: r[rows[0].index("title")] for r in rows[1:]}
    assert titles["SAL-1"] == SHOWN_TITLE
    # JSON is data: the exact stored text, escaped (\u202e), restored by any reader
    raw_json = export_sprint(proj, "json")
    assert no_bidi(raw_json)
    doc = json.loads(raw_json)
    assert TITLE in [i["title"] for i in doc["items"]]
    assert stored_title(db_path) == TITLE


def _screen_text(app) -> str:
    return "\n".join("".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips())


async def save(app, pilot) -> None:
    await settle(app, pilot)
    await press(app, pilot, "ctrl+s")
    await until(pilot, lambda: not isinstance(app.screen, ItemEditor), "the editor closes after saving")
    await settle(app, pilot)


async def test_app_shows_markers_on_board_backlog_and_editor_and_keeps_the_stored_text(proj, db_path):
    app = make_app(proj)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        board = _screen_text(app)
        assert no_bidi(board)
        assert "Pay <U+202E>exe.txt" in board   # the card's title
        assert "<U+202E>" in board and "<U+2066>" in board

        await press(app, pilot, "2")
        backlog = _screen_text(app)
        assert no_bidi(backlog)
        assert "Later <U+202E>gol<U+2066>x" in backlog

        await press(app, pilot, "1")
        app.open_item("SAL-1")
        await settle(app, pilot)
        editor = app.screen
        assert isinstance(editor, ItemEditor) and editor._built
        shown = _screen_text(app)
        assert no_bidi(shown)
        # the read-only parts: the history panel (who created it), the assignee and stream choices
        history = "".join(s.text for s in editor.query_one("#editor-history").render_lines(
            editor.query_one("#editor-history").region.reset_offset))
        assert no_bidi(history)
        assert "Ann <U+202E>nhoJ<U+200F>" in shown or "Ann <U+202E>nhoJ" in shown  # the assignee select
        # the input fields show the markers too (a raw override would reverse the field)
        title_input = editor.query_one("#f-title", Input)
        assert title_input.value == SHOWN_TITLE
        assert no_bidi(editor.query_one("#f-description", TextArea).text)
        assert "<U+202E>" in editor.query_one("#f-description", TextArea).text
        # saving another field leaves the title as stored
        editor.query_one("#f-points", Input).value = "5"
        await save(app, pilot)
        assert stored_title(db_path) == TITLE
        assert items.get_item(proj, "SAL-1").row.points == 5
        # editing the title around the markers keeps the stored characters
        app.open_item("SAL-1")
        await settle(app, pilot)
        title_input = app.screen.query_one("#f-title", Input)
        title_input.value = title_input.value + " soon"
        await save(app, pilot)
    assert stored_title(db_path) == TITLE + " soon"
    assert items.get_item(proj, "SAL-1").description == f"First {NOTE}\nsecond"


def _cli(tmp_path, db_path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("SPRINTTUI_DB", "SPRINTTUI_USER")}
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "xdg"), PYTHONIOENCODING="utf-8")
    proc = subprocess.run([sys.executable, "-m", "sprinttui", "--db", str(db_path), "--user", "tester", *args],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=60)
    assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    return proc.stdout


def test_cli_item_show_and_list_show_markers(proj, db_path, tmp_path):
    shown = _cli(tmp_path, db_path, "item", "show", "SAL-1")
    assert no_bidi(shown)
    assert "Pay <U+202E>exe.txt<U+2069> <U+2066>now" in shown
    assert "<U+200F>" in shown
    listed = _cli(tmp_path, db_path, "item", "list")
    assert no_bidi(listed)
    assert "Pay <U+202E>exe" in listed
    assert stored_title(db_path) == TITLE
