"""Estimates, budget caps and the forecast: what a job or the rest of the film will cost, judged
against the shot's and the project's caps before anything is queued."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from decimal import Decimal

from director.core.budget import BudgetVerdict, Cap, CapKind, check_caps
from director.core.cost import (
    from_micros,
    job_money,
    to_micros,
)
from director.core.errors import InvalidInput, NotFound
from director.core.estimate import HISTORY_LIMIT, Estimate, HistoryPoint, Workload, estimate
from director.store.project import Project
from director.store.rows import one, rows, scalar

log = logging.getLogger(__name__)


PENDING = "('queued', 'running')"


# -- estimates ---------------------------------------------------------------------------------

def preset_history(project: Project, preset: str, limit: int = HISTORY_LIMIT) -> list[HistoryPoint]:
    """The latest finished jobs of a preset with measured GPU time, newest first."""
    found = rows(
        project.db,
        "SELECT params, seeds, gpu_s, energy_wh FROM jobs WHERE preset = ? AND state = 'done' AND gpu_s > 0 "
        "ORDER BY finished_at DESC, id DESC LIMIT ?",
        [preset, int(limit)],
    )
    return [
        HistoryPoint(Workload.from_params(json.loads(r["params"] or "{}"), len(json.loads(r["seeds"] or "[]")) or 1), r["gpu_s"], r["energy_wh"])
        for r in found
    ]


def estimate_job(project: Project, preset: str, params: dict, n_variants: int) -> Estimate:
    """What a job would cost at today's prices, or an unknown estimate when the preset has no history."""
    s = project.settings()
    return estimate(
        preset,
        Workload.from_params(params, n_variants),
        preset_history(project, preset),
        price_per_gpu_hour=s.gpu_price_per_hour,
        price_per_kwh=s.energy_price_per_kwh,
        currency=s.currency,
    )


# -- budgets -----------------------------------------------------------------------------------

