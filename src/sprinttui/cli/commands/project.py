"""Commands about the project as a whole: open the app, the demo, init, seed
and the project's settings. The database file's commands are in :mod:`.database`."""

from __future__ import annotations

import sys

from sprinttui.cli import output as out
from sprinttui.cli.commands.common import (
    CliError,
    given_options,
    import_part,
    opened,
    print_history,
    require_some,
    shown_url,
)
from sprinttui.cli.commands.database import upgrade_schema
from sprinttui.domain import ValidationError
from sprinttui.services import Ctx
from sprinttui.services import project as project_svc
from sprinttui.services import streams as streams_svc

# --------------------------------------------------------------------------- app, demo, init, seed


def _open_app(ctx: Ctx, stream: str | None) -> int:
    app = import_part("sprinttui.tui.app", "the app")
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
    demo = import_part("sprinttui.demo", "the demo project")
    with opened(args) as ctx:
        created = demo.create_demo(ctx)
        print("demo project created" if created else "demo project already present")
        if args.no_tui:
            return 0
        return _open_app(ctx, getattr(args, "app_stream", None))


def cmd_init(args) -> int:
    upgrade_schema(args)
    with opened(args) as ctx:
        settings = project_svc.init_project(ctx, args.name)
        print(f"project {out.clean(settings.name)} ready in {out.clean(shown_url(ctx.db.url))}")
        if args.demo:
            demo = import_part("sprinttui.demo", "the demo project")
            created = demo.create_demo(ctx)
            print("demo project created" if created else "demo project already present")
    return 0


def cmd_seed(args) -> int:
    seed = import_part("sprinttui.seed", "the synthetic project generator")
    with opened(args) as ctx:
        stats = seed.seed_project(ctx, args.items, seed=args.seed)
        if isinstance(stats, dict):
            out.fields((str(k), v) for k, v in stats.items())
        else:
            print(out.clean(stats))
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
    changes = given_options(args, ["name", "sprint_length_days", "working_days", "points_per_day",
                              "allow_user_override"])
    require_some(changes, "--name, --sprint-length, --working-days, --points-per-day, --allow-user-override")
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


def cmd_project_history(args) -> int:
    with opened(args) as ctx:
        entries = project_svc.settings_history(ctx)
    print_history(entries, args.json)
    return 0


# --------------------------------------------------------------------------- project admins


def cmd_project_admin_list(args) -> int:
    with opened(args) as ctx:
        admins = project_svc.list_admins(ctx)
    if args.json:
        out.emit_json(admins)
        return 0
    for login in admins:
        print(out.clean(login))
    if not admins:
        print("no admin yet: the first admin names themself with `sprinttui project admin add YOUR_LOGIN`")
    return 0


def cmd_project_admin_add(args) -> int:
    with opened(args) as ctx:
        project_svc.add_admin(ctx, args.login)
    print(f"{out.clean(args.login)} is an admin of the project")
    return 0


def cmd_project_admin_remove(args) -> int:
    with opened(args) as ctx:
        project_svc.remove_admin(ctx, args.login)
    print(f"{out.clean(args.login)} is no longer an admin of the project")
    return 0
