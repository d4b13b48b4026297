"""Worker processes for the concurrency, crash-safety and shared-box tests.

Run as a script in a separate OS process (``python worker.py ROLE ARGS…``);
the tests start it with :func:`spawn`. Every role imports the program first
and only then waits for its start signal (a file appearing), so that several
workers really hit the database at the same moment.

Acknowledgements ("acks") are appended to a file with one ``os.write`` per
line, straight after the service call returned: what is in the ack file was
acknowledged to the "user", and a SIGKILL cannot leave a half-line behind.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()


def spawn(role: str, *args: object, env: dict | None = None) -> subprocess.Popen:
    """Start `role` in a new Python process (text pipes for stdout/stderr)."""
    base = {k: v for k, v in os.environ.items() if k not in ("SPRINTTUI_DB", "SPRINTTUI_USER")}
    base.update(env or {})
    return subprocess.Popen(
        [sys.executable, str(HERE), role, *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=base,
    )


def read_acks(path: Path) -> list[dict]:
    """The complete JSON lines of an ack file (a line is written whole or not at all)."""
    if not Path(path).exists():
        return []
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


# --------------------------------------------------------------------------- in the worker


def _wait_for(path: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            sys.exit(f"start signal {path} never came")
        time.sleep(0.002)


class _Acks:
    def __init__(self, path: str):
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def __call__(self, **record) -> None:
        os.write(self.fd, (json.dumps(record) + "\n").encode())


def _ctx(url: str, user: str):
    from sprinttui.services.context import Ctx
    from sprinttui.store.engine import Database

    return Ctx(Database(url), user)


def churn(url: str, user: str, count: str, seed: str, go: str, out: str, *keys: str) -> None:
    """`count` acknowledged changes to random items of `keys`: moves and plans
    from the version just read (a conflict is retried, as the app would after
    a reload), title edits written blind (as a script using the CLI would)."""
    from sprinttui.dates import utcnow
    from sprinttui.domain import ConflictError, StorageError
    from sprinttui.services import items

    ctx = _ctx(url, user)
    rng = random.Random(int(seed))
    ack = _Acks(out)
    conflicts, storage_errors, n = 0, [], 0
    _wait_for(go)
    started = time.monotonic()
    while n < int(count):
        key = rng.choice(keys)
        op = rng.choice(("move", "move", "plan", "edit"))
        try:
            if op == "edit":
                new = f"{user} edit {n}"
                t0 = utcnow()
                items.edit_item(ctx, key, title=new)
                t1 = utcnow()
                ack(key=key, field="title", old=None, new=new, t0=t0.isoformat(), t1=t1.isoformat())
            else:
                row = items.get_row(ctx, key)
                if op == "move":
                    new = rng.choice([s for s in ("todo", "doing", "review", "done") if s != row.status])
                    old, fld = row.status, "status"
                    t0 = utcnow()
                    items.move_item(ctx, key, new, expected_version=row.version)
                else:
                    new = rng.choice([s for s in ("S1", "S2", None) if s != row.sprint])
                    old, fld = row.sprint, "sprint"
                    t0 = utcnow()
                    items.plan_item(ctx, key, new, expected_version=row.version)
                t1 = utcnow()
                ack(key=key, field=fld, old=old, new=new, t0=t0.isoformat(), t1=t1.isoformat())
        except ConflictError:
            conflicts += 1
            continue
        except StorageError as err:  # what a user would see; the test wants none
            storage_errors.append(str(err))
            continue
        n += 1
    print(json.dumps({"done": n, "conflicts": conflicts, "storage_errors": storage_errors,
                      "seconds": time.monotonic() - started}), flush=True)


def burst(url: str, user: str, out: str, *keys: str) -> None:
    """Write until killed: new items and title edits, each acked after it returned."""
    from sprinttui.services import items

    ctx = _ctx(url, user)
    ack = _Acks(out)
    rng = random.Random()
    pool = list(keys)
    n = 0
    print("ready", flush=True)
    while True:
        n += 1
        if n % 4 == 0:
            title = f"{user} new {n}"
            row = items.create_item(ctx, title, stream="SAL", points=n % 8)
            pool.append(row.key)
            ack(key=row.key, field="created", new=title)
        else:
            key = rng.choice(pool)
            title = f"{user} edit {n}"
            items.edit_item(ctx, key, title=title)
            ack(key=key, field="title", new=title)


def writer(url: str, user: str, out: str, stop: str) -> None:
    """Create items until `stop` exists (for the backup test)."""
    from sprinttui.services import items

    ctx = _ctx(url, user)
    ack = _Acks(out)
    n = 0
    print("ready", flush=True)
    while not os.path.exists(stop):
        n += 1
        title = f"{user} item {n}"
        row = items.create_item(ctx, title, stream="SAL", points=1)
        ack(key=row.key, field="created", new=title)
    print(n, flush=True)


def closer(url: str, user: str, out: str) -> None:
    """Close the active sprint (carrying its unfinished work to the next),
    start the next one, and so on until no planned sprint is left."""
    from sprinttui.services import sprints

    ctx = _ctx(url, user)
    ack = _Acks(out)
    print("ready", flush=True)
    while True:
        active = sprints.active_sprint(ctx)
        if active is not None:
            ack(closing=active.name)  # the intent: a kill from here to the next line is mid-close
            res = sprints.close_sprint(ctx, active.name, carry_to="next")
            ack(closed=active.name, carried=len(res.carried), completed=len(res.completed), to=res.target)
            continue
        planned = sprints.list_sprints(ctx, state="planned")
        if not planned:
            print("no sprint left", flush=True)
            return
        sprints.start_sprint(ctx, planned[0].name)
        ack(started=planned[0].name)


def racer(url: str, user: str, go_prefix: str, *keys: str) -> None:
    """For each key in turn: on its start signal, save a title from version 1."""
    from sprinttui.domain import ConflictError
    from sprinttui.services import items

    ctx = _ctx(url, user)
    for n, key in enumerate(keys):
        _wait_for(f"{go_prefix}{n}")
        try:
            items.edit_item(ctx, key, title=f"{user} saved {key}", expected_version=1)
        except ConflictError as err:
            print(json.dumps({"key": key, "result": "conflict", "message": str(err)}), flush=True)
        else:
            print(json.dumps({"key": key, "result": "saved"}), flush=True)


def holder(url_path: str, release: str, ready: str) -> None:
    """Another writer holding the write lock until the file `release` exists,
    then committing; prints the moment it let go (time.monotonic, one clock
    for every process of the machine)."""
    import sqlite3

    con = sqlite3.connect(url_path, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    con.execute("UPDATE project SET name = name")
    Path(ready).touch()
    _wait_for(release)
    con.execute("COMMIT")
    released = time.monotonic()
    con.close()
    print(json.dumps({"released": released}), flush=True)


def busy_writer(url: str, user: str, timeout_ms: str, key: str, go: str) -> None:
    """Edit `key` with a busy timeout of `timeout_ms`; print what the user would see."""
    from sprinttui.domain import SprintTuiError
    from sprinttui.services import items
    from sprinttui.store import connection

    connection.BUSY_TIMEOUT_MS = int(timeout_ms)
    ctx = _ctx(url, user)
    _wait_for(go)
    Path(go + ".started").touch()  # the edit begins now
    try:
        items.edit_item(ctx, key, title=f"{user} waited")
        result = {"result": "saved"}
    except SprintTuiError as err:
        result = {"result": type(err).__name__, "message": str(err)}
    result["finished"] = time.monotonic()
    print(json.dumps(result), flush=True)


def fresh(url: str, go: str) -> None:
    """Open a database file that may not exist yet; say whether this process ran the migration."""
    from alembic import command

    from sprinttui.store.engine import Database

    ran = []
    real_upgrade = command.upgrade

    def counting_upgrade(*args, **kw):
        ran.append(1)
        return real_upgrade(*args, **kw)

    command.upgrade = counting_upgrade
    _wait_for(go)
    db = Database(url)
    print(json.dumps({"revision": db.current_revision(), "migrated": len(ran)}), flush=True)
    db.dispose()


ROLES = {f.__name__: f for f in (churn, burst, writer, closer, racer, holder, busy_writer, fresh)}

if __name__ == "__main__":
    ROLES[sys.argv[1]](*sys.argv[2:])
