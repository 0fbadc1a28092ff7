"""A small project whose takes carry sound with a click at a known frame (tests of the sound path)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from director.core.audio import CHANNELS, SAMPLE_RATE, frame_to_sample
from director.core.enums import JobState
from director.core.prompt import PromptFields
from director.core.timecode import Rate
from director.store import audio, cameras, jobs, prompts, shots, takes
from director.store.project import Project

SIZE = 64


def write_video(project: Project, frames: int, rate: Rate) -> str:
    temp = project.media.temp_path(".mp4")
    container = av.open(str(temp), "w", format="mp4")
    stream = container.add_stream("libx264", rate=rate.fraction)
    stream.width = stream.height = SIZE
    stream.pix_fmt = "yuv420p"
    stream.options = {"preset": "ultrafast"}
    for i in range(frames):
        frame = av.VideoFrame.from_ndarray(np.full((SIZE, SIZE, 3), 4 * i % 256, np.uint8), format="bgr24")
        frame.pts = i
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))
    container.close()
    return project.media.adopt(temp, "mp4")


def click_sound(frames: int, rate: Rate, click_frame: int, amplitude: float = 0.9, bed: float = 0.0) -> np.ndarray:
    """Sound as long as `frames` frames: silence (or a quiet bed) with one click at `click_frame`'s first sample."""
    n = frame_to_sample(frames, rate)
    samples = np.full((n, CHANNELS), bed, np.float32)
    samples[frame_to_sample(click_frame, rate)] = amplitude
    return samples


def add_video_take(project: Project, shot_id: int, camera: str, frames: int, rate: Rate, seed: int = 1) -> int:
    camera_id = cameras.find_camera(project, shot_id, camera).id
    prompt_id = prompts.current_prompt(project, shot_id).id
    job_id, _ = jobs.create_job(project, shot_id=shot_id, camera_id=camera_id, prompt_id=prompt_id, preset="tiny-t2v", params={}, seeds=[seed])
    jobs.mark_running(project, job_id, device="cpu")
    jobs.finish_job(project, job_id, JobState.DONE, {"gpu_s": 1.0, "wall_s": 1.0})
    media = write_video(project, frames, rate)
    return takes.insert_take(project, job_id, {"seed": seed, "variant": 0, "kind": "video", "media_path": media, "width": SIZE, "height": SIZE,
                                               "frames": frames, "fps_num": rate.num, "fps_den": rate.den, "flag": "selected", "rating": 4})


def make_shot(project: Project, code: str, cams=("A",)) -> int:
    shot, _ = shots.add_shot(project, code)
    prompts.write_prompt(project, shot.id, PromptFields(subject=f"shot {code}"))
    for name in cams:
        try:
            cameras.find_camera(project, shot.id, name)
        except Exception:
            cameras.add_camera(project, shot.id, name)
    return shot.id


def new_project(tmp_path: Path, fps: str) -> Project:
    return Project.create(tmp_path / f"sound{fps.replace('.', '_')}.director", fps=fps, width=SIZE, height=SIZE)


def decode_audio(path: Path) -> np.ndarray:
    """The first audio stream of a file as float32 (n, 2) at 48 kHz."""
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="flt", layout="stereo", rate=SAMPLE_RATE)
        chunks = []
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1, CHANNELS))
    return np.concatenate(chunks)


def clicks(samples: np.ndarray, threshold: float = 0.3, spread: int = 200) -> list[int]:
    """Where clicks are: peaks of the left channel above `threshold`, at least `spread` apart."""
    left = np.abs(samples[:, 0])
    found: list[int] = []
    for i in np.flatnonzero(left > threshold):
        if found and i - found[-1] < spread:
            if left[i] > left[found[-1]]:
                found[-1] = int(i)
            continue
        found.append(int(i))
    return found


__all__ = ["audio", "add_video_take", "click_sound", "clicks", "decode_audio", "make_shot", "new_project"]
