"""Project settings: one database holds one project.

Creating the project and each change of a setting (old → new) go to the
settings' history (:func:`settings_history`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlmodel import select

from sprinttui.domain import ValidationError, one_line, parse_number
from sprinttui.services.context import Ctx, login_name, resolve_user
from sprinttui.services.history import RecordKind, record_created, record_diff, record_history
from sprinttui.services.item_rows import HistoryEntry
from sprinttui.services.text import clean_line
from sprinttui.store.engine import Database, resolve_url
from sprinttui.store.models import ProjectAdmin, ProjectSettings

WEEKDAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_FULL_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_DAY_WORDS = {w: i for names in (WEEKDAY_NAMES, _FULL_NAMES) for i, w in enumerate(names)}


@dataclass(frozen=True)
class Settings:
    name: str
    sprint_length_days: int
    working_days: frozenset[int]
    points_per_day: float
    allow_user_override: bool
    version: int

    @property
    def working_days_text(self) -> str:
        return ",".join(WEEKDAY_NAMES[d] for d in sorted(self.working_days))


def _to_settings(row: ProjectSettings) -> Settings:
    return Settings(
        name=row.name,
        sprint_length_days=row.sprint_length_days,
        working_days=parse_working_days(row.working_days),
        points_per_day=row.points_per_day,
        allow_user_override=row.allow_user_override,
        version=row.version,
    )


def parse_working_days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for part in re.split(r"[\s,;]+", str(text).lower()):
        if not part:
            continue
        if part.isdigit() and 0 <= int(part) <= 6:
            days.add(int(part))
        elif part in _DAY_WORDS:
            days.add(_DAY_WORDS[part])
        else:
            raise ValidationError(f"unknown weekday {one_line(part, 20)!r}; use mon,tue,…", "working_days")
    if not days:
        raise ValidationError("at least one working day is needed", "working_days")
    return frozenset(days)


def _row(s, *, lock: bool = False) -> ProjectSettings | None:
    """The project row; `lock` for a write (PostgreSQL: FOR UPDATE, so that two
    people changing settings at once wait for each other instead of conflicting)."""
    query = select(ProjectSettings).order_by(ProjectSettings.id)
    return s.exec(query.with_for_update() if lock else query).first()


def _recorded(row: ProjectSettings) -> dict[str, Any]:
    """The settings as the history shows them (working days by their names)."""
    return {"name": row.name, "sprint_length_days": row.sprint_length_days,
            "working_days": ",".join(WEEKDAY_NAMES[d] for d in sorted(parse_working_days(row.working_days))),
            "points_per_day": row.points_per_day, "allow_user_override": row.allow_user_override}


# The one project row's key: processes creating the project at once (a fresh
# PostgreSQL database opened by several people) all insert this row; the
# primary key lets one win, the others read the winner's row.
PROJECT_ID = 1


def _create(s, ctx: Ctx, row: ProjectSettings) -> ProjectSettings:
    """Add the project row (its creator, by OS login, its first admin), or
    return the row another process added meanwhile."""
    row.id = PROJECT_ID
    try:
        with s.begin_nested():
            s.add(row)
            s.flush()
    except sa_exc.IntegrityError:  # another process created it first: theirs stands
        existing = _row(s, lock=True)
        if existing is None:
            raise
        return existing
    s.add(ProjectAdmin(login=login_name()))
    record_created(s, RecordKind.PROJECT, row.id, ctx.user, row.name, ctx.now())
    return row


def _admins(s) -> list[str]:
    return list(s.exec(select(ProjectAdmin.login).order_by(ProjectAdmin.login)).all())


_NO_ADMIN = ("this project has no admin yet (it was created before admins existed); "
             "the first admin names themself: sprinttui project admin add YOUR_LOGIN")


def _require_admin(s, what: str) -> list[str]:
    """Refuse unless the OS login (never --user / $SPRINTTUI_USER) is an admin;
    returns the admins."""
    admins = _admins(s)
    me = login_name()
    if not admins:
        raise ValidationError(_NO_ADMIN, "admin")
    if me not in admins:
        raise ValidationError(f"only the project's admins may {what}; you ({one_line(me, 40)}) are not one "
                              f"(admins: {one_line(', '.join(admins), 120)})", "admin")
    return admins


def list_admins(ctx: Ctx) -> list[str]:
    """The project's admins' login names, sorted."""
    with ctx.db.read() as s:
        return _admins(s)


def _change_admins(ctx: Ctx, login: str, add: bool) -> list[str]:
    login = clean_line(login, "login", limit=64)
    with ctx.db.write() as s:
        row = _row(s, lock=True)
        if row is None:
            row = _create(s, ctx, ProjectSettings())
        admins = _admins(s)
        me = login_name()
        if not admins and add and login == me:
            pass  # a project from before admins existed: its first admin names themself
        else:
            _require_admin(s, "change its admins")
        if add:
            if login in admins:
                return admins
            s.add(ProjectAdmin(login=login))
            after = sorted([*admins, login])
        else:
            if login not in admins:
                raise ValidationError(f"{one_line(login, 40)} is not an admin of this project", "login")
            if admins == [login]:
                raise ValidationError(f"{one_line(login, 40)} is the project's last admin; "
                                      "add another admin first", "login")
            s.delete(s.get(ProjectAdmin, login))
            after = [a for a in admins if a != login]
        record_diff(s, RecordKind.PROJECT, row.id, ctx.user, {"admins": ",".join(admins) or None},
                    {"admins": ",".join(after)}, ctx.now())
        s.flush()
        return after


def add_admin(ctx: Ctx, login: str) -> list[str]:
    """Let `login` change the settings (admins only); returns the admins."""
    return _change_admins(ctx, login, add=True)


def remove_admin(ctx: Ctx, login: str) -> list[str]:
    """Take `login`'s admin right away (admins only; never the last); returns the admins."""
    return _change_admins(ctx, login, add=False)


