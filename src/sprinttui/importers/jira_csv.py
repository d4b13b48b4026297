"""Import a Jira "Export Excel CSV (all fields)" file.

Two steps, so the command line can decide on a progress bar in between:

* :func:`read_jira_csv` reads and checks the file: repeated column names
  (several ``Sprint``, ``Labels``, ``Component/s``), multi-line quoted
  descriptions, Jira dates (``27/Nov/26 9:14 AM``), story points from
  ``Custom field (Story Points)`` or ``Custom field (Story point estimate)``.
  A row that cannot be used becomes a :class:`RowProblem` with the physical
  line it starts on; the other rows still import. A file that is no Jira CSV
  at all raises :class:`~sprinttui.domain.ValidationError`.
* :func:`import_issues` maps the issues onto the project in ONE write
  transaction (or, with ``dry_run``, only computes what would change): items
  (matched on ``Item.external_key`` = the Jira key, so a re-import updates
  instead of duplicating), streams, members, and sprints with a history that
  gives closed sprints their carried-over items and each item its slip count.

The mapping rules and heuristics are described in ``docs/jira-import.md``.
"""

from __future__ import annotations

import csv
import io
import re
import time as _time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from heapq import heappop, heappush
from pathlib import Path
from typing import Any

from sprinttui.domain import Kind, SprintState, Status, ValidationError, one_line
from sprinttui.domain import SprintEventKind as EK
from sprinttui.services.text import clean_line, clean_list, clean_points, clean_text, fmt_points

__all__ = [
    "ImportReport",
    "JiraIssue",
    "ParsedFile",
    "RowProblem",
    "import_issues",
    "import_jira_csv",
    "parse_jira_csv",
    "parse_jira_datetime",
    "read_jira_csv",
    "summary_lines",
]

UTC = UTC
STREAM_FROM = ("component", "project", "label")
DEFAULT_STREAM_NAME = "Imported from Jira"
DEFAULT_STREAM_KEY = "JIRA"
MAX_FILE_BYTES = 512 * 1024 * 1024

# (phase, done, total) – the command line turns these calls into a progress bar
Progress = Callable[[str, int, int], None]

# --------------------------------------------------------------------------- mapping tables

STATUS_MAP: dict[str, Status] = {
    **dict.fromkeys(["to do", "todo", "open", "backlog", "selected for development", "reopened", "new"],
                    Status.TODO),
    **dict.fromkeys(["in progress", "doing", "in development"], Status.DOING),
    **dict.fromkeys(["in review", "review", "code review", "testing", "in testing", "qa", "in qa"],
                    Status.REVIEW),
    **dict.fromkeys(["done", "closed", "resolved"], Status.DONE),
}

# issue type names with everything but letters removed, lower case
KIND_MAP: dict[str, Kind] = {
    **dict.fromkeys(["story", "userstory", "epic", "feature", "newfeature", "requirement"], Kind.STORY),
    **dict.fromkeys(["bug", "defect", "incident", "problem"], Kind.BUG),
    **dict.fromkeys(["task", "subtask", "technicaltask", "spike", "chore"], Kind.TASK),
    **dict.fromkeys(["improvement", "enhancement", "techdebt", "technicaldebt"], Kind.IMPROVEMENT),
    **dict.fromkeys(["change", "training", "documentation", "communication", "userguide"], Kind.CHANGE),
}

# header names, compared in lower case with runs of white space collapsed
COL_KEY = ("issue key",)
COL_SUMMARY = ("summary",)
COL_TYPE = ("issue type",)
COL_STATUS = ("status",)
COL_PROJECT_KEY = ("project key",)
COL_PROJECT_NAME = ("project name",)
COL_ASSIGNEE = ("assignee",)
COL_CREATED = ("created",)
COL_UPDATED = ("updated",)
COL_RESOLVED = ("resolved",)
COL_DUE = ("due date",)
COL_LABELS = ("labels",)
COL_COMPONENTS = ("component/s", "components")
COL_SPRINT = ("sprint", "sprints")
COL_POINTS = ("custom field (story points)", "custom field (story point estimate)",
              "story points", "story point estimate")
COL_DESCRIPTION = ("description",)

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    # German Jira installations write these
    "mär": 3, "mrz": 3, "mai": 5, "okt": 10, "dez": 12,
}
_JIRA_DT = re.compile(
    r"^(\d{1,2})/([^\W\d_]{3,4})\.?/(\d{2}|\d{4})"
    r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?)?$"
)
_DOTTED_DT = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_KEY_RE = re.compile(r"^[A-Z][A-Z0-9_]*-\d+$")
_GREENHOPPER_NAME = re.compile(r"\bname=([^,\]]*)")
_RESERVED_SPRINT_NAMES = ("current", "next", "last", "backlog", "none")


# --------------------------------------------------------------------------- parsed data


@dataclass(frozen=True)
class RowProblem:
    """A row that was skipped: the physical line it starts on, its key (if any), why."""

    line: int
    key: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.key + ': ' if self.key else ''}{self.message}"


@dataclass
class JiraIssue:
    line: int
    key: str
    title: str
    description: str
    kind: str
    status: str
    raw_type: str
    raw_status: str
    project_key: str
    project_name: str
    assignee: str | None
    created: datetime | None
    updated: datetime | None
    resolved: datetime | None
    due: date | None
    labels: list[str]
    components: list[str]
    sprints: list[str]
    points: float | None


@dataclass
class ParsedFile:
    name: str
    rows: int  # data rows (blank lines not counted)
    issues: list[JiraIssue]
    problems: list[RowProblem]
    missing_columns: list[str] = field(default_factory=list)
    unknown_statuses: Counter = field(default_factory=Counter)
    unknown_types: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)


class _RowError(Exception):
    pass


# --------------------------------------------------------------------------- dates


def parse_jira_datetime(text: str) -> datetime | None:
    """A Jira date as exported: ``27/Nov/26 9:14 AM``, ``22/Oct/21 16:55``, ``15/Jul/26``,
    ``2026-11-27 09:14``, ``27.11.2026 09:14``. Empty → None; anything else → ValueError.

    Jira writes the exporting user's local time without a zone; it is read as UTC.
    """
    s = " ".join(str(text).split())
    if not s:
        return None
    m = _JIRA_DT.match(s)
    if m:
        day, mon, year, hh, mm, ss, ampm = m.groups()
        month = MONTHS.get(mon.lower())
        if month is None:
            raise ValueError(f"unknown month {mon!r}")
        return _build(int(day), month, year, hh, mm, ss, ampm)
    m = _DOTTED_DT.match(s)
    if m:
        day, month, year, hh, mm, ss = m.groups()
        return _build(int(day), int(month), year, hh, mm, ss, None)
    if re.match(r"^\d{4}-\d{2}-\d{2}", s):
        value = datetime.fromisoformat(s.replace(" ", "T", 1) if len(s) > 10 else s)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    raise ValueError("not a Jira date")


def _build(day: int, month: int, year: str, hh, mm, ss, ampm) -> datetime:
    y = int(year)
    if len(year) == 2:
        y += 2000 if y < 69 else 1900
    hour, minute, second = int(hh or 0), int(mm or 0), int(ss or 0)
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError("hour out of range")
        pm = ampm[0] in "pP"
        hour = (hour % 12) + (12 if pm else 0)
    return datetime(y, month, day, hour, minute, second, tzinfo=UTC)


