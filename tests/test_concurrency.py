"""Several people on one SQLite file at once, as real OS processes.

Each worker (tests/workers/worker.py, started with subprocess) acts as its own
user and writes down every change the service layer acknowledged; the test
then reads the file and holds the history and the final state against those
acknowledgements.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import defaultdict
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sprinttui.services import items, sprints, streams
from sprinttui.store.schema import HEAD_REVISION
from workers.worker import read_acks, spawn

WORKERS = 8
CHANGES = 500
ITEMS = 12  # every worker picks from the same few items: they overlap all the time
FIELDS = ("status", "sprint", "title")


def _utc(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _rows(path: Path, sql: str, *params) -> list[tuple]:
    with closing(sqlite3.connect(path)) as con:
        return con.execute(sql, params).fetchall()


def _finish(procs, timeout: float = 120) -> list[str]:
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=timeout)
        assert p.returncode == 0, err[-3000:]
        outs.append(out)
    return outs


def _project(ctx, n_items: int) -> list[str]:
    """Stream SAL, sprints S1 (active) and S2 (planned), n items in the backlog."""
    streams.add_stream(ctx, "SAL", "Sales")
    sprints.new_sprint(ctx, "S1", start="2026-01-05", end="2026-01-16")
    sprints.new_sprint(ctx, "S2", start="2026-01-19", end="2026-01-30")
    sprints.start_sprint(ctx, "S1")
    return [items.create_item(ctx, f"Item {n}", stream="SAL", points=n % 5).key for n in range(n_items)]


# --------------------------------------------------------------------------- 8 writers


def test_eight_processes_of_five_hundred_changes_lose_nothing(ctx, db_path, tmp_path):
    keys = _project(ctx, ITEMS)
    before = {r.key: r for r in items.list_items(ctx)}
    setup_events = _rows(db_path, "SELECT count(*) FROM item_event")[0][0]
    url = f"sqlite:///{db_path}"
    go = tmp_path / "go"
    users = [f"lead{n}" for n in range(WORKERS)]
    procs = [spawn("churn", url, user, CHANGES, 1000 + n, go, tmp_path / f"{user}.acks", *keys)
             for n, user in enumerate(users)]
    time.sleep(1.0)  # let them import and reach the start line (only widens the race)
    started = time.monotonic()
    go.touch()
    outs = _finish(procs)
    elapsed = time.monotonic() - started
    summaries = [json.loads(out.strip().splitlines()[-1]) for out in outs]
    print(f"\n{WORKERS}x{CHANGES} changes in {elapsed:.1f} s; conflicts retried: "
          f"{sum(s['conflicts'] for s in summaries)}")

    # no "database is locked" (or any other storage error) reached a user
    for user, s in zip(users, summaries, strict=False):
        assert s["storage_errors"] == [], (user, s["storage_errors"][:3])
        assert s["done"] == CHANGES
    # 18-45 s measured on 2 shared cores, most of it CPU (8 Python processes);
    # far above that means writers sat waiting on each other
    assert elapsed < 120, f"{WORKERS * CHANGES} writes took {elapsed:.1f} s"

    events = _rows(db_path, "SELECT e.id, i.key, e.at, e.actor, e.field, e.old, e.new FROM item_event e"
                            " JOIN item i ON i.id = e.item_id ORDER BY e.id")
    assert len(events) == setup_events + WORKERS * CHANGES  # one history row per change, no more

    # every acknowledged change is in the history: who, when, field, old, new, in the worker's order
    for user in users:
        acks = read_acks(tmp_path / f"{user}.acks")
        assert len(acks) == CHANGES
        mine = [e for e in events if e[3] == user]
        assert len(mine) == len(acks), user
        for ack, (_id, key, at, _actor, fld, old, new) in zip(acks, mine, strict=False):
            assert (key, fld, new) == (ack["key"], ack["field"], ack["new"]), (user, ack)
            if fld != "title":  # moves and plans were saved from a known version: old is known
                assert old == ack["old"], (user, ack, old)
            assert _utc(ack["t0"]) <= _utc(at) <= _utc(ack["t1"]), (user, ack, at)

    # each change saw the one before it (nothing was overwritten unseen), and
    # the final state is what the last change of each field says
    final = {r.key: r for r in items.list_items(ctx)}
    detail = {k: items.get_item(ctx, k) for k in keys}
    for key in keys:
        start = before[key]
        last = {"status": start.status, "sprint": start.sprint, "title": start.title}
        last_event = None
        for e in events:
            if e[1] != key or e[4] not in FIELDS or e[3] == "tester":
                continue
            assert e[5] == last[e[4]], (key, e)
            last[e[4]] = e[6]
            last_event = e
        row = final[key]
        assert (row.status, row.sprint, row.title) == (last["status"], last["sprint"], last["title"]), key
        assert detail[key].updated_by == last_event[3]
        assert detail[key].updated_at.replace(tzinfo=None) == _utc(last_event[2]).replace(tzinfo=None)
        changes = sum(1 for e in events if e[1] == key and e[3] != "tester")
        assert row.version == start.version + changes, key

    # sprint membership events agree with where each item ended up
    membership = _rows(db_path, "SELECT i.key, s.name, e.kind FROM sprint_event e JOIN item i ON i.id = e.item_id"
                                " JOIN sprint s ON s.id = e.sprint_id WHERE e.kind IN ('enter', 'leave')"
                                " ORDER BY e.id")
    inside: dict[tuple[str, str], bool] = defaultdict(bool)
    for key, sprint, kind in membership:
        assert inside[(key, sprint)] == (kind == "leave"), (key, sprint, kind)  # enter, leave, enter …
        inside[(key, sprint)] = kind == "enter"
    for key in keys:
        assert {s for (k, s), there in inside.items() if k == key and there} == (
            {final[key].sprint} if final[key].sprint else set()), key

    with closing(sqlite3.connect(db_path)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []


# --------------------------------------------------------------------------- conflicts


def test_two_processes_saving_the_same_version_one_wins_the_other_gets_a_conflict(ctx, db_path, tmp_path):
    keys = _project(ctx, 5)
    assert {items.get_row(ctx, k).version for k in keys} == {1}
    url = f"sqlite:///{db_path}"
    go = tmp_path / "go-"
    procs = [spawn("racer", url, user, go, *keys) for user in ("ann", "bob")]
    time.sleep(1.0)
    results: dict[str, list[dict]] = {"ann": [], "bob": []}
    for n in range(len(keys)):
        Path(f"{go}{n}").touch()  # both save `key` from version 1 at the same moment
        for user, p in zip(("ann", "bob"), procs, strict=False):
            line = p.stdout.readline()
            assert line, p.stderr.read()[-3000:]
            results[user].append(json.loads(line))
    _finish(procs)

    for n, key in enumerate(keys):
        pair = {user: results[user][n] for user in results}
        outcome = sorted(r["result"] for r in pair.values())
        assert outcome == ["conflict", "saved"], (key, pair)
        winner = next(u for u, r in pair.items() if r["result"] == "saved")
        loser = next(u for u, r in pair.items() if r["result"] == "conflict")
        assert "changed by someone else" in pair[loser]["message"]
        assert "\n" not in pair[loser]["message"]
        row = items.get_row(ctx, key)
        assert (row.title, row.version) == (f"{winner} saved {key}", 2)
        titles = [(h.actor, h.new) for h in items.history(ctx, key) if h.field == "title"]
        assert titles == [(winner, f"{winner} saved {key}")]  # the loser's change is nowhere


# --------------------------------------------------------------------------- a busy database


def _wait_for_file(path: Path, proc) -> None:
    """Until another process has made `path` (failing at once if it died)."""
    deadline = time.monotonic() + 120
    while not path.exists():
        assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read()
        time.sleep(0.01)


def test_a_writer_waits_for_another_process_holding_the_lock(ctx, db_path, tmp_path):
    (key,) = _project(ctx, 1)
    ready, go, release = tmp_path / "ready", tmp_path / "go", tmp_path / "release"
    waiter = spawn("busy_writer", f"sqlite:///{db_path}", "bob", 120_000, key, go)
    hold = spawn("holder", db_path, release, ready)
    _wait_for_file(ready, hold)  # the lock is taken
    go.touch()
    _wait_for_file(tmp_path / "go.started", waiter)  # the edit has begun, the lock still held
    release.touch()
    out, held = _finish([waiter, hold])
    result = json.loads(out)
    assert result["result"] == "saved", result  # retried within the busy timeout
    # it began while the lock was held and finished only after the holder let go
    assert result["finished"] > json.loads(held)["released"]
    assert items.get_row(ctx, key).title == "bob waited"


def test_a_lock_held_past_the_busy_timeout_gives_a_clear_message(ctx, db_path, tmp_path):
    (key,) = _project(ctx, 1)
    ready, go, release = tmp_path / "ready", tmp_path / "go", tmp_path / "release"
    waiter = spawn("busy_writer", f"sqlite:///{db_path}", "bob", 300, key, go)
    hold = spawn("holder", db_path, release, ready)
    _wait_for_file(ready, hold)
    go.touch()
    (out,) = _finish([waiter])  # the lock is held until the waiter has given up
    release.touch()
    _finish([hold])
    result = json.loads(out)
    assert result["result"] == "StorageError", result
    assert result["message"] == "the database is busy (another user is writing); please try again"
    assert "locked" not in result["message"]
    assert items.get_row(ctx, key).title == "Item 0"  # nothing half-saved


def test_cli_shows_one_line_when_the_database_stays_busy(ctx, db_path, tmp_path, monkeypatch, capsys):
    from sprinttui.cli import main
    from sprinttui.store import connection

    (key,) = _project(ctx, 1)
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 300)
    monkeypatch.delenv("SPRINTTUI_USER", raising=False)
    ready, release = tmp_path / "ready", tmp_path / "release"
    hold = spawn("holder", db_path, release, ready)
    _wait_for_file(ready, hold)
    capsys.readouterr()
    code = main(["--db", str(db_path), "--user", "bob", "item", "move", key, "doing"])
    out, err = capsys.readouterr()
    release.touch()
    _finish([hold])
    assert code == 2
    assert err == "sprinttui: error: the database is busy (another user is writing); please try again\n"
    assert items.get_row(ctx, key).status == "todo"


# --------------------------------------------------------------------------- a brand-new file


def test_six_processes_creating_one_file_run_exactly_one_migration(tmp_path):
    path = tmp_path / "fresh.db"
    go = tmp_path / "go"
    procs = [spawn("fresh", f"sqlite:///{path}", go) for _ in range(6)]
    time.sleep(1.0)
    go.touch()
    results = [json.loads(out) for out in _finish(procs, timeout=180)]
    assert [r["revision"] for r in results] == [HEAD_REVISION] * 6  # all succeed
    assert sorted(r["migrated"] for r in results) == [0, 0, 0, 0, 0, 1]  # one migration ran
    assert _rows(path, "SELECT version_num FROM alembic_version") == [(HEAD_REVISION,)]
    assert _rows(path, "PRAGMA integrity_check") == [("ok",)]
    assert list(tmp_path.glob("fresh.db.backup-*")) == []



def test_opening_the_database_again_or_exporting_onto_it_keeps_its_log_safe(tmp_path):
    """Opening the database checks the file is SQLite through SQLite itself: a file closed by
    the program (reading its header) drops the process's locks on it, among them the one that
    tells other processes the WAL is in use; the next process to close its connection then
    takes itself for the last one and deletes the WAL and its index under this one (which
    then fails with "disk I/O error", or writes where no one else reads)."""
    import subprocess
    import sys

    from sprinttui.domain import ValidationError
    from sprinttui.export import write_file
    from sprinttui.services import project
    from sprinttui.services.context import Ctx
    from sprinttui.store.connection import prepare_sqlite_file
    from sprinttui.store.engine import Database

    path = tmp_path / "shared.db"
    url = f"sqlite:///{path}"
    first = Ctx(Database(url), "ann")
    project.init_project(first, "Two opens")
    streams.add_stream(first, "SAL", "Sales")
    items.create_item(first, "Before", stream="SAL")  # its connection stays open, in the pool
    prepare_sqlite_file(path)  # what every open of the database does first
    with pytest.raises(ValidationError, match="is an SQLite database"):  # an export onto it, as a slip
        write_file(path, "# Sprint summary\n")
    # another process reads and closes its connection (`db check` does, for one)
    reader = ("import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\n"
              "print(c.execute('SELECT title FROM item').fetchall())\nc.close()")
    listed = subprocess.run([sys.executable, "-c", reader, str(path)], capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0 and "Before" in listed.stdout, listed.stderr
    assert Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists(), \
        "the other process took itself for the last user and removed the log this one still uses"
    items.create_item(first, "After", stream="SAL")
    first.db.dispose()
    assert [t for (t,) in _rows(path, "SELECT title FROM item ORDER BY id")] == ["Before", "After"]
