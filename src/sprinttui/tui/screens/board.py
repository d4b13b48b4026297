"""1 Board: the active sprint in four status columns."""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Sparkline, Static

from sprinttui.domain import SprintTuiError, Status
from sprinttui.services import items as items_svc
from sprinttui.services import members as members_svc
from sprinttui.services import reports as reports_svc
from sprinttui.services import sprints as sprints_svc
from sprinttui.services.items import ItemQuery, ItemRow
from sprinttui.services.text import fmt_points
from sprinttui.tui.base import BaseScreen
from sprinttui.tui.modals import ChooseModal, ConfirmModal, PromptModal
from sprinttui.tui.safe import plain
from sprinttui.tui.widgets.card_column import CardColumn

COLUMNS = [
    (Status.TODO.value, "To do"),
    (Status.DOING.value, "Doing"),
    (Status.REVIEW.value, "Review"),
    (Status.DONE.value, "Done"),
]
ORDER = [c for c, _ in COLUMNS]


@dataclass
class BoardData:
    sprint: sprints_svc.SprintView | None
    cards: dict[str, list[ItemRow]]


@dataclass
class BoardFigures:
    gen: int
    report: reports_svc.SprintReport
    burndown: list[float]


class BoardScreen(BaseScreen):
    SCREEN_TITLE = "Board"
    DEFAULT_CSS = """
    BoardScreen #board-top { height: auto; padding: 0 1; }
    BoardScreen #board-goal { height: auto; }
    BoardScreen #board-stats-row { height: 2; }
    BoardScreen #board-burndown { height: 2; width: 1fr; margin-left: 2; }
    BoardScreen #board-stats { width: auto; }
    BoardScreen #board-filter { dock: bottom; display: none; }
    BoardScreen #board-filter.-visible { display: block; }
    BoardScreen #board-columns { height: 1fr; }
    """
    BINDINGS = [
        Binding("left,h", "focus_column(-1)", "←", show=False),
        Binding("right,l", "focus_column(1)", "→", show=False),
        Binding("up,k", "focus_card(-1)", "↑", show=False),
        Binding("down,j", "focus_card(1)", "↓", show=False),
        Binding("pageup", "focus_card(-10)", show=False),
        Binding("pagedown", "focus_card(10)", show=False),
        Binding("greater_than_sign,shift+right", "move_card(1)", "Move", key_display="<>"),
        Binding("less_than_sign,shift+left", "move_card(-1)", "Move back", key_display="<", show=False),
        Binding("n", "new_item", "New"),
        Binding("enter,e", "edit_item", "Edit"),
        Binding("b", "toggle_blocked", "Block"),
        Binding("a", "assign", "Assign"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("d,delete", "delete_item", "Delete"),
        Binding("x", "export", "Export"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.col = 0
        self.text_filter = ""
        self.data: BoardData | None = None
        self._figures_gen = 0

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with Vertical(id="board-top"):
            yield Static(Content("Loading…"), id="board-goal")
            with Horizontal(id="board-stats-row"):
                yield Static("", id="board-stats")
                yield Sparkline([], id="board-burndown")
        with Horizontal(id="board-columns"):
            for status, title in COLUMNS:
                yield CardColumn(status, title, id=f"col-{status}")
        yield Input(
            placeholder="filter cards by key or title; enter keeps it, escape clears",
            id="board-filter",
            disabled=True,  # enabled while shown, so it never takes the keys unasked
        )
        yield from self.compose_footer()

    def action_export(self) -> None:
        from sprinttui.tui.exporting import ask_and_export

        sprint = self.data.sprint.name if self.data is not None and self.data.sprint is not None else None
        ask_and_export(self, sprint, stream=self.stream)

    # -- columns ---------------------------------------------------------------
    @property
    def columns(self) -> list[CardColumn]:
        return [self.query_one(f"#col-{s}", CardColumn) for s in ORDER]

    @property
    def column(self) -> CardColumn:
        return self.columns[self.col]

    @property
    def focused_card(self) -> ItemRow | None:
        return self.column.current

    def _activate(self) -> None:
        for i, c in enumerate(self.columns):
            c.set_active(i == self.col)
        if self.column.cursor < 0 and self.column.cards:
            self.column.cursor = 0

    # -- loading ---------------------------------------------------------------
    # The cards come first; the sprint figures above them (report, burndown)
    # take longer to compute and follow from a second worker, so the board is
    # usable before they arrive.
    def load(self) -> BoardData:
        sprint = sprints_svc.active_sprint(self.ctx)
        if sprint is None:
            return BoardData(None, {s: [] for s in ORDER})
        rows = items_svc.list_items(
            self.ctx, ItemQuery(sprint=sprint.name, stream=self.stream, text=self.text_filter or None)
        )
        cards = {s: [] for s in ORDER}
        for r in rows:
            cards[r.status].append(r)
        return BoardData(sprint, cards)

    @work(thread=True, exclusive=True, group="board-figures")
    def load_figures(self, gen: int, sprint: str, stream: str | None) -> None:
        try:
            report = reports_svc.sprint_report(self.ctx, sprint, stream=stream)
            burn = [p.remaining for p in reports_svc.burndown(self.ctx, sprint, stream=stream) if p.remaining is not None]
        except SprintTuiError as err:
            self.app.call_from_thread(self.sapp.report_error, err)
            return
        self.app.call_from_thread(self.show_figures, BoardFigures(gen, report, burn))

    def show_figures(self, figures: BoardFigures) -> None:
        if figures.gen != self._figures_gen:
            return  # the board was loaded again meanwhile; its own figures follow
        t = figures.report.totals
        self.query_one("#board-stats", Static).update(Content.from_markup(
            "Done [b]$done[/b] of $committed committed pts · added $added · removed $removed$filter",
            done=fmt_points(t.completed_points), committed=fmt_points(t.committed_points),
            added=fmt_points(t.added_points), removed=fmt_points(t.removed_points),
            filter=f" · filter “{plain(self.text_filter, 30)}”" if self.text_filter else "",
        ))
        self.query_one("#board-burndown", Sparkline).data = figures.burndown or [0]

    def show(self, data: BoardData) -> None:
        keep = self.focused_card.key if self.focused_card else None
        self.data = data
        goal = self.query_one("#board-goal", Static)
        self._figures_gen += 1
        if data.sprint is None:
            goal.update(Content("No sprint is active. Plan one on the Planning screen (3) and start it there."))
            self.query_one("#board-stats", Static).update("")
            self.query_one("#board-burndown", Sparkline).data = [0]
        else:
            goal.update(Content.assemble(("Goal: ", "bold"), plain(data.sprint.goal or "—", 300)))
            self.load_figures(self._figures_gen, data.sprint.name, self.stream)
        for column in self.columns:
            column.set_cards(data.cards[column.status], keep_key=keep)
        if keep is not None:
            for i, column in enumerate(self.columns):
                if column.index_of(keep) >= 0:
                    self.col = i
                    column.cursor = column.index_of(keep)
        self._activate()

    # -- movement ----------------------------------------------------------------
    def action_focus_column(self, delta: int) -> None:
        self.col = max(0, min(len(ORDER) - 1, self.col + delta))
        self._activate()

    def action_focus_card(self, delta: int) -> None:
        col = self.column
        if col.cards:
            col.cursor = max(0, min(len(col.cards) - 1, col.cursor + delta))

    def on_card_column_clicked(self, event: CardColumn.Clicked) -> None:
        self.col = ORDER.index(event.column.status)
        event.column.cursor = event.index
        self._activate()

    # -- changes -----------------------------------------------------------------
    def action_move_card(self, delta: int) -> None:
        card = self.focused_card
        if card is None:
            return
        i = ORDER.index(card.status) + delta
        if not 0 <= i < len(ORDER):
            return
        new, old = ORDER[i], card.status
        # move it on screen at once; the reload confirms it
        src, dst = self.column, self.columns[i]
        src.set_cards([c for c in src.cards if c.key != card.key])
        # the saved move bumps the version by one: a second key press before the
        # reload must expect that version, not report our own move as a conflict
        moved = items_svc.ItemRow(**{**card.__dict__, "status": new, "version": card.version + 1})
        dst.set_cards([moved, *dst.cards])
        dst.cursor = 0
        self.col = i
        self._activate()
        ctx = self.ctx
        self.write(
            lambda: items_svc.move_item(ctx, card.key, new, expected_version=card.version),
            done=lambda _r: self.sapp.push_undo(
                f"move of {card.key} to {new}",
                lambda: items_svc.move_item(ctx, card.key, old, expected_version=self.sapp.own_version(card.key)),
            ),
        )

    def action_new_item(self) -> None:
        self.sapp.new_item(status=self.column.status, sprint="current")

    def action_edit_item(self) -> None:
        card = self.focused_card
        if card is not None:
            self.sapp.open_item(card.key)

    @work(exclusive=True, group="dialog")
    async def action_toggle_blocked(self) -> None:
        card = self.focused_card
        if card is None:
            return
        ctx = self.ctx
        if card.blocked:
            self.write(
                lambda: items_svc.set_blocked(ctx, card.key, False, expected_version=card.version),
                done=lambda _r: self.sapp.push_undo(
                    f"unblocking {card.key}",
                    lambda: items_svc.set_blocked(ctx, card.key, True, card.blocked_reason,
                                                  expected_version=self.sapp.own_version(card.key))),
            )
            return
        reason = await self.app.push_screen_wait(PromptModal(f"Why is {card.key} blocked?"))
        if reason:
            self.write(
                lambda: items_svc.set_blocked(ctx, card.key, True, reason, expected_version=card.version),
                done=lambda _r: self.sapp.push_undo(
                    f"blocking {card.key}",
                    lambda: items_svc.set_blocked(ctx, card.key, False,
                                                  expected_version=self.sapp.own_version(card.key))),
            )

    @work(exclusive=True, group="dialog")
    async def action_assign(self) -> None:
        card = self.focused_card
        if card is None:
            return
        import asyncio

        members = await asyncio.to_thread(members_svc.list_members, self.ctx)
        options: list[tuple[str, object]] = [("Nobody (unassign)", "")]
        options += [(f"{m.handle}  {m.name}  ({m.stream or '-'}, {m.availability}%)", m.handle) for m in members]
        choice = await self.app.push_screen_wait(ChooseModal(f"Assign {card.key} to", options))
        if choice is None:
            return
        ctx, old = self.ctx, card.assignee or ""
        self.write(
            lambda: items_svc.edit_item(ctx, card.key, assignee=choice, expected_version=card.version),
            done=lambda _r: self.sapp.push_undo(
                f"assignment of {card.key}",
                lambda: items_svc.edit_item(ctx, card.key, assignee=old,
                                            expected_version=self.sapp.own_version(card.key))),
        )

    @work(exclusive=True, group="dialog")
    async def action_delete_item(self) -> None:
        card = self.focused_card
        if card is None:
            return
        ok = await self.app.push_screen_wait(ConfirmModal(f"Delete {card.key} “{plain(card.title, 60)}”?"))
        if not ok:
            return
        ctx = self.ctx
        self.write(
            lambda: items_svc.delete_item(ctx, card.key, expected_version=card.version),
            done=lambda _r: (
                self.notify(f"{card.key} deleted (u undoes)", timeout=3),
                self.sapp.push_undo(f"deletion of {card.key}", lambda: items_svc.restore_item(ctx, card.key)),
            ),
        )

    # -- filter ------------------------------------------------------------------
    def action_filter(self) -> None:
        box = self.query_one("#board-filter", Input)
        box.disabled = False
        box.add_class("-visible")
        box.value = self.text_filter
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "board-filter":
            self.text_filter = event.value.strip()
            self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "board-filter":
            event.input.remove_class("-visible")
            event.input.disabled = True
            self.set_focus(None)

    def action_clear_filter(self) -> None:
        box = self.query_one("#board-filter", Input)
        box.remove_class("-visible")
        box.disabled = True
        self.set_focus(None)
        if self.text_filter:
            self.text_filter = ""
            box.value = ""
            self.reload()
