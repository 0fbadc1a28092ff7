"""Synthetic clips with known faults, for calibrating continuity QC (tests and bench/qc_speed.py).

Every clip is a smooth pan over a textured scene, 768×512, with one fault injected at known frames:
`FAULTS` maps each clip's name to the frames QC must flag.
"""

from __future__ import annotations

import numpy as np
import cv2

W, H = 768, 512
FRAMES = 48
PAN = 4  # pixels per frame


def scene(seed: int, width: int = W + PAN * FRAMES + 64, height: int = H) -> np.ndarray:
    """A textured landscape: smooth colour noise, blobs and edges (something for the flow to follow)."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (height // 16 + 2, width // 16 + 2, 3), dtype=np.uint8)
    img = cv2.resize(base, (width, height), interpolation=cv2.INTER_CUBIC)
    for _ in range(60):
        c = tuple(int(v) for v in rng.integers(0, 256, 3))
        cv2.circle(img, (int(rng.integers(0, width)), int(rng.integers(0, height))), int(rng.integers(8, 60)), c, -1, cv2.LINE_AA)
    for _ in range(20):
        c = tuple(int(v) for v in rng.integers(0, 256, 3))
        p1 = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        cv2.line(img, p1, (p1[0] + int(rng.integers(-200, 200)), p1[1] + int(rng.integers(-200, 200))), c, 3, cv2.LINE_AA)
    return cv2.GaussianBlur(img, (3, 3), 0.8)


def pan(seed: int = 1, frames: int = FRAMES, start: int = 0) -> list[np.ndarray]:
    big = scene(seed)
    return [big[:, (start + i) * PAN:(start + i) * PAN + W].copy() for i in range(frames)]


def clean() -> list[np.ndarray]:
    return pan()


def flicker() -> list[np.ndarray]:
    out = pan()
    for i in (12, 30):
        out[i] = np.clip(out[i].astype(np.int16) + 28, 0, 255).astype(np.uint8)
    return out


def frozen() -> list[np.ndarray]:
    out = pan()
    for i in range(21, 28):
        out[i] = out[20].copy()
    return out


def hard_cut() -> list[np.ndarray]:
    return pan()[:24] + pan(seed=7, frames=FRAMES - 24)


def teleport() -> list[np.ndarray]:
    out = pan()
    for i, frame in enumerate(out):
        x = 120 + 3 * i + (300 if i >= 24 else 0)
        cv2.rectangle(frame, (x, 200), (x + 96, 296), (250, 250, 40), -1)
        cv2.circle(frame, (x + 48, 248), 30, (20, 20, 200), -1)
    return out


CLIPS = {"clean": clean, "flicker": flicker, "frozen": frozen, "cut": hard_cut, "teleport": teleport}
# metric → (clip with the fault, frames it must flag, ±1)
FAULTS = {
    "flicker": ("flicker", [12, 13, 30, 31]),
    "frozen": ("frozen", list(range(21, 28))),
    "cut": ("cut", [24]),
    "warp": ("teleport", [24]),
}


def write_mp4(path, frames: list[np.ndarray], fps: int = 24):
    """Encode RGB frames as H.264 (what a take's file is)."""
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = frames[0].shape[1], frames[0].shape[0], "yuv420p"
        stream.options = {"crf": "18", "preset": "ultrafast"}
        for f in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(f, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def add_video_take(project, frames: list[np.ndarray] | None = None, *, shot: str = "1", camera: str = "A",
                   rating: int = 0, tmp=None) -> int:
    """A done job and a video take in the project; with `frames`, its file is those frames encoded
    (else a placeholder that is never decoded)."""
    import tempfile
    from pathlib import Path

    from director.core.enums import JobState
    from director.store import cameras, jobs, shots, takes

    found = shots.find_shot(project, shot) if any(s.code == shot for s in shots.list_shots(project)) else None
    if found is None:
        found, _ = shots.add_shot(project, shot, f"shot {shot}")
    cam = next((c for c in cameras.list_cameras(project, found.id) if c.name == camera), None)
    if cam is None:
        cam = cameras.add_camera(project, found.id, camera)
        cam = cam[0] if isinstance(cam, tuple) else cam
    job_id, _ = jobs.create_job(project, shot_id=found.id, camera_id=cam.id, prompt_id=None, preset="tiny-t2v",
                                params={"steps": 2}, seeds=[1])
    jobs.mark_running(project, job_id, device="cpu")
    jobs.finish_job(project, job_id, JobState.DONE, {"gpu_s": 1.0, "wall_s": 1.0, "load_s": 0.0})
    if frames is None:
        media, n, (h, w) = project.media.put_bytes(b"placeholder video", "mp4"), 48, (H, W)
    else:
        with tempfile.TemporaryDirectory() as tmpdir:
            media = project.media.import_file(write_mp4(Path(tmpdir) / "take.mp4", frames), "mp4")
        n, (h, w) = len(frames), frames[0].shape[:2]
    return takes.insert_take(project, job_id, {"seed": 1, "variant": 0, "kind": "video", "media_path": media, "width": w,
                                               "height": h, "frames": n, "fps_num": 24, "fps_den": 1, "rating": rating})
