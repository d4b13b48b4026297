"""Sprint commands: plan, start, close, list, edit."""

from __future__ import annotations

from sprinttui.cli import output as out
from sprinttui.cli.commands.common import given_options, opened, require_some
from sprinttui.services import reports as reports_svc
from sprinttui.services import sprints as sprints_svc


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
    changes = given_options(args, ["name", "goal", "start", "end"])
    require_some(changes, "--name, --goal, --start, --end")
    with opened(args) as ctx:
        v = sprints_svc.edit_sprint(ctx, args.sprint, **changes)
    print(f"sprint {out.clean(v.name)} updated: {v.start} to {v.end}")
    return 0
