#!/usr/bin/env python3
"""sprinttui benchmark suite: prints figures beside their targets, asserts nothing.

    python bench/run.py [--quick] [--sizes 1000,10000] [--runs N] [--only GROUP,…]

Builds (once, cached in bench/.cache/) databases with ``sprinttui seed`` at
1,000, 10,000 and 50,000 items and measures, several runs each: the app's start
up to the first paint of the board through a pseudo-terminal, the command line,
opening every screen, a card move, a backlog search keystroke, the live refresh
after another process's change, service calls, exports and a Jira CSV import.
Prints a table and writes the figures to bench/results.json (``--quick``:
1,000 items, one run each, to bench/results-quick.json). See bench/README.md.

Exit status: 0 when every measurement ran, 1 when one of them failed (the app
crashed, did not show what it should, did not quit on q …), 2 for bad options.
Slow figures never change the exit status.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import dbcache  # noqa: E402
import machine  # noqa: E402
import ptyrun  # noqa: E402

SIZES = (1_000, 10_000, 50_000)
TARGET_SIZE = 10_000  # the targets hold for 10,000 items, 1,000 of them in the active sprint
GROWTH_FROM, GROWTH_TO, GROWTH_LIMIT = 10_000, 50_000, 20.0  # percent
TERM_SIZE = (120, 36)
IMPORT_ROWS = 10_000
SEARCH_WORD = "migration"
GROUPS = ("paint", "cli", "screens", "interact", "live", "services", "export", "import")

SCREEN_NAMES = [  # key, mode, title: as in sprinttui.tui.app.SCREENS (checked at start)
    ("1", "board", "Board"), ("2", "backlog", "Backlog"), ("3", "planning", "Planning"),
    ("4", "standup", "Standup"), ("5", "evaluations", "Evaluations"), ("6", "catchup", "Catch-up"),
    ("7", "kpis", "KPIs"), ("8", "team", "Team"),
]


@dataclass(frozen=True)
class Measure:
    id: str
    label: str
    group: str
    unit: str = "s"  # "s" (stored in seconds) or "MB"
    target: float | None = None
    target_note: str = ""
    growth: bool = False  # growth from 10,000 to 50,000 items checked against GROWTH_LIMIT
    per_size: bool = True


MEASURES: list[Measure] = [
    Measure("paint.first", "board first paint (pty: spawn → card shown)", "paint", target=0.8, growth=True),
    Measure("paint.complete", "board complete (pty: … → figures shown)", "paint"),
    Measure("paint.quit", "quit (pty: q → process gone)", "paint"),
    Measure("paint.rss", "peak RSS, board (VmHWM)", "paint", unit="MB", target=150),
    Measure("cli.help", "sprinttui --help", "cli", per_size=False),
    Measure("cli.list_json", "sprinttui item list --json (all items)", "cli"),
    Measure("cli.item_add", "sprinttui item add (a write: pays the damage check once)", "cli"),
    Measure("cli.write_check", "damage check before the first write (PRAGMA quick_check)", "cli"),
    *[Measure(f"screen.{mode}", f"open screen {key} {title}", "screens", target=0.3, growth=True)
      for key, mode, title in SCREEN_NAMES],
    Measure("screens.rss", "peak RSS, all 8 screens opened (Pilot)", "screens", unit="MB", target=150),
    Measure("move.shown", "card move: key → card repainted", "interact", target=0.05),
    Measure("move.saved", "card move: key → saved", "interact", target=0.05),
    Measure("move.reloaded", "card move: key → board reloaded", "interact"),
    Measure("search.keystroke", "backlog search: key → table settled", "interact", target=0.1),
    Measure("live.refresh", "live refresh: other process commits → card shown", "live", target=2.0,
            target_note="README: within a couple of seconds"),
    Measure("svc.report", "service: sprint report (active sprint)", "services", target=0.1),
    Measure("svc.burndown", "service: burndown series", "services"),
    Measure("svc.catchup", "service: catch-up plan", "services"),
    Measure("svc.velocity", "service: velocity (last 3 sprints)", "services"),
    *[Measure(f"export.{fmt}", f"export active sprint, {fmt}", "export", target=0.5)
      for fmt in ("md", "html", "json", "csv")],
    Measure("import.jira", f"import jira-csv, {IMPORT_ROWS:,} rows, fresh db", "import", per_size=False),
]
BY_ID = {m.id: m for m in MEASURES}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def find_cli() -> list[str]:
    """The `sprinttui` command of this Python (a venv's bin), else on PATH, else -m."""
    here = Path(sys.executable).parent / "sprinttui"
    if here.exists():
        return [str(here)]
    found = shutil.which("sprinttui")
    if found:
        return [found]
    return [sys.executable, "-m", "sprinttui"]


def byte_compile_app() -> dict:
    """Compile the app's modules to .pyc files, as `pip install` does.

    Run from a source checkout (`pip install -e .`) in a shell that sets
    PYTHONDONTWRITEBYTECODE, Python would compile every module of the app from
    source at every start, a cost (about 90 ms of the first paint here) that
    no installed copy has. Reading .pyc files is allowed under that setting."""
    import compileall

    import sprinttui

    package = Path(sprinttui.__file__).parent
    ok = bool(compileall.compile_dir(str(package), quiet=1))
    return {"package": str(package), "byte_compiled": ok,
            "PYTHONDONTWRITEBYTECODE": bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))}


