"""Solid-colour takes in a real project, for the timeline, program viewer and storyboard tests.

Imported by those tests; it holds no tests itself. Media is written the way the engine writes it:
a temp file in the store, adopted into its content address, then the take row.
"""

from __future__ import annotations

import os
import sys

import av
import cv2
import numpy as np

from director.store import jobs, shots, takes
from director.store.cameras import add_camera, list_cameras
from director.store.project import Project

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(__file__))


def solid_video(project: Project, rgb, frames: int, size=(64, 48), fps: int = 24) -> str:
    temp = project.media.temp_path(".mp4")
    with av.open(str(temp), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.options = {"crf": "0", "preset": "ultrafast"}
        img = np.zeros((size[1], size[0], 3), np.uint8)
        img[:] = rgb
        for _ in range(frames):
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return project.media.adopt(temp, "mp4")


def solid_png(project: Project, rgb, size=(64, 48)) -> str:
    temp = project.media.temp_path(".png")
    img = np.zeros((size[1], size[0], 3), np.uint8)
    img[:] = rgb[::-1]  # BGR for OpenCV
    cv2.imwrite(str(temp), img)
    return project.media.adopt(temp, "png")


def make_take(project: Project, shot_id: int, camera_id: int, rgb, *, frames: int = 48, size=(64, 48), kind: str = "video", flag: str | None = "selected", fps: int = 24) -> int:
    job_id, _ = jobs.create_job(project, shot_id=shot_id, camera_id=camera_id, prompt_id=None, preset="tiny-t2v", params={}, seeds=[7])
    rel = solid_video(project, rgb, frames, size, fps) if kind == "video" else solid_png(project, rgb, size)
    thumb = solid_png(project, rgb, (32, 24))
    take_id = takes.insert_take(project, job_id, {"seed": 7, "kind": kind, "media_path": rel, "thumb_path": thumb, "width": size[0], "height": size[1], "frames": frames if kind == "video" else 1, "fps_num": fps, "fps_den": 1})
    if flag:
        takes.set_take_fields(project, take_id, flag=flag)
    jobs.finish_job(project, job_id, jobs.JobState.DONE, {"gpu_s": 360.0})
    return take_id


RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)


def film(tmp_path, width: int = 128, height: int = 96) -> tuple[Project, dict]:
    """Shot 1 with cameras A (red) and B (green), shot 2 with camera A (blue still), 48-frame takes."""
    project = Project.create(tmp_path / "film", width=width, height=height)
    s1, _ = shots.add_shot(project, "1", "Rooftop", cameras=("A",))
    add_camera(project, s1.id, "B")
    a1, b1 = [c.id for c in list_cameras(project, s1.id)]
    s2, _ = shots.add_shot(project, "2", "Street", cameras=("A",))
    (a2,) = [c.id for c in list_cameras(project, s2.id)]
    ids = {"s1": s1.id, "s2": s2.id, "a1": a1, "b1": b1, "a2": a2}
    ids["t_red"] = make_take(project, s1.id, a1, RED)
    ids["t_green"] = make_take(project, s1.id, b1, GREEN, size=(64, 64))
    ids["t_blue"] = make_take(project, s2.id, a2, BLUE, kind="image", size=(96, 48))
    return project, ids


def pixel(image, x: int, y: int) -> tuple[int, int, int]:
    c = image.pixelColor(x, y)
    return c.red(), c.green(), c.blue()


def near(a, b, tol: int = 12) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b))
