"""The durable generation queue: jobs with explicit states (InvokeAI's session queue).

The project file is the queue: pending jobs survive a restart, and a job's figures and money are
written once, with the prices in force when it ran, so later price changes do not rewrite history.
"""

from __future__ import annotations

import json
from decimal import Decimal

from director.core.changes import Changes
from director.core.cost import from_micros, job_money, to_micros
from director.core.enums import FailureKind, JobState
from director.core.estimate import estimate_error
from director.core.errors import InvalidInput, NotFound, Refused
from director.core.model import Job
from director.core.recipe import Recipe, RunFacts
from director.store.project import Project, utc_now
from director.store.rows import one, rows, scalar

METER_COLUMNS = ("load_s", "gpu_s", "wall_s", "energy_wh", "peak_mem_bytes", "device", "node", "model_revision")


def _job(r: dict) -> Job:
    return Job(
        id=r["id"],
        shot_id=r["shot_id"],
        camera_id=r["camera_id"],
        prompt_id=r["prompt_id"],
        preset=r["preset"],
        params=json.loads(r["params"]),
        seeds=json.loads(r["seeds"]),
        state=JobState(r["state"]),
        queue_order=r["queue_order"],
        parent_take_id=r["parent_take_id"],
        created_at=r["created_at"],
        started_at=r["started_at"],
        finished_at=r["finished_at"],
        load_s=r["load_s"],
        gpu_s=r["gpu_s"],
        wall_s=r["wall_s"],
        energy_wh=r["energy_wh"],
        peak_mem_bytes=r["peak_mem_bytes"],
        money=from_micros(r["money_micros"]) if r["money_micros"] is not None else None,
        estimate_gpu_s=r["estimate_gpu_s"],
        error_kind=FailureKind(r["error_kind"]) if r["error_kind"] else None,
        error=r["error"],
        node=r["node"],
        device=r["device"],
        model_revision=r["model_revision"],
    )


def get_job(project: Project, job_id: int) -> Job:
    r = one(project.db, "SELECT * FROM jobs WHERE id = ?", [job_id])
    if r is None:
        raise NotFound(f"no job {job_id}; list them with: director queue list {project.path.name}")
    return _job(r)


def list_jobs(project: Project, *, states: tuple[JobState, ...] | None = None, shot_id: int | None = None, limit: int | None = None) -> list[Job]:
    where, params = [], []
    if states:
        where.append(f"state IN ({','.join('?' * len(states))})")
        params.extend(s.value for s in states)
    if shot_id is not None:
        where.append("shot_id = ?")
        params.append(shot_id)
    sql = "SELECT * FROM jobs"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY CASE state WHEN 'running' THEN 0 WHEN 'queued' THEN 1 ELSE 2 END, "
    sql += "CASE WHEN state = 'queued' THEN queue_order END, id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [_job(r) for r in rows(project.db, sql, params)]


def create_job(
    project: Project,
    *,
    shot_id: int,
    camera_id: int | None,
    prompt_id: int | None,
    preset: str,
    params: dict,
    seeds: list[int],
    parent_take_id: int | None = None,
    estimate_gpu_s: float | None = None,
    recipe: Recipe | None = None,
) -> tuple[int, Changes]:
    """Queue a job whose parameters the engine's presets already validated, with its recipe."""
    shot = one(project.db, "SELECT code, status, deleted_at FROM shots WHERE id = ?", [shot_id])
    if shot is None or shot["deleted_at"]:
        raise NotFound(f"no live shot with id {shot_id}")
    if shot["status"] == "locked":
        raise Refused(f"shot {shot['code']} is locked: no new jobs. Set its status to approved to unlock it.")
    if not seeds:
        raise InvalidInput("a job needs at least one seed (one per variant)")
    with project.atomic() as db:
        order = (scalar(db, "SELECT max(queue_order) FROM jobs WHERE state = 'queued'") or 0) + 1
        job_id = db["jobs"].insert(
            {
                "shot_id": shot_id,
                "camera_id": camera_id,
                "prompt_id": prompt_id,
                "preset": preset,
                "params": json.dumps(params, sort_keys=True),
                "seeds": json.dumps([int(s) for s in seeds]),
                "state": JobState.QUEUED.value,
                "queue_order": order,
                "parent_take_id": parent_take_id,
                "estimate_gpu_s": estimate_gpu_s,
                "recipe": recipe.to_json() if recipe is not None else None,
                "created_at": utc_now(),
            }
        ).last_pk
    return int(job_id), Changes.of(jobs=[job_id])


