"""What the import starts from: the project's settings, streams, members and
sprints, and the items the file may touch, read into records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sprinttui.domain import SprintState, ValidationError
from sprinttui.importers.jira.records import ItemRecord, MemberRecord, SprintRecord, StreamRecord, aware

__all__ = ["ProjectState", "load_project_state", "project_fingerprint"]


@dataclass
class ProjectState:
    """The records of the project, with the indexes the planner looks them up by.

    The planner adds what the import creates through the ``add_*`` methods, so
    the indexes stay complete.
    """

    sprint_length: int
    workdays: frozenset[int]
    max_rank: float
    streams: list[StreamRecord]
    members: list[MemberRecord]
    sprints: list[SprintRecord]  # by start date
    items: dict[int | None, ItemRecord] = field(default_factory=dict)  # the items read, by id
    new_items: list[ItemRecord] = field(default_factory=list)  # those the import creates, in file order
    # what the plan rests on, compared again when it is published (see project_fingerprint):
    # the settings, streams, members and sprints, and the version of every item read, by id
    fingerprint: tuple = ()
    read_versions: dict[int, int] = field(default_factory=dict)
    max_item_id: int = 0
    loaded_next_seq: dict[str, int] = field(default_factory=dict)  # stream key -> next_seq as read
    stream_by_id: dict[int | None, StreamRecord] = field(init=False)
    stream_by_key: dict[str, StreamRecord] = field(init=False)
    stream_by_name: dict[str, StreamRecord] = field(init=False)  # case-folded name
    member_by_id: dict[int | None, MemberRecord] = field(init=False)
    member_by_name: dict[str, MemberRecord] = field(init=False)  # case-folded name
    member_by_handle: dict[str, MemberRecord] = field(init=False)  # lower-case handle
    sprint_by_id: dict[int | None, SprintRecord] = field(init=False)
    sprint_by_name: dict[str, SprintRecord] = field(init=False)
    item_by_external_key: dict[str, ItemRecord] = field(init=False)

    def __post_init__(self) -> None:
        self.stream_by_id = {st.id: st for st in self.streams}
        self.stream_by_key = {st.key: st for st in self.streams}
        self.stream_by_name = {}
        for st in self.streams:
            self.stream_by_name.setdefault(st.name.casefold(), st)
        self.member_by_id = {m.id: m for m in self.members}
        self.member_by_name = {}
        self.member_by_handle = {}
        for m in self.members:
            self.member_by_name.setdefault(m.name.casefold(), m)
            self.member_by_handle[m.handle.lower()] = m
        self.sprint_by_id = {sp.id: sp for sp in self.sprints}
        self.sprint_by_name = {sp.name: sp for sp in self.sprints}
        self.item_by_external_key = {it.external_key: it for it in self.items.values() if it.external_key}

    def add_stream(self, st: StreamRecord) -> None:
        self.streams.append(st)
        self.stream_by_key[st.key] = st
        self.stream_by_name[st.name.casefold()] = st

    def add_member(self, m: MemberRecord) -> None:
        self.members.append(m)
        self.member_by_name[m.name.casefold()] = m
        self.member_by_handle[m.handle.lower()] = m

    def add_sprint(self, sp: SprintRecord) -> None:
        self.sprints.append(sp)
        self.sprint_by_name[sp.name] = sp

    def add_item(self, jira_key: str, it: ItemRecord) -> None:
        """A new item, known by its Jira key."""
        self.new_items.append(it)
        self.item_by_external_key[jira_key] = it


def project_fingerprint(s) -> tuple:
    """What an import's plan depends on, apart from the items it read: the settings
    and every stream, member and sprint, as session `s` sees them (published rows
    only). Equal before and at publishing: the plan still holds (the items are
    compared by their versions, see ProjectState.read_versions)."""
    from sqlalchemy import select
    from sqlmodel import col

    from sprinttui.store.models import Member, ProjectSettings, Sprint, Stream

    def rows(stmt) -> tuple:
        return tuple(tuple(r) for r in s.execute(stmt).all())

    def of(*columns) -> Any:
        return select(*map(col, columns))

    settings = rows(of(ProjectSettings.id, ProjectSettings.sprint_length_days, ProjectSettings.working_days)
                    .order_by(col(ProjectSettings.id)))
    streams = rows(of(Stream.id, Stream.key, Stream.name).order_by(col(Stream.id)))
    members = rows(of(Member.id, Member.handle, Member.name).order_by(col(Member.id)))
    sprints = rows(of(Sprint.id, Sprint.name, Sprint.state, Sprint.start_date, Sprint.end_date,
                      Sprint.started_at, Sprint.closed_at, Sprint.version).order_by(col(Sprint.id)))
    return settings, streams, members, sprints


def load_project_state(s, jira_keys: list[str]) -> ProjectState:
    """Read the project through session `s`: every stream, member and sprint, and
    the items that are the file's issues or in an open sprint (nothing is locked:
    publishing checks that it is still so, see project_fingerprint). What other
    imports have not published yet is not read (store/visibility.py)."""
    from sqlalchemy import func, select
    from sqlmodel import col

    from sprinttui.services.project import parse_working_days
    from sprinttui.store.models import Item, Member, ProjectSettings, Sprint, Stream

    settings = s.execute(select(ProjectSettings.sprint_length_days, ProjectSettings.working_days)
                            .order_by(ProjectSettings.id)).first()
    sprint_length = max(1, int(settings[0])) if settings else 14
    try:
        workdays = parse_working_days(settings[1]) if settings else frozenset(range(5))
    except ValidationError:
        workdays = frozenset(range(5))
    stream_q = select(Stream.id, Stream.key, Stream.name, Stream.next_seq)
    streams = [StreamRecord(*r) for r in s.execute(stream_q).all()]
    members = [MemberRecord(*r) for r in s.execute(
        select(Member.id, Member.handle, Member.name).order_by(Member.id)).all()]
    sprints = [
        SprintRecord(*r) for r in s.execute(
            select(Sprint.id, Sprint.name, Sprint.state, Sprint.start_date, Sprint.end_date,
                   Sprint.started_at, Sprint.closed_at).order_by(Sprint.start_date, Sprint.id)).all()
    ]
    max_rank = float(s.execute(select(func.max(Item.rank))).scalar() or 0.0)
    state = ProjectState(sprint_length=sprint_length, workdays=workdays, max_rank=max_rank,
                         streams=streams, members=members, sprints=sprints)

    cols = (Item.id, Item.key, Item.stream_id, Item.external_key, Item.title, Item.description, Item.kind,
            Item.status, Item.points, Item.assignee_id, Item.due_date, Item.labels, Item.sprint_id,
            Item.slip_count, Item.deleted, Item.created_at, Item.version)

    def read(rows) -> None:  # into records as they come: the rows themselves are not kept
        for r in rows:
            if r.id in state.items:
                continue
            state.read_versions[r.id] = r.version
            state.items[r.id] = ItemRecord(
                id=r.id, key=r.key, external_key=r.external_key, stream=state.stream_by_id.get(r.stream_id),
                title=r.title, description=r.description, kind=r.kind, status=r.status, points=r.points,
                assignee=state.member_by_id.get(r.assignee_id), due=r.due_date, labels=r.labels,
                sprint=state.sprint_by_id.get(r.sprint_id), slip_count=r.slip_count, deleted=bool(r.deleted),
                created_at=aware(r.created_at))

    for i in range(0, len(jira_keys), 500):
        read(s.execute(select(*cols).where(Item.external_key.in_(jira_keys[i:i + 500]))))
    open_ids = [sp.id for sp in sprints if sp.state != SprintState.CLOSED]
    if open_ids:
        read(s.execute(select(*cols).where(Item.sprint_id.in_(open_ids), Item.deleted == False)  # noqa: E712
                       .execution_options(yield_per=2000)))
    state.item_by_external_key = {it.external_key: it for it in state.items.values() if it.external_key}
    state.max_item_id = int(s.execute(select(func.max(col(Item.id)))).scalar() or 0)
    state.loaded_next_seq = {st.key: st.next_seq for st in streams}
    state.fingerprint = project_fingerprint(s)
    return state
