"""Work item commands: add, move, plan, edit, list, show, delete, restore."""

from __future__ import annotations

from sprinttui.cli import output as out
from sprinttui.cli.commands.common import given_options, opened, require_some
from sprinttui.services import items as items_svc
from sprinttui.services.item_rows import ItemQuery


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
    changes = given_options(args, ["title", "points", "kind", "assignee", "due", "labels", "description"])
    if args.block is not None:
        changes.update(blocked=True, blocked_reason=args.block)
    elif args.unblock:
        changes.update(blocked=False)
    require_some(changes, "--title, --points, --kind, --assignee, --due, --labels, --description, "
                      "--block, --unblock")
    with opened(args) as ctx:
        row = items_svc.edit_item(ctx, args.key, **changes)
    print(f"{row.key} updated")
    return 0


def cmd_item_list(args) -> int:
    q = ItemQuery(sprint=args.sprint, stream=args.stream, status=args.status,
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
