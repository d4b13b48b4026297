"""Markdown for a wiki page or an e-mail: headings, short facts and GitHub-style tables.

User text never acts as Markdown or HTML: :func:`md` escapes it so that it shows
literally (pipes cannot end a table cell, newlines become ``<br>`` inside the
cell, ``<script>`` and ``[x](javascript:…)`` stay text, a leading ``#`` makes
no heading, backticks make no code, a bidi control shows as ``<U+202E>``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from sprinttui.display import show_bidi
from sprinttui.export.summary import (
    FIGURE_NOTE,
    figure_cells,
    figure_headers,
    is_running,
    kpi_status,
    points_text,
    trend_text,
    velocity_cells,
)

# backslash-escaped: the ASCII punctuation that starts Markdown syntax inside a line
# (emphasis, code, links and images, headings, table cells, strikethrough)
_BACKSLASHED = set("\\`*_[]#|~")
# as entities, which every Markdown flavour passes through: they would start HTML
_ENTITIES = {"<": "&lt;", ">": "&gt;"}
# an '&' only needs escaping where it would start a character reference (&lt; &#60;)
_ENTITY_RE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")


def md(value: Any) -> str:
    """Any user text as literal inline Markdown on one line (newlines as <br>)."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = show_bidi(text)  # before escaping: the marker's '<' and '>' become entities
    text = _ENTITY_RE.sub("&amp;", text)
    out = []
    for ch in text:
        if ch in _BACKSLASHED:
            out.append("\\" + ch)
        elif ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif ch == "\n":
            out.append("<br>")
        elif ch < " " or "\x7f" <= ch <= "\x9f":  # ESC, BEL, NUL … never reach a terminal that shows the file
            out.append("\ufffd")
        else:
            out.append(ch)
    # nothing we write puts user text first on a line, so a leading '+', '-' or '='
    # starts no list or heading; escape it anyway for renderers that trim table cells
    line = "".join(out).strip()
    if line[:1] in ("+", "-", "="):
        line = "\\" + line
    return line


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], align: str = "") -> list[str]:
    """A GFM table. Cells must already be Markdown (escape user text with md())."""
    rows = list(rows)
    if not rows:
        return ["*none*"]
    aligns = (align + "l" * len(headers))[: len(headers)]
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("---:" if a == "r" else "---" for a in aligns) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(c if c != "" else " " for c in r) + " |")
    return lines


NOT_RECORDED = "not recorded"


def _yes_no(v: bool | None, unknown: str = NOT_RECORDED) -> str:
    return unknown if v is None else ("yes" if v else "no")


