"""Money from measured GPU time and energy, in Decimal, stored as integer micro-units.

Micro-units keep SQL sums exact (a float sum of cents drifts); Decimal keeps the arithmetic exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

MICROS = Decimal(1_000_000)
CENT = Decimal("0.01")


def job_money(gpu_s: float, price_per_gpu_hour: Decimal, energy_wh: float | None = None, price_per_kwh: Decimal | None = None) -> Decimal:
    """GPU hours × price per GPU hour, plus energy × energy price where both are known."""
    # Multiply before dividing: 80 s × 3.60 / 3600 is exactly 0.08, while 80 / 3600 × 3.60 is not.
    money = Decimal(repr(float(gpu_s))) * price_per_gpu_hour / Decimal(3600)
    if energy_wh is not None and price_per_kwh is not None:
        money += Decimal(repr(float(energy_wh))) * price_per_kwh / Decimal(1000)
    return money


def to_micros(amount: Decimal) -> int:
    return int((amount * MICROS).to_integral_value(rounding=ROUND_HALF_EVEN))


def from_micros(micros: int | None) -> Decimal:
    return Decimal(micros or 0) / MICROS


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


# ISO 4217 minor units where they are not 2: yen have no cents, dinars have fils.
CURRENCY_DECIMALS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0,
    "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}


def currency_decimals(currency: str) -> int:
    """Decimal places a currency is written with (ISO 4217 minor units; 2 when not listed)."""
    return CURRENCY_DECIMALS.get((currency or "").strip().upper(), 2)


def format_money(amount: Decimal | None, currency: str) -> str:
    """The one way money reads to a person, in every panel, export and command: the currency's
    decimals (rounded half-even), thousands separated, the code after ('1,234.50 USD', '1,235
    JPY'). An amount under one minor unit shows two more places, so a sub-cent job never reads as
    free ('0.0036 USD'). Files read by machines keep every micro-unit instead (`money_text`)."""
    if amount is None:
        return "—"
    amount = Decimal(amount)
    places = currency_decimals(currency)
    unit = Decimal(1).scaleb(-places)
    if unit > abs(amount) > 0:
        places += 2
        unit = Decimal(1).scaleb(-places)
    text = f"{amount.quantize(unit, rounding=ROUND_HALF_EVEN):,.{places}f}"
    return f"{text} {currency}"


# Money is exact: integer micro-units in SQLite's 64-bit integers. Amounts above these bounds are
# refused rather than stored: a typo such as 1e400 once overflowed the next job's cost and left
# it 'running' for good.
MAX_MONEY = Decimal(1_000_000_000_000)  # one trillion in the project's currency; 10^18 micros < 2^63
MAX_PRICE_PER_GPU_HOUR = Decimal(10_000)
MAX_PRICE_PER_KWH = Decimal(1_000)
MAX_GPU_BUDGET_S = 10**9  # about 31 GPU-years


def _number(text, what: str, example: str) -> Decimal:
    from director.core.errors import InvalidInput

    try:
        amount = Decimal(str(text).strip())
    except Exception:
        raise InvalidInput(f"{what} must be a number like {example}, got {text!r}") from None
    if amount.is_nan():
        raise InvalidInput(f"{what} must be a number like {example}, got {text!r}")
    return amount


def _bounded(amount: Decimal, what: str, text, low: Decimal, high: Decimal, *, low_open: bool = False) -> Decimal:
    from director.core.errors import InvalidInput

    too_low = amount <= low if low_open else amount < low
    if too_low or amount > high or not amount.is_finite():
        nearest = high if (amount > high or amount == Decimal("Infinity")) else (Decimal("0.01") if low_open else low)
        rule = f"more than {low}" if low_open else f"{low} or more"
        raise InvalidInput(f"{what} must be {rule} and at most {high:,}, got {text!r}; nearest valid: {nearest}")
    return amount


def parse_money(text: str | Decimal | int, what: str = "amount") -> Decimal:
    """A user-typed amount ('12.50'; '12,50' is refused) as an exact Decimal from 0 to MAX_MONEY."""
    return _bounded(_number(text, what, "12.50"), what, text, Decimal(0), MAX_MONEY)


def parse_price(text, what: str = "GPU price per hour", maximum: Decimal = MAX_PRICE_PER_GPU_HOUR) -> Decimal:
    """A price: zero (your own hardware) or more, up to a stated maximum."""
    return _bounded(_number(text, what, "2.50"), what, text, Decimal(0), maximum)


def parse_budget(text, what: str = "budget") -> Decimal:
    """A money budget must be above zero (clear it instead of setting 0) and at most MAX_MONEY."""
    return _bounded(_number(text, what, "500"), what, text, Decimal(0), MAX_MONEY, low_open=True)


def parse_gpu_budget_s(seconds, what: str = "GPU budget") -> float:
    """A GPU-time budget in seconds: above zero, finite, at most MAX_GPU_BUDGET_S."""
    amount = _bounded(_number(seconds, what, "600"), what, seconds, Decimal(0), Decimal(MAX_GPU_BUDGET_S), low_open=True)
    return float(amount)


def split_evenly(micros: int, parts: int) -> list[int]:
    """Share an amount over `parts` takes so the shares add up to it exactly.

    The first `micros % parts` shares get one micro-unit more: reports that sum shares (money on
    rejected takes) then reconcile with the ledger to the micro-unit.
    """
    if parts <= 0:
        return []
    base, extra = divmod(int(micros), parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def money_text(amount: Decimal) -> str:
    """Money for machine-read exports: every micro-unit kept, so summing rows gives the total."""
    return f"{amount.quantize(Decimal('0.000001'), rounding=ROUND_HALF_EVEN):f}"


def gpu_minutes(gpu_s: float | None) -> float:
    return (gpu_s or 0.0) / 60.0


# -- the ledger's rows and their grouping ------------------------------------------------------

GROUPINGS = ("shot", "scene", "camera", "preset", "day")
NONE_LABEL = "—"


def local_day(iso_utc: str) -> str:
    """The user's calendar day of a UTC timestamp: a producer's 'what did Tuesday cost'."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(iso_utc).astimezone().date().isoformat()
    except (TypeError, ValueError):
        return (iso_utc or "")[:10]


@dataclass(frozen=True)
class CostRow:
    """One line of the money ledger: a metered job, or a manual expense (kind 'expense')."""

    kind: str
    id: int
    when: str
    shot_id: int | None
    shot: str
    scene: str
    money_micros: int
    currency: str
    camera: str = ""
    prompt_version: int | None = None
    preset: str = ""
    seeds: tuple[int, ...] = ()
    state: str = ""
    load_s: float | None = None
    gpu_s: float | None = None
    wall_s: float | None = None
    energy_wh: float | None = None
    peak_mem_bytes: int | None = None
    gpu_price_per_hour: str | None = None
    energy_price_per_kwh: str | None = None
    estimate_gpu_s: float | None = None
    estimate_error: float | None = None
    note: str = ""

    @property
    def money(self) -> Decimal:
        return from_micros(self.money_micros)

    @property
    def day(self) -> str:
        return local_day(self.when)


@dataclass(frozen=True)
class TimeRow:
    """One human-time entry, automatic or manual."""

    id: int
    when: str
    shot_id: int | None
    shot: str
    scene: str
    seconds: float
    source: str
    note: str = ""

    @property
    def day(self) -> str:
        return local_day(self.when)


class JobsPlusExpenses:
    """Money of a group or a total: generation (jobs) plus manual expenses, in micro-units."""

    job_micros: int
    expense_micros: int

    @property
    def money_micros(self) -> int:
        return self.job_micros + self.expense_micros

    @property
    def money(self) -> Decimal:
        return from_micros(self.money_micros)


@dataclass
class GroupRow(JobsPlusExpenses):
    """Sums for one group (a shot, a scene, a camera letter, a preset or a day), in one currency."""

    key: str
    jobs: int = 0
    gpu_s: float = 0.0
    wall_s: float = 0.0
    energy_wh: float = 0.0
    job_micros: int = 0
    expense_micros: int = 0
    human_s: float = 0.0


def group_key(row: CostRow | TimeRow, by: str) -> str:
    """The label a row is grouped under; rows without that dimension (an expense has no camera) go under '—'."""
    if by == "shot":
        return row.shot or NONE_LABEL
    if by == "scene":
        return row.scene or NONE_LABEL
    if by == "day":
        return row.day
    if by == "camera":
        return getattr(row, "camera", "") or NONE_LABEL
    if by == "preset":
        return getattr(row, "preset", "") or NONE_LABEL
    raise ValueError(f"unknown grouping {by!r}; use one of: {', '.join(GROUPINGS)}")


def group_rows(cost_rows: list[CostRow], time_rows: list[TimeRow], by: str, currency: str) -> list[GroupRow]:
    """Sum rows per group, in first-seen order. Money in other currencies is left to `Totals.other`."""
    groups: dict[str, GroupRow] = {}

    def get(key: str) -> GroupRow:
        if key not in groups:
            groups[key] = GroupRow(key)
        return groups[key]

    for r in cost_rows:
        g = get(group_key(r, by))
        if r.kind == "job":
            g.jobs += 1
            g.gpu_s += r.gpu_s or 0.0
            g.wall_s += r.wall_s or 0.0
            g.energy_wh += r.energy_wh or 0.0
            if r.currency == currency:
                g.job_micros += r.money_micros
        elif r.currency == currency:
            g.expense_micros += r.money_micros
    for t in time_rows:
        get(group_key(t, by)).human_s += t.seconds
    ordered = sorted(groups.values(), key=lambda g: (g.key == NONE_LABEL, g.key) if by == "day" else (g.key == NONE_LABEL,))
    return ordered


@dataclass(frozen=True)
class Totals(JobsPlusExpenses):
    """The ledger's totals, summed by SQL independently of the rows so reports can be reconciled."""

    currency: str
    jobs: int
    load_s: float
    gpu_s: float
    wall_s: float
    energy_wh: float
    job_micros: int
    expense_micros: int
    human_s: float
    auto_s: float
    manual_s: float
    other: dict[str, int] = field(default_factory=dict)  # money_micros in other currencies
    final_micros: int = 0  # of job_micros: final renders (a conform's or a promote's), against drafts

    @property
    def draft_micros(self) -> int:
        return self.job_micros - self.final_micros

