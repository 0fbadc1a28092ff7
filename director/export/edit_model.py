"""What every edit-interchange writer (OTIO, EDL, FCP 7 XML, FCPXML) reads: the cut as events.

One Event per segment of the program or of an unchosen angle, with its in and out points taken
from the core frame map (core/cut.py: source_frame, source_span, resampling), the exported media
file it plays, the link that names that file from the document, and the take's facts. No writer
computes a source frame itself, so OTIO, the EDL, both XMLs and the MP4 agree frame for frame.
"""

from __future__ import annotations

import os
import unicodedata
import urllib.parse
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from director.core.cost import format_money
from director.core.cut import Cut, CutSegment, Resampling, resampling, source_span
from director.core.smpte import RecordClock, fps_text
from director.core.timecode import Rate
from director.export.takeinfo import TakeInfo

NAMESPACE = "director"
PROGRAM = "V1"


@dataclass(frozen=True)
class Event:
    """One segment as an edit event: `duration` record frames from `record_start`, showing take
    frames [source_in, source_out) of `media` at `source_rate` (a still: 0 and its record length at
    the cut's rate). `media` None is black: a gap, a take with no media, or one left out."""

    seg: CutSegment
    enabled: bool
    media: Path | None
    source_in: int
    source_out: int
    source_rate: Rate
    resampling: Resampling
    info: TakeInfo | None = None
    note: dict = field(default_factory=dict)  # why a gap is a gap: 'missing' or 'skipped'

    @property
    def record_start(self) -> int:
        return self.seg.record_start

    @property
    def duration(self) -> int:
        return self.seg.duration

    @property
    def record_end(self) -> int:
        return self.seg.record_end

    @property
    def is_gap(self) -> bool:
        return self.media is None

    @property
    def camera(self) -> str:
        return (self.info.camera if self.info else "") or self.seg.camera

    @property
    def shot(self) -> str:
        return (self.info.shot_code if self.info else "") or self.seg.shot_code

    @property
    def group(self) -> int | None:
        """The angle group: the timeline clip whose cameras these are (None outside multicam)."""
        return self.seg.clip_id

    @property
    def reel(self) -> str:
        """A CMX reel name: at most 8 characters, unique per take."""
        return f"T{self.seg.take_id}"[:8]

    @property
    def source_frames(self) -> int:
        """The media's length at its own rate (a still: as long as the event)."""
        return self.seg.source_frames if self.seg.kind == "video" else max(self.source_out, 1)


def link(target: Path, document: Path, absolute: bool = False, host: str = "") -> str:
    """A percent-encoded URL for `target` as written in `document`: relative to the document's
    folder by default (the export folder can move or be zipped), or an absolute file URL."""
    if absolute:
        return f"file://{host}" + urllib.parse.quote(Path(target).absolute().as_posix(), safe="/")
    rel = os.path.relpath(Path(target).absolute(), Path(document).absolute().parent)
    return urllib.parse.quote(Path(rel).as_posix(), safe="/")


def resolve_link(url: str, document: Path) -> Path:
    """The file a link written by `link` names, read from `document` wherever it now lives."""
    parsed = urllib.parse.urlparse(url)
    path = urllib.parse.unquote(parsed.path)
    if parsed.scheme == "file":
        return Path(path)
    return (Path(document).parent / path).resolve()


def ascii_text(text: str) -> str:
    """One line of ASCII for a CMX field: transliterated ("über" → "uber", "東京" → "DongJing")."""
    from anyascii import anyascii

    folded = anyascii(unicodedata.normalize("NFC", " ".join(str(text).split())))
    return "".join(c if 32 <= ord(c) < 127 else "?" for c in folded)


def event_of(seg: CutSegment, cut: Cut, media: dict[int, Path], infos: dict[int, TakeInfo], note: dict | None = None) -> Event:
    path = media.get(seg.take_id) if seg.take_id is not None and seg.kind != "gap" else None
    if path is None:
        return Event(seg, seg.enabled, None, 0, seg.duration, cut.rate, Resampling(cut.rate, cut.rate), infos.get(seg.take_id), note or {})
    first, end = source_span(seg, cut.rate)
    rate = seg.source_rate if seg.kind == "video" else cut.rate
    return Event(seg, seg.enabled, path, first, end, rate, resampling(seg, cut.rate), infos.get(seg.take_id))


@dataclass(frozen=True)
class EditModel:
    """The cut as events: the program, and each camera's lane when the cut keeps its angles."""

    cut: Cut
    name: str
    clock: RecordClock
    program: tuple[Event, ...]
    lanes: dict[str, tuple[Event, ...]]  # camera name → its events (live and not), record order

    @property
    def rate(self) -> Rate:
        return self.cut.rate

    @property
    def multicam(self) -> bool:
        return bool(self.cut.angles)

    def events(self) -> list[Event]:
        return list(self.program) + [e for lane in self.lanes.values() for e in lane]


def build_model(cut: Cut, infos: dict[int, TakeInfo], media: dict[int, Path], name: str, clock: RecordClock, skipped: dict[int, dict] | None = None) -> EditModel:
    skipped = skipped or {}

    def note(seg: CutSegment) -> dict:
        if seg.take_id in skipped:
            return {"skipped": skipped[seg.take_id], "shot": seg.shot_code, "camera": seg.camera}
        if seg.metadata.get("missing"):
            return {"missing": seg.metadata["missing"]}
        return {}

    ordered = sorted(cut.segments, key=lambda s: s.record_start)
    program = []
    position = 0
    for seg in ordered:
        if seg.record_end <= position:  # overlaps are not in the contract; the earlier segment wins
            continue
        if seg.record_start > position:  # a hole the contract left implicit
            program.append(event_of(CutSegment(position, seg.record_start - position, None, None, "gap", source_rate=cut.rate), cut, media, infos))
        program.append(event_of(seg, cut, media, infos, note(seg)))
        position = seg.record_end
    lanes: dict[str, list[Event]] = {}
    if cut.angles:
        every = [s for s in ordered if s.take_id is not None and s.kind != "gap"] + list(cut.angles)
        for seg in sorted(every, key=lambda s: (s.record_start, not s.enabled)):
            lanes.setdefault(seg.camera or "?", []).append(event_of(seg, cut, media, infos, note(seg)))
    lanes = {cam: tuple(events) for cam, events in sorted(lanes.items())}
    return EditModel(cut, name, clock, tuple(program), lanes)


def facts(event: Event) -> dict:
    """The generation metadata of an event's take, for comments and notes."""
    info = event.info
    out = {"take": event.seg.take_id, "shot": event.shot, "camera": event.camera}
    if info is None:
        return out
    if info.recipe_recorded:
        out.update(prompt=info.prompt, negative=info.negative, seed=info.seed, preset=info.preset)
    else:
        out.update(recipe=info.recipe_note)
    out.update(cost=format_money(Decimal(info.money), info.currency) if info.money else "", rating=info.rating, notes=info.notes)
    return out


def fps_label(rate: Rate) -> str:
    return fps_text(rate)
