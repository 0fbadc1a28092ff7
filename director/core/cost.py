"""Money from measured GPU time and energy, in Decimal, stored as integer micro-units.

Micro-units keep SQL sums exact (a float sum of cents drifts); Decimal keeps the arithmetic exact.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

MICROS = Decimal(1_000_000)
CENT = Decimal("0.01")


def job_money(gpu_s: float, price_per_gpu_hour: Decimal, energy_wh: float | None = None, price_per_kwh: Decimal | None = None) -> Decimal:
    """GPU hours × price per GPU hour, plus energy × energy price where both are known."""
    money = Decimal(repr(float(gpu_s))) / Decimal(3600) * price_per_gpu_hour
    if energy_wh is not None and price_per_kwh is not None:
        money += Decimal(repr(float(energy_wh))) / Decimal(1000) * price_per_kwh
    return money


def to_micros(amount: Decimal) -> int:
    return int((amount * MICROS).to_integral_value(rounding=ROUND_HALF_EVEN))


def from_micros(micros: int | None) -> Decimal:
    return Decimal(micros or 0) / MICROS


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def format_money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return "—"
    small = Decimal("0.01") > abs(amount) > 0
    text = f"{amount:.4f}" if small else f"{cents(amount):,.2f}"
    return f"{text} {currency}"
