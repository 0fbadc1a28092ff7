"""The previz guide videos (depth and layout), encoded straight from the render's one-channel maps.

A depth map is grey and a layout map is a label per pixel, so each frame's YUV 4:2:0 planes are
table look-ups: luma from the map, chroma from every other row and column of it. This skips the
RGB frames a picture needs and the RGB → YUV conversion per frame, which together cost about as
much as x264 itself on these flat frames. The tables use BT.601 limited range and the stream is
tagged so, which is what decoders assume for an untagged stream too, so `read_frames` gives back
the grey and the class colours (within the rounding of 4:2:0). Chroma taken from one pixel of
each 2×2 block keeps a class edge a clean step (no blended colour a model could read as another
class).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from fractions import Fraction

import numpy as np

from director.engine.encoders import PIX_FMT, VideoEncoder

BT601 = 6  # AVCOL_PRI/TRC/SPC_SMPTE170M
LIMITED = 1  # AVCOL_RANGE_MPEG


def grey_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(Y, U, V) tables for a grey map: full-range grey → limited-range luma, neutral chroma."""
    y = np.round(16 + np.arange(256) * (219 / 255)).astype(np.uint8)
    flat = np.full(256, 128, np.uint8)
    return y, flat, flat


def colour_tables(colours: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(Y, U, V) tables from (256, 3) uint8 RGB colours per label (BT.601, limited range)."""
    r, g, b = (colours[:, k].astype(np.float64) / 255 for k in range(3))
    y = 0.299 * r + 0.587 * g + 0.114 * b
    u = (b - y) / 1.772
    v = (r - y) / 1.402
    return tuple(np.clip(np.round(x), 0, 255).astype(np.uint8) for x in (16 + 219 * y, 128 + 224 * u, 128 + 224 * v))


def _planes(frame, index: np.ndarray, tables) -> None:
    """Fill a yuv420p frame's planes from an even-sized (H, W) uint8 map through (Y, U, V) tables."""
    import cv2

    small = index[::2, ::2]
    for plane, table, source in zip(frame.planes, tables, (index, small, small)):
        view = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)[:, :plane.width]
        view[...] = cv2.LUT(source, table)


def encode_guide(maps: Iterable[np.ndarray], size: tuple[int, int], fps: Fraction, encoder: VideoEncoder, tables,
                 on_frame: Callable[[int, np.ndarray], None] | None = None) -> bytes:
    """(H, W) uint8 maps → an H.264 yuv420p MP4 through `tables` (`grey_tables` or `colour_tables`),
    muxed in memory like `media_out.encode_mp4`. `size` is (width, height); an odd side is padded
    by edge repeat, as the picture is. `on_frame(i, map)` runs before each frame (cancel)."""
    import av

    w, h = size
    pad_h, pad_w = h % 2, w % 2
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream(encoder.codec, rate=fps)
        stream.width, stream.height = w + pad_w, h + pad_h
        stream.pix_fmt = PIX_FMT
        stream.options = encoder.av_options()
        context = stream.codec_context
        context.color_primaries = context.color_trc = context.colorspace = BT601
        context.color_range = LIMITED
        if not encoder.nvenc:
            context.thread_type = "AUTO" if encoder.threads > 1 else "NONE"
            context.thread_count = encoder.threads
        for i, index in enumerate(maps):
            if on_frame is not None:
                on_frame(i, index)
            if pad_h or pad_w:
                index = np.pad(index, ((0, pad_h), (0, pad_w)), mode="edge")
            frame = av.VideoFrame(w + pad_w, h + pad_h, PIX_FMT)
            _planes(frame, np.ascontiguousarray(index), tables)
            frame.color_primaries = frame.color_trc = frame.colorspace = BT601
            frame.color_range = LIMITED
            frame.pts = i
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return buffer.getvalue()
