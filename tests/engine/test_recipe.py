"""One truth (#13): every take carries the exact recipe it was made from. The text the model reads
is fixed when the job is queued; the worker reports what the pipeline received and what ran; a
finished job's takes are recorded with its finish or not at all."""

from __future__ import annotations

import dataclasses
import logging

import cv2
import numpy as np
import torch

from director.core.enums import FailureKind, JobState
from director.core.prompt import CameraSetup
from director.engine import actions
from director.engine.messages import Finished, TakeWritten
from director.engine.runner import JobRunner, build_request, wait_for
from director.store import jobs as store_jobs
from director.store.cameras import find_camera, update_camera
from director.store.media import sha256_file
from director.store.shots import find_shot
from director.store.takes import takes_of_job

from .doubles import RelayClient


def _camera(project, name):
    return find_camera(project, find_shot(project, "12A").id, name)


def _finished(events, job_id) -> Finished:
    return next(e for e in events if isinstance(e, Finished) and e.job_id == job_id)


def _unrun(recipe):
    return dataclasses.replace(recipe, run=None)


def test_a_camera_edit_after_queueing_changes_nothing_the_model_reads_or_the_take_records(runner):
    project = runner.project
    queued = actions.queue_generation(project, "12A", "tiny-t2i", cameras=["A"], seed_mode="fixed", seeds=[5],
                                      params={"steps": 2, "width": 64, "height": 64})
    job_id, recipe = queued.job_ids[0], queued.recipes[0]
    assert "wide shot" in recipe.prompt and recipe.camera == "A" and recipe.camera_setup["shot_size"] == "wide shot"
    assert (recipe.preset, recipe.pipeline_class, recipe.source) == ("tiny-t2i", "StableDiffusionPipeline", "builtin:tiny-t2i")
    assert recipe.params["steps"] == 2 and recipe.seeds == (5,) and recipe.negative == "blurry"
    # Reframed while the job waits in the queue.
    update_camera(project, _camera(project, "A").id, setup=CameraSetup(shot_size="extreme close-up", lens="200mm"))
    events = []
    wait_for(runner, {job_id}, 60, on_event=events.append)
    finished = _finished(events, job_id)
    assert finished.received["prompt"] == recipe.prompt  # what the pipeline call got, captured in the worker
    assert finished.received["negative_prompt"] == "blurry"
    assert "extreme close-up" not in finished.received["prompt"]
    take = takes_of_job(project, job_id)[0]
    recorded = store_jobs.take_recipe(project, take.id)
    assert _unrun(recorded) == recipe
    run = recorded.run
    assert run is not None and run.device == "cpu" and run.dtype == "float32"
    assert run.pipeline_class == "StableDiffusionPipeline" and run.scheduler and run.scheduler_config
    assert run.weights.startswith("tiny-v1") and run.versions["torch"] == torch.__version__
    assert set(run.versions) == {"diffusers", "transformers", "torch"}


def test_every_camera_gets_the_text_composed_for_it_when_queued(shot_project):
    queued = actions.queue_generation(shot_project, "12A", "tiny-t2v", all_cameras=True, variants=2)
    a, b = (store_jobs.job_recipe(shot_project, j) for j in queued.job_ids)
    assert "wide shot" in a.prompt and "close-up" in b.prompt and "85mm" in b.prompt
    assert (a.camera, b.camera) == ("A", "B") and a.seeds == b.seeds == queued.seeds
    assert a.params == b.params == queued.params and a.params["frames"] == 17


def test_retry_keeps_the_recipe_it_was_first_queued_with(runner):
    project = runner.project
    runner.pause()
    queued = actions.queue_generation(project, "12A", "tiny-t2i", cameras=["B"], seed_mode="fixed", seeds=[9],
                                      params={"steps": 1, "width": 64, "height": 64})
    first = queued.job_ids[0]
    store_jobs.cancel_queued(project, first)
    update_camera(project, _camera(project, "B").id, setup=CameraSetup(shot_size="aerial shot"))
    again, _ = store_jobs.retry_job(project, first)
    assert store_jobs.job_recipe(project, again) == store_jobs.job_recipe(project, first) == queued.recipes[0]
    runner.resume()
    events = []
    wait_for(runner, {again}, 60, on_event=events.append)
    assert _finished(events, again).received["prompt"] == queued.recipes[0].prompt
    assert "aerial" not in queued.recipes[0].prompt


