"""Running Alembic from code, under a lock, after a backup.

Imported only when the database is not at the expected revision.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text

from sprinttui.domain import StorageError
from sprinttui.store.engine import FILE_MODE, make_engine, storage_error

if TYPE_CHECKING:
    from sprinttui.store.engine import Database


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
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def backup_sqlite(src: Path, dest: Path) -> Path:
    """Copy a live SQLite database with the online backup API."""
    fd = os.open(dest, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, FILE_MODE)
    os.close(fd)
    os.chmod(dest, FILE_MODE)
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=15)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return dest


def upgrade(db: "Database", revision: str = "head") -> str | None:
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
                    conn.execute(text("SELECT pg_advisory_xact_lock(74201)"))
                current = _revision(conn)
                if current is not None and not _known(current):
                    raise StorageError(
                        f"the database has schema {current}, newer than this sprinttui knows; "
                        "upgrade sprinttui"
                    )
                if revision == "head" and current == head_revision():
                    return None  # another process migrated it while we waited
                if current is not None and db.path is not None:
                    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
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


def _revision(conn) -> str | None:
    from sqlalchemy import inspect

    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
