"""Exports: the sprint summary (Markdown, HTML, JSON, CSV) and the day's standup,
built from a project made through the services, checked against what happened."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
from html import unescape
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from sprinttui.cli import main
from sprinttui.domain import NotFoundError, StorageError, ValidationError
from sprinttui.export import export_sprint, export_standup, write_file
from sprinttui.services import evaluations, items, kpis, members, sprints, standups, streams

SCRIPT = "<script>alert(1)</script>"
PIPE_TITLE = f"Import | contacts {SCRIPT} `now` # really"
FORMULA_TITLE = '=HYPERLINK("x","y")'
MINUS_TITLE = "-2+3 for @sales"
BLOCK_REASON = 'waiting for "onload=alert(1) vendor | <b>bold</b>'
FINDING_TEXT = "Standups run long | # too long\n`code` and [x](javascript:alert(1))"
GOAL = "Ship the pilot\n# not a heading\n- not a list <img src=x onerror=alert(1)>"


@pytest.fixture
def project(tctx, clock):
    """Two streams; S1 closed with SAL-2 and SUP-1 carried over into S2; S2 running
    with SAL-4 added and SUP-1 removed after the start; an evaluation, KPIs, standups."""
    c = tctx
    streams.add_stream(c, "SAL", "Sales | North")
    streams.add_stream(c, "SUP", "Support")
    members.add_member(c, "ann", "Ann Example", stream="SAL")
    members.add_member(c, "cat", "Cat Example", stream="SAL")
    members.add_member(c, "bob", "Bob Example", stream="SUP")
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16", goal="First cut")
    sprints.new_sprint(c, "S2", start="2026-01-19", end="2026-01-30", goal=GOAL)
    items.create_item(c, "Login page", stream="SAL", points=3, sprint="S1")           # SAL-1
    items.create_item(c, PIPE_TITLE, stream="SAL", points=5, sprint="S1")             # SAL-2
    items.create_item(c, "Support queue", stream="SUP", points=8, sprint="S1")        # SUP-1
    clock.set("2026-01-05 09:00")
    sprints.start_sprint(c, "S1")
    clock.set("2026-01-09 10:00")
    items.move_item(c, "SAL-1", "done")
    standups.save_entry(c, "ann", on="2026-01-15", blockers="an S1 blocker")
    clock.set("2026-01-16 17:00")
    sprints.close_sprint(c, "S1", carry_to="S2")                                     # SAL-2, SUP-1 slip
    sprints.edit_sprint(c, "S1", goal_met=True)
    items.create_item(c, FORMULA_TITLE, stream="SAL", points=2, sprint="S2")         # SAL-3
    clock.set("2026-01-19 09:00")
    sprints.start_sprint(c, "S2")
    clock.set("2026-01-20 10:00")
    items.create_item(c, MINUS_TITLE, stream="SAL", points=1.5, sprint="S2")         # SAL-4, added
    items.plan_item(c, "SUP-1", "backlog")                                           # removed
    items.move_item(c, "SAL-2", "done")
    items.set_blocked(c, "SAL-3", True, BLOCK_REASON)
    ev = evaluations.create_evaluation(c, "S2", kind="interim", on="2026-01-20", facilitator="ann")
    bad = evaluations.add_finding(c, ev.id, "to_improve", FINDING_TEXT)
    good = evaluations.add_finding(c, ev.id, "went_well", "Pairing works")
    for _ in range(3):
        evaluations.vote(c, bad.id)
    evaluations.vote(c, good.id)
    evaluations.convert_finding(c, bad.id, stream="SAL", points=2)                   # SAL-5, backlog
    kpis.add_kpi(c, "Lead response time", unit="h", baseline=30, target=8, direction="lower")
    kpis.record(c, "Lead response time", 28, on="2026-01-09")
    kpis.record(c, "Lead response time", 20, on="2026-01-20")
    clock.set("2026-01-21 09:00")
    standups.save_entry(c, "ann", yesterday="SAL-2 | done", today="SAL-3", blockers="vendor <b>late</b>")
    standups.save_entry(c, "bob", absent=True)
    sess = standups.start_session(c, stream="SAL")
    standups.add_parking_topic(c, sess.id, "Discuss | <b>pipes</b>")
    clock.set("2026-01-21 09:12")
    standups.end_session(c, sess.id, elapsed_seconds=700)
    clock.set("2026-01-21 12:00")
    return c


def _json(c, **kw) -> dict:
    return json.loads(export_sprint(c, "json", **kw))


# --------------------------------------------------------------------------- JSON


def test_json_tells_what_happened_in_the_running_sprint(project):
    doc = _json(project)
    assert doc["schema_version"] == 1
    assert doc["project"] == {"name": "Test project"}
    assert {k: doc["sprint"][k] for k in ("name", "goal", "start", "end", "state", "goal_met")} == {
        "name": "S2", "goal": GOAL, "start": "2026-01-19", "end": "2026-01-30", "state": "active",
        "goal_met": None}
    t = doc["totals"]
    # committed at the start: SAL-2 5, SAL-3 2, SUP-1 8; added SAL-4 1.5; removed SUP-1; done SAL-2
    assert (t["committed_points"], t["committed_count"]) == (15, 3)
    assert (t["added_points"], t["added_count"]) == (1.5, 1)
    assert (t["removed_points"], t["removed_count"]) == (8, 1)
    assert (t["completed_points"], t["completed_count"]) == (5, 1)
    assert (t["carried_over_points"], t["carried_over_count"]) == (0, 0)
    assert t["say_do_ratio"] == pytest.approx(5 / 15, abs=1e-4)
    assert t["scope_change_points"] == -6.5
    by_stream = {s["stream"]: s for s in doc["streams"]}
    assert by_stream["SAL"]["name"] == "Sales | North"
    assert (by_stream["SAL"]["committed_points"], by_stream["SAL"]["completed_points"]) == (7, 5)
    assert by_stream["SAL"]["say_do_ratio"] == pytest.approx(5 / 7, abs=1e-4)
    assert (by_stream["SUP"]["removed_points"], by_stream["SUP"]["say_do_ratio"]) == (8, 0)
    for s in doc["streams"]:
        assert {"committed_points", "added_points", "removed_points", "completed_points",
                "carried_over_points", "say_do_ratio"} <= set(s)

    got = {i["key"]: i for i in doc["items"]}
    assert set(got) == {"SAL-2", "SAL-3", "SAL-4", "SUP-1"}  # SAL-5 went to the backlog
    expected = {  # outcome, added_after_start, slip_count, status
        "SAL-2": ("completed", False, 1, "done"),
        "SAL-3": ("not_completed", False, 0, "todo"),
        "SAL-4": ("not_completed", True, 0, "todo"),
        "SUP-1": ("removed", False, 1, "todo"),
    }
    for key, (outcome, added, slips, status) in expected.items():
        i = got[key]
        assert (i["outcome"], i["added_after_start"], i["slip_count"], i["status"]) == (outcome, added, slips, status)
        assert {"key", "title", "stream", "status", "points", "outcome", "added_after_start", "slip_count"} <= set(i)
    assert got["SAL-2"]["title"] == PIPE_TITLE and got["SAL-4"]["points"] == 1.5
    assert got["SAL-3"]["blocked"] is True and got["SAL-3"]["blocked_reason"] == BLOCK_REASON

    # the velocity trend: S1 then S2 (completed so far)
    assert [(v["sprint"], v["committed_points"], v["completed_points"]) for v in doc["velocity"]] == [
        ("S1", 16, 3), ("S2", 15, 5)]
    assert [(v["sprint"], v["completed_points"]) for v in by_stream["SAL"]["velocity"]] == [("S1", 3), ("S2", 5)]
    # burndown over S2's ten working days, actual values up to today (the 21st)
    assert [p["day"] for p in doc["burndown"]][:3] == ["2026-01-19", "2026-01-20", "2026-01-21"]
    assert len(doc["burndown"]) == 10 and doc["burndown"][-1]["ideal"] == 0
    assert doc["burndown"][2]["remaining"] == 3.5 and doc["burndown"][3]["remaining"] is None

    (ev,) = doc["evaluations"]
    assert (ev["kind"], ev["date"], ev["facilitator"]) == ("interim", "2026-01-20", "ann")
    assert [(f["text"], f["votes"], f["item_key"], f["item_status"]) for f in doc["findings"]] == [
        (FINDING_TEXT, 3, "SAL-5", "todo"), ("Pairing works", 1, None, None)]
    (kpi,) = doc["kpis"]
    assert (kpi["baseline"], kpi["target"], kpi["latest"], kpi["on_track"]) == (30, 8, 20, True)
    assert [m["value"] for m in kpi["trend"]] == [28, 20]
    # only the blockers named on the sprint's days (not the S1 one)
    assert [(b["date"], b["member"], b["text"]) for b in doc["standup_blockers"]] == [
        ("2026-01-21", "ann", "vendor <b>late</b>")]


def test_json_of_the_closed_sprint_shows_the_carry_over(project):
    doc = _json(project, sprint="S1")
    assert doc["sprint"]["state"] == "closed" and doc["sprint"]["goal_met"] is True
    got = {i["key"]: i for i in doc["items"]}
    assert got["SAL-1"]["outcome"] == "completed"
    assert (got["SAL-2"]["outcome"], got["SAL-2"]["slip_count"]) == ("carried_over", 1)
    assert (got["SUP-1"]["outcome"], got["SUP-1"]["slip_count"]) == ("carried_over", 1)
    t = doc["totals"]
    assert (t["committed_points"], t["completed_points"], t["carried_over_points"], t["carried_over_count"]) == (
        16, 3, 13, 2)
    assert [v["sprint"] for v in doc["velocity"]] == ["S1"]
    assert doc["findings"] == [] and [b["text"] for b in doc["standup_blockers"]] == ["an S1 blocker"]


def test_stream_filter_keeps_that_streams_items_and_figures(project):
    doc = _json(project, stream="sal")
    assert doc["stream"] == "SAL"
    assert [s["stream"] for s in doc["streams"]] == ["SAL"]
    assert {i["stream"] for i in doc["items"]} == {"SAL"}
    assert (doc["totals"]["committed_points"], doc["totals"]["removed_points"]) == (7, 0)
    assert [(v["sprint"], v["committed_points"]) for v in doc["velocity"]] == [("S1", 8), ("S2", 7)]


def test_default_sprint_is_the_active_one_else_the_last_closed(tctx, clock):
    c = tctx
    streams.add_stream(c, "SAL", "Sales")
    with pytest.raises(NotFoundError):
        export_sprint(c, "json")
    sprints.new_sprint(c, "Old", start="2025-12-01", end="2025-12-12")
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    sprints.new_sprint(c, "S2", start="2026-01-19", end="2026-01-30")
    for name, start, end in (("Old", "2025-12-01 09:00", "2025-12-12 17:00"), ("S1", "2026-01-05 09:00",
                                                                                 "2026-01-16 17:00")):
        clock.set(start)
        sprints.start_sprint(c, name)
        clock.set(end)
        sprints.close_sprint(c, name, carry_to="backlog")
    assert _json(c)["sprint"]["name"] == "S1"  # the last closed, not the first
    clock.set("2026-01-19 09:00")
    sprints.start_sprint(c, "S2")
    assert _json(c)["sprint"]["name"] == "S2"
    assert _json(c, sprint="last")["sprint"]["name"] == "S1"
    assert _json(c, sprint="Old")["sprint"]["name"] == "Old"


def test_unknown_sprint_stream_or_format_is_a_clear_error(project):
    with pytest.raises(NotFoundError, match="unknown sprint"):
        export_sprint(project, "md", sprint="S9")
    with pytest.raises(NotFoundError, match="unknown stream"):
        export_sprint(project, "md", stream="ZZZ")
    with pytest.raises(ValidationError, match="md, html, json, csv"):
        export_sprint(project, "pdf")
    with pytest.raises(ValidationError, match="md, json"):
        export_standup(project, "csv")


def _adds_up(f: dict) -> bool:
    return (f["committed_points"] + f["added_points"] - f["removed_points"] + f["reestimated_points"]
            == pytest.approx(f["completed_points"] + f["carried_over_points"] + f["not_completed_points"]))


@pytest.fixture
def reestimated(tctx, clock):
    """S1: SAL-1 committed at 3 and left open; SAL-2 added at 5, re-estimated to 8 and done."""
    c = tctx
    streams.add_stream(c, "SAL", "Sales")
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    items.create_item(c, "Committed", stream="SAL", points=3, sprint="S1")
    clock.set("2026-01-05 09:00")
    sprints.start_sprint(c, "S1")
    clock.set("2026-01-06 10:00")
    items.create_item(c, "Added", stream="SAL", points=5, sprint="S1")
    clock.set("2026-01-07 10:00")
    items.edit_item(c, "SAL-2", points=8)
    items.move_item(c, "SAL-2", "done")
    return c


def test_every_format_shows_the_reestimated_points_so_the_figures_add_up(reestimated, clock):
    c = reestimated
    # running: the open work has its own column
    doc = _json(c)
    assert (doc["totals"]["reestimated_points"], doc["totals"]["not_completed_points"]) == (3, 3)
    assert _adds_up(doc["totals"]) and all(_adds_up(s) for s in doc["streams"])
    lines = export_sprint(c, "md").splitlines()
    assert "| Stream | Committed | Added | Removed | Re-estimated | Completed | Carried over | Not completed yet " \
           "| Say/do | Scope change |" in lines
    assert "| **Total** | 3 (1) | 5 (1) | 0 (0) | +3 (1) | 8 (1) | 0 (0) | 3 (1) | 0% | +5 |" in lines

    clock.set("2026-01-16 17:00")
    sprints.close_sprint(c, "S1", carry_to="backlog")
    doc = _json(c, sprint="S1")
    t = doc["totals"]
    assert (t["committed_points"], t["added_points"], t["removed_points"], t["reestimated_points"],
            t["completed_points"], t["carried_over_points"], t["not_completed_points"]) == (3, 5, 0, 3, 8, 3, 0)
    assert {i["key"]: i["reestimated_points"] for i in doc["items"]} == {"SAL-1": 0, "SAL-2": 3}
    lines = export_sprint(c, "md", sprint="S1").splitlines()
    assert "| **Total** | 3 (1) | 5 (1) | 0 (0) | +3 (1) | 8 (1) | 3 (1) | 0% | +5 |" in lines
    assert not any("Not completed yet" in line for line in lines)  # nothing is open in a closed sprint
    page = export_sprint(c, "html", sprint="S1")
    (figures,) = re.findall(r"<h2>Figures</h2>.*?</table>", page, re.S)
    assert "<th class=\"num\">Re-estimated</th>" in figures and "Not completed yet" not in figures
    assert '<tr class="total"><td>Total</td><td class="num">3 (1)</td><td class="num">5 (1)</td>' \
           '<td class="num">0 (0)</td><td class="num">+3 (1)</td><td class="num">8 (1)</td>' in figures
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(export_sprint(c, "csv", sprint="S1"), newline=""))}
    assert (rows["SAL-1"]["reestimated_points"], rows["SAL-2"]["reestimated_points"]) == ("0", "3")


def test_the_figures_of_every_sprint_and_stream_of_the_demo_add_up(demo_ctx):
    for sp in sprints.list_sprints(demo_ctx):
        if sp.state == "planned":
            continue
        doc = json.loads(export_sprint(demo_ctx, "json", sprint=sp.name))
        for f in [doc["totals"], *doc["streams"]]:
            assert _adds_up(f), (sp.name, f)
            assert sp.state == "active" or f["not_completed_points"] == 0


REVIEW_NOTE = "Pilot | live in North <script>alert(1)</script>\n# not a heading `code`"


def test_goal_met_and_the_review_note_show_in_every_format(project):
    c = project
    sprints.edit_sprint(c, "S1", goal_met=False, review_note=REVIEW_NOTE)
    doc = _json(c, sprint="S1")
    assert (doc["sprint"]["goal_met"], doc["sprint"]["review_note"]) == (False, REVIEW_NOTE)
    text = export_sprint(c, "md", sprint="S1")
    assert "**Goal met:** no  " in text.splitlines()
    rendered = _render_md(text)
    assert "<script" not in rendered and rendered.count("<h1>") == 1 and "<code>" not in rendered
    note = re.search(r"<strong>Review note:</strong>(.*?)</p>", rendered, re.S)
    assert note is not None and _cell_text(note.group(1)).strip() == REVIEW_NOTE
    page = export_sprint(c, "html", sprint="S1")
    assert '<dt>Goal met</dt><dd><span class="goal-missed">no</span></dd>' in page
    assert ("<dt>Review note</dt><dd>Pilot | live in North &lt;script&gt;alert(1)&lt;/script&gt;<br>"
            "# not a heading `code`</dd>") in page
    # the running sprint: neither recorded yet
    assert (_json(c)["sprint"]["goal_met"], _json(c)["sprint"]["review_note"]) == (None, "")
    lines = export_sprint(c, "md").splitlines()
    assert "**Goal met:** not recorded  " in lines and "**Review note:** not recorded" in lines
    page = export_sprint(c, "html")
    assert "<dt>Goal met</dt><dd>not recorded</dd><dt>Review note</dt><dd>not recorded</dd>" in page


# --------------------------------------------------------------------------- Markdown


def _render_md(text: str) -> str:
    """Render as a permissive wiki would: tables on, raw HTML passed through."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


