"""From a queued job in the project to takes a user can review: the runner records what the
worker reports, and only it writes the project file."""

from __future__ import annotations

import os
import signal
import time

import cv2
import numpy as np
import pytest

from director.core.cost import from_micros, job_money, to_micros
from director.core.enums import FailureKind, JobState, MediaKind
from director.core.errors import InvalidInput
from director.engine import actions
from director.engine.media_out import read_frames
from director.engine.messages import Progress
from director.engine.runner import build_request, wait_for
from director.store import jobs as store_jobs
from director.store.shots import find_shot
from director.store.takes import get_take, list_takes, takes_of_job


def _run(runner, queued, timeout=60):
    wait_for(runner, set(queued.job_ids), timeout)
    return [store_jobs.get_job(runner.project, j) for j in queued.job_ids]


def test_generating_a_shot_writes_takes_media_and_job_figures(runner):
    project = runner.project
    queued = actions.queue_generation(project, "12A", "tiny-t2v", all_cameras=True, variants=2, params={"steps": 2})
    assert len(queued.job_ids) == 2  # one job per camera, sharing the seeds
    jobs = _run(runner, queued)
    shot = find_shot(project, "12A")
    takes = list_takes(project, shot.id, sort="oldest")
    assert len(takes) == 4 and {t.seed for t in takes} == set(queued.seeds)
    for job in jobs:
        assert job.state is JobState.DONE and job.gpu_s > 0 and job.wall_s > 0 and job.money is not None
        assert job.device == "cpu" and job.model_revision.startswith("tiny-v1") and job.load_s is not None
    for take in takes:
        assert take.kind is MediaKind.VIDEO and (take.width, take.height, take.frames) == (96, 64, 17)
        assert read_frames(project.media.path(take.media_path)).shape == (17, 64, 96, 3)
        assert project.media.path(take.thumb_path).is_file()
        assert project.media.verify([take.media_path, take.thumb_path]).ok


def test_the_camera_changes_the_prompt_the_model_reads(shot_project):
    queued = actions.queue_generation(shot_project, "12A", "tiny-t2i", all_cameras=True, variants=1)
    a, b = (build_request(shot_project, store_jobs.get_job(shot_project, j)) for j in queued.job_ids)
    assert a.prompt.startswith("a woman in a red coat") and "wide shot" in a.prompt and "close-up" in b.prompt
    assert a.negative == "blurry" and a.seeds == b.seeds


def test_invalid_sizes_and_frame_counts_are_refused_before_queueing(shot_project):
    with pytest.raises(InvalidInput, match=r"frames 20 breaks LTX's 8k\+1 rule; nearest valid: 17"):
        actions.queue_generation(shot_project, "12A", "tiny-t2v", params={"frames": 20})
    with pytest.raises(InvalidInput, match=r"height 70 .*nearest valid: 64"):
        actions.queue_generation(shot_project, "12A", "tiny-t2v", params={"height": 70})
    assert store_jobs.list_jobs(shot_project) == []


def test_cancelling_a_running_job_records_it_cancelled_with_no_takes(runner):
    project = runner.project
    queued = actions.queue_generation(project, "12A", "tiny-t2v", variants=1, params={"steps": 60})
    job_id = queued.job_ids[0]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(isinstance(e, Progress) for e in runner.pump(0.2).events):
            break
    runner.cancel(job_id)
    wait_for(runner, {job_id}, 30)
    job = store_jobs.get_job(project, job_id)
    assert job.state is JobState.CANCELLED and job.error_kind is FailureKind.CANCELLED
    assert takes_of_job(project, job_id) == [] and job.wall_s is not None and job.finished_at
    assert job.gpu_s > 0 and job.money > 0  # the steps it ran before the cancel were spent


def test_a_paused_queue_starts_nothing_and_a_queued_job_cancels_at_once(runner):
    project = runner.project
    runner.pause()
    queued = actions.queue_generation(project, "12A", "tiny-t2i", variants=1)
    runner.pump(0)
    assert store_jobs.get_job(project, queued.job_ids[0]).state is JobState.QUEUED
    runner.cancel(queued.job_ids[0])
    assert store_jobs.get_job(project, queued.job_ids[0]).state is JobState.CANCELLED
    runner.resume()
    assert runner.idle


