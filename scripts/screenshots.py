"""Save an SVG of every screen of the demo project into screenshots/.

    python scripts/screenshots.py [--size 120x36] [--out screenshots]

The demo is built for a fixed day with a fixed clock, so the pictures are the
same on every run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

os.environ.setdefault("TEXTUAL_ANIMATION", "none")

DEMO_DAY = date(2026, 3, 18)
NOW = datetime(2026, 3, 18, 10, 0, tzinfo=UTC)
SHOTS = [
    ("1", "board"), ("2", "backlog"), ("3", "planning"), ("4", "standup"),
    ("5", "evaluations"), ("6", "catchup"), ("7", "kpis"), ("8", "team"),
]


async def take(out: Path, size: tuple[int, int]) -> list[Path]:
    from sprinttui.demo import create_demo
    from sprinttui.services import open_ctx
    from sprinttui.tui.app import SprintTuiApp

    saved = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SPRINTTUI_CONFIG"] = str(Path(tmp) / "config.json")
        ctx = replace(open_ctx(str(Path(tmp) / "demo.db"), "maria"), clock=lambda: NOW)
        create_demo(ctx, today=DEMO_DAY)
        app = SprintTuiApp(ctx, watch=False)
        async with app.run_test(size=size) as pilot:
            for key, name in SHOTS:
                await pilot.press(key)
                await app.settle()
                await pilot.pause()
                saved.append(Path(app.save_screenshot(f"{name}.svg", path=str(out))))
            await pilot.press("1")
            await app.settle()
            await pilot.pause()
            await pilot.press("enter")  # the item editor on the focused card
            await app.settle()
            await pilot.pause(0.3)
            saved.append(Path(app.save_screenshot("item-editor.svg", path=str(out))))
        ctx.db.dispose()
    return saved


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="120x36")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "screenshots"))
    args = ap.parse_args()
    w, h = (int(x) for x in args.size.lower().split("x"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for p in asyncio.run(take(out, (w, h))):
        print(p)


if __name__ == "__main__":
    main()