def sprint_markdown(doc: dict) -> str:
    sp = doc["sprint"]
    out: list[str] = [f"# Sprint summary: {md(sp['name'])}", ""]
    facts = [("Project", md(doc["project"]["name"])),
             ("Sprint", f"{md(sp['name'])} ({sp['state']}), {sp['start']} to {sp['end']}")]
    if doc["stream"]:
        name = next((s["name"] for s in doc["streams"] if s["stream"] == doc["stream"]), doc["stream"])
        facts.append(("Stream", f"{doc['stream']} ({md(name)})"))
    facts.append(("Goal", md(sp["goal"]) or "*none*"))
    facts.append(("Goal met", _yes_no(sp["goal_met"])))
    facts.append(("Review note", md(sp["review_note"]) or NOT_RECORDED))
    out += [f"**{k}:** {v}  " for k, v in facts]
    out[-1] = out[-1].rstrip()
    out.append("")

    out += ["## Figures", "", FIGURE_NOTE, ""]
    running = is_running(doc)
    rows = [[f"{s['stream']} {md(s['name'])}", *figure_cells(s, running)] for s in doc["streams"]]
    if not doc["stream"]:
        rows.append(["**Total**", *figure_cells(doc["totals"], running)])
    heads = figure_headers(running)
    out += table(["Stream", *heads], rows, "l" + "r" * len(heads))
    out.append("")

    out += ["## Velocity trend", "", "Completed of committed points per sprint, oldest first.", ""]
    heads = ["Stream"] + [md(v["sprint"]) + (" (running)" if v["state"] == "active" else "")
                          for v in doc["velocity"]]
    rows = [[f"{s['stream']} {md(s['name'])}", *velocity_cells(s["velocity"])] for s in doc["streams"]]
    if not doc["stream"]:
        rows.append(["**Total**", *velocity_cells(doc["velocity"])])
    out += table(heads, rows, "l" + "r" * len(doc["velocity"]))
    out.append("")

    if any(p["remaining"] is not None for p in doc["burndown"]):
        out += ["## Burndown", ""]
        out += table(["Day", "Ideal", "Remaining"],
                     [[p["day"], points_text(p["ideal"]), points_text(p["remaining"])]
                      for p in doc["burndown"]], "lrr")
        out.append("")

    items = doc["items"]
    sections = [
        ("Completed", "completed", ["Key", "Title", "Stream", "Points", "Added after start"], "lllrl",
         lambda i: [i["key"], md(i["title"]), i["stream"], points_text(i["points"]),
                    "yes" if i["added_after_start"] else ""]),
        ("Carried over", "carried_over", ["Key", "Title", "Stream", "Status", "Points", "Slips"], "llllrr",
         lambda i: [i["key"], md(i["title"]), i["stream"], i["status"], points_text(i["points"]),
                    str(i["slip_count"])]),
        ("Not completed yet", "not_completed", ["Key", "Title", "Stream", "Status", "Points", "Slips"], "llllrr",
         lambda i: [i["key"], md(i["title"]), i["stream"], i["status"], points_text(i["points"]),
                    str(i["slip_count"])]),
        ("Removed", "removed", ["Key", "Title", "Stream", "Status", "Points"], "llllr",
         lambda i: [i["key"], md(i["title"]), i["stream"], i["status"], points_text(i["points"])]),
    ]
    for title, outcome, heads, align, row in sections:
        chosen = [i for i in items if i["outcome"] == outcome]
        if outcome == "not_completed" and not chosen:
            continue
        out += [f"## {title} ({len(chosen)})", ""]
        out += table(heads, [row(i) for i in chosen], align)
        out.append("")
    added = [i for i in items if i["added_after_start"]]
    out += [f"## Added after the start ({len(added)})", ""]
    out += table(["Key", "Title", "Stream", "Points", "Outcome"],
                 [[i["key"], md(i["title"]), i["stream"], points_text(i["points"]), i["outcome"].replace("_", " ")]
                  for i in added], "lllrl")
    out.append("")
    blocked = [i for i in items if i["blocked"]]
    out += [f"## Blocked ({len(blocked)})", ""]
    out += table(["Key", "Title", "Stream", "Reason"],
                 [[i["key"], md(i["title"]), i["stream"], md(i["blocked_reason"])] for i in blocked])
    out.append("")

    out += ["## Evaluation findings", ""]
    if not doc["evaluations"]:
        out += ["*No evaluation recorded for this sprint.*", ""]
    for ev in doc["evaluations"]:
        who = f", facilitated by {md(ev['facilitator'])}" if ev["facilitator"] else ""
        out += [f"### {ev['kind'].capitalize()} evaluation, {ev['date']}{who}", ""]
        if ev["summary"]:
            out += [md(ev["summary"]), ""]
        fs = [f for f in doc["findings"] if f["evaluation_id"] == ev["id"]]
        out += table(["Votes", "Category", "Finding", "Status", "Improvement item"],
                     [[str(f["votes"]), f["category"].replace("_", " "), md(f["text"]), f["status"].replace("_", " "),
                       f"{f['item_key']} ({f['item_status']})" if f["item_key"] else "-"] for f in fs], "rllll")
        out.append("")

    out += ["## KPIs", ""]
    out += table(["KPI", "Unit", "Baseline", "Target", "Latest", "Trend", "Status"],
                 [[md(k["name"]), md(k["unit"]) or "-", points_text(k["baseline"]), points_text(k["target"]),
                   points_text(k["latest"]), trend_text(k["trend"]), kpi_status(k)] for k in doc["kpis"]],
                 "llrrrll")
    out.append("")

    out += ["## Standup blockers", ""]
    out += table(["Date", "Member", "Blocker"],
                 [[b["date"], md(b["member"]), md(b["text"])] for b in doc["standup_blockers"]])
    out.append("")
    out.append(f"*Exported {doc['generated_at'][:16].replace('T', ' ')} UTC by sprinttui.*")
    return "\n".join(out) + "\n"


def _duration(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def standup_markdown(doc: dict) -> str:
    scope = f" (stream {doc['stream']})" if doc["stream"] else ""
    out = [f"# Standup {doc['date']}{scope}", "", f"**Project:** {md(doc['project']['name'])}", ""]
    out += ["## Notes", ""]
    out += table(["Member", "Yesterday", "Today", "Blockers"],
                 [[f"{md(n['member'])} ({md(n['name'])})", "*absent*" if n["absent"] else md(n["yesterday"]),
                   "" if n["absent"] else md(n["today"]), md(n["blockers"])] for n in doc["notes"]])
    out.append("")
    out += [f"**Absent:** {', '.join(md(a) for a in doc['absent']) or 'nobody'}  ",
            f"**No notes from:** {', '.join(md(m['member']) for m in doc['no_notes']) or 'nobody'}", ""]
    out += [f"## Blockers ({len(doc['blockers'])})", ""]
    out += table(["Member", "Blocker"], [[md(b["member"]), md(b["text"])] for b in doc["blockers"]])
    out.append("")
    out += [f"## Blocked items ({len(doc['blocked_items'])})", ""]
    out += table(["Key", "Title", "Status", "Assignee", "Reason"],
                 [[b["key"], md(b["title"]), b["status"], md(b["assignee"]) or "-", md(b["reason"])]
                  for b in doc["blocked_items"]])
    out.append("")
    out += [f"## Standups held ({len(doc['sessions'])})", ""]
    out += table(["Stream", "Facilitator", "Started", "Ended", "Time used", "Timebox"],
                 [[s["stream"] or "all", md(s["facilitator"]), s["started_at"][11:16],
                   s["ended_at"][11:16] if s["ended_at"] else "running", _duration(s["elapsed_seconds"]),
                   _duration(s["timebox_seconds"])] for s in doc["sessions"]], "llllrr")
    topics = [t for s in doc["sessions"] for t in s["parking_lot"]]
    if topics:
        out += ["", "### Parking lot", ""]
        out += [f"- {md(t)}" for t in topics]
    out.append("")
    out.append(f"*Exported {doc['generated_at'][:16].replace('T', ' ')} UTC by sprinttui.*")
    return "\n".join(out) + "\n"
