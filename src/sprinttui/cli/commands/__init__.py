"""The command handlers: parse nothing, decide nothing; call a service, print the result.

Each ``cmd_<name>(args)`` returns the exit status; :func:`sprinttui.cli.main`
finds it by the handler name the parser set. Errors are raised as
SprintTuiError and printed by :func:`sprinttui.cli.main`.

One module per group of commands: :mod:`.project` (app, demo, init, seed,
project settings), :mod:`.database` (the db commands), :mod:`.team` (streams, members), :mod:`.sprints`,
:mod:`.items`, :mod:`.reports` (report, capacity, slipped, KPIs) and
:mod:`.transfer` (export, import); :mod:`.common` holds what they share.
"""

from __future__ import annotations

from sprinttui.cli.commands.common import CliError, MissingPart
from sprinttui.cli.commands.database import (
    cmd_db_backup,
    cmd_db_check,
    cmd_db_current,
    cmd_db_restore,
    cmd_db_upgrade,
)
from sprinttui.cli.commands.items import (
    cmd_item_add,
    cmd_item_delete,
    cmd_item_edit,
    cmd_item_list,
    cmd_item_move,
    cmd_item_plan,
    cmd_item_restore,
    cmd_item_show,
)
from sprinttui.cli.commands.project import (
    cmd_app,
    cmd_demo,
    cmd_init,
    cmd_project_admin_add,
    cmd_project_admin_list,
    cmd_project_admin_remove,
    cmd_project_history,
    cmd_project_set,
    cmd_project_show,
    cmd_seed,
)
from sprinttui.cli.commands.reports import (
    cmd_capacity,
    cmd_kpi_add,
    cmd_kpi_list,
    cmd_kpi_record,
    cmd_report,
    cmd_slipped,
)
from sprinttui.cli.commands.sprints import (
    cmd_sprint_close,
    cmd_sprint_edit,
    cmd_sprint_list,
    cmd_sprint_new,
    cmd_sprint_start,
)
from sprinttui.cli.commands.team import (
    cmd_member_absence,
    cmd_member_add,
    cmd_member_edit,
    cmd_member_history,
    cmd_member_list,
    cmd_stream_add,
    cmd_stream_edit,
    cmd_stream_history,
    cmd_stream_list,
)
from sprinttui.cli.commands.transfer import (
    cmd_export,
    cmd_export_standup,
    cmd_import_jira_csv,
)

__all__ = [
    "CliError",
    "MissingPart",
    "cmd_app",
    "cmd_capacity",
    "cmd_db_backup",
    "cmd_db_check",
    "cmd_db_current",
    "cmd_db_restore",
    "cmd_db_upgrade",
    "cmd_demo",
    "cmd_export",
    "cmd_export_standup",
    "cmd_import_jira_csv",
    "cmd_init",
    "cmd_item_add",
    "cmd_item_delete",
    "cmd_item_edit",
    "cmd_item_list",
    "cmd_item_move",
    "cmd_item_plan",
    "cmd_item_restore",
    "cmd_item_show",
    "cmd_kpi_add",
    "cmd_kpi_list",
    "cmd_kpi_record",
    "cmd_member_absence",
    "cmd_member_add",
    "cmd_member_edit",
    "cmd_member_history",
    "cmd_member_list",
    "cmd_project_admin_add",
    "cmd_project_admin_list",
    "cmd_project_admin_remove",
    "cmd_project_history",
    "cmd_project_set",
    "cmd_project_show",
    "cmd_report",
    "cmd_seed",
    "cmd_slipped",
    "cmd_sprint_close",
    "cmd_sprint_edit",
    "cmd_sprint_list",
    "cmd_sprint_new",
    "cmd_sprint_start",
    "cmd_stream_add",
    "cmd_stream_edit",
    "cmd_stream_history",
    "cmd_stream_list",
]
