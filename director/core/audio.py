"""Sound on the edit: integer samples at 48 kHz beside integer frames, and the mix as pieces.

Every audio position is a whole sample at `SAMPLE_RATE`. A frame starts on sample
ceil(frame × 48000 × den / num), the first sample inside it: exact for 24, 25, 30 and 23.976 fps
(2002 samples a frame), the first whole sample after the instant at 29.97 (1601.6 a frame), so frame
edges never drift and every sample belongs to exactly one frame.

Two kinds of sound make a mix:
- a take's own sound, never stored as clips: it is derived from the flattened picture (`linked_pieces`),
  so it moves, trims and splits with its picture clip and follows angle cuts. J and L offsets let it
  start before or run past its picture's edit;
- imported clips on audio tracks (`AudioClip`), placed at a record sample with their own gain.
Mute and solo are per track; gain is in dB per clip and per track. Each piece gets a short fade where
its sound starts or stops (not where it runs on into the same file), so edits do not click.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from fractions import Fraction

from director.core.cut import Cut
from director.core.errors import InvalidInput
from director.core.timecode import Rate

SAMPLE_RATE = 48000
CHANNELS = 2
FADE = 240  # 5 ms: long enough not to click, short enough not to be heard as a fade
MIN_GAIN_DB = -96.0
MAX_GAIN_DB = 24.0
LINKED = "A1"  # the name of the takes' own sound track


def frame_to_sample(frame: int, rate: Rate) -> int:
    """The first sample inside a frame (ceiling, exact with integers)."""
    return -((-frame * SAMPLE_RATE * rate.den) // rate.num)


def sample_to_frame(sample: int, rate: Rate) -> int:
    """The frame a sample falls in."""
    return (sample * rate.num) // (SAMPLE_RATE * rate.den)


def samples_for(frames: int, rate: Rate) -> int:
    """How many samples `frames` frames from frame 0 last: the length of a cut's sound."""
    return frame_to_sample(frames, rate)


def seconds_to_samples(seconds: Fraction | float | int) -> int:
    return round(Fraction(seconds) * SAMPLE_RATE)


def check_gain(db: float) -> float:
    """A gain in dB within what a mixer offers; refused with the nearest valid value otherwise."""
    try:
        db = float(db)
    except (TypeError, ValueError):
        raise InvalidInput(f"not a gain in dB: {db!r}") from None
    if not math.isfinite(db) or not MIN_GAIN_DB <= db <= MAX_GAIN_DB:
        nearest = MIN_GAIN_DB if not db > MIN_GAIN_DB else MAX_GAIN_DB
        raise InvalidInput(f"gain {db} dB is out of range ({MIN_GAIN_DB:g} to +{MAX_GAIN_DB:g} dB); nearest valid: {nearest:g}")
    return db


def db_to_gain(db: float) -> float:
    return 10.0 ** (db / 20.0)


@dataclass(frozen=True)
class AudioClip:
    """`duration` samples of an imported sound from `source_in`, playing from record sample `record_start`."""

    id: int
    audio_id: int
    record_start: int
    source_in: int
    duration: int
    gain_db: float = 0.0
    name: str = ""

    def __post_init__(self) -> None:
        if self.duration < 1:
            raise InvalidInput(f"an audio clip must be at least one sample long, got {self.duration}")
        if self.record_start < 0 or self.source_in < 0:
            raise InvalidInput("an audio clip cannot start before the cut or before its sound's first sample")
        check_gain(self.gain_db)

    @property
    def record_end(self) -> int:
        return self.record_start + self.duration


@dataclass(frozen=True)
class AudioTrack:
    """A track of imported clips; no two of its clips overlap."""

    id: int
    name: str
    clips: tuple[AudioClip, ...] = ()
    mute: bool = False
    solo: bool = False
    gain_db: float = 0.0

    def __post_init__(self) -> None:
        ordered = sorted(self.clips, key=lambda c: c.record_start)
        for a, b in zip(ordered, ordered[1:]):
            if b.record_start < a.record_end:
                raise InvalidInput(f"audio clips {a.id} and {b.id} overlap on track {self.name}; put one on another track")
        object.__setattr__(self, "clips", tuple(ordered))

    def fits(self, clip: AudioClip) -> bool:
        """Whether `clip` can go on this track without overlapping a clip other than itself."""
        return self.overlapping(clip) is None

    def overlapping(self, clip: AudioClip) -> AudioClip | None:
        """The first clip other than `clip` itself that `clip` would overlap on this track."""
        return next((c for c in self.clips if c.id != clip.id and c.record_start < clip.record_end and clip.record_start < c.record_end), None)


