"""The edit in the project file: load a Timeline, write an edit's splices in one transaction, build the Cut.

Edits here are undoable objects (`TimelineEdit.apply/revert -> Changes`) built by small verbs
(`insert_shot`, `trim_clip`, `cut_to_camera`…) that validate against the project first: ids of new
items are chosen up front, so redo after undo recreates the very same rows and later edits in the
undo stack still find them. A clip of a locked shot cannot be changed, moved or removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from director.core import timeline as tl
from director.core.changes import Changes
from director.core.cut import Cut
from director.core.errors import InvalidInput, NotFound, Refused
from director.core.timecode import Rate
from director.core.timeline import AngleCut, Clip, Gap, TakeSource, Timeline, Track
from director.store.choice import chosen_by_camera
from director.store.ids import next_id
from director.store.project import Project, utc_now
from director.store.rows import one, rows, scalar

CHANGED = Changes(timeline=True)


# -- reading -----------------------------------------------------------------------------------


def list_timelines(project: Project) -> list[tuple[int, str]]:
    return [(r["id"], r["name"]) for r in rows(project.db, "SELECT id, name FROM timelines ORDER BY id")]


def default_timeline_id(project: Project) -> int:
    """The current cut (store.cuts switches it), else the first ("Cut", made by the migration;
    remade if someone removed it)."""
    chosen = scalar(project.db, "SELECT t.id FROM project p JOIN timelines t ON t.id = p.current_timeline_id WHERE p.id = 1")
    if chosen is not None:
        return int(chosen)
    found = scalar(project.db, "SELECT min(id) FROM timelines")
    if found is not None:
        return int(found)
    with project.atomic() as db:
        tid = db["timelines"].insert({"id": next_id(db, "timelines"), "name": "Cut", "created_at": utc_now()}).last_pk
        db["tracks"].insert({"id": next_id(db, "tracks"), "timeline_id": tid, "name": "V1", "kind": "video", "ord": 0})
    return int(tid)


def add_track(project: Project, timeline_id: int | None = None, name: str | None = None) -> tuple[int, Changes]:
    """A new empty video track on top of the others."""
    timeline_id = timeline_id or default_timeline_id(project)
    with project.atomic() as db:
        n = scalar(db, "SELECT count(*) FROM tracks WHERE timeline_id = ?", [timeline_id])
        track_id = db["tracks"].insert({"id": next_id(db, "tracks"), "timeline_id": timeline_id, "name": name or f"V{n + 1}", "kind": "video", "ord": n}).last_pk
    return int(track_id), CHANGED


def load_timeline(project: Project, timeline_id: int | None = None) -> Timeline:
    timeline_id = timeline_id or default_timeline_id(project)
    head = one(project.db, "SELECT id, name FROM timelines WHERE id = ?", [timeline_id])
    if head is None:
        raise NotFound(f"no timeline {timeline_id}")
    join = "FROM clips c JOIN tracks t ON t.id = c.track_id WHERE t.timeline_id = ?"
    takes: dict[int, dict[int, int]] = {}
    for r in rows(project.db, f"SELECT ct.* FROM clip_takes ct WHERE ct.clip_id IN (SELECT c.id {join})", [timeline_id]):
        takes.setdefault(r["clip_id"], {})[r["camera_id"]] = r["take_id"]
    cuts: dict[int, list[AngleCut]] = {}
    for r in rows(project.db, f"SELECT a.* FROM angle_cuts a WHERE a.clip_id IN (SELECT c.id {join}) ORDER BY a.clip_id, a.source_frame", [timeline_id]):
        cuts.setdefault(r["clip_id"], []).append(AngleCut(r["source_frame"], r["camera_id"]))
    items: dict[int, list] = {}
    for r in rows(project.db, f"SELECT c.* {join} ORDER BY c.track_id, c.ord, c.id", [timeline_id]):
        if r["kind"] == "gap":
            item = Gap(r["id"], r["duration"])
        else:
            item = Clip(r["id"], r["shot_id"], r["source_in"], r["duration"], r["camera_id"], takes.get(r["id"], {}), tuple(cuts.get(r["id"], ())))
        items.setdefault(r["track_id"], []).append(item)
    tracks = tuple(
        Track(r["id"], r["name"], tuple(items.get(r["id"], ())))
        for r in rows(project.db, "SELECT id, name FROM tracks WHERE timeline_id = ? ORDER BY ord, id", [timeline_id])
    )
    return Timeline(timeline_id, head["name"], project.settings().rate, tracks)


def timeline_of_item(project: Project, item_id: int) -> int:
    tid = scalar(project.db, "SELECT t.timeline_id FROM clips c JOIN tracks t ON t.id = c.track_id WHERE c.id = ?", [item_id])
    if tid is None:
        raise NotFound(f"no clip {item_id} on any timeline; see: director cut show {project.path.name}")
    return int(tid)


def new_item_id(project: Project, after: int = 0) -> int:
    """A clip id never handed out before: a deleted cut's clips may come back under theirs (undo)."""
    with project.atomic() as db:
        new = next_id(db, "clips")
        while new <= after:
            new = next_id(db, "clips")
    return new


