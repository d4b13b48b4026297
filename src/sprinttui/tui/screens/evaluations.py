"""5 Evaluations: interim evaluations and retrospectives, their findings and
the improvement work made from them.

Top: the evaluation shown (kind, sprint, date, the sprint figures snapshotted
when it was started, its summary) and the open actions agreed at the previous
evaluation, each marked done or not — the loop that makes retros matter.
Below: the findings by category (or by votes), each with the item it became
and that item's status. `[` / `]` step through the evaluations; from WIDE
columns on, a list of all evaluations sits on the left.

This module has the screen, its snapshot panel (the top) and the list; the
findings table and the commands on findings are in evaluation_findings.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from sprinttui.domain import SprintTuiError
from sprinttui.services import evaluations as evaluations_svc
from sprinttui.services import members as members_svc
from sprinttui.services import sprints as sprints_svc
from sprinttui.services.evaluations import EvaluationView, FindingView, is_done
from sprinttui.services.text import clean_text, fmt_points
from sprinttui.tui.base import BaseScreen, fit_rows, row_at_cursor
from sprinttui.tui.modals import ChooseModal, TextModal
from sprinttui.tui.safe import plain, text
from sprinttui.tui.screens.evaluation_findings import FindingsMixin, status_label
from sprinttui.tui.tcss import load_tcss
from sprinttui.tui.widgets.table import Table
from sprinttui.tui.writes import Topic, Write

#: from this terminal width on, the list of evaluations is shown on the left
WIDE = 120
#: the width the list of evaluations takes there
LIST_WIDTH = 42
def _ratio(value) -> str:
    return "-" if value is None else f"{value:.0%}"


def _signed(value) -> str:
    if value is None:
        return "-"
    return ("+" if value > 0 else "") + fmt_points(value)


def metrics_text(m: dict) -> str:
    """The sprint figures an evaluation snapshotted, in one line."""
    return (f"committed {fmt_points(m.get('committed_points'))} · completed {fmt_points(m.get('completed_points'))}"
            f" · say/do {_ratio(m.get('say_do_ratio'))} · carried over {fmt_points(m.get('carried_over_points'))}"
            f" · scope {_signed(m.get('scope_change_points'))}")


@dataclass
class EvalData:
    evaluations: list[EvaluationView]
    current: EvaluationView | None
    findings: list[FindingView]
    previous: EvaluationView | None  # whose open actions are listed
    actions: list[FindingView]
    stream: str | None


class EvaluationsScreen(FindingsMixin, BaseScreen):
    SCREEN_TITLE = "Evaluations"
    DEFAULT_CSS = load_tcss(__file__)
    BINDINGS = [
        Binding("n", "new_evaluation", "New"),
        Binding("a", "add_finding", "Add"),
        Binding("e", "edit_finding", "Edit"),
        Binding("plus,equals_sign", "vote(1)", "Vote", key_display="+"),
        Binding("minus", "vote(-1)", "Unvote", key_display="-", show=False),
        Binding("c", "convert", "Item"),
        Binding("v", "toggle_sort", "Sort"),
        Binding("s", "edit_summary", "Summary"),
        Binding("d", "delete_finding", "Delete", show=False),
        Binding("x", "export", "Export", show=False),
        Binding("left_square_bracket", "step(-1)", "Previous evaluation", key_display="[", show=False),
        Binding("right_square_bracket", "step(1)", "Next evaluation", key_display="]", show=False),
        Binding("i", "open_item", "Open the item", show=False),
        Binding("tab", "switch_table", "Next table", show=False),
        Binding("k", "cursor(-1)", "Up", show=False),
        Binding("j", "cursor(1)", "Down", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data: EvalData | None = None
        self.eval_id: int | None = None  # the evaluation to show; None: the latest
        self.by_votes = False
        self.rows: list[FindingView] = []
        self.wide = False
        self._width = 0
        self._want_finding: int | None = None  # put the cursor here once loaded
        self._list: DataTable | None = None

    def compose(self) -> ComposeResult:
        # what a wide terminal shows is there from the start: added after the
        # mount, the class and the list would restyle and lay out the screen again
        wide = self.app.size.width >= WIDE
        self.set_class(wide, "-wide", update=False)
        yield from self.compose_header()
        with Horizontal(id="ev-body"):  # the list of evaluations joins on the left when wide
            if wide:
                yield self._make_list()
            with Vertical(id="ev-main"):
                yield Static(Content("Loading…"), id="ev-head")
                yield Static("", id="ev-summary")
                yield Static("", id="ev-actions-title")
                yield Table(id="ev-actions", cursor_type="row", show_header=False)
                yield Table(id="ev-findings", cursor_type="row", zebra_stripes=True)
                yield Static("", id="ev-detail")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        # (BaseScreen.on_mount, which starts the first load, runs after this one:
        # Textual calls the handler of every class, so no super() call here)
        self.findings_table.border_title = Content("Findings")
        self._layout(self.app.size.width)
        self.findings_table.focus()

    # -- widgets ------------------------------------------------------------------
    @property
    def list_table(self) -> DataTable | None:
        """The list of evaluations; made the first time the terminal is wide."""
        return self._list

    @property
    def actions_table(self) -> DataTable:
        return self.query_one("#ev-actions", DataTable)

    @property
    def evaluation(self) -> EvaluationView | None:
        return self.data.current if self.data else None

    def action_export(self) -> None:
        """The summary of the shown evaluation's sprint (else the active / last one)."""
        from sprinttui.tui.exporting import ask_and_export

        ev = self.evaluation
        ask_and_export(self, ev.sprint if ev is not None else None, stream=self.stream)

    @property
    def action_row(self) -> FindingView | None:
        return row_at_cursor(self.actions_table, self.data.actions if self.data else [])

    # -- layout -------------------------------------------------------------------
    def on_resize(self, event) -> None:
        self._layout(event.size.width)

    def _layout(self, width: int) -> None:
        if width == self._width:
            return
        self._width = width
        self.wide = wide = width >= WIDE
        self.set_class(wide, "-wide")
        if wide and self._list is None:
            self.query_one("#ev-body").mount(self._make_list(), before="#ev-main")
        if self._list is not None:
            self._list.set_class(not wide, "-hidden")
        if not wide and self._list is not None and self.focused is self._list:
            self.findings_table.focus()
        self._columns(width - (LIST_WIDTH if wide else 0))
        if self.data is not None:
            self.show(self.data)

    def _make_list(self) -> DataTable:
        self._list = Table(id="ev-list", cursor_type="row", zebra_stripes=True)
        self._list.border_title = Content("Evaluations")
        return self._list

    def _columns(self, width: int) -> None:
        """Fixed widths, the text column takes the rest: nothing scrolls sideways."""
        def rest(fixed: list[int], chrome: int) -> int:
            return max(12, width - chrome - sum(w + 2 for w in fixed) - 2)

        ft = self.findings_table
        ft.clear(columns=True)
        fixed = [11, 5, 14] + ([10] if self.wide else [])
        ft.add_column("Category", key="category", width=11)
        ft.add_column(Text("Votes", justify="right"), key="votes", width=5)
        ft.add_column("Finding", key="text", width=rest(fixed, 3))
        if self.wide:
            ft.add_column("Owner", key="owner", width=10)
        ft.add_column("Item / status", key="state", width=14)
        at = self.actions_table
        at.clear(columns=True)
        fixed = [6, 14] + ([10] if self.wide else [])
        at.add_column("", key="done", width=6)
        at.add_column("", key="item", width=14)
        at.add_column("", key="text", width=rest(fixed, 1))
        if self.wide:
            at.add_column("", key="owner", width=10)
        lt = self._list
        if lt is None:
            return
        lt.clear(columns=True)
        lt.add_column("Sprint", key="sprint", width=12)
        lt.add_column("Date", key="date", width=10)
        lt.add_column("Kind", key="kind", width=7)
        lt.add_column(Text("#", justify="right"), key="n", width=2)

    # -- loading ------------------------------------------------------------------
    def load(self) -> EvalData:
        stream = self.stream
        page = evaluations_svc.evaluation_page(self.ctx, self.eval_id, stream=stream)
        return EvalData(page.evaluations, page.current, page.findings, page.previous, page.actions, stream)

    def show(self, data: EvalData) -> None:
        same_eval = (self.data is not None and self.data.current is not None and data.current is not None
                     and self.data.current.id == data.current.id)
        keep = self._want_finding
        if keep is None and same_eval and self.finding is not None:
            keep = self.finding.id  # the cursor stays on its finding, wherever it moved
        old_row = self.findings_table.cursor_row
        self.data = data
        self._want_finding = None
        if data.current is not None:
            self.eval_id = data.current.id
        self._show_head()
        self._show_actions()
        self._fill_list()
        self._fill_findings(keep, old_row if same_eval else 0)

    def _show_head(self) -> None:
        data = self.data
        assert data is not None
        head = self.query_one("#ev-head", Static)
        summary = self.query_one("#ev-summary", Static)
        ev = data.current
        if ev is None:
            head.update(Content.assemble(("No evaluation yet.", "bold"),
                                         " n starts one for the current sprint and snapshots its figures."))
            summary.update("")
            return
        pos = next(i for i, e in enumerate(data.evaluations) if e.id == ev.id) + 1
        line1: list = [(f"{ev.kind.capitalize()} evaluation", "bold"), " of ", (plain(ev.sprint, 40), "bold"),
                       f" · {ev.date.isoformat()}"]
        if ev.facilitator:
            line1.append(f" · by {plain(ev.facilitator, 20)}")
        # `[` and `]` step through them: the brackets say so
        line1.append((f" · [ {pos} of {len(data.evaluations)} ]", "dim"))
        head.update(Content.assemble(*line1, "\n", metrics_text(ev.metrics)))
        limit = 600 if self.wide else 200
        if ev.summary:
            summary.update(Content.assemble(("Summary: ", "bold"), plain(ev.summary, limit)))
        else:
            summary.update(Content("No summary yet: s writes one."))

    def _show_actions(self) -> None:
        data = self.data
        assert data is not None
        title = self.query_one("#ev-actions-title", Static)
        t = self.actions_table
        old = t.cursor_row
        t.clear()
        prev = data.previous
        if data.current is None:
            title.update("")
        elif prev is None:
            title.update(Content.styled("No earlier evaluation: the actions agreed here are checked at the next one.",
                                        "dim"))
        else:
            done = sum(1 for f in data.actions if is_done(f))
            filt = f" · stream {data.stream}" if data.stream else ""
            parts: list = [("Open actions", "bold"), f" from {plain(prev.sprint, 30)} ({prev.date.isoformat()}): "]
            if data.actions:
                style = "bold $success" if done == len(data.actions) else "bold $warning"
                parts.append((f"{done} of {len(data.actions)} done", style))
            else:
                parts.append(("none were agreed", "dim"))
            title.update(Content.assemble(*parts, filt))
        for f in data.actions:
            finished = is_done(f)
            mark = Text("✓ done", style="bold green") if finished else Text("✗ open", style="bold yellow")
            if f.item_key:
                item = text(f"{f.item_key} {f.item_status}", limit=14)
            else:
                item = text(status_label(f.status), style="dim", limit=14)
            cells = [mark, item, text(f.text, limit=200)]
            if self.wide:
                cells.append(text(f.owner or "-", style="dim", limit=10))
            t.add_row(*cells, key=f"a{f.id}")
        t.set_class(not data.actions, "-hidden")
        fit_rows(t)
        if data.actions:
            t.move_cursor(row=max(0, min(old, len(data.actions) - 1)), animate=False)
        elif self.focused is t:
            self.findings_table.focus()

    def _fill_list(self) -> None:
        data = self.data
        assert data is not None
        t = self._list
        if t is None:
            return
        t.clear()
        for e in data.evaluations:
            t.add_row(text(e.sprint, limit=12), text(e.date.isoformat()), text(e.kind),
                      Text(str(e.findings), justify="right"), key=str(e.id))
        t.border_title = Content(f"Evaluations · {len(data.evaluations)}")
        if data.current is not None:
            t.move_cursor(row=t.get_row_index(str(data.current.id)), animate=False)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table is self.findings_table:
            self._show_detail()
        elif (self._list is not None and event.data_table is self._list and self.focused is self._list
              and event.cursor_row == self._list.cursor_row and self.data is not None):
            # a refill posts highlights of rows the cursor has left since: only the last one counts
            key = event.row_key.value if event.row_key else None
            if key is not None and int(key) != self.eval_id:
                self.eval_id = int(key)
                self.reload()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table is self.findings_table:
            self.action_edit_finding()
        elif event.data_table is self.actions_table:
            f = self.action_row
            if f is not None and f.item_key:
                self.sapp.open_item(f.item_key)
            else:
                self.action_edit_finding()
        elif event.data_table is self._list:
            self.findings_table.focus()

    # -- moving around -------------------------------------------------------------
    def action_step(self, delta: int) -> None:
        data = self.data
        if data is None or data.current is None:
            return
        ids = [e.id for e in data.evaluations]
        i = ids.index(data.current.id) + delta
        if not 0 <= i < len(ids):
            self.notify("That is the " + ("first" if delta < 0 else "latest") + " evaluation", timeout=2)
            return
        self.eval_id = ids[i]
        self.reload()

    def action_switch_table(self) -> None:
        tables = [self.findings_table]
        if self.data is not None and self.data.actions:
            tables.append(self.actions_table)
        if self.wide and self._list is not None:
            tables.append(self._list)
        i = tables.index(self.focused) if self.focused in tables else -1
        tables[(i + 1) % len(tables)].focus()

    def action_cursor(self, delta: int) -> None:
        t = self.focused if isinstance(self.focused, DataTable) else self.findings_table
        if t.row_count:
            t.move_cursor(row=max(0, min(t.cursor_row + delta, t.row_count - 1)))

    def action_open_item(self) -> None:
        f = self.action_row if self.focused is self.actions_table else self.finding
        if f is None:
            return
        if not f.item_key:
            self.notify("Not tracked as an item yet: c turns the finding into one", timeout=3)
            return
        self.sapp.open_item(f.item_key)

    # -- helpers ---------------------------------------------------------------------
    def _need_evaluation(self) -> EvaluationView | None:
        ev = self.evaluation
        if ev is None:
            self.notify("No evaluation yet: n starts one for the current sprint", severity="warning", timeout=3)
        return ev

    async def _in_thread(self, fn, *args, **kw):
        """A read off the UI thread; errors are reported and give None."""
        try:
            return await asyncio.to_thread(fn, *args, **kw)
        except SprintTuiError as err:
            self.sapp.report_error(err)
            return None

    # -- evaluations -------------------------------------------------------------------
    @work(exclusive=True, group="dialog")
    async def action_new_evaluation(self) -> None:
        ctx = self.ctx
        sprint = await self._in_thread(sprints_svc.active_sprint, ctx)
        if sprint is None:
            closed = await self._in_thread(sprints_svc.list_sprints, ctx, state="closed")
            if not closed:
                self.notify("No sprint is active or closed: start one on the Planning screen (3)",
                            severity="warning", timeout=4)
                return
            sprint = closed[-1]
        kind = await self.app.push_screen_wait(ChooseModal(
            f"Start which evaluation of {plain(sprint.name, 40)}? Its figures are snapshotted now.", [
                ("interim evaluation", "interim"), ("retrospective", "retro"), ("sprint review", "review")]))
        if kind is None:
            return
        handles = {m.handle for m in (await self._in_thread(members_svc.list_members, ctx) or [])}
        facilitator = ctx.user if ctx.user in handles else None
        name = sprint.name

        def done(ev: EvaluationView) -> None:
            self.eval_id = ev.id
            self.notify(Content(f"Started the {ev.kind} evaluation of {plain(name, 40)}; "
                                "its sprint figures are kept as they are now"), timeout=3)

        self.perform(Write(f"the {kind} evaluation of {plain(name, 40)}",
                           lambda: evaluations_svc.create_evaluation(ctx, name, kind=str(kind),
                                                                     facilitator=facilitator),
                           Topic.EVALUATIONS, undo=lambda ev: evaluations_svc.delete_evaluation(ctx, ev.id)),
                     done=done)

    @work(exclusive=True, group="dialog")
    async def action_edit_summary(self) -> None:
        ev = self._need_evaluation()
        if ev is None:
            return
        new = await self.app.push_screen_wait(TextModal(
            f"Summary of the {ev.kind} evaluation of {plain(ev.sprint, 40)}", value=ev.summary,
            check=lambda v: clean_text(v, "summary"), allow_empty=True))
        if new is None or new == ev.summary:
            return
        ctx, old, eid = self.ctx, ev.summary, ev.id
        self.perform(
            Write(f"the summary of the evaluation of {plain(ev.sprint, 40)}",
                  lambda: evaluations_svc.edit_evaluation(ctx, eid, summary=new, expected_version=ev.version),
                  Topic.EVALUATIONS,
                  undo=lambda _r: evaluations_svc.edit_evaluation(
                      ctx, eid, summary=old, expected_version=self.sapp.own_version(f"evaluation:{eid}"))),
            done=lambda _r: self.notify("Summary saved", timeout=2),
        )

    # -- palette ---------------------------------------------------------------------
    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Evaluation: start one", "For the current sprint, figures snapshotted (n)",
                            self.action_new_evaluation)
        yield SystemCommand("Evaluation: add a finding", "Went well, to improve, tool, process, training (a)",
                            self.action_add_finding)
        yield SystemCommand("Evaluation: edit the finding", "Text, category, owner or status (e)",
                            self.action_edit_finding)
        yield SystemCommand("Evaluation: vote for the finding", "One vote more (+), one less (-)",
                            lambda: self.action_vote(1))
        yield SystemCommand("Evaluation: turn the finding into an item", "Improvement or change, linked (c)",
                            self.action_convert)
        yield SystemCommand("Evaluation: delete the finding", "After a confirmation (d)", self.action_delete_finding)
        yield SystemCommand("Evaluation: edit the summary", "The evaluation's summary (s)", self.action_edit_summary)
        yield SystemCommand("Evaluation: sort findings", "By category or by votes (v)", self.action_toggle_sort)
        yield SystemCommand("Evaluation: previous", "The evaluation before this one ([)", lambda: self.action_step(-1))
        yield SystemCommand("Evaluation: next", "The evaluation after this one (])", lambda: self.action_step(1))
