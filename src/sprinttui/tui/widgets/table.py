"""Table: Textual's DataTable, cheaper to fill and to paint when its rows are
one line high (as all of sprinttui's are).

A DataTable measures every cell of every new row by rendering it (to size
auto-width columns) and paints each visible cell through Rich's generic
pipeline (Styled, Padding, console.render_lines, which also asks the OS for
the terminal size). Here a column with a fixed width measures nothing, a Text
cell in an auto-width column is measured from its plain text (as Rich's
Text.__rich_measure__ does), and a one-line Text cell is laid out directly:
the same justify, truncate and styles, without the layers in between.
Painting the backlog's 32 visible lines (120×36, the 10,000-item benchmark
database, caches cleared) took 29 ms with DataTable's own code and 15 ms with
this one (median of 60 paints each).

The header, rows more than one line high, row labels and cells that are not
Text stay with DataTable's own code. The overrides are of two of its private
methods (``_update_dimensions`` and ``_render_cell``) and read its private
state (listed in sprinttui.tui.textual_private), so Textual is pinned below 9,
and tests/test_table.py compares this table's lines and column widths with
DataTable's, segment by segment and style by style.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.render import measure
from textual.widgets import DataTable

_NEWLINE = Text("\n")


def _width(cell, console) -> int:
    """What textual's measure() gives for a cell: for a Text, the cell length of
    its longest line (Text.__rich_measure__'s maximum), without rendering it."""
    if isinstance(cell, Text):
        return max((cell_len(line) for line in cell.plain.splitlines()), default=0)
    return measure(console, cell, 1)


def _one_line(cell: Text, width: int, console) -> list[Segment]:
    """The segments of a Text without tabs or newlines justified and truncated
    to `width` cells, as Text.wrap (no_wrap) and Text.render make them."""
    line = cell.copy()
    overflow = cell.overflow or "fold"
    justify = cell.justify or "default"
    if justify == "left":
        line.truncate(width, overflow=overflow, pad=True)
    elif justify == "center":
        line.rstrip()
        line.truncate(width, overflow=overflow)
        line.pad_left((width - line.cell_len) // 2)
        line.pad_right(width - line.cell_len)
    elif justify == "right":
        line.rstrip()
        line.truncate(width, overflow=overflow)
        line.pad_left(width - line.cell_len)
    line.truncate(width, overflow=overflow)
    if line._spans:
        return list(_NEWLINE.join([line]).render(console))
    style = console.get_style(line.style, default=Style.null()) if line.style else None
    return [Segment(line.plain, style)] if line.plain else []


class Table(DataTable):
    """A DataTable (same API, same look) with a fast path for one-line rows."""

    def _update_dimensions(self, new_rows) -> None:
        # overrides a private method of DataTable: see sprinttui.tui.textual_private
        widths = [column.get_render_width(self) for column in self.ordered_columns]
        self._measure(new_rows)
        if [column.get_render_width(self) for column in self.ordered_columns] != widths:
            # Lines painted between add_row and this measurement (it runs when
            # the table is idle) are cached at the widths the columns had then,
            # under the current update count, as are DataTable's own: they stayed
            # on screen (a table refilled showed its columns as wide as their
            # headers) until a resize. A new count paints them at the new widths.
            self._update_count += 1
            self.refresh()

    def _measure(self, new_rows) -> None:
        if self._labelled_row_exists:
            super()._update_dimensions(new_rows)
            return
        rows = []
        for key in new_rows:
            row = self.rows.get(key)
            if row is None:
                continue  # removed before this ran, as DataTable allows
            if row.height != 1 or row.label is not None:
                super()._update_dimensions(new_rows)
                return
            rows.append(key)
        auto = [(i, column) for i, column in enumerate(self.ordered_columns) if column.auto_width]
        if auto:
            console = self.app.console
            for key in rows:
                index = self._row_locations.get(key)
                if index is None:
                    continue
                cells = self._get_row_renderables(index).cells
                for i, column in auto:
                    column.content_width = max(column.content_width, _width(cells[i], console))
        # each row is one line high
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(width + self._row_label_column_width, self._total_row_height + header)

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ):
        # overrides a private method of DataTable: see sprinttui.tui.textual_private
        pad = self.cell_padding
        if row_index < 0 or column_index < 0 or width <= 2 * pad:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        row = self.rows.get(row_key)
        if row is None or row.height != 1:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        column_key = self._column_locations.get_key(column_index)
        cache_key = (row_key, column_key, base_style, cursor, hover, self._show_hover_cursor,
                     self._update_count, self._pseudo_class_state)
        cached = self._cell_render_cache.get(cache_key)
        if cached is not None:
            return cached
        cell = self._get_row_renderables(row_index).cells[column_index]
        if not isinstance(cell, Text) or "\n" in cell.plain:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)

        fixed = row_index < self.fixed_rows or column_index < self.fixed_columns
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, fixed, hover, cursor, self.show_cursor, self._show_hover_cursor,
            self.cursor_foreground_priority == "css", self.cursor_background_priority == "css",
        )
        pre_style = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component_style
        # what Rich does for Styled(Padding(cell, (0, pad)), pre, post) at this width, one line, no wrap:
        # justify and truncate the line as Text.wrap does, then pad it to the width
        inner = width - 2 * pad
        console = self.app.console
        if "\t" in cell.plain:
            tab_size = console.tab_size if cell.tab_size is None else cell.tab_size
            lines = cell.wrap(console, inner, justify=cell.justify or "default",
                              overflow=cell.overflow or "fold", tab_size=tab_size or 8, no_wrap=True)
            body = list(_NEWLINE.join(lines).render(console))
        else:
            body = _one_line(cell, inner, console)
        used = sum(seg.cell_length for seg in body)
        if used > inner:
            body = Segment.adjust_line_length(body, inner)
        elif used < inner:
            body.append(Segment(" " * (inner - used)))
        padding = Segment(" " * pad)
        line = list(Segment.apply_style([padding, *body, padding], pre_style, post_style))
        rendered = [line]
        self._cell_render_cache[cache_key] = rendered
        return rendered