def _rows(rendered: str) -> list[list[str]]:
    return [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, re.S) for tr in re.findall(r"<tr>(.*?)</tr>", rendered, re.S)]


def _cell_text(cell: str) -> str:
    return unescape(cell.replace("<br>", "\n"))


def test_markdown_user_text_cannot_break_tables_or_render(project):
    text = export_sprint(project, "md")
    rendered = _render_md(text)
    # nothing the users typed became markup: no script, image, link, extra heading or list
    assert "<script" not in rendered and "<img" not in rendered and "<a " not in rendered
    assert "<b>" not in rendered and "<code>" not in rendered
    assert rendered.count("<h1>") == 1 and "<li>" not in rendered
    # every table row has as many cells as its header
    for table in re.findall(r"<table>.*?</table>", rendered, re.S):
        rows = _rows(table)
        assert all(len(r) == len(rows[0]) for r in rows), rows
    rows = _rows(rendered)
    title_cells = [_cell_text(r[1]) for r in rows if r and r[0] == "SAL-2"]
    assert title_cells and set(title_cells) == {PIPE_TITLE}
    finding_cells = [_cell_text(r[2]) for r in rows if len(r) == 5 and r[0] == "3"]
    assert finding_cells == [FINDING_TEXT]
    assert [_cell_text(r[3]) for r in rows if r and r[0] == "SAL-3" and len(r) == 4] == [BLOCK_REASON]
    goal = re.search(r"<strong>Goal:</strong>(.*?)(<br />|</p>)\n?<strong>Goal met", rendered, re.S)
    assert goal is not None and _cell_text(goal.group(1)).strip() == GOAL
    # the figures as a person reads them
    total_row = "| **Total** | 15 (3) | 1.5 (1) | 8 (1) | 0 (0) | 5 (1) | 0 (0) | 3.5 (2) | 33% | -6.5 |"
    assert total_row in text.splitlines(), text
    assert "## Carried over (0)" in text and "## Removed (1)" in text and "## Added after the start (1)" in text


