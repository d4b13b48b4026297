"""The KPI screen (7) driven through Textual's Pilot: the register, recording a
measurement, a new KPI, linking items, the charts; checked in the database
through the services and on screen. Snapshots of the demo at the end."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.widgets import DataTable, Input, Label, Static

from sprinttui.services import items, kpis, sprints, streams
from sprinttui.services.items import create_item
from sprinttui.tui.app import SprintTuiApp
from sprinttui.tui.modals import ChooseModal, PromptModal
from sprinttui.tui.screens.kpis import KpiScreen, sparkline
from sprinttui.tui.widgets.charts import (
    BurndownChart,
    BurndownData,
    Chart,
    TrendChart,
    TrendData,
    VelocityChart,
    VelocityData,
    fmt_num,
)
from tui_support import changed_elsewhere, error_notes, make_app, notes, press, settle, type_text, until

SMALL, BIG = (80, 24), (160, 48)

HOSTILE = ["[bold]x[/]", "[@click=app.quit]x[/]", "a [/] b", "evil \x1b[2J here", "日本語 שלום 🎉 ok", "x" * 10_000]


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def proj(tctx, clock):
    """Streams SAL and OPS; KPI Adoption (%, 0 → 90, measured 10 then 40) with
    SAL-1 and OPS-1 linked, KPI Lead time (h, 30 → 8, lower, no value yet);
    sprint S1 closed (SAL-1 done), S2 active since 2026-03-02 with SAL-2 and OPS-1.
    The app's today is 2026-03-04."""
    c = tctx
    clock.set("2026-02-13 09:00")
    streams.add_stream(c, "SAL", "Sales")
    streams.add_stream(c, "OPS", "Operations")
    kpis.add_kpi(c, "Adoption", unit="%", baseline=0, target=90)
    kpis.record(c, "Adoption", 10, on="2026-02-02")
    kpis.record(c, "Adoption", 40, on="2026-02-16")
    kpis.add_kpi(c, "Lead time", unit="h", baseline=30, target=8, direction="lower")
    create_item(c, "Train key users", stream="SAL", points=5, kind="improvement", kpi="Adoption")
    create_item(c, "Lead routing", stream="SAL", points=3)
    create_item(c, "Ops dashboard", stream="OPS", points=2, kpi="Adoption")
    sprints.new_sprint(c, "S1", start="2026-02-16", end="2026-02-27")
    sprints.new_sprint(c, "S2", start="2026-03-02", end="2026-03-13")
    items.plan_item(c, "SAL-1", "S1")
    clock.set("2026-02-16 09:00")
    sprints.start_sprint(c, "S1")
    clock.set("2026-02-20 09:00")
    items.move_item(c, "SAL-1", "done")
    clock.set("2026-02-27 17:00")
    sprints.close_sprint(c, "S1", carry_to="backlog")
    items.plan_items(c, ["SAL-2", "OPS-1"], "S2")
    clock.set("2026-03-02 09:00")
    sprints.start_sprint(c, "S2")
    clock.set("2026-03-03 11:00")
    items.move_item(c, "OPS-1", "done")
    clock.set("2026-03-04 10:00")
    return c


async def open_kpis(app, pilot) -> KpiScreen:
    await settle(app, pilot)
    await press(app, pilot, "7")
    return screen_of(app)


def screen_of(app) -> KpiScreen:
    assert isinstance(app.screen, KpiScreen), f"expected the KPI screen, got {app.screen!r}"
    return app.screen


def rows(scr, table_id: str = "kpi-table") -> list[list[str]]:
    t = scr.query_one(f"#{table_id}", DataTable)
    return [[cell.plain for cell in t.get_row_at(i)] for i in range(t.row_count)]


def register(scr) -> dict[str, list[str]]:
    return {r[0]: r[1:] for r in rows(scr)}


def linked_keys(scr) -> list[str]:
    return [r[0] for r in rows(scr, "kpi-items")]


