"""Bad database files: a file that is no database, another program's SQLite
database, a truncated database (also one that breaks while the app has it open),
a read-only database and a full disk.

Each gives one line naming the problem (exit 2 on the command line, an error
notification in the app that keeps running), never a traceback, and leaves the
file as it was: nothing half-written, no backup of a broken file, a refused
write saved nowhere.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import resource
import sqlite3
import subprocess
import sys
from contextlib import closing, contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool
from textual.widgets import TextArea

from sprinttui.cli import main
from sprinttui.domain import StorageError
from sprinttui.services import items, members, open_ctx, project, sprints, streams
from sprinttui.services.context import Ctx
from sprinttui.store.engine import Database
from sprinttui.tui.editor import ItemEditor
from tui_support import board_of, error_notes, make_app, press, settle

# --------------------------------------------------------------------------- helpers

BIG = "Ω" * 50_000  # 100 kB of UTF-8: more pages than a full disk has room for


@pytest.fixture
def cli(capsys, monkeypatch):
    monkeypatch.delenv("SPRINTTUI_DB", raising=False)
    monkeypatch.delenv("SPRINTTUI_USER", raising=False)

    def run(db, *args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--db", str(db), "--user", "tester", *args])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err and "\x1b" not in out + err
        return code, out, err

    return run


def assert_one_line_error(code: int, err: str, *fragments: str) -> None:
    assert code == 2, err
    assert err.startswith("sprinttui: error: ") and err.count("\n") == 1, repr(err)
    for f in fragments:
        assert f in err, (f, err)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_db(src: Path, dest: Path) -> Path:
    with closing(sqlite3.connect(src)) as a, closing(sqlite3.connect(dest)) as b:
        a.backup(b)
    return dest


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """Stream SAL, member ann, sprint S1 running with 20 items (SAL-1 … SAL-20)."""
    path = tmp_path_factory.mktemp("bad-files") / "template.db"
    db = Database(f"sqlite:///{path}")
    c = Ctx(db, "tester")
    project.init_project(c, "Bad files")
    streams.add_stream(c, "SAL", "Sales")
    members.add_member(c, "ann", "Ann", stream="SAL")
    today = c.today()
    sprints.new_sprint(c, "S1", start=today - timedelta(days=2), end=today + timedelta(days=9),
                       goal="Survive bad files")
    for i in range(20):
        items.create_item(c, f"Item {i + 1} " + "padding " * 40, stream="SAL", sprint="S1", points=1,
                          description="x" * 2000)
    sprints.start_sprint(c, "S1")
    db.dispose()
    return path


@pytest.fixture
def good(template, tmp_path) -> Path:
    return copy_db(template, tmp_path / "project.db")


@contextmanager
def on_connect(path: Path, pragma):
    """Run `pragma(connection)` (an SQL statement) on every new connection to
    the database at `path`, whoever opens it (the services, the CLI, the app)."""
    target = str(path.resolve())

    def hook(dbapi_conn, _record):
        files = [row[2] for row in dbapi_conn.execute("PRAGMA database_list")]
        if target in files:
            dbapi_conn.execute(pragma(dbapi_conn))

    event.listen(Pool, "connect", hook)
    try:
        yield
    finally:
        event.remove(Pool, "connect", hook)


def disk_full(path: Path):
    """The disk is full for this file: it may not grow by a single page."""
    return on_connect(path, lambda con: f"PRAGMA max_page_count = {con.execute('PRAGMA page_count').fetchone()[0]:d}")


def query_only(path: Path):
    """Connections that cannot write, as for a file without write permission."""
    return on_connect(path, lambda con: "PRAGMA query_only = 1")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SPRINTTUI_DB", "SPRINTTUI_USER")}
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "xdg"), PYTHONIOENCODING="utf-8")
    return env


def run_process(tmp_path: Path, db: Path, *args: str, preexec=None) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "sprinttui", "--db", str(db), "--user", "tester", *args],
                          capture_output=True, text=True, env=_env(tmp_path), timeout=60, preexec_fn=preexec)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


def item_count(path: Path) -> int:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        return con.execute("SELECT count(*) FROM item").fetchone()[0]


# --------------------------------------------------------------------------- not a database


NOT_DATABASES = {
    "text.db": b"hello, this is a shopping list and not a database\n",
    "binary.db": bytes(range(256)) * 20,
    "tiny.db": b"hi",
    "pdf.db": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"\x00" * 100,
}


@pytest.mark.parametrize("name", list(NOT_DATABASES))
def test_a_file_that_is_no_database_is_refused_and_left_alone(tmp_path, cli, name):
    path = tmp_path / name
    path.write_bytes(NOT_DATABASES[name])
    for args in (["item", "list"], ["item", "add", "x", "--stream=SAL"], ["init", "--name=x"], ["db", "upgrade"]):
        code, out, err = cli(path, *args)
        assert_one_line_error(code, err)
        assert "not a sprinttui" in err or "corrupted" in err, err
    assert path.read_bytes() == NOT_DATABASES[name]
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no backup, no journal left behind
    with pytest.raises(StorageError) as info:
        open_ctx(str(path), "tester")
    assert "\n" not in str(info.value)


def test_a_folder_or_a_missing_folder_as_the_database(tmp_path, cli):
    code, out, err = cli(tmp_path, "item", "list")
    assert_one_line_error(code, err, "is a folder")
    hostile = tmp_path / "no\x1b[2Jsuch" / "x.db"
    code, out, err = cli(hostile, "stream", "list")
    assert_one_line_error(code, err, "does not exist", "no?[2Jsuch")  # the escape shown as '?'
    assert not hostile.parent.exists()


def test_another_programs_sqlite_database_is_refused(tmp_path, cli):
    path = tmp_path / "places.sqlite"
    with closing(sqlite3.connect(path)) as con:
        con.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        con.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
        con.commit()
    code, out, err = cli(path, "item", "add", "x", "--stream=SAL")
    assert_one_line_error(code, err, "belongs to another program")
    with closing(sqlite3.connect(path)) as con:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        assert tables == ["moz_places"]
        assert con.execute("SELECT url FROM moz_places").fetchall() == [("https://example.org",)]
    assert not [p for p in tmp_path.iterdir() if "backup" in p.name]


def test_another_programs_sqlite_database_keeps_its_journal_mode(tmp_path, cli):
    path = tmp_path / "places.sqlite"
    with closing(sqlite3.connect(path)) as con:
        con.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        con.commit()
    before = path.read_bytes()
    code, out, err = cli(path, "item", "list")
    assert_one_line_error(code, err, "belongs to another program")
    with closing(sqlite3.connect(path)) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert path.read_bytes() == before


# --------------------------------------------------------------------------- truncated


def test_a_truncated_database_gives_one_line_and_is_not_backed_up(good, tmp_path, cli):
    size = good.stat().st_size
    assert size > 20 * 4096
    for cut in (100, 4096, size // 2, size - 4096):
        path = tmp_path / f"cut{cut}.db"
        path.write_bytes(good.read_bytes()[:cut])
        before = digest(path)
        for args in (["item", "list"], ["item", "show", "SAL-20"], ["item", "add", "x", "--stream=SAL"],
                     ["report"], ["export", "--format=json"], ["db", "upgrade"]):
            code, out, err = cli(path, *args)
            assert_one_line_error(code, err, "corrupted")
        assert digest(path) == before, cut
    assert not [p for p in tmp_path.iterdir() if "backup" in p.name]
    proc = run_process(tmp_path, tmp_path / "cut4096.db", "item", "list")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "corrupted" in proc.stderr, proc.stderr


async def test_the_app_reports_a_database_that_breaks_while_open(good):
    db = Database(f"sqlite:///{good}")
    c = Ctx(db, "tester")
    app = make_app(c)
    try:
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await settle(app, pilot)
            assert len(board_of(app).columns[0].cards) == 20
            data = good.read_bytes()
            with open(good, "r+b") as fh:  # another process, a disk error: half the file is gone
                fh.truncate(len(data) // 2)
            await press(app, pilot, "2")  # the backlog loads its rows
            await press(app, pilot, "1", ">")  # back to the board, move a card
            assert app.is_running
            errors = error_notes(app)
            assert errors and all("corrupted" in e for e in errors), errors
            assert all("\n" not in e and "Traceback" not in e for e in errors)
            await press(app, pilot, "q")
        assert not app.is_running
    finally:
        db.dispose()


# --------------------------------------------------------------------------- read-only


def _drop_file_capabilities() -> None:
    """In the child (root): without CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and
    CAP_FOWNER the file's mode counts for root too."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2, 3):
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            os._exit(97)


