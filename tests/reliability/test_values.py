"""Finding 8: values no one means are refused in one line, and nothing is
stored: dates outside 1970–2200 (26-1-1 is not the year 26), points that are
not finite, over 1000 or finer than two decimals, numbers in other scripts'
digits or with underscores; `--due -3d` works as `--due=-3d` does."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sprinttui.cli import main
from sprinttui.services import items, kpis, streams


@pytest.fixture
def run(ctx, capsys, monkeypatch):
    """`sprinttui --db <the test project> ARGS` in-process, with a stream SAL, a KPI K and item SAL-1."""
    monkeypatch.delenv("SPRINTTUI_DB", raising=False)
    monkeypatch.delenv("SPRINTTUI_USER", raising=False)
    streams.add_stream(ctx, "SAL", "Sales")
    kpis.add_kpi(ctx, "K")
    items.create_item(ctx, "first", stream="SAL")
    url = ctx.db.url

    def _run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--db", url, "--user", "tester", *args])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err and "internal error" not in err, err
        return code, out, err

    return _run


def refused(run, *args: str, says: str) -> None:
    code, out, err = run(*args)
    assert code == 2, (args, code, out, err)
    assert err.startswith("sprinttui: error: ") and err.count("\n") == 1, err
    assert says in err, (says, err)


def item_count(ctx) -> int:
    return len(items.list_items(ctx))


@pytest.mark.parametrize("due", ["26-1-1", "0001-01-01", "1969-12-31", "2201-01-01", "13/13/13"])
def test_due_dates_outside_1970_to_2200_are_refused(run, ctx, due):
    refused(run, "item", "add", "--stream", "SAL", "t", "--due", due, says="date")
    refused(run, "item", "edit", "SAL-1", "--due", due, says="date")
    assert item_count(ctx) == 1 and items.get_item(ctx, "SAL-1").row.due_date is None


def test_a_kpi_measurement_in_year_one_is_refused(run, ctx):
    refused(run, "kpi", "record", "K", "3", "--date", "0001-01-01", says="date")
    assert kpis.get_kpi(ctx, "K").measurements == []


@pytest.mark.parametrize("due,expected", [("1970-01-01", date(1970, 1, 1)), ("2200-12-31", date(2200, 12, 31))])
def test_the_first_and_last_days_of_the_range_are_taken(run, ctx, due, expected):
    code, _out, err = run("item", "edit", "SAL-1", "--due", due)
    assert code == 0, err
    assert items.get_item(ctx, "SAL-1").row.due_date == expected


@pytest.mark.parametrize("points,says", [
    ("1e-320", "two decimals"), ("0.125", "two decimals"), ("1000.5", "at most 1000"), ("1e4", "at most 1000"),
    ("inf", "number"), ("nan", "number"), ("1_000", "number"), ("१२", "number"), ("٣", "number"), ("-1", "0 or more"),
])
def test_points_no_one_means_are_refused(run, ctx, points, says):
    refused(run, "item", "add", "--stream", "SAL", "t", f"--points={points}", says=says)
    refused(run, "item", "edit", "SAL-1", f"--points={points}", says=says)
    assert item_count(ctx) == 1 and items.get_item(ctx, "SAL-1").row.points is None


@pytest.mark.parametrize("points,stored", [("2.5", 2.5), ("0.25", 0.25), ("1000", 1000.0), ("0", 0.0)])
def test_points_people_mean_are_taken(run, ctx, points, stored):
    code, _out, err = run("item", "edit", "SAL-1", "--points", points)
    assert code == 0, err
    assert items.get_item(ctx, "SAL-1").row.points == stored


@pytest.mark.parametrize("value", ["1_000", "١٢", "१२"])
def test_kpi_values_and_whole_numbers_take_ascii_digits_only(run, ctx, value):
    refused(run, "kpi", "record", "K", value, says="number")
    refused(run, "item", "list", "--limit", value, says="whole number")
    assert kpis.get_kpi(ctx, "K").measurements == []


def test_due_minus_three_days_works_without_an_equals_sign(run, ctx):
    code, out, err = run("item", "add", "--stream", "SAL", "late", "--due", "-3d")
    assert code == 0, err
    key = out.strip()
    assert items.get_item(ctx, key).row.due_date == ctx.today() - timedelta(days=3)
    code, _out, err = run("item", "edit", "SAL-1", "--due", "-1w")
    assert code == 0, err
    assert items.get_item(ctx, "SAL-1").row.due_date == ctx.today() - timedelta(weeks=1)


def test_a_date_option_without_its_value_says_how_to_write_one_starting_with_a_minus(run, ctx):
    refused(run, "item", "add", "--stream", "SAL", "t", "--due", "-3x", says="--due=DATE, like --due=-3d")
    code, _out, err = run("item", "add", "t", "--stream")
    assert code == 2 and "expected one argument; see `sprinttui item add --help`" in err, err  # no date hint
    assert item_count(ctx) == 1
