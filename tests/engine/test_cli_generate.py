"""The command line a script or CI uses: the same worker, the same records."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from director.cli import main
from director.core.enums import JobState
from director.store import jobs as store_jobs
from director.store import takes as store_takes
from director.store.project import Project
from director.store.takes import takes_of_job


@pytest.fixture
def film(shot_project):
    path = shot_project.path
    shot_project.close()
    return str(path)


def test_generate_round_trip_queues_runs_and_lists(film, capsys):
    assert main(["generate", film, "--shot", "12A", "--preset", "tiny-t2i", "--variants", "2", "--seed", "40", "--steps", "2", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result[0]["state"] == "done" and [t["seed"] for t in result[0]["takes"]] == [40, 41]
    assert main(["queue", "list", film, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["state"] == "done" and listed[0]["seeds"] == [40, 41]
    with Project.open(film) as project:
        takes = takes_of_job(project, result[0]["job"])
        assert len(takes) == 2 and all(project.media.path(t.media_path).is_file() for t in takes)


def test_a_bad_frame_count_exits_1_with_the_rule_and_queues_nothing(film, capsys):
    assert main(["generate", film, "--shot", "12A", "--preset", "tiny-t2v", "--frames", "20"]) == 1
    assert "frames 20 breaks LTX's 8k+1 rule; nearest valid: 17" in capsys.readouterr().err
    with Project.open(film) as project:
        assert store_jobs.list_jobs(project) == []


def test_dry_run_prints_the_validated_request(film, capsys):
    assert main(["generate", film, "--shot", "12A", "--preset", "tiny-t2v", "--all-cameras", "--variants", "3",
                 "--seed", "7", "--dry-run", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["seeds"] == [7, 8, 9] and len(plan["jobs"]) == 2 and plan["params"]["frames"] == 17


def test_models_list_marks_tiny_presets_and_missing_weights(capsys):
    assert main(["models", "list", "--json"]) == 0
    models = {m["id"]: m for m in json.loads(capsys.readouterr().out)}
    assert models["tiny-t2v"]["weights_present"] and "random weights" in models["tiny-t2v"]["label"]
    assert not models["ltx-2b-distilled"]["weights_present"]
    assert "director models pull ltx-2b-distilled" in models["ltx-2b-distilled"]["get"]


def test_models_pull_offline_says_what_failed_and_how_to_fetch(capsys):
    assert main(["models", "pull", "sd-turbo"]) == 1
    err = capsys.readouterr().err
    assert "sd-turbo" in err and "hf download stabilityai/sd-turbo" in err


def test_ctrl_c_cancels_the_running_job_and_records_it(film):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from director.cli import main; sys.exit(main(sys.argv[1:]))",
         "generate", film, "--shot", "12A", "--preset", "tiny-t2v", "--variants", "1", "--steps", "80"],
        stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    with_job = None
    while time.monotonic() < deadline and with_job is None:
        time.sleep(0.3)
        with Project.open(film, readonly=True) as project:
            running = store_jobs.list_jobs(project, states=(JobState.RUNNING,))
            with_job = running[0].id if running else None
    time.sleep(1.0)  # let it reach the steps
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the CLI and its worker both get it
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert "cancelled" in err
    with Project.open(film, readonly=True) as project:
        job = store_jobs.get_job(project, with_job)
        assert job.state is JobState.CANCELLED and takes_of_job(project, job.id) == []


@pytest.mark.parametrize(("options", "message"), [
    (["--steps", "0"], "steps 0 is out of range (1 to 100); nearest valid: 1"),
    (["--steps", "-1"], "steps -1 is out of range (1 to 100); nearest valid: 1"),
    (["--size", "0x0"], "width 0 breaks LTX's size rule (a multiple of 32 from 32 to 256); nearest valid: 32"),
    (["--size", "96x-64"], "height -64 breaks LTX's size rule (a multiple of 32 from 32 to 256); nearest valid: 32"),
    (["--frames", "0"], "frames 0 breaks LTX's range (9 to 33 frames); nearest valid: 9"),
    (["--fps", "0"], "fps 0 is out of range (1 to 120); nearest valid: 1"),
    (["--fps", "inf"], "fps inf is out of range (1 to 120); nearest valid: 120"),
    (["--fps", "nan"], "fps is not a number (NaN); the rule: 1 to 120"),
    (["--guidance", "-1"], "guidance -1 is out of range (0 to 30); nearest valid: 0"),
    (["--guidance", "nan"], "guidance is not a number (NaN); the rule: 0 to 30"),
    (["--variants", "0"], "variants 0 is out of range (1 to 64); nearest valid: 1"),
    (["--variants", "65"], "variants 65 is out of range (1 to 64); nearest valid: 64"),
])
def test_a_zero_negative_or_non_finite_number_exits_1_with_the_rule_and_queues_nothing(film, capsys, options, message):
    # Before, --steps 0 (or a 0 size, frame count or fps) ran the job with the preset's default.
    assert main(["generate", film, "--shot", "12A", "--preset", "tiny-t2v", *options]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    with Project.open(film) as project:
        assert store_jobs.list_jobs(project) == []


@pytest.fixture
def film_with_a_clip(shot_project):
    """The film with one finished tiny-t2v clip take (recorded through the store, no generation)."""
    from director.store.shots import find_shot

    shot = find_shot(shot_project, "12A")
    job_id, _ = store_jobs.create_job(shot_project, shot_id=shot.id, camera_id=None, prompt_id=shot.current_prompt_id,
                                      preset="tiny-t2v", params={"steps": 2}, seeds=[5])
    store_jobs.mark_running(shot_project, job_id)
    store_jobs.finish_job(shot_project, job_id, JobState.DONE, {"gpu_s": 1.0})
    media = shot_project.media.put_bytes(b"a clip", "mp4")
    take_id = store_takes.insert_take(shot_project, job_id, {
        "seed": 5, "variant": 0, "kind": "video", "media_path": media, "thumb_path": None, "width": 96, "height": 64,
        "frames": 17, "fps_num": 12, "fps_den": 1, "extra": {},
    })
    path = shot_project.path
    shot_project.close()
    return str(path), take_id


@pytest.mark.parametrize("verb", ["promote", "extend", "i2v"])
@pytest.mark.parametrize(("options", "message"), [
    (["--steps", "0"], "steps 0 is out of range (1 to 100); nearest valid: 1"),
    (["--size", "0x64"], "width 0 breaks LTX's size rule"),
    (["--fps", "-12"], "fps -12 is out of range (1 to 120); nearest valid: 1"),
    (["--frames", "0"], "frames 0 breaks LTX's range (9 to 33 frames); nearest valid: 9"),
])
def test_take_verbs_refuse_the_same_numbers_and_queue_nothing(film_with_a_clip, capsys, verb, options, message):
    film, take_id = film_with_a_clip
    assert main(["take", verb, film, str(take_id), *options]) == 1
    assert message in capsys.readouterr().err
    with Project.open(film) as project:
        assert len(store_jobs.list_jobs(project)) == 1  # only the clip's own job


def test_an_image_file_to_animate_is_refused_on_a_zero_step_count(film, capsys, tmp_path):
    import cv2
    import numpy as np

    board = tmp_path / "board.png"
    cv2.imwrite(str(board), np.full((64, 96, 3), 90, np.uint8))
    assert main(["take", "i2v", film, "--image", str(board), "--shot", "12A", "--steps", "0"]) == 1
    assert "steps 0 is out of range (1 to 100); nearest valid: 1" in capsys.readouterr().err
    with Project.open(film) as project:
        assert store_jobs.list_jobs(project) == []


@pytest.fixture
def broken_user_presets():
    """Two hand-edited preset files gone wrong: one is not JSON, one has a field the registry does not know."""
    from director.engine.presets import get_preset, presets_dir

    folder = presets_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "half-saved.json").write_text('{"id": "half-saved", "label": ')
    typo = get_preset("wan21-t2v-1.3b").to_dict()
    for key in ("user", "tiny", "builder"):
        typo.pop(key)
    typo.update(id="my-wan", source="/models/wan", stepz=30)
    (folder / "my-wan.json").write_text(json.dumps(typo))
    return folder


def test_a_broken_user_preset_is_listed_with_its_error_and_every_other_preset_still_runs(film, broken_user_presets, capsys):
    # Before, the first unreadable file made every listing and every generation fail.
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "half-saved" in out and "BROKEN" in out and "tiny-t2v" in out
    assert f"{broken_user_presets / 'half-saved.json'} is not valid JSON" in out
    assert f"{broken_user_presets / 'my-wan.json'}: unknown field(s) stepz" in out

    assert main(["models", "list", "--json"]) == 0
    listed = {m["id"]: m for m in json.loads(capsys.readouterr().out)}
    assert listed["my-wan"]["broken"] and "stepz" in listed["my-wan"]["error"]
    assert listed["my-wan"]["file"] == str(broken_user_presets / "my-wan.json")
    assert not listed["tiny-t2v"]["broken"] and listed["tiny-t2v"]["weights_present"]

    assert main(["generate", film, "--shot", "12A", "--preset", "tiny-t2v", "--variants", "1", "--steps", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["state"] == "done"

    # Picking the broken one says which file to fix, and queues nothing.
    assert main(["generate", film, "--shot", "12A", "--preset", "my-wan"]) == 1
    err = capsys.readouterr().err
    assert "preset 'my-wan' cannot be used" in err and "my-wan.json: unknown field(s) stepz" in err
    assert "fix or delete the file" in err
    with Project.open(film) as project:
        assert len(store_jobs.list_jobs(project)) == 1


def test_a_user_preset_whose_defaults_break_its_own_rules_is_listed_broken(broken_user_presets, capsys):
    from director.engine.presets import get_preset

    data = get_preset("wan21-t2v-1.3b").to_dict()
    for key in ("user", "tiny", "builder"):
        data.pop(key)
    data.update(id="zero-steps", source="/models/wan", defaults={**data["defaults"], "steps": 0})
    (broken_user_presets / "zero-steps.json").write_text(json.dumps(data))
    assert main(["models", "list", "--json"]) == 0
    listed = {m["id"]: m for m in json.loads(capsys.readouterr().out)}
    assert listed["zero-steps"]["broken"]
    assert "defaults break its own rules (steps 0 is out of range (1 to 100); nearest valid: 1)" in listed["zero-steps"]["error"]


def test_rerender_replays_the_recorded_recipe_and_says_the_new_take_is_bit_identical(film, capsys):
    from director.core.prompt import CameraSetup
    from director.store.cameras import find_camera, update_camera
    from director.store.shots import find_shot

    assert main(["generate", film, "--shot", "12A", "--preset", "tiny-t2v", "--variants", "1", "--seed", "3",
                 "--steps", "2", "--json"]) == 0
    original = json.loads(capsys.readouterr().out)[0]["takes"][0]["id"]
    with Project.open(film) as project:  # reframed after the take was made
        camera = find_camera(project, find_shot(project, "12A").id, "A")
        update_camera(project, camera.id, setup=CameraSetup(shot_size="aerial shot"))
    assert main(["take", "rerender", film, str(original), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["state"] == "done" and result["identical"] and result["differences"] == []
    assert result["message"] == f"take {result['take']} is bit-identical to take {original}"
    with Project.open(film) as project:
        before, after = (store_jobs.take_recipe(project, t) for t in (original, result["take"]))
        assert after.prompt == before.prompt and "aerial" not in after.prompt and after.run == before.run
