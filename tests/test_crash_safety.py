"""A writer killed with SIGKILL, backups taken while others write, restores.

The writers are real OS processes (tests/workers/worker.py). Each writes an
acknowledgement line only after the service call returned; the test kills it
at a random moment and then checks the file: integrity, every acknowledged
change present, no sprint close half-done.
"""

from __future__ import annotations

import io
import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections import Counter, defaultdict
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import pytest

from sprinttui.cli import main
from sprinttui.services import items, sprints, streams
from sprinttui.store.engine import Database
from sprinttui.store.schema import HEAD_REVISION
from workers.worker import read_acks, spawn

RNG = random.Random(20260318)


def _rows(path: Path, sql: str, *params) -> list[tuple]:
    with closing(sqlite3.connect(path)) as con:
        return con.execute(sql, params).fetchall()


def _integrity(path: Path) -> str:
    return _rows(path, "PRAGMA integrity_check")[0][0]


def _wait_for_acks(path: Path, n: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(read_acks(path)) < n:
        assert proc.poll() is None, proc.stderr.read()[-3000:]
        assert time.monotonic() < deadline, "the worker wrote too little"
        time.sleep(0.01)


def _kill_at_random(proc: subprocess.Popen, acks: Path, at_least: int, up_to: float) -> None:
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read()[-3000:]
    _wait_for_acks(acks, at_least, proc)
    time.sleep(RNG.uniform(0, up_to))
    assert proc.poll() is None, proc.stderr.read()[-3000:]  # still writing when killed
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


# --------------------------------------------------------------------------- SIGKILL during writes


def test_killed_writer_loses_no_acknowledged_change(ctx, db_path, tmp_path):
    streams.add_stream(ctx, "SAL", "Sales")
    keys = [items.create_item(ctx, f"Item {n}", stream="SAL").key for n in range(10)]
    url = f"sqlite:///{db_path}"
    for round_ in range(4):  # each round reopens the file the last kill left behind
        user, acks_file = f"writer{round_}", tmp_path / f"round{round_}.acks"
        proc = spawn("burst", url, user, acks_file, *keys)
        _kill_at_random(proc, acks_file, at_least=30, up_to=0.4)

        assert _integrity(db_path) == "ok"
        acks = read_acks(acks_file)
        events = _rows(db_path, "SELECT i.key, e.field, e.new FROM item_event e JOIN item i ON i.id = e.item_id"
                                " WHERE e.actor = ? ORDER BY e.id", user)
        # everything acknowledged is there, in order; at most the one change in
        # flight at the kill got committed without its acknowledgement
        assert [(a["key"], a["field"], a["new"]) for a in acks] == events[: len(acks)]
        assert len(events) - len(acks) in (0, 1)
        created = [a for a in acks if a["field"] == "created"]
        titles = dict(_rows(db_path, "SELECT key, title FROM item"))
        for a in created:
            assert a["key"] in titles
        # the last title written to each item is its title now
        last_title: dict[str, str] = {}
        for key, fld, new in events:
            if fld in ("created", "title"):
                last_title[key] = new
        for key, title in last_title.items():
            assert titles[key] == title

    # and the program opens the file and carries on
    assert items.create_item(ctx, "After the kills", stream="SAL").key.startswith("SAL-")


def _check_sprint_closes(path: Path) -> Counter:
    """Every sprint is fully closed (each committed item completed or carried
    with its events and slip) or not closed at all. Returns states counted."""
    assert _integrity(path) == "ok"
    sprint_rows = _rows(path, "SELECT id, name, state, closed_at FROM sprint ORDER BY start_date, id")
    order = [r[0] for r in sprint_rows]
    events = defaultdict(list)
    for sprint_id, item_id, kind, at, target in _rows(
            path, "SELECT sprint_id, item_id, kind, at, target_sprint_id FROM sprint_event ORDER BY id"):
        events[(sprint_id, kind)].append((item_id, at, target))
    item_events = Counter(_rows(path, "SELECT item_id, field, old, new, at FROM item_event"
                                      " WHERE field IN ('sprint', 'slip_count')"))
    names = {r[0]: r[1] for r in sprint_rows}
    for n, (sid, name, state, closed_at) in enumerate(sprint_rows):
        committed = {i for i, _at, _t in events[(sid, "commit")]}
        carried, completed = events[(sid, "carry")], events[(sid, "complete")]
        if state != "closed":
            assert not carried and not completed and closed_at is None, name
            continue
        assert closed_at is not None, name
        assert sorted(i for i, _at, _t in carried + completed) == sorted(committed), name
        nxt = order[n + 1]
        for item_id, at, target in carried:
            assert at == closed_at and target == nxt, name
            assert (item_id, at, None) in events[(nxt, "enter")], (name, item_id)
            assert item_events[(item_id, "sprint", name, names[nxt], at)] == 1, (name, item_id)
            slips = [k for k in item_events if k[0] == item_id and k[1] == "slip_count" and k[4] == at]
            assert len(slips) == 1, (name, item_id)
    for item_id, slip_count, sprint_id in _rows(path, "SELECT id, slip_count, sprint_id FROM item"):
        carries = [e for (sid, kind), evs in events.items() if kind == "carry" for e in evs if e[0] == item_id]
        assert slip_count == len(carries), item_id
        slip_events = sorted((k for k in item_events if k[0] == item_id and k[1] == "slip_count"),
                             key=lambda k: k[4])
        assert [int(k[3]) for k in slip_events] == list(range(1, slip_count + 1)), item_id
        if carries:
            assert sprint_id == max(carries, key=lambda e: e[1])[2]
    active = [r for r in sprint_rows if r[2] == "active"]
    assert len(active) <= 1
    if active:
        in_it = {r[0] for r in _rows(path, "SELECT id FROM item WHERE sprint_id = ?", active[0][0])}
        assert in_it == {i for i, _at, _t in events[(active[0][0], "commit")]}
    return Counter(r[2] for r in sprint_rows)


def test_killed_during_sprint_closes_no_sprint_is_half_closed(ctx, db_path, tmp_path):
    streams.add_stream(ctx, "SAL", "Sales")
    made = 0

    def more_sprints(n: int) -> None:
        nonlocal made
        for k in range(made, made + n):
            first = date(2026, 1, 5) + timedelta(weeks=2 * k)
            sprints.new_sprint(ctx, f"S{k:04d}", start=first, end=first + timedelta(days=11))
        made += n

    more_sprints(40)
    for n in range(150):
        row = items.create_item(ctx, f"Item {n}", stream="SAL", points=n % 5, sprint="S0000")
        if n % 15 == 0:
            items.move_item(ctx, row.key, "done")
    sprints.start_sprint(ctx, "S0000")
    url = f"sqlite:///{db_path}"

    # Each round lets a closer acknowledge at least one whole close (the
    # intent, then the close) before the kill at a random moment; the rounds go
    # on until the kills have landed inside a close twice, however fast or slow
    # the machine is (a slow one closes fewer sprints a round, a fast one more:
    # the test keeps enough planned sprints ahead of it).
    mid_close = rounds = 0
    counts: Counter = Counter()
    while mid_close < 2 or counts["closed"] < 3:
        rounds += 1
        assert rounds <= 60, f"no kill landed inside a sprint close in {rounds} rounds; the test proved nothing"
        if len(sprints.list_sprints(ctx, state="planned")) < 30:
            more_sprints(40)
        acks_file = tmp_path / f"closer{rounds}.acks"
        proc = spawn("closer", url, f"closer{rounds}", acks_file)
        _kill_at_random(proc, acks_file, at_least=2, up_to=0.5)
        acks = read_acks(acks_file)
        counts = _check_sprint_closes(db_path)
        state = dict(_rows(db_path, "SELECT name, state FROM sprint"))
        for a in acks:  # everything acknowledged happened
            if "closed" in a:
                assert state[a["closed"]] == "closed"
            if "started" in a:
                assert state[a["started"]] in ("active", "closed")
        if acks and "closing" in acks[-1]:
            mid_close += 1  # killed between "closing" and its acknowledgement


# --------------------------------------------------------------------------- db backup while writing


def test_backup_taken_while_another_process_writes_is_consistent(ctx, db_path, tmp_path):
    streams.add_stream(ctx, "SAL", "Sales")
    url = f"sqlite:///{db_path}"
    acks_file, stop = tmp_path / "writer.acks", tmp_path / "stop"
    writer = spawn("writer", url, "writer", acks_file, stop)
    assert writer.stdout.readline().strip() == "ready", writer.stderr.read()[-3000:]
    _wait_for_acks(acks_file, 50, writer)
    backup = tmp_path / "copy.db"
    env = {k: v for k, v in os.environ.items() if k not in ("SPRINTTUI_DB", "SPRINTTUI_USER")}
    acked_before = len(read_acks(acks_file))
    done = subprocess.run([sys.executable, "-m", "sprinttui", "--db", str(db_path), "db", "backup", str(backup)],
                          capture_output=True, text=True, env=env, timeout=60, umask=0)
    acked_after = len(read_acks(acks_file))
    stop.touch()
    out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err[-3000:]
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert acked_after > acked_before  # the writer really was writing during the backup

    assert _integrity(backup) == "ok"
    assert stat.S_IMODE(backup.stat().st_mode) == 0o660
    assert not Path(f"{backup}-wal").exists() and not Path(f"{backup}-shm").exists()
    titles = [t for (t,) in _rows(backup, "SELECT title FROM item ORDER BY seq")]
    n = len(titles)
    # a snapshot: the first n items the writer made, no gap, none half-written
    assert titles == [f"writer item {k}" for k in range(1, n + 1)]
    assert acked_before <= n <= acked_after + 1
    assert _rows(backup, "SELECT next_seq FROM stream WHERE key = 'SAL'") == [(n + 1,)]
    assert _rows(backup, "SELECT count(*) FROM item_event WHERE field = 'created'") == [(n,)]
    copy = Database(f"sqlite:///{backup}")
    try:
        assert copy.current_revision() == HEAD_REVISION
    finally:
        copy.dispose()


# --------------------------------------------------------------------------- db restore


@pytest.fixture
def cli(capsys, monkeypatch):
    """main() in-process; stdin is what the test gives. Returns (code, stdout, stderr)."""
    monkeypatch.delenv("SPRINTTUI_DB", raising=False)
    monkeypatch.delenv("SPRINTTUI_USER", raising=False)

    def run(db: Path, *args: str, stdin: str = ""):
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        code = main(["--db", str(db), "--user", "tester", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _titles(ctx) -> list[str]:
    return [r.title for r in items.list_items(ctx)]


def _backed_up_project(ctx, db_path, tmp_path, cli) -> Path:
    """Two items, backed up; then a third item and a move made after the backup."""
    streams.add_stream(ctx, "SAL", "Sales")
    items.create_item(ctx, "Import leads", stream="SAL")
    items.create_item(ctx, "Clean data", stream="SAL")
    backup = tmp_path / "monday.db"
    code, _out, err = cli(db_path, "db", "backup", str(backup))
    assert code == 0, err
    items.create_item(ctx, "Written after the backup", stream="SAL")
    items.move_item(ctx, "SAL-1", "done")
    return backup


def test_restore_with_yes_brings_the_backup_back_and_keeps_the_current_database(ctx, db_path, tmp_path, cli):
    backup = _backed_up_project(ctx, db_path, tmp_path, cli)
    code, out, err = cli(db_path, "db", "restore", str(backup), "--yes")
    assert code == 0, err
    assert err == ""
    assert _titles(ctx) == ["Import leads", "Clean data"]
    assert items.get_row(ctx, "SAL-1").status == "todo"
    (safety,) = tmp_path.glob("project.db.backup-before-restore-*")
    assert safety.name in out and "restored" in out
    assert stat.S_IMODE(safety.stat().st_mode) == 0o660
    assert [t for (t,) in _rows(safety, "SELECT title FROM item ORDER BY id")] == [
        "Import leads", "Clean data", "Written after the backup"]
    assert _integrity(db_path) == "ok"
    # the key counter came back too: the next item gets the backup's next key
    assert items.create_item(ctx, "After the restore", stream="SAL").key == "SAL-3"


def test_restore_asks_and_does_nothing_unless_the_answer_is_yes(ctx, db_path, tmp_path, cli):
    backup = _backed_up_project(ctx, db_path, tmp_path, cli)
    now = _titles(ctx)
    for answer in ("n\n", "\n", "", "maybe\n"):  # no, just enter, end of input, anything else
        code, out, err = cli(db_path, "db", "restore", str(backup), stdin=answer)
        assert code == 1, (answer, err)
        assert "[y/N]" in err and "not restored; nothing changed" in err
        assert _titles(ctx) == now
    assert list(tmp_path.glob("project.db.backup-before-restore-*")) == []
    code, out, err = cli(db_path, "db", "restore", str(backup), stdin="y\n")
    assert code == 0, err
    assert _titles(ctx) == ["Import leads", "Clean data"]


def _foreign(path: Path) -> None:
    with closing(sqlite3.connect(path)) as con:
        con.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        con.commit()


def _newer(path: Path, source: Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(path)) as dst:
        src.backup(dst)
        dst.execute("UPDATE alembic_version SET version_num = '9999_future'")
        dst.commit()


def _damaged(path: Path, source: Path) -> None:
    data = bytearray(source.read_bytes())
    data[4096 * 3: 4096 * 5] = b"\x00garbage" * 1024  # wreck two pages after the header
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("kind, fragment", [
    ("csv", "not a sprinttui database"),
    ("foreign", "not a sprinttui database"),
    ("newer", "newer"),
    ("damaged", ""),
    ("missing", "no file"),
    ("itself", "the database itself"),
])
def test_restore_refuses_what_is_not_a_usable_backup(ctx, db_path, tmp_path, cli, kind, fragment):
    backup = _backed_up_project(ctx, db_path, tmp_path, cli)
    target = tmp_path / f"{kind}.db"
    if kind == "csv":
        target.write_text("key,title\nSAL-1,Import leads\n")
    elif kind == "foreign":
        _foreign(target)
    elif kind == "newer":
        _newer(target, backup)
    elif kind == "damaged":
        _damaged(target, backup)
    elif kind == "itself":
        target = db_path
    now = _titles(ctx)
    code, out, err = cli(db_path, "db", "restore", str(target), "--yes")
    assert code == 2, (kind, out, err)
    assert err.startswith("sprinttui: error: ") and err.count("\n") == 1, err
    assert fragment in err, err
    assert _titles(ctx) == now
    assert list(tmp_path.glob("project.db.backup-before-restore-*")) == []


def test_restore_refuses_before_asking(ctx, db_path, tmp_path, cli):
    _backed_up_project(ctx, db_path, tmp_path, cli)
    bad = tmp_path / "notes.db"
    bad.write_text("not a database at all, just some notes\n" * 10)
    code, out, err = cli(db_path, "db", "restore", str(bad), stdin="y\n")
    assert code == 2 and "[y/N]" not in err


def test_a_program_with_the_database_open_sees_the_restored_data(ctx, db_path, tmp_path, cli, make_ctx):
    backup = _backed_up_project(ctx, db_path, tmp_path, cli)
    other = make_ctx("bob")  # someone who left the app open (idle, not writing)
    assert len(_titles(other)) == 3
    token = other.db.change_token()
    code, _out, err = cli(db_path, "db", "restore", str(backup), "--yes")
    assert code == 0, err
    assert other.db.change_token() != token  # their app refreshes, like after any change
    assert _titles(other) == ["Import leads", "Clean data"]
    # and their next change lands in the restored database, not in a replaced file
    items.move_item(other, "SAL-2", "doing")
    assert items.get_row(ctx, "SAL-2").status == "doing"


def test_restore_of_an_older_schema_is_upgraded_when_next_opened(ctx, db_path, tmp_path, cli):
    from alembic import command
    from sqlalchemy import create_engine

    from sprinttui.store.migrate import alembic_config

    old = tmp_path / "old.db"
    eng = create_engine(f"sqlite:///{old}")
    try:
        with eng.begin() as conn:
            command.upgrade(alembic_config(conn), "0001_initial")
            conn.exec_driver_sql("INSERT INTO project (id, name, sprint_length_days, working_days,"
                                 " points_per_day, allow_user_override, version)"
                                 " VALUES (1, 'Old project', 14, '0,1,2,3,4', 1.0, 1, 1)")
    finally:
        eng.dispose()
    streams.add_stream(ctx, "SAL", "Sales")
    code, out, err = cli(db_path, "db", "restore", str(old), "--yes")
    assert code == 0, err
    assert "0001_initial" in out
    code, out, err = cli(db_path, "project", "show", "--json")
    assert code == 0, err
    assert '"name": "Old project"' in out
    assert _rows(db_path, "SELECT version_num FROM alembic_version") == [(HEAD_REVISION,)]
    assert list(tmp_path.glob("project.db.backup-0001_initial-*"))  # the migration's own copy


def test_restore_from_a_plain_copy_of_a_live_file_leaves_nothing_beside_it(ctx, db_path, tmp_path, cli):
    _backed_up_project(ctx, db_path, tmp_path, cli)
    with closing(sqlite3.connect(db_path)) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    copied = tmp_path / "copied.db"
    copied.write_bytes(db_path.read_bytes())  # `cp` of the live file: in WAL mode
    items.create_item(ctx, "Later still", stream="SAL")
    code, _out, err = cli(db_path, "db", "restore", str(copied), "--yes")
    assert code == 0, err
    assert _titles(ctx) == ["Import leads", "Clean data", "Written after the backup"]
    assert sorted(p.name for p in tmp_path.glob("copied.db*")) == ["copied.db"]


def test_restore_leaves_an_unreadable_current_database_alone(ctx, db_path, tmp_path, cli):
    backup = _backed_up_project(ctx, db_path, tmp_path, cli)
    ctx.db.dispose()
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"these are my notes, not a database\n" * 200)  # --db pointed at the wrong file
    code, _out, err = cli(broken, "db", "restore", str(backup), "--yes")
    assert code == 2 and err.count("\n") == 1, err
    assert "cannot be copied" in err and "nothing was changed" in err and "aside" in err
    assert broken.read_bytes() == b"these are my notes, not a database\n" * 200
    broken.rename(tmp_path / "notes.txt")  # as the message says: moved aside, then restore again
    code, _out, err = cli(broken, "db", "restore", str(backup), "--yes")
    assert code == 0, err
    assert [t for (t,) in _rows(broken, "SELECT title FROM item ORDER BY id")] == ["Import leads", "Clean data"]


def test_restore_killed_half_way_leaves_the_old_or_the_new_database_whole(ctx, db_path, tmp_path, cli):
    from sprinttui.store.migrate import backup_sqlite

    backup = _backed_up_project(ctx, db_path, tmp_path, cli)
    with closing(sqlite3.connect(backup)) as con:  # a big backup, so that the copy takes a while
        con.execute("INSERT INTO item_event (item_id, at, actor, field, old, new)"
                    " SELECT 1, '2026-01-05 09:00:00', 'seed', 'description', NULL, hex(randomblob(2000))"
                    " FROM (WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 10000)"
                    " SELECT x FROM n)")
        con.commit()
    big_events = _rows(backup, "SELECT count(*) FROM item_event")[0][0]
    env = {k: v for k, v in os.environ.items() if k not in ("SPRINTTUI_DB", "SPRINTTUI_USER")}
    killed_while_copying = 0
    for round_ in range(6):
        live = tmp_path / f"live{round_}.db"
        backup_sqlite(db_path, live)  # the current database, three items
        proc = subprocess.Popen([sys.executable, "-m", "sprinttui", "--db", str(live), "db", "restore", "--yes",
                                 str(backup)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(f"live{round_}.db.backup-before-restore-*")):
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline
            time.sleep(0.005)
        time.sleep(RNG.uniform(0, 0.2))  # the copy into the live file has begun
        alive = proc.poll() is None
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
        killed_while_copying += alive and proc.returncode == -signal.SIGKILL

        assert _integrity(live) == "ok"
        titles = [t for (t,) in _rows(live, "SELECT title FROM item ORDER BY id")]
        events = _rows(live, "SELECT count(*) FROM item_event")[0][0]
        assert (titles, events == big_events) in (
            (["Import leads", "Clean data", "Written after the backup"], False),  # the old one, whole
            (["Import leads", "Clean data"], True),  # the restored one, whole
        ), (titles, events)
        print(f"restore round {round_}: killed {'while running' if alive else 'after it ended'},"
              f" the database is the {'restored' if events == big_events else 'old'} one")
        if round_ >= 2 and killed_while_copying:
            break
    assert killed_while_copying, "every restore finished before the kill; the test proved nothing"
