"""A large Jira import, as another user on the same SQLite file meets it.

    python bench/jira_import.py [--rows 200000] [--work DIR] [--reimport]

Runs ``sprinttui import jira-csv`` of ROWS sample rows into a fresh database
while a second connection writes a small change every 50 ms, and prints:
the import's wall time and peak memory (the child's maximum resident set),
and the other writer's waits for the write lock (longest, and how many waited
over 1 s) and its longest write (its commit included). With
``--reimport``, then imports a second file of the same issue keys with other
fields (nearly every item is updated) and prints the same figures for it. Figures
are printed, never asserted; not part of ``bench/run.py`` (200,000 rows take
about a minute).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--work", type=Path, default=None,
                    help="folder for the file and database (default: a temporary one)")
    ap.add_argument("--reimport", action="store_true",
                    help="then import the same keys again with other fields, and measure that too")
    args = ap.parse_args()
    from sprinttui.importers.jira.sample import make_sample_csv

    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        csv_path, db = work / "jira.csv", work / "jira.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        make_sample_csv(csv_path, args.rows, seed=1)
        cli = [sys.executable, "-m", "sprinttui", "--db", str(db), "--user", "bench"]
        subprocess.run([*cli, "init"], check=True, capture_output=True)

        if _measure(cli, db, csv_path, args.rows) != 0:
            return 1
        if args.reimport:
            changed = work / "jira-changed.csv"
            make_sample_csv(changed, args.rows, seed=2)
            print("\nagain, the same keys with other fields:")
            if _measure(cli, db, changed, args.rows) != 0:
                return 1
    return 0


def _measure(cli: list[str], db: Path, csv_path: Path, rows: int) -> int:
    """Import `csv_path` while another connection writes; print the figures."""
    waits: list[float] = []  # for the write lock
    writes: list[float] = []  # the whole write: the wait, the change, the commit
    stop = threading.Event()

    def other_writer() -> None:
        con = sqlite3.connect(db, timeout=600, isolation_level=None)
        while not stop.is_set():
            t0 = time.perf_counter()
            con.execute("BEGIN IMMEDIATE")
            waits.append(time.perf_counter() - t0)
            con.execute("UPDATE project SET name = name")
            con.execute("COMMIT")
            writes.append(time.perf_counter() - t0)
            stop.wait(0.05)
        con.close()

    writer = threading.Thread(target=other_writer)
    t0 = time.perf_counter()
    proc = subprocess.Popen([*cli, "import", "jira-csv", str(csv_path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    writer.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    stop.set()
    writer.join()
    out = proc.stdout.read().decode() if proc.stdout else ""
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        print(f"the import failed: {err.strip()[-500:]}", file=sys.stderr)
        return 1
    print(out.splitlines()[1] if len(out.splitlines()) > 1 else out)
    print(f"rows: {rows:,}  file: {csv_path.stat().st_size / 2**20:.1f} MB")
    print(f"import: {seconds:.1f} s, peak memory {usage.ru_maxrss / 1024:.0f} MB")
    print(f"other writer: {len(waits)} writes, longest wait for the lock {max(waits):.2f} s, "
          f"{sum(w > 1 for w in waits)} waited over 1 s; longest write {max(writes):.2f} s "
          f"(with its commit: a commit may checkpoint the log)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
