"""Interim evaluations and retrospectives, their findings, and the improvement
work made from them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import col, select

from sprinttui.domain import (
    EvaluationKind,
    FindingCategory,
    FindingStatus,
    Kind,
    NotFoundError,
    StateError,
    ValidationError,
    parse_enum,
)
from sprinttui.services.context import Ctx
from sprinttui.services.item_rows import ItemRow
from sprinttui.services.items import check_version, create_item, sync_finding
from sprinttui.services.lookup import for_update, lock_item_rows, member_by_handle, sprint_by_ref
from sprinttui.services.reports import report_in
from sprinttui.services.text import clean_text
from sprinttui.store.models import Evaluation, Finding, Item, Member, Sprint, Stream


@dataclass(frozen=True)
class EvaluationView:
    id: int
    sprint: str
    date: date
    kind: str
    facilitator: str | None
    summary: str
    metrics: dict
    findings: int
    version: int


@dataclass(frozen=True)
class FindingView:
    id: int
    evaluation_id: int
    category: str
    text: str
    votes: int
    status: str
    owner: str | None
    item_key: str | None
    item_status: str | None
    version: int
    item_stream: str | None = None  # the stream of the item made from it


@dataclass(frozen=True)
class DeletedFinding:
    """What `delete_finding` removed, enough for `restore_finding` to put it back."""

    id: int
    evaluation_id: int
    category: str
    text: str
    votes: int
    status: str
    owner_id: int | None
    created_at: datetime
    item_ids: tuple[int, ...]  # items made from it (deleted ones too), linked again on restore


def _chunks(ids, n: int = 900):
    ids = sorted(set(ids))
    for i in range(0, len(ids), n):
        yield ids[i:i + n]


def _names(s, column, key, ids) -> dict:
    """{id: name} for the given ids, a few queries however many ids."""
    out: dict = {}
    for chunk in _chunks(i for i in ids if i is not None):
        out.update(s.exec(select(key, column).where(key.in_(chunk))).all())
    return out


def _eval_views(s, evs) -> list[EvaluationView]:
    sprints = _names(s, Sprint.name, Sprint.id, [ev.sprint_id for ev in evs])
    handles = _names(s, Member.handle, Member.id, [ev.facilitator_id for ev in evs])
    counts: dict = {}
    for chunk in _chunks(ev.id for ev in evs):
        counts.update(s.exec(select(Finding.evaluation_id, func.count(Finding.id))
                             .where(Finding.evaluation_id.in_(chunk)).group_by(Finding.evaluation_id)).all())
    return [EvaluationView(ev.id, sprints[ev.sprint_id], ev.date, ev.kind, handles.get(ev.facilitator_id),
                           ev.summary, json.loads(ev.metrics_json or "{}"), counts.get(ev.id, 0), ev.version)
            for ev in evs]


def _eval_view(s, ev: Evaluation) -> EvaluationView:
    return _eval_views(s, [ev])[0]


def metrics_snapshot(s, sp: Sprint) -> dict:
    """The sprint's figures now; they add up as the report's do: committed + added
    − removed + re-estimated = completed + carried over + not completed yet."""
    t = report_in(s, sp).totals
    return {
        "committed_points": t.committed_points,
        "completed_points": t.completed_points,
        "say_do_ratio": t.say_do_ratio,
        "carried_over_points": t.carried_over_points,
        "added_points": t.added_points,
        "removed_points": t.removed_points,
        "scope_change_points": t.scope_change_points,
        "reestimated_points": t.reestimated_points,
        "not_completed_points": t.not_completed_points,
    }


def create_evaluation(ctx: Ctx, sprint: str = "current", *, kind: str = "interim", on=None,
                      facilitator: str | None = None, summary: str = "") -> EvaluationView:
    """Start an evaluation; the sprint's figures are snapshotted now."""
    k = parse_enum(EvaluationKind, kind, "kind")
    day = ctx.day(on)
    with ctx.db.write() as s:
        sp = sprint_by_ref(s, sprint)
        ev = Evaluation(
            sprint_id=sp.id, date=day, kind=k.value,
            facilitator_id=member_by_handle(s, facilitator).id if facilitator else None,
            summary=clean_text(summary, "summary"),
            metrics_json=json.dumps(metrics_snapshot(s, sp)),
            created_by=ctx.user, created_at=ctx.now(),
        )
        s.add(ev)
        s.flush()
        return _eval_view(s, ev)


