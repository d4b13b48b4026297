"""One database file on a machine several people log in to: file permissions,
the world-writable warning, who the history names, and no user data in SQL or
shell commands."""

from __future__ import annotations

import ast
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from sprinttui.cli import main
from sprinttui.services import project, streams
from sprinttui.services.context import login_name
from tui_support import make_app, settle

ROOT = Path(__file__).resolve().parent.parent
WARNING = "is writable by every user of this machine"


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SPRINTTUI_DB", "SPRINTTUI_USER")}
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "xdg"), PYTHONIOENCODING="utf-8")
    env.update(extra)
    return env


def sp(tmp_path: Path, db: Path, *args: str, umask: int = 0o022, **env: str) -> subprocess.CompletedProcess:
    """The real entry point in a subprocess, as a user on the box would run it."""
    return subprocess.run([sys.executable, "-m", "sprinttui", "--db", str(db), *args], capture_output=True,
                          text=True, env=_env(tmp_path, **env), timeout=60, umask=umask)


@pytest.fixture
def cli(capsys, monkeypatch):
    monkeypatch.delenv("SPRINTTUI_DB", raising=False)
    monkeypatch.delenv("SPRINTTUI_USER", raising=False)

    def run(db: Path, *args: str, user_env: str | None = None):
        """main() in-process; user_env is $SPRINTTUI_USER for this call."""
        if user_env is None:
            monkeypatch.delenv("SPRINTTUI_USER", raising=False)
        else:
            monkeypatch.setenv("SPRINTTUI_USER", user_env)
        capsys.readouterr()
        code = main(["--db", str(db), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


# --------------------------------------------------------------------------- file modes


def test_database_backups_and_restores_are_never_open_to_everyone(tmp_path):
    """With the laxest umask, every file sprinttui makes is owner and group only."""
    box = tmp_path / "srv"
    box.mkdir()
    db = box / "crm.db"
    for args in (["init", "--name", "CRM"], ["stream", "add", "SAL", "Sales"],
                 ["item", "add", "Import leads", "--stream", "SAL"],
                 ["db", "backup", str(box / "monday.db")],
                 ["item", "add", "Clean data", "--stream", "SAL"],
                 ["db", "restore", "--yes", str(box / "monday.db")]):
        done = sp(tmp_path, db, *args, umask=0)
        assert done.returncode == 0 and done.stderr == "", (args, done.stderr)
    names = sorted(p.name for p in box.iterdir())
    assert "crm.db" in names and "monday.db" in names
    assert any(n.startswith("crm.db.backup-before-restore-") for n in names), names
    for path in box.iterdir():
        assert mode_of(path) & 0o007 == 0, (path.name, oct(mode_of(path)))  # no access for others
    for name in ["crm.db", "monday.db"] + [n for n in names if ".backup-" in n]:
        assert mode_of(box / name) == 0o660, name  # the team's group reads and writes
    done = sp(tmp_path, db, "item", "list", "--json")
    assert [r["title"] for r in json.loads(done.stdout)] == ["Import leads"]


def test_restore_into_a_new_path_creates_a_group_only_file(ctx, db_path, tmp_path, cli):
    streams.add_stream(ctx, "SAL", "Sales")
    copy = tmp_path / "copy.db"
    assert cli(db_path, "--user", "tester", "db", "backup", str(copy))[0] == 0
    fresh = tmp_path / "elsewhere.db"
    old = os.umask(0)
    try:
        code, out, err = cli(fresh, "--user", "tester", "db", "restore", "--yes", str(copy))
    finally:
        os.umask(old)
    assert code == 0, err
    assert mode_of(fresh) == 0o660
    assert "saved as" not in out  # there was nothing to keep
    assert list(tmp_path.glob("elsewhere.db.backup-*")) == []


# --------------------------------------------------------------------------- world-writable warning


def test_cli_warns_on_stderr_in_one_line_when_the_file_is_world_writable(tmp_path, cli):
    db = tmp_path / "crm.db"
    assert cli(db, "init")[0] == 0
    assert cli(db, "item", "list")[2] == ""
    os.chmod(db, 0o666)
    for args in (["item", "list"], ["db", "current"], ["init"], ["stream", "add", "SAL", "Sales"]):
        code, out, err = cli(db, *args)
        assert code == 0, (args, err)
        lines = err.splitlines()
        assert len(lines) == 1, (args, err)  # once, even when a command opens the file twice
        assert lines[0].startswith("sprinttui: warning: ") and WARNING in lines[0]
        assert str(db) in lines[0] and "chmod o-rwx" in lines[0]
        assert WARNING not in out  # scripts reading stdout are not disturbed
    os.chmod(db, 0o660)
    assert cli(db, "item", "list")[2] == ""


async def test_app_shows_a_warning_at_start_when_the_file_is_world_writable(ctx, db_path):
    os.chmod(db_path, 0o666)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app, pilot)
        warnings = [text for severity, text in app.note_log if severity == "warning" and WARNING in text]
        assert len(warnings) == 1 and str(db_path) in warnings[0]


async def test_app_does_not_warn_about_a_group_only_file(ctx, db_path):
    assert mode_of(db_path) == 0o660
    app = make_app(ctx)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app, pilot)
        assert not [text for _s, text in app.note_log if WARNING in text]


