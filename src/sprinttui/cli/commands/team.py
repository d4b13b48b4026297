"""Stream and member commands: the sub-projects and who works on them."""

from __future__ import annotations

from sprinttui.cli import output as out
from sprinttui.cli.commands.common import given_options, opened, print_history, require_some
from sprinttui.services import members as members_svc
from sprinttui.services import streams as streams_svc

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
    changes = given_options(args, ["name", "lead", "description"])
    require_some(changes, "--name, --lead, --description")
    with opened(args) as ctx:
        v = streams_svc.edit_stream(ctx, args.key, **changes)
    print(f"stream {v.key} updated")
    return 0


def cmd_stream_history(args) -> int:
    with opened(args) as ctx:
        entries = streams_svc.history(ctx, args.key)
    print_history(entries, args.json)
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
    changes = given_options(args, ["name", "stream", "availability", "competences", "active"])
    require_some(changes, "--name, --stream, --availability, --competences, --active, --inactive")
    with opened(args) as ctx:
        m = members_svc.edit_member(ctx, args.handle, **changes)
    print(f"member {out.clean(m.handle)} updated")
    return 0


def cmd_member_history(args) -> int:
    with opened(args) as ctx:
        entries = members_svc.history(ctx, args.handle)
    print_history(entries, args.json)
    return 0


def cmd_member_absence(args) -> int:
    with opened(args) as ctx:
        days = members_svc.set_absence(ctx, args.handle, args.sprint, args.days)
    if days:
        print(f"{out.clean(args.handle)}: away {out.points(days)} days in sprint {out.clean(args.sprint)}")
    else:
        print(f"{out.clean(args.handle)}: no absence in sprint {out.clean(args.sprint)}")
    return 0
