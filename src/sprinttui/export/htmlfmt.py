"""One self-contained HTML page: inline CSS, inline SVG charts, no scripts and no
external assets, readable on screen and on paper.

Every piece of user text goes through :func:`esc` (``<script>`` stays text,
quotes cannot end an attribute); the markup around it is ours.
"""

from __future__ import annotations

import html
import math
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

CSS = """
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: #1d2330; background: #fff; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .6rem; }
h2 { font-size: 1.2rem; margin: 1.8rem 0 .5rem; border-bottom: 1px solid #d5dae3; padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
dl.facts dt { font-weight: 600; color: #4a5368; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: .3rem 0 .8rem; }
th, td { border: 1px solid #d5dae3; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f0f3f8; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: 600; background: #f7f9fc; }
p.none { color: #6b7385; font-style: italic; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; }
figure { margin: 0; flex: 1 1 460px; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
svg { width: 100%; height: auto; font: 11px system-ui, sans-serif; }
svg .grid { stroke: #e3e7ee; stroke-width: 1; }
svg .axis { stroke: #8a93a6; stroke-width: 1; }
svg .label { fill: #4a5368; }
svg .ideal { stroke: #8a93a6; stroke-width: 2; stroke-dasharray: 6 4; fill: none; }
svg .actual { stroke: #2f6fdb; stroke-width: 2.5; fill: none; }
svg .dot { fill: #2f6fdb; }
svg .committed { fill: #b9c9e8; }
svg .completed { fill: #2f6fdb; }
.goal-met { color: #1c7c3a; font-weight: 600; }
.goal-missed { color: #b3261e; font-weight: 600; }
footer { margin-top: 2rem; color: #6b7385; font-size: .85rem; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; color: #000; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table, figure, tr { break-inside: avoid; page-break-inside: avoid; }
  th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  svg .committed, svg .completed, svg .dot { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .charts { display: block; }
  figure { margin-bottom: 1rem; }
}
"""


