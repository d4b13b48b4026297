"""Finding 5: `db backup` killed mid-copy leaves its temporary files; the next
backup removes them (only those of backups whose process is gone)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from test_bad_files import _env, run_process

DEADLINE = 60  # a hang guard only


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    """A seeded project of about 40 MB, so a backup takes a while."""
    folder = tmp_path_factory.mktemp("leftovers")
    path = folder / "big.db"
    proc = run_process(folder, path, "seed", "--items", "2000")
    assert proc.returncode == 0, proc.stderr
    with closing(sqlite3.connect(path)) as con:
        con.execute("UPDATE item SET description = hex(randomblob(10000))")
        con.commit()
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def temporaries(folder: Path, dest: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.startswith(f".{dest.name}.") or n.startswith(f"..{dest.name}."))


def start_backup(db: Path, dest: Path, tmp_path: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sprinttui", "--db", str(db), "db", "backup", "--force",
                             str(dest)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env(tmp_path))


def wait_for_temporary(proc: subprocess.Popen, folder: Path, dest: Path, known: list[str]) -> bool:
    """True once the backup's temporary file is there; False if it finished first."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if set(temporaries(folder, dest)) - set(known):
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.001)
    proc.kill()
    raise AssertionError("the backup neither wrote a temporary file nor finished")


def test_killed_backups_leave_nothing_after_the_next_backup(big, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dest = out / "copy.db"
    kills = 0
    for _ in range(40):
        if kills == 4:
            break
        proc = start_backup(big, dest, tmp_path)
        if wait_for_temporary(proc, out, dest, temporaries(out, dest)):
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=DEADLINE)
    assert kills == 4
    assert temporaries(out, dest), "the kills left nothing: they did not hit the copy"

    done = run_process(tmp_path, big, "db", "backup", "--force", str(dest))
    assert done.returncode == 0, done.stderr
    assert temporaries(out, dest) == []
    with closing(sqlite3.connect(dest)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT count(*) FROM item").fetchone()[0] == 2000


def test_a_running_backups_files_are_not_removed_by_another(big, tmp_path):
    dest = tmp_path / "copy.db"
    first = start_backup(big, dest, tmp_path)
    stopped = False
    try:
        if not wait_for_temporary(first, tmp_path, dest, []):
            pytest.skip("the backup finished before it could be paused")
        first.send_signal(signal.SIGSTOP)
        stopped = True
        own = temporaries(tmp_path, dest)
        second = run_process(tmp_path, big, "db", "backup", "--force", str(dest))
        assert second.returncode == 0, second.stderr
        assert set(own) <= set(temporaries(tmp_path, dest))  # the paused backup's files are still there
    finally:
        if stopped:
            first.send_signal(signal.SIGCONT)
    _, err = first.communicate(timeout=DEADLINE)
    assert first.returncode == 0, err
    assert temporaries(tmp_path, dest) == []
    with closing(sqlite3.connect(dest)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
