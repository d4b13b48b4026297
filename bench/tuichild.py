"""Runs the app headless under Textual's Pilot in a fresh process and times it.

    python bench/tuichild.py MODE DB [JSON-OPTIONS]

Prints one JSON object on its last line. Modes:

screens   press 2…8, then 1 (on a new board screen): key press → the screen's
          data shown, the screen repainted and nothing left to paint (see
          settled); and the peak memory after all eight.
interact  card moves on the board at rest (key → card repainted in the next column;
          → saved; → board reloaded after the save), then backlog search keystrokes
          (key → filtered table repainted and settled). Writes: give it a copy of the database.
live      the app watching the database (watch=True); another process adds an
          item to the active sprint (the service call ``sprinttui item add``
          makes) and prints the wall-clock time right after its commit; time
          from that commit until the board shows the new card (commits at random
          points of the app's one-second poll). Writes: a copy.

Measured keys are delivered with `send_key`, as the terminal driver delivers
them, and not with ``Pilot.press``: that one returns only once the process has
been idle for a while (its CPU time, worker threads included, not advancing),
so the time it took would count the harness's wait and any background work
still running after the screen is painted.

"Repainted" means: the hook on the screen's ``show`` schedules a callback with
``call_after_refresh``, which Textual runs once the screen has been refreshed
(the compositor has rendered the changed lines; headless, so nothing is encoded
for a terminal).
"""

from __future__ import annotations

import asyncio
import json
import random
import resource
import subprocess
import sys
import time

# another process: adds an item to the active sprint, prints the wall clock after the commit
WRITER = """
import sys, time
from sprinttui.services import items, open_ctx
ctx = open_ctx(sys.argv[1], "other-process")
top = items.list_items(ctx, sprint="current", status="todo", order="rank", limit=1)
row = items.create_item(ctx, sys.argv[2], stream=sys.argv[3], sprint="current")
if top:  # to the top of To do, where the board shows it without scrolling
    items.rerank(ctx, row.key, before=top[0].key)
print(repr(time.time()), flush=True)
"""


def send_key(app, char: str) -> None:
    """Press the key that types `char` (one character), as the terminal driver
    does; unlike ``Pilot.press`` it does not wait for anything."""
    from textual import events
    from textual.keys import _character_to_key

    key = char if char.isalnum() else _character_to_key(char)
    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)


def _displayed(scr):
    """The screen's widgets that are displayed (a widget with ``display: none``,
    and all under it, is never painted, so it has nothing left to paint)."""
    stack = list(reversed(scr.children))
    while stack:
        node = stack.pop()
        if not node.display:
            continue
        yield node
        stack.extend(reversed(node.children))


def settled(scr) -> bool:
    """Nothing the screen has to show is still waiting: no widget to repaint,
    lay out or restyle, no DataTable rows to measure, no layout or update
    message queued. (The first refresh after `show` can come before a
    DataTable has measured its new rows or the footer has been rebuilt.)
    Reads Textual's internal state: a benchmark may, the app does not."""
    from textual import messages

    if scr._dirty_widgets or scr._layout_required or scr._repaint_required:
        return False
    if any(isinstance(m, (messages.Update, messages.Layout, messages.UpdateScroll))
           for m in list(scr._message_queue.values)):
        return False
    for node in _displayed(scr):
        if node._repaint_required or node._layout_required or getattr(node, "_refresh_styles_required", False):
            return False
        if getattr(node, "_require_update_dimensions", False) or getattr(node, "_new_rows", None):
            return False
    return True


