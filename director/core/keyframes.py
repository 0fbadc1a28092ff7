"""Keyframes on a shot: stills placed at frames of the clip a job will make.

Every keyframe is a still in the media store, whatever it came from (a frame of a take, an image
file, or a text-to-image take), so a job's recipe can hash it and a re-render reads the same
pixels. The frame is an index into the clip; `LAST` stands for the clip's last frame, whose
index depends on the job's length, so "first + last" stays right when the length changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from director.core.errors import InvalidInput

LAST = -1  # the clip's last frame, resolved per job (`frame_at`)
SOURCES = ("take", "file", "t2i")
MAX_FRAME = 100_000


@dataclass(frozen=True)
class Keyframe:
    """A still at a frame of a shot. `take_id`/`take_frame` say where it came from (a take's
    frame, or a text-to-image take); `media_path` is the still itself, in the media store."""

    id: int
    shot_id: int
    frame: int  # 0-based index, or LAST
    source: str  # one of SOURCES
    media_path: str
    take_id: int | None = None
    take_frame: int | None = None
    note: str = ""

    @property
    def label(self) -> str:
        return frame_label(self.frame)

    def frame_in(self, frames: int) -> int:
        return frame_at(self.frame, frames)


def frame_label(frame: int) -> str:
    return "last" if frame == LAST else str(frame)


def parse_frame(text: str | int) -> int:
    """A keyframe position from the user: a whole number from 0, or 'first' / 'last'."""
    if isinstance(text, str):
        word = text.strip().lower()
        if word == "first":
            return 0
        if word == "last":
            return LAST
        try:
            value = int(word)
        except ValueError:
            raise InvalidInput(f"a keyframe's frame is a whole number from 0, 'first' or 'last'; got {text!r}") from None
    else:
        value = text
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"a keyframe's frame is a whole number from 0, 'first' or 'last'; got {text!r}")
    if value == LAST:
        return LAST
    if not 0 <= value <= MAX_FRAME:
        raise InvalidInput(f"keyframe frame {value} is out of range (0 to {MAX_FRAME}, or 'last'); nearest valid: "
                           f"{max(0, min(MAX_FRAME, value))}")
    return value


def check_source(source: str) -> str:
    if source not in SOURCES:
        raise InvalidInput(f"a keyframe comes from one of {', '.join(SOURCES)}; got {source!r}")
    return source


def frame_at(frame: int, frames: int) -> int:
    """The index a keyframe lands on in a clip of `frames` frames; refused past the clip's end."""
    index = frames - 1 if frame == LAST else frame
    if not 0 <= index < frames:
        raise InvalidInput(f"a keyframe at frame {frame} lies past the clip's end ({frames} frames: 0 to {frames - 1}); "
                           f"move it or make the clip longer")
    return index


def placed(keyframes, frames: int) -> list[tuple[int, str]]:
    """(frame index, media path) for each keyframe in a clip of `frames` frames, in frame order;
    two keyframes landing on one frame (e.g. 16 and 'last' in a 17-frame clip) are refused."""
    out: dict[int, str] = {}
    for k in keyframes:
        index = frame_at(k.frame, frames)
        if index in out:
            raise InvalidInput(f"two keyframes land on frame {index} of a {frames}-frame clip; remove one")
        out[index] = k.media_path
    return sorted(out.items())
