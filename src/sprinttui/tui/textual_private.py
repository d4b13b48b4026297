"""Every use of a private part of Textual (and of textual-plotext), in one place.

Textual is pinned below 9 and textual-plotext below 2 (pyproject.toml): an
upgrade starts here. Each function says why sprinttui needs what it touches
and what breaks if that changes; tests/test_table.py and the SVG snapshots
(tests/test_snapshots.py) are the checks to run.

Overrides of private methods cannot be wrapped in a function. They are listed
here, and a comment at each points back to this list:

- ``widgets/table.py``, ``Table._update_dimensions`` and ``Table._render_cell``:
  DataTable's private methods that measure new rows and paint one cell. The
  overrides are a fast path for one-line Text cells and fall back to
  DataTable's own code otherwise. They read DataTable's private state as
  DataTable's own methods do: ``_labelled_row_exists``, ``_row_locations``,
  ``_column_locations``, ``_get_row_renderables``, ``_row_label_column_width``,
  ``_total_row_height``, ``_show_hover_cursor``, ``_update_count``,
  ``_pseudo_class_state``, ``_cell_render_cache`` and
  ``_get_styles_to_render_cell``; that runs for every cell painted, so it
  stays inline (a function call per cell costs what the fast path saves).
  ``_update_dimensions`` also advances ``_update_count`` when a measurement
  changes the columns' widths: DataTable's caches of painted lines are keyed by it.
  If Textual renames or changes any of these, the table fails with an
  AttributeError or paints differently from DataTable: tests/test_table.py
  compares both segment by segment.
- ``base.py``, ``BaseScreen._on_screen_resume`` and ``._on_screen_suspend``:
  the names of Screen's private handlers of ScreenResume / ScreenSuspend.
  Textual calls the handler of each class in the MRO, subclass first, so the
  override runs before Screen's own and can clear ``event.refresh_styles``
  (a public field) to skip the restyle of a screen's first resume; it also
  reloads a screen whose data changed while it was not shown. Textual takes
  one handler per class and prefers ``_on_x`` to ``on_x``: a class that
  defines both has only ``_on_x`` called. If Textual stops dispatching to
  ``_on_`` names (or renames the events), the overrides never run: a screen
  no longer reloads when shown again after a change made elsewhere, and its
  first resume restyles it again (20-45 ms more to open a screen). If it
  stops calling the subclass's handler first, only the restyle returns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Footer

# FooterKey, the widget Footer makes per key, is not exported by textual.widgets.
# If the module is renamed or moved, this import fails and so does the app's start.
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode

# -- Footer -----------------------------------------------------------------------


def is_footer_key(widget: DOMNode) -> bool:
    """Whether a widget Footer.compose yields is a key (not a group label).

    ScreenFooter gives each key its compact class as it is built, so that it
    is styled once. If FooterKey is renamed, the import above fails; if
    Footer stops using it, no key gets the class before it mounts and the
    compact style arrives one restyle later (the same look, a slower footer).
    """
    return isinstance(widget, FooterKey)


def set_footer_bindings_ready(footer: Footer) -> None:
    """Set Footer's private reactive ``_bindings_ready``, without watchers.

    Footer.compose draws nothing until it is set, which Textual does when the
    screen first reports its bindings, once the screen is idle: the keys then
    came in a frame of their own, the last 30-50 ms of opening a screen.
    ScreenFooter sets it as it is made, so the keys are drawn as the screen
    composes. If the reactive is renamed, set_reactive raises AttributeError
    (every screen fails to compose its footer); if Footer stops reading it,
    this does nothing and the keys come one frame late again.
    """
    footer.set_reactive(Footer._bindings_ready, True)  # type: ignore[attr-defined]


# -- CSS refreshes ------------------------------------------------------------------


def css_is_current(app: App, screen: Any) -> bool:
    """Whether `screen` was styled with the app's CSS as it is now.

    Textual counts the app's CSS invalidations in ``App._css_update_count``
    and keeps on each screen (``Screen._css_update_count``) the count it was
    last styled at. When the screen being shown is behind, switch_mode and
    push_screen refresh the whole app's CSS: re-parse every rule (20-90 ms)
    and restyle every open screen. If the counters are renamed this raises
    AttributeError; if Textual stops using them, every screen opened costs
    that refresh again (nothing looks different).
    """
    return screen._css_update_count == app._css_update_count


def mark_css_current(app: App, screen: Any) -> None:
    """Record that `screen` is styled with the app's current CSS (see css_is_current).

    For a screen whose widgets were styled with the current rules as they
    mounted, which Textual records only for a screen mounted before its CSS
    refresh. If Textual reads the counters differently, a screen marked here
    could miss a CSS refresh it needs (say, of a theme changed while it was
    not shown) and keep its old colours until the next one.
    """
    screen._css_update_count = app._css_update_count


# -- threads ------------------------------------------------------------------------


def on_app_thread(app: App, thread_id: int) -> bool:
    """Whether `thread_id` (threading.get_ident()) is the thread the app runs on.

    Textual keeps it in ``App._thread_id`` (call_from_thread refuses to run
    there); a write's callback that runs on the app's thread must be called
    directly, not through call_from_thread. If the attribute is renamed this
    raises AttributeError in every write's callback: writes would be saved
    but their results never shown.
    """
    return thread_id == app._thread_id


# -- textual-plotext ----------------------------------------------------------------


def plotext_theme_name(plot_widget: Any, app_theme: str) -> str:
    """The plotext theme PlotextPlot would draw with for the app's theme.

    ``PlotextPlot._get_plotext_theme_name`` gives the name of the plotext
    theme textual-plotext registers for an app theme (``textual-auto-<name>``
    for its default, "auto": the app theme's colours). If it is renamed this
    raises AttributeError in every chart's render; if its naming changes, the
    charts lose their colours (the KPI screen's SVG snapshots show them).
    """
    return plot_widget._get_plotext_theme_name(app_theme)


def set_figure(plot_widget: Any, figure: Any) -> None:
    """Make `figure` (a textual_plotext Plot) the one PlotextPlot.plt returns.

    PlotextPlot keeps its figure in ``_plot`` and never replaces it; Chart
    draws each picture on a fresh figure, so that nothing of the last data is
    left. If the attribute is renamed, ``plt`` returns an old figure: nothing
    in sprinttui reads it, so nothing changes until something does.
    """
    plot_widget._plot = figure


def set_figure_size(figure: Any, width: int, height: int) -> None:
    """Call plotext's private ``_set_size`` after ``plotsize``, as PlotextPlot.render does.

    textual-plotext does this because plotsize alone does not resize the
    figure reliably (its issue 5). If ``_set_size`` is renamed this raises
    AttributeError in every chart's render; if a later plotext no longer
    needs it and drops it, remove this call.
    """
    figure._set_size(width, height)


def make_plotext_deterministic() -> None:
    """Give plotext an order-keeping ``_utility.no_duplicates``.

    plotext removes duplicate ticks with ``list(set(...))`` (``brush``), so the
    order in which it then places the tick labels — and so which label it moves
    aside when two would touch — follows Python's string hashing, which differs
    from process to process: the same chart drew a date label one cell further
    right in one run than in another (and the board's snapshot test failed at
    random). ``dict.fromkeys`` removes the same duplicates and keeps the order
    given. If plotext renames the function this does nothing and charts are as
    before; if it changes what the function must return, charts show it."""
    from plotext import _utility

    _utility.no_duplicates = lambda data: list(dict.fromkeys(data))
