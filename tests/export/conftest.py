"""A project with real solid-colour takes in its media store, and cuts built straight from them.

The cuts are built by hand from CutSegments (the contract the timeline flattens into), so these
tests exercise the exporters whatever state the timeline is in.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from director.core.cut import Cut, CutSegment
from director.core.prompt import PromptFields
from director.core.recipe import Recipe
from director.core.timecode import Rate
from director.store import cameras, jobs, prompts, shots, takes
from director.store.project import Project

RED = (0, 0, 255)  # BGR
GREEN = (0, 255, 0)
BLUE = (255, 0, 0)
WHITE = (255, 255, 255)


def write_video(project: Project, color, frames: int, width: int, height: int, fps: int = 24) -> str:
    temp = project.media.temp_path(".mp4")
    container = av.open(str(temp), "w", format="mp4")
    stream = container.add_stream("libx264", rate=fps)
    stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
    stream.options = {"preset": "ultrafast", "crf": "10"}
    picture = np.full((height, width, 3), color, np.uint8)
    for i in range(frames):
        frame = av.VideoFrame.from_ndarray(picture, format="bgr24")
        frame.pts = i
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))
    container.close()
    return project.media.adopt(temp, "mp4")


def write_counter_video(project: Project, frames: int, width: int, height: int) -> str:
    """Frame i has grey level 8*i: decoding a frame tells which source frame it was."""
    temp = project.media.temp_path(".mp4")
    container = av.open(str(temp), "w", format="mp4")
    stream = container.add_stream("libx264", rate=24)
    stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
    stream.options = {"preset": "ultrafast", "crf": "0"}
    for i in range(frames):
        frame = av.VideoFrame.from_ndarray(np.full((height, width, 3), 8 * i, np.uint8), format="bgr24")
        frame.pts = i
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))
    container.close()
    return project.media.adopt(temp, "mp4")


def pdf_pages_text(path) -> list[str]:
    """Each page's text as a PDF reader extracts it (Qt's PDFium: needs the qapp fixture)."""
    from PySide6.QtPdf import QPdfDocument

    doc = QPdfDocument()
    assert doc.load(str(path)) == QPdfDocument.Error.None_
    try:
        return [doc.getAllText(i).text().replace("\r\n", "\n") for i in range(doc.pageCount())]
    finally:
        doc.close()


def segment_of(project: Project, take_id: int, record_start: int, duration: int, source_start: int = 0) -> CutSegment:
    """The cut segment showing `duration` frames of a take from `source_start`."""
    t = takes.get_take(project, take_id)
    code = shots.get_shot(project, t.shot_id).code
    return CutSegment(
        record_start=record_start, duration=duration, take_id=t.id, media_path=t.media_path, kind=t.kind.value, source_start=source_start,
        source_rate=t.rate, source_frames=t.frames, width=t.width, height=t.height, shot_code=code, camera="A",
        metadata={"shot_id": t.shot_id},
    )


def write_png(project: Project, color, width: int, height: int) -> str:
    temp = project.media.temp_path(".png")
    cv2.imwrite(str(temp), np.full((height, width, 3), color, np.uint8))
    return project.media.adopt(temp, "png")


@dataclass
class Film:
    project: Project
    shot_ids: dict[str, int]
    take_ids: dict[str, int]  # 'red', 'green', 'blue', 'still'
    takes: dict[str, object]

    def segment(self, name: str, record_start: int, duration: int, source_start: int = 0) -> CutSegment:
        t = self.takes[name]
        code = next(c for c, sid in self.shot_ids.items() if sid == t.shot_id)
        return CutSegment(
            record_start=record_start,
            duration=duration,
            take_id=t.id,
            media_path=t.media_path,
            kind=t.kind.value,
            source_start=source_start,
            source_rate=t.rate,
            source_frames=t.frames,
            width=t.width,
            height=t.height,
            shot_code=code,
            camera="A",
        )


def recipe_for(project: Project, shot_id: int, prompt_id: int, preset: str, params: dict, seeds: list[int], camera: str = "A", source: str | None = None) -> Recipe:
    """The recipe the engine records at queue time: the shot prompt composed with the camera's setup *now*."""
    cam = cameras.find_camera(project, shot_id, camera)
    fields = prompts.get_prompt(project, prompt_id).fields
    return Recipe(
        prompt=fields.compose(cam.setup), negative=fields.negative, camera=cam.name, camera_setup=asdict(cam.setup),
        preset=preset, source=source if source is not None else f"builtin:{preset}", params=params, seeds=tuple(seeds),
    )


