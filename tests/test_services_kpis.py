"""KPI services the KPI screen uses: linking items to the KPI they should move,
the register's linked items in one query, and the undo of a measurement or of
a new KPI. Runs on PostgreSQL too (uses ctx/tctx only)."""

from __future__ import annotations

from datetime import date

import pytest

from sprinttui.domain import ConflictError, NotFoundError, SprintTuiError, StateError, ValidationError
from sprinttui.services import items, kpis, streams


@pytest.fixture
def proj(tctx, clock):
    clock.set("2026-03-10 09:00")
    streams.add_stream(tctx, "SAL", "Sales")
    streams.add_stream(tctx, "OPS", "Operations")
    kpis.add_kpi(tctx, "Adoption", unit="%", baseline=0, target=90)
    kpis.add_kpi(tctx, "Lead time", unit="h", baseline=30, target=8, direction="lower")
    for title, stream in (("Train key users", "SAL"), ("Lead routing", "SAL"), ("Ops dashboard", "OPS")):
        items.create_item(tctx, title, stream=stream, kind="improvement")
    return tctx


def test_link_and_unlink_an_item(proj, clock):
    clock.set("2026-03-11 10:00")
    link = kpis.link_item(proj, "Adoption", "sal-1")
    assert (link.key, link.kpi, link.previous) == ("SAL-1", "Adoption", None)
    assert [r.key for r in kpis.linked_items(proj, "Adoption")] == ["SAL-1"]
    assert items.get_item(proj, "SAL-1").kpi == "Adoption"
    changes = [(h.field, h.old, h.new) for h in items.history(proj, "SAL-1") if h.field == "kpi"]
    assert changes == [("kpi", "", "Adoption")]

    # an item moves one KPI: linking it elsewhere replaces the link and says what it was
    link = kpis.link_item(proj, "Lead time", "SAL-1")
    assert (link.kpi, link.previous) == ("Lead time", "Adoption")
    assert kpis.linked_items(proj, "Adoption") == []
    assert [r.key for r in kpis.linked_items(proj, "Lead time")] == ["SAL-1"]

    # unlinking from a KPI it is not linked to is refused and changes nothing
    with pytest.raises(StateError, match="not linked"):
        kpis.unlink_item(proj, "Adoption", "SAL-1")
    link = kpis.unlink_item(proj, "Lead time", "SAL-1")
    assert (link.key, link.kpi, link.previous) == ("SAL-1", None, "Lead time")
    assert items.get_item(proj, "SAL-1").kpi is None
    assert kpis.linked_items(proj, "Lead time") == []


def test_link_errors_change_nothing(proj):
    row = items.get_row(proj, "SAL-2")
    for call, error in (
        (lambda: kpis.link_item(proj, "Nope", "SAL-2"), NotFoundError),
        (lambda: kpis.link_item(proj, "Adoption", "SAL-99"), NotFoundError),
        (lambda: kpis.link_item(proj, "Adoption", "not a key"), ValidationError),
        (lambda: kpis.link_item(proj, "Adoption", "SAL-2", expected_version=row.version + 5), ConflictError),
        (lambda: kpis.unlink_item(proj, "Adoption", "SAL-2"), StateError),
    ):
        with pytest.raises(error) as err:
            call()
        assert isinstance(err.value, SprintTuiError) and "\n" not in str(err.value)
    assert items.get_item(proj, "SAL-2").kpi is None
    assert items.get_row(proj, "SAL-2").version == row.version


def keys_by_kpi(c, **kw) -> dict[str, tuple[list[str], int, int]]:
    return {k: ([r.key for r in v.rows], v.total, v.done) for k, v in kpis.linked_by_kpi(c, **kw).items()}


