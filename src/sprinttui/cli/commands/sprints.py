"""Sprint commands: plan, start, close, list, edit."""

from __future__ import annotations

from sprinttui.cli import output as out
from sprinttui.cli.commands.common import CliError, given_options, opened, require_some
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


def goal_met(text: str | None) -> bool | None:
    """--goal-met: yes or no (any case); None when not given; CliError otherwise."""
    if text is None:
        return None
    answer = {"yes": True, "no": False}.get(text.strip().lower())
    if answer is None:
        raise CliError(f"--goal-met takes yes or no, not {out.clean(text, 30)!r}")
    return answer


def cmd_sprint_close(args) -> int:
    met = goal_met(args.goal_met)  # before anything is opened: a bad value changes nothing
    with opened(args) as ctx:
        res = sprints_svc.close_sprint(ctx, args.sprint, carry_to=args.carry_to, goal_met=met,
                                       review_note=args.note)
    target = f"sprint {out.clean(res.target)}" if res.target else "the backlog"
    print(f"sprint {out.clean(res.sprint.name)} closed: {len(res.completed)} completed, "
          f"{len(res.carried)} carried over to {target}")
    if res.carried:
        print("carried over: " + ", ".join(res.carried))
    print("goal met: " + {True: "yes", False: "no", None: "not recorded"}[res.sprint.goal_met]
          + ("; review note recorded" if res.sprint.review_note else ""))
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
    if args.goal_met is not None:
        changes["goal_met"] = goal_met(args.goal_met)
    if args.note is not None:
        changes["review_note"] = args.note
    require_some(changes, "--name, --goal, --start, --end, --goal-met, --note")
    with opened(args) as ctx:
        v = sprints_svc.edit_sprint(ctx, args.sprint, **changes)
    print(f"sprint {out.clean(v.name)} updated: {v.start} to {v.end}")
    return 0
