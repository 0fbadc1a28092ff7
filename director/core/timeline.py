"""The edit: Timeline → Tracks → Clips and Gaps on integer frames (OpenTimelineIO's shape, no floats).

A track is a sequence: each item has a duration and starts where the previous one ends, so ripple
edits fall out of list operations and two items can never overlap. A clip places a shot: `source_in`
is in shot frames at the timeline's rate (every camera of a shot shares that clock), `takes` names the
chosen take per camera, and angle cuts (source frame → camera) say which camera is live. Angle cuts
live on the clip in source frames so they travel with the picture when the clip moves or is trimmed;
cuts outside the trimmed range are kept, inactive, so trimming back out restores them.

Every edit is an `Edit`: a list of `Splice`s (replace items[index:index+len(old)] of one track by
`new`). Its inverse swaps old and new, and `apply` checks `old` is still there, so a stale undo is
refused rather than applied to the wrong picture. `flatten` turns a timeline into a `Cut`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Union

from director.core.cut import Cut, CutSegment
from director.core.errors import InvalidInput, NotFound, Refused
from director.core.timecode import Rate


@dataclass(frozen=True)
class AngleCut:
    """From `source_frame` of the clip's shot on, `camera_id` is live (until the next angle cut)."""

    source_frame: int
    camera_id: int


@dataclass(frozen=True)
class Clip:
    """`duration` frames of a shot from `source_in`. `camera_id` is live before the first angle cut.

    `takes` maps camera id → take id and must not be mutated (clips are values; edits copy them).
    """

    id: int
    shot_id: int
    source_in: int
    duration: int
    camera_id: int | None = None
    takes: dict[int, int] = field(default_factory=dict)
    angle_cuts: tuple[AngleCut, ...] = ()

    def __post_init__(self) -> None:
        if self.duration < 1:
            raise InvalidInput(f"a clip must be at least one frame long, got {self.duration}")
        if self.source_in < 0:
            raise InvalidInput(f"a clip cannot start before its shot's first frame (source in {self.source_in})")
        frames = [a.source_frame for a in self.angle_cuts]
        if frames != sorted(set(frames)):
            raise InvalidInput("angle cuts must be in order, one per source frame")

    @property
    def source_out(self) -> int:
        return self.source_in + self.duration

    def camera_at(self, source_frame: int) -> int | None:
        """The live camera at a source frame: the last angle cut at or before it, else the clip's own."""
        i = bisect.bisect_right([a.source_frame for a in self.angle_cuts], source_frame)
        return self.angle_cuts[i - 1].camera_id if i else self.camera_id

    def camera_runs(self) -> list[tuple[int, int, int | None]]:
        """(source_start, length, camera) runs covering the visible range, merging repeats of a camera."""
        runs: list[list] = []
        points = [self.source_in] + [a.source_frame for a in self.angle_cuts if self.source_in < a.source_frame < self.source_out]
        for i, start in enumerate(points):
            end = points[i + 1] if i + 1 < len(points) else self.source_out
            cam = self.camera_at(start)
            if runs and runs[-1][2] == cam:
                runs[-1][1] += end - start
            else:
                runs.append([start, end - start, cam])
        return [tuple(r) for r in runs]


@dataclass(frozen=True)
class Gap:
    """Black: `duration` frames of nothing, so later clips keep their place after a lift."""

    id: int
    duration: int

    def __post_init__(self) -> None:
        if self.duration < 1:
            raise InvalidInput(f"a gap must be at least one frame long, got {self.duration}")


Item = Union[Clip, Gap]


@dataclass(frozen=True)
class Track:
    id: int
    name: str
    items: tuple[Item, ...] = ()

    @property
    def duration(self) -> int:
        return sum(i.duration for i in self.items)

    def starts(self) -> list[int]:
        """Record start of each item (cumulative durations)."""
        out, t = [], 0
        for item in self.items:
            out.append(t)
            t += item.duration
        return out

    def index_of(self, item_id: int) -> int:
        for i, item in enumerate(self.items):
            if item.id == item_id:
                return i
        raise NotFound(f"no clip {item_id} on track {self.name}")

    def index_at(self, frame: int) -> int | None:
        """Index of the item playing at a record frame, or None past the end."""
        starts = self.starts()
        i = bisect.bisect_right(starts, frame) - 1
        if i < 0 or frame >= self.duration:
            return None
        return i

    def boundary_index(self, frame: int) -> int:
        """The item boundary nearest a record frame: where a dropped clip is inserted."""
        edges = self.starts() + [self.duration]
        best = min(range(len(edges)), key=lambda k: (abs(edges[k] - frame), k))
        return best


