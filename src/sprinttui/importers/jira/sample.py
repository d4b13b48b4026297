"""A deterministic, realistic Jira "Export Excel CSV (all fields)" file of any size.

``make_sample_csv(path, rows, seed)`` writes what a Jira Software board of two
projects exports after some sprints: repeated ``Labels`` / ``Component/s`` /
``Sprint`` columns, Jira dates (``27/Nov/26 9:14 AM``), story points in
``Custom field (Story Points)`` (company-managed project) or ``Custom field
(Story point estimate)`` (team-managed project), multi-line quoted
descriptions, issues that slipped through up to three sprints, one active
sprint. Used by the tests and by ``bench/`` to time the importer.
"""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta
from pathlib import Path

__all__ = ["HEADER", "jira_date", "make_sample_csv"]

HEADER = [
    "Summary", "Issue key", "Issue id", "Issue Type", "Status", "Project key", "Project name", "Priority",
    "Resolution", "Assignee", "Reporter", "Created", "Updated", "Resolved", "Due date", "Labels", "Labels",
    "Component/s", "Component/s", "Sprint", "Sprint", "Sprint", "Custom field (Story Points)",
    "Custom field (Story point estimate)", "Description",
]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
PROJECTS = [("CRM", "CRM rollout", "Custom field (Story Points)"),
            ("WEB", "Web shop", "Custom field (Story point estimate)")]
COMPONENTS = ["Sales", "Service", "Marketing", "Data migration", "Reporting", "Integration"]
PEOPLE = ["Anna Becker", "Ben Schmidt", "Clara Fischer", "David Weber", "Eva Meyer", "Felix Wagner",
          "Greta Schulz", "Hannes Hoffmann", "Ines Koch", "Jonas Richter", "Katrin Klein", "Lukas Wolf",
          "Marie Neumann", "Nils Schwarz", "Olga Braun", "Paul Zimmermann", "Rita Krüger", "Sven Hartmann",
          "Tina Lange", "Uwe Werner", "Vera Krause", "Wolf Lehmann", "Yvonne Schmitt", "Zoe Walter"]
TYPES = ["Story"] * 55 + ["Bug"] * 15 + ["Task"] * 15 + ["Sub-task"] * 5 + ["Improvement"] * 7 + ["Epic"] * 3
POINTS = ["1", "2", "3", "3", "5", "5", "8", "13", "0.5"]
LABELS = ["pilot", "go-live", "migration", "gdpr", "reporting", "quick-win"]
VERBS = ["Configure", "Migrate", "Build", "Review", "Test", "Document", "Automate", "Import", "Design"]
OBJECTS = ["lead routing", "account hierarchy", "opportunity stages", "ticket escalation", "price lists",
           "consent records", "quote approval", "duplicate rules", "pipeline dashboard", "SLA timers",
           "user permissions", "web-to-lead forms", "ERP customer mapping", "address data"]
OPEN_STATUSES = ["To Do", "In Progress", "In Review", "Done", "To Do", "In Progress"]


def jira_date(t: datetime, *, with_time: bool = True) -> str:
    """27/Nov/26 9:14 AM – the way Jira writes dates into its CSV export."""
    d = f"{t.day:02d}/{_MONTHS[t.month - 1]}/{t.year % 100:02d}"
    if not with_time:
        return d
    hour = t.hour % 12 or 12
    return f"{d} {hour}:{t.minute:02d} {'PM' if t.hour >= 12 else 'AM'}"


