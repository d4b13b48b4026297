"""Exports: the sprint summary (Markdown, HTML, JSON, CSV) and the day's standup
(Markdown, JSON), for the command line (``sprinttui export``) and the app.

    text = export_sprint(ctx, "md")                     # active sprint, else the last closed
    text = export_sprint(ctx, "html", sprint="S3", stream="SAL")
    text = export_standup(ctx, "json", on="today")
    write_file("summary.csv", export_sprint(ctx, "csv"), bom=True)

Errors are the domain's one-line errors: NotFoundError for an unknown sprint or
stream, ValidationError for a bad format or output path, StorageError when the
file cannot be written. No Textual here; the app calls these from a worker.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

from sprinttui.domain import StorageError, ValidationError, one_line
from sprinttui.services.context import Ctx

SPRINT_FORMATS = ("md", "html", "json", "csv")
STANDUP_FORMATS = ("md", "json")
EXTENSIONS = {"md": ".md", "html": ".html", "json": ".json", "csv": ".csv"}
FILE_MODE = 0o660  # the team shares a group (see README: sharing one database)

__all__ = ["SPRINT_FORMATS", "STANDUP_FORMATS", "export_sprint", "export_standup", "write_file", "file_name"]


def _format(fmt: str, allowed: tuple[str, ...], what: str) -> str:
    f = str(fmt or "").strip().lower()
    if f == "markdown":
        f = "md"
    if f not in allowed:
        raise ValidationError(f"the {what} export has no format {one_line(fmt, 20)!r}; use one of: "
                              + ", ".join(allowed), "format")
    return f


def export_sprint(ctx: Ctx, fmt: str, *, sprint: str | None = None, stream: str | None = None) -> str:
    """The sprint summary as text in `fmt` (md, html, json or csv).

    sprint: a name or current / next / last; None = the active sprint, else the last
    closed one. stream: a stream KEY to report on that stream only.
    """
    f = _format(fmt, SPRINT_FORMATS, "sprint")
    from sprinttui.export.summary import sprint_document

    doc = sprint_document(ctx, sprint=sprint, stream=stream, items_only=f == "csv")
    if f == "md":
        from sprinttui.export.markdown import sprint_markdown

        return sprint_markdown(doc)
    if f == "html":
        from sprinttui.export.htmlfmt import sprint_html

        return sprint_html(doc)
    if f == "json":
        from sprinttui.export.jsonfmt import to_json

        return to_json(doc)
    from sprinttui.export.csvfmt import items_csv

    return items_csv(doc)


def export_standup(ctx: Ctx, fmt: str, *, on=None, stream: str | None = None) -> str:
    """The day's standup (notes, absences, blockers, blocked items, the standups
    held) as Markdown or JSON. on: a date or "today", "fri" …; None = today."""
    f = _format(fmt, STANDUP_FORMATS, "standup")
    from sprinttui.export.summary import standup_document

    doc = standup_document(ctx, on=on, stream=stream)
    if f == "md":
        from sprinttui.export.markdown import standup_markdown

        return standup_markdown(doc)
    from sprinttui.export.jsonfmt import to_json

    return to_json(doc)


def file_name(label: str, fmt: str) -> str:
    """A file name for an export: file_name("S3 summary", "md") -> "S3-summary.md"."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", str(label)).strip("-.") or "export"
    return stem[:80] + EXTENSIONS.get(fmt, "." + re.sub(r"[^a-z0-9]", "", str(fmt).lower())[:8])


def _shown(path: Path) -> str:
    return one_line(str(path), 200)


def _is_sqlite(path: Path) -> bool:
    """An SQLite database (never opened here but through SQLite: see is_sqlite_file)."""
    from sprinttui.store.connection import is_sqlite_file

    try:
        return path.stat().st_size >= 16 and is_sqlite_file(path)
    except OSError:
        return False


def write_file(path: str | os.PathLike, text: str, *, bom: bool = False) -> Path:
    """Write an export to `path` (mode 660: owner and group read and write).

    The text goes to a new file beside the target that is then renamed over it,
    so a reader never sees half an export and a failed write leaves the old file.
    A folder, a missing folder or an SQLite database as the target is refused.
    """
    raw = str(path)
    if not raw.strip():
        raise ValidationError("give a file name to export to", "output")
    target = Path(raw).expanduser()
    if target.is_dir():
        raise ValidationError(f"{_shown(target)} is a folder; give a file name", "output")
    data = (("\ufeff" if bom else "") + text).encode("utf-8")
    if target.exists() and not target.is_file():
        # a device or a pipe (/dev/stdout, a FIFO): write into it as it is
        try:
            with open(target, "wb") as f:
                f.write(data)
        except OSError as err:
            raise StorageError(f"cannot write {_shown(target)}: {err.strerror or err}") from None
        return target
    if target.is_symlink():
        target = target.resolve()
    if target.exists() and _is_sqlite(target):
        raise ValidationError(f"{_shown(target)} is an SQLite database; refusing to overwrite it with an export",
                              "output")
    folder = target.parent
    if not folder.is_dir():
        raise StorageError(f"cannot write {_shown(target)}: folder {_shown(folder)} does not exist")
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:60]}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), FILE_MODE)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
        tmp = None
    except OSError as err:
        raise StorageError(f"cannot write {_shown(target)}: {err.strerror or err}") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return target
