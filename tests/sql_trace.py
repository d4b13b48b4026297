"""What SQL a piece of code sends, and how SQLite plans it (for the tests that
check how many queries a read takes or which index it reads)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def statements(engine) -> Iterator[list[tuple[str, object]]]:
    """Collects (statement, parameters) of every query sent inside the block."""
    seen: list[tuple[str, object]] = []

    def on_execute(_conn, _cursor, statement, parameters, _context, _many):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


def query_plan(engine, statement: str, parameters) -> list[str]:
    """SQLite's EXPLAIN QUERY PLAN of one statement, a step a line."""
    with engine.connect() as conn:
        return [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
