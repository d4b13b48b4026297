"""The report of a Jira import: what was (or would be) created, changed and skipped,
as a dict for ``--json`` and as a one-screen plain-text summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, overload

from sprinttui.domain import one_line
from sprinttui.importers.jira.parse import RowProblem

__all__ = ["CreatedItems", "ImportReport", "ItemChange", "SprintNote", "listing", "summary_lines"]


class _Created(Protocol):
    key: str
    external_key: str | None


class CreatedItems(Sequence[tuple[str, str]]):
    """(our key, Jira key) of each item the import creates, read off the planner's records
    when asked (so a large import keeps no second copy, and a key that publishing
    moved past items added meanwhile is the key the item got)."""

    def __init__(self) -> None:
        self._records: list[_Created] = []

    @staticmethod
    def _pair(r: _Created) -> tuple[str, str]:
        return r.key, r.external_key or ""

    def add(self, record: _Created) -> None:
        self._records.append(record)

    def __len__(self) -> int:
        return len(self._records)

    @overload
    def __getitem__(self, i: int) -> tuple[str, str]: ...

    @overload
    def __getitem__(self, i: slice) -> list[tuple[str, str]]: ...

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._pair(r) for r in self._records[i]]
        return self._pair(self._records[i])

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return map(self._pair, self._records)


@dataclass
class ItemChange:
    """An existing item the import changes: (field, old, new) as history stores them."""

    key: str
    external_key: str
    changes: list[tuple[str, str | None, str | None]]

    def as_dict(self) -> dict:
        return {"key": self.key, "external_key": self.external_key,
                "changes": [{"field": f, "old": o, "new": n} for f, o, n in self.changes]}


@dataclass
class SprintNote:
    """A sprint the import creates, closes or starts."""

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
    """What an import did (or, in a dry run, would do)."""

    file: str
    dry_run: bool
    stream_from: str
    rows: int
    created: CreatedItems = field(default_factory=CreatedItems)  # (our key, Jira key)
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


def _shown_value(value: str | None, limit: int = 40) -> str:
    if value is None or value == "":
        return "-"
    return one_line(value.replace("\n", " "), limit)


def listing(pairs: list[str], limit: int = 6) -> str:
    """The first `limit` of `pairs`, comma separated, then how many more there are."""
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
                parts.append(f"{would}{action}: {listing(names)}")
        lines.append("sprints:  " + "; ".join(parts))
    else:
        lines.append("sprints:  none new")
    lines.append(f"streams:  {len(r.streams)} {would}created"
                 + (": " + listing([f"{k} {n}" for k, n in r.streams]) if r.streams else ""))
    lines.append(f"members:  {len(r.members)} {would}created"
                 + (": " + listing([f"{h} ({n})" for h, n in r.members]) if r.members else ""))
    if r.updated:
        lines.append("changes:" if not r.dry_run else "would change:")
        for ch in r.updated[:max_changes]:
            fields = "; ".join(f"{f} {_shown_value(o)} → {_shown_value(n)}" for f, o, n in ch.changes)
            lines.append(f"  {ch.key} ({ch.external_key}): {fields}")
        if len(r.updated) > max_changes:
            lines.append(f"  … and {len(r.updated) - max_changes} more")
    if r.warnings:
        lines.append("warnings:")
        lines.extend(f"  {w}" for w in r.warnings)
    if r.problems:
        lines.append(f"skipped rows: {r.skipped} (listed on stderr)")
    return lines