def stats(samples: list[float]) -> dict:
    return {
        "median": statistics.median(samples),
        "min": min(samples),
        "max": max(samples),
        "runs": len(samples),
        "samples": [round(s, 5) for s in samples],
    }


def timed(fn, runs: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def run_checked(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[-6:])} exited {proc.returncode}: {proc.stderr.strip()[-800:]}")
    return proc


# --------------------------------------------------------------------------- facts


@dataclass
class Facts:
    sprint: str
    sprint_items: int
    first_card: str  # the top card of the board's To do column
    stream: str  # a stream key for items added by the benchmark


def probe(db: Path) -> Facts:
    from sprinttui.services import items as items_svc
    from sprinttui.services import open_ctx
    from sprinttui.services import sprints as sprints_svc
    from sprinttui.services import streams as streams_svc
    from sprinttui.services.item_rows import ItemQuery

    ctx = open_ctx(str(db), "bench")
    try:
        sp = sprints_svc.active_sprint(ctx)
        if sp is None:
            raise RuntimeError(f"{db.name} has no active sprint")
        rows = items_svc.list_items(ctx, ItemQuery(sprint=sp.name))  # in the board's order
        todo = [r for r in rows if r.status == "todo"]
        if not todo:
            raise RuntimeError(f"the active sprint of {db.name} has nothing to do")
        stream = streams_svc.list_streams(ctx)[0].key
        return Facts(sp.name, len(rows), todo[0].key, stream)
    finally:
        ctx.db.dispose()


# --------------------------------------------------------------------------- groups


