"""Money arithmetic: exact Decimal, stored in micro-units, shares that add up."""

from decimal import Decimal

import pytest

from director.core.cost import (
    CostRow,
    TimeRow,
    from_micros,
    group_rows,
    job_money,
    money_text,
    parse_money,
    split_evenly,
    to_micros,
)
from director.core.errors import InvalidInput


def test_an_hour_at_the_price_costs_the_price():
    assert job_money(3600.0, Decimal("2.50")) == Decimal("2.50")


def test_energy_adds_kwh_times_price_only_when_both_are_known():
    assert job_money(0.0, Decimal("2.50"), 1500.0, Decimal("0.40")) == Decimal("0.60")
    assert job_money(0.0, Decimal("2.50"), 1500.0, None) == 0
    assert job_money(0.0, Decimal("2.50"), None, Decimal("0.40")) == 0


def test_thirds_of_a_cent_round_half_even_to_the_micro_unit():
    money = job_money(1.0, Decimal("0.01"))  # 0.01 / 3600 per second
    assert to_micros(money) == 3  # 2.777… micro-units
    assert from_micros(to_micros(Decimal("0.0000025"))) == Decimal("0.000002")  # half to even
    assert from_micros(to_micros(Decimal("0.0000035"))) == Decimal("0.000004")


def test_split_evenly_keeps_every_micro_unit():
    assert split_evenly(1_000_000, 3) == [333_334, 333_333, 333_333]
    assert sum(split_evenly(7, 4)) == 7
    assert split_evenly(5, 0) == []


def test_money_text_keeps_micro_units_for_exports():
    assert money_text(Decimal("1.5")) == "1.500000"
    assert money_text(from_micros(1)) == "0.000001"


@pytest.mark.parametrize("bad", ["", "abc", "-1", "Infinity", "NaN", "1,50"])
def test_parse_money_refuses_what_is_not_an_amount(bad):
    with pytest.raises(InvalidInput):
        parse_money(bad)


def test_grouping_puts_rows_without_that_dimension_under_a_dash():
    rows = [
        CostRow("job", 1, "2026-01-01T10:00:00+00:00", 1, "1A", "1", 500, "USD", camera="A", preset="p", gpu_s=1.0),
        CostRow("expense", 1, "2026-01-01T11:00:00+00:00", 1, "1A", "1", 250, "USD"),
        CostRow("expense", 2, "2026-01-01T11:00:00+00:00", None, "", "", 999, "EUR"),
    ]
    time = [TimeRow(1, "2026-01-01T12:00:00+00:00", 1, "1A", "1", 60.0, "auto")]
    groups = {g.key: g for g in group_rows(rows, time, "camera", "USD")}
    assert groups["A"].job_micros == 500 and groups["—"].expense_micros == 250 and groups["—"].human_s == 60
    assert sum(g.money_micros for g in groups.values()) == 750  # EUR is kept apart
    with pytest.raises(ValueError):
        group_rows(rows, time, "colour", "USD")
