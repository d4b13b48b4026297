"""Import a Jira "Export Excel CSV (all fields)" file.

Two steps, so the command line can decide on a progress bar in between:

* :func:`read_jira_csv` reads and checks the file (:mod:`.parse`): a row that
  cannot be used becomes a :class:`RowProblem`; a file that is no Jira CSV at
  all raises :class:`~sprinttui.domain.ValidationError`.
* :func:`import_issues` maps the issues onto the project in ONE write
  transaction (or, with ``dry_run``, only computes what would change): items
  (matched on ``Item.external_key`` = the Jira key, so a re-import updates
  instead of duplicating), streams, members, and sprints with a history that
  gives closed sprints their carried-over items and each item its slip count.

The modules: :mod:`.parse` (the file), :mod:`.load` (the project as it is),
:mod:`.sprints` and :mod:`.plan` (what to create and change, in memory),
:mod:`.write` (the bulk inserts), :mod:`.report` (the summary), :mod:`.sample`
(large Jira-format files for tests and benchmarks). The mapping rules and
heuristics are described in ``docs/jira-import.md``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from sprinttui.domain import ValidationError
from sprinttui.importers.jira.load import load_project_state
from sprinttui.importers.jira.parse import (
    JiraIssue,
    ParsedFile,
    RowProblem,
    parse_jira_csv,
    parse_jira_datetime,
    read_jira_csv,
)
from sprinttui.importers.jira.plan import STREAM_FROM, ImportPlan
from sprinttui.importers.jira.records import Progress, aware
from sprinttui.importers.jira.report import ImportReport, summary_lines
from sprinttui.importers.jira.write import write_plan

if TYPE_CHECKING:
    from sprinttui.services.context import Ctx

__all__ = [
    "STREAM_FROM",
    "ImportReport",
    "JiraIssue",
    "ParsedFile",
    "Progress",
    "RowProblem",
    "import_issues",
    "import_jira_csv",
    "parse_jira_csv",
    "parse_jira_datetime",
    "read_jira_csv",
    "summary_lines",
]


def _run(ctx: Ctx, s, parsed: ParsedFile, stream_from: str, dry_run: bool, progress: Progress | None) -> ImportReport:
    """Load the project through session `s`, plan the import, and write it unless dry_run."""
    now, today = aware(ctx.now()), ctx.today()
    state = load_project_state(s, [iss.key for iss in parsed.issues], lock=not dry_run)
    plan = ImportPlan(state, parsed, stream_from=stream_from, dry_run=dry_run, now=now, today=today,
                      progress=progress)
    report = plan.build()
    if not dry_run:
        write_plan(s, plan, user=ctx.user, progress=progress)
    return report


def import_issues(ctx, parsed: ParsedFile, *, stream_from: str = "component", dry_run: bool = False,
                  progress: Progress | None = None) -> ImportReport:
    """Import parsed issues in one write transaction (nothing is written with dry_run)."""
    if stream_from not in STREAM_FROM:
        raise ValidationError(f"--stream-from must be one of {', '.join(STREAM_FROM)}", "stream_from")
    t0 = time.perf_counter()
    if dry_run:
        with ctx.db.read() as s:
            report = _run(ctx, s, parsed, stream_from, True, progress)
    else:
        with ctx.db.write() as s:
            report = _run(ctx, s, parsed, stream_from, False, progress)
    report.seconds = round(time.perf_counter() - t0, 2)
    return report


def import_jira_csv(ctx, path: str | Path, *, stream_from: str = "component", dry_run: bool = False,
                    progress: Progress | None = None) -> ImportReport:
    """Read FILE and import it (see :func:`read_jira_csv` and :func:`import_issues`)."""
    t0 = time.perf_counter()
    parsed = read_jira_csv(path)
    report = import_issues(ctx, parsed, stream_from=stream_from, dry_run=dry_run, progress=progress)
    report.seconds = round(time.perf_counter() - t0, 2)
    return report
