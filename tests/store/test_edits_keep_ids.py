"""Undo then redo puts back exactly what the edit made, under the same ids, even when something
else was inserted in between (so SQLite cannot hand the old rowid back by chance) — and the next
step on the undo stack still finds its rows."""

from __future__ import annotations

import pytest

from director.core.prompt import CameraSetup, PromptFields
from director.store import cameras, jobs, prompts, scenes, shots, takes
from director.store.edits import (
    AddCamera,
    AddScene,
    AddShot,
    DeleteShot,
    DeleteTake,
    ReorderShots,
    RestorePromptVersion,
    RestoreShot,
    SaveLook,
    SetCamera,
    SetShotFields,
    SetTakeFields,
    WritePrompt,
)

TABLES = ("scenes", "shots", "cameras", "prompts", "takes", "look_presets")


BYSTANDER = "5"  # the shot the unrelated inserts land on


def snapshot(project) -> dict[str, set[tuple]]:
    """Every row of the tables edits touch (but the bystander shot's own row, which the unrelated
    prompt write changes); a bin or creation timestamp counts as 'there', not as its time."""
    out = {}
    for t in TABLES:
        cur = project.db.execute(f"SELECT * FROM {t}" + (f" WHERE code != '{BYSTANDER}'" if t == "shots" else ""))
        names = [d[0] for d in cur.description]
        out[t] = {tuple((v is not None) if n in ("deleted_at", "created_at") else v for n, v in zip(names, r)) for r in cur.fetchall()}
    return out


def unrelated_inserts(project) -> None:
    """Rows in every table an edit may insert into, on other shots, so a re-insert without its id
    would be handed a different one (or find its old id taken)."""
    scene, _ = scenes.add_scene(project, "90", "elsewhere")
    other = next(s for s in shots.list_shots(project) if s.code == BYSTANDER)
    cameras.add_camera(project, other.id, "Z")
    prompts.write_prompt(project, other.id, PromptFields(subject="something else"))
    job_id, _ = jobs.create_job(project, shot_id=other.id, camera_id=None, prompt_id=None, preset="tiny-t2i", params={}, seeds=[9])
    takes.insert_take(project, job_id, {"seed": 9, "kind": "image", "media_path": project.media.put_bytes(b"y", "png"), "width": 64, "height": 64})


def _setup(project):
    shot, _ = shots.add_shot(project, "1", "roof")
    other, _ = shots.add_shot(project, "2", "alley")
    shots.add_shot(project, BYSTANDER, "bystander")
    prompts.write_prompt(project, shot.id, PromptFields(subject="a runner"))
    job_id, _ = jobs.create_job(project, shot_id=shot.id, camera_id=None, prompt_id=None, preset="tiny-t2i", params={}, seeds=[1])
    take_id = takes.insert_take(project, job_id, {"seed": 1, "kind": "image", "media_path": project.media.put_bytes(b"x", "png"), "width": 64, "height": 64})
    return shot, other, take_id


EDITS = {
    "AddShot": lambda p, shot, other, take: AddShot("3", "new"),
    "AddScene": lambda p, shot, other, take: AddScene("7", "night"),
    "AddCamera": lambda p, shot, other, take: AddCamera(shot.id, "B", CameraSetup(shot_size="close-up")),
    "SetCamera": lambda p, shot, other, take: SetCamera(cameras.find_camera(p, shot.id, "A").id, CameraSetup(lens="85mm")),
    "WritePrompt": lambda p, shot, other, take: WritePrompt(shot.id, PromptFields(subject="a runner", action="leaps")),
    "RestorePromptVersion": lambda p, shot, other, take: RestorePromptVersion(shot.id, prompts.write_prompt(p, shot.id, PromptFields(subject="v2"))[0].id - 1),
    "SetShotFields": lambda p, shot, other, take: SetShotFields(shot.id, {"title": "Roof jump", "notes": "wind"}),
    "ReorderShots": lambda p, shot, other, take: ReorderShots(list(reversed(shots.shot_order(p)))),
    "DeleteShot": lambda p, shot, other, take: DeleteShot(shot.id),
    "RestoreShot": lambda p, shot, other, take: (shots.delete_shot(p, shot.id), RestoreShot(shot.id))[1],
    "SetTakeFields": lambda p, shot, other, take: SetTakeFields(take, rating=4),
    "DeleteTake": lambda p, shot, other, take: DeleteTake(take),
    "SaveLook": lambda p, shot, other, take: SaveLook("Bleach bypass", "bleach bypass, crushed blacks"),
}


@pytest.mark.parametrize("name", EDITS)
def test_apply_revert_apply_keeps_every_id(project, name):
    shot, other, take = _setup(project)
    edit = EDITS[name](project, shot, other, take)
    before = snapshot(project)
    edit.apply(project)
    applied = snapshot(project)
    edit.revert(project)
    assert snapshot(project) == before or name in ("AddScene", "AddShot", "WritePrompt"), "undo must restore the rows"
    clean = snapshot(project)
    unrelated_inserts(project)
    extra = {t: snapshot(project)[t] - clean[t] for t in TABLES}
    edit.apply(project)
    redone = {t: rows - extra[t] for t, rows in snapshot(project).items()}
    assert redone == applied


def test_a_camera_edit_after_redoing_add_camera_still_finds_its_camera(project):
    shot, _, _ = _setup(project)
    add = AddCamera(shot.id, "B")
    add.apply(project)
    change = SetCamera(add.camera_id, CameraSetup(lens="100mm"))
    change.apply(project)
    change.revert(project)
    add.revert(project)
    unrelated_inserts(project)
    add.apply(project)  # redo
    change.apply(project)  # redo the next step: it names the camera by id
    assert cameras.get_camera(project, add.camera_id).setup.lens == "100mm"
