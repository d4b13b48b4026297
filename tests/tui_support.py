"""Helpers shared by the Pilot tests of the app: an instrumented app, waiting
until writes are handled, and reading the board."""

from __future__ import annotations

import asyncio
import time

from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.worker import WorkerState

from sprinttui.tui.app import SprintTuiApp
from sprinttui.tui.screens.board import BoardScreen
from sprinttui.tui.writes import EVERYTHING, DataChanged

RUNNING = (WorkerState.PENDING, WorkerState.RUNNING)


class NoteLog(list):
    """Every notification the app raised as (severity, text); unlike the app's
    own list it keeps those whose timeout has passed."""

    def texts(self) -> list[str]:
        return [text for _severity, text in self]

    def errors(self) -> list[str]:
        return [text for severity, text in self if severity == "error"]


def make_app(c, **kw) -> SprintTuiApp:
    """A SprintTuiApp (watch=False unless given) instrumented for the tests:
    app.note_log records notifications; app.write_counts counts writes handed
    to the writer thread and writes whose outcome the UI thread has handled."""
    kw.setdefault("watch", False)
    app = SprintTuiApp(c, **kw)
    log = NoteLog()
    counts = {"submitted": 0, "finished": 0}
    notify, perform, write_finished = app.notify, app.perform, app._write_finished

    def recording_notify(message, **options):
        log.append((options.get("severity", "information"), str(message)))
        return notify(message, **options)

    def counting_perform(write, **options):
        counts["submitted"] += 1
        return perform(write, **options)

    def counting_write_finished(*args):
        try:
            return write_finished(*args)
        finally:
            counts["finished"] += 1

    app.notify = recording_notify
    app.perform = counting_perform
    app._write_finished = counting_write_finished
    app.note_log, app.write_counts = log, counts
    return app


def changed_elsewhere(app) -> None:
    """What the change poll does when another process wrote to the database."""
    app.post_message(DataChanged(EVERYTHING, external=True))


def notes(app) -> list[str]:
    return app.note_log.texts()


def error_notes(app) -> list[str]:
    return app.note_log.errors()


#: seconds after which settle calls the app hung; each round ends as soon as
#: what it waits for is done, so this bounds only a real hang, never a verdict
HANG_SECONDS = 120


def _drain_writes(app):
    """A future that is done once every write queued so far has finished and
    its outcome was handled on the UI thread: the writer runs one job at a
    time, and a job's completion (which hands the outcome to the UI thread and
    waits for it there) runs before the next job starts."""
    writer = getattr(app, "_writer", None)  # a plain Textual app (widget tests) has none
    if writer is None:
        return None
    try:
        return asyncio.wrap_future(writer.submit(lambda: None))
    except RuntimeError:  # the app has closed its writer
        return None


def _pending(app) -> set:
    """Writes handed to the writer whose outcome the UI thread has not handled yet."""
    return getattr(app, "_pending", set())


def _waiting_workers(app) -> list:
    """Workers still doing what a key started. A dialog's worker that has
    opened its modal waits for the answer: it is done as far as the test is
    concerned. The change poll runs for ever and is not waited for."""
    modal_on_top = isinstance(app.screen, ModalScreen)
    return [w for w in app.workers
            if w.state in RUNNING and w.group != "poll" and (w._thread_worker or not modal_on_top)]


def _holding(app) -> bool:
    """Keys wait while a screen opens, or are still going on to it (SprintTuiApp.hold_keys)."""
    return getattr(app, "holding_keys", False)


def _screen_ready(app) -> bool:
    screen = app.screen
    # the item editor is ready once mounted, its values read back (ItemEditor._built)
    return screen.is_mounted and getattr(screen, "_built", True)


async def settle(app, pilot) -> None:
    """Wait until everything the last key started is done and shown: queued
    writes and their outcome on the UI thread (notification, undo entry,
    reloads), the loading workers, a dialog's worker up to its modal, the
    screen being mounted. It waits on those conditions, never for a time, so
    it gives the same answer on a busy machine, only later."""
    deadline = time.monotonic() + HANG_SECONDS
    while time.monotonic() < deadline:
        await pilot.pause()
        drained = _drain_writes(app)
        if drained is not None:
            await drained
        threads = [w for w in _waiting_workers(app) if w._thread_worker]
        if threads:
            await app.workers.wait_for_complete(threads)
            continue
        if _pending(app) or _waiting_workers(app) or not _screen_ready(app) or _holding(app):
            continue  # a write's outcome, an async worker, a mount or held keys are on their way through the loop
        await pilot.pause()  # draw what the last outcome changed
        if not (_pending(app) or _waiting_workers(app) or _holding(app)):
            return
    raise AssertionError(f"the app never settled: pending writes {len(_pending(app))}, "
                         f"workers {[w.name for w in _waiting_workers(app)]}, screen {app.screen!r}")


async def until(pilot, condition, what: str) -> None:
    """Let the app run until condition() holds (checked after each idle
    moment); fail only after HANG_SECONDS, so a slow machine just takes longer."""
    deadline = time.monotonic() + HANG_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        await pilot.pause()


async def press(app, pilot, *keys: str) -> None:
    await press_keys(app, pilot, keys, settle)


def busy(app) -> bool:
    """A key started something not finished yet: a write, or a worker (a
    dialog reads in a worker before its modal opens), or a screen opening
    that holds the keys typed meanwhile."""
    return bool(_pending(app)) or bool(_waiting_workers(app)) or not _screen_ready(app) or _holding(app)


async def press_keys(app, pilot, keys, settle=settle) -> None:
    """Press the keys in order. Before the next key, wait with `settle` when the
    last one started something: otherwise the next key reaches the screen
    before the dialog the last one opens (a race seen in CI)."""
    for i, key in enumerate(keys):
        await pilot.press(key)
        if i < len(keys) - 1 and busy(app):
            await settle(app, pilot)
    await settle(app, pilot)


async def type_text(app, pilot, text: str) -> None:
    """Type literally (each character is one key press)."""
    await pilot.press(*list(text))
    await settle(app, pilot)


def dialog_text(app) -> str:
    """What the open dialog shows inside its frame, as drawn: its rows joined
    with spaces, so a text wrapped over several lines reads as one (and a text
    cut at the dialog's edge is not all there)."""
    screen = app.screen
    assert isinstance(screen, ModalScreen), f"expected a dialog, got {screen!r}"
    box = screen.query_one(Vertical).scrollable_content_region  # inside the frame's border, padding and scrollbar
    rows = ["".join(seg.text for seg in strip) for strip in screen._compositor.render_strips()]
    return " ".join(" ".join(row[box.x:box.right].split()) for row in rows[box.y:box.bottom] if row.strip()).strip()


def board_of(app) -> BoardScreen:
    assert isinstance(app.screen, BoardScreen), f"expected the board, got {app.screen!r}"
    return app.screen


def keys_by_column(app) -> list[list[str]]:
    return [[c.key for c in col.cards] for col in board_of(app).columns]


def focused_key(app) -> str | None:
    card = board_of(app).focused_card
    return card.key if card else None
