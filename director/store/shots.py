"""Shots: code, order, status, budget and notes. Deleting is soft (a bin) until purged."""

from __future__ import annotations

from decimal import Decimal

from director.core.cost import parse_budget, parse_gpu_budget_s
from director.core.changes import Changes
from director.core.enums import ShotStatus
from director.core.errors import InvalidInput, NotFound, Refused
from director.core.model import Shot, normalize_shot_code, parse_status
from director.store.project import Project, utc_now
from director.store.rows import one, rows, scalar

SHOT_FIELDS = ("title", "status", "target_frames", "budget_money", "budget_gpu_s", "notes", "scene_id")


def _shot(r: dict) -> Shot:
    return Shot(
        id=r["id"],
        scene_id=r["scene_id"],
        code=r["code"],
        title=r["title"],
        order=r["ord"],
        target_frames=r["target_frames"],
        status=ShotStatus(r["status"]),
        budget_money=Decimal(r["budget_money"]) if r["budget_money"] else None,
        budget_gpu_s=r["budget_gpu_s"],
        notes=r["notes"],
        current_prompt_id=r["current_prompt_id"],
        deleted=r["deleted_at"] is not None,
    )


def list_shots(project: Project, *, deleted: bool = False) -> list[Shot]:
    """Live shots in order, or the bin's contents with deleted=True."""
    where = "deleted_at IS NOT NULL" if deleted else "deleted_at IS NULL"
    return [_shot(r) for r in rows(project.db, f"SELECT * FROM shots WHERE {where} ORDER BY ord, id")]


def get_shot(project: Project, shot_id: int) -> Shot:
    r = one(project.db, "SELECT * FROM shots WHERE id = ?", [shot_id])
    if r is None:
        raise NotFound(f"no shot with id {shot_id}")
    return _shot(r)


def find_shot(project: Project, code: str) -> Shot:
    """A live shot by its code (case-insensitive: '12a' finds 12A)."""
    try:
        norm = normalize_shot_code(code)
    except InvalidInput:
        norm = (code or "").strip()
    r = one(project.db, "SELECT * FROM shots WHERE code = ? AND deleted_at IS NULL", [norm])
    if r is None:
        live = [s.code for s in list_shots(project)]
        hint = f"shots: {', '.join(live[:20])}{'…' if len(live) > 20 else ''}" if live else "no shots yet"
        raise NotFound(f"no shot {code!r} ({hint})")
    return _shot(r)


def add_shot(
    project: Project,
    code: str,
    title: str = "",
    *,
    scene_id: int | None = None,
    target_frames: int | None = None,
    cameras: tuple[str, ...] = ("A",),
) -> tuple[Shot, Changes]:
    """A new shot at the end of the list, with camera A so it can be generated straight away."""
    code = normalize_shot_code(code)
    if scalar(project.db, "SELECT 1 FROM shots WHERE code = ? AND deleted_at IS NULL", [code]):
        raise InvalidInput(f"shot {code} already exists; choose another code")
    if target_frames is None:
        target_frames = project.settings().rate.nominal * 4
    if target_frames <= 0:
        raise InvalidInput(f"a shot's target duration must be at least one frame, got {target_frames}")
    with project.atomic() as db:
        order = (scalar(db, "SELECT max(ord) FROM shots") or 0) + 1
        shot_id = db["shots"].insert(
            {
                "scene_id": scene_id,
                "code": code,
                "title": (title or "").strip(),
                "ord": order,
                "target_frames": int(target_frames),
                "status": ShotStatus.DRAFT.value,
                "created_at": utc_now(),
            }
        ).last_pk
        for i, name in enumerate(cameras):
            db["cameras"].insert({"shot_id": shot_id, "name": name, "ord": i})
    return get_shot(project, int(shot_id)), Changes.of(shots=[shot_id], shot_order=True, cameras=[])


def clean_shot_fields(values: dict) -> dict:
    """Validate user-given shot fields into column values."""
    out: dict = {}
    for key, value in values.items():
        if key not in SHOT_FIELDS:
            raise InvalidInput(f"unknown shot field {key!r}; fields: {', '.join(SHOT_FIELDS)}")
        if key == "status":
            out[key] = parse_status(value).value
        elif key == "target_frames":
            if int(value) <= 0:
                raise InvalidInput(f"a shot's target duration must be at least one frame, got {value}; nearest valid: 1")
            out[key] = int(value)
        elif key == "budget_money":
            out[key] = None if value in (None, "") else str(parse_budget(value, "a shot's budget"))
        elif key == "budget_gpu_s":
            out[key] = None if value in (None, "") else parse_gpu_budget_s(value, "a shot's GPU budget")
        elif key == "title":
            out[key] = " ".join(str(value).split())
        else:
            out[key] = value
    return out


def update_shot(project: Project, shot_id: int, **values) -> Changes:
    """Write already-validated fields; a locked shot only accepts a status change (to unlock it)."""
    shot = get_shot(project, shot_id)
    cols = clean_shot_fields(values)
    if shot.locked and set(cols) - {"status", "notes"}:
        raise Refused(f"shot {shot.code} is locked; set its status back to approved to change it")
    with project.atomic() as db:
        db["shots"].update(shot_id, cols)
    return Changes.of(shots=[shot_id], costs="budget_money" in cols or "budget_gpu_s" in cols)


def shot_order(project: Project) -> list[int]:
    return [r["id"] for r in rows(project.db, "SELECT id FROM shots WHERE deleted_at IS NULL ORDER BY ord, id")]


def set_shot_order(project: Project, ordered_ids: list[int]) -> Changes:
    """Renumber live shots in the given order (the ids must be exactly the live shots)."""
    if sorted(ordered_ids) != sorted(shot_order(project)):
        raise InvalidInput("the new order must list every live shot exactly once")
    with project.atomic() as db:
        for i, sid in enumerate(ordered_ids, start=1):
            db.execute("UPDATE shots SET ord = ? WHERE id = ?", [i, sid])
    return Changes.of(shot_order=True)


def move_shot(project: Project, shot_id: int, position: int) -> Changes:
    """Move a shot to a 1-based position among the live shots."""
    order = shot_order(project)
    if shot_id not in order:
        raise NotFound(f"no live shot with id {shot_id}")
    if not 1 <= position <= len(order):
        raise InvalidInput(f"position must be between 1 and {len(order)}, got {position}")
    order.remove(shot_id)
    order.insert(position - 1, shot_id)
    return set_shot_order(project, order)


def delete_shot(project: Project, shot_id: int) -> Changes:
    """Into the bin; its takes and costs stay until the bin is emptied."""
    shot = get_shot(project, shot_id)
    if shot.locked:
        raise Refused(f"shot {shot.code} is locked; unlock it before deleting")
    with project.atomic() as db:
        db.execute("UPDATE shots SET deleted_at = ? WHERE id = ?", [utc_now(), shot_id])
    return Changes.of(shots=[shot_id], shot_order=True)


def restore_shot(project: Project, shot_id: int) -> Changes:
    shot = get_shot(project, shot_id)
    if scalar(project.db, "SELECT 1 FROM shots WHERE code = ? AND deleted_at IS NULL AND id != ?", [shot.code, shot_id]):
        raise Refused(f"another live shot is already called {shot.code}; rename it before restoring this one")
    with project.atomic() as db:
        # Back in its old place: a shot keeps its order number while it is in the bin.
        db.execute("UPDATE shots SET deleted_at = NULL WHERE id = ?", [shot_id])
    return Changes.of(shots=[shot_id], shot_order=True)
