"""Fitting any take into the output frame: scale to fit, centre, black bars (letterbox or pillarbox)."""

from __future__ import annotations

import av
import cv2
import numpy as np


def fit_rect(src_w: int, src_h: int, dst_w: int, dst_h: int) -> tuple[int, int, int, int]:
    """(x, y, w, h) of the largest src-shaped rectangle centred in dst, in whole pixels.

    Integer arithmetic so that the same take always lands on the same pixels (no float drift
    between a preview and the export).
    """
    if src_w * dst_h >= src_h * dst_w:  # source is wider: full width, bars top and bottom
        w = dst_w
        h = max(1, (src_h * dst_w + src_w // 2) // src_w)
    else:
        h = dst_h
        w = max(1, (src_w * dst_h + src_h // 2) // src_h)
    return (dst_w - w) // 2, (dst_h - h) // 2, w, h


def conform(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """A BGR frame of exactly width×height showing `image` whole, centred, with black bars."""
    h0, w0 = image.shape[:2]
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if (w0, h0) == (width, height):
        return np.ascontiguousarray(image)
    x, y, w, h = fit_rect(w0, h0, width, height)
    # INTER_AREA avoids aliasing when shrinking; INTER_LINEAR is the sharper choice when enlarging.
    interp = cv2.INTER_AREA if w < w0 else cv2.INTER_LINEAR
    scaled = cv2.resize(image, (w, h), interpolation=interp)
    if (w, h) == (width, height):
        return scaled
    out = np.zeros((height, width, 3), dtype=np.uint8)
    out[y : y + h, x : x + w] = scaled
    return out


def black(width: int, height: int) -> np.ndarray:
    return np.zeros((height, width, 3), dtype=np.uint8)


def _plane(plane) -> np.ndarray:
    """A writable view of one picture plane (rows padded to line_size are cut off)."""
    return np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)[:, : plane.width]


def conform_yuv420(frame: av.VideoFrame, width: int, height: int, colour=None) -> av.VideoFrame:
    """conform() for a decoded yuv420p frame, staying in YUV: scale with swscale, pad with black.

    Skips the YUV→BGR→YUV round trip of conform(), which costs more than the scaling itself. The
    picture lands on even pixels (chroma is half resolution), so it may be a pixel narrower than
    conform() would make it. Black is Y=16, U=V=128: video-range black, as the encoder writes.
    With `colour` (export.colour) the picture is also converted into that standard and tagged.
    """
    x, y, w, h = fit_rect(frame.width, frame.height, width, height)
    x, y, w, h = x - x % 2, y - y % 2, max(2, w - w % 2), max(2, h - h % 2)
    interpolation = "AREA" if w < frame.width else "BILINEAR"
    if colour is not None:
        from director.export.colour import to_output

        scaled = to_output(frame, colour, w, h, interpolation)
    else:
        scaled = frame.reformat(w, h, format="yuv420p", interpolation=interpolation)
    if (w, h) == (width, height):
        return scaled
    out = av.VideoFrame(width, height, "yuv420p")
    if colour is not None:
        colour.tag(out)
    for i, (plane, fill) in enumerate(zip(out.planes, (16, 128, 128))):
        target = _plane(plane)
        target.fill(fill)
        k = 1 if i == 0 else 2
        source = _plane(scaled.planes[i])
        target[y // k : y // k + source.shape[0], x // k : x // k + source.shape[1]] = source
    return out
