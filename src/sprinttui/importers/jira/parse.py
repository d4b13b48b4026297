"""Reading a Jira "Export Excel CSV (all fields)" file into issues and row problems.

:func:`read_jira_csv` reads and checks the file: repeated column names (several
``Sprint``, ``Labels``, ``Component/s``), multi-line quoted descriptions, Jira
dates (``27/Nov/26 9:14 AM``), story points from ``Custom field (Story Points)``
or ``Custom field (Story point estimate)``. A row that cannot be used becomes a
:class:`RowProblem` with the physical line it starts on; the other rows still
import. A file that is no Jira CSV at all raises
:class:`~sprinttui.domain.ValidationError`.

Nothing here touches the database.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from sprinttui.domain import Kind, Status, ValidationError, one_line
from sprinttui.services.lookup import is_reserved_sprint_name
from sprinttui.services.text import clean_line, clean_list, clean_points, clean_text

if TYPE_CHECKING:
    from sprinttui.importers.jira.records import Progress

__all__ = [
    "JiraIssue",
    "ParsedFile",
    "RowProblem",
    "parse_jira_csv",
    "parse_jira_datetime",
    "read_jira_csv",
]

MAX_FILE_BYTES = 512 * 1024 * 1024

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
_ISSUE_KEY = re.compile(r"^[A-Z][A-Z0-9_]*-\d+$")
_GREENHOPPER_NAME = re.compile(r"\bname=([^,\]]*)")


# --------------------------------------------------------------------------- parsed data


@dataclass(frozen=True)
class RowProblem:
    """A row that was skipped: the physical line it starts on, its key (if any), why."""

    line: int
    key: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.key + ': ' if self.key else ''}{self.message}"


@dataclass(slots=True)
class JiraIssue:
    """One usable row: the issue's fields, cleaned and mapped (kind and status are ours)."""

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
    labels: tuple[str, ...]
    components: tuple[str, ...]
    sprints: tuple[str, ...]
    points: float | None


@dataclass
class ParsedFile:
    """What a file holds: its issues, the rows skipped, and what the report warns about."""

    name: str
    rows: int  # data rows (blank lines not counted)
    issues: list[JiraIssue]
    problems: list[RowProblem]
    missing_columns: list[str] = field(default_factory=list)
    unknown_statuses: Counter = field(default_factory=Counter)
    unknown_types: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    # one object per distinct value of the fields that repeat from row to row (types, statuses,
    # names, label and sprint lists), so that 200,000 issues do not hold 200,000 copies of each
    _shared: dict = field(default_factory=dict, repr=False, compare=False)

    def shared(self, value):
        """The one object equal to `value` that the issues of this file share."""
        return self._shared.setdefault((type(value), value), value)  # 1.0 and 1 stay apart


class _BadRow(Exception):
    """Why one row cannot be imported; it becomes a RowProblem."""


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
        return _datetime_of(int(day), month, year, hh, mm, ss, ampm)
    m = _DOTTED_DT.match(s)
    if m:
        day, month, year, hh, mm, ss = m.groups()
        return _datetime_of(int(day), int(month), year, hh, mm, ss, None)
    if re.match(r"^\d{4}-\d{2}-\d{2}", s):
        value = datetime.fromisoformat(s.replace(" ", "T", 1) if len(s) > 10 else s)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    raise ValueError("not a Jira date")


def _datetime_of(day: int, month: int, year: str, hh, mm, ss, ampm) -> datetime:
    """The UTC datetime of a matched date (two-digit years 69-99 are 19xx)."""
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


def read_jira_csv(path: str | Path, progress: Progress | None = None) -> ParsedFile:
    """Read and check a Jira CSV export, streaming it (the file is never held whole).
    Raises ValidationError when it is no such file."""
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
        with p.open("rb") as fh:
            head = fh.read(65536)
            notes: list[str] = []
            _check_head(head, shown)
            encoding = "utf-8-sig" if _is_utf8(head, fh) else "cp1252"
        if encoding == "cp1252":
            notes.append("the file is not UTF-8; it was read as Windows-1252")
        with p.open("r", encoding=encoding, newline="") as text:
            raw = text.buffer

            def by_bytes(phase: str, _rows: int, _total: int) -> None:  # how far into the file, in bytes
                if progress is not None:
                    progress(phase, min(raw.tell(), size), size)  # pyright: ignore[reportAttributeAccessIssue]

            return _parse_stream(text, str(path), notes, by_bytes if progress is not None else None)
    except UnicodeDecodeError:
        raise ValidationError(f"{shown} is not a UTF-8 text (CSV) file", "file") from None
    except OSError as err:
        raise ValidationError(f"cannot read {shown}: {err.strerror or err}", "file") from None


def _check_head(head: bytes, shown: str) -> None:
    """Refuse what is plainly no CSV text, from the file's first bytes."""
    if not head.strip():
        raise ValidationError(f"{shown} is empty", "file")
    if head[:4] == b"PK\x03\x04":
        raise ValidationError(f"{shown} is a zip or Excel (.xlsx) file, not CSV; "
                              "in Jira use Export > Export Excel CSV (all fields)", "file")
    if b"\x00" in head:
        raise ValidationError(f"{shown} is not a text (CSV) file", "file")


