"""The argparse tree of the command line. Builds parsers only; imports nothing heavy.

Each leaf sets ``handler``: the name of a ``cmd_<handler>`` function in
:mod:`sprinttui.cli.commands`, imported only after the arguments parsed.
"""

from __future__ import annotations

import argparse

from sprinttui import __version__
from sprinttui.domain import ValidationError, parse_whole

SPRINT_HELP = "sprint name, or current / next / last"
DATE_HELP = "ISO date (2026-03-02) or today, tomorrow, +3d, +2w, fri, next monday"

DESCRIPTION = """\
Keyboard-driven sprint and issue tracking in the terminal.
Without a command, opens the app.

SPRINT is a sprint name, or `current` (the active one), `next` (the first planned
one) or `last` (the last closed one). DATE accepts ISO dates and relative forms.
Errors print one line to stderr and exit with status 2."""

EPILOG = """\
database: --db, else $SPRINTTUI_DB, else sprinttui.db in your user data folder.
user:     --user, else $SPRINTTUI_USER, else your login name.
Every command has --help, e.g. `sprinttui item add --help`."""


def positive_int(text: str) -> int:
    n = any_int(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {n}")
    return n


def any_int(text: str) -> int:
    try:
        return parse_whole(text, "value")  # ASCII digits: int() also takes '1_000' and '१२'
    except ValidationError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value in ("yes", "y", "true", "on", "1"):
        return True
    if value in ("no", "n", "false", "off", "0"):
        return False
    raise argparse.ArgumentTypeError(f"{text!r}: say yes or no")


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line, `sprinttui: error: …; see `sprinttui item add --help``, exit 2."""

    def error(self, message: str):  # type: ignore[override]
        text = " ".join(message.split())
        if text.endswith("expected one argument") and text.startswith("argument --"):
            option = text.split()[1].split("/")[-1].rstrip(":")
            dates = {o for a in self._actions if a.metavar == "DATE" for o in a.option_strings}
            if option in dates:  # `--due -3x`: argparse took the value for an option
                text += f" (a date starting with '-' is written {option}=DATE, like {option}=-3d)"
        self.exit(2, f"sprinttui: error: {text}; see `{self.prog} --help`\n")

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:  # named after the sub-command they were given to, not `sprinttui`
            words = [getattr(parsed, d, None) for d in ("command", "action", "admin_action", "export_what")]
            prog = " ".join([self.prog, *(w for w in words if isinstance(w, str))])
            self.exit(2, f"sprinttui: error: unrecognized arguments: {' '.join(extras)}; see `{prog} --help`\n")
        return parsed


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=34)


def _global_options() -> argparse.ArgumentParser:
    """--db / --user, accepted after the command too (without overriding the ones before)."""
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("global options")
    g.add_argument("--db", metavar="DB", default=argparse.SUPPRESS,
                   help="database file or SQLAlchemy URL")
    g.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS,
                   help="acting user recorded in the history")
    return p


def build_parser() -> argparse.ArgumentParser:
    common = _global_options()
    parser = _Parser(
        prog="sprinttui", description=DESCRIPTION, epilog=EPILOG, formatter_class=_Formatter
    )
    parser.add_argument("--db", metavar="DB", default=None,
                        help="database file or SQLAlchemy URL (default: $SPRINTTUI_DB, else the user data folder)")
    parser.add_argument("--user", metavar="NAME", default=None,
                        help="acting user recorded in the history (default: $SPRINTTUI_USER, else the login name)")
    parser.add_argument("--stream", metavar="KEY", dest="app_stream", default=None,
                        help="open the app showing one stream")
    parser.add_argument("--version", action="version", version=f"sprinttui {__version__}")
    parser.set_defaults(handler="app")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    def leaf(parent, name: str, handler: str, help: str, **kw) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=help, description=kw.pop("description", help[:1].upper() + help[1:] + "."),
                              parents=[common], formatter_class=_Formatter, **kw)
        p.set_defaults(handler=handler)
        return p

    def group(name: str, help: str) -> argparse._SubParsersAction:
        p = sub.add_parser(name, help=help, description=help[:1].upper() + help[1:] + ".",
                           formatter_class=_Formatter)
        return p.add_subparsers(dest="action", metavar="ACTION", title="actions", required=True)

    def json_flag(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    # -- app, demo, init, seed ---------------------------------------------------
    p = leaf(sub, "demo", "demo", "create the demo project if absent, then open the app")
    p.add_argument("--no-tui", action="store_true", help="only create the demo data")
    p.add_argument("--stream", metavar="KEY", dest="app_stream", default=argparse.SUPPRESS,
                   help="open the app showing one stream")

    p = leaf(sub, "init", "init", "create or upgrade a database")
    p.add_argument("--name", metavar="NAME", help="project name (renames an existing project)")
    p.add_argument("--demo", action="store_true", help="fill in the demo project")

    p = leaf(sub, "seed", "seed", "fill the database with a deterministic synthetic project")
    p.add_argument("--items", metavar="N", type=positive_int, required=True, help="number of items")
    p.add_argument("--seed", metavar="S", type=any_int, default=None, help="random seed")

    # -- streams ------------------------------------------------------------------
    g = group("stream", "streams: the sub-projects, each with a KEY and a lead")
    p = leaf(g, "add", "stream_add", "add a stream")
    p.add_argument("key", metavar="KEY", help="2 to 6 upper-case letters, like SAL")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--lead", metavar="HANDLE", help="stream lead (a member handle)")
    p.add_argument("--description", metavar="TEXT", default="")
    p = leaf(g, "list", "stream_list", "list the streams")
    json_flag(p)
    p = leaf(g, "edit", "stream_edit", "change a stream")
    p.add_argument("key", metavar="KEY")
    p.add_argument("--name", metavar="NAME")
    p.add_argument("--lead", metavar="HANDLE", help="stream lead; an empty string clears it")
    p.add_argument("--description", metavar="TEXT")
    p = leaf(g, "history", "stream_history", "list who changed what of a stream, when (its name, lead, description)")
    p.add_argument("key", metavar="KEY")
    json_flag(p)

    # -- members ------------------------------------------------------------------
    g = group("member", "members: who works on the project, and how much")
    p = leaf(g, "add", "member_add", "add a member")
    p.add_argument("handle", metavar="HANDLE")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--stream", metavar="KEY", help="primary stream")
    p.add_argument("--availability", metavar="PCT", default="100",
                   help="share of their time for the project, 0-100 (default 100)")
    p.add_argument("--competences", metavar="a,b", default="", help="comma separated")
    p = leaf(g, "list", "member_list", "list the members")
    p.add_argument("--stream", metavar="KEY", help="only members of this stream")
    p.add_argument("--all", action="store_true", help="include inactive members")
    json_flag(p)
    p = leaf(g, "edit", "member_edit", "change a member")
    p.add_argument("handle", metavar="HANDLE")
    p.add_argument("--name", metavar="NAME")
    p.add_argument("--stream", metavar="KEY", help="primary stream; an empty string clears it")
    p.add_argument("--availability", metavar="PCT")
    p.add_argument("--competences", metavar="a,b")
    act = p.add_mutually_exclusive_group()
    act.add_argument("--active", dest="active", action="store_const", const=True, default=None,
                     help="mark the member active")
    act.add_argument("--inactive", dest="active", action="store_const", const=False,
                     help="mark the member inactive (kept in history)")
    p = leaf(g, "absence", "member_absence", "set the days a member is away during a sprint (0 removes)")
    p.add_argument("handle", metavar="HANDLE")
    p.add_argument("sprint", metavar="SPRINT", help=SPRINT_HELP)
    p.add_argument("days", metavar="DAYS")
    p = leaf(g, "history", "member_history",
             "list who changed what of a member, when (name, stream, availability, competences, active)")
    p.add_argument("handle", metavar="HANDLE")
    json_flag(p)

    # -- sprints ------------------------------------------------------------------
    g = group("sprint", "sprints: plan, start, close")
    p = leaf(g, "new", "sprint_new", "plan a new sprint")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--start", metavar="DATE", required=True, help=DATE_HELP)
    p.add_argument("--end", metavar="DATE", required=True, help=DATE_HELP)
    p.add_argument("--goal", metavar="TEXT", default="")
    p = leaf(g, "start", "sprint_start", "start a planned sprint (freezes its commitment)")
    p.add_argument("sprint", metavar="SPRINT", help=SPRINT_HELP)
    p = leaf(g, "close", "sprint_close",
             "close the active sprint; unfinished items move on and count a slip")
    p.add_argument("sprint", metavar="SPRINT", help=SPRINT_HELP)
    p.add_argument("--carry-to", metavar="SPRINT|backlog", default="next",
                   help="where unfinished items go (default: next)")
    # yes|no read by the command (a one-line error for anything else), not by argparse
    p.add_argument("--goal-met", metavar="yes|no", dest="goal_met",
                   help="whether the sprint's goal was met (default: not recorded)")
    p.add_argument("--note", metavar="TEXT", help="what the review said")
    p = leaf(g, "list", "sprint_list", "list the sprints")
    json_flag(p)
    p = leaf(g, "edit", "sprint_edit", "change a sprint")
    p.add_argument("sprint", metavar="SPRINT", help=SPRINT_HELP)
    p.add_argument("--name", metavar="NAME")
    p.add_argument("--goal", metavar="TEXT")
    p.add_argument("--start", metavar="DATE", help=DATE_HELP)
    p.add_argument("--end", metavar="DATE", help=DATE_HELP)
    p.add_argument("--goal-met", metavar="yes|no", dest="goal_met", help="whether the sprint's goal was met")
    p.add_argument("--note", metavar="TEXT", help="the review note (an empty string clears it)")

    # -- items --------------------------------------------------------------------
    g = group("item", "work items: stories, bugs, tasks, improvements, changes")
    p = leaf(g, "add", "item_add", "add an item and print its key")
    p.add_argument("title", metavar="TITLE")
    p.add_argument("--stream", metavar="KEY", required=True)
    p.add_argument("--points", metavar="N")
    p.add_argument("--kind", metavar="K", default="story",
                   help="story, bug, task, improvement or change (default story)")
    p.add_argument("--sprint", metavar="SPRINT|backlog", help=SPRINT_HELP + " (default backlog)")
    p.add_argument("--assignee", metavar="H", help="member handle")
    p.add_argument("--due", metavar="DATE", help=DATE_HELP)
    p.add_argument("--labels", metavar="a,b", default="", help="comma separated")
    p.add_argument("--description", metavar="TEXT", default="")
    p = leaf(g, "move", "item_move", "set an item's status")
    p.add_argument("key", metavar="KEY")
    p.add_argument("status", metavar="STATUS", help="todo, doing, review or done")
    p = leaf(g, "plan", "item_plan", "plan an item into a sprint or back to the backlog")
    p.add_argument("key", metavar="KEY")
    p.add_argument("sprint", metavar="SPRINT|backlog", help=SPRINT_HELP + ", or backlog")
    p = leaf(g, "edit", "item_edit", "change an item's fields")
    p.add_argument("key", metavar="KEY")
    p.add_argument("--title", metavar="TEXT")
    p.add_argument("--points", metavar="N", help="an empty string clears it")
    p.add_argument("--kind", metavar="K")
    p.add_argument("--assignee", metavar="H", help="member handle; an empty string clears it")
    p.add_argument("--due", metavar="DATE", help=DATE_HELP + "; an empty string clears it")
    p.add_argument("--labels", metavar="a,b")
    p.add_argument("--description", metavar="TEXT")
    blk = p.add_mutually_exclusive_group()
    blk.add_argument("--block", metavar="REASON", help="mark blocked, saying why")
    blk.add_argument("--unblock", action="store_true", help="clear the blocked mark")
    p = leaf(g, "list", "item_list", "list items in backlog order")
    p.add_argument("--sprint", metavar="SPRINT|backlog", help=SPRINT_HELP + ", or backlog")
    p.add_argument("--stream", metavar="KEY")
    p.add_argument("--status", metavar="S")
    p.add_argument("--assignee", metavar="H")
    p.add_argument("--search", metavar="TEXT",
                   help="text in the key, title, labels, description or assignee (handle or name)")
    p.add_argument("--limit", metavar="N", type=positive_int)
    json_flag(p)
    p = leaf(g, "show", "item_show", "show an item: fields, history and slip trail")
    p.add_argument("key", metavar="KEY")
    json_flag(p)
    p = leaf(g, "delete", "item_delete", "delete an item (its key stays taken; restore undoes it)")
    p.add_argument("key", metavar="KEY")
    p = leaf(g, "restore", "item_restore", "restore a deleted item")
    p.add_argument("key", metavar="KEY")

    # -- reports ------------------------------------------------------------------
    p = leaf(sub, "report", "report", "sprint figures: committed, added, removed, completed, carried over, say/do")
    p.add_argument("sprint", metavar="SPRINT", nargs="?",
                   help=SPRINT_HELP + " (default: current if one is active, else last)")
    p.add_argument("--stream", metavar="KEY")
    json_flag(p)
    p = leaf(sub, "capacity", "capacity", "capacity of members and streams against the points planned")
    p.add_argument("sprint", metavar="SPRINT", nargs="?", default="next", help=SPRINT_HELP + " (default next)")
    json_flag(p)
    p = leaf(sub, "slipped", "slipped", "slipped, overdue and long-blocked work per stream")
    p.add_argument("--stream", metavar="KEY")
    json_flag(p)

    # -- exports ------------------------------------------------------------------
    p = leaf(sub, "export", "export",
             "export the sprint summary (md, html, json, csv) or a day's standup (`export standup`)",
             description="Export the sprint summary as Markdown, HTML, JSON or CSV (one row per item), "
                         "to stdout or a file.\nThe JSON schema is documented in docs/exports.md.")
    p.add_argument("--sprint", metavar="SPRINT", help=SPRINT_HELP + " (default: the active one, else the last closed)")
    p.add_argument("--stream", metavar="KEY", help="only this stream's items and figures")
    p.add_argument("--format", metavar="md|html|json|csv", dest="export_format",
                   help="output format (required)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (mode 660) instead of stdout")
    p.add_argument("--bom", action="store_true", help="CSV only: start with a UTF-8 byte order mark (Excel)")
    what = p.add_subparsers(dest="export_what", metavar="[standup]", title="other exports")
    p = leaf(what, "standup", "export_standup", "export a day's standup notes, blockers and held standups")
    p.add_argument("--date", metavar="DATE", help=DATE_HELP + " (default today)")
    # SUPPRESS: given before `standup` (export --format md standup) they still count
    p.add_argument("--stream", metavar="KEY", default=argparse.SUPPRESS,
                   help="only this stream's members and standups")
    p.add_argument("--format", metavar="md|json", dest="export_format", default=argparse.SUPPRESS,
                   help="output format (required)")
    p.add_argument("-o", "--output", metavar="FILE", default=argparse.SUPPRESS,
                   help="write to FILE (mode 660) instead of stdout")

    # -- KPIs ---------------------------------------------------------------------
    g = group("kpi", "KPIs: what the rollout should move, measured over time")
    p = leaf(g, "add", "kpi_add", "add a KPI")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--unit", metavar="U", default="")
    p.add_argument("--baseline", metavar="X")
    p.add_argument("--target", metavar="Y")
    p.add_argument("--direction", metavar="higher|lower", default="higher",
                   help="which way is better (default higher)")
    p.add_argument("--description", metavar="TEXT", default="")
    p = leaf(g, "record", "kpi_record", "record a measurement")
    p.add_argument("name", metavar="NAME")
    p.add_argument("value", metavar="VALUE")
    p.add_argument("--date", metavar="DATE", help=DATE_HELP + " (default today)")
    p.add_argument("--note", metavar="TEXT", default="")
    p = leaf(g, "list", "kpi_list", "list the KPIs with their latest value")
    json_flag(p)

    # -- imports ------------------------------------------------------------------
    g = group("import", "import issues from other tools")
    p = leaf(g, "jira-csv", "import_jira_csv",
             "import a Jira CSV export (Export > Export Excel CSV (all fields))",
             description="Import a Jira CSV export (Export > Export Excel CSV (all fields)): issues, "
                         "statuses, types,\nsprints with their carry-over history, assignees as members, "
                         "components, projects or\nlabels as streams. Importing the same file again updates "
                         "the items instead of\nduplicating them. Rows that cannot be read are listed with "
                         "their line number and\nskipped. The mapping is described in docs/jira-import.md.")
    p.add_argument("file", metavar="FILE", help="the exported .csv file")
    p.add_argument("--stream-from", metavar="component|project|label", dest="stream_from",
                   choices=["component", "project", "label"], default="component",
                   help="what becomes a stream (default component)")
    p.add_argument("--dry-run", action="store_true", help="print what would change and write nothing")
    json_flag(p)

    # -- database -----------------------------------------------------------------
    g = group("db", "the database file: schema revision, upgrade, backup, restore")
    leaf(g, "upgrade", "db_upgrade", "bring the schema up to date (backs up an existing SQLite file first)")
    leaf(g, "current", "db_current", "print the database's schema revision and the program's")
    p = leaf(g, "check", "db_check", "check the database file for damage and say what was found")
    json_flag(p)
    p = leaf(g, "backup", "db_backup", "copy a live SQLite database to FILE (online backup)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--force", action="store_true",
                   help="overwrite FILE if it exists; copy what can be read of a damaged database")
    p = leaf(g, "restore", "db_restore",
             "replace the database's contents with a backup FILE (asks first)",
             description="Replace the database's contents with the backup FILE. The file must be a sprinttui\n"
                         "database, not newer than this program. The current database is first copied next\n"
                         "to itself (NAME.backup-before-restore-TIMESTAMP). Run it while nobody writes: ask\n"
                         "the others to close sprinttui first. Without --yes it asks before replacing.")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation (for scripts)")

    # -- project settings -----------------------------------------------------------
    g = group("project", "the project's settings")
    p = leaf(g, "show", "project_show", "show the project's settings")
    json_flag(p)
    p = leaf(g, "set", "project_set", "change the project's settings")
    p.add_argument("--name", metavar="NAME")
    p.add_argument("--sprint-length", metavar="DAYS", dest="sprint_length_days", type=positive_int)
    p.add_argument("--working-days", metavar="mon,tue,…", dest="working_days")
    p.add_argument("--points-per-day", metavar="X", dest="points_per_day")
    p.add_argument("--allow-user-override", metavar="yes|no", dest="allow_user_override", type=yes_no,
                   help="no: every change is recorded under the login name; --user and "
                        "$SPRINTTUI_USER are refused")
    p = leaf(g, "history", "project_history", "list who changed which setting, when, from what to what")
    json_flag(p)
    p = g.add_parser("admin", help="the project's admins: who may change its settings",
                     description="The project's admins: who may change its settings. The user who ran\n"
                                 "`sprinttui init` is the first; admins add and remove others.",
                     formatter_class=_Formatter)
    ga = p.add_subparsers(dest="admin_action", metavar="ACTION", title="actions", required=True)
    p = leaf(ga, "list", "project_admin_list", "list the project's admins")
    json_flag(p)
    p = leaf(ga, "add", "project_admin_add", "let a user change the project's settings (admins only)")
    p.add_argument("login", metavar="LOGIN", help="the user's login name, as recorded in the history")
    p = leaf(ga, "remove", "project_admin_remove", "take a user's admin right away (admins only; never the last)")
    p.add_argument("login", metavar="LOGIN", help="the user's login name")

    return parser
