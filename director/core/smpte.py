"""SMPTE timecode for edit decision lists and interchange files: non-drop and drop frame.

core/timecode.Rate.timecode is the plain non-drop display; an editing suite also needs drop-frame
timecode at 29.97 and 59.94 (frame numbers 00 and 01, or 00–03 at 59.94, skipped at the start of
every minute except each tenth), parsing both ways, and a record clock that starts where the
programme starts (01:00:00:00 by convention; a project setting, store/edit_settings.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from director.core.errors import InvalidInput
from director.core.timecode import Rate

DEFAULT_START = "01:00:00:00"
_TC = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})([:;.,])(\d{2,3})$")


def fps_text(rate: Rate) -> str:
    """'24', '25', '23.976', '29.97', '59.94': how editors say a rate."""
    if rate.den == 1:
        return str(rate.num)
    if rate.den == 1001:
        return f"{rate.num / 1001:.3f}".rstrip("0").rstrip(".")
    return f"{rate.fps:.3f}".rstrip("0").rstrip(".")


def drop_frame_possible(rate: Rate) -> bool:
    """Drop-frame timecode exists for 29.97 and 59.94 fps only."""
    return rate in (Rate(30000, 1001), Rate(60000, 1001))


def _dropped_per_minute(rate: Rate) -> int:
    return 2 * (rate.nominal // 30)


def timecode(frames: int, rate: Rate, drop: bool = False) -> str:
    """HH:MM:SS:FF (non-drop) or HH:MM:SS;FF (drop frame, 29.97/59.94 only) for a frame count."""
    if frames < 0:
        raise InvalidInput(f"a timecode cannot be negative ({frames} frames)")
    n = rate.nominal
    sep = ":"
    if drop:
        if not drop_frame_possible(rate):
            raise InvalidInput(f"drop-frame timecode exists only at 29.97 and 59.94 fps, not {fps_text(rate)}")
        d = _dropped_per_minute(rate)
        per_10min = n * 600 - d * 9
        per_min = n * 60 - d
        tens, rest = divmod(frames, per_10min)
        frames += d * 9 * tens + (d * ((rest - d) // per_min) if rest > d else 0)
        sep = ";"
    ff = frames % n
    s = frames // n
    hours = s // 3600
    if hours > 99:
        raise InvalidInput(f"{frames} frames is past 99 hours of timecode")
    return f"{hours:02d}:{s // 60 % 60:02d}:{s % 60:02d}{sep}{ff:02d}"


def parse_timecode(text: str, rate: Rate, drop: bool | None = None) -> int:
    """Frames from HH:MM:SS:FF ('; ' or '.' before the frames means drop frame unless `drop` says)."""
    m = _TC.match(str(text).strip())
    if not m:
        raise InvalidInput(f"not a timecode: {text!r} (use HH:MM:SS:FF, e.g. {DEFAULT_START})")
    hh, mm, ss, sep, ff = int(m[1]), int(m[2]), int(m[3]), m[4], int(m[5])
    n = rate.nominal
    if mm > 59 or ss > 59 or ff >= n:
        raise InvalidInput(f"timecode {text} is not valid at {fps_text(rate)} fps (minutes and seconds 0–59, frames 0–{n - 1})")
    if drop is None:
        drop = sep in ";.,"
    total_minutes = 60 * hh + mm
    frames = (3600 * hh + 60 * mm + ss) * n + ff
    if drop:
        if not drop_frame_possible(rate):
            raise InvalidInput(f"drop-frame timecode exists only at 29.97 and 59.94 fps, not {fps_text(rate)}")
        d = _dropped_per_minute(rate)
        if ss == 0 and ff < d and mm % 10:
            raise InvalidInput(f"{text} does not exist in drop-frame timecode (frames 00–{d - 1:02d} are skipped at that minute)")
        frames -= d * (total_minutes - total_minutes // 10)
    return frames


def check_start(text: str) -> str:
    """A programme start timecode as stored: HH:MM:SS:FF with frames below 24 (valid at any rate
    from 24 fps up; a 12 fps cut refuses frames above 11 when it is used)."""
    m = _TC.match(str(text).strip())
    if not m or int(m[2]) > 59 or int(m[3]) > 59 or int(m[5]) >= 24:
        raise InvalidInput(f"not a start timecode: {text!r} (use HH:MM:SS:FF with frames 00–23, e.g. {DEFAULT_START})")
    return f"{int(m[1]):02d}:{m[2]}:{m[3]}:{int(m[5]):02d}"


@dataclass(frozen=True)
class RecordClock:
    """Record timecode of a cut: frame 0 is `start` (the project's programme start)."""

    rate: Rate
    start: str = DEFAULT_START
    drop_frame: bool = False

    def __post_init__(self) -> None:
        if self.drop_frame and not drop_frame_possible(self.rate):
            raise InvalidInput(f"drop-frame timecode exists only at 29.97 and 59.94 fps; this cut runs at {fps_text(self.rate)} fps")

    @property
    def start_frame(self) -> int:
        """The programme start as a frame count at the cut's rate (01:00:00:00 is 86400 at 24 fps
        and 107892 at 29.97 drop frame: an hour of clock time either way)."""
        return parse_timecode(self.start, self.rate, self.drop_frame)

    def timecode(self, record_frame: int) -> str:
        return timecode(self.start_frame + record_frame, self.rate, self.drop_frame)
