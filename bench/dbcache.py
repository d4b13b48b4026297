"""Seeded databases, cached between runs.

A database of N items is made once with ``sprinttui seed --items N`` and kept
in the cache folder under a name that holds everything that shapes it: the
item count, the schema head (``sprinttui.store.schema.HEAD_REVISION``), a hash
of the seeding code and the day it was seeded on (the seed places the sprints
around today, and is exactly reproducible for the same day). When any of these
changes, the file is built again and the older files of that size are removed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

SEED = 1


def cache_key(items: int, today: date | None = None) -> str:
    import sprinttui.seed as seed_mod
    from sprinttui.store.schema import HEAD_REVISION

    code = hashlib.sha256(Path(seed_mod.__file__).read_bytes()).hexdigest()[:10]
    day = (today or date.today()).isoformat()
    return f"seed-{items}-s{SEED}-{HEAD_REVISION}-{code}-{day}"


def _checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the file, so the file alone is the database."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def seeded_db(cache: Path, items: int, cli: list[str], *, log=print) -> tuple[Path, dict]:
    """The cached database of `items` items, built if missing. Returns the path and
    what the seed reported (its ``seconds`` is None when the file was cached)."""
    cache.mkdir(parents=True, exist_ok=True)
    key = cache_key(items)
    path = cache / f"{key}.db"
    info_path = cache / f"{key}.json"
    if path.exists() and info_path.exists():
        import json

        info = json.loads(info_path.read_text())
        info["built_now"] = False
        return path, info
    for old in cache.glob(f"seed-{items}-*"):
        old.unlink()
    log(f"seeding {items:,} items (cached in {cache}) …")
    with tempfile.TemporaryDirectory(dir=cache, prefix=".build-") as tmp:
        tmp_db = Path(tmp) / "seed.db"
        t0 = time.perf_counter()
        proc = subprocess.run([*cli, "--db", str(tmp_db), "--user", "bench", "seed", "--items", str(items),
                               "--seed", str(SEED)], capture_output=True, text=True)
        seconds = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(f"sprinttui seed failed ({proc.returncode}): {proc.stderr.strip()[-800:]}")
        info: dict = {}
        for line in proc.stdout.splitlines():
            name, _, value = line.partition(":")
            value = value.strip()
            if name.strip() and value:
                try:
                    info[name.strip()] = float(value) if "." in value else int(value)
                except ValueError:
                    info[name.strip()] = value
        info["command_seconds"] = round(seconds, 2)
        _checkpoint(tmp_db)
        os.replace(tmp_db, path)
    import json

    info_path.write_text(json.dumps(info, indent=1))
    info["built_now"] = True
    return path, info


def working_copy(db: Path, folder: Path) -> Path:
    """A copy of a cached database for benchmarks that write."""
    _checkpoint(db)
    dst = folder / f"copy-{db.name}"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(db, dst)
    return dst
