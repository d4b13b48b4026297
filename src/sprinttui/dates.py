"""Parsing of user-typed dates: ISO, "today", "+2w", "next monday", "fri".

Uses python-dateutil for parsing and relative arithmetic.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta, weekday

from sprinttui.domain import FIRST_YEAR, LAST_YEAR, ValidationError, one_line

_WEEKDAYS: dict[str, weekday] = {
    "mon": MO, "monday": MO, "tue": TU, "tues": TU, "tuesday": TU,
    "wed": WE, "wednesday": WE, "thu": TH, "thur": TH, "thurs": TH, "thursday": TH,
    "fri": FR, "friday": FR, "sat": SA, "saturday": SA, "sun": SU, "sunday": SU,
}
_REL_RE = re.compile(r"^([+-])\s*(\d{1,4})\s*([dwmy])$", re.ASCII)
_UNITS = {"d": "days", "w": "weeks", "m": "months", "y": "years"}


def today() -> date:
    return date.today()


def utcnow() -> datetime:
    """Timezone-aware UTC timestamp, the form stored in the database."""
    return datetime.now(UTC)


def parse_date(text: str | date | None, *, base: date | None = None) -> date:
    """Parse a date typed by a person: between the years 1970 and 2200 (anything else
    is a typo, like 26-1-1). Raises ValidationError with a clear message."""
    day = _parse_date(text, base=base)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        shown = one_line(str(text).strip(), 40) if isinstance(text, str) else day.isoformat()
        raise ValidationError(f"{shown!r} is the year {day.year}; dates run from {FIRST_YEAR}-01-01 to "
                              f"{LAST_YEAR}-12-31 (write the year in full, like 2026-01-01)", "date")
    return day


def _parse_date(text: str | date | None, *, base: date | None = None) -> date:
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    if text is None:
        raise ValidationError("a date is required", "date")
    raw = str(text).strip()
    s = raw.lower()
    base = base or today()
    if not s:
        raise ValidationError("a date is required", "date")
    if s == "today":
        return base
    if s == "tomorrow":
        return base + timedelta(days=1)
    if s == "yesterday":
        return base - timedelta(days=1)
    m = _REL_RE.match(s)
    if m:
        sign = 1 if m.group(1) == "+" else -1
        n = int(m.group(2)) * sign
        try:
            return base + relativedelta(**{_UNITS[m.group(3)]: n})
        except (ValueError, OverflowError):  # "+9999y": past the year 9999
            raise ValidationError(f"{one_line(raw, 40)!r} is too far away; dates run from {FIRST_YEAR}-01-01 "
                                  f"to {LAST_YEAR}-12-31", "date") from None
    words = s.split()
    if len(words) == 2 and words[0] in ("next", "last", "this") and words[1] in _WEEKDAYS:
        wd = _WEEKDAYS[words[1]]
        if words[0] == "next":
            return base + relativedelta(days=1, weekday=wd(+1))
        if words[0] == "last":
            return base + relativedelta(days=-1, weekday=wd(-1))
        return base + relativedelta(weekday=wd(+1))
    if len(words) == 1 and s in _WEEKDAYS:
        # a bare weekday means the next such day, today included
        return base + relativedelta(weekday=_WEEKDAYS[s](+1))
    if len(words) == 2 and words[0] == "next" and words[1] in ("week", "month", "year"):
        return base + relativedelta(**{words[1] + "s": 1})
    try:
        if re.match(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{1,2}$", s, re.ASCII):  # 26-1-1: which part is the year?
            raise ValidationError(f"{one_line(raw, 40)!r}: write the date with its year in full, like 2026-01-01",
                                  "date")
        if re.match(r"^\d{4}-\d{1,2}-\d{1,2}$", s, re.ASCII):
            return date.fromisoformat("-".join(p.zfill(2) for p in s.split("-")))
        if s.isprintable() and s.isascii():  # a NUL or an escape in a date is garbage, not noise to skip
            from dateutil import parser as du_parser  # 15 ms to import; most runs never need it

            # 05/01/2026 is the 5th of January; 2026/01/05 and 2026-01-05T10:00 too (year first: Y-M-D)
            year_first = re.match(r"^(\d{4}\D|\d{8}\b)", s) is not None
            dt = du_parser.parse(raw, default=datetime(base.year, base.month, base.day),
                                 dayfirst=not year_first, yearfirst=year_first)
            return dt.date()
    except (ValueError, OverflowError, TypeError):
        pass
    raise ValidationError(
        f"cannot read {one_line(raw, 40)!r} as a date; try 2026-12-01, today, +2w, next monday",
        "date",
    )


def parse_optional_date(text: str | date | None) -> date | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    return parse_date(text)


def working_days(start: date, end: date, weekdays: frozenset[int]) -> list[date]:
    """Working days between start and end inclusive (weekday numbers 0=Mon)."""
    from dateutil.rrule import DAILY, rrule

    if end < start:
        return []
    return [
        d.date()
        for d in rrule(DAILY, dtstart=start, until=end, byweekday=sorted(weekdays))
    ]