@dataclass(frozen=True)
class Timeline:
    id: int
    name: str
    rate: Rate
    tracks: tuple[Track, ...] = ()

    @property
    def duration(self) -> int:
        return max((t.duration for t in self.tracks), default=0)

    def track(self, track_id: int) -> Track:
        for t in self.tracks:
            if t.id == track_id:
                return t
        raise NotFound(f"no track {track_id} in timeline {self.name}")

    def locate(self, item_id: int) -> tuple[Track, int, int]:
        """(track, index, record start) of an item."""
        for t in self.tracks:
            start = 0
            for i, item in enumerate(t.items):
                if item.id == item_id:
                    return t, i, start
                start += item.duration
        raise NotFound(f"no clip {item_id} in timeline {self.name}")

    def clip(self, clip_id: int) -> Clip:
        track, i, _ = self.locate(clip_id)
        item = track.items[i]
        if not isinstance(item, Clip):
            raise InvalidInput(f"item {clip_id} is a gap, not a clip")
        return item

    def clip_at(self, frame: int, track_id: int | None = None) -> tuple[Track, int, int] | None:
        """(track, index, start) of the clip seen at a record frame: the topmost track with a clip there."""
        tracks = [self.track(track_id)] if track_id is not None else list(reversed(self.tracks))
        for t in tracks:
            i = t.index_at(frame)
            if i is not None and isinstance(t.items[i], Clip):
                return t, i, t.starts()[i]
        return None

    def item_ids(self) -> set[int]:
        return {item.id for t in self.tracks for item in t.items}

    def with_track(self, track: Track) -> Timeline:
        return replace(self, tracks=tuple(track if t.id == track.id else t for t in self.tracks))


# -- edits -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Splice:
    """Replace `old` (found at `index` of a track) by `new`."""

    track_id: int
    index: int
    old: tuple[Item, ...]
    new: tuple[Item, ...]

    def inverse(self) -> Splice:
        return Splice(self.track_id, self.index, self.new, self.old)


@dataclass(frozen=True)
class Edit:
    """An undoable change: splices applied in order. `subjects` are the clips the user acted on."""

    text: str
    splices: tuple[Splice, ...]
    subjects: tuple[int, ...] = ()

    def apply(self, timeline: Timeline) -> Timeline:
        for s in self.splices:
            track = timeline.track(s.track_id)
            here = track.items[s.index : s.index + len(s.old)]
            if here != s.old:
                raise Refused(f"the timeline changed since '{self.text}' was made; it cannot be applied")
            items = track.items[: s.index] + s.new + track.items[s.index + len(s.old) :]
            timeline = timeline.with_track(replace(track, items=items))
        return timeline

    def inverse(self) -> Edit:
        return Edit(self.text, tuple(s.inverse() for s in reversed(self.splices)), self.subjects)

    def removed(self) -> list[Item]:
        """Items that leave the timeline (or change) when this edit applies."""
        new_items = {i.id: i for s in self.splices for i in s.new}
        return [i for s in self.splices for i in s.old if new_items.get(i.id) != i]


def _one(timeline: Timeline, clip_id: int, text: str, new: tuple[Item, ...]) -> Edit:
    track, i, _ = timeline.locate(clip_id)
    return Edit(text, (Splice(track.id, i, (track.items[i],), new),), (clip_id,))


def _check_new_ids(timeline: Timeline, *ids: int) -> None:
    taken = timeline.item_ids()
    for i in ids:
        if i in taken:
            raise InvalidInput(f"item id {i} is already on the timeline")


def insert(timeline: Timeline, track_id: int, index: int, item: Item, text: str = "") -> Edit:
    """Ripple insert: the item goes before items[index]; later items move right by its duration."""
    track = timeline.track(track_id)
    if not 0 <= index <= len(track.items):
        raise InvalidInput(f"insert position {index} is outside track {track.name} (0 to {len(track.items)})")
    _check_new_ids(timeline, item.id)
    return Edit(text or "Insert clip", (Splice(track_id, index, (), (item,)),), (item.id,))


def insert_at(timeline: Timeline, track_id: int, frame: int, item: Item, text: str = "") -> Edit:
    """Ripple insert at the item boundary nearest a record frame."""
    return insert(timeline, track_id, timeline.track(track_id).boundary_index(frame), item, text)


def append(timeline: Timeline, track_id: int, item: Item, text: str = "") -> Edit:
    return insert(timeline, track_id, len(timeline.track(track_id).items), item, text)


