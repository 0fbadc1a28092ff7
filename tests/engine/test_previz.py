"""Previz (#15): framing follows the words, measured on the render; depth is monotone with
distance; a previz runs through the worker as a queued, metered job whose takes carry a depth and
a layout video and re-render bit-identically; Generate from previz hands VACE the depth video."""

from __future__ import annotations

import json

import numpy as np
import pytest

from director.core.blocking import CameraPlan, Placement, build_scene, default_camera_placement
from director.core.prompt import CameraSetup, PromptFields
from director.engine.previz.render import FIRST_FIGURE, FLOOR, render_view

W, H = 192, 128
SCENE = build_scene(PromptFields(subject="a woman in a red coat", setting="a rooftop at dusk"))


def view(setup: CameraSetup, t: float = 0.0, placement=None, scene=SCENE, **kw):
    return render_view(scene, CameraPlan("A", setup, placement or default_camera_placement(0)), t, width=W, height=H, **kw)


def bbox(frame, label=FIRST_FIGURE):
    """(height fraction, centre column fraction) of a figure's pixels."""
    ys, xs = np.nonzero(frame.labels == label)
    assert len(ys), "the subject is not in the frame"
    return (ys.max() - ys.min() + 1) / H, (xs.mean() + 0.5) / W


def horizon_row(frame) -> float:
    """Mean first row of ground from the top over the columns the figure does not cover; the
    frame's height when no ground shows (the horizon is below the frame)."""
    free = np.nonzero(~(frame.labels >= FIRST_FIGURE).any(axis=0))[0]
    assert len(free), "the figure covers every column"
    rows = [np.argmax(frame.labels[:, c] == FLOOR) if (frame.labels[:, c] == FLOOR).any() else H for c in free]
    return float(np.mean(rows))


def test_the_subjects_height_fraction_orders_extreme_wide_wide_medium_close_up():
    sizes = ["extreme wide shot", "wide shot", "medium shot", "close-up"]
    fractions = [bbox(view(CameraSetup(shot_size=s)))[0] for s in sizes]
    assert fractions == sorted(fractions) and len(set(fractions)) == 4, fractions
    assert fractions[0] < 0.15 and 0.25 < fractions[1] < 0.45


def test_a_dolly_in_grows_the_subject_and_a_pan_moves_it_across_the_frame():
    dolly = [bbox(view(CameraSetup(shot_size="wide shot", movement="dolly in"), t))[0] for t in (0, 0.5, 1)]
    assert dolly[0] < dolly[1] < dolly[2] and dolly[2] > 1.5 * dolly[0]
    pan = [bbox(view(CameraSetup(shot_size="wide shot", movement="pan left"), t))[1] for t in (0, 0.5, 1)]
    assert pan[0] < pan[1] < pan[2] and pan[2] - pan[0] > 0.2  # panning left, the subject slides right
    assert abs(bbox(view(CameraSetup(shot_size="wide shot"), 1))[1] - 0.5) < 0.05  # static: it stays


def test_a_low_angle_puts_the_horizon_lower_than_eye_level_and_dutch_tilts_it():
    eye = horizon_row(view(CameraSetup(shot_size="medium shot", angle="eye level")))
    low = horizon_row(view(CameraSetup(shot_size="medium shot", angle="low angle")))
    high = horizon_row(view(CameraSetup(shot_size="medium shot", angle="high angle")))
    assert low > eye + 0.1 * H and high < eye
    dutch = view(CameraSetup(shot_size="wide shot", angle="dutch angle"))
    left = np.argmax(dutch.labels[:, 2] == FLOOR)
    right = np.argmax(dutch.labels[:, W - 3] == FLOOR)
    assert abs(int(left) - int(right)) > 10


def test_a_longer_lens_narrows_the_field():
    put = Placement(0.0, -6.0)  # no shot size: the camera stays where it was put
    wide = bbox(view(CameraSetup(lens="24mm"), placement=put))[0]
    long = bbox(view(CameraSetup(lens="85mm"), placement=put))[0]
    assert long > 2.5 * wide  # 85/24 ≈ 3.5 times the magnification from the same spot


