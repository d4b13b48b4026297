"""Command line entry point: ``sprinttui [--db DB] [--user NAME] COMMAND …``.

Start-up stays lean: parsing the arguments imports only argparse; the service
layer (SQLAlchemy) is imported once a command runs, and Textual, Alembic and the
demo/seed modules only inside the commands that need them.

Exit status: 0 success; 2 a usage error or any SprintTuiError (one line on
stderr: ``sprinttui: error: …``); 1 an unexpected failure (one line:
``sprinttui: internal error: …``, never a traceback); 130 interrupted.
"""

from __future__ import annotations

import contextlib
import gc
import sys

from sprinttui.domain import SprintTuiError, one_line

PROG = "sprinttui"


def _line(text: object, limit: int = 1000) -> str:
    return one_line(" ".join(str(text).split()), limit)


def say(kind: str, message: object) -> None:
    """One line on stderr, `sprinttui: KIND: MESSAGE`; never fails."""
    try:
        sys.stderr.write(f"{PROG}: {kind}: {_line(message) or 'unknown'}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _tolerant_streams() -> None:
    """Never fail on printing a character the terminal's encoding lacks."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(errors="backslashreplace")


def _storage_error(err: BaseException) -> SprintTuiError | None:
    """Driver errors that escaped the store layer, as the one-line error a person can act on."""
    import sqlite3

    mod = sys.modules.get("sqlalchemy.exc")
    if isinstance(err, sqlite3.Error) or (mod is not None and isinstance(err, mod.DBAPIError)):
        from sprinttui.store.engine import storage_error

        return storage_error(err)
    if mod is not None and isinstance(err, mod.ArgumentError):  # includes NoSuchModuleError
        from sprinttui.domain import StorageError

        return StorageError(f"cannot use this database URL: {_line(err, 200)}")
    return None


def main(argv: list[str] | None = None) -> int:
    _tolerant_streams()
    # Importing SQLAlchemy, SQLModel and Textual allocates hundreds of thousands
    # of objects that live as long as the process; the collector would walk
    # them again and again while they load. It is switched back on before a
    # command runs, and by the app once its first screen is painted.
    gc.disable()
    try:
        from sprinttui.cli.parser import build_parser

        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help, --version, usage errors
            return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        if args.app_stream and args.command not in (None, "demo"):
            parser.error("--stream before a command only applies when opening the app; "
                         "give it after the command instead")
        from sprinttui.cli import commands

        if args.handler not in ("app", "demo"):
            gc.enable()
        try:
            return int(getattr(commands, "cmd_" + args.handler)(args) or 0)
        except commands.MissingPart as err:
            say("error", err)
            return 1
    except SystemExit as exc:  # parser.error() above
        return exc.code if isinstance(exc.code, int) else 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (`sprinttui item list | head`): stop quietly
        try:
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 141
    except SprintTuiError as err:
        say("error", err)
        return 2
    except Exception as err:  # noqa: BLE001 - the last line of defence: no traceback for users
        known = _storage_error(err)
        if known is not None:
            say("error", known)
            return 2
        say("internal error", f"{type(err).__name__}: {err}")
        return 1
    finally:
        gc.enable()
