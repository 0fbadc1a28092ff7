"""One truth (#13): every export says what a take was made from, as recorded when its job was queued.

The story: shot 60 "Runner" is framed by camera A as a close-up on an 85mm lens, and its prompt is
"a runner". Its jobs are queued, so the model reads "a runner, close-up, 85mm"; a video take and a
still come back. Afterwards the director reframes camera A (wide, 24mm) and rewrites the prompt ("a
cyclist"). The takes were still made from the runner close-up, and the take JSON, the OTIO
metadata, the EDL comments, the MP4 comment, the PNG text and the storyboard must all keep saying so.

A take from a job queued before recipes were recorded has no recipe: every export says that plainly
and shows the prompt version its job pointed at, labelled as such, never the camera's current setup.
"""

from __future__ import annotations

import json
from decimal import Decimal

import av
import opentimelineio as otio
import pytest

from director.core.cut import Cut
from director.core.prompt import CameraSetup, PromptFields
from director.core.timecode import Rate
from director.export.interchange import export_interchange
from director.export.png_text import read_text
from director.export.storyboard import build_storyboard
from director.export.storyboard_pdf import render_storyboard_pdf
from director.export.takeinfo import NOT_RECORDED, take_info, take_infos
from director.export.takes import export_takes
from director.store import cameras, jobs, prompts, shots, takes

from tests.export.conftest import RED, WHITE, add_take, pdf_pages_text, segment_of, write_png, write_video

RECORDED = "a runner, close-up, 85mm"
LATER = ("cyclist", "wide", "24mm", "grainy")


def runner_shot(project, *, recorded: bool) -> dict:
    """Shot 60 with a video take and a still made from camera A's close-up; then camera and prompt change."""
    shot, _ = shots.add_shot(project, "60", title="Runner")
    camera = cameras.find_camera(project, shot.id, "A")
    cameras.update_camera(project, camera.id, setup=CameraSetup(shot_size="close-up", lens="85mm"))
    prompt, _ = prompts.write_prompt(project, shot.id, PromptFields(subject="a runner", negative="blurry"))
    ids = {
        "video": add_take(project, shot.id, prompt.id, "video", write_video(project, RED, 12, 320, 240), 320, 240, 12, seed=7, gpu_s=10.0, recorded=recorded),
        "still": add_take(project, shot.id, prompt.id, "image", write_png(project, WHITE, 320, 240), 320, 240, 1, seed=8, gpu_s=5.0, recorded=recorded, rating=5),
    }
    # Afterwards: camera A becomes a wide 24mm, and the shot is now about a cyclist.
    cameras.update_camera(project, camera.id, setup=CameraSetup(shot_size="wide", lens="24mm"))
    prompts.write_prompt(project, shot.id, PromptFields(subject="a cyclist", negative="grainy"))
    return ids


def plain(value):
    """OTIO's metadata containers as plain dicts and lists."""
    if hasattr(value, "items"):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        return value
    return [plain(v) for v in value]


def everything_exported(project, ids: dict, out_dir, qapp) -> dict:
    """Every export of the two takes, read back: sidecars, MP4 comment, PNG text, OTIO, EDL, storyboard."""
    infos = take_infos(project, [ids["video"], ids["still"]])
    result = export_takes(list(infos.values()), project.media, out_dir / "takes")
    sidecars = {name: json.loads(path.read_text(encoding="utf-8")) for name, path in zip(("video", "still"), result.sidecars)}
    with av.open(str(result.files[0])) as c:
        comment = json.loads(c.metadata["comment"])
    png = read_text(result.files[1].read_bytes())
    cut = Cut(Rate(24), 320, 240, (segment_of(project, ids["video"], 0, 12), segment_of(project, ids["still"], 12, 12)))
    export_interchange(cut, infos, project.media, out_dir / "cut.otio")
    export_interchange(cut, infos, project.media, out_dir / "cut.edl")
    edit = otio.adapters.read_from_file(str(out_dir / "cut.otio"))
    board = build_storyboard(project, "cut", cut)
    render_storyboard_pdf(board, project.media, out_dir / "board.pdf", panels_per_page=2)
    return {
        "sidecars": sidecars,
        "mp4_comment": comment,
        "png": png,
        "otio": [plain(clip.metadata["director"]) for clip in edit.find_clips()],
        "edl": (out_dir / "cut.edl").read_text(),
        "panels": [panel.prompt for panel in board.panels],
        "shots_panel": next(panel.prompt for panel in build_storyboard(project, "shots").panels if panel.shot_code == "60"),
        "pdf": "\n".join(pdf_pages_text(out_dir / "board.pdf")[1:]),
    }