def add_take(
    project: Project, shot_id: int, prompt_id: int, kind: str, media: str, w: int, h: int, frames: int, seed: int, gpu_s: float,
    *, preset: str | None = None, source: str | None = None, recorded: bool = True, flag: str = "selected", rating: int = 4,
) -> int:
    """A finished job with one take, its recipe recorded at queue time (or, recorded=False, a job from
    before recipes were recorded)."""
    camera_id = cameras.find_camera(project, shot_id, "A").id
    preset = preset or ("tiny-t2v" if kind == "video" else "tiny-t2i")
    params = {"steps": 4, "guidance": 5.0}
    job_id, _ = jobs.create_job(
        project, shot_id=shot_id, camera_id=camera_id, prompt_id=prompt_id, preset=preset, params=params, seeds=[seed],
        recipe=recipe_for(project, shot_id, prompt_id, preset, params, [seed], source=source) if recorded else None,
    )
    from director.core.enums import JobState

    jobs.mark_running(project, job_id, device="cpu")
    jobs.finish_job(project, job_id, JobState.DONE, {"gpu_s": gpu_s, "wall_s": gpu_s + 1, "load_s": 0.5, "model_revision": "abc123"})
    return takes.insert_take(
        project, job_id,
        {"seed": seed, "variant": 0, "kind": kind, "media_path": media, "width": w, "height": h, "frames": frames, "fps_num": 24, "fps_den": 1, "flag": flag, "rating": rating, "notes": f"note {seed}"},
    )


