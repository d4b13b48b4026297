"""Opening the database: URL resolution, SQLite pragmas, transactions.

* SQLite runs in WAL mode with a busy timeout and foreign keys on.
* Reads use a deferred transaction; writes use ``BEGIN IMMEDIATE`` so that a
  writer waits for the lock up front instead of failing half-way.
* The schema is checked on open; only when it is behind does the migration
  code (and Alembic) get imported.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from sprinttui.domain import ConflictError, StorageError, one_line
from sprinttui.store.schema import HEAD_REVISION

BUSY_TIMEOUT_MS = 15_000
_BUMP_CHANGE_COUNTER = text("UPDATE change_counter SET n = n + 1 WHERE id = 1")
_READ_CHANGE_COUNTER = text("SELECT n FROM change_counter WHERE id = 1")
FILE_MODE = 0o660  # owner and group; the team shares a group


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("sprinttui", appauthor=False)) / "sprinttui.db"


def resolve_url(db: str | None = None) -> str:
    """--db, else $SPRINTTUI_DB, else a file in the user data dir."""
    value = db or os.environ.get("SPRINTTUI_DB") or ""
    if not value:
        path = default_db_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() != "sqlite":
        return None
    if not u.database or u.database == ":memory:" or u.database.startswith("file:"):
        return None
    return Path(u.database)


def _ours_or_empty(cur) -> bool:
    """True for a new (empty) SQLite file or one with our schema table."""
    try:
        names = {r[0] for r in cur.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}
    except sqlite3.DatabaseError:
        return False  # not a database at all: the open fails with a clear message later
    return not names or "alembic_version" in names


def _install_sqlite_hooks(engine: Engine, *, foreign_keys: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no branch
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        # PRAGMAs take no bound parameters: the timeout is an int constant
        # (int() keeps it one), everything else is a literal
        cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS):d}")
        if _ours_or_empty(cur):
            # WAL sticks to the file: never switch another program's database
            # (the schema check refuses it right after and leaves it as it was)
            cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON" if foreign_keys else "PRAGMA foreign_keys = OFF")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get("sqlite_immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def make_engine(url: str, *, foreign_keys: bool = True, pool: bool = True) -> Engine:
    kwargs: dict = {}
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        if not pool:
            from sqlalchemy.pool import NullPool

            kwargs["poolclass"] = NullPool
        engine = create_engine(url, **kwargs)
        _install_sqlite_hooks(engine, foreign_keys=foreign_keys)
        return engine
    if u.get_backend_name() == "postgresql":
        kwargs["pool_pre_ping"] = True
    return create_engine(url, **kwargs)


def _prepare_sqlite_file(path: Path) -> None:
    """Check the file is usable; create a new one with group-only permissions."""
    if not path.parent.is_dir():
        raise StorageError(f"cannot open database: folder {one_line(str(path.parent))} does not exist")
    if path.exists():
        if path.is_dir():
            raise StorageError(f"cannot open database: {one_line(str(path))} is a folder")
        if path.stat().st_size >= 16:
            with open(path, "rb") as fh:
                if fh.read(16) != b"SQLite format 3\x00":
                    raise StorageError(f"{one_line(str(path))} is not a sprinttui (SQLite) database")
        return
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
        os.close(fd)
        os.chmod(path, FILE_MODE)
    except FileExistsError:
        pass
    except OSError as err:
        raise StorageError(f"cannot create database {one_line(str(path))}: {err.strerror}") from None


def permission_warning(path: Path | None) -> str | None:
    """One line if everyone on the machine may write the database file, else None.

    Anyone who can write the file can change any row and claim any name in the
    history, so a world-writable file on a shared box is worth a warning.
    """
    if path is None:
        return None
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if not mode & stat.S_IWOTH:
        return None
    shown = one_line(str(path), 200)
    return (f"the database {shown} is writable by every user of this machine "
            f"(mode {stat.S_IMODE(mode):o}); fix it with: chmod o-rwx {shown}")


def storage_error(err: Exception) -> StorageError:
    """Turn a driver error into a one-line message a person can act on."""
    msg = " ".join(str(getattr(err, "orig", err)).split()).lower()
    if "locked" in msg or "busy" in msg:
        return StorageError("the database is busy (another user is writing); please try again")
    if "readonly" in msg or "read-only" in msg:
        return StorageError("the database is read-only for you; check the file's permissions")
    if "disk" in msg and ("full" in msg or "i/o" in msg) or "no space" in msg:
        return StorageError("could not write: the disk is full or failing; nothing was saved")
    if "not a database" in msg or "malformed" in msg or "file is encrypted" in msg:
        return StorageError("the database file is corrupted or not a sprinttui database")
    if "unable to open" in msg:
        return StorageError("cannot open the database file; check the path and permissions")
    return StorageError(f"database error: {one_line(' '.join(str(getattr(err, 'orig', err)).split()), 200)}")


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
        self._watch_conn: sqlite3.Connection | None = None
        self._watch_lock = threading.Lock()
        self.path = sqlite_path(url)
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        if self.path is not None:
            if not create and not self.path.exists():
                raise StorageError(f"no database at {one_line(str(self.path))}")
            _prepare_sqlite_file(self.path)
        try:
            self.engine = make_engine(url)
            self._write_engine = self.engine.execution_options(sqlite_immediate=True)
            if migrate:
                self.ensure_schema()
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

    def permission_warning(self) -> str | None:
        """A one-line warning when the SQLite file is world-writable (see permission_warning)."""
        return permission_warning(self.path)

    # -- sessions -----------------------------------------------------------
    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work (deferred transaction, rolled back at the end)."""
        session = Session(self.engine, expire_on_commit=False, autoflush=False)
        try:
            yield session
        except sa_exc.DBAPIError as err:
            raise storage_error(err) from None
        finally:
            session.rollback()
            session.close()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction (BEGIN IMMEDIATE on SQLite), committed on success."""
        from sqlalchemy.orm.exc import StaleDataError

        session = Session(self._write_engine, expire_on_commit=False)
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
                    f"file:{self.path}?mode=ro", uri=True, check_same_thread=False, timeout=5
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
