"""Items: create, edit, move, plan, rank, block, delete — every change in
history; and the reads of one item or a list of them.

What a row of an item is and the query that reads it are in
:mod:`~sprinttui.services.item_rows`; the board's pages in
:mod:`~sprinttui.services.board`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from sprinttui.domain import (
    ConflictError,
    FindingStatus,
    Kind,
    NotFoundError,
    SprintEventKind,
    SprintState,
    StateError,
    Status,
    ValidationError,
    parse_enum,
)
from sprinttui.services.context import Ctx
from sprinttui.services.history import plan_moves, record_change, record_moves
from sprinttui.services.item_rows import (
    ORDERS,
    HistoryEntry,
    ItemDetail,
    ItemQuery,
    ItemRow,
    Slip,
    matching,
    rank_page,
    read_row,
    row_query,
    to_row,
)
from sprinttui.services.lookup import (
    for_update,
    item_by_key,
    lock_items,
    member_by_handle,
    sprint_or_backlog,
    stream_by_key,
)
from sprinttui.services.text import clean_line, clean_list, clean_points, clean_text
from sprinttui.store.models import (
    Finding,
    Item,
    ItemEvent,
    Kpi,
    Member,
    Sprint,
    SprintEvent,
    Stream,
)

# --------------------------------------------------------------------------- helpers


def check_version(row, expected: int | None, what: str) -> None:
    if expected is not None and row.version != expected:
        raise ConflictError(
            f"{what} was changed by someone else (version {row.version}, you had {expected}); "
            "reload to see the change",
            current_version=row.version,
        )


def _names(s: Session, table, ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    col = {"Member": Member.handle, "Sprint": Sprint.name, "Stream": Stream.key, "Kpi": Kpi.name}[
        table.__name__
    ]
    return dict(s.exec(select(table.id, col).where(table.id.in_(ids))).all())


def sync_finding(s: Session, item: Item) -> None:
    """A finding's status follows the improvement item made from it."""
    if item.source_finding_id is None:
        return
    finding = s.exec(for_update(select(Finding).where(Finding.id == item.source_finding_id))).first()
    if finding is None or finding.status == FindingStatus.REJECTED:
        return
    new = {
        Status.TODO: FindingStatus.ACCEPTED,
        Status.DOING: FindingStatus.IN_PROGRESS,
        Status.REVIEW: FindingStatus.IN_PROGRESS,
        Status.DONE: FindingStatus.RESOLVED,
    }[Status(item.status)]
    if item.deleted:
        new = FindingStatus.OPEN
    if finding.status != new:
        finding.status = new.value


def _next_rank(s: Session) -> float:
    top = s.exec(select(func.max(Item.rank))).one()
    return float(top or 0) + 1.0


def _set_sprint(s: Session, ctx: Ctx, item: Item, target: Sprint | None, at: datetime) -> list[SprintEvent] | None:
    """Move item into target sprint (None = backlog), writing membership events
    (returned; None when it was there already)."""
    if item.sprint_id == (target.id if target else None):
        return None
    if target is not None and target.state == SprintState.CLOSED:
        raise StateError(f"sprint {target.name} is closed; plan into an open sprint or the backlog")
    old = s.get(Sprint, item.sprint_id) if item.sprint_id else None
    moves = plan_moves(old.id if old else None, target.id if target else None,
                       old_closed=old is not None and old.state == SprintState.CLOSED)
    events = record_moves(s, item, moves, ctx.user, at)
    record_change(s, item, ctx.user, "sprint", old.name if old else None, target.name if target else None, at)
    item.sprint_id = target.id if target else None
    return events


