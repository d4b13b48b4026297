"""Table: Textual's DataTable, cheaper to fill and to paint when its rows are
one line high and its columns have fixed widths (as most of sprinttui's are).

A DataTable measures every cell of every new row (to size auto-width columns)
and paints each visible cell through Rich's generic pipeline (Styled, Padding,
console.render_lines, which also asks the OS for the terminal size). With
fixed widths nothing needs measuring, and a one-line Text cell can be laid out
directly: the same justify, truncate and styles, without the layers in
between. Painting the backlog's 32 visible lines (120×36, the 10,000-item
benchmark database, caches cleared) took 29 ms with DataTable's own code and
15 ms with this one (median of 60 paints each).

The header, multi-line rows, cells that are not Text, and measuring when a
column has an auto width all stay with DataTable's own code. The overrides use
two of its private methods (``_update_dimensions`` and ``_render_cell``), so
Textual is pinned below 9, and tests/test_table.py compares this table's lines
with DataTable's, segment by segment and style by style.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widgets import DataTable

_NEWLINE = Text("\n")


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

    def _fixed_widths(self) -> bool:
        return not self._labelled_row_exists and all(not c.auto_width for c in self.columns.values())

    def _update_dimensions(self, new_rows) -> None:
        if not self._fixed_widths() or any(
            (row := self.rows.get(key)) is not None and (row.height != 1 or row.label is not None)
            for key in new_rows
        ):
            super()._update_dimensions(new_rows)
            return
        # nothing to measure: each column keeps its width and each row is one line high
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
