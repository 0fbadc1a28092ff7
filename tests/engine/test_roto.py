"""Roto with the tiny SAM 2 twin through the real worker (#19 part B): a click makes one matte per
frame at the take's size, recorded as a content-addressed artifact of the take with its job's
recipe; a negative click changes it; cancelling leaves no rows and no files; prompt edits undo and
redo under their own ids; missing weights say how to get them."""

from __future__ import annotations

import hashlib
import time

import numpy as np
import pytest


from tests.engine.roto_fixtures import FRAMES, H, W, video_take  # noqa: E402
from tests.engine.twin_cache import built  # noqa: E402

from director.core.enums import FailureKind, JobState  # noqa: E402
from director.core.errors import InvalidInput  # noqa: E402
from director.core.roto import RotoPrompt, parse_box, parse_point  # noqa: E402
from director.engine.messages import Progress  # noqa: E402
from director.engine.roto import queue_roto  # noqa: E402
from director.engine.runner import JobRunner, wait_for  # noqa: E402
from director.store import jobs as store_jobs  # noqa: E402
from director.store.matte_file import decode_matte  # noqa: E402
from director.store.roto import AddRotoPrompt, RemoveRotoPrompt, latest_mattes, list_mattes, list_objects  # noqa: E402
from director.store.shots import add_shot  # noqa: E402


@pytest.fixture
def take(project):
    shot, _ = add_shot(project, "7", "Street")
    return video_take(project, shot.id, None)


@pytest.fixture
def sam2():
    return built("tiny-sam2")


def click(project, take_id, text, name="car", kind="positive"):
    edit = AddRotoPrompt(take_id, name, parse_point(text, kind))
    edit.apply(project)
    return edit


def run(project, engine, take_id, preset="tiny-sam2"):
    queued = queue_roto(project, take_id, preset)
    runner = JobRunner(project, engine)
    wait_for(runner, set(queued.job_ids), 240)
    return store_jobs.get_job(project, queued.job_ids[0])