def _due(ctx: Ctx, value) -> date | None:
    """A due date typed by a person ("fri", "+3d", ISO), relative to ctx.today()."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return ctx.day(value)


def mark_updated(ctx: Ctx, item: Item, at: datetime) -> None:
    item.updated_by = ctx.user
    item.updated_at = at


# --------------------------------------------------------------------------- writes


def create_item(
    ctx: Ctx,
    title: str,
    *,
    stream: str,
    points: float | str | None = None,
    kind: str = "story",
    sprint: str | None = None,
    assignee: str | None = None,
    status: str = "todo",
    description: str = "",
    due: str | date | None = None,
    labels: str | list[str] = "",
    kpi: str | None = None,
    external_key: str | None = None,
    source_finding_id: int | None = None,
    blocked: bool = False,
    blocked_reason: str = "",
    session: Session | None = None,
) -> ItemRow:
    """Create an item; its key is the stream's next number (never reused).
    With ``blocked`` (``blocked_reason`` says why), the same transaction blocks it."""
    clean_title = clean_line(title, "title")
    k = parse_enum(Kind, kind, "kind")
    st = parse_enum(Status, status, "status")
    pts = clean_points(points)
    due_date = _due(ctx, due)
    desc = clean_text(description, "description")

    def _do(s: Session) -> str:
        # the stream locked: two items added at once get its next two numbers
        strm = stream_by_key(s, stream, lock=True)
        target = sprint_or_backlog(s, sprint)
        if target is not None and target.state == SprintState.CLOSED:
            raise StateError(f"sprint {target.name} is closed; plan into an open sprint or the backlog")
        who = member_by_handle(s, assignee) if assignee else None
        kpi_row = None
        if kpi:
            kpi_row = s.exec(select(Kpi).where(Kpi.name == kpi)).first()
            if kpi_row is None:
                raise NotFoundError(f"unknown KPI {kpi!r}")
        seq = strm.next_seq
        strm.next_seq = seq + 1
        at = ctx.now()
        item = Item(
            key=f"{strm.key}-{seq}",
            stream_id=strm.id,
            seq=seq,
            title=clean_title,
            description=desc,
            kind=k.value,
            assignee_id=who.id if who else None,
            points=pts,
            status=st.value,
            rank=_next_rank(s),
            due_date=due_date,
            labels=clean_list(labels),
            kpi_id=kpi_row.id if kpi_row else None,
            external_key=external_key,
            source_finding_id=source_finding_id,
            created_by=ctx.user,
            created_at=at,
            updated_by=ctx.user,
            updated_at=at,
        )
        s.add(item)
        s.flush()
        record_change(s, item, ctx.user, "created", None, item.title, at)
        if target is not None:
            item.sprint_id = target.id
            record_moves(s, item, plan_moves(None, target.id), ctx.user, at)
            record_change(s, item, ctx.user, "sprint", None, target.name, at)
        sync_finding(s, item)
        s.flush()
        if blocked:
            apply_changes(s, ctx, item, {"blocked": True, "blocked_reason": blocked_reason})
        return item.key

    if session is not None:
        key = _do(session)
        return read_row(session, key)
    with ctx.db.write() as s:
        return read_row(s, _do(s))


EDITABLE = (
    "title",
    "description",
    "kind",
    "stream",
    "assignee",
    "points",
    "status",
    "blocked",
    "blocked_reason",
    "sprint",
    "due",
    "labels",
    "kpi",
)


def edit_item(ctx: Ctx, key: str, *, expected_version: int | None = None, **changes: Any) -> ItemRow:
    """Change any editable fields in one transaction; each change goes to history.

    With expected_version, a row changed by someone else meanwhile raises
    ConflictError instead of being overwritten.
    """
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"cannot edit {', '.join(sorted(unknown))}", sorted(unknown)[0])
    with ctx.db.write() as s:
        item = item_by_key(s, key, lock=True)
        check_version(item, expected_version, f"item {item.key}")
        apply_changes(s, ctx, item, changes)
        # read back in the same transaction: the version returned is this write's
        return read_row(s, item.key)


def apply_changes(s: Session, ctx: Ctx, item: Item, changes: dict[str, Any]) -> bool:
    at = ctx.now()
    changed = False

    def setf(name: str, new: Any, shown_old: Any = None, shown_new: Any = None) -> None:
        nonlocal changed
        old = getattr(item, name)
        if old == new:
            return
        setattr(item, name, new)
        label = {"assignee_id": "assignee", "kpi_id": "kpi", "due_date": "due", "stream_id": "stream"}.get(name, name)
        record_change(
            s, item, ctx.user, label,
            shown_old if shown_old is not None or shown_new is not None else old,
            shown_new if shown_old is not None or shown_new is not None else new,
            at,
        )
        changed = True

    if "title" in changes:
        setf("title", clean_line(changes["title"], "title"))
    if "description" in changes:
        setf("description", clean_text(changes["description"], "description"))
    if "kind" in changes:
        setf("kind", parse_enum(Kind, changes["kind"], "kind").value)
    if "points" in changes:
        setf("points", clean_points(changes["points"]))
    if "due" in changes:
        setf("due_date", _due(ctx, changes["due"]))
    if "labels" in changes:
        setf("labels", clean_list(changes["labels"]))
    if "stream" in changes:
        raise ValidationError("an item's stream is part of its key and cannot change; create a new item", "stream")
    if "assignee" in changes:
        h = changes["assignee"]
        who = member_by_handle(s, h) if h else None
        if item.assignee_id != (who.id if who else None):
            old = s.get(Member, item.assignee_id) if item.assignee_id else None
            setf("assignee_id", who.id if who else None, old.handle if old else "", who.handle if who else "")
    if "kpi" in changes:
        name = changes["kpi"]
        kpi_row = None
        if name:
            kpi_row = s.exec(select(Kpi).where(Kpi.name == name)).first()
            if kpi_row is None:
                raise NotFoundError(f"unknown KPI {name!r}")
        if item.kpi_id != (kpi_row.id if kpi_row else None):
            old = s.get(Kpi, item.kpi_id) if item.kpi_id else None
            setf("kpi_id", kpi_row.id if kpi_row else None, old.name if old else "", kpi_row.name if kpi_row else "")
    if "blocked" in changes or "blocked_reason" in changes:
        blocked = bool(changes.get("blocked", item.blocked))
        reason = clean_line(changes.get("blocked_reason", item.blocked_reason if blocked else ""), "reason",
                            required=False, limit=2000)
        if blocked and not reason:
            raise ValidationError("say why the item is blocked", "blocked_reason")
        if blocked != item.blocked:
            item.blocked_since = at if blocked else None
        setf("blocked", blocked)
        setf("blocked_reason", reason if blocked else "")
    if "status" in changes:
        st = parse_enum(Status, changes["status"], "status").value
        setf("status", st)
    if "sprint" in changes and _set_sprint(s, ctx, item, sprint_or_backlog(s, changes["sprint"]), at) is not None:
        changed = True
    if changed:
        mark_updated(ctx, item, at)
        sync_finding(s, item)
        s.flush()
    return changed


def move_item(ctx: Ctx, key: str, status: str, *, expected_version: int | None = None) -> ItemRow:
    return edit_item(ctx, key, status=status, expected_version=expected_version)


def plan_item(ctx: Ctx, key: str, sprint: str | None, *, expected_version: int | None = None) -> ItemRow:
    """Plan into a sprint (name/current/next) or back to the backlog (None/'backlog')."""
    return edit_item(ctx, key, sprint=sprint if sprint is not None else "backlog",
                     expected_version=expected_version)


@dataclass(frozen=True)
class Planning:
    """What one plan_items call did, so that revert_planning can take it back."""

    #: where the items went (None: the backlog)
    sprint: str | None
    #: every item asked for, as it is after the planning
    rows: list[ItemRow]
    #: the items that moved: key -> the sprint it was in (None: the backlog)
    before: dict[str, str | None] = field(default_factory=dict)
    #: the items that moved: key -> ids of the sprint events the planning wrote
    events: dict[str, tuple[int, ...]] = field(default_factory=dict)


def plan_items(ctx: Ctx, keys: list[str], sprint: str | None, *,
               expected_versions: dict[str, int] | None = None) -> Planning:
    """Plan several items at once, in one transaction (refused when one of them
    is not at the version `expected_versions` gives for it)."""
    with ctx.db.write() as s:
        target = sprint_or_backlog(s, sprint)
        at = ctx.now()
        done: list[str] = []
        before: dict[str, str | None] = {}
        written: dict[str, list[SprintEvent]] = {}
        lock_items(s, keys)
        for key in keys:
            item = item_by_key(s, key)
            check_version(item, (expected_versions or {}).get(item.key), f"item {item.key}")
            previous = s.get(Sprint, item.sprint_id) if item.sprint_id else None
            events = _set_sprint(s, ctx, item, target, at)
            if events is not None:
                mark_updated(ctx, item, at)
                before[item.key], written[item.key] = (previous.name if previous else None), events
            done.append(item.key)
        s.flush()
        events_by_key = {k: tuple(e.id for e in evs if e.id is not None) for k, evs in written.items()}
        rows = [read_row(s, k) for k in done]
    return Planning(target.name if target else None, rows, before, events_by_key)


def revert_planning(ctx: Ctx, planning: Planning, *, versions: dict[str, int] | None = None) -> list[ItemRow]:
    """Take a planning back: each item that moved goes back where it was, in one
    transaction. Refused (ConflictError) for all when one changed since: its
    version is not the one the planning left (or the one given in `versions`).
    When nothing happened to the item's sprints since, the sprint events the
    planning wrote are withdrawn, so every sprint's figures are exactly as they
    were; the item's history shows the planning and its undo."""
    expected = {r.key: r.version for r in planning.rows} | (versions or {})
    with ctx.db.write() as s:
        at = ctx.now()
        lock_items(s, planning.before)
        for key, previous in planning.before.items():
            item = item_by_key(s, key)
            check_version(item, expected.get(key), f"item {item.key}")
            back = sprint_or_backlog(s, previous)
            mine = planning.events.get(key, ())
            latest = s.exec(select(SprintEvent).where(SprintEvent.item_id == item.id)
                            .order_by(SprintEvent.id.desc()).limit(max(len(mine), 1))).all()
            if mine and sorted(e.id for e in latest) == sorted(mine):
                current = s.get(Sprint, item.sprint_id) if item.sprint_id else None
                for event in latest:
                    s.delete(event)
                record_change(s, item, ctx.user, "sprint", current.name if current else None,
                              back.name if back else None, at)
                item.sprint_id = back.id if back else None
            else:
                _set_sprint(s, ctx, item, back, at)
            mark_updated(ctx, item, at)
        s.flush()
        return [read_row(s, k) for k in planning.before]


