"""`x` on the board and the evaluations screen: the sprint summary to a file.

Asks for a file name (the extension picks the format: .md, .html, .json or
.csv), writes it from a worker thread and says where it went.
"""

from __future__ import annotations

from pathlib import Path

from textual.content import Content

from sprinttui.domain import SprintTuiError, ValidationError
from sprinttui.tui.modals import PromptModal

FORMAT_BY_SUFFIX = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json", ".csv": "csv"}


def format_of(name: str) -> str:
    fmt = FORMAT_BY_SUFFIX.get(Path(name.strip()).suffix.lower())
    if fmt is None:
        raise ValidationError("end the file name with .md, .html, .json or .csv (that picks the format)", "file")
    return fmt


def ask_and_export(screen, sprint: str | None, *, stream: str | None = None) -> None:
    """Prompt for the file, then export the summary of `sprint` (None: the
    active sprint, else the last closed one) for the stream filter."""
    from sprinttui.export import file_name

    app = screen.app
    label = f"{sprint or 'sprint'} summary" + (f" {stream}" if stream else "")

    def chosen(name: str | None) -> None:
        if not name:
            return
        app.run_worker(lambda: _write(app, name, sprint, stream), thread=True, group="export")

    app.push_screen(
        PromptModal("Export the sprint summary to which file? (.md, .html, .json or .csv)",
                    value=file_name(label, "md"), check=format_of),
        chosen,
    )


def _write(app, name: str, sprint: str | None, stream: str | None) -> None:
    from sprinttui.export import export_sprint, write_file

    try:
        fmt = format_of(name)
        path = write_file(Path(name).expanduser(), export_sprint(app.ctx, fmt, sprint=sprint, stream=stream))
    except SprintTuiError as err:
        app.call_from_thread(app.report_error, err)
        return
    app.call_from_thread(
        app.notify, Content.from_markup("Exported the summary to $path", path=str(path.resolve())), timeout=6)
