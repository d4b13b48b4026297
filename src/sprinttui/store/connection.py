"""Connecting to the database: where it is, the SQLite connection settings, the
file's permissions, and what a driver error means to a user.

The lowest piece of the store: the Database (engine.py) and the migrations
(migrate.py) both open their connections here, so neither needs the other's
internals.

* SQLite runs in WAL mode with a busy timeout and foreign keys on.
* Writes begin with ``BEGIN IMMEDIATE`` so a writer waits for the lock up front
  instead of failing half-way.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlmodel import create_engine

from sprinttui.domain import BusyError, StorageError, one_line

BUSY_TIMEOUT_MS = 15_000
FILE_MODE = 0o660  # owner and group; the team shares a group


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("sprinttui", appauthor=False)) / "sprinttui.db"


_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def _sqlite_url(path: Path) -> str:
    """The URL of a database file, its path kept literally (a '?', '#' or '%' in
    the name is part of the name: never a query, a fragment or an escape)."""
    return URL.create(drivername="sqlite", database=str(path)).render_as_string(hide_password=False)


def resolve_url(db: str | None = None) -> str:
    """--db, else $SPRINTTUI_DB, else a file in the user data dir.

    Only a value with ``scheme://`` is a URL; anything else is a file path, taken
    literally (even with '?', '%', '#' or a ``file:`` prefix). Empty is an error.
    """
    where = "--db" if db is not None else "$SPRINTTUI_DB"
    value = db if db is not None else os.environ.get("SPRINTTUI_DB")
    if value is None:
        path = default_db_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return _sqlite_url(path)
    if not value.strip():
        raise StorageError(f"{where} is empty: give a database file (like project.db) or a database URL")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        shown = one_line(os.fsencode(value).decode("ascii", "backslashreplace"), 200)
        raise StorageError(f"{where} {shown!r} is not valid UTF-8; give a file name in UTF-8") from None
    if _SCHEME_RE.match(value):
        return value
    try:
        path = Path(value).expanduser()
    except RuntimeError:  # ~nouser/x.db
        user = value[1:].split("/", 1)[0]
        raise StorageError(f"{where} {one_line(value, 200)!r}: there is no user {one_line(user, 40)!r} "
                           "whose home folder '~' could mean") from None
    return _sqlite_url(Path(os.path.abspath(path)))


def sqlite_path(url: str) -> Path | None:
    """The database file of an SQLite URL; None for PostgreSQL, memory and URI-mode URLs."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite":
        return None
    if not u.database or u.database == ":memory:" or _uri_mode(u):
        return None
    return Path(os.path.abspath(u.database))  # as the driver opens it (pysqlite: os.path.abspath)


def _uri_mode(u: URL) -> bool:
    return str(u.query.get("uri", "")).strip().lower() in ("true", "1", "yes", "on")


def readonly_uri(path: Path) -> str:
    """An SQLite URI opening PATH read-only (``sqlite3.connect(readonly_uri(p), uri=True)``).

    The path is percent-encoded, so a '?', '#' or '%' in a file name is part of
    the name, not the URI's query or fragment.
    """
    return "file:" + quote(str(path), safe="/") + "?mode=ro"


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
        cur.execute("PRAGMA busy_timeout = %d" % int(BUSY_TIMEOUT_MS))  # noqa: UP031 - the one allowed SQL format
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


def prepare_sqlite_file(path: Path) -> None:
    """Check the file is usable; create a new one with group-only permissions."""
    try:
        _prepare_sqlite_file(path)
    except PermissionError as err:
        raise StorageError(f"cannot open database {one_line(str(path))}: permission denied for "
                           f"{one_line(err.filename or str(path))}; ask its owner to share it with your group "
                           "(chmod g+rw, and g+rwx on its folder)") from None
    except OSError as err:
        raise StorageError(f"cannot open database {one_line(str(path))}: {err.strerror or err}") from None


def is_sqlite_file(path: Path) -> bool:
    """Whether the file is an SQLite database, asked through SQLite itself. A file the
    program opens and closes (to read its header) drops every lock this process holds on
    it, POSIX locks belonging to the process and the file: among them the one that tells
    other processes a WAL database is in use, so the next one to close its connection
    would take itself for the last and delete the WAL under this process's connections.
    SQLite keeps its files open until their last connection closes. Only when SQLite
    cannot tell (it cannot open the file, say, so no connection of this process has it
    open either) is the header read directly."""
    try:
        con = sqlite3.connect(readonly_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            con.execute("PRAGMA schema_version").fetchone()
        finally:
            con.close()
        return True
    except sqlite3.Error as err:
        name = getattr(err, "sqlite_errorname", "")
        if name in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
            return name == "SQLITE_CORRUPT"  # an SQLite file, damaged: the damage check says so
    try:
        with open(path, "rb") as fh:
            return fh.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def _prepare_sqlite_file(path: Path) -> None:
    if not path.parent.is_dir():
        raise StorageError(f"cannot open database: folder {one_line(str(path.parent))} does not exist")
    if path.exists():
        if path.is_dir():
            raise StorageError(f"cannot open database: {one_line(str(path))} is a folder")
        if not _may(path, os.R_OK):
            raise PermissionError(13, "Permission denied", str(path))
        if path.stat().st_size >= 16 and not is_sqlite_file(path):
            raise StorageError(f"{one_line(str(path))} is not a sprinttui (SQLite) database")
        _check_folder(path)
        return
    _check_folder(path)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
        os.close(fd)
        os.chmod(path, FILE_MODE)
    except FileExistsError:
        pass
    except OSError as err:
        raise StorageError(f"cannot create database {one_line(str(path))}: {err.strerror}") from None


def _may(path: Path, mode: int) -> bool:
    """Whether this process may access `path` so: by its effective uid and
    groups, as opening the file will be judged (os.access alone asks for the real ones)."""
    return os.access(path, mode, effective_ids=os.access in os.supports_effective_ids)


def _check_folder(path: Path) -> None:
    """SQLite keeps its -wal, -shm and -journal files beside the database: refuse a
    folder this user cannot write (unless those files are there and writable)."""
    folder = path.parent
    if _may(folder, os.W_OK | os.X_OK):
        return
    sides = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    if path.exists() and all(_may(side, os.R_OK | os.W_OK) for side in sides):
        return
    raise StorageError(f"cannot use the database {one_line(str(path))}: you cannot write in its folder "
                       f"{one_line(str(folder))}, where SQLite keeps its -wal, -shm and -journal files; "
                       "ask for write access to the folder (chmod g+rwx)")


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
    code = getattr(getattr(err, "orig", err), "sqlstate", None)  # PostgreSQL (psycopg)
    if code in ("40P01", "40001") or "deadlock detected" in msg:
        # a deadlock or serialization failure: the server undid this write whole
        return BusyError("the database is busy (another write got in the way); nothing was saved, "
                         "please try again")
    if code == "23505":
        return StorageError("someone saved the same name at the same moment; nothing was saved, "
                            "please reload and try again")
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