def check_clips_track(kind: str) -> None:
    """Imported sound moves only to a clips track: A1 carries the takes' own sound."""
    if kind != "clips":
        raise InvalidInput(f"{LINKED} carries the takes' own sound; move imported sound to another track")


def _called(clip: AudioClip) -> str:
    return f"{clip.name} (sound clip {clip.id})" if clip.name else f"sound clip {clip.id}"


def moved(clip: AudioClip, record_start: int) -> AudioClip:
    """The same stretch of sound played from another record sample."""
    if record_start < 0:
        raise InvalidInput(f"{_called(clip)} cannot start before the cut's first frame")
    return replace(clip, record_start=record_start)


def trimmed(clip: AudioClip, source_in: int | None = None, duration: int | None = None) -> AudioClip:
    """The clip with new edges. The left edge moves record start and source in together, so what
    still plays stays where it was against the picture; without a duration the right edge stays put."""
    source_in = clip.source_in if source_in is None else source_in
    shift = source_in - clip.source_in
    duration = clip.duration - shift if duration is None else duration
    if source_in < 0:
        raise InvalidInput(f"{_called(clip)} cannot start before its sound's first sample")
    if clip.record_start + shift < 0:
        raise InvalidInput(f"{_called(clip)} would start before the cut's first frame")
    if duration < 1:
        raise InvalidInput(f"{_called(clip)} would be {max(0, duration)} samples long; a sound clip needs at least one sample")
    return replace(clip, record_start=clip.record_start + shift, source_in=source_in, duration=duration)


def placed(clip: AudioClip, track: AudioTrack, available: int) -> AudioClip:
    """`clip` if it can play there: within the `available` samples its sound has, over no other
    clip of `track`. The rule a moved or trimmed clip is checked by, in the store and while dragging."""
    over = clip.source_in + clip.duration - available
    if over > 0:
        raise InvalidInput(f"{_called(clip)} would play {over / SAMPLE_RATE:.3f} s past the end of its sound")
    other = track.overlapping(clip)
    if other is not None:
        raise InvalidInput(f"{_called(clip)} would overlap {_called(other)} on track {track.name}; choose another place or track")
    return clip


@dataclass(frozen=True)
class Piece:
    """`duration` samples of `source` (a take id or an audio file id, by `kind`) from `source_in`,
    played at record sample `record_start` with a linear `gain` and fades in and out (samples)."""

    kind: str  # 'take' | 'file'
    source: int
    record_start: int
    source_in: int
    duration: int
    gain: float = 1.0
    fade_in: int = 0
    fade_out: int = 0

    @property
    def record_end(self) -> int:
        return self.record_start + self.duration

    def continues(self, other: Piece) -> bool:
        """`other` plays on from this piece's end without a jump in the same sound."""
        return (
            other.kind == self.kind and other.source == self.source and other.record_start == self.record_end
            and other.source_in == self.source_in + self.duration and other.gain == self.gain
        )


@dataclass(frozen=True)
class JL:
    """A picture clip's sound edges: `lead` samples before its first frame (a J cut), `lag` samples
    past its last (an L cut). Its sound covers its neighbours' over those samples."""

    lead: int = 0
    lag: int = 0

    def __post_init__(self) -> None:
        if self.lead < 0 or self.lag < 0:
            raise InvalidInput("J and L offsets are lengths of sound before and after the picture: 0 or more samples")


@dataclass(frozen=True)
class MixTrack:
    name: str
    pieces: tuple[Piece, ...]
    mute: bool = False
    solo: bool = False
    gain_db: float = 0.0


@dataclass(frozen=True)
class MixPlan:
    """What to mix: `length` samples (the picture's), and the tracks' pieces. Pure data: the export
    layer renders it from files without the project."""

    length: int
    tracks: tuple[MixTrack, ...] = ()
    files: dict = field(default_factory=dict)  # ('take'|'file', id) → store-relative media path
    available: dict = field(default_factory=dict)  # ('take'|'file', id) → samples the sound has

    def audible(self) -> list[MixTrack]:
        """The tracks heard: the soloed ones if any track is soloed, else every unmuted one."""
        soloed = [t for t in self.tracks if t.solo]
        return soloed if soloed else [t for t in self.tracks if not t.mute]

    @property
    def has_sound(self) -> bool:
        return any(t.pieces for t in self.tracks)