# -- resolving takes ---------------------------------------------------------------------------


class Resolver:
    """Which take a camera of a clip shows: the clip's own pick if it is still live, else the camera's
    chosen take by the one rule in `store.choice` (selected, then rating, then newest; never rejected).

    One instance reads each shot's takes once, so flattening a long cut is a handful of queries."""

    def __init__(self, project: Project):
        self.project = project
        self.rate = project.settings().rate
        self._shots = {r["id"]: r for r in rows(project.db, "SELECT id, code, status FROM shots")}
        self._cameras = {r["id"]: r for r in rows(project.db, "SELECT id, shot_id, name, ord FROM cameras")}
        self._takes: dict[int, dict[int, dict]] = {}
        self._chosen: dict[tuple[int, int], int] = {}
        self._chosen_shots: set[int] = set()

    def takes_of(self, shot_id: int) -> dict[int, dict]:
        if shot_id not in self._takes:
            self._takes[shot_id] = {
                r["id"]: r
                for r in rows(
                    self.project.db,
                    "SELECT id, camera_id, kind, media_path, thumb_path, width, height, frames, fps_num, fps_den, flag, created_at "
                    "FROM takes WHERE shot_id = ? AND deleted_at IS NULL ORDER BY created_at DESC, id DESC",
                    [shot_id],
                )
            }
        return self._takes[shot_id]

    def take_row(self, clip: Clip, camera_id: int | None) -> dict | None:
        if camera_id is None:
            return None
        takes = self.takes_of(clip.shot_id)
        chosen = clip.takes.get(camera_id)
        if chosen in takes:
            return takes[chosen]
        if clip.shot_id not in self._chosen_shots:
            self._chosen_shots.add(clip.shot_id)
            self._chosen.update(chosen_by_camera(self.project, [clip.shot_id]))
        return takes.get(self._chosen.get((clip.shot_id, camera_id)))

    def __call__(self, clip: Clip, camera_id: int | None) -> TakeSource:
        shot = self._shots.get(clip.shot_id, {})
        cam = self._cameras.get(camera_id, {}) if camera_id is not None else {}
        t = self.take_row(clip, camera_id)
        base = TakeSource(shot_code=shot.get("code", "?"), camera_name=cam.get("name", ""))
        if t is None:
            return base
        return TakeSource(
            base.shot_code, base.camera_name, t["id"], t["media_path"], t["kind"], Rate(t["fps_num"], t["fps_den"]),
            t["frames"], t["width"], t["height"],
        )

    def shot_code(self, shot_id: int) -> str:
        return self._shots.get(shot_id, {}).get("code", "?")

    def locked(self, shot_id: int) -> bool:
        return self._shots.get(shot_id, {}).get("status") == "locked"

    def cameras(self, shot_id: int) -> list[dict]:
        """The shot's cameras in order: keys 1–9 pick from this list."""
        return sorted((c for c in self._cameras.values() if c["shot_id"] == shot_id), key=lambda c: (c["ord"], c["name"]))

    def source_limit(self, clip: Clip) -> int | None:
        """How many shot frames every camera with a video take can show (None: stills or no takes)."""
        limits = []
        for cam in self.cameras(clip.shot_id):
            t = self.take_row(clip, cam["id"])
            if t is not None and t["kind"] == "video":
                limits.append(Rate(t["fps_num"], t["fps_den"]).rescale(t["frames"], self.rate))
        return min(limits) if limits else None