def _is_utf8(head: bytes, rest) -> bool:
    """Whether `head` and what is left of the binary file `rest` decode as UTF-8 (read in chunks)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head)
        while chunk := rest.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _decoded(data: bytes, shown: str, notes: list[str]) -> str:
    _check_head(data[:65536], shown)
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


def _header_name(header: str) -> str:
    """A column name as compared: lower case, runs of white space collapsed."""
    return " ".join(header.replace("\ufeff", "").strip().lower().split())


def parse_jira_csv(data: bytes | str, name: str = "-") -> ParsedFile:
    """Parse the text of a Jira CSV export (see :func:`read_jira_csv`)."""
    shown = one_line(name, 200)
    notes: list[str] = []
    text = _decoded(data, shown, notes) if isinstance(data, bytes) else data
    return _parse_stream(io.StringIO(text, newline=""), name, notes, None)


def _parse_stream(fh: TextIO, name: str, notes: list[str], progress: Progress | None) -> ParsedFile:
    """Parse a Jira CSV export from the text stream `fh`, a row at a time."""
    shown = one_line(name, 200)
    first = fh.readline().lstrip("\ufeff")
    blank = 0  # leading blank lines (the reader does not count them)
    while first and not first.strip():
        first, blank = fh.readline(), blank + 1
    if not first.strip():
        raise ValidationError(f"{shown} is empty", "file")
    if first.lstrip()[:1] == "<":
        raise ValidationError(f"{shown} looks like HTML (Jira's old Excel export), not CSV; "
                              "in Jira use Export > Export Excel CSV (all fields)", "file")
    delimiter = ";" if first.count(";") > first.count(",") and "issue key" in first.lower() else ","
    if csv.field_size_limit() < 64 * 2**20:
        csv.field_size_limit(64 * 2**20)
    reader = csv.reader(itertools.chain([first], fh), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise ValidationError(f"{shown} is not a CSV file", "file") from None
    cols: dict[str, list[int]] = defaultdict(list)
    for i, h in enumerate(header):
        cols[_header_name(h)].append(i)
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
    prev_end = reader.line_num + blank
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
        prev_end = reader.line_num + blank
        if not row or not any(cell.strip() for cell in row):
            continue  # a blank line
        parsed.rows += 1
        if progress is not None and parsed.rows % 1000 == 0:
            progress("Reading", parsed.rows, 0)
        key = row[cols["issue key"][0]].strip().upper() if cols["issue key"][0] < len(row) else ""
        try:
            if len(row) > width and any(c.strip() for c in row[width:]) or len(row) < width:
                raise _BadRow(f"the row has {len(row)} fields but the header {width}; check its quoting")
            issue = _issue_of_row(row, cols, start, key, parsed)
        except (_BadRow, ValidationError) as err:
            parsed.problems.append(RowProblem(start, one_line(key, 40), one_line(str(err), 300)))
            continue
        if issue.key in seen:
            parsed.problems.append(RowProblem(start, issue.key, f"the key is already on line {seen[issue.key]}"))
            continue
        seen[issue.key] = start
        parsed.issues.append(issue)
    if progress is not None:
        progress("Reading", parsed.rows, parsed.rows)
    return parsed


def _issue_of_row(row: list[str], cols: dict[str, list[int]], line: int, key: str, parsed: ParsedFile) -> JiraIssue:
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
            raise _BadRow(f"cannot read {label} {one_line(raw, 40)!r} as a Jira date "
                            "(like 27/Nov/26 9:14 AM)") from None

    if not key:
        raise _BadRow("no issue key")
    if not _ISSUE_KEY.match(key):
        raise _BadRow(f"{one_line(key, 40)!r} is not a Jira issue key (like ABC-123)")
    summary = one(COL_SUMMARY)
    if not summary:
        raise _BadRow("no summary")
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
        raise _BadRow(f"{err} (story points {one_line(points_raw, 20)!r})") from None
    due_dt = when(COL_DUE, "Due date")
    sprints: list[str] = []
    share = parsed.shared
    for raw in cells(COL_SPRINT):
        m = _GREENHOPPER_NAME.search(raw) if "greenhopper" in raw else None
        name = clean_line(m.group(1) if m else raw, "sprint", limit=100)
        if is_reserved_sprint_name(name):
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
        raw_type=share(raw_type),
        raw_status=share(raw_status),
        project_key=share(one(COL_PROJECT_KEY)),
        project_name=share(one(COL_PROJECT_NAME)),
        assignee=share(clean_line(assignee, "assignee", limit=200)) if assignee else None,
        created=when(COL_CREATED, "Created"),
        updated=when(COL_UPDATED, "Updated"),
        resolved=when(COL_RESOLVED, "Resolved"),
        due=share(due_dt.date()) if due_dt else None,
        labels=share(tuple(share(x) for x in clean_list(cells(COL_LABELS)).split(",") if x)),
        components=share(tuple(share(clean_line(c, "component", limit=200)) for c in cells(COL_COMPONENTS))),
        sprints=share(tuple(share(n) for n in sprints)),
        points=share(points),
    )
