"""Commands about the database file: its schema revision, upgrade, backup and restore."""

from __future__ import annotations

import os
import sqlite3
import sys
from contextlib import suppress
from pathlib import Path

from sprinttui.cli import output as out
from sprinttui.cli.commands.common import CliError, database, shown_url
from sprinttui.domain import StorageError
from sprinttui.store.engine import FILE_MODE, resolve_url, sqlite_path, storage_error


def upgrade_schema(args) -> None:
    """Bring the schema to head, saying what was done (shared by init and db upgrade)."""
    from sprinttui.store.migrate import head_revision, upgrade

    with database(args, create=True) as db:
        before = db.current_revision()
        head = head_revision()
        if before == head:
            print(f"schema {head}: up to date; no backup needed")
            return
        backup = upgrade(db)
        after = db.current_revision()
        if before is None:
            print(f"schema {after}: created; no backup needed (the database was empty)")
        elif backup:
            print(f"schema upgraded from {before} to {after}; backup taken: {out.clean(backup)}")
        elif db.path is None:
            print(f"schema upgraded from {before} to {after}; no backup taken (not a SQLite file)")
        else:
            print(f"schema {after}: upgraded by another process meanwhile; no backup taken here")



def cmd_db_current(args) -> int:
    from sprinttui.store.migrate import head_revision

    with database(args) as db:
        current = db.current_revision()
        url = db.url
    head = head_revision()
    if current is None:
        state = "empty: `sprinttui init` creates the schema"
    elif current == head:
        state = "up to date"
    else:
        state = "differs from this program: `sprinttui db upgrade` (refused if the database is newer)"
    out.fields([("database", shown_url(url)), ("revision", current or "none"), ("head", head),
                ("status", state)])
    return 0


def cmd_db_upgrade(args) -> int:
    upgrade_schema(args)
    return 0


def cmd_db_backup(args) -> int:
    """Online backup into a new file beside FILE, then renamed over it.

    Writing into a fresh file means nobody can hold it open; the rename makes the
    copy appear whole or not at all.
    """
    from sprinttui.store.integrity import quick_problems, remove_backup_leftovers, salvage_sqlite, temp_name
    from sprinttui.store.migrate import backup_sqlite

    url = resolve_url(args.db)
    src = sqlite_path(url)
    if src is None:
        raise CliError(f"db backup works on SQLite database files only, not {shown_url(url)}; "
                       "use your database's own backup tool")
    if not src.is_file():
        raise StorageError(f"there is no database at {out.clean(src)}")
    dest = Path(args.file).expanduser()
    if dest.exists():
        if dest.is_dir():
            raise CliError(f"{out.clean(dest)} is a folder; give a file name")
        if dest.resolve() == src.resolve() or os.path.samefile(dest, src):
            raise CliError("the backup file must not be the database itself")
        if not args.force:
            raise CliError(f"{out.clean(dest)} exists already; use --force to overwrite it")
    for suffix in ("-wal", "-shm", "-journal"):
        side = dest.with_name(dest.name + suffix)
        if side.exists():
            raise CliError(f"{out.clean(dest)} is in use ({out.clean(side.name)} exists); "
                           "close it or choose another file")
    if not dest.parent.is_dir():
        raise CliError(f"folder {out.clean(dest.parent)} does not exist")
    with database(args):  # checks the source really is an SQLite database
        pass
    try:
        problems = quick_problems(src)
    except sqlite3.Error as err:
        raise storage_error(err) from None
    if problems and not args.force:
        raise StorageError("the database file is corrupted; no backup taken: `sprinttui db check` says what "
                           "is wrong; `db backup --force FILE` copies what can be read")
    if not problems:
        backup_sqlite(src, dest)  # into .NAME.PID.tmp beside FILE, then renamed over it
        print(f"backup written to {out.clean(dest)}")
        return 0
    remove_backup_leftovers(dest, src)
    tmp = temp_name(dest)
    try:
        tmp.unlink(missing_ok=True)
        os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
        os.chmod(tmp, FILE_MODE)
        lost = salvage_sqlite(src, tmp)
        os.replace(tmp, dest)
    except (OSError, sqlite3.Error) as err:
        raise StorageError(f"backup failed: {out.clean(getattr(err, 'strerror', None) or err)}") from None
    finally:
        for left in (tmp, tmp.with_name(tmp.name + "-journal")):
            with suppress(OSError):
                left.unlink(missing_ok=True)
    unread = f"; {lost} table{'s' if lost != 1 else ''} could not be read to the end" if lost else ""
    print(f"salvaged what could be read of the damaged database into {out.clean(dest)}; the copy may be "
          f"incomplete{unread}")
    return 0