def move(timeline: Timeline, item_id: int, track_id: int, index: int) -> Edit:
    """Ripple move: lift the item out and insert it before items[index] of the target track as it is
    without the item. Both tracks close up; nothing overlaps."""
    src, i, _ = timeline.locate(item_id)
    item = src.items[i]
    dst = timeline.track(track_id)
    size = len(dst.items) - (1 if dst.id == src.id else 0)
    if not 0 <= index <= size:
        raise InvalidInput(f"move position {index} is outside track {dst.name} (0 to {size})")
    if dst.id != src.id:
        return Edit("Move clip", (Splice(src.id, i, (item,), ()), Splice(dst.id, index, (), (item,))), (item_id,))
    if index == i:
        raise InvalidInput("the clip is already there")
    lo, hi = min(i, index), max(i, index) + 1
    old = src.items[lo:hi]
    rest = [x for x in old if x.id != item_id]
    new = tuple(rest + [item]) if index > i else tuple([item] + rest)
    return Edit("Move clip", (Splice(src.id, lo, old, new),), (item_id,))


def trim(timeline: Timeline, clip_id: int, edge: str, delta: int, limit: int | None = None) -> Edit:
    """Ripple trim one edge by `delta` frames (positive = later). The clip keeps its record start;
    later items follow its new end. `limit` is how many source frames the shot has (None: no end)."""
    clip = timeline.clip(clip_id)
    if delta == 0:
        raise InvalidInput("the trim does not change the clip")
    if edge == "head":
        new = replace(clip, source_in=clip.source_in + delta, duration=clip.duration - delta)
    elif edge == "tail":
        new = replace(clip, duration=clip.duration + delta)
    else:
        raise InvalidInput(f"a trim edge is 'head' or 'tail', not {edge!r}")
    if limit is not None and new.source_out > limit:
        raise InvalidInput(f"the shot has only {limit} frames; the clip cannot run past frame {limit}")
    return _one(timeline, clip_id, f"Trim {edge}", (new,))


def trim_to(timeline: Timeline, clip_id: int, edge: str, frame: int, limit: int | None = None) -> Edit:
    """Trim an edge to a record frame: the head so that `frame`'s picture becomes the first frame,
    the tail so that the clip ends at `frame`."""
    _, _, start = timeline.locate(clip_id)
    clip = timeline.clip(clip_id)
    delta = frame - start if edge == "head" else frame - (start + clip.duration)
    return trim(timeline, clip_id, edge, delta, limit)


def split(timeline: Timeline, clip_id: int, frame: int, new_id: int) -> Edit:
    """Cut a clip in two at a record frame; the right half gets `new_id`. Both halves keep the takes
    and angle cuts, so trimming either back out shows what the whole clip showed."""
    _, _, start = timeline.locate(clip_id)
    clip = timeline.clip(clip_id)
    offset = frame - start
    if not 0 < offset < clip.duration:
        raise InvalidInput(f"frame {frame} is not inside the clip (it runs {start} to {start + clip.duration - 1}); nothing to split")
    _check_new_ids(timeline, new_id)
    left = replace(clip, duration=offset)
    right = replace(clip, id=new_id, source_in=clip.source_in + offset, duration=clip.duration - offset)
    return _one(timeline, clip_id, "Split clip", (left, right))


def ripple_delete(timeline: Timeline, item_id: int) -> Edit:
    """Remove an item and close the hole: later items move left."""
    track, i, _ = timeline.locate(item_id)
    what = "clip" if isinstance(track.items[i], Clip) else "gap"
    return _one(timeline, item_id, f"Ripple delete {what}", ())


def lift(timeline: Timeline, clip_id: int, gap_id: int) -> Edit:
    """Remove a clip and leave a gap of its length, so later clips stay where they are."""
    clip = timeline.clip(clip_id)
    _check_new_ids(timeline, gap_id)
    return _one(timeline, clip_id, "Lift clip", (Gap(gap_id, clip.duration),))


def set_take(timeline: Timeline, clip_id: int, camera_id: int, take_id: int | None) -> Edit:
    """Choose the take a camera shows in this clip (None: fall back to the shot's selected take)."""
    clip = timeline.clip(clip_id)
    takes = dict(clip.takes)
    if take_id is None:
        if camera_id not in takes:
            raise InvalidInput("that camera has no chosen take in this clip")
        del takes[camera_id]
    else:
        if takes.get(camera_id) == take_id:
            raise InvalidInput("that take is already chosen")
        takes[camera_id] = take_id
    return _one(timeline, clip_id, "Set take", (replace(clip, takes=takes),))


