"""Measure a video take's continuity: per-frame flicker, warp error, frozen frames and hard cuts,
and each frame's mean CIELAB colour (for the camera-match and cut-continuity scores, which
`store.qc` works out from the stored colours without decoding again).

CPU only, OpenCV and PyAV, no weights, no torch: it runs in the owning process on a QC thread after
the take's job is committed (`engine.qc_follow_up`), so it never holds the queue. Frames are
measured at `WIDTH` pixels wide; what each number means and when it is bad is `core.qc`.

- flicker: DIS optical flow from frame t back to t-1 moves t-1 onto t; the median residual of each
  CIELAB channel is the global change the motion does not explain. The curve is how far a frame
  leaves the line between its neighbours (a second difference), so a fade is not flicker but a
  brightness pulse is.
- warp error: the share of pixels (in %) whose lightness residual, after that global offset,
  exceeds `WARP_LEVEL` levels: what moving along the flow cannot explain (popping, morphing).
- frozen: mean absolute grey difference from the previous frame.
- hard cut: 1 - normalised correlation of small blurred grey frames (blind to brightness, so
  flicker is not a cut). Flicker and warp are not measured across a frame flagged as a cut.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import cv2
import numpy as np

from director.core import qc as rules
from director.core.errors import DirectorError

WIDTH = 256  # measuring width; the height keeps the take's aspect
THUMB_WIDTH = 64  # the hard-cut comparison's width
WARP_LEVEL = 24.0  # grey levels (of 255) a warped pixel may differ before it counts as unexplained
CUT_SKIP = 0.5  # past this dissimilarity the flow is not followed (a cut has no motion to follow)


class QcCancelled(DirectorError):
    """The measurement was stopped (the project closed)."""


@dataclass
class QcResult:
    """Per-frame curves (one value per frame, None where not measured) and mean CIELAB colours."""

    frames: int
    width: int
    height: int
    curves: dict[str, list[float | None]]
    lab: list[tuple[float, float, float]]
    cpu_s: float = 0.0
    wall_s: float = 0.0
    version: int = rules.ALGORITHM_VERSION
    scores: dict[str, float | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.scores:
            self.scores = {k: rules.score(k, self.curves.get(k, [])) for k in rules.FRAME_METRICS}


def _size(width: int, height: int) -> tuple[int, int]:
    w = min(WIDTH, width)
    return w, max(8, round(height * w / width))


def read_frames(path: Path, size: tuple[int, int] | None = None) -> Iterator[np.ndarray]:
    """A clip's frames as RGB uint8 at the measuring size, decoded and scaled by FFmpeg, one at a time."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        if size is None:
            size = _size(stream.codec_context.width, stream.codec_context.height)
        for frame in container.decode(stream):
            yield frame.to_ndarray(width=size[0], height=size[1], format="rgb24", interpolation="AREA")


def analyse_file(path: Path, should_stop: Callable[[], bool] | None = None) -> QcResult:
    """Measure a clip file. Raises DirectorError when it does not decode."""
    import av

    try:
        return analyse_frames(read_frames(path), should_stop)
    except (av.FFmpegError, OSError, ValueError, EOFError) as exc:
        raise DirectorError(f"QC could not read {path.name}: {exc}") from exc


