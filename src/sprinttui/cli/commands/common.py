"""What every command needs: opening the project or the bare database, the
errors the command line raises itself, and reading which options were given."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sprinttui.domain import ValidationError
from sprinttui.services import Ctx, open_ctx
from sprinttui.store.engine import Database, resolve_url


class CliError(ValidationError):
    """A command-line mistake the services never see (nothing to change, …)."""


class MissingPart(Exception):
    """A module the command needs is not installed (the app, demo or seed)."""


def warn_permissions(args, db: Database) -> None:
    """At start, one line on stderr if the database file is world-writable (once per command)."""
    message = db.permission_warning()
    if message and not getattr(args, "_permissions_warned", False):
        args._permissions_warned = True
        from sprinttui.cli import say

        say("warning", message)


@contextmanager
def opened(args, *, migrate: bool = True) -> Iterator[Ctx]:
    """The project of --db as --user, migrated to the current schema unless told otherwise."""
    ctx = open_ctx(args.db, args.user, migrate=migrate)
    warn_permissions(args, ctx.db)
    try:
        yield ctx
    finally:
        ctx.db.dispose()


@contextmanager
def database(args, *, create: bool = False) -> Iterator[Database]:
    """The database without migrating it and without needing a user."""
    db = Database(resolve_url(args.db), migrate=False, create=create)
    warn_permissions(args, db)
    try:
        yield db
    finally:
        db.dispose()


def shown_url(url: str) -> str:
    """A database URL as printed: without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for display
        return url


def import_part(module: str, what: str):
    """The module; MissingPart (exit 1) when it is not installed."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise MissingPart(f"{what} is not available: {err}") from None


def print_history(entries, as_json: bool) -> None:
    """A history (member, stream, project settings): one line per change, or JSON."""
    from sprinttui.cli import output as out

    if as_json:
        out.emit_json([{"at": h.at.isoformat(), "actor": h.actor, "field": h.field, "old": h.old, "new": h.new}
                       for h in entries])
        return
    out.table(["AT (UTC)", "BY", "FIELD", "OLD", "NEW"],
              [[out.when(h.at), h.actor, h.field, "-" if h.old in (None, "") else h.old,
                "-" if h.new in (None, "") else h.new] for h in entries],
              limits={3: 40, 4: 40}, empty="no changes recorded")


def given_options(args, names: list[str]) -> dict:
    """The options among `names` that were given on the command line (not None)."""
    return {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}


def require_some(changes: dict, options: str) -> None:
    """Refuse an edit command that was given nothing to change."""
    if not changes:
        raise CliError(f"nothing to change; give at least one of {options}")
