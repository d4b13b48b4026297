"""Pilot tests of screen 4, the standup: rotation, timebox, notes, absence,
blockers, parking lot, the stored summary, and literal display of odd text."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from textual.widgets import Input, Static

from sprinttui.export import export_sprint, export_standup
from sprinttui.services import items, members, sprints, standups, streams
from sprinttui.tui.app import SprintTuiApp
from sprinttui.tui.modals import ChooseModal, ConfirmModal, PromptModal
from sprinttui.tui.screens import standup as standup_mod
from sprinttui.tui.screens.standup import NotesModal, StandupScreen, SummaryModal
from tui_support import HANG_SECONDS, press, settle, type_text, until

SIZE = (100, 32)
HOSTILE = "a [/] b [@click=app.quit]x[/] [bold]y \x1b[2J 漢字 שלום 🎉"


class FakeMonotonic:
    """Stands in for the standup module's clock: the timebox only moves when
    the test moves it (the event loop keeps the real one)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake_time(monkeypatch) -> FakeMonotonic:
    fake = FakeMonotonic()
    monkeypatch.setattr(standup_mod, "monotonic", fake)
    return fake


@pytest.fixture
def team(tctx, clock):
    """Stream SAL (alice, bob, carol) and OPS (olga); an active sprint in which
    alice finished one item and works on another, and bob's item is blocked."""
    c = tctx
    clock.set("2026-01-05 08:00")
    streams.add_stream(c, "SAL", "Sales")
    streams.add_stream(c, "OPS", "Operations")
    members.add_member(c, "alice", "Alice Smith", stream="SAL")
    members.add_member(c, "bob", "Bob Jones", stream="SAL", availability=50)
    members.add_member(c, "carol", "Carol", stream="SAL")
    members.add_member(c, "olga", "Olga", stream="OPS")
    sprints.new_sprint(c, "S1", start="2026-01-05", end="2026-01-16")
    done = items.create_item(c, "Lead import", stream="SAL", assignee="alice", sprint="S1", points=3)
    doing = items.create_item(c, "Field mapping", stream="SAL", assignee="alice", sprint="S1", points=2)
    stuck = items.create_item(c, "Price list", stream="SAL", assignee="bob", sprint="S1", points=1)
    items.create_item(c, "Runbook", stream="OPS", assignee="olga", sprint="S1")
    sprints.start_sprint(c, "S1")
    clock.set("2026-01-05 15:00")
    items.move_item(c, done.key, "doing")
    items.move_item(c, done.key, "done")
    items.move_item(c, doing.key, "doing")
    items.set_blocked(c, stuck.key, True, "supplier has not answered")
    clock.set("2026-01-06 09:00")
    return c


def new_app(c, **kw) -> SprintTuiApp:
    return SprintTuiApp(c, watch=False, **kw)


async def open_standup(app, pilot) -> StandupScreen:
    await settle(app, pilot)
    await press(app, pilot, "4")
    scr = app.screen
    assert isinstance(scr, StandupScreen), scr
    return scr


def shown(scr, widget_id: str) -> str:
    return scr.query_one(f"#{widget_id}", Static).render().plain


