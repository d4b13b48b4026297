"""4 Standup: the daily standup, member by member, in a timebox.

The rotation holds the active members of the stream filter (or of all
streams), fixed or shuffled (remembered per user). For the member in focus
the screen shows what they moved or finished since the last standup, their
work in progress, their blocked items, and the day's notes (suggested from
the history until someone takes them). `space` runs or pauses the timebox;
`e` ends the standup and stores its summary.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from sprinttui.domain import SprintTuiError, Status
from sprinttui.services import items as items_svc
from sprinttui.services import standups as standups_svc
from sprinttui.services.item_rows import ItemRow
from sprinttui.services.standups import MemberDigest, SessionView, StandupBoard, StandupMember
from sprinttui.tui import config
from sprinttui.tui.base import BaseScreen
from sprinttui.tui.modals import ChooseModal, ConfirmModal, NotesModal, PromptModal, SummaryModal
from sprinttui.tui.safe import plain
from sprinttui.tui.tcss import load_tcss
from sprinttui.tui.writes import Topic, Write

DEFAULT_TIMEBOX_MINUTES = 15
ORDERS = ("fixed", "shuffled")
#: share of the timebox left when the clock turns to the warning colour
WARN_LEFT = 0.2


def monotonic() -> float:
    """The timebox's clock (a function of its own so that tests can move it)."""
    return time.monotonic()


def clock_text(seconds: float) -> str:
    sign = "-" if seconds < 0 else ""
    s = int(abs(seconds))
    return f"{sign}{s // 60}:{s % 60:02d}"


def rotation(handles: list[str], order: str, seed: str) -> list[str]:
    """The speaking order: by handle, or shuffled the same way all day."""
    ordered = sorted(handles)
    if order == "shuffled":
        random.Random(seed).shuffle(ordered)
    return ordered


def near(order: list[str], handle: str | None) -> list[str]:
    """The member in focus and the ones either side of them in the rotation:
    whose work the screen reads ahead, so that stepping on shows it at once."""
    if handle not in order:
        return []
    i = order.index(handle)
    return [order[j] for j in (i, i + 1, i - 1) if 0 <= j < len(order)]


@dataclass
class Timebox:
    """The standup's clock: total time used and each member's share of it."""

    total: float
    used: float = 0.0
    running: bool = False
    _since: float = 0.0
    per_member: dict[str, float] | None = None

    def __post_init__(self) -> None:
        self.per_member = {}

    def start(self) -> None:
        if not self.running:
            self.running = True
            self._since = monotonic()

    def pause(self, member: str | None) -> None:
        self.tick(member)
        self.running = False

    def tick(self, member: str | None) -> None:
        """Book the time since the last tick to the total and to `member`."""
        if not self.running:
            return
        now = monotonic()
        spent, self._since = now - self._since, now
        self.used += spent
        if member is not None:
            self.per_member[member] = self.per_member.get(member, 0.0) + spent

    @property
    def left(self) -> float:
        return self.total - self.used


def summary_content(session: SessionView) -> Content:
    s = session.summary
    lines = [
        Content.assemble(("Date ", "bold"), session.date.isoformat(), " · ",
                         ("stream ", "bold"), plain(session.stream or "all streams"), " · ",
                         ("time ", "bold"), clock_text(session.elapsed_seconds),
                         f" of {clock_text(session.timebox_seconds)}"),
        Content.assemble(("Present: ", "bold"), plain(", ".join(s.get("present", [])) or "—")),
        Content.assemble(("Absent: ", "bold"), plain(", ".join(s.get("absent", [])) or "—")),
        Content.styled("Blockers:", "bold"),
    ]
    blockers = s.get("blockers", [])
    lines += [Content.assemble("  ", (plain(b.get("member", ""), 20), "bold"), ": ", plain(b.get("text", ""), 200))
              for b in blockers] or [Content("  none")]
    blocked = s.get("blocked_items", [])
    if blocked:
        lines.append(Content.styled("Blocked items:", "bold"))
        lines += [Content.assemble("  ", plain(b.get("key", ""), 20), " ", plain(b.get("title", ""), 60),
                                   " — ", plain(b.get("reason", "") or "no reason given", 120))
                  for b in blocked]
    lines.append(Content.styled("Parking lot:", "bold"))
    lines += [Content.assemble("  • ", plain(t, 200)) for t in s.get("parking_lot", [])] or [Content("  none")]
    return Content("\n").join(lines)