def status_line(scr) -> str:
    r = scr.query_one("#kpi-status", Static).render()
    return getattr(r, "plain", str(r))


def plain_title(widget, which: str = "border_title") -> str:
    """The title as shown (the public attribute hands it back as escaped markup)."""
    value = getattr(widget, f"_{which}")
    return value.plain if value is not None else ""


def chart_text(chart: Chart) -> str:
    return chart.render().plain


def visible_charts(scr) -> list[str]:
    return [c.id.removeprefix("chart-") for c in scr.query(Chart) if c.display]


async def answer(app, pilot, value: str) -> None:
    """Replace the text of the open PromptModal and submit it."""
    assert isinstance(app.screen, PromptModal), app.screen
    app.screen.query_one(Input).value = value
    await press(app, pilot, "enter")


def modal_error(app) -> str:
    assert isinstance(app.screen, PromptModal), app.screen
    r = app.screen.query_one("#prompt-error", Label).render()
    return getattr(r, "plain", str(r))


async def choose(app, pilot, needle: str) -> None:
    assert isinstance(app.screen, ChooseModal), app.screen
    await type_text(app, pilot, needle)
    await press(app, pilot, "enter")


async def cursor_to(app, pilot, scr, name: str, table_id: str = "kpi-table") -> None:
    t = scr.query_one(f"#{table_id}", DataTable)
    t.move_cursor(row=[r[0] for r in rows(scr, table_id)].index(name))
    await settle(app, pilot)


def cut(s: str, n: int) -> str:
    """How a long text is shortened on screen."""
    return s if len(s) <= n else s[: n - 1] + "…"


def trend_of(c, name: str) -> list[tuple[date, float]]:
    return [(m.date, m.value) for m in kpis.get_kpi(c, name).measurements]


# --------------------------------------------------------------------------- the register


async def test_register_shows_each_kpi_with_status_trend_and_linked_items(proj):
    app = make_app(proj)
    async with app.run_test(size=BIG, notifications=True) as pilot:
        scr = await open_kpis(app, pilot)
        assert rows(scr) == [
            ["Adoption", "%", "0", "90", "40", "↑ higher", "on track", "▁█"],
            ["Lead time", "h", "30", "8", "-", "↓ lower", "no data", ""],
        ]
        assert "2 KPIs · 1 on track · 1 no data · all streams" in status_line(scr)
        # the cursor KPI's linked items, in rank order, and its trend chart
        assert linked_keys(scr) == ["SAL-1", "OPS-1"]
        assert rows(scr, "kpi-items")[0] == ["SAL-1", "done", "Train key users"]
        assert plain_title(scr.items_table) == "Items moving Adoption"
        assert plain_title(scr.items_table, "border_subtitle") == "2 linked, 2 done"
        assert plain_title(scr.trend_chart) == "Trend · Adoption"
        assert "target 90 %" in plain_title(scr.trend_chart, "border_subtitle")
        trend = chart_text(scr.trend_chart)
        assert "measured" in trend and "02-02" in trend and "02-16" in trend

        await press(app, pilot, "down")
        assert linked_keys(scr) == []
        assert plain_title(scr.items_table, "border_subtitle") == "none: l links one"
        assert plain_title(scr.trend_chart) == "Trend · Lead time"
        assert chart_text(scr.trend_chart) == "No measurement yet: m records one"
        await press(app, pilot, "k")
        assert linked_keys(scr) == ["SAL-1", "OPS-1"]


async def test_narrow_register_keeps_every_column(proj):
    app = make_app(proj)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        scr = await open_kpis(app, pilot)
        assert rows(scr)[0] == ["Adoption", "%", "0", "90", "40", "higher", "on track", "▁█"]
        # everything fits in 80 columns: the status and trend columns are on screen
        t = scr.table
        assert t.virtual_size.width <= t.size.width


