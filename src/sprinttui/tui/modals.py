"""The app's dialogs, all of them: confirm, prompt for text, choose one, edit a
text of several lines, a member's standup notes, the stored standup summary,
and the item editor's conflict dialog. (The item editor itself, a form over
the whole screen, is ItemEditor in editor.py.)

Each dialog's styles are a section of modals.tcss; the dialogs share a frame
(see dialog_css).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from sprinttui.domain import SprintTuiError
from sprinttui.tui.item_fields import LABELS, show_value
from sprinttui.tui.safe import plain
from sprinttui.tui.tcss import load_tcss


def dialog_css(name: str, *, own: bool = False) -> str:
    """The DEFAULT_CSS of the dialog class `name`: the frame every dialog has
    (modals.tcss, section Dialog, with `name` in place of `Dialog`), then, with
    `own`, the dialog's own section."""
    frame = re.sub(r"\bDialog\b", name, load_tcss(__file__, "Dialog"))
    return (frame + load_tcss(__file__, name)) if own else frame


class ConfirmModal(ModalScreen[bool]):
    """Yes / no. `y` or enter confirms, `n` or escape cancels."""

    DEFAULT_CSS = dialog_css("ConfirmModal")
    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(plain(self.question)), classes="title")
            with Horizontal():
                yield Button("Yes (y)", id="yes", variant="error")
                yield Button("No (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class PromptModal(ModalScreen[str | None]):
    """Ask for one line of text. An optional check raises SprintTuiError to refuse
    (the dialog stays, says why and keeps the text); `error` opens it saying
    what was wrong with `value` (refused by the service when it was saved)."""

    DEFAULT_CSS = dialog_css("PromptModal")
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        *,
        value: str = "",
        placeholder: str = "",
        check: Callable[[str], object] | None = None,
        allow_empty: bool = False,
        error: str = "",
    ) -> None:
        super().__init__()
        self.prompt_title = title
        self.value = value
        self.placeholder = placeholder
        self.check = check
        self.allow_empty = allow_empty
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(plain(self.prompt_title)), classes="title")
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input")
            yield Label(Text(plain(self.error, 300)), classes="error", id="prompt-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        error = self.query_one("#prompt-error", Label)
        if not text and not self.allow_empty:
            error.update("Please type something, or press escape to cancel.")
            return
        if self.check is not None and text:
            try:
                self.check(text)
            except SprintTuiError as err:
                error.update(Text(str(err)))
                return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChooseModal(ModalScreen[object | None]):
    """Pick one of several options; typing filters the list.

    The list has one highlight, and what it highlights is what enter picks.
    The filter keeps the focus: up and down (page up, page down) move the
    list's highlight on from the entry highlighted, and typing on narrows the
    list, the highlighted entry staying highlighted while it matches. Tab
    moves into the list; a click picks the entry clicked."""

    DEFAULT_CSS = dialog_css("ChooseModal", own=True)
    #: keys the filter hands to the list (the list, focused, has the same ones itself)
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move('cursor_down')", "Next", show=False),
        Binding("up", "move('cursor_up')", "Previous", show=False),
        Binding("pagedown", "move('page_down')", "Next page", show=False),
        Binding("pageup", "move('page_up')", "Previous page", show=False),
    ]
    #: how much of an option's text is shown (it wraps in the list)
    LABEL_LIMIT = 300
    #: a screen of fewer rows is "-short": the list is shorter there (modals.tcss)
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    def __init__(self, title: str, options: list[tuple[str, object]]) -> None:
        super().__init__()
        self.choose_title = title
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(plain(self.choose_title)), classes="title")
            yield Input(placeholder="type to filter", id="choose-filter")
            yield OptionList(*self._options(""), id="choose-list")

    def _options(self, needle: str) -> list[Option]:
        n = needle.lower()
        return [
            Option(Text(plain(label, self.LABEL_LIMIT)), id=str(i))
            for i, (label, _v) in enumerate(self.options)
            if n in label.lower()
        ]

    @property
    def option_list(self) -> OptionList:
        return self.query_one("#choose-list", OptionList)

    def on_input_changed(self, event: Input.Changed) -> None:
        ol = self.option_list
        kept = ol.highlighted_option.id if ol.highlighted_option is not None else None
        options = self._options(event.value)
        ol.clear_options()
        ol.add_options(options)
        if options:
            ids = [o.id for o in options]
            ol.highlighted = ids.index(kept) if kept in ids else 0

    def on_mount(self) -> None:
        ol = self.option_list
        if ol.option_count:
            ol.highlighted = 0

    def action_move(self, action: str) -> None:
        """Up, down, page up or down typed in the filter: the list's own move,
        from the entry it highlights (the focus stays in the filter)."""
        getattr(self.option_list, f"action_{action}")()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        option = self.option_list.highlighted_option
        if option is not None:
            self._pick(option.id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(event.option.id)

    def _pick(self, option_id: str | None) -> None:
        if option_id is not None:
            self.dismiss(self.options[int(option_id)][1])

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextModal(ModalScreen[str | None]):
    """Edit a text of several lines: ctrl+s saves, escape cancels. A check that
    raises SprintTuiError keeps the dialog open with the text as typed."""

    DEFAULT_CSS = dialog_css("TextModal", own=True)
    BINDINGS = [Binding("ctrl+s", "save", "Save"), Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, *, value: str = "", check: Callable[[str], object] | None = None,
                 allow_empty: bool = False) -> None:
        super().__init__()
        self.edit_title = title
        self.value = value
        self.check = check
        self.allow_empty = allow_empty

    def compose(self) -> ComposeResult:
        from textual.widgets import TextArea  # only when someone edits

        with Vertical():
            yield Label(Content(plain(self.edit_title)), classes="title")
            yield TextArea(self.value, soft_wrap=True, id="text-area")
            yield Label("", classes="error", id="text-error")
            yield Label("ctrl+s saves · escape cancels", classes="hint")

    def on_mount(self) -> None:
        area = self.query_one("#text-area")
        area.focus()
        area.move_cursor(area.document.end)  # type: ignore[attr-defined]

    @property
    def current_text(self) -> str:
        return self.query_one("#text-area").text  # type: ignore[attr-defined]

    def action_save(self) -> None:
        value = self.current_text.strip()
        error = self.query_one("#text-error", Label)
        if not value and not self.allow_empty:
            error.update("Please type something, or press escape to cancel.")
            return
        if self.check is not None:
            try:
                self.check(value)
            except SprintTuiError as err:
                error.update(Text(plain(str(err), 200)))
                return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class NotesModal(ModalScreen[tuple[str, str, str] | None]):
    """The three note fields of one member; enter on the last one (or ctrl+s) saves."""

    DEFAULT_CSS = dialog_css("NotesModal", own=True)
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "save", "Save")]
    FIELDS = (("yesterday", "Yesterday"), ("today", "Today"), ("blockers", "Blockers"))
    #: a screen of fewer rows is "-short": the fields sit closer, so a long title and all three fit at 24 rows
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    def __init__(self, title: str, values: tuple[str, str, str]) -> None:
        super().__init__()
        self.notes_title = title
        self.values = values

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(plain(self.notes_title)), classes="title")
            for (name, label), value in zip(self.FIELDS, self.values, strict=False):
                yield Label(Content(label), classes="field")
                yield Input(value=value, id=f"notes-{name}")
            yield Label("", classes="error", id="notes-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "notes-blockers":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        self.dismiss(tuple(self.query_one(f"#notes-{n}", Input).value for n, _l in self.FIELDS))

    def action_cancel(self) -> None:
        self.dismiss(None)


class SummaryModal(ModalScreen[None]):
    """What the standup stored when it ended (its text made by the standup screen)."""

    DEFAULT_CSS = dialog_css("SummaryModal", own=True)
    BINDINGS = [Binding("escape,enter,q", "close", "Close")]

    def __init__(self, summary: Content) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content("Standup summary (stored)"), classes="title")
            with VerticalScroll():
                yield Static(self.summary, id="summary-body")
            yield Label(Content("enter closes · sprinttui export standup writes it out"), classes="field")

    def action_close(self) -> None:
        self.dismiss(None)