def _fade(pieces: list[Piece]) -> list[Piece]:
    """Merge pieces that play on into each other, then fade each where its sound starts or stops."""
    merged: list[Piece] = []
    for p in sorted(pieces, key=lambda p: p.record_start):
        if merged and merged[-1].continues(p):
            merged[-1] = replace(merged[-1], duration=merged[-1].duration + p.duration)
        else:
            merged.append(p)
    return [replace(p, fade_in=min(FADE, p.duration // 2), fade_out=min(FADE, p.duration // 2)) for p in merged]


def _cover(base: list[Piece], top: Piece) -> list[Piece]:
    """`top` replaces whatever of `base` plays under it (a J or L cut's sound over its neighbour's)."""
    out: list[Piece] = []
    a, b = top.record_start, top.record_end
    for q in base:
        if q.record_end <= a or q.record_start >= b:
            out.append(q)
            continue
        if q.record_start < a:
            out.append(replace(q, duration=a - q.record_start))
        if q.record_end > b:
            cut = b - q.record_start
            out.append(replace(q, record_start=b, source_in=q.source_in + cut, duration=q.record_end - b))
    out.append(top)
    return sorted(out, key=lambda p: p.record_start)


def linked_pieces(cut: Cut, has_sound: set[int], jl: dict[int, JL] | None = None, gain: dict[int, float] | None = None,
                  follow: dict[int, int] | None = None) -> list[Piece]:
    """The takes' own sound under the picture, derived from the flattened cut (one rule: nothing is
    stored per take on the timeline). Each program segment whose take has sound plays that sound
    from the instant its shot frame starts (`metadata['source_frame']`, at the cut's rate), so a
    frame's sound is the sound recorded with it after any trim, split, move or angle cut.

    `jl` gives a clip's J/L offsets, `gain` a clip's gain in dB, `follow` a clip's fixed sound take
    (the sound stays on one camera's take instead of following the live angle)."""
    jl, gain, follow = jl or {}, gain or {}, follow or {}
    rate = cut.rate
    segs = [s for s in sorted(cut.segments, key=lambda s: s.record_start) if s.clip_id is not None and s.enabled]
    firsts: dict[int, int] = {}
    lasts: dict[int, int] = {}
    for k, s in enumerate(segs):
        firsts.setdefault(s.clip_id, k)
        lasts[s.clip_id] = k
    base: list[Piece] = []
    extensions: list[Piece] = []
    for k, s in enumerate(segs):
        take = follow.get(s.clip_id, s.take_id)
        if take is None or take not in has_sound:
            continue
        start, end = frame_to_sample(s.record_start, rate), frame_to_sample(s.record_end, rate)
        source = frame_to_sample(int(s.metadata.get("source_frame", 0)), rate)
        g = db_to_gain(gain.get(s.clip_id, 0.0))
        base.append(Piece("take", take, start, source, end - start, g))
        offsets = jl.get(s.clip_id)
        if offsets is None:
            continue
        if offsets.lead and k == firsts[s.clip_id]:
            lead = min(offsets.lead, start, source)
            if lead > 0:
                extensions.append(Piece("take", take, start - lead, source - lead, lead, g))
        if offsets.lag and k == lasts[s.clip_id]:
            extensions.append(Piece("take", take, end, source + (end - start), offsets.lag, g))
    pieces = _fade(base)
    for ext in extensions:
        pieces = _cover(pieces, ext)
    return _fade(pieces)


def clip_pieces(track: AudioTrack) -> list[Piece]:
    return _fade([Piece("file", c.audio_id, c.record_start, c.source_in, c.duration, db_to_gain(c.gain_db)) for c in track.clips])


def clamp(pieces: list[Piece], length: int, available: dict[tuple[str, int], int]) -> list[Piece]:
    """Pieces cut to the cut's length and to the samples their sound has (silence past its end)."""
    out = []
    for p in pieces:
        have = available.get((p.kind, p.source), 0) - p.source_in
        duration = min(p.duration, length - p.record_start, have)
        if duration > 0:
            out.append(replace(p, duration=duration, fade_in=min(p.fade_in, duration // 2), fade_out=min(p.fade_out, duration // 2)))
    return out
