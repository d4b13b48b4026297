"""Messages the screens and the app exchange."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class DataChanged(Message):
    """The database changed (this session or another process): reload."""


@dataclass
class StreamFilterChanged(Message):
    stream: str | None