class NoticeModal(ModalScreen[None]):
    """Something the user must read before going on (an undo that was refused …):
    a title, the whole text wrapped to the dialog's width, and OK."""

    DEFAULT_CSS = dialog_css("NoticeModal", own=True)
    BINDINGS = [Binding("escape,enter,o", "close", "OK")]

    def __init__(self, title: str, body: Content) -> None:
        super().__init__()
        self.title_text, self.body = title, body

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(plain(self.title_text)), classes="title")
            yield Static(self.body, id="notice-body")
            with Horizontal():
                yield Button("OK (enter)", id="ok", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class ConflictModal(ModalScreen[str | None]):
    """Someone changed the item meanwhile: reload theirs, or re-apply yours on top."""

    DEFAULT_CSS = load_tcss(__file__, "ConflictModal")
    BINDINGS = [
        Binding("r", "choose('reload')", "Reload theirs"),
        Binding("a", "choose('reapply')", "Re-apply mine"),
        Binding("escape", "choose(None)", "Back to the form"),
    ]

    def __init__(self, key: str, by: str, changes: list[tuple[str, Any, Any]], mine: set[str]) -> None:
        super().__init__()
        self.key = key
        self.by = by
        self.changes = changes
        self.mine = mine

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                Content.from_markup("$key was changed by $who since you opened it", key=self.key,
                                    who=plain(self.by, 40)),
                id="conflict-title",
            )
            lines = Text()
            if not self.changes:
                lines.append("Only its rank or bookkeeping changed; none of the fields in the form.")
            for i, (fld, old, new) in enumerate(self.changes):
                if i:
                    lines.append("\n")
                lines.append(f"{LABELS.get(fld, fld)}: ", style="bold")
                lines.append(plain(show_value(old), 60))
                lines.append(" → ")
                lines.append(plain(show_value(new), 60), style="bold")
                if fld in self.mine:
                    lines.append("  (you changed it too)", style="italic")
            with VerticalScroll(id="conflict-changes"):
                yield Static(lines, id="conflict-list")
            yield Label(
                "Reload: discard your edits and show their version. "
                "Re-apply: save your edits on top of their version.",
                id="conflict-help",
            )
            with Horizontal():
                yield Button("Reload (r)", id="reload")
                yield Button("Re-apply (a)", id="reapply", variant="primary")
                yield Button("Back (esc)", id="back")

    def on_mount(self) -> None:
        self.query_one("#reapply", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None if event.button.id == "back" else event.button.id)

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)
