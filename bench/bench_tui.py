"""TUI benchmark: prints figures, asserts nothing.

    python bench/bench_tui.py [--items 10000] [--db PATH]

On a `seed --items N` database (about a tenth of the items in the active
sprint) it measures, each in a fresh process:
  * first paint of the board from process start (headless terminal 120×36),
  * peak memory (max RSS) of that process,
  * a card move (key press → card shown in the next column; and → saved),
  * a backlog search keystroke (key press → filtered table painted; and the
    same until the test harness is idle again, which adds its own ~100 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r'''
import os, sys, time, json, asyncio, resource, statistics
t_spawn = float(os.environ["BENCH_T0"])
from sprinttui.services import open_ctx
from sprinttui.tui.app import SprintTuiApp
from sprinttui.tui.screens.board import BoardScreen

mode = sys.argv[1]
ctx = open_ctx(sys.argv[2], "bench")
result = {}

class BenchApp(SprintTuiApp):
    pass

_orig_show = BoardScreen.show
def show(self, data):
    _orig_show(self, data)
    if "first_paint_s" not in result:
        self.call_after_refresh(lambda: result.setdefault("first_paint_s", time.time() - t_spawn))
BoardScreen.show = show

_orig_move = BoardScreen.action_move_card
moves = []
def action_move_card(self, delta):
    t0 = time.perf_counter()
    _orig_move(self, delta)
    self.call_after_refresh(lambda: moves.append(time.perf_counter() - t0))
BoardScreen.action_move_card = action_move_card

from sprinttui.tui.screens import backlog as backlog_mod
_orig_backlog_show = backlog_mod.BacklogScreen.show
search_painted = []
def backlog_show(self, data):
    _orig_backlog_show(self, data)
    self.call_after_refresh(lambda: search_painted.append(time.perf_counter()))
backlog_mod.BacklogScreen.show = backlog_show

async def main():
    app = BenchApp(ctx, watch=False)
    async with app.run_test(size=(120, 36)) as pilot:
        while "first_paint_s" not in result:
            await pilot.pause(0.01)
        result["cards_in_sprint"] = sum(len(c.cards) for c in app.screen.columns)
        if mode == "move":
            times_saved = []
            for i in range(10):
                t0 = time.perf_counter()
                await pilot.press(">" if i % 2 == 0 else "<")
                await app.settle()
                times_saved.append(time.perf_counter() - t0)
                await pilot.pause()
            result["move_shown_ms"] = statistics.median(moves) * 1000
            result["move_saved_ms"] = statistics.median(times_saved) * 1000
        if mode == "search":
            await pilot.press("2")
            await app.settle(); await pilot.pause()
            scr = app.screen
            if hasattr(scr, "action_search") or any(b.action == "search" for b in scr.BINDINGS if hasattr(b, "action")):
                await pilot.press("slash")
                times, painted = [], []
                for ch in "migration":
                    search_painted.clear()
                    t0 = time.perf_counter()
                    await pilot.press(ch)
                    await app.settle(); await pilot.pause()
                    times.append(time.perf_counter() - t0)
                    painted.append(search_painted[-1] - t0)
                result["search_keystroke_ms"] = statistics.median(painted) * 1000
                result["search_keystroke_max_ms"] = max(painted) * 1000
                result["search_keystroke_idle_ms"] = statistics.median(times) * 1000
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))

asyncio.run(main())
'''


def run_child(mode: str, db: str) -> dict:
    env = dict(os.environ, BENCH_T0=repr(time.time()), TEXTUAL_ANIMATION="none")
    out = subprocess.run([sys.executable, "-c", CHILD, mode, db], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stderr[-2000:], file=sys.stderr)
        raise SystemExit(1)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--db", help="reuse this seeded database (created if missing)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    db = args.db or str(Path(tmp.name) / "bench.db")
    if not Path(db).exists():
        from sprinttui.seed import seed_project
        from sprinttui.services import open_ctx

        t0 = time.perf_counter()
        stats = seed_project(open_ctx(db, "bench"), args.items, seed=1)
        print(f"seeded {stats['items']} items in {time.perf_counter() - t0:.1f} s "
              f"({stats.get('active_sprint_items')} in the active sprint)")
    paints, rss = [], []
    for _ in range(args.runs):
        r = run_child("paint", db)
        paints.append(r["first_paint_s"])
        rss.append(r["max_rss_mb"])
    print(f"board first paint from process start: median {statistics.median(paints):.3f} s "
          f"(runs: {', '.join(f'{p:.3f}' for p in paints)}); cards in sprint {r['cards_in_sprint']}")
    print(f"peak memory (max RSS):               {max(rss):.0f} MB")
    r = run_child("move", db)
    print(f"card move, key handled and repainted: median {r['move_shown_ms']:.1f} ms")
    print(f"card move, saved and board reloaded: median {r['move_saved_ms']:.1f} ms")
    r = run_child("search", db)
    if "search_keystroke_ms" in r:
        print(f"backlog search keystroke, painted:   median {r['search_keystroke_ms']:.1f} ms, "
              f"max {r['search_keystroke_max_ms']:.1f} ms "
              f"(until the harness is idle: {r['search_keystroke_idle_ms']:.1f} ms)")
    else:
        print("backlog search keystroke:            (backlog screen has no search yet)")


if __name__ == "__main__":
    main()
