"""Turning frames into files: H.264 MP4 (PyAV: libx264, or NVENC where it works), PNG stills,
JPEG thumbnails (OpenCV), each written once with its SHA-256 taken on the way.

opencv-python's wheel cannot encode H.264 and diffusers' export_to_video silently falls back to
MPEG-4 Part 2, so video goes through PyAV's libx264 (GPL: see the packaging notes). Which encoder
and options a take gets is `engine.encoders`' choice. The worker's writer thread
(`engine.take_writer`) calls these off the device's path.
"""

from __future__ import annotations

import hashlib
import io
import os
from fractions import Fraction
from pathlib import Path

import numpy as np

from director.core.colour import standard_for_size
from director.engine.encoders import PIX_FMT, VideoEncoder

THUMB_MAX = 320
WRITE_CHUNK = 1 << 20


def to_uint8(frames: np.ndarray) -> np.ndarray:
    """Float [0, 1] RGB (what output_type='np' gives) to uint8, clipped. The reference for
    `device_frames.to_uint8`, which does the same on the device, and the path for a pipeline
    that returns arrays rather than tensors."""
    if frames.dtype == np.uint8:
        return frames
    return (np.clip(frames, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def frames_digest(frames: np.ndarray) -> str:
    """SHA-256 of the raw frames, recorded with each take to prove bit-exact re-renders."""
    return hashlib.sha256(np.ascontiguousarray(frames).tobytes()).hexdigest()


class HashingFile:
    """A new file written front to back whose SHA-256 is taken from the bytes as they are written,
    so the store adopts it without reading it again (`MediaStore.adopt(…, digest=…)`). Closing
    flushes it to the disk (fsync): the rename into the store must never name half a file."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._file = open(self.path, "xb")
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        self._hash.update(view)
        written = self._file.write(view)
        self.size += written
        return written

    def tell(self) -> int:
        return self.size

    def hexdigest(self) -> str:
        return self._hash.hexdigest()

    def close(self) -> None:
        if not self._file.closed:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()

    def __enter__(self) -> HashingFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write_hashed(path: Path, data) -> str:
    """Write `data` to a new file at `path`; return its SHA-256, computed while writing."""
    view = memoryview(data).cast("B")
    with HashingFile(path) as f:
        for start in range(0, len(view), WRITE_CHUNK):
            f.write(view[start:start + WRITE_CHUNK])
    return f.hexdigest()


def encode_mp4(frames: np.ndarray, fps: Fraction, encoder: VideoEncoder, on_frame=None) -> bytes:
    """(F, H, W, 3) uint8 RGB → an H.264 yuv420p MP4, returned as bytes (muxed in memory: the
    MP4 muxer goes back to the start to write sizes, so the file is written, and hashed, once
    it is whole). `on_frame(i, frame)` is called before each frame is encoded (digests, cancel).

    Odd sizes are padded by edge repeat to even (4:2:0 needs even sides); the take records the
    model's size, the file carries at most one extra row/column. Each frame is converted to
    yuv420p here, into a frame of its own: handing PyAV RGB and letting the encoder convert
    gave different bytes for the same frames now and then (seen with libx264 threads=1 under
    load); converted first, the same frames give the same file."""
    import av
    from av.video.reformatter import ColorRange, Colorspace

    f, h, w, _ = frames.shape
    pad_h, pad_w = h % 2, w % 2
    # Converted and tagged as the cut MP4 is (core.colour): BT.709 for HD, BT.601 for SD, limited range.
    standard = standard_for_size(w + pad_w, h + pad_h)
    matrix = Colorspace.ITU709 if standard.name == "bt709" else Colorspace.ITU601
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream(encoder.codec, rate=fps)
        stream.width, stream.height = w + pad_w, h + pad_h
        stream.pix_fmt = PIX_FMT
        stream.options = encoder.av_options()
        _tag(stream.codec_context, standard)
        if not encoder.nvenc:
            # Frame threads (what the ffmpeg command line uses); PyAV's default, slice threads,
            # is slower. x264's bytes depend on the thread count, which the run facts record.
            stream.codec_context.thread_type = "AUTO" if encoder.threads > 1 else "NONE"
            stream.codec_context.thread_count = encoder.threads
        for i, frame in enumerate(frames):
            if on_frame is not None:
                on_frame(i, frame)
            if pad_h or pad_w:
                frame = np.pad(frame, ((0, pad_h), (0, pad_w), (0, 0)), mode="edge")
            picture = av.VideoFrame.from_ndarray(frame, format="rgb24").reformat(
                format=PIX_FMT, dst_colorspace=matrix, dst_color_range=ColorRange.MPEG)
            _tag(picture, standard)
            picture.pts = i
            container.mux(stream.encode(picture))
        container.mux(stream.encode(None))
    return buffer.getvalue()


def _tag(target, standard) -> None:
    """Primaries, transfer, matrix and limited range on an encoder's context or a frame."""
    target.color_primaries = standard.primaries
    target.color_trc = standard.transfer
    target.colorspace = standard.matrix
    target.color_range = 1  # MPEG: limited (16-235)


def encode_png(image: np.ndarray) -> bytes:
    import cv2

    ok, data = cv2.imencode(".png", cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    if not ok:
        raise OSError("OpenCV could not encode a PNG")
    return data.tobytes()


def encode_thumb(image: np.ndarray) -> bytes:
    """A small JPEG; upscaled tiny outputs stay crisp (nearest) so a gallery can show them."""
    import cv2

    h, w = image.shape[:2]
    scale = THUMB_MAX / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_NEAREST
    thumb = cv2.resize(image, size, interpolation=interp)
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(thumb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:
        raise OSError("OpenCV could not encode a JPEG")
    return data.tobytes()


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