def set_blocked(ctx: Ctx, key: str, blocked: bool, reason: str = "", *, expected_version: int | None = None) -> ItemRow:
    return edit_item(ctx, key, blocked=blocked, blocked_reason=reason, expected_version=expected_version)


def rerank(ctx: Ctx, key: str, *, before: str | None = None, after: str | None = None) -> ItemRow:
    """Put the item just before or just after another item in backlog order."""
    if (before is None) == (after is None):
        raise ValidationError("give exactly one of before / after", "rank")
    with ctx.db.write() as s:
        lock_items(s, [key, str(before or after)])  # the rank read is the rank written over
        item = item_by_key(s, key)
        anchor = item_by_key(s, before or after)
        if anchor.id == item.id:
            return read_row(s, item.key)
        if before:
            prev = s.exec(
                select(Item.rank).where(Item.rank < anchor.rank, Item.id != item.id).order_by(Item.rank.desc())
            ).first()
            lo, hi = (prev if prev is not None else anchor.rank - 2.0), anchor.rank
        else:
            nxt = s.exec(
                select(Item.rank).where(Item.rank > anchor.rank, Item.id != item.id).order_by(Item.rank)
            ).first()
            lo, hi = anchor.rank, (nxt if nxt is not None else anchor.rank + 2.0)
        if hi - lo < 1e-6:
            _renumber(s)
            s.refresh(anchor)
            return _rerank_after_renumber(s, ctx, item, anchor, bool(before))
        return _set_rank(s, ctx, item, (lo + hi) / 2)