def _read_only_runner():
    if os.geteuid() != 0:
        return None
    # tests may run as root, for whom chmod does not stop writes: run the
    # command without the capabilities that let root ignore a file's mode
    probe = subprocess.run([sys.executable, "-c", "open('/proc/self/status').read()"],
                           preexec_fn=_drop_file_capabilities)
    if probe.returncode == 97:
        pytest.skip("running as root without the right to drop capabilities: chmod cannot make a file read-only")
    return _drop_file_capabilities


def test_a_read_only_database_reads_and_refuses_writes_in_one_line(good, tmp_path):
    preexec = _read_only_runner()
    good.chmod(0o440)
    before = digest(good)
    listed = run_process(tmp_path, good, "item", "list", preexec=preexec)
    assert listed.returncode == 0 and "SAL-20" in listed.stdout, listed.stderr
    for args in (["item", "add", "x", "--stream=SAL"], ["item", "move", "SAL-1", "done"],
                 ["stream", "add", "OPS", "Operations"]):
        proc = run_process(tmp_path, good, *args, preexec=preexec)
        assert proc.returncode == 2 and proc.stdout == "", (args, proc.stdout)
        assert proc.stderr == "sprinttui: error: the database is read-only for you; check the file's permissions\n"
    good.chmod(0o660)
    assert digest(good) == before
    assert item_count(good) == 20