# --------------------------------------------------------------------------- who did it


def _actors(db: Path) -> list[tuple[str, str, str]]:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(db)) as con:
        return con.execute("SELECT i.key, e.field, e.actor FROM item_event e JOIN item i ON i.id = e.item_id"
                           " ORDER BY e.id").fetchall()


def test_history_names_the_acting_user_of_every_change(tmp_path, cli):
    db = tmp_path / "crm.db"
    me = login_name()
    steps = [(["init"], None), (["stream", "add", "SAL", "Sales"], None),
             (["--user", "ann", "item", "add", "Import leads", "--stream", "SAL"], None),
             (["item", "move", "SAL-1", "doing"], "bob"),
             (["item", "edit", "SAL-1", "--title", "Import all leads"], None),
             (["--user", "carol", "item", "move", "SAL-1", "done"], "bob")]
    for args, user_env in steps:
        code, _out, err = cli(db, *args, user_env=user_env)
        assert code == 0, (args, err)
    assert _actors(db) == [("SAL-1", "created", "ann"), ("SAL-1", "status", "bob"),
                           ("SAL-1", "title", me), ("SAL-1", "status", "carol")]


def test_administrator_can_turn_user_override_off_so_the_login_name_is_recorded(tmp_path, cli):
    db = tmp_path / "crm.db"
    me = login_name()
    for args in (["init"], ["stream", "add", "SAL", "Sales"], ["project", "set", "--allow-user-override", "no"]):
        code, _out, err = cli(db, *args)
        assert code == 0, (args, err)
    code, out, _err = cli(db, "project", "show", "--json")
    assert json.loads(out)["allow_user_override"] is False

    refused = [cli(db, "--user", "mallory", "item", "add", "Sneaky", "--stream", "SAL"),
               cli(db, "item", "add", "Sneaky", "--stream", "SAL", user_env="mallory"),
               # nor can someone turn it back on under another name
               cli(db, "--user", "mallory", "project", "set", "--allow-user-override", "yes")]
    for code, _out, err in refused:
        assert code == 2
        assert err.startswith("sprinttui: error: ") and err.count("\n") == 1
        assert "--user" in err and "login name" in err
    assert json.loads(cli(db, "item", "list", "--json")[1]) == []

    # the login name itself is fine, given or not
    assert cli(db, "--user", me, "item", "add", "Import leads", "--stream", "SAL")[0] == 0
    assert cli(db, "item", "move", "SAL-1", "doing")[0] == 0
    assert _actors(db) == [("SAL-1", "created", me), ("SAL-1", "status", me)]

    assert cli(db, "project", "set", "--allow-user-override", "yes")[0] == 0
    assert cli(db, "--user", "ann", "item", "move", "SAL-1", "done")[0] == 0
    assert _actors(db)[-1] == ("SAL-1", "status", "ann")


def test_project_set_changes_settings_and_refuses_bad_values(ctx, db_path, cli):
    code, out, err = cli(db_path, "project", "set", "--name", "CRM go-live", "--working-days", "mon,tue,wed,thu",
                         "--points-per-day", "1.5", "--sprint-length", "10")
    assert code == 0, err
    st = project.get_settings(ctx)
    assert (st.name, st.working_days_text, st.points_per_day, st.sprint_length_days) == (
        "CRM go-live", "mon,tue,wed,thu", 1.5, 10)
    for args, fragment in ((["--points-per-day", "lots"], "points per day"),
                           (["--working-days", "someday"], "weekday"),
                           ([], "nothing to change")):
        code, out, err = cli(db_path, "project", "set", *args)
        assert code == 2 and err.count("\n") == 1 and fragment in err, (args, err)
    code, out, err = cli(db_path, "project", "set", "--allow-user-override", "perhaps")
    assert code == 2 and "yes or no" in err
    assert project.get_settings(ctx) == st