def _set_rank(s: Session, ctx: Ctx, item: Item, rank: float) -> ItemRow:
    """Move the item in backlog order without bumping its version: the order
    is nobody's edit of the item, so someone with the item open in the editor
    can still save their change without a conflict about the rank alone."""
    from sqlalchemy import update

    at = ctx.now()
    record_change(s, item, ctx.user, "rank", item.rank, rank, at)
    s.execute(
        update(Item).where(Item.id == item.id).values(rank=rank, updated_by=ctx.user, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    s.flush()
    s.expire(item)
    return read_row(s, item.key)


def _renumber(s: Session) -> None:
    # every item locked, in id order (see lock_items)
    s.exec(for_update(select(col(Item.id)).order_by(col(Item.id)))).all()
    ids = s.exec(select(Item.id).order_by(Item.rank, Item.id)).all()
    from sqlalchemy import update

    for n, i in enumerate(ids, start=1):
        s.execute(update(Item).where(Item.id == i).values(rank=float(n * 16))
                  .execution_options(synchronize_session=False))
    s.expire_all()


def _rerank_after_renumber(s: Session, ctx: Ctx, item: Item, anchor: Item, before: bool) -> ItemRow:
    s.refresh(item)
    return _set_rank(s, ctx, item, anchor.rank - 8 if before else anchor.rank + 8)


def delete_item(ctx: Ctx, key: str, *, expected_version: int | None = None) -> ItemRow:
    """Soft delete: the key stays taken, history stays, restore_item undoes it."""
    with ctx.db.write() as s:
        item = item_by_key(s, key, lock=True)
        check_version(item, expected_version, f"item {item.key}")
        at = ctx.now()
        if item.sprint_id:
            sp = s.get(Sprint, item.sprint_id)
            if sp:
                record_moves(s, item, plan_moves(sp.id, None, old_closed=sp.state == SprintState.CLOSED),
                             ctx.user, at)
        item.deleted = True
        record_change(s, item, ctx.user, "deleted", None, "yes", at)
        mark_updated(ctx, item, at)
        sync_finding(s, item)
        s.flush()
        return read_row(s, item.key)


def restore_item(ctx: Ctx, key: str, *, expected_version: int | None = None) -> ItemRow:
    """Undo a deletion (refused when the item changed since `expected_version`)."""
    with ctx.db.write() as s:
        item = item_by_key(s, key, include_deleted=True, lock=True)
        check_version(item, expected_version, f"item {item.key}")
        if not item.deleted:
            return read_row(s, item.key)
        at = ctx.now()
        item.deleted = False
        if item.sprint_id:
            sp = s.get(Sprint, item.sprint_id)
            if sp and sp.state != SprintState.CLOSED:
                record_moves(s, item, plan_moves(None, sp.id), ctx.user, at)
            elif sp and item.status != Status.DONE:
                # its sprint closed meanwhile: unfinished work comes back in the backlog
                record_change(s, item, ctx.user, "sprint", sp.name, None, at)
                item.sprint_id = None
        record_change(s, item, ctx.user, "deleted", "yes", None, at)
        mark_updated(ctx, item, at)
        sync_finding(s, item)
        s.flush()
        return read_row(s, item.key)


# --------------------------------------------------------------------------- reads


def get_row(ctx: Ctx, key: str) -> ItemRow:
    with ctx.db.read() as s:
        item = item_by_key(s, key)
        return read_row(s, item.key)


def get_item(ctx: Ctx, key: str) -> ItemDetail:
    with ctx.db.read() as s:
        item = item_by_key(s, key)
        kpi = s.get(Kpi, item.kpi_id) if item.kpi_id else None
        return ItemDetail(
            row=read_row(s, item.key),
            description=item.description,
            source_finding_id=item.source_finding_id,
            kpi=kpi.name if kpi else None,
            external_key=item.external_key,
            created_by=item.created_by,
            created_at=item.created_at,
            updated_by=item.updated_by,
            updated_at=item.updated_at,
        )


def list_items(ctx: Ctx, query: ItemQuery | None = None, **kw: Any) -> list[ItemRow]:
    """Items matching the query, ordered and paged in SQL."""
    q = query or ItemQuery(**kw)
    if q.order not in ORDERS:
        raise ValidationError(f"unknown order {q.order!r}", "order")
    with ctx.db.read() as s:
        if q.order == "rank" and q.limit is not None:
            return rank_page(s, q, q.offset, q.limit)
        stmt = matching(s, q, row_query()).order_by(*ORDERS[q.order])
        if q.offset:
            stmt = stmt.offset(q.offset)
        if q.limit is not None:
            stmt = stmt.limit(q.limit)
        return [to_row(t) for t in s.exec(stmt).all()]


def count_items(ctx: Ctx, query: ItemQuery | None = None, **kw: Any) -> int:
    q = query or ItemQuery(**kw)
    with ctx.db.read() as s:
        return s.exec(matching(s, q, select(func.count(Item.id)))).one()


def count_and_points(ctx: Ctx, query: ItemQuery | None = None, **kw: Any) -> tuple[int, float]:
    """How many items match the query and their points in all (in SQL)."""
    q = query or ItemQuery(**kw)
    with ctx.db.read() as s:
        n, pts = s.exec(matching(s, q, select(func.count(Item.id), func.coalesce(func.sum(Item.points), 0.0)))).one()
        return int(n), float(pts)


def history(ctx: Ctx, key: str) -> list[HistoryEntry]:
    with ctx.db.read() as s:
        item = item_by_key(s, key, include_deleted=True)
        rows = s.exec(
            select(ItemEvent).where(ItemEvent.item_id == item.id).order_by(ItemEvent.at, ItemEvent.id)
        ).all()
        return [HistoryEntry(r.at, r.actor, r.field, r.old, r.new) for r in rows]


def slip_trail(ctx: Ctx, key: str) -> list[Slip]:
    """The sprints an item slipped from, oldest first."""
    with ctx.db.read() as s:
        item = item_by_key(s, key, include_deleted=True)
        rows = s.exec(
            select(SprintEvent)
            .where(SprintEvent.item_id == item.id, SprintEvent.kind == SprintEventKind.CARRY.value)
            .order_by(SprintEvent.at, SprintEvent.id)
        ).all()
        names = _names(s, Sprint, [r.sprint_id for r in rows] + [r.target_sprint_id for r in rows])
        return [Slip(names.get(r.sprint_id, "?"), r.at, names.get(r.target_sprint_id), r.points) for r in rows]