def edit_evaluation(ctx: Ctx, evaluation_id: int, *, summary: str | None = None,
                    facilitator: str | None = None, expected_version: int | None = None) -> EvaluationView:
    with ctx.db.write() as s:
        ev = _get_eval(s, evaluation_id, lock=True)
        check_version(ev, expected_version, "evaluation")
        if summary is not None:
            ev.summary = clean_text(summary, "summary")
        if facilitator is not None:
            ev.facilitator_id = member_by_handle(s, facilitator).id if facilitator else None
        s.flush()
        return _eval_view(s, ev)


def _get_eval(s, evaluation_id: int, *, lock: bool = False) -> Evaluation:
    query = select(Evaluation).where(Evaluation.id == int(evaluation_id))
    ev = s.exec(for_update(query, lock)).first()
    if ev is None:
        raise NotFoundError(f"no evaluation {evaluation_id}")
    return ev


def _get_finding(s, finding_id: int, *, lock: bool = False) -> Finding:
    """The finding; with `lock` (see for_update), the items made from it are
    locked first: items before their finding, the order an item's edit takes."""
    if lock:
        lock_item_rows(s, Item.source_finding_id == int(finding_id))
    query = select(Finding).where(Finding.id == int(finding_id))
    f = s.exec(for_update(query, lock)).first()
    if f is None:
        raise NotFoundError(f"no finding {finding_id}")
    return f


def list_evaluations(ctx: Ctx, *, sprint: str | None = None) -> list[EvaluationView]:
    with ctx.db.read() as s:
        q = select(Evaluation).order_by(Evaluation.date, Evaluation.id)
        if sprint:
            q = q.where(Evaluation.sprint_id == sprint_by_ref(s, sprint).id)
        return _eval_views(s, s.exec(q).all())


def _finding_views(s, fs) -> list[FindingView]:
    handles = _names(s, Member.handle, Member.id, [f.owner_id for f in fs])
    tracked: dict = {}  # finding id -> (key, status, stream id) of the live item made from it
    for chunk in _chunks(f.id for f in fs):
        for fid, key, status, stream_id in s.exec(
            select(Item.source_finding_id, Item.key, Item.status, Item.stream_id)
            .where(Item.source_finding_id.in_(chunk), Item.deleted == False)  # noqa: E712
        ).all():
            tracked[fid] = (key, status, stream_id)
    streams = _names(s, Stream.key, Stream.id, [t[2] for t in tracked.values()])
    out = []
    for f in fs:
        key, status, stream_id = tracked.get(f.id, (None, None, None))
        out.append(FindingView(f.id, f.evaluation_id, f.category, f.text, f.votes, f.status,
                               handles.get(f.owner_id), key, status, f.version, streams.get(stream_id)))
    return out


def _finding_view(s, f: Finding) -> FindingView:
    return _finding_views(s, [f])[0]


def add_finding(ctx: Ctx, evaluation_id: int, category: str, text: str, *, owner: str | None = None) -> FindingView:
    cat = parse_enum(FindingCategory, category, "category")
    body = clean_text(text, "text", limit=20_000)
    if not body:
        raise ValidationError("a finding needs a text", "text")
    with ctx.db.write() as s:
        ev = _get_eval(s, evaluation_id)
        f = Finding(evaluation_id=ev.id, category=cat.value, text=body,
                    owner_id=member_by_handle(s, owner).id if owner else None, created_at=ctx.now())
        s.add(f)
        s.flush()
        return _finding_view(s, f)


def edit_finding(ctx: Ctx, finding_id: int, *, text: str | None = None, category: str | None = None,
                 status: str | None = None, owner: str | None = None,
                 expected_version: int | None = None) -> FindingView:
    with ctx.db.write() as s:
        f = _get_finding(s, finding_id, lock=True)
        check_version(f, expected_version, "finding")
        if text is not None:
            body = clean_text(text, "text", limit=20_000)
            if not body:
                raise ValidationError("a finding needs a text", "text")
            f.text = body
        if category is not None:
            f.category = parse_enum(FindingCategory, category, "category").value
        if status is not None:
            f.status = parse_enum(FindingStatus, status, "status").value
        if owner is not None:
            f.owner_id = member_by_handle(s, owner).id if owner else None
        s.flush()
        return _finding_view(s, f)


def vote(ctx: Ctx, finding_id: int, delta: int = 1) -> FindingView:
    if delta not in (1, -1):
        raise ValidationError("a vote is +1 or -1", "votes")
    with ctx.db.write() as s:
        f = _get_finding(s, finding_id, lock=True)
        f.votes = max(0, f.votes + delta)
        s.flush()
        return _finding_view(s, f)