def test_depth_is_monotone_with_distance_and_a_render_is_repeatable():
    frame = view(CameraSetup(shot_size="wide shot"))
    z, d = frame.z.ravel(), frame.depth.ravel().astype(int)
    order = np.argsort(z, kind="stable")
    assert np.all(np.diff(d[order]) <= 0)  # farther is never brighter
    assert d[np.isinf(z)].max() == 0 and d.max() > 150
    a = view(CameraSetup(shot_size="wide shot", movement="handheld"), 0.4, seed=9, frames=48)
    b = view(CameraSetup(shot_size="wide shot", movement="handheld"), 0.4, seed=9, frames=48)
    c = view(CameraSetup(shot_size="wide shot", movement="handheld"), 0.4, seed=10, frames=48)
    assert np.array_equal(a.rgb, b.rgb) and not np.array_equal(a.rgb, c.rgb)


def test_interiors_have_walls_and_each_subject_its_own_label():
    from director.engine.previz.render import WALL
    from director.engine.previz.spec import fit_room

    scene = build_scene(PromptFields(subject="a detective and a suspect", setting="interrogation room"))
    cam = CameraPlan("A", CameraSetup(shot_size="wide shot"), default_camera_placement(0))
    frame = render_view(scene, cam, 0, width=W, height=H, room=fit_room(scene, [cam], W, H))
    assert (frame.labels == WALL).mean() > 0.2
    assert (frame.labels == FIRST_FIGURE).any() and (frame.labels == FIRST_FIGURE + 1).any()


# -- through the worker -------------------------------------------------------------------------


def test_previz_runs_as_a_queued_metered_job_with_depth_and_layout_and_rerenders_bit_identically(runner, shot_project):
    from director.engine import actions
    from director.engine.media_out import read_frames
    from director.engine.runner import wait_for
    from director.store import jobs as store_jobs
    from director.store.artifacts import take_artifacts
    from director.store.check import check_project, referenced_media
    from director.store.takes import takes_of_job

    project = shot_project
    queued = actions.queue_generation(project, "12A", "previz", all_cameras=True, seed_mode="list", seeds=[5],
                                      params={"width": 96, "height": 64, "frames": 9, "fps": 12})
    wait_for(runner, set(queued.job_ids), 240)
    job = store_jobs.get_job(project, queued.job_ids[1])
    assert job.state.value == "done", job.error
    assert job.gpu_s > 0 and job.device == "cpu"
    recipe = store_jobs.job_recipe(project, job.id)
    assert recipe.scene["camera"]["name"] == "B" and recipe.pipeline_class == "PrevizRenderer"
    assert recipe.run.pipeline_class == "PrevizRenderer" and recipe.run.weights == "none (no model)"
    take = takes_of_job(project, job.id)[0]
    assert (take.width, take.height, take.frames, take.rate.num) == (96, 64, 9, 12)
    assert take.extra["previz"] == "previz (blocking render)"
    found = take_artifacts(take)
    assert set(found) == {"depth", "layout"}
    for role, rel in found.items():
        frames = read_frames(project.media.path(rel))
        assert frames.shape == (9, 64, 96, 3), role
        assert rel in referenced_media(project)
    assert check_project(project).ok
    again = actions.rerender_take(project, take.id)
    wait_for(runner, set(again.job_ids), 240)
    result = actions.rerender_result(project, take.id, again.job_ids[0])
    assert result.identical, result.describe()
    assert take_artifacts(takes_of_job(project, again.job_ids[0])[0]) == found


