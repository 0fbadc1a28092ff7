"""A shot's keyframe strip in the project file: one still (in the media store) per frame.

Placing a keyframe where one already is replaces it and returns the one it replaced, so the
window's undo can put it back under its own id; the still files stay in the media store either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from director.core.changes import Changes
from director.core.errors import NotFound, Refused
from director.core.keyframes import Keyframe, check_source, frame_label, parse_frame
from director.store.project import Project, utc_now
from director.store.rows import one, rows
from director.store.shots import get_shot

_COLUMNS = ("id", "shot_id", "frame", "source", "media_path", "take_id", "take_frame", "note")


def _keyframe(r: dict) -> Keyframe:
    return Keyframe(**{k: r[k] for k in _COLUMNS})


def _sort_key(k: Keyframe) -> tuple[int, int]:
    return (1, 0) if k.frame < 0 else (0, k.frame)  # 'last' after every numbered frame


def list_keyframes(project: Project, shot_id: int) -> list[Keyframe]:
    """The shot's strip in frame order, 'last' at the end."""
    found = [_keyframe(r) for r in rows(project.db, "SELECT * FROM keyframes WHERE shot_id = ?", [shot_id])]
    return sorted(found, key=_sort_key)


def get_keyframe(project: Project, keyframe_id: int) -> Keyframe:
    r = one(project.db, "SELECT * FROM keyframes WHERE id = ?", [keyframe_id])
    if r is None:
        raise NotFound(f"no keyframe with id {keyframe_id}")
    return _keyframe(r)


def keyframe_at(project: Project, shot_id: int, frame: int) -> Keyframe | None:
    r = one(project.db, "SELECT * FROM keyframes WHERE shot_id = ? AND frame = ?", [shot_id, frame])
    return _keyframe(r) if r else None


def _editable(project: Project, shot_id: int) -> None:
    shot = get_shot(project, shot_id)
    if shot.locked:
        raise Refused(f"shot {shot.code} is locked; its keyframes cannot change")


def set_keyframe(project: Project, shot_id: int, frame: int | str, source: str, media_path: str, *,
                 take_id: int | None = None, take_frame: int | None = None, note: str = "",
                 keyframe_id: int | None = None) -> tuple[Keyframe, Keyframe | None, Changes]:
    """Place a still at a frame: (the keyframe, the one it replaced or None, changes).
    `keyframe_id` puts back a keyframe that undo removed, under its own id."""
    frame = parse_frame(frame)
    check_source(source)
    project.media.path(media_path)  # refuses a name the store did not give
    _editable(project, shot_id)
    with project.atomic() as db:
        old = keyframe_at(project, shot_id, frame)
        if old is not None:
            db.execute("DELETE FROM keyframes WHERE id = ?", [old.id])
        values = [shot_id, frame, source, media_path, take_id, take_frame, note, utc_now()]
        if keyframe_id is None:
            cur = db.execute(
                "INSERT INTO keyframes (shot_id, frame, source, media_path, take_id, take_frame, note, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values)
            keyframe_id = cur.lastrowid
        else:
            db.execute(
                "INSERT INTO keyframes (id, shot_id, frame, source, media_path, take_id, take_frame, note, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [keyframe_id, *values])
    return get_keyframe(project, keyframe_id), old, Changes.of(shots=[shot_id])


def remove_keyframe(project: Project, shot_id: int, frame: int | str) -> tuple[Keyframe, Changes]:
    """Take the keyframe at a frame off the strip (its still stays in the media store)."""
    frame = parse_frame(frame)
    _editable(project, shot_id)
    with project.atomic() as db:
        old = keyframe_at(project, shot_id, frame)
        if old is None:
            raise NotFound(f"shot {get_shot(project, shot_id).code} has no keyframe at frame {frame_label(frame)}")
        db.execute("DELETE FROM keyframes WHERE id = ?", [old.id])
    return old, Changes.of(shots=[shot_id])


# -- undoable edits (the window's keyframe strip wraps them in QUndoCommands) ---------------------


@dataclass
class PlaceKeyframe:
    """Place a still at a frame; undo takes it off and puts back the keyframe it replaced."""

    shot_id: int
    frame: int
    source: str
    media_path: str
    take_id: int | None = None
    take_frame: int | None = None
    text: str = "Place keyframe"
    _placed: Keyframe | None = field(default=None, repr=False)
    _replaced: Keyframe | None = field(default=None, repr=False)

    def apply(self, project: Project) -> Changes:
        placed, replaced, changes = set_keyframe(
            project, self.shot_id, self.frame, self.source, self.media_path, take_id=self.take_id,
            take_frame=self.take_frame, keyframe_id=self._placed.id if self._placed else None)
        if self._placed is None:  # the first time: remember what it replaced (a redo replaces the same)
            self._replaced = replaced
        self._placed = placed
        return changes

    def revert(self, project: Project) -> Changes:
        _old, changes = remove_keyframe(project, self.shot_id, self.frame)
        if self._replaced is not None:
            _restore(project, self._replaced)
        return changes


@dataclass
class RemoveKeyframe:
    """Take the keyframe at a frame off the strip; undo puts it back under its own id."""

    shot_id: int
    frame: int
    text: str = "Remove keyframe"
    _removed: Keyframe | None = field(default=None, repr=False)

    def apply(self, project: Project) -> Changes:
        self._removed, changes = remove_keyframe(project, self.shot_id, self.frame)
        return changes

    def revert(self, project: Project) -> Changes:
        return _restore(project, self._removed)


def _restore(project: Project, k: Keyframe) -> Changes:
    return set_keyframe(project, k.shot_id, k.frame, k.source, k.media_path, take_id=k.take_id,
                        take_frame=k.take_frame, note=k.note, keyframe_id=k.id)[2]
