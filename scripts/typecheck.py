"""Type-check src/ with pyright (basic mode) against a baseline that only shrinks.

    python scripts/typecheck.py            # fails on any error the baseline does not hold
    python scripts/typecheck.py --update   # after fixing errors: write the smaller baseline

The baseline (scripts/pyright-baseline.json) counts the errors pyright reported
when it was written, by rule and message (not by line or file, so moving code
does not disturb it). A run fails when any rule-and-message has more errors
than the baseline holds: new code type-checks clean. `--update` refuses to
write a baseline with more errors in all than the one checked in.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scripts" / "pyright-baseline.json"


def run_pyright() -> list[dict]:
    proc = subprocess.run(["pyright", "--outputjson", "-p", str(ROOT)], capture_output=True, text=True, cwd=ROOT)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        sys.exit(f"pyright did not run: {proc.stderr.strip() or proc.stdout.strip()}")
    return [d for d in report["generalDiagnostics"] if d["severity"] == "error"]


def key(diag: dict) -> str:
    return f"{diag.get('rule', '-')}: {diag['message'].splitlines()[0]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="write the baseline from this run")
    args = parser.parse_args()
    errors = run_pyright()
    counts = Counter(key(d) for d in errors)
    baseline = Counter(json.loads(BASELINE.read_text(encoding="utf-8"))) if BASELINE.exists() else Counter()
    if args.update:
        if BASELINE.exists() and sum(counts.values()) > sum(baseline.values()):
            print(f"pyright: {sum(counts.values())} errors, more than the baseline's {sum(baseline.values())}; "
                  "fix the new ones instead", file=sys.stderr)
            return 1
        BASELINE.write_text(json.dumps(dict(sorted(counts.items())), indent=1, ensure_ascii=False) + "\n",
                            encoding="utf-8")
        print(f"pyright: baseline written, {sum(counts.values())} errors")
        return 0
    new = {k: n - baseline[k] for k, n in counts.items() if n > baseline[k]}
    if new:
        print(f"pyright: {sum(new.values())} new type errors (not in {BASELINE.relative_to(ROOT)}):")
        for d in errors:
            if key(d) in new:
                where = Path(d["file"]).resolve().relative_to(ROOT)
                print(f"  {where}:{d['range']['start']['line'] + 1}: {key(d)}")
        return 1
    fixed = sum(baseline.values()) - sum(counts.values())
    print(f"pyright: {sum(counts.values())} known errors, none new"
          + (f"; {fixed} fixed: run `python scripts/typecheck.py --update` to shrink the baseline" if fixed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
