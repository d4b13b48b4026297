"""Running Alembic from code, under a lock, after a backup.

Imported only when the database is not at the expected revision.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import text

from sprinttui.domain import StorageError, one_line
from sprinttui.store.connection import (
    BUSY_TIMEOUT_MS,
    FILE_MODE,
    make_engine,
    prepare_sqlite_file,
    readonly_uri,
    storage_error,
)


class MigrationTarget(Protocol):
    """What a migration needs of the Database it brings up to date (engine.py
    opens the database and calls upgrade; this module never imports it)."""

    url: str
    is_sqlite: bool
    path: Path | None

# PostgreSQL: the advisory lock every migrating process takes first (on SQLite
# BEGIN IMMEDIATE is the lock), so that two people opening one database at
# once do not both run the migrations.
MIGRATION_LOCK_KEY = 74201


def migrations_dir() -> Path:
    """Migrations ship inside the wheel; in a source checkout they sit at the top."""
    here = Path(__file__).resolve().parent.parent  # .../sprinttui
    for candidate in (here / "migrations", here.parent.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise StorageError("sprinttui is installed without its migrations; reinstall it")


def alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _known(revision: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    script = ScriptDirectory.from_config(alembic_config())
    try:
        return revision in {r.revision for r in script.walk_revisions()}
    except CommandError:
        return False


def backup_sqlite(src: Path, dest: Path) -> Path:
    """Copy a live SQLite database with the online backup API.

    The copy is written to a new temporary file beside `dest` (which nobody
    else can have open) and then renamed over it, so a half-written backup
    never replaces a good one.
    """
    src, dest = Path(src), Path(dest)
    if dest.resolve() == src.resolve():
        raise StorageError("the backup file must not be the database itself")
    if not dest.parent.is_dir():
        raise StorageError(f"cannot write the backup: folder {dest.parent} does not exist")
    from sprinttui.store.integrity import remove_backup_leftovers, temp_name

    remove_backup_leftovers(dest, src)  # what killed backups left behind
    tmp = temp_name(dest)
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
        os.close(fd)
        os.chmod(tmp, FILE_MODE)
        source = sqlite3.connect(readonly_uri(src), uri=True, timeout=15)
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)
            # The copy carries the live file's WAL flag; a backup is one
            # self-contained file instead (opening it later, even read-only,
            # leaves no -wal/-shm files beside it).
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
            source.close()
        os.replace(tmp, dest)
    except sqlite3.Error as err:
        raise storage_error(err) from None
    except OSError as err:
        raise StorageError(f"cannot write the backup {dest}: {err.strerror}") from None
    finally:
        for left in (tmp, tmp.with_name(tmp.name + "-journal")):
            if left.exists():
                left.unlink()
    return dest


@contextmanager
def _read_only(path: Path, timeout: float = 15) -> Iterator[sqlite3.Connection]:
    """A read-only connection to a backup file. A file in WAL mode (a copy of
    a live database) gets -wal/-shm files beside it when opened; if it had
    none before and nothing was written, they are removed again."""
    sides = [Path(f"{path}-wal"), Path(f"{path}-shm")]
    had_sides = any(side.exists() for side in sides)
    con = sqlite3.connect(readonly_uri(path), uri=True, timeout=timeout)
    try:
        yield con
    finally:
        con.close()
        if not had_sides and sides[0].exists() and sides[0].stat().st_size == 0:
            for side in sides:
                side.unlink(missing_ok=True)


def check_restorable(path: Path) -> str:
    """The schema revision of the sprinttui database at `path`.

    Raises StorageError (one line) for a file that is missing, not SQLite,
    damaged, another program's database, or made by a newer sprinttui.
    """
    path = Path(path)
    shown = one_line(str(path), 200)
    if not path.is_file():
        raise StorageError(f"there is no file {shown}")
    with open(path, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise StorageError(f"{shown} is not a sprinttui database (not an SQLite file)")
    try:
        with _read_only(path) as con:
            if con.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise StorageError(f"{shown} is damaged (integrity check failed); choose another backup")
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"alembic_version", "project", "item", "item_event"} <= tables:
                raise StorageError(f"{shown} is not a sprinttui database (its tables are another program's)")
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error as err:
        raise StorageError(f"{shown} cannot be read as a sprinttui database: "
                           f"{one_line(str(err), 100)}") from None
    if row is None or not row[0]:
        raise StorageError(f"{shown} is not a sprinttui database (it has no schema revision)")
    revision = str(row[0])
    if not _known(revision):
        raise StorageError(f"{shown} has schema {one_line(revision, 40)!r}, newer than this sprinttui "
                           "knows; upgrade sprinttui to restore it")
    return revision


def restore_sqlite(src: Path, db_path: Path) -> Path | None:
    """Replace the contents of the database at `db_path` with the backup `src`.

    The backup is checked first (check_restorable), then the current database
    is copied next to itself as NAME.backup-before-restore-TIMESTAMP (returned;
    None when there was no database yet), then the backup is copied INTO the
    live file with the online backup API: one write transaction, so a program
    that has the file open sees the restored data like any other change, and
    a crash half-way leaves the old contents. Meant to run while nobody writes.
    """
    src, db_path = Path(src), Path(db_path)
    if db_path.exists() and src.resolve() == db_path.resolve():
        raise StorageError("the file to restore is the database itself")
    check_restorable(src)
    safety: Path | None = None
    if db_path.is_file() and db_path.stat().st_size > 0:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        safety = db_path.with_name(f"{db_path.name}.backup-before-restore-{stamp}")
        n = 1
        while safety.exists():
            n += 1
            safety = db_path.with_name(f"{db_path.name}.backup-before-restore-{stamp}-{n}")
        try:
            backup_sqlite(db_path, safety)
        except StorageError as err:  # not SQLite at all, or damaged past reading
            raise StorageError(
                f"the current database {one_line(str(db_path), 200)} cannot be copied ({err}); nothing was "
                "changed. If it is damaged, move it and its -wal/-shm files aside, then restore again"
            ) from None
    else:
        prepare_sqlite_file(db_path)  # a new file, group-only like every database
    try:
        with _read_only(src, BUSY_TIMEOUT_MS / 1000) as source:
            target = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                source.backup(target)
                ok = target.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            finally:
                target.close()
    except sqlite3.Error as err:
        raise storage_error(err) from None
    if not ok:  # pragma: no cover - the backup API copies pages verbatim
        raise StorageError(f"the restored database fails its integrity check; the previous one is {safety}")
    return safety


def upgrade(db: MigrationTarget, revision: str = "head") -> str | None:
    """Bring db to `revision`. Returns the backup path if one was taken."""
    from alembic import command

    backup: str | None = None
    # Foreign keys are off on the migrating connection: batch mode re-creates
    # tables, and dropping a parent table must not cascade deletes.
    engine = make_engine(db.url, foreign_keys=False, pool=False)
    try:
        with engine.connect() as conn:
            if db.is_sqlite:
                conn = conn.execution_options(sqlite_immediate=True)
            with conn.begin():  # BEGIN IMMEDIATE: the migration lock on SQLite
                if not db.is_sqlite:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
                current = _revision(conn)
                if current is not None and not _known(current):
                    raise StorageError(
                        f"the database has schema {one_line(current, 40)!r}, newer than this "
                        "sprinttui knows; upgrade sprinttui"
                    )
                if current is None and _foreign_tables(conn):
                    raise StorageError(
                        "this database belongs to another program (it has tables but no "
                        "sprinttui schema); it was left untouched"
                    )
                if revision == "head" and current == head_revision():
                    return None  # another process migrated it while we waited
                if current is not None and db.path is not None:
                    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
                    dest = db.path.with_name(f"{db.path.name}.backup-{current}-{stamp}")
                    backup = str(backup_sqlite(db.path, dest))
                command.upgrade(alembic_config(conn), revision)
                if db.is_sqlite:
                    bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if bad:
                        raise StorageError(f"migration left {len(bad)} broken references; nothing changed")
    except StorageError:
        raise
    except Exception as err:  # driver errors, alembic errors
        from sqlalchemy import exc as sa_exc

        if isinstance(err, sa_exc.DBAPIError):
            raise storage_error(err) from None
        raise StorageError(f"migration failed, nothing changed: {err}") from None
    finally:
        engine.dispose()
    return backup


def _foreign_tables(conn) -> list[str]:
    from sqlalchemy import inspect

    return [t for t in inspect(conn).get_table_names() if not t.startswith("sqlite_")]


def _revision(conn) -> str | None:
    from sqlalchemy import inspect

    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