# --------------------------------------------------------------------------- reading


def read_jira_csv(path: str | Path) -> ParsedFile:
    """Read and check a Jira CSV export. Raises ValidationError when it is no such file."""
    p = Path(path).expanduser()
    shown = one_line(str(path), 200)
    if not p.exists():
        raise ValidationError(f"no such file: {shown}", "file")
    if p.is_dir():
        raise ValidationError(f"{shown} is a folder, not a CSV file", "file")
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ValidationError(f"{shown} is too large ({size // 2**20} MB); split the export", "file")
        data = p.read_bytes()
    except OSError as err:
        raise ValidationError(f"cannot read {shown}: {err.strerror or err}", "file") from None
    return parse_jira_csv(data, name=str(path))


def _decode(data: bytes, shown: str, notes: list[str]) -> str:
    if not data.strip():
        raise ValidationError(f"{shown} is empty", "file")
    if data[:4] == b"PK\x03\x04":
        raise ValidationError(f"{shown} is a zip or Excel (.xlsx) file, not CSV; "
                              "in Jira use Export > Export Excel CSV (all fields)", "file")
    if b"\x00" in data[:65536]:
        raise ValidationError(f"{shown} is not a text (CSV) file", "file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise ValidationError(f"{shown} is not a UTF-8 text (CSV) file", "file") from None
    notes.append("the file is not UTF-8; it was read as Windows-1252")
    return text


def _norm(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").strip().lower().split())


def parse_jira_csv(data: bytes | str, name: str = "-") -> ParsedFile:
    """Parse the text of a Jira CSV export (see :func:`read_jira_csv`)."""
    shown = one_line(name, 200)
    notes: list[str] = []
    text = _decode(data, shown, notes) if isinstance(data, bytes) else data.lstrip("\ufeff")
    if not text.strip():
        raise ValidationError(f"{shown} is empty", "file")
    if text.lstrip()[:1] == "<":
        raise ValidationError(f"{shown} looks like HTML (Jira's old Excel export), not CSV; "
                              "in Jira use Export > Export Excel CSV (all fields)", "file")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") and "issue key" in first.lower() else ","
    if csv.field_size_limit() < 64 * 2**20:
        csv.field_size_limit(64 * 2**20)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise ValidationError(f"{shown} is not a CSV file", "file") from None
    cols: dict[str, list[int]] = defaultdict(list)
    for i, h in enumerate(header):
        cols[_norm(h)].append(i)
    for needed in ("issue key", "summary"):
        if needed not in cols:
            raise ValidationError(
                f"{shown} is not a Jira CSV export: its first line has no {needed.title()!r} column "
                "(export with Export > Export Excel CSV (all fields))", "file")
    parsed = ParsedFile(name=str(name), rows=0, issues=[], problems=[], notes=notes)
    wanted = {"Issue Type": COL_TYPE, "Status": COL_STATUS, "Created": COL_CREATED, "Sprint": COL_SPRINT,
              "Assignee": COL_ASSIGNEE, "Story Points": COL_POINTS}
    parsed.missing_columns = [label for label, names in wanted.items() if not any(n in cols for n in names)]
    width = len(header)
    seen: dict[str, int] = {}
    prev_end = reader.line_num
    while True:
        start = prev_end + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            parsed.rows += 1
            parsed.problems.append(RowProblem(start, "", f"broken CSV ({err}); the rest of the file "
                                                         "could not be read"))
            break
        prev_end = reader.line_num
        if not row or not any(cell.strip() for cell in row):
            continue  # a blank line
        parsed.rows += 1
        key = row[cols["issue key"][0]].strip().upper() if cols["issue key"][0] < len(row) else ""
        try:
            if len(row) > width and any(c.strip() for c in row[width:]):
                raise _RowError(f"the row has {len(row)} fields but the header {width}; check its quoting")
            issue = _issue(row, cols, start, key, parsed)
        except (_RowError, ValidationError) as err:
            parsed.problems.append(RowProblem(start, one_line(key, 40), one_line(str(err), 300)))
            continue
        if issue.key in seen:
            parsed.problems.append(RowProblem(start, issue.key, f"the key is already on line {seen[issue.key]}"))
            continue
        seen[issue.key] = start
        parsed.issues.append(issue)
    return parsed


def _issue(row: list[str], cols: dict[str, list[int]], line: int, key: str, parsed: ParsedFile) -> JiraIssue:
    def cells(names: tuple[str, ...]) -> list[str]:
        out: list[str] = []
        for n in names:
            for i in cols.get(n, ()):
                if i < len(row) and row[i].strip():
                    out.append(row[i].strip())
        return out

    def one(names: tuple[str, ...]) -> str:
        got = cells(names)
        return got[0] if got else ""

    def when(names: tuple[str, ...], label: str) -> datetime | None:
        raw = one(names)
        try:
            return parse_jira_datetime(raw)
        except ValueError:
            raise _RowError(f"cannot read {label} {one_line(raw, 40)!r} as a Jira date "
                            "(like 27/Nov/26 9:14 AM)") from None

    if not key:
        raise _RowError("no issue key")
    if not _KEY_RE.match(key):
        raise _RowError(f"{one_line(key, 40)!r} is not a Jira issue key (like ABC-123)")
    summary = one(COL_SUMMARY)
    if not summary:
        raise _RowError("no summary")
    title = clean_line(summary, "summary")
    raw_description = (row[cols["description"][0]] if "description" in cols
                       and cols["description"][0] < len(row) else "")
    # CRLF inside the quoted field (Excel-style exports) becomes a plain line end
    description = clean_text(raw_description.replace("\r\n", "\n").replace("\r", "\n"), "description")
    raw_type = one(COL_TYPE)
    kind = KIND_MAP.get(re.sub(r"[^a-z]", "", raw_type.lower()))
    if kind is None:
        kind = Kind.TASK
        if raw_type:
            parsed.unknown_types[one_line(raw_type, 40)] += 1
    raw_status = one(COL_STATUS)
    status = STATUS_MAP.get(" ".join(raw_status.lower().split()))
    if status is None:
        status = Status.TODO
        if raw_status:
            parsed.unknown_statuses[one_line(raw_status, 40)] += 1
    points_raw = one(COL_POINTS)
    try:
        points = clean_points(points_raw.replace(",", ".") if points_raw else None, "story points")
    except ValidationError as err:
        raise _RowError(f"{err} (story points {one_line(points_raw, 20)!r})") from None
    due_dt = when(COL_DUE, "Due date")
    sprints: list[str] = []
    for raw in cells(COL_SPRINT):
        m = _GREENHOPPER_NAME.search(raw) if "greenhopper" in raw else None
        name = clean_line(m.group(1) if m else raw, "sprint", limit=100)
        if name.lower() in _RESERVED_SPRINT_NAMES:
            name = f"{name} (Jira)"
        if name not in sprints:
            sprints.append(name)
    assignee = one(COL_ASSIGNEE)
    return JiraIssue(
        line=line,
        key=key,
        title=title,
        description=description,
        kind=kind.value,
        status=status.value,
        raw_type=raw_type,
        raw_status=raw_status,
        project_key=one(COL_PROJECT_KEY),
        project_name=one(COL_PROJECT_NAME),
        assignee=clean_line(assignee, "assignee", limit=200) if assignee else None,
        created=when(COL_CREATED, "Created"),
        updated=when(COL_UPDATED, "Updated"),
        resolved=when(COL_RESOLVED, "Resolved"),
        due=due_dt.date() if due_dt else None,
        labels=[x for x in clean_list(cells(COL_LABELS)).split(",") if x],
        components=[clean_line(c, "component", limit=200) for c in cells(COL_COMPONENTS)],
        sprints=sprints,
        points=points,
    )


# --------------------------------------------------------------------------- the report


@dataclass
class ItemChange:
    key: str
    external_key: str
    changes: list[tuple[str, str | None, str | None]]

    def as_dict(self) -> dict:
        return {"key": self.key, "external_key": self.external_key,
                "changes": [{"field": f, "old": o, "new": n} for f, o, n in self.changes]}


@dataclass
class SprintNote:
    name: str
    action: str  # created | closed now | started now
    state: str
    start: date | None
    end: date | None

    def as_dict(self) -> dict:
        return {"name": self.name, "action": self.action, "state": self.state,
                "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat() if self.end else None}


@dataclass
class ImportReport:
    file: str
    dry_run: bool
    stream_from: str
    rows: int
    created: list[tuple[str, str]] = field(default_factory=list)  # (our key, Jira key)
    updated: list[ItemChange] = field(default_factory=list)
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    sprints: list[SprintNote] = field(default_factory=list)
    streams: list[tuple[str, str]] = field(default_factory=list)  # (key, name)
    members: list[tuple[str, str]] = field(default_factory=list)  # (handle, name)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def skipped(self) -> int:
        return len(self.problems)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "dry_run": self.dry_run,
            "stream_from": self.stream_from,
            "rows": self.rows,
            "counts": {"created": len(self.created), "updated": len(self.updated),
                       "unchanged": self.unchanged, "skipped": self.skipped},
            "created": [{"key": k, "external_key": e} for k, e in self.created],
            "updated": [c.as_dict() for c in self.updated],
            "skipped": [{"line": p.line, "external_key": p.key or None, "message": p.message}
                        for p in self.problems],
            "sprints": [s.as_dict() for s in self.sprints],
            "streams": [{"key": k, "name": n} for k, n in self.streams],
            "members": [{"handle": h, "name": n} for h, n in self.members],
            "warnings": list(self.warnings),
            "seconds": self.seconds,
        }


def _short(value: str | None, limit: int = 40) -> str:
    if value is None or value == "":
        return "-"
    return one_line(value.replace("\n", " "), limit)


def _listing(pairs: list[str], limit: int = 6) -> str:
    shown = ", ".join(pairs[:limit])
    return shown + (f", … and {len(pairs) - limit} more" if len(pairs) > limit else "")


def summary_lines(report: ImportReport, *, max_changes: int = 12) -> list[str]:
    """A one-screen plain-text summary (user text included; the caller makes it terminal-safe)."""
    r = report
    would = "would be " if r.dry_run else ""
    lines = []
    if r.dry_run:
        lines.append("Dry run: nothing was written.")
    lines.append(f"Jira import of {r.file}: {r.rows} rows, streams from {r.stream_from}")
    lines.append(f"items:    {len(r.created)} {would}created, {len(r.updated)} {would}updated, "
                 f"{r.unchanged} unchanged, {r.skipped} skipped")
    made = [s for s in r.sprints if s.action == "created"]
    if r.sprints:
        states = Counter(s.state for s in made)
        detail = ", ".join(f"{n} {st}" for st, n in sorted(states.items()))
        parts = [f"{len(made)} {would}created" + (f" ({detail})" if detail else "")]
        for action in ("closed now", "started now"):
            names = [s.name for s in r.sprints if s.action == action]
            if names:
                parts.append(f"{would}{action}: {_listing(names)}")
        lines.append("sprints:  " + "; ".join(parts))
    else:
        lines.append("sprints:  none new")
    lines.append(f"streams:  {len(r.streams)} {would}created"
                 + (": " + _listing([f"{k} {n}" for k, n in r.streams]) if r.streams else ""))
    lines.append(f"members:  {len(r.members)} {would}created"
                 + (": " + _listing([f"{h} ({n})" for h, n in r.members]) if r.members else ""))
    if r.updated:
        lines.append("changes:" if not r.dry_run else "would change:")
        for ch in r.updated[:max_changes]:
            fields = "; ".join(f"{f} {_short(o)} → {_short(n)}" for f, o, n in ch.changes)
            lines.append(f"  {ch.key} ({ch.external_key}): {fields}")
        if len(r.updated) > max_changes:
            lines.append(f"  … and {len(r.updated) - max_changes} more")
    if r.warnings:
        lines.append("warnings:")
        lines.extend(f"  {w}" for w in r.warnings)
    if r.problems:
        lines.append(f"skipped rows: {r.skipped} (listed on stderr)")
    return lines


# --------------------------------------------------------------------------- planning state

HIST, NOW, OPEN = "hist", "now", "open"
MINUTE = timedelta(minutes=1)


class _St:
    __slots__ = ("id", "key", "name", "next_seq", "new", "changed")

    def __init__(self, id, key, name, next_seq, new=False):
        self.id, self.key, self.name, self.next_seq, self.new = id, key, name, next_seq, new
        self.changed = False


class _Mem:
    __slots__ = ("id", "handle", "name", "new", "streams")

    def __init__(self, id, handle, name, new=False):
        self.id, self.handle, self.name, self.new = id, handle, name, new
        self.streams: Counter = Counter()


class _Sp:
    __slots__ = ("id", "name", "state", "start", "end", "started_at", "closed_at", "new", "mode", "idx",
                 "changed", "start_now", "historical")

    def __init__(self, id, name, state, start, end, started_at, closed_at, new=False):
        self.id, self.name, self.state = id, name, state
        self.start, self.end = start, end
        self.started_at, self.closed_at = _aware(started_at), _aware(closed_at)
        self.new = new
        self.mode = OPEN
        self.idx = -1
        self.changed = False
        self.start_now = False
        # its events may be written at past times (a sprint this import creates, not started now)
        self.historical = False


class _It:
    __slots__ = ("id", "key", "ext", "stream", "seq", "title", "description", "kind", "status", "points",
                 "assignee", "due", "labels", "sprint", "slip", "deleted", "created_at", "updated_at", "rank",
                 "new", "dirty", "issue", "changes")

    def __init__(self):
        self.id = None
        self.new = False
        self.dirty = False
        self.issue: JiraIssue | None = None
        self.changes: list[tuple[str, str | None, str | None]] = []
        self.updated_at = None


def _aware(v: datetime | None) -> datetime | None:
    if v is None:
        return None
    return v.replace(tzinfo=UTC) if v.tzinfo is None else v


def _at(d: date, hour: int, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=UTC)


def _natural(name: str) -> tuple:
    parts = re.split(r"(\d+)", name.casefold())
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts))


