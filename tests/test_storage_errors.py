"""Driver errors become one line a person can act on: a PostgreSQL deadlock or
serialization failure says "busy, try again", a unique-key race says someone
saved the same name at once, never the server's raw text."""

from __future__ import annotations

import pytest
from sqlalchemy import exc as sa_exc

from sprinttui.store.connection import storage_error


class _PgError(Exception):
    def __init__(self, sqlstate: str, text: str) -> None:
        super().__init__(text)
        self.sqlstate = sqlstate


def _wrapped(sqlstate: str, text: str) -> sa_exc.DBAPIError:
    return sa_exc.OperationalError("UPDATE item SET …", {}, _PgError(sqlstate, text))


@pytest.mark.parametrize("sqlstate,text", [
    ("40P01", "deadlock detected DETAIL: Process 4242 waits for ShareLock on transaction 9; blocked by process 17."),
    ("40001", "could not serialize access due to concurrent update"),
])
def test_deadlocks_and_serialization_failures_say_busy_try_again(sqlstate, text):
    msg = str(storage_error(_wrapped(sqlstate, text)))
    assert msg.startswith("the database is busy") and "try again" in msg and "nothing was saved" in msg
    assert "Process 4242" not in msg and "\n" not in msg


def test_a_unique_key_race_says_someone_saved_the_same_name():
    err = sa_exc.IntegrityError("INSERT INTO member …", {}, _PgError(
        "23505", 'duplicate key value violates unique constraint "uq_member_handle" DETAIL: Key (handle)=(ann)'))
    msg = str(storage_error(err))
    assert "same name at the same moment" in msg and "uq_member_handle" not in msg
