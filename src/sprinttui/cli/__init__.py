"""Command line entry point: ``sprinttui [--db DB] [--user NAME] COMMAND …``.

Start-up stays lean: parsing the arguments imports only argparse; the service
layer (SQLAlchemy) is imported once a command runs, and Textual, Alembic and the
demo/seed modules only inside the commands that need them.

Exit status: 0 success; 2 a usage error or any SprintTuiError (one line on
stderr: ``sprinttui: error: …``); 1 an unexpected failure (one line:
``sprinttui: internal error: …``, never a traceback); 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import re
import sys

from sprinttui.domain import SprintTuiError, ValidationError, one_line

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


_REL_DATE = re.compile(r"-\s*\d{1,4}\s*[dwmy]", re.ASCII | re.IGNORECASE)
_PATH_ARGS = ("db", "file", "output")  # file names: checked where they are opened


def _date_options(parser: argparse.ArgumentParser) -> set[str]:
    """The options taking a DATE, in every sub-command."""
    found: set[str] = set()
    stack = [parser]
    while stack:
        for action in stack.pop()._actions:
            if isinstance(action, argparse._SubParsersAction):
                stack.extend(action.choices.values())
            elif action.metavar == "DATE":
                found.update(action.option_strings)
    return found


def _rejoin_dates(argv: list[str], options: set[str]) -> list[str]:
    """`--due -3d` as `--due=-3d`: argparse would take "-3d" for an option."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            out.extend(argv[i:])
            break
        if arg in options and i + 1 < len(argv) and _REL_DATE.fullmatch(argv[i + 1]):
            out.append(f"{arg}={argv[i + 1]}")
            i += 2
            continue
        out.append(arg)
        i += 1
    return out


def _refuse_undecodable(args: argparse.Namespace) -> None:
    """Text arguments that are not UTF-8 (a latin-1 terminal's 'café') never reach the database."""
    for name, value in vars(args).items():
        if name in _PATH_ARGS:
            continue
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    try:
                        shown = os.fsencode(text).decode("ascii", "backslashreplace")
                    except UnicodeEncodeError:
                        shown = text.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
                    raise ValidationError(f"the argument '{one_line(shown, 60)}' is not valid UTF-8 text; "
                                          "check your terminal's encoding (LANG)", name) from None


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
        argv = _rejoin_dates(list(sys.argv[1:] if argv is None else argv), _date_options(parser))
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help, --version, usage errors
            return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        _refuse_undecodable(args)
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
        if isinstance(err, PermissionError):
            say("error", f"permission denied: {err.filename or err}")
            return 2
        say("internal error", f"{type(err).__name__}: {err}")
        return 1
    finally:
        gc.enable()
