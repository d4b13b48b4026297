"""KPIs: what the rollout should move after go-live, measured over time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func
from sqlmodel import select

from sprinttui.domain import (
    Direction,
    NotFoundError,
    StateError,
    Status,
    ValidationError,
    one_line,
    parse_enum,
    parse_number,
)
from sprinttui.services.context import Ctx
from sprinttui.services.item_rows import ItemRow, row_query, to_row
from sprinttui.services.items import apply_changes, check_version
from sprinttui.services.lookup import for_update, item_by_key, stream_by_key
from sprinttui.services.text import clean_line, clean_text
from sprinttui.store.models import Item, Kpi, KpiMeasurement


@dataclass(frozen=True)
class Measurement:
    date: date
    value: float
    note: str


@dataclass(frozen=True)
class KpiView:
    id: int
    name: str
    unit: str
    baseline: float | None
    target: float | None
    direction: str
    description: str
    measurements: list[Measurement]
    version: int

    @property
    def latest(self) -> float | None:
        return self.measurements[-1].value if self.measurements else None

    @property
    def trend(self) -> list[float]:
        return [m.value for m in self.measurements]

    @property
    def target_met(self) -> bool:
        if self.latest is None or self.target is None:
            return False
        if self.direction == Direction.HIGHER:
            return self.latest >= self.target
        return self.latest <= self.target

    @property
    def on_track(self) -> bool | None:
        """Met, or moving from the baseline towards the target; None before any value."""
        if self.latest is None:
            return None
        if self.target_met:
            return True
        ref = self.baseline if self.baseline is not None else (
            self.measurements[0].value if len(self.measurements) > 1 else None)
        if ref is None:
            return False
        return self.latest > ref if self.direction == Direction.HIGHER else self.latest < ref


def _num(value, field: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_number(value, field)  # ASCII digits only, finite


def _view(s, k: Kpi) -> KpiView:
    ms = s.exec(select(KpiMeasurement).where(KpiMeasurement.kpi_id == k.id)
                .order_by(KpiMeasurement.date, KpiMeasurement.id)).all()
    return KpiView(k.id, k.name, k.unit, k.baseline, k.target, k.direction, k.description,
                   [Measurement(m.date, m.value, m.note) for m in ms], k.version)


def _by_name(s, name: str, *, lock: bool = False) -> Kpi:
    query = select(Kpi).where(Kpi.name == str(name).strip())
    k = s.exec(for_update(query, lock)).first()
    if k is None:
        raise NotFoundError(f"unknown KPI {one_line(name, 40)!r}")
    return k


def add_kpi(ctx: Ctx, name: str, *, unit: str = "", baseline=None, target=None,
            direction: str = "higher", description: str = "") -> KpiView:
    n = clean_line(name, "name", limit=200)
    d = parse_enum(Direction, direction, "direction")
    with ctx.db.write() as s:
        if s.exec(select(Kpi).where(Kpi.name == n)).first():
            raise ValidationError(f"KPI {n!r} exists already", "name")
        k = Kpi(name=n, unit=clean_line(unit, "unit", required=False, limit=40),
                baseline=_num(baseline, "baseline"), target=_num(target, "target"),
                direction=d.value, description=clean_text(description, "description"))
        s.add(k)
        s.flush()
        return _view(s, k)


def edit_kpi(ctx: Ctx, name: str, *, expected_version: int | None = None, **changes) -> KpiView:
    with ctx.db.write() as s:
        k = _by_name(s, name, lock=True)
        check_version(k, expected_version, f"KPI {k.name}")
        if "name" in changes:
            k.name = clean_line(changes["name"], "name", limit=200)
        if "unit" in changes:
            k.unit = clean_line(changes["unit"], "unit", required=False, limit=40)
        for f in ("baseline", "target"):
            if f in changes:
                setattr(k, f, _num(changes[f], f))
        if "direction" in changes:
            k.direction = parse_enum(Direction, changes["direction"], "direction").value
        if "description" in changes:
            k.description = clean_text(changes["description"], "description")
        s.flush()
        return _view(s, k)


def record(ctx: Ctx, name: str, value, *, on=None, note: str = "") -> KpiView:
    v = _num(value, "value")
    if v is None:
        raise ValidationError("a measurement needs a value", "value")
    day = ctx.day(on)
    with ctx.db.write() as s:
        k = _by_name(s, name)
        s.add(KpiMeasurement(kpi_id=k.id, date=day, value=v, note=clean_text(note, "note", limit=2000),
                             recorded_by=ctx.user, recorded_at=ctx.now()))
        s.flush()
        return _view(s, k)


def list_kpis(ctx: Ctx) -> list[KpiView]:
    with ctx.db.read() as s:
        return [_view(s, k) for k in s.exec(select(Kpi).order_by(Kpi.name)).all()]


def get_kpi(ctx: Ctx, name: str) -> KpiView:
    with ctx.db.read() as s:
        return _view(s, _by_name(s, name))


def linked_items(ctx: Ctx, name: str) -> list[ItemRow]:
    with ctx.db.read() as s:
        k = _by_name(s, name)
        return [to_row(t) for t in s.exec(
            row_query().where(Item.kpi_id == k.id, Item.deleted == False).order_by(Item.rank)  # noqa: E712
        ).all()]


# --------------------------------------------------------------------------- register, links, undo


def check_value(value, field: str = "value") -> float:
    """A measurement value typed by a user, as a number; ValidationError if it is none."""
    v = _num(value, field)
    if v is None:
        raise ValidationError(f"a measurement needs a {field}", field)
    return v


def check_number(value, field: str) -> float | None:
    """An optional number (baseline, target): None when blank, ValidationError when not a number."""
    return _num(value, field)


def delete_kpi(ctx: Ctx, name: str) -> None:
    """Remove a KPI nobody has used yet (the undo of add_kpi); one with measurements
    or linked items is refused, so no history is lost."""
    with ctx.db.write() as s:
        k = _by_name(s, name)
        if s.exec(select(KpiMeasurement.id).where(KpiMeasurement.kpi_id == k.id)).first() is not None:
            raise StateError(f"KPI {one_line(k.name, 40)!r} has measurements and is kept")
        if s.exec(select(Item.id).where(Item.kpi_id == k.id)).first() is not None:
            raise StateError(f"KPI {one_line(k.name, 40)!r} has linked items and is kept")
        s.delete(k)


def delete_measurement(ctx: Ctx, name: str, *, on, value) -> KpiView:
    """Remove the measurement of `value` on day `on` (the last one recorded, if several):
    the undo of record()."""
    v = check_value(value)
    day = on if isinstance(on, date) else ctx.day(on)
    with ctx.db.write() as s:
        k = _by_name(s, name)
        m = s.exec(select(KpiMeasurement).where(
            KpiMeasurement.kpi_id == k.id, KpiMeasurement.date == day, KpiMeasurement.value == v,
        ).order_by(KpiMeasurement.id.desc())).first()
        if m is None:
            raise NotFoundError(f"KPI {one_line(k.name, 40)!r} has no measurement of {v:g} on {day.isoformat()}")
        s.delete(m)
        s.flush()
        return _view(s, k)


@dataclass(frozen=True)
class Link:
    """An item's KPI link after a change, and what it was before (for undo)."""

    key: str
    kpi: str | None
    previous: str | None
    version: int = 0  # the item's version after the change