class StandupScreen(BaseScreen):
    SCREEN_TITLE = "Standup"
    DEFAULT_CSS = load_tcss(__file__)
    BINDINGS = [
        Binding("space", "timer", "Timer"),
        Binding("n,down,j", "step(1)", "Next", key_display="n"),
        Binding("p,up,k", "step(-1)", "Prev", key_display="p"),
        Binding("enter", "notes", "Notes"),
        Binding("b", "blocker", "Blocker"),
        Binding("x", "absent", "Absent"),
        Binding("t", "park", "Park"),
        Binding("e", "end", "End"),
        Binding("o", "order", "Order"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.board: StandupBoard | None = None
        self.members: dict[str, StandupMember] = {}
        # the work of the members in and near focus, read as the focus moves
        # (the whole team's would cost a pass over the item table)
        self.digests: dict[str, MemberDigest] = {}
        self._asked: set[str] = set()
        self._notes_waiting: str | None = None
        self.order_mode = "fixed"
        self.order: list[str] = []
        self.focus_handle: str | None = None
        self.spoken: set[str] = set()
        self.timebox = Timebox(DEFAULT_TIMEBOX_MINUTES * 60)
        self.session_id: int | None = None
        self._board_key: tuple | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        yield Static(Content("Loading…"), id="standup-clock")
        with Horizontal(id="standup-body"):
            yield Static(Content(""), id="standup-rotation")
            with VerticalScroll(id="standup-detail-box"):
                yield Static(Content(""), id="standup-detail")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        order = config.load(self.ctx.user).get("standup_order")
        self.order_mode = order if order in ORDERS else "fixed"
        self.set_interval(1.0, self._tick)
        # BaseScreen.on_mount (the first load) runs next: Textual calls the
        # handler of every class in the MRO, so calling it here loaded twice

    # -- data -------------------------------------------------------------------------
    def load(self) -> StandupBoard:
        board = standups_svc.standup_board(self.ctx, stream=self.stream, detail=())
        order = self._rotation_of(board)
        focus = self.focus_handle
        if (board.date, board.stream) != self._board_key or focus not in order:
            focus = order[0] if order else None
        board.digests.update(standups_svc.member_digests(self.ctx, board, near(order, focus)))
        return board

    def _rotation_of(self, board: StandupBoard) -> list[str]:
        return rotation([m.handle for m in board.members], self.order_mode,
                        f"{board.date.isoformat()}-{board.stream or 'all'}")

    def show(self, board: StandupBoard) -> None:
        key = (board.date, board.stream)
        if key != self._board_key:  # another day or stream: a new standup
            self._board_key = key
            self.spoken.clear()
            self.focus_handle = None
            self.timebox = Timebox(DEFAULT_TIMEBOX_MINUTES * 60)
            self.session_id = None
            sess = board.session
            if sess is not None and not sess.ended:
                # resume today's standup where it was left (another terminal, a restart)
                self.session_id = sess.id
                self.timebox = Timebox(sess.timebox_seconds, used=sess.elapsed_seconds)
        self.board = board
        self.members = {m.handle: m for m in board.members}
        self.digests = dict(board.digests)  # read with the board: the others may be older
        self._asked.clear()
        self.order = self._rotation_of(board)
        if self.focus_handle not in self.order:
            self.focus_handle = self.order[0] if self.order else None
        self._render_all()
        self._read_ahead()
        self._open_waiting_notes()  # the new board may hold the work they wait for

    def _read_ahead(self) -> None:
        """Read the work of the members in and near focus that the screen lacks."""
        wanted = [h for h in near(self.order, self.focus_handle) if h not in self.digests and h not in self._asked]
        if wanted and self.board is not None:
            self._asked.update(wanted)
            self._load_digests(self.board, wanted)

    @work(thread=True, group="standup-digests")
    def _load_digests(self, board: StandupBoard, handles: list[str]) -> None:
        try:
            got = standups_svc.member_digests(self.ctx, board, handles)
        except SprintTuiError as err:
            self.app.call_from_thread(self.sapp.report_error, err)
            return
        self.app.call_from_thread(self._digests_loaded, board, got)

    def _digests_loaded(self, board: StandupBoard, got: dict[str, MemberDigest]) -> None:
        if board is not self.board:  # a newer board came meanwhile: its own reads follow
            return
        self.digests.update(got)
        self._asked.difference_update(got)
        if self.focus_handle in got:
            self._render_detail()
            self._open_waiting_notes()

    def _open_waiting_notes(self) -> None:
        """Open the notes asked for while the member's work was being read,
        once it is there (stepping on forgets them)."""
        if self._notes_waiting is not None and self._notes_waiting == self.focus_handle \
                and self.focus_handle in self.digests:
            self._notes_waiting = None
            self.action_notes()

    @property
    def current(self) -> StandupMember | None:
        return self.members.get(self.focus_handle or "")

    # -- drawing ----------------------------------------------------------------------
    def _render_all(self) -> None:
        self._render_clock()
        self._render_rotation()
        self._render_detail()

    def _render_clock(self) -> None:
        clock = self.query_one("#standup-clock", Static)
        board = self.board
        if board is None:
            return
        tb = self.timebox
        present = [h for h in self.order if not self._is_absent(h)]
        share = tb.total / max(1, len(present))
        mine = tb.per_member.get(self.focus_handle or "", 0.0)
        where = plain(board.stream or "all streams")
        state = "running" if tb.running else ("paused" if tb.used else "space: start")
        if board.session is not None and board.session.ended and self.session_id is None:
            state = f"ended {board.session.ended_at:%H:%M}"
        position = (self.order.index(self.focus_handle) + 1) if self.focus_handle in self.order else 0
        clock.update(Content(
            f"{where} · {board.date:%d %b} · {position}/{len(self.order)} · {clock_text(tb.left)} left · "
            f"{clock_text(share)} each · {plain(self.focus_handle or '-', 12)} {clock_text(mine)} · {state}"
        ))
        over_total = tb.left < 0
        over_share = mine > share
        clock.set_class(over_total, "-error")
        clock.set_class(not over_total and (over_share or tb.left < tb.total * WARN_LEFT), "-warning")

    def _is_absent(self, handle: str) -> bool:
        m = self.members.get(handle)
        return m is not None and m.absent

    def _render_rotation(self) -> None:
        lines = [Content.styled("Rotation", "bold") + Content.styled(f" ({self.order_mode})", "dim")]
        for h in self.order:
            mark = "▶" if h == self.focus_handle else ("✓" if h in self.spoken else " ")
            style = "bold" if h == self.focus_handle else ""
            label = Content.assemble(f"{mark} ", (plain(h, 14), style))
            if self._is_absent(h):
                label = label + Content.styled(" absent", "dim italic")
            lines.append(label)
        if not self.order:
            lines.append(Content.styled("no members", "dim"))
        self.query_one("#standup-rotation", Static).update(Content("\n").join(lines))

    def _render_detail(self) -> None:
        detail = self.query_one("#standup-detail", Static)
        m = self.current
        board = self.board
        if m is None or board is None:
            detail.update(Content("No active members in this stream. Add them on the Team screen (8)."))
            return
        lines: list[Content] = [
            Content.assemble((plain(m.name, 60), "bold"), f" ({plain(m.handle, 30)}) · {m.availability} % available")
        ]
        if m.absent:
            lines.append(Content.styled("Absent today (x to undo)", "italic $warning"))
        work = self.digests.get(m.handle)
        if work is None:  # read in a moment (see _read_ahead)
            lines.append(Content.styled("Loading…", "dim"))
            detail.update(Content("\n").join(lines))
            return
        lines.append(Content.styled(f"Since the last standup ({board.since:%a %d %b %H:%M}):", "bold"))
        lines += [
            Content.assemble("  ", ("✓ " if mv.new == Status.DONE.value else "• "), (plain(mv.key, 20), "bold"), " ",
                             plain(mv.title, 60),
                             Content.styled(f"  {plain(mv.old or '?')} → {plain(mv.new or '?')}", "dim"))
            for mv in work.moved
        ] or [Content.styled("  nothing moved", "dim")]
        lines.append(Content.styled("In progress:", "bold"))
        lines += [
            Content.assemble("  ", (plain(r.key, 20), "bold"), " ", plain(r.title, 60),
                             Content.styled(f"  [{r.status}]", "dim"))
            for r in work.in_progress
        ] or [Content.styled("  nothing in progress", "dim")]
        if work.blocked:
            lines.append(Content.styled("Blocked:", "bold $error"))
            lines += [
                Content.assemble("  ", (plain(r.key, 20), "bold"), " ", plain(r.title, 50), " — ",
                                 plain(r.blocked_reason or "no reason given", 120))
                for r in work.blocked
            ]
        yesterday, today, blockers = self._notes_of(m, work)
        suggested = m.entry is None
        lines.append(Content.assemble(("Notes", "bold"), (" (suggested from the history; enter edits)" if suggested
                                                          else " (enter edits)", "dim")))
        style = "dim" if suggested else ""
        for label, value in (("Yesterday", yesterday), ("Today", today), ("Blockers", blockers)):
            lines.append(Content.assemble(f"  {label}: ", (plain(value, 400) or "—", style)))
        parked = board.session.parking_lot if board.session is not None and board.session.id == self.session_id else []
        if parked:
            lines.append(Content.styled(f"Parking lot ({len(parked)}):", "bold"))
            lines += [Content.assemble("  • ", plain(t, 200)) for t in parked]
        detail.update(Content("\n").join(lines))

    @staticmethod
    def _notes_of(m: StandupMember, work: MemberDigest) -> tuple[str, str, str]:
        if m.entry is not None:
            return m.entry.yesterday, m.entry.today, m.entry.blockers
        return work.suggested_notes()

    # -- the clock --------------------------------------------------------------------
    def _tick(self) -> None:
        if self.timebox.running:
            self.timebox.tick(self.focus_handle)
            self._render_clock()

    def action_timer(self) -> None:
        if self.board is None:
            return
        tb = self.timebox
        if tb.running:
            tb.pause(self.focus_handle)
            self._save_elapsed()
        else:
            if self.session_id is None:
                self._start_session()
            tb.start()
        self._render_clock()

    def _start_session(self) -> None:
        ctx, stream, minutes = self.ctx, self.stream, self.timebox.total / 60

        def done(sess: SessionView) -> None:
            self.session_id = sess.id

        self.perform(Write("the start of the standup",
                           lambda: standups_svc.start_session(ctx, stream=stream, timebox_minutes=minutes),
                           Topic.STANDUPS), done=done)

    def _save_elapsed(self) -> None:
        if self.session_id is None:
            return
        ctx, sid, used = self.ctx, self.session_id, int(self.timebox.used)
        self.perform(Write("the standup's time", lambda: standups_svc.update_session(ctx, sid, elapsed_seconds=used),
                           Topic.STANDUPS))

    # -- moving through the rotation --------------------------------------------------
    def action_step(self, delta: int) -> None:
        if not self.order:
            return
        self.timebox.tick(self.focus_handle)
        if self.focus_handle is not None and delta > 0:
            self.spoken.add(self.focus_handle)
            self._keep_suggestions()
        i = self.order.index(self.focus_handle) if self.focus_handle in self.order else 0
        j = i + delta
        if not 0 <= j < len(self.order):
            if delta > 0:
                self.notify("That was everyone: e ends the standup and stores its summary", timeout=4)
            return
        self.focus_handle = self.order[j]
        self._notes_waiting = None
        self._render_all()
        self.query_one("#standup-detail-box").scroll_home(animate=False)
        self._read_ahead()

    def _suggestions_shown(self, m: StandupMember) -> tuple[str, str, str] | None:
        """The notes suggested from the member's history, if the screen shows
        them: the member has no notes of the day and their work has been read."""
        work = self.digests.get(m.handle)
        if m.entry is not None or work is None:
            return None
        return work.suggested_notes()

    def _keep_suggestions(self) -> None:
        """The member passed keeps the suggested notes on screen as their notes."""
        m = self.current
        if m is None or self.board is None:
            return
        notes = self._suggestions_shown(m)
        if notes is None or not any(notes):
            return
        ctx, handle, day = self.ctx, m.handle, self.board.date
        self.perform(Write(f"the suggested notes of {handle}",
                           lambda: standups_svc.keep_suggestions(ctx, handle, notes, on=day), Topic.STANDUPS))

    def action_order(self) -> None:
        self.order_mode = ORDERS[(ORDERS.index(self.order_mode) + 1) % len(ORDERS)]
        config.save(self.ctx.user, standup_order=self.order_mode)
        if self.board is not None:
            self.show(self.board)
        self.notify(f"Rotation order: {self.order_mode}", timeout=2)

    # -- notes, absence, blockers, parking lot -----------------------------------------
    def action_notes(self) -> None:
        m = self.current
        if m is None or self.board is None:
            return
        work = self.digests.get(m.handle)
        if work is None and m.entry is None:  # the suggestions are being read: open when they arrive
            self._notes_waiting = m.handle
            self._read_ahead()
            return
        ctx, handle, day = self.ctx, m.handle, self.board.date
        version = m.entry.version if m.entry is not None else None

        def save(values: tuple[str, str, str] | None) -> None:
            if values is None:
                return
            y, t, b = values
            self.perform(
                Write(f"the notes of {handle}",
                      lambda: standups_svc.save_entry(ctx, handle, on=day, yesterday=y, today=t, blockers=b,
                                                      expected_version=version),
                      Topic.STANDUPS),
                done=lambda _v: self.notify(Content.from_markup("Notes of $who saved", who=handle), timeout=2),
            )

        values = (m.entry.yesterday, m.entry.today, m.entry.blockers) if work is None else self._notes_of(m, work)
        self.app.push_screen(NotesModal(f"Standup notes of {m.name} ({m.handle})", values), save)

    def action_absent(self) -> None:
        m = self.current
        if m is None or self.board is None:
            return
        ctx, handle, day = self.ctx, m.handle, self.board.date
        absent = not m.absent
        self.perform(
            Write(f"{handle} marked {'absent' if absent else 'present'}",
                  lambda: standups_svc.mark_absent(ctx, handle, absent, on=day), Topic.STANDUPS),
            done=lambda _v: self.notify(
                Content.from_markup("$who marked $what", who=handle, what="absent" if absent else "present"),
                timeout=2),
        )

    def action_blocker(self) -> None:
        m = self.current
        if m is not None:
            self._choose_blocked_item(m.handle)

    @work(thread=True, exclusive=True, group="standup-items")
    def _choose_blocked_item(self, handle: str) -> None:
        try:
            rows = items_svc.list_items(self.ctx, assignee=handle, include_done=False, order="status")
        except SprintTuiError as err:
            self.app.call_from_thread(self.sapp.report_error, err)
            return
        self.app.call_from_thread(self._ask_blocked_item, handle, rows[:200])

    def _ask_blocked_item(self, handle: str, rows: list[ItemRow]) -> None:
        if not rows:
            self.notify(Content.from_markup("$who has no open items", who=handle), severity="warning", timeout=3)
            return
        options = [(f"{r.key}  {r.title}  [{r.status}{', blocked' if r.blocked else ''}]", r) for r in rows]

        def chosen(row: object | None) -> None:
            if isinstance(row, ItemRow):
                self._ask_reason(handle, row)

        self.app.push_screen(ChooseModal(f"Which of {handle}'s items is blocked?", options), chosen)

    def _ask_reason(self, handle: str, row: ItemRow) -> None:
        ctx, key, version = self.ctx, row.key, row.version

        def reason_given(reason: str | None) -> None:
            if reason is None or self.board is None:
                return
            # the blocker joins the member's notes of the day; one without
            # notes yet gets the suggested ones on screen with it
            m = self.members.get(handle)
            notes = self._suggestions_shown(m) if m is not None else None
            day = self.board.date
            self.perform(Write(
                f"blocker on {key}",
                lambda: standups_svc.flag_blocker(ctx, handle, key, reason, on=day, notes=notes,
                                                  expected_version=version),
                Topic.ITEMS | Topic.STANDUPS,
                # refused if the item or the notes changed since: that change stays
                undo=lambda flagged: standups_svc.unflag_blocker(ctx, flagged),
            ))

        self.app.push_screen(PromptModal(f"Why is {row.key} blocked?", value=row.blocked_reason), reason_given)

    def action_park(self) -> None:
        if self.board is None:
            return

        def parked(topic: str | None) -> None:
            if topic is None:
                return
            ctx, stream, minutes, sid = self.ctx, self.stream, self.timebox.total / 60, self.session_id

            def op() -> SessionView:
                session_id = sid
                if session_id is None:
                    session_id = standups_svc.start_session(ctx, stream=stream, timebox_minutes=minutes).id
                return standups_svc.add_parking_topic(ctx, session_id, topic)

            def done(sess: SessionView) -> None:
                self.session_id = sess.id
                self.notify("Parked for after the standup", timeout=2)

            self.perform(Write("a parked topic", op, Topic.STANDUPS), done=done)

        self.app.push_screen(PromptModal("Park a topic for after the standup", placeholder="topic"), parked)

    # -- the end --------------------------------------------------------------------------
    def action_end(self) -> None:
        if self.board is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._end()

        self.app.push_screen(ConfirmModal("End the standup and store its summary?"), confirmed)

    def _end(self) -> None:
        self.timebox.pause(self.focus_handle)
        ctx, stream, sid = self.ctx, self.stream, self.session_id
        minutes, used = self.timebox.total / 60, int(self.timebox.used)

        def op() -> SessionView:
            session_id = sid
            if session_id is None:
                session_id = standups_svc.start_session(ctx, stream=stream, timebox_minutes=minutes).id
            return standups_svc.end_session(ctx, session_id, elapsed_seconds=used)

        def done(sess: SessionView) -> None:
            self.session_id = None
            self.timebox = Timebox(self.timebox.total)
            self.spoken.clear()
            self.app.push_screen(SummaryModal(summary_content(sess)))

        self.perform(Write("the end of the standup", op, Topic.STANDUPS), done=done)
