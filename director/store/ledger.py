"""The cost ledger: what each job and expense cost, spend per shot, grouped reports, totals and yield.
Expenses, human-time corrections and budgets/estimates live beside it (store.expenses, store.timelog,
store.budget).

Money is read as stored (integer micro-units with the prices in force when the job ran), never
recomputed from today's prices, so changing a price never rewrites history. Totals are summed by SQL
separately from the rows, so every report can be checked against them.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import groupby
from typing import Iterable

from director.core.cost import (
    NONE_LABEL,
    CostRow,
    GroupRow,
    Totals,
    from_micros,
    group_rows,
    split_evenly,
)
from director.core.errors import InvalidInput
from director.store import cost_series, timelog
from director.store.project import Project
from director.store.rows import one, rows, scalar

log = logging.getLogger(__name__)



# -- rows and totals ---------------------------------------------------------------------------

def cost_rows(project: Project, shot_id: int | None = None) -> list[CostRow]:
    """Every metered job and every expense, oldest first. Jobs that never ran (no money) are not costs."""
    where, params = "", []
    if shot_id is not None:
        where, params = " AND j.shot_id = ?", [shot_id]
    jobs = rows(
        project.db,
        "SELECT j.*, s.code AS shot_code, sc.code AS scene_code, c.name AS camera_name, p.version AS prompt_version "
        "FROM jobs j JOIN shots s ON s.id = j.shot_id LEFT JOIN scenes sc ON sc.id = s.scene_id "
        "LEFT JOIN cameras c ON c.id = j.camera_id LEFT JOIN prompts p ON p.id = j.prompt_id "
        f"WHERE j.money_micros IS NOT NULL{where}",
        params,
    )
    currency = project.settings().currency  # once, not once per job row with no currency of its own
    out = [
        CostRow(
            kind="job",
            id=r["id"],
            when=r["finished_at"] or r["created_at"],
            shot_id=r["shot_id"],
            shot=r["shot_code"],
            scene=r["scene_code"] or "",
            money_micros=r["money_micros"],
            currency=r["currency"] or currency,
            camera=r["camera_name"] or "",
            prompt_version=r["prompt_version"],
            preset=r["preset"],
            seeds=tuple(json.loads(r["seeds"] or "[]")),
            state=r["state"],
            load_s=r["load_s"],
            gpu_s=r["gpu_s"],
            wall_s=r["wall_s"],
            energy_wh=r["energy_wh"],
            peak_mem_bytes=r["peak_mem_bytes"],
            gpu_price_per_hour=r["gpu_price_per_hour"],
            energy_price_per_kwh=r["energy_price_per_kwh"],
            estimate_gpu_s=r["estimate_gpu_s"],
            estimate_error=r.get("estimate_error"),
            note=r["error"] or "",
        )
        for r in jobs
    ]
    where = "" if shot_id is None else " WHERE e.shot_id = ?"
    expenses = rows(
        project.db,
        "SELECT e.*, s.code AS shot_code, sc.code AS scene_code FROM expenses e "
        f"LEFT JOIN shots s ON s.id = e.shot_id LEFT JOIN scenes sc ON sc.id = s.scene_id{where}",
        params,
    )
    out += [
        CostRow(
            kind="expense",
            id=r["id"],
            when=r["created_at"],
            shot_id=r["shot_id"],
            shot=r["shot_code"] or "",
            scene=r["scene_code"] or "",
            money_micros=r["amount_micros"],
            currency=r["currency"],
            note=r["note"],
        )
        for r in expenses
    ]
    return sorted(out, key=lambda r: (r.when, r.kind != "job", r.id))


def spend_by_shot(project: Project, shot_ids: Iterable[int] | None = None) -> dict[int, Decimal]:
    """Money spent per shot in the project's currency: its jobs plus its expenses. The one rule for
    'spent' that the shot list, the storyboard, the Costs panel and `report costs --by shot` share;
    amounts in another currency are reported apart by `totals`, never added in."""
    currency = project.settings().currency
    ids = None if shot_ids is None else list(shot_ids)
    where = "" if ids is None else f" AND shot_id IN ({', '.join('?' * len(ids))})" if ids else " AND 0"
    found = rows(
        project.db,
        "SELECT shot_id, sum(m) AS m FROM ("
        f"SELECT shot_id, money_micros AS m FROM jobs WHERE money_micros IS NOT NULL AND coalesce(currency, ?) = ?{where} "
        f"UNION ALL SELECT shot_id, amount_micros FROM expenses WHERE currency = ?{where}"
        ") WHERE shot_id IS NOT NULL GROUP BY shot_id",
        [currency, currency, *(ids or []), currency, *(ids or [])],
    )
    return {r["shot_id"]: from_micros(int(r["m"])) for r in found}


def take_money(project: Project, take_ids: Iterable[int]) -> dict[int, Decimal]:
    """What each take cost in the project's currency: its job's money split evenly over every take
    the job made (binned ones too), the split `_rejected_shares` and take info use. A take whose
    job never ran for money, or ran in another currency, is left out."""
    ids = sorted(set(take_ids))
    if not ids:
        return {}
    currency = project.settings().currency
    found = rows(
        project.db,
        "SELECT j.id AS job_id, j.money_micros, t.id AS take_id FROM jobs j JOIN takes t ON t.job_id = j.id "
        f"WHERE j.money_micros IS NOT NULL AND coalesce(j.currency, ?) = ? AND j.id IN "
        f"(SELECT job_id FROM takes WHERE id IN ({', '.join('?' * len(ids))})) ORDER BY j.id, t.variant, t.id",
        [currency, currency, *ids],
    )
    wanted, out = set(ids), {}
    for _, group in groupby(found, key=lambda r: r["job_id"]):
        takes = list(group)
        for share, t in zip(split_evenly(takes[0]["money_micros"], len(takes)), takes):
            if t["take_id"] in wanted:
                out[t["take_id"]] = from_micros(share)
    return out


_GROUP_EXPR = {
    "shot": ("s.code", "s.code"),
    "scene": ("sc.code", "sc.code"),
    "camera": ("c.name", "NULL"),
    "preset": ("j.preset", "NULL"),
}


def group_totals(project: Project, by: str) -> list[GroupRow]:
    """The ledger grouped by shot, scene, camera or preset, summed in SQL: what `group_rows` makes from
    every row, without building a Python object per job (1.6 s at 50,000 jobs). Same groups, same
    order (first seen, '—' last), same money rule (the project currency only). Days are grouped in
    local time, so 'day' stays with `group_rows`."""
    if by not in _GROUP_EXPR:
        raise InvalidInput(f"group_totals groups by {', '.join(_GROUP_EXPR)}; got {by!r}")
    currency = project.settings().currency
    job_key, expense_key = _GROUP_EXPR[by]
    groups: dict[str, GroupRow] = {}
    first_seen: dict[str, tuple[int, str]] = {}  # costs before time entries, as group_rows sees them

    def get(key: str | None, when: str | None, phase: int = 0) -> GroupRow:
        key = key or NONE_LABEL
        if key not in groups:
            groups[key] = GroupRow(key)
        if when is not None and (key not in first_seen or (phase, when) < first_seen[key]):
            first_seen[key] = (phase, when)
        return groups[key]

    sums = (
        "min(coalesce(j.finished_at, j.created_at)) AS first, count(*) AS n, coalesce(sum(j.gpu_s), 0) AS g, "
        "coalesce(sum(j.wall_s), 0) AS w, coalesce(sum(j.energy_wh), 0) AS e, "
        "coalesce(sum(CASE WHEN coalesce(j.currency, ?) = ? THEN j.money_micros END), 0) AS m"
    )
    if by in ("shot", "scene"):
        # Sum each shot's jobs first (the covering index jobs_cost_by_shot answers it without the
        # table), then join the few thousand shots: 6x faster than joining every job at 20,000 takes.
        job_sql = (
            f"SELECT {job_key} AS k, min(j.first) AS first, sum(j.n) AS n, sum(j.g) AS g, sum(j.w) AS w, "
            f"sum(j.e) AS e, sum(j.m) AS m FROM (SELECT j.shot_id, {sums} FROM jobs j "
            "WHERE j.money_micros IS NOT NULL GROUP BY j.shot_id) j "
            f"JOIN shots s ON s.id = j.shot_id LEFT JOIN scenes sc ON sc.id = s.scene_id GROUP BY {job_key}"
        )
    else:
        job_sql = (
            f"SELECT {job_key} AS k, {sums} FROM jobs j JOIN shots s ON s.id = j.shot_id "
            f"LEFT JOIN cameras c ON c.id = j.camera_id WHERE j.money_micros IS NOT NULL GROUP BY {job_key}"
        )
    for r in rows(project.db, job_sql, [currency, currency]):
        g = get(r["k"], r["first"])
        g.jobs += r["n"]
        g.gpu_s += r["g"]
        g.wall_s += r["w"]
        g.energy_wh += r["e"]
        g.job_micros += int(r["m"])
    for r in rows(
        project.db,
        f"SELECT {expense_key} AS k, min(e.created_at) AS first, "
        "coalesce(sum(CASE WHEN e.currency = ? THEN e.amount_micros END), 0) AS m "
        f"FROM expenses e LEFT JOIN shots s ON s.id = e.shot_id LEFT JOIN scenes sc ON sc.id = s.scene_id GROUP BY {expense_key}",
        [currency],
    ):
        get(r["k"], r["first"]).expense_micros += int(r["m"])
    if by in ("shot", "scene"):
        for r in rows(
            project.db,
            f"SELECT {expense_key} AS k, min(t.started_at) AS first, coalesce(sum(t.seconds), 0) AS h "
            f"FROM time_log t LEFT JOIN shots s ON s.id = t.shot_id LEFT JOIN scenes sc ON sc.id = s.scene_id GROUP BY {expense_key}",
        ):
            get(r["k"], r["first"], 1).human_s += r["h"]
    else:  # time entries have no camera or preset
        human = scalar(project.db, "SELECT coalesce(sum(seconds), 0) FROM time_log") or 0
        if human:
            get(None, None).human_s += human
    order = sorted(groups.values(), key=lambda g: (g.key == NONE_LABEL, first_seen.get(g.key, (2, ""))))
    return order


def grouped(project: Project, by: str) -> list[GroupRow]:
    """The ledger grouped for a report or the Costs panel, summed in SQL (by day: `cost_series`, held
    equal to grouping every row by tests/store/test_window_scale_reads.py)."""
    if by in _GROUP_EXPR:
        return group_totals(project, by)
    if by == "day":
        return cost_series.grouped_by_day(project)
    return group_rows(cost_rows(project), timelog.time_rows(project), by, project.settings().currency)


def totals(project: Project) -> Totals:
    """The whole project's figures, summed in SQL (money in the project currency; others apart)."""
    currency = project.settings().currency
    db = project.db
    j = one(
        db,
        "SELECT count(*) AS n, coalesce(sum(load_s), 0) AS load_s, coalesce(sum(gpu_s), 0) AS gpu_s, "
        "coalesce(sum(wall_s), 0) AS wall_s, coalesce(sum(energy_wh), 0) AS energy_wh, "
        "coalesce(sum(CASE WHEN coalesce(currency, ?) = ? THEN money_micros END), 0) AS micros "
        "FROM jobs WHERE money_micros IS NOT NULL",
        [currency, currency],
    )
    # A final is a job a conform queued, or one whose recipe asked for final quality (a promote).
    final_micros = scalar(
        db,
        "SELECT coalesce(sum(money_micros), 0) FROM jobs WHERE money_micros IS NOT NULL AND coalesce(currency, ?) = ? "
        "AND (id IN (SELECT job_id FROM finals) OR (recipe IS NOT NULL AND json_extract(recipe, '$.quality') = 'final'))",
        [currency, currency],
    )
    expense_micros = scalar(db, "SELECT coalesce(sum(amount_micros), 0) FROM expenses WHERE currency = ?", [currency])
    other: dict[str, int] = {}
    for r in rows(
        db,
        "SELECT currency, sum(m) AS m FROM (SELECT currency, money_micros AS m FROM jobs WHERE money_micros IS NOT NULL "
        "AND currency IS NOT NULL AND currency != ? UNION ALL SELECT currency, amount_micros FROM expenses WHERE currency != ?) "
        "GROUP BY currency ORDER BY currency",
        [currency, currency],
    ):
        other[r["currency"]] = int(r["m"])
    t = one(
        db,
        "SELECT coalesce(sum(seconds), 0) AS s, coalesce(sum(CASE WHEN source = 'auto' THEN seconds END), 0) AS a, "
        "coalesce(sum(CASE WHEN source = 'manual' THEN seconds END), 0) AS m FROM time_log",
    )
    return Totals(
        currency=currency,
        jobs=j["n"],
        load_s=j["load_s"],
        gpu_s=j["gpu_s"],
        wall_s=j["wall_s"],
        energy_wh=j["energy_wh"],
        job_micros=int(j["micros"]),
        expense_micros=int(expense_micros),
        human_s=t["s"],
        auto_s=t["a"],
        manual_s=t["m"],
        other=other,
        final_micros=int(final_micros or 0),
    )