def make_sample_csv(path: str | Path, rows: int, seed: int = 1, *, today: date | None = None,
                    sprint_length: int = 14) -> Path:
    """Write a Jira CSV export of `rows` issues to `path`; the same arguments give the same file."""
    rng = random.Random(seed)
    today = today or date.today()
    monday = today - timedelta(days=today.weekday())
    n_sprints = max(3, min(26, rows // 400 + 3))
    active = n_sprints - 1  # the last one runs now, the others are closed
    starts = [monday - timedelta(days=sprint_length * (active - k)) for k in range(n_sprints)]
    ends = [s + timedelta(days=sprint_length - 3) for s in starts]  # Monday to Friday of the next week
    names = [f"CRM Sprint {k + 1}" for k in range(n_sprints)]
    people = PEOPLE[: max(5, min(len(PEOPLE), rows // 150 + 5))]
    project_start = starts[0] - timedelta(days=30)
    now = datetime(today.year, today.month, today.day, 8, 0)
    seqs = {key: 0 for key, _n, _c in PROJECTS}

    def moment(lo: date, hi: date) -> datetime:
        span = max(0, (hi - lo).days)
        d = lo + timedelta(days=rng.randint(0, span))
        return min(datetime(d.year, d.month, d.day, rng.randint(8, 17), rng.randint(0, 59)), now)

    out = Path(path)
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for n in range(rows):
            pkey, pname, points_col = PROJECTS[0] if rng.random() < 0.7 else PROJECTS[1]
            seqs[pkey] += 1
            key = f"{pkey}-{seqs[pkey]}"
            kind = rng.choice(TYPES)
            title = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}"
            if kind == "Bug":
                title = f"{rng.choice(OBJECTS).capitalize()} shows wrong totals"
            # sprints: a run of consecutive ones, the issue created before the first
            trail: list[int] = []
            if rng.random() < 0.7:
                first = rng.randrange(n_sprints)
                length = 1 if rng.random() < 0.7 else (2 if rng.random() < 0.66 else 3)
                trail = list(range(first, min(first + length, n_sprints)))
                created = moment(starts[first] - timedelta(days=20), starts[first])
            else:
                created = moment(project_start, today)
            resolved = None
            if trail and trail[-1] < active:
                status = "Done" if rng.random() < 0.85 else "To Do"
                last = trail[-1]
                if status == "Done":
                    resolved = moment(starts[last], ends[last])
            elif trail:
                status = rng.choice(OPEN_STATUSES)
                if status == "Done":
                    resolved = moment(starts[active], today)
            else:
                status = "Done" if rng.random() < 0.1 else rng.choice(["To Do", "Backlog", "Open"])
                if status == "Done":
                    resolved = moment(created.date(), today)
            if resolved is not None and resolved < created:
                resolved = created + timedelta(hours=1)
            updated = resolved or moment(created.date(), today)
            if updated < created:
                updated = created
            pts = rng.choice(POINTS) if rng.random() < 0.85 and kind not in ("Epic", "Sub-task") else ""
            labels = rng.sample(LABELS, rng.choice([0, 0, 1, 1, 2]))
            comps = rng.sample(COMPONENTS, rng.choice([0, 1, 1, 1, 2]))
            sprint_cells = [names[k] for k in trail] + [""] * (3 - len(trail))
            description = ""
            if rng.random() < 0.6:
                description = f"As a user I want {title.lower()}, so that the rollout goes on."
                if rng.random() < 0.5:
                    description += ("\n\nAcceptance criteria:\n* works for \"key accounts\", too\n"
                                    "* checked in the test system, region North")
            due = ""
            if rng.random() < 0.15:
                due = jira_date(datetime.combine(created.date() + timedelta(days=rng.randint(7, 90)),
                                                 datetime.min.time()), with_time=False)
            w.writerow([
                title, key, str(10000 + n), kind, status, pkey, pname, rng.choice(["Medium", "High", "Low"]),
                "Done" if status == "Done" else "", rng.choice(people) if rng.random() < 0.8 else "",
                rng.choice(people), jira_date(created), jira_date(updated),
                jira_date(resolved) if resolved else "", due,
                *(labels + [""] * (2 - len(labels))), *(comps + [""] * (2 - len(comps))), *sprint_cells,
                pts if points_col == "Custom field (Story Points)" else "",
                pts if points_col != "Custom field (Story Points)" else "",
                description,
            ])
    return out
