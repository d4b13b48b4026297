"""Small dialogs shared by the screens: confirm, prompt for text, choose one."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList
from textual.widgets.option_list import Option

from sprinttui.domain import SprintTuiError
from sprinttui.tui.safe import plain

MODAL_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 70; max-width: 95%; height: auto; max-height: 90%;
    border: thick $accent; background: $surface; padding: 1 2;
}}
{name} Label.title {{ text-style: bold; margin-bottom: 1; }}
{name} Label.error {{ color: $error; height: auto; }}
{name} Horizontal {{ height: auto; align-horizontal: right; margin-top: 1; }}
{name} Button {{ margin-left: 1; }}
{name} OptionList {{ height: auto; max-height: 16; }}
"""


class ConfirmModal(ModalScreen[bool]):
    """Yes / no. `y` or enter confirms, `n` or escape cancels."""

    DEFAULT_CSS = MODAL_CSS.format(name="ConfirmModal")
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
    """Ask for one line of text. An optional check raises SprintTuiError to refuse."""

    DEFAULT_CSS = MODAL_CSS.format(name="PromptModal")
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        *,
        value: str = "",
        placeholder: str = "",
        check: Callable[[str], object] | None = None,
        allow_empty: bool = False,
    ) -> None:
        super().__init__()
        self.prompt_title = title
        self.value = value
        self.placeholder = placeholder
        self.check = check
        self.allow_empty = allow_empty

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(plain(self.prompt_title)), classes="title")
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input")
            yield Label("", classes="error", id="prompt-error")

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
    """Pick one of several options; typing filters the list."""

    DEFAULT_CSS = MODAL_CSS.format(name="ChooseModal")
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

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
            Option(Text(plain(label, 80)), id=str(i))
            for i, (label, _v) in enumerate(self.options)
            if n in label.lower()
        ]

    def on_input_changed(self, event: Input.Changed) -> None:
        ol = self.query_one(OptionList)
        ol.clear_options()
        ol.add_options(self._options(event.value))
        if ol.option_count:
            ol.highlighted = 0

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        if ol.option_count:
            ol.highlighted = 0

    def on_key(self, event) -> None:
        ol = self.query_one(OptionList)
        if event.key in ("down", "up") and self.focused is not ol:
            ol.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        ol = self.query_one(OptionList)
        if ol.highlighted is not None:
            self._pick(ol.get_option_at_index(ol.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(event.option.id)

    def _pick(self, option_id: str | None) -> None:
        if option_id is not None:
            self.dismiss(self.options[int(option_id)][1])

    def action_cancel(self) -> None:
        self.dismiss(None)
