"""The rows an export reads about a take: the take, its shot, camera and job, and the prompt version
the job pointed at. director/export/takeinfo.py turns them into TakeInfo; this is the SQL half,
kept here because the store is the only place SQL lives.

What the model received is read from the job's recorded recipe (store.jobs.job_recipe), never
recomposed here from the camera's or the prompt's current state.
"""

from __future__ import annotations

from director.core.errors import NotFound
from director.store.project import Project
from director.store.rows import one, rows


def take_row(project: Project, take_id: int) -> dict:
    """The take with its shot's code and title, its camera's name, its job's figures and money, and
    the prompt version its job pointed at (`version`, `version_text`: the shot prompt alone,
    `version_negative`). Raises NotFound for an unknown take."""
    r = one(
        project.db,
        """
        SELECT t.*, s.code AS shot_code, s.title AS shot_title, c.name AS camera_name,
               p.composed AS version_text, p.negative AS version_negative, p.version AS prompt_version,
               j.preset AS preset, j.params AS params, j.seeds AS seeds, j.model_revision AS model_revision,
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
    return r


def job_take_ids(project: Project, job_id: int) -> list[int]:
    """The takes a job made, in the order its money is shared over them (variant, then id: the
    order store.ledger splits a job's money in, so a take's share is the same everywhere)."""
    return [r["id"] for r in rows(project.db, "SELECT id FROM takes WHERE job_id = ? ORDER BY variant, id", [job_id])]
