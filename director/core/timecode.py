"""Edit time: integer frames at a rational rate (OpenTimelineIO's RationalTime, without floats).

Seconds as floats appear only at the edges (display, metering); every edit computes in frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from director.core.errors import InvalidInput


MIN_FPS = 1
MAX_FPS = 240


@dataclass(frozen=True, order=True)
class Rate:
    """Frames per second as a fraction: 24/1, 30000/1001."""

    num: int
    den: int = 1

    def __post_init__(self) -> None:
        if self.num <= 0 or self.den <= 0:
            raise InvalidInput(f"frame rate must be positive, got {self.num}/{self.den}")

    @classmethod
    def parse(cls, text: str | float | int) -> Rate:
        """Accept '24', '23.976', '30000/1001' or a number; NTSC decimals map to their exact fractions."""
        if isinstance(text, (int, float)):
            text = str(text)
        text = text.strip()
        ntsc = {"23.976": (24000, 1001), "29.97": (30000, 1001), "59.94": (60000, 1001)}
        if text in ntsc:
            return cls(*ntsc[text])
        try:
            f = Fraction(text)
        except (ValueError, ZeroDivisionError, OverflowError):
            raise InvalidInput(f"not a frame rate: {text!r} (use e.g. 24, 25, 23.976 or 30000/1001)") from None
        if not MIN_FPS <= f <= MAX_FPS:
            nearest = MIN_FPS if f < MIN_FPS else MAX_FPS
            raise InvalidInput(f"frame rate {text} is out of range ({MIN_FPS} to {MAX_FPS} fps); nearest valid: {nearest}")
        f = f.limit_denominator(1001)
        return cls(f.numerator, f.denominator)

    @property
    def fraction(self) -> Fraction:
        return Fraction(self.num, self.den)

    @property
    def fps(self) -> float:
        return self.num / self.den

    @property
    def nominal(self) -> int:
        """Whole frames per timecode second (24 for 23.976)."""
        return round(self.num / self.den)

    def seconds(self, frames: int) -> Fraction:
        return Fraction(frames) / self.fraction

    def frames(self, seconds: Fraction | float | int) -> int:
        """Nearest frame to a duration given in seconds (edge use: user input, metering)."""
        return round(Fraction(seconds) * self.fraction)

    def rescale(self, frames: int, other: Rate) -> int:
        """The frame at `other` rate that starts at the same instant (floor), for conforming takes."""
        return (frames * other.num * self.den) // (self.num * other.den)

    def timecode(self, frames: int) -> str:
        """Non-drop-frame timecode HH:MM:SS:FF."""
        sign = "-" if frames < 0 else ""
        frames = abs(frames)
        n = self.nominal
        ff = frames % n
        s = frames // n
        return f"{sign}{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}:{ff:02d}"

    def __str__(self) -> str:
        return str(self.num) if self.den == 1 else f"{self.num}/{self.den}"


@dataclass(frozen=True)
class FrameRange:
    """A half-open range of frames [start, start + duration)."""

    start: int
    duration: int

    def __post_init__(self) -> None:
        if self.duration < 0:
            raise InvalidInput(f"a range cannot have negative duration ({self.duration})")

    @property
    def end(self) -> int:
        return self.start + self.duration

    def contains(self, frame: int) -> bool:
        return self.start <= frame < self.end
