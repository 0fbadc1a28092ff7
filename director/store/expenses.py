"""Manual expenses (a cloud render, a licence): money spent outside the GPU, per shot or project-wide."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from director.core.changes import Changes
from director.core.cost import (
    from_micros,
    parse_money,
    to_micros,
)
from director.core.errors import InvalidInput, NotFound
from director.store.project import Project, utc_now
from director.store.rows import rows, scalar

log = logging.getLogger(__name__)


# -- expenses ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Expense:
    id: int
    shot_id: int | None
    amount: Decimal
    currency: str
    note: str
    created_at: str


def add_expense(project: Project, shot_id: int | None, amount: str | Decimal, *, currency: str | None = None, note: str = "") -> tuple[int, Changes]:
    """A manual cost (a cloud render, a licence) on a shot, or on the project when shot_id is None."""
    value = parse_money(amount, "an expense")
    if value == 0:
        raise InvalidInput("an expense must be more than zero")
    code = (currency or project.settings().currency).strip().upper()
    if not (len(code) == 3 and code.isalpha()):
        raise InvalidInput(f"currency must be a three-letter code like USD or EUR, got {currency!r}")
    if shot_id is not None and scalar(project.db, "SELECT 1 FROM shots WHERE id = ?", [shot_id]) is None:
        raise NotFound(f"no shot with id {shot_id}")
    with project.atomic() as db:
        expense_id = db["expenses"].insert(
            {"shot_id": shot_id, "amount_micros": to_micros(value), "currency": code, "note": note.strip(), "created_at": utc_now()}
        ).last_pk
    return int(expense_id), Changes(costs=True)


def list_expenses(project: Project, shot_id: int | None = None) -> list[Expense]:
    sql, params = "SELECT * FROM expenses", []
    if shot_id is not None:
        sql, params = sql + " WHERE shot_id = ?", [shot_id]
    return [
        Expense(r["id"], r["shot_id"], from_micros(r["amount_micros"]), r["currency"], r["note"], r["created_at"])
        for r in rows(project.db, sql + " ORDER BY created_at, id", params)
    ]


def delete_expense(project: Project, expense_id: int) -> Changes:
    """Expenses are typed by hand, so a typo must be removable (unlike metered jobs)."""
    with project.atomic() as db:
        if db.execute("DELETE FROM expenses WHERE id = ?", [expense_id]).rowcount != 1:
            raise NotFound(f"no expense {expense_id}; list them with: director expense list {project.path.name}")
    return Changes(costs=True)
