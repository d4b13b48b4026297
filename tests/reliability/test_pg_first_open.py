"""Finding 9: people opening a fresh PostgreSQL database at once.

Several real processes start on one empty database and are released together
(they all block opening one FIFO for reading; the test opening it for writing
wakes them at once). Then each creates the project: ``sprinttui init`` or
``project set`` through the CLI, or the same calls with the database already
open. Every round, a fresh database: exactly one project row, and every process
succeeds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

PROCESSES = 8

# A worker: import the program (and, for "open", open the database first),
# wait on the FIFO, then run `sprinttui ARGS…` or the service call.
_RUNNER = """
import os, runpy, sys
import sprinttui.cli, sprinttui.services.project as project, sprinttui.store.migrate  # noqa: F401
fifo, mode, url, *args = sys.argv[1:]
if mode == "open":
    from sprinttui.services.context import Ctx, login_name
    from sprinttui.store.engine import Database
    ctx = Ctx(Database(url), login_name())
    project.is_initialised(ctx)  # connected, schema checked
open(os.path.join(os.path.dirname(fifo), f"ready-{os.getpid()}"), "w").close()
os.close(os.open(fifo, os.O_RDONLY))  # blocks until the test opens the FIFO for writing
if mode == "open":
    project.init_project(ctx) if args == ["init"] else project.update_settings(ctx, sprint_length_days=10)
else:
    sys.argv = ["sprinttui", "--db", url, *args]
    runpy.run_module("sprinttui", run_name="__main__")
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPRINTTUI_")}
    src = str(Path(__import__("sprinttui").__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)
    return env


def _race(url: str, fifo: Path, mode: str) -> None:
    os.mkfifo(fifo)
    commands = [["init"], ["project", "set", "--sprint-length", "10"]] if mode == "cli" else [["init"], ["set"]]
    procs = [subprocess.Popen([sys.executable, "-c", _RUNNER, str(fifo), mode, url, *commands[n % 2]],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
             for n in range(PROCESSES)]
    ready = [fifo.with_name(f"ready-{p.pid}") for p in procs]
    deadline = time.monotonic() + 120  # a hang guard, not a verdict
    while not all(r.exists() for r in ready) and any(p.poll() is None for p in procs):
        assert time.monotonic() < deadline, "the workers never became ready"
        time.sleep(0.01)
    # Holding the FIFO open for writing releases every reader, now and later.
    fd = os.open(fifo, os.O_RDWR)
    try:
        results = [(p.args[-1], *p.communicate(timeout=300), p.returncode) for p in procs]
    finally:
        os.close(fd)
        for p in procs:
            p.kill()
    failed = [(args, err.strip()[-300:]) for args, _out, err, rc in results if rc != 0]
    assert failed == []
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM project")).scalar() == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize("round_", range(3))
@pytest.mark.parametrize("mode", ["cli", "open"])
def test_processes_creating_the_project_at_once_make_one_row(pg_url, tmp_path, mode, round_):
    """`cli`: `sprinttui init` / `project set` on an empty database (the migration
    races too); `open`: the same calls by processes that opened it already."""
    if mode == "open":
        subprocess.run([sys.executable, "-m", "sprinttui", "--db", pg_url, "db", "upgrade"],
                       check=True, capture_output=True, env=_env())
    _race(pg_url, tmp_path / "go", mode)
