"""Opening the database: URL resolution, SQLite pragmas, transactions.

* SQLite runs in WAL mode with a busy timeout and foreign keys on.
* Reads use a deferred transaction; writes use ``BEGIN IMMEDIATE`` so that a
  writer waits for the lock up front instead of failing half-way.
* The schema is checked on open; only when it is behind does the migration
  code (and Alembic) get imported.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url
from sqlmodel import Session

from sprinttui.domain import ConflictError, StorageError, one_line
from sprinttui.store import visibility  # noqa: F401 - every session hides unpublished imports
from sprinttui.store.connection import (  # noqa: F401 - the store's open API, re-exported here
    BUSY_TIMEOUT_MS,
    FILE_MODE,
    default_db_path,
    make_engine,
    permission_warning,
    prepare_sqlite_file,
    readonly_uri,
    resolve_url,
    sqlite_path,
    storage_error,
)
from sprinttui.store.schema import HEAD_REVISION

_BUMP_CHANGE_COUNTER = text("UPDATE change_counter SET n = n + 1 WHERE id = 1")
_READ_CHANGE_COUNTER = text("SELECT n FROM change_counter WHERE id = 1")


class Database:
    """One project database. Thread-safe to share; sessions are not."""

    def __init__(self, url: str, *, migrate: bool = True, create: bool = True):
        try:
            backend = make_url(url).get_backend_name()
        except sa_exc.ArgumentError:
            raise StorageError(f"cannot use {one_line(url, 80)!r} as a database: not a path or database URL") from None
        if backend not in ("sqlite", "postgresql"):
            raise StorageError(
                f"unsupported database URL {one_line(backend, 40)!r}: use a SQLite file or PostgreSQL"
            )
        self.url = url
        self._damage_checked = False  # PRAGMA quick_check ran and found nothing (see write)
        self._watch_conn: sqlite3.Connection | None = None
        self._watch_lock = threading.Lock()
        self.path = sqlite_path(url)
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        if self.path is not None:
            if not create and not self.path.exists():
                raise StorageError(f"no database at {one_line(str(self.path))}")
            prepare_sqlite_file(self.path)
        try:
            self.engine = make_engine(url)
            self._write_engine = self.engine.execution_options(sqlite_immediate=True)
            if migrate:
                self.ensure_schema()
                self.clean_abandoned_imports()
        except ImportError:
            raise StorageError(
                "PostgreSQL support is not installed: pip install 'sprinttui[postgres]'"
            ) from None
        except sa_exc.DBAPIError as err:
            raise storage_error(err) from None
        except sqlite3.Error as err:
            raise storage_error(err) from None

    # -- schema -------------------------------------------------------------
    def current_revision(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except sa_exc.OperationalError as err:
            if "no such table" in str(err).lower():
                return None
            raise
        except sa_exc.ProgrammingError:  # PostgreSQL: relation does not exist
            return None

    def ensure_schema(self) -> None:
        if self.current_revision() == HEAD_REVISION:
            return
        from sprinttui.store.migrate import upgrade

        upgrade(self)

    def clean_abandoned_imports(self) -> int:
        """Remove what imports killed before publishing left (hidden rows; see
        store/batches.py); how many were removed. One small query when there are none;
        a database this user cannot write to keeps them (no one sees them)."""
        from sprinttui.store.batches import clean_abandoned

        try:
            return clean_abandoned(self)
        except StorageError:
            return 0

    def permission_warning(self) -> str | None:
        """A one-line warning when the SQLite file is world-writable (see permission_warning)."""
        return permission_warning(self.path)

    def refuse_if_damaged(self) -> None:
        """Raise StorageError if the SQLite file is damaged; nothing is written to it then.

        ``PRAGMA quick_check`` runs once per Database, before its first write
        (a CLI write pays it once, the app at its first write); a file found
        healthy is not checked again, a damaged one is checked again each time.
        """
        if self._damage_checked or self.path is None:
            return
        from sprinttui.store.integrity import DAMAGED_HINT, quick_problems

        try:
            problems = quick_problems(self.path, BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as err:
            raise storage_error(err) from None
        if problems:
            raise StorageError(
                f"the database file is corrupted ({len(problems)}{'+' if len(problems) >= 20 else ''} "
                f"problem{'s' if len(problems) != 1 else ''} found); nothing was written: {DAMAGED_HINT}"
            )
        self._damage_checked = True

    # -- sessions -----------------------------------------------------------
    @contextmanager
    def read(self, connection: Connection | None = None) -> Iterator[Session]:
        """A read-only unit of work (deferred transaction, rolled back at the end),
        on `connection` if given (one the caller keeps open, e.g. for its temporary tables)."""
        session = Session(connection or self.engine, expire_on_commit=False, autoflush=False)
        try:
            yield session
        except sa_exc.DBAPIError as err:
            raise storage_error(err) from None
        finally:
            session.rollback()
            session.close()

    @contextmanager
    def write(self, connection: Connection | None = None) -> Iterator[Session]:
        """One write transaction (BEGIN IMMEDIATE on SQLite), committed on success;
        on `connection` if given (see read)."""
        from sqlalchemy.orm.exc import StaleDataError

        self.refuse_if_damaged()
        if connection is not None:
            connection.execution_options(sqlite_immediate=True)
        session = Session(connection or self._write_engine, expire_on_commit=False)
        try:
            yield session
            if not self.is_sqlite:
                # other processes poll this row to notice the change (see change_token)
                session.execute(_BUMP_CHANGE_COUNTER)
            session.commit()
        except StaleDataError:
            session.rollback()
            raise ConflictError("someone else changed this meanwhile; reload and try again") from None
        except sa_exc.IntegrityError as err:
            session.rollback()
            raise storage_error(err) from None
        except sa_exc.DBAPIError as err:
            session.rollback()
            raise storage_error(err) from None
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
            if connection is not None:
                connection.execution_options(sqlite_immediate=False)

    # -- change detection ---------------------------------------------------
    def change_token(self) -> int:
        """A number that changes whenever another connection commits.

        On SQLite this is ``PRAGMA data_version`` on one long-lived connection
        (it counts commits made by every other connection, in any process).
        On PostgreSQL it is the ``change_counter`` row that every write
        transaction of this program bumps inside the same transaction, so the
        new number is visible exactly when the data is.
        """
        if not self.is_sqlite:
            try:
                with self.engine.connect() as conn:
                    return int(conn.execute(_READ_CHANGE_COUNTER).scalar() or 0)
            except sa_exc.DBAPIError as err:
                raise storage_error(err) from None
        if self.path is None:
            raise NotImplementedError("change detection needs a database file or PostgreSQL")
        with self._watch_lock:
            if self._watch_conn is None:
                self._watch_conn = sqlite3.connect(
                    readonly_uri(self.path), uri=True, check_same_thread=False, timeout=5
                )
            try:
                return int(self._watch_conn.execute("PRAGMA data_version").fetchone()[0])
            except sqlite3.Error as err:
                raise storage_error(err) from None

    def dispose(self) -> None:
        with self._watch_lock:
            if self._watch_conn is not None:
                self._watch_conn.close()
                self._watch_conn = None
        self.engine.dispose()
