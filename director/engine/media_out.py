"""Turning pipeline output into files: H.264 MP4 (PyAV), PNG stills, JPEG thumbnails (OpenCV).

opencv-python's wheel cannot encode H.264 and diffusers' export_to_video silently falls back to
MPEG-4 Part 2, so video goes through PyAV's libx264 (GPL: see the packaging notes).
"""

from __future__ import annotations

import hashlib
from fractions import Fraction
from pathlib import Path

import numpy as np

THUMB_MAX = 320


def to_uint8(frames: np.ndarray) -> np.ndarray:
    """Float [0, 1] RGB (what output_type='np' gives) to uint8, clipped."""
    if frames.dtype == np.uint8:
        return frames
    return (np.clip(frames, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def frames_digest(frames: np.ndarray) -> str:
    """SHA-256 of the raw frames, recorded with each take to prove bit-exact re-renders."""
    return hashlib.sha256(np.ascontiguousarray(frames).tobytes()).hexdigest()


def write_mp4(frames: np.ndarray, path: Path, fps: Fraction, crf: int = 18) -> None:
    """(F, H, W, 3) uint8 RGB → H.264 yuv420p. Odd sizes are padded by edge repeat to even
    (4:2:0 needs even sides); the take records the model's size, the file carries at most one
    extra row/column."""
    import av

    f, h, w, _ = frames.shape
    pad_h, pad_w = h % 2, w % 2
    if pad_h or pad_w:
        frames = np.pad(frames, ((0, 0), (0, pad_h), (0, pad_w), (0, 0)), mode="edge")
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = w + pad_w, h + pad_h
        stream.pix_fmt = "yuv420p"
        # Single-threaded x264 makes the bytes deterministic: the same frames give the same file
        # (and so the same content address) on every run.
        stream.options = {"crf": str(crf), "preset": "medium", "threads": "1"}
        stream.codec_context.thread_count = 1
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def write_png(image: np.ndarray, path: Path) -> None:
    import cv2

    if not cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR)):
        raise OSError(f"could not write {path}")


def write_thumb(image: np.ndarray, path: Path) -> None:
    """A small JPEG; upscaled tiny outputs stay crisp (nearest) so a gallery can show them."""
    import cv2

    h, w = image.shape[:2]
    scale = THUMB_MAX / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_NEAREST
    thumb = cv2.resize(image, size, interpolation=interp)
    if not cv2.imwrite(str(path), cv2.cvtColor(thumb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85]):
        raise OSError(f"could not write {path}")


def read_frames(path: Path) -> np.ndarray:
    """All frames of a clip as (F, H, W, 3) uint8 RGB (tests and re-render checks)."""
    import av

    with av.open(str(path)) as container:
        return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])


def read_still(path: Path, which: str = "first") -> np.ndarray:
    """An RGB uint8 image from a still, or the first/last frame of a clip (i2v, extend)."""
    import cv2

    if path.suffix.lower() in (".mp4", ".mov", ".mkv", ".webm"):
        import av

        last = None
        with av.open(str(path)) as container:
            for frame in container.decode(video=0):
                last = frame.to_ndarray(format="rgb24")
                if which == "first":
                    break
        if last is None:
            raise ValueError(f"{path.name} has no video frames")
        return last
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f"{path.name} is not an image OpenCV can read")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