class Bench:
    def __init__(self, runs: int, cli: list[str], work: Path):
        self.runs = runs
        self.cli = cli
        self.work = work
        self.child_env = dict(os.environ, TEXTUAL_ANIMATION="none")

    def child(self, mode: str, db: Path, opts: dict) -> dict:
        cmd = [sys.executable, str(HERE / "tuichild.py"), mode, str(db), json.dumps(opts)]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=self.child_env, timeout=900)
        last = proc.stdout.strip().splitlines()[-1:] if proc.stdout.strip() else []
        if proc.returncode != 0 or not last:
            raise RuntimeError(f"tuichild {mode} exited {proc.returncode}: {proc.stderr.strip()[-1500:]}")
        result = json.loads(last[0])
        if result.get("errors"):
            raise RuntimeError(f"the app reported errors: {result['errors'][:3]}")
        return result

    # -- per size ------------------------------------------------------------------
    def paint(self, db: Path, facts: Facts, info: dict) -> dict[str, list[float]]:
        cmd = [*self.cli, "--db", str(db)]
        out: dict[str, list[float]] = {"paint.first": [], "paint.complete": [], "paint.quit": [], "paint.rss": []}
        for i in range(self.runs + 1):  # the first run warms the file cache and is not counted
            r = ptyrun.first_paint(cmd, facts.first_card, cols=TERM_SIZE[0], rows=TERM_SIZE[1])
            if i == 0:
                continue
            out["paint.first"].append(r.first_paint_s)
            if r.complete_s is not None:
                out["paint.complete"].append(r.complete_s)
            out["paint.quit"].append(r.quit_s)
            if r.rss_mb is not None:
                out["paint.rss"].append(r.rss_mb)
        return {k: v for k, v in out.items() if v}

    def cli_sized(self, db: Path, facts: Facts, info: dict) -> dict[str, list[float]]:
        cmd = [*self.cli, "--db", str(db), "item", "list", "--json"]
        rows = []
        samples = timed(lambda: rows.append(len(json.loads(run_checked(cmd).stdout))), self.runs)
        info["item_list_rows"] = rows[-1]
        return {"cli.list_json": samples, **self.cli_write(db)}

    def cli_write(self, db: Path) -> dict[str, list[float]]:
        """`item add` on a copy, and the quick_check every first write of a process pays."""
        import shutil
        import sqlite3
        from contextlib import closing

        from sprinttui.store.integrity import quick_problems

        copy = self.work / f"write-{db.name}"
        shutil.copy(db, copy)
        with closing(sqlite3.connect(copy)) as con:
            stream = con.execute("SELECT key FROM stream ORDER BY id LIMIT 1").fetchone()[0]
        cmd = [*self.cli, "--db", str(copy), "--user", "bench", "item", "add", "bench write", "--stream", stream]
        try:
            return {"cli.item_add": timed(lambda: run_checked(cmd), self.runs),
                    "cli.write_check": timed(lambda: quick_problems(copy), self.runs)}
        finally:
            _remove_db(copy)

    def screens(self, db: Path, facts: Facts, info: dict) -> dict[str, list[float]]:
        out: dict[str, list[float]] = {}
        phases: dict[str, dict[str, list[float]]] = {}
        for _ in range(self.runs):
            r = self.child("screens", db, {"size": TERM_SIZE})
            for mode, s in r["screens_s"].items():
                out.setdefault(f"screen.{mode}", []).append(s)
            for mode, parts in r.get("screens_phases_s", {}).items():
                for phase, s in parts.items():
                    phases.setdefault(mode, {}).setdefault(phase, []).append(s)
            out.setdefault("screens.rss", []).append(r["max_rss_mb"])
        info["screen_phases_ms"] = {mode: {ph: round(statistics.median(v) * 1000, 1) for ph, v in parts.items()}
                                    for mode, parts in phases.items()}
        return out

    def interact(self, db: Path, facts: Facts, info: dict) -> dict[str, list[float]]:
        copy = dbcache.working_copy(db, self.work)
        try:
            r = self.child("interact", copy, {"size": TERM_SIZE, "moves": max(2, 2 * self.runs),
                                              "search": SEARCH_WORD, "search_runs": self.runs})
        finally:
            _remove_db(copy)
        info["search_rows_loaded"] = r.get("search_rows")
        info["search_matches"] = r.get("search_total")
        return {"move.shown": r["move_shown_s"], "move.saved": r["move_saved_s"],
                "move.reloaded": r["move_reloaded_s"], "search.keystroke": r["search_keystroke_s"]}

    def live(self, db: Path, facts: Facts, info: dict) -> dict[str, list[float]]:
        copy = dbcache.working_copy(db, self.work)
        try:
            r = self.child("live", copy, {"size": TERM_SIZE, "runs": self.runs, "stream": facts.stream})
        finally:
            _remove_db(copy)
        return {"live.refresh": r["live_refresh_s"]}

    def services(self, db: Path, facts: Facts, info: dict) -> dict[str, list[float]]:
        from sprinttui.services import catchup, open_ctx, reports

        ctx = open_ctx(str(db), "bench")
        try:
            calls = {
                "svc.report": lambda: reports.sprint_report(ctx, "current"),
                "svc.burndown": lambda: reports.burndown(ctx, "current"),
                "svc.catchup": lambda: catchup.catchup_plan(ctx),
                "svc.velocity": lambda: reports.velocity(ctx),
            }
            return {k: timed(fn, self.runs) for k, fn in calls.items()}
        finally:
            ctx.db.dispose()

    def export(self, db: Path, facts: Facts, info: dict) -> dict[str, list[float]]:
        from sprinttui.export import export_sprint
        from sprinttui.services import open_ctx

        ctx = open_ctx(str(db), "bench")
        out = {}
        try:
            info["export_sprint_items"] = facts.sprint_items
            for fmt in ("md", "html", "json", "csv"):
                sizes = []
                def export_once(f=fmt, sizes=sizes):
                    sizes.append(len(export_sprint(ctx, f, sprint="current")))

                out[f"export.{fmt}"] = timed(export_once, self.runs)
                info[f"export_{fmt}_chars"] = sizes[-1]
        finally:
            ctx.db.dispose()
        return out

    # -- size-independent ------------------------------------------------------------
    def cli_help(self, info: dict) -> dict[str, list[float]]:
        # what a bare `--help` imports: the command line is meant to stay lean
        proc = run_checked([sys.executable, "-X", "importtime", "-m", "sprinttui", "--help"])
        top = set()
        for line in proc.stderr.splitlines():
            name = line.rsplit("|", 1)[-1].strip()
            if line.startswith("import time:") and name and not name.startswith("package"):
                top.add(name.split(".")[0])
        info["help_imports_heavy"] = sorted(top & {"textual", "alembic", "sqlalchemy", "sqlmodel", "rich"})
        return {"cli.help": timed(lambda: run_checked([*self.cli, "--help"]), self.runs)}

    def jira_import(self, info: dict) -> dict[str, list[float]]:
        from sprinttui.importers.jira.sample import make_sample_csv

        csv_path = self.work / "jira.csv"
        make_sample_csv(csv_path, IMPORT_ROWS, seed=1)
        samples = []
        for i in range(self.runs):
            db = self.work / f"jira-{i}.db"
            run_checked([*self.cli, "--db", str(db), "--user", "bench", "init"])
            t0 = time.perf_counter()
            proc = subprocess.Popen([*self.cli, "--db", str(db), "--user", "bench", "import", "jira-csv",
                                     str(csv_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            _pid, status, usage = os.wait4(proc.pid, 0)  # the child's own peak memory
            samples.append(time.perf_counter() - t0)
            out, err = proc.communicate()
            if os.waitstatus_to_exitcode(status) != 0:
                raise RuntimeError(f"import jira-csv exited {os.waitstatus_to_exitcode(status)}: {err.strip()[-800:]}")
            info["jira_import_summary"] = out.strip().splitlines()[1:2]
            info["jira_import_peak_mb"] = round(usage.ru_maxrss / 1024)
            _remove_db(db)
        return {"import.jira": samples}


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    for backup in path.parent.glob(f"{path.name}.backup-*"):
        backup.unlink()


# --------------------------------------------------------------------------- table


def fmt_value(v: float, unit: str) -> str:
    if unit == "MB":
        return f"{v:.0f} MB"
    if v >= 1:
        return f"{v:.2f} s"
    ms = v * 1000
    return f"{ms:.1f} ms" if ms < 10 else f"{ms:.0f} ms"


def fmt_spread(st: dict, unit: str) -> str:
    med = fmt_value(st["median"], unit)
    if st["runs"] < 2:
        return med
    lo, hi = st["min"], st["max"]
    if unit == "MB":
        return f"{med} ({lo:.0f}–{hi:.0f})"
    if st["median"] >= 1:
        return f"{med} ({lo:.2f}–{hi:.2f})"
    return f"{med} ({lo * 1000:.0f}–{hi * 1000:.0f})"


def fmt_target(m: Measure) -> str:
    if m.target is None:
        return ""
    return "≤ " + (f"{m.target:.0f} MB" if m.unit == "MB" else fmt_value(m.target, "s"))


def evaluate(results: dict) -> None:
    """Targets at 10,000 items (else at the largest size measured) and growth 10k → 50k."""
    sizes = [int(s) for s in results["sizes"]]
    at = TARGET_SIZE if TARGET_SIZE in sizes else (max(sizes) if sizes else None)
    checks, growth = [], {}
    for m in MEASURES:
        if m.target is not None:
            st = (results["sizes"].get(str(at), {}).get("measures", {}).get(m.id) if m.per_size
                  else results["independent"].get(m.id))
            if st:
                checks.append({"measure": m.id, "size": at if m.per_size else None, "median": st["median"],
                               "target": m.target, "unit": m.unit, "ok": st["median"] <= m.target})
        if m.growth:
            a = results["sizes"].get(str(GROWTH_FROM), {}).get("measures", {}).get(m.id)
            b = results["sizes"].get(str(GROWTH_TO), {}).get("measures", {}).get(m.id)
            if a and b and a["median"] > 0:
                pct = (b["median"] / a["median"] - 1) * 100
                growth[m.id] = {"percent": round(pct, 1), "limit": GROWTH_LIMIT, "ok": pct < GROWTH_LIMIT}
    results["targets_at_size"] = at
    results["checks"] = checks
    results["growth"] = growth


def phase_table(results: dict) -> list[str]:
    """Where a screen's opening time goes, at the size the targets are checked at."""
    at = results.get("targets_at_size")
    phases = results["sizes"].get(str(at), {}).get("info", {}).get("screen_phases_ms") if at else None
    if not phases:
        return []
    names = list(next(iter(phases.values())).keys())
    out = ["", f"opening a screen at {at:,} items, median ms per phase:",
           f"  {'screen':<12}" + "".join(f"{n:>9}" for n in names) + f"{'total':>9}"]
    for mode, parts in phases.items():
        total = results["sizes"][str(at)]["measures"].get(f"screen.{mode}", {}).get("median", float("nan"))
        out.append(f"  {mode:<12}" + "".join(f"{parts.get(n, float('nan')):>9.0f}" for n in names)
                   + f"{total * 1000:>9.0f}")
    out.append("  mount: key → screen mounted (switch, import, compose, styles); start: → load started; "
               "load: the services, in a worker thread;")
    out.append("  queue: load done → show starts (UI thread busy); show: widgets filled; "
               "repaint: show done → screen refreshed; settle: → nothing left to paint")
    return out


def table(results: dict) -> str:
    sizes = [int(s) for s in results["sizes"]]
    checks = {c["measure"]: c for c in results["checks"]}
    growth = results["growth"]
    label_w = max(len(m.label) for m in MEASURES)
    col_w = 22
    head = f"{'measure':<{label_w}}  " + "".join(f"{f'{n:,} items':>{col_w}}" for n in sizes)
    head += f"  {'target':>9}  ok" + (f"  {'growth 10k→50k':>15}" if growth else "")
    lines = [head, "-" * len(head)]
    for m in MEASURES:
        if not m.per_size:
            continue
        cells = []
        have = False
        for n in sizes:
            st = results["sizes"][str(n)].get("measures", {}).get(m.id)
            have = have or st is not None
            cells.append(fmt_spread(st, m.unit) if st else "—")
        if not have:
            continue
        c = checks.get(m.id)
        mark = ("✓" if c["ok"] else "✗") if c else " "
        g = growth.get(m.id)
        gtxt = f"{g['percent']:+.0f} % {'✓' if g['ok'] else '✗'}" if g else ""
        lines.append(f"{m.label:<{label_w}}  " + "".join(f"{c_:>{col_w}}" for c_ in cells)
                     + f"  {fmt_target(m):>9}  {mark:^2}" + (f"  {gtxt:>15}" if growth else ""))
    indep = [m for m in MEASURES if not m.per_size and m.id in results["independent"]]
    if indep:
        lines.append("")
        for m in indep:
            st = results["independent"][m.id]
            c = checks.get(m.id)
            mark = ("✓" if c["ok"] else "✗") if c else " "
            lines.append(f"{m.label:<{label_w}}  {fmt_spread(st, m.unit):>{col_w}}  {fmt_target(m):>9}  {mark}")
    lines.append("")
    at = results.get("targets_at_size")
    note = "median (min–max) of the runs"
    if at:
        note += f"; ✓/✗: the median at {at:,} items against the target"
        if at != TARGET_SIZE:
            note += f" (the targets are set for {TARGET_SIZE:,} items)"
    lines.append(note)
    if results["growth"]:
        lines.append(f"growth: 10,000 → 50,000 items, limit < {GROWTH_LIMIT:.0f} %")
    for m in MEASURES:
        if m.target_note and m.id in checks:
            lines.append(f"target of “{m.label}”: {m.target_note}")
    lines += phase_table(results)
    heavy = results.get("independent_info", {}).get("help_imports_heavy")
    if heavy is not None:
        what = ", ".join(heavy) if heavy else "none of textual, alembic, sqlalchemy, sqlmodel, rich"
        lines.append(f"sprinttui --help imports {what}")
    for n in sizes:
        db = results["sizes"][str(n)].get("db", {})
        if db:
            lines.append(f"{n:,} items: {db.get('active_sprint_items', '?')} in the active sprint, "
                         f"database {db.get('file_mb', '?')} MB")
    mc = results["machine"]
    la = results["load_average"]
    lines.append(f"machine: {mc['cpu']}, {mc['cores_usable']} cores, Python {mc['python']}, "
                 f"SQLite {mc['sqlite']}, Textual {mc['textual']}; {mc['date']}")
    lines.append(f"load average (1/5/15 min) at start {la.get('start')}, at end {la.get('end')}; "
                 f"runs per figure: {results['settings']['runs']}")
    return "\n".join(line.rstrip() for line in lines)


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="sprinttui benchmarks: print figures beside their targets.")
    ap.add_argument("--quick", action="store_true", help="1,000 items, one run each (for CI)")
    ap.add_argument("--sizes", help="comma-separated item counts (default 1000,10000,50000)")
    ap.add_argument("--runs", type=int, help="runs per figure (default 5, with --quick 1)")
    ap.add_argument("--only", help="comma-separated groups: " + ",".join(GROUPS))
    ap.add_argument("--cache", type=Path, default=HERE / ".cache", help="folder for the seeded databases")
    ap.add_argument("--out", type=Path, help="results file (default bench/results.json; "
                                             "with --quick bench/results-quick.json)")
    args = ap.parse_args(argv)
    try:
        args.size_list = ([int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()] if args.sizes
                          else [1_000] if args.quick else list(SIZES))
    except ValueError:
        ap.error(f"--sizes: whole numbers separated by commas, not {args.sizes!r}")
    if not args.size_list or any(n < 100 for n in args.size_list):
        ap.error("--sizes: each size must be at least 100 items")
    args.group_list = [g.strip() for g in args.only.split(",") if g.strip()] if args.only else list(GROUPS)
    unknown = [g for g in args.group_list if g not in GROUPS]
    if unknown:
        ap.error(f"--only: unknown group {', '.join(unknown)}; choose from {', '.join(GROUPS)}")
    args.runs = args.runs or (1 if args.quick else 5)
    if args.runs < 1:
        ap.error("--runs must be 1 or more")
    args.out = args.out or HERE / ("results-quick.json" if args.quick else "results.json")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from sprinttui.tui.app import SCREENS

    if [tuple(s) for s in SCREENS] != SCREEN_NAMES:
        log(f"note: the app's screens changed ({[s[1] for s in SCREENS]}); update SCREEN_NAMES in bench/run.py")
    cli = find_cli()
    compiled = byte_compile_app()
    if not compiled["byte_compiled"]:
        log(f"note: could not byte-compile {compiled['package']}; start-up figures include compiling it")
    t_start = time.perf_counter()
    results: dict = {
        "machine": machine.info(REPO),
        "settings": {"quick": args.quick, "runs": args.runs, "sizes": args.size_list, "groups": args.group_list,
                     "terminal": f"{TERM_SIZE[0]}x{TERM_SIZE[1]}", "cli": cli, "app_code": compiled,
                     "targets_for": f"{TARGET_SIZE:,} items (2-core machine)"},
        "load_average": {"start": machine.load_average()},
        "measures": {m.id: {"label": m.label, "unit": m.unit, "target": m.target, "growth_checked": m.growth,
                            "per_size": m.per_size} for m in MEASURES},
        "sizes": {},
        "independent": {},
        "errors": [],
    }
    errors = results["errors"]

    def record(where: dict, name: str, size: int | None, fn, *a) -> None:
        log(f"  {name}{f' @ {size:,}' if size else ''} …")
        try:
            got = fn(*a)
        except Exception as err:  # a failed measurement is reported, the others still run
            errors.append({"group": name, "size": size, "error": f"{type(err).__name__}: {err}"})
            log(f"  ERROR in {name}{f' @ {size:,}' if size else ''}: {type(err).__name__}: {err}")
            log("".join(traceback.format_exception(err)[-6:]))
            return
        for k, samples in got.items():
            where[k] = stats(samples)

    with tempfile.TemporaryDirectory(prefix="sprinttui-bench-") as tmp:
        bench = Bench(args.runs, cli, Path(tmp))
        per_size = {"paint": bench.paint, "cli": bench.cli_sized, "screens": bench.screens,
                    "interact": bench.interact, "live": bench.live, "services": bench.services,
                    "export": bench.export}
        for n in args.size_list:
            entry: dict = {"load_average": machine.load_average(), "measures": {}, "info": {}}
            results["sizes"][str(n)] = entry
            wanted = [g for g in args.group_list if g in per_size]
            if not wanted:
                continue
            try:
                db, seed_info = dbcache.seeded_db(args.cache, n, cli, log=log)
                facts = probe(db)
            except Exception as err:
                errors.append({"group": "seed", "size": n, "error": f"{type(err).__name__}: {err}"})
                log(f"ERROR preparing {n:,} items: {err}")
                continue
            entry["db"] = {**seed_info, "file": db.name, "file_mb": round(db.stat().st_size / 2**20, 1),
                           "active_sprint": facts.sprint, "first_card": facts.first_card}
            log(f"{n:,} items: {db.name} ({facts.sprint_items} in {facts.sprint}), load {entry['load_average']}")
            for g in wanted:
                record(entry["measures"], g, n, per_size[g], db, facts, entry["info"])
        info = results.setdefault("independent_info", {})
        if "cli" in args.group_list:
            record(results["independent"], "cli --help", None, bench.cli_help, info)
        if "import" in args.group_list:
            record(results["independent"], "import", None, bench.jira_import, info)
    results["load_average"]["end"] = machine.load_average()
    results["seconds"] = round(time.perf_counter() - t_start, 1)
    evaluate(results)
    text = table(results)
    results["table"] = text.splitlines()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(text)
    print(f"\n{results['seconds']:.0f} s in all; figures written to {args.out}")
    if errors:
        print(f"\n{len(errors)} measurement(s) FAILED:", file=sys.stderr)
        for e in errors:
            print(f"  {e['group']}{' @ ' + format(e['size'], ',') if e['size'] else ''}: {e['error']}",
                  file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
