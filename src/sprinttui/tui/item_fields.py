"""The item editor's fields apart from its widgets: their names and labels, an
item's values in the form's terms, the values a new item starts with, what
differs between two versions of an item (the conflict dialog lists it), a
value as one line of text, and the text of the editor's history panel.

The form itself (its widgets, checks, saving and conflicts) is ItemEditor in
editor.py; the conflict dialog is ConflictModal in modals.py.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

from rich.text import Text

from sprinttui.display import BIDI_CONTROLS, bidi_marker
from sprinttui.domain import Kind, SprintState, Status, ValidationError
from sprinttui.services.history import history_text as stored_text
from sprinttui.services.text import clean_points, fmt_points
from sprinttui.tui.safe import plain

if TYPE_CHECKING:
    from sprinttui.services.item_rows import HistoryEntry, ItemDetail, Slip
    from sprinttui.services.sprints import SprintView

BACKLOG = "backlog"

#: the fields of the form, in the order shown; the names are edit_item's
FIELDS = (
    "title", "description", "kind", "stream", "assignee", "points", "status",
    "blocked", "blocked_reason", "sprint", "due", "labels", "kpi",
)
LABELS = {
    "title": "Title", "description": "Description", "kind": "Kind", "stream": "Stream",
    "assignee": "Assignee", "points": "Points", "status": "Status", "blocked": "Blocked",
    "blocked_reason": "Reason", "sprint": "Sprint", "due": "Due date", "labels": "Labels", "kpi": "KPI",
}
#: which form field a service ValidationError.field belongs to
ERROR_FIELD = {"date": "due", "reason": "blocked_reason", "key": "title"}


def multiline(value: object) -> str:
    """User text for a TextArea: control characters replaced, bidi controls shown
    as markers (<U+202E>), newlines and tabs kept."""
    out = []
    for ch in str(value if value is not None else ""):
        if ch in "\n\t":
            out.append(ch)
        elif ch == "\r":
            continue
        elif ch in BIDI_CONTROLS:
            out.append(bidi_marker(ch))
        elif unicodedata.category(ch) == "Cc":
            out.append("�")
        else:
            out.append(ch)
    return "".join(out)


def show_value(value: Any) -> str:
    """A field value as one line of text for diffs and history: as history
    stores it (services.history), with a dash for nothing and a list joined."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(value) or "—"
    return stored_text(value) or "—"


def detail_values(d: ItemDetail) -> dict[str, Any]:
    """An item's editable fields, in the form edit_item accepts them."""
    r = d.row
    return {
        "title": r.title,
        "description": d.description,
        "kind": r.kind,
        "stream": r.stream,
        "assignee": r.assignee or "",
        "points": r.points,
        "status": r.status,
        "blocked": r.blocked,
        "blocked_reason": r.blocked_reason if r.blocked else "",
        "sprint": r.sprint or BACKLOG,
        "due": r.due_date,
        "labels": list(r.labels),
        "kpi": d.kpi or "",
    }


def diff_details(old: ItemDetail, new: ItemDetail) -> list[tuple[str, Any, Any]]:
    """(field, old, new) for every editable field that differs."""
    a, b = detail_values(old), detail_values(new)
    return [(f, a[f], b[f]) for f in FIELDS if f != "stream" and a[f] != b[f]]


def default_values(d: dict, sprints: list[SprintView]) -> dict[str, Any]:
    """The values a new item's form starts with, from the defaults `d` given to the
    editor (sprint "current" and "next" name the active and the next planned one)."""
    sprint = str(d.get("sprint") or BACKLOG)
    if sprint.lower() == "current":
        active = [sp.name for sp in sprints if sp.state == SprintState.ACTIVE]
        sprint = active[0] if active else BACKLOG
    elif sprint.lower() == "next":
        planned = [sp.name for sp in sprints if sp.state == SprintState.PLANNED]
        sprint = planned[0] if planned else BACKLOG
    points = d.get("points")
    return {
        "title": d.get("title", ""),
        "description": d.get("description", ""),
        "kind": d.get("kind", Kind.STORY.value),
        "stream": str(d.get("stream") or "").upper(),
        "assignee": d.get("assignee") or "",
        "points": points if isinstance(points, (int, float)) else clean_points_or_none(points),
        "status": d.get("status", Status.TODO.value),
        "blocked": False,
        "blocked_reason": "",
        "sprint": sprint,
        "due": d.get("due"),
        "labels": d.get("labels", []),
        "kpi": d.get("kpi") or "",
    }


def clean_points_or_none(value: object) -> float | str | None:
    """A default for the points field: a number when it is one, else the text as given."""
    try:
        return clean_points(value)
    except ValidationError:
        return str(value)


def history_text(d: ItemDetail | None, history: list[HistoryEntry], slips: list[Slip]) -> Text:
    """The editor's history panel: who made the item and changed it last, each
    change (newest first) and the sprints it slipped from."""
    t = Text()
    t.append("History\n", style="bold")
    if d is not None:
        t.append(f"created {d.created_at:%Y-%m-%d %H:%M} by ", style="dim")
        t.append(plain(d.created_by, 30), style="dim")
        t.append(f" · updated {d.updated_at:%Y-%m-%d %H:%M} by ", style="dim")
        t.append(plain(d.updated_by, 30), style="dim")
        t.append(f" · version {d.row.version}\n", style="dim")
    for h in reversed(history):
        t.append(f"{h.at:%Y-%m-%d %H:%M}  ")
        t.append(plain(h.actor, 20), style="bold")
        t.append("  ")
        if h.field == "created":
            t.append("created ")
            t.append(plain(h.new, 60))
        else:
            t.append(f"{plain(h.field, 20)}: ")
            t.append(plain(h.old if h.old not in (None, "") else "—", 40))
            t.append(" → ")
            t.append(plain(h.new if h.new not in (None, "") else "—", 40))
        t.append("\n")
    t.append("\nSlip trail\n", style="bold")
    if not slips:
        t.append("never slipped\n", style="dim")
    for slip in slips:
        t.append(f"{slip.at:%Y-%m-%d}  slipped from ")
        t.append(plain(slip.sprint, 30))
        t.append(" to ")
        t.append(plain(slip.to or "the backlog", 30))
        t.append(f"  ({fmt_points(slip.points)} pts)\n")
    return t