def test_a_cancelled_previz_leaves_no_takes(shot_project, tmp_path):
    from director.engine import actions
    from director.engine.messages import Failed, TakeWritten
    from director.engine.runner import build_request
    from director.engine.worker_run import Worker
    from director.store import jobs as store_jobs

    queued = actions.queue_generation(shot_project, "12A", "previz", params={"width": 64, "height": 64, "frames": 5})
    request = build_request(shot_project, store_jobs.get_job(shot_project, queued.job_ids[0]))
    events = []
    worker = Worker(events.append)
    worker.request_cancel(request.job_id)
    worker.run(request)
    worker.close()
    assert isinstance(events[-1], Failed) and events[-1].kind.value == "cancelled"
    assert not any(isinstance(e, TakeWritten) for e in events)
    assert not list(shot_project.media.root.glob("tmp/*"))


def test_generate_from_previz_hands_vace_the_depth_video(shot_project, tmp_path, capsys):
    from director.cli import main
    from director.engine.media_out import read_frames
    from director.engine.runner import build_request
    from director.engine.steering import steer
    from director.store import jobs as store_jobs
    from director.store.artifacts import take_artifacts
    from director.store.takes import get_take
    from tests.engine.twin_cache import built

    built("tiny-wan21-vace")
    path = str(shot_project.path)
    shot_project.close()
    assert main(["previz", path, "--shot", "12A", "--camera", "B", "--size", "64x64", "--frames", "9", "--seed", "1", "--json"]) == 0
    previz = json.loads(capsys.readouterr().out)[0]["takes"][0]["id"]
    assert main(["generate", path, "--shot", "12A", "--preset", "tiny-t2v", "--from-previz", str(previz)]) == 1
    assert "takes no control video" in capsys.readouterr().err
    assert main(["generate", path, "--shot", "12A", "--preset", "tiny-wan21-vace", "--from-previz", str(previz),
                 "--strength", "0.7", "--seed", "2", "--no-wait", "--json"]) == 0
    job_id = json.loads(capsys.readouterr().out)["queued"][0]
    from director.store import Project

    with Project.open(path) as p:
        take = get_take(p, previz)
        job = store_jobs.get_job(p, job_id)
        assert job.camera_id == take.camera_id
        recipe = store_jobs.job_recipe(p, job_id)
        depth = take_artifacts(take)["depth"]
        assert recipe.control["video"]["media_path"] == depth and recipe.control["source"] == f"previz:take {previz}"
        request = build_request(p, job)
        kwargs = steer({}, request)  # what the worker adds to the pipeline call
        guide = read_frames(p.media.path(depth))
        params = request.params
        assert len(kwargs["video"]) == params["frames"] and kwargs["conditioning_scale"] == 0.7
        from PIL import Image

        expect = Image.fromarray(guide[0]).convert("RGB").resize((params["width"], params["height"]), Image.LANCZOS)
        assert np.array_equal(np.asarray(kwargs["video"][0]), np.asarray(expect))
    assert main(["queue", "run", path, "--json"]) == 0
    with Project.open(path) as p:
        assert store_jobs.get_job(p, job_id).state.value == "done"


def test_blocking_cli_moves_a_camera_across_the_line_and_warns(shot_project, capsys):
    from director.cli import main

    path = str(shot_project.path)
    shot_project.close()
    assert main(["blocking", "show", path, "12A", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["line_ok"] and [s["words"] for s in shown["subjects"]] == ["a woman in a red coat"]
    assert main(["blocking", "set", path, "12A", "--camera", "B", "--x", "0", "--z", "6"]) == 0
    out = capsys.readouterr().out
    assert "camera B at x 0, z 6" in out and "B crosses the 180° line" in out
    assert main(["blocking", "set", path, "12A", "--subject", "1", "--facing", "45"]) == 0
    assert main(["blocking", "set", path, "12A", "--camera", "B", "--reset"]) == 0
    assert "back at its default place" in capsys.readouterr().out
    assert main(["blocking", "set", path, "12A", "--subject", "a horse", "--x", "1"]) == 1
    assert "no subject 'a horse'" in capsys.readouterr().err