def test_a_take_whose_media_vanishes_before_it_is_recorded_fails_the_job_with_no_takes(shot_project, engine):
    project = shot_project

    def lose_the_second_take(event):
        if isinstance(event, TakeWritten) and event.variant == 1:
            project.media.path(event.media_path).unlink()  # the disk loses it before the runner records it
        return event

    runner = JobRunner(project, RelayClient(engine, lose_the_second_take))
    queued = actions.queue_generation(project, "12A", "tiny-t2i", seed_mode="list", seeds=[21, 22], variants=2,
                                      params={"steps": 1, "width": 64, "height": 64})
    job_id = queued.job_ids[0]
    wait_for(runner, {job_id}, 60)
    job = store_jobs.get_job(project, job_id)
    assert job.state is JobState.FAILED and job.error_kind is FailureKind.ERROR
    assert "not recorded" in job.error and "is not in the store" in job.error
    assert takes_of_job(project, job_id) == []  # the first take, whose file is there, was not kept either
    assert store_jobs.job_recipe(project, job_id).run is None  # nothing of the finish was written
    assert job.gpu_s > 0 and job.money > 0  # the device time is still charged


def test_a_charge_too_large_to_record_fails_the_job_instead_of_leaving_it_running(shot_project, engine):
    project = shot_project
    # A cluster machine's meter names its GPU type; this one is priced beyond what can be charged.
    # Director refuses such a price when it is entered, so it is written as an older Director
    # (which accepted any price) would have left it in the file.
    with project.atomic() as db:
        db.execute("INSERT INTO gpu_prices (gpu_type, price_per_hour) VALUES ('cpu', '1e30')")

    def from_a_priced_machine(event):
        if isinstance(event, Finished):
            return dataclasses.replace(event, meter=dataclasses.replace(event.meter, gpu_type="cpu"))
        return event

    runner = JobRunner(project, RelayClient(engine, from_a_priced_machine))
    queued = actions.queue_generation(project, "12A", "tiny-t2i", variants=1, params={"steps": 1, "width": 64, "height": 64})
    job_id = queued.job_ids[0]
    wait_for(runner, {job_id}, 60)
    job = store_jobs.get_job(project, job_id)
    assert job.state is JobState.FAILED and job.finished_at and not runner.running_job_ids
    assert "OverflowError" in job.error and "charge could not be recorded" in job.error
    assert takes_of_job(project, job_id) == [] and job.money == 0


def test_a_rerender_replays_the_recorded_recipe_bit_identically_after_the_camera_changed(runner):
    project = runner.project
    first = actions.queue_generation(project, "12A", "tiny-t2v", cameras=["B"], seed_mode="fixed", seeds=[3],
                                     params={"steps": 2})
    wait_for(runner, set(first.job_ids), 60)
    original = takes_of_job(project, first.job_ids[0])[0]
    update_camera(project, _camera(project, "B").id, setup=CameraSetup(shot_size="wide shot", movement="dolly in"))
    again = actions.rerender_take(project, original.id)
    assert again.recipes[0] == dataclasses.replace(first.recipes[0], seeds=(3,))  # not recomposed
    events = []
    wait_for(runner, set(again.job_ids), 60, on_event=events.append)
    assert _finished(events, again.job_ids[0]).received["prompt"] == first.recipes[0].prompt
    result = actions.rerender_result(project, original.id, again.job_ids[0])
    assert result.identical and result.frames_identical and result.differences == ()
    assert result.describe() == f"take {result.take_id} is bit-identical to take {original.id}"


def test_a_rerender_with_a_pixel_changing_option_names_it(runner, monkeypatch):
    from director.engine.presets import config_dir

    project = runner.project
    first = actions.queue_generation(project, "12A", "tiny-t2v", seed_mode="fixed", seeds=[4], params={"steps": 3})
    wait_for(runner, set(first.job_ids), 60)
    original = takes_of_job(project, first.job_ids[0])[0]
    # The user switches on First Block Cache for this preset (Settings → Models) before re-rendering.
    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "engine.json").write_text('{"memory": {"tiny-t2v": {"first_block_cache": 0.9}}}')
    again = actions.rerender_take(project, original.id)
    wait_for(runner, set(again.job_ids), 60)
    result = actions.rerender_result(project, original.id, again.job_ids[0])
    assert result.take_id is not None and not result.identical
    assert result.differences == ("pixel-changing options: first_block_cache=0.9",)
    assert "first_block_cache=0.9" in result.describe() and "differs from" in result.describe()