# -- yield -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Yield:
    """How much generation it took to get usable screen time, for one shot or the project."""

    scope: str
    takes: int
    selected: int
    rejected: int
    gpu_s: float
    money_micros: int
    rejected_micros: int
    approved_s: Fraction
    currency: str

    @property
    def money(self) -> Decimal:
        return from_micros(self.money_micros)

    @property
    def rejected_money(self) -> Decimal:
        return from_micros(self.rejected_micros)

    @property
    def takes_per_selected(self) -> float | None:
        return self.takes / self.selected if self.selected else None

    @property
    def money_per_approved_s(self) -> Decimal | None:
        return self.money / Decimal(self.approved_s.numerator) * Decimal(self.approved_s.denominator) if self.approved_s else None

    @property
    def gpu_min_per_approved_s(self) -> float | None:
        return self.gpu_s / 60 / float(self.approved_s) if self.approved_s else None


def _rejected_shares(project: Project, currency: str) -> dict[int, int]:
    """Money on rejected takes per shot: each job's money split evenly over all the takes it made.

    One query for all jobs (not one per job): a project with tens of thousands of jobs stays quick.
    """
    out: dict[int, int] = {}
    found = rows(
        project.db,
        "SELECT j.id, j.shot_id, j.money_micros, t.flag FROM jobs j JOIN takes t ON t.job_id = j.id "
        "WHERE j.money_micros IS NOT NULL AND coalesce(j.currency, ?) = ? ORDER BY j.id, t.variant, t.id",
        [currency, currency],
    )
    for _, group in groupby(found, key=lambda r: r["id"]):
        takes = list(group)
        shares = split_evenly(takes[0]["money_micros"], len(takes))
        rejected = sum(share for share, t in zip(shares, takes) if t["flag"] == "rejected")
        out[takes[0]["shot_id"]] = out.get(takes[0]["shot_id"], 0) + rejected
    return out


