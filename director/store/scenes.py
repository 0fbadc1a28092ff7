"""Scenes group shots; a shot may belong to none."""

from __future__ import annotations

from director.core.changes import Changes
from director.core.errors import InvalidInput, NotFound
from director.core.model import Scene
from director.store.ids import next_id
from director.store.project import Project, utc_now
from director.store.rows import one, rows, scalar


def _scene(r: dict) -> Scene:
    return Scene(id=r["id"], code=r["code"], title=r["title"], order=r["ord"], notes=r["notes"])


def list_scenes(project: Project) -> list[Scene]:
    return [_scene(r) for r in rows(project.db, "SELECT * FROM scenes ORDER BY ord, id")]


def get_scene(project: Project, scene_id: int) -> Scene:
    r = one(project.db, "SELECT * FROM scenes WHERE id = ?", [scene_id])
    if r is None:
        raise NotFound(f"no scene with id {scene_id}")
    return _scene(r)


def find_scene(project: Project, code: str) -> Scene:
    r = _by_code(project, code)
    if r is None:
        known = ", ".join(s.code for s in list_scenes(project)) or "none yet"
        raise NotFound(f"no scene {code!r} (scenes: {known}); add one with: director scene add")
    return _scene(r)


def _by_code(project: Project, code: str) -> dict | None:
    # casefold in Python: SQLite's NOCASE folds ASCII only, and scene codes may be 'INT-CAFÉ'.
    wanted = code.strip().casefold()
    return next((r for r in rows(project.db, "SELECT * FROM scenes") if r["code"].casefold() == wanted), None)


def add_scene(project: Project, code: str, title: str = "", notes: str = "") -> tuple[Scene, Changes]:
    code = (code or "").strip()
    if not code:
        raise InvalidInput("a scene needs a code, such as 12 or INT-KITCHEN")
    if _by_code(project, code):
        raise InvalidInput(f"scene {code!r} already exists")
    with project.atomic() as db:
        order = (scalar(db, "SELECT max(ord) FROM scenes") or 0) + 1
        scene_id = db["scenes"].insert(
            {"id": next_id(db, "scenes"), "code": code, "title": title.strip(), "ord": order, "notes": notes, "created_at": utc_now()}
        ).last_pk
    return get_scene(project, int(scene_id)), Changes.of(scenes=[scene_id])


def delete_scene(project: Project, scene_id: int) -> tuple[list[int], Changes]:
    """Remove a scene that has no live shots; shots of it in the bin are detached (scene-less).

    Returns the detached shot ids so an undo can re-attach them with `restore_scene`.
    """
    scene = get_scene(project, scene_id)
    if scalar(project.db, "SELECT 1 FROM shots WHERE scene_id = ? AND deleted_at IS NULL", [scene_id]):
        raise InvalidInput(f"scene {scene.code} still has shots; move them to another scene first")
    detached = [r["id"] for r in rows(project.db, "SELECT id FROM shots WHERE scene_id = ?", [scene_id])]
    with project.atomic() as db:
        db.execute("UPDATE shots SET scene_id = NULL WHERE scene_id = ?", [scene_id])
        db.execute("DELETE FROM scenes WHERE id = ?", [scene_id])
    return detached, Changes.of(scenes=[scene_id], shots=detached)


def restore_scene(project: Project, scene: Scene, shot_ids: list[int]) -> Changes:
    """Put a deleted scene back under its old id and re-attach the shots it had (redo of a delete)."""
    with project.atomic() as db:
        db["scenes"].insert({"id": scene.id, "code": scene.code, "title": scene.title, "ord": scene.order, "notes": scene.notes, "created_at": utc_now()})
        for sid in shot_ids:
            db.execute("UPDATE shots SET scene_id = ? WHERE id = ?", [scene.id, sid])
    return Changes.of(scenes=[scene.id], shots=shot_ids)
