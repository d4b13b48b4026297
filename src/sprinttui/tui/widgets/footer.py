"""The key footer of every screen: Textual's Footer, rebuilt only when its keys change.

Textual's Footer throws away and mounts again a widget per key on every
bindings refresh. Opening a screen sends up to four of them (the focus, two
screen resumes, one more after the first refresh) for the same keys, and each
rebuild styles every key twice (once when mounted, again when its compact
class arrives): together the largest part of the first paint of a screen.
Here the refreshes that arrive before the next repaint make one rebuild, which
is skipped when the keys shown (with their labels and enabled states) are those
already on show, and a key is built with its compact class, so it is styled once.
The keys are drawn as the screen composes, not after its first idle moment.

A footer too narrow for every key leaves keys out from its right end (the
app-wide Stream and Undo, which come last, first; then the screen's own from
its last one), but always keeps ? Help and q Quit; a shorter key left out may
come back in the room that leaves, and ? Help lists every key. Textual's
Footer would run them off its right edge instead: at 80×24 no screen showed
how to get help or to quit.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.widgets import Footer

from sprinttui.tui.textual_private import is_footer_key, set_footer_bindings_ready

#: actions whose keys the footer shows however narrow it is
ALWAYS_SHOWN = ("help", "quit")


def keys_left_out(keys: list[tuple[str, str, str]], width: int, *, compact: bool = True) -> frozenset[str]:
    """The actions to leave out of a footer `width` cells wide that would show
    `keys` (action, key display, description) in this order: from the right
    end, skipping those of ALWAYS_SHOWN, until the rest fit; then those left
    out that fit in the room this leaves are put back, from the left."""
    # a key takes its display, a space and its description, then a cell of margin (compact);
    # Textual's roomier style pads the key by a cell each side and the description on its right
    extra = 2 if compact else 3
    widths = [cell_len(display) + (cell_len(description) + extra if description else extra - 1)
              for _action, display, description in keys]
    total = sum(widths) - (1 if compact and widths else 0)  # no margin needed after the last key
    out: dict[str, int] = {}
    for (action, _display, _description), w in reversed(list(zip(keys, widths, strict=True))):
        if total <= width:
            break
        if action not in ALWAYS_SHOWN:
            out[action] = w
            total -= w
    # then put back, from the left, those that fit in the room this left
    for action, w in reversed(list(out.items())):
        if total + w <= width:
            del out[action]
            total += w
    return frozenset(out)


class ScreenFooter(Footer):
    """Textual's Footer, built again only when the keys it shows change."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._rebuild_pending = False
        self._shown_keys: tuple | None = None  # what the last build showed
        # Footer draws no keys until the screen first reports its bindings,
        # once the new screen is idle, and they then came in a frame of their
        # own after the screen's (the last 30-50 ms of opening a screen). The
        # screen's keys are known when it composes: they are drawn then, and a
        # later report rebuilds only if it changes what is drawn.
        set_footer_bindings_ready(self)

    def bindings_changed(self, screen) -> None:
        # as Footer.bindings_changed, with one rebuild for a burst of refreshes
        set_footer_bindings_ready(self)
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        if not self.is_attached:
            return
        keys = self._keys()
        if keys == self._shown_keys:
            return
        self._shown_keys = keys
        await self.recompose()

    def on_resize(self) -> None:
        # a width that leaves other keys out (or lets them back in) builds the keys again
        if self._shown_keys is not None and not self._rebuild_pending and self._keys() != self._shown_keys:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    def _keys(self) -> tuple:
        """Everything Footer.compose draws from the screen's bindings: per
        action, its first binding shown. (A focused widget's binding of the
        same key hides one of several keys of an action, e.g. down of the
        standup's n/down/j: what is drawn stays the same.)"""
        app = self.app
        drawn: dict[str, tuple] = {}
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in drawn:
                drawn[binding.action] = (binding.key, app.get_key_display(binding), binding.description,
                                         binding.group, enabled, tooltip or binding.tooltip)
        width = self.size.width or self.app.size.width  # before its first layout: the screen's width
        left_out = keys_left_out([(action, display, description)
                                  for action, (_key, display, description, *_rest) in drawn.items()],
                                 width, compact=self.compact)
        return tuple(drawn.items()) + (self.compact, self.show_command_palette, left_out)

    def compose(self) -> ComposeResult:
        self._shown_keys = self._keys()
        left_out = self._shown_keys[-1]
        for widget in super().compose():
            if is_footer_key(widget):
                if widget.action in left_out:  # type: ignore[attr-defined]
                    continue
                if self.compact:
                    widget.add_class("-compact", update=False)  # styled once, when mounted
            yield widget
