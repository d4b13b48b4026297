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

from sprinttui.domain import StorageError, one_line
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
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
        os.close(fd)
        os.chmod(tmp, FILE_MODE)
        source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=15)
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        os.replace(tmp, dest)
    except sqlite3.Error as err:
        raise storage_error(err) from None
    except OSError as err:
        raise StorageError(f"cannot write the backup {dest}: {err.strerror}") from None
    finally:
        if tmp.exists():
            tmp.unlink()
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


def _foreign_tables(conn) -> list[str]:
    from sqlalchemy import inspect

    return [t for t in inspect(conn).get_table_names() if not t.startswith("sqlite_")]


def _revision(conn) -> str | None:
    from sqlalchemy import inspect

    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
