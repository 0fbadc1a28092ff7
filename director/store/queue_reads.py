"""The queue panel's reads at a feature film's scale (issue #24).

`jobs.list_jobs(states=finished, limit=300)` orders every finished job by state before it can stop
(a sort of 50,000 rows, ~100 ms, on every job event). The history the queue shows is simply the
newest finished jobs, which SQLite reads by walking the ids down from the newest and stopping at
the limit (`+state` keeps it from choosing the state index, which would sort them all again). The order and the rows are `list_jobs`'s (finished jobs newest first, as `store.jobs`
turns them into `Job`s).
"""

from __future__ import annotations

from director.core.model import Job
from director.store.jobs import _job
from director.store.project import Project
from director.store.rows import rows

FINISHED = ("done", "failed", "cancelled")


def finished_jobs(project: Project, limit: int) -> list[Job]:
    """The newest `limit` finished (done, failed or cancelled) jobs, newest first."""
    found = rows(
        project.db,
        f"SELECT * FROM jobs WHERE +state IN ({', '.join('?' * len(FINISHED))}) ORDER BY id DESC LIMIT ?",
        [*FINISHED, int(limit)],
    )
    return [_job(r) for r in found]


def finished_job_ids(project: Project, limit: int) -> list[int]:
    """The ids of `finished_jobs`, newest first: a finished job's row never changes, so a view that
    has read it keeps it and reads only the new ones."""
    found = project.db.execute(
        f"SELECT id FROM jobs WHERE +state IN ({', '.join('?' * len(FINISHED))}) ORDER BY id DESC LIMIT ?",
        [*FINISHED, int(limit)],
    ).fetchall()
    return [r[0] for r in found]


def jobs_by_id(project: Project, job_ids) -> dict[int, Job]:
    """job id → its `Job`, for the ids that exist."""
    ids = sorted({int(i) for i in job_ids})
    if not ids:
        return {}
    return {r["id"]: _job(r) for r in rows(project.db, f"SELECT * FROM jobs WHERE id IN ({', '.join('?' * len(ids))})", ids)}