def _ev_str(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float):
        return fmt_points(v)
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return str(v)


def _slug(name: str) -> str:
    s = name.replace("ß", "ss").replace("æ", "ae").replace("ø", "o").replace("ł", "l")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    s = re.sub(r"[^A-Za-z0-9]+", ".", s).strip(".").lower()
    return s[:36].strip(".") or "user"


def _letters(text: str) -> list[str]:
    s = unicodedata.normalize("NFKD", text.replace("ß", "ss")).encode("ascii", "ignore").decode("ascii")
    return [w.upper() for w in re.split(r"[^A-Za-z]+", s) if w]


def _key_candidates(name: str, preferred: str | None = None):
    """Stream keys (2 to 6 upper-case letters) to try for a stream name, best first."""
    if preferred and re.fullmatch(r"[A-Z]{2,6}", preferred):
        yield preferred
    words = _letters(name)
    joined = "".join(words)
    if len(words) >= 2:
        initials = "".join(w[0] for w in words)[:6]
        if len(initials) >= 2:
            yield initials
    if len(joined) == 2:
        yield joined
    for n in (3, 4, 5, 6):
        if len(joined) >= n:
            yield joined[:n]
    base = (joined or "JIRA")[:4]
    if len(base) < 2:
        base = (base + "XX")[:2]
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for a in letters:
        yield base + a
    for a in letters:
        for b in letters:
            yield base + a + b


