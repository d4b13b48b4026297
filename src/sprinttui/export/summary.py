"""What an export says, gathered from the services as one plain document.

:func:`sprint_document` and :func:`standup_document` return the JSON-ready
dictionaries documented in ``docs/exports.md``; every format (Markdown, HTML,
JSON, CSV) renders that same document, so they always agree. Nothing here
touches the database directly or knows about any output format.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sprinttui.domain import NotFoundError
from sprinttui.services import evaluations as evaluations_svc
from sprinttui.services import kpis as kpis_svc
from sprinttui.services import members as members_svc
from sprinttui.services import project as project_svc
from sprinttui.services import reports as reports_svc
from sprinttui.services import sprints as sprints_svc
from sprinttui.services import standups as standups_svc
from sprinttui.services import streams as streams_svc
from sprinttui.services.context import Ctx
from sprinttui.services.text import fmt_points

SCHEMA_VERSION = 1
# the exported sprint and the closed ones before it (one grouped query for those)
VELOCITY_SPRINTS = 6
OUTCOMES = ("completed", "carried_over", "removed", "not_completed")
ITEM_FIELDS = ("key", "title", "stream", "status", "points", "outcome", "committed", "added_after_start",
               "slip_count", "blocked", "blocked_reason", "reestimated_points")


# --------------------------------------------------------------------------- display helpers


def points_text(p: float | None) -> str:
    """3, 2.5, or '-' for no estimate (shared by the text formats)."""
    return fmt_points(p)


def ratio_text(r: float | None) -> str:
    return "-" if r is None else f"{r * 100:.0f}%"


def signed_points(p: float) -> str:
    return ("+" if p > 0 else "") + fmt_points(p)


FIGURE_HEADERS = ["Committed", "Added", "Removed", "Re-estimated", "Completed", "Carried over", "Say/do",
                  "Scope change"]
#: the column a running sprint's figures have after "Carried over": its work still open
OPEN_HEADER = "Not completed yet"
FIGURE_NOTE = ("Points (items). Committed + added − removed ± re-estimated = completed + carried over "
               "(+ not completed yet while the sprint runs); re-estimated: points changed while an item was "
               "in the sprint. Say/do: completed points of committed items ÷ committed points.")


def is_running(doc: dict) -> bool:
    """The exported sprint is the active one: its figures have the column OPEN_HEADER."""
    return doc["sprint"]["state"] == "active"


def figure_headers(running: bool) -> list[str]:
    """The headers of the figures' cells (see figure_cells)."""
    return FIGURE_HEADERS[:6] + [OPEN_HEADER] + FIGURE_HEADERS[6:] if running else list(FIGURE_HEADERS)


def figure_cells(f: dict, running: bool = False) -> list[str]:
    """A stream's or the total's figures as the cells under figure_headers(running)."""
    def pc(name: str) -> str:
        return f"{points_text(f[name + '_points'])} ({f[name + '_count']})"

    cells = [pc("committed"), pc("added"), pc("removed"),
             f"{signed_points(f['reestimated_points'])} ({f['reestimated_count']})",
             pc("completed"), pc("carried_over")]
    if running:
        cells.append(pc("not_completed"))
    return cells + [ratio_text(f["say_do_ratio"]), signed_points(f["scope_change_points"])]


def velocity_cells(points: list[dict]) -> list[str]:
    """'completed / committed' per sprint of a velocity trend."""
    return [f"{points_text(v['completed_points'])} / {points_text(v['committed_points'])}" for v in points]


def kpi_status(k: dict) -> str:
    if k["target_met"]:
        return "target met"
    return {True: "on track", False: "off track", None: "no value yet"}[k["on_track"]]


def trend_text(trend: list[dict], last: int = 6) -> str:
    """The latest measurements, oldest first: '… → 12 → 15 → 18'."""
    text = " → ".join(points_text(m["value"]) for m in trend[-last:])
    return ("… → " + text) if len(trend) > last else (text or "-")


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