def get_settings(ctx: Ctx) -> Settings:
    with ctx.db.read() as s:
        row = _row(s)
        return _to_settings(row) if row else _to_settings(ProjectSettings())


def is_initialised(ctx: Ctx) -> bool:
    with ctx.db.read() as s:
        return _row(s) is not None


def init_project(ctx: Ctx, name: str | None = None) -> Settings:
    """Create the project row if absent (and rename it when a name is given)."""
    with ctx.db.write() as s:
        row = _row(s, lock=True)
        if row is None:
            row = _create(s, ctx, ProjectSettings(name=clean_line(name or "CRM rollout", "name", limit=200)))
        elif name:
            _require_admin(s, "rename it")
            before = _recorded(row)
            row.name = clean_line(name, "name", limit=200)
            record_diff(s, RecordKind.PROJECT, row.id, ctx.user, before, _recorded(row), ctx.now())
        s.flush()
        return _to_settings(row)


def update_settings(
    ctx: Ctx,
    *,
    name: str | None = None,
    sprint_length_days: int | None = None,
    working_days: str | None = None,
    points_per_day: float | None = None,
    allow_user_override: bool | None = None,
) -> Settings:
    with ctx.db.write() as s:
        row = _row(s, lock=True)
        if row is None:
            row = _create(s, ctx, ProjectSettings())
        _require_admin(s, "change its settings")
        before = _recorded(row)
        if name is not None:
            row.name = clean_line(name, "name", limit=200)
        if sprint_length_days is not None:
            if not 1 <= int(sprint_length_days) <= 120:
                raise ValidationError("sprint length must be 1 to 120 days", "sprint_length_days")
            row.sprint_length_days = int(sprint_length_days)
        if working_days is not None:
            row.working_days = ",".join(str(d) for d in sorted(parse_working_days(working_days)))
        if points_per_day is not None:
            per_day = parse_number(points_per_day, "points per day")
            if not 0 < per_day <= 100:
                raise ValidationError("points per day must be above 0 and at most 100", "points_per_day")
            row.points_per_day = per_day
        if allow_user_override is not None:
            row.allow_user_override = bool(allow_user_override)
        record_diff(s, RecordKind.PROJECT, row.id, ctx.user, before, _recorded(row), ctx.now())
        s.flush()
        return _to_settings(row)


def settings_history(ctx: Ctx) -> list[HistoryEntry]:
    """Who changed which setting, when: "created", then each change (old → new), oldest first."""
    with ctx.db.read() as s:
        row = _row(s)
        return record_history(s, RecordKind.PROJECT, row.id) if row is not None else []


def open_ctx(db: str | None = None, user: str | None = None, *, migrate: bool = True) -> Ctx:
    """Open the project database (`--db`, $SPRINTTUI_DB or the default file) as
    the acting user, refusing --user where the project records login names."""
    database = Database(resolve_url(db), migrate=migrate)
    ctx = Ctx(database, resolve_user(user))
    if migrate and ctx.user != login_name():
        check_user_override(ctx, ctx.user)
    return ctx


def check_user_override(ctx: Ctx, requested: str) -> None:
    """Refuse --user when the administrator turned it off in the settings."""
    if not get_settings(ctx).allow_user_override and requested != login_name():
        raise ValidationError(
            "this project records the login name; --user / SPRINTTUI_USER is disabled", "user"
        )
