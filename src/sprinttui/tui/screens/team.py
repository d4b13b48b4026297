"""8 Team: streams and their leads, members with availability, competences
and absences in the active (or next) sprint."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from sprinttui.domain import SprintTuiError
from sprinttui.services import members as members_svc
from sprinttui.services import sprints as sprints_svc
from sprinttui.services import streams as streams_svc
from sprinttui.services.members import MemberView
from sprinttui.services.streams import StreamView
from sprinttui.services.text import fmt_points
from sprinttui.tui.base import BaseScreen, fit_rows
from sprinttui.tui.modals import ChooseModal, PromptModal
from sprinttui.tui.safe import plain, text
from sprinttui.tui.tcss import load_tcss
from sprinttui.tui.widgets.table import Table
from sprinttui.tui.writes import Topic, Write


@dataclass
class TeamData:
    streams: list[StreamView]
    members: list[MemberView]
    sprint: sprints_svc.SprintView | None  # the active sprint, else the next planned one
    absences: dict[str, float]


def absence_sprint(ctx) -> sprints_svc.SprintView | None:
    """The active sprint, else the first planned one, else None."""
    active = sprints_svc.active_sprint(ctx)
    if active is not None:
        return active
    planned = sprints_svc.list_sprints(ctx, state="planned")
    return planned[0] if planned else None


class TeamScreen(BaseScreen):
    SCREEN_TITLE = "Team"
    DEFAULT_CSS = load_tcss(__file__)
    BINDINGS = [
        Binding("tab", "switch_table", "Table"),
        Binding("a", "add_member", "Add"),
        Binding("e", "edit", "Edit"),
        Binding("enter", "edit", "Edit", show=False, priority=True),
        Binding("x", "absence", "Absence"),
        Binding("i", "toggle_active", "Active"),
        Binding("S", "add_stream", "New stream", key_display="S"),
        Binding("L", "set_lead", "Lead", key_display="L"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data: TeamData | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with Vertical(id="team-head"):
            yield Static(Content("Loading…"), id="team-info")
        yield Table(id="team-streams", cursor_type="row", zebra_stripes=True)
        yield Table(id="team-members", cursor_type="row", zebra_stripes=True)
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.streams_table.border_title = "Streams"
        self.members_table.border_title = "Members"
        self.members_table.focus()
        # BaseScreen.on_mount (the first load) runs next: Textual calls the
        # handler of every class in the MRO, so calling it here loaded twice

    # -- tables ----------------------------------------------------------------
    @property
    def streams_table(self) -> DataTable:
        return self.query_one("#team-streams", DataTable)

    @property
    def members_table(self) -> DataTable:
        return self.query_one("#team-members", DataTable)

    @property
    def member(self) -> MemberView | None:
        rows = self.data.members if self.data else []
        t = self.members_table
        if not rows or t.row_count == 0 or not 0 <= t.cursor_row < len(rows):
            return None
        return rows[t.cursor_row]

    @property
    def stream_row(self) -> StreamView | None:
        rows = self.data.streams if self.data else []
        t = self.streams_table
        if not rows or t.row_count == 0 or not 0 <= t.cursor_row < len(rows):
            return None
        return rows[t.cursor_row]

    # -- loading ---------------------------------------------------------------
    def load(self) -> TeamData:
        ctx = self.ctx
        streams = streams_svc.list_streams(ctx)
        members = members_svc.list_members(ctx, stream=self.stream, include_inactive=True)
        sprint = absence_sprint(ctx)
        away = members_svc.absences(ctx, sprint.name) if sprint else {}
        return TeamData(streams, members, sprint, away)

    def show(self, data: TeamData) -> None:
        self.data = data
        info = self.query_one("#team-info", Static)
        if data.sprint is None:
            info.update(Content("No sprint is active or planned: absences are recorded per sprint."))
        else:
            info.update(Content.from_markup(
                "Absences in [b]$name[/b] ($state, $start → $end)$filt",
                name=plain(data.sprint.name, 60), state=data.sprint.state,
                start=data.sprint.start.isoformat(), end=data.sprint.end.isoformat(),
                filt=f" · stream {self.stream}" if self.stream else " · all streams",
            ))
        self._fill_streams(data)
        self._fill_members(data)

    @staticmethod
    def _keep(table: DataTable, keys: list[str], key_now: str | None) -> None:
        if not keys:
            return
        old = table.cursor_row
        index = keys.index(key_now) if key_now in keys else min(max(old, 0), len(keys) - 1)
        table.move_cursor(row=index)

    def _fill_streams(self, data: TeamData) -> None:
        t = self.streams_table
        keep = getattr(t, "_team_keys", [])
        key_now = keep[t.cursor_row] if t.row_count and 0 <= t.cursor_row < len(keep) else None
        t.clear(columns=True)
        t.add_columns("Key", "Name", "Lead", "Members")
        for s in data.streams:
            lead = f"{s.lead} ({s.lead_name})" if s.lead else "-"
            t.add_row(text(s.key), text(s.name, limit=40), text(lead, limit=40), text(str(s.members)),
                      key=s.key)
        t._team_keys = [s.key for s in data.streams]  # type: ignore[attr-defined]
        fit_rows(t)
        self.streams_table.border_title = Content(f"Streams · {len(data.streams)}")
        self._keep(t, t._team_keys, key_now)  # type: ignore[attr-defined]

    def _fill_members(self, data: TeamData) -> None:
        t = self.members_table
        keep = getattr(t, "_team_keys", [])
        key_now = keep[t.cursor_row] if t.row_count and 0 <= t.cursor_row < len(keep) else None
        t.clear(columns=True)
        wide = self.app.size.width >= 110
        t.add_columns("Handle", "Name", "Stream", "Avail", "Away", "On", "Competences")
        for m in data.members:
            dim = "" if m.active else "dim"
            away = fmt_points(data.absences.get(m.handle, 0.0)) if data.sprint else "-"
            t.add_row(
                text(m.handle, style=dim, limit=24 if wide else 12),
                text(m.name, style=dim, limit=40 if wide else 18),
                text(m.stream or "-", style=dim), text(f"{m.availability}%", style=dim),
                text(away, style=dim), text("yes" if m.active else "no", style=dim),
                text(", ".join(m.competences) or "-", style=dim, limit=60),
                key=m.handle,
            )
        t._team_keys = [m.handle for m in data.members]  # type: ignore[attr-defined]
        active = sum(1 for m in data.members if m.active)
        filt = f" · stream {self.stream}" if self.stream else ""
        t.border_title = Content(f"Members · {active} active of {len(data.members)}{filt}")
        self._keep(t, t._team_keys, key_now)  # type: ignore[attr-defined]

    # -- navigation ------------------------------------------------------------
    def action_switch_table(self) -> None:
        if self.focused is self.members_table:
            self.streams_table.focus()
        else:
            self.members_table.focus()

    # -- helpers ---------------------------------------------------------------
    async def _stream_options(self, first: str | None = None) -> list[tuple[str, object]] | None:
        try:
            streams = await asyncio.to_thread(streams_svc.list_streams, self.ctx)
        except SprintTuiError as err:
            self.sapp.report_error(err)
            return None
        options: list[tuple[str, object]] = [(f"{s.key}  {s.name}", s.key) for s in streams]
        options.sort(key=lambda o: o[1] != first)  # the given stream first, the rest in order
        options.append(("(no stream)", ""))
        return options

    async def _ask(self, title: str, value: str = "", **kw) -> str | None:
        return await self.app.push_screen_wait(PromptModal(title, value=value, **kw))

    # -- members ---------------------------------------------------------------
    @work(exclusive=True, group="dialog")
    async def action_add_member(self, answers: dict[str, str] | None = None,
                                refused: SprintTuiError | None = None) -> None:
        """Add a member: handle, name, stream and availability, asked one after
        the other. Each answer is checked as it is given, by the service's own
        checks: a wrong one is refused in its dialog, which says why and keeps
        what was typed, and the answers before it stay. Should saving still be
        refused (a handle taken meanwhile), the question refused is asked
        again, saying why, with the other answers kept (`answers`, `refused`)."""
        answers = dict(answers or {})
        field = getattr(refused, "field", None)
        todo = [field] if refused is not None and field in answers else ["handle", "name", "stream", "availability"]
        try:
            taken = await asyncio.to_thread(self._handles)
        except SprintTuiError as err:
            self.sapp.report_error(err)
            return
        for step in todo:
            error = str(refused) if refused is not None and step == field else ""
            who = plain(answers.get("handle", ""), 40)
            answer: object
            if step == "handle":
                answer = await self._ask("Handle of the new member (letters, digits, . _ -)",
                                         answers.get("handle", ""), error=error,
                                         check=lambda v: members_svc.check_handle(v, taken))
            elif step == "name":
                answer = await self._ask(f"Full name of {who}", answers.get("name", ""), error=error,
                                         check=members_svc.check_name)
            elif step == "stream":
                options = await self._stream_options(first=answers.get("stream", self.stream))
                if options is None:
                    return
                answer = await self.app.push_screen_wait(ChooseModal(f"Stream of {who}", options))
            else:
                answer = await self._ask(f"Availability of {who} for the project, in % (0–100)",
                                         answers.get("availability", "100"), error=error,
                                         check=members_svc.check_availability)
            if answer is None:
                return  # escape: nothing is added
            answers[step] = str(answer)
        ctx, handle = self.ctx, answers["handle"]
        self.sapp.perform(
            Write(f"new member {handle}",
                  lambda: members_svc.add_member(ctx, handle, answers["name"], stream=answers["stream"] or None,
                                                 availability=answers["availability"]),
                  Topic.TEAM),
            done=lambda m: self.notify(Content(f"{plain(m.handle, 40)} added"), timeout=3),
            error=lambda err: self._member_refused(answers, err),
        )

    def _handles(self) -> list[str]:
        """Every member's handle, the inactive ones' too (a new member's must be another)."""
        return [m.handle for m in members_svc.list_members(self.ctx, include_inactive=True)]

    def _member_refused(self, answers: dict[str, str], err: SprintTuiError) -> None:
        """Saving the new member was refused: ask again what was refused, when it is one of the answers."""
        if getattr(err, "field", None) in answers:
            self.action_add_member(answers, err)
        else:
            self.sapp.report_error(err)

    def action_edit(self) -> None:
        if self.focused is self.streams_table:
            self.edit_stream()
        else:
            self.edit_member()

    @work(exclusive=True, group="dialog")
    async def edit_member(self) -> None:
        m = self.member
        if m is None:
            return
        comps = ", ".join(m.competences)
        what = await self.app.push_screen_wait(ChooseModal(f"Change what of {plain(m.handle, 40)}?", [
            (f"Availability ({m.availability}%)", "availability"),
            (f"Competences ({plain(comps, 40) or '-'})", "competences"),
            (f"Stream ({m.stream or '-'})", "stream"),
            (f"Name ({plain(m.name, 40)})", "name"),
        ]))
        if what is None:
            return
        new: object
        if what == "stream":
            options = await self._stream_options(first=m.stream)
            if options is None:
                return
            new = await self.app.push_screen_wait(ChooseModal(f"Stream of {plain(m.handle, 40)}", options))
            old: object = m.stream or ""
        elif what == "availability":
            new = await self._ask(f"Availability of {plain(m.handle, 40)} in % (0–100)", str(m.availability))
            old = m.availability
        elif what == "competences":
            new = await self._ask(f"Competences of {plain(m.handle, 40)}, comma separated", comps,
                                  allow_empty=True)
            old = comps
        else:
            new = await self._ask(f"Name of {plain(m.handle, 40)}", m.name)
            old = m.name
        if new is None:
            return
        ctx, handle, field = self.ctx, m.handle, str(what)
        self.perform(Write(
            f"change of {field} of {handle}",
            lambda: members_svc.edit_member(ctx, handle, expected_version=m.version, **{field: new}),
            Topic.TEAM,
            undo=lambda _r: members_svc.edit_member(ctx, handle, **{field: old},
                                                    expected_version=self.sapp.own_version(f"member:{handle}")),
        ))

    @work(exclusive=True, group="dialog")
    async def action_absence(self) -> None:
        m = self.member
        if m is None:
            return
        try:
            sprint = await asyncio.to_thread(absence_sprint, self.ctx)
            current = (await asyncio.to_thread(members_svc.absences, self.ctx, sprint.name)
                       if sprint else {})
        except SprintTuiError as err:
            self.sapp.report_error(err)
            return
        if sprint is None:
            self.notify("No sprint is active or planned: create one on the Planning screen (3).",
                        severity="warning", timeout=4)
            return
        old = current.get(m.handle, 0.0)
        days = await self._ask(
            f"Days {plain(m.handle, 40)} is away during {plain(sprint.name, 40)} (0 for none)",
            fmt_points(old))
        if days is None:
            return
        ctx, handle, name = self.ctx, m.handle, sprint.name
        self.perform(Write(
            f"absence of {handle} in {name}",
            lambda: members_svc.set_absence(ctx, handle, name, days),
            Topic.TEAM,
            undo=lambda now: members_svc.set_absence(ctx, handle, name, old, expected=now),
        ))

    def action_toggle_active(self) -> None:
        m = self.member
        if m is None:
            return
        ctx, handle, now = self.ctx, m.handle, not m.active
        self.perform(
            Write(f"{'activation' if now else 'deactivation'} of {handle}",
                  lambda: members_svc.edit_member(ctx, handle, active=now, expected_version=m.version),
                  Topic.TEAM,
                  undo=lambda _r: members_svc.edit_member(
                      ctx, handle, active=not now, expected_version=self.sapp.own_version(f"member:{handle}"))),
            done=lambda _r: self.notify(Content(f"{plain(handle, 40)} is {'active' if now else 'inactive'} now"),
                                        timeout=3),
        )

    # -- streams ---------------------------------------------------------------
    @work(exclusive=True, group="dialog")
    async def action_add_stream(self) -> None:
        key = await self._ask("Key of the new stream (2 to 6 capital letters, like SAL)")
        if not key:
            return
        name = await self._ask(f"Name of stream {plain(key, 20)}")
        if not name:
            return
        ctx = self.ctx
        self.perform(
            Write(f"new stream {key}", lambda: streams_svc.add_stream(ctx, key, name), Topic.TEAM),
            done=lambda s: self.notify(Content(f"Stream {s.key} added"), timeout=3),
        )

    @work(exclusive=True, group="dialog")
    async def edit_stream(self) -> None:
        s = self.stream_row
        if s is None:
            return
        name = await self._ask(f"Name of stream {s.key}", s.name)
        if not name:
            return
        ctx, key, old = self.ctx, s.key, s.name
        self.perform(Write(
            f"renaming of stream {key}",
            lambda: streams_svc.edit_stream(ctx, key, name=name, expected_version=s.version),
            Topic.TEAM,
            undo=lambda _r: streams_svc.edit_stream(ctx, key, name=old,
                                                    expected_version=self.sapp.own_version(f"stream:{key}")),
        ))

    @work(exclusive=True, group="dialog")
    async def action_set_lead(self) -> None:
        s = self.stream_row
        if s is None:
            self.notify("No stream yet: S adds one.", severity="warning", timeout=3)
            return
        try:
            members = await asyncio.to_thread(members_svc.list_members, self.ctx)
        except SprintTuiError as err:
            self.sapp.report_error(err)
            return
        # the stream's own members first
        members.sort(key=lambda m: m.stream != s.key)
        options: list[tuple[str, object]] = [
            (f"{m.handle}  {plain(m.name, 40)}  ({m.stream or '-'})", m.handle) for m in members
        ]
        options.append(("Nobody", ""))
        choice = await self.app.push_screen_wait(ChooseModal(f"Lead of stream {s.key}", options))
        if choice is None:
            return
        ctx, key, old = self.ctx, s.key, s.lead or ""
        self.perform(Write(
            f"change of the lead of {key}",
            lambda: streams_svc.edit_stream(ctx, key, lead=str(choice), expected_version=s.version),
            Topic.TEAM,
            undo=lambda _r: streams_svc.edit_stream(ctx, key, lead=old,
                                                    expected_version=self.sapp.own_version(f"stream:{key}")),
        ))