def rows(path: Path) -> list[tuple]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        return con.execute("SELECT key, status, title, version FROM item ORDER BY id").fetchall()


def test_read_only_connections_refuse_writes_in_the_services_and_the_cli(good, cli):
    before = rows(good)
    with query_only(good):
        db = Database(f"sqlite:///{good}")
        c = Ctx(db, "tester")
        try:
            assert len(items.list_items(c)) == 20
            for write in (lambda: items.create_item(c, "new", stream="SAL"),
                          lambda: items.move_item(c, "SAL-1", "done"),
                          lambda: streams.add_stream(c, "OPS", "Operations")):
                with pytest.raises(StorageError) as info:
                    write()
                assert str(info.value) == "the database is read-only for you; check the file's permissions"
        finally:
            db.dispose()
        code, out, err = cli(good, "item", "edit", "SAL-2", "--title=changed")
        assert_one_line_error(code, err, "read-only")
    assert rows(good) == before


async def test_the_app_on_a_read_only_database_says_so_and_keeps_the_board(good):
    with query_only(good):
        db = Database(f"sqlite:///{good}")
        c = Ctx(db, "tester")
        app = make_app(c)
        try:
            async with app.run_test(size=(80, 24), notifications=True) as pilot:
                await settle(app, pilot)
                first = board_of(app).focused_card.key
                await press(app, pilot, ">")
                assert app.is_running
                assert error_notes(app) == ["the database is read-only for you; check the file's permissions"]
                assert [card.key for card in board_of(app).columns[0].cards][0] == first  # still to do
        finally:
            db.dispose()
    assert item_count(good) == 20


# --------------------------------------------------------------------------- a full disk


def test_a_full_disk_saves_nothing_and_says_so_in_one_line(good, cli):
    with disk_full(good):
        db = Database(f"sqlite:///{good}")
        c = Ctx(db, "tester")
        try:
            with pytest.raises(StorageError) as info:
                items.create_item(c, "too big", stream="SAL", description=BIG)
            assert str(info.value) == "could not write: the disk is full or failing; nothing was saved"
            with pytest.raises(StorageError):
                items.edit_item(c, "SAL-3", title="new title", description=BIG)
            assert items.get_row(c, "SAL-3").title.startswith("Item 3 ")  # the title did not change alone
        finally:
            db.dispose()
        code, out, err = cli(good, "item", "add", "big", "--stream=SAL", f"--description={BIG}")
        assert_one_line_error(code, err, "disk is full")
    assert item_count(good) == 20
    c = Ctx(Database(f"sqlite:///{good}"), "tester")
    assert items.create_item(c, "after the disk has room", stream="SAL", description=BIG).key == "SAL-21"
    c.db.dispose()


def test_a_process_that_may_not_grow_its_files_says_the_disk_is_full(good, tmp_path):
    """A real write error (EFBIG, as ENOSPC would be) in a real process."""
    def limit_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    proc = run_process(tmp_path, good, "item", "add", "big", "--stream=SAL", f"--description={BIG}",
                       preexec=limit_file_size)
    assert proc.returncode == 2 and proc.stdout == "", proc.stdout
    assert proc.stderr == "sprinttui: error: could not write: the disk is full or failing; nothing was saved\n"
    listed = run_process(tmp_path, good, "item", "list", "--json", preexec=limit_file_size)
    assert listed.returncode == 0 and '"big"' not in listed.stdout and "SAL-20" in listed.stdout
    assert item_count(good) == 20


async def test_the_editor_keeps_the_text_when_the_disk_is_full(good):
    with disk_full(good):
        db = Database(f"sqlite:///{good}")
        c = Ctx(db, "tester")
        app = make_app(c)
        try:
            async with app.run_test(size=(80, 24), notifications=True) as pilot:
                await settle(app, pilot)
                key = board_of(app).focused_card.key
                await press(app, pilot, "enter")
                editor = app.screen
                assert isinstance(editor, ItemEditor)
                await settle(app, pilot)
                editor.query_one("#f-description", TextArea).load_text(BIG)
                await press(app, pilot, "ctrl+s")
                assert app.is_running and app.screen is editor  # still open: nothing typed is lost
                assert editor.query_one("#f-description", TextArea).text == BIG
                assert error_notes(app) == ["could not write: the disk is full or failing; nothing was saved"]
                assert items.get_item(c, key).description == "x" * 2000
        finally:
            db.dispose()
