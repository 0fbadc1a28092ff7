"""`director keyframe`: place stills from files and takes, first + last in one step, and render
steered takes whose recipes record every still; families that cannot take the strip say why."""

from __future__ import annotations

import json
import os

import cv2
import numpy as np
import pytest

from director.cli import main
from director.core.enums import JobState
from director.core.prompt import PromptFields
from director.store import jobs as store_jobs
from director.store.keyframes import list_keyframes
from director.store.project import Project
from director.store.prompts import write_prompt
from director.store.shots import add_shot

os.environ.setdefault("DIRECTOR_TORCH_THREADS", "1")


@pytest.fixture
def film(tmp_path):
    path = tmp_path / "film.director"
    with Project.create(path) as project:
        shot, _ = add_shot(project, "1A", "Door")
        write_prompt(project, shot.id, PromptFields(subject="a red door", setting="a white wall"))
    return str(path)


def image(path, colour):
    img = np.zeros((64, 96, 3), np.uint8)
    img[:] = colour
    img[:, :, 1] = np.arange(96, dtype=np.uint8)[None, :] * 2
    cv2.imwrite(str(path), img)
    return str(path)


def strip(film):
    with Project.open(film, readonly=True) as p:
        return [(k.label, k.source, k.take_id, k.take_frame) for k in list_keyframes(p, 1)]


def test_keyframes_are_placed_listed_replaced_and_removed(film, tmp_path, capsys):
    a, b = image(tmp_path / "a.png", (200, 0, 0)), image(tmp_path / "b.png", (0, 0, 200))
    assert main(["keyframe", "add", film, "1A", "first", a]) == 0
    assert main(["keyframe", "add", film, "1A", "8", b, "--note", "she turns"]) == 0
    capsys.readouterr()
    assert main(["keyframe", "list", film, "1A", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(k["frame"], k["source"], k["note"]) for k in listed] == [("0", "file", ""), ("8", "file", "she turns")]
    assert main(["keyframe", "add", film, "1A", "last", "take:999"]) == 1
    assert "take" in capsys.readouterr().err
    assert main(["keyframe", "add", film, "1A", "last", str(tmp_path / "gone.png")]) == 1
    assert "no image file at" in capsys.readouterr().err
    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("not pixels")
    assert main(["keyframe", "add", film, "1A", "last", str(not_an_image)]) == 1
    assert "not an image OpenCV can read" in capsys.readouterr().err
    assert main(["keyframe", "remove", film, "1A", "8"]) == 0
    assert main(["keyframe", "remove", film, "1A", "8"]) == 1
    assert "has no keyframe at frame 8" in capsys.readouterr().err
    assert main(["keyframe", "first-last", film, "1A", b, a]) == 0
    assert strip(film) == [("0", "file", None, None), ("last", "file", None, None)]
    # A bad second source leaves the strip as it was.
    assert main(["keyframe", "first-last", film, "1A", a, str(tmp_path / "gone.png")]) == 1
    assert strip(film) == [("0", "file", None, None), ("last", "file", None, None)]


def test_first_last_renders_with_ltx_condition_and_the_recipe_records_each_still(film, tmp_path, capsys):
    a, b = image(tmp_path / "a.png", (200, 0, 0)), image(tmp_path / "b.png", (0, 0, 200))
    assert main(["keyframe", "first-last", film, "1A", a, b]) == 0
    assert main(["keyframe", "render", film, "--shot", "1A", "--preset", "tiny-t2v"]) == 1
    assert "takes no keyframes" in capsys.readouterr().err
    capsys.readouterr()
    assert main(["keyframe", "render", film, "--shot", "1A", "--preset", "tiny-i2v", "--seed", "4", "--steps", "2", "--json"]) == 0
    done = json.loads(capsys.readouterr().out)[0]
    assert done["state"] == "done" and len(done["takes"]) == 1
    with Project.open(film) as p:
        recipe = store_jobs.job_recipe(p, done["job"])
        stills = [k.media_path for k in list_keyframes(p, 1)]
        assert [(k["frame"], k["media_path"]) for k in recipe.keyframes] == [(0, stills[0]), (16, stills[1])]
        assert all(len(k["sha256"]) == 64 for k in recipe.keyframes)
        assert recipe.params["init_image"] == stills[0] and len(store_jobs.list_jobs(p)) == 1  # the refused one queued nothing
    # A frame of that take becomes a keyframe of its own.
    take_id = done["takes"][0]["id"]
    assert main(["keyframe", "add", film, "1A", "8", f"take:{take_id}@last"]) == 0
    assert strip(film)[1] == ("8", "take", take_id, 16)
    # The strip's still altered on disk after queueing: the job refuses to run.
    capsys.readouterr()
    assert main(["keyframe", "render", film, "--shot", "1A", "--preset", "tiny-i2v", "--steps", "2", "--no-wait", "--json"]) == 0
    queued = json.loads(capsys.readouterr().out)["queued"][0]
    with Project.open(film) as p:
        middle = p.media.path(list_keyframes(p, 1)[1].media_path)
    os.chmod(middle, 0o644)
    cv2.imwrite(str(middle), np.zeros((64, 96, 3), np.uint8))
    main(["queue", "run", film])
    with Project.open(film) as p:
        failed = store_jobs.get_job(p, queued)
    assert failed.state is JobState.FAILED and "not the file the job was queued with" in failed.error


def test_wan_flf2v_takes_first_and_last_and_ti2v_says_first_only(film, tmp_path, capsys):
    from tests.engine.twin_cache import built

    built("tiny-wan21-flf2v"), built("tiny-wan22-ti2v-i2v")
    a, b = image(tmp_path / "a.png", (200, 0, 0)), image(tmp_path / "b.png", (0, 0, 200))
    assert main(["keyframe", "first-last", film, "1A", a, b]) == 0
    assert main(["keyframe", "render", film, "--shot", "1A", "--preset", "tiny-wan22-ti2v-i2v"]) == 1
    assert "Wan 2.2 TI2V takes a first frame only" in capsys.readouterr().err
    capsys.readouterr()
    assert main(["keyframe", "render", film, "--shot", "1A", "--preset", "tiny-wan21-flf2v", "--seed", "1", "--json"]) == 0
    first_last = json.loads(capsys.readouterr().out)[0]
    assert first_last["state"] == "done"
    with Project.open(film) as p:
        assert [k["frame"] for k in store_jobs.job_recipe(p, first_last["job"]).keyframes] == [0, 8]
    # The same seed with another last frame makes other frames: the last still reached the pipeline.
    assert main(["keyframe", "add", film, "1A", "last", a]) == 0
    capsys.readouterr()
    assert main(["keyframe", "render", film, "--shot", "1A", "--preset", "tiny-wan21-flf2v", "--seed", "1", "--json"]) == 0
    other = json.loads(capsys.readouterr().out)[0]
    assert other["state"] == "done" and other["takes"][0]["media"] != first_last["takes"][0]["media"]
    assert main(["keyframe", "add", film, "1A", "4", a]) == 0
    assert main(["keyframe", "render", film, "--shot", "1A", "--preset", "tiny-wan21-flf2v"]) == 1
    assert "first and a last frame only" in capsys.readouterr().err
