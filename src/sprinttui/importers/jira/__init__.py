"""Import a Jira "Export Excel CSV (all fields)" file.

Two steps, so the command line can show progress from the start:

* :func:`read_jira_csv` reads and checks the file (:mod:`.parse`): a row that
  cannot be used becomes a :class:`RowProblem`; a file that is no Jira CSV at
  all raises :class:`~sprinttui.domain.ValidationError`.
* :func:`import_issues` maps the issues onto the project: items (matched on
  ``Item.external_key`` = the Jira key, so a re-import updates instead of
  duplicating), streams, members, and sprints with a history that gives
  closed sprints their carried-over items and each item its slip count. It
  plans from one read of the project, stages the rows in temporary tables
  (:mod:`.stage`) without holding the write lock, and publishes them as a
  batch (:mod:`.write`): written in short transactions, hidden until one last
  short transaction shows them all; it plans again if the project changed
  meanwhile. With ``dry_run`` it only computes what would change.

The modules: :mod:`.parse` (the file), :mod:`.load` (the project as it is),
:mod:`.sprints` and :mod:`.plan` (what to create and change, in memory),
:mod:`.stage` (the staging tables), :mod:`.write` (publishing), :mod:`.report`
(the summary), :mod:`.sample` (large Jira-format files for tests and
benchmarks). The mapping rules and heuristics are described in
``docs/jira-import.md``.
"""

from __future__ import annotations

import time
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError

from sprinttui.domain import BusyError, ConflictError, ValidationError, one_line
from sprinttui.importers.jira.load import ProjectState, load_project_state
from sprinttui.importers.jira.parse import (
    JiraIssue,
    ParsedFile,
    RowProblem,
    parse_jira_csv,
    parse_jira_datetime,
    read_jira_csv,
)
from sprinttui.importers.jira.plan import STREAM_FROM, ImportPlan
from sprinttui.importers.jira.records import EventSink, Progress, aware
from sprinttui.importers.jira.report import ImportReport, summary_lines
from sprinttui.importers.jira.stage import Stage
from sprinttui.importers.jira.write import ImportRunning, ProjectChanged, publish
from sprinttui.store.engine import storage_error

if TYPE_CHECKING:
    from sprinttui.services.context import Ctx

PUBLISH_ATTEMPTS = 3

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


def _plan(ctx: Ctx, state: ProjectState, parsed: ParsedFile, stream_from: str, dry_run: bool,
          progress: Progress | None, sink: EventSink | None = None) -> ImportPlan:
    """Plan the import on the project as read into `state` (in memory: no database access)."""
    plan = ImportPlan(state, parsed, stream_from=stream_from, dry_run=dry_run, now=aware(ctx.now()),
                      today=ctx.today(), progress=progress, sink=sink)
    plan.build()
    return plan


def _attempt_progress(progress: Progress | None, attempt: int) -> Progress | None:
    """Progress of the import's `attempt`-th plan: after the first, its steps read
    "Planning (2)" and so on, so a terminal shows that the import started over."""
    if progress is None or attempt == 1:
        return progress
    return lambda phase, done, total: progress(f"{phase} ({attempt})", done, total)


def _keys(parsed: ParsedFile) -> list[str]:
    return [iss.key for iss in parsed.issues]


def _import(ctx: Ctx, parsed: ParsedFile, stream_from: str, progress: Progress | None) -> ImportReport:
    """Plan from a read of the project, stage the rows, publish them as a batch (short
    transactions, shown at once); plan again if the project changed meanwhile
    (PUBLISH_ATTEMPTS times)."""
    db = ctx.db
    db.refuse_if_damaged()
    try:
        conn = db.engine.connect()
    except DBAPIError as err:
        raise storage_error(err) from None
    stage = Stage(conn)
    try:
        for attempt in range(1, PUBLISH_ATTEMPTS + 1):
            shown = _attempt_progress(progress, attempt)
            stage.reset()
            with db.read(conn) as s:
                state = load_project_state(s, _keys(parsed))
            plan = _plan(ctx, state, parsed, stream_from, False, shown, sink=stage.add_events)
            stage.add_read(state.read_versions)
            stage.add_items(plan.state.new_items, plan.state.max_rank, shown)
            stage.add_updates([it for it in plan.state.items.values() if it.dirty], shown)
            try:
                publish(db, conn, plan, stage, user=ctx.user, progress=shown)
            except (ProjectChanged, BusyError):  # BusyError: PostgreSQL undid a step (a deadlock)
                continue
            except ImportRunning as err:
                started = err.batch.started_at.strftime("%Y-%m-%d %H:%M")
                raise ConflictError(f"another import into this project is being published (by "
                                    f"{one_line(err.batch.started_by, 40)}, started {started}); nothing was "
                                    "imported: try again when it is done") from None
            return plan.report
        raise ConflictError("the project kept changing while the import was prepared; "
                            "nothing was imported: try again")
    except DBAPIError as err:
        raise storage_error(err) from None
    finally:
        with suppress(DBAPIError):  # if the connection is gone, so are its temporary tables
            stage.drop()
        conn.close()


def import_issues(ctx, parsed: ParsedFile, *, stream_from: str = "component", dry_run: bool = False,
                  progress: Progress | None = None) -> ImportReport:
    """Import parsed issues: all of them or, if anything fails, none (nothing is written with
    dry_run). Other people's writes wait for one short transaction of it at most."""
    if stream_from not in STREAM_FROM:
        raise ValidationError(f"--stream-from must be one of {', '.join(STREAM_FROM)}", "stream_from")
    t0 = time.perf_counter()
    if dry_run:
        with ctx.db.read() as s:
            state = load_project_state(s, _keys(parsed))
        report = _plan(ctx, state, parsed, stream_from, True, progress).report
    else:
        report = _import(ctx, parsed, stream_from, progress)
    report.seconds = round(time.perf_counter() - t0, 2)
    return report


def import_jira_csv(ctx, path: str | Path, *, stream_from: str = "component", dry_run: bool = False,
                    progress: Progress | None = None) -> ImportReport:
    """Read FILE and import it (see :func:`read_jira_csv` and :func:`import_issues`)."""
    t0 = time.perf_counter()
    parsed = read_jira_csv(path, progress)
    report = import_issues(ctx, parsed, stream_from=stream_from, dry_run=dry_run, progress=progress)
    report.seconds = round(time.perf_counter() - t0, 2)
    return report
