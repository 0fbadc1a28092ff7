"""A small textured video take for the roto tests: a bright square crossing a noisy background,
written the way the engine writes media (a temp file in the store, adopted into its content
address), then the take row. It holds no tests itself."""

from __future__ import annotations

import av
import numpy as np

from director.store import jobs, takes
from director.store.project import Project

W, H, FRAMES = 80, 48, 9


def moving_square(frames: int = FRAMES, width: int = W, height: int = H) -> np.ndarray:
    rng = np.random.default_rng(3)
    video = np.empty((frames, height, width, 3), np.uint8)
    for i in range(frames):
        video[i] = (rng.random((height, width, 3)) * 60).astype(np.uint8)
        x = 8 + i * 4
        video[i, 14:34, x:x + 20] = (230, 40, 30)
    return video


def video_take(project: Project, shot_id: int, camera_id: int | None, frames: int = FRAMES) -> int:
    """A video take of `moving_square` at 12 fps, losslessly encoded."""
    pixels = moving_square(frames)
    temp = project.media.temp_path(".mp4")
    with av.open(str(temp), "w") as out:
        stream = out.add_stream("libx264rgb", rate=12)
        stream.width, stream.height, stream.pix_fmt = W, H, "rgb24"
        stream.options = {"crf": "0", "preset": "ultrafast"}
        for frame in pixels:
            out.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        out.mux(stream.encode())
    media = project.media.adopt(temp, "mp4")
    thumb = project.media.put_bytes(b"\xff\xd8thumb", "jpg")
    job_id, _ = jobs.create_job(project, shot_id=shot_id, camera_id=camera_id, prompt_id=None, preset="tiny-t2v",
                                params={}, seeds=[7])
    take_id = takes.insert_take(project, job_id, {"seed": 7, "kind": "video", "media_path": media, "thumb_path": thumb,
                                                  "width": W, "height": H, "frames": frames, "fps_num": 12, "fps_den": 1})
    jobs.finish_job(project, job_id, jobs.JobState.DONE, {"gpu_s": 1.0})
    return take_id