def notes_of(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def errors(app) -> list[str]:
    return [str(n.message) for n in app._notifications if n.severity == "error"]


# --------------------------------------------------------------------------- showing


async def test_rotation_of_the_stream_and_what_each_member_did(team):
    app = new_app(team, stream="SAL")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_standup(app, pilot)
        rotation = shown(scr, "standup-rotation")
        assert [line[2:].strip() for line in rotation.splitlines()[1:]] == ["alice", "bob", "carol"]
        assert "olga" not in rotation  # OPS is filtered out
        detail = shown(scr, "standup-detail")
        assert "Alice Smith (alice)" in detail
        assert "SAL-1 Lead import" in detail and "doing → done" in detail
        assert "SAL-2 Field mapping  [doing]" in detail
        assert "suggested from the history" in detail
        assert "Yesterday: finished SAL-1; moved SAL-1 → doing, SAL-2 → doing" in detail
        clock = shown(scr, "standup-clock")
        assert clock.startswith("SAL · 06 Jan · 1/3 · 15:00 left · 5:00 each · alice 0:00")

        await press(app, pilot, "n")
        detail = shown(scr, "standup-detail")
        assert "Bob Jones (bob) · 50 % available" in detail
        assert "Blocked:" in detail and "SAL-3 Price list — supplier has not answered" in detail
        assert "Blockers: SAL-3: supplier has not answered" in detail
        assert "✓ alice" in shown(scr, "standup-rotation")
        await press(app, pilot, "n", "n")  # past the last member: a hint, no move
        assert "That was everyone" in notes_of(app)[-1]
        assert "Carol (carol)" in shown(scr, "standup-detail")
        await press(app, pilot, "p")
        assert "Bob Jones" in shown(scr, "standup-detail")
        assert not errors(app)


async def test_all_streams_without_a_filter_and_an_empty_stream(team):
    streams.add_stream(team, "NEW", "Nobody yet")
    app = new_app(team)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_standup(app, pilot)
        assert "olga" in shown(scr, "standup-rotation")
        assert shown(scr, "standup-clock").startswith("all streams · ")
        app.stream_filter = "NEW"
        app.reload_screens()
        await settle(app, pilot)
        assert "No active members in this stream" in shown(scr, "standup-detail")
        await press(app, pilot, "n", "space", "x", "enter")  # nothing to act on: nothing happens
        assert not errors(app) and isinstance(app.screen, StandupScreen)


# --------------------------------------------------------------------------- the timebox


async def test_timebox_colours(team, fake_time):
    app = new_app(team, stream="SAL")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_standup(app, pilot)
        clock = scr.query_one("#standup-clock", Static)
        await press(app, pilot, "space")
        (sess,) = standups.sessions(team, stream="SAL")  # the standup is on record
        assert not sess.ended and sess.timebox_seconds == 900
        fake_time.now += 200
        scr._tick()
        assert "11:40 left" in shown(scr, "standup-clock")
        assert "alice 3:20 · running" in shown(scr, "standup-clock")
        assert not clock.has_class("-warning") and not clock.has_class("-error")
        fake_time.now += 150  # alice is now over her share of 5:00
        scr._tick()
        assert clock.has_class("-warning") and not clock.has_class("-error")
        await press(app, pilot, "n")  # bob's turn: his own share starts at zero
        assert "bob 0:00" in shown(scr, "standup-clock")
        assert not clock.has_class("-warning")
        fake_time.now += 250  # 600 s used of 900: 5:00 left, 1/3 — no warning yet
        scr._tick()
        assert "5:00 left" in shown(scr, "standup-clock") and not clock.has_class("-warning")
        fake_time.now += 200  # 100 s left: less than a fifth of the timebox
        scr._tick()
        assert clock.has_class("-warning")
        fake_time.now += 160  # over the timebox
        scr._tick()
        assert "-1:00 left" in shown(scr, "standup-clock")
        assert clock.has_class("-error") and not clock.has_class("-warning")

        await press(app, pilot, "space")  # pause: the time used is saved
        assert "paused" in shown(scr, "standup-clock")
        (sess,) = standups.sessions(team, stream="SAL")
        assert sess.elapsed_seconds == 960
        fake_time.now += 500  # paused: the clock does not move
        scr._tick()
        assert "-1:00 left" in shown(scr, "standup-clock")


# --------------------------------------------------------------------------- notes, absence, blockers


async def test_enter_edits_the_notes_prefilled_from_the_history(team):
    app = new_app(team, stream="SAL")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_standup(app, pilot)
        await press(app, pilot, "enter")
        modal = app.screen
        assert isinstance(modal, NotesModal)
        assert modal.query_one("#notes-yesterday", Input).value.startswith("finished SAL-1")
        assert modal.query_one("#notes-today", Input).value == "SAL-2 Field mapping"
        modal.query_one("#notes-today", Input).value = "Finish the mapping"
        modal.query_one("#notes-blockers", Input).value = HOSTILE
        modal.query_one("#notes-blockers", Input).focus()
        await press(app, pilot, "enter")
        assert isinstance(app.screen, StandupScreen)
        (entry,) = standups.entries(team, stream="SAL")
        assert (entry.member, entry.today) == ("alice", "Finish the mapping")
        assert entry.blockers.startswith("a [/] b [@click=app.quit]x[/] [bold]y")
        detail = shown(scr, "standup-detail")
        assert "Today: Finish the mapping" in detail
        assert "[@click=app.quit]x[/] [bold]y" in detail  # shown literally
        assert "suggested" not in detail
        # escape leaves the notes as they are
        await press(app, pilot, "enter")
        app.screen.query_one("#notes-today", Input).value = "something else"
        await press(app, pilot, "escape")
        assert standups.entries(team, stream="SAL")[0].today == "Finish the mapping"
        assert not errors(app)


async def test_x_marks_absent_and_back(team):
    app = new_app(team, stream="SAL")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_standup(app, pilot)
        await press(app, pilot, "n", "x")
        bob = {e.member: e for e in standups.entries(team, stream="SAL")}["bob"]
        assert bob.absent is True
        assert "bob absent" in shown(scr, "standup-rotation")
        assert "Absent today" in shown(scr, "standup-detail")
        assert "7:30 each" in shown(scr, "standup-clock")  # 15 minutes for the two present
        await press(app, pilot, "x")
        assert "bob" not in {e.member for e in standups.entries(team, stream="SAL")}  # back as before
        assert "absent" not in shown(scr, "standup-rotation")


async def test_b_flags_a_blocker_on_one_of_the_members_items_and_u_undoes_it(team):
    app = new_app(team, stream="SAL")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_standup(app, pilot)
        await press(app, pilot, "b")
        assert isinstance(app.screen, ChooseModal)
        await type_text(app, pilot, "mapping")
        await press(app, pilot, "enter")
        assert isinstance(app.screen, PromptModal)
        app.screen.query_one(Input).value = "waiting for the field list"
        await press(app, pilot, "enter")
        row = items.get_row(team, "SAL-2")
        assert row.blocked and row.blocked_reason == "waiting for the field list"
        assert "SAL-2 Field mapping — waiting for the field list" in shown(scr, "standup-detail")
        await press(app, pilot, "u")
        assert not items.get_row(team, "SAL-2").blocked
        assert standups.entries(team, stream="SAL") == []  # nor among alice's notes any more
        assert any("Undone: blocker on SAL-2" in n for n in notes_of(app))
        # carol has no open items: a warning, no dialog
        await press(app, pilot, "n", "n", "b")
        assert isinstance(app.screen, StandupScreen)
        assert "carol has no open items" in notes_of(app)[-1]


# --------------------------------------------------------------------------- what the standup records

WIDE = (120, 36)


async def test_a_blocker_flagged_with_b_is_reported_in_the_summary_and_both_exports(team):
    app = new_app(team, stream="SAL")
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        scr = await open_standup(app, pilot)
        await press(app, pilot, "b")
        await type_text(app, pilot, "mapping")
        await press(app, pilot, "enter")
        app.screen.query_one(Input).value = "waiting for the field list"
        await press(app, pilot, "enter")
        detail = shown(scr, "standup-detail")
        # alice's notes now: the suggestions that were on screen, with the blocker
        assert "suggested" not in detail
        assert "Yesterday: finished SAL-1; moved SAL-1 → doing, SAL-2 → doing" in detail
        assert "Blockers: SAL-2: waiting for the field list" in detail
        await press(app, pilot, "e", "y")
        assert isinstance(app.screen, SummaryModal)
        body = app.screen.query_one("#summary-body", Static).render().plain
        assert "alice: SAL-2: waiting for the field list" in body
        await press(app, pilot, "enter")
        assert not errors(app)
    standup_md = export_standup(team, "md")
    assert "## Blockers (1)" in standup_md and "| alice | SAL-2: waiting for the field list |" in standup_md
    assert "**No notes from:** bob, carol\n" in standup_md  # alice reported
    assert "| 2026-01-06 | alice | SAL-2: waiting for the field list |" in export_sprint(team, "md")


async def test_members_passed_with_n_keep_the_suggested_notes_unless_the_lead_cleared_them(team):
    app = new_app(team, stream="SAL")
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        scr = await open_standup(app, pilot)
        await press(app, pilot, "n")  # past alice, her suggestions on screen
        (alice,) = standups.entries(team, stream="SAL")
        assert (alice.member, alice.yesterday, alice.today, alice.blockers) == (
            "alice", "finished SAL-1; moved SAL-1 → doing, SAL-2 → doing", "SAL-2 Field mapping", "")
        # bob: the lead clears the suggestions, then passes him
        await press(app, pilot, "enter")
        modal = app.screen
        assert isinstance(modal, NotesModal)
        assert modal.query_one("#notes-blockers", Input).value == "SAL-3: supplier has not answered"
        for name in ("yesterday", "today", "blockers"):
            modal.query_one(f"#notes-{name}", Input).value = ""
        modal.query_one("#notes-blockers", Input).focus()
        await press(app, pilot, "enter")
        await press(app, pilot, "n", "n")  # past bob, and past carol, who has nothing to suggest
        got = {e.member: (e.yesterday, e.today, e.blockers) for e in standups.entries(team, stream="SAL")}
        assert got == {"alice": ("finished SAL-1; moved SAL-1 → doing, SAL-2 → doing", "SAL-2 Field mapping", ""),
                       "bob": ("", "", "")}
        await press(app, pilot, "p", "p")
        detail = shown(scr, "standup-detail")
        assert "Alice Smith" in detail and "suggested" not in detail  # they are her notes now
        assert not errors(app)


async def test_absent_and_back_brings_the_suggested_notes_back(team):
    app = new_app(team, stream="SAL")
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        scr = await open_standup(app, pilot)
        await press(app, pilot, "x")
        assert "Absent today" in shown(scr, "standup-detail")
        await press(app, pilot, "x")
        detail = shown(scr, "standup-detail")
        assert "Absent today" not in detail
        assert "suggested from the history" in detail
        assert "Yesterday: finished SAL-1; moved SAL-1 → doing, SAL-2 → doing" in detail
        assert "Today: SAL-2 Field mapping" in detail
        assert standups.entries(team, stream="SAL") == []
        await press(app, pilot, "n")  # and passing her keeps them
        (alice,) = standups.entries(team, stream="SAL")
        assert (alice.today, alice.absent) == ("SAL-2 Field mapping", False)
        assert not errors(app)


# --------------------------------------------------------------------------- parking lot and the end


async def test_parking_lot_and_ending_store_the_summary(team, fake_time):
    standups.save_entry(team, "bob", absent=True)
    standups.save_entry(team, "alice", blockers="VPN is down")
    app = new_app(team, stream="SAL")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_standup(app, pilot)
        await press(app, pilot, "t")  # parking before the clock ran starts the standup's record
        assert isinstance(app.screen, PromptModal)
        app.screen.query_one(Input).value = HOSTILE
        await press(app, pilot, "enter")
        assert "Parking lot (1):" in shown(scr, "standup-detail")
        assert "[@click=app.quit]x[/]" in shown(scr, "standup-detail")
        await press(app, pilot, "space")
        fake_time.now += 125
        await press(app, pilot, "e")
        assert isinstance(app.screen, ConfirmModal)
        await press(app, pilot, "y")
        assert isinstance(app.screen, SummaryModal)
        body = app.screen.query_one("#summary-body", Static).render().plain
        assert "Present: alice, carol" in body and "Absent: bob" in body
        assert "alice: VPN is down" in body
        assert "SAL-3 Price list — supplier has not answered" in body
        assert "time 2:05 of 15:00" in body
        assert "[@click=app.quit]x[/]" in body
        await press(app, pilot, "enter")
        assert isinstance(app.screen, StandupScreen)
        (sess,) = standups.sessions(team, stream="SAL")
        assert sess.ended and sess.elapsed_seconds == 125
        assert sess.summary["absent"] == ["bob"] and len(sess.parking_lot) == 1
        assert "ended" in shown(scr, "standup-clock")
        # declining the confirmation ends nothing
        await press(app, pilot, "e", "n")
        assert len(standups.sessions(team, stream="SAL")) == 1
        assert not errors(app)


async def test_an_unfinished_standup_is_resumed_with_its_time(team):
    sess = standups.start_session(team, stream="SAL")
    standups.update_session(team, sess.id, elapsed_seconds=300)
    app = new_app(team, stream="SAL")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_standup(app, pilot)
        assert "10:00 left" in shown(scr, "standup-clock")
        assert scr.session_id == sess.id


# --------------------------------------------------------------------------- order


async def test_order_toggles_between_fixed_and_shuffled_and_is_remembered(team):
    for n in range(8):
        members.add_member(team, f"m{n}", f"Member {n}", stream="SAL")
    app = new_app(team, stream="SAL")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_standup(app, pilot)
        fixed = list(scr.order)
        assert fixed == sorted(fixed)
        await press(app, pilot, "o")
        assert "(shuffled)" in shown(scr, "standup-rotation")
        shuffled = list(scr.order)
        assert sorted(shuffled) == fixed and shuffled != fixed
        scr.reload()  # the same order all day, also after a reload
        await settle(app, pilot)
        assert scr.order == shuffled
    again = new_app(replace(team))
    again.stream_filter = "SAL"
    async with again.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_standup(again, pilot)
        assert scr.order_mode == "shuffled" and scr.order == shuffled


# --------------------------------------------------------------------------- odd text


async def test_hostile_names_and_titles_are_shown_literally(team):
    members.add_member(team, "zed", HOSTILE, stream="SAL")
    long_title = "Ω" * 10_000
    it = items.create_item(team, HOSTILE, stream="SAL", assignee="zed", sprint="S1")
    items.move_item(team, it.key, "doing")
    items.create_item(team, long_title, stream="SAL", assignee="zed", sprint="S1", status="review")
    app = new_app(team, stream="SAL")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        scr = await open_standup(app, pilot)
        await press(app, pilot, "n", "n", "n")
        detail = shown(scr, "standup-detail")
        assert "a [/] b [@click=app.quit]x[/] [bold]y" in detail
        assert "\x1b" not in detail
        assert "Ω" * 50 in detail
        assert app.is_running and not errors(app)


# --------------------------------------------------------------------------- reading ahead


async def test_the_work_of_the_members_near_focus_is_read_as_the_focus_moves(team, monkeypatch):
    for n in range(6):
        members.add_member(team, f"m{n}", f"Member {n}", stream="SAL")
        it = items.create_item(team, f"Task of m{n}", stream="SAL", assignee=f"m{n}", sprint="S1")
        items.move_item(team, it.key, "doing")
    gate = threading.Event()
    gate.set()
    real = standups.member_digests

    def gated(*args, **kw):
        gate.wait(HANG_SECONDS)  # opened by the test, never by a timeout
        return real(*args, **kw)

    monkeypatch.setattr(standups, "member_digests", gated)
    app = new_app(team, stream="SAL")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        scr = await open_standup(app, pilot)
        # order: alice bob carol m0..m5; the screen read alice's and bob's work, not the whole team's
        assert set(scr.digests) == {"alice", "bob"}
        await press(app, pilot, "n", "n", "n")
        assert "Task of m0  [doing]" in shown(scr, "standup-detail")
        # passing alice and bob stored their suggested notes, and the board read
        # after that write holds the work of those near focus then
        assert {"carol", "m0", "m1"} <= set(scr.digests) <= {"alice", "bob", "carol", "m0", "m1"}

        gate.clear()  # reading m2's work now waits
        try:
            await pilot.press("n")  # to m1, read ahead: shown at once
            assert "Task of m1  [doing]" in shown(scr, "standup-detail")
            await pilot.press("n", "enter")  # to m2, whose work is still being read
            assert "Member 2 (m2)" in shown(scr, "standup-detail")
            assert "Loading…" in shown(scr, "standup-detail")
            assert not isinstance(app.screen, NotesModal)
        finally:
            gate.set()  # ... and the notes open once it is there, with its suggestions
        await until(pilot, lambda: isinstance(app.screen, NotesModal), "the notes opening")
        today = app.screen.query_one("#notes-today", Input).value
        assert today.endswith("Task of m2")
        await press(app, pilot, "escape")
        assert "Task of m2  [doing]" in shown(scr, "standup-detail")
        assert not errors(app)
