"""Finding 11: a Jira CSV row with fewer fields than the header is reported as bad
(its line number, skipped), like a row with too many, instead of being imported
with its missing cells read as empty (which put it into the "JIRA" stream)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sprinttui.importers.jira.sample import HEADER


def _run(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sprinttui", "--db", str(db), "--user", "tester", *args],
                          capture_output=True, text=True, timeout=120)


def test_a_short_row_is_reported_with_its_line_and_skipped(tmp_path):
    full = ["Good row", "OPS-1", "1", "Story", "To Do", "OPS", "Ops", "Medium", "", "", "", "01/Nov/26 9:00 AM",
            "01/Nov/26 9:00 AM", "", "", "", "", "Sales", "", "", "", "", "3", "", ""]
    assert len(full) == len(HEADER)
    short = ["Short row", "OPS-2", "2", "Story", "To Do"]  # 5 of the header's fields
    path = tmp_path / "short.csv"
    path.write_text("\n".join(",".join(r) for r in (HEADER, full, short)) + "\n", encoding="utf-8")
    db = tmp_path / "p.db"
    assert _run(db, "init").returncode == 0
    proc = _run(db, "import", "jira-csv", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [
        f"sprinttui: skipped line 3: OPS-2: the row has 5 fields but the header {len(HEADER)}; check its quoting"]
    report = json.loads(proc.stdout)
    assert report["counts"]["created"] == 1 and report["counts"]["skipped"] == 1
    assert report["skipped"][0]["line"] == 3
    items = json.loads(_run(db, "item", "list", "--json").stdout)
    assert [i["title"] for i in items] == ["Good row"]
    assert all(s["key"] != "JIRA" for s in report["streams"])