def build_cut(project: Project, timeline_id: int | None = None) -> Cut:
    """The flattened cut at the project's size: what the program viewer and every export read."""
    s = project.settings()
    return tl.flatten(load_timeline(project, timeline_id), Resolver(project), s.width, s.height)


# -- writing -----------------------------------------------------------------------------------


@dataclass
class TimelineEdit:
    """One undoable timeline edit (store.edits.Edit protocol): the core edit plus where it applies.
    `sound` holds the sound settings (clip_sound: J/L, gain, sound take) of clips it took off the
    timeline, so undoing a ripple delete or a lift brings a clip back with them."""

    timeline_id: int
    edit: tl.Edit
    sound: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def text(self) -> str:
        return self.edit.text

    def apply(self, project: Project) -> Changes:
        return _write(project, self.timeline_id, self.edit, self.sound)

    def revert(self, project: Project) -> Changes:
        return _write(project, self.timeline_id, self.edit.inverse(), self.sound)


def _check_locks(project: Project, before: Timeline, edit: tl.Edit) -> None:
    touched = [i for i in edit.removed() if isinstance(i, Clip)]
    ids = before.item_ids()
    for subject in edit.subjects:
        if subject in ids:
            track, k, _ = before.locate(subject)
            if isinstance(track.items[k], Clip):
                touched.append(track.items[k])
    for clip in touched:
        r = one(project.db, "SELECT code, status FROM shots WHERE id = ?", [clip.shot_id])
        if r and r["status"] == "locked":
            raise Refused(
                f"shot {r['code']} is locked, so its clip on the timeline cannot change ({edit.text.lower()}). "
                "Set the shot's status back to approved to edit it."
            )


def _write(project: Project, timeline_id: int, edit: tl.Edit, sound: dict | None = None) -> Changes:
    """Write an edit's splices; `sound` (clip id → clip_sound row) keeps the sound settings of clips
    it removes and puts them back on clips it brings back under their ids."""
    sound = {} if sound is None else sound
    with project.atomic() as db:
        before = load_timeline(project, timeline_id)
        _check_locks(project, before, edit)
        after = edit.apply(before)
        track_ids = {s.track_id for s in edit.splices}
        old = {i.id: (t.id, k, i) for t in before.tracks if t.id in track_ids for k, i in enumerate(t.items)}
        new = {i.id: (t.id, k, i) for t in after.tracks if t.id in track_ids for k, i in enumerate(t.items)}
        gone = [i for i in old if i not in new]
        if gone:
            marks = ",".join("?" * len(gone))
            sound.update({r["clip_id"]: r for r in rows(db, f"SELECT * FROM clip_sound WHERE clip_id IN ({marks})", gone)})
            db.execute(f"DELETE FROM clips WHERE id IN ({marks})", gone)
        for item_id, (track_id, k, item) in new.items():
            was = old.get(item_id)
            if was == (track_id, k, item):
                continue
            if was is not None and was[2] == item:
                db.execute("UPDATE clips SET track_id = ?, ord = ? WHERE id = ?", [track_id, k, item_id])
                continue
            row = {"id": item_id, "track_id": track_id, "ord": k, "duration": item.duration}
            if isinstance(item, Clip):
                row.update(kind="clip", shot_id=item.shot_id, source_in=item.source_in, camera_id=item.camera_id)
            else:
                row.update(kind="gap", shot_id=None, source_in=0, camera_id=None)
            if was is None:
                db["clips"].insert(row)
                if item_id in sound:
                    db["clip_sound"].insert(sound[item_id], replace=True)
            else:
                db["clips"].update(item_id, row)
                db.execute("DELETE FROM clip_takes WHERE clip_id = ?", [item_id])
                db.execute("DELETE FROM angle_cuts WHERE clip_id = ?", [item_id])
            if isinstance(item, Clip):
                for cam, take in item.takes.items():
                    db.execute("INSERT INTO clip_takes (clip_id, camera_id, take_id) VALUES (?, ?, ?)", [item_id, cam, take])
                for a in item.angle_cuts:
                    db.execute("INSERT INTO angle_cuts (clip_id, source_frame, camera_id) VALUES (?, ?, ?)", [item_id, a.source_frame, a.camera_id])
    return CHANGED


