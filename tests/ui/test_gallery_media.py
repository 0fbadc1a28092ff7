"""Real take media for the review tests: H.264 clips whose frames say their own index, and PNG stills.

Frame k of a clip is a solid grey of level `frame_level(k)`, so a test can read a pixel and know
exactly which frame is on screen. Files go through the media store (temp_path + adopt) and rows
through create_job + insert_take, the engine runner's own path.
"""

from __future__ import annotations

from dataclasses import asdict
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from director.core.prompt import CameraSetup, PromptFields
from director.core.recipe import Recipe
from director.store import cameras, jobs, prompts, shots, takes
from director.store.project import Project


def frame_level(k: int) -> int:
    """Grey level of frame k: 10 levels apart, so a codec's ±3 never confuses neighbours."""
    return 12 + (10 * k) % 240


def write_clip(path: Path, frames: int, fps: int = 24, size: tuple[int, int] = (64, 48), offset: int = 0) -> None:
    w, h = size
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps))
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = {"crf": "4", "preset": "ultrafast", "threads": "1"}
        for k in range(frames):
            image = np.full((h, w, 3), frame_level(k + offset), np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def write_still(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> None:
    w, h = size
    image = np.zeros((h, w, 3), np.uint8)
    image[:] = colour
    assert cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))


def make_shot(project: Project, code: str = "1A", cameras_: tuple[str, ...] = ("A", "B")) -> tuple[int, dict[str, int]]:
    """A shot with a prompt and the named cameras; returns (shot id, camera ids by name)."""
    shot, _ = shots.add_shot(project, code, "Review", cameras=cameras_)
    prompts.write_prompt(project, shot.id, PromptFields(subject="a red kite", action="rises", setting="a windy beach"))
    ids = {}
    for name in cameras_:
        cam = cameras.find_camera(project, shot.id, name)
        cameras.update_camera(project, cam.id, setup=CameraSetup(shot_size="wide shot" if name == "A" else "close-up"))
        ids[name] = cam.id
    return shot.id, ids


def add_take(
    project: Project,
    shot_id: int,
    camera_id: int | None,
    *,
    seed: int = 1,
    preset: str = "tiny-t2v",
    video: bool = True,
    frames: int = 12,
    fps: int = 24,
    offset: int = 0,
    colour: tuple[int, int, int] = (200, 40, 40),
    params: dict | None = None,
    size: tuple[int, int] = (64, 48),
    job_id: int | None = None,
    meter: dict | None = None,
    recipe: bool = True,
) -> int:
    """One take with real media; a fresh job unless `job_id` names one to add a variant to.

    The job records its recipe as the queue does (the shot prompt composed with the camera's setup
    of now); `recipe=False` makes a job from before recipes were recorded."""
    if job_id is None:
        prompt = prompts.current_prompt(project, shot_id)
        params = params if params is not None else {"steps": 4, "guidance": 1.0, "width": size[0], "height": size[1]}
        job_id, _ = jobs.create_job(
            project,
            shot_id=shot_id,
            camera_id=camera_id,
            prompt_id=prompt.id if prompt else None,
            preset=preset,
            params=params,
            seeds=[seed],
            recipe=queued_recipe(project, prompt, camera_id, preset, params, [seed]) if recipe else None,
        )
        if meter is not None:
            from director.core.enums import JobState

            jobs.mark_running(project, job_id)
            jobs.finish_job(project, job_id, JobState.DONE, meter)
    if video:
        temp = project.media.temp_path(".mp4")
        write_clip(temp, frames, fps, size, offset)
        rel = project.media.adopt(temp, "mp4")
    else:
        temp = project.media.temp_path(".png")
        write_still(temp, colour, size)
        rel = project.media.adopt(temp, "png")
        frames = 1
    return takes.insert_take(
        project,
        job_id,
        {
            "seed": seed,
            "kind": "video" if video else "image",
            "media_path": rel,
            "width": size[0],
            "height": size[1],
            "frames": frames,
            "fps_num": fps,
            "fps_den": 1,
        },
    )


def queued_recipe(project: Project, prompt, camera_id: int | None, preset: str, params: dict, seeds: list[int]) -> Recipe:
    """What the queue records: the text sent to the model for that camera at queue time."""
    cam = cameras.get_camera(project, camera_id) if camera_id is not None else None
    fields = prompt.fields if prompt is not None else PromptFields()
    return Recipe(
        prompt=fields.compose(cam.setup if cam else None),
        negative=fields.negative,
        camera=cam.name if cam else "",
        camera_setup=asdict(cam.setup) if cam else {},
        preset=preset,
        params=dict(params),
        seeds=tuple(seeds),
    )


def test_clip_frames_carry_their_index(tmp_path):
    path = tmp_path / "c.mp4"
    write_clip(path, 20)
    with av.open(str(path)) as c:
        levels = [int(f.to_ndarray(format="rgb24")[24, 32, 0]) for f in c.decode(video=0)]
    assert len(levels) == 20
    assert all(abs(level - frame_level(k)) <= 3 for k, level in enumerate(levels)), levels
