"""A flattened cut: what plays on each output frame. The contract between the edit and its outputs.

The timeline (core/timeline.py) flattens into CutSegments; the program viewer, the MP4 writer and the
interchange exports read only these, so none of them needs to know how angles and trims are stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from director.core.timecode import Rate


@dataclass(frozen=True)
class CutSegment:
    """`duration` frames of output starting at `record_start`, showing one take from `source_start`.

    Frames are at the cut's rate. `source_start` is in the take's own frames at `source_rate`; a
    still (kind 'image') holds its one frame. A gap has take_id None and shows black.
    """

    record_start: int
    duration: int
    take_id: int | None
    media_path: str | None  # relative to the media store
    kind: str  # 'video' | 'image' | 'gap'
    source_start: int = 0
    source_rate: Rate = Rate(24)
    source_frames: int = 1
    width: int = 0
    height: int = 0
    shot_code: str = ""
    camera: str = ""
    clip_id: int | None = None
    metadata: dict = field(default_factory=dict)

    @property
    def record_end(self) -> int:
        return self.record_start + self.duration

    def source_frame_at(self, record_frame: int, rate: Rate) -> int:
        """The take's frame to show at a record frame, clamped to the take's last frame."""
        offset = record_frame - self.record_start
        if self.kind == "image":
            return 0
        at_source = self.source_start + rate.rescale(offset, self.source_rate)
        return max(0, min(at_source, self.source_frames - 1))


@dataclass(frozen=True)
class Cut:
    rate: Rate
    width: int
    height: int
    segments: tuple[CutSegment, ...]

    @property
    def duration(self) -> int:
        return max((s.record_end for s in self.segments), default=0)

    def segment_at(self, frame: int) -> CutSegment | None:
        for s in self.segments:  # a cut has tens to hundreds of segments; bisect if that grows
            if s.record_start <= frame < s.record_end:
                return s
        return None