class _Measure:
    """The running state between consecutive frames."""

    def __init__(self) -> None:
        self.dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)
        self.prev_grey: np.ndarray | None = None
        self.prev_lab: np.ndarray | None = None
        self.prev_thumb: np.ndarray | None = None
        self.grid: tuple[np.ndarray, np.ndarray] | None = None

    def frame(self, rgb: np.ndarray) -> tuple[tuple[float, float, float], dict[str, float | None], np.ndarray | None]:
        """(mean Lab, metric values against the previous frame, signed median residual per channel)."""
        if rgb.shape[1] > WIDTH:
            size = _size(rgb.shape[1], rgb.shape[0])
            rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        lab8 = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)  # L, a, b scaled to 0..255 (a, b offset 128)
        mean8 = cv2.mean(lab8)
        mean = (float(mean8[0]) * 100.0 / 255.0, float(mean8[1]) - 128.0, float(mean8[2]) - 128.0)
        grey = lab8[:, :, 0]
        thumb = cv2.GaussianBlur(cv2.resize(grey, (THUMB_WIDTH, max(4, round(grey.shape[0] * THUMB_WIDTH / grey.shape[1]))),
                                            interpolation=cv2.INTER_AREA).astype(np.float32), (5, 5), 1.2)
        values: dict[str, float | None] = {k: None for k in rules.FRAME_METRICS}
        offset = None
        if self.prev_grey is not None:
            values["frozen"] = float(cv2.absdiff(grey, self.prev_grey).mean())
            values["cut"] = _dissimilarity(self.prev_thumb, thumb)
            if values["cut"] < CUT_SKIP:
                offset, values["warp"] = self._warp(grey, lab8)
        self.prev_grey, self.prev_lab, self.prev_thumb = grey, lab8, thumb
        return mean, values, offset

    def _warp(self, grey: np.ndarray, lab8: np.ndarray) -> tuple[np.ndarray, float]:
        h, w = grey.shape
        flow = self.dis.calc(grey, self.prev_grey, None)  # grey(x) ≈ prev(x + flow(x))
        if self.grid is None or self.grid[0].shape != (h, w):
            xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
            self.grid = (xs, ys)
        map_x = self.grid[0] + flow[:, :, 0]
        map_y = self.grid[1] + flow[:, :, 1]
        warped = cv2.remap(self.prev_lab, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        inside = (map_x >= 0) & (map_x <= w - 1) & (map_y >= 0) & (map_y <= h - 1)
        count = int(np.count_nonzero(inside))
        if not count:
            return np.zeros(3, np.float32), 0.0
        residual = lab8.astype(np.int16) - warped.astype(np.int16)
        offset = np.median(residual[::3, ::3][inside[::3, ::3]], axis=0).astype(np.int16) if count > 64 else np.zeros(3, np.int16)
        # Lightness only: a take's chroma is stored at half resolution (4:2:0) and its edges smear
        # past any level that still catches a real pop; what pops changes lightness too.
        off_by = np.abs(residual[:, :, 0] - offset[0]) > WARP_LEVEL
        unexplained = np.count_nonzero(off_by & inside)
        return offset.astype(np.float32), 100.0 * float(unexplained) / count


def _dissimilarity(a: np.ndarray, b: np.ndarray) -> float:
    """1 - normalised correlation; two flat frames (nothing to compare) count as similar."""
    da, db = a - a.mean(), b - b.mean()
    na, nb = float(np.sqrt((da * da).sum())), float(np.sqrt((db * db).sum()))
    flat = math.sqrt(a.size)  # a standard deviation under one grey level
    if na < flat and nb < flat:
        return 0.0
    if na < flat or nb < flat:
        return 1.0
    return float(1.0 - (da * db).sum() / (na * nb))


def analyse_frames(frames: Iterable[np.ndarray], should_stop: Callable[[], bool] | None = None) -> QcResult:
    """Measure RGB uint8 frames (any size; wider than `WIDTH` is scaled down)."""
    wall0, cpu0 = time.perf_counter(), time.thread_time()
    measure = _Measure()
    labs: list[tuple[float, float, float]] = []
    raw: dict[str, list[float | None]] = {k: [] for k in rules.FRAME_METRICS}
    offsets: list[np.ndarray | None] = []
    size = (0, 0)
    for rgb in frames:
        if should_stop is not None and should_stop():
            raise QcCancelled("QC stopped")
        mean, values, offset = measure.frame(rgb)
        labs.append(mean)
        offsets.append(offset)
        for k in rules.FRAME_METRICS:
            raw[k].append(values[k])
        size = (measure.prev_grey.shape[1], measure.prev_grey.shape[0])
    if not labs:
        raise DirectorError("QC found no video frames")
    raw["flicker"] = _flicker(offsets)
    return QcResult(frames=len(labs), width=size[0], height=size[1], curves=raw, lab=labs,
                    cpu_s=time.thread_time() - cpu0, wall_s=time.perf_counter() - wall0)


def _flicker(offsets: list[np.ndarray | None]) -> list[float | None]:
    """How far each frame's motion-compensated colour leaves the line between its neighbours: half
    the change of the global residual across the frame, the worst CIELAB channel, in 8-bit levels.
    A fade (a steady change) scores 0, a one-frame pulse scores its size at that frame and half of it
    beside; at either end of a run (the take's ends, a cut) the one-sided change is used."""
    out: list[float | None] = []
    n = len(offsets)
    for i in range(n):
        into = offsets[i]  # frame i-1 → i
        out_of = offsets[i + 1] if i + 1 < n else None  # frame i → i+1
        if into is not None and out_of is not None:
            value = float(np.abs(into - out_of).max()) / 2.0
        elif into is not None or out_of is not None:
            value = float(np.abs(into if into is not None else out_of).max()) / 2.0
        else:
            out.append(None)
            continue
        out.append(value)
    return out
