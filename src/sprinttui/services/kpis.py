"""KPIs: what the rollout should move after go-live, measured over time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import select

from sprinttui.domain import Direction, NotFoundError, ValidationError, one_line, parse_enum
from sprinttui.services.context import Ctx
from sprinttui.services.items import ItemRow, _row_query, _to_row, check_version
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
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{field} must be a number, not {one_line(str(value), 20)!r}", field) from None
    if v != v or v in (float("inf"), float("-inf")):
        raise ValidationError(f"{field} must be a finite number", field)
    return v


def _view(s, k: Kpi) -> KpiView:
    ms = s.exec(select(KpiMeasurement).where(KpiMeasurement.kpi_id == k.id)
                .order_by(KpiMeasurement.date, KpiMeasurement.id)).all()
    return KpiView(k.id, k.name, k.unit, k.baseline, k.target, k.direction, k.description,
                   [Measurement(m.date, m.value, m.note) for m in ms], k.version)


def _by_name(s, name: str) -> Kpi:
    k = s.exec(select(Kpi).where(Kpi.name == str(name).strip())).first()
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
        k = _by_name(s, name)
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
        return [_to_row(t) for t in s.exec(
            _row_query().where(Item.kpi_id == k.id, Item.deleted == False).order_by(Item.rank)  # noqa: E712
        ).all()]