def esc(value: Any) -> str:
    """User text as HTML text: escaped, newlines kept as <br>, bidi controls as <U+202E>."""
    if value is None:
        return ""
    text = show_bidi(str(value).replace("\r\n", "\n").replace("\r", "\n"))
    text = "".join("\ufffd" if (c < " " and c not in "\n\t") or "\x7f" <= c <= "\x9f" else c for c in text)
    return html.escape(text, quote=True).replace("\n", "<br>")


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], align: str = "",
           total_last: bool = False) -> str:
    """A table of cells that are already HTML (escape user text with esc())."""
    rows = list(rows)
    if not rows:
        return '<p class="none">none</p>'
    aligns = (align + "l" * len(headers))[: len(headers)]

    def cls(i: int) -> str:
        return ' class="num"' if aligns[i] == "r" else ""

    head = "".join(f"<th{cls(i)}>{h}</th>" for i, h in enumerate(headers))
    body = []
    for n, r in enumerate(rows):
        tr = ' class="total"' if total_last and n == len(rows) - 1 else ""
        body.append(f"<tr{tr}>" + "".join(f"<td{cls(i)}>{c}</td>" for i, c in enumerate(r)) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


# --------------------------------------------------------------------------- charts

W, H = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 46, 26, 14, 46


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


def _fmt(n: float) -> str:
    return f"{n:.1f}".rstrip("0").rstrip(".")


def _grid(ymax: float) -> list[str]:
    parts = []
    for k in range(5):
        v = ymax * k / 4
        y = TOP + (H - TOP - BOTTOM) * (1 - k / 4)
        parts.append(f'<line class="grid" x1="{LEFT}" y1="{_fmt(y)}" x2="{W - RIGHT}" y2="{_fmt(y)}"/>')
        parts.append(f'<text class="label" x="{LEFT - 6}" y="{_fmt(y + 4)}" text-anchor="end">{_fmt(v)}</text>')
    parts.append(f'<line class="axis" x1="{LEFT}" y1="{H - BOTTOM}" x2="{W - RIGHT}" y2="{H - BOTTOM}"/>')
    return parts


def _legend(entries: list[tuple[str, str, bool]]) -> list[str]:
    parts, x = [], LEFT
    y = H - 10
    for cls, label, line in entries:
        if line:
            parts.append(f'<line class="{cls}" x1="{x}" y1="{y - 4}" x2="{x + 22}" y2="{y - 4}"/>')
        else:
            parts.append(f'<rect class="{cls}" x="{x + 6}" y="{y - 10}" width="12" height="10"/>')
        parts.append(f'<text class="label" x="{x + 28}" y="{y}">{esc(label)}</text>')
        x += 40 + 7 * len(label)
    return parts


def burndown_svg(points: list[dict], title: str) -> str:
    """Ideal line vs actual remaining points at the end of each working day."""
    n = len(points)
    if not n:
        return '<p class="none">no working days</p>'
    ideal = [p["ideal"] for p in points]
    # the ideal line starts at the commitment: ideal[0] = C * (1 - 1/n)
    start = ideal[0] * n / (n - 1) if n > 1 else max([p["remaining"] or 0 for p in points] + [0])
    remaining = [(i, p["remaining"]) for i, p in enumerate(points) if p["remaining"] is not None]
    ymax = _nice_max(max([start] + [r for _, r in remaining]))
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM

    def x(k: int) -> str:  # k = 0: the start, k = i + 1: the end of day i
        return _fmt(LEFT + plot_w * k / n)

    def y(v: float) -> str:
        return _fmt(TOP + plot_h * (1 - v / ymax))

    parts = [f'<svg viewBox="0 0 {W} {H}" role="img" aria-label="{esc(title)}"><title>{esc(title)}</title>']
    parts += _grid(ymax)
    every = max(1, math.ceil(n / 12))
    for i, p in enumerate(points):
        if i % every == 0 or i == n - 1:
            parts.append(f'<text class="label" x="{x(i + 1)}" y="{H - BOTTOM + 14}" '
                         f'text-anchor="middle">{esc(p["day"][5:])}</text>')
    ideal_pts = [f"{x(0)},{y(start)}"] + [f"{x(i + 1)},{y(v)}" for i, v in enumerate(ideal)]
    parts.append(f'<polyline class="ideal" points="{" ".join(ideal_pts)}"/>')
    if remaining:
        parts.append('<polyline class="actual" points="'
                     + " ".join(f"{x(i + 1)},{y(v)}" for i, v in remaining) + '"/>')
        for i, v in remaining:
            parts.append(f'<circle class="dot" cx="{x(i + 1)}" cy="{y(v)}" r="3">'
                         f'<title>{esc(points[i]["day"])}: {_fmt(v)} points left</title></circle>')
    parts += _legend([("ideal", "ideal", True), ("actual", "remaining points", True)])
    parts.append("</svg>")
    return "".join(parts)


def velocity_svg(velocity: list[dict], title: str) -> str:
    """Committed vs completed points per sprint, oldest first."""
    n = len(velocity)
    if not n:
        return '<p class="none">no sprints</p>'
    ymax = _nice_max(max([v["committed_points"] for v in velocity] + [v["completed_points"] for v in velocity]))
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    group = plot_w / n
    bar = min(group * 0.34, 48)
    parts = [f'<svg viewBox="0 0 {W} {H}" role="img" aria-label="{esc(title)}"><title>{esc(title)}</title>']
    parts += _grid(ymax)
    for i, v in enumerate(velocity):
        cx = LEFT + group * (i + 0.5)
        for j, (cls, val) in enumerate((("committed", v["committed_points"]), ("completed", v["completed_points"]))):
            h = plot_h * val / ymax
            bx = cx - bar - 2 + j * (bar + 4)
            by = TOP + plot_h - h
            parts.append(f'<rect class="{cls}" x="{_fmt(bx)}" y="{_fmt(by)}" width="{_fmt(bar)}" height="{_fmt(h)}">'
                         f'<title>{esc(v["sprint"])}: {_fmt(val)} points {cls}</title></rect>')
            parts.append(f'<text class="label" x="{_fmt(bx + bar / 2)}" y="{_fmt(by - 3)}" '
                         f'text-anchor="middle">{_fmt(val)}</text>')
        name = v["sprint"] if len(v["sprint"]) <= 16 else v["sprint"][:15] + "…"
        parts.append(f'<text class="label" x="{_fmt(cx)}" y="{H - BOTTOM + 14}" '
                     f'text-anchor="middle">{esc(name)}</text>')
    parts += _legend([("committed", "committed", False), ("completed", "completed", False)])
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- the page


def _page(title: str, body: list[str], generated_at: str) -> str:
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        *body,
        f"<footer>Exported {esc(generated_at[:16].replace('T', ' '))} UTC by sprinttui.</footer>",
        "</body>",
        "</html>",
        "",
    ])


def _facts(pairs: list[tuple[str, str]]) -> str:
    return '<dl class="facts">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in pairs) + "</dl>"