def test_markdown_of_the_closed_sprint_lists_carried_over_items_with_slips(project):
    rows = _rows(_render_md(export_sprint(project, "md", sprint="S1")))
    carried = {r[0]: r for r in rows if len(r) == 6 and r[0] in ("SAL-2", "SUP-1")}
    assert set(carried) == {"SAL-2", "SUP-1"} and carried["SUP-1"][5] == "1"


# --------------------------------------------------------------------------- HTML


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs.update(a for a, _ in attrs)

    def handle_data(self, data):
        self.text.append(data)


ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "dl", "dt", "dd",
                "section", "p", "em", "span", "table", "thead", "tbody", "tr", "th", "td", "br", "div", "figure",
                "figcaption", "svg", "line", "text", "polyline", "circle", "rect", "footer"}
ALLOWED_ATTRS = {"lang", "charset", "name", "content", "class", "viewbox", "role", "aria-label", "x", "y", "x1", "y1",
                 "x2", "y2", "cx", "cy", "r", "width", "height", "points", "text-anchor"}


def test_html_is_one_safe_self_contained_page_with_charts(project):
    page = export_sprint(project, "html")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower() and '"onload=' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&quot;onload=alert(1)" in page
    assert "http" not in page
    (css,) = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert "url(" not in css and "@import" not in css
    parser = _Tags()
    parser.feed(page)
    assert parser.tags <= ALLOWED_TAGS, parser.tags - ALLOWED_TAGS
    assert parser.attrs <= ALLOWED_ATTRS, parser.attrs - ALLOWED_ATTRS
    text = "".join(parser.text)
    for user_text in (PIPE_TITLE, 'waiting for "onload=alert(1) vendor', "Sales | North", "vendor <b>late</b>"):
        assert user_text in text
    assert "@media print" in page
    # the burndown: the ideal line and the actual remaining points of the days so far
    burndown, velocity = re.findall(r"<svg.*?</svg>", page, re.S)
    assert burndown.count('class="ideal"') == 2 and burndown.count('<circle class="dot"') == 3  # line + legend
    assert "3.5 points left" in burndown
    # velocity: a committed and a completed bar per sprint (plus the legend's swatches)
    assert velocity.count('<rect class="committed"') == 3 and velocity.count('<rect class="completed"') == 3
    assert "S1: 16 points committed" in velocity and "S2: 5 points completed" in velocity


