"""The command handlers: parse nothing, decide nothing; call a service, print the result.

Each ``cmd_<name>(args)`` returns the exit status. Errors are raised as
SprintTuiError and printed by :func:`sprinttui.cli.main`.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sprinttui.cli import output as out
from sprinttui.domain import StorageError, ValidationError
from sprinttui.services import Ctx, open_ctx
from sprinttui.services import items as items_svc
from sprinttui.services import kpis as kpis_svc
from sprinttui.services import members as members_svc
from sprinttui.services import project as project_svc
from sprinttui.services import reports as reports_svc
from sprinttui.services import sprints as sprints_svc
from sprinttui.services import streams as streams_svc
from sprinttui.store.engine import Database, resolve_url, sqlite_path


class CliError(ValidationError):
    """A command-line mistake the services never see (nothing to change, …)."""


class MissingPart(Exception):
    """A module the command needs is not installed (the app, demo or seed)."""


# --------------------------------------------------------------------------- helpers


def _warn_permissions(args, db: Database) -> None:
    """At start, one line on stderr if the database file is world-writable (once per command)."""
    message = db.permission_warning()
    if message and not getattr(args, "_permissions_warned", False):
        args._permissions_warned = True
        from sprinttui.cli import _say

        _say("warning", message)


@contextmanager
def opened(args, *, migrate: bool = True) -> Iterator[Ctx]:
    ctx = open_ctx(args.db, args.user, migrate=migrate)
    _warn_permissions(args, ctx.db)
    try:
        yield ctx
    finally:
        ctx.db.dispose()


@contextmanager
def database(args, *, create: bool = False) -> Iterator[Database]:
    """The database without migrating it and without needing a user."""
    db = Database(resolve_url(args.db), migrate=False, create=create)
    _warn_permissions(args, db)
    try:
        yield db
    finally:
        db.dispose()


def shown_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for display
        return url


def _import(module: str, what: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise MissingPart(f"{what} is not available: {err}") from None


def _changes(args, names: list[str]) -> dict:
    return {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}


def _require(changes: dict, options: str) -> None:
    if not changes:
        raise CliError(f"nothing to change; give at least one of {options}")


# --------------------------------------------------------------------------- app, demo, init, seed


def _open_app(ctx: Ctx, stream: str | None) -> int:
    app = _import("sprinttui.tui.app", "the app")
    if stream:
        streams_svc.get_stream(ctx, stream)  # unknown stream: a clear error before the screen opens
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise CliError("the app needs a terminal; to script sprinttui use its commands (see --help)")
    app.run(ctx, stream=stream)
    return 0


def cmd_app(args) -> int:
    with opened(args) as ctx:
        return _open_app(ctx, args.app_stream)


def cmd_demo(args) -> int:
    demo = _import("sprinttui.demo", "the demo project")
    with opened(args) as ctx:
        created = demo.create_demo(ctx)
        print("demo project created" if created else "demo project already present")
        if args.no_tui:
            return 0
        return _open_app(ctx, getattr(args, "app_stream", None))


def _upgrade(args) -> None:
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


def cmd_init(args) -> int:
    _upgrade(args)
    with opened(args) as ctx:
        settings = project_svc.init_project(ctx, args.name)
        print(f"project {out.clean(settings.name)} ready in {out.clean(shown_url(ctx.db.url))}")
        if args.demo:
            demo = _import("sprinttui.demo", "the demo project")
            created = demo.create_demo(ctx)
            print("demo project created" if created else "demo project already present")
    return 0


def cmd_seed(args) -> int:
    seed = _import("sprinttui.seed", "the synthetic project generator")
    with opened(args) as ctx:
        stats = seed.seed_project(ctx, args.items, seed=args.seed)
        if isinstance(stats, dict):
            out.fields((str(k), v) for k, v in stats.items())
        else:
            print(out.clean(stats))
    return 0


# --------------------------------------------------------------------------- streams


def _stream_dict(v: streams_svc.StreamView) -> dict:
    return {"key": v.key, "name": v.name, "lead": v.lead, "lead_name": v.lead_name,
            "description": v.description, "members": v.members, "version": v.version}


def cmd_stream_add(args) -> int:
    with opened(args) as ctx:
        v = streams_svc.add_stream(ctx, args.key, args.name, lead=args.lead, description=args.description)
    print(f"stream {v.key} added: {out.clean(v.name)}")
    return 0


def cmd_stream_list(args) -> int:
    with opened(args) as ctx:
        rows = streams_svc.list_streams(ctx)
    if args.json:
        out.emit_json([_stream_dict(v) for v in rows])
        return 0
    out.table(
        ["KEY", "NAME", "LEAD", "MEMBERS", "DESCRIPTION"],
        [[v.key, v.name, v.lead or "-", v.members, (v.description.splitlines() or [""])[0]] for v in rows],
        align="lllr", limits={1: 40, 4: 50}, empty="no streams yet; add one with `sprinttui stream add KEY NAME`",
    )
    return 0


def cmd_stream_edit(args) -> int:
    changes = _changes(args, ["name", "lead", "description"])
    _require(changes, "--name, --lead, --description")
    with opened(args) as ctx:
        v = streams_svc.edit_stream(ctx, args.key, **changes)
    print(f"stream {v.key} updated")
    return 0


# --------------------------------------------------------------------------- members


def _member_dict(m: members_svc.MemberView) -> dict:
    return {"handle": m.handle, "name": m.name, "stream": m.stream, "availability": m.availability,
            "competences": m.competences, "active": m.active, "version": m.version}


def cmd_member_add(args) -> int:
    with opened(args) as ctx:
        m = members_svc.add_member(ctx, args.handle, args.name, stream=args.stream,
                                   availability=args.availability, competences=args.competences)
    print(f"member {out.clean(m.handle)} added: {out.clean(m.name)}")
    return 0


def cmd_member_list(args) -> int:
    with opened(args) as ctx:
        rows = members_svc.list_members(ctx, stream=args.stream, include_inactive=args.all)
    if args.json:
        out.emit_json([_member_dict(m) for m in rows])
        return 0
    out.table(
        ["HANDLE", "NAME", "STREAM", "AVAIL", "COMPETENCES"] + (["ACTIVE"] if args.all else []),
        [[m.handle, m.name, m.stream or "-", f"{m.availability}%", ",".join(m.competences)]
         + (["yes" if m.active else "no"] if args.all else []) for m in rows],
        align="lllr", limits={1: 40, 4: 50}, empty="no members",
    )
    return 0


def cmd_member_edit(args) -> int:
    changes = _changes(args, ["name", "stream", "availability", "competences", "active"])
    _require(changes, "--name, --stream, --availability, --competences, --active, --inactive")
    with opened(args) as ctx:
        m = members_svc.edit_member(ctx, args.handle, **changes)
    print(f"member {out.clean(m.handle)} updated")
    return 0


def cmd_member_absence(args) -> int:
    with opened(args) as ctx:
        days = members_svc.set_absence(ctx, args.handle, args.sprint, args.days)
    if days:
        print(f"{out.clean(args.handle)}: away {out.points(days)} days in sprint {out.clean(args.sprint)}")
    else:
        print(f"{out.clean(args.handle)}: no absence in sprint {out.clean(args.sprint)}")
    return 0


# --------------------------------------------------------------------------- sprints


def _sprint_dict(v: sprints_svc.SprintView) -> dict:
    d = v.as_dict()
    d.update(started_at=v.started_at.isoformat() if v.started_at else None,
             closed_at=v.closed_at.isoformat() if v.closed_at else None)
    return d


def cmd_sprint_new(args) -> int:
    with opened(args) as ctx:
        v = sprints_svc.new_sprint(ctx, args.name, start=args.start, end=args.end, goal=args.goal)
    print(f"sprint {out.clean(v.name)} planned: {v.start} to {v.end}")
    return 0


def cmd_sprint_start(args) -> int:
    with opened(args) as ctx:
        v = sprints_svc.start_sprint(ctx, args.sprint)
        rep = reports_svc.sprint_report(ctx, v.name)
    t = rep.totals
    print(f"sprint {out.clean(v.name)} started: {t.committed_count} items, "
          f"{out.points(t.committed_points)} points committed")
    return 0


def cmd_sprint_close(args) -> int:
    with opened(args) as ctx:
        res = sprints_svc.close_sprint(ctx, args.sprint, carry_to=args.carry_to)
    target = f"sprint {out.clean(res.target)}" if res.target else "the backlog"
    print(f"sprint {out.clean(res.sprint.name)} closed: {len(res.completed)} completed, "
          f"{len(res.carried)} carried over to {target}")
    if res.carried:
        print("carried over: " + ", ".join(res.carried))
    return 0


def cmd_sprint_list(args) -> int:
    with opened(args) as ctx:
        rows = sprints_svc.list_sprints(ctx)
    if args.json:
        out.emit_json([_sprint_dict(v) for v in rows])
        return 0
    out.table(
        ["NAME", "STATE", "START", "END", "GOAL"],
        [[v.name, v.state, v.start, v.end, (v.goal.splitlines() or [""])[0]] for v in rows],
        limits={0: 30, 4: 60}, empty="no sprints yet; plan one with `sprinttui sprint new`",
    )
    return 0


def cmd_sprint_edit(args) -> int:
    changes = _changes(args, ["name", "goal", "start", "end"])
    _require(changes, "--name, --goal, --start, --end")
    with opened(args) as ctx:
        v = sprints_svc.edit_sprint(ctx, args.sprint, **changes)
    print(f"sprint {out.clean(v.name)} updated: {v.start} to {v.end}")
    return 0


# --------------------------------------------------------------------------- items


def _item_table(rows: list, empty: str) -> None:
    out.table(
        ["KEY", "TITLE", "KIND", "STATUS", "PTS", "SPRINT", "ASSIGNEE", "SLIPS"],
        [[r.key, ("[blocked] " if r.blocked else "") + r.title, r.kind, r.status, out.points(r.points),
          r.sprint or "backlog", r.assignee or "-", r.slip_count or ""] for r in rows],
        align="llllrllr", limits={1: 50, 5: 20}, empty=empty,
    )


def cmd_item_add(args) -> int:
    with opened(args) as ctx:
        row = items_svc.create_item(
            ctx, args.title, stream=args.stream, points=args.points, kind=args.kind, sprint=args.sprint,
            assignee=args.assignee, due=args.due, labels=args.labels, description=args.description,
        )
    print(row.key)
    return 0


def cmd_item_move(args) -> int:
    with opened(args) as ctx:
        row = items_svc.move_item(ctx, args.key, args.status)
    print(f"{row.key}: {row.status}")
    return 0


def cmd_item_plan(args) -> int:
    with opened(args) as ctx:
        row = items_svc.plan_item(ctx, args.key, args.sprint)
    print(f"{row.key}: {'sprint ' + out.clean(row.sprint) if row.sprint else 'backlog'}")
    return 0


def cmd_item_edit(args) -> int:
    changes = _changes(args, ["title", "points", "kind", "assignee", "due", "labels", "description"])
    if args.block is not None:
        changes.update(blocked=True, blocked_reason=args.block)
    elif args.unblock:
        changes.update(blocked=False)
    _require(changes, "--title, --points, --kind, --assignee, --due, --labels, --description, "
                      "--block, --unblock")
    with opened(args) as ctx:
        row = items_svc.edit_item(ctx, args.key, **changes)
    print(f"{row.key} updated")
    return 0


def cmd_item_list(args) -> int:
    q = items_svc.ItemQuery(sprint=args.sprint, stream=args.stream, status=args.status,
                            assignee=args.assignee, text=args.search, limit=args.limit)
    with opened(args) as ctx:
        rows = items_svc.list_items(ctx, q)
    if args.json:
        out.emit_json([r.as_dict() for r in rows])
        return 0
    _item_table(rows, "no items")
    return 0


def cmd_item_show(args) -> int:
    with opened(args) as ctx:
        detail = items_svc.get_item(ctx, args.key)
        hist = items_svc.history(ctx, detail.row.key)
        slips = items_svc.slip_trail(ctx, detail.row.key)
    if args.json:
        d = detail.as_dict()
        d["history"] = [{"at": h.at.isoformat(), "actor": h.actor, "field": h.field, "old": h.old, "new": h.new}
                        for h in hist]
        d["slips"] = [{"sprint": s.sprint, "at": s.at.isoformat(), "to": s.to, "points": s.points}
                      for s in slips]
        out.emit_json(d)
        return 0
    r = detail.row
    print(f"{r.key}  {out.clean(r.title)}")
    pairs = [
        ("kind", r.kind), ("status", r.status), ("points", out.points(r.points)), ("stream", r.stream),
        ("sprint", r.sprint or "backlog"), ("assignee", r.assignee or "-"),
        ("slip count", r.slip_count), ("blocked", f"yes: {r.blocked_reason}" if r.blocked else "no"),
        ("due", out.when(r.due_date)), ("labels", ",".join(r.labels) or "-"),
    ]
    if detail.kpi:
        pairs.append(("kpi", detail.kpi))
    if detail.external_key:
        pairs.append(("external key", detail.external_key))
    pairs += [
        ("created", f"{out.when(detail.created_at)} by {detail.created_by}"),
        ("updated", f"{out.when(detail.updated_at)} by {detail.updated_by}"),
    ]
    out.fields(pairs, indent="  ")
    if detail.description:
        print()
        print("Description:")
        for line in out.clean_lines(detail.description):
            print(("  " + line).rstrip())
    print()
    print("Slipped from:")
    if slips:
        out.table(["SPRINT", "AT", "TO", "PTS"],
                  [[s.sprint, out.when(s.at), s.to or "backlog", out.points(s.points)] for s in slips],
                  align="lllr", indent="  ")
    else:
        print("  never slipped")
    print()
    print("History (UTC):")
    out.table(["AT", "BY", "FIELD", "OLD", "NEW"],
              [[out.when(h.at), h.actor, h.field, "-" if h.old in (None, "") else h.old,
                "-" if h.new in (None, "") else h.new] for h in hist],
              limits={3: 40, 4: 40}, indent="  ", empty="  (none)")
    return 0


def cmd_item_delete(args) -> int:
    with opened(args) as ctx:
        row = items_svc.delete_item(ctx, args.key)
    print(f"{row.key} deleted (undo: sprinttui item restore {row.key})")
    return 0


def cmd_item_restore(args) -> int:
    with opened(args) as ctx:
        row = items_svc.restore_item(ctx, args.key)
    print(f"{row.key} restored")
    return 0


# --------------------------------------------------------------------------- reports


def _figure_row(label: str, f: reports_svc.Figures) -> list:
    return [label, out.points(f.committed_points), out.points(f.added_points), out.points(f.removed_points),
            out.points(f.completed_points), out.points(f.carried_over_points), out.ratio(f.say_do_ratio)]


def cmd_report(args) -> int:
    with opened(args) as ctx:
        ref = args.sprint or ("current" if sprints_svc.active_sprint(ctx) else "last")
        rep = reports_svc.sprint_report(ctx, ref, stream=args.stream)
    if args.json:
        out.emit_json(rep.as_dict())
        return 0
    sp = rep.sprint
    print(f"Sprint {out.clean(sp.name)} ({sp.state}), {sp.start} to {sp.end}")
    if sp.goal:
        print(f"Goal: {out.clean(sp.goal)}")
    print()
    rows = [_figure_row(k, f) for k, f in sorted(rep.streams.items())]
    rows.append(_figure_row("total", rep.totals))
    out.table(["STREAM", "COMMITTED", "ADDED", "REMOVED", "COMPLETED", "CARRIED", "SAY/DO"], rows,
              align="lrrrrrr")
    if rep.items:
        print()
        out.table(
            ["KEY", "TITLE", "PTS", "OUTCOME", "COMMITTED", "SLIPS"],
            [[i.key, i.title, out.points(i.points), i.outcome.replace("_", " "),
              "yes" if i.committed else "added" if i.added_after_start else "-", i.slip_count or ""]
             for i in rep.items],
            align="llrllr", limits={1: 50},
        )
    return 0


def cmd_capacity(args) -> int:
    with opened(args) as ctx:
        cap = reports_svc.capacity(ctx, args.sprint)
    streams = cap.streams + [cap.total]
    if args.json:
        out.emit_json({
            "sprint": cap.sprint.as_dict(),
            "working_days": cap.working_days,
            "members": [
                {"handle": m.handle, "name": m.name, "stream": m.stream, "availability": m.availability,
                 "absence_days": m.absence_days, "capacity_days": m.capacity_days} for m in cap.members
            ],
            "streams": [
                {"stream": s.stream, "capacity_days": s.capacity_days, "capacity_points": s.capacity_points,
                 "committed_points": s.committed_points, "velocity_points": s.velocity_points,
                 "free_points": round(s.free_points, 2), "over_committed": s.over_committed}
                for s in cap.streams
            ],
            "total": {"capacity_days": cap.total.capacity_days, "capacity_points": cap.total.capacity_points,
                      "committed_points": cap.total.committed_points,
                      "velocity_points": cap.total.velocity_points,
                      "free_points": round(cap.total.free_points, 2),
                      "over_committed": cap.total.over_committed},
        })
        return 0
    sp = cap.sprint
    print(f"Sprint {out.clean(sp.name)} ({sp.state}), {sp.start} to {sp.end}: {cap.working_days} working days")
    print()
    out.table(["MEMBER", "NAME", "STREAM", "AVAIL", "AWAY", "DAYS"],
              [[m.handle, m.name, m.stream or "-", f"{m.availability}%", out.points(m.absence_days),
                out.points(m.capacity_days)] for m in cap.members],
              align="lllrrr", limits={1: 30}, empty="no active members")
    print()
    out.table(["STREAM", "DAYS", "CAPACITY", "PLANNED", "FREE", "VELOCITY", ""],
              [[s.stream, out.points(s.capacity_days), out.points(s.capacity_points),
                out.points(s.committed_points), out.points(round(s.free_points, 2)),
                out.points(s.velocity_points), "over-committed" if s.over_committed else ""]
               for s in streams],
              align="lrrrrrl")
    return 0


def cmd_slipped(args) -> int:
    with opened(args) as ctx:
        groups = reports_svc.slipped_work(ctx, stream=args.stream)
    if args.json:
        out.emit_json([
            {"stream": g.stream, "debt_points": g.debt_points,
             "slipped": [r.as_dict() for r in g.slipped], "overdue": [r.as_dict() for r in g.overdue],
             "blocked": [r.as_dict() for r in g.blocked]}
            for g in groups
        ])
        return 0
    shown = False
    for g in groups:
        if not (g.slipped or g.overdue or g.blocked):
            continue
        if shown:
            print()
        shown = True
        print(f"{g.stream}: {out.points(g.debt_points)} points of slipped or overdue work")
        for title, rows in (("slipped", g.slipped), ("overdue", g.overdue), ("blocked", g.blocked)):
            if not rows:
                continue
            print(f"  {title}:")
            out.table(["KEY", "TITLE", "STATUS", "PTS", "SPRINT", "SLIPS", "DUE", "BLOCKED"],
                      [[r.key, r.title, r.status, out.points(r.points), r.sprint or "backlog", r.slip_count,
                        out.when(r.due_date), r.blocked_reason if r.blocked else ""] for r in rows],
                      align="lllrlrll", limits={1: 40, 7: 30}, indent="    ")
    if not shown:
        print("nothing slipped, overdue or blocked for long")
    return 0


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


# --------------------------------------------------------------------------- KPIs


def _kpi_status(k: kpis_svc.KpiView) -> str:
    if k.target_met:
        return "target met"
    return {True: "on track", False: "off track", None: "-"}[k.on_track]


def cmd_kpi_add(args) -> int:
    with opened(args) as ctx:
        k = kpis_svc.add_kpi(ctx, args.name, unit=args.unit, baseline=args.baseline, target=args.target,
                             direction=args.direction, description=args.description)
    print(f"KPI {out.clean(k.name)} added")
    return 0


def cmd_kpi_record(args) -> int:
    with opened(args) as ctx:
        k = kpis_svc.record(ctx, args.name, args.value, on=args.date, note=args.note)
    unit = f" {out.clean(k.unit)}" if k.unit else ""
    print(f"KPI {out.clean(k.name)}: latest {out.points(k.latest)}{unit} ({_kpi_status(k)})")
    return 0


def cmd_kpi_list(args) -> int:
    with opened(args) as ctx:
        rows = kpis_svc.list_kpis(ctx)
    if args.json:
        out.emit_json([
            {"name": k.name, "unit": k.unit, "baseline": k.baseline, "target": k.target,
             "direction": k.direction, "description": k.description, "latest": k.latest,
             "target_met": k.target_met, "on_track": k.on_track,
             "measurements": [{"date": m.date.isoformat(), "value": m.value, "note": m.note}
                              for m in k.measurements]}
            for k in rows
        ])
        return 0
    out.table(["NAME", "UNIT", "BASELINE", "TARGET", "BETTER", "LATEST", "STATUS"],
              [[k.name, k.unit or "-", out.points(k.baseline), out.points(k.target), k.direction,
                out.points(k.latest), _kpi_status(k)] for k in rows],
              align="llrrlrl", limits={0: 40}, empty="no KPIs yet; add one with `sprinttui kpi add NAME`")
    return 0


# --------------------------------------------------------------------------- imports


@contextmanager
def _progress_bar(rows: int):
    """A rich progress bar on stderr for files over a few hundred rows, only on a terminal."""
    if rows < 300 or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description:<9}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True)
    tasks: dict[str, int] = {}

    def update(phase: str, done: int, total: int) -> None:
        if phase not in tasks:
            tasks[phase] = bar.add_task(phase, total=total)
        bar.update(tasks[phase], completed=done, total=total)

    with bar:
        yield update


def cmd_import_jira_csv(args) -> int:
    jira = _import("sprinttui.importers.jira", "the Jira importer")
    parsed = jira.read_jira_csv(args.file)  # a missing or non-CSV file: one line, exit 2, nothing opened
    with opened(args) as ctx, _progress_bar(len(parsed.issues)) as progress:
        report = jira.import_issues(ctx, parsed, stream_from=args.stream_from, dry_run=args.dry_run,
                                    progress=progress)
    for problem in report.problems:
        print(f"sprinttui: skipped {out.clean(problem, 300)}", file=sys.stderr)
    if args.json:
        out.emit_json(report.as_dict())
        return 0
    for line in jira.summary_lines(report):
        print(out.clean(line))
    return 0


# --------------------------------------------------------------------------- database


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
    _upgrade(args)
    return 0


def cmd_db_backup(args) -> int:
    """Online backup into a new file beside FILE, then renamed over it.

    Writing into a fresh file means nobody can hold it open; the rename makes the
    copy appear whole or not at all.
    """
    import tempfile

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
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        backup_sqlite(src, tmp)
        os.replace(tmp, dest)
    except (OSError, sqlite3.Error) as err:
        raise StorageError(f"backup failed: {out.clean(getattr(err, 'strerror', None) or err)}") from None
    finally:
        if tmp.exists():
            with suppress(OSError):
                tmp.unlink()
    print(f"backup written to {out.clean(dest)}")
    return 0


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


# --------------------------------------------------------------------------- project settings


def _settings_dict(st: project_svc.Settings) -> dict:
    return {"name": st.name, "sprint_length_days": st.sprint_length_days,
            "working_days": st.working_days_text, "points_per_day": st.points_per_day,
            "allow_user_override": st.allow_user_override, "version": st.version}


def cmd_project_show(args) -> int:
    with opened(args) as ctx:
        st = project_svc.get_settings(ctx)
    if args.json:
        out.emit_json(_settings_dict(st))
        return 0
    out.fields([("name", st.name), ("sprint length", f"{st.sprint_length_days} days"),
                ("working days", st.working_days_text), ("points per day", st.points_per_day),
                ("--user allowed", "yes" if st.allow_user_override else "no (the login name is recorded)")])
    return 0


def cmd_project_set(args) -> int:
    changes = _changes(args, ["name", "sprint_length_days", "working_days", "points_per_day",
                              "allow_user_override"])
    _require(changes, "--name, --sprint-length, --working-days, --points-per-day, --allow-user-override")
    if "points_per_day" in changes:
        try:
            changes["points_per_day"] = float(changes["points_per_day"])
        except ValueError:
            raise ValidationError(f"points per day must be a number, not {out.clean(args.points_per_day)!r}",
                                  "points_per_day") from None
    with opened(args) as ctx:
        project_svc.update_settings(ctx, **changes)
    print("project settings updated")
    return 0
