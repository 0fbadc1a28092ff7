"""Undoable edits the window needs that `store.edits` does not offer yet, composed only of store
functions (no SQL, no Qt), so they can move into `store.edits` unchanged.

- `Inverse(edit)`: an edit run backwards — restoring a take from the bin is a DeleteTake undone.
- `RemoveCamera`: the camera goes (the store refuses one that has takes); undo puts it back under
  its own id with its framing and notes, so later steps on the stack still find it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from director.core.changes import Changes
from director.core.model import Camera
from director.store import cameras
from director.store.edits import Edit
from director.store.project import Project


@dataclass
class Inverse:
    edit: Edit
    text: str = ""

    def apply(self, project: Project) -> Changes:
        return self.edit.revert(project)

    def revert(self, project: Project) -> Changes:
        return self.edit.apply(project)


@dataclass
class RemoveCamera:
    camera_id: int
    text: str = "Remove camera"
    _camera: Camera | None = field(default=None, repr=False)

    def apply(self, project: Project) -> Changes:
        if self._camera is None:
            self._camera = cameras.get_camera(project, self.camera_id)
        return cameras.remove_camera(project, self.camera_id)

    def revert(self, project: Project) -> Changes:
        c = self._camera
        _, changes = cameras.add_camera(project, c.shot_id, c.name, c.setup, c.notes, camera_id=c.id)
        return changes
