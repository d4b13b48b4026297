"""Charts drawn in the terminal with plotext (through textual-plotext):
sprint burndown, velocity of the last sprints, and a KPI's trend.

Each chart is a widget that is given plain data (from the services) and draws
itself at whatever size it has. Every chart copes with no data, a single
point and huge or tiny values: the values are scaled before plotext sees
them and the axis labels are written here, compactly. User text (sprint and
KPI names) goes through ``plain`` before plotext, and plotext's output is
turned into rich Text from its colour codes only, so nothing in a name is
taken as markup or as a terminal escape. Titles go in the widget's border
title as Content.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rich.cells import cell_len
from rich.text import Text
from textual.app import RenderResult
from textual.content import Content
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

from sprinttui.tui.safe import plain
from sprinttui.tui.tcss import load_tcss
from sprinttui.tui.textual_private import (
    make_plotext_deterministic,
    plotext_theme_name,
    set_figure,
    set_figure_size,
)

make_plotext_deterministic()  # the same chart draws the same in every process

#: smallest plot area (cells) worth drawing; below it the chart says why it is empty
MIN_WIDTH, MIN_HEIGHT = 16, 6
#: series colours as RGB, so they look the same whatever the terminal's palette
ORANGE, GREY, BLUE, GREEN = (255, 152, 0), (150, 150, 150), (66, 135, 245), (76, 175, 80)


def hex_colour(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def fmt_num(v: float | None) -> str:
    """A number in at most about 7 cells: 64, 12.5, 4200, 12.3k, 4.2M, 1e+18."""
    if v is None:
        return "-"
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 1e15 or a < 1e-3:
        return f"{v:.3g}"
    for limit, unit, suffix in ((1e12, 1e12, "T"), (1e9, 1e9, "G"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if a >= limit:
            return f"{v / unit:.3g}{suffix}"
    if a >= 1000:
        return f"{v:.0f}"
    return f"{v:.4g}"


def clip(value: object, cells: int) -> str:
    """User text for a chart label: control characters replaced, at most `cells` wide."""
    s = plain(value)
    if cell_len(s) <= cells:
        return s
    out, width = [], 0
    for ch in s:
        w = cell_len(ch)
        if width + w > max(cells - 1, 0):
            break
        out.append(ch)
        width += w
    return "".join(out) + ("…" if cells > 0 else "")


@dataclass(frozen=True)
class Scale:
    """Maps values to what plotext draws (so it never sees 1e300) and back to labels."""

    factor: float
    lo: float
    hi: float

    @classmethod
    def of(cls, values: Sequence[float], *, include_zero: bool = False) -> Scale:
        vals = [v for v in values if v is not None and math.isfinite(v)]
        if include_zero:
            vals.append(0.0)
        if not vals:
            return cls(1.0, 0.0, 1.0)
        big = max(abs(v) for v in vals)
        factor = 1.0
        if big >= 1e6 or 0 < big < 1e-2:
            factor = 10.0 ** (math.floor(math.log10(big)) - 2)
        lo, hi = min(vals) / factor, max(vals) / factor
        if hi - lo < 1e-9 * max(abs(hi), 1.0):  # one value, or all equal
            pad = max(abs(hi) * 0.1, 1.0)
            lo, hi = (0.0 if include_zero and lo == 0 else lo - pad), hi + pad
        else:
            pad = (hi - lo) * 0.08
            lo, hi = (lo if include_zero and lo == 0 else lo - pad), hi + pad
        return cls(factor, lo, hi)

    def __call__(self, v: float) -> float:
        return v / self.factor

    def ticks(self, rows: int) -> tuple[list[float], list[str]]:
        """Round tick positions for data `rows` high, with their labels."""
        want = max(2, min(6, rows // 2 - 1))  # a tick every two or more rows
        step = _nice((self.hi - self.lo) / want)
        first = math.ceil(self.lo / step) * step
        ticks = []
        t = first
        while t <= self.hi + step * 1e-9 and len(ticks) < 12:
            ticks.append(round(t, 12))
            t += step
        return ticks, [fmt_num(t * self.factor) for t in ticks]


def _nice(raw: float) -> float:
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    exp = math.floor(math.log10(raw))
    frac = raw / 10**exp
    nice = min((1, 2, 2.5, 5, 10), key=lambda c: abs(math.log(c / frac)))
    return nice * 10**exp


def short_names(names: Sequence[str], room: int) -> list[str]:
    """Names for labels `room` cells wide: a first word they all share ("Sprint 1",
    "Sprint 2") is dropped when they do not fit."""
    names = [plain(n) for n in names]
    if len(names) < 2 or max(cell_len(n) for n in names) <= room:
        return names
    first = names[0].split(" ", 1)[0] + " "
    if len(first) > 1 and all(n.startswith(first) and len(n) > len(first) for n in names):
        return [n[len(first):] for n in names]
    return names


class Chart(PlotextPlot):
    """A plotext chart that draws from data it was given, or says why it is empty."""

    DEFAULT_CSS = load_tcss(__file__)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self.message = "Loading…"
        self.data: object | None = None
        self._version = 0  # counts the data given, for the cache of the picture
        self._drawn: tuple[tuple, Text] | None = None  # the last picture and what it was drawn from

    def set_title(self, title: str, subtitle: str = "") -> None:
        self.border_title = Content(plain(title, 200))
        self.border_subtitle = Content(plain(subtitle, 200)) if subtitle else None

    def show_message(self, message: str) -> None:
        self.message = message
        self.refresh()

    def draw(self, plt: Plot, width: int, height: int) -> None:  # pragma: no cover - overridden
        pass

    def render(self) -> RenderResult:
        width, height = self.size.width, self.size.height
        if self.message or width < MIN_WIDTH or height < MIN_HEIGHT:
            return Text(self.message or "(too small to draw)", style="dim", no_wrap=True, overflow="ellipsis")
        theme = plotext_theme_name(self, self.app.theme)
        key = (self._version, width, height, theme)
        if self._drawn is not None and self._drawn[0] == key:
            return self._drawn[1]  # a refresh for the border title, focus …: the same picture
        plt = Plot()  # a fresh figure each time: nothing left over from the last data
        set_figure(self, plt)
        plt.plotsize(width, height)
        set_figure_size(plt, width, height)  # as PlotextPlot.render does (textual-plotext issue 5)
        plt.theme(theme)
        self.draw(plt, width, height)
        # plotext's colour codes become styles; nothing else in its output is interpreted,
        # and a line that is too wide is cut instead of wrapped onto the next one
        picture = Text.from_ansi(plt.build(), no_wrap=True, overflow="crop")
        self._drawn = (key, picture)
        return picture


def _axis(plt: Plot, scale: Scale, width: int, height: int, legend: int) -> int:
    """Round y ticks with compact labels; room above the data for the `legend` lines
    plotext draws in the top left corner. Returns the cells left for the plot's canvas."""
    rows = max(height - 3, 2)
    hi = scale.hi + (scale.hi - scale.lo) * legend / max(rows - legend, 1)
    ticks, labels = scale.ticks(rows - legend)
    plt.ylim(scale.lo, hi)
    plt.yticks(ticks, labels)
    return max(width - max(map(len, labels), default=1) - 3, 1)