# --------------------------------------------------------------------------- no user data in SQL or shell

SQL_SINKS = {"execute", "executemany", "executescript", "exec_driver_sql", "exec"}
SHELL_CALLS = {("os", "system"), ("os", "popen"), ("asyncio", "create_subprocess_shell")}

# The few places allowed to build SQL text: (file under the root, source of the argument).
ALLOWED = {
    # PRAGMAs take no bound parameters; this one formats an int() of a module
    # constant (the busy timeout), never user data.
    ("src/sprinttui/store/connection.py", '"PRAGMA busy_timeout = %d" % int(BUSY_TIMEOUT_MS)'),
    # salvaging a damaged file reads each of the program's own tables (names of its
    # metadata, checked against it, never a name read from the file)
    ("src/sprinttui/store/integrity.py", 'f"SELECT * FROM {quoted}"'),
}


def _dynamic(node: ast.AST) -> bool:
    """A string built at run time: f-string with a field, %, + or .format()."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return any((isinstance(side, ast.Constant) and isinstance(side.value, str))
                   or isinstance(side, ast.JoinedStr) or _dynamic(side) for side in (node.left, node.right))
    return bool(isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format")


def unsafe_calls(source: str, filename: str = "<src>") -> list[tuple[int, str]]:
    """(line, source) of each SQL text built from run-time strings, and each shell command."""
    tree = ast.parse(source, filename)
    sql_text_names, sa_modules = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("sqlalchemy", "sqlmodel"):
            sql_text_names |= {a.asname or a.name for a in node.names if a.name == "text"}
        if isinstance(node, ast.Import):
            sa_modules |= {a.asname or a.name for a in node.names if a.name.split(".")[0] in ("sqlalchemy", "sqlmodel")}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        sql = (isinstance(f, ast.Name) and f.id in sql_text_names) or (
            isinstance(f, ast.Attribute) and (f.attr in SQL_SINKS or (
                f.attr == "text" and isinstance(f.value, ast.Name) and f.value.id in sa_modules)))
        if sql and node.args and _dynamic(node.args[0]):
            found.append((node.lineno, ast.get_source_segment(source, node.args[0]) or ""))
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and (f.value.id, f.attr) in SHELL_CALLS:
            found.append((node.lineno, ast.get_source_segment(source, node) or ""))
        for kw in node.keywords:
            if kw.arg == "shell" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                found.append((node.lineno, ast.get_source_segment(source, node) or ""))
    return sorted(found)


def test_the_scanner_finds_each_kind_of_unsafe_call():
    bad = '''
from sqlalchemy import text as sql_text
import sqlalchemy as sa
import os, subprocess
conn.execute(sql_text(f"SELECT * FROM item WHERE title = '{title}'"))
conn.execute(sa.text("DELETE FROM item WHERE key = '%s'" % key))
conn.exec_driver_sql(f"DROP TABLE {name}")
cur.execute("SELECT * FROM item WHERE key = '" + key + "'")
cur.executescript("UPDATE item SET title = '{}'".format(title))
os.system(f"cp {path} /tmp")
subprocess.run(cmd, shell=True)
'''
    assert [line for line, _ in unsafe_calls(bad)] == [5, 6, 7, 8, 9, 10, 11]
    fine = '''
from sqlalchemy import text
from sprinttui.tui.safe import text as label
conn.execute(text("SELECT * FROM item WHERE key = :key"), {"key": key})
cur.execute("PRAGMA foreign_keys = ON" if on else "PRAGMA foreign_keys = OFF")
label(f"{m.availability}%")
subprocess.run([sys.executable, "-m", "sprinttui"], shell=False)
'''
    assert unsafe_calls(fine) == []


def test_no_user_data_is_interpolated_into_sql_or_shell_commands():
    files = sorted((ROOT / "src").rglob("*.py")) + sorted((ROOT / "migrations").rglob("*.py"))
    assert len(files) > 20
    found = []
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        for line, code in unsafe_calls(path.read_text(encoding="utf-8"), rel):
            if (rel, code) not in ALLOWED:
                found.append(f"{rel}:{line}: {code}")
    assert found == []
    # the brief's plain patterns too, whatever the code around them
    for path in files:
        body = path.read_text(encoding="utf-8")
        for pattern in ('execute(f"', "execute(f'", 'exec_driver_sql(f"', "exec_driver_sql(f'", "os.system(",
                        "shell=True"):
            assert pattern not in body, (path, pattern)
