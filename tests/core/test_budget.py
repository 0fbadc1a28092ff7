"""Budget verdicts: reaching a cap is allowed, passing it is refused, warnings from 80 %."""

from decimal import Decimal

import pytest

from director.core.budget import BudgetLevel, Cap, CapKind, check_caps, judge
from director.core.errors import Refused


def money_cap(cap, spent, committed="0"):
    return Cap("shot 1A", CapKind.MONEY, Decimal(cap), Decimal(spent), Decimal(committed), "director shot set f.director 1A --budget {value}", "USD")


@pytest.mark.parametrize(
    "spent, committed, estimate, level",
    [
        ("7.99", "0", "0", BudgetLevel.OK),
        ("7.00", "0", "1.00", BudgetLevel.WARN),  # exactly 80 %
        ("9.00", "0", "1.00", BudgetLevel.WARN),  # exactly the cap
        ("9.00", "0", "1.000001", BudgetLevel.REFUSE),  # one micro-unit past it
        ("5.00", "4.50", "0.60", BudgetLevel.REFUSE),  # queued jobs count
    ],
)
def test_the_boundary_is_inclusive(spent, committed, estimate, level):
    assert judge(money_cap("10", spent, committed), Decimal(estimate)).level is level


def test_unknown_estimate_refuses_only_when_nothing_is_left():
    assert judge(money_cap("10", "9.99"), None).level is BudgetLevel.WARN
    assert judge(money_cap("10", "10"), None).level is BudgetLevel.REFUSE


def test_refusal_names_the_figures_and_how_to_raise_the_cap():
    verdict = check_caps([(money_cap("10", "9.00", "0.50"), Decimal("1.20"))])
    assert verdict.refused
    message = verdict.message()
    assert "spent 9.00 USD + queued 0.50 USD + this job ≈ 1.20 USD = 10.70 USD of 10.00 USD" in message
    assert "director shot set f.director 1A --budget 11" in message
    with pytest.raises(Refused, match="shot 1A money budget would be passed"):
        verdict.raise_if_refused()


def test_gpu_caps_speak_in_minutes_and_the_worst_line_wins():
    gpu = Cap("project", CapKind.GPU, Decimal(600), Decimal(500), Decimal(0), "director settings f.director --budget-gpu-minutes {value}")
    verdict = check_caps([(money_cap("10", "1"), Decimal("1")), (gpu, Decimal(60))])
    assert verdict.level is BudgetLevel.WARN
    assert "project GPU-time budget at 93%" in verdict.message() and "9.3 GPU min" in verdict.message()
    assert check_caps([]).level is BudgetLevel.OK and check_caps([]).message() == ""