# --------------------------------------------------------------------------- m: record a measurement


async def test_m_records_a_measurement_with_a_relative_date(proj):
    app = make_app(proj)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        scr = await open_kpis(app, pilot)
        await press(app, pilot, "m")
        assert "New measurement of Adoption in %" in str(app.screen.prompt_title)
        await answer(app, pilot, "95")
        assert app.screen.query_one(Input).value == "today"
        await answer(app, pilot, "-3d")
        assert trend_of(proj, "Adoption")[-1] == (date(2026, 3, 1), 95.0)
        assert register(scr)["Adoption"][3:6] == ["95", "higher", "target met"]
        assert "Adoption: 95 % on 2026-03-01 · latest 95 %, target met" in notes(app)
        assert "03-01" in chart_text(scr.trend_chart)  # the new point is the last on the time axis

        # on a KPI without data: the status appears with the first value
        await press(app, pilot, "down", "m")
        await answer(app, pilot, "22.5")
        await answer(app, pilot, "2026-03-04")
        assert register(scr)["Lead time"][3:6] == ["22.5", "lower", "on track"]
        assert scr.kpi.name == "Lead time"  # the cursor stayed on its KPI across the reload

        # u takes the measurement back
        await press(app, pilot, "u")
        assert trend_of(proj, "Lead time") == []
        assert register(scr)["Lead time"][3:6] == ["-", "lower", "no data"]
        assert error_notes(app) == []


async def test_bad_value_or_date_is_one_line_error_and_nothing_is_written(proj):
    app = make_app(proj)
    before = trend_of(proj, "Adoption")
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await open_kpis(app, pilot)
        await press(app, pilot, "m")
        for bad, word in (("lots", "number"), ("nan", "finite"), ("12,5", "number")):
            await answer(app, pilot, bad)
            assert isinstance(app.screen, PromptModal)  # still asking
            err = modal_error(app)
            assert word in err and "\n" not in err
        await answer(app, pilot, "50")
        await answer(app, pilot, "someday")
        assert isinstance(app.screen, PromptModal)
        assert "someday" in modal_error(app) and "\n" not in modal_error(app)
        await press(app, pilot, "escape")
        assert not isinstance(app.screen, PromptModal)
        assert app.write_counts["submitted"] == 0
    assert trend_of(proj, "Adoption") == before


# --------------------------------------------------------------------------- n: new KPI


async def test_n_adds_a_kpi_and_puts_the_cursor_on_it(proj):
    app = make_app(proj)
    async with app.run_test(size=BIG, notifications=True) as pilot:
        scr = await open_kpis(app, pilot)
        await press(app, pilot, "n")
        await answer(app, pilot, "Adoption")
        assert "exists already" in modal_error(app)
        await answer(app, pilot, "Duplicates")
        await answer(app, pilot, "accounts")
        await answer(app, pilot, "lots")
        assert "baseline must be a number" in modal_error(app)
        await answer(app, pilot, "4200")
        await answer(app, pilot, "")  # no target yet
        await choose(app, pilot, "lower")
        k = kpis.get_kpi(proj, "Duplicates")
        assert (k.unit, k.baseline, k.target, k.direction) == ("accounts", 4200.0, None, "lower")
        assert register(scr)["Duplicates"] == ["accounts", "4200", "-", "-", "↓ lower", "no data", ""]
        assert scr.kpi.name == "Duplicates"
        assert "KPI Duplicates added: m records its first value" in notes(app)
        # undo removes the KPI nobody used yet
        await press(app, pilot, "u")
        assert [k.name for k in kpis.list_kpis(proj)] == ["Adoption", "Lead time"]
        assert list(register(scr)) == ["Adoption", "Lead time"]


