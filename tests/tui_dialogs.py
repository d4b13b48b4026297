"""Pilot helpers shared by the planning and team tests: waiting for writes and
reloads also while a dialog is open (app.settle() waits for the dialog's worker,
which waits for the answer)."""

from __future__ import annotations

import asyncio

from textual.screen import ModalScreen
from textual.worker import WorkerState

from tui_support import press_keys

RUNNING = (WorkerState.PENDING, WorkerState.RUNNING)


async def drain_writes(app) -> None:
    """Wait until every queued write has finished, its result handled on the UI
    thread included: the writer runs one job at a time and a job's completion
    callbacks run before the next job starts."""
    await asyncio.wrap_future(app._writer.submit(lambda: None))


async def settle(app, pilot) -> None:
    """Wait for queued writes and reloads. A dialog worker waits for the answer
    of its modal, so app.settle() (which waits for every worker) is only used
    when no dialog is running; while a modal is open, only the writes and the
    other workers are awaited."""
    for _ in range(2000):
        await pilot.pause()
        dialogs = [w for w in app.workers if w.group == "dialog" and w.state in RUNNING]
        if not dialogs:
            for _round in range(2):
                await drain_writes(app)
                await app.settle()
                await pilot.pause()
            break
        if isinstance(app.screen, ModalScreen):
            await drain_writes(app)
            others = [w for w in app.workers if w.group != "dialog" and w.state == WorkerState.RUNNING]
            if others:
                await app.workers.wait_for_complete(others)
            break
        await asyncio.sleep(0.005)  # the dialog worker is reading before it opens its modal
    else:  # pragma: no cover
        raise AssertionError("the screen did not settle")
    await pilot.pause()


async def press(app, pilot, *keys: str) -> None:
    await press_keys(app, pilot, keys, settle)


async def type_text(app, pilot, text: str) -> None:
    await pilot.press(*list(text))
    await settle(app, pilot)