# --------------------------------------------------------------------------- the importer


class _Importer:
    def __init__(self, ctx, s, parsed: ParsedFile, stream_from: str, dry_run: bool,
                 progress: Progress | None):
        self.ctx = ctx
        self.s = s
        self.parsed = parsed
        self.stream_from = stream_from
        self.dry_run = dry_run
        self.progress = progress
        self.now = _aware(ctx.now())
        self.today = ctx.today()
        self.user = ctx.user
        self.ievents: list[tuple] = []  # (item, at, field, old, new)
        self.sevents: list[tuple] = []  # (sprint, item, kind, at, points, status, target)
        self.warnings: list[str] = []
        self.report = ImportReport(file=parsed.name, dry_run=dry_run, stream_from=stream_from,
                                   rows=parsed.rows, problems=list(parsed.problems))

    # -- helpers ------------------------------------------------------------
    def _tick(self, phase: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(phase, done, total)

    def _iev(self, it: _It, at: datetime, fld: str, old, new) -> None:
        self.ievents.append((it, at, fld, _ev_str(old), _ev_str(new)))
        if it.updated_at is None or at > it.updated_at:
            it.updated_at = at

    def _sev(self, sp: _Sp, it: _It, kind: EK, at: datetime, status: str | None = None,
             target: _Sp | None = None) -> None:
        self.sevents.append((sp, it, kind.value, at, it.points, status or it.status, target))

    # -- loading ------------------------------------------------------------
    def load(self) -> None:
        from sqlalchemy import func, select

        from sprinttui.services.project import parse_working_days
        from sprinttui.store.models import Item, Member, ProjectSettings, Sprint, Stream

        conn = self.s.connection()
        settings = conn.execute(select(ProjectSettings.sprint_length_days, ProjectSettings.working_days)
                                .order_by(ProjectSettings.id)).first()
        self.length = max(1, int(settings[0])) if settings else 14
        try:
            self.workdays = parse_working_days(settings[1]) if settings else frozenset(range(5))
        except ValidationError:
            self.workdays = frozenset(range(5))
        stream_q = select(Stream.id, Stream.key, Stream.name, Stream.next_seq)
        if not self.dry_run:
            stream_q = stream_q.with_for_update()
        self.streams = [_St(*r) for r in conn.execute(stream_q).all()]
        self.stream_by_id = {st.id: st for st in self.streams}
        self.stream_by_key = {st.key: st for st in self.streams}
        self.stream_by_name = {}
        for st in self.streams:
            self.stream_by_name.setdefault(st.name.casefold(), st)
        self.members = [_Mem(*r) for r in conn.execute(
            select(Member.id, Member.handle, Member.name).order_by(Member.id)).all()]
        self.member_by_id = {m.id: m for m in self.members}
        self.member_by_name: dict[str, _Mem] = {}
        self.member_by_handle: dict[str, _Mem] = {}
        for m in self.members:
            self.member_by_name.setdefault(m.name.casefold(), m)
            self.member_by_handle[m.handle.lower()] = m
        self.sprints = [
            _Sp(*r) for r in conn.execute(
                select(Sprint.id, Sprint.name, Sprint.state, Sprint.start_date, Sprint.end_date,
                       Sprint.started_at, Sprint.closed_at).order_by(Sprint.start_date, Sprint.id)).all()
        ]
        self.sprint_by_id = {sp.id: sp for sp in self.sprints}
        self.sprint_by_name = {sp.name: sp for sp in self.sprints}
        self.max_rank = float(conn.execute(select(func.max(Item.rank))).scalar() or 0.0)
        cols = (Item.id, Item.key, Item.stream_id, Item.external_key, Item.title, Item.description, Item.kind,
                Item.status, Item.points, Item.assignee_id, Item.due_date, Item.labels, Item.sprint_id,
                Item.slip_count, Item.deleted, Item.created_at)
        self.items: dict[int, _It] = {}
        keys = [iss.key for iss in self.parsed.issues]
        rows = []
        for i in range(0, len(keys), 500):
            rows += conn.execute(select(*cols).where(Item.external_key.in_(keys[i:i + 500]))).all()
        open_ids = [sp.id for sp in self.sprints if sp.state != SprintState.CLOSED]
        if open_ids:
            rows += conn.execute(select(*cols).where(Item.sprint_id.in_(open_ids),
                                                     Item.deleted == False)).all()  # noqa: E712
        for r in rows:
            if r.id in self.items:
                continue
            it = _It()
            it.id, it.key, it.ext = r.id, r.key, r.external_key
            it.stream = self.stream_by_id.get(r.stream_id)
            it.title, it.description, it.kind, it.status = r.title, r.description, r.kind, r.status
            it.points, it.due, it.labels = r.points, r.due_date, r.labels
            it.assignee = self.member_by_id.get(r.assignee_id)
            it.sprint = self.sprint_by_id.get(r.sprint_id)
            it.slip, it.deleted, it.created_at = r.slip_count, bool(r.deleted), _aware(r.created_at)
            self.items[it.id] = it
        self.by_ext = {it.ext: it for it in self.items.values() if it.ext}

    # -- streams and members --------------------------------------------------
    def _stream_name(self, iss: JiraIssue) -> tuple[str | None, str | None]:
        if self.stream_from == "project":
            name = iss.project_name or iss.project_key
            pref = "".join(_letters(iss.project_key))[:6] if iss.project_key else None
            return (clean_line(name, "project", limit=200) if name else None), pref
        if self.stream_from == "label":
            return (iss.labels[0] if iss.labels else None), None
        return (iss.components[0] if iss.components else None), None

    def _same_stream(self, st: _St, iss: JiraIssue) -> bool:
        name, pref = self._stream_name(iss)
        if not name:
            name, pref = DEFAULT_STREAM_NAME, DEFAULT_STREAM_KEY
        return st.name.casefold() == name.casefold() or (self.stream_from == "project" and st.key == pref)

    def _stream_for(self, iss: JiraIssue) -> _St:
        name, pref = self._stream_name(iss)
        if not name:
            name, pref = DEFAULT_STREAM_NAME, DEFAULT_STREAM_KEY
        st = self.stream_by_name.get(name.casefold())
        if st is None and pref and pref in self.stream_by_key and self.stream_from == "project":
            st = self.stream_by_key[pref]
        if st is not None:
            return st
        key = next(k for k in _key_candidates(name, pref) if k not in self.stream_by_key)
        st = _St(None, key, name, 1, new=True)
        self.streams.append(st)
        self.stream_by_key[key] = st
        self.stream_by_name[name.casefold()] = st
        self.report.streams.append((key, name))
        return st

    def _member_for(self, name: str | None) -> _Mem | None:
        if not name:
            return None
        m = self.member_by_name.get(name.casefold()) or self.member_by_handle.get(name.lower())
        if m is not None:
            return m
        base = _slug(name)
        handle, n = base, 2
        while handle.lower() in self.member_by_handle:
            handle, n = f"{base}{n}", n + 1
        m = _Mem(None, handle, name, new=True)
        self.members.append(m)
        self.member_by_name[name.casefold()] = m
        self.member_by_handle[handle.lower()] = m
        self.report.members.append((handle, name))
        return m

    # -- sprints --------------------------------------------------------------
    def _order(self, trails: list[list[str]]) -> list[str]:
        first_seen: dict[str, int] = {}
        succ: dict[str, set[str]] = defaultdict(set)
        indeg: Counter = Counter()
        for trail in trails:
            for n in trail:
                first_seen.setdefault(n, len(first_seen))
            for a, b in zip(trail, trail[1:], strict=False):
                if b not in succ[a]:
                    succ[a].add(b)
                    indeg[b] += 1

        def key(n: str) -> tuple:
            return (_natural(n), first_seen[n])

        heap = [(key(n), n) for n in first_seen if indeg[n] == 0]
        heap.sort()
        order: list[str] = []
        done: set[str] = set()
        forced: list[str] = []
        while len(order) < len(first_seen):
            if not heap:
                _k, n = min((key(n), n) for n in first_seen if n not in done)
                forced.append(n)
                heappush(heap, (_k, n))
            _k, n = heappop(heap)
            if n in done:
                continue
            done.add(n)
            order.append(n)
            for m in succ[n]:
                if m not in done:
                    indeg[m] -= 1
                    if indeg[m] == 0:
                        heappush(heap, (key(m), m))
        if forced:
            self.warnings.append(
                "the issues list sprints in contradicting orders; ordered by name where they disagree: "
                + _listing(forced))
        return order

    def plan_sprints(self) -> None:
        issues = self.parsed.issues
        raw_order = self._order([iss.sprints for iss in issues])
        pos = {n: i for i, n in enumerate(raw_order)}
        self.trails: dict[str, list[str]] = {iss.key: sorted(iss.sprints, key=pos.__getitem__) for iss in issues}
        moved_from = {n for t in self.trails.values() for n in t[:-1]}
        last_moved = max((pos[n] for n in moved_from), default=-1)
        unfinished = {self.trails[iss.key][-1] for iss in issues
                      if self.trails[iss.key] and iss.status != Status.DONE}
        first_open = next((i for i, n in enumerate(raw_order) if i > last_moved and n in unfinished), None)
        file_closed = {n for i, n in enumerate(raw_order) if first_open is None or i < first_open}

        # modes: HIST (closed, history at its dates), NOW (close it now), OPEN (stays open)
        self.order: list[_Sp] = []
        live = False
        for i, name in enumerate(raw_order):
            sp = self.sprint_by_name.get(name)
            if sp is not None:
                if sp.state == SprintState.CLOSED:
                    sp.mode = HIST
                    sp.historical = True
                    sp.started_at = sp.started_at or _at(sp.start, 9)
                    sp.closed_at = sp.closed_at or max(_at(sp.end, 17), sp.started_at + MINUTE)
                else:
                    sp.mode = NOW if name in file_closed else OPEN
                    live = True
            else:
                sp = _Sp(None, name, SprintState.PLANNED.value, None, None, None, None, new=True)
                sp.mode = (NOW if live else HIST) if name in file_closed else OPEN
                self.sprints.append(sp)
                self.sprint_by_name[name] = sp
            sp.idx = i
            self.order.append(sp)
        self.holders: dict[str, list[JiraIssue]] = defaultdict(list)
        for iss in issues:
            for n in self.trails[iss.key]:
                self.holders[n].append(iss)
        self._date_history()
        self._date_open()
        for sp in self.order:
            if sp.new:
                self.report.sprints.append(SprintNote(sp.name, "created", sp.state, sp.start, sp.end))

    def _done_time(self, iss: JiraIssue, prev_close: datetime | None) -> datetime | None:
        """When the issue became done (or got its current status), after its last carry."""
        t = (iss.resolved if iss.status == Status.DONE else None) or iss.updated or iss.created
        if t is None:
            return None
        if iss.created and t < iss.created:
            t = iss.created
        if prev_close is not None and t <= prev_close:
            t = prev_close + MINUTE
        return t

    def _prev_close_of(self, iss: JiraIssue, sp: _Sp) -> datetime | None:
        trail = self.trails[iss.key]
        i = trail.index(sp.name)
        if i == 0:
            return None
        prev = self.sprint_by_name[trail[i - 1]]
        return prev.closed_at

    def _end_for(self, start: date) -> date:
        end = start + timedelta(days=self.length - 1)
        while end > start and end.weekday() not in self.workdays:
            end -= timedelta(days=1)
        return end

    def _date_history(self) -> None:
        """Dates of the closed sprints this import creates, from the issues' dates."""
        L = timedelta(days=self.length)
        monday = self.today - timedelta(days=self.today.weekday())
        hist_new = [sp for sp in self.order if sp.mode == HIST and sp.new]
        prev: _Sp | None = None
        for sp in self.order:
            if sp.mode == HIST and sp.new:
                holders = self.holders[sp.name]
                created = [iss.created for iss in holders if iss.created]
                anchors: list[datetime] = []
                if created:
                    anchors.append(max(created) + MINUTE)
                    anchors.append(_at(min(created).date() + L - timedelta(days=1), 17))
                has_done = False
                for iss in holders:
                    if iss.status == Status.DONE and self.trails[iss.key][-1] == sp.name:
                        t = self._done_time(iss, self._prev_close_of(iss, sp))
                        if t is not None:
                            anchors.append(t + MINUTE)
                            has_done = True
                prev_close = (prev.closed_at or _at(prev.end, 17)) if prev is not None and prev.end else None
                if prev_close is not None:
                    cand = prev_close + (timedelta(days=1) if has_done else L)
                    if cand > self.now and anchors:
                        cand = prev_close + timedelta(days=1)
                    anchors.append(cand)
                if not anchors:  # no dates at all: count back from this week
                    after = len(hist_new) - 1 - hist_new.index(sp)
                    anchors.append(_at(monday - timedelta(days=3) - after * L, 17))
                close = max(anchors)
                end = close.date()
                # sprints end on a fixed weekday: the last working day of that week (before today)
                week_end = end + timedelta(days=6 - end.weekday())
                while week_end > end and week_end.weekday() not in self.workdays:
                    week_end -= timedelta(days=1)
                if week_end < self.today:
                    end = week_end
                start = end - L + timedelta(days=1)
                while start < end and start.weekday() not in self.workdays:
                    start += timedelta(days=1)
                if prev is not None and prev.end is not None and start <= prev.end:
                    start = min(prev.end + timedelta(days=1), end)
                started_at = _at(start, 9)
                if prev_close is not None and started_at <= prev_close:
                    started_at = prev_close + MINUTE
                closed_at = max(close, _at(end, 17))
                if closed_at <= started_at:
                    closed_at = started_at + MINUTE
                sp.start, sp.end, sp.started_at, sp.closed_at = start, end, started_at, closed_at
                sp.state = SprintState.CLOSED.value
                sp.historical = True
            if sp.end is not None:
                prev = sp

    def _date_open(self) -> None:
        """Which open sprint is active; dates of the open (and closed-now) sprints this import creates."""
        L = timedelta(days=self.length)
        monday = self.today - timedelta(days=self.today.weekday())
        any_now = any(sp.mode == NOW for sp in self.order)
        live_active = any(sp.state == SprintState.ACTIVE and sp.mode != NOW for sp in self.sprints)
        opens = [sp for sp in self.order if sp.mode == OPEN]
        self.activate = opens[0] if opens and not live_active and opens[0].state == SprintState.PLANNED else None
        if opens and live_active and opens[0].new and opens[0].state == SprintState.PLANNED:
            active = next(sp.name for sp in self.sprints if sp.state == SprintState.ACTIVE)
            self.warnings.append(f"sprint {opens[0].name} is open in Jira but sprint {active} is active here; "
                                 f"it was added as planned")
        db_end = max((sp.end for sp in self.sprints if not sp.new and sp.end), default=None)
        first_start = max(monday, db_end + timedelta(days=1)) if db_end else monday
        prev: _Sp | None = None
        for sp in self.order:
            if sp.new and sp.mode in (OPEN, NOW):
                nxt = (max(prev.end + timedelta(days=1), prev.start + L) if prev is not None else first_start)
                if sp is self.activate and any_now:
                    start = self.today  # started now, right after the sprint closed now
                    sp.start_now = True
                elif sp is self.activate:
                    start = max(monday, prev.end + timedelta(days=1)) if prev is not None else first_start
                    started_at = _at(start, 9)
                    if start <= self.today and started_at > self.now:
                        started_at = self.now
                    if prev is not None and prev.closed_at is not None and started_at <= prev.closed_at:
                        started_at = prev.closed_at + MINUTE
                    sp.started_at = started_at
                    sp.state = SprintState.ACTIVE.value
                    sp.historical = True
                elif sp.mode == NOW:
                    start = min(nxt, self.today)  # started and closed now
                else:
                    start = nxt
                    sp.historical = True
                sp.start, sp.end = start, self._end_for(start)
            elif sp is self.activate:
                sp.start_now = True  # a planned sprint here that Jira has running: start it now
            if sp.end is not None:
                prev = sp

    # -- items ----------------------------------------------------------------
    def plan_items(self) -> None:
        issues = self.parsed.issues
        deleted: list[str] = []
        moved_streams = 0
        new_issues: list[JiraIssue] = []
        total = len(issues)
        for n, iss in enumerate(issues, start=1):
            if n % 500 == 0:
                self._tick("Planning", n, total)
            it = self.by_ext.get(iss.key)
            if it is None:
                new_issues.append(iss)
                continue
            it.issue = iss
            if it.deleted:
                deleted.append(iss.key)
                continue
            if it.stream is not None and not self._same_stream(it.stream, iss):
                moved_streams += 1
            self._update(it, iss)
        self._tick("Planning", total, total)
        rank = self.max_rank
        for iss in new_issues:
            rank += 1.0
            self._create(iss, rank)
        if deleted:
            self.warnings.append(f"{len(deleted)} issues were deleted here and stay deleted: {_listing(deleted)}")
        if moved_streams:
            label = {"component": "component", "project": "project", "label": "first label"}[self.stream_from]
            self.warnings.append(
                f"{moved_streams} issues have another {label} in Jira than their item's stream here; "
                "they keep their stream (it is part of the item key)")

    def _set(self, it: _It, fld: str, old_shown, new_shown) -> None:
        self._iev(it, self.now, fld, old_shown, new_shown)
        it.changes.append((fld, _ev_str(old_shown), _ev_str(new_shown)))
        it.dirty = True

    def _update(self, it: _It, iss: JiraIssue) -> None:
        who = self._member_for(iss.assignee)
        labels = ",".join(iss.labels)
        for fld, new in (("title", iss.title), ("description", iss.description), ("kind", iss.kind),
                         ("points", iss.points), ("due", iss.due), ("labels", labels)):
            attr = "due" if fld == "due" else fld
            old = getattr(it, attr)
            if old != new:
                setattr(it, attr, new)
                self._set(it, fld, old, new)
        if it.assignee is not who:
            old = it.assignee
            it.assignee = who
            self._set(it, "assignee", old.handle if old else "", who.handle if who else "")
        if it.status != iss.status:
            old = it.status
            it.status = iss.status
            self._set(it, "status", old, iss.status)
        # the current sprint, as far as history here allows
        trail = [self.sprint_by_name[n] for n in self.trails[iss.key]]
        last = trail[-1] if trail else None
        want = last if last is not None and last.mode != HIST else None
        cur = it.sprint
        if cur is want or (cur is not None and cur.mode == NOW and cur in trail):
            return
        if cur is not None and want is None and (cur.state == SprintState.CLOSED or cur.idx < 0):
            return  # finished in a closed sprint, or planned into a sprint Jira does not know: leave it
        self._move(it, want)

    def _move(self, it: _It, target: _Sp | None) -> None:
        cur = it.sprint
        if cur is not None and cur.state != SprintState.CLOSED:
            self._sev(cur, it, EK.LEAVE, self.now)
        if target is not None:
            self._sev(target, it, EK.ENTER, self.now)
        self._set(it, "sprint", cur.name if cur else None, target.name if target else None)
        it.sprint = target

    def _create(self, iss: JiraIssue, rank: float) -> None:
        it = _It()
        it.new = True
        it.issue = iss
        it.ext = iss.key
        st = self._stream_for(iss)
        it.stream = st
        it.seq = st.next_seq
        st.next_seq += 1
        st.changed = True
        it.key = f"{st.key}-{it.seq}"
        it.title, it.description, it.kind, it.status = iss.title, iss.description, iss.kind, iss.status
        it.points, it.due, it.labels = iss.points, iss.due, ",".join(iss.labels)
        it.assignee = self._member_for(iss.assignee)
        if it.assignee is not None and it.assignee.new:
            it.assignee.streams[st] += 1
        it.rank = rank
        it.slip = 0
        it.deleted = False
        it.sprint = None
        self.items[("new", iss.key)] = it
        self.by_ext[iss.key] = it
        self._trail(it, iss)
        self.report.created.append((it.key, iss.key))

    def _trail(self, it: _It, iss: JiraIssue) -> None:
        """History of a new item: created, sprints entered, carried over, completed."""
        now = self.now
        trail = [self.sprint_by_name[n] for n in self.trails[iss.key]]
        t_created = iss.created or now
        start_ev = len(self.ievents)
        first_enter: datetime | None = None
        last_carry: datetime | None = None
        t_status: datetime | None = None

        # when the item got its current status (done after its last carry)
        hist_prefix = 0
        for sp in trail:
            if sp.mode != HIST:
                break
            hist_prefix += 1
        carries = [trail[i].closed_at for i in range(min(hist_prefix, len(trail) - 1))]
        if iss.status != Status.TODO:
            t_status = self._done_time(iss, carries[-1] if carries and iss.status == Status.DONE else None) or now
            if t_status < t_created:
                t_status = t_created
            if iss.status == Status.DONE and hist_prefix == len(trail) and trail:
                last = trail[-1]
                if t_status >= last.closed_at:
                    t_status = last.closed_at - MINUTE

        def status_at(t: datetime, carried: bool = False) -> str:
            st = iss.status if t_status is not None and t >= t_status else Status.TODO.value
            if carried and st == Status.DONE:
                st = Status.TODO.value
            return st

        def enter_first(sp: _Sp) -> datetime:
            nonlocal first_enter
            if sp.historical and sp.started_at is not None:
                t = sp.started_at if t_created <= sp.started_at else t_created
                if sp.closed_at is not None and t >= sp.closed_at:
                    t = sp.closed_at - 2 * MINUTE
            elif sp.historical:  # a planned sprint this import creates
                t = t_created
            else:
                t = now
            self._sev(sp, it, EK.ENTER, t, status_at(t))
            self._iev(it, t, "sprint", None, sp.name)
            first_enter = t
            return t

        for i, sp in enumerate(trail):
            entered = enter_first(sp) if i == 0 else last_carry if trail[i].historical else now
            if sp.mode != HIST:
                if sp.historical and sp.started_at is not None and entered <= sp.started_at:
                    self._sev(sp, it, EK.COMMIT, sp.started_at, status_at(sp.started_at))
                it.sprint = sp
                break
            if entered <= sp.started_at:
                self._sev(sp, it, EK.COMMIT, sp.started_at, status_at(sp.started_at))
            t = sp.closed_at
            if i + 1 < len(trail):
                nxt = trail[i + 1]
                self._sev(sp, it, EK.CARRY, t, status_at(t, carried=True), target=nxt)
                t_in = t if nxt.historical else now
                self._sev(nxt, it, EK.ENTER, t_in, status_at(t_in))
                self._iev(it, t, "sprint", sp.name, nxt.name)
                self._iev(it, t, "slip_count", it.slip, it.slip + 1)
                it.slip += 1
                last_carry = t
                it.sprint = nxt
            elif iss.status == Status.DONE:
                self._sev(sp, it, EK.COMPLETE, t, Status.DONE.value)
                it.sprint = sp
            else:
                self._sev(sp, it, EK.CARRY, t, status_at(t, carried=True), target=None)
                self._iev(it, t, "sprint", sp.name, None)
                self._iev(it, t, "slip_count", it.slip, it.slip + 1)
                it.slip += 1
                it.sprint = None
        created_at = min(t_created, first_enter) if first_enter is not None else t_created
        it.created_at = created_at
        # the created event first, the status change where it happened
        self._iev(it, created_at, "created", None, it.title)
        if t_status is not None:
            self._iev(it, t_status, "status", Status.TODO.value, iss.status)
        mine = self.ievents[start_ev:]
        mine.sort(key=lambda e: (e[1], e[2] != "created"))
        self.ievents[start_ev:] = mine

    # -- sprint transitions happening now --------------------------------------
    def _inside(self, sp: _Sp) -> list[_It]:
        return sorted((it for it in self.items.values() if it.sprint is sp and not it.deleted),
                      key=lambda it: (it.rank if it.new else -1, it.id or 0))

    def transitions(self) -> None:
        now = self.now
        for sp in self.order:
            if sp.mode != NOW:
                continue
            if sp.state == SprintState.PLANNED:
                for it in self._inside(sp):
                    self._sev(sp, it, EK.COMMIT, now)
                sp.started_at = now
            completed = carried = 0
            for it in self._inside(sp):
                if it.status == Status.DONE:
                    self._sev(sp, it, EK.COMPLETE, now)
                    completed += 1
                    continue
                target = self._carry_target(it, sp)
                self._sev(sp, it, EK.CARRY, now, target=target)
                if target is not None:
                    self._sev(target, it, EK.ENTER, now)
                if it.new:
                    self._iev(it, now, "sprint", sp.name, target.name if target else None)
                    self._iev(it, now, "slip_count", it.slip, it.slip + 1)
                else:
                    self._set(it, "sprint", sp.name, target.name if target else None)
                    self._set(it, "slip_count", it.slip, it.slip + 1)
                it.slip += 1
                it.sprint = target
                carried += 1
            sp.state = SprintState.CLOSED.value
            sp.closed_at = now
            sp.changed = True
            if not sp.new:
                self.report.sprints.append(SprintNote(sp.name, "closed now", sp.state, sp.start, sp.end))
                self.warnings.append(f"sprint {sp.name} is closed in Jira: closed here now "
                                     f"({completed} completed, {carried} carried over)")
            else:
                for note in self.report.sprints:
                    if note.name == sp.name:
                        note.state = sp.state
        sp = self.activate
        if sp is not None and sp.start_now:
            for it in self._inside(sp):
                self._sev(sp, it, EK.COMMIT, now)
            sp.state = SprintState.ACTIVE.value
            sp.started_at = now
            sp.changed = True
            if sp.new:
                for note in self.report.sprints:
                    if note.name == sp.name:
                        note.state = sp.state
            else:
                self.report.sprints.append(SprintNote(sp.name, "started now", sp.state, sp.start, sp.end))

    def _carry_target(self, it: _It, sp: _Sp) -> _Sp | None:
        if it.issue is not None:
            trail = self.trails.get(it.issue.key, [])
            if sp.name in trail:
                i = trail.index(sp.name)
                if i + 1 < len(trail):
                    nxt = self.sprint_by_name[trail[i + 1]]
                    return nxt if nxt.mode != HIST else None
                return None
        return next((o for o in self.order if o.idx > sp.idx and o.mode == OPEN), None)

    # -- the report -----------------------------------------------------------
    def finish_report(self) -> None:
        rep = self.report
        for iss in self.parsed.issues:
            it = self.by_ext.get(iss.key)
            if it is None or it.new or it.deleted:
                continue
            if it.changes:
                rep.updated.append(ItemChange(it.key, iss.key, list(it.changes)))
            else:
                rep.unchanged += 1
        p = self.parsed
        if p.unknown_statuses:
            n = sum(p.unknown_statuses.values())
            rep.warnings.append(f"{n} issues with a status not known here were imported as todo: "
                                + _listing([f"{k!r} ×{v}" for k, v in p.unknown_statuses.most_common()]))
        if p.unknown_types:
            n = sum(p.unknown_types.values())
            rep.warnings.append(f"{n} issues of a type not known here were imported as tasks: "
                                + _listing([f"{k!r} ×{v}" for k, v in p.unknown_types.most_common()]))
        if p.missing_columns:
            rep.warnings.append("columns not in the file (not imported): " + ", ".join(p.missing_columns))
        rep.warnings.extend(p.notes)
        rep.warnings.extend(self.warnings)

    # -- writing ----------------------------------------------------------------
    def write(self) -> None:
        from sqlalchemy import insert, select

        from sprinttui.store.models import Item, ItemEvent, Member, Sprint, SprintEvent, Stream

        s = self.s
        conn = s.connection()
        steps = 6
        self._tick("Writing", 0, steps)
        new_streams = [st for st in self.streams if st.new]
        if new_streams:
            conn.execute(insert(Stream.__table__), [
                dict(key=st.key, name=st.name, lead_id=None, next_seq=st.next_seq, version=1,
                     description=f"Imported from Jira ({self.stream_from} {st.name})")
                for st in new_streams])
            ids = dict(conn.execute(select(Stream.key, Stream.id)
                                    .where(Stream.key.in_([st.key for st in new_streams]))).all())
            for st in new_streams:
                st.id = ids[st.key]
        changed_streams = {st.id: st for st in self.streams if st.changed and not st.new}
        if changed_streams:
            for row in s.scalars(select(Stream).where(Stream.id.in_(list(changed_streams)))):
                row.next_seq = changed_streams[row.id].next_seq
        new_members = [m for m in self.members if m.new]
        if new_members:
            conn.execute(insert(Member.__table__), [
                dict(handle=m.handle, name=m.name, competences="", availability=100, active=True, version=1,
                     primary_stream_id=(m.streams.most_common(1)[0][0].id if m.streams else None))
                for m in new_members])
            ids = dict(conn.execute(select(Member.handle, Member.id)
                                    .where(Member.handle.in_([m.handle for m in new_members]))).all())
            for m in new_members:
                m.id = ids[m.handle]
        self._tick("Writing", 1, steps)
        new_sprints = [sp for sp in self.sprints if sp.new]
        if new_sprints:
            conn.execute(insert(Sprint.__table__), [
                dict(name=sp.name, goal="", start_date=sp.start, end_date=sp.end, state=sp.state,
                     started_at=sp.started_at, closed_at=sp.closed_at, goal_met=None, version=1)
                for sp in new_sprints])
            ids = dict(conn.execute(select(Sprint.name, Sprint.id)
                                    .where(Sprint.name.in_([sp.name for sp in new_sprints]))).all())
            for sp in new_sprints:
                sp.id = ids[sp.name]
        changed_sprints = {sp.id: sp for sp in self.sprints if sp.changed and not sp.new}
        if changed_sprints:
            for row in s.scalars(select(Sprint).where(Sprint.id.in_(list(changed_sprints)))):
                sp = changed_sprints[row.id]
                row.state, row.started_at, row.closed_at = sp.state, sp.started_at, sp.closed_at
        s.flush()
        self._tick("Writing", 2, steps)
        new_items = [it for it in self.items.values() if it.new]
        rows = [
            dict(key=it.key, stream_id=it.stream.id, seq=it.seq, title=it.title, description=it.description,
                 kind=it.kind, assignee_id=it.assignee.id if it.assignee else None, points=it.points,
                 status=it.status, blocked=False, blocked_reason="", blocked_since=None, rank=it.rank,
                 sprint_id=it.sprint.id if it.sprint else None, due_date=it.due, labels=it.labels,
                 source_finding_id=None, kpi_id=None, slip_count=it.slip, external_key=it.ext, deleted=False,
                 created_by=self.user, created_at=it.created_at, updated_by=self.user,
                 updated_at=it.updated_at or it.created_at, version=1)
            for it in new_items
        ]
        for i in range(0, len(rows), 2000):
            conn.execute(insert(Item.__table__), rows[i:i + 2000])
        by_ext = {it.ext: it for it in new_items}
        exts = list(by_ext)
        for i in range(0, len(exts), 500):
            for iid, ext in conn.execute(select(Item.id, Item.external_key)
                                         .where(Item.external_key.in_(exts[i:i + 500]))).all():
                by_ext[ext].id = iid
        self._tick("Writing", 3, steps)
        dirty = {it.id: it for it in self.items.values() if it.dirty and not it.new}
        ids = list(dirty)
        for i in range(0, len(ids), 500):
            for row in s.scalars(select(Item).where(Item.id.in_(ids[i:i + 500]))):
                it = dirty[row.id]
                row.title, row.description, row.kind, row.status = it.title, it.description, it.kind, it.status
                row.points, row.due_date, row.labels = it.points, it.due, it.labels
                row.assignee_id = it.assignee.id if it.assignee else None
                row.sprint_id = it.sprint.id if it.sprint else None
                row.slip_count = it.slip
                row.updated_by, row.updated_at = self.user, self.now
        s.flush()
        self._tick("Writing", 4, steps)
        ie = [dict(item_id=it.id, at=at, actor=self.user, field=fld, old=old, new=new)
              for it, at, fld, old, new in self.ievents]
        for i in range(0, len(ie), 5000):
            conn.execute(insert(ItemEvent.__table__), ie[i:i + 5000])
        self._tick("Writing", 5, steps)
        se = [dict(sprint_id=sp.id, item_id=it.id, kind=kind, at=at, actor=self.user, points=pts, status=st,
                   target_sprint_id=target.id if target else None)
              for sp, it, kind, at, pts, st, target in self.sevents]
        for i in range(0, len(se), 5000):
            conn.execute(insert(SprintEvent.__table__), se[i:i + 5000])
        self._tick("Writing", steps, steps)

    def run(self) -> ImportReport:
        self.load()
        self.plan_sprints()
        self.plan_items()
        self.transitions()
        self.finish_report()
        if not self.dry_run:
            self.write()
        return self.report


# --------------------------------------------------------------------------- entry points


def import_issues(ctx, parsed: ParsedFile, *, stream_from: str = "component", dry_run: bool = False,
                  progress: Progress | None = None) -> ImportReport:
    """Import parsed issues in one write transaction (nothing is written with dry_run)."""
    if stream_from not in STREAM_FROM:
        raise ValidationError(f"--stream-from must be one of {', '.join(STREAM_FROM)}", "stream_from")
    t0 = _time.perf_counter()
    if dry_run:
        with ctx.db.read() as s:
            report = _Importer(ctx, s, parsed, stream_from, True, progress).run()
    else:
        with ctx.db.write() as s:
            report = _Importer(ctx, s, parsed, stream_from, False, progress).run()
    report.seconds = round(_time.perf_counter() - t0, 2)
    return report


def import_jira_csv(ctx, path: str | Path, *, stream_from: str = "component", dry_run: bool = False,
                    progress: Progress | None = None) -> ImportReport:
    """Read FILE and import it (see :func:`read_jira_csv` and :func:`import_issues`)."""
    t0 = _time.perf_counter()
    parsed = read_jira_csv(path)
    report = import_issues(ctx, parsed, stream_from=stream_from, dry_run=dry_run, progress=progress)
    report.seconds = round(_time.perf_counter() - t0, 2)
    return report
