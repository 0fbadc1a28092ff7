"""A flattened cut: what plays on each output frame. The contract between the edit and its outputs.

The timeline (core/timeline.py) flattens into CutSegments; the program viewer, the MP4 writer and the
interchange exports read only these, so none of them needs to know how angles and trims are stored.

The frame map. `source_frame` is the one answer to "which frame of its take does record frame k
show": the program viewer, the MP4, the storyboard and every interchange file (OTIO, EDL, FCP 7
XML, FCPXML) take it from here. A segment starts on the take frame its first shot frame falls in
(`source_start`, floor at the take's rate) and then plays at real time: record frame
`record_start + j` shows take frame `source_start + floor(j * take_fps / cut_fps)`, the frame on
screen at that instant, held on its last frame past the take's end. That is what an editing suite
does with a clip whose in point is `source_start` at the media's rate, so every format can say it
exactly with whole media frames. When the rates differ some take frames are shown on more than one
record frame (a 12 fps take at 24 fps: every frame twice) or never (a 24 fps take at 23.976: one in
a thousand); `resampling` says which. Across an angle cut between takes of different rates the new
angle starts on a whole frame of its own, so it may sit one take frame from where an uncut clip
would be at that instant; the map is still the same in every output.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from director.core.smpte import fps_text
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
        """The take's frame to show at a record frame (the frame map: `source_frame`)."""
        return source_frame(self, record_frame, rate)

    @property
    def enabled(self) -> bool:
        """False for an angle kept beside the live one (Cut.angles): present in an edit, not seen."""
        return not self.metadata.get("angle_of")


def source_frame(seg: CutSegment, record_frame: int, rate: Rate) -> int:
    """THE frame map: the take frame `seg` shows at `record_frame` of a cut at `rate`.

    A still shows its one frame. A video starts on `source_start` and plays at real time (floor: the
    frame on screen at that instant), held on its last frame past the take's end.
    """
    if seg.kind != "video":
        return 0
    offset = record_frame - seg.record_start
    at_source = seg.source_start + rate.rescale(offset, seg.source_rate)
    return max(0, min(at_source, seg.source_frames - 1))


def segment_frames(seg: CutSegment, rate: Rate) -> list[int]:
    """The take frame of each record frame of the segment, in order (the map, spelled out)."""
    return [source_frame(seg, seg.record_start + j, rate) for j in range(seg.duration)]


def source_span(seg: CutSegment, rate: Rate) -> tuple[int, int]:
    """(first, last + 1): the take frames the segment uses, as an in and an exclusive out point at the
    take's rate (what an EDL's or an XML's source in and out say)."""
    if seg.kind != "video" or seg.duration <= 0:
        return 0, max(1, seg.duration)
    return source_frame(seg, seg.record_start, rate), source_frame(seg, seg.record_end - 1, rate) + 1


@dataclass(frozen=True)
class Resampling:
    """How a segment's take frames land on record frames when an exact one-to-one map is impossible.

    `held`: take frames shown on more than one record frame, with how many (a slower take, or the
    last frame held past the take's end); `skipped`: take frames inside the segment never shown (a
    faster take); `frozen_from`: the first record frame that holds the take's last frame because the
    take ended. Empty for a segment at the cut's rate that stays inside its take.
    """

    source_rate: Rate
    record_rate: Rate
    held: tuple[tuple[int, int], ...] = ()  # (take frame, record frames it is shown on)
    skipped: tuple[int, ...] = ()
    frozen_from: int | None = None

    @property
    def exact(self) -> bool:
        return not self.held and not self.skipped and self.frozen_from is None

    def describe(self, limit: int = 8) -> str:
        """One line for a person (an EDL comment, the OTIO metadata, a CLI note)."""
        if self.exact:
            return ""

        def listed(items: list[str]) -> str:
            more = len(items) - limit
            return ", ".join(items[:limit]) + (f" and {more} more" if more > 0 else "")

        parts = [f"{fps_text(self.source_rate)} fps take at {fps_text(self.record_rate)} fps, real time"]
        if self.held:
            counts = {n for _, n in self.held}
            if len(counts) == 1 and not self.skipped and self.frozen_from is None and len(self.held) > limit:
                parts.append(f"every take frame held {counts.pop()} record frames")
            else:
                parts.append("take frames held: " + listed([f"{f} x{n}" for f, n in self.held]))
        if self.skipped:
            parts.append("take frames skipped: " + listed([str(f) for f in self.skipped]))
        if self.frozen_from is not None:
            parts.append(f"take ends: its last frame holds from record frame {self.frozen_from}")
        return "; ".join(parts)

    def as_dict(self) -> dict:
        return {
            "source_rate": str(self.source_rate), "record_rate": str(self.record_rate),
            "held": [list(h) for h in self.held], "skipped": list(self.skipped), "frozen_from": self.frozen_from,
            "note": self.describe(),
        }


def resampling(seg: CutSegment, rate: Rate) -> Resampling:
    """Which take frames the frame map holds or skips in this segment (see Resampling)."""
    if seg.kind != "video" or seg.duration <= 0:
        return Resampling(seg.source_rate, rate)
    frames = segment_frames(seg, rate)
    counts: dict[int, int] = {}
    for f in frames:
        counts[f] = counts.get(f, 0) + 1
    held = tuple((f, n) for f, n in counts.items() if n > 1)
    skipped = tuple(f for f in range(frames[0], frames[-1] + 1) if f not in counts)
    frozen = None
    last = seg.source_frames - 1
    for j, f in enumerate(frames):
        unclamped = seg.source_start + rate.rescale(j, seg.source_rate)
        if unclamped > last:
            frozen = seg.record_start + j
            break
    return Resampling(seg.source_rate, rate, held, skipped, frozen)


@dataclass(frozen=True)
class Cut:
    """The program (`segments`, one live take per record frame) and, for a multicam edit, the other
    cameras' takes over the same record ranges (`angles`: each has metadata 'angle_of', the clip id
    of its angle group, and is disabled in an edit: present, not seen)."""

    rate: Rate
    width: int
    height: int
    segments: tuple[CutSegment, ...]
    angles: tuple[CutSegment, ...] = ()

    @property
    def duration(self) -> int:
        return max((s.record_end for s in self.segments), default=0)

    def segment_at(self, frame: int) -> CutSegment | None:
        for s in self.segments:  # a cut has tens to hundreds of segments; bisect if that grows
            if s.record_start <= frame < s.record_end:
                return s
        return None
