"""Depth made by a depth model: Depth Anything V2's tiny twin, written as the hub download is laid
out, loads through the real loader; the worker turns a control job's source frames into depth
with it before VACE sees them; a depth preset is refused where it does not belong."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from director.core.errors import InvalidInput
from director.core.prompt import PromptFields
from director.engine import control
from director.engine.depth_model import depth_frames
from director.engine.presets import get_preset, validate_params
from director.store import jobs as store_jobs
from director.store.project import Project
from director.store.prompts import write_prompt
from director.store.shots import add_shot
from director.store.takes import takes_of_job
from tests.engine.test_control import clip
from tests.engine.twin_cache import built


def _stored_clip(project: Project) -> str:
    from director.engine import encoders
    from director.engine.media_out import encode_mp4

    return project.media.put_bytes(encode_mp4(clip(), Fraction(12), encoders.choose(None, "final", cuda=False)), "mp4")


def test_the_twin_loads_like_a_download_and_makes_clip_wide_depth(tmp_path):
    preset = built("tiny-depth-anything")
    frames = clip()
    depth = depth_frames(preset, frames, "cpu")
    assert depth.shape == frames.shape and depth.dtype == np.uint8
    assert np.array_equal(depth[..., 0], depth[..., 1]) and np.array_equal(depth[..., 0], depth[..., 2])
    assert depth.min() == 0 and depth.max() == 255  # scaled over the whole clip
    assert np.array_equal(depth, depth_frames(preset, frames, "cpu"))  # the same frames, the same depth
    assert not np.array_equal(depth[0], depth[-1])  # the square moved, so did its depth


def test_vace_receives_depth_from_the_model_not_the_source_frames(tmp_path):
    from director.engine import encoders
    from director.engine.media_out import encode_mp4, read_frames

    built("tiny-depth-anything")
    video = tmp_path / "walk.mp4"
    video.write_bytes(encode_mp4(clip(), Fraction(12), encoders.choose(None, "final", cuda=False)))
    params = {"width": 64, "height": 48, "frames": 9}
    spec = {"mode": "depth", "strength": 1.0, "video": str(video), "references": []}
    plain = control.control_kwargs(get_preset("tiny-wan21-vace"), spec, params, {})
    made = control.control_kwargs(get_preset("tiny-wan21-vace"), {**spec, "depth_model": "tiny-depth-anything"}, params, {})
    expected = depth_frames(get_preset("tiny-depth-anything"), read_frames(video), "cpu")
    got = np.stack([np.asarray(f) for f in made["video"]])
    assert np.array_equal(got, expected)
    assert not np.array_equal(got, np.stack([np.asarray(f) for f in plain["video"]]))


def test_a_depth_preset_is_named_only_where_it_belongs(tmp_path):
    project = Project.create(tmp_path / "film.director")
    guide = _stored_clip(project)
    with pytest.raises(InvalidInput, match="makes depth guides for control jobs, not takes"):
        validate_params(get_preset("depth-anything-v2-small"), {})
    with pytest.raises(InvalidInput, match="is not a depth model; depth models: depth-anything-v2-small"):
        control.recipe_control(project, video=guide, mode="depth", strength=1.0, depth_model="tiny-t2v")
    with pytest.raises(InvalidInput, match="a depth model makes depth guides; the mode is edges"):
        control.recipe_control(project, video=guide, mode="edges", strength=1.0, depth_model="tiny-depth-anything")
    spec = control.recipe_control(project, video=guide, mode="depth", strength=1.0, depth_model="tiny-depth-anything")
    assert spec["depth_model"] == "tiny-depth-anything"
    assert "depth_model" not in control.recipe_control(project, video=guide, mode="depth", strength=1.0)
    project.close()


def test_a_control_job_with_model_depth_runs_through_the_worker(tmp_path, engine):
    from director.engine.runner import JobRunner, wait_for
    from director.engine.steered_jobs import queue_steered

    built("tiny-depth-anything")
    built("tiny-wan21-vace")
    project = Project.create(tmp_path / "film.director")
    shot, _ = add_shot(project, "1", "Corridor")
    write_prompt(project, shot.id, PromptFields(subject="a figure walks down a corridor"))
    guide = _stored_clip(project)
    spec = control.recipe_control(project, video=guide, mode="depth", strength=1.0, depth_model="tiny-depth-anything")
    queued = queue_steered(project, "1", "tiny-wan21-vace", keyframes=False, control_spec=spec, seed_mode="list", seeds=[3])
    wait_for(JobRunner(project, engine), set(queued.job_ids), 240)
    job = store_jobs.get_job(project, queued.job_ids[0])
    assert job.error is None, job.error
    assert len(takes_of_job(project, job.id)) == 1
    assert store_jobs.job_recipe(project, job.id).control["depth_model"] == "tiny-depth-anything"
    project.close()
