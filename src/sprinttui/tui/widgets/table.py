"""Table: Textual's DataTable, cheaper to fill and to paint when every row is
one line and every column has a fixed width (as all of sprinttui's tables).

A DataTable measures every cell of every new row (to size auto-width columns)
and paints each visible cell through Rich's generic pipeline (Styled, Padding,
console.render_lines, which also asks the OS for the terminal size). With
fixed widths nothing needs measuring, and a one-line Text cell can be laid out
directly: the same wrap, justify, truncate and styles, without the layers in
between. On the 10,000-item benchmark database this took the backlog's
repaint after a search keystroke from about 29 ms to the figure in
bench/README.md. Anything else (the header, multi-line rows, renderables other
than Text, auto-width columns) goes through DataTable's own code.

The overrides use two of DataTable's private methods (``_update_dimensions``
and ``_render_cell``), so Textual is pinned below 9, and
tests/test_table.py compares this table's cells with DataTable's own,
character by character and style by style.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widgets import DataTable

_NEWLINE = Text("\n")


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
        # what Rich does for Styled(Padding(cell, (0, pad)), pre, post) at this width, one line, no wrap
        inner = width - 2 * pad
        console = self.app.console
        tab_size = console.tab_size if cell.tab_size is None else cell.tab_size
        lines = cell.wrap(console, inner, justify=cell.justify or "default", overflow=cell.overflow or "fold",
                          tab_size=tab_size or 8, no_wrap=True)
        body = next(Segment.split_and_crop_lines(_NEWLINE.join(lines).render(console), inner, pad=True), [])
        padding = Segment(" " * pad)
        line = list(Segment.apply_style([padding, *body, padding], pre_style, post_style))
        rendered = [line]
        self._cell_render_cache[cache_key] = rendered
        return rendered
