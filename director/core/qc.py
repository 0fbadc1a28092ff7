"""Continuity QC: what each score means, its thresholds, and the one rule that grades a take.

The measuring is `engine.qc` (OpenCV, in the owning process after a take lands); the rows are
`store.qc`. Everything that shows a grade (the gallery badge, the viewer's curve, the storyboard
footnote, `director report qc`) grades through this module, so a threshold changed in Settings or
with `director qc thresholds` changes every one of them alike.

Per-frame metrics are curves with one value per take frame (frame 0 has none: it has no
predecessor). A frame is flagged when its value passes the amber level, and red past the red level.
"Above" metrics are bad when high; "below" metrics (frozen) are bad when low.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from director.core.errors import InvalidInput

GREEN, AMBER, RED = 0, 1, 2
GRADE_NAMES = {GREEN: "green", AMBER: "amber", RED: "red"}
GRADE_OF_NAME = {v: k for k, v in GRADE_NAMES.items()}
# Bump when engine.qc measures differently, so stored curves from an older version can be told apart.
ALGORITHM_VERSION = 1


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    worse: str  # 'above' | 'below'
    amber: float
    red: float
    meaning: str  # one line for the user
    per_frame: bool = True


METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        Metric("flicker", "Flicker", "levels", "above", 3.0, 8.0,
               "frame-to-frame change of overall brightness or colour that the motion does not explain "
               "(grey levels of 255, after following the motion with optical flow)"),
        Metric("warp", "Warp error", "% of frame", "above", 1.5, 4.0,
               "share of the frame that the previous frame, moved along the optical flow, cannot explain: "
               "popping, morphing, objects appearing or jumping"),
        Metric("frozen", "Frozen", "levels", "below", 0.3, 0.05,
               "how much a frame differs from the one before (mean grey levels); near zero the video stalled "
               "on a repeated frame"),
        Metric("cut", "Hard cut", "dissimilarity", "above", 0.5, 0.7,
               "1 - correlation of a frame's layout with the previous one's; high means the take jumps to a "
               "different picture, a cut inside the take"),
        Metric("multicam", "Camera match", "ΔE", "above", 6.0, 12.0,
               "colour and exposure distance (ΔE*76 of the mean CIELAB colour) from the chosen takes of the "
               "shot's other cameras", per_frame=False),
        Metric("continuity", "Cut continuity", "ΔE", "above", 10.0, 20.0,
               "colour distance (ΔE*76 of the mean CIELAB colour) between the last frames of a clip and the "
               "first of the next on the cut", per_frame=False),
    )
}
FRAME_METRICS = tuple(k for k, m in METRICS.items() if m.per_frame)


@dataclass(frozen=True)
class Thresholds:
    """Amber and red level per metric; missing metrics use their defaults."""

    levels: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def amber(self, key: str) -> float:
        return self.levels.get(key, (METRICS[key].amber, METRICS[key].red))[0]

    def red(self, key: str) -> float:
        return self.levels.get(key, (METRICS[key].amber, METRICS[key].red))[1]

    def as_dict(self) -> dict[str, dict[str, float]]:
        return {k: {"amber": self.amber(k), "red": self.red(k)} for k in METRICS}

    def with_level(self, key: str, amber: float | None = None, red: float | None = None) -> "Thresholds":
        """A copy with one metric's levels changed, checked (`check_levels`)."""
        if key not in METRICS:
            raise InvalidInput(f"unknown QC metric {key!r}; use one of: {', '.join(METRICS)}")
        new = (self.amber(key) if amber is None else amber, self.red(key) if red is None else red)
        check_levels(key, *new)
        return Thresholds({**self.levels, key: new})