# -- verbs that build edits --------------------------------------------------------------------


def _track_id(timeline: Timeline, track_id: int | None) -> int:
    if not timeline.tracks:
        raise NotFound(f"timeline {timeline.name} has no tracks")
    return track_id if track_id is not None else timeline.tracks[0].id


def insert_shot(
    project: Project,
    shot_id: int,
    *,
    take_id: int | None = None,
    timeline_id: int | None = None,
    track_id: int | None = None,
    index: int | None = None,
    frame: int | None = None,
    duration: int | None = None,
) -> TimelineEdit:
    """Place a shot (optionally naming the take one camera shows) at an item index, at the boundary
    nearest a frame, or at the end. It runs its target duration, or as long as its takes allow."""
    shot = one(project.db, "SELECT id, code, target_frames, deleted_at FROM shots WHERE id = ?", [shot_id])
    if shot is None or shot["deleted_at"]:
        raise NotFound(f"no live shot with id {shot_id}")
    res = Resolver(project)
    takes: dict[int, int] = {}
    camera_id = None
    if take_id is not None:
        take = one(project.db, "SELECT id, shot_id, camera_id, deleted_at FROM takes WHERE id = ?", [take_id])
        if take is None or take["deleted_at"]:
            raise NotFound(f"no live take {take_id}")
        if take["shot_id"] != shot_id:
            raise InvalidInput(f"take {take_id} belongs to another shot than {shot['code']}")
        if take["camera_id"] is None:
            raise InvalidInput(f"take {take_id} has no camera, so it cannot be placed as an angle")
        takes[take["camera_id"]] = take_id
        camera_id = take["camera_id"]
    probe = Clip(0, shot_id, 0, 1, camera_id, takes)
    cams = res.cameras(shot_id)
    if camera_id is None:
        with_take = [c["id"] for c in cams if res.take_row(probe, c["id"]) is not None]
        camera_id = with_take[0] if with_take else (cams[0]["id"] if cams else None)
        probe = Clip(0, shot_id, 0, 1, camera_id, takes)
    limit = res.source_limit(probe)
    length = duration or (min(shot["target_frames"], limit) if limit else shot["target_frames"])
    timeline = load_timeline(project, timeline_id)
    tid = _track_id(timeline, track_id)
    clip = Clip(new_item_id(project), shot_id, 0, length, camera_id, takes)
    text = f"Add shot {shot['code']}"
    if index is not None:
        edit = tl.insert(timeline, tid, index, clip, text)
    elif frame is not None:
        edit = tl.insert_at(timeline, tid, frame, clip, text)
    else:
        edit = tl.append(timeline, tid, clip, text)
    return TimelineEdit(timeline.id, edit)


def insert_take(project: Project, take_id: int, **where) -> TimelineEdit:
    """Place the shot of a take, showing that take on its camera (a drop from the take gallery)."""
    shot_id = scalar(project.db, "SELECT shot_id FROM takes WHERE id = ?", [take_id])
    if shot_id is None:
        raise NotFound(f"no take {take_id}")
    return insert_shot(project, int(shot_id), take_id=take_id, **where)


def _for_item(project: Project, item_id: int) -> Timeline:
    return load_timeline(project, timeline_of_item(project, item_id))


def move_clip(project: Project, item_id: int, index: int, *, track_id: int | None = None) -> TimelineEdit:
    timeline = _for_item(project, item_id)
    track = track_id if track_id is not None else timeline.locate(item_id)[0].id
    return TimelineEdit(timeline.id, tl.move(timeline, item_id, track, index))


