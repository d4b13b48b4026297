"""Damage checks of a SQLite database file, salvage, and backup leftovers.

* :func:`quick_problems` runs ``PRAGMA quick_check`` (cheap: run once per
  Database before its first write, see Database.write).
* :func:`full_problems` runs ``PRAGMA integrity_check`` and
  ``PRAGMA foreign_key_check`` (``sprinttui db check``).
* :func:`salvage_sqlite` copies the rows that can still be read of a damaged
  file into a new one.
* :func:`temp_name` / :func:`remove_leftovers`: a backup is written into
  ``.NAME.PID.tmp`` beside its destination; a killed backup leaves that file
  (and its ``-journal``), removed later once process PID is gone.
"""

from __future__ import annotations

import os
import re
import sqlite3
from contextlib import closing, suppress
from pathlib import Path

from sprinttui.store.connection import readonly_uri

DAMAGED_HINT = "run `sprinttui db check`"
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.tmp(?:-journal)?$")


def _connect_ro(path: Path, timeout: float = 15) -> sqlite3.Connection:
    return sqlite3.connect(readonly_uri(path), uri=True, timeout=timeout)


def _check(con: sqlite3.Connection, pragma: str) -> list[str]:
    """The lines a check pragma reports (empty when it says ok); a check that
    stops on the damage adds its error as the last problem."""
    lines: list[str] = []
    try:
        for (value,) in con.execute(pragma):
            lines += [line for line in str(value).splitlines() if line and not line.startswith("*** in database")]
    except sqlite3.DatabaseError as err:
        if "locked" in str(err).lower() or "busy" in str(err).lower():
            raise
        lines.append(str(err))
    return [] if lines == ["ok"] else lines


def quick_problems(path: Path, timeout: float = 15) -> list[str]:
    """The problems ``PRAGMA quick_check`` finds in the file (empty when ok)."""
    with closing(_connect_ro(path, timeout)) as con:
        return _check(con, "PRAGMA quick_check(20)")


def full_problems(path: Path, timeout: float = 15) -> list[str]:
    """Everything ``integrity_check`` and ``foreign_key_check`` report (empty when ok)."""
    with closing(_connect_ro(path, timeout)) as con:
        problems = _check(con, "PRAGMA integrity_check(1000)")
        try:
            for table, rowid, parent, _fk in con.execute("PRAGMA foreign_key_check").fetchall():
                problems.append(f"row {rowid} of {table} refers to a missing row of {parent}")
        except sqlite3.DatabaseError as err:
            problems.append(f"foreign keys could not be checked: {err}")
    return problems


def salvage_sqlite(src: Path, dest: Path) -> int:
    """Copy the schema and every row that can be read of `src` into the new file `dest`.

    Returns how many tables could not be read to the end (0: nothing was lost
    that SQLite could tell). `dest` must not exist yet.
    """
    incomplete = 0
    with closing(_connect_ro(src)) as source, closing(sqlite3.connect(dest)) as target:
        try:
            schema = source.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                "ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END"
            ).fetchall()
        except sqlite3.DatabaseError:
            return 1
        from sprinttui.store.models import metadata  # the program's own tables, never a name read from the file

        ours = {*metadata.tables, "alembic_version"}
        tables = []
        for kind, name, sql in schema:
            if name.startswith("sqlite_") or (kind == "table" and name not in ours):
                continue
            with suppress(sqlite3.DatabaseError):
                target.execute(sql)
                if kind == "table":
                    tables.append(name)
        for name in tables:
            quoted = '"' + name + '"'  # one of ours: letters and underscores only
            try:
                query = f"SELECT * FROM {quoted}"
                cursor = source.execute(query)
                width = len(cursor.description)
                insert = f"INSERT OR IGNORE INTO {quoted} VALUES ({', '.join('?' * width)})"
                while True:
                    batch = cursor.fetchmany(500)
                    if not batch:
                        break
                    target.executemany(insert, batch)
            except sqlite3.DatabaseError:
                incomplete += 1
        target.commit()
    return incomplete


def temp_name(dest: Path) -> Path:
    """Where a backup to `dest` is written before it is renamed over `dest`."""
    return dest.with_name(f".{dest.name}.{os.getpid()}.tmp")


def _gone(pid: int) -> bool:
    if pid == os.getpid():
        return True  # our own name from an earlier process that had this id
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, someone else's
        return False
    return False


def remove_leftovers(folder: Path, belongs) -> list[Path]:
    """Remove the temporary files of killed backups in `folder`.

    Only names ``.NAME.PID.tmp`` (and their ``-journal``) with ``belongs(NAME)``
    true and no running process PID are removed; returns what was removed.
    """
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP.match(entry.name)
        if not m or not belongs(m["name"]) or not _gone(int(m["pid"])):
            continue
        with suppress(OSError):
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def remove_backup_leftovers(dest: Path, db_path: Path | None = None) -> list[Path]:
    """Leftovers of killed backups to `dest`, and (given the database) of the
    backups taken before migrations (``NAME.backup-REV-STAMP``)."""
    names = {dest.name}
    prefix = f"{db_path.name}.backup-" if db_path is not None else None
    removed = remove_leftovers(dest.parent, lambda n: n in names or (prefix is not None and n.startswith(prefix)))
    if db_path is not None and db_path.parent.resolve() != dest.parent.resolve():
        removed += remove_leftovers(db_path.parent, lambda n: n.startswith(prefix))
    return removed