def test_a_rerendered_take_reproduces_its_frames_bit_exactly(runner):
    project = runner.project
    first = _run(runner, actions.queue_generation(project, "12A", "tiny-t2v", variants=3, params={"steps": 2}))[0]
    original = takes_of_job(project, first.id)[1]
    again = actions.rerender_take(project, original.id)
    _run(runner, again)
    copy = takes_of_job(project, again.job_ids[0])[0]
    assert copy.parent_take_id == original.id and copy.seed == original.seed
    assert copy.extra["frames_sha256"] == original.extra["frames_sha256"]
    assert copy.media_path == original.media_path  # identical bytes, one stored file


def test_promoting_a_draft_keeps_seed_and_prompt_at_the_final_size(runner):
    project = runner.project
    draft = _run(runner, actions.queue_generation(project, "12A", "tiny-t2i", variants=1,
                                                  params={"steps": 2, "width": 64, "height": 64}))[0]
    take = takes_of_job(project, draft.id)[0]
    promoted = actions.promote_take(project, take.id)
    job = _run(runner, promoted)[0]
    final = takes_of_job(project, job.id)[0]
    assert (final.width, final.height, final.seed) == (128, 128, take.seed)
    assert job.params["steps"] == 4 and job.prompt_id == draft.prompt_id and final.parent_take_id == take.id


def test_a_still_becomes_a_clip_and_a_clip_is_extended_from_its_last_frame(runner, tmp_path):
    project = runner.project
    still_job = _run(runner, actions.queue_generation(project, "12A", "tiny-t2i", variants=1,
                                                      params={"width": 96, "height": 64}))[0]
    still = takes_of_job(project, still_job.id)[0]
    clip_job = _run(runner, actions.image_to_video(project, take_id=still.id, overrides={"steps": 2}))[0]
    assert clip_job.state is JobState.DONE, clip_job.error
    clip = takes_of_job(project, clip_job.id)[0]
    assert clip.kind is MediaKind.VIDEO and clip.parent_take_id == still.id
    longer = actions.extend_take(project, clip.id, overrides={"steps": 2})
    assert longer.params["init_frame"] == "last"
    ext = takes_of_job(project, _run(runner, longer)[0].id)[0]
    assert ext.parent_take_id == clip.id and ext.frames == clip.frames


def test_an_imported_image_is_animated_into_a_take_of_the_shot(runner, tmp_path):
    project = runner.project
    image = tmp_path / "board.png"
    cv2.imwrite(str(image), np.full((64, 96, 3), (30, 120, 200), np.uint8))
    queued = actions.image_to_video(project, image=image, shot_code="12A", camera="B", overrides={"steps": 2})
    job = _run(runner, queued)[0]
    assert job.state is JobState.DONE and project.media.path(job.params["init_image"]).is_file()
    take = takes_of_job(project, job.id)[0]
    assert take.camera_id == job.camera_id and get_take(project, take.id).parent_take_id is None


def test_a_job_whose_preset_vanished_fails_with_a_reason_and_the_queue_moves_on(runner):
    project = runner.project
    shot = find_shot(project, "12A")
    bad, _ = store_jobs.create_job(project, shot_id=shot.id, camera_id=None, prompt_id=shot.current_prompt_id,
                                   preset="deleted-preset", params={}, seeds=[1])
    good = actions.queue_generation(project, "12A", "tiny-t2i", variants=1)
    _run(runner, good)
    job = store_jobs.get_job(project, bad)
    assert job.state is JobState.FAILED and job.error_kind is FailureKind.INVALID_PARAMS
    assert "no preset 'deleted-preset'" in job.error


def test_a_job_whose_worker_is_killed_is_charged_the_device_seconds_it_used_until_then(runner):
    project = runner.project
    queued = actions.queue_generation(project, "12A", "tiny-t2v", variants=1, params={"steps": 60})
    job_id = queued.job_ids[0]
    reported, deadline = 0.0, time.monotonic() + 60
    while reported == 0.0 and time.monotonic() < deadline:
        reported = max([reported] + [e.gpu_s for e in runner.pump(0.2).events if isinstance(e, Progress)])
    os.kill(runner.client.worker_pid, signal.SIGKILL)  # as the kernel's OOM killer does, or a segfault
    wait_for(runner, {job_id}, 30)
    job = store_jobs.get_job(project, job_id)
    assert job.state is JobState.FAILED and job.error_kind is FailureKind.CRASHED
    assert job.gpu_s >= reported > 0 and job.device == "cpu" and job.wall_s >= job.gpu_s
    price = project.settings().gpu_price_per_hour
    assert job.money > 0 and job.money == from_micros(to_micros(job_money(job.gpu_s, price)))