def trim_clip(project: Project, clip_id: int, edge: str, *, delta: int | None = None, to_frame: int | None = None) -> TimelineEdit:
    """Ripple-trim the head or tail by `delta` frames or to a record frame, within the takes' length."""
    timeline = _for_item(project, clip_id)
    limit = Resolver(project).source_limit(timeline.clip(clip_id))
    if to_frame is not None:
        edit = tl.trim_to(timeline, clip_id, edge, to_frame, limit)
    elif delta is not None:
        edit = tl.trim(timeline, clip_id, edge, delta, limit)
    else:
        raise InvalidInput("say how far to trim: a number of frames or a frame to trim to")
    return TimelineEdit(timeline.id, edit)


def split_clip(project: Project, frame: int, *, clip_id: int | None = None, timeline_id: int | None = None, track_id: int | None = None) -> TimelineEdit:
    """Split the named clip, or the clip seen at `frame`, at that frame."""
    timeline = _for_item(project, clip_id) if clip_id is not None else load_timeline(project, timeline_id)
    if clip_id is None:
        hit = timeline.clip_at(frame, track_id)
        if hit is None:
            raise InvalidInput(f"no clip at frame {frame} to split")
        clip_id = hit[0].items[hit[1]].id
    return TimelineEdit(timeline.id, tl.split(timeline, clip_id, frame, new_item_id(project)))


def ripple_delete(project: Project, item_id: int) -> TimelineEdit:
    timeline = _for_item(project, item_id)
    return TimelineEdit(timeline.id, tl.ripple_delete(timeline, item_id))


def lift_clip(project: Project, clip_id: int) -> TimelineEdit:
    timeline = _for_item(project, clip_id)
    return TimelineEdit(timeline.id, tl.lift(timeline, clip_id, new_item_id(project)))


def set_clip_take(project: Project, clip_id: int, take_id: int) -> TimelineEdit:
    """Show this take on its camera in the clip (it must be a take of the clip's shot)."""
    timeline = _for_item(project, clip_id)
    clip = timeline.clip(clip_id)
    take = one(project.db, "SELECT shot_id, camera_id, deleted_at FROM takes WHERE id = ?", [take_id])
    if take is None or take["deleted_at"]:
        raise NotFound(f"no live take {take_id}")
    if take["shot_id"] != clip.shot_id or take["camera_id"] is None:
        raise InvalidInput(f"take {take_id} is not a camera take of shot {Resolver(project).shot_code(clip.shot_id)}")
    return TimelineEdit(timeline.id, tl.set_take(timeline, clip_id, take["camera_id"], take_id))


def cut_to_camera(
    project: Project,
    frame: int,
    *,
    number: int | None = None,
    name: str | None = None,
    timeline_id: int | None = None,
    track_id: int | None = None,
) -> TimelineEdit:
    """Make a camera live from a record frame: by its 1-based position in the shot (keys 1–9) or name."""
    timeline = load_timeline(project, timeline_id)
    hit = timeline.clip_at(frame, track_id)
    if hit is None:
        raise InvalidInput(f"no clip at frame {frame} to cut")
    clip = hit[0].items[hit[1]]
    res = Resolver(project)
    cams = res.cameras(clip.shot_id)
    code = res.shot_code(clip.shot_id)
    if number is not None:
        if not 1 <= number <= len(cams):
            raise InvalidInput(f"shot {code} has {len(cams)} camera(s); there is no camera {number}")
        cam = cams[number - 1]
    else:
        match = [c for c in cams if c["name"] == (name or "").strip().upper()]
        if not match:
            raise NotFound(f"shot {code} has no camera {name!r} (cameras: {', '.join(c['name'] for c in cams) or 'none'})")
        cam = match[0]
    edit = tl.add_angle_cut(timeline, frame, cam["id"], hit[0].id)
    return TimelineEdit(timeline.id, tl.Edit(f"Cut to camera {cam['name']}", edit.splices, edit.subjects))


def remove_angle_cut(project: Project, clip_id: int, source_frame: int) -> TimelineEdit:
    timeline = _for_item(project, clip_id)
    return TimelineEdit(timeline.id, tl.remove_angle_cut(timeline, clip_id, source_frame))
