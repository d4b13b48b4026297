"""`x` on the board: the sprint summary to a file, its format picked by the
file's extension, with a notification saying where it went."""

from __future__ import annotations

import json
import os
import stat

import pytest
from textual.widgets import Input

from sprinttui.services import items, sprints, streams
from sprinttui.tui.modals import PromptModal
from tui_support import board_of, error_notes, make_app, notes, press, settle

SIZE = (120, 36)


@pytest.fixture
def running(ctx):
    from datetime import timedelta

    streams.add_stream(ctx, "SAL", "Sales")
    today = ctx.today()
    sprints.new_sprint(ctx, "S1", start=today - timedelta(days=2), end=today + timedelta(days=5),
                       goal="Ship <b>it</b>")
    items.create_item(ctx, "=HYPERLINK(\"x\") [bold]lead import[/]", stream="SAL", sprint="S1", points=3)
    items.create_item(ctx, "Mapping", stream="SAL", sprint="S1", points=2, status="done")
    sprints.start_sprint(ctx, "S1")
    return ctx


async def export_to(app, pilot, name: str) -> None:
    await press(app, pilot, "x")
    assert isinstance(app.screen, PromptModal), app.screen
    assert app.screen.query_one(Input).value == "S1-summary.md"  # the suggested name
    app.screen.query_one(Input).value = name
    await press(app, pilot, "enter")
    await app.workers.wait_for_complete()
    await settle(app, pilot)


@pytest.mark.parametrize("suffix", ["md", "html", "json", "csv"])
async def test_x_on_the_board_writes_the_summary_in_the_format_of_the_extension(running, tmp_path, suffix):
    target = tmp_path / f"summary.{suffix}"
    app = make_app(running)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        board_of(app)
        await export_to(app, pilot, str(target))
        assert not error_notes(app)
        assert any(str(target) in n and n.startswith("Exported the summary") for n in notes(app))
    body = target.read_text(encoding="utf-8")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o660
    if suffix == "json":
        doc = json.loads(body)
        assert doc["sprint"]["name"] == "S1" and len(doc["items"]) == 2
    elif suffix == "html":
        assert "<svg" in body and "<b>it</b>" not in body and "&lt;b&gt;it&lt;/b&gt;" in body
    elif suffix == "csv":
        assert "'=HYPERLINK" in body  # the formula is neutralised
    else:
        assert "S1" in body and "Mapping" in body


async def test_an_unknown_extension_is_refused_in_the_dialog_and_nothing_is_written(running, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    app = make_app(running)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "x")
        app.screen.query_one(Input).value = str(out / "summary.docx")
        await press(app, pilot, "enter")
        assert isinstance(app.screen, PromptModal)  # still asking
        assert "end the file name with .md" in str(app.screen.query_one("#prompt-error").render())
        app.screen.query_one(Input).value = str(out / "no-such-folder" / "s.md")
        await press(app, pilot, "enter")
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        (err,) = error_notes(app)
        assert "does not exist" in err and "\n" not in err
        await press(app, pilot, "x", "escape")  # escape: nothing happens
    assert list(out.iterdir()) == []


async def test_x_on_the_evaluations_screen_exports_the_evaluated_sprint(running, tmp_path):
    from datetime import timedelta

    from sprinttui.services import evaluations
    from sprinttui.tui.screens.evaluations import EvaluationsScreen

    evaluations.create_evaluation(running, "S1")
    today = running.today()
    sprints.close_sprint(running, "S1", carry_to="backlog")
    sprints.new_sprint(running, "S2", start=today, end=today + timedelta(days=9))
    sprints.start_sprint(running, "S2")  # the active sprint is another one now
    target = tmp_path / "eval.json"
    app = make_app(running)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "5")
        assert isinstance(app.screen, EvaluationsScreen)
        await export_to(app, pilot, str(target))
        assert not error_notes(app)
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["sprint"]["name"] == "S1" and doc["sprint"]["state"] == "closed"
