"""The dialogs of modals.py at 80×24: every text they show (question, prompt,
chooser title and entries, error, hint) wraps to as many lines as it needs,
and a pick list picks the entry it highlights, also in the app (standup b)."""

from __future__ import annotations

import re

import pytest
from textual.app import App
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList

from sprinttui.domain import ValidationError
from sprinttui.services import items, members, sprints, streams
from sprinttui.tui.app import SprintTuiApp
from sprinttui.tui.modals import (
    ChooseModal,
    ConfirmModal,
    ConflictModal,
    NotesModal,
    NoticeModal,
    PromptModal,
    SummaryModal,
    TextModal,
)
from tui_support import dialog_text, press, settle, type_text

SIZE = (80, 24)
LONG = ("Start Sprint 5 now? Its 14 items (51 points) become the commitment, and whatever is not done "
        "by Friday 3 April carries over to the next sprint.")
REASON = ("the end date 2026-02-30 does not exist; type a date such as 2026-03-02, today, +2w or next monday, "
          "or press escape to cancel")


class DialogApp(App):
    """A bare app that opens one dialog and keeps its answer."""

    def __init__(self, dialog) -> None:
        super().__init__()
        self.dialog = dialog
        self.answer: object = "no answer yet"

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self._answered)

    def _answered(self, value: object) -> None:
        self.answer = value


def refuse(_value: str) -> None:
    raise ValidationError(REASON, "end")


def shown(app) -> str:
    """The dialog's text, the frames of its input and list left out."""
    return " ".join(re.sub(r"[▊▎▔▁]", " ", dialog_text(app)).split())


# each dialog with long texts: how to make it show them, the texts it must show whole
DIALOGS = {
    "confirm": (lambda: ConfirmModal(LONG), (), [LONG]),
    "prompt": (lambda: PromptModal(LONG, value="2026-02-30", check=refuse), ("enter",), [LONG, REASON]),
    "prompt-empty": (lambda: PromptModal(LONG), ("enter",),
                     [LONG, "Please type something, or press escape to cancel."]),
    "choose": (lambda: ChooseModal(LONG, [(f"SAL-25  {LONG}  [doing]", 1), ("SAL-26  Short one", 2)]), (),
               [LONG, f"SAL-25 {LONG} [doing] SAL-26 Short one"]),
    "text": (lambda: TextModal(LONG, value="x", check=refuse), ("ctrl+s",),
             [LONG, REASON, "ctrl+s saves · escape cancels"]),
    "notes": (lambda: NotesModal(f"Standup notes of {LONG}", ("a", "b", "c")), (),
              [f"Standup notes of {LONG}", "Yesterday", "Today", "Blockers"]),
    "summary": (lambda: SummaryModal(Content(LONG)), (),
                ["Standup summary (stored)", LONG, "enter closes · sprinttui export standup writes it out"]),
    "notice": (lambda: NoticeModal(LONG, Content(REASON)), (), [LONG, REASON, "OK (enter)"]),
    "conflict": (lambda: ConflictModal("SAL-25", "Konstantina Papadopoulou-Williams", [("title", "a", "b")], set()),
                 (), ["SAL-25 was changed by Konstantina Papadopoulou-Williams since you opened it",
                      "Reload: discard your edits and show their version. "
                      "Re-apply: save your edits on top of their version."]),
}


@pytest.mark.parametrize("kind", list(DIALOGS))
async def test_every_dialog_shows_all_of_its_texts_at_80x24(kind):
    make, keys, texts = DIALOGS[kind]
    app = DialogApp(make())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for key in keys:
            await press(app, pilot, key)
        said = shown(app)
        for text in texts:
            assert text in said, f"{kind}: {text!r} is not all on screen: {said!r}"
        # it fits: nothing is scrolled out of sight, however late the focus scrolls it
        assert app.screen.query_one(Vertical).max_scroll_y == 0, f"{kind}: the dialog does not fit 80×24"


# --------------------------------------------------------------------------- pick lists

SPRINTS = [("Sprint 4  (2026-03-09 → 2026-03-20)", "Sprint 4"), ("Sprint 5  (2026-03-23 → 2026-04-03)", "Sprint 5"),
           ("Sprint 6  (2026-04-06 → 2026-04-17)", "Sprint 6"), ("backlog", "backlog")]


def highlighted(app) -> str:
    option = app.screen.query_one(OptionList).highlighted_option
    return str(option.prompt) if option is not None else ""


@pytest.mark.parametrize("keys,typed,picked", [
    ((), "", "Sprint 4"),  # the first entry is highlighted: enter picks it
    (("down",), "", "Sprint 5"),  # down moves to the entry below the highlighted one
    (("down", "down", "up"), "", "Sprint 5"),
    (("down",), "sprint", "Sprint 5"),  # typing on keeps the highlighted entry while it matches
    (("down",), "sprint 6", "Sprint 6"),  # … and highlights the first match when it no longer does
    (("pagedown",), "", "backlog"),
])
async def test_a_pick_list_picks_the_entry_it_highlights(keys, typed, picked):
    app = DialogApp(ChooseModal("Carry unfinished work over to", SPRINTS))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert highlighted(app).startswith("Sprint 4")
        for key in keys:
            await press(app, pilot, key)
        await type_text(app, pilot, typed)
        filt = app.screen.query_one(Input)
        assert app.screen.focused is filt and filt.value == typed  # the filter keeps the typing
        assert highlighted(app).startswith(picked)
        await press(app, pilot, "enter")
        assert app.answer == picked


async def test_the_highlighted_entry_of_a_long_list_stays_in_sight_at_80x24():
    options = [(f"member{i:02d}  Member number {i}", i) for i in range(20)]
    app = DialogApp(ChooseModal("Assign SAL-25 to", options))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for n in range(1, 20):
            await press(app, pilot, "down")
            assert highlighted(app).startswith(f"member{n:02d}")
            assert f"member{n:02d} Member number {n}" in shown(app), n  # the dialog does not cut it off
        await press(app, pilot, "enter")
        assert app.answer == 19


@pytest.fixture
def team(tctx, clock):
    """alice (SAL) with three open items in the running sprint S1."""
    clock.set("2026-01-05 08:00")
    streams.add_stream(tctx, "SAL", "Sales")
    members.add_member(tctx, "alice", "Alice Smith", stream="SAL")
    sprints.new_sprint(tctx, "S1", start="2026-01-05", end="2026-01-16")
    for title in ("Lead import", "Field mapping", "Price list"):
        items.create_item(tctx, title, stream="SAL", assignee="alice", sprint="S1", points=2)
    sprints.start_sprint(tctx, "S1")
    clock.set("2026-01-06 09:00")
    return tctx


async def test_standup_b_down_enter_flags_the_highlighted_item(team):
    app = SprintTuiApp(team, watch=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await press(app, pilot, "4", "b")
        assert isinstance(app.screen, ChooseModal)
        first = highlighted(app)
        await press(app, pilot, "down")
        second = highlighted(app)
        assert second != first and " ".join(second.split()) in shown(app)
        key = second.split()[0]
        await press(app, pilot, "enter")
        assert isinstance(app.screen, PromptModal) and app.screen.prompt_title == f"Why is {key} blocked?"
        app.screen.query_one(Input).value = "waiting for the price list"
        await press(app, pilot, "enter")
        assert [r.key for r in items.list_items(team, sprint="S1") if r.blocked] == [key]
