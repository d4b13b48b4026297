"""Importing a Jira CSV export: mapping, sprint history and slips, re-import,
dry run, bad rows, hostile text, and the command line around it.

The fixtures in tests/data/jira/ are written in Jira's "Export Excel CSV (all
fields)" format: repeated Labels / Component/s / Sprint columns, Jira dates,
story points in either custom field, multi-line quoted descriptions, a BOM and
CRLF line ends in bad_rows.csv.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sprinttui.cli import main
from sprinttui.importers.jira import import_issues, import_jira_csv, parse_jira_datetime, read_jira_csv
from sprinttui.importers.jira.sample import make_sample_csv
from sprinttui.services import items as items_svc
from sprinttui.services import members as members_svc
from sprinttui.services import reports as reports_svc
from sprinttui.services import sprints as sprints_svc
from sprinttui.services import streams as streams_svc
from sprinttui.services.item_rows import ItemDetail
from sprinttui.store.models import Item, ItemEvent, Member, Sprint, SprintEvent, Stream

DATA = Path(__file__).parent / "data" / "jira"
BASIC = DATA / "basic.csv"
EDITED = DATA / "basic_edited.csv"
NEXT = DATA / "next_sprint.csv"
BAD = DATA / "bad_rows.csv"
UTC = UTC
S1, S2, S3, S4 = "CRM Sprint 1", "CRM Sprint 2", "CRM Sprint 3", "CRM Sprint 4"


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def jctx(tctx, clock):
    """A project whose clock stands on Friday 2026-11-27, the day of the basic export."""
    clock.set("2026-11-27 10:00")
    return tctx


def counts(ctx) -> dict[str, int]:
    with ctx.db.read() as s:
        return {m.__name__: s.scalar(select(func.count()).select_from(m))
                for m in (Item, ItemEvent, SprintEvent, Sprint, Stream, Member)}


def ours(ctx, jira_key: str) -> ItemDetail:
    with ctx.db.read() as s:
        key = s.scalar(select(Item.key).where(Item.external_key == jira_key))
    assert key is not None, jira_key
    return items_svc.get_item(ctx, key)


def versions(ctx) -> dict[str, int]:
    with ctx.db.read() as s:
        return dict(s.execute(select(Item.external_key, Item.version)).all())


def outcomes(ctx, sprint: str) -> dict[str, tuple[str, bool, bool]]:
    """Jira key → (outcome, committed, added after start) in the sprint report."""
    rep = reports_svc.sprint_report(ctx, sprint)
    back = {d.row.key: d.external_key for d in (items_svc.get_item(ctx, i.key) for i in rep.items)}
    return {back[i.key]: (i.outcome, i.committed, i.added_after_start) for i in rep.items}


@pytest.fixture
def cli(capsys, monkeypatch):
    monkeypatch.delenv("SPRINTTUI_DB", raising=False)
    monkeypatch.delenv("SPRINTTUI_USER", raising=False)

    def run(db: Path, *args: str):
        capsys.readouterr()
        code = main(["--db", str(db), "--user", "tester", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def assert_one_line_error(code: int, err: str, *fragments: str) -> None:
    assert code == 2, err
    assert err.startswith("sprinttui: error: ") and err.count("\n") == 1, repr(err)
    for f in fragments:
        assert f in err, (f, err)


# --------------------------------------------------------------------------- reading


@pytest.mark.parametrize("text, expected", [
    ("27/Nov/26 9:14 AM", datetime(2026, 11, 27, 9, 14, tzinfo=UTC)),
    ("27/Nov/26 12:05 AM", datetime(2026, 11, 27, 0, 5, tzinfo=UTC)),
    ("03/Dec/26 2:00 PM", datetime(2026, 12, 3, 14, 0, tzinfo=UTC)),
    ("22/Oct/21 16:55", datetime(2021, 10, 22, 16, 55, tzinfo=UTC)),
    ("15/Jul/26", datetime(2026, 7, 15, tzinfo=UTC)),
    ("05/Okt/26 8:00", datetime(2026, 10, 5, 8, 0, tzinfo=UTC)),
    ("2026-11-27 09:14", datetime(2026, 11, 27, 9, 14, tzinfo=UTC)),
    ("", None),
])
def test_jira_dates(text, expected):
    assert parse_jira_datetime(text) == expected


@pytest.mark.parametrize("text", ["31/Foo/26 9:00 AM", "next sprint", "31/Nov/26", "27/Nov/26 13:00 PM"])
def test_unreadable_jira_dates(text):
    with pytest.raises(ValueError):
        parse_jira_datetime(text)


def test_repeated_columns_and_both_story_point_fields_are_read():
    parsed = read_jira_csv(BASIC)
    by_key = {i.key: i for i in parsed.issues}
    assert parsed.problems == [] and len(parsed.issues) == 8
    assert by_key["CRM-3"].sprints == (S1, S2, S3)
    assert by_key["CRM-7"].labels == ("pilot", "go-live")
    assert by_key["CRM-5"].components == ("Service", "Sales")
    assert by_key["CRM-1"].points == 3 and by_key["CRM-5"].points == 3  # Story Points / Story point estimate
    assert by_key["CRM-3"].description.count("\n") == 4
    # the row after the 5-line description starts on the physical line after it
    lines = BASIC.read_text(encoding="utf-8").split("\n")
    assert lines[by_key["CRM-4"].line - 1].startswith("Clean up duplicate accounts,CRM-4,")


# --------------------------------------------------------------------------- first import


def test_first_import_maps_items_streams_and_members(jctx):
    report = import_jira_csv(jctx, BASIC)
    assert (len(report.created), len(report.updated), report.unchanged, report.skipped) == (8, 0, 0, 0)

    streams = {v.key: v.name for v in streams_svc.list_streams(jctx)}
    assert streams == {"SAL": "Sales", "SER": "Service", "JIRA": "Imported from Jira"}
    members = {m.handle: m.name for m in members_svc.list_members(jctx)}
    assert members == {"anna.becker": "Anna Becker", "ben.schmidt": "Ben Schmidt",
                       "jurgen.gross": "Jürgen Groß", "clara.fischer": "Clara Fischer"}

    bug = ours(jctx, "CRM-3").row
    assert (bug.kind, bug.status, bug.points, bug.stream, bug.assignee, bug.sprint) == \
        ("bug", "doing", 8, "SER", "anna.becker", S3)
    guide = ours(jctx, "CRM-5").row
    assert (guide.status, guide.points, guide.stream, guide.assignee) == ("review", 3, "SER", "jurgen.gross")
    prices = ours(jctx, "CRM-2").row
    assert (prices.status, prices.sprint, prices.due_date) == ("done", S2, date(2026, 12, 15))
    epic = ours(jctx, "CRM-7").row
    assert (epic.kind, epic.status, epic.labels, epic.sprint) == ("story", "todo", ["pilot", "go-live"], None)
    subtask = ours(jctx, "CRM-6").row
    assert (subtask.kind, subtask.status, subtask.stream) == ("task", "todo", "JIRA")
    risk = ours(jctx, "CRM-8")
    assert (risk.row.kind, risk.row.status, risk.external_key) == ("task", "todo", "CRM-8")
    assert risk.created_at == datetime(2026, 11, 10, 13, 0, tzinfo=UTC)  # Jira's Created
    warnings = " ".join(report.warnings)
    assert "'Parked' ×1" in warnings and "imported as todo" in warnings
    assert "'Risk' ×1" in warnings and "imported as tasks" in warnings


def test_sprints_are_ordered_dated_and_closed_from_the_issues(jctx):
    import_jira_csv(jctx, BASIC)
    sprints = sprints_svc.list_sprints(jctx)
    assert [(v.name, v.state) for v in sprints] == [(S1, "closed"), (S2, "closed"), (S3, "active")]
    one, two, three = sprints
    # a closed sprint ends on the last working day of the week its last completed item was resolved
    assert one.end == date(2026, 11, 6) and two.end == date(2026, 11, 20)
    assert one.start < one.end < two.start < two.end < three.start <= jctx.today() <= three.end
    assert three.start == date(2026, 11, 23)  # the Monday of this week
    assert one.closed_at < two.started_at and two.closed_at < three.started_at


def test_closed_sprint_reports_show_carry_over_and_slip_counts(jctx):
    import_jira_csv(jctx, BASIC)
    assert outcomes(jctx, S1) == {
        "CRM-1": ("completed", True, False),
        "CRM-2": ("carried_over", True, False),
        "CRM-3": ("carried_over", True, False),
    }
    assert outcomes(jctx, S2) == {
        "CRM-2": ("completed", True, False),
        "CRM-3": ("carried_over", True, False),
        "CRM-4": ("carried_over", True, False),  # unfinished when it closed: back to the backlog
    }
    # the active sprint: CRM-3 came over before the start, CRM-5 was written after it
    assert outcomes(jctx, S3) == {
        "CRM-3": ("not_completed", True, False),
        "CRM-5": ("not_completed", False, True),
    }
    slips = {k: ours(jctx, k).row.slip_count for k in ("CRM-1", "CRM-2", "CRM-3", "CRM-4", "CRM-5")}
    assert slips == {"CRM-1": 0, "CRM-2": 1, "CRM-3": 2, "CRM-4": 1, "CRM-5": 0}
    trail = items_svc.slip_trail(jctx, ours(jctx, "CRM-3").row.key)
    assert [(t.sprint, t.to) for t in trail] == [(S1, S2), (S2, S3)]
    assert [(t.sprint, t.to) for t in items_svc.slip_trail(jctx, ours(jctx, "CRM-4").row.key)] == [(S2, None)]
    totals = reports_svc.sprint_report(jctx, S1).totals
    assert (totals.committed_points, totals.completed_points, totals.carried_over_points) == (16, 3, 13)


def test_history_of_an_imported_item_reads_in_time_order(jctx):
    import_jira_csv(jctx, BASIC)
    hist = items_svc.history(jctx, ours(jctx, "CRM-2").row.key)
    assert [(h.field, h.old, h.new) for h in hist] == [
        ("created", None, "Import price lists"),
        ("sprint", None, S1),
        ("sprint", S1, S2),
        ("slip_count", "0", "1"),
        ("status", "todo", "done"),
    ]
    assert hist[-1].at == datetime(2026, 11, 18, 11, 0, tzinfo=UTC)  # Jira's Resolved
    assert all(h.actor == "tester" for h in hist)


# --------------------------------------------------------------------------- re-import


def test_reimporting_the_same_file_changes_nothing(jctx, clock):
    import_jira_csv(jctx, BASIC)
    before, vers = counts(jctx), versions(jctx)
    clock.advance(hours=3)
    report = import_jira_csv(jctx, BASIC)
    assert (len(report.created), len(report.updated), report.unchanged) == (0, 0, 8)
    assert report.sprints == [] and report.streams == [] and report.members == []
    assert counts(jctx) == before
    assert versions(jctx) == vers


def test_reimporting_an_edited_file_updates_exactly_the_changed_fields(jctx, clock):
    import_jira_csv(jctx, BASIC)
    before, vers = counts(jctx), versions(jctx)
    with jctx.db.read() as s:
        last_event = s.scalar(select(func.max(ItemEvent.id)))
    clock.advance(hours=1)
    report = import_jira_csv(jctx, EDITED)

    changes = {c.external_key: c.changes for c in report.updated}
    assert changes == {
        "CRM-1": [("assignee", "anna.becker", "ben.schmidt")],
        "CRM-5": [("points", "3", "5"), ("status", "review", "done")],
        "CRM-7": [("title", "Customer 360 epic", "Customer 360 view epic")],
    }
    assert (len(report.created), report.unchanged) == (0, 5)
    with jctx.db.read() as s:
        new_events = s.execute(
            select(Item.external_key, ItemEvent.field, ItemEvent.old, ItemEvent.new, ItemEvent.at)
            .join(Item, Item.id == ItemEvent.item_id).where(ItemEvent.id > last_event)
        ).all()
    assert sorted((k, f, o, n) for k, f, o, n, _at in new_events) == sorted(
        (k, f, o, n) for k, chs in changes.items() for f, o, n in chs)
    assert {at for *_rest, at in new_events} == {clock()}
    after = counts(jctx)
    assert {k: after[k] - before[k] for k in after} == {
        "Item": 0, "ItemEvent": 4, "SprintEvent": 0, "Sprint": 0, "Stream": 0, "Member": 0}
    now_vers = versions(jctx)
    assert {k for k in now_vers if now_vers[k] != vers[k]} == {"CRM-1", "CRM-5", "CRM-7"}
    guide = ours(jctx, "CRM-5").row
    assert (guide.status, guide.points, guide.sprint) == ("done", 5, S3)
    assert ours(jctx, "CRM-1").row.assignee == "ben.schmidt"


def test_reimport_after_the_next_sprint_started_closes_the_old_one(jctx, clock):
    import_jira_csv(jctx, BASIC)
    clock.set("2026-12-08 10:00")
    report = import_jira_csv(jctx, NEXT)
    assert [(n.name, n.action, n.state) for n in report.sprints] == [
        (S4, "created", "active"), (S3, "closed now", "closed")]
    assert [(v.name, v.state) for v in sprints_svc.list_sprints(jctx)][-2:] == [(S3, "closed"), (S4, "active")]
    assert outcomes(jctx, S3) == {
        "CRM-3": ("carried_over", True, False),
        "CRM-5": ("completed", False, True),
    }
    assert outcomes(jctx, S4) == {
        "CRM-3": ("not_completed", True, False),
        "CRM-9": ("not_completed", True, False),
    }
    bug = ours(jctx, "CRM-3").row
    assert (bug.sprint, bug.slip_count) == (S4, 3)
    assert [t.to for t in items_svc.slip_trail(jctx, bug.key)] == [S2, S3, S4]
    training = ours(jctx, "CRM-9").row
    assert (training.kind, training.stream, training.assignee) == ("change", "SER", "clara.fischer")
    # and once more: nothing left to do
    again = import_jira_csv(jctx, NEXT)
    assert (len(again.created), len(again.updated), again.sprints) == (0, 0, [])


def test_reimport_moves_an_item_jira_moved_to_the_next_sprint(jctx, clock, tmp_path):
    with BASIC.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    sprint_col = rows[0].index("Sprint")
    future = ["Plan the go-live", "CRM-10", "10010", "Story", "To Do", "CRM", "CRM rollout", "Medium", "", "",
              "Anna Becker", "25/Nov/26 9:00 AM", "25/Nov/26 9:00 AM", "", "", "", "", "Sales", "",
              "CRM Sprint 4", "", "", "5", "", ""]

    def export(name: str, moved: bool) -> Path:
        out = [list(r) for r in rows] + [future]
        for r in out:
            if moved and r[1] == "CRM-5":
                r[sprint_col] = S4
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(out)
        return path

    import_jira_csv(jctx, export("first.csv", moved=False))
    assert [(v.name, v.state) for v in sprints_svc.list_sprints(jctx)][2:] == [(S3, "active"), (S4, "planned")]
    clock.set("2026-11-28 10:00")
    report = import_jira_csv(jctx, export("second.csv", moved=True))
    assert [(c.external_key, c.changes) for c in report.updated] == [("CRM-5", [("sprint", S3, S4)])]
    assert ours(jctx, "CRM-5").row.sprint == S4
    assert outcomes(jctx, S3)["CRM-5"] == ("removed", False, True)
    assert sprints_svc.get_sprint(jctx, S4).state == "planned"


def test_an_item_deleted_here_is_not_brought_back(jctx):
    import_jira_csv(jctx, BASIC)
    items_svc.delete_item(jctx, ours(jctx, "CRM-8").row.key)
    before = counts(jctx)
    report = import_jira_csv(jctx, EDITED)
    assert "1 issues were deleted here and stay deleted: CRM-8" in report.warnings
    assert counts(jctx)["Item"] == before["Item"]


@pytest.mark.parametrize("stream_from, expected", [
    ("project", {"CRM-1": "CRM", "CRM-4": "CRM", "CRM-6": "CRM"}),
    ("label", {"CRM-1": "PIL", "CRM-4": "MIG", "CRM-7": "PIL", "CRM-3": "JIRA"}),
])
def test_streams_from_projects_or_labels(jctx, stream_from, expected):
    report = import_jira_csv(jctx, BASIC, stream_from=stream_from)
    assert {k: ours(jctx, k).row.stream for k in expected} == expected
    if stream_from == "project":
        assert report.streams == [("CRM", "CRM rollout")]


# --------------------------------------------------------------------------- text


def test_multi_line_and_hostile_text_is_stored_literally(jctx):
    import_jira_csv(jctx, BASIC)
    item = ours(jctx, "CRM-6")
    assert item.row.title == "[bold]Export[/bold] =cmd|' /C calc'!A0 <script>alert(1)</script>"
    assert item.description == (
        "Line one with [red]markup[/red]\n"
        '=HYPERLINK("http://evil.example","click")\n'
        "<script>alert('x')</script>, \"quoted\", and a comma"
    )
    assert ours(jctx, "CRM-3").description == (
        "Steps:\n1. open a ticket\n2. escalate it\n\nExpected: the change is kept.")


# --------------------------------------------------------------------------- command line


def test_dry_run_writes_nothing_and_prints_what_would_change(cli, tmp_path):
    db = tmp_path / "p.db"
    assert cli(db, "init")[0] == 0
    code, out, err = cli(db, "import", "jira-csv", str(BASIC), "--dry-run")
    assert code == 0 and err == ""
    assert "Dry run: nothing was written." in out
    assert "items:    8 would be created, 0 would be updated" in out
    assert "sprints:  3 would be created (1 active, 2 closed)" in out
    assert "streams:  3 would be created: SAL Sales, SER Service, JIRA Imported from Jira" in out
    code, listing, _ = cli(db, "item", "list", "--json")
    assert json.loads(listing) == []
    assert cli(db, "sprint", "list", "--json")[1].strip() == "[]"

    assert cli(db, "import", "jira-csv", str(BASIC))[0] == 0
    code, shown, _ = cli(db, "item", "list", "--json")
    before = json.loads(shown)
    code, out, err = cli(db, "import", "jira-csv", str(EDITED), "--dry-run")
    assert code == 0
    assert "would change:" in out
    assert "(CRM-5): points 3 → 5; status review → done" in out
    assert "(CRM-1): assignee anna.becker → ben.schmidt" in out
    assert json.loads(cli(db, "item", "list", "--json")[1]) == before


def test_bad_rows_are_reported_by_their_line_and_skipped(cli, tmp_path):
    db = tmp_path / "p.db"
    code, out, err = cli(db, "import", "jira-csv", str(BAD))
    assert code == 0
    physical = BAD.read_bytes().decode("utf-8-sig").split("\r\n")

    def line_of(start: str) -> int:
        return next(i for i, text in enumerate(physical, start=1) if text.startswith(start))

    assert err.splitlines() == [
        f"sprinttui: skipped line {line_of('Row with a bad date')}: OPS-2: cannot read Created '31/Foo/26 9:00 AM'"
        " as a Jira date (like 27/Nov/26 9:14 AM)",
        f"sprinttui: skipped line {line_of('Row with negative points')}: OPS-3: story points must be 0 or more"
        " (story points '-3')",
        f"sprinttui: skipped line {line_of('Row without a key')}: no issue key",
        f"sprinttui: skipped line {line_of(',OPS-5')}: OPS-5: no summary",
        f"sprinttui: skipped line {line_of('Row with an unreadable due date')}: OPS-6: cannot read Due date"
        " 'next sprint' as a Jira date (like 27/Nov/26 9:14 AM)",
        f"sprinttui: skipped line {line_of('Duplicate of the good last row')}: OPS-7: the key is already on line"
        f" {line_of('Good last row')}",
    ]
    assert line_of("Row with a bad date") == 5  # the first row's description takes lines 2 to 4
    assert "items:    2 created, 0 updated, 0 unchanged, 6 skipped" in out
    rows = json.loads(cli(db, "item", "list", "--json")[1])
    assert sorted(r["title"] for r in rows) == ["Good first row", "Good last row"]
    shown = cli(db, "item", "show", rows[0]["key"], "--json")[1]
    assert json.loads(shown)["description"] == "A description\nover three\nlines"


@pytest.mark.parametrize("name, content, fragment", [
    ("missing.csv", None, "no such file"),
    ("empty.csv", b"", "is empty"),
    ("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is not a text (CSV) file"),
    ("book.xlsx", b"PK\x03\x04\x14\x00\x06\x00", "not CSV"),
    ("other.csv", b"Name,Email\nAnn,ann@example.com\n", "is not a Jira CSV export"),
    ("page.csv", b"<html><table><tr><td>CRM-1</td></tr></table></html>", "looks like HTML"),
])
def test_a_file_that_is_no_jira_csv_is_a_one_line_error(cli, tmp_path, name, content, fragment):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    db = tmp_path / "p.db"
    code, out, err = cli(db, "import", "jira-csv", str(path))
    assert_one_line_error(code, err, fragment)
    assert out == ""
    assert not db.exists()  # the file is checked before the database is opened


def test_json_summary_and_no_progress_bar_off_a_terminal(cli, tmp_path):
    sample = make_sample_csv(tmp_path / "big.csv", 400, seed=3, today=date(2026, 11, 27))
    db = tmp_path / "p.db"
    code, out, err = cli(db, "import", "jira-csv", str(sample), "--json")
    assert code == 0 and err == ""  # stderr is not a terminal here: no progress bar
    data = json.loads(out)
    assert data["counts"] == {"created": 400, "updated": 0, "unchanged": 0, "skipped": 0}
    assert {s["state"] for s in data["sprints"]} == {"closed", "active"}
    assert data["dry_run"] is False and data["stream_from"] == "component"


# --------------------------------------------------------------------------- the sample generator


def test_sample_generator_is_deterministic(tmp_path):
    a = make_sample_csv(tmp_path / "a.csv", 300, seed=7, today=date(2026, 11, 27)).read_bytes()
    b = make_sample_csv(tmp_path / "b.csv", 300, seed=7, today=date(2026, 11, 27)).read_bytes()
    c = make_sample_csv(tmp_path / "c.csv", 300, seed=8, today=date(2026, 11, 27)).read_bytes()
    assert a == b and a != c


def test_slip_counts_of_a_large_sample_follow_the_file(jctx, tmp_path):
    """Every item slipped once per later sprint it moved to (and once more if it went back to
    the backlog unfinished), counted from the CSV itself."""
    sample = make_sample_csv(tmp_path / "s.csv", 800, seed=5, today=jctx.today())
    with sample.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    head = rows[0]
    sprint_cols = [i for i, h in enumerate(head) if h == "Sprint"]
    newest = max(int(r[i].rsplit(" ", 1)[1]) for r in rows[1:] for i in sprint_cols if r[i])
    expected = {}
    for r in rows[1:]:
        trail = [int(r[i].rsplit(" ", 1)[1]) for i in sprint_cols if r[i]]
        unfinished_in_closed = bool(trail) and trail[-1] != newest and r[head.index("Status")] != "Done"
        expected[r[head.index("Issue key")]] = max(0, len(trail) - 1) + unfinished_in_closed

    phases = []
    report = import_issues(jctx, read_jira_csv(sample), progress=lambda p, done, total: phases.append((p, done,
                                                                                                      total)))
    assert (len(report.created), report.skipped) == (800, 0)
    assert [p for p in dict.fromkeys(p for p, _d, _t in phases)] == ["Planning", "Staging", "Publishing"]
    assert ("Staging", 800, 800) in phases and phases[-1] == ("Publishing", 5, 5)
    with jctx.db.read() as s:
        got = dict(s.execute(select(Item.external_key, Item.slip_count)).all())
        carries = dict(s.execute(
            select(Item.external_key, func.count(SprintEvent.id))
            .join(SprintEvent, SprintEvent.item_id == Item.id).where(SprintEvent.kind == "carry")
            .group_by(Item.external_key)).all())
    assert got == expected
    assert {k: v for k, v in got.items() if v} == carries
