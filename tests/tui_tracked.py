"""Pilot helpers shared by the backlog and item-editor tests: an app that
counts its unfinished writes, and waiting until what a key press started is done."""

from __future__ import annotations

import asyncio
import threading

from sprinttui.tui.app import SprintTuiApp
from sprinttui.tui.editor import ItemEditor
from tui_support import press_keys


def new_app(c, **kw) -> SprintTuiApp:
    app = SprintTuiApp(c, watch=False, **kw)
    track_writes(app)
    return app


def track_writes(app: SprintTuiApp) -> None:
    """Count the writes whose result has not reached the UI yet.

    app.settle() can return between a write finishing on the writer thread and
    its done / conflict callback running on the UI thread (submit_write drops
    the future from app._pending before it hands the result over), so tests
    also wait for this count to drop to zero. And an op that finishes before
    submit_write has added its done callback loses its callbacks (the callback
    then runs on the UI thread, where call_from_thread raises), so ops here
    start only once submit_write has returned — as the screens' own writes do
    (sprinttui.tui.editor.submit_write); this covers the app's own (undo).
    """
    app.unfinished_writes = 0
    submit, finished = app.submit_write, app._write_finished

    def submit_write(op, **kw):
        app.unfinished_writes += 1
        hooked = threading.Event()

        def run():
            hooked.wait(10)
            return op()

        try:
            return submit(run, **kw)
        finally:
            hooked.set()

    def write_finished(*args):
        try:
            return finished(*args)
        finally:
            app.unfinished_writes -= 1

    app.submit_write = submit_write
    app._write_finished = write_finished


def busy(app) -> bool:
    """Work started by a key press that app.settle() may not see yet: a write
    whose result has not reached the UI, a screen still mounting, an editor
    whose data has not arrived."""
    screen = app.screen
    if app.unfinished_writes or not screen.is_mounted:
        return True
    return isinstance(screen, ItemEditor) and not screen._built


async def settle(app, pilot) -> None:
    """Wait (no timing assumptions) until the app has finished what was started."""
    for _ in range(1000):
        await app.settle()
        await pilot.pause()
        if not busy(app):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the app never settled")


async def press(app, pilot, *keys: str) -> None:
    await press_keys(app, pilot, keys, settle)