def list_findings(ctx: Ctx, evaluation_id: int, *, by_votes: bool = False) -> list[FindingView]:
    with ctx.db.read() as s:
        _get_eval(s, evaluation_id)
        q = select(Finding).where(Finding.evaluation_id == evaluation_id)
        q = q.order_by(Finding.votes.desc(), Finding.id) if by_votes else q.order_by(Finding.category, Finding.id)
        return _finding_views(s, s.exec(q).all())


def convert_finding(ctx: Ctx, finding_id: int, *, stream: str, points=None,
                    sprint: str | None = None, assignee: str | None = None) -> ItemRow:
    """Turn a finding into a backlog item (improvement, or change for training),
    linked both ways; the finding's status then follows the item."""
    with ctx.db.write() as s:
        f = _get_finding(s, finding_id, lock=True)
        existing = s.exec(select(Item).where(Item.source_finding_id == f.id)).first()
        if existing is not None and not existing.deleted:
            raise StateError(f"finding {f.id} is already tracked as {existing.key}")
        if existing is not None:  # a deleted earlier conversion: unlink it
            existing.source_finding_id = None
            s.flush()
        if f.status == FindingStatus.REJECTED:
            raise StateError(f"finding {f.id} was rejected; reopen it before converting")
        kind = Kind.CHANGE if f.category == FindingCategory.TRAINING else Kind.IMPROVEMENT
        first_line = f.text.strip().splitlines()[0] if f.text.strip() else f"Finding {f.id}"
        title = first_line if len(first_line) <= 200 else first_line[:199] + "…"
        row = create_item(ctx, title, stream=stream, kind=kind.value, points=points, sprint=sprint,
                          assignee=assignee, description=f.text, source_finding_id=f.id, session=s)
        return row


def _sprint_of(s, sprint: str, evaluation_id: int | None) -> Sprint:
    if evaluation_id is not None:
        return s.get(Sprint, _get_eval(s, evaluation_id).sprint_id)
    return sprint_by_ref(s, sprint)


def _previous(s, sp: Sprint) -> Evaluation | None:
    """The latest evaluation of another sprint that started no later than `sp`."""
    return s.exec(
        select(Evaluation).join(Sprint, Sprint.id == Evaluation.sprint_id)
        .where(Sprint.start_date <= sp.start_date, Evaluation.sprint_id != sp.id)
        .order_by(Evaluation.date.desc(), Evaluation.id.desc())
    ).first()


def previous_evaluation(ctx: Ctx, sprint: str = "current", *,
                        evaluation_id: int | None = None) -> EvaluationView | None:
    """The evaluation whose open actions `open_actions` lists: the latest one of an
    earlier sprint. With `evaluation_id`, the one before that evaluation's sprint."""
    with ctx.db.read() as s:
        prev = _previous(s, _sprint_of(s, sprint, evaluation_id))
        return _eval_view(s, prev) if prev is not None else None


def open_actions(ctx: Ctx, sprint: str = "current", *, evaluation_id: int | None = None,
                 stream: str | None = None) -> list[FindingView]:
    """Findings of the evaluation before the latest one of `sprint` that were turned
    into work or accepted: the open actions to check at the next evaluation.

    With `evaluation_id` the sprint is that evaluation's. With `stream`, actions
    tracked as another stream's item are left out (untracked ones stay)."""
    with ctx.db.read() as s:
        return _open_actions(s, _previous(s, _sprint_of(s, sprint, evaluation_id)), stream)


def _open_actions(s, prev: Evaluation | None, stream: str | None) -> list[FindingView]:
    if prev is None:
        return []
    fs = s.exec(select(Finding).where(Finding.evaluation_id == prev.id)
                .order_by(Finding.votes.desc(), Finding.id)).all()
    only = str(stream).strip().upper() if stream else None
    return [v for v in _finding_views(s, fs)
            if (v.item_key or v.status not in (FindingStatus.OPEN, FindingStatus.REJECTED)
                and v.category != FindingCategory.WENT_WELL)
            and (only is None or v.item_stream in (None, only))]


@dataclass(frozen=True)
class EvaluationPage:
    """What the Evaluations screen shows, read in one transaction."""

    evaluations: list[EvaluationView]  # all of them, oldest first
    current: EvaluationView | None  # the one asked for, else the latest; None when there is none
    findings: list[FindingView]  # of `current`
    previous: EvaluationView | None  # whose open actions are listed
    actions: list[FindingView]  # open_actions of `current`