def add_angle_cut(timeline: Timeline, frame: int, camera_id: int, track_id: int | None = None) -> Edit:
    """Cut to a camera at a record frame (the clip seen there; replaces an angle cut at that frame)."""
    hit = timeline.clip_at(frame, track_id)
    if hit is None:
        raise InvalidInput(f"no clip at frame {frame} to cut")
    track, i, start = hit
    clip = track.items[i]
    source = clip.source_in + frame - start
    if clip.camera_at(source) == camera_id and not any(a.source_frame == source for a in clip.angle_cuts):
        raise InvalidInput("that camera is already live there")
    cuts = [a for a in clip.angle_cuts if a.source_frame != source] + [AngleCut(source, camera_id)]
    new = replace(clip, angle_cuts=tuple(sorted(cuts, key=lambda a: a.source_frame)))
    return Edit("Cut to camera", (Splice(track.id, i, (clip,), (new,)),), (clip.id,))


def remove_angle_cut(timeline: Timeline, clip_id: int, source_frame: int) -> Edit:
    clip = timeline.clip(clip_id)
    cuts = tuple(a for a in clip.angle_cuts if a.source_frame != source_frame)
    if len(cuts) == len(clip.angle_cuts):
        raise NotFound(f"clip {clip_id} has no angle cut at source frame {source_frame}")
    return _one(timeline, clip_id, "Remove angle cut", (replace(clip, angle_cuts=cuts),))


# -- flattening --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TakeSource:
    """What a camera of a clip shows, as resolved by the store. take_id None: no take yet (black)."""

    shot_code: str = ""
    camera_name: str = ""
    take_id: int | None = None
    media_path: str | None = None
    kind: str = "gap"
    rate: Rate = Rate(24)
    frames: int = 1
    width: int = 0
    height: int = 0


Resolve = Callable[[Clip, "int | None"], TakeSource]


@dataclass
class _Piece:
    record_start: int
    duration: int
    clip: Clip | None
    camera_id: int | None
    source_frame: int  # shot frame at the timeline rate


def _track_pieces(track: Track) -> list[_Piece]:
    out, t = [], 0
    for item in track.items:
        if isinstance(item, Clip):
            for src, length, cam in item.camera_runs():
                out.append(_Piece(t + src - item.source_in, length, item, cam, src))
        t += item.duration
    return out


def _overlay(base: list[_Piece], top: Iterable[_Piece]) -> list[_Piece]:
    """Pieces of `top` cover `base` (an upper track's clips hide the lower; its gaps do not)."""
    for p in top:
        a, b = p.record_start, p.record_start + p.duration
        kept: list[_Piece] = []
        for q in base:
            qa, qb = q.record_start, q.record_start + q.duration
            if qb <= a or qa >= b:
                kept.append(q)
                continue
            if qa < a:
                kept.append(_Piece(qa, a - qa, q.clip, q.camera_id, q.source_frame))
            if qb > b:
                kept.append(_Piece(b, qb - b, q.clip, q.camera_id, q.source_frame + (b - qa)))
        kept.append(p)
        base = sorted(kept, key=lambda x: x.record_start)
    return base


def flatten(timeline: Timeline, resolve: Resolve, width: int = 0, height: int = 0) -> Cut:
    """What plays on each output frame: one CutSegment per run of one take; uncovered frames are black."""
    pieces: list[_Piece] = []
    for track in timeline.tracks:
        pieces = _overlay(pieces, _track_pieces(track)) if pieces else _track_pieces(track)
    segments: list[CutSegment] = []
    t = 0
    for p in pieces:
        if p.record_start > t:
            segments.append(CutSegment(t, p.record_start - t, None, None, "gap", source_rate=timeline.rate))
        src = resolve(p.clip, p.camera_id)
        source_start = timeline.rate.rescale(p.source_frame, src.rate) if src.kind == "video" else 0
        segments.append(
            CutSegment(
                record_start=p.record_start,
                duration=p.duration,
                take_id=src.take_id,
                media_path=src.media_path,
                kind=src.kind if src.take_id is not None else "gap",
                source_start=source_start,
                source_rate=src.rate,
                source_frames=src.frames,
                width=src.width,
                height=src.height,
                shot_code=src.shot_code,
                camera=src.camera_name,
                clip_id=p.clip.id,
                metadata={"shot_id": p.clip.shot_id, "camera_id": p.camera_id, "source_frame": p.source_frame}
                | ({} if src.take_id is not None else {"missing": f"no take for shot {src.shot_code} camera {src.camera_name}"}),
            )
        )
        t = p.record_start + p.duration
    if timeline.duration > t:
        segments.append(CutSegment(t, timeline.duration - t, None, None, "gap", source_rate=timeline.rate))
    return Cut(timeline.rate, width, height, tuple(segments))
