"""SQLModel tables. One database holds one project.

Rows a person edits carry a ``version`` column used by SQLAlchemy's
optimistic locking (``version_id_col``): an UPDATE that finds another
version than the one read raises StaleDataError instead of overwriting.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, MetaData, Table, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata: MetaData = SQLModel.metadata
metadata.naming_convention = NAMING_CONVENTION


class _Table(SQLModel):
    # Table rows are never validated by pydantic (SQLModel skips it for
    # table=True), so building each model's validation schema can wait
    # until something asks for it: importing the models gets cheaper.
    model_config = {"defer_build": True}


def table_of(model: Any) -> Table:
    """The table of a model class (SQLModel's classes do not declare it to the type checker)."""
    return model.__table__


def _version_column() -> Column:
    return Column("version", Integer, nullable=False, default=1)


def _text(nullable: bool = True) -> Column:
    return Column(Text, nullable=nullable)


class ProjectSettings(_Table, table=True):
    __tablename__ = "project"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(default="CRM rollout")
    sprint_length_days: int = Field(default=14)
    # weekday numbers, 0 = Monday, comma separated
    working_days: str = Field(default="0,1,2,3,4")
    points_per_day: float = Field(default=1.0)
    allow_user_override: bool = Field(default=True)
    version: int = Field(default=1, sa_column=(_v := _version_column()))
    __mapper_args__ = {"version_id_col": _v}
    del _v  # else pydantic keeps it as a private attribute and deep-copies it per row


class ProjectAdmin(_Table, table=True):
    """Who may change the project's settings and its admins: OS login names.
    The project's creator is the first; changes go to the project's history."""

    __tablename__ = "project_admin"  # pyright: ignore[reportAssignmentType]  (SQLModel declares a declared_attr)

    login: str = Field(primary_key=True)


class ImportBatch(_Table, table=True):
    """One import, published in several short transactions. Its rows carry its id
    (``import_batch_id``) and stay hidden from every reader until ``published`` is
    set in one short last transaction; an import killed before that is found by
    ``owner`` no longer running and its rows removed (store/batches.py)."""

    __tablename__ = "import_batch"  # pyright: ignore[reportAssignmentType]  (SQLModel declares a declared_attr)

    id: int | None = Field(default=None, primary_key=True)
    source: str  # what was imported, e.g. "jira-csv"
    started_by: str
    started_at: dt.datetime
    owner: str = Field(default="")  # the process publishing it (see importers/batch.py)
    published: bool = Field(default=False)
    published_at: dt.datetime | None = None


class Stream(_Table, table=True):
    __tablename__ = "stream"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=6)
    name: str
    # the lead is a member; the FK is added after both tables exist (cycle)
    lead_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("member.id", use_alter=True, ondelete="SET NULL"), nullable=True
        ),
    )
    description: str = Field(default="", sa_column=_text(False))
    next_seq: int = Field(default=1)
    # the import that added this row; hidden from readers until it is published (store/visibility.py)
    import_batch_id: int | None = Field(default=None)
    version: int = Field(default=1, sa_column=(_v := _version_column()))
    __mapper_args__ = {"version_id_col": _v}
    del _v  # else pydantic keeps it as a private attribute and deep-copies it per row


class Member(_Table, table=True):
    __tablename__ = "member"

    id: int | None = Field(default=None, primary_key=True)
    handle: str = Field(unique=True)
    name: str
    competences: str = Field(default="")  # comma separated
    availability: int = Field(default=100)  # percent of working time for the project
    primary_stream_id: int | None = Field(
        default=None, foreign_key="stream.id", ondelete="SET NULL", index=True
    )
    active: bool = Field(default=True)
    # the import that added this row; hidden from readers until it is published (store/visibility.py)
    import_batch_id: int | None = Field(default=None)
    version: int = Field(default=1, sa_column=(_v := _version_column()))
    __mapper_args__ = {"version_id_col": _v}
    del _v  # else pydantic keeps it as a private attribute and deep-copies it per row


class Sprint(_Table, table=True):
    __tablename__ = "sprint"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    goal: str = Field(default="", sa_column=_text(False))
    start_date: dt.date
    end_date: dt.date
    state: str = Field(default="planned", index=True)
    started_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    goal_met: bool | None = None  # None: not recorded
    # what the review said, typed when the sprint closes (or later); a default
    # for the bulk inserts of the importer and the synthetic data
    review_note: str = Field(default="", sa_column=Column(Text, nullable=False, default="", server_default=""))
    # the import that added this row; hidden from readers until it is published (store/visibility.py)
    import_batch_id: int | None = Field(default=None)
    version: int = Field(default=1, sa_column=(_v := _version_column()))
    __mapper_args__ = {"version_id_col": _v}
    del _v  # else pydantic keeps it as a private attribute and deep-copies it per row


