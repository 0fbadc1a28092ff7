"""Read a cut back from an OTIO file Director wrote (`export cut.otio`), angle cuts included.

An editor may have trimmed, moved or re-cut the angles in another suite and saved the OTIO again;
what Director needs survives that as long as each clip keeps its `director` metadata (the take, the
shot, the camera, and the shot frame the clip starts on). The record time of every enabled clip
says what plays, and the disabled clips of a multicam export say which take each other camera of
the same clip shows. The result is plain data (`ImportedCut`); `store.cut_import` turns it into a
new cut of the project, one undoable edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from director.core.errors import InvalidInput
from director.core.timecode import Rate
from director.export.edit_model import NAMESPACE


@dataclass(frozen=True)
class ImportedPiece:
    """A stretch of record time one camera of one clip plays (or black when `shot` is None)."""

    record_start: int
    duration: int
    shot: str | None = None
    camera: str = ""
    shot_frame: int = 0  # the shot frame (at the cut's rate) this stretch starts on
    take_id: int | None = None
    group: str = ""  # the clip it belongs to: pieces of one group make one Director clip


@dataclass
class ImportedClip:
    shot: str
    source_in: int
    duration: int
    camera: str
    angle_cuts: list[tuple[int, str]] = field(default_factory=list)  # (shot frame, camera)
    takes: dict[str, int] = field(default_factory=dict)  # camera → the take it shows


@dataclass
class ImportedCut:
    name: str
    rate: Rate
    items: list[ImportedClip | int]  # a clip, or a gap of N frames


def _frames(t, rate: Fraction) -> int:
    """A RationalTime as whole frames at the cut's rate (OTIO stores rates as floats)."""
    return int(round(Fraction(t.value).limit_denominator(1_000_000) * rate / Fraction(t.rate).limit_denominator(1001)))


def _pieces(track, rate: Fraction, *, only_enabled: bool) -> list[ImportedPiece]:
    import opentimelineio as otio

    out, position = [], 0
    for item in track:
        length = _frames(item.source_range.duration, rate) if item.source_range else _frames(item.duration(), rate)
        if isinstance(item, otio.schema.Clip) and (item.enabled or not only_enabled):
            meta = dict(item.metadata.get(NAMESPACE) or {})
            if "shot_frame" not in meta:
                raise InvalidInput(
                    f"clip {item.name!r} carries no shot frame in its '{NAMESPACE}' metadata: this OTIO was written by another "
                    "tool or an older Director. Export the cut again (director export cut PROJECT cut.otio) and re-import that file.")
            out.append(ImportedPiece(position, length, str(meta.get("shot")), str(meta.get("camera") or ""),
                                     int(meta["shot_frame"]), meta.get("take_id"),
                                     str(meta.get("angle_group") or meta.get("clip_id") or f"@{position}")))
        position += length
    return out


def read_cut(path: str | Path) -> ImportedCut:
    """The cut an OTIO file describes, in Director's terms. Refuses files Director did not write."""
    import opentimelineio as otio

    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"no such file: {path}")
    try:
        timeline = otio.adapters.read_from_file(str(path))
    except Exception as exc:  # the adapters raise many kinds; the user needs the file and the reason
        raise InvalidInput(f"{path.name} could not be read as OpenTimelineIO: {exc}") from exc
    meta = dict(timeline.metadata.get(NAMESPACE) or {})
    if "fps" not in meta:
        raise InvalidInput(f"{path.name} was not written by Director (no '{NAMESPACE}' metadata): only Director's own "
                           "OTIO exports can be re-imported as a cut")
    rate = Rate.parse(str(meta["fps"]))
    fps = rate.fraction
    tracks = [t for t in timeline.video_tracks()]
    if not tracks:
        raise InvalidInput(f"{path.name} has no video track")
    program: list[ImportedPiece] = []
    pins: dict[str, dict[str, int]] = {}
    for track in tracks:
        for piece in _pieces(track, fps, only_enabled=False):
            if piece.take_id is not None:
                pins.setdefault(piece.group, {}).setdefault(piece.camera, int(piece.take_id))
        program += _pieces(track, fps, only_enabled=True)
    program.sort(key=lambda p: p.record_start)
    for a, b in zip(program, program[1:]):
        if b.record_start < a.record_start + a.duration:
            raise InvalidInput(f"{path.name}: two enabled clips overlap at record frame {b.record_start}; "
                               "Director's cut plays one picture at a time")
    items: list[ImportedClip | int] = []
    position = 0
    current: ImportedClip | None = None
    current_group = None
    for piece in program:
        if piece.record_start > position:
            items.append(piece.record_start - position)
            current = None
        continues = (current is not None and piece.group == current_group and piece.shot == current.shot
                     and piece.shot_frame == current.source_in + current.duration)
        if continues:
            if piece.camera != (current.angle_cuts[-1][1] if current.angle_cuts else current.camera):
                current.angle_cuts.append((piece.shot_frame, piece.camera))
            current.duration += piece.duration
        else:
            current = ImportedClip(piece.shot, piece.shot_frame, piece.duration, piece.camera)
            current_group = piece.group
            items.append(current)
        current.takes = dict(pins.get(piece.group, {}))
        position = piece.record_start + piece.duration
    return ImportedCut(str(timeline.name or path.stem), rate, items)