async def test_n_refuses_a_too_long_name_in_one_line(proj):
    app = make_app(proj)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await open_kpis(app, pilot)
        await press(app, pilot, "n")
        await answer(app, pilot, "K" * 10_000)
        err = modal_error(app)
        assert "too long" in err and "\n" not in err and len(err) < 120
        await press(app, pilot, "escape")
        assert app.write_counts["submitted"] == 0
    assert [k.name for k in kpis.list_kpis(proj)] == ["Adoption", "Lead time"]


# --------------------------------------------------------------------------- l / x: link and unlink


async def test_l_links_an_item_and_u_undoes_it(proj):
    app = make_app(proj)
    async with app.run_test(size=BIG, notifications=True) as pilot:
        scr = await open_kpis(app, pilot)
        await press(app, pilot, "l")
        await answer(app, pilot, "not a key")
        assert "is not an item key" in modal_error(app)
        await answer(app, pilot, "sal-2")
        assert [r.key for r in kpis.linked_items(proj, "Adoption")] == ["SAL-1", "SAL-2", "OPS-1"]
        assert linked_keys(scr) == ["SAL-1", "SAL-2", "OPS-1"]
        assert "SAL-2 now moves Adoption" in notes(app)

        # linking to another KPI moves the link and says so
        await press(app, pilot, "down", "l")
        await answer(app, pilot, "SAL-2")
        assert items.get_item(proj, "SAL-2").kpi == "Lead time"
        assert linked_keys(scr) == ["SAL-2"]
        assert "SAL-2 now moves Lead time instead of Adoption" in notes(app)
        await press(app, pilot, "u")
        assert items.get_item(proj, "SAL-2").kpi == "Adoption"
        await press(app, pilot, "u")
        assert items.get_item(proj, "SAL-2").kpi is None

        # an unknown item: one-line error, nothing changes
        await press(app, pilot, "l")
        await answer(app, pilot, "SAL-99")
        assert any("SAL-99" in e and "\n" not in e for e in error_notes(app))
        assert [r.key for r in kpis.linked_items(proj, "Adoption")] == ["SAL-1", "OPS-1"]


async def test_x_unlinks_the_item_at_the_cursor_or_asks_which(proj):
    app = make_app(proj)
    async with app.run_test(size=BIG, notifications=True) as pilot:
        scr = await open_kpis(app, pilot)
        # from the register: x asks which of the KPI's items
        await press(app, pilot, "x")
        assert isinstance(app.screen, ChooseModal)
        await choose(app, pilot, "OPS-1")
        assert [r.key for r in kpis.linked_items(proj, "Adoption")] == ["SAL-1"]
        assert "OPS-1 no longer linked to Adoption" in notes(app)
        await press(app, pilot, "u")
        assert [r.key for r in kpis.linked_items(proj, "Adoption")] == ["SAL-1", "OPS-1"]

        # tab to the linked items: x unlinks the one at the cursor, enter opens it
        await press(app, pilot, "tab")
        assert scr.focused is scr.items_table
        await cursor_to(app, pilot, scr, "OPS-1", "kpi-items")
        await press(app, pilot, "x")
        assert [r.key for r in kpis.linked_items(proj, "Adoption")] == ["SAL-1"]
        assert linked_keys(scr) == ["SAL-1"]
        await press(app, pilot, "enter")
        assert type(app.screen).__name__ == "ItemEditor"
        await press(app, pilot, "escape")
        await settle(app, pilot)

        # a KPI without linked items: nothing to unlink
        await press(app, pilot, "tab", "down", "x")
        assert "No item moves Lead time yet: l links one" in notes(app)
        assert not isinstance(app.screen, ChooseModal)


# --------------------------------------------------------------------------- charts


