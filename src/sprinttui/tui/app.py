"""The sprinttui application shell.

Screens are Textual modes switched with the number keys. The app owns what
all screens share: the service context, the stream filter, the writer thread
(writes run in order, off the UI thread), the undo stack, the watcher that
notices changes made by other processes, and the remembered theme.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.message import Message

from sprinttui.domain import ConflictError, SprintTuiError
from sprinttui.services import Ctx
from sprinttui.services import project as project_svc
from sprinttui.services import sprints as sprints_svc
from sprinttui.services import streams as streams_svc
from sprinttui.tui import config
from sprinttui.tui.commands import ItemJumpProvider, StreamProvider
from sprinttui.tui.navigation import SCREENS
from sprinttui.tui.safe import plain
from sprinttui.tui.textual_private import css_is_current, mark_css_current, on_app_thread
from sprinttui.tui.writes import EVERYTHING, DataChanged, Topic, Write

POLL_SECONDS = 1.0


def _freeze_gc() -> None:
    # No gc.collect() first: with ~150,000 objects tracked it holds the
    # interpreter for about 0.1 s right after the first paint (delaying its
    # output and the first key), to free a few hundred objects of start-up garbage.
    gc.freeze()
    gc.enable()  # the command line starts the app with the collector off


def _screen_factory(mode: str):
    def make():
        from sprinttui.tui import screens

        screen = screens.screen_class(mode)()
        # Textual refreshes the whole app's CSS when a mode's screen is new:
        # that throws away its cache of parsed CSS and restyles every widget
        # of every open screen, so each screen opened re-parsed all the app's
        # CSS (20–90 ms) and restyled the others. When the screen being left
        # is up to date with the CSS (see BaseScreen.on_mount), so is the new
        # one: its widgets are styled with the current rules as they mount.
        app, left = screen.app, screen.app.screen
        if css_is_current(app, left):
            mark_css_current(app, screen)
        return screen

    return make


@dataclass
class UndoEntry:
    description: str
    revert: Callable[[], Any]
    changes: Topic = EVERYTHING


def version_key(row: Any) -> str | None:
    """Which row a service result is, for own_version: an item by its key, a
    member, stream, KPI, evaluation or finding by kind and handle, key, name or id."""
    from sprinttui.services import evaluations, kpis, members, streams
    from sprinttui.services.item_rows import ItemRow

    if isinstance(row, ItemRow | kpis.Link):
        return row.key
    if isinstance(row, members.MemberView):
        return f"member:{row.handle}"
    if isinstance(row, streams.StreamView):
        return f"stream:{row.key}"
    if isinstance(row, kpis.KpiView):
        return f"kpi:{row.name}"
    if isinstance(row, evaluations.EvaluationView):
        return f"evaluation:{row.id}"
    if isinstance(row, evaluations.FindingView):
        return f"finding:{row.id}"
    return None


class KeysReleased(Message):
    """The screen that was opening is there: the keys held meanwhile go on (see SprintTuiApp.hold_keys)."""


class ReplayMark(Message):
    """Sent after a held key to the widget it went to: it bubbles back to the app
    behind the key (and what the key made that widget do), so when it arrives,
    the key has been handled and the next one can go on (see SprintTuiApp._replay)."""

    def __init__(self, token: int) -> None:
        super().__init__()
        self.token = token


#: keys never held: they quit the app, even while a screen is opening
UNHELD_KEYS = frozenset({"ctrl+q", "ctrl+c"})
#: seconds after which a held key counts as handled though its ReplayMark never came
#: back (the widget it went to was removed meanwhile): the keys after it are not stuck
REPLAY_TIMEOUT = 1.0


class SprintTuiApp(App):
    TITLE = "sprinttui"
    MODES = {mode: _screen_factory(mode) for _k, mode, _t in SCREENS}
    COMMANDS = App.COMMANDS | {ItemJumpProvider, StreamProvider}
    BINDINGS = [
        # the screen bar under the header shows these; the footer keeps room for the screen's keys
        *[Binding(k, f"switch_screen('{mode}')", title, show=False) for k, mode, title in SCREENS],
        Binding("f", "stream_filter", "Stream"),
        Binding("u", "undo", "Undo"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, ctx: Ctx, *, stream: str | None = None, watch: bool = True) -> None:
        super().__init__()
        self.ctx = ctx
        self.stream_filter: str | None = stream.upper() if stream else None
        self.undo_stack: list[UndoEntry] = []
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sprinttui-writer")
        self._pending: set[Future] = set()
        self._watch = watch
        self._token: int | None = self._read_token() if watch else None
        self.sprint: sprints_svc.SprintView | None = None
        self.data_screens: weakref.WeakSet = weakref.WeakSet()  # BaseScreens, they add themselves
        self._gc_frozen = False
        self._own_versions: dict[str, int] = {}
        self._held_keys: list[events.Key] | None = None  # typed while a screen opens (hold_keys)
        self._replaying = False  # the held keys are going on, one at a time
        self._replay_token = 0  # the ReplayMark awaited
        self._laps_left = 0  # rounds that ReplayMark still has to make
        self._opening = 0  # counts the editor openings: a read that comes back late opens nothing
        prefs = config.load(ctx.user)
        theme = prefs.get("theme")
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme

    # -- lifecycle ------------------------------------------------------------
    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.switch_mode("board")
        self.refresh_header()
        if self._watch:
            self.set_interval(POLL_SECONDS, self.poll_changes)
        self.set_timer(5.0, gc.enable)  # at the latest, should no screen ever show its data
        warning = self.ctx.db.permission_warning()  # a world-writable file on a shared box
        if warning:
            self.notify(Content(plain(warning, 300)), severity="warning", timeout=15)

    def screen_shown(self) -> None:
        """After the first screen's data is on show, move everything allocated
        so far (imports, the first screen) out of the garbage collector's
        reach: later collections then stay short instead of pausing a
        keystroke for 100 ms walking objects that live as long as the app."""
        if not self._gc_frozen:
            self._gc_frozen = True
            self.call_after_refresh(self._after_first_paint)

    def _after_first_paint(self) -> None:
        _freeze_gc()
        self._preload_screens()

    @work(thread=True, exclusive=True, group="preload")
    def _preload_screens(self) -> None:
        """Import the other screens' modules while the user reads the first
        screen: opening one later then skips its import (up to a tenth of a
        second for a screen with charts)."""
        from sprinttui.tui import screens

        screens.preload()
        # the modules just imported live as long as the app: out of the
        # collector's reach too, or its full collections walk them (35-140 ms
        # pauses were seen while screens loaded)
        gc.freeze()

    def on_unmount(self) -> None:
        self._writer.shutdown(wait=True)

    def _remember_theme(self, theme) -> None:
        config.save(self.ctx.user, theme=theme.name)

    # -- header -----------------------------------------------------------------
    @work(thread=True, exclusive=True, group="header")
    def refresh_header(self) -> None:
        try:
            name = project_svc.get_settings(self.ctx).name
            sprint = sprints_svc.active_sprint(self.ctx)
        except SprintTuiError as err:
            self.call_from_thread(self.report_error, err)
            return
        self.call_from_thread(self._set_header, name, sprint)

    def _set_header(self, name: str, sprint: sprints_svc.SprintView | None) -> None:
        self.sprint = sprint
        self.title = plain(name, 60)
        parts = []
        if sprint is None:
            parts.append("no active sprint")
        else:
            left = max((sprint.end - self.ctx.today()).days, 0)
            parts.append(f"{plain(sprint.name, 40)} · {left} day{'s' if left != 1 else ''} left")
        parts.append(f"stream {self.stream_filter}" if self.stream_filter else "all streams")
        parts.append(plain(self.ctx.user, 30))
        self.sub_title = " · ".join(parts)

    # -- navigation ---------------------------------------------------------------
    def action_switch_screen(self, mode: str) -> None:
        if self.current_mode != mode:
            self.switch_mode(mode)

    def action_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_stream_filter(self) -> None:
        self.choose_stream()

    @work(exclusive=True, group="stream-chooser")
    async def choose_stream(self) -> None:
        from sprinttui.tui.modals import ChooseModal

        try:
            streams = await asyncio.to_thread(streams_svc.list_streams, self.ctx)
        except SprintTuiError as err:
            self.report_error(err)
            return
        options: list[tuple[str, object]] = [("All streams", "")]
        options += [(f"{s.key}  {s.name}", s.key) for s in streams]
        choice = await self.push_screen_wait(ChooseModal("Show which stream?", options))
        if choice is not None:
            self.set_stream_filter(choice or None)

    def set_stream_filter(self, stream: str | None) -> None:
        self.stream_filter = stream
        self.notify(f"Showing {'stream ' + stream if stream else 'all streams'}", timeout=2)
        self.refresh_header()
        self.reload_screens()

    def get_system_commands(self, screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for key, mode, title in SCREENS:
            yield SystemCommand(f"Go to {title}", f"Switch to the {title} screen ({key})",
                                lambda m=mode: self.action_switch_screen(m))
        yield SystemCommand("Switch stream filter", "Show one stream or all (f)", self.action_stream_filter)
        yield SystemCommand("Undo", "Undo the last change made in this session (u)", self.action_undo)
        extra = getattr(screen, "palette_commands", None)
        if extra is not None:
            yield from extra()

    # -- data changes -------------------------------------------------------------
    def on_data_changed(self, message: DataChanged) -> None:
        """The one answer to every change, this session's or another process's:
        the header is read again; the screen in view reloads when it shows what
        changed; the others are marked stale and reload when shown again."""
        self.refresh_header()
        self.reload_screens(message.changes)

    def reload_screens(self, changes: Topic = EVERYTHING) -> None:
        current = self._base_screen()
        for scr in list(self.data_screens):
            if not scr.SHOWS & changes:
                continue
            if scr is current:
                scr.reload()
            else:
                scr.mark_stale()

    def _base_screen(self):
        """The data screen in view (under any open dialog)."""
        for scr in reversed(self.screen_stack):
            if scr in self.data_screens:
                return scr
        return None

    def _read_token(self) -> int | None:
        try:
            return self.ctx.db.change_token()
        except (SprintTuiError, NotImplementedError):
            return None

    @work(thread=True, exclusive=True, group="poll")
    def poll_changes(self) -> None:
        # the baseline is read when the app is created, before any screen loads,
        # so a commit made while the first screen loads is not missed
        token = self._read_token()
        if token is None:
            return
        if self._token is None:
            self._token = token
            return
        if token != self._token:
            self._token = token
            self.post_message(DataChanged(EVERYTHING, external=True))

    # -- writes -------------------------------------------------------------------
    def perform(self, write: Write, *, done: Callable[[Any], None] | None = None,
                conflict: Callable[[ConflictError], None] | None = None,
                error: Callable[[SprintTuiError], None] | None = None) -> Future:
        """Run `write` on the writer thread (writes run one at a time, in order).
        Once it is committed: its undo goes on the undo stack, `done` gets its
        result, and DataChanged says what it changed. A ConflictError goes to
        `conflict`, another refusal (bad input, wrong state) to `error`; else
        either is reported in a notification. After a refusal the screens
        reload too, to show what is really there."""
        fut = self._writer.submit(write.do)
        self._pending.add(fut)

        def finished(f: Future) -> None:
            # runs on the writer thread, or on this thread when the write was
            # already done by the time the callback got registered
            if on_app_thread(self, threading.get_ident()):
                self.call_next(self._write_finished, f, write, done, conflict, error)
                return
            try:
                self.call_from_thread(self._write_finished, f, write, done, conflict, error)
            except RuntimeError:
                self._pending.discard(f)  # the app has closed

        fut.add_done_callback(finished)
        return fut

    def _write_finished(self, fut: Future, write: Write, done, conflict, error=None) -> None:
        try:
            self._handle_write_result(fut, write, done, conflict, error)
        finally:
            self._pending.discard(fut)

    def _handle_write_result(self, fut: Future, write: Write, done, conflict, error) -> None:
        err = fut.exception()
        if err is not None:
            if isinstance(err, ConflictError) and conflict is not None:
                conflict(err)
            elif isinstance(err, SprintTuiError) and not isinstance(err, ConflictError) and error is not None:
                error(err)
            else:
                self.report_error(err)
            if isinstance(err, SprintTuiError):
                self.post_message(DataChanged(write.changes))
            return
        result = fut.result()
        self._remember_version(result)
        if write.undo is not None:
            undo, label = write.undo, write.label
            self.push_undo(UndoEntry(label(result) if callable(label) else label, lambda: undo(result),
                                     write.changes))
        if done is not None:
            done(result)
        self.post_message(DataChanged(write.changes))

    async def settle(self) -> None:
        """Wait until queued writes and loading workers are done (for the benchmark)."""
        for _ in range(20):
            pending = list(self._pending)
            if pending:
                await asyncio.gather(*(asyncio.wrap_future(f) for f in pending), return_exceptions=True)
            await self.workers.wait_for_complete()
            await asyncio.sleep(0)
            if not self._pending and not any(w.is_running for w in self.workers):
                break

    # -- undo ---------------------------------------------------------------------
    def own_version(self, key: str) -> int | None:
        """The version of row `key` (an item's key, or see version_key) after
        this session's last write to it, so that an undo can refuse to overwrite
        what someone else changed since (None: not written here; no check)."""
        return self._own_versions.get(key)

    def _remember_version(self, result: Any) -> None:
        """Note the versions a write left: of the row it returned, of each row
        of a list, of each item a planning moved."""
        planning = getattr(result, "planning", result)
        rows = result if isinstance(result, list) else getattr(planning, "rows", None) or [result]
        for row in rows:
            key, version = version_key(row), getattr(row, "version", None)
            if key is not None and isinstance(version, int):
                self._own_versions[key] = version

    def push_undo(self, entry: UndoEntry) -> None:
        self.undo_stack.append(entry)
        del self.undo_stack[:-100]

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify("Nothing to undo", timeout=2)
            return
        entry = self.undo_stack.pop()
        self.perform(
            Write(f"undo of {entry.description}", entry.revert, entry.changes),  # itself not undone
            done=lambda _r: self.notify(Content.from_markup("Undone: $what", what=entry.description), timeout=3),
            conflict=lambda err: self._undo_refused(entry, err),
        )

    def _undo_refused(self, entry: UndoEntry, err: ConflictError) -> None:
        """Someone changed it since: undoing would overwrite their change."""
        from sprinttui.tui.modals import NoticeModal

        self.push_screen(NoticeModal(
            "Not undone",
            Content.from_markup("$what was not undone: $why. Their change stays as it is.",
                                what=entry.description, why=plain(str(err), 300)),
        ))

    # -- keys typed while a screen opens -----------------------------------------------
    @property
    def holding_keys(self) -> bool:
        """Keys typed now wait: a screen is opening, or the keys held meanwhile are going on."""
        return self._held_keys is not None

    def hold_keys(self) -> None:
        """Keys typed from now on wait, in the order typed, until release_keys
        (or drop_keys): a screen that reads its data before it opens gets what
        was typed right after the key that opened it, instead of the screen it
        opens from. Escape as the first key held calls cancel_opening."""
        if self._held_keys is None:
            self._held_keys = []

    def release_keys(self) -> None:
        """The held keys go on to the screen now shown, in order, before any key
        typed later, each as if typed once the one before it was handled."""
        if self._held_keys is not None:
            self.post_message(KeysReleased())

    def drop_keys(self) -> None:
        """The screen did not open: the held keys are not used."""
        self._held_keys, self._replaying = None, False

    def cancel_opening(self) -> None:
        """Escape while a screen is opening: it does not open."""
        self._opening += 1
        self.drop_keys()

    async def on_event(self, event: events.Event) -> None:
        # While a screen opens, keys wait: those from the terminal, and those
        # coming back from the screen it opens from (typed right after the key
        # that opened it, they were handed to that screen before it did so).
        # While they go on, keys bubbling back from the new screen pass.
        held = self._held_keys
        if held is not None and isinstance(event, events.Key) and event.key not in UNHELD_KEYS \
                and not (event.is_forwarded and self._replaying):
            if event.key == "escape" and not held and not self._replaying:
                self.cancel_opening()
            else:
                held.append(event)
            return
        await super().on_event(event)

    async def on_keys_released(self, _message: KeysReleased) -> None:
        if self._held_keys is not None and not self._replaying:
            self._replaying = True
            await self._replay()

    async def _replay(self) -> None:
        """The next held key, handled as the terminal's keys are (priority
        bindings, then the focused widget, then the other bindings as it
        bubbles back). Textual hands a key to the focused widget and checks the
        other bindings once it comes back, so keys sent together would all go to
        the widget focused first (a tab among them moved the focus only after
        the keys behind it): each key waits for the one before it, twice round
        the widgets (see _mark), as keys typed one after the other do."""
        held = self._held_keys
        if not held:
            self._held_keys, self._replaying = None, False
            return
        typed = held.pop(0)
        await super().on_event(events.Key(typed.key, typed.character))  # as new from the terminal
        self._mark(laps=2)

    def _mark(self, laps: int) -> None:
        """Send a ReplayMark behind the key to the focused widget. Twice round:
        what the key made that widget post (an Input's Submitted after enter,
        which moves the editor's focus on) is handled before the second one
        comes back."""
        self._replay_token += 1
        token = self._replay_token
        self._laps_left = laps - 1
        (self.focused or self.screen).post_message(ReplayMark(token))
        self.set_timer(REPLAY_TIMEOUT, lambda: self._marked(token))

    async def on_replay_mark(self, mark: ReplayMark) -> None:
        await self._marked(mark.token)

    async def _marked(self, token: int) -> None:
        if token != self._replay_token or not self._replaying:
            return  # an earlier mark (back after its timeout), or nothing is going on
        if self._laps_left:
            self._mark(self._laps_left)
        else:
            await self._replay()

    # -- items ----------------------------------------------------------------------
    def open_item(self, key: str) -> None:
        """Open the item editor on an existing item. Its data is read first (in
        a thread), so that the form shows the item from its first frame; what is
        typed meanwhile goes to the form once it is there."""
        self._open_editor(key.strip().upper(), {})

    def new_item(self, **defaults: Any) -> None:
        """Open the item editor on a new item (defaults: status, sprint, stream …)."""
        if self.stream_filter and "stream" not in defaults:
            defaults["stream"] = self.stream_filter
        self._open_editor(None, defaults)

    def _open_editor(self, key: str | None, defaults: dict[str, Any]) -> None:
        self._opening += 1
        self.hold_keys()
        self._read_editor(self._opening, key, defaults)

    @work(thread=True, group="open-item")
    def _read_editor(self, opening: int, key: str | None, defaults: dict[str, Any]) -> None:
        from sprinttui.tui.editor import read_editor_data

        try:
            data = read_editor_data(self.ctx, key)
        except SprintTuiError as err:
            self.call_from_thread(self._editor_not_opened, opening, err)
            return
        self.call_from_thread(self._show_editor, opening, key, defaults, data)

    def _show_editor(self, opening: int, key: str | None, defaults: dict[str, Any], data) -> None:
        if opening != self._opening:
            return  # cancelled with escape, or another item was opened since
        from sprinttui.tui.editor import ItemEditor

        self.push_screen(ItemEditor(key, defaults=defaults, data=data))  # it releases the keys once focused

    def _editor_not_opened(self, opening: int, err: SprintTuiError) -> None:
        if opening == self._opening:
            self.drop_keys()
        self.report_error(err)

    # -- errors -------------------------------------------------------------------
    def report_error(self, err: BaseException) -> None:
        message = str(err) if isinstance(err, SprintTuiError) else f"{type(err).__name__}: {err}"
        self.notify(Content(plain(message, 300)), severity="error", timeout=6)


def run(ctx: Ctx, stream: str | None = None) -> None:
    SprintTuiApp(ctx, stream=stream).run()