def cmd_db_check(args) -> int:
    """PRAGMA integrity_check and foreign_key_check; exit 2 when the file is damaged.
    A sound file also loses what killed imports left, and a running import is named."""
    from sprinttui.store.integrity import full_problems, remove_backup_leftovers

    url = resolve_url(args.db)
    path = sqlite_path(url)
    if path is None:
        raise CliError(f"db check checks SQLite database files; {shown_url(url)} is checked by the "
                       "PostgreSQL server itself (use its own tools, e.g. amcheck)")
    if not path.is_file():
        raise StorageError(f"there is no database at {out.clean(path)}")
    with database(args) as db:  # an SQLite file at all
        removed = remove_backup_leftovers(path, path)
        try:
            problems = full_problems(path)
        except sqlite3.Error as err:
            raise storage_error(err) from None
        imports = (0, None) if problems else _imports(db)
    abandoned, running = imports
    if args.json:
        out.emit_json({"database": str(path), "ok": not problems, "problems": problems,
                       "leftovers_removed": [str(p) for p in removed],
                       "abandoned_imports_removed": abandoned,
                       "import_running": None if running is None else {
                           "started_by": running.started_by, "started_at": running.started_at.isoformat()}})
        return 2 if problems else 0
    if removed:
        print(f"removed {len(removed)} file{'s' if len(removed) != 1 else ''} left by killed backups")
    if abandoned:
        print(f"removed the hidden rows of {abandoned} import{'s' if abandoned != 1 else ''} killed before "
              "publishing")
    if running is not None:
        print(f"an import is being published (by {out.clean(running.started_by, 40)}, started "
              f"{running.started_at:%Y-%m-%d %H:%M}): no one sees its rows until it is done")
    if not problems:
        print(f"{out.clean(path)}: ok (integrity and foreign keys checked)")
        return 0
    print(f"{out.clean(path)}: damaged, {len(problems)} problem{'s' if len(problems) != 1 else ''} found:")
    for problem in problems[:5]:
        print(f"  {out.clean(problem)}")
    if len(problems) > 5:
        print(f"  … and {len(problems) - 5} more")
    print("Nothing is written to it until it is repaired. Restore a backup: `sprinttui db restore FILE`; "
          "or salvage what can be read: `sprinttui db backup --force FILE`, then restore that")
    return 2


def _imports(db):
    """(how many killed imports' rows were removed, the running import or None) of a sound
    file; (0, None) for a schema without import batches (older, not migrated yet)."""
    from sqlalchemy.exc import DBAPIError

    from sprinttui.store import batches

    try:
        removed = batches.clean_abandoned(db)
        with db.engine.connect() as conn:
            return removed, batches.running_batch(conn, db.is_sqlite)
    except (DBAPIError, StorageError):  # no import_batch table, or the file is read-only here
        return 0, None


def cmd_db_restore(args) -> int:
    """Check the backup, ask (unless --yes), save the current database, copy the backup in."""
    from sprinttui.store.migrate import check_restorable, restore_sqlite

    url = resolve_url(args.db)
    dest = sqlite_path(url)
    if dest is None:
        raise CliError(f"db restore works on SQLite database files only, not {shown_url(url)}; "
                       "use your database's own restore tool")
    src = Path(args.file).expanduser()
    if dest.exists() and src.exists() and os.path.samefile(src, dest):
        raise CliError("the file to restore is the database itself")
    revision = check_restorable(src)  # refused before anything is asked or copied
    if not args.yes:
        sys.stderr.write(f"Replace the contents of {out.clean(dest)} with {out.clean(src)} (schema "
                         f"{out.clean(revision)})? Everyone else should close sprinttui first. [y/N] ")
        sys.stderr.flush()
        answer = sys.stdin.readline() if sys.stdin is not None else ""
        if answer.strip().lower() not in ("y", "yes"):
            sys.stderr.write("not restored; nothing changed\n")
            return 1
    safety = restore_sqlite(src, dest)
    with database(args):  # the restored file opens (an older schema is upgraded on the next start)
        pass
    kept = f"; the previous database was saved as {out.clean(safety)}" if safety else ""
    print(f"restored {out.clean(dest)} from {out.clean(src)} (schema {out.clean(revision)}){kept}")
    return 0