async def test_c_cycles_the_chart_at_80x24_and_all_show_at_160x48(proj):
    app = make_app(proj)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        scr = await open_kpis(app, pilot)
        assert visible_charts(scr) == ["trend"]
        await press(app, pilot, "c")
        assert visible_charts(scr) == ["burndown"]
        assert plain_title(scr.burndown_chart) == "Burndown · S2 · all streams"
        burndown = chart_text(scr.burndown_chart)
        assert "ideal" in burndown and "remaining" in burndown and "03-02" in burndown
        await press(app, pilot, "c")
        assert visible_charts(scr) == ["velocity"]
        assert plain_title(scr.velocity_chart) == "Velocity · last 1 closed sprint · all streams"
        velocity = chart_text(scr.velocity_chart)
        assert "committed" in velocity and "completed" in velocity and "S1" in velocity
        await press(app, pilot, "c")
        assert visible_charts(scr) == ["trend"]
        # the chart shown is the same after a reload
        await press(app, pilot, "c")
        changed_elsewhere(app)
        await settle(app, pilot)
        assert visible_charts(scr) == ["burndown"]

        await pilot.resize_terminal(*BIG)
        await settle(app, pilot)
        # the screen lays the charts out again once the resize reaches it
        await until(pilot, lambda: visible_charts(scr) == ["trend", "burndown", "velocity"], "all three charts")
        await press(app, pilot, "c")
        assert "All charts are shown at this size" in notes(app)
        assert visible_charts(scr) == ["trend", "burndown", "velocity"]


async def test_stream_filter_narrows_linked_items_and_velocity(proj):
    app = make_app(proj, stream="OPS")
    async with app.run_test(size=BIG, notifications=True) as pilot:
        scr = await open_kpis(app, pilot)
        assert linked_keys(scr) == ["OPS-1"]
        assert plain_title(scr.items_table) == "Items moving Adoption · stream OPS"
        assert "linked items of stream OPS" in status_line(scr)
        assert plain_title(scr.velocity_chart).endswith("· stream OPS")
        assert plain_title(scr.burndown_chart).endswith("· stream OPS")
        # S1 had no OPS work: the stream's velocity bars are empty, SAL's are not
        assert "S1" in chart_text(scr.velocity_chart)
        app.set_stream_filter(None)
        await settle(app, pilot)
        assert linked_keys(scr) == ["SAL-1", "OPS-1"]
        assert plain_title(scr.velocity_chart).endswith("· all streams")
        assert plain_title(scr.burndown_chart).endswith("· all streams")


async def test_charts_without_sprints_or_measurements(tctx):
    kpis.add_kpi(tctx, "Empty")
    app = make_app(tctx)
    async with app.run_test(size=BIG, notifications=True) as pilot:
        scr = await open_kpis(app, pilot)
        assert chart_text(scr.burndown_chart) == "No active sprint: start one on Planning (3)"
        assert chart_text(scr.velocity_chart) == "No closed sprint yet"
        assert chart_text(scr.trend_chart) == "No measurement yet: m records one"
        await press(app, pilot, "m")
        await answer(app, pilot, "7")
        await answer(app, pilot, "today")
        trend = chart_text(scr.trend_chart)  # a single point
        assert "measured" in trend and "01-02" in trend
        assert error_notes(app) == []


async def test_no_kpi_at_all(ctx):
    app = make_app(ctx)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        scr = await open_kpis(app, pilot)
        assert rows(scr) == []
        assert chart_text(scr.trend_chart) == "No KPI yet: n adds one"
        for key in ("m", "l", "x"):
            await press(app, pilot, key)
            assert not isinstance(app.screen, (PromptModal, ChooseModal))
        assert notes(app).count("No KPI yet: n adds one") == 3
        assert app.write_counts["submitted"] == 0


async def test_huge_and_tiny_values_are_drawn_with_compact_labels(ctx):
    kpis.add_kpi(ctx, "Huge", baseline=1e300, target=-1.5e308)
    for i, v in enumerate((1.7e308, -1.7e308, 1e-300, 2e18)):
        kpis.record(ctx, "Huge", v, on=date(2026, 1, 1) + timedelta(days=7 * i))
    app = make_app(ctx)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        scr = await open_kpis(app, pilot)
        assert rows(scr)[0][1:5] == ["-", "1e+300", "-1.5e+308", "2e+18"]
        trend = chart_text(scr.trend_chart)
        assert "e+308" in trend and "01-01" in trend
        assert max(len(line) for line in trend.splitlines()) <= scr.trend_chart.size.width
        assert error_notes(app) == []


