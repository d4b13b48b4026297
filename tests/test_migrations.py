"""Storage: creating, migrating, refusing and sharing the database.

Tests on the ``db_url`` fixture run on SQLite and, with SPRINTTUI_TEST_POSTGRES
set, once more on a fresh PostgreSQL database; those about the SQLite file
itself (permissions, backups, damaged files) run on SQLite only. The last
section holds tests that only mean something on PostgreSQL."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from datetime import UTC, date
from pathlib import Path

import pytest
from sqlalchemy import Boolean, Date, DateTime, bindparam, create_engine, inspect, text

from sprinttui.domain import StorageError
from sprinttui.services import items, members, project, reports, sprints, streams
from sprinttui.services.context import Ctx, login_name
from sprinttui.store import engine as engine_mod
from sprinttui.store import migrate
from sprinttui.store.engine import BUSY_TIMEOUT_MS, Database, sqlite_path
from sprinttui.store.models import metadata
from sprinttui.store.schema import HEAD_REVISION

FIRST_REVISION = "0001_initial"


def url_of(path: Path) -> str:
    return f"sqlite:///{path}"


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def alembic_rows(where: Path | str) -> list[str]:
    """The rows of alembic_version, of a SQLite file (a path) or at a URL."""
    eng = create_engine(where if isinstance(where, str) else url_of(where))
    try:
        with eng.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))]
    finally:
        eng.dispose()


def table_names(url: str) -> set[str]:
    eng = create_engine(url)
    try:
        with eng.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        eng.dispose()


def run_sql(url: str, *statements: str, **params) -> None:
    """Plain SQL, one transaction, on a connection of its own."""
    eng = create_engine(url)
    try:
        with eng.begin() as conn:
            for statement in statements:
                conn.execute(text(statement), params)
    finally:
        eng.dispose()


def build_at_revision(where: Path | str, revision: str) -> None:
    """Make a database with Alembic alone, on a plain SQLAlchemy connection."""
    from alembic import command

    eng = create_engine(where if isinstance(where, str) else url_of(where))
    try:
        with eng.begin() as conn:
            command.upgrade(migrate.alembic_config(conn), revision)
    finally:
        eng.dispose()


def fill_first_revision(where: Path | str) -> None:
    """Rows as the first revision stores them, written with plain SQL (the ids
    come from the database, as they did for the program of that revision)."""
    from datetime import datetime

    eng = create_engine(where if isinstance(where, str) else url_of(where))
    stamp = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    later = datetime(2026, 1, 6, 10, 0, tzinfo=UTC)
    typed = [bindparam("stamp", stamp, type_=DateTime(timezone=True)),
             bindparam("later", later, type_=DateTime(timezone=True)),
             bindparam("yes", True, type_=Boolean()), bindparam("no", False, type_=Boolean()),
             bindparam("start", date(2026, 1, 5), type_=Date()), bindparam("end", date(2026, 1, 16), type_=Date()),
             bindparam("due", date(2026, 1, 20), type_=Date())]

    def sql(statement: str, **params):
        used = [b for b in typed if f":{b.key}" in statement]
        return conn.execute(text(statement).bindparams(*used), params)

    sprint = "(SELECT id FROM sprint WHERE name = 'S1')"
    alice = "(SELECT id FROM member WHERE handle = 'alice')"
    sal = "(SELECT id FROM stream WHERE key = 'SAL')"
    try:
        with eng.begin() as conn:
            sql("INSERT INTO project (name, sprint_length_days, working_days, points_per_day,"
                " allow_user_override, version) VALUES ('Old project', 14, '0,1,2,3', 2.0, :yes, 1)")
            sql("INSERT INTO stream (key, name, lead_id, description, next_seq, version)"
                " VALUES ('SAL', 'Sales', NULL, 'pipeline', 3, 1)")
            sql("INSERT INTO member (handle, name, competences, availability, primary_stream_id,"
                f" active, version) VALUES ('alice', 'Alice', 'crm', 80, {sal}, :yes, 1)")
            sql(f"UPDATE stream SET lead_id = {alice} WHERE key = 'SAL'")
            sql("INSERT INTO sprint (name, goal, start_date, end_date, state, started_at, closed_at,"
                " goal_met, version) VALUES ('S1', 'go', :start, :end, 'active', :stamp, NULL, NULL, 2)")
            for seq, title, pts, status in ((1, 'Import leads', 3.0, 'done'), (2, 'Clean data', 5.0, 'doing')):
                item = f"(SELECT id FROM item WHERE key = 'SAL-{seq}')"
                sql("INSERT INTO item (key, stream_id, seq, title, description, kind, assignee_id,"
                    " points, status, blocked, blocked_reason, blocked_since, rank, sprint_id, due_date,"
                    " labels, source_finding_id, kpi_id, slip_count, external_key, deleted, created_by,"
                    " created_at, updated_by, updated_at, version) VALUES"
                    f" ('SAL-{seq}', {sal}, {seq}, :title, '', 'story', {alice}, {pts}, '{status}', :no, '',"
                    f" NULL, {float(seq)}, {sprint}, :due, 'data', NULL, NULL, 0, NULL, :no, 'carol',"
                    " :stamp, 'carol', :later, 3)", title=title)
                sql("INSERT INTO item_event (item_id, at, actor, field, old, new)"
                    f" VALUES ({item}, :stamp, 'carol', 'created', NULL, :title)", title=title)
                sql("INSERT INTO sprint_event (sprint_id, item_id, kind, at, actor, points, status,"
                    f" target_sprint_id) VALUES ({sprint}, {item}, 'commit', :stamp, 'carol', {pts}, 'todo', NULL)")
            sql("INSERT INTO item_event (item_id, at, actor, field, old, new)"
                " VALUES ((SELECT id FROM item WHERE key = 'SAL-1'), :later, 'carol', 'status', 'todo', 'done')")
    finally:
        eng.dispose()


# --------------------------------------------------------------------------- creating


def test_fresh_database_is_created_and_migrated_to_head(db_url):
    db = Database(db_url)
    try:
        if db.path is not None:
            assert db.path.is_file()
        assert db.current_revision() == HEAD_REVISION
        assert migrate.head_revision() == HEAD_REVISION  # schema.py agrees with the migrations
        assert alembic_rows(db_url) == [HEAD_REVISION]
        with db.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
        assert set(metadata.tables) <= tables
        # change detection works from the start (on PostgreSQL: the row every write bumps)
        before = db.change_token()
        assert before == 0 or db.is_sqlite
        project.init_project(Ctx(db, "tester"))
        assert db.change_token() != before
    finally:
        db.dispose()


def test_models_and_migrations_do_not_differ(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    build_at_revision(db_url, "head")
    eng = create_engine(db_url)
    try:
        with eng.connect() as conn:
            mc = MigrationContext.configure(
                conn, opts={"render_as_batch": conn.dialect.name == "sqlite", "compare_type": True})
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


def test_sqlite_pragmas(ctx, db_path):
    with ctx.db.read() as s:
        conn = s.connection()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar().lower() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        busy = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert busy == BUSY_TIMEOUT_MS and busy >= 1000
    # foreign keys are really enforced: a row pointing nowhere is refused, one line
    with pytest.raises(StorageError) as err, ctx.db.write() as s:
        s.connection().exec_driver_sql(
            "INSERT INTO member (handle, name, competences, availability, primary_stream_id, active,"
            " version) VALUES ('x', 'X', '', 100, 999, 1, 1)")
    assert "\n" not in str(err.value)
    assert members.list_members(ctx) == []


# --------------------------------------------------------------------------- upgrading


def test_database_made_by_the_first_revision_keeps_its_data(db_url):
    build_at_revision(db_url, FIRST_REVISION)
    fill_first_revision(db_url)
    assert alembic_rows(db_url) == [FIRST_REVISION]
    assert "change_counter" not in table_names(db_url)

    db = Database(db_url)
    try:
        assert db.current_revision() == HEAD_REVISION
        assert alembic_rows(db_url) == [HEAD_REVISION]
        path = sqlite_path(db_url)
        if path is not None:
            # an upgrade happened: the original file was copied next to it first
            (backup,) = path.parent.glob(f"{path.name}.backup-*")
            assert backup.name.startswith(f"{path.name}.backup-0001_initial-")

        c = Ctx(db, "tester")
        st = project.get_settings(c)
        assert (st.name, st.working_days, st.points_per_day) == ("Old project", frozenset({0, 1, 2, 3}), 2.0)
        (stream,) = streams.list_streams(c)
        assert (stream.key, stream.lead, stream.members) == ("SAL", "alice", 1)
        assert members.get_member(c, "alice").availability == 80
        assert sprints.get_sprint(c, "current").name == "S1"
        # a sprint from before the review note: goal met not recorded, no note; both can be set
        assert (sprints.get_sprint(c, "S1").goal_met, sprints.get_sprint(c, "S1").review_note) == (None, "")
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
        # and the program keeps writing on top of the old rows, which others notice
        token = db.change_token()
        new = items.create_item(c, "After upgrade", stream="SAL", points=1)
        assert new.key == "SAL-3"
        items.edit_item(c, "SAL-2", status="done", expected_version=3)
        assert reports.sprint_report(c, "S1").totals.completed_points == 8.0
        assert db.change_token() != token
        sprints.close_sprint(c, "S1", carry_to="backlog", goal_met=True, review_note="Leads imported")
        assert (sprints.get_sprint(c, "S1").goal_met, sprints.get_sprint(c, "S1").review_note) == (
            True, "Leads imported")
    finally:
        db.dispose()


BEFORE_RECORD_HISTORY = "0004_board_indexes"


def test_upgrade_before_record_history_keeps_members_and_streams_and_adds_an_empty_history(db_url):
    """The revision that adds record_event (the history of members, streams and
    the project settings), on a database one revision older: the team is kept,
    its history starts empty, and changes made after are recorded."""
    build_at_revision(db_url, BEFORE_RECORD_HISTORY)
    fill_first_revision(db_url)
    assert "record_event" not in table_names(db_url)

    db = Database(db_url)
    try:
        assert db.current_revision() == HEAD_REVISION
        assert "record_event" in table_names(db_url)
        run = create_engine(db_url)
        try:
            with run.connect() as conn:
                assert conn.execute(text("SELECT count(*) FROM record_event")).scalar() == 0
        finally:
            run.dispose()
        c = Ctx(db, "tester")
        alice = members.get_member(c, "alice")
        assert (alice.name, alice.stream, alice.availability, alice.competences) == ("Alice", "SAL", 80, ["crm"])
        (stream,) = streams.list_streams(c)
        assert (stream.key, stream.name, stream.lead, stream.description) == ("SAL", "Sales", "alice", "pipeline")
        assert project.get_settings(c).name == "Old project"
        assert members.history(c, "alice") == []
        assert streams.history(c, "SAL") == []
        assert project.settings_history(c) == []

        members.edit_member(c, "alice", availability=60)
        streams.edit_stream(c, "SAL", name="Sales and marketing")
        project.add_admin(c, login_name())  # a project from before admins: its first admin names themself
        project.update_settings(c, sprint_length_days=10)
        assert [(h.field, h.old, h.new, h.actor) for h in members.history(c, "alice")] == [
            ("availability", "80", "60", "tester")]
        assert [(h.field, h.old, h.new) for h in streams.history(c, "SAL")] == [
            ("name", "Sales", "Sales and marketing")]
        assert [(h.field, h.old, h.new) for h in project.settings_history(c)] == [
            ("admins", None, login_name()), ("sprint_length_days", "14", "10")]
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


def probe_migrations(tmp_path: Path, monkeypatch, upgrade_body: str) -> str:
    """A copy of the migrations folder with one more revision after the real
    head, which the program is made to expect. Returns its revision."""
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.migrations_dir(), scripts, ignore=shutil.ignore_patterns("__pycache__"))
    source = PROBE_REVISION.format(head=HEAD_REVISION)
    if upgrade_body:
        source = source.replace('    op.create_table("zz_probe", sa.Column("id", sa.Integer(), primary_key=True))\n',
                                textwrap.indent(textwrap.dedent(upgrade_body), "    "))
    (scripts / "versions" / "9999_probe.py").write_text(source)
    monkeypatch.setattr(migrate, "migrations_dir", lambda: scripts)
    monkeypatch.setattr(engine_mod, "HEAD_REVISION", "9999_probe")
    return "9999_probe"


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

    probe_migrations(tmp_path, monkeypatch, "")

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


def test_database_from_a_newer_program_is_refused(db_url, tmp_path):
    Database(db_url).dispose()
    run_sql(db_url, "UPDATE alembic_version SET version_num = '9999_future'")

    with pytest.raises(StorageError) as err:
        Database(db_url)
    msg = str(err.value)
    assert "newer" in msg and "9999_future" in msg and "\n" not in msg
    assert alembic_rows(db_url) == ["9999_future"]  # untouched
    assert [p.name for p in tmp_path.iterdir() if ".backup-" in p.name] == []


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


def test_six_processes_opening_a_fresh_database_at_once(tmp_path, db_url):
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
    procs = [_python(code, str(go), db_url) for _ in range(6)]
    time.sleep(0.5)  # let them reach the start line (only widens the race, asserts nothing)
    go.touch()
    results = [p.communicate(timeout=180) for p in procs]
    for p, (out, errtxt) in zip(procs, results, strict=False):
        assert p.returncode == 0, errtxt
        assert out.strip() == HEAD_REVISION
    assert alembic_rows(db_url) == [HEAD_REVISION]
    path = sqlite_path(db_url)
    if path is not None:
        con = sqlite3.connect(path)
        try:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            con.close()
    assert set(metadata.tables) <= table_names(db_url)
    assert [p.name for p in tmp_path.iterdir() if ".backup-" in p.name] == []  # nobody "upgraded" a finished one
    # the change counter got its one row once, not once per process
    eng = create_engine(db_url)
    try:
        with eng.connect() as conn:
            assert conn.execute(text("SELECT id, n FROM change_counter")).all() == [(1, 0)]
    finally:
        eng.dispose()


def test_opening_a_database_at_head_does_not_import_alembic(db_url):
    Database(db_url).dispose()
    code = textwrap.dedent("""
        import sys
        from sprinttui.store.engine import Database
        db = Database(sys.argv[1])
        assert db.current_revision() is not None
        print('alembic' in sys.modules, 'sprinttui.store.migrate' in sys.modules)
    """)
    p = _python(code, db_url)
    out, errtxt = p.communicate(timeout=120)
    assert p.returncode == 0, errtxt
    assert out.split() == ["False", "False"]


def test_database_of_another_program_is_refused_and_left_alone(db_url):
    run_sql(db_url, "CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)",
            "INSERT INTO moz_places (id, url) VALUES (1, 'https://example.org')")
    try:
        with pytest.raises(StorageError) as err:
            Database(db_url).dispose()
        assert "\n" not in str(err.value) and "another program" in str(err.value)
    finally:
        assert table_names(db_url) == {"moz_places"}


def test_refusal_message_is_one_line_even_for_a_crafted_revision(db_url):
    Database(db_url).dispose()
    run_sql(db_url, "UPDATE alembic_version SET version_num = :v", v="9999_future\n\x1b[2Jgotcha")
    with pytest.raises(StorageError) as err:
        Database(db_url)
    msg = str(err.value)
    assert "newer" in msg
    assert msg.isprintable(), repr(msg)


def test_a_failing_migration_changes_nothing_and_a_later_one_succeeds(db_url, tmp_path, monkeypatch):
    """Every migration runs in one transaction: a revision that fails half-way
    (after creating a table) leaves the schema, the revision and the rows as
    they were, and says so in one line."""
    db = Database(db_url)
    project.init_project(Ctx(db, "tester"))
    streams.add_stream(Ctx(db, "tester"), "SAL", "Sales")
    db.dispose()
    probe_migrations(tmp_path, monkeypatch, """
        op.create_table("zz_probe", sa.Column("id", sa.Integer(), primary_key=True))
        op.execute("INSERT INTO zz_probe (id) VALUES (1)")
        op.execute("INSERT INTO zz_probe (id) VALUES (1)")  # a duplicate key: the revision fails
    """)
    with pytest.raises(StorageError) as err:
        Database(db_url)
    assert "\n" not in str(err.value)
    assert alembic_rows(db_url) == [HEAD_REVISION]
    assert "zz_probe" not in table_names(db_url)

    probe_migrations(tmp_path / "fixed", monkeypatch, "")
    db = Database(db_url)
    try:
        assert db.current_revision() == "9999_probe"
        assert "zz_probe" in table_names(db_url)
        assert [v.key for v in streams.list_streams(Ctx(db, "tester"))] == ["SAL"]
    finally:
        db.dispose()


# --------------------------------------------------------------------------- PostgreSQL only


@pytest.fixture
def pg_url(db_url) -> str:
    if db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only: set SPRINTTUI_TEST_POSTGRES to an admin URL of a server")
    return db_url


def test_postgres_migration_waits_for_the_advisory_lock(pg_url):
    """Whoever migrates holds the advisory lock for its whole transaction; a
    second opener waits for it and then finds the schema done (no second run)."""
    import threading

    holder = create_engine(pg_url)
    opened: list[object] = []

    def open_db() -> None:
        try:
            db = Database(pg_url)
            opened.append(db.current_revision())
            db.dispose()
        except Exception as err:  # noqa: BLE001 - reported by the assertion below
            opened.append(err)

    try:
        with holder.connect() as conn:
            trans = conn.begin()
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": migrate.MIGRATION_LOCK_KEY})
            opener = threading.Thread(target=open_db, daemon=True)
            opener.start()
            # the opener is seen waiting for the lock on the server, however long it takes to get there
            waiters = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            with holder.connect() as watcher:
                while opener.is_alive() and not watcher.execute(waiters).scalar_one():
                    pass
            assert opener.is_alive() and opened == [], "the migration did not wait for the lock"
            assert "alembic_version" not in table_names(pg_url)
            # meanwhile this connection migrates, as another process would
            from alembic import command

            command.upgrade(migrate.alembic_config(conn), "head")
            trans.commit()  # releases the lock
        opener.join(60)
        assert opened == [HEAD_REVISION]
    finally:
        holder.dispose()
    assert alembic_rows(pg_url) == [HEAD_REVISION]


def test_postgres_errors_are_one_line_without_the_password(pg_url):
    from sqlalchemy.engine import make_url

    missing = make_url(pg_url).set(database="sprinttui_no_such_database", password="s3cret-pw")
    with pytest.raises(StorageError) as err:
        Database(missing.render_as_string(hide_password=False))
    msg = str(err.value)
    assert "sprinttui_no_such_database" in msg and "s3cret-pw" not in msg and "\n" not in msg
