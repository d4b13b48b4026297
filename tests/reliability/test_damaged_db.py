"""Finding 3: a damaged SQLite file accepts no write, `db check` says what is
wrong, `db backup` refuses it and `--force` salvages what can be read."""

from __future__ import annotations

import random
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from test_bad_files import digest, run_process

PAGE = 4096


def _integrity(path: Path) -> list[str]:
    lines: list[str] = []
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        try:
            for (value,) in con.execute("PRAGMA integrity_check(1000)"):
                lines += str(value).splitlines()
        except sqlite3.DatabaseError as err:
            lines.append(str(err))
    return lines


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("damaged")
    path = folder / "seeded.db"
    proc = run_process(folder, path, "seed", "--items", "2000")
    assert proc.returncode == 0, proc.stderr
    with closing(sqlite3.connect(path)) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def damage(src: Path, dest: Path) -> Path:
    """Random bytes over parts of 7 pages in the middle of the file, as the
    finding did, chosen (seeded RNG) so that integrity_check lists the damage."""
    for seed in range(100):
        shutil.copy(src, dest)
        pages = dest.stat().st_size // PAGE
        rng = random.Random(seed)
        with open(dest, "r+b") as f:
            for page in rng.sample(range(pages // 3, 2 * pages // 3), 7):
                f.seek(page * PAGE + 64)
                f.write(rng.randbytes(512))
        found = _integrity(dest)
        if len(found) > 20:
            return dest
    raise AssertionError("no seed damaged the file so that integrity_check lists it")


@pytest.fixture
def damaged(seeded, tmp_path) -> Path:
    return damage(seeded, tmp_path / "damaged.db")


def one_line(proc, *fragments: str) -> None:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stderr.startswith("sprinttui: error: ") and proc.stderr.count("\n") == 1, proc.stderr
    for f in fragments:
        assert f in proc.stderr, (f, proc.stderr)


def test_a_damaged_file_accepts_no_write_and_is_left_byte_identical(damaged, tmp_path):
    before = digest(damaged)
    for args in (["item", "add", "New work", "--stream", "DATA"], ["stream", "add", "NEW", "New stream"]):
        proc = run_process(tmp_path, damaged, *args)
        one_line(proc, "corrupted", "sprinttui db check")
        assert digest(damaged) == before
    assert not Path(f"{damaged}-journal").exists()


def test_db_check_names_the_problems_and_exits_2(damaged, seeded, tmp_path):
    proc = run_process(tmp_path, damaged, "db", "check")
    assert proc.returncode == 2, proc.stderr
    assert "damaged" in proc.stdout and "problems found" in proc.stdout
    assert "On tree page" in proc.stdout  # the first problems themselves
    assert "sprinttui db restore FILE" in proc.stdout and "db backup --force FILE" in proc.stdout
    assert len(proc.stdout.splitlines()) <= 10
    healthy = tmp_path / "healthy.db"
    shutil.copy(seeded, healthy)
    proc = run_process(tmp_path, healthy, "db", "check")
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stdout + proc.stderr


def test_backup_of_a_damaged_file_refuses_unless_forced_and_then_salvages(damaged, tmp_path):
    copy = tmp_path / "copy.db"
    one_line(run_process(tmp_path, damaged, "db", "backup", str(copy)), "corrupted", "--force")
    assert not copy.exists()
    proc = run_process(tmp_path, damaged, "db", "backup", "--force", str(copy))
    assert proc.returncode == 0, proc.stderr
    assert "incomplete" in proc.stdout
    assert _integrity(copy) == ["ok"]
    listed = run_process(tmp_path, copy, "item", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.count('"key"') > 100  # most items were readable
    assert run_process(tmp_path, copy, "item", "add", "After salvage", "--stream", "DATA").returncode == 0