# --------------------------------------------------------------------------- CSV


def test_csv_has_one_row_per_item_and_neutralises_formulas(project):
    text = export_sprint(project, "csv")
    assert not text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["key"] for r in rows] == ["SAL-2", "SAL-3", "SAL-4", "SUP-1"]
    by_key = {r["key"]: r for r in rows}
    assert by_key["SAL-2"]["title"] == PIPE_TITLE
    assert by_key["SAL-3"]["title"] == "'" + FORMULA_TITLE
    assert by_key["SAL-4"]["title"] == "'" + MINUS_TITLE
    assert by_key["SAL-3"]["blocked_reason"] == BLOCK_REASON  # starts with a letter: left alone
    assert (by_key["SAL-4"]["points"], by_key["SAL-4"]["outcome"], by_key["SAL-4"]["added_after_start"]) == (
        "1.5", "not_completed", "true")
    assert (by_key["SUP-1"]["outcome"], by_key["SUP-1"]["slip_count"]) == ("removed", "1")
    for r in rows:
        for col in ("title", "blocked_reason"):
            assert not r[col].startswith(("=", "+", "-", "@", "\t", "\r")), r
    # the same fields as the JSON items, and the same titles once the guard is taken off
    items_json = _json(project)["items"]
    assert list(rows[0]) == list(items_json[0])
    assert [r["title"].removeprefix("'") for r in rows] == [i["title"] for i in items_json]


