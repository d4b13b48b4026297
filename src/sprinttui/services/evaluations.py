"""Interim evaluations and retrospectives, their findings, and the improvement
work made from them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import select

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
from sprinttui.services.items import ItemRow, check_version, create_item
from sprinttui.services.lookup import member_by_handle, sprint_by_ref
from sprinttui.services.reports import _report
from sprinttui.services.text import clean_text
from sprinttui.store.models import Evaluation, Finding, Item, Member, Sprint


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


def _eval_view(s, ev: Evaluation) -> EvaluationView:
    sp = s.get(Sprint, ev.sprint_id)
    fac = s.get(Member, ev.facilitator_id) if ev.facilitator_id else None
    n = s.exec(select(func.count(Finding.id)).where(Finding.evaluation_id == ev.id)).one()
    return EvaluationView(ev.id, sp.name, ev.date, ev.kind, fac.handle if fac else None, ev.summary,
                          json.loads(ev.metrics_json or "{}"), n, ev.version)


def metrics_snapshot(s, sp: Sprint) -> dict:
    t = _report(s, sp).totals
    return {
        "committed_points": t.committed_points,
        "completed_points": t.completed_points,
        "say_do_ratio": t.say_do_ratio,
        "carried_over_points": t.carried_over_points,
        "added_points": t.added_points,
        "removed_points": t.removed_points,
        "scope_change_points": t.scope_change_points,
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
        ev = _get_eval(s, evaluation_id)
        check_version(ev, expected_version, "evaluation")
        if summary is not None:
            ev.summary = clean_text(summary, "summary")
        if facilitator is not None:
            ev.facilitator_id = member_by_handle(s, facilitator).id if facilitator else None
        s.flush()
        return _eval_view(s, ev)


def _get_eval(s, evaluation_id: int) -> Evaluation:
    ev = s.get(Evaluation, int(evaluation_id))
    if ev is None:
        raise NotFoundError(f"no evaluation {evaluation_id}")
    return ev


def _get_finding(s, finding_id: int) -> Finding:
    f = s.get(Finding, int(finding_id))
    if f is None:
        raise NotFoundError(f"no finding {finding_id}")
    return f


def list_evaluations(ctx: Ctx, *, sprint: str | None = None) -> list[EvaluationView]:
    with ctx.db.read() as s:
        q = select(Evaluation).order_by(Evaluation.date, Evaluation.id)
        if sprint:
            q = q.where(Evaluation.sprint_id == sprint_by_ref(s, sprint).id)
        return [_eval_view(s, ev) for ev in s.exec(q).all()]


def _finding_view(s, f: Finding) -> FindingView:
    owner = s.get(Member, f.owner_id) if f.owner_id else None
    item = s.exec(select(Item).where(Item.source_finding_id == f.id)).first()
    if item is not None and item.deleted:
        item = None
    return FindingView(f.id, f.evaluation_id, f.category, f.text, f.votes, f.status,
                       owner.handle if owner else None, item.key if item else None,
                       item.status if item else None, f.version)


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
        f = _get_finding(s, finding_id)
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
        f = _get_finding(s, finding_id)
        f.votes = max(0, f.votes + delta)
        s.flush()
        return _finding_view(s, f)


def list_findings(ctx: Ctx, evaluation_id: int, *, by_votes: bool = False) -> list[FindingView]:
    with ctx.db.read() as s:
        _get_eval(s, evaluation_id)
        q = select(Finding).where(Finding.evaluation_id == evaluation_id)
        q = q.order_by(Finding.votes.desc(), Finding.id) if by_votes else q.order_by(Finding.category, Finding.id)
        return [_finding_view(s, f) for f in s.exec(q).all()]


def convert_finding(ctx: Ctx, finding_id: int, *, stream: str, points=None,
                    sprint: str | None = None, assignee: str | None = None) -> ItemRow:
    """Turn a finding into a backlog item (improvement, or change for training),
    linked both ways; the finding's status then follows the item."""
    with ctx.db.write() as s:
        f = _get_finding(s, finding_id)
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


def open_actions(ctx: Ctx, sprint: str = "current") -> list[FindingView]:
    """Findings of the evaluation before the latest one of `sprint` that were turned
    into work or accepted: the open actions to check at the next evaluation."""
    with ctx.db.read() as s:
        sp = sprint_by_ref(s, sprint)
        evs = s.exec(
            select(Evaluation).join(Sprint, Sprint.id == Evaluation.sprint_id)
            .where(Sprint.start_date <= sp.start_date)
            .order_by(Evaluation.date.desc(), Evaluation.id.desc())
        ).all()
        prev = next((e for e in evs if e.sprint_id != sp.id), None)
        if prev is None:
            return []
        fs = s.exec(select(Finding).where(Finding.evaluation_id == prev.id).order_by(Finding.votes.desc(), Finding.id)).all()
        views = [_finding_view(s, f) for f in fs]
        return [v for v in views if v.item_key or v.status not in (FindingStatus.OPEN, FindingStatus.REJECTED)
                and v.category != FindingCategory.WENT_WELL]
