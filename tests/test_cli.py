"""The command line: a full sprint lifecycle through the real entry point
(``python -m sprinttui`` in a subprocess), and the many error cases in-process.

Tests on the ``db_url`` fixture (directly or through ``db``) run on SQLite and,
with SPRINTTUI_TEST_POSTGRES set, once more on PostgreSQL (``--db URL``); those
about SQLite files (``db_path``: backups, damaged files) run on SQLite only."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from sprinttui.cli import main
from sprinttui.cli.output import clean, table
from sprinttui.store.engine import sqlite_path
from sprinttui.store.schema import HEAD_REVISION

# --------------------------------------------------------------------------- helpers


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SPRINTTUI_DB", "SPRINTTUI_USER")}
    # never touch the real user data folder, whatever happens
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "xdg"), PYTHONIOENCODING="utf-8")
    env.update(extra)
    return env


def sp(tmp_path: Path, *args: str, db: Path | str | None = None, env: dict | None = None,
       ok: bool = True) -> subprocess.CompletedProcess:
    """Run the real entry point in a subprocess."""
    pre = ["--db", str(db), "--user", "tester"] if db is not None else []
    proc = subprocess.run(
        [sys.executable, "-m", "sprinttui", *pre, *args],
        capture_output=True, text=True, env=env or _env(tmp_path), timeout=60, encoding="utf-8",
    )
    if ok:
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        assert proc.stderr == "", (args, proc.stderr)
    return proc


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run main() in-process against a given database; returns (code, stdout, stderr)."""
    monkeypatch.delenv("SPRINTTUI_DB", raising=False)
    monkeypatch.delenv("SPRINTTUI_USER", raising=False)

    def run(db: Path | str | None, *args: str, user: str | None = "tester"):
        capsys.readouterr()
        pre = (["--db", str(db)] if db is not None else []) + (["--user", user] if user else [])
        code = main([*pre, *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def assert_one_line_error(code: int, err: str, *fragments: str) -> None:
    assert code == 2, err
    assert err.endswith("\n") and err.count("\n") == 1, repr(err)
    assert err.startswith("sprinttui: error: "), err
    assert "Traceback" not in err
    for f in fragments:
        assert f in err, (f, err)


# A small project: streams SAL, SUP; member ann; sprints S1, S2; SAL-1 in S1.
TEMPLATE_STEPS = [
    ["init", "--name", "CLI test"],
    ["stream", "add", "SAL", "Sales"],
    ["stream", "add", "SUP", "Support"],
    ["member", "add", "ann", "Ann Example", "--stream", "SAL"],
    ["sprint", "new", "S1", "--start", "2026-01-05", "--end", "2026-01-16"],
    ["sprint", "new", "S2", "--start", "2026-01-19", "--end", "2026-01-30"],
    ["item", "add", "First item", "--stream", "SAL", "--points", "3", "--sprint", "S1"],
]


def build_template(db: Path | str) -> None:
    for args in TEMPLATE_STEPS:
        assert main(["--db", str(db), "--user", "tester", *args]) == 0, args


@pytest.fixture(scope="module")
def template_db(tmp_path_factory) -> Path:
    """The template project as an SQLite file, built once."""
    path = tmp_path_factory.mktemp("tpl") / "tpl.db"
    build_template(path)
    return path


@pytest.fixture
def db(db_url, request) -> str:
    """The template project at the test's database URL: on SQLite a copy of the
    file built once (at db_path), on PostgreSQL built in the fresh database."""
    dest = sqlite_path(db_url)
    if dest is None:
        build_template(db_url)
        return db_url
    src = sqlite3.connect(request.getfixturevalue("template_db"))
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return db_url


def item_list(cli, db) -> list[dict]:
    code, out, err = cli(db, "item", "list", "--json")
    assert code == 0, err
    return json.loads(out)


# --------------------------------------------------------------------------- the real entry point


def test_full_lifecycle_through_the_entry_point(tmp_path, db_url):
    run = lambda *a: sp(tmp_path, *a, db=db_url)  # noqa: E731

    run("stream", "add", "SAL", "Sales")
    run("stream", "add", "SUP", "Support")
    run("member", "add", "ann", "Ann Example", "--stream", "SAL")
    run("sprint", "new", "S1", "--start", "2026-01-05", "--end", "2026-01-16", "--goal", "First cut")
    run("sprint", "new", "S2", "--start", "2026-01-19", "--end", "+2w")
    keys = [
        run("item", "add", "Login page", "--stream", "SAL", "--points", "3", "--sprint", "S1",
            "--assignee", "ann").stdout.strip(),
        run("item", "add", "Import contacts", "--stream", "SAL", "--points", "5", "--sprint", "S1",
            "--kind", "task", "--labels", "data,import").stdout.strip(),
        run("item", "add", "Support queue", "--stream", "SUP", "--points", "8", "--sprint", "S1").stdout.strip(),
        run("item", "add", "User guide", "--stream", "SAL", "--points", "1", "--kind", "change").stdout.strip(),
    ]
    assert keys == ["SAL-1", "SAL-2", "SUP-1", "SAL-3"]

    started = run("sprint", "start", "S1").stdout
    assert "3 items" in started and "16 points" in started
    run("item", "plan", "SAL-3", "S1")          # added after the start
    run("item", "plan", "SUP-1", "backlog")     # removed before the close, not done
    run("item", "move", "SAL-1", "done")
    run("item", "move", "SAL-3", "done")
    run("item", "edit", "SAL-2", "--points", "8")  # re-estimated after the commitment froze
    closed = run("sprint", "close", "S1", "--carry-to", "S2").stdout
    assert "2 completed" in closed and "1 carried over to sprint S2" in closed

    # By hand:
    #   committed at start: SAL-1 3 + SAL-2 5 (SAL 8), SUP-1 8 (SUP 8) -> 16 (frozen: SAL-2's later 8 not used)
    #   added:     SAL-3 1                      removed: SUP-1 8 (left undone)
    #   completed: SAL-1 3 + SAL-3 1 = 4        carried: SAL-2 at its points at the close, 8
    #   say/do:    committed items completed, at committed points: SAL-1 3 -> 3/16; SAL 3/8; SUP 0/8
    #   re-estimated: SAL-2 5 -> 8, +3; so 16 + 1 - 8 + 3 = 4 + 8
    report = json.loads(run("report", "S1", "--json").stdout)
    assert report["sprint"] == {"name": "S1", "goal": "First cut", "start": "2026-01-05",
                                "end": "2026-01-16", "state": "closed", "goal_met": None, "review_note": ""}
    t = report["totals"]
    assert t["committed_points"] == 16
    assert t["added_points"] == 1
    assert t["removed_points"] == 8
    assert t["reestimated_points"] == 3
    assert t["completed_points"] == 4
    assert t["carried_over_points"] == 8
    assert t["say_do_ratio"] == pytest.approx(3 / 16)
    streams = {s["stream"]: s for s in report["streams"]}
    assert list(streams) == ["SAL", "SUP"]
    sal, sup = streams["SAL"], streams["SUP"]
    assert (sal["committed_points"], sal["added_points"], sal["removed_points"],
            sal["completed_points"], sal["carried_over_points"]) == (8, 1, 0, 4, 8)
    assert sal["say_do_ratio"] == pytest.approx(3 / 8)
    assert (sup["committed_points"], sup["added_points"], sup["removed_points"],
            sup["completed_points"], sup["carried_over_points"]) == (8, 0, 8, 0, 0)
    assert sup["say_do_ratio"] == 0

    rows = {r["key"]: r for r in json.loads(run("item", "list", "--json").stdout)}
    assert set(rows) == {"SAL-1", "SAL-2", "SAL-3", "SUP-1"}
    for r in rows.values():
        assert {"key", "title", "kind", "stream", "status", "points", "sprint", "assignee",
                "slip_count"} <= set(r)
    assert rows["SAL-1"] == {**rows["SAL-1"], "title": "Login page", "kind": "story", "stream": "SAL",
                             "status": "done", "points": 3, "sprint": "S1", "assignee": "ann",
                             "slip_count": 0}
    assert rows["SAL-2"] == {**rows["SAL-2"], "kind": "task", "status": "todo", "points": 8,
                             "sprint": "S2", "assignee": None, "slip_count": 1,
                             "labels": ["data", "import"]}
    assert rows["SUP-1"]["sprint"] is None and rows["SUP-1"]["slip_count"] == 0
    assert rows["SAL-3"]["sprint"] == "S1" and rows["SAL-3"]["kind"] == "change"

    shown = run("item", "show", "SAL-2").stdout
    assert shown.startswith("SAL-2  Import contacts")
    assert "slip count: 1" in shown
    slipped_part = shown.split("Slipped from:")[1].split("History")[0]
    assert "S1" in slipped_part and "S2" in slipped_part
    history = shown.split("History (UTC):")[1]
    for field in ("created", "points", "sprint", "slip_count"):
        assert field in history
    assert "tester" in history


def test_help_of_the_entry_point(tmp_path):
    proc = sp(tmp_path, "--help")
    for word in ("stream", "member", "sprint", "item", "report", "capacity", "slipped", "kpi", "db",
                 "--db", "--user"):
        assert word in proc.stdout


def test_environment_chooses_database_and_user(tmp_path, cli, db_url):
    db = db_url
    assert cli(db, "stream", "add", "SAL", "Sales")[0] == 0
    env = _env(tmp_path, SPRINTTUI_DB=db, SPRINTTUI_USER="envuser")
    key = sp(tmp_path, "item", "add", "Made via env", "--stream", "SAL", env=env).stdout.strip()
    assert key == "SAL-1"
    code, out, err = cli(db, "item", "show", key, "--json")
    assert code == 0, err
    detail = json.loads(out)
    assert detail["created_by"] == "envuser"
    assert {h["actor"] for h in detail["history"]} == {"envuser"}
    assert not (tmp_path / "xdg").exists()  # the default location was not used


# --------------------------------------------------------------------------- in-process: help, db


def test_help_exits_zero(cli, capsys):
    code, out, _ = cli(None, "--help", user=None)
    assert code == 0 and "usage: sprinttui" in out
    code, out, _ = cli(None, "item", "add", "--help", user=None)
    assert code == 0
    for opt in ("--stream", "--points", "--kind", "--sprint", "--assignee", "--due", "--labels"):
        assert opt in out


def test_usage_errors_exit_2(cli, db):
    code, _, err = cli(db, "item", "add", "no stream given")
    assert code == 2 and "--stream" in err
    code, _, err = cli(db, "item")
    assert code == 2
    code, _, err = cli(db, "item", "list", "--limit", "0")
    assert code == 2 and "Traceback" not in err
    code, _, err = cli(db, "--stream", "SAL", "item", "list")
    assert code == 2


def test_db_current_of_a_missing_file(cli, db_path):
    # a path with no database: a clear error, and no empty file left behind
    code, out, err = cli(db_path, "db", "current", user=None)
    assert code == 2 and "no database at" in err and err.count("\n") == 1
    assert not db_path.exists()


def table_names(url: str) -> set[str]:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_db_current_and_upgrade_on_an_empty_database(cli, db_url):
    fresh = db_url
    if sqlite_path(db_url) is not None:
        sqlite_path(db_url).touch()  # an empty file is a fresh SQLite database
    code, out, err = cli(fresh, "db", "current", user=None)
    assert code == 0, err
    assert "revision: none" in out
    assert f"head:     {HEAD_REVISION}" in out
    # reading the revision did not migrate
    tables = table_names(db_url)
    assert "alembic_version" not in tables and "item" not in tables

    code, out, err = cli(fresh, "db", "upgrade", user=None)
    assert code == 0, err
    assert "created" in out and "no backup" in out
    code, out, _ = cli(fresh, "db", "current", user=None)
    assert f"revision: {HEAD_REVISION}" in out and "up to date" in out
    code, out, _ = cli(fresh, "db", "upgrade", user=None)
    assert code == 0 and "up to date" in out and "no backup" in out
    assert {"alembic_version", "item", "change_counter"} <= table_names(db_url)


def test_db_backup_makes_a_readable_copy(cli, db, db_path, tmp_path):
    copy = tmp_path / "copy.db"
    code, out, err = cli(db, "db", "backup", str(copy))
    assert code == 0, err
    with closing(sqlite3.connect(copy)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert [r[0] for r in conn.execute("SELECT key FROM item")] == ["SAL-1"]
    # the copy is a working project
    assert [r["key"] for r in item_list(cli, copy)] == ["SAL-1"]

    code, _, err = cli(db, "db", "backup", str(copy))
    assert_one_line_error(code, err, "exists already")
    assert cli(db, "item", "add", "Later item", "--stream", "SAL")[0] == 0
    code, _, err = cli(db, "db", "backup", str(copy), "--force")
    assert code == 0, err
    with closing(sqlite3.connect(copy)) as conn:
        assert [r[0] for r in conn.execute("SELECT key FROM item ORDER BY id")] == ["SAL-1", "SAL-2"]
        # while someone has the copy open (WAL files present) it is not overwritten
        conn.execute("PRAGMA journal_mode = WAL").fetchall()
        conn.execute("SELECT count(*) FROM item").fetchall()
        code, _, err = cli(db, "db", "backup", str(copy), "--force")
        assert_one_line_error(code, err, "in use")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []
    code, _, err = cli(db, "db", "backup", str(db_path))
    assert_one_line_error(code, err, "database itself")
    assert [r["key"] for r in item_list(cli, db)] == ["SAL-1", "SAL-2"]  # untouched


def test_db_backup_refuses_non_sqlite(cli, tmp_path):
    code, _, err = cli("postgresql://someone:secret@localhost/sprints", "db", "backup", str(tmp_path / "x.db"))
    assert_one_line_error(code, err, "SQLite")
    assert "secret" not in err
    assert not (tmp_path / "x.db").exists()


def test_init_creates_the_project(cli, db_url):
    new = db_url
    code, out, err = cli(new, "init", "--name", "Rollout")
    assert code == 0, err
    assert "created" in out and "Rollout" in out
    code, out, err = cli(new, "init")
    assert code == 0 and "up to date" in out


# --------------------------------------------------------------------------- in-process: errors


def test_unknown_stream_writes_nothing(cli, db):
    before = item_list(cli, db)
    code, out, err = cli(db, "item", "add", "Orphan", "--stream", "NOPE", "--points", "2")
    assert_one_line_error(code, err, "unknown stream 'NOPE'")
    assert out == ""
    assert item_list(cli, db) == before
    # the failed add did not use up a number either
    code, out, _ = cli(db, "item", "add", "Next", "--stream", "SAL")
    assert out.strip() == "SAL-2"


def test_bad_date(cli, db):
    code, _, err = cli(db, "sprint", "new", "S9", "--start", "32/13/2026", "--end", "+2w")
    assert_one_line_error(code, err, "32/13/2026")
    code, out, _ = cli(db, "sprint", "list", "--json")
    assert [s["name"] for s in json.loads(out)] == ["S1", "S2"]
    code, _, err = cli(db, "item", "add", "Dated", "--stream", "SAL", "--due", "someday")
    assert_one_line_error(code, err, "someday")
    assert len(item_list(cli, db)) == 1


@pytest.mark.parametrize("word", ["None", "none", "BACKLOG", "Current", "next", "LAST"])
def test_a_sprint_cannot_be_named_a_reserved_word(cli, db, word):
    """`--sprint None` means the backlog: a sprint of that name would never be reached."""
    code, out, err = cli(db, "sprint", "new", word, "--start", "2026-02-02", "--end", "2026-02-13")
    assert_one_line_error(code, err, "reserved word")
    assert out == ""
    code, _, err = cli(db, "sprint", "edit", "S2", "--name", word)
    assert_one_line_error(code, err, "reserved word")
    code, out, _ = cli(db, "sprint", "list", "--json")
    assert [s["name"] for s in json.loads(out)] == ["S1", "S2"]


def test_closing_a_planned_sprint(cli, db):
    code, _, err = cli(db, "sprint", "close", "S1")
    assert_one_line_error(code, err, "S1", "planned")
    code, out, _ = cli(db, "sprint", "list", "--json")
    assert {s["name"]: s["state"] for s in json.loads(out)} == {"S1": "planned", "S2": "planned"}
    assert item_list(cli, db)[0]["slip_count"] == 0


def test_unknown_item_key(cli, db):
    for args in (["item", "show", "SAL-99"], ["item", "move", "SAL-99", "done"],
                 ["item", "plan", "SAL-99", "S1"], ["item", "delete", "SAL-99"]):
        code, _, err = cli(db, *args)
        assert_one_line_error(code, err, "SAL-99")
    code, _, err = cli(db, "item", "show", "not-a-key")
    assert_one_line_error(code, err, "not an item key")


def test_bad_status_and_kind(cli, db):
    code, _, err = cli(db, "item", "move", "SAL-1", "finished")
    assert_one_line_error(code, err, "finished", "todo")
    assert item_list(cli, db)[0]["status"] == "todo"
    code, _, err = cli(db, "item", "add", "Odd", "--stream", "SAL", "--kind", "epic")
    assert_one_line_error(code, err, "epic")
    assert len(item_list(cli, db)) == 1


def test_negative_and_bad_points(cli, db):
    before = item_list(cli, db)
    code, _, err = cli(db, "item", "add", "Negative", "--stream", "SAL", "--points", "-3")
    assert_one_line_error(code, err, "points")
    code, _, err = cli(db, "item", "add", "Word", "--stream", "SAL", "--points", "many")
    assert_one_line_error(code, err, "points")
    code, _, err = cli(db, "item", "edit", "SAL-1", "--points", "-1", "--title", "Renamed")
    assert_one_line_error(code, err, "points")
    assert item_list(cli, db) == before  # the title did not change either: one transaction


def test_edit_without_changes_is_an_error(cli, db):
    code, _, err = cli(db, "item", "edit", "SAL-1")
    assert_one_line_error(code, err, "nothing to change")


@pytest.mark.parametrize("content", [b"hello\n", b"this is a plain text file and not a database\n" * 3])
def test_db_that_is_a_text_file(cli, tmp_path, content):
    bogus = tmp_path / "notes.txt"
    bogus.write_bytes(content)
    code, out, err = cli(bogus, "item", "list")
    assert_one_line_error(code, err, "database")
    assert out == ""
    assert bogus.read_bytes() == content  # not touched


def test_missing_folder_and_bad_url(cli, tmp_path):
    code, _, err = cli(tmp_path / "nope" / "x.db", "stream", "list")
    assert_one_line_error(code, err, "does not exist")
    code, _, err = cli("nosuchdialect://x", "stream", "list")
    assert_one_line_error(code, err, "URL")


def test_closing_carries_over_and_report_defaults(cli, db):
    assert cli(db, "item", "add", "Second", "--stream", "SUP", "--points", "2", "--sprint", "S1")[0] == 0
    assert cli(db, "sprint", "start", "S1")[0] == 0
    code, out, err = cli(db, "sprint", "start", "S2")
    assert_one_line_error(code, err, "S1", "active")
    assert cli(db, "item", "move", "SUP-1", "done")[0] == 0
    code, out, _ = cli(db, "report", "--json")  # current
    assert json.loads(out)["sprint"]["name"] == "S1"
    assert json.loads(out)["totals"]["completed_points"] == 2
    code, out, err = cli(db, "sprint", "close", "current", "--carry-to", "backlog")
    assert code == 0, err
    assert "to the backlog" in out
    rows = {r["key"]: r for r in item_list(cli, db)}
    assert rows["SAL-1"]["sprint"] is None and rows["SAL-1"]["slip_count"] == 1
    code, out, _ = cli(db, "report", "--json")  # last
    rep = json.loads(out)
    assert rep["sprint"]["name"] == "S1" and rep["sprint"]["state"] == "closed"
    assert rep["totals"]["carried_over_points"] == 3
    code, out, _ = cli(db, "report", "--stream", "SAL", "--json")
    assert [s["stream"] for s in json.loads(out)["streams"]] == ["SAL"]
    code, out, err = cli(db, "report")
    assert code == 0 and "COMMITTED" in out and "total" in out
    code, out, err = cli(db, "slipped", "--json")
    groups = {g["stream"]: g for g in json.loads(out)}
    assert [r["key"] for r in groups["SAL"]["slipped"]] == ["SAL-1"]
    code, out, err = cli(db, "item", "show", "SAL-1", "--json")
    assert json.loads(out)["slips"][0]["sprint"] == "S1" and json.loads(out)["slips"][0]["to"] is None


def sprint_state(cli, db, name: str) -> dict:
    code, out, err = cli(db, "sprint", "list", "--json")
    assert code == 0, err
    return next(s for s in json.loads(out) if s["name"] == name)


def test_close_records_goal_met_and_the_review_note_and_edit_changes_them(cli, db):
    assert cli(db, "sprint", "start", "S1")[0] == 0
    code, out, err = cli(db, "sprint", "close", "S1", "--carry-to", "backlog", "--goal-met", "no",
                         "--note", "Pilot slipped: vendor late")
    assert code == 0, err
    assert "goal met: no; review note recorded" in out
    code, out, _ = cli(db, "report", "S1", "--json")
    assert {k: json.loads(out)["sprint"][k] for k in ("state", "goal_met", "review_note")} == {
        "state": "closed", "goal_met": False, "review_note": "Pilot slipped: vendor late"}
    code, out, _ = cli(db, "report", "S1")
    assert "Goal met: no" in out.splitlines() and "Review note: Pilot slipped: vendor late" in out.splitlines()

    assert cli(db, "sprint", "edit", "S1", "--goal-met", "YES")[0] == 0
    code, out, _ = cli(db, "report", "S1", "--json")
    assert (json.loads(out)["sprint"]["goal_met"], json.loads(out)["sprint"]["review_note"]) == (
        True, "Pilot slipped: vendor late")
    assert cli(db, "sprint", "edit", "S1", "--note", "")[0] == 0
    code, out, _ = cli(db, "report", "S1", "--json")
    assert (json.loads(out)["sprint"]["goal_met"], json.loads(out)["sprint"]["review_note"]) == (True, "")
    # a sprint closed without saying: not recorded
    assert cli(db, "sprint", "start", "S2")[0] == 0
    code, out, _ = cli(db, "sprint", "close", "S2", "--carry-to", "backlog")
    assert "goal met: not recorded" in out
    code, out, _ = cli(db, "report", "S2", "--json")
    assert json.loads(out)["sprint"]["goal_met"] is None


@pytest.mark.parametrize("value", ["maybe", "", "y", "true"])
def test_goal_met_other_than_yes_or_no_is_refused_and_changes_nothing(cli, db, value):
    assert cli(db, "sprint", "start", "S1")[0] == 0
    code, out, err = cli(db, "sprint", "close", "S1", "--carry-to", "backlog", "--goal-met", value)
    assert_one_line_error(code, err, "--goal-met", "yes or no")
    assert out == ""
    assert sprint_state(cli, db, "S1")["state"] == "active"
    assert item_list(cli, db)[0]["sprint"] == "S1"  # nothing carried over
    code, _, err = cli(db, "sprint", "edit", "S1", "--goal-met", value, "--note", "kept out", "--goal", "New")
    assert_one_line_error(code, err, "--goal-met")
    s1 = sprint_state(cli, db, "S1")
    assert (s1["goal_met"], s1["review_note"], s1["goal"]) == (None, "", "")


def test_report_shows_the_reestimated_points_so_the_figures_add_up(cli, db):
    assert cli(db, "sprint", "start", "S1")[0] == 0
    assert cli(db, "item", "add", "Added", "--stream", "SAL", "--points", "5", "--sprint", "S1")[0] == 0
    assert cli(db, "item", "edit", "SAL-2", "--points", "8")[0] == 0
    code, out, _ = cli(db, "report", "--json")
    t = json.loads(out)["totals"]
    assert (t["committed_points"], t["added_points"], t["reestimated_points"], t["not_completed_points"]) == (
        3, 5, 3, 11)
    code, out, _ = cli(db, "report")
    lines = out.splitlines()
    heads = next(line for line in lines if line.startswith("STREAM")).split()
    total = next(line for line in lines if line.startswith("total")).split()
    assert dict(zip(heads, total, strict=True)) == {
        "STREAM": "total", "COMMITTED": "3", "ADDED": "5", "REMOVED": "0", "RE-EST": "+3", "COMPLETED": "0",
        "CARRIED": "0", "OPEN": "11", "SAY/DO": "0.0%"}


def test_report_without_any_sprint_running_or_closed(cli, db):
    code, _, err = cli(db, "report")
    assert_one_line_error(code, err, "no sprint has been closed")


def test_listing_commands_and_edits(cli, db):
    assert cli(db, "stream", "edit", "SAL", "--lead", "ann", "--description", "Sales team")[0] == 0
    code, out, _ = cli(db, "stream", "list", "--json")
    assert json.loads(out)[0] == {**json.loads(out)[0], "key": "SAL", "lead": "ann", "members": 1}
    code, out, _ = cli(db, "stream", "list")
    assert out.splitlines()[0].split() == ["KEY", "NAME", "LEAD", "MEMBERS", "DESCRIPTION"]

    assert cli(db, "member", "edit", "ann", "--availability", "50", "--competences", "crm,sql")[0] == 0
    assert cli(db, "member", "absence", "ann", "S1", "2")[0] == 0
    code, out, _ = cli(db, "member", "list", "--stream", "SAL", "--json")
    assert json.loads(out) == [{**json.loads(out)[0], "handle": "ann", "availability": 50,
                                "competences": ["crm", "sql"], "stream": "SAL"}]
    code, out, _ = cli(db, "capacity", "S1", "--json")
    cap = json.loads(out)
    assert cap["working_days"] == 10
    assert cap["members"][0]["capacity_days"] == pytest.approx(0.5 * (10 - 2))

    assert cli(db, "sprint", "edit", "S2", "--goal", "Go live", "--end", "2026-02-06")[0] == 0
    code, out, _ = cli(db, "sprint", "list", "--json")
    assert json.loads(out)[1] == {**json.loads(out)[1], "goal": "Go live", "end": "2026-02-06"}

    assert cli(db, "item", "edit", "SAL-1", "--block", "waiting for IT", "--assignee", "ann",
               "--due", "2026-01-10")[0] == 0
    row = item_list(cli, db)[0]
    assert (row["blocked"], row["blocked_reason"], row["assignee"], row["due_date"]) == (
        True, "waiting for IT", "ann", "2026-01-10")
    assert cli(db, "item", "edit", "SAL-1", "--unblock", "--assignee", "")[0] == 0
    row = item_list(cli, db)[0]
    assert (row["blocked"], row["assignee"]) == (False, None)

    code, out, _ = cli(db, "item", "list", "--search", "first", "--status", "todo", "--sprint", "S1", "--json")
    assert [r["key"] for r in json.loads(out)] == ["SAL-1"]
    code, out, _ = cli(db, "item", "list", "--sprint", "backlog", "--json")
    assert json.loads(out) == []

    assert cli(db, "item", "delete", "SAL-1")[0] == 0
    assert item_list(cli, db) == []
    assert cli(db, "item", "restore", "SAL-1")[0] == 0
    assert len(item_list(cli, db)) == 1


def test_item_list_search_finds_labels_descriptions_and_assignees(cli, db):
    assert cli(db, "item", "add", "Second item", "--stream", "SUP", "--labels", "gdpr,go-live",
               "--description", "Call the Zebra vendor")[0] == 0  # SUP-1
    assert cli(db, "item", "edit", "SAL-1", "--assignee", "ann")[0] == 0

    def found(text: str) -> list[str]:
        code, out, err = cli(db, "item", "list", "--search", text, "--json")
        assert code == 0, err
        return [r["key"] for r in json.loads(out)]

    assert found("GO-LIVE") == ["SUP-1"]  # a label
    assert found("zebra vendor") == ["SUP-1"]  # the description
    assert found("ann") == ["SAL-1"]  # the assignee's handle
    assert found("example") == ["SAL-1"]  # the assignee's name, Ann Example
    assert found("Support") == []  # not the stream's name
    assert found("item") == ["SAL-1", "SUP-1"]  # the titles, as before


def test_kpis(cli, db):
    assert cli(db, "kpi", "add", "Adoption", "--unit", "%", "--baseline", "10", "--target", "80")[0] == 0
    assert cli(db, "kpi", "record", "Adoption", "30", "--date", "2026-03-01")[0] == 0
    code, out, _ = cli(db, "kpi", "list", "--json")
    k = json.loads(out)[0]
    assert (k["name"], k["latest"], k["on_track"], k["target_met"]) == ("Adoption", 30, True, False)
    assert k["measurements"] == [{"date": "2026-03-01", "value": 30, "note": ""}]
    code, _, err = cli(db, "kpi", "record", "Adoption", "lots")
    assert_one_line_error(code, err, "number")
    code, _, err = cli(db, "kpi", "add", "Speed", "--direction", "sideways")
    assert_one_line_error(code, err, "sideways")


def test_terminal_escapes_in_user_text_are_neutralised(cli, db):
    hostile = "Bad \u202eevil\u200b \x9b31m title"
    code, out, err = cli(db, "item", "add", hostile, "--stream", "SAL")
    assert code == 0, err
    for args in (["item", "list"], ["item", "show", "SAL-2"], ["item", "list", "--json"]):
        code, out, _ = cli(db, *args)
        assert code == 0
        assert "\u202e" not in out and "\x9b" not in out and "\x1b" not in out and "\u200b" not in out
    assert clean("a\x1b[31mb\x07c\nd") == "a?[31mb?c d"
    assert "\x1b" not in clean("\x1b]8;;http://x\x1b\\")


def test_table_alignment(capsys):
    table(["A", "NUM"], [["x", 1], ["longer", 22], ["日本", 3]], align="lr")
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["A       NUM", "------  ---", "x         1", "longer   22", "日本      3"]


def test_internal_error_is_one_line(cli, db, monkeypatch):
    from sprinttui.services import items

    def boom(*a, **kw):
        raise RuntimeError("something\nbroke")

    monkeypatch.setattr(items, "list_items", boom)
    code, out, err = cli(db, "item", "list")
    assert code == 1
    assert err == "sprinttui: internal error: RuntimeError: something broke\n"


def test_keyboard_interrupt_is_quiet(cli, db, monkeypatch):
    from sprinttui.services import items

    def interrupt(*a, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(items, "list_items", interrupt)
    code, out, err = cli(db, "item", "list")
    assert (code, out, err) == (130, "", "")


def test_start_up_does_not_import_heavy_modules():
    code = (
        "import sys; from sprinttui.cli import main; "
        "from sprinttui.cli.parser import build_parser; build_parser(); "
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('textual', 'alembic', 'sqlalchemy')"
        " or m in ('sprinttui.demo', 'sprinttui.seed')]; print(heavy)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "[]", proc.stdout + proc.stderr


def test_every_command_returns_with_the_garbage_collector_on(cli, db):
    import gc

    for args in (["item", "list"], ["item", "show", "NOPE-1"], ["--version"]):
        cli(db, *args)
        assert gc.isenabled(), args


# --------------------------------------------------------------------------- in-process: histories


def history_json(cli, db, *args: str) -> list[dict]:
    code, out, err = cli(db, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_member_history_prints_one_line_per_change(cli, db):
    assert cli(db, "member", "edit", "ann", "--availability", "60", "--inactive", user="bob")[0] == 0
    assert cli(db, "member", "edit", "ann", "--name", "Ann Example")[0] == 0  # as it was: nothing recorded
    code, out, err = cli(db, "member", "history", "ann")
    assert code == 0 and err == ""
    head, rule, *lines = out.splitlines()
    assert head.split() == ["AT", "(UTC)", "BY", "FIELD", "OLD", "NEW"] and set(rule) <= {"-", " "}
    assert [line.split()[2:] for line in lines] == [
        ["tester", "created", "-", "Ann", "Example"], ["bob", "availability", "100", "60"],
        ["bob", "active", "yes", "no"]]
    entries = history_json(cli, db, "member", "history", "ann")
    assert [(e["actor"], e["field"], e["old"], e["new"]) for e in entries] == [
        ("tester", "created", None, "Ann Example"), ("bob", "availability", "100", "60"),
        ("bob", "active", "yes", "no")]
    assert all(e["at"].endswith("+00:00") for e in entries)


def test_stream_history_prints_one_line_per_change(cli, db):
    assert cli(db, "stream", "edit", "SAL", "--lead", "ann", "--description", "leads\nand pipeline")[0] == 0
    assert cli(db, "stream", "edit", "sal", "--lead", "")[0] == 0
    code, out, err = cli(db, "stream", "history", "SAL")
    assert code == 0 and err == ""
    assert [line.split()[3:] for line in out.splitlines()[2:]] == [
        ["created", "-", "Sales"], ["lead", "-", "ann"], ["description", "-", "leads", "and", "pipeline"],
        ["lead", "ann", "-"]]
    assert [(e["field"], e["old"], e["new"]) for e in history_json(cli, db, "stream", "history", "SAL")] == [
        ("created", None, "Sales"), ("lead", None, "ann"), ("description", "", "leads\nand pipeline"),
        ("lead", "ann", None)]
    assert [e["field"] for e in history_json(cli, db, "stream", "history", "SUP")] == ["created"]


def test_project_history_prints_each_setting_changed(cli, db):
    from sprinttui.services.context import login_name

    code, _, err = cli(db, "project", "set", "--sprint-length", "10", "--working-days", "mon,tue,wed",
                       "--points-per-day", "0.5", "--name", "CLI test")  # the name as it is: not recorded
    assert code == 0, err
    assert cli(db, "project", "set", "--allow-user-override", "no")[0] == 0
    # from now on --user is refused: the history is read (and would be written) as the login name
    code, out, err = cli(db, "project", "history", user=None)
    assert code == 0 and err == ""
    assert [line.split()[3:] for line in out.splitlines()[2:]] == [
        ["created", "-", "CLI", "test"], ["sprint_length_days", "14", "10"],
        ["working_days", "mon,tue,wed,thu,fri", "mon,tue,wed"], ["points_per_day", "1", "0.5"],
        ["allow_user_override", "yes", "no"]]
    assert cli(db, "project", "set", "--sprint-length", "12", user=None)[0] == 0
    code, out, err = cli(db, "project", "history", "--json", user=None)
    assert code == 0, err
    assert [(e["field"], e["actor"]) for e in json.loads(out)][1:] == [
        ("sprint_length_days", "tester"), ("working_days", "tester"), ("points_per_day", "tester"),
        ("allow_user_override", "tester"), ("sprint_length_days", login_name())]


@pytest.mark.parametrize("args, message", [
    (["member", "history", "nobody"], "unknown member 'nobody'"),
    (["stream", "history", "NOPE"], "unknown stream 'NOPE'"),
    (["member", "history", "nobody", "--json"], "unknown member 'nobody'"),
    (["stream", "history", "NOPE", "--json"], "unknown stream 'NOPE'"),
])
def test_history_of_an_unknown_member_or_stream_is_a_one_line_error(cli, db, args, message):
    code, out, err = cli(db, *args)
    assert_one_line_error(code, err, message)
    assert out == ""
