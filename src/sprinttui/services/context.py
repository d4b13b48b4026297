"""The acting context of a service call: which database, which user."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sprinttui.dates import parse_date, utcnow
from sprinttui.dates import today as local_today
from sprinttui.domain import ValidationError, one_line
from sprinttui.store.engine import Database, resolve_url


def login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (container without passwd entry)
        return f"uid{os.getuid()}"


def resolve_user(user: str | None = None) -> str:
    """--user, else $SPRINTTUI_USER, else the OS login name."""
    name = (user or os.environ.get("SPRINTTUI_USER") or login_name()).strip()
    if not name or any(not ch.isprintable() for ch in name) or len(name) > 64:
        raise ValidationError(f"invalid user name {one_line(name, 40)!r}", "user")
    return name


@dataclass
class Ctx:
    db: Database
    user: str
    # Where "now" comes from. Demo and synthetic data set it to replay past sprints.
    clock: Callable[[], datetime] = field(default=utcnow)

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """Today's date: the local date, or the replayed clock's."""
        return local_today() if self.clock is utcnow else self.clock().date()

    def day(self, text: str | date | None) -> date:
        """A typed date ("today", "+2w", ISO …) read relative to today(); None is today."""
        if text is None:
            return self.today()
        return parse_date(text, base=self.today())


def open_ctx(db: str | None = None, user: str | None = None, *, migrate: bool = True) -> Ctx:
    from sprinttui.services import project

    database = Database(resolve_url(db), migrate=migrate)
    ctx = Ctx(database, resolve_user(user))
    if migrate and ctx.user != login_name():
        project.check_user_override(ctx, ctx.user)
    return ctx
