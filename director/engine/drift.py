"""Drift between a draft and its final: did the final keep the shot the director cut with?

Both takes are read (PyAV for clips, OpenCV for stills), converted to the same small size
(`WIDTH` pixels wide, the draft's aspect) and compared frame by frame over the frames the cut uses:

- structure: SSIM of the grey frames (Gaussian window, the usual constants), 1.0 = the same framing;
- colour: the distance between the frames' mean CIELAB colours (ΔE*76; about 2.3 is "just noticeable");
- motion: the difference of the mean Farneback optical-flow magnitude between consecutive frames,
  in pixels at `WIDTH` wide per frame (clips only).

It lives in the engine layer beside the conform that calls it, but needs no torch: numpy, OpenCV and
PyAV only, so it runs in the owning process after the worker has written the final.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from itertools import pairwise
from pathlib import Path

import cv2
import numpy as np

WIDTH = 64
MAX_FRAMES = 48  # frames compared per take at most (spread evenly over the used range)

# Past these a final is flagged. Calibrated on the tiny presets (a same-seed 2× final against its
# draft, and a final from another seed) and conservative for real models, whose same-seed finals
# stay far closer to their drafts than random weights do.
SSIM_MIN = 0.5
COLOUR_MAX = 12.0
MOTION_MAX = 1.0


@dataclass(frozen=True)
class Drift:
    ssim: float  # mean over the compared frames
    worst_ssim: float
    worst_frame: int  # the draft frame (take frames) where structure drifted most
    colour: float  # mean ΔE of the mean Lab colour
    worst_colour_frame: int
    motion: float  # |mean flow magnitude (final) - mean flow magnitude (draft)|, px per frame at WIDTH
    frames_compared: int

    @property
    def reasons(self) -> list[tuple[str, int]]:
        """(what changed, the draft frame where it changed most) for each measure past its threshold."""
        out = []
        if self.ssim < SSIM_MIN:
            out.append(("framing", self.worst_frame))
        if self.colour > COLOUR_MAX:
            out.append(("colour", self.worst_colour_frame))
        if self.motion > MOTION_MAX:
            out.append(("motion", self.worst_frame))
        return out

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)

    def to_dict(self) -> dict:
        return {**asdict(self), "flagged": self.flagged, "reasons": [r for r, _ in self.reasons],
                "thresholds": {"ssim_min": SSIM_MIN, "colour_max": COLOUR_MAX, "motion_max": MOTION_MAX}}


def read_frames(path: Path) -> list[np.ndarray]:
    """Every frame of a clip (or the one of a still) as RGB uint8."""
    if path.suffix.lower() in (".mp4", ".mov", ".mkv", ".webm"):
        import av

        with av.open(str(path)) as container:
            return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f"{path.name} is not an image OpenCV can read")
    return [cv2.cvtColor(image, cv2.COLOR_BGR2RGB)]


def _small(frame: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    interp = cv2.INTER_AREA if frame.shape[1] > size[0] else cv2.INTER_LINEAR
    return cv2.resize(frame, size, interpolation=interp)


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Structural similarity of two grey images of one size (Wang et al. 2004, 11×11 σ=1.5 window)."""
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def blur(x):
        return cv2.GaussianBlur(x, (11, 11), 1.5, borderType=cv2.BORDER_REFLECT)

    mu_a, mu_b = blur(a), blur(b)
    var_a = blur(a * a) - mu_a ** 2
    var_b = blur(b * b) - mu_b ** 2
    cov = blur(a * b) - mu_a * mu_b
    num = (2 * mu_a * mu_b + c1) * (2 * cov + c2)
    den = (mu_a ** 2 + mu_b ** 2 + c1) * (var_a + var_b + c2)
    return float(np.mean(num / den))


def mean_lab(frame: np.ndarray) -> np.ndarray:
    lab = cv2.cvtColor(frame.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    return lab.reshape(-1, 3).mean(axis=0)


def flow_magnitude(frames: list[np.ndarray]) -> float:
    """Mean Farneback optical-flow magnitude between consecutive grey frames (0 for one frame)."""
    if len(frames) < 2:
        return 0.0
    mags = []
    for prev, nxt in pairwise(frames):
        flow = cv2.calcOpticalFlowFarneback(prev, nxt, None, 0.5, 2, 9, 3, 5, 1.1, 0)
        mags.append(float(np.mean(np.linalg.norm(flow, axis=2))))
    return float(np.mean(mags))


def _pick(n_draft: int, n_final: int, start: int, end: int) -> list[tuple[int, int]]:
    """(draft frame, final frame) pairs over the used range [start, end) of the draft, matched by
    position in the take (a final with other frame counts is compared at the same instant)."""
    start = max(0, min(start, n_draft - 1))
    end = max(start + 1, min(end, n_draft))
    idx = np.unique(np.linspace(start, end - 1, num=min(MAX_FRAMES, end - start)).round().astype(int))
    out = []
    for i in idx:
        j = round(i * (n_final - 1) / (n_draft - 1)) if n_draft > 1 and n_final > 1 else 0
        out.append((int(i), j))
    return out


def compare(draft: Path, final: Path, used: tuple[int, int] | None = None) -> Drift:
    """How far the final drifted from the draft over the draft frames `used` ([start, end), all by default)."""
    a, b = read_frames(draft), read_frames(final)
    if not a or not b:
        raise ValueError("a take has no frames to compare")
    h0, w0 = a[0].shape[:2]
    size = (WIDTH, max(8, round(WIDTH * h0 / w0)))
    start, end = used if used is not None else (0, len(a))
    pairs = _pick(len(a), len(b), start, end)
    small_a = [_small(a[i], size) for i, _ in pairs]
    small_b = [_small(b[j], size) for _, j in pairs]
    grey_a = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in small_a]
    grey_b = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in small_b]
    scores = [ssim(x, y) for x, y in zip(grey_a, grey_b)]
    colours = [float(np.linalg.norm(mean_lab(x) - mean_lab(y))) for x, y in zip(small_a, small_b)]
    worst = int(np.argmin(scores))
    worst_c = int(np.argmax(colours))
    motion = abs(flow_magnitude(grey_b) - flow_magnitude(grey_a))
    return Drift(
        ssim=round(float(np.mean(scores)), 4), worst_ssim=round(scores[worst], 4), worst_frame=pairs[worst][0],
        colour=round(float(np.mean(colours)), 3), worst_colour_frame=pairs[worst_c][0], motion=round(motion, 4),
        frames_compared=len(pairs),
    )
