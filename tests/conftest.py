"""Shared fixtures: a fresh project database per test and a controllable clock.

* ``db_path`` – where the test's SQLite file lives (not created yet).
* ``ctx`` – a :class:`~sprinttui.services.context.Ctx` on a fresh, migrated
  SQLite file in ``tmp_path``, acting as user ``tester``, project initialised.
* ``clock`` – a :class:`Clock` (a callable returning an aware UTC datetime)
  that only moves when the test moves it.
* ``tctx`` – ``ctx`` whose clock is ``clock``: ``clock.set("2026-01-07 10:00")``
  then every service call made through ``tctx`` happens at that moment.
* ``make_ctx`` – factory for more contexts on the same database file (another
  user, another Database object as a second process would have).
* ``demo_ctx`` – a copy of the demo project, built once per run for the fixed
  day DEMO_DAY and opened as its project lead with a clock standing at
  DEMO_NOW, so that pictures of it (snapshot tests) never change.
"""

from __future__ import annotations

import os
import shutil

os.environ["TEXTUAL_ANIMATION"] = "none"

from dataclasses import replace  # noqa: E402
from datetime import UTC, date, datetime, time, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import textual._wait  # noqa: E402

# Pilot.press and Pilot.pause wait until the app looks idle, sampling the CPU
# in slices of SLEEP_GRANULARITY (20 ms; at least two slices a key). The tests
# wait on explicit conditions (tui_support.settle), so a finer slice changes no
# verdict; it only stops each key press from costing 40 ms or more.
textual._wait.SLEEP_GRANULARITY = 0.002
textual._wait.SLEEP_IDLE = 0.0001

from sprinttui.services import project  # noqa: E402
from sprinttui.services.context import Ctx  # noqa: E402
from sprinttui.store.engine import Database  # noqa: E402

UTC = UTC
DEFAULT_START = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)  # the Friday before 2026-01-05


def utc(value: str | date | datetime) -> datetime:
    """'2026-01-07', '2026-01-07 10:30', a date or a datetime → aware UTC datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(9, 0), tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if len(str(value)) <= 10:  # a bare date means 09:00 that day
        parsed = parsed.replace(hour=9)
    return parsed.astimezone(UTC)


class Clock:
    """A clock for Ctx.clock that stands still until the test moves it."""

    def __init__(self, start: str | date | datetime = DEFAULT_START):
        self.current = utc(start)

    def __call__(self) -> datetime:
        return self.current

    def set(self, value: str | date | datetime) -> datetime:
        self.current = utc(value)
        return self.current

    def advance(self, **delta: float) -> datetime:
        """clock.advance(hours=2), clock.advance(days=1, minutes=5) …"""
        self.current = self.current + timedelta(**delta)
        return self.current

    def today(self) -> date:
        return self.current.date()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "project.db"


# With SPRINTTUI_TEST_POSTGRES set to an admin URL of a PostgreSQL server
# (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres) the service
# tests run against a fresh PostgreSQL database each instead of a SQLite file.
PG_ADMIN_URL = os.environ.get("SPRINTTUI_TEST_POSTGRES", "")


def pytest_collection_modifyitems(config, items):
    """On the PostgreSQL run: the service tests, the CLI and migration tests
    that open a database through db_url (those about SQLite files ask for
    db_path; those without any database ran on SQLite already), and the
    PostgreSQL-only app tests."""
    if not PG_ADMIN_URL:
        return
    skip = pytest.mark.skip(reason="SQLite-specific or not part of the PostgreSQL run")
    no_db = pytest.mark.skip(reason="opens no database (db_url): it ran on SQLite already")
    for item in items:
        name = item.path.name
        if "pg_url" in item.fixturenames:
            continue  # tests/reliability: written for the PostgreSQL server
        if "db_path" in item.fixturenames:
            item.add_marker(skip)
        elif name in ("test_cli.py", "test_migrations.py"):
            if "db_url" not in item.fixturenames:
                item.add_marker(no_db)
        elif not (name.startswith("test_services_") or name == "test_postgres_app.py"):
            item.add_marker(skip)


@pytest.fixture
def db_url(request) -> str:
    if not PG_ADMIN_URL:
        yield f"sqlite:///{request.getfixturevalue('db_path')}"
        return
    from uuid import uuid4

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = f"sprinttui_test_{uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def pg_url(request) -> str:
    """A fresh, empty PostgreSQL database on the test server (skipped without one)."""
    if not PG_ADMIN_URL:
        pytest.skip("needs a PostgreSQL server: set SPRINTTUI_TEST_POSTGRES (.ci/run does)")
    return request.getfixturevalue("db_url")


@pytest.fixture
def make_ctx(db_url: str):
    """make_ctx(user="bob", clock=None) → a Ctx with its own Database on the test's file."""
    opened: list[Database] = []

    def _make(user: str = "tester", clock=None) -> Ctx:
        database = Database(db_url)
        opened.append(database)
        c = Ctx(database, user)
        return replace(c, clock=clock) if clock is not None else c

    yield _make
    for database in opened:
        database.dispose()


@pytest.fixture(scope="session")
def project_template(tmp_path_factory) -> Path:
    """A SQLite project database migrated and initialised once per test process:
    copying it (a few ms) is much cheaper than running every migration again."""
    path = tmp_path_factory.mktemp("template") / "project.db"
    database = Database(f"sqlite:///{path}")
    project.init_project(Ctx(database, "tester"), "Test project")
    database.dispose()  # the last connection's close folds the WAL into the file
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture
def ctx(request, make_ctx) -> Ctx:
    if PG_ADMIN_URL:
        c = make_ctx("tester")
        project.init_project(c, "Test project")
        return c
    shutil.copy(request.getfixturevalue("project_template"), request.getfixturevalue("db_path"))
    return make_ctx("tester")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tctx(ctx: Ctx, clock: Clock) -> Ctx:
    return replace(ctx, clock=clock)


DEMO_DAY = date(2026, 3, 18)
DEMO_NOW = datetime(2026, 3, 18, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    from sprinttui.demo import create_demo
    from sprinttui.services import open_ctx

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    c = replace(open_ctx(str(path), "maria"), clock=lambda: DEMO_NOW)
    create_demo(c, today=DEMO_DAY)
    c.db.dispose()
    return path


@pytest.fixture
def demo_ctx(demo_template, tmp_path) -> Ctx:
    from sprinttui.services import open_ctx

    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    c = replace(open_ctx(str(path), "maria"), clock=lambda: DEMO_NOW)
    yield c
    c.db.dispose()


@pytest.fixture(autouse=True)
def _no_quiet_period(monkeypatch):
    """The board computes its figures at once: a test has nothing to stay quiet for."""
    from sprinttui.tui.screens.board import BoardScreen

    monkeypatch.setattr(BoardScreen, "figures_quiet", 0.0)


@pytest.fixture(autouse=True)
def _private_config(tmp_path_factory, monkeypatch):
    """Keep every test's app preferences (theme …) out of the real config dir."""
    monkeypatch.setenv("SPRINTTUI_CONFIG", str(tmp_path_factory.mktemp("config") / "config.json"))
