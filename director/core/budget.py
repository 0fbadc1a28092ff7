"""Budget verdicts: whether a job may be queued against the shot's and the project's caps.

A cap counts what is already spent, what queued and running jobs are expected to spend (otherwise ten
jobs queued at once would each pass a cap they pass together), and this job's estimate. Reaching a cap
exactly is allowed; passing it is refused. Warnings start at 80 % so a producer hears before the wall.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from director.core.cost import format_money
from director.core.errors import Refused

WARN_FRACTION = Decimal("0.8")


class BudgetLevel(StrEnum):
    OK = "ok"
    WARN = "warn"
    REFUSE = "refuse"


class CapKind(StrEnum):
    MONEY = "money"
    GPU = "gpu"  # GPU seconds; shown to people in minutes


@dataclass(frozen=True)
class Cap:
    """One cap with its figures. `raise_command` holds `{value}` where the suggested new cap goes."""

    scope: str  # "shot 12A" or "project"
    kind: CapKind
    cap: Decimal
    spent: Decimal
    committed: Decimal  # expected spend of queued and running jobs
    raise_command: str
    currency: str = ""


@dataclass(frozen=True)
class BudgetLine:
    cap: Cap
    estimate: Decimal | None
    level: BudgetLevel

    @property
    def total(self) -> Decimal:
        return self.cap.spent + self.cap.committed + (self.estimate or Decimal(0))

    @property
    def fraction(self) -> float:
        return float(self.total / self.cap.cap) if self.cap.cap > 0 else math.inf

    def _fmt(self, value: Decimal) -> str:
        if self.cap.kind is CapKind.MONEY:
            return format_money(value, self.cap.currency)
        return f"{float(value) / 60:.1f} GPU min"

    def suggested_cap(self) -> str:
        """The smallest round figure that lets this job through."""
        if self.cap.kind is CapKind.MONEY:
            return str(math.ceil(self.total))
        return str(math.ceil(self.total / 60))

    def describe(self) -> str:
        c = self.cap
        what = "money" if c.kind is CapKind.MONEY else "GPU-time"
        figures = f"spent {self._fmt(c.spent)} + queued {self._fmt(c.committed)}"
        if self.estimate is None:
            figures += " + this job unknown (no history yet)"
        elif self.estimate > 0:  # a status view judges with no job at all
            figures += f" + this job ≈ {self._fmt(self.estimate)}"
        figures += f" = {self._fmt(self.total)} of {self._fmt(c.cap)} ({self.fraction:.0%})"
        if self.level is BudgetLevel.REFUSE:
            return (
                f"{c.scope} {what} budget would be passed: {figures}. "
                f"Raise the cap with: {c.raise_command.format(value=self.suggested_cap())}, "
                "or queue fewer variants or steps."
            )
        return f"{c.scope} {what} budget at {self.fraction:.0%}: {figures}"


@dataclass(frozen=True)
class BudgetVerdict:
    lines: tuple[BudgetLine, ...]

    @property
    def level(self) -> BudgetLevel:
        levels = {line.level for line in self.lines}
        for level in (BudgetLevel.REFUSE, BudgetLevel.WARN):
            if level in levels:
                return level
        return BudgetLevel.OK

    @property
    def refused(self) -> bool:
        return self.level is BudgetLevel.REFUSE

    def message(self) -> str:
        """The lines worth telling a person: refusals, else warnings; empty when all is well."""
        worst = [line for line in self.lines if line.level is self.level and line.level is not BudgetLevel.OK]
        return "\n".join(line.describe() for line in worst)

    def raise_if_refused(self) -> None:
        if self.refused:
            raise Refused(self.message())


def judge(cap: Cap, estimate: Decimal | None) -> BudgetLine:
    """Refuse past the cap; with no estimate, refuse once nothing is left (any job costs something)."""
    so_far = cap.spent + cap.committed
    if estimate is None:
        refused = so_far >= cap.cap
        total = so_far
    else:
        total = so_far + estimate
        refused = total > cap.cap
    if refused:
        level = BudgetLevel.REFUSE
    elif total >= cap.cap * WARN_FRACTION:
        level = BudgetLevel.WARN
    else:
        level = BudgetLevel.OK
    return BudgetLine(cap, estimate, level)


def check_caps(caps: list[tuple[Cap, Decimal | None]]) -> BudgetVerdict:
    """Judge every cap against this job's estimate in that cap's unit."""
    return BudgetVerdict(tuple(judge(cap, est) for cap, est in caps))
