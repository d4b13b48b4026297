"""7 KPIs: the KPI register (baseline, target, latest value, on/off track, trend),
the items linked to the KPI at the cursor, and charts: the KPI's trend, the
burndown of the active sprint and the velocity of the last sprints.

The register and the linked items load first (a few short queries), so the screen
shows at once; the burndown and velocity are computed afterwards in their own
worker. At 80×24 one chart is shown, `c` cycles them; from 120×36 all three.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Container
from textual.content import Content
from textual.widgets import DataTable, Static
from textual.widgets.data_table import RowDoesNotExist

from sprinttui.domain import ITEM_KEY_RE, SprintTuiError, ValidationError, one_line
from sprinttui.services import kpis as kpis_svc
from sprinttui.services import reports as reports_svc
from sprinttui.services import sprints as sprints_svc
from sprinttui.services.item_rows import ItemRow
from sprinttui.services.kpis import KpiView
from sprinttui.services.text import clean_line
from sprinttui.tui.base import BaseScreen, fit_rows, row_at_cursor
from sprinttui.tui.modals import ChooseModal, PromptModal
from sprinttui.tui.safe import plain, text
from sprinttui.tui.tcss import load_tcss
from sprinttui.tui.widgets.charts import (
    BurndownChart,
    BurndownData,
    TrendChart,
    TrendData,
    VelocityChart,
    VelocityData,
    fmt_num,
)
from sprinttui.tui.widgets.table import Table
from sprinttui.tui.writes import Topic, Write

#: closed sprints the velocity chart shows
VELOCITY_SPRINTS = 6
#: linked items listed per KPI (the counts cover all of them)
LINKED_SHOWN = 100
#: the size from which all charts are shown at once
WIDE = (120, 36)
CHARTS = ("trend", "burndown", "velocity")
SPARKS = "▁▂▃▄▅▆▇█"
STATUS_STYLE = {"target met": "bold green", "on track": "green", "off track": "bold red", "no data": "dim"}


def status_of(k: KpiView) -> str:
    if k.target_met:
        return "target met"
    return {True: "on track", False: "off track", None: "no data"}[k.on_track]


def sparkline(values: list[float], width: int) -> str:
    """The last `width` values as block characters, lowest ▁ to highest █."""
    vals = values[-width:]
    if not vals:
        return ""
    lo, hi = min(vals), max(vals)
    if hi == lo:
        return SPARKS[3] * len(vals)
    top = len(SPARKS) - 1
    out = []
    for v in vals:
        # in two steps, so that a range of ±1e308 does not overflow
        i = round((v / 2 - lo / 2) / (hi / 2 - lo / 2) * top)
        out.append(SPARKS[max(0, min(top, i))])
    return "".join(out)


def _unit(k: KpiView) -> str:
    return f" {plain(k.unit, 20)}" if k.unit else ""


@dataclass
class KpiData:
    kpis: list[KpiView]
    linked: dict[str, kpis_svc.Linked]
    stream: str | None


class KpiScreen(BaseScreen):
    SCREEN_TITLE = "KPIs"
    DEFAULT_CSS = load_tcss(__file__)
    BINDINGS = [
        Binding("m", "record", "Measure"),
        Binding("n", "new_kpi", "New KPI"),
        Binding("l", "link", "Link item"),
        Binding("x", "unlink", "Unlink"),
        Binding("c", "cycle_chart", "Chart"),
        Binding("tab", "switch_table", "Items", show=False),
        Binding("e", "open_item", "Open item", show=False),
        Binding("k", "cursor(-1)", "↑", show=False),
        Binding("j", "cursor(1)", "↓", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data: KpiData | None = None
        self.chart = "trend"  # the chart shown when only one fits
        self.wide = False
        self._width = 0
        self._gen = 0
        self._want: str | None = None  # a KPI to put the cursor on once it is loaded
        self._shown: tuple = ()  # (load, KPI) the linked items and trend are of
        self._loads = 0  # counts the loads shown

    def compose(self) -> ComposeResult:
        # the size classes are set before the widgets are styled: set after the
        # mount, they would restyle the whole screen once more
        size = self.app.size
        wide = self._is_wide(size.width, size.height)
        self.set_class(wide, "-wide", update=False)
        yield from self.compose_header()
        yield Static(Content("Loading…"), id="kpi-status")
        yield Table(id="kpi-table", cursor_type="row", zebra_stripes=True)
        with Container(id="kpi-lower"):
            yield Table(id="kpi-items", cursor_type="row", zebra_stripes=True)
            for name, chart in (("trend", TrendChart), ("burndown", BurndownChart), ("velocity", VelocityChart)):
                yield chart(id=f"chart-{name}", classes="-hidden" if self._chart_hidden(name, wide) else "")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        # (BaseScreen.on_mount, which starts the first load, runs after this one:
        # Textual calls the handler of every class, so no super() call here)
        self._layout(self.app.size.width, self.app.size.height)
        self.items_table.border_title = Content("Linked items")
        self.trend_chart.set_title("Trend")
        self.burndown_chart.set_title("Burndown")
        self.velocity_chart.set_title("Velocity")
        self.table.focus()

    # -- widgets -----------------------------------------------------------------
    @property
    def table(self) -> DataTable:
        return self.query_one("#kpi-table", DataTable)

    @property
    def items_table(self) -> DataTable:
        return self.query_one("#kpi-items", DataTable)

    @property
    def trend_chart(self) -> TrendChart:
        return self.query_one("#chart-trend", TrendChart)

    @property
    def burndown_chart(self) -> BurndownChart:
        return self.query_one("#chart-burndown", BurndownChart)

    @property
    def velocity_chart(self) -> VelocityChart:
        return self.query_one("#chart-velocity", VelocityChart)

    @property
    def kpi(self) -> KpiView | None:
        return row_at_cursor(self.table, self.data.kpis if self.data else [])

    @property
    def linked(self) -> list[ItemRow]:
        k = self.kpi
        linked = self.data.linked.get(k.name) if (k and self.data) else None
        return linked.rows if linked else []

    @property
    def linked_item(self) -> ItemRow | None:
        return row_at_cursor(self.items_table, self.linked)

    # -- layout ------------------------------------------------------------------
    def on_resize(self, event) -> None:
        self._layout(event.size.width, event.size.height)

    @staticmethod
    def _is_wide(width: int, height: int) -> bool:
        return width >= WIDE[0] and height >= WIDE[1]

    def _chart_hidden(self, name: str, wide: bool) -> bool:
        return not wide and name != self.chart

    def _layout(self, width: int, height: int) -> None:
        wide = self._is_wide(width, height)
        changed = wide != self.wide or width != self._width or not self.table.columns
        self.wide, self._width = wide, width
        self.set_class(wide, "-wide")
        for name in CHARTS:
            self.query_one(f"#chart-{name}").set_class(self._chart_hidden(name, wide), "-hidden")
        if changed:
            self._columns()
            if self.data is not None:
                self._fill(self.data)

    def _columns(self) -> None:
        t = self.table
        t.clear(columns=True)
        w = 1 if self.wide else 0
        t.add_column("KPI", key="name", width=min(60, max(12, self._width - (88 if w else 64))))
        t.add_column("Unit", key="unit", width=10 if w else 5)
        for key, label, short in (("baseline", "Baseline", "Base"), ("target", "Target", "Target"),
                                  ("latest", "Latest", "Latest")):
            t.add_column(label if w else short, key=key, width=8 if w else 6)
        t.add_column("Better", key="direction", width=8 if w else 6)
        t.add_column("Status", key="status", width=10)
        t.add_column("Trend", key="trend", width=16 if w else 7)
        it = self.items_table
        it.clear(columns=True)
        self._shown = ()  # the rows went with the columns
        it.add_column("Key", key="key", width=9 if w else 8)
        it.add_column("Status", key="status", width=6)
        # the title takes what the panel (half the width, or 36 cells) leaves
        it.add_column("Title", key="title", width=max(13, self._width // 2 - 26) if w else 13)

    # -- loading -----------------------------------------------------------------
    def reload(self) -> None:
        self._gen += 1
        super().reload()

    def load(self) -> KpiData:
        ctx, stream = self.ctx, self.stream
        return KpiData(kpis_svc.list_kpis(ctx), kpis_svc.linked_by_kpi(ctx, stream=stream, limit=LINKED_SHOWN),
                       stream)

    def show(self, data: KpiData) -> None:
        self.data = data
        self._loads += 1
        self._fill(data)
        self._status()
        # the charts take longer: their worker starts once the register is on screen
        self.call_after_refresh(self.load_charts, self._gen, data.stream)

    def _status(self) -> None:
        data = self.data
        if data is None:
            return
        counts: dict[str, int] = {}
        for k in data.kpis:
            counts[status_of(k)] = counts.get(status_of(k), 0) + 1
        parts = [f"KPI register · {len(data.kpis)} KPI{'s' if len(data.kpis) != 1 else ''}"]
        parts += [f"{counts[s]} {s}" for s in STATUS_STYLE if counts.get(s)]
        parts.append(f"linked items of stream {data.stream}" if data.stream else "all streams")
        self.query_one("#kpi-status", Static).update(Content(" · ".join(parts)))

    def _fill(self, data: KpiData) -> None:
        t = self.table
        keep = self._want or self._key_at(t)
        old = t.cursor_row
        t.clear()
        spark = 16 if self.wide else 7
        for k in data.kpis:
            status = status_of(k)
            t.add_row(
                text(k.name, "bold", limit=200),
                text(k.unit or "-", "" if k.unit else "dim", limit=20),
                Text(fmt_num(k.baseline), justify="right"),
                Text(fmt_num(k.target), justify="right"),
                Text(fmt_num(k.latest), style="bold", justify="right"),
                Text(("↑ " if k.direction == "higher" else "↓ ") + k.direction if self.wide else k.direction),
                Text(status, style=STATUS_STYLE[status]),
                Text(sparkline(k.trend, spark), style=STATUS_STYLE[status]),
                key=k.name,
            )
        fit_rows(t)
        if data.kpis:
            index = self._index(t, keep)
            if index >= 0:
                self._want = None
            t.move_cursor(row=index if index >= 0 else max(0, min(old, len(data.kpis) - 1)), animate=False)
        self._kpi_changed()

    @staticmethod
    def _key_at(t: DataTable) -> str | None:
        if not t.row_count or not 0 <= t.cursor_row < t.row_count:
            return None
        return t.coordinate_to_cell_key((t.cursor_row, 0)).row_key.value

    @staticmethod
    def _index(t: DataTable, key: str | None) -> int:
        if key is None:
            return -1
        try:
            return t.get_row_index(key)
        except RowDoesNotExist:
            return -1

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table is self.table:
            self._kpi_changed()

    def _kpi_changed(self) -> None:
        """Show the linked items and the trend of the KPI at the cursor."""
        k = self.kpi
        shown = (self._loads, k.name if k else None)
        if shown == self._shown:
            return  # the highlight event after a fill: nothing new to show
        self._shown = shown
        self._fill_items(k)
        chart = self.trend_chart
        if k is None:
            chart.set_title("Trend")
            chart.update_data(None, "No KPI yet: n adds one" if self.data else "Loading…")
            return
        unit = _unit(k)
        refs = []
        if k.target is not None:
            refs.append(f"target {fmt_num(k.target)}{unit} (green)")
        if k.baseline is not None:
            refs.append(f"baseline {fmt_num(k.baseline)}{unit} (grey)")
        chart.set_title(f"Trend · {plain(k.name, 60)}", " · ".join(refs))
        ms = k.measurements
        chart.update_data(
            TrendData(k.name, k.unit, [m.date for m in ms], [m.value for m in ms], k.baseline, k.target),
            "No measurement yet: m records one",
        )

    def _fill_items(self, k: KpiView | None) -> None:
        it = self.items_table
        keep = self._key_at(it)
        old = it.cursor_row
        it.clear()
        rows = self.linked
        title_width = 200
        for r in rows:
            done = r.status == "done"
            it.add_row(
                text(r.key, "dim" if done else "bold"),
                text(r.status, "dim" if done else ""),
                text(r.title, "dim" if done else "", limit=title_width),
                key=r.key,
            )
        if rows:
            index = self._index(it, keep)
            it.move_cursor(row=index if index >= 0 else max(0, min(old, len(rows) - 1)), animate=False)
        if k is None:
            it.border_title = Content("Linked items")
            return
        linked = self.data.linked.get(k.name) if self.data else None
        where = f" · stream {self.data.stream}" if self.data and self.data.stream else ""
        it.border_title = Content(f"Items moving {plain(k.name, 40)}{where}")
        if linked is None:
            it.border_subtitle = Content("none: l links one")
        else:
            more = f" · first {len(rows)} shown" if len(rows) < linked.total else ""
            it.border_subtitle = Content(f"{linked.total} linked, {linked.done} done{more}")

    # -- charts ------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="charts")
    def load_charts(self, gen: int, stream: str | None) -> None:
        """The burndown, then the velocity (the slower one: a report per sprint),
        each shown as soon as it is computed."""
        ctx = self.ctx
        try:
            sprint = sprints_svc.active_sprint(ctx)
            burndown = None
            if sprint is not None:
                points = reports_svc.burndown(ctx, "current", stream=stream)
                burndown = BurndownData(sprint.name, [p.day for p in points], [p.ideal for p in points],
                                        [p.remaining for p in points])
            self.app.call_from_thread(self._show_burndown, gen, stream, burndown)
            vel = reports_svc.velocity(ctx, last=VELOCITY_SPRINTS, stream=stream)
        except SprintTuiError as err:
            self.app.call_from_thread(self.sapp.report_error, err)
            return
        velocity = VelocityData([v.sprint for v in vel], [v.committed_points for v in vel],
                                [v.completed_points for v in vel]) if vel else None
        self.app.call_from_thread(self._show_velocity, gen, stream, velocity)

    def _show_burndown(self, gen: int, stream: str | None, b: BurndownData | None) -> None:
        if gen != self._gen:
            return  # a newer load is on its way
        scope = f"stream {plain(stream, 10)}" if stream else "all streams"
        self.burndown_chart.set_title(
            f"Burndown · {plain(b.sprint, 40)} · {scope}" if b else "Burndown",
            "remaining points (orange) vs ideal (grey)" if b else "")
        self.burndown_chart.update_data(
            b, "The sprint has no working days" if b else "No active sprint: start one on Planning (3)")

    def _show_velocity(self, gen: int, stream: str | None, v: VelocityData | None) -> None:
        if gen != self._gen:
            return
        n = len(v.sprints) if v else 0
        self.velocity_chart.set_title(
            f"Velocity · last {n} closed sprint{'s' if n != 1 else ''} · "
            + (f"stream {stream}" if stream else "all streams"),
            "points committed (blue) vs completed (green)" if v else "")
        self.velocity_chart.update_data(v, "No closed sprint yet")

    def action_cycle_chart(self) -> None:
        if self.wide:
            self.notify("All charts are shown at this size", timeout=2)
            return
        self.chart = CHARTS[(CHARTS.index(self.chart) + 1) % len(CHARTS)]
        self._layout(self.app.size.width, self.app.size.height)

    # -- movement ----------------------------------------------------------------
    def action_switch_table(self) -> None:
        if self.focused is self.items_table:
            self.table.focus()
        else:
            self.items_table.focus()

    def action_cursor(self, delta: int) -> None:
        t = self.items_table if self.focused is self.items_table else self.table
        if t.row_count:
            t.move_cursor(row=max(0, min(t.row_count - 1, t.cursor_row + delta)))

    def action_open_item(self) -> None:
        row = self.linked_item
        if row is not None and self.focused is self.items_table:
            self.sapp.open_item(row.key)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table is self.items_table and event.row_key.value is not None:
            self.sapp.open_item(str(event.row_key.value))

    # -- writes ------------------------------------------------------------------
    async def _ask(self, title: str, value: str = "", **kw) -> str | None:
        return await self.app.push_screen_wait(PromptModal(title, value=value, **kw))

    def _need_kpi(self) -> KpiView | None:
        k = self.kpi
        if k is None:
            self.notify("No KPI yet: n adds one", severity="warning", timeout=3)
        return k

    @work(exclusive=True, group="dialog")
    async def action_record(self) -> None:
        k = self._need_kpi()
        if k is None:
            return
        name, ctx = k.name, self.ctx
        unit = f" in {plain(k.unit, 20)}" if k.unit else ""
        value = await self._ask(f"New measurement of {plain(name, 60)}{unit}",
                                placeholder="a number, like 42 or 12.5", check=kpis_svc.check_value)
        if not value:
            return
        day_text = await self._ask(f"{plain(name, 60)} was {value}{_unit(k)} on (today, -3d, 2026-03-02, last fri)",
                                   value="today", check=ctx.day)
        if not day_text:
            return
        try:
            v, day = kpis_svc.check_value(value), ctx.day(day_text)
        except SprintTuiError as err:
            self.sapp.report_error(err)
            return

        def done(view: KpiView) -> None:
            self.notify(Content(f"{plain(view.name, 60)}: {fmt_num(v)}{_unit(view)} on {day.isoformat()} · "
                                f"latest {fmt_num(view.latest)}{_unit(view)}, {status_of(view)}"), timeout=4)

        self.perform(Write(f"measurement of {one_line(name, 40)} on {day.isoformat()}",
                           lambda: kpis_svc.record(ctx, name, v, on=day), Topic.KPIS,
                           undo=lambda _view: kpis_svc.delete_measurement(ctx, name, on=day, value=v)), done=done)

    @work(exclusive=True, group="dialog")
    async def action_new_kpi(self) -> None:
        ctx = self.ctx
        names = {k.name for k in (self.data.kpis if self.data else [])}

        def check_name(value: str) -> None:
            if clean_line(value, "name", limit=200) in names:
                raise ValidationError(f"KPI {one_line(value, 40)!r} exists already", "name")

        name = await self._ask("Name of the new KPI", placeholder="like Lead response time", check=check_name)
        if not name:
            return
        label = plain(name, 40)
        unit = await self._ask(f"Unit of {label} (%, h, leads …; may stay empty)", allow_empty=True,
                               check=lambda v: clean_line(v, "unit", required=False, limit=40))
        if unit is None:
            return
        baseline = await self._ask(f"Baseline of {label}: the value before the rollout (may stay empty)",
                                   allow_empty=True, check=lambda v: kpis_svc.check_number(v, "baseline"))
        if baseline is None:
            return
        target = await self._ask(f"Target of {label} (may stay empty)", allow_empty=True,
                                 check=lambda v: kpis_svc.check_number(v, "target"))
        if target is None:
            return
        direction = await self.app.push_screen_wait(ChooseModal(
            f"Which way is better for {label}?", [("Higher is better", "higher"), ("Lower is better", "lower")]))
        if direction is None:
            return

        def done(view: KpiView) -> None:
            self.notify(Content(f"KPI {plain(view.name, 60)} added: m records its first value"), timeout=4)
            self._go_to(view.name)

        self.perform(Write(f"new KPI {one_line(name, 40)}",
                           lambda: kpis_svc.add_kpi(ctx, name, unit=unit, baseline=baseline, target=target,
                                                    direction=str(direction)),
                           Topic.KPIS, undo=lambda view: kpis_svc.delete_kpi(ctx, view.name)), done=done)

    def _go_to(self, name: str) -> None:
        """Put the cursor on KPI `name` when the reload after a write shows it."""
        self._want = name
        index = self._index(self.table, name)
        if index >= 0:
            self.table.move_cursor(row=index, animate=False)

    @work(exclusive=True, group="dialog")
    async def action_link(self) -> None:
        k = self._need_kpi()
        if k is None:
            return
        ctx, name = self.ctx, k.name

        def check_key(value: str) -> None:
            if not ITEM_KEY_RE.match(value.strip().upper()):
                raise ValidationError(f"{one_line(value, 40)!r} is not an item key (like SAL-12)", "key")

        key = await self._ask(f"Key of the item that should move {plain(name, 60)}",
                              placeholder="like SAL-12", check=check_key)
        if not key:
            return

        def done(link: kpis_svc.Link) -> None:
            if link.previous == link.kpi:
                self.notify(Content(f"{link.key} was linked to {plain(name, 60)} already"), timeout=3)
                return
            was = f" instead of {plain(link.previous, 40)}" if link.previous else ""
            self.notify(Content(f"{link.key} now moves {plain(name, 60)}{was}"), timeout=3)

        def undo(link: kpis_svc.Link) -> kpis_svc.Link | None:
            if link.previous == link.kpi:
                return None  # nothing changed
            mine = self.sapp.own_version(link.key)  # refused if someone changed the item since
            if link.previous:
                return kpis_svc.link_item(ctx, link.previous, link.key, expected_version=mine)
            return kpis_svc.unlink_item(ctx, name, link.key, expected_version=mine)

        self.perform(Write(f"link of {key.strip().upper()} to {one_line(name, 40)}",
                           lambda: kpis_svc.link_item(ctx, name, key), Topic.KPIS | Topic.ITEMS, undo=undo),
                     done=done)

    @work(exclusive=True, group="dialog")
    async def action_unlink(self) -> None:
        k = self._need_kpi()
        if k is None:
            return
        rows = self.linked
        if not rows:
            self.notify(Content(f"No item moves {plain(k.name, 60)} yet: l links one"), severity="warning",
                        timeout=3)
            return
        row = self.linked_item if self.focused is self.items_table else None
        key: object
        if row is not None:
            key = row.key
        else:
            key = await self.app.push_screen_wait(ChooseModal(
                f"Unlink which item from {plain(k.name, 40)}?",
                [(f"{r.key}  {plain(r.title, 60)}", r.key) for r in rows]))
            if key is None:
                return
        ctx, name, item = self.ctx, k.name, str(key)
        self.perform(
            Write(f"unlinking of {item} from {one_line(name, 40)}", lambda: kpis_svc.unlink_item(ctx, name, item),
                  Topic.KPIS | Topic.ITEMS,
                  undo=lambda _link: kpis_svc.link_item(ctx, name, item,
                                                        expected_version=self.sapp.own_version(item))),
            done=lambda _link: self.notify(Content(f"{item} no longer linked to {plain(name, 60)}"), timeout=3),
        )

    # -- palette -----------------------------------------------------------------
    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("KPI: record a measurement", "A new value of the KPI at the cursor (m)",
                            self.action_record)
        yield SystemCommand("KPI: new KPI", "Name, unit, baseline, target, direction (n)", self.action_new_kpi)
        yield SystemCommand("KPI: link an item", "An item that should move the KPI at the cursor (l)",
                            self.action_link)
        yield SystemCommand("KPI: unlink an item", "Remove an item's link to the KPI at the cursor (x)",
                            self.action_unlink)
        yield SystemCommand("KPI: next chart", "Trend, burndown, velocity (c)", self.action_cycle_chart)