def test_csv_guard_covers_every_formula_start(tctx):
    from sprinttui.export.csvfmt import guard

    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert guard(start + "1+1") == "'" + start + "1+1"
    assert guard("Plain -1") == "Plain -1" and guard("") == ""


# --------------------------------------------------------------------------- the command line


@pytest.fixture
def cli(project, db_path, capsys, monkeypatch):
    monkeypatch.delenv("SPRINTTUI_DB", raising=False)

    def run(*args: str):
        capsys.readouterr()
        code = main(["--db", str(db_path), "--user", "tester", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _one_line_error(code: int, err: str, fragment: str) -> None:
    assert code == 2, err
    assert err.startswith("sprinttui: error: ") and err.count("\n") == 1 and fragment in err, err


def test_cli_writes_each_format_to_stdout(cli):
    code, out, err = cli("export", "--format", "json", "--sprint", "S2")
    assert code == 0 and err == ""
    assert json.loads(out)["sprint"]["name"] == "S2"
    code, out, _ = cli("export", "--format", "md", "--stream", "SUP")
    assert code == 0 and out.startswith("# Sprint summary: S2") and "SUP-1" in out and "SAL-2" not in out
    code, out, _ = cli("export", "--format", "csv", "--bom")
    assert code == 0 and out.startswith("\ufeffkey,title,")


def test_cli_output_file_is_group_writable_and_has_the_bom(cli, tmp_path):
    dest = tmp_path / "summary.csv"
    old = os.umask(0o077)  # even with a strict umask the team's group may read and write it
    try:
        code, out, err = cli("export", "--format", "csv", "--bom", "-o", str(dest))
    finally:
        os.umask(old)
    assert code == 0 and err == "" and str(dest) in out
    assert stat.S_IMODE(dest.stat().st_mode) == 0o660
    data = dest.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfkey,title,")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [r["title"].removeprefix("'") for r in rows][:3] == [PIPE_TITLE, FORMULA_TITLE, MINUS_TITLE]
    # written again: replaced whole, same mode
    assert cli("export", "--format", "html", "-o", str(tmp_path / "s.html"))[0] == 0
    assert stat.S_IMODE((tmp_path / "s.html").stat().st_mode) == 0o660
    assert (tmp_path / "s.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("args, fragment", [
    (["export", "--format", "md", "--sprint", "S9"], "unknown sprint 'S9'"),
    (["export", "--format", "json", "--stream", "ZZZ"], "unknown stream 'ZZZ'"),
    (["export", "--format", "pdf"], "md, html, json, csv"),
    (["export"], "--format md|html|json|csv"),
    (["export", "--format", "md", "--bom"], "--bom only applies to --format csv"),
    (["export", "standup", "--format", "md", "--stream", "ZZZ"], "unknown stream 'ZZZ'"),
    (["export", "standup", "--format", "csv"], "md, json"),
    (["export", "standup", "--format", "md", "--date", "the 45th"], "cannot read"),
])
def test_cli_errors_are_one_line_with_exit_2(cli, args, fragment):
    code, out, err = cli(*args)
    _one_line_error(code, err, fragment)
    assert out == ""


def test_cli_refuses_bad_output_paths_and_keeps_the_database(cli, tmp_path, db_path):
    _one_line_error(*cli("export", "--format", "md", "-o", str(tmp_path))[::2], "is a folder")
    _one_line_error(*cli("export", "--format", "md", "-o", str(tmp_path / "nowhere" / "x.md"))[::2],
                    "does not exist")
    before = db_path.read_bytes()[:100]
    _one_line_error(*cli("export", "--format", "md", "-o", str(db_path))[::2], "SQLite database")
    assert db_path.read_bytes()[:100] == before


def test_write_file_errors_are_domain_errors(tmp_path):
    blocker = tmp_path / "plain-file"
    blocker.write_text("x")
    with pytest.raises(StorageError):
        write_file(blocker / "out.md", "text")
    with pytest.raises(ValidationError):
        write_file(tmp_path, "text")
    with pytest.raises(ValidationError):
        write_file("  ", "text")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_file_name_suggestion_is_a_plain_file_name():
    from sprinttui.export import file_name

    assert file_name("Sprint 4 summary", "md") == "Sprint-4-summary.md"
    assert file_name("../../etc/passwd", "html") == "etc-passwd.html"
    assert file_name("", "csv") == "export.csv"


# --------------------------------------------------------------------------- standup


def test_standup_export_json_has_notes_absences_blockers_and_sessions(project):
    doc = json.loads(export_standup(project, "json", on="2026-01-21"))
    assert (doc["schema_version"], doc["date"], doc["stream"]) == (1, "2026-01-21", None)
    notes = {n["member"]: n for n in doc["notes"]}
    assert set(notes) == {"ann", "bob"}
    assert notes["ann"]["yesterday"] == "SAL-2 | done" and notes["bob"]["absent"] is True
    assert doc["absent"] == ["bob"]
    assert [m["member"] for m in doc["no_notes"]] == ["cat"]
    assert doc["blockers"] == [{"member": "ann", "text": "vendor <b>late</b>"}]
    assert [(b["key"], b["reason"]) for b in doc["blocked_items"]] == [("SAL-3", BLOCK_REASON)]
    (s,) = doc["sessions"]
    assert (s["stream"], s["facilitator"], s["elapsed_seconds"], s["parking_lot"]) == (
        "SAL", "tester", 700, ["Discuss | <b>pipes</b>"])
    assert s["ended_at"].startswith("2026-01-21T09:12")

    sup = json.loads(export_standup(project, "json", on="2026-01-21", stream="SUP"))
    assert [n["member"] for n in sup["notes"]] == ["bob"] and sup["sessions"] == [] and sup["blocked_items"] == []


def test_standup_export_markdown_is_safe_and_complete(project, cli):
    code, text, err = cli("export", "standup", "--date", "2026-01-21", "--format", "md")
    assert code == 0 and err == ""
    assert text.startswith("# Standup 2026-01-21")
    rendered = _render_md(text)
    assert "<b>" not in rendered
    rows = _rows(rendered)
    assert ["ann (Ann Example)", "SAL-2 | done", "SAL-3", "vendor &lt;b&gt;late&lt;/b&gt;"] in rows
    assert any(r[:2] == ["bob (Bob Example)", "<em>absent</em>"] for r in rows)
    assert "**Absent:** bob" in text and "**No notes from:** cat" in text
    assert ["SAL", "tester", "09:00", "09:12", "11:40", "15:00"] in rows
    assert "<li>Discuss | &lt;b&gt;pipes&lt;/b&gt;</li>" in rendered
    # --stream and --format given before `standup` count as well
    code, text, _ = cli("export", "--format", "md", "--stream", "SUP", "standup", "--date", "2026-01-21")
    assert code == 0 and "bob (Bob Example)" in text and "ann" not in text


def test_standup_export_asks_notes_only_of_the_members_of_the_standups_held(project):
    members.add_member(project, "dan", "Dan Example", stream="SUP")  # SUP held no standup that day
    doc = json.loads(export_standup(project, "json", on="2026-01-21"))
    assert doc["no_notes"] == [{"member": "cat", "name": "Cat Example"}]
    assert "**No notes from:** cat\n" in export_standup(project, "md", on="2026-01-21")
    assert json.loads(export_standup(project, "json", on="2026-01-21", stream="SUP"))["no_notes"] == []
    # a standup for all streams asks everyone
    standups.start_session(project, on="2026-01-21")
    doc = json.loads(export_standup(project, "json", on="2026-01-21"))
    assert [m["member"] for m in doc["no_notes"]] == ["cat", "dan"]
    assert [m["member"] for m in json.loads(export_standup(project, "json", on="2026-01-21", stream="SUP"))[
        "no_notes"]] == ["dan"]


def test_a_blocker_flagged_in_the_standup_is_in_both_exports(project):
    quote = items.create_item(project, "Quote template", stream="SAL", assignee="cat", sprint="S2")
    standups.flag_blocker(project, "cat", quote.key, "legal has <b>not</b> answered", on="2026-01-21")
    text = f"{quote.key}: legal has <b>not</b> answered"
    doc = _json(project)
    assert ("2026-01-21", "cat", text) in [(b["date"], b["member"], b["text"]) for b in doc["standup_blockers"]]
    rows = _rows(_render_md(export_sprint(project, "md")))
    assert ["2026-01-21", "cat", f"{quote.key}: legal has &lt;b&gt;not&lt;/b&gt; answered"] in rows
    standup = json.loads(export_standup(project, "json", on="2026-01-21"))
    assert {"member": "cat", "text": text} in standup["blockers"]
    assert standup["no_notes"] == []
    md = export_standup(project, "md", on="2026-01-21")
    assert "## Blockers (2)" in md and "**No notes from:** nobody" in md
