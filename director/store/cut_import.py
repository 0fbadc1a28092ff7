"""A cut read back from an editing suite's file (`export.otio_import`) becomes a new cut of the
project: one undoable edit, so the cut Director already has is never touched.

Shots are found by code and cameras by name; a take the file names is pinned on its camera when it
is still a live take of that shot and camera, and otherwise left to the shot's chosen take, with a
line saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from director.core.changes import Changes
from director.core.errors import NotFound
from director.core.timeline import AngleCut, Clip, Gap, Splice
from director.core.timeline import Edit as CoreEdit
from director.store.cuts import NewCut
from director.store.project import Project
from director.store.rows import one, rows
from director.store.timeline import TimelineEdit, load_timeline, new_item_id


@dataclass
class ImportCut:
    """A new cut holding the imported clips (undo removes it; redo restores the same ids)."""

    name: str
    new: NewCut
    items: list = field(default_factory=list)  # core Clip | Gap, ids fixed when built
    notes: list[str] = field(default_factory=list)
    text: str = "Import cut"

    @property
    def timeline_id(self) -> int | None:
        return self.new.timeline_id

    def apply(self, project: Project) -> Changes:
        with project.atomic():
            changes = self.new.apply(project)
            timeline = load_timeline(project, self.new.timeline_id)
            track = timeline.tracks[0]
            edit = CoreEdit(self.text, (Splice(track.id, 0, (), tuple(self.items)),))
            changes = changes | TimelineEdit(timeline.id, edit).apply(project)
        return changes

    def revert(self, project: Project) -> Changes:
        return self.new.revert(project)  # removing the cut removes its clips


def build_import(project: Project, imported, name: str | None = None) -> ImportCut:
    """The edit that adds `imported` (an `export.otio_import.ImportedCut`) as a new, current cut."""
    name = name or imported.name or "Imported cut"
    notes: list[str] = []
    rate = project.settings().rate
    if imported.rate != rate:
        notes.append(f"the file's cut runs at {imported.rate} fps, the project at {rate}; frames are kept as numbered")
    items = []
    after = 0
    for item in imported.items:
        item_id = new_item_id(project, after)
        after = item_id
        if isinstance(item, int):
            items.append(Gap(item_id, item))
            continue
        shot = one(project.db, "SELECT id FROM shots WHERE code = ? AND deleted_at IS NULL", [item.shot])
        if shot is None:
            raise NotFound(f"the file's shot {item.shot} is not in this project (or is in the bin); nothing was imported")
        cams = {r["name"]: r["id"] for r in rows(project.db, "SELECT id, name FROM cameras WHERE shot_id = ?", [shot["id"]])}

        def camera(name: str) -> int:
            if name not in cams:
                raise NotFound(f"shot {item.shot} has no camera {name!r} (cameras: {', '.join(sorted(cams)) or 'none'}); nothing was imported")
            return cams[name]

        takes = {}
        for cam_name, take_id in item.takes.items():
            take = one(project.db, "SELECT shot_id, camera_id, deleted_at FROM takes WHERE id = ?", [take_id])
            if take is None or take["deleted_at"] or take["shot_id"] != shot["id"] or take["camera_id"] != cams.get(cam_name):
                notes.append(f"take {take_id} ({item.shot} {cam_name}) is not a live take of that camera here: "
                             "the clip shows the shot's chosen take")
                continue
            takes[cams[cam_name]] = int(take_id)
        cuts = tuple(AngleCut(frame, camera(cam)) for frame, cam in item.angle_cuts)
        items.append(Clip(item_id, shot["id"], item.source_in, item.duration, camera(item.camera), takes, cuts))
    return ImportCut(name, NewCut(name, None, True, text=f"Import cut '{name}'"), items, notes, text=f"Import cut '{name}'")