def check_levels(key: str, amber: float, red: float) -> None:
    """Levels are finite, not negative, and red lies past amber in the metric's bad direction."""
    metric = METRICS[key]
    for name, value in (("amber", amber), ("red", red)):
        if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise InvalidInput(f"the {metric.label.lower()} {name} level is a number of {metric.unit} ≥ 0, got {value!r}")
    if metric.worse == "above" and red < amber:
        raise InvalidInput(f"the {metric.label.lower()} red level ({red:g}) must be at or above amber ({amber:g}): "
                           f"higher {metric.unit} is worse; try red {amber:g}")
    if metric.worse == "below" and red > amber:
        raise InvalidInput(f"the {metric.label.lower()} red level ({red:g}) must be at or below amber ({amber:g}): "
                           f"lower {metric.unit} is worse; try red {amber:g}")


def passes(key: str, value: float, level: float) -> bool:
    """Whether a value is at or past a level in the metric's bad direction."""
    return value >= level if METRICS[key].worse == "above" else value <= level


def grade_value(key: str, value: float | None, th: Thresholds) -> int | None:
    if value is None:
        return None
    if passes(key, value, th.red(key)):
        return RED
    return AMBER if passes(key, value, th.amber(key)) else GREEN


def score(key: str, curve: Sequence[float | None]) -> float | None:
    """A curve's worst value (max, or min for 'below' metrics); None when it has no values."""
    values = [v for v in curve if v is not None]
    if not values:
        return None
    return max(values) if METRICS[key].worse == "above" else min(values)


def flagged_frames(key: str, curve: Sequence[float | None], th: Thresholds) -> list[int]:
    """The frames whose value passes the amber level."""
    level = th.amber(key)
    return [i for i, v in enumerate(curve) if v is not None and passes(key, v, level)]


def worst_frames(key: str, curve: Sequence[float | None], th: Thresholds, limit: int = 5) -> list[int]:
    """Up to `limit` flagged frames, worst first (what the viewer marks)."""
    flagged = flagged_frames(key, curve, th)
    sign = -1 if METRICS[key].worse == "above" else 1
    return sorted(flagged, key=lambda i: (sign * curve[i], i))[:limit]


def grade(scores: Mapping[str, float | None], th: Thresholds) -> int | None:
    """The worst grade over the scores present; None when no score is known (not checked)."""
    grades = [g for k, v in scores.items() if k in METRICS and (g := grade_value(k, v, th)) is not None]
    return max(grades) if grades else None


def severity(scores: Mapping[str, float | None], th: Thresholds) -> float:
    """How far past amber the worst score is (1.0 = at amber): the gallery's sort within a grade."""
    worst = 0.0
    for key, value in scores.items():
        if key not in METRICS or value is None:
            continue
        amber = th.amber(key)
        if METRICS[key].worse == "above":
            ratio = value / amber if amber > 0 else (math.inf if value > 0 else 0.0)
        else:
            ratio = amber / value if value > 0 else math.inf
        worst = max(worst, ratio)
    return min(worst, 1e9)


def delta_e(lab1: Sequence[float], lab2: Sequence[float]) -> float:
    """ΔE*76: Euclidean distance between two CIELAB colours (about 2.3 is just noticeable)."""
    return math.dist(lab1[:3], lab2[:3])


def mean_lab(labs: Sequence[Sequence[float]]) -> tuple[float, float, float] | None:
    if not labs:
        return None
    n = len(labs)
    return (sum(v[0] for v in labs) / n, sum(v[1] for v in labs) / n, sum(v[2] for v in labs) / n)


def describe(key: str, value: float | None, th: Thresholds) -> str:
    """'Flicker 4.2 levels (amber ≥ 3): frame-to-frame change …' — one line per score."""
    metric = METRICS[key]
    sign = "≥" if metric.worse == "above" else "≤"
    if value is None:
        return f"{metric.label}: not measured: {metric.meaning}"
    g = GRADE_NAMES[grade_value(key, value, th)]
    return (f"{metric.label} {value:.2f} {metric.unit} [{g}; amber {sign} {th.amber(key):g}, red {sign} {th.red(key):g}]: "
            f"{metric.meaning}")


def parse_grade(text: str) -> int:
    try:
        return GRADE_OF_NAME[text.strip().lower()]
    except KeyError:
        raise InvalidInput(f"unknown QC grade {text!r}; use one of: green, amber, red") from None