def test_compact_numbers():
    assert [fmt_num(v) for v in (None, 0, 64, 12.5, 4200, 12345, 4.2e6, 1e18, -3e-7, 1/3)] == [
        "-", "0", "64", "12.5", "4200", "12.3k", "4.2M", "1e+18", "-3e-07", "0.3333"]
    assert sparkline([], 5) == ""
    assert sparkline([5], 5) == "▄"
    assert sparkline([1, 2, 3, 4, 5, 6, 7, 8, 9], 4) == "▁▃▆█"  # the last four
    assert sparkline([-1.7e308, 1.7e308], 4) == "▁█"


# --------------------------------------------------------------------------- hostile text


async def test_hostile_text_is_shown_literally(ctx):
    """KPI names and units, item titles and sprint names that look like markup,
    escapes, wide or right-to-left text or are very long: shown as they are
    stored, in the tables, the chart titles and the chart labels."""
    streams.add_stream(ctx, "SAL", "Sales")
    title_of = {}  # KPI name as stored → the title of its one linked item
    for i, h in enumerate(HOSTILE):
        name = kpis.add_kpi(ctx, h[:200], unit=h[:40]).name
        kpis.record(ctx, name, i, on="2026-01-05")
        title_of[name] = create_item(ctx, h, stream="SAL", kpi=name).title
    assert "evil [2J here" in title_of  # the services never store the escape character
    sprints.new_sprint(ctx, HOSTILE[1], start="2026-01-05", end="2026-01-16")
    items.plan_item(ctx, "SAL-1", HOSTILE[1])
    sprints.start_sprint(ctx, HOSTILE[1])
    sprints.close_sprint(ctx, HOSTILE[1], carry_to="backlog")
    sprints.new_sprint(ctx, HOSTILE[4], start="2026-01-19", end="2026-01-30")
    sprints.start_sprint(ctx, HOSTILE[4])
    for size in (SMALL, BIG):
        app = make_app(ctx)
        async with app.run_test(size=size, notifications=True) as pilot:
            scr = await open_kpis(app, pilot)
            assert {r[0] for r in rows(scr)} == set(title_of)  # 200 x's fit the 200 characters shown
            for name in ("[@click=app.quit]x[/]", "a [/] b", "日本語 שלום 🎉 ok", "x" * 200):
                await cursor_to(app, pilot, scr, name)
                assert plain_title(scr.trend_chart) == "Trend · " + cut(name, 60)
                assert plain_title(scr.items_table) == "Items moving " + cut(name, 40)
                assert rows(scr, "kpi-items")[0][2] == cut(title_of[name], 200)
            if size == SMALL:
                await press(app, pilot, "c", "c")  # to the velocity chart
            assert "[@click=app.quit]x[/]" in chart_text(scr.velocity_chart)  # the sprint name, as a bar label
            assert plain_title(scr.burndown_chart) == "Burndown · 日本語 שלום 🎉 ok · all streams"
            assert "[@click=app.quit]x[/]" in app.export_screenshot().replace("&#160;", " ")
            await press(app, pilot, "c")
            assert app.is_running and isinstance(app.screen, KpiScreen)
            assert error_notes(app) == []