def test_every_way_of_queueing_from_a_take_records_its_inputs_and_text(runner, tmp_path):
    project = runner.project
    still_job = actions.queue_generation(project, "12A", "tiny-t2i", cameras=["B"], variants=1,
                                         params={"width": 96, "height": 64, "steps": 1})
    wait_for(runner, set(still_job.job_ids), 60)
    still = takes_of_job(project, still_job.job_ids[0])[0]
    drawn = still_job.recipes[0]
    update_camera(project, _camera(project, "B").id, setup=CameraSetup(shot_size="over the shoulder"))
    # Promote: the draft's own text, at the final size.
    promoted = store_jobs.job_recipe(project, actions.promote_take(project, still.id).job_ids[0])
    assert promoted.prompt == drawn.prompt and promoted.seeds == (still.seed,) and promoted.params["width"] == 192
    # Image to video from the take: its file's hash; the text composed now, for the camera as it is.
    i2v = actions.image_to_video(project, take_id=still.id, overrides={"steps": 1})
    recipe = store_jobs.job_recipe(project, i2v.job_ids[0])
    assert recipe.inputs == {"init_image": sha256_file(project.media.path(still.media_path))}
    assert "over the shoulder" in recipe.prompt and recipe.preset == "tiny-i2v" and recipe.params["init_frame"] == "first"
    # An imported image: the hash of the bytes that were imported.
    image = tmp_path / "board.png"
    cv2.imwrite(str(image), np.full((64, 96, 3), (30, 120, 200), np.uint8))
    imported = actions.image_to_video(project, image=image, shot_code="12A", camera="A", overrides={"steps": 1})
    assert imported.recipes[0].inputs == {"init_image": sha256_file(image)} and imported.recipes[0].camera == "A"
    assert store_jobs.job_recipe(project, imported.job_ids[0]) == imported.recipes[0]


def test_an_input_altered_after_queueing_fails_the_job_before_it_runs(runner, tmp_path):
    project = runner.project
    runner.pause()
    image = tmp_path / "board.png"
    cv2.imwrite(str(image), np.full((64, 96, 3), (200, 30, 30), np.uint8))
    queued = actions.image_to_video(project, image=image, shot_code="12A", overrides={"steps": 1})
    stored = project.media.path(queued.params["init_image"])
    stored.chmod(0o644)
    cv2.imwrite(str(stored), np.zeros((64, 96, 3), np.uint8))  # a file changed in place behind Director's back
    runner.resume()
    runner.pump(0)
    job = store_jobs.get_job(project, queued.job_ids[0])
    assert job.state is JobState.FAILED and "not the file the job was queued with" in job.error


def test_a_job_queued_without_a_recipe_runs_the_camera_as_it_is_and_says_so(shot_project, caplog):
    shot = find_shot(shot_project, "12A")
    job_id, _ = store_jobs.create_job(shot_project, shot_id=shot.id, camera_id=_camera(shot_project, "B").id,
                                      prompt_id=shot.current_prompt_id, preset="tiny-t2i", params={}, seeds=[1])
    with caplog.at_level(logging.WARNING, logger="director.engine.recipes"):
        request = build_request(shot_project, store_jobs.get_job(shot_project, job_id))
    assert "close-up" in request.prompt and request.negative == "blurry"
    assert f"job {job_id} has no recorded recipe" in caplog.text


def test_a_take_is_not_recorded_when_the_pipeline_received_other_text_than_its_recipe(shot_project, engine):
    project = shot_project

    def as_if_the_worker_sent_other_text(event):
        # Stands for a worker (or a cluster machine running other code) that did not run the recipe.
        if isinstance(event, Finished):
            return dataclasses.replace(event, received={"prompt": "something else"})
        return event

    runner = JobRunner(project, RelayClient(engine, as_if_the_worker_sent_other_text))
    queued = actions.queue_generation(project, "12A", "tiny-t2i", variants=1, params={"steps": 1, "width": 64, "height": 64})
    job_id = queued.job_ids[0]
    wait_for(runner, {job_id}, 60)
    job = store_jobs.get_job(project, job_id)
    assert job.state is JobState.FAILED and "not the recipe's text" in job.error
    assert takes_of_job(project, job_id) == []