def evaluation_page(ctx: Ctx, evaluation_id: int | None = None, *, stream: str | None = None) -> EvaluationPage:
    """Every evaluation, one of them (`evaluation_id`, else the latest; a deleted one
    falls back to the latest) with its findings, and the open actions of the one
    before it (narrowed to `stream` as in `open_actions`)."""
    with ctx.db.read() as s:
        rows = s.exec(select(Evaluation).order_by(Evaluation.date, Evaluation.id)).all()
        if not rows:
            return EvaluationPage([], None, [], None, [])
        evs = _eval_views(s, rows)
        i = next((i for i, ev in enumerate(rows) if ev.id == evaluation_id), len(rows) - 1)
        row = rows[i]
        fs = s.exec(select(Finding).where(Finding.evaluation_id == row.id).order_by(Finding.category, Finding.id)).all()
        prev = _previous(s, s.get(Sprint, row.sprint_id))
        return EvaluationPage(evs, evs[i], _finding_views(s, fs),
                              _eval_view(s, prev) if prev is not None else None, _open_actions(s, prev, stream))


def is_done(f: FindingView) -> bool:
    """An action is done when its item is done, or, untracked, when it is resolved."""
    return f.item_status == "done" if f.item_key else f.status == FindingStatus.RESOLVED


def get_evaluation(ctx: Ctx, evaluation_id: int) -> EvaluationView:
    with ctx.db.read() as s:
        return _eval_view(s, _get_eval(s, evaluation_id))


def delete_evaluation(ctx: Ctx, evaluation_id: int) -> EvaluationView:
    """Remove an evaluation and its findings (undoes `create_evaluation`); items made
    from its findings stay, unlinked."""
    with ctx.db.write() as s:
        ev = _get_eval(s, evaluation_id, lock=True)
        lock_item_rows(s, col(Item.source_finding_id).in_(select(Finding.id).where(Finding.evaluation_id == ev.id)))
        view = _eval_view(s, ev)
        findings = select(Finding).where(Finding.evaluation_id == ev.id).order_by(col(Finding.id))
        for f in s.exec(for_update(findings)).all():
            _unlink_items(s, f.id)
            s.delete(f)
        s.flush()
        s.delete(ev)
        s.flush()
        return view


def _unlink_items(s, finding_id: int) -> tuple[int, ...]:
    linked = s.exec(select(Item).where(Item.source_finding_id == finding_id)).all()
    for it in linked:
        it.source_finding_id = None
    if linked:
        s.flush()
    return tuple(it.id for it in linked)


def delete_finding(ctx: Ctx, finding_id: int, *, expected_version: int | None = None) -> DeletedFinding:
    """Remove a finding. An item made from it stays in the backlog, unlinked;
    `restore_finding` puts the finding back and links the item again."""
    with ctx.db.write() as s:
        f = _get_finding(s, finding_id, lock=True)
        check_version(f, expected_version, "finding")
        gone = DeletedFinding(f.id, f.evaluation_id, f.category, f.text, f.votes, f.status, f.owner_id,
                              f.created_at, _unlink_items(s, f.id))
        s.delete(f)
        s.flush()
        return gone


def restore_finding(ctx: Ctx, gone: DeletedFinding) -> FindingView:
    """Put back a finding `delete_finding` removed: under its old id when that is
    still free, with its votes, status and owner, linked to its items again."""
    with ctx.db.write() as s:
        ev = _get_eval(s, gone.evaluation_id)
        f = Finding(evaluation_id=ev.id, category=gone.category, text=gone.text, votes=gone.votes,
                    status=gone.status, created_at=gone.created_at,
                    owner_id=gone.owner_id if gone.owner_id and s.get(Member, gone.owner_id) else None)
        if s.get(Finding, gone.id) is None:
            f.id = gone.id
        lock_item_rows(s, col(Item.id).in_(gone.item_ids))
        s.add(f)
        s.flush()
        for item_id in gone.item_ids:
            it = s.get(Item, item_id)
            if it is not None and it.source_finding_id is None:
                it.source_finding_id = f.id
        s.flush()
        live = s.exec(select(Item).where(Item.source_finding_id == f.id, Item.deleted == False)).first()  # noqa: E712
        if live is not None:
            sync_finding(s, live)
            s.flush()
        return _finding_view(s, f)