def test_chart_labels_keep_control_characters_out():
    """Data that reaches a chart without the services' cleaning (an escape, a
    newline) is shown as a replacement character, never interpreted."""
    from textual.app import App

    class Charts(App):
        def compose(self):
            yield VelocityChart(id="v")
            yield BurndownChart(id="b")
            yield TrendChart(id="t")

    async def run():
        app = Charts()
        async with app.run_test(size=(60, 40)) as pilot:
            v, b, t = app.query_one(VelocityChart), app.query_one(BurndownChart), app.query_one(TrendChart)
            v.update_data(VelocityData(["\x1b[2J", "a\nb", "[b]x[/b]"], [1, 2, 3], [1, 2, 0]))
            b.update_data(BurndownData("x", [date(2026, 3, 2)], [0.0], [4.0]))  # one day, one point
            t.update_data(TrendData("k", "", [date(2026, 3, 2)] * 2, [5.0, 5.0], None, None))
            b.set_title("\x1b[2J[b]title[/b]")
            await pilot.pause()
            text = chart_text(v)
            assert "\x1b" not in text and "�[2J" in text and "a b" in text and "[b]x[/b]" in text
            assert plain_title(b) == "�[2J[b]title[/b]"
            assert "remaining" in chart_text(b)
            assert "measured" in chart_text(t) and "03-02" in chart_text(t)
            v.update_data(VelocityData(["x"], [0], [0]))
            await pilot.pause()
            assert "committed" in chart_text(v)

    import asyncio

    asyncio.run(run())


# --------------------------------------------------------------------------- palette, reloads


async def test_palette_commands_run_the_screen_actions(proj):
    app = make_app(proj)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        scr = await open_kpis(app, pilot)
        commands = {c.title: c for c in app.get_system_commands(scr)}
        for title in ("KPI: record a measurement", "KPI: new KPI", "KPI: link an item", "KPI: unlink an item",
                      "KPI: next chart"):
            assert title in commands
        commands["KPI: next chart"].callback()
        await settle(app, pilot)
        assert visible_charts(scr) == ["burndown"]
        commands["KPI: record a measurement"].callback()
        await settle(app, pilot)
        assert isinstance(app.screen, PromptModal)
        await press(app, pilot, "escape")


async def test_cursor_stays_on_its_kpi_when_others_write(proj, make_ctx):
    app = make_app(proj)
    async with app.run_test(size=BIG, notifications=True) as pilot:
        scr = await open_kpis(app, pilot)
        await press(app, pilot, "down")
        assert scr.kpi.name == "Lead time"
        other = make_ctx("bob")
        kpis.add_kpi(other, "Aaa first")  # sorts above: the row index of Lead time changes
        kpis.link_item(other, "Lead time", "SAL-2")
        changed_elsewhere(app)
        await settle(app, pilot)
        assert [r[0] for r in rows(scr)] == ["Aaa first", "Adoption", "Lead time"]
        assert scr.kpi.name == "Lead time"
        assert linked_keys(scr) == ["SAL-2"]


# --------------------------------------------------------------------------- snapshots of the demo

@pytest.fixture
def demo_app(demo_ctx, request):
    return SprintTuiApp(demo_ctx, watch=False, stream=getattr(request, "param", None))


@pytest.mark.parametrize("size,keys,demo_app", [
    (SMALL, ["c"], None),                    # the burndown of the demo's sprint
    (SMALL, ["c", "c"], None),               # the velocity of its closed sprints
    (SMALL, ["down", "down", "tab"], None),  # a KPI where lower is better, its items focused
    (BIG, ["down", "down"], None),
    (BIG, [], "SAL"),                        # the stream filter: SAL's items and velocity
], ids=["80x24-burndown", "80x24-velocity", "80x24-duplicates", "160x48-duplicates", "160x48-stream"],
    indirect=["demo_app"])
def test_kpi_snapshot(snap_compare, demo_app, size, keys):
    async def run_before(pilot):
        await settle(pilot.app, pilot)
        await pilot.press("7")
        await settle(pilot.app, pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot.app, pilot)
        assert isinstance(pilot.app.screen, KpiScreen)

    assert snap_compare(demo_app, terminal_size=size, run_before=run_before)