def _spend(project: Project, shot_id: int | None) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(money spent, money committed, GPU s spent, GPU s committed) for a shot, or the project."""
    s = project.settings()
    where, params = ("", []) if shot_id is None else (" AND shot_id = ?", [shot_id])
    done = one(
        project.db,
        f"SELECT coalesce(sum(money_micros), 0) AS m, coalesce(sum(gpu_s), 0) AS g FROM jobs "
        f"WHERE money_micros IS NOT NULL AND coalesce(currency, ?) = ?{where}",
        [s.currency, s.currency, *params],
    )
    expenses = scalar(project.db, f"SELECT coalesce(sum(amount_micros), 0) FROM expenses WHERE currency = ?{where}", [s.currency, *params])
    pending = scalar(project.db, f"SELECT coalesce(sum(estimate_gpu_s), 0) FROM jobs WHERE state IN {PENDING}{where}", params) or 0.0
    committed_money = from_micros(to_micros(job_money(pending, s.gpu_price_per_hour)))
    return (
        from_micros(done["m"] + expenses),
        committed_money,
        Decimal(repr(float(done["g"]))),
        Decimal(repr(float(pending))),
    )


def _caps(project: Project, shot_id: int | None) -> list[Cap]:
    """The caps set on a shot (or, with None, on the project) with what is spent and queued against them."""
    s = project.settings()
    name = project.path.name
    if shot_id is None:
        scope, command = "project", f"director settings {name}"
        money_cap = str(s.budget_money) if s.budget_money is not None else None
        gpu_cap = s.budget_gpu_s
    else:
        shot = one(project.db, "SELECT code, budget_money, budget_gpu_s FROM shots WHERE id = ?", [shot_id])
        if shot is None:
            raise NotFound(f"no shot with id {shot_id}")
        scope, command = f"shot {shot['code']}", f"director shot set {name} {shot['code']}"
        money_cap, gpu_cap = shot["budget_money"], shot["budget_gpu_s"]
    if money_cap is None and gpu_cap is None:
        return []
    spent_m, committed_m, spent_g, committed_g = _spend(project, shot_id)
    caps = []
    if money_cap is not None:
        caps.append(Cap(scope, CapKind.MONEY, Decimal(money_cap), spent_m, committed_m, command + " --budget {value}", s.currency))
    if gpu_cap is not None:
        caps.append(Cap(scope, CapKind.GPU, Decimal(repr(float(gpu_cap))), spent_g, committed_g, command + " --budget-gpu-minutes {value}"))
    return caps


def check_budget(project: Project, shot_id: int, estimate: Estimate) -> BudgetVerdict:
    """Judge a job on this shot against the shot's and the project's money and GPU-time caps."""
    est_money = None if estimate.money is None else from_micros(to_micros(estimate.money))
    est_gpu = None if estimate.gpu_s is None else Decimal(repr(float(estimate.gpu_s)))
    caps = _caps(project, shot_id) + _caps(project, None)
    return check_caps([(cap, est_money if cap.kind is CapKind.MONEY else est_gpu) for cap in caps])


def budget_status(project: Project) -> BudgetVerdict:
    """Every cap in the project (live shots, then the project) against what is spent and queued."""
    # Only shots that have a cap are read (one query each); a thousand uncapped shots cost nothing.
    capped = rows(
        project.db,
        "SELECT id FROM shots WHERE deleted_at IS NULL AND (budget_money IS NOT NULL OR budget_gpu_s IS NOT NULL) ORDER BY ord, id",
    )
    caps = [cap for r in capped for cap in _caps(project, r["id"])]
    caps += _caps(project, None)
    return check_caps([(cap, Decimal(0)) for cap in caps])


def preview_job(project: Project, shot_id: int, preset_id: str, params: dict, n_variants: int) -> tuple[Estimate, BudgetVerdict]:
    """The estimate and budget verdict a Generate panel or `--dry-run` shows before queueing."""
    est = estimate_job(project, preset_id, params, n_variants)
    return est, check_budget(project, shot_id, est)


def guard_job(project: Project, shot_id: int, preset_id: str, params: dict, n_variants: int) -> Estimate:
    """Call before create_job: raises Refused (with the figures and how to raise the cap) when the job
    would pass a hard cap; otherwise returns the estimate, whose gpu_s goes into estimate_gpu_s."""
    est, verdict = preview_job(project, shot_id, preset_id, params, n_variants)
    verdict.raise_if_refused()
    if verdict.message():
        log.warning("%s", verdict.message())
    return est


# -- forecast ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ShotForecast:
    shot_id: int
    shot: str
    cameras: int
    estimate: Estimate  # for every camera × the chosen variants


def forecast(project: Project, variants: int, preset: str | None = None) -> list[ShotForecast]:
    """What each remaining (draft or review) shot would cost at `variants` per camera, at today's prices.

    A shot is priced with the preset and parameters of its own latest job, else of the project's
    latest job (of `preset`, when given): the best guess of how it will be generated.
    """
    if variants < 1:
        raise InvalidInput("the forecast needs at least one variant")
    out = []
    remaining = rows(project.db, "SELECT id, code FROM shots WHERE deleted_at IS NULL AND status IN ('draft', 'review') ORDER BY ord, id")
    for shot in remaining:
        cameras = scalar(project.db, "SELECT count(*) FROM cameras WHERE shot_id = ?", [shot["id"]]) or 1
        preset_filter, params = ("", []) if preset is None else (" AND preset = ?", [preset])
        last = one(project.db, f"SELECT preset, params FROM jobs WHERE shot_id = ?{preset_filter} ORDER BY id DESC LIMIT 1", [shot["id"], *params])
        last = last or one(project.db, f"SELECT preset, params FROM jobs WHERE 1{preset_filter} ORDER BY id DESC LIMIT 1", params)
        chosen = preset or (last["preset"] if last else "(no preset yet)")
        job_params = json.loads(last["params"]) if last else {}
        out.append(ShotForecast(shot["id"], shot["code"], cameras, estimate_job(project, chosen, job_params, variants * cameras)))
    return out


def caps_for(project: Project, shot_id: int | None) -> list[Cap]:
    """The caps on a shot (or, with None, on the project) with what is spent and queued against
    them, for a caller that judges a whole batch at once (a conform: each shot's sum, the total)."""
    return _caps(project, shot_id)
