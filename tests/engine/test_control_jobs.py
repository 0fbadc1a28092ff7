"""engine.control_jobs: `director control render`'s path moved out of the command line, so the window
queues the same recipe. The CLI still records exactly what its old body recorded; the guide is
made and stored before any row is written; with a depth-model preset the source frames are stored
as they are and the recipe names the model (the worker makes the depth)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest

from director.cli import main
from director.core.errors import InvalidInput
from director.engine import control, control_jobs
from director.store import jobs as store_jobs
from director.store.project import Project
from director.store.cast import reference_images
from director.store.script import list_cast
from director.store.shots import find_shot

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def clip(n=9, w=64, h=48):
    frames = np.zeros((n, h, w, 3), np.uint8)
    for i in range(n):
        frames[i, 12:36, 8 + 2 * i:32 + 2 * i] = 255
    return frames


def mp4(frames, fps=12) -> bytes:
    from director.engine import encoders
    from director.engine.media_out import encode_mp4

    return encode_mp4(frames, Fraction(fps), encoders.choose(None, "final", cuda=False))


def add_take(p, shot_id: int) -> int:
    from director.core.enums import JobState
    from director.store import takes

    media = p.media.put_bytes(mp4(clip()), "mp4")
    job, _ = store_jobs.create_job(p, shot_id=shot_id, camera_id=None, prompt_id=None, preset="tiny-t2v", params={}, seeds=[1])
    store_jobs.mark_running(p, job)
    store_jobs.finish_job(p, job, JobState.DONE, {"gpu_s": 1.0})
    return takes.insert_take(p, job, {"seed": 1, "kind": "video", "media_path": media, "width": 64, "height": 48,
                                      "frames": 9, "fps_num": 12, "fps_den": 1})


@pytest.fixture
def film(tmp_path, capsys):
    """The lighthouse script, Mara with a reference image, shot 3A using her, and a video take of 3A."""
    film = tmp_path / "film.director"
    Project.create(film).close()
    face = tmp_path / "mara.png"
    cv2.imwrite(str(face), np.full((48, 48, 3), (40, 80, 160), np.uint8))
    assert main(["script", "import", str(film), str(FIXTURES / "lighthouse.fountain")]) == 0
    assert main(["cast", "image", str(film), "Mara", str(face)]) == 0
    assert main(["cast", "use", str(film), "3A", "Mara"]) == 0
    with Project.open(film) as p:
        take = add_take(p, find_shot(p, "3A").id)
    capsys.readouterr()
    return film, take


def old_control_render(p, shot, preset, *, take_id, mode, strength, reference_files, cast, seeds):
    """What `cmd_control_render` did before the move, step for step (the recipe it recorded)."""
    from director.engine.keyframe_sources import still_from_file
    from director.engine.media_out import read_frames
    from director.engine.steered_jobs import queue_steered
    from director.store.takes import get_take

    take = get_take(p, take_id)
    frames, fps = read_frames(p.media.path(take.media_path)), Fraction(take.rate.num, take.rate.den)
    guide = control.store_guide(p, control.make_guide(frames, mode, False), fps)
    references = [still_from_file(p, r).media_path for r in reference_files]
    members = {c.name.lower(): c for c in list_cast(p)}
    for name in cast:
        references += list(members[name.lower()].images)
    spec = control.recipe_control(p, video=guide, mode=mode, strength=strength, references=tuple(references),
                                  source=f"take:{take.id}")
    queued = queue_steered(p, shot, preset, keyframes=False, control_spec=spec, seeds=seeds, seed_mode="list")
    return store_jobs.job_recipe(p, queued.job_ids[0])


def test_the_command_line_records_the_recipe_its_old_body_recorded(film, tmp_path, capsys):
    path, take = film
    extra = tmp_path / "door.png"
    cv2.imwrite(str(extra), np.full((40, 40, 3), 200, np.uint8))
    assert main(["control", "render", str(path), "--shot", "3A", "--preset", "tiny-wan21-vace", "--take", str(take),
                 "--mode", "edges", "--strength", "0.7", "--reference", str(extra), "--cast", "Mara",
                 "--seed", "5", "--no-wait", "--json"]) == 0
    job = json.loads(capsys.readouterr().out)["queued"][0]
    with Project.open(path) as p:
        new = store_jobs.job_recipe(p, job)
        old = old_control_render(p, "3A", "tiny-wan21-vace", take_id=take, mode="edges", strength=0.7,
                                 reference_files=[str(extra)], cast=["Mara"], seeds=[5])
        mara = [c for c in list_cast(p) if c.name == "Mara"][0].images[0]
    assert new.to_json() == old.to_json()
    assert new.control["source"] == f"take:{take}" and new.control["mode"] == "edges"
    assert [r["media_path"] for r in new.control["references"]][1] == mara  # files first, then the cast named


def test_the_split_halves_queue_what_control_render_queues(film):
    path, take = film
    with Project.open(path) as p:
        whole = control_jobs.control_render(p, "3A", "tiny-wan21-vace", take_id=take, mode="edges", seeds=[3], seed_mode="list")
        source = control_jobs.guide_source(p, take_id=take)
        jobs_before = len(store_jobs.list_jobs(p))
        guide = control_jobs.prepare_guide(p, source, mode="edges")
        assert len(store_jobs.list_jobs(p)) == jobs_before  # preparing writes no row
        assert p.media.path(guide.media_path).is_file() and guide.source == f"take:{take}"
        shot_cast = tuple(reference_images(p, find_shot(p, "3A").id))
        split = control_jobs.queue_controlled(p, guide, "3A", "tiny-wan21-vace", references=shot_cast, seeds=[3], seed_mode="list")
        assert split.recipes[0].to_json() == whole.recipes[0].to_json()
        assert len(whole.recipes[0].control["references"]) == 1  # the cast the shot uses, by default


def test_refusals_come_before_anything_is_queued(film, tmp_path):
    path, take = film
    with Project.open(path) as p:
        source = control_jobs.guide_source(p, take_id=take)
        guide = control_jobs.prepare_guide(p, source, mode="edges")
        with pytest.raises(InvalidInput, match="takes no control video"):
            control_jobs.queue_controlled(p, guide, "3A", "tiny-t2v")
        with pytest.raises(InvalidInput, match="Tomas has no reference images yet"):
            control_jobs.queue_controlled(p, guide, "3A", "tiny-wan21-vace", cast=["Tomas"])
        with pytest.raises(InvalidInput, match="no video file at"):
            control_jobs.guide_source(p, video=tmp_path / "nowhere.mp4")
        with pytest.raises(InvalidInput, match="give exactly one"):
            control_jobs.guide_source(p)
        with pytest.raises(InvalidInput, match="goes with the depth mode, not edges"):
            control_jobs.prepare_guide(p, source, mode="edges", depth_model="tiny-t2v")
        with pytest.raises(InvalidInput, match="leave out one of the two"):
            control_jobs.prepare_guide(p, source, mode="depth", prepared=True, depth_model="tiny-t2v")
        with pytest.raises(InvalidInput, match="tiny-t2v is not a depth model"):
            control_jobs.prepare_guide(p, source, mode="depth", depth_model="tiny-t2v")
        assert [j.preset for j in store_jobs.list_jobs(p)] == ["tiny-t2v"]  # only the take's own job


def test_a_depth_model_stores_the_source_frames_and_is_named_in_the_recipe(film, capsys):
    path, take = film
    assert main(["control", "render", str(path), "--shot", "3A", "--preset", "tiny-wan21-vace", "--take", str(take),
                 "--mode", "depth", "--depth-model", "tiny-depth-anything", "--seed", "5", "--no-wait", "--json"]) == 0
    job = json.loads(capsys.readouterr().out)["queued"][0]
    with Project.open(path) as p:
        recipe = store_jobs.job_recipe(p, job)
        as_is = control_jobs.prepare_guide(p, control_jobs.guide_source(p, take_id=take), mode="depth", prepared=True)
    assert recipe.control["depth_model"] == "tiny-depth-anything" and recipe.control["mode"] == "depth"
    assert recipe.control["video"]["media_path"] == as_is.media_path  # the source as it is: the worker makes the depth
    assert main(["control", "render", str(path), "--shot", "3A", "--preset", "tiny-wan21-vace", "--take", str(take),
                 "--mode", "depth", "--depth-model", "tiny-t2v", "--no-wait"]) == 1
    assert "tiny-t2v is not a depth model" in capsys.readouterr().err
