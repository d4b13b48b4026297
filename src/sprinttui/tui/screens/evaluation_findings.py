"""The findings half of the Evaluations screen: the table of an evaluation's
findings (by category or by votes) with the line about the one at the cursor,
and the commands that add, edit, vote on, turn into items and delete findings.

EvaluationsScreen (screens/evaluations.py) mixes FindingsMixin in. The screen
has the evaluation shown, its snapshot panel (the figures, the summary, the
open actions from the evaluation before), the list of evaluations and the
moving around. This part uses the screen's state declared on the class below
and its methods (query_one, write, notify, _need_evaluation, _in_thread …).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.content import Content
from textual.widgets import DataTable, Static
from textual.widgets.data_table import RowDoesNotExist

from sprinttui.domain import FindingCategory, FindingStatus, ValidationError
from sprinttui.services import evaluations as evaluations_svc
from sprinttui.services import items as items_svc
from sprinttui.services import members as members_svc
from sprinttui.services import streams as streams_svc
from sprinttui.services.evaluations import FindingView
from sprinttui.services.item_rows import ItemRow
from sprinttui.services.text import clean_text
from sprinttui.tui.base import row_at_cursor
from sprinttui.tui.modals import ChooseModal, ConfirmModal, PromptModal, TextModal
from sprinttui.tui.safe import plain, text
from sprinttui.tui.writes import Topic, Write

if TYPE_CHECKING:
    from sprinttui.services.evaluations import EvaluationView
    from sprinttui.tui.base import BaseScreen as _Screen  # the methods type checkers see
    from sprinttui.tui.screens.evaluations import EvalData
else:
    _Screen = object  # a plain mixin: the screen's CSS and type names stay the screen's own

#: the longest finding text the services accept
FINDING_LIMIT = 20_000
CATEGORY_ORDER = {c.value: i for i, c in enumerate(FindingCategory)}
CATEGORY_LABEL = {
    "went_well": "went well",
    "to_improve": "to improve",
    "tool_optimisation": "tool optim.",
    "process": "process",
    "training": "training",
}
CATEGORY_HINT = {
    "went_well": "went well: keep doing it",
    "to_improve": "to improve",
    "tool_optimisation": "tool optimisation: the CRM or the tools around it",
    "process": "process: how we work together",
    "training": "training: becomes a change item",
}
ITEM_STYLE = {"todo": "", "doing": "bold $accent", "review": "bold $warning", "done": "bold $success"}
FINDING_STYLE = {"open": "dim", "accepted": "", "in_progress": "$accent", "resolved": "$success",
                 "rejected": "dim strike"}


def category_label(category: str) -> str:
    return CATEGORY_LABEL.get(category, category.replace("_", " "))


def status_label(status: str) -> str:
    return status.replace("_", " ")


def _check_finding_text(value: str) -> str:
    body = clean_text(value, "text", limit=FINDING_LIMIT)
    if not body:
        raise ValidationError("a finding needs a text", "text")
    return body


class FindingsMixin(_Screen):
    """The findings table of EvaluationsScreen and the commands on findings."""

    # of the screen (see EvaluationsScreen.__init__)
    data: EvalData | None
    rows: list[FindingView]  # the findings in the table, in its order
    by_votes: bool
    wide: bool
    _want_finding: int | None

    if TYPE_CHECKING:  # defined by EvaluationsScreen
        @property
        def actions_table(self) -> DataTable: ...
        @property
        def action_row(self) -> FindingView | None: ...
        def _need_evaluation(self) -> EvaluationView | None: ...
        async def _in_thread(self, fn, *args, **kw) -> Any: ...

    @property
    def findings_table(self) -> DataTable:
        return self.query_one("#ev-findings", DataTable)

    @property
    def finding(self) -> FindingView | None:
        return row_at_cursor(self.findings_table, self.rows)

    # -- the table ------------------------------------------------------------------
    def _sorted(self, findings: list[FindingView]) -> list[FindingView]:
        if self.by_votes:
            return sorted(findings, key=lambda f: (-f.votes, f.id))
        return sorted(findings, key=lambda f: (CATEGORY_ORDER.get(f.category, 99), -f.votes, f.id))

    def _fill_findings(self, keep: int | None, old_row: int) -> None:
        data = self.data
        t = self.findings_table
        self.rows = self._sorted(data.findings) if data else []
        t.clear()
        for f in self.rows:
            t.add_row(*self._cells(f), key=str(f.id))
        order = "by votes" if self.by_votes else "by category"
        if data is None or data.current is None:
            t.border_title = Content("Findings")
        else:
            t.border_title = Content(f"Findings · {len(self.rows)} · {order}")
        t.border_subtitle = Content("a adds one") if data and data.current and not self.rows else None
        if self.rows:
            index = -1
            if keep is not None:
                try:
                    index = t.get_row_index(str(keep))
                except RowDoesNotExist:
                    index = -1
            if index < 0:
                index = max(0, min(old_row, len(self.rows) - 1))
            t.move_cursor(row=index, animate=False)
        self._show_detail()

    def _cells(self, f: FindingView) -> list:
        dim = "dim" if f.status == FindingStatus.REJECTED else ""
        cells: list = [
            text(category_label(f.category), style=dim or "bold", limit=11),
            Text(str(f.votes), justify="right", style=dim or ("bold" if f.votes else "dim")),
            text(f.text, style=dim, limit=200),
        ]
        if self.wide:
            cells.append(text(f.owner or "-", style="dim", limit=10))
        cells.append(self._state_cell(f))
        return cells

    @staticmethod
    def _state_cell(f: FindingView) -> Content:
        if f.item_key:
            status = f.item_status or ""
            return Content.assemble((plain(f.item_key, 10), "bold"), " ",
                                    (status, ITEM_STYLE.get(status, "")))
        return Content.styled(status_label(f.status), FINDING_STYLE.get(f.status, ""))

    def _show_detail(self) -> None:
        detail = self.query_one("#ev-detail", Static)
        f = self.finding
        if f is None:
            detail.update("")
            return
        parts = [category_label(f.category), f"{f.votes} vote{'' if f.votes == 1 else 's'}",
                 status_label(f.status)]
        if f.owner:
            parts.append(f"owner {plain(f.owner, 30)}")
        if f.item_key:
            parts.append(f"tracked as {f.item_key} ({f.item_status}, {f.item_stream or '-'}; i opens it)")
        lines = [ln.strip() for ln in f.text.splitlines() if ln.strip()]
        body = plain(" / ".join(lines), 1200 if self.wide else 300)
        detail.update(Content.assemble((" · ".join(parts), "bold"), " — ", body))

    # -- moving around -------------------------------------------------------------
    def action_toggle_sort(self) -> None:
        self.by_votes = not self.by_votes
        f = self.finding
        self._fill_findings(f.id if f else None, self.findings_table.cursor_row)
        self.notify("Findings by votes" if self.by_votes else "Findings by category", timeout=2)

    # -- helpers ---------------------------------------------------------------------
    def _need_finding(self) -> FindingView | None:
        """The finding the keys act on: the open action at the cursor when that list
        has the focus (an accepted action can still become an item), else the
        finding at the cursor."""
        if self._need_evaluation() is None:
            return None
        if self.focused is self.actions_table and self.action_row is not None:
            return self.action_row
        f = self.finding
        if f is None:
            self.notify("No finding here yet: a adds one", severity="warning", timeout=3)
        return f

    @staticmethod
    def _short(value: str, limit: int = 50) -> str:
        lines = [ln for ln in str(value).splitlines() if ln.strip()]
        return plain(lines[0] if lines else "", limit)

    # -- commands -------------------------------------------------------------------
    @work(exclusive=True, group="dialog")
    async def action_add_finding(self) -> None:
        ev = self._need_evaluation()
        if ev is None:
            return
        options: list[tuple[str, object]] = [(CATEGORY_HINT[c.value], c.value) for c in FindingCategory]
        category = await self.app.push_screen_wait(ChooseModal("Category of the new finding", options))
        if category is None:
            return
        body = await self.app.push_screen_wait(PromptModal(
            f"New finding ({category_label(str(category))})", placeholder="what the team noticed",
            check=_check_finding_text))
        if not body:
            return
        ctx, eid = self.ctx, ev.id

        def done(f: FindingView) -> None:
            self._want_finding = f.id
            self.notify(Content(f"Finding added to {category_label(f.category)}"), timeout=2)

        self.perform(Write(f"the finding “{self._short(body)}”",
                           lambda: evaluations_svc.add_finding(ctx, eid, str(category), body), Topic.EVALUATIONS,
                           undo=lambda f: evaluations_svc.delete_finding(
                               ctx, f.id, expected_version=self.sapp.own_version(f"finding:{f.id}"))),
                     done=done)

    def action_edit_finding(self) -> None:
        f = self._need_finding()
        if f is not None:
            self.edit_finding(f)

    @work(exclusive=True, group="dialog")
    async def edit_finding(self, f: FindingView) -> None:
        options: list[tuple[str, object]] = [
            (f"Text ({self._short(f.text, 40)})", "text"),
            (f"Category ({category_label(f.category)})", "category"),
            (f"Owner ({plain(f.owner or '-', 30)})", "owner"),
        ]
        if f.item_key:
            options.append((f"Status follows {f.item_key} ({f.item_status}): i opens it", "item"))
        else:
            options.append((f"Status ({status_label(f.status)})", "status"))
        what = await self.app.push_screen_wait(ChooseModal(f"Change what of “{self._short(f.text, 36)}”?", options))
        if what is None:
            return
        new: object
        if what == "item":
            self.sapp.open_item(f.item_key)
            return
        if what == "text":
            new = await self.app.push_screen_wait(TextModal("Text of the finding", value=f.text,
                                                            check=_check_finding_text))
            old: object = f.text
        elif what == "category":
            cats = [(CATEGORY_HINT[c.value], c.value) for c in FindingCategory]
            cats.sort(key=lambda o: o[1] == f.category)  # the others first
            new = await self.app.push_screen_wait(ChooseModal("Category of the finding", cats))
            old = f.category
        elif what == "status":
            sts = [(status_label(s.value), s.value) for s in FindingStatus if s.value != f.status]
            new = await self.app.push_screen_wait(ChooseModal("Status of the finding", sts))
            old = f.status
        else:
            members = await self._in_thread(members_svc.list_members, self.ctx)
            if members is None:
                return
            opts: list[tuple[str, object]] = [(f"{m.handle}  {plain(m.name, 40)}", m.handle) for m in members]
            opts.append(("Nobody", ""))
            new = await self.app.push_screen_wait(ChooseModal("Owner of the finding", opts))
            old = f.owner or ""
        if new is None or new == old:
            return
        ctx, fid, field = self.ctx, f.id, str(what)
        self._want_finding = fid
        self.perform(Write(
            f"the change of the {field} of a finding",
            lambda: evaluations_svc.edit_finding(ctx, fid, expected_version=f.version, **{field: new}),
            Topic.EVALUATIONS,
            undo=lambda _r: evaluations_svc.edit_finding(ctx, fid, **{field: old},
                                                         expected_version=self.sapp.own_version(f"finding:{fid}")),
        ))

    def action_vote(self, delta: int) -> None:
        f = self._need_finding()
        if f is None:
            return
        if delta < 0 and f.votes == 0:
            self.notify("No votes to take back", timeout=2)
            return
        ctx, fid, before = self.ctx, f.id, f.votes
        self._want_finding = fid

        def undo(after: FindingView) -> FindingView | None:
            # a vote is a count: taking it back adds the opposite, whatever others voted since
            return evaluations_svc.vote(ctx, fid, -delta) if after.votes != before else None

        self.perform(Write(f"a vote on “{self._short(f.text)}”", lambda: evaluations_svc.vote(ctx, fid, delta),
                           Topic.EVALUATIONS, undo=undo))

    @work(exclusive=True, group="dialog")
    async def action_convert(self) -> None:
        f = self._need_finding()
        if f is None:
            return
        if f.item_key:
            self.notify(Content(f"Already tracked as {f.item_key} ({f.item_status}): i opens it"),
                        severity="warning", timeout=3)
            return
        if f.status == FindingStatus.REJECTED:
            self.notify("This finding was rejected: e changes its status before it becomes work",
                        severity="warning", timeout=3)
            return
        streams = await self._in_thread(streams_svc.list_streams, self.ctx)
        if streams is None:
            return
        if not streams:
            self.notify("No stream yet: add one on the Team screen (8)", severity="warning", timeout=3)
            return
        options: list[tuple[str, object]] = [(f"{s.key}  {plain(s.name, 40)}", s.key) for s in streams]
        options.sort(key=lambda o: o[1] != self.stream)  # the stream filter first: enter takes it
        kind = "change" if f.category == FindingCategory.TRAINING else "improvement"
        stream = await self.app.push_screen_wait(ChooseModal(
            f"Stream of the {kind} item for “{self._short(f.text, 24)}”", options))
        if stream is None:
            return
        ctx, fid = self.ctx, f.id
        self._want_finding = fid

        def done(row: ItemRow) -> None:
            self.notify(Content(f"Tracked as {row.key} ({row.kind}, backlog of {row.stream})"), timeout=3)

        self.perform(Write(lambda row: f"{row.key} made from a finding",
                           lambda: evaluations_svc.convert_finding(ctx, fid, stream=str(stream)),
                           Topic.EVALUATIONS | Topic.ITEMS,
                           undo=lambda row: items_svc.delete_item(ctx, row.key,
                                                                  expected_version=self.sapp.own_version(row.key))),
                     done=done)

    @work(exclusive=True, group="dialog")
    async def action_delete_finding(self) -> None:
        f = self._need_finding()
        if f is None:
            return
        question = f"Delete the finding “{self._short(f.text, 60)}” ({f.votes} votes)?"
        if f.item_key:
            question += f" {f.item_key} stays in the backlog, no longer linked."
        if not await self.app.push_screen_wait(ConfirmModal(question)):
            return
        ctx, fid = self.ctx, f.id

        self.perform(Write(f"the deletion of “{self._short(f.text)}”",
                           lambda: evaluations_svc.delete_finding(ctx, fid, expected_version=f.version),
                           Topic.EVALUATIONS | Topic.ITEMS,
                           undo=lambda gone: evaluations_svc.restore_finding(ctx, gone)),
                     done=lambda _gone: self.notify("Finding deleted (u brings it back)", timeout=3))

