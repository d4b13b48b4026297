"""The fast Table draws exactly what Textual's DataTable draws.

Table (sprinttui.tui.widgets.table) lays out one-line Text cells itself instead
of going through Rich's generic pipeline, and skips measuring cells when every
column has a fixed width. These tests fill a Table and a DataTable with the
same rows and compare every visible line, segment by segment and style by
style, with the cursor and the mouse hover on various rows, and the
scrollable size of both.
"""

from __future__ import annotations

import pytest
from rich.segment import Segment
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from sprinttui.tui.safe import text
from sprinttui.tui.widgets.table import Table
from tui_support import settle

COLUMNS = [("Key", 8), ("Title", 24), (Text("Pts", justify="right"), 4), ("Who", 6), ("Note", 12)]

ROWS = [
    [text("SAL-1", "bold"), text("Plain title"), Text("3", justify="right"), text("ana"), text("")],
    [text("SAL-2", "bold red"), text("[bold]not markup[/] [@click=app.quit]x[/]"), Text("13", justify="right"),
     text("—", "dim"), text("a note that is far too long for its column", "italic")],
    [text("SAL-3"), text("日本語のタイトルはとても長いです、本当に長い"), Text("0.5", justify="right"),
     text("Łukasz"), text("🚀🚀🚀🚀🚀🚀🚀🚀")],
    [text("SAL-4"), text("x" * 10_000, limit=200), Text("100", justify="right", style="bold yellow"),
     text("bob", "underline"), Text("right", justify="right")],
    [text("SAL-5"), Text.assemble(("two ", "bold"), ("styles", "green"), " and plain"),
     Text("7", justify="center"), text("center"), Text("cut here please", overflow="crop")],
    [text("SAL-6"), text("مرحبا بالعالم"), Text("", justify="right"), text(""), text("e\u0301 combining")],
    ["SAL-7", "a plain str cell", "2", "str", "[b]str markup[/b]"],
    [text("SAL-9"), Text("two\u2028lines by a line separator"), Text("1"), text("x"), Text("a\nb")],
    [Text("SAL-8", justify="left", style="on red"), Text("a\ttab\tand more\ttabs", style="bold"),
     Text("  4  ", justify="center"), Text("", style="reverse"), Text("wide 日本語日本語", overflow="ellipsis")],
]

#: the cells of a column with no width, which is as wide as its widest line
AUTO = [text("short"), Text("a" * 40 + "\u2028" + "b" * 20), Text("日本語" * 5, justify="right"), text("")]


class Pair(App):
    def compose(self) -> ComposeResult:
        yield Table(id="fast", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="slow", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        for table in self.query(DataTable):
            table.styles.height = 10
            for label, width in COLUMNS:
                table.add_column(label, width=width)
            table.add_column("Auto", key="auto")  # no width: sized by its widest cell
            for n, row in enumerate(ROWS * 3):
                cells = [c.copy() if isinstance(c, Text) else c for c in row]
                table.add_row(*cells, AUTO[n % len(AUTO)].copy(), key=str(n))


def lines(table: DataTable) -> list[list[tuple[str, object]]]:
    out = []
    for y in range(table.scrollable_content_region.height):
        strip = table.render_line(y)
        out.append([(seg.text, seg.style) for seg in Segment.simplify(strip)])
    return out


@pytest.mark.parametrize("cursor_type", ["row", "cell", "none"])
async def test_table_draws_what_datatable_draws(cursor_type):
    app = Pair()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot.app, pilot)
        fast, slow = app.query_one("#fast", Table), app.query_one("#slow", DataTable)
        assert type(slow) is DataTable
        for table in (fast, slow):
            table.cursor_type = cursor_type
        app.set_focus(None)  # focus changes the header's colours: neither has it
        await settle(pilot.app, pilot)
        assert fast.virtual_size == slow.virtual_size
        assert [c.get_render_width(fast) for c in fast.ordered_columns] == \
            [c.get_render_width(slow) for c in slow.ordered_columns]
        assert fast.row_count == slow.row_count == len(ROWS) * 3
        for row, scroll, hover in [(0, 0, None), (3, 0, (1, 2)), (5, 2, (4, 0)), (20, 11, None)]:
            for table in (fast, slow):
                table.move_cursor(row=row, column=row % 5, animate=False)
                table.scroll_to(y=scroll, animate=False)
                table.hover_coordinate = table.cursor_coordinate if hover is None else \
                    table.cursor_coordinate._replace(row=hover[0], column=hover[1])
            await settle(pilot.app, pilot)
            got, want = lines(fast), lines(slow)
            assert len(got) == len(want) > 5
            for y, (g, w) in enumerate(zip(got, want, strict=False)):
                assert g == w, f"line {y} (cursor row {row}, scrolled {scroll}) differs"
            assert "".join(t for t, _s in got[0])  # the header is there, and drawn


async def test_table_grows_with_its_rows_and_sizes_auto_width_columns_as_datatable_does():
    app = Pair()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot.app, pilot)
        fast = app.query_one("#fast", Table)
        height = fast.virtual_size.height
        fast.add_row(*ROWS[0], key="extra")
        await settle(pilot.app, pilot)
        assert fast.virtual_size.height == height + 1
        assert [c.width for c in fast.ordered_columns][:-1] == [w for _l, w in COLUMNS]
        # the auto-width column grows with a longer cell, as DataTable's does
        fast.add_row(*ROWS[1], "a cell longer than any other in this column: sixty-odd characters", key="longer")
        await settle(pilot.app, pilot)
        longest = "a cell longer than any other in this column: sixty-odd characters"
        assert fast.columns["auto"].content_width == len(longest)
        assert fast.virtual_size.height == height + 2
