"""Alternate cuts: several timelines in one project — new, duplicate, rename, switch, delete.

Each is an undoable edit (apply/revert) that keeps its ids: a deleted cut is put back row for row
(timeline, tracks, clips, the takes they show, their angle cuts, and its sound: audio tracks and
their clips, each picture clip's J/L, gain and sound take), so every later step on the undo stack
still finds what it names. A duplicate copies the sound too, under fresh ids. The *current* cut is the one the window shows and every
command uses when not told `--timeline`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from director.core.changes import Changes
from director.core.errors import InvalidInput, NotFound, Refused
from director.store.ids import next_id
from director.store.project import Project, utc_now
from director.store.rows import one, rows, scalar

CHANGED = Changes(timeline=True)
_CHILD_TABLES = ("tracks", "clips", "clip_takes", "angle_cuts", "audio_tracks", "audio_clips", "clip_sound")


@dataclass(frozen=True)
class CutInfo:
    id: int
    name: str
    current: bool
    clips: int
    frames: int


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput("a cut needs a name, such as 'Director's cut' or 'Short version'")
    if len(name) > 80:
        raise InvalidInput("a cut's name is at most 80 characters")
    return name


def current_timeline_id(project: Project) -> int:
    """The cut commands use when not told otherwise: the one last switched to, else the first."""
    from director.store.timeline import default_timeline_id

    return default_timeline_id(project)


def find_timeline(project: Project, name_or_id: str | int | None) -> int:
    """A cut by id or by name (case does not matter); None means the current one."""
    if name_or_id is None or name_or_id == "":
        return current_timeline_id(project)
    text = str(name_or_id).strip()
    if text.isdigit() and scalar(project.db, "SELECT 1 FROM timelines WHERE id = ?", [int(text)]):
        return int(text)
    found = scalar(project.db, "SELECT id FROM timelines WHERE name = ? COLLATE NOCASE", [text])
    if found is None:
        names = ", ".join(r["name"] for r in rows(project.db, "SELECT name FROM timelines ORDER BY id"))
        raise NotFound(f"no cut called {text!r}; cuts: {names}")
    return int(found)


def list_cuts(project: Project) -> list[CutInfo]:
    current = current_timeline_id(project)
    per_track = rows(
        project.db,
        "SELECT tr.timeline_id, tr.id, coalesce(sum(c.duration), 0) AS frames, coalesce(sum(c.kind = 'clip'), 0) AS clips "
        "FROM tracks tr LEFT JOIN clips c ON c.track_id = tr.id GROUP BY tr.id",
    )
    frames: dict[int, int] = {}
    clips: dict[int, int] = {}
    for r in per_track:
        frames[r["timeline_id"]] = max(frames.get(r["timeline_id"], 0), int(r["frames"]))
        clips[r["timeline_id"]] = clips.get(r["timeline_id"], 0) + int(r["clips"])
    return [
        CutInfo(r["id"], r["name"], r["id"] == current, clips.get(r["id"], 0), frames.get(r["id"], 0))
        for r in rows(project.db, "SELECT id, name FROM timelines ORDER BY id")
    ]


def _name_free(project: Project, name: str, except_id: int | None = None) -> None:
    other = scalar(project.db, "SELECT id FROM timelines WHERE name = ? COLLATE NOCASE", [name])
    if other is not None and other != except_id:
        raise InvalidInput(f"there is already a cut called {name!r}")


def _snapshot(project: Project, timeline_id: int) -> dict:
    """Every row of one cut, to put it back exactly."""
    head = one(project.db, "SELECT * FROM timelines WHERE id = ?", [timeline_id])
    if head is None:
        raise NotFound(f"no cut with id {timeline_id}")
    tracks = rows(project.db, "SELECT * FROM tracks WHERE timeline_id = ? ORDER BY id", [timeline_id])
    track_ids = [t["id"] for t in tracks]
    marks = ", ".join("?" * len(track_ids)) or "NULL"
    clips = rows(project.db, f"SELECT * FROM clips WHERE track_id IN ({marks}) ORDER BY id", track_ids)
    clip_ids = [c["id"] for c in clips]
    cmarks = ", ".join("?" * len(clip_ids)) or "NULL"
    return {
        "timelines": [head],
        "tracks": tracks,
        "clips": clips,
        "clip_takes": rows(project.db, f"SELECT * FROM clip_takes WHERE clip_id IN ({cmarks})", clip_ids),
        "angle_cuts": rows(project.db, f"SELECT * FROM angle_cuts WHERE clip_id IN ({cmarks})", clip_ids),
        "audio_tracks": rows(project.db, "SELECT * FROM audio_tracks WHERE timeline_id = ? ORDER BY id", [timeline_id]),
        "audio_clips": rows(project.db, "SELECT c.* FROM audio_clips c JOIN audio_tracks t ON t.id = c.track_id "
                                        "WHERE t.timeline_id = ? ORDER BY c.id", [timeline_id]),
        "clip_sound": rows(project.db, f"SELECT * FROM clip_sound WHERE clip_id IN ({cmarks})", clip_ids),
    }


def _insert_snapshot(db, snap: dict) -> None:
    for table in ("timelines", *_CHILD_TABLES):
        for r in snap[table]:
            db[table].insert(r)


@dataclass
class NewCut:
    """An empty cut with one video track; undo removes it, redo puts it back under the same ids."""

    name: str
    duplicate_of: int | None = None
    switch: bool = True
    text: str = "New cut"
    timeline_id: int | None = None
    _snap: dict | None = field(default=None, repr=False)
    _previous: int | None = None

    def apply(self, project: Project) -> Changes:
        name = _clean_name(self.name)
        with project.atomic() as db:
            if self._snap is None:
                _name_free(project, name)
                self._snap = self._build(project, name)
            _insert_snapshot(db, self._snap)
            self.timeline_id = self._snap["timelines"][0]["id"]
            if self.switch:
                self._previous = scalar(db, "SELECT current_timeline_id FROM project WHERE id = 1")
                db.execute("UPDATE project SET current_timeline_id = ? WHERE id = 1", [self.timeline_id])
        return Changes(timeline=True, project=self.switch)

    def _build(self, project: Project, name: str) -> dict:
        db = project.db
        tid = next_id(db, "timelines")
        head = {"id": tid, "name": name, "created_at": utc_now()}
        if self.duplicate_of is None:
            return {"timelines": [head], "tracks": [{"id": next_id(db, "tracks"), "timeline_id": tid, "name": "V1", "kind": "video", "ord": 0}],
                    "clips": [], "clip_takes": [], "angle_cuts": [], "audio_tracks": [], "audio_clips": [], "clip_sound": []}
        source = _snapshot(project, self.duplicate_of)
        track_map, clip_map = {}, {}
        tracks, clips = [], []
        for t in source["tracks"]:
            track_map[t["id"]] = next_id(db, "tracks")
            tracks.append({**t, "id": track_map[t["id"]], "timeline_id": tid})
        for c in source["clips"]:
            clip_map[c["id"]] = next_id(db, "clips")
            clips.append({**c, "id": clip_map[c["id"]], "track_id": track_map[c["track_id"]]})
        sound_map = {t["id"]: next_id(db, "audio_tracks") for t in source["audio_tracks"]}
        return {
            "timelines": [head],
            "tracks": tracks,
            "clips": clips,
            "clip_takes": [{**r, "clip_id": clip_map[r["clip_id"]]} for r in source["clip_takes"]],
            "angle_cuts": [{**r, "clip_id": clip_map[r["clip_id"]]} for r in source["angle_cuts"]],
            "audio_tracks": [{**t, "id": sound_map[t["id"]], "timeline_id": tid} for t in source["audio_tracks"]],
            "audio_clips": [{**c, "id": next_id(db, "audio_clips"), "track_id": sound_map[c["track_id"]]} for c in source["audio_clips"]],
            "clip_sound": [{**r, "clip_id": clip_map[r["clip_id"]]} for r in source["clip_sound"]],
        }

    def revert(self, project: Project) -> Changes:
        with project.atomic() as db:
            if self.switch:
                db.execute("UPDATE project SET current_timeline_id = ? WHERE id = 1", [self._previous])
            db.execute("DELETE FROM timelines WHERE id = ?", [self.timeline_id])  # cascades to tracks, clips…
        return Changes(timeline=True, project=self.switch)


def new_cut(project: Project, name: str, *, switch: bool = True) -> NewCut:
    return NewCut(name, None, switch, text=f"New cut '{name}'")


def duplicate_cut(project: Project, source: str | int | None, name: str, *, switch: bool = True) -> NewCut:
    source_id = find_timeline(project, source)
    return NewCut(name, source_id, switch, text=f"Duplicate cut as '{name}'")


@dataclass
class RenameCut:
    timeline_id: int
    name: str
    text: str = "Rename cut"
    _old: str | None = None

    def apply(self, project: Project) -> Changes:
        name = _clean_name(self.name)
        _name_free(project, name, self.timeline_id)
        with project.atomic() as db:
            if self._old is None:
                self._old = scalar(db, "SELECT name FROM timelines WHERE id = ?", [self.timeline_id])
                if self._old is None:
                    raise NotFound(f"no cut with id {self.timeline_id}")
            db.execute("UPDATE timelines SET name = ? WHERE id = ?", [name, self.timeline_id])
        return CHANGED

    def revert(self, project: Project) -> Changes:
        with project.atomic() as db:
            db.execute("UPDATE timelines SET name = ? WHERE id = ?", [self._old, self.timeline_id])
        return CHANGED


@dataclass
class DeleteCut:
    """Remove a cut; undo puts back every row of it under its own ids. The last cut cannot go."""

    timeline_id: int
    text: str = "Delete cut"
    _snap: dict | None = field(default=None, repr=False)
    _was_current: bool = False

    def apply(self, project: Project) -> Changes:
        if scalar(project.db, "SELECT count(*) FROM timelines") <= 1:
            raise Refused("a project keeps at least one cut; make another before deleting this one")
        self._snap = _snapshot(project, self.timeline_id)
        self._was_current = current_timeline_id(project) == self.timeline_id
        with project.atomic() as db:
            if self._was_current:
                db.execute("UPDATE project SET current_timeline_id = NULL WHERE id = 1")
            db.execute("DELETE FROM timelines WHERE id = ?", [self.timeline_id])
        return Changes(timeline=True, project=True)

    def revert(self, project: Project) -> Changes:
        with project.atomic() as db:
            _insert_snapshot(db, self._snap)
            if self._was_current:
                db.execute("UPDATE project SET current_timeline_id = ? WHERE id = 1", [self.timeline_id])
        return Changes(timeline=True, project=True)


@dataclass
class SwitchCut:
    timeline_id: int
    text: str = "Switch cut"
    _previous: int | None = None

    def apply(self, project: Project) -> Changes:
        with project.atomic() as db:
            if not scalar(db, "SELECT 1 FROM timelines WHERE id = ?", [self.timeline_id]):
                raise NotFound(f"no cut with id {self.timeline_id}")
            self._previous = scalar(db, "SELECT current_timeline_id FROM project WHERE id = 1")
            db.execute("UPDATE project SET current_timeline_id = ? WHERE id = 1", [self.timeline_id])
        return Changes(timeline=True, project=True)

    def revert(self, project: Project) -> Changes:
        with project.atomic() as db:
            db.execute("UPDATE project SET current_timeline_id = ? WHERE id = 1", [self._previous])
        return Changes(timeline=True, project=True)