# --------------------------------------------------------------------------- sprint summary


def default_sprint_ref(ctx: Ctx) -> str:
    """The active sprint, else the last closed one."""
    if sprints_svc.active_sprint(ctx) is not None:
        return "current"
    if sprints_svc.list_sprints(ctx, state="closed"):
        return "last"
    raise NotFoundError("no sprint is active and none has been closed yet; name one with --sprint")


def _figures(f: reports_svc.Figures) -> dict[str, Any]:
    d = f.as_dict()
    d["scope_change_count"] = f.added_count - f.removed_count
    return d


def _velocity_point(name: str, state: str, f: reports_svc.Figures) -> dict[str, Any]:
    return {"sprint": name, "state": state, "committed_points": f.committed_points,
            "completed_points": f.completed_points}


def _velocity(ctx: Ctx, rep: reports_svc.SprintReport, keys: list[str],
              stream: str | None) -> tuple[list[dict], dict[str, list[dict]]]:
    """Committed vs completed points of the closed sprints before this one and of this
    one (completed so far while it runs), oldest first: in total (or for `stream`)
    and per stream in `keys`."""
    sp = rep.sprint
    earlier = reports_svc.closed_velocity(ctx, last=VELOCITY_SPRINTS - 1, before=sp.name)
    empty = reports_svc.Figures()

    def point(v: reports_svc.VelocityPoint) -> dict[str, Any]:
        return {"sprint": v.sprint, "state": "closed", "committed_points": v.committed_points,
                "completed_points": v.completed_points}

    total = [point(v.of(stream)) for v in earlier]
    total.append(_velocity_point(sp.name, sp.state, rep.totals))
    per = {k: [point(v.of(k)) for v in earlier] + [_velocity_point(sp.name, sp.state, rep.streams.get(k, empty))]
           for k in keys}
    return total, per


def _sprint_days(ctx: Ctx, sp: sprints_svc.SprintView) -> list[date]:
    last = min(sp.end, ctx.today())
    return [sp.start + timedelta(days=i) for i in range((last - sp.start).days + 1)]


def _standup_blockers(ctx: Ctx, sp: sprints_svc.SprintView, stream: str | None) -> list[dict[str, Any]]:
    if sp.state == "planned":
        return []
    out = []
    for day in _sprint_days(ctx, sp):
        for e in standups_svc.entries(ctx, on=day, stream=stream):
            if e.blockers.strip():
                out.append({"date": day.isoformat(), "member": e.member, "name": e.name, "text": e.blockers})
    return out


def _findings(ctx: Ctx, sprint_name: str) -> tuple[list[dict], list[dict]]:
    evals, findings = [], []
    for ev in evaluations_svc.list_evaluations(ctx, sprint=sprint_name):
        evals.append({"id": ev.id, "date": ev.date.isoformat(), "kind": ev.kind, "facilitator": ev.facilitator,
                      "summary": ev.summary})
        for f in evaluations_svc.list_findings(ctx, ev.id, by_votes=True):
            findings.append({"evaluation_id": ev.id, "id": f.id, "category": f.category, "text": f.text,
                             "votes": f.votes, "status": f.status, "owner": f.owner,
                             "item_key": f.item_key, "item_status": f.item_status})
    return evals, findings


def _kpis(ctx: Ctx) -> list[dict[str, Any]]:
    out = []
    for k in kpis_svc.list_kpis(ctx):
        out.append({
            "name": k.name, "unit": k.unit, "direction": k.direction, "baseline": k.baseline,
            "target": k.target, "latest": k.latest,
            "latest_date": k.measurements[-1].date.isoformat() if k.measurements else None,
            "target_met": k.target_met, "on_track": k.on_track,
            "trend": [{"date": m.date.isoformat(), "value": m.value} for m in k.measurements],
        })
    return out


