"""Every edit can be undone and redone, and says what it changed."""

from __future__ import annotations

from director.core.enums import TakeFlag
from director.core.prompt import CameraSetup, PromptFields
from director.store import cameras, jobs, prompts, shots, takes
from director.store.edits import AddCamera, AddShot, DeleteShot, ReorderShots, SetCamera, SetShotFields, SetTakeFields, WritePrompt


def _take(project):
    shot, _ = shots.add_shot(project, "1A")
    job_id, _ = jobs.create_job(project, shot_id=shot.id, camera_id=None, prompt_id=None, preset="tiny-t2i", params={}, seeds=[1])
    rel = project.media.put_bytes(b"x", "png")
    return takes.insert_take(project, job_id, {"seed": 1, "kind": "image", "media_path": rel, "width": 64, "height": 64})


def test_rating_then_undo_restores_the_old_rating(project):
    take_id = _take(project)
    edit = SetTakeFields(take_id, rating=5)
    assert edit.apply(project).takes == {take_id}
    assert takes.get_take(project, take_id).rating == 5
    edit.revert(project)
    assert takes.get_take(project, take_id).rating == 0
    edit.apply(project)
    assert takes.get_take(project, take_id).rating == 5


def test_flag_undo_leaves_the_rating_alone(project):
    take_id = _take(project)
    SetTakeFields(take_id, rating=3).apply(project)
    edit = SetTakeFields(take_id, flag=TakeFlag.REJECTED)
    edit.apply(project)
    edit.revert(project)
    t = takes.get_take(project, take_id)
    assert (t.rating, t.flag) == (3, TakeFlag.NONE)


def test_prompt_undo_keeps_the_version_but_points_back(project):
    shot, _ = shots.add_shot(project, "2")
    WritePrompt(shot.id, PromptFields(subject="one")).apply(project)
    second = WritePrompt(shot.id, PromptFields(subject="two"))
    second.apply(project)
    second.revert(project)
    assert prompts.current_prompt(project, shot.id).fields.subject == "one"
    assert len(prompts.prompt_history(project, shot.id)) == 2
    second.apply(project)
    assert prompts.current_prompt(project, shot.id).fields.subject == "two"
    assert len(prompts.prompt_history(project, shot.id)) == 2


def test_shot_add_delete_reorder_and_fields_undo(project):
    add = AddShot("1")
    add.apply(project)
    AddShot("2").apply(project)
    order = ReorderShots(list(reversed(shots.shot_order(project))))
    order.apply(project)
    assert [s.code for s in shots.list_shots(project)] == ["2", "1"]
    order.revert(project)
    assert [s.code for s in shots.list_shots(project)] == ["1", "2"]
    status = SetShotFields(add.shot_id, {"status": "review", "budget_money": "12.50"})
    status.apply(project)
    status.revert(project)
    s = shots.get_shot(project, add.shot_id)
    assert s.status.value == "draft" and s.budget_money is None
    delete = DeleteShot(add.shot_id)
    delete.apply(project)
    assert [s.code for s in shots.list_shots(project)] == ["2"]
    delete.revert(project)
    add.revert(project)
    assert [s.code for s in shots.list_shots(project, deleted=True)] == ["1"]
    add.apply(project)
    assert {s.code for s in shots.list_shots(project)} == {"1", "2"}


def test_camera_add_and_change_undo(project):
    shot, _ = shots.add_shot(project, "3")
    add = AddCamera(shot.id, "b", CameraSetup(shot_size="close-up"))
    add.apply(project)
    change = SetCamera(add.camera_id, CameraSetup(shot_size="insert", lens="100mm"))
    change.apply(project)
    assert cameras.get_camera(project, add.camera_id).setup.lens == "100mm"
    change.revert(project)
    assert cameras.get_camera(project, add.camera_id).setup == CameraSetup(shot_size="close-up")
    add.revert(project)
    assert [c.name for c in cameras.list_cameras(project, shot.id)] == ["A"]


def test_a_locked_shot_refuses_take_edits(project):
    import pytest

    from director.core.errors import Refused

    take_id = _take(project)
    shot_id = takes.get_take(project, take_id).shot_id
    shots.update_shot(project, shot_id, status="locked")
    with pytest.raises(Refused, match="locked"):
        SetTakeFields(take_id, rating=2).apply(project)
    with pytest.raises(Refused, match="locked"):
        jobs.create_job(project, shot_id=shot_id, camera_id=None, prompt_id=None, preset="tiny-t2i", params={}, seeds=[1])
