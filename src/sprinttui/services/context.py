"""The acting context of a service call: which database, which user."""

from __future__ import annotations

import os
import pwd
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sprinttui.dates import parse_date, utcnow
from sprinttui.dates import today as local_today
from sprinttui.domain import ValidationError, one_line
from sprinttui.store.engine import Database


def login_name() -> str:
    """The OS account of the process's real uid; never the environment
    ($LOGNAME, $USER … are the caller's to set). `uid<N>` without a passwd entry."""
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # no passwd entry (container)
        return f"uid{uid}"


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