def sprint_document(ctx: Ctx, *, sprint: str | None = None, stream: str | None = None,
                    items_only: bool = False) -> dict[str, Any]:
    """Everything the sprint summary shows, as a JSON-ready dict (schema in docs/exports.md).

    items_only: just the sprint, its figures and items (what the CSV needs), without
    the velocity trend, burndown, findings, KPIs and standup blockers, which cost
    most of the time.
    """
    ref = sprint if sprint and str(sprint).strip() else default_sprint_ref(ctx)
    key = str(stream).strip().upper() if stream and str(stream).strip() else None
    rep = reports_svc.sprint_report(ctx, ref, stream=key)  # unknown sprint / stream: NotFoundError
    sp = rep.sprint
    names = {v.key: v.name for v in streams_svc.list_streams(ctx)}
    per = dict(rep.streams)
    if key is not None:
        per.setdefault(key, reports_svc.Figures())
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "kind": "sprint_summary",
        "generated_at": ctx.now().isoformat(),
        "project": {"name": project_svc.get_settings(ctx).name},
        "stream": key,
        "sprint": {
            "name": sp.name, "goal": sp.goal, "start": sp.start.isoformat(), "end": sp.end.isoformat(),
            "state": sp.state, "goal_met": sp.goal_met, "review_note": sp.review_note,
            "started_at": _iso(sp.started_at), "closed_at": _iso(sp.closed_at),
        },
        "totals": _figures(rep.totals),
        "streams": [{"stream": k, "name": names.get(k, k), **_figures(f)} for k, f in sorted(per.items())],
        "items": [{f: getattr(i, f) for f in ITEM_FIELDS} for i in rep.items],
    }
    if items_only:
        return doc
    velocity, stream_velocity = _velocity(ctx, rep, sorted(per), key)
    for entry in doc["streams"]:
        entry["velocity"] = stream_velocity[entry["stream"]]
    evals, findings = _findings(ctx, sp.name)
    doc.update(
        velocity=velocity,
        burndown=[{"day": p.day.isoformat(), "ideal": p.ideal, "remaining": p.remaining}
                  for p in reports_svc.burndown(ctx, sp.name, stream=key)],
        evaluations=evals,
        findings=findings,
        kpis=_kpis(ctx),
        standup_blockers=_standup_blockers(ctx, sp, key),
    )
    return doc


# --------------------------------------------------------------------------- standup


def standup_document(ctx: Ctx, *, on=None, stream: str | None = None) -> dict[str, Any]:
    """One day's standup: notes, absences, blockers, blocked items and the meetings held."""
    key = str(stream).strip().upper() if stream and str(stream).strip() else None
    day = standups_svc.day_summary(ctx, on=on, stream=key)
    names = {m.handle: m.name for m in members_svc.list_members(ctx, stream=key, include_inactive=True)}
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "standup",
        "generated_at": ctx.now().isoformat(),
        "project": {"name": project_svc.get_settings(ctx).name},
        "stream": day.stream,
        "date": day.date.isoformat(),
        "notes": [{"member": e.member, "name": e.name, "absent": e.absent, "yesterday": e.yesterday,
                   "today": e.today, "blockers": e.blockers} for e in day.entries],
        "absent": day.absent,
        "no_notes": [{"member": h, "name": names.get(h, h)} for h in day.no_notes],
        "blockers": [{"member": m, "text": t} for m, t in day.blockers],
        "blocked_items": [{"key": r.key, "title": r.title, "stream": r.stream, "status": r.status,
                           "assignee": r.assignee, "reason": r.blocked_reason} for r in day.blocked_items],
        "sessions": [{"stream": s.stream, "facilitator": s.facilitator, "started_at": _iso(s.started_at),
                      "ended_at": _iso(s.ended_at), "elapsed_seconds": s.elapsed_seconds,
                      "timebox_seconds": s.timebox_seconds, "parking_lot": list(s.parking_lot)}
                     for s in day.sessions],
    }
