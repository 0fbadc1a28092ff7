"""Reads the window's panels need that no table module offers, so no SQL lives in director/ui.

Nothing here decides a rule of its own: which take a shot shows is `store.choice`, what a shot
cost is `ledger.spend_by_shot`, how many jobs wait is `summary.job_counts`. These functions only
fetch the facts around those answers (a take's still, a shot's prompt text, a job's label) in one
query per call, and map the ids a `Changes` names to the shots they belong to, so a view can
refresh just those rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from director.core.enums import MediaKind
from director.store.project import Project
from director.store.rows import rows


def _marks(ids: list) -> str:
    return ", ".join("?" * len(ids))


@dataclass(frozen=True)
class Still:
    """The picture that stands for a take in a list: its thumbnail, else the still image itself.

    `path` is store-relative (resolve it with `project.media.path`); `kind` is the kind of that
    file, so a video take without a thumbnail can still be decoded from its first frame."""

    take_id: int
    path: str
    kind: MediaKind


def take_stills(project: Project, take_ids: Iterable[int]) -> dict[int, Still]:
    """take id → its still, for the given takes that exist (binned or not: the caller chose them)."""
    ids = sorted({int(i) for i in take_ids})
    if not ids:
        return {}
    out: dict[int, Still] = {}
    for r in rows(project.db, f"SELECT id, kind, media_path, thumb_path FROM takes WHERE id IN ({_marks(ids)})", ids):
        if r["thumb_path"]:
            out[r["id"]] = Still(r["id"], r["thumb_path"], MediaKind.IMAGE)
        elif r["media_path"]:
            out[r["id"]] = Still(r["id"], r["media_path"], MediaKind(r["kind"]))
    return out


def current_prompt_texts(project: Project, shot_ids: Iterable[int] | None = None) -> dict[int, str]:
    """shot id → the composed text of its current prompt version (shots without a prompt are absent)."""
    sql = "SELECT s.id AS shot_id, p.composed FROM shots s JOIN prompts p ON p.id = s.current_prompt_id"
    params: list = []
    if shot_ids is not None:
        ids = sorted({int(i) for i in shot_ids})
        if not ids:
            return {}
        sql += f" WHERE s.id IN ({_marks(ids)})"
        params = ids
    return {r["shot_id"]: r["composed"] or "" for r in rows(project.db, sql, params)}


def shots_of(project: Project, *, jobs: Iterable[int] = (), takes: Iterable[int] = ()) -> tuple[set[int], bool]:
    """The shots the given jobs and takes belong to, and whether every id was found.

    A take emptied from the bin no longer exists, so its shot cannot be named: `complete` is then
    False and a careful view refreshes everything once instead of guessing."""
    job_ids = sorted({int(i) for i in jobs})
    take_ids = sorted({int(i) for i in takes})
    found: set[int] = set()
    complete = True
    for table, ids in (("jobs", job_ids), ("takes", take_ids)):
        if not ids:
            continue
        got = rows(project.db, f"SELECT id, shot_id FROM {table} WHERE id IN ({_marks(ids)})", ids)
        found |= {r["shot_id"] for r in got if r["shot_id"] is not None}
        complete = complete and len(got) == len(ids)
    return found, complete


@dataclass(frozen=True)
class JobLabel:
    """How the queue names a job ('12A/B': shot code and camera) and the currency its money is in."""

    job_id: int
    label: str
    currency: str


def job_labels(project: Project, job_ids: Iterable[int]) -> dict[int, JobLabel]:
    """job id → its label and currency (the job's own; the project's for a job that never ran)."""
    ids = sorted({int(i) for i in job_ids})
    if not ids:
        return {}
    currency = project.settings().currency
    found = rows(
        project.db,
        "SELECT j.id, j.currency, s.code, c.name AS camera FROM jobs j JOIN shots s ON s.id = j.shot_id "
        f"LEFT JOIN cameras c ON c.id = j.camera_id WHERE j.id IN ({_marks(ids)})",
        ids,
    )
    return {
        r["id"]: JobLabel(r["id"], r["code"] + (f"/{r['camera']}" if r["camera"] else ""), r["currency"] or currency)
        for r in found
    }