def sprint_html(doc: dict) -> str:
    sp = doc["sprint"]
    title = f"Sprint summary: {sp['name']}"
    goal_met = {None: "not recorded", True: '<span class="goal-met">yes</span>',
                False: '<span class="goal-missed">no</span>'}[sp["goal_met"]]
    facts = [("Project", esc(doc["project"]["name"])),
             ("Sprint", f"{esc(sp['name'])} ({esc(sp['state'])}), {esc(sp['start'])} to {esc(sp['end'])}")]
    if doc["stream"]:
        name = next((s["name"] for s in doc["streams"] if s["stream"] == doc["stream"]), doc["stream"])
        facts.append(("Stream", f"{esc(doc['stream'])} ({esc(name)})"))
    facts += [("Goal", esc(sp["goal"]) or "<em>none</em>"), ("Goal met", goal_met),
              ("Review note", esc(sp["review_note"]) or "not recorded")]
    body = [f"<header><h1>{esc(title)}</h1>{_facts(facts)}</header>"]

    running = is_running(doc)
    rows = [[f"{esc(s['stream'])} {esc(s['name'])}", *figure_cells(s, running)] for s in doc["streams"]]
    if not doc["stream"]:
        rows.append(["Total", *figure_cells(doc["totals"], running)])
    heads = figure_headers(running)
    body += ["<section><h2>Figures</h2>",
             f"<p>{esc(FIGURE_NOTE)}</p>",
             _table(["Stream", *heads], rows, "l" + "r" * len(heads), total_last=not doc["stream"]),
             "</section>"]

    body += ['<section><h2>Charts</h2><div class="charts">',
             "<figure><figcaption>Burndown</figcaption>"
             f"{burndown_svg(doc['burndown'], 'Burndown: ideal line and remaining points')}</figure>",
             "<figure><figcaption>Velocity</figcaption>"
             f"{velocity_svg(doc['velocity'], 'Velocity: committed and completed points per sprint')}</figure>",
             "</div>",
             "<h3>Velocity trend: completed of committed points</h3>",
             _table(["Stream"] + [esc(v["sprint"]) + (" (running)" if v["state"] == "active" else "")
                                  for v in doc["velocity"]],
                    [[f"{esc(s['stream'])} {esc(s['name'])}", *velocity_cells(s["velocity"])] for s in doc["streams"]]
                    + ([] if doc["stream"] else [["Total", *velocity_cells(doc["velocity"])]]),
                    "l" + "r" * len(doc["velocity"]), total_last=not doc["stream"]),
             "</section>"]

    items = doc["items"]

    def item_cells(i: dict, *extra: str) -> list[str]:
        return [esc(i["key"]), esc(i["title"]), esc(i["stream"]), esc(i["status"]), points_text(i["points"]), *extra]

    sections = [
        ("Completed", [i for i in items if i["outcome"] == "completed"], ["Added after start"], "l",
         lambda i: ["yes" if i["added_after_start"] else ""]),
        ("Carried over", [i for i in items if i["outcome"] == "carried_over"], ["Slips"], "r",
         lambda i: [str(i["slip_count"])]),
        ("Not completed yet", [i for i in items if i["outcome"] == "not_completed"], ["Slips"], "r",
         lambda i: [str(i["slip_count"])]),
        ("Removed", [i for i in items if i["outcome"] == "removed"], [], "", lambda i: []),
        ("Added after the start", [i for i in items if i["added_after_start"]], ["Outcome"], "l",
         lambda i: [esc(i["outcome"].replace("_", " "))]),
    ]
    for heading, chosen, extra_heads, extra_align, extra in sections:
        if heading == "Not completed yet" and not chosen:
            continue
        body += [f"<section><h2>{heading} ({len(chosen)})</h2>",
                 _table(["Key", "Title", "Stream", "Status", "Points", *extra_heads],
                        [item_cells(i, *extra(i)) for i in chosen], "llllr" + extra_align),
                 "</section>"]
    blocked = [i for i in items if i["blocked"]]
    body += [f"<section><h2>Blocked ({len(blocked)})</h2>",
             _table(["Key", "Title", "Stream", "Reason"],
                    [[esc(i["key"]), esc(i["title"]), esc(i["stream"]), esc(i["blocked_reason"])] for i in blocked]),
             "</section>"]

    body.append("<section><h2>Evaluation findings</h2>")
    if not doc["evaluations"]:
        body.append('<p class="none">No evaluation recorded for this sprint.</p>')
    for ev in doc["evaluations"]:
        who = f", facilitated by {esc(ev['facilitator'])}" if ev["facilitator"] else ""
        body.append(f"<h3>{esc(ev['kind'].capitalize())} evaluation, {esc(ev['date'])}{who}</h3>")
        if ev["summary"]:
            body.append(f"<p>{esc(ev['summary'])}</p>")
        fs = [f for f in doc["findings"] if f["evaluation_id"] == ev["id"]]
        body.append(_table(["Votes", "Category", "Finding", "Status", "Improvement item"],
                           [[str(f["votes"]), esc(f["category"].replace("_", " ")), esc(f["text"]),
                             esc(f["status"].replace("_", " ")),
                             f"{esc(f['item_key'])} ({esc(f['item_status'])})" if f["item_key"] else "-"]
                            for f in fs], "rllll"))
    body.append("</section>")

    body += ["<section><h2>KPIs</h2>",
             _table(["KPI", "Unit", "Baseline", "Target", "Latest", "Trend", "Status"],
                    [[esc(k["name"]), esc(k["unit"]) or "-", points_text(k["baseline"]), points_text(k["target"]),
                      points_text(k["latest"]),
                      esc(trend_text(k["trend"])), kpi_status(k)] for k in doc["kpis"]], "llrrrll"),
             "</section>"]
    body += ["<section><h2>Standup blockers</h2>",
             _table(["Date", "Member", "Blocker"],
                    [[esc(b["date"]), esc(b["member"]), esc(b["text"])] for b in doc["standup_blockers"]]),
             "</section>"]
    return _page(title, body, doc["generated_at"])