def _set_link(ctx: Ctx, name: str, key: str, link: bool, expected_version: int | None) -> Link:
    with ctx.db.write() as s:
        k = _by_name(s, name)
        item = item_by_key(s, key, lock=True)
        check_version(item, expected_version, f"item {item.key}")
        old = s.get(Kpi, item.kpi_id) if item.kpi_id else None
        if not link and item.kpi_id != k.id:
            raise StateError(f"{item.key} is not linked to KPI {one_line(k.name, 40)!r}")
        apply_changes(s, ctx, item, {"kpi": k.name if link else None})
        s.flush()
        return Link(item.key, k.name if link else None, old.name if old else None, item.version)


def link_item(ctx: Ctx, name: str, key: str, *, expected_version: int | None = None) -> Link:
    """Link an item to the KPI it should move (an item moves one KPI; linking it to
    another replaces the link). Recorded in the item's history."""
    return _set_link(ctx, name, key, True, expected_version)


def unlink_item(ctx: Ctx, name: str, key: str, *, expected_version: int | None = None) -> Link:
    """Remove the item's link to KPI `name`; StateError if it is not linked to it."""
    return _set_link(ctx, name, key, False, expected_version)


@dataclass(frozen=True)
class Linked:
    """The items linked to one KPI: the first ones in rank order, and how many in all."""

    rows: list[ItemRow]
    total: int
    done: int


def linked_by_kpi(ctx: Ctx, *, stream: str | None = None, limit: int | None = None) -> dict[str, Linked]:
    """Every KPI's linked items (not deleted) in rank order, at most `limit` rows
    each, with the counts of all of them; only the items of `stream` when given.
    KPIs without linked items are absent. Two queries, whatever the number of KPIs."""
    with ctx.db.read() as s:
        only = [Item.deleted == False]  # noqa: E712
        if stream:
            only.append(Item.stream_id == stream_by_key(s, stream).id)
        counts = s.exec(
            select(Kpi.name, func.count(Item.id), func.sum(case((Item.status == Status.DONE.value, 1), else_=0)))
            .join(Item, Item.kpi_id == Kpi.id).where(*only).group_by(Kpi.name)
        ).all()
        rn = func.row_number().over(partition_by=Item.kpi_id, order_by=(Item.rank, Item.id)).label("rn")
        first = select(Item.id.label("iid"), rn).where(Item.kpi_id.is_not(None), *only).subquery()
        stmt = (row_query().add_columns(Kpi.name).join(Kpi, Kpi.id == Item.kpi_id)
                .join(first, first.c.iid == Item.id).order_by(Item.rank, Item.id))
        if limit is not None:
            stmt = stmt.where(first.c.rn <= limit)
        rows: dict[str, list[ItemRow]] = {}
        for t in s.exec(stmt).all():
            rows.setdefault(t[-1], []).append(to_row(t[:-1]))
        return {name: Linked(rows.get(name, []), total, int(done or 0)) for name, total, done in counts}