def record_run_facts(project: Project, job_id: int, facts: RunFacts) -> None:
    """What the worker ran (device, scheduler, weights, options, versions); written once."""
    with project.atomic() as db:
        db.execute("UPDATE jobs SET run_facts = ? WHERE id = ? AND run_facts IS NULL", [facts.to_json(), job_id])


def job_recipe(project: Project, job_id: int) -> Recipe | None:
    """The job's recorded recipe, or None for a job queued before recipes were recorded."""
    r = one(project.db, "SELECT recipe, run_facts FROM jobs WHERE id = ?", [job_id])
    if r is None:
        raise NotFound(f"no job {job_id}")
    return Recipe.from_json(r["recipe"], r["run_facts"]) if r["recipe"] else None


def take_recipe(project: Project, take_id: int) -> Recipe | None:
    """The recipe a take was made from (its job's)."""
    job_id = scalar(project.db, "SELECT job_id FROM takes WHERE id = ?", [take_id])
    if job_id is None:
        raise NotFound(f"no take {take_id}")
    return job_recipe(project, int(job_id))


def next_queued(project: Project) -> Job | None:
    r = one(project.db, "SELECT * FROM jobs WHERE state = 'queued' ORDER BY queue_order, id LIMIT 1")
    return _job(r) if r else None


def mark_running(project: Project, job_id: int, *, device: str | None = None, node: str | None = None) -> Changes:
    with project.atomic() as db:
        cur = db.execute(
            "UPDATE jobs SET state = 'running', started_at = ?, device = coalesce(?, device), node = coalesce(?, node) "
            "WHERE id = ? AND state = 'queued'",
            [utc_now(), device, node, job_id],
        )
        if cur.rowcount != 1:
            raise Refused(f"job {job_id} is not queued")
    return Changes.of(jobs=[job_id])


def _meter_cols(project: Project, meter: dict, price_per_hour: Decimal | None = None) -> dict:
    """Figures plus money at the prices in force now (or the node's own price, for a cluster)."""
    cols = {k: meter[k] for k in METER_COLUMNS if meter.get(k) is not None}
    settings = project.settings()
    price = price_per_hour if price_per_hour is not None else settings.gpu_price_per_hour
    gpu_s = float(meter.get("gpu_s") or 0.0)
    money = job_money(gpu_s, price, meter.get("energy_wh"), settings.energy_price_per_kwh)
    cols.update(
        money_micros=to_micros(money),
        gpu_price_per_hour=str(price),
        energy_price_per_kwh=str(settings.energy_price_per_kwh) if settings.energy_price_per_kwh is not None else None,
        currency=settings.currency,
    )
    return cols


def _finish_cols(project: Project, job_id: int, state: JobState, meter: dict | None, error_kind, error, price_per_hour) -> dict:
    if not state.finished:
        raise InvalidInput(f"{state} is not a finished state")
    cols = _meter_cols(project, meter or {}, price_per_hour)
    cols.update(state=state.value, finished_at=utc_now(), error_kind=error_kind.value if error_kind else None, error=error)
    if state is JobState.DONE:
        # Only a finished job's GPU time is comparable with its estimate; a failed one stopped early.
        estimated = scalar(project.db, "SELECT estimate_gpu_s FROM jobs WHERE id = ?", [job_id])
        cols["estimate_error"] = estimate_error(estimated, (meter or {}).get("gpu_s"))
    return cols