@pytest.fixture
def film(tmp_path: Path) -> Film:
    project = Project.create(tmp_path / "film.director", name="Rooftop Film", width=320, height=240, gpu_price_per_hour="3.60")
    shot_ids, take_ids = {}, {}
    specs = [
        ("10", "red", "video", RED, (320, 240), 30, "a red sunrise über the roofs"),
        ("20", "green", "video", GREEN, (320, 180), 30, "a green alley at night"),  # wider: letterboxed
        ("30", "blue", "video", BLUE, (160, 240), 30, "a blue door"),  # taller: pillarboxed
        ("40", "still", "image", WHITE, (320, 240), 1, "a white wall"),
    ]
    for i, (code, name, kind, color, (w, h), frames, subject) in enumerate(specs):
        shot, _ = shots.add_shot(project, code, title=name.title())
        shot_ids[code] = shot.id
        shots.update_shot(project, shot.id, notes=f"notes for {code}")
        prompt, _ = prompts.write_prompt(project, shot.id, PromptFields(subject=subject, negative="blurry"))
        media = write_video(project, color, frames, w, h) if kind == "video" else write_png(project, color, w, h)
        take_ids[name] = add_take(project, shot.id, prompt.id, kind, media, w, h, frames, seed=100 + i, gpu_s=36.0 * (i + 1))
    film = Film(project, shot_ids, take_ids, {n: takes.get_take(project, t) for n, t in take_ids.items()})
    yield film
    project.close()


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """Exports go here, away from the project, so a test can see exactly what an export left."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def simple_cut(film: Film) -> Cut:
    """red 0–11, green 12–23 (from its frame 5), gap 24–29, still 30–35, blue 36–47."""
    segs = (
        film.segment("red", 0, 12),
        film.segment("green", 12, 12, source_start=5),
        CutSegment(24, 6, None, None, "gap"),
        film.segment("still", 30, 6),
        film.segment("blue", 36, 12),
    )
    return Cut(Rate(24), 320, 240, segs)


# -- multicam counter takes: which frame of which camera each output frame shows -----------------

CAMERA_MARK = {"A": 0, "B": 128}  # added to the right half's grey: the camera a picture came from


def write_camera_counter(project: Project, frames: int, fps: Rate | int, camera: str, width: int = 64, height: int = 64) -> str:
    """A lossless take at `fps` whose frame i shows grey 8*(i % 32) on its left half and
    8*(i // 32) + CAMERA_MARK[camera] on its right (the conftest counter idea, for up to 512
    frames and two cameras)."""
    rate = fps if isinstance(fps, Rate) else Rate(fps)
    temp = project.media.temp_path(".mp4")
    container = av.open(str(temp), "w", format="mp4")
    stream = container.add_stream("libx264", rate=rate.fraction)
    stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
    stream.options = {"preset": "ultrafast", "crf": "0"}
    for i in range(frames):
        a = np.empty((height, width, 3), np.uint8)
        a[:, : width // 2] = 8 * (i % 32)
        a[:, width // 2 :] = 8 * (i // 32) + CAMERA_MARK[camera]
        frame = av.VideoFrame.from_ndarray(a, format="bgr24")
        frame.pts = i
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))
    container.close()
    return project.media.adopt(temp, "mp4")


def read_camera_counter(picture: np.ndarray) -> tuple[str, int]:
    """(camera, source frame) a decoded BGR picture of write_camera_counter shows."""
    h, w = picture.shape[:2]
    left = int(round(float(picture[h // 4 : 3 * h // 4, w // 8 : 3 * w // 8].mean()) / 8))
    right = int(round(float(picture[h // 4 : 3 * h // 4, 5 * w // 8 : 7 * w // 8].mean())))
    camera = "B" if right >= 124 else "A"
    return camera, left + 32 * round((right - CAMERA_MARK[camera]) / 8)


def add_camera_take(project: Project, shot_id: int, camera: str, media: str, frames: int, fps: Rate, w: int = 64, h: int = 64, seed: int = 1) -> int:
    """A finished job on `camera` of the shot with one take of `media` at `fps`."""
    from director.core.enums import JobState

    camera_id = cameras.find_camera(project, shot_id, camera).id
    job_id, _ = jobs.create_job(project, shot_id=shot_id, camera_id=camera_id, prompt_id=None, preset="tiny-t2v", params={}, seeds=[seed])
    jobs.mark_running(project, job_id, device="cpu")
    jobs.finish_job(project, job_id, JobState.DONE, {"gpu_s": 36.0, "wall_s": 37.0})
    return takes.insert_take(
        project, job_id,
        {"seed": seed, "variant": 0, "kind": "video", "media_path": media, "width": w, "height": h, "frames": frames,
         "fps_num": fps.num, "fps_den": fps.den, "flag": "selected", "rating": 4, "notes": ""},
    )


def multicam_project(folder: Path, project_fps: str, take_fps: Rate, frames: int, cut_at: int, name: str = "Multicam") -> Project:
    """A project at `project_fps` with one shot, cameras A and B, one counter take each at
    `take_fps`, placed on the timeline, cut to camera B at record frame `cut_at`."""
    from director.store import timeline

    project = Project.create(folder / "mc.director", name=name, width=64, height=64, fps=project_fps)
    shot, _ = shots.add_shot(project, "10", cameras=("A", "B"))
    for camera in ("A", "B"):
        add_camera_take(project, shot.id, camera, write_camera_counter(project, frames, take_fps, camera), frames, take_fps)
    timeline.insert_shot(project, shot.id).apply(project)
    timeline.cut_to_camera(project, cut_at, name="B").apply(project)
    return project