def matte_of(project, matte):
    path = project.media.path(matte.media_path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == matte.media_path.replace("/", "").split(".")[0]
    return decode_matte(path)


def test_a_click_makes_one_matte_per_frame_of_the_takes_size_recorded_with_its_recipe(project, engine, take, sam2):
    click(project, take, "30,20@2")
    job = run(project, engine, take)
    assert job.state is JobState.DONE, job.error
    (matte,) = latest_mattes(project, take)
    assert (matte.frames, matte.width, matte.height, matte.name, matte.job_id) == (FRAMES, W, H, "car", job.id)
    alpha = matte_of(project, matte)
    assert alpha.shape == (FRAMES, H, W) and alpha.dtype == np.uint8
    assert matte.extra["alpha_sha256"] == hashlib.sha256(alpha.tobytes()).hexdigest()
    assert project.media.path(matte.thumb_path).is_file()
    recipe = store_jobs.job_recipe(project, job.id)
    take_file = project.media.path(project.db.execute("SELECT media_path FROM takes WHERE id = ?", [take]).fetchone()[0])
    assert recipe.inputs["take"] == hashlib.sha256(take_file.read_bytes()).hexdigest()
    assert recipe.params["objects"][0]["prompts"] == [{"kind": "positive", "frame": 2, "x0": 30.0, "y0": 20.0}]
    assert recipe.pipeline_class == "Sam2VideoModel" and recipe.run.pipeline_class == "Sam2VideoModel"
    assert job.gpu_s and job.gpu_s > 0 and job.money is not None and job.parent_take_id == take


def test_a_negative_click_changes_the_matte_and_the_first_one_stays_recorded(project, engine, take, sam2):
    click(project, take, "30,20@2")
    run(project, engine, take)
    first = matte_of(project, latest_mattes(project, take)[0])
    click(project, take, "70,40@2", kind="negative")
    job = run(project, engine, take)
    assert job.state is JobState.DONE, job.error
    second = matte_of(project, latest_mattes(project, take)[0])
    assert second.shape == first.shape
    assert np.abs(second.astype(int) - first.astype(int)).sum() > 0
    assert len(list_mattes(project, take)) == 2


def test_several_named_objects_each_get_a_matte(project, engine, take, sam2):
    click(project, take, "30,20@0", name="car")
    AddRotoPrompt(take, "sign", parse_box("50,5,75,30@6")).apply(project)
    job = run(project, engine, take)
    assert job.state is JobState.DONE, job.error
    assert sorted(m.name for m in latest_mattes(project, take)) == ["car", "sign"]


def test_cancel_leaves_no_mattes_and_no_files(project, engine, take, sam2):
    click(project, take, "30,20@4")
    before = set(project.media.stored())
    queued = queue_roto(project, take, "tiny-sam2")
    runner = JobRunner(project, engine)
    cancelled = False

    def on_event(event):
        nonlocal cancelled
        if isinstance(event, Progress) and not cancelled:
            runner.cancel(event.job_id)
            cancelled = True

    deadline = time.monotonic() + 240
    while not store_jobs.get_job(project, queued.job_ids[0]).state.finished and time.monotonic() < deadline:
        for event in runner.pump(0.1).events:
            on_event(event)
    job = store_jobs.get_job(project, queued.job_ids[0])
    assert cancelled and job.state is JobState.CANCELLED and job.error_kind is FailureKind.CANCELLED
    assert list_mattes(project, take) == []
    assert set(project.media.stored()) == before
    assert not any(project.media.tmp.iterdir())


def test_missing_weights_fail_the_job_with_how_to_get_them(project, engine, take):
    click(project, take, "30,20@0")
    job = run(project, engine, take, preset="sam2.1-hiera-tiny")
    assert job.state is JobState.FAILED and job.error_kind is FailureKind.MISSING_WEIGHTS
    assert "director models pull sam2.1-hiera-tiny" in job.error
    assert list_mattes(project, take) == []


def test_prompt_edits_undo_and_redo_under_their_own_ids(project, take):
    first = click(project, take, "30,20@2")
    second = click(project, take, "70,40@2", kind="negative")
    (obj,) = list_objects(project, take)
    ids = [p.id for p in obj.prompts]
    second.revert(project)
    assert [p.id for p in list_objects(project, take)[0].prompts] == ids[:1]
    second.apply(project)
    assert [p.id for p in list_objects(project, take)[0].prompts] == ids
    second.revert(project)  # undo runs newest first
    first.revert(project)
    assert list_objects(project, take) == []  # the object the first click made went with it
    first.apply(project)
    second.apply(project)
    again = list_objects(project, take)
    assert again[0].id == obj.id and [p.id for p in again[0].prompts] == ids
    remove = RemoveRotoPrompt(ids[1])
    remove.apply(project)
    remove.revert(project)
    assert [p.id for p in list_objects(project, take)[0].prompts] == ids


def test_prompts_outside_the_take_and_jobs_without_prompts_are_refused(project, take):
    with pytest.raises(InvalidInput, match="outside the take's 80×48 frame"):
        AddRotoPrompt(take, "car", RotoPrompt("positive", 0, 81.0, 10.0)).apply(project)
    with pytest.raises(InvalidInput, match="frames 0 to 8"):
        AddRotoPrompt(take, "car", RotoPrompt("positive", 9, 1.0, 1.0)).apply(project)
    with pytest.raises(InvalidInput, match="x,y@frame"):
        parse_point("30;20@2")
    with pytest.raises(InvalidInput, match="no roto prompts"):
        queue_roto(project, take, "tiny-sam2")
    with pytest.raises(InvalidInput, match="roto needs a segment preset"):
        queue_roto(project, take, "tiny-t2v")
    assert list_objects(project, take) == []


def test_a_click_on_another_frame_refines_the_matte(project, engine, take, sam2):
    click(project, take, "30,20@1")
    run(project, engine, take)
    before = matte_of(project, latest_mattes(project, take)[0])
    click(project, take, "60,25@6")
    job = run(project, engine, take)
    assert job.state is JobState.DONE, job.error
    after = matte_of(project, latest_mattes(project, take)[0])
    assert np.abs(after.astype(int) - before.astype(int))[6].sum() > 0
    frames = {p["frame"] for p in store_jobs.job_recipe(project, job.id).params["objects"][0]["prompts"]}
    assert frames == {1, 6}