def _xticks(plt: Plot, ticks: Sequence[float], labels: Sequence[str], lo: float, hi: float, canvas: int) -> None:
    """Set x ticks, leaving out those whose label would touch the one before.

    plotext itself drops a label that has no room, but which one it keeps
    depends on the order of a set (that is, on Python's string hashing), so
    a crowded axis would differ from run to run. Here no label collides."""
    def cell(x: float) -> float:
        return (x - lo) / (hi - lo) * canvas if hi > lo else 0.0

    pairs = sorted(dict(zip(ticks, labels, strict=False)).items())
    keep: list[tuple[float, str]] = []
    for i, (x, label) in enumerate(pairs):
        if keep:
            gap = (cell_len(keep[-1][1]) + cell_len(label)) / 2 + 2
            if cell(x) - cell(keep[-1][0]) < gap:
                if i == len(pairs) - 1 and len(keep) > 1:
                    keep.pop()  # the last tick matters more than the one before it
                else:
                    continue
        keep.append((x, label))
    plt.xticks([x for x, _l in keep], [label for _x, label in keep])


# --------------------------------------------------------------------------- burndown


@dataclass(frozen=True)
class BurndownData:
    sprint: str
    days: list[date]
    ideal: list[float]
    remaining: list[float | None]  # None for days still ahead


