"""Camera setups of a shot (A, B, C…): framing fields that modify the shot's composed prompt."""

from __future__ import annotations

from director.core.changes import Changes
from director.core.errors import InvalidInput, NotFound, Refused
from director.core.model import Camera, normalize_camera_name
from director.core.prompt import CAMERA_FIELDS, CameraSetup
from director.store.ids import next_id
from director.store.project import Project
from director.store.rows import one, rows, scalar
from director.store.shots import get_shot


def _camera(r: dict) -> Camera:
    return Camera(
        id=r["id"],
        shot_id=r["shot_id"],
        name=r["name"],
        setup=CameraSetup(**{k: r[k] for k in CAMERA_FIELDS}),
        notes=r["notes"],
        order=r["ord"],
    )


def list_cameras(project: Project, shot_id: int) -> list[Camera]:
    return [_camera(r) for r in rows(project.db, "SELECT * FROM cameras WHERE shot_id = ? ORDER BY ord, name", [shot_id])]


def get_camera(project: Project, camera_id: int) -> Camera:
    r = one(project.db, "SELECT * FROM cameras WHERE id = ?", [camera_id])
    if r is None:
        raise NotFound(f"no camera with id {camera_id}")
    return _camera(r)


def find_camera(project: Project, shot_id: int, name: str) -> Camera:
    r = one(project.db, "SELECT * FROM cameras WHERE shot_id = ? AND name = ?", [shot_id, normalize_camera_name(name)])
    if r is None:
        names = ", ".join(c.name for c in list_cameras(project, shot_id)) or "none"
        raise NotFound(f"shot {get_shot(project, shot_id).code} has no camera {name!r} (cameras: {names})")
    return _camera(r)


def add_camera(project: Project, shot_id: int, name: str, setup: CameraSetup = CameraSetup(), notes: str = "", *, camera_id: int | None = None) -> tuple[Camera, Changes]:
    """A new camera; `camera_id` puts back one that undo removed, under its own id, so every later
    step on the undo stack (a camera edit, a generation's camera) still finds it."""
    shot = get_shot(project, shot_id)
    if shot.locked:
        raise Refused(f"shot {shot.code} is locked; no cameras can be added")
    name = normalize_camera_name(name)
    if scalar(project.db, "SELECT 1 FROM cameras WHERE shot_id = ? AND name = ?", [shot_id, name]):
        raise InvalidInput(f"shot {shot.code} already has camera {name}")
    with project.atomic() as db:
        order = (scalar(db, "SELECT max(ord) FROM cameras WHERE shot_id = ?", [shot_id]) or 0) + 1
        row = {"shot_id": shot_id, "name": name, "ord": order, "notes": notes, **_setup_cols(setup)}
        if camera_id is not None:
            if scalar(db, "SELECT 1 FROM cameras WHERE id = ?", [camera_id]):
                raise InvalidInput(f"camera id {camera_id} is already in use")
            row["id"] = camera_id
        else:
            row["id"] = next_id(db, "cameras")
        camera_id = db["cameras"].insert(row).last_pk
    return get_camera(project, int(camera_id)), Changes.of(cameras=[camera_id], shots=[shot_id])


def update_camera(project: Project, camera_id: int, *, setup: CameraSetup | None = None, notes: str | None = None) -> Changes:
    camera = get_camera(project, camera_id)
    shot = get_shot(project, camera.shot_id)
    if shot.locked:
        raise Refused(f"shot {shot.code} is locked; its cameras cannot change")
    cols: dict = {}
    if setup is not None:
        cols.update(_setup_cols(setup))
    if notes is not None:
        cols["notes"] = notes
    if cols:
        with project.atomic() as db:
            db["cameras"].update(camera_id, cols)
    return Changes.of(cameras=[camera_id])


def _setup_cols(setup: CameraSetup) -> dict:
    return {k: " ".join(getattr(setup, k).split()) for k in CAMERA_FIELDS}


def remove_camera(project: Project, camera_id: int) -> Changes:
    """Only a camera with no jobs can go: takes must always name the camera that shot them."""
    camera = get_camera(project, camera_id)
    if scalar(project.db, "SELECT 1 FROM jobs WHERE camera_id = ?", [camera_id]):
        raise Refused(f"camera {camera.name} has generated takes and cannot be removed")
    with project.atomic() as db:
        db.execute("DELETE FROM cameras WHERE id = ?", [camera_id])
    return Changes.of(cameras=[camera_id], shots=[camera.shot_id])
