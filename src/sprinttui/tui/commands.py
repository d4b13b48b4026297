"""Command-palette providers: jump to an item by key, switch the stream filter."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from sprinttui.domain import SprintTuiError
from sprinttui.services import items as items_svc
from sprinttui.services import streams as streams_svc
from sprinttui.tui.safe import plain


class ItemJumpProvider(Provider):
    """Type a key (SAL-12) or words of a title to open that item."""

    async def search(self, query: str) -> Hits:
        q = query.strip()
        if len(q) < 2:
            return
        app = self.app
        try:
            rows = await asyncio.to_thread(items_svc.list_items, app.ctx, text=q, limit=20)
        except SprintTuiError:
            return
        matcher = self.matcher(q)
        for row in rows:
            label = f"Jump to {row.key}  {plain(row.title, 60)}"
            score = matcher.match(label) or (1.0 if q.upper() in row.key else 0.1)
            # titles are user text: shown as plain Content, never run through markup
            yield Hit(score, Content(label), partial(app.open_item, row.key),
                      help=f"{row.status} · {row.stream} · {row.sprint or 'backlog'}")


class StreamProvider(Provider):
    """Switch the stream filter from the palette."""

    async def _streams(self):
        try:
            return await asyncio.to_thread(streams_svc.list_streams, self.app.ctx)
        except SprintTuiError:
            return []

    async def discover(self) -> Hits:
        for s in await self._streams():
            yield DiscoveryHit(Content(f"Stream filter: {s.key}"), partial(self.app.set_stream_filter, s.key),
                               help=plain(s.name, 60))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        options = [("Stream filter: all streams", None, "Show every stream")]
        options += [(f"Stream filter: {s.key}", s.key, plain(s.name, 60)) for s in await self._streams()]
        for label, key, help_text in options:
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, Content(label), partial(self.app.set_stream_filter, key), help=help_text)