class Absence(_Table, table=True):
    """Days a member is away during one sprint."""

    __tablename__ = "absence"
    __table_args__ = (UniqueConstraint("member_id", "sprint_id"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    sprint_id: int = Field(foreign_key="sprint.id", ondelete="CASCADE", index=True)
    days: float = Field(default=0.0)


#: The items the catch-up screen looks through: open, and slipped, due or
#: blocked (a few hundred of 50,000). A partial index holds them; the catch-up
#: query repeats this text word for word, which is how SQLite knows it may
#: take the index.
CATCHUP_CANDIDATE = (
    "status <> 'done' AND deleted = FALSE AND (slip_count >= 1 OR due_date IS NOT NULL OR blocked = TRUE)"
)


class Item(_Table, table=True):
    __tablename__ = "item"
    __table_args__ = (
        UniqueConstraint("stream_id", "seq"),
        # a board column's cards in rank order (rowid, the id, follows rank),
        # without reading the table or sorting the column
        Index("ix_item_sprint_board", "sprint_id", "status", "deleted", "rank"),
        # the board's counts and points per column, with or without a stream
        # filter, from the index alone (import_batch_id: published or not)
        Index("ix_item_sprint_counts", "sprint_id", "deleted", "status", "stream_id", "points", "import_batch_id"),
        Index("ix_item_rank", "rank"),
        Index("ix_item_catchup", "stream_id",
              sqlite_where=text(CATCHUP_CANDIDATE), postgresql_where=text(CATCHUP_CANDIDATE)),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    stream_id: int = Field(foreign_key="stream.id")
    seq: int
    title: str = Field(sa_column=_text(False))
    description: str = Field(default="", sa_column=_text(False))
    kind: str = Field(default="story")
    assignee_id: int | None = Field(
        default=None, foreign_key="member.id", ondelete="SET NULL", index=True
    )
    points: float | None = None
    status: str = Field(default="todo")
    blocked: bool = Field(default=False)
    blocked_reason: str = Field(default="", sa_column=_text(False))
    blocked_since: dt.datetime | None = None
    rank: float = Field(default=0.0)
    sprint_id: int | None = Field(default=None, foreign_key="sprint.id", ondelete="SET NULL")
    due_date: dt.date | None = None
    labels: str = Field(default="")  # comma separated
    source_finding_id: int | None = Field(
        default=None, foreign_key="finding.id", ondelete="SET NULL", unique=True
    )
    kpi_id: int | None = Field(default=None, foreign_key="kpi.id", ondelete="SET NULL")
    slip_count: int = Field(default=0)
    external_key: str | None = Field(default=None, unique=True)
    deleted: bool = Field(default=False)
    created_by: str = Field(default="")
    created_at: dt.datetime
    updated_by: str = Field(default="")
    updated_at: dt.datetime
    # the import that added this row; hidden from readers until it is published (store/visibility.py)
    import_batch_id: int | None = Field(default=None, index=True)
    version: int = Field(default=1, sa_column=(_v := _version_column()))
    __mapper_args__ = {"version_id_col": _v}
    del _v  # else pydantic keeps it as a private attribute and deep-copies it per row


class ItemEvent(_Table, table=True):
    """History: one row per changed field (who, when, field, old, new)."""

    __tablename__ = "item_event"
    __table_args__ = (Index("ix_item_event_item_id_at", "item_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", ondelete="CASCADE")
    at: dt.datetime = Field(index=True)
    actor: str
    field: str  # "created", "deleted", or the name of the field changed
    old: str | None = Field(default=None, sa_column=_text())
    new: str | None = Field(default=None, sa_column=_text())
    # the import that added this row; hidden from readers until it is published (store/visibility.py)
    import_batch_id: int | None = Field(default=None, index=True)


class RecordEvent(_Table, table=True):
    """History of the other rows people edit: members, streams and the project
    settings. One row per changed field (who, when, field, old, new), like
    ``item_event``; `kind` says which table `row_id` is a row of. No foreign
    key: one column points into three tables, and none of their rows is ever
    deleted."""

    __tablename__ = "record_event"
    __table_args__ = (Index("ix_record_event_kind_row_id_at", "kind", "row_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str  # "member", "stream" or "project"
    row_id: int
    at: dt.datetime
    actor: str
    field: str  # "created", or the name of the field changed
    old: str | None = Field(default=None, sa_column=_text())
    new: str | None = Field(default=None, sa_column=_text())


class SprintEvent(_Table, table=True):
    """Explicit sprint membership: enter/leave/commit/complete/carry."""

    __tablename__ = "sprint_event"
    __table_args__ = (
        Index("ix_sprint_event_sprint_id_kind", "sprint_id", "kind"),
        Index("ix_sprint_event_item_id", "item_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sprint_id: int = Field(foreign_key="sprint.id", ondelete="CASCADE")
    item_id: int = Field(foreign_key="item.id", ondelete="CASCADE")
    kind: str
    at: dt.datetime
    actor: str
    points: float | None = None  # the item's points at that moment
    status: str | None = None  # the item's status at that moment
    target_sprint_id: int | None = Field(
        default=None, foreign_key="sprint.id", ondelete="SET NULL"
    )  # for carry: where it went (None = backlog)
    # the import that added this row; hidden from readers until it is published (store/visibility.py)
    import_batch_id: int | None = Field(default=None, index=True)


class Evaluation(_Table, table=True):
    __tablename__ = "evaluation"

    id: int | None = Field(default=None, primary_key=True)
    sprint_id: int = Field(foreign_key="sprint.id", ondelete="CASCADE", index=True)
    date: dt.date
    kind: str = Field(default="interim")
    facilitator_id: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL")
    summary: str = Field(default="", sa_column=_text(False))
    metrics_json: str = Field(default="{}", sa_column=_text(False))
    created_by: str = Field(default="")
    created_at: dt.datetime
    version: int = Field(default=1, sa_column=(_v := _version_column()))
    __mapper_args__ = {"version_id_col": _v}
    del _v  # else pydantic keeps it as a private attribute and deep-copies it per row


class Finding(_Table, table=True):
    __tablename__ = "finding"

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", ondelete="CASCADE", index=True)
    category: str
    text: str = Field(sa_column=_text(False))
    votes: int = Field(default=0)
    status: str = Field(default="open")
    owner_id: int | None = Field(default=None, foreign_key="member.id", ondelete="SET NULL")
    created_at: dt.datetime
    version: int = Field(default=1, sa_column=(_v := _version_column()))
    __mapper_args__ = {"version_id_col": _v}
    del _v  # else pydantic keeps it as a private attribute and deep-copies it per row


class Kpi(_Table, table=True):
    __tablename__ = "kpi"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    unit: str = Field(default="")
    baseline: float | None = None
    target: float | None = None
    direction: str = Field(default="higher")
    description: str = Field(default="", sa_column=_text(False))
    version: int = Field(default=1, sa_column=(_v := _version_column()))
    __mapper_args__ = {"version_id_col": _v}
    del _v  # else pydantic keeps it as a private attribute and deep-copies it per row


class KpiMeasurement(_Table, table=True):
    __tablename__ = "kpi_measurement"
    __table_args__ = (Index("ix_kpi_measurement_kpi_id_date", "kpi_id", "date"),)

    id: int | None = Field(default=None, primary_key=True)
    kpi_id: int = Field(foreign_key="kpi.id", ondelete="CASCADE")
    date: dt.date
    value: float
    note: str = Field(default="", sa_column=_text(False))
    recorded_by: str = Field(default="")
    recorded_at: dt.datetime


class StandupEntry(_Table, table=True):
    __tablename__ = "standup_entry"
    __table_args__ = (UniqueConstraint("member_id", "date"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    date: dt.date = Field(index=True)
    yesterday: str = Field(default="", sa_column=_text(False))
    today: str = Field(default="", sa_column=_text(False))
    blockers: str = Field(default="", sa_column=_text(False))
    absent: bool = Field(default=False)
    updated_by: str = Field(default="")
    updated_at: dt.datetime
    version: int = Field(default=1, sa_column=(_v := _version_column()))
    __mapper_args__ = {"version_id_col": _v}
    del _v  # else pydantic keeps it as a private attribute and deep-copies it per row


class StandupSession(_Table, table=True):
    """One held standup: when, for which stream, how long, and what came up.

    The per-member notes live in ``standup_entry``; this row keeps the
    meeting itself (its timebox, the parking-lot topics and the summary that
    was stored when it ended).
    """

    __tablename__ = "standup"
    __table_args__ = (Index("ix_standup_date_stream_id", "date", "stream_id"),)

    id: int | None = Field(default=None, primary_key=True)
    date: dt.date
    stream_id: int | None = Field(default=None, foreign_key="stream.id", ondelete="SET NULL")
    facilitator: str = Field(default="")
    started_at: dt.datetime
    ended_at: dt.datetime | None = None
    timebox_seconds: int = Field(default=900)
    elapsed_seconds: int = Field(default=0)
    parking_lot: str = Field(default="", sa_column=_text(False))  # one topic per line
    summary_json: str = Field(default="{}", sa_column=_text(False))
    version: int = Field(default=1, sa_column=(_v := _version_column()))
    __mapper_args__ = {"version_id_col": _v}
    del _v  # else pydantic keeps it as a private attribute and deep-copies it per row


class ChangeCounter(_Table, table=True):
    """One row whose counter every write transaction bumps (PostgreSQL).

    SQLite notices other processes' commits through ``PRAGMA data_version``;
    PostgreSQL has no such thing, so open screens poll this cheap row instead.
    """

    __tablename__ = "change_counter"

    id: int = Field(default=1, primary_key=True)
    n: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