class BurndownChart(Chart):
    """Remaining points per working day of a sprint against the ideal line.

    With ``legend_outside`` (the board's chart, a few lines high) plotext
    draws no legend and no frame above and right of the plot, so those rows
    go to the data: LEGEND, for a border's subtitle, says which line is which.
    """

    #: the legend, in the series' colours and marks, when it is not drawn in the plot
    LEGEND = Content.assemble(("▀▀ remaining", hex_colour(ORANGE)), "  ", ("•• ideal", hex_colour(GREY)))

    def __init__(self, *, legend_outside: bool = False, id: str | None = None,  # noqa: A002
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.legend_outside = legend_outside

    def update_data(self, data: BurndownData | None, message: str = "No active sprint") -> None:
        self.data = data
        self._version += 1
        self.message = "" if data and data.days else message
        self.refresh()

    def draw(self, plt: Plot, width: int, height: int) -> None:
        d = self.data
        assert d is not None
        actual = [(i, v) for i, v in enumerate(d.remaining) if v is not None]
        scale = Scale.of(list(d.ideal) + [v for _i, v in actual], include_zero=True)
        xs = list(range(len(d.days)))
        inside = not self.legend_outside
        plt.plot(xs, [scale(v) for v in d.ideal], label="ideal" if inside else None, color=GREY, marker="dot")
        if len(actual) == 1:
            i, v = actual[0]
            plt.scatter([i], [scale(v)], label="remaining" if inside else None, color=ORANGE, marker="dot")
        elif actual:
            plt.plot([i for i, _v in actual], [scale(v) for _i, v in actual], label="remaining" if inside else None,
                     color=ORANGE, marker="hd")
        lo, hi = -0.5, max(len(xs) - 0.5, 0.5)
        plt.xlim(lo, hi)
        if not inside:
            plt.xaxes(True, False)  # no frame line above the plot …
            plt.yaxes(True, False)  # … nor right of it
        canvas = _axis(plt, scale, width, height, legend=2 if inside else 0)
        _xticks(plt, xs, [day.strftime("%m-%d") for day in d.days], lo, hi, canvas)


# --------------------------------------------------------------------------- velocity


@dataclass(frozen=True)
class VelocityData:
    sprints: list[str]
    committed: list[float]
    completed: list[float]


class VelocityChart(Chart):
    """Committed against completed points of the last closed sprints, as bars."""

    def update_data(self, data: VelocityData | None, message: str = "No closed sprint yet") -> None:
        self.data = data
        self._version += 1
        self.message = "" if data and data.sprints else message
        self.refresh()

    def draw(self, plt: Plot, width: int, height: int) -> None:
        d = self.data
        assert d is not None
        n = len(d.sprints)
        scale = Scale.of(list(d.committed) + list(d.completed), include_zero=True)
        canvas = _axis(plt, scale, width, height, legend=2)
        room = max(3, canvas // n - 3)
        labels = [clip(name, room) for name in short_names(d.sprints, room)]
        xs = list(range(1, n + 1))
        plt.multiple_bar(xs, [[scale(v) for v in d.committed], [scale(v) for v in d.completed]],
                         labels=["committed", "completed"], color=[BLUE, GREEN])
        plt.xlim(0.4, n + 0.6)
        _xticks(plt, xs, labels, 0.4, n + 0.6, canvas)


# --------------------------------------------------------------------------- KPI trend


@dataclass(frozen=True)
class TrendData:
    kpi: str
    unit: str
    dates: list[date]
    values: list[float]
    baseline: float | None
    target: float | None


class TrendChart(Chart):
    """A KPI's measurements over time, with its baseline and target as lines."""

    def update_data(self, data: TrendData | None, message: str = "No KPI") -> None:
        self.data = data
        self._version += 1
        self.message = "" if data and data.values else message
        self.refresh()

    def draw(self, plt: Plot, width: int, height: int) -> None:
        d = self.data
        assert d is not None
        refs = [v for v in (d.baseline, d.target) if v is not None]
        scale = Scale.of(list(d.values) + refs)
        first = d.dates[0]
        xs = [(day - first).days for day in d.dates]
        span = max(xs[-1], 1)
        if d.target is not None:
            plt.horizontal_line(scale(d.target), color=GREEN)
        if d.baseline is not None:
            plt.horizontal_line(scale(d.baseline), color=GREY)
        ys = [scale(v) for v in d.values]
        if len(xs) == 1:
            plt.scatter(xs, ys, label="measured", color=ORANGE, marker="dot")
        else:
            plt.plot(xs, ys, label="measured", color=ORANGE, marker="hd")
        lo, hi = (-span * 0.05, span * 1.05) if len(xs) > 1 else (-1.0, 1.0)
        plt.xlim(lo, hi)
        canvas = _axis(plt, scale, width, height, legend=1)
        fmt = "%m-%d" if first.year == d.dates[-1].year else "%y-%m"
        _xticks(plt, xs, [day.strftime(fmt) for day in d.dates], lo, hi, canvas)
