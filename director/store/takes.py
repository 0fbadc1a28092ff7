"""Takes: generated outputs. Ratings, flags and notes are edits; the media itself never changes."""

from __future__ import annotations

import json

from director.core.changes import Changes
from director.core.enums import MediaKind, TakeFlag
from director.core.errors import InvalidInput, NotFound, Refused
from director.core.model import Take, parse_rating
from director.core.timecode import Rate
from director.store.project import Project, utc_now
from director.store.rows import one, rows, scalar

TAKE_SELECT = ("SELECT t.*, j.preset AS preset, q.grade AS qc_grade, q.severity AS qc_severity "
               "FROM takes t JOIN jobs j ON j.id = t.job_id LEFT JOIN take_qc q ON q.take_id = t.id")
SORTS = {"newest": "t.created_at DESC, t.id DESC", "oldest": "t.created_at, t.id", "rating": "t.rating DESC, t.id DESC",
         # worst QC first (store/qc.py grades), unmeasured last
         "qc": "coalesce(q.grade, -1) DESC, coalesce(q.severity, 0) DESC, t.id DESC"}
# The gallery's QC filter: a grade name, 'flagged' (amber or red) or 'unchecked'.
QC_FILTERS = {"green": "q.grade = 0", "amber": "q.grade = 1", "red": "q.grade = 2", "flagged": "q.grade >= 1",
              "unchecked": "q.grade IS NULL"}


def _take(r: dict) -> Take:
    return Take(
        id=r["id"],
        job_id=r["job_id"],
        shot_id=r["shot_id"],
        camera_id=r["camera_id"],
        prompt_id=r["prompt_id"],
        seed=r["seed"],
        variant=r["variant"],
        kind=MediaKind(r["kind"]),
        media_path=r["media_path"],
        thumb_path=r["thumb_path"],
        width=r["width"],
        height=r["height"],
        frames=r["frames"],
        rate=Rate(r["fps_num"], r["fps_den"]),
        rating=r["rating"],
        flag=TakeFlag(r["flag"]),
        notes=r["notes"],
        parent_take_id=r["parent_take_id"],
        created_at=r["created_at"],
        deleted=r["deleted_at"] is not None,
        preset=r.get("preset") or "",
        extra=json.loads(r["extra"] or "{}"),
        qc_grade=r.get("qc_grade"),
        qc_severity=r.get("qc_severity") or 0.0,
    )


def list_takes(
    project: Project,
    shot_id: int,
    *,
    camera_id: int | None = None,
    min_rating: int = 0,
    flag: TakeFlag | None = None,
    include_rejected: bool = True,
    deleted: bool = False,
    sort: str = "newest",
    qc: str | None = None,
) -> list[Take]:
    if sort not in SORTS:
        raise InvalidInput(f"unknown sort {sort!r}; use one of: {', '.join(SORTS)}")
    if qc is not None and qc not in QC_FILTERS:
        raise InvalidInput(f"unknown QC filter {qc!r}; use one of: {', '.join(QC_FILTERS)}")
    where = ["t.shot_id = ?", "t.deleted_at IS NOT NULL" if deleted else "t.deleted_at IS NULL"]
    params: list = [shot_id]
    if camera_id is not None:
        where.append("t.camera_id = ?")
        params.append(camera_id)
    if min_rating:
        where.append("t.rating >= ?")
        params.append(min_rating)
    if flag is not None:
        where.append("t.flag = ?")
        params.append(flag.value)
    elif not include_rejected:
        where.append("t.flag != 'rejected'")
    if qc is not None:
        where.append(QC_FILTERS[qc])
    sql = f"{TAKE_SELECT} WHERE {' AND '.join(where)} ORDER BY {SORTS[sort]}"
    return [_take(r) for r in rows(project.db, sql, params)]


