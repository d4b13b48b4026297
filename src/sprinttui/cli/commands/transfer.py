"""Exports (a sprint's summary, a day's standup) and imports (a Jira CSV file)."""

from __future__ import annotations

import sys
from contextlib import contextmanager

from sprinttui.cli import output as out
from sprinttui.cli.commands.common import CliError, import_part, opened

# --------------------------------------------------------------------------- exports


def _export_format(args, allowed: tuple[str, ...]) -> str:
    fmt = (args.export_format or "").strip().lower()
    if not fmt:
        raise CliError(f"give the format: --format {'|'.join(allowed)}")
    if fmt not in allowed and fmt != "markdown":
        raise CliError(f"unknown format {out.clean(args.export_format, 20)!r}; use one of: {', '.join(allowed)}")
    return fmt


def _emit_export(text: str, output: str | None, *, bom: bool = False) -> None:
    """To FILE (written whole, mode 660), else to stdout as UTF-8 bytes."""
    from sprinttui.export import write_file

    if output:
        path = write_file(output, text, bom=bom)
        print(f"export written to {out.clean(path)}")
        return
    data = (("\ufeff" if bom else "") + text).encode("utf-8")
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    sys.stdout.flush()
    buffer.write(data)
    buffer.flush()


def cmd_export(args) -> int:
    from sprinttui.export import SPRINT_FORMATS, export_sprint

    fmt = _export_format(args, SPRINT_FORMATS)
    if args.bom and fmt != "csv":
        raise CliError("--bom only applies to --format csv")
    with opened(args) as ctx:
        text = export_sprint(ctx, fmt, sprint=args.sprint, stream=args.stream)
    _emit_export(text, args.output, bom=args.bom)
    return 0


def cmd_export_standup(args) -> int:
    from sprinttui.export import STANDUP_FORMATS, export_standup

    for given, option in ((args.sprint, "--sprint"), (args.bom, "--bom")):
        if given:
            raise CliError(f"{option} does not apply to `export standup`")
    fmt = _export_format(args, STANDUP_FORMATS)
    with opened(args) as ctx:
        text = export_standup(ctx, fmt, on=args.date, stream=args.stream)
    _emit_export(text, args.output)
    return 0


# --------------------------------------------------------------------------- imports


PROGRESS_FROM_BYTES = 64 * 1024  # a file this size (a few hundred issues) shows its progress


@contextmanager
def _progress_bar(path: str):
    """A progress bar on stderr, one line per phase (reading, planning, staging, publishing),
    for a file over PROGRESS_FROM_BYTES, and only on a terminal."""
    from pathlib import Path

    try:
        size = Path(path).expanduser().stat().st_size
    except OSError:
        size = 0  # reading it says what is wrong
    if size < PROGRESS_FROM_BYTES or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description:<14}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True)
    tasks: dict[str, int] = {}

    def update(phase: str, done: int, total: int) -> None:
        if phase not in tasks:
            tasks[phase] = bar.add_task(phase, total=total)
        bar.update(tasks[phase], completed=done, total=total)

    with bar:
        yield update


def cmd_import_jira_csv(args) -> int:
    jira = import_part("sprinttui.importers.jira", "the Jira importer")
    try:
        with _progress_bar(args.file) as progress:
            # a missing or non-CSV file: one line, exit 2, nothing opened
            parsed = jira.read_jira_csv(args.file, progress)
            with opened(args) as ctx:
                report = jira.import_issues(ctx, parsed, stream_from=args.stream_from, dry_run=args.dry_run,
                                            progress=progress)
    except KeyboardInterrupt:
        print("sprinttui: interrupted: nothing was imported", file=sys.stderr)
        return 130
    for problem in report.problems:
        print(f"sprinttui: skipped {out.clean(problem, 300)}", file=sys.stderr)
    if args.json:
        out.emit_json(report.as_dict())
        return 0
    for line in jira.summary_lines(report):
        print(out.clean(line))
    return 0
