"""Everything an export says about a take, read from the project in one place.

Exporters that run off the UI thread get these plain values gathered first (a fast read on the
caller's thread), so the slow part touches files only, never the project database.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from director.core.cost import from_micros
from director.core.errors import NotFound
from director.store.project import Project
from director.store.rows import one, scalar


@dataclass(frozen=True)
class TakeInfo:
    take_id: int
    job_id: int
    shot_id: int
    shot_code: str
    shot_title: str
    camera: str
    kind: str  # 'video' | 'image'
    media_path: str  # relative to the media store
    thumb_path: str | None
    width: int
    height: int
    frames: int
    fps: str  # '24' or '30000/1001'
    seed: int
    variant: int
    preset: str
    model_revision: str | None
    params: dict
    prompt: str  # the composed text sent to the model
    negative: str
    prompt_version: int | None
    rating: int
    flag: str
    notes: str
    created_at: str
    timings: dict = field(default_factory=dict)  # load_s, gpu_s, wall_s, energy_wh; started/finished
    job_money: str | None = None  # what the whole job cost, as a decimal string
    money: str | None = None  # this take's share: the job's money over its takes
    currency: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def take_info(project: Project, take_id: int) -> TakeInfo:
    """Gather a take with its shot, camera, prompt version and job figures."""
    r = one(
        project.db,
        """
        SELECT t.*, s.code AS shot_code, s.title AS shot_title, c.name AS camera_name,
               p.composed AS composed, p.negative AS negative, p.version AS prompt_version,
               j.preset AS preset, j.params AS params, j.model_revision AS model_revision,
               j.load_s, j.gpu_s, j.wall_s, j.energy_wh, j.started_at, j.finished_at,
               j.money_micros, j.currency AS job_currency
        FROM takes t
        JOIN jobs j ON j.id = t.job_id
        JOIN shots s ON s.id = t.shot_id
        LEFT JOIN cameras c ON c.id = t.camera_id
        LEFT JOIN prompts p ON p.id = t.prompt_id
        WHERE t.id = ?
        """,
        [take_id],
    )
    if r is None:
        raise NotFound(f"no take {take_id}")
    siblings = scalar(project.db, "SELECT count(*) FROM takes WHERE job_id = ?", [r["job_id"]]) or 1
    job_money = from_micros(r["money_micros"]) if r["money_micros"] is not None else None
    share = (job_money / Decimal(siblings)).quantize(Decimal("0.000001")) if job_money is not None else None
    fps = str(r["fps_num"]) if r["fps_den"] == 1 else f"{r['fps_num']}/{r['fps_den']}"
    return TakeInfo(
        take_id=r["id"],
        job_id=r["job_id"],
        shot_id=r["shot_id"],
        shot_code=r["shot_code"],
        shot_title=r["shot_title"] or "",
        camera=r["camera_name"] or "",
        kind=r["kind"],
        media_path=r["media_path"],
        thumb_path=r["thumb_path"],
        width=r["width"],
        height=r["height"],
        frames=r["frames"],
        fps=fps,
        seed=r["seed"],
        variant=r["variant"],
        preset=r["preset"],
        model_revision=r["model_revision"],
        params=json.loads(r["params"] or "{}"),
        prompt=r["composed"] or "",
        negative=r["negative"] or "",
        prompt_version=r["prompt_version"],
        rating=r["rating"],
        flag=r["flag"],
        notes=r["notes"] or "",
        created_at=r["created_at"],
        timings={k: r[k] for k in ("load_s", "gpu_s", "wall_s", "energy_wh", "started_at", "finished_at")},
        job_money=str(job_money) if job_money is not None else None,
        money=str(share) if share is not None else None,
        currency=r["job_currency"] or project.settings().currency,
    )


def take_infos(project: Project, take_ids) -> dict[int, TakeInfo]:
    return {tid: take_info(project, tid) for tid in dict.fromkeys(take_ids) if tid is not None}