def get_take(project: Project, take_id: int) -> Take:
    r = one(project.db, f"{TAKE_SELECT} WHERE t.id = ?", [take_id])
    if r is None:
        raise NotFound(f"no take {take_id}; list takes with: director takes list {project.path.name} SHOT")
    return _take(r)


def takes_of_job(project: Project, job_id: int) -> list[Take]:
    return [_take(r) for r in rows(project.db, f"{TAKE_SELECT} WHERE t.job_id = ? ORDER BY t.variant", [job_id])]


def _editable(project: Project, take_id: int) -> Take:
    take = get_take(project, take_id)
    status = scalar(project.db, "SELECT status FROM shots WHERE id = ?", [take.shot_id])
    if status == "locked":
        code = scalar(project.db, "SELECT code FROM shots WHERE id = ?", [take.shot_id])
        raise Refused(f"shot {code} is locked; its takes are frozen")
    return take


def set_take_fields(project: Project, take_id: int, *, rating: int | None = None, flag: TakeFlag | str | None = None, notes: str | None = None) -> Changes:
    _editable(project, take_id)
    cols: dict = {}
    if rating is not None:
        cols["rating"] = parse_rating(rating)
    if flag is not None:
        try:
            cols["flag"] = TakeFlag(flag).value
        except ValueError:
            raise InvalidInput(f"unknown flag {flag!r}; use none, selected or rejected") from None
    if notes is not None:
        cols["notes"] = str(notes)
    if cols:
        with project.atomic() as db:
            db["takes"].update(take_id, cols)
    return Changes.of(takes=[take_id])


def set_take_deleted(project: Project, take_id: int, deleted: bool) -> Changes:
    """Soft delete (the bin) and restore; only emptying the bin removes media."""
    take = _editable(project, take_id)
    with project.atomic() as db:
        db.execute("UPDATE takes SET deleted_at = ? WHERE id = ?", [utc_now() if deleted else None, take_id])
    return Changes.of(takes=[take_id], shots=[take.shot_id])


def empty_bin(project: Project) -> tuple[int, Changes]:
    """Forget takes in the bin for good; their media goes at the next purge."""
    ids = [r["id"] for r in rows(project.db, "SELECT id FROM takes WHERE deleted_at IS NOT NULL")]
    if not ids:
        return 0, Changes()
    with project.atomic() as db:
        marks = ",".join("?" * len(ids))
        db.execute(f"UPDATE takes SET parent_take_id = NULL WHERE parent_take_id IN ({marks})", ids)
        db.execute(f"DELETE FROM takes WHERE id IN ({marks})", ids)
    return len(ids), Changes.of(takes=ids)


def take_row(project: Project, job_id: int, values: dict) -> dict:
    """The row for a take whose media is already renamed into the store; refused if a file is missing."""
    for rel in (values["media_path"], values.get("thumb_path")):
        if rel and not project.media.path(rel).is_file():
            raise NotFound(f"media {rel} is not in the store; the take was not recorded")
    job = one(project.db, "SELECT shot_id, camera_id, prompt_id, parent_take_id FROM jobs WHERE id = ?", [job_id])
    if job is None:
        raise NotFound(f"no job {job_id}")
    row = {
        "job_id": job_id,
        "shot_id": job["shot_id"],
        "camera_id": job["camera_id"],
        "prompt_id": job["prompt_id"],
        "parent_take_id": job["parent_take_id"],
        "created_at": utc_now(),
        **values,
    }
    if isinstance(row.get("extra"), dict):
        row["extra"] = json.dumps(row["extra"])
    return row


def insert_take(project: Project, job_id: int, values: dict) -> int:
    """Record one take (imports and tests; the runner records a job's takes with its finish)."""
    row = take_row(project, job_id, values)
    with project.atomic() as db:
        return int(db["takes"].insert(row).last_pk)


def selected_takes(project: Project, shot_id: int) -> list[Take]:
    return list_takes(project, shot_id, flag=TakeFlag.SELECTED)