def test_every_export_keeps_the_recorded_prompt_after_the_camera_and_prompt_change(film, out_dir, qapp):
    p = film.project
    ids = runner_shot(p, recorded=True)
    assert jobs.take_recipe(p, ids["video"]).prompt == RECORDED
    got = everything_exported(p, ids, out_dir, qapp)

    for name, data in got["sidecars"].items():
        assert data["prompt"] == RECORDED and data["negative"] == "blurry", name
        assert data["camera"] == "A" and data["camera_setup"] == {"shot_size": "close-up", "angle": "", "movement": "", "lens": "85mm"}
        assert data["recipe_recorded"] is True and data["recipe"]["prompt"] == RECORDED
        assert data["params"] == {"steps": 4, "guidance": 5.0} and data["random_weights"] is True
    assert got["sidecars"]["video"]["seeds"] == [7] and got["sidecars"]["still"]["seed"] == 8
    assert got["mp4_comment"]["prompt"] == RECORDED and json.loads(got["mp4_comment"]["camera_setup"])["lens"] == "85mm"
    assert got["png"]["prompt"] == RECORDED and got["png"]["Description"] == RECORDED
    assert json.loads(got["png"]["director"])["negative"] == "blurry"
    assert [m["prompt"] for m in got["otio"]] == [RECORDED, RECORDED]
    assert got["otio"][0]["camera_setup"]["shot_size"] == "close-up" and got["otio"][1]["seeds"] == [8]
    assert got["edl"].count(f"* PROMPT: {RECORDED}") == 2
    assert got["panels"] == [RECORDED, RECORDED] and got["shots_panel"] == RECORDED
    assert got["pdf"].count(RECORDED) == 2

    text = json.dumps(got, ensure_ascii=False, default=str)
    for later in LATER:
        assert later not in text, f"an export shows {later!r}, which the take was not made from"


def test_a_take_without_a_recipe_says_so_everywhere_and_shows_its_prompt_version_labelled(film, out_dir, qapp):
    p = film.project
    ids = runner_shot(p, recorded=False)
    info = take_info(p, ids["video"])
    assert not info.recipe_recorded and info.prompt == "" and info.prompt_version == 1
    got = everything_exported(p, ids, out_dir, qapp)

    for name, data in got["sidecars"].items():
        assert data["recipe_recorded"] is False and data["recipe"] == NOT_RECORDED, name
        assert data["prompt"] is None  # no text claims to be what the model read
        assert data["prompt_version"] == 1 and data["prompt_version_text"] == "a runner"
    assert got["mp4_comment"]["recipe"] == NOT_RECORDED and "prompt" not in got["mp4_comment"]
    assert got["mp4_comment"]["prompt_version_text"] == "a runner"
    labelled = f"{NOT_RECORDED}; prompt version 1 (the shot prompt alone; its camera framing was not recorded): a runner"
    assert got["png"]["Description"] == labelled and got["png"]["recipe"] == NOT_RECORDED
    assert [m["recipe"] for m in got["otio"]] == [NOT_RECORDED, NOT_RECORDED]
    assert [m["prompt_version_text"] for m in got["otio"]] == ["a runner", "a runner"]
    assert got["edl"].count(f"* {NOT_RECORDED}") == 2
    assert "* PROMPT VERSION 1 (the shot prompt alone; its camera framing was not recorded): a runner" in got["edl"]
    assert got["panels"] == [labelled, labelled] and got["shots_panel"] == labelled
    assert got["pdf"].count("recipe not recorded: made before Director") == 2

    text = json.dumps(got, ensure_ascii=False, default=str)
    for later in (*LATER, "close-up", "85mm"):  # neither today's camera nor a guess at the old one
        assert later not in text, f"an export shows {later!r}, which was never recorded"


def test_a_takes_share_of_its_jobs_money_follows_the_ledgers_rule(film):
    """A job of three variants cost 0.10: its takes' shares are 0.033334, 0.033333 and 0.033333, which
    add up to the job (an even split rounded per take lost a micro-unit)."""
    p, shot_id = film.project, film.shot_ids["10"]
    first = add_take(p, shot_id, prompts.current_prompt(p, shot_id).id, "image", write_png(p, RED, 32, 24), 32, 24, 1, seed=1, gpu_s=100.0)
    job_id = takes.get_take(p, first).job_id
    for variant in (1, 2):
        takes.insert_take(p, job_id, {"seed": 1 + variant, "variant": variant, "kind": "image", "media_path": write_png(p, RED, 32, 24), "width": 32, "height": 24, "frames": 1, "fps_num": 24, "fps_den": 1})
    infos = take_infos(p, [t.id for t in takes.takes_of_job(p, job_id)])
    assert sorted(i.money for i in infos.values()) == ["0.033333", "0.033333", "0.033334"]
    assert sum(Decimal(i.money) for i in infos.values()) == Decimal(infos[first].job_money) == Decimal("0.1")


@pytest.mark.parametrize("preset, source, random", [("tiny-t2v", "builtin:tiny-t2v", True), ("tiny-sdxl-mine", "me/tiny-sdxl", False), ("sdxl", "stabilityai/sdxl", False)])
def test_random_weights_is_read_from_the_recorded_source(film, preset, source, random):
    """Only the built-in tiny presets are built in-process ('builtin:' source): a user preset whose id
    merely starts with 'tiny-' runs real weights."""
    p, shot_id = film.project, film.shot_ids["10"]
    take = add_take(p, shot_id, prompts.current_prompt(p, shot_id).id, "image", write_png(p, RED, 32, 24), 32, 24, 1, seed=1, gpu_s=1.0, preset=preset, source=source)
    assert take_info(p, take).random_weights is random


def test_without_a_recipe_the_tiny_presets_are_known_by_their_ids(film):
    p, shot_id = film.project, film.shot_ids["10"]
    prompt_id = prompts.current_prompt(p, shot_id).id
    tiny = add_take(p, shot_id, prompt_id, "image", write_png(p, RED, 32, 24), 32, 24, 1, seed=1, gpu_s=1.0, recorded=False)
    real = add_take(p, shot_id, prompt_id, "image", write_png(p, RED, 32, 24), 32, 24, 1, seed=2, gpu_s=1.0, preset="sdxl", recorded=False)
    assert take_info(p, tiny).random_weights and not take_info(p, real).random_weights
