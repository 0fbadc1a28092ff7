"""A shot's blocking in the project file: where its subjects and cameras stand (migration 0015).

Rows are keyed by what they place — a subject by its words, a camera by its id — so an undo that
puts a placement back never meets another row under the same key. A subject or camera without a
row stands where `core.blocking` puts it by default. `shot_blocking` is the one reader: the scene
and the cameras as the previz, the CLI and the window's blocking view all see them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from director.core.blocking import CameraPlan, Placement, Scene, build_scene, default_camera_placement
from director.core.changes import Changes
from director.core.errors import InvalidInput, NotFound, Refused
from director.core.prompt import PromptFields
from director.store.cameras import get_camera, list_cameras
from director.store.project import Project
from director.store.prompts import current_prompt
from director.store.rows import one, rows
from director.store.shots import get_shot

PLACED = ("subject", "camera")


def _placement(r: dict) -> Placement:
    return Placement(float(r["x"]), float(r["z"]), float(r["facing"]))


def stored_placements(project: Project, shot_id: int) -> tuple[dict[str, Placement], dict[int, Placement]]:
    """(subject words → placement, camera id → placement) as stored; defaults are not included."""
    subjects: dict[str, Placement] = {}
    cams: dict[int, Placement] = {}
    for r in rows(project.db, "SELECT kind, key, x, z, facing FROM blocking WHERE shot_id = ?", [shot_id]):
        if r["kind"] == "subject":
            subjects[r["key"]] = _placement(r)
        else:
            cams[int(r["key"])] = _placement(r)
    return subjects, cams


def get_placement(project: Project, shot_id: int, kind: str, key: str) -> Placement | None:
    r = one(project.db, "SELECT x, z, facing FROM blocking WHERE shot_id = ? AND kind = ? AND key = ?", [shot_id, kind, key])
    return _placement(r) if r else None


def shot_blocking(project: Project, shot_id: int, fields: PromptFields | None = None) -> tuple[Scene, list[CameraPlan]]:
    """The shot's scene (its current prompt's subjects where they stand, set, light) and its
    cameras where they stand. `fields` reads another prompt version's words instead."""
    if fields is None:
        prompt = current_prompt(project, shot_id)
        if prompt is None:
            raise InvalidInput(f"shot {get_shot(project, shot_id).code} has no prompt yet; its subjects come from the prompt")
        fields = prompt.fields
    subjects, placed = stored_placements(project, shot_id)
    scene = build_scene(fields, subjects)
    plans = [CameraPlan(c.name, c.setup, placed.get(c.id, default_camera_placement(i)))
             for i, c in enumerate(list_cameras(project, shot_id))]
    return scene, plans


def _check(project: Project, shot_id: int, kind: str, key: str) -> None:
    shot = get_shot(project, shot_id)
    if shot.locked:
        raise Refused(f"shot {shot.code} is locked; its blocking cannot change")
    if kind not in PLACED:
        raise InvalidInput(f"a placement is of a subject or a camera, not {kind!r}")
    if kind == "camera":
        camera = get_camera(project, int(key))
        if camera.shot_id != shot_id:
            raise InvalidInput(f"camera {camera.name} is not a camera of shot {shot.code}")


def set_placement(project: Project, shot_id: int, kind: str, key: str, placement: Placement | None) -> Changes:
    """Put a subject (by its words) or a camera (by its id) at a placement; None puts it back
    where the defaults put it."""
    key = str(key)
    _check(project, shot_id, kind, key)
    with project.atomic() as db:
        db.execute("DELETE FROM blocking WHERE shot_id = ? AND kind = ? AND key = ?", [shot_id, kind, key])
        if placement is not None:
            db.execute("INSERT INTO blocking (shot_id, kind, key, x, z, facing) VALUES (?, ?, ?, ?, ?, ?)",
                       [shot_id, kind, key, float(placement.x), float(placement.z), float(placement.facing) % 360.0])
    return Changes.of(shots=[shot_id], cameras=[int(key)] if kind == "camera" else [])


def subject_key(scene: Scene, words: str) -> str:
    """The stored key of the subject a user names: its words, or its number from 1 in the prompt."""
    keys = [f.stand_in.key for f in scene.figures]
    w = " ".join(words.lower().split())
    if w.isdigit() and 1 <= int(w) <= len(keys):
        return keys[int(w) - 1]
    if w in keys:
        return w
    matches = [k for k in keys if w and w in k]
    if len(matches) == 1:
        return matches[0]
    raise NotFound(f"no subject {words!r} in the shot's prompt (subjects: "
                   + "; ".join(f"{i} {k}" for i, k in enumerate(keys, start=1)) + ")")


# -- the undoable edit (the blocking view wraps it in a QUndoCommand) ---------------------------


@dataclass
class MovePlacement:
    """Move a subject or a camera; undo puts back where it stood (or its default, when it had no row)."""

    shot_id: int
    kind: str
    key: str
    placement: Placement | None
    text: str = "Move in blocking"
    _old: Placement | None = field(default=None, repr=False)
    _captured: bool = field(default=False, repr=False)

    def apply(self, project: Project) -> Changes:
        if not self._captured:
            self._old = get_placement(project, self.shot_id, self.kind, str(self.key))
            self._captured = True
        return set_placement(project, self.shot_id, self.kind, str(self.key), self.placement)

    def revert(self, project: Project) -> Changes:
        return set_placement(project, self.shot_id, self.kind, str(self.key), self._old)
