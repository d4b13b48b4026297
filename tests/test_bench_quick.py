"""The benchmark's entry point runs a chosen part of the suite on a small database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

RUN = Path(__file__).resolve().parent.parent / "bench" / "run.py"


def bench(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(RUN), *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def test_quick_run_of_chosen_groups_writes_their_figures(tmp_path):
    out = tmp_path / "results.json"
    proc = bench("--quick", "--only", "paint,services", "--cache", str(tmp_path / "cache"), "--out", str(out),
                 cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    res = json.loads(out.read_text())
    measures = res["sizes"]["1000"]["measures"]
    # the chosen groups only: the app's start through a terminal, and the service calls
    assert set(measures) == {"paint.first", "paint.complete", "paint.quit", "paint.rss",
                             "svc.report", "svc.burndown", "svc.catchup", "svc.velocity"}
    for st in measures.values():
        assert st["runs"] == 1 and st["min"] <= st["median"] <= st["max"] and st["median"] > 0
    # the board is painted before it is complete, and a real process was measured
    assert measures["paint.first"]["median"] <= measures["paint.complete"]["median"]
    assert measures["paint.rss"]["median"] > 20
    assert res["sizes"]["1000"]["db"]["active_sprint_items"] == 100
    assert res["errors"] == []
    assert res["machine"]["cores"] >= 1 and res["load_average"]["start"] is not None
    # the table names each figure beside its target
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("service: sprint report"))
    assert "≤ 100 ms" in line and ("✓" in line or "✗" in line)
    assert "open screen" not in proc.stdout
    # the database is cached: a second run does not seed again
    cached = list((tmp_path / "cache").glob("seed-1000-*.db"))
    assert len(cached) == 1
    again = bench("--quick", "--only", "services", "--cache", str(tmp_path / "cache"), "--out", str(out),
                  cwd=tmp_path)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "seeding" not in again.stderr
    assert list((tmp_path / "cache").glob("seed-1000-*.db")) == cached


def test_unknown_group_is_refused(tmp_path):
    proc = bench("--only", "paint,nope", "--out", str(tmp_path / "r.json"), cwd=tmp_path)
    assert proc.returncode == 2
    assert "unknown group nope" in proc.stderr
    assert not (tmp_path / "r.json").exists()
