"""Report commands: a sprint's figures, capacity against the plan, slipped work;
and the KPIs the rollout should move."""

from __future__ import annotations

from sprinttui.cli import output as out
from sprinttui.cli.commands.common import opened
from sprinttui.services import kpis as kpis_svc
from sprinttui.services import reports as reports_svc
from sprinttui.services import sprints as sprints_svc

# --------------------------------------------------------------------------- reports


def _signed(p: float) -> str:
    return ("+" if p > 0 else "") + out.points(p)


def _figure_row(label: str, f: reports_svc.Figures, running: bool) -> list:
    """The figures as they add up: committed + added − removed ± re-estimated
    = completed + carried over (+ still open while the sprint runs)."""
    row = [label, out.points(f.committed_points), out.points(f.added_points), out.points(f.removed_points),
           _signed(f.reestimated_points), out.points(f.completed_points), out.points(f.carried_over_points)]
    if running:
        row.append(out.points(f.not_completed_points))
    return [*row, out.ratio(f.say_do_ratio)]


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
    if sp.state == "closed" or sp.goal_met is not None:
        print("Goal met: " + {True: "yes", False: "no", None: "not recorded"}[sp.goal_met])
    if sp.review_note:
        print(f"Review note: {out.clean(sp.review_note)}")
    print()
    running = sp.state == "active"
    rows = [_figure_row(k, f, running) for k, f in sorted(rep.streams.items())]
    rows.append(_figure_row("total", rep.totals, running))
    heads = ["STREAM", "COMMITTED", "ADDED", "REMOVED", "RE-EST", "COMPLETED", "CARRIED",
             *(["OPEN"] if running else []), "SAY/DO"]
    out.table(heads, rows, align="l" + "r" * (len(heads) - 1))
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