def shot_yields(project: Project) -> list[Yield]:
    """One yield per live shot, in shot order. Approved screen time is the target duration of
    approved and locked shots: what the edit will actually use.

    Four grouped queries whatever the number of shots (it was three queries per shot: 3,000 round
    trips for a feature film on every refresh of the Costs panel)."""
    return _shot_yields(project, _rejected_shares(project, project.settings().currency))


def _shot_yields(project: Project, rejected: dict[int, int]) -> list[Yield]:
    """`shot_yields` with the rejected takes' money per shot already read (`project_yield` needs
    those shares for every shot, binned ones too, so it reads them once for both)."""
    s = project.settings()
    take_counts = {
        r["shot_id"]: r
        for r in rows(
            project.db,
            "SELECT shot_id, count(*) AS n, coalesce(sum(flag = 'selected'), 0) AS sel, coalesce(sum(flag = 'rejected'), 0) AS rej "
            "FROM takes WHERE deleted_at IS NULL GROUP BY shot_id",
        )
    }
    job_money = {
        r["shot_id"]: r
        for r in rows(
            project.db,
            "SELECT shot_id, coalesce(sum(money_micros), 0) AS m, coalesce(sum(gpu_s), 0) AS g FROM jobs "
            "WHERE money_micros IS NOT NULL AND coalesce(currency, ?) = ? GROUP BY shot_id",
            [s.currency, s.currency],
        )
    }
    expenses = {
        r["shot_id"]: r["m"]
        for r in rows(project.db, "SELECT shot_id, coalesce(sum(amount_micros), 0) AS m FROM expenses WHERE currency = ? GROUP BY shot_id", [s.currency])
    }
    none = {"n": 0, "sel": 0, "rej": 0, "m": 0, "g": 0.0}
    out = []
    for shot in rows(project.db, "SELECT id, code, status, target_frames FROM shots WHERE deleted_at IS NULL ORDER BY ord, id"):
        sid = shot["id"]
        takes, money = take_counts.get(sid, none), job_money.get(sid, none)
        approved = s.rate.seconds(shot["target_frames"]) if shot["status"] in ("approved", "locked") else Fraction(0)
        out.append(Yield(shot["code"], takes["n"], takes["sel"], takes["rej"], money["g"], money["m"] + expenses.get(sid, 0), rejected.get(sid, 0), approved, s.currency))
    return out


def project_yield(project: Project) -> Yield:
    """The project's yield over everything spent, including shots in the bin and project-wide expenses."""
    s = project.settings()
    t = totals(project)
    rejected = _rejected_shares(project, s.currency)
    per_shot = _shot_yields(project, rejected)
    return Yield(
        "project",
        takes=sum(y.takes for y in per_shot),
        selected=sum(y.selected for y in per_shot),
        rejected=sum(y.rejected for y in per_shot),
        gpu_s=t.gpu_s,
        money_micros=t.money_micros,
        rejected_micros=sum(rejected.values()),
        approved_s=sum((y.approved_s for y in per_shot), Fraction(0)),
        currency=s.currency,
    )
