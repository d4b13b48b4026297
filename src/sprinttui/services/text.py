"""Cleaning and validating text people type."""

from __future__ import annotations

import unicodedata

from sprinttui.domain import ValidationError, one_line, parse_number

MAX_TITLE = 20_000
MAX_TEXT = 200_000
MAX_POINTS = 1000


def _strip_controls(value: str, keep_newlines: bool) -> str:
    out = []
    for ch in value:
        if ch in "\n\t" and keep_newlines:
            out.append(ch)
        elif ch in "\n\t\r":
            out.append(" ")
        elif unicodedata.category(ch) == "Cc":
            continue  # NUL, ESC, BEL … never stored
        else:
            out.append(ch)
    return "".join(out)


def clean_line(value: object, field: str, *, required: bool = True, limit: int = MAX_TITLE) -> str:
    text = _strip_controls(str(value if value is not None else ""), keep_newlines=False).strip()
    if required and not text:
        raise ValidationError(f"{field} must not be empty", field)
    if len(text) > limit:
        raise ValidationError(f"{field} is too long ({len(text)} characters, at most {limit})", field)
    return text


def clean_text(value: object, field: str, *, limit: int = MAX_TEXT) -> str:
    raw = str(value if value is not None else "").replace("\r\n", "\n").replace("\r", "\n")
    text = _strip_controls(raw, keep_newlines=True).strip()
    if len(text) > limit:
        raise ValidationError(f"{field} is too long ({len(text)} characters, at most {limit})", field)
    return text


def clean_points(value: object, field: str = "points") -> float | None:
    """Story points: blank is none; else 0 to 1000 with at most two decimals (ASCII digits)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    pts = parse_number(value, field)
    if pts < 0:
        raise ValidationError(f"{field} must be 0 or more", field)
    if pts > MAX_POINTS:
        raise ValidationError(f"{field} must be at most {MAX_POINTS}", field)
    if round(pts, 2) != pts:
        raise ValidationError(f"{field} may have at most two decimals, like 0.25, not {one_line(str(value), 20)!r}",
                              field)
    return pts + 0.0  # "-0" is stored (and exported) as 0, not -0.0


def clean_list(value: object) -> str:
    """Comma separated labels / competences, normalised."""
    if value is None:
        return ""
    parts = [str(v) for v in value] if isinstance(value, (list, tuple, set)) else str(value).split(",")
    seen: list[str] = []
    for p in parts:
        t = _strip_controls(p, keep_newlines=False).strip()
        if t and t not in seen:
            seen.append(t[:60])
    return ",".join(seen)


def fmt_points(p: float | None) -> str:
    if p is None:
        return "-"
    return str(int(p)) if float(p).is_integer() else f"{p:g}"
