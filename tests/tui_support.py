"""Helpers shared by the Pilot tests of the app: an instrumented app, waiting
until writes are handled, and reading the board."""

from __future__ import annotations

from textual.screen import ModalScreen

from sprinttui.tui.app import SprintTuiApp
from sprinttui.tui.screens.board import BoardScreen


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
    notify, submit_write, write_finished = app.notify, app.submit_write, app._write_finished

    def recording_notify(message, **options):
        log.append((options.get("severity", "information"), str(message)))
        return notify(message, **options)

    def counting_submit_write(op, **options):
        counts["submitted"] += 1
        return submit_write(op, **options)

    def counting_write_finished(*args):
        try:
            return write_finished(*args)
        finally:
            counts["finished"] += 1

    app.notify = recording_notify
    app.submit_write = counting_submit_write
    app._write_finished = counting_write_finished
    app.note_log, app.write_counts = log, counts
    return app


def notes(app) -> list[str]:
    return app.note_log.texts()


def error_notes(app) -> list[str]:
    return app.note_log.errors()


async def settle(app, pilot) -> None:
    """Wait until every write handed to the writer has been handled on the UI
    thread (notification, undo entry, reload) and the reloads are shown.

    app.settle() alone is not enough: a write leaves app._pending a moment
    before its outcome reaches the UI thread. And while a dialog is open its
    worker waits for the answer, so app.settle() (which waits for every
    worker) is only called with no dialog on top."""
    counts = app.write_counts
    for _ in range(400):  # ~20 s at worst; normally one or two rounds
        await pilot.pause()
        if counts["finished"] < counts["submitted"]:
            await pilot.pause(0.05)
            continue
        if isinstance(app.screen, ModalScreen):
            break
        await app.settle()
        if counts["finished"] == counts["submitted"]:
            break
    else:
        raise AssertionError(f"writes never finished: {counts}")
    await pilot.pause()


async def press(app, pilot, *keys: str) -> None:
    await press_keys(app, pilot, keys, settle)


def busy(app) -> bool:
    """A key started something not finished yet: a write, or a worker (a
    dialog reads in a worker before its modal opens)."""
    return bool(app._pending) or any(w.is_running and w.group != "poll" for w in app.workers)


async def press_keys(app, pilot, keys, settle) -> None:
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


def board_of(app) -> BoardScreen:
    assert isinstance(app.screen, BoardScreen), f"expected the board, got {app.screen!r}"
    return app.screen


def keys_by_column(app) -> list[list[str]]:
    return [[c.key for c in col.cards] for col in board_of(app).columns]


def focused_key(app) -> str | None:
    card = board_of(app).focused_card
    return card.key if card else None