def main() -> None:
    mode, db = sys.argv[1], sys.argv[2]
    opts = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}

    from sprinttui.services import items as items_svc
    from sprinttui.services import open_ctx
    from sprinttui.tui import app as app_mod
    from sprinttui.tui.base import BaseScreen

    result: dict = {"errors": []}
    shown: list[tuple[object, float, object, float]] = []  # (screen, perf_counter, data, wall clock)

    orig_show_loaded = BaseScreen._show_loaded

    def _show_loaded(self, data):
        orig_show_loaded(self, data)
        self.call_after_refresh(lambda: shown.append((self, time.perf_counter(), data, time.time())))

    BaseScreen._show_loaded = _show_loaded

    # where a screen's opening time goes: marks per screen instance (first occurrence each)
    marks: dict[int, dict[str, float]] = {}

    def mark(scr, name: str) -> None:
        marks.setdefault(id(scr), {}).setdefault(name, time.perf_counter())

    orig_on_mount = BaseScreen.on_mount

    def on_mount(self):
        mark(self, "mounted")
        inner = self.load

        def load():
            mark(self, "load_start")
            data = inner()
            mark(self, "load_end")
            return data

        self.load = load  # this instance only; the class is untouched
        orig_on_mount(self)

    BaseScreen.on_mount = on_mount
    orig_show_loaded2 = BaseScreen._show_loaded

    def _show_loaded_marked(self, data):
        mark(self, "show_start")
        orig_show_loaded2(self, data)
        mark(self, "show_end")

    BaseScreen._show_loaded = _show_loaded_marked

    def phases(scr, t0: float, t_painted: float) -> dict[str, float]:
        m = marks.get(id(scr), {})
        try:
            return {
                "mount": m["mounted"] - t0,
                "start": m["load_start"] - m["mounted"],
                "load": m["load_end"] - m["load_start"],
                "queue": m["show_start"] - m["load_end"],
                "show": m["show_end"] - m["show_start"],
                "repaint": t_painted - m["show_end"],
            }
        except KeyError:
            return {}

    orig_report_error = app_mod.SprintTuiApp.report_error

    def report_error(self, err):
        result["errors"].append(f"{type(err).__name__}: {err}")
        orig_report_error(self, err)

    app_mod.SprintTuiApp.report_error = report_error

    async def wait_settled(scr, what: str) -> float:
        """The time the screen has nothing left to paint (see settled)."""
        return await wait_for(lambda: settled(scr) and time.perf_counter(), f"{what} settled")

    async def wait_for(cond, what: str, timeout: float = 120.0):
        deadline = time.perf_counter() + timeout
        while True:
            got = cond()
            if got:
                return got
            if result["errors"]:
                raise RuntimeError(f"the app reported an error while waiting for {what}: {result['errors'][0]}")
            if time.perf_counter() > deadline:
                raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")
            await asyncio.sleep(0.002)

    def shown_since(n: int, cls_name: str | None = None, pred=None, wall: bool = False):
        for scr, t, data, t_wall in shown[n:]:
            if cls_name is not None and type(scr).__name__ != cls_name:
                continue
            if pred is not None and not pred(data):
                continue
            return t_wall if wall else t
        return None

    ctx = open_ctx(db, "bench")
    size = tuple(opts.get("size", (120, 36)))

    async def screens() -> None:
        app = app_mod.SprintTuiApp(ctx, watch=False)
        async with app.run_test(size=size):
            await wait_for(lambda: shown_since(0, "BoardScreen"), "the board")
            await app.settle()
            times, breakdown = {}, {}
            for key, mode, _title in app_mod.SCREENS[1:]:
                n = len(shown)
                t0 = time.perf_counter()
                send_key(app, key)
                t1 = await wait_for(lambda mode=mode, n=n: _mode_shown(app, mode, n), f"screen {mode}")
                t2 = await wait_settled(app.screen, f"screen {mode}")
                times[mode] = t2 - t0
                breakdown[mode] = {**phases(app.screen, t0, t1), "settle": t2 - t1}
                await app.settle()
            # the board again, as a new screen (its module is loaded, as it always is on first use)
            await app.remove_mode("board")
            app.add_mode("board", app_mod._screen_factory("board"))
            n = len(shown)
            t0 = time.perf_counter()
            send_key(app, "1")
            t1 = await wait_for(lambda: _mode_shown(app, "board", n), "screen board")
            t2 = await wait_settled(app.screen, "screen board")
            times["board"] = t2 - t0
            breakdown["board"] = {**phases(app.screen, t0, t1), "settle": t2 - t1}
            await app.settle()
            result["screens_s"] = times
            result["screens_phases_s"] = breakdown
        result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def _mode_shown(app, mode: str, n: int):
        for scr, t, _data, _wall in shown[n:]:
            if app.current_mode == mode and scr is app.screen:
                return t
        return None

    async def interact() -> None:
        from sprinttui.tui.screens import board as board_mod

        moves_shown: list[float] = []
        saved_at: list[float] = []
        orig_move = board_mod.BoardScreen.action_move_card

        def action_move_card(self, delta):
            orig_move(self, delta)
            self.call_after_refresh(lambda: moves_shown.append(time.perf_counter()))

        board_mod.BoardScreen.action_move_card = action_move_card
        orig_move_item = items_svc.move_item

        def move_item(*a, **kw):
            r = orig_move_item(*a, **kw)
            saved_at.append(time.perf_counter())
            return r

        items_svc.move_item = move_item

        app = app_mod.SprintTuiApp(ctx, watch=False)
        async with app.run_test(size=size) as pilot:
            await wait_for(lambda: shown_since(0, "BoardScreen"), "the board")
            await app.settle()
            board = app.screen
            first = board.columns[0].cards[0].key if board.columns[0].cards else None
            if first is None:
                raise RuntimeError("the To do column of the board is empty")
            shown_ms, saved_ms, reloaded_ms = [], [], []
            for i in range(int(opts.get("moves", 6))):
                # each move on a board at rest: painted, and its sprint figures (which
                # wait for the board to be quiet, then run in a worker) computed
                await wait_settled(board, "the board")
                await app.settle()
                n_shown, n_saved, n = len(moves_shown), len(saved_at), len(shown)
                t0 = time.perf_counter()
                send_key(app, ">" if i % 2 == 0 else "<")
                t_shown = await wait_for(lambda k=n_shown: moves_shown[k] if len(moves_shown) > k else None,
                                         "the moved card")
                t_saved = await wait_for(lambda k=n_saved: saved_at[k] if len(saved_at) > k else None,
                                         "the saved move")
                t_rel = await wait_for(lambda n=n: shown_since(n, "BoardScreen"), "the board reloaded")
                shown_ms.append(t_shown - t0)
                saved_ms.append(t_saved - t0)
                reloaded_ms.append(t_rel - t0)
                await app.settle()
                card = board.focused_card
                if card is None or card.key != first:
                    raise RuntimeError(f"after the move the cursor is on {card and card.key}, not {first}")
            result["move_shown_s"] = shown_ms
            result["move_saved_s"] = saved_ms
            result["move_reloaded_s"] = reloaded_ms

            # backlog search
            n = len(shown)
            await pilot.press("2")
            await wait_for(lambda: _mode_shown(app, "backlog", n), "the backlog")
            await app.settle()
            backlog = app.screen
            word = opts.get("search", "migration")
            keystrokes: list[float] = []
            for _run in range(int(opts.get("search_runs", 1))):
                await pilot.press("slash")
                typed = ""
                for ch in word:
                    typed += ch
                    n = len(shown)
                    t0 = time.perf_counter()
                    send_key(app, ch)
                    t1 = await wait_for(
                        lambda n=n, typed=typed: shown_since(
                            n, "BacklogScreen", lambda d, t=typed: d.gen == backlog._gen and backlog.text_filter == t),
                        f"the backlog filtered by {typed!r}")
                    t1 = await wait_settled(backlog, f"the backlog filtered by {typed!r}")
                    keystrokes.append(t1 - t0)
                    await app.settle()
                result["search_rows"] = len(backlog.rows)
                result["search_total"] = backlog.total
                n = len(shown)
                await pilot.press("escape")  # hides the search and clears it
                await wait_for(lambda n=n: shown_since(n, "BacklogScreen",
                                                   lambda d: d.gen == backlog._gen and not backlog.text_filter),
                               "the backlog unfiltered")
                await app.settle()
            result["search_keystroke_s"] = keystrokes

    async def live() -> None:
        app = app_mod.SprintTuiApp(ctx, watch=True)
        async with app.run_test(size=size):
            await wait_for(lambda: shown_since(0, "BoardScreen"), "the board")
            await app.settle()
            await asyncio.sleep(1.2)
            phase = random.Random(7)  # the same phases every run
            times = []
            for i in range(int(opts.get("runs", 3))):
                title = f"Bench live refresh {time.time_ns()} {i}"
                n = len(shown)
                proc = await asyncio.create_subprocess_exec(
                    sys.executable, "-c", WRITER, db, title, opts["stream"],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                out, err = await proc.communicate()
                if proc.returncode != 0:
                    raise RuntimeError(f"the writer failed: {err.decode()[-500:]}")
                t_commit = float(out.decode().split()[-1])

                def has_card(data, title=title):
                    return any(c.title == title for cards in data.cards.values() for c in cards)

                t1 = await wait_for(lambda n=n, has_card=has_card: shown_since(n, "BoardScreen", has_card, wall=True),
                                    "the new card", timeout=30)
                times.append(t1 - t_commit)
                await app.settle()
                # the app polls once a second: commit at a random point of that second,
                # or a loop of fixed length catches the poll at the same phase each time
                await asyncio.sleep(0.3 + phase.uniform(0.0, 1.0))
            result["live_refresh_s"] = times

    asyncio.run({"screens": screens, "interact": interact, "live": live}[mode]())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
