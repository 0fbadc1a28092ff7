"""Where a keyframe's still comes from, made into a still in the media store: an image file, a
still (text-to-image) take, or one frame of a video take. Shared by `director keyframe` and the
window's keyframe strip, so both place the same pixels.

A source is written `PATH` (an image file), `take:ID` (a still take, or a clip's first frame) or
`take:ID@N` / `take:ID@last` (frame N, or the last, of a clip).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from director.core.changes import Changes
from director.core.enums import MediaKind
from director.core.errors import InvalidInput, NotFound
from director.core.keyframes import Keyframe
from director.store.keyframes import set_keyframe
from director.store.project import Project
from director.store.takes import get_take


@dataclass(frozen=True)
class Still:
    source: str  # core.keyframes.SOURCES
    media_path: str
    take_id: int | None = None
    take_frame: int | None = None


def parse_source(text: str) -> tuple[str, int | None, str | None]:
    """('file', None, path) or ('take', take id, 'first' | 'last' | 'N' | None)."""
    if text.startswith("take:"):
        body = text[5:]
        tid, _, frame = body.partition("@")
        try:
            return "take", int(tid), frame or None
        except ValueError:
            raise InvalidInput(f"a take source is take:ID, take:ID@N or take:ID@last; got {text!r}") from None
    return "file", None, text


def still_from_file(project: Project, path: str | Path) -> Still:
    from director.engine.media_out import read_still

    p = Path(path).expanduser()
    if not p.is_file():
        raise NotFound(f"no image file at {p}")
    try:
        read_still(p)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    return Still("file", project.media.import_file(p))


def still_from_take(project: Project, take_id: int, frame: str | int | None = None) -> Still:
    """A still take as it is ('t2i'); a clip's frame written to the store as a PNG ('take')."""
    from director.engine.media_out import encode_png, read_frames

    take = get_take(project, take_id)
    if take.kind is MediaKind.IMAGE:
        if frame not in (None, "first", "0", 0):
            raise InvalidInput(f"take {take_id} is a still; it has no frame {frame}")
        return Still("t2i", take.media_path, take_id, 0)
    frames = read_frames(project.media.path(take.media_path))
    n = len(frames)
    if frame in (None, "first"):
        index = 0
    elif frame == "last":
        index = n - 1
    else:
        try:
            index = int(frame)
        except ValueError:
            raise InvalidInput(f"a take's frame is a number, 'first' or 'last'; got {frame!r}") from None
        if not 0 <= index < n:
            raise InvalidInput(f"take {take_id} has frames 0 to {n - 1}; frame {index} is not one of them")
    return Still("take", project.media.put_bytes(encode_png(frames[index]), "png"), take_id, index)


def still_from(project: Project, text: str) -> Still:
    kind, take_id, rest = parse_source(text)
    if kind == "take":
        return still_from_take(project, take_id, rest)
    return still_from_file(project, rest)


def place(project: Project, shot_id: int, frame, source: str, note: str = "") -> tuple[Keyframe, Keyframe | None, Changes]:
    """Place the still a source names at a frame of the shot's strip."""
    still = still_from(project, source)
    return set_keyframe(project, shot_id, frame, still.source, still.media_path, take_id=still.take_id,
                        take_frame=still.take_frame, note=note)
