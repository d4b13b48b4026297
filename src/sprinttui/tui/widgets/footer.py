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
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer

from sprinttui.tui.textual_private import is_footer_key, set_footer_bindings_ready


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
        return tuple(drawn.items()) + (self.compact, self.show_command_palette)

    def compose(self) -> ComposeResult:
        self._shown_keys = self._keys()
        for widget in super().compose():
            if self.compact and is_footer_key(widget):
                widget.add_class("-compact", update=False)  # styled once, when mounted
            yield widget
