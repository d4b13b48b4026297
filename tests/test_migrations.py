"""Storage: creating, migrating, refusing and sharing the SQLite file."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from sprinttui.domain import StorageError
from sprinttui.services import items, members, project, reports, sprints, streams
from sprinttui.services.context import Ctx
from sprinttui.store import engine as engine_mod
from sprinttui.store import migrate
from sprinttui.store.engine import BUSY_TIMEOUT_MS, Database
from sprinttui.store.models import metadata
from sprinttui.store.schema import HEAD_REVISION

FIRST_REVISION = "0001_initial"


def url_of(path: Path) -> str:
    return f"sqlite:///{path}"


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def alembic_rows(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("SELECT version_num FROM alembic_version")]
    finally:
        con.close()


def build_at_revision(path: Path, revision: str) -> None:
    """Make a database with Alembic alone, on a plain SQLAlchemy connection."""
    from alembic import command

    eng = create_engine(url_of(path))
    try:
        with eng.begin() as conn:
            command.upgrade(migrate.alembic_config(conn), revision)
    finally:
        eng.dispose()


def fill_first_revision(path: Path) -> None:
    """Rows as the first revision stores them, written with plain SQL."""
    eng = create_engine(url_of(path))
    stamp = "2026-01-05 09:00:00.000000"
    later = "2026-01-06 10:00:00.000000"
    try:
        with eng.begin() as conn:
            conn.execute(text(
                "INSERT INTO project (id, name, sprint_length_days, working_days, points_per_day,"
                " allow_user_override, version) VALUES (1, 'Old project', 14, '0,1,2,3', 2.0, 1, 1)"))
            conn.execute(text(
                "INSERT INTO stream (id, key, name, lead_id, description, next_seq, version)"
                " VALUES (1, 'SAL', 'Sales', NULL, 'pipeline', 3, 1)"))
            conn.execute(text(
                "INSERT INTO member (id, handle, name, competences, availability, primary_stream_id,"
                " active, version) VALUES (1, 'alice', 'Alice', 'crm', 80, 1, 1, 1)"))
            conn.execute(text("UPDATE stream SET lead_id = 1 WHERE id = 1"))
            conn.execute(text(
                "INSERT INTO sprint (id, name, goal, start_date, end_date, state, started_at, closed_at,"
                " goal_met, version) VALUES (1, 'S1', 'go', '2026-01-05', '2026-01-16', 'active',"
                f" '{stamp}', NULL, NULL, 2)"))
            for iid, seq, title, pts, status in ((1, 1, 'Import leads', 3.0, 'done'),
                                                  (2, 2, 'Clean data', 5.0, 'doing')):
                conn.execute(text(
                    "INSERT INTO item (id, key, stream_id, seq, title, description, kind, assignee_id,"
                    " points, status, blocked, blocked_reason, blocked_since, rank, sprint_id, due_date,"
                    " labels, source_finding_id, kpi_id, slip_count, external_key, deleted, created_by,"
                    " created_at, updated_by, updated_at, version) VALUES"
                    f" ({iid}, 'SAL-{seq}', 1, {seq}, :title, '', 'story', 1, {pts}, '{status}', 0, '',"
                    f" NULL, {float(seq)}, 1, '2026-01-20', 'data', NULL, NULL, 0, NULL, 0, 'carol',"
                    f" '{stamp}', 'carol', '{later}', 3)"), {"title": title})
                conn.execute(text(
                    "INSERT INTO item_event (item_id, at, actor, field, old, new)"
                    f" VALUES ({iid}, '{stamp}', 'carol', 'created', NULL, :title)"), {"title": title})
                conn.execute(text(
                    "INSERT INTO sprint_event (sprint_id, item_id, kind, at, actor, points, status,"
                    f" target_sprint_id) VALUES (1, {iid}, 'commit', '{stamp}', 'carol', {pts}, 'todo', NULL)"))
            conn.execute(text(
                "INSERT INTO item_event (item_id, at, actor, field, old, new)"
                f" VALUES (1, '{later}', 'carol', 'status', 'todo', 'done')"))
    finally:
        eng.dispose()


# --------------------------------------------------------------------------- creating


def test_fresh_file_is_created_and_migrated_to_head(tmp_path):
    path = tmp_path / "new.db"
    db = Database(url_of(path))
    try:
        assert path.is_file()
        assert db.current_revision() == HEAD_REVISION
        assert HEAD_REVISION == migrate.head_revision()  # schema.py agrees with the migrations
        assert alembic_rows(path) == [HEAD_REVISION]
        with db.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
        assert set(metadata.tables) <= tables
    finally:
        db.dispose()


def test_models_and_migrations_do_not_differ(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    path = tmp_path / "auto.db"
    build_at_revision(path, "head")
    eng = create_engine(url_of(path))
    try:
        with eng.connect() as conn:
            mc = MigrationContext.configure(conn, opts={"render_as_batch": True, "compare_type": True})
            diff = compare_metadata(mc, metadata)
    finally:
        eng.dispose()
    assert diff == []


def test_new_database_file_is_group_shared_not_world_readable(tmp_path):
    old_umask = os.umask(0o002)  # a lax umask must not open the file to everyone
    try:
        path = tmp_path / "shared.db"
        db = Database(url_of(path))
        project.init_project(Ctx(db, "tester"))
    finally:
        os.umask(old_umask)
    try:
        assert mode_of(path) == 0o660
        for side in (Path(f"{path}-wal"), Path(f"{path}-shm")):
            if side.exists():
                assert mode_of(side) & 0o007 == 0, side.name
    finally:
        db.dispose()


def test_sqlite_pragmas(ctx):
    with ctx.db.read() as s:
        conn = s.connection()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar().lower() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        busy = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert busy == BUSY_TIMEOUT_MS and busy >= 1000
    # foreign keys are really enforced: a row pointing nowhere is refused, one line
    with pytest.raises(StorageError) as err:
        with ctx.db.write() as s:
            s.connection().exec_driver_sql(
                "INSERT INTO member (handle, name, competences, availability, primary_stream_id, active,"
                " version) VALUES ('x', 'X', '', 100, 999, 1, 1)")
    assert "\n" not in str(err.value)
    assert members.list_members(ctx) == []


# --------------------------------------------------------------------------- upgrading


def test_database_made_by_the_first_revision_keeps_its_data(tmp_path):
    path = tmp_path / "old.db"
    build_at_revision(path, FIRST_REVISION)
    fill_first_revision(path)
    assert alembic_rows(path) == [FIRST_REVISION]

    db = Database(url_of(path))
    try:
        assert db.current_revision() == HEAD_REVISION
        assert alembic_rows(path) == [HEAD_REVISION]
        # an upgrade happened: the original was copied next to it first
        (backup,) = tmp_path.glob("old.db.backup-*")
        assert backup.name.startswith("old.db.backup-0001_initial-")

        c = Ctx(db, "tester")
        st = project.get_settings(c)
        assert (st.name, st.working_days, st.points_per_day) == ("Old project", frozenset({0, 1, 2, 3}), 2.0)
        (stream,) = streams.list_streams(c)
        assert (stream.key, stream.lead, stream.members) == ("SAL", "alice", 1)
        assert members.get_member(c, "alice").availability == 80
        assert sprints.get_sprint(c, "current").name == "S1"
        rows = items.list_items(c)
        assert [(r.key, r.status, r.points, r.assignee, r.sprint) for r in rows] == [
            ("SAL-1", "done", 3.0, "alice", "S1"),
            ("SAL-2", "doing", 5.0, "alice", "S1"),
        ]
        detail = items.get_item(c, "SAL-1")
        assert detail.row.due_date == date(2026, 1, 20) and detail.created_by == "carol"
        assert [(h.field, h.new, h.actor) for h in items.history(c, "SAL-1")] == [
            ("created", "Import leads", "carol"), ("status", "done", "carol")]
        report = reports.sprint_report(c, "S1")
        assert report.totals.committed_points == 8.0
        assert report.totals.completed_points == 3.0
        # and the program keeps writing on top of the old rows
        new = items.create_item(c, "After upgrade", stream="SAL", points=1)
        assert new.key == "SAL-3"
        items.edit_item(c, "SAL-2", status="done", expected_version=3)
        assert reports.sprint_report(c, "S1").totals.completed_points == 8.0
    finally:
        db.dispose()


PROBE_REVISION = '''"""probe: a revision after head, only for the test"""
from alembic import op
import sqlalchemy as sa

revision = "9999_probe"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("zz_probe", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("zz_probe")
'''


def test_upgrade_of_a_database_behind_head_copies_it_first(tmp_path, monkeypatch):
    """A throw-away revision after the real head, in a copy of the migrations
    folder, which the program is made to expect: a database at the real head
    must then be backed up (group-only, consistent) and upgraded."""
    path = tmp_path / "team.db"
    build_at_revision(path, FIRST_REVISION)
    fill_first_revision(path)
    Database(url_of(path)).dispose()  # to the real head (this takes its own backup)
    for old in tmp_path.glob("team.db.backup-*"):
        old.unlink()
    os.chmod(path, 0o600)

    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.migrations_dir(), scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9999_probe.py").write_text(PROBE_REVISION.format(head=HEAD_REVISION))
    monkeypatch.setattr(migrate, "migrations_dir", lambda: scripts)
    monkeypatch.setattr(engine_mod, "HEAD_REVISION", "9999_probe")

    db = Database(url_of(path))
    try:
        assert db.current_revision() == "9999_probe"
        with db.engine.connect() as conn:
            assert inspect(conn).has_table("zz_probe")
        assert [r.key for r in items.list_items(Ctx(db, "tester"))] == ["SAL-1", "SAL-2"]
    finally:
        db.dispose()

    (backup,) = tmp_path.glob("team.db.backup-*")
    assert backup.name.startswith(f"team.db.backup-{HEAD_REVISION}-")
    assert mode_of(backup) == 0o660
    con = sqlite3.connect(backup)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert [r[0] for r in con.execute("SELECT version_num FROM alembic_version")] == [HEAD_REVISION]
        assert [r[0] for r in con.execute("SELECT key FROM item ORDER BY id")] == ["SAL-1", "SAL-2"]
        assert con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'zz_probe'").fetchone()[0] == 0
    finally:
        con.close()

    # opening again at head takes no second copy
    Database(url_of(path)).dispose()
    assert len(list(tmp_path.glob("team.db.backup-*"))) == 1


def test_backup_sqlite_makes_a_consistent_group_only_copy(ctx, db_path, tmp_path):
    streams.add_stream(ctx, "SAL", "Sales")
    for n in range(5):
        items.create_item(ctx, f"Item {n}", stream="SAL", points=n)
    dest = tmp_path / "copy.db"
    old_umask = os.umask(0o000)
    try:
        assert migrate.backup_sqlite(db_path, dest) == dest
    finally:
        os.umask(old_umask)
    assert mode_of(dest) == 0o660
    copy = Database(url_of(dest))
    try:
        c = Ctx(copy, "tester")
        assert [r.title for r in items.list_items(c)] == [f"Item {n}" for n in range(5)]
        assert copy.current_revision() == HEAD_REVISION
    finally:
        copy.dispose()


def test_database_from_a_newer_program_is_refused(tmp_path):
    path = tmp_path / "future.db"
    Database(url_of(path)).dispose()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999_future'")
    con.commit()
    con.close()

    with pytest.raises(StorageError) as err:
        Database(url_of(path))
    msg = str(err.value)
    assert "newer" in msg and "9999_future" in msg and "\n" not in msg
    assert alembic_rows(path) == ["9999_future"]  # untouched
    assert list(tmp_path.glob("future.db.backup-*")) == []


# --------------------------------------------------------------------------- refusing bad paths


@pytest.mark.parametrize("content", [
    b"name,points\nImport leads,3\nClean data,5\n",  # a CSV file
    b"hello",  # shorter than an SQLite header
    b"SQLite format 3\x00" + b"\xff" * 200,  # a damaged database
])
def test_a_file_that_is_not_a_database_is_refused(tmp_path, content):
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    with pytest.raises(StorageError) as err:
        Database(url_of(path))
    assert str(err.value) and "\n" not in str(err.value)
    assert path.read_bytes() == content  # and left alone


def test_missing_folder_or_a_folder_as_database_is_refused(tmp_path):
    missing = tmp_path / "no" / "such" / "dir" / "team.db"
    with pytest.raises(StorageError) as err:
        Database(url_of(missing))
    assert "\n" not in str(err.value) and "does not exist" in str(err.value)
    assert not (tmp_path / "no").exists()
    folder = tmp_path / "adir.db"
    folder.mkdir()
    with pytest.raises(StorageError) as err:
        Database(url_of(folder))
    assert "\n" not in str(err.value)


# --------------------------------------------------------------------------- processes


def _python(code: str, *args: str) -> subprocess.Popen:
    env = dict(os.environ)
    env.pop("SPRINTTUI_DB", None)
    return subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def test_six_processes_opening_a_fresh_file_at_once(tmp_path):
    path = tmp_path / "race.db"
    go = tmp_path / "go"
    code = textwrap.dedent("""
        import os, sys, time
        from sprinttui.store.engine import Database  # imported before the start signal
        go, url = sys.argv[1], sys.argv[2]
        deadline = time.monotonic() + 60
        while not os.path.exists(go) and time.monotonic() < deadline:
            time.sleep(0.002)
        db = Database(url)
        print(db.current_revision())
    """)
    procs = [_python(code, str(go), url_of(path)) for _ in range(6)]
    time.sleep(0.5)  # let them reach the start line (only widens the race, asserts nothing)
    go.touch()
    results = [p.communicate(timeout=180) for p in procs]
    for p, (out, errtxt) in zip(procs, results):
        assert p.returncode == 0, errtxt
        assert out.strip() == HEAD_REVISION
    assert alembic_rows(path) == [HEAD_REVISION]
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        con.close()
    assert set(metadata.tables) <= names
    assert list(tmp_path.glob("race.db.backup-*")) == []  # nobody "upgraded" a finished file


def test_opening_a_database_at_head_does_not_import_alembic(tmp_path):
    path = tmp_path / "lean.db"
    Database(url_of(path)).dispose()
    code = textwrap.dedent("""
        import sys
        from sprinttui.store.engine import Database
        db = Database(sys.argv[1])
        assert db.current_revision() is not None
        print('alembic' in sys.modules, 'sprinttui.store.migrate' in sys.modules)
    """)
    p = _python(code, url_of(path))
    out, errtxt = p.communicate(timeout=120)
    assert p.returncode == 0, errtxt
    assert out.split() == ["False", "False"]


def test_sqlite_file_of_another_program_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "places.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    con.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
    con.commit()
    con.close()

    def tables() -> set[str]:
        c = sqlite3.connect(path)
        try:
            return {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            c.close()

    try:
        with pytest.raises(StorageError) as err:
            Database(url_of(path)).dispose()
        assert "\n" not in str(err.value)
    finally:
        assert tables() == {"moz_places"}


def test_refusal_message_is_one_line_even_for_a_crafted_revision(tmp_path):
    path = tmp_path / "crafted.db"
    Database(url_of(path)).dispose()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = ?", ("9999_future\n\x1b[2Jgotcha",))
    con.commit()
    con.close()
    with pytest.raises(StorageError) as err:
        Database(url_of(path))
    msg = str(err.value)
    assert "newer" in msg
    assert msg.isprintable(), repr(msg)