def finish_job(
    project: Project,
    job_id: int,
    state: JobState,
    meter: dict | None = None,
    *,
    error_kind: FailureKind | None = None,
    error: str | None = None,
    price_per_hour: Decimal | None = None,
) -> Changes:
    """Record how a job ended. GPU time spent on a failed or cancelled job is still money spent."""
    cols = _finish_cols(project, job_id, state, meter, error_kind, error, price_per_hour)
    with project.atomic() as db:
        db["jobs"].update(job_id, cols)
    return Changes.of(jobs=[job_id], costs=True)


def complete_job(
    project: Project,
    job_id: int,
    meter: dict | None,
    take_values: list[dict],
    *,
    run_facts: RunFacts | None = None,
    price_per_hour: Decimal | None = None,
) -> tuple[list[int], Changes]:
    """A finished job's takes (with their own sound, a value's "sound": (media path, samples)), its
    metering, money and run facts in ONE transaction.

    Takes and the job's 'done' used to commit apart: a crash between them left takes on a job that
    the next open marked interrupted. Now either all of it is recorded or none of it is.
    """
    from director.store.audio import checked_take_sound, record_take_audio
    from director.store.takes import take_row

    sounds = [checked_take_sound(project, v) for v in take_values]  # a take's own sound, with it
    take_rows = [take_row(project, job_id, {k: x for k, x in v.items() if k != "sound"}) for v in take_values]
    cols = _finish_cols(project, job_id, JobState.DONE, meter, None, None, price_per_hour)
    with project.atomic() as db:
        take_ids = [int(db["takes"].insert(row).last_pk) for row in take_rows]
        for take_id, sound in zip(take_ids, sounds):
            if sound is not None:
                record_take_audio(db, take_id, *sound)
        if run_facts is not None:
            db.execute("UPDATE jobs SET run_facts = ? WHERE id = ? AND run_facts IS NULL", [run_facts.to_json(), job_id])
        db["jobs"].update(job_id, cols)
        shot_id = scalar(db, "SELECT shot_id FROM jobs WHERE id = ?", [job_id])
    return take_ids, Changes.of(jobs=[job_id], takes=take_ids, shots=[shot_id], costs=True)


def cancel_queued(project: Project, job_id: int) -> Changes:
    with project.atomic() as db:
        cur = db.execute(
            "UPDATE jobs SET state = 'cancelled', finished_at = ?, error_kind = 'cancelled', error = 'cancelled before it started' "
            "WHERE id = ? AND state = 'queued'",
            [utc_now(), job_id],
        )
    if cur.rowcount != 1:
        job = get_job(project, job_id)
        raise Refused(f"job {job_id} is {job.state.value}, not queued")
    return Changes.of(jobs=[job_id])


def retry_job(project: Project, job_id: int) -> tuple[int, Changes]:
    """A failed or cancelled job queued again as a new job with the same request and the same
    recipe (the text recorded when it was first queued; its run facts stay with the old job)."""
    job = get_job(project, job_id)
    if job.state not in (JobState.FAILED, JobState.CANCELLED):
        raise Refused(f"job {job_id} is {job.state.value}; only failed or cancelled jobs can be retried")
    return create_job(
        project,
        shot_id=job.shot_id,
        camera_id=job.camera_id,
        prompt_id=job.prompt_id,
        preset=job.preset,
        params=job.params,
        seeds=job.seeds,
        parent_take_id=job.parent_take_id,
        estimate_gpu_s=job.estimate_gpu_s,
        recipe=job_recipe(project, job_id),
    )


def move_queued(project: Project, job_id: int, position: int) -> Changes:
    """Reorder pending jobs: put this one at a 1-based position in the queue."""
    queued = [r["id"] for r in rows(project.db, "SELECT id FROM jobs WHERE state = 'queued' ORDER BY queue_order, id")]
    if job_id not in queued:
        raise Refused(f"job {job_id} is not waiting in the queue")
    position = max(1, min(position, len(queued)))
    queued.remove(job_id)
    queued.insert(position - 1, job_id)
    with project.atomic() as db:
        for i, jid in enumerate(queued, start=1):
            db.execute("UPDATE jobs SET queue_order = ? WHERE id = ?", [i, jid])
    return Changes.of(jobs=queued)
