"""Estimates of a job's GPU time and money from this project's own history for the same preset.

The unit of work is one denoising step over one frame-pixel of one variant: a past job's GPU seconds
divided by its steps × frames × pixels × variants gives a rate, and a new job costs that rate times its
own work. The median of recent rates is used because one job that paid for a model load or a cold cache
would drag a mean far off.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from statistics import median

from director.core.cost import format_money, from_micros, job_money, to_micros

# The parameter names presets use; the first one present wins. Missing ones count as 1, which is
# consistent as long as a preset always spells its parameters the same way.
STEP_KEYS = ("steps", "num_inference_steps")
FRAME_KEYS = ("frames", "num_frames")
WIDTH_KEYS = ("width",)
HEIGHT_KEYS = ("height",)
HISTORY_LIMIT = 20


def _first_int(params: dict, keys: tuple[str, ...]) -> int:
    for key in keys:
        value = params.get(key)
        if value is not None:
            try:
                return max(1, int(value))
            except (TypeError, ValueError):
                continue
    return 1


@dataclass(frozen=True)
class Workload:
    """How much a job asks of the GPU, in the units the estimate scales by."""

    steps: int
    frames: int
    width: int
    height: int
    variants: int

    @classmethod
    def from_params(cls, params: dict, variants: int) -> Workload:
        return cls(
            steps=_first_int(params, STEP_KEYS),
            frames=_first_int(params, FRAME_KEYS),
            width=_first_int(params, WIDTH_KEYS),
            height=_first_int(params, HEIGHT_KEYS),
            variants=max(1, int(variants)),
        )

    @property
    def units(self) -> int:
        return self.steps * self.frames * self.width * self.height * self.variants


@dataclass(frozen=True)
class HistoryPoint:
    """One finished job of the preset: what it asked for and what it measured."""

    workload: Workload
    gpu_s: float
    energy_wh: float | None = None


@dataclass(frozen=True)
class Estimate:
    """A job's expected GPU seconds and money; `gpu_s is None` means there is no history to go on."""

    preset: str
    workload: Workload
    gpu_s: float | None
    money: Decimal | None
    currency: str
    basis: int = 0  # how many past jobs the figure rests on

    @property
    def known(self) -> bool:
        return self.gpu_s is not None

    def describe(self) -> str:
        if not self.known:
            return f"no history yet for {self.preset}: run one job to learn its cost"
        jobs = "job" if self.basis == 1 else "jobs"
        return f"≈ {self.gpu_s:.1f} GPU s ≈ {format_money(self.money, self.currency)} (from {self.basis} {jobs} of {self.preset})"


def estimate(
    preset: str,
    workload: Workload,
    history: list[HistoryPoint],
    *,
    price_per_gpu_hour: Decimal,
    price_per_kwh: Decimal | None,
    currency: str,
) -> Estimate:
    """Scale the median rate of recent jobs of this preset to the new workload."""
    usable = [h for h in history if h.gpu_s > 0 and h.workload.units > 0][:HISTORY_LIMIT]
    if not usable:
        return Estimate(preset, workload, None, None, currency, 0)
    rate = median(h.gpu_s / h.workload.units for h in usable)
    gpu_s = rate * workload.units
    energy_rates = [h.energy_wh / h.gpu_s for h in usable if h.energy_wh is not None]
    energy_wh = median(energy_rates) * gpu_s if energy_rates else None
    # Rounded to the micro-unit like stored money, so a budget compares like with like.
    money = from_micros(to_micros(job_money(gpu_s, price_per_gpu_hour, energy_wh, price_per_kwh)))
    return Estimate(preset, workload, gpu_s, money, currency, len(usable))


def estimate_error(estimated_gpu_s: float | None, actual_gpu_s: float | None) -> float | None:
    """(actual − estimate) / estimate: +0.25 means the job took 25 % longer than estimated."""
    if estimated_gpu_s is None or actual_gpu_s is None or estimated_gpu_s <= 0:
        return None
    return (float(actual_gpu_s) - float(estimated_gpu_s)) / float(estimated_gpu_s)
