"""The chosen take: one rule that the timeline, the shot list, the storyboard, the program viewer
and every export read, so they can never disagree about which take a shot shows.

The rule, in order: never a rejected take or one in the bin; a selected take first; then the
highest rating (unrated counts as 0); then the newest. Per camera for the timeline (each angle of a
multicam clip shows its own camera's choice), per shot for the shot list and the storyboard.
"""

from __future__ import annotations

from typing import Iterable

from director.store.project import Project
from director.store.rows import rows

# The ORDER BY and WHERE of the rule, written once.
CHOICE_ORDER = "(flag = 'selected') DESC, rating DESC, created_at DESC, id DESC"
ELIGIBLE = "deleted_at IS NULL AND flag != 'rejected'"


def _in(ids: Iterable[int] | None, column: str) -> tuple[str, list]:
    if ids is None:
        return "", []
    ids = list(ids)
    if not ids:
        return " AND 0", []
    return f" AND {column} IN ({', '.join('?' * len(ids))})", ids


def chosen_takes(project: Project, shot_ids: Iterable[int] | None = None) -> dict[int, int]:
    """shot id → its chosen take id, for the shots that have one."""
    where, params = _in(shot_ids, "shot_id")
    sql = (
        f"SELECT shot_id, id FROM (SELECT shot_id, id, ROW_NUMBER() OVER (PARTITION BY shot_id ORDER BY {CHOICE_ORDER}) AS rn "
        f"FROM takes WHERE {ELIGIBLE}{where}) WHERE rn = 1"
    )
    return {r["shot_id"]: r["id"] for r in rows(project.db, sql, params)}


def chosen_by_camera(project: Project, shot_ids: Iterable[int] | None = None) -> dict[tuple[int, int], int]:
    """(shot id, camera id) → the chosen take of that camera of that shot."""
    where, params = _in(shot_ids, "shot_id")
    sql = (
        f"SELECT shot_id, camera_id, id FROM (SELECT shot_id, camera_id, id, ROW_NUMBER() OVER "
        f"(PARTITION BY shot_id, camera_id ORDER BY {CHOICE_ORDER}) AS rn "
        f"FROM takes WHERE {ELIGIBLE} AND camera_id IS NOT NULL{where}) WHERE rn = 1"
    )
    return {(r["shot_id"], r["camera_id"]): r["id"] for r in rows(project.db, sql, params)}


def chosen_take(project: Project, shot_id: int, camera_id: int | None = None) -> int | None:
    """The chosen take of one shot, or of one camera of it; None when every take is rejected or binned."""
    if camera_id is None:
        return chosen_takes(project, [shot_id]).get(shot_id)
    return chosen_by_camera(project, [shot_id]).get((shot_id, camera_id))
