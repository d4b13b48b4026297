"""Finding 6: every error of the command line is one line, `sprinttui: error: …`,
exit 2, and nothing is written: arguments that are not UTF-8, files and folders
of another user, usage errors of every sub-command, `~nouser`."""

from __future__ import annotations

import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from test_bad_files import _env


def sprinttui(tmp_path: Path, *args: str | bytes, db: Path | str | None = None,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python -m sprinttui ARGS`; bytes pass through as they are (not UTF-8)."""
    pre: list[str | bytes] = ["--db", str(db)] if db is not None else []
    return subprocess.run([sys.executable, "-m", "sprinttui", *pre, *args], capture_output=True,
                          env=env or _env(tmp_path), timeout=60, text=True, encoding="utf-8", errors="replace")


def assert_one_line_error(proc: subprocess.CompletedProcess, *words: str) -> str:
    lines = proc.stderr.splitlines()
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert len(lines) == 1 and lines[0].startswith("sprinttui: error: "), proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def rows(path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project with stream SAL, member ann, sprint S1, KPI K and item SAL-1."""
    folder = tmp_path_factory.mktemp("cli_errors")
    path = folder / "p.db"
    for args in (["init", "--name", "P"], ["stream", "add", "SAL", "Sales"], ["member", "add", "ann", "Ann"],
                 ["sprint", "new", "S1", "--start", "2026-01-05", "--end", "2026-01-16"], ["kpi", "add", "K"],
                 ["item", "add", "--stream", "SAL", "first"]):
        proc = sprinttui(folder, *args, db=path)
        assert proc.returncode == 0, (args, proc.stderr)
    return path


def snapshot(path: Path) -> bytes:
    """Everything in the file (the WAL checkpointed first), to prove nothing changed."""
    with closing(sqlite3.connect(path)) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return "\n".join(con.iterdump()).encode()


# --------------------------------------------------------------------------- not UTF-8

NOT_UTF8 = b"caf\xe9"  # 'café' typed in a latin-1 terminal

BAD_TEXT = [
    ["item", "add", "--stream", "SAL", NOT_UTF8],
    ["item", "edit", "SAL-1", "--title", NOT_UTF8],
    ["item", "edit", "SAL-1", "--description", NOT_UTF8],
    ["kpi", "add", NOT_UTF8],
    ["kpi", "record", "K", "3", "--note", NOT_UTF8],
    ["member", "add", "bob", NOT_UTF8],
    ["member", "edit", "ann", "--name", NOT_UTF8],
    ["stream", "add", "OPS", NOT_UTF8],
    ["stream", "edit", "SAL", "--description", NOT_UTF8],
    ["sprint", "new", NOT_UTF8, "--start", "2026-02-02", "--end", "2026-02-13"],
    ["sprint", "edit", "S1", "--goal", NOT_UTF8],
]


@pytest.mark.parametrize("args", BAD_TEXT, ids=lambda a: "-".join(x for x in a[:2] if isinstance(x, str)))
def test_text_that_is_not_utf8_is_one_line_and_writes_nothing(project, tmp_path, args):
    before = snapshot(project)
    proc = sprinttui(tmp_path, *args, db=project)
    assert_one_line_error(proc, "not valid UTF-8", r"caf\xe9")
    assert snapshot(project) == before


# --------------------------------------------------------------------------- usage errors

USAGE_ERRORS = [
    (["item", "add", "title only"], "sprinttui item add --help"),  # --stream missing
    (["item", "add"], "sprinttui item add --help"),
    (["item", "add", "--stream", "SAL", "t", "--nope"], "sprinttui item add --help"),  # unknown option
    (["item", "add", "--stream"], "sprinttui item add --help"),  # option without its value
    (["item"], "sprinttui item --help"),  # no action
    (["item", "fly"], "sprinttui item --help"),  # bad choice
    (["nope"], "sprinttui --help"),
    (["--nope"], "sprinttui --help"),
    (["seed", "--items", "x"], "sprinttui seed --help"),  # bad type
    (["seed", "--items", "0"], "sprinttui seed --help"),
    (["item", "list", "--limit", "many"], "sprinttui item list --help"),
    (["kpi", "record", "K"], "sprinttui kpi record --help"),
    (["member", "absence", "ann"], "sprinttui member absence --help"),
    (["project", "admin", "add"], "sprinttui project admin add --help"),
    (["project", "admin", "add", "x", "--zz"], "sprinttui project admin add --help"),
    (["member", "edit", "ann", "--active", "--inactive"], "sprinttui member edit --help"),
    (["--stream", "SAL", "item", "list"], "sprinttui"),
]


@pytest.mark.parametrize("args,hint", USAGE_ERRORS, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_usage_errors_are_one_line_naming_the_help(project, tmp_path, args, hint):
    before = snapshot(project)
    proc = sprinttui(tmp_path, *args, db=project)
    line = assert_one_line_error(proc, hint)
    assert "usage:" not in line
    assert proc.stdout == ""
    assert snapshot(project) == before


def test_help_still_prints_the_usage(tmp_path):
    proc = sprinttui(tmp_path, "item", "add", "--help")
    assert proc.returncode == 0 and "usage: sprinttui item add" in proc.stdout and proc.stderr == ""


# --------------------------------------------------------------------------- ~nouser

def test_a_home_folder_of_no_user_is_one_line(tmp_path):
    proc = sprinttui(tmp_path, "stream", "list", db="~nosuchuser4242/x.db")
    assert_one_line_error(proc, "nosuchuser4242")


# --------------------------------------------------------------------------- another user's files
# The tests run as root, who reads any file. Root without the capabilities to
# bypass file permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) meets a file
# owned by `nobody` as any other user would; the code in /root stays readable.

DROP_CAPS = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner"]


def _can_drop_caps() -> bool:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return False
    try:
        pwd.getpwnam("nobody")
        probe = subprocess.run([*DROP_CAPS, sys.executable, "-c", "import sprinttui"], capture_output=True,
                               timeout=60)
    except (KeyError, OSError):
        return False
    return probe.returncode == 0


needs_root = pytest.mark.skipif(not _can_drop_caps(), reason="needs root and setpriv to meet another user's file")


def as_other_user(tmp_path: Path, db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*DROP_CAPS, sys.executable, "-m", "sprinttui", "--db", str(db), *args],
                          capture_output=True, env=_env(tmp_path), timeout=60, text=True, encoding="utf-8")


@pytest.fixture
def nobodys(tmp_path) -> Path:
    """A project in a folder of its own, both owned by the user `nobody`."""
    folder = tmp_path / "theirs"
    folder.mkdir()
    db = folder / "p.db"
    for args in (["init", "--name", "P"], ["stream", "add", "SAL", "Sales"]):
        proc = sprinttui(tmp_path, *args, db=db)
        assert proc.returncode == 0, proc.stderr
    with closing(sqlite3.connect(db)) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.execute("PRAGMA journal_mode = DELETE")  # no -wal/-shm left beside it
    account = pwd.getpwnam("nobody")
    for path in (folder, db):
        os.chown(path, account.pw_uid, account.pw_gid)
    return db


@needs_root
@pytest.mark.parametrize("args", [["item", "list"], ["item", "add", "--stream", "SAL", "x"], ["stream", "list"]])
def test_a_file_of_another_user_with_mode_600_is_one_line(nobodys, tmp_path, args):
    os.chmod(nobodys, 0o600)
    before = nobodys.read_bytes()
    proc = as_other_user(tmp_path, nobodys, *args)
    line = assert_one_line_error(proc, "permission denied", str(nobodys))
    assert "PermissionError" not in line
    assert nobodys.read_bytes() == before


@needs_root
def test_a_backup_of_another_users_file_with_mode_600_is_one_line(nobodys, tmp_path):
    os.chmod(nobodys, 0o600)
    proc = as_other_user(tmp_path, nobodys, "db", "backup", str(tmp_path / "copy.db"))
    assert_one_line_error(proc, "permission denied", str(nobodys))
    assert not (tmp_path / "copy.db").exists()


@needs_root
@pytest.mark.parametrize("args", [["item", "add", "--stream", "SAL", "x"], ["item", "list"]])
def test_a_folder_the_user_cannot_write_is_named(nobodys, tmp_path, args):
    folder = nobodys.parent
    os.chmod(nobodys, 0o666)  # the file itself may be written; its folder not
    os.chmod(folder, 0o755)
    before = nobodys.read_bytes()
    proc = as_other_user(tmp_path, nobodys, *args)
    line = assert_one_line_error(proc, f"folder {folder}", "-wal")
    assert "read-only for you; check the file" not in line
    assert nobodys.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["p.db"]