def test_linked_by_kpi_groups_in_rank_order_per_stream(proj):
    kpis.link_item(proj, "Adoption", "SAL-2")
    kpis.link_item(proj, "Adoption", "OPS-1")
    kpis.link_item(proj, "Adoption", "SAL-1")
    items.move_item(proj, "SAL-2", "done")
    assert keys_by_kpi(proj) == {"Adoption": (["SAL-1", "SAL-2", "OPS-1"], 3, 1)}
    assert keys_by_kpi(proj, stream="ops") == {"Adoption": (["OPS-1"], 1, 0)}
    # a limit caps the rows listed, not the counts
    assert keys_by_kpi(proj, limit=2) == {"Adoption": (["SAL-1", "SAL-2"], 3, 1)}
    # a deleted item is not listed nor counted; restored, it is again
    items.delete_item(proj, "SAL-2")
    assert keys_by_kpi(proj) == {"Adoption": (["SAL-1", "OPS-1"], 2, 0)}
    items.restore_item(proj, "SAL-2")
    assert keys_by_kpi(proj)["Adoption"][0] == ["SAL-1", "SAL-2", "OPS-1"]
    with pytest.raises(NotFoundError):
        kpis.linked_by_kpi(proj, stream="NOPE")


def test_linked_by_kpi_limits_each_kpi_on_its_own(proj):
    for n in range(5):
        items.create_item(proj, f"More {n}", stream="OPS", kpi="Lead time")
    kpis.link_item(proj, "Adoption", "SAL-1")
    by = keys_by_kpi(proj, limit=3)
    assert by == {"Adoption": (["SAL-1"], 1, 0), "Lead time": (["OPS-2", "OPS-3", "OPS-4"], 5, 0)}


def test_delete_measurement_undoes_one_record(proj):
    kpis.record(proj, "Adoption", 20, on="2026-03-01")
    kpis.record(proj, "Adoption", 35, on="2026-03-08")
    kpis.record(proj, "Adoption", 35, on="2026-03-08", note="typed twice")
    k = kpis.delete_measurement(proj, "Adoption", on="2026-03-08", value="35")
    assert [(m.date, m.value, m.note) for m in k.measurements] == [
        (date(2026, 3, 1), 20.0, ""), (date(2026, 3, 8), 35.0, "")]  # the last recorded of the two went
    k = kpis.delete_measurement(proj, "Adoption", on=date(2026, 3, 8), value=35)
    assert k.trend == [20.0] and k.latest == 20.0
    with pytest.raises(NotFoundError):
        kpis.delete_measurement(proj, "Adoption", on="2026-03-08", value=35)
    assert kpis.get_kpi(proj, "Adoption").trend == [20.0]


def test_delete_kpi_only_while_unused(proj):
    kpis.add_kpi(proj, "Fresh")
    kpis.delete_kpi(proj, "Fresh")
    assert [k.name for k in kpis.list_kpis(proj)] == ["Adoption", "Lead time"]
    kpis.record(proj, "Adoption", 5, on="today")
    kpis.link_item(proj, "Lead time", "SAL-1")
    for name in ("Adoption", "Lead time"):
        with pytest.raises(StateError):
            kpis.delete_kpi(proj, name)
    with pytest.raises(NotFoundError):
        kpis.delete_kpi(proj, "Fresh")
    assert [k.name for k in kpis.list_kpis(proj)] == ["Adoption", "Lead time"]
    assert kpis.get_kpi(proj, "Adoption").trend == [5.0]


@pytest.mark.parametrize("value,ok", [("12.5", 12.5), (" -3 ", -3.0), ("1e6", 1e6), ("0", 0.0)])
def test_check_value_accepts_numbers(value, ok):
    assert kpis.check_value(value) == ok


@pytest.mark.parametrize("value", ["lots", "", "  ", "nan", "inf", "-inf", "12,5 %"])
def test_check_value_refuses_in_one_line(value):
    with pytest.raises(ValidationError) as err:
        kpis.check_value(value)
    assert "\n" not in str(err.value)


def test_check_number_allows_blank():
    assert kpis.check_number("", "target") is None
    assert kpis.check_number("7", "target") == 7.0
    with pytest.raises(ValidationError, match="target"):
        kpis.check_number("high", "target")
