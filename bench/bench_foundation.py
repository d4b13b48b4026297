"""Foundation benchmark: prints figures, asserts nothing.

    python bench/bench_foundation.py [--items 10000]

Measures, on a fresh synthetic project: seeding time, CLI start-up (import and
`--help`), opening a database that is already at head, a sprint report of the
active sprint, the first backlog page, a text search and a status move.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(fn, repeat: int = 5) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=10_000)
    args = ap.parse_args()

    from sprinttui.seed import seed_project
    from sprinttui.services import items, open_ctx, reports

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        ctx = open_ctx(db, "bench")
        t0 = time.perf_counter()
        stats = seed_project(ctx, args.items, seed=1)
        print(f"seed --items {args.items:<6}        {time.perf_counter() - t0:8.2f} s   {stats}")

        cmd = [sys.executable, "-X", "importtime", "-c", "import sprinttui.cli"]
        t, _ = timed(lambda: subprocess.run([sys.executable, "-c", "import sprinttui.cli"], check=True), 3)
        print(f"import sprinttui.cli (process)  {ms(t)}")
        t, _ = timed(
            lambda: subprocess.run([sys.executable, "-m", "sprinttui", "--db", db, "item", "list", "--limit", "1"],
                                   check=True, capture_output=True), 3)
        print(f"CLI item list --limit 1 (process) {ms(t)}")
        imp = subprocess.run(cmd, capture_output=True, text=True).stderr
        heavy = [ln for ln in imp.splitlines() if "alembic" in ln or "textual" in ln]
        print(f"CLI imports alembic/textual:    {'yes' if heavy else 'no'}")

        from sprinttui.store.engine import Database, resolve_url

        t, _ = timed(lambda: Database(resolve_url(db)).dispose())
        print(f"open database at head           {ms(t)}")
        t, rep = timed(lambda: reports.sprint_report(ctx, "current"))
        print(f"sprint report (active sprint)   {ms(t)}   committed {rep.totals.committed_count} items")
        t, rows = timed(lambda: items.list_items(ctx, include_done=False, limit=100))
        print(f"backlog first page (100 rows)   {ms(t)}")
        t, rows = timed(lambda: items.list_items(ctx, text="migr", include_done=False, limit=100))
        print(f"backlog search 'migr'           {ms(t)}   {len(rows)} rows")
        t, _ = timed(lambda: reports.burndown(ctx, "current"), 3)
        print(f"burndown (active sprint)        {ms(t)}")
        t, _ = timed(lambda: reports.capacity(ctx, "next"), 3)
        print(f"capacity (next sprint)          {ms(t)}")
        key = items.list_items(ctx, sprint="current", status="todo", limit=1)[0].key
        states = iter(["doing", "todo"] * 10)
        t, _ = timed(lambda: items.move_item(ctx, key, next(states)), 10)
        print(f"move one item (write txn)       {ms(t)}")


if __name__ == "__main__":
    main()
