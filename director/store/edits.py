"""Undoable edits: each captures what it needs on first apply, and can revert and re-apply.

The UI wraps these in QUndoCommands on one QUndoStack per project; the CLI applies them once.
Generation and costs are facts, not edits, and have no Edit here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from director.core.changes import Changes
from director.core.enums import TakeFlag
from director.core.prompt import CameraSetup, PromptFields
from director.store import cameras, looks, prompts, scenes, shots, takes
from director.store.project import Project


class Edit(Protocol):
    text: str

    def apply(self, project: Project) -> Changes: ...

    def revert(self, project: Project) -> Changes: ...


@dataclass
class SetTakeFields:
    """Rate, flag or note a take."""

    take_id: int
    rating: int | None = None
    flag: TakeFlag | None = None
    notes: str | None = None
    _old: dict = field(default_factory=dict, repr=False)

    @property
    def text(self) -> str:
        if self.rating is not None:
            return f"Rate take {self.take_id} {self.rating}★"
        if self.flag is not None:
            return {TakeFlag.SELECTED: "Select", TakeFlag.REJECTED: "Reject"}.get(TakeFlag(self.flag), "Unflag") + f" take {self.take_id}"
        return f"Note on take {self.take_id}"

    def apply(self, project: Project) -> Changes:
        if not self._old:
            t = takes.get_take(project, self.take_id)
            self._old = {"rating": t.rating, "flag": t.flag, "notes": t.notes}
        return takes.set_take_fields(project, self.take_id, rating=self.rating, flag=self.flag, notes=self.notes)

    def revert(self, project: Project) -> Changes:
        old = {k: v for k, v in self._old.items() if getattr(self, k) is not None}
        return takes.set_take_fields(project, self.take_id, **old)


@dataclass
class DeleteTake:
    take_id: int
    text: str = "Delete take"

    def apply(self, project: Project) -> Changes:
        return takes.set_take_deleted(project, self.take_id, True)

    def revert(self, project: Project) -> Changes:
        return takes.set_take_deleted(project, self.take_id, False)


@dataclass
class WritePrompt:
    """A new prompt version; undo points the shot back at the previous version (versions stay)."""

    shot_id: int
    fields: PromptFields
    text: str = "Edit prompt"
    _old_id: int | None = None
    _new_id: int | None = None

    def apply(self, project: Project) -> Changes:
        if self._new_id is None:
            self._old_id = shots.get_shot(project, self.shot_id).current_prompt_id
            prompt, changes = prompts.write_prompt(project, self.shot_id, self.fields)
            self._new_id = prompt.id
            return changes
        return prompts.set_current_prompt(project, self.shot_id, self._new_id)

    def revert(self, project: Project) -> Changes:
        return prompts.set_current_prompt(project, self.shot_id, self._old_id)


@dataclass
class RestorePromptVersion:
    shot_id: int
    prompt_id: int
    text: str = "Restore prompt version"
    _old_id: int | None = None

    def apply(self, project: Project) -> Changes:
        self._old_id = shots.get_shot(project, self.shot_id).current_prompt_id
        return prompts.set_current_prompt(project, self.shot_id, self.prompt_id)

    def revert(self, project: Project) -> Changes:
        return prompts.set_current_prompt(project, self.shot_id, self._old_id)


@dataclass
class SetShotFields:
    """Title, status, target duration, budget, notes, scene."""

    shot_id: int
    values: dict
    text: str = "Change shot"
    _old: dict = field(default_factory=dict, repr=False)

    def apply(self, project: Project) -> Changes:
        if not self._old:
            row = project.db["shots"].get(self.shot_id)
            self._old = {k: row[k] for k in shots.clean_shot_fields(self.values)}
        return shots.update_shot(project, self.shot_id, **self.values)

    def revert(self, project: Project) -> Changes:
        return shots.update_shot(project, self.shot_id, **self._old)


@dataclass
class ReorderShots:
    new_order: list[int]
    text: str = "Reorder shots"
    _old: list[int] = field(default_factory=list, repr=False)

    def apply(self, project: Project) -> Changes:
        if not self._old:
            self._old = shots.shot_order(project)
        return shots.set_shot_order(project, self.new_order)

    def revert(self, project: Project) -> Changes:
        return shots.set_shot_order(project, self._old)


@dataclass
class AddShot:
    """Undo moves the new shot to the bin (its id stays stable for redo)."""

    code: str
    title: str = ""
    scene_id: int | None = None
    text: str = "Add shot"
    shot_id: int | None = None

    def apply(self, project: Project) -> Changes:
        if self.shot_id is None:
            shot, changes = shots.add_shot(project, self.code, self.title, scene_id=self.scene_id)
            self.shot_id = shot.id
            return changes
        return shots.restore_shot(project, self.shot_id)

    def revert(self, project: Project) -> Changes:
        return shots.delete_shot(project, self.shot_id)


@dataclass
class DeleteShot:
    shot_id: int
    text: str = "Delete shot"

    def apply(self, project: Project) -> Changes:
        return shots.delete_shot(project, self.shot_id)

    def revert(self, project: Project) -> Changes:
        return shots.restore_shot(project, self.shot_id)


@dataclass
class RestoreShot:
    shot_id: int
    text: str = "Restore shot from bin"

    def apply(self, project: Project) -> Changes:
        return shots.restore_shot(project, self.shot_id)

    def revert(self, project: Project) -> Changes:
        return shots.delete_shot(project, self.shot_id)


@dataclass
class AddCamera:
    """Undo removes the camera row; a camera that already has takes cannot be added-then-undone away."""

    shot_id: int
    name: str
    setup: CameraSetup = CameraSetup()
    text: str = "Add camera"
    camera_id: int | None = None

    def apply(self, project: Project) -> Changes:
        # Redo puts the camera back under its first id (a fresh row would strand later steps).
        camera, changes = cameras.add_camera(project, self.shot_id, self.name, self.setup, camera_id=self.camera_id)
        self.camera_id = camera.id
        return changes

    def revert(self, project: Project) -> Changes:
        return cameras.remove_camera(project, self.camera_id)


@dataclass
class SetCamera:
    camera_id: int
    setup: CameraSetup
    notes: str | None = None
    text: str = "Change camera"
    _old: tuple | None = None

    def apply(self, project: Project) -> Changes:
        if self._old is None:
            c = cameras.get_camera(project, self.camera_id)
            self._old = (c.setup, c.notes)
        return cameras.update_camera(project, self.camera_id, setup=self.setup, notes=self.notes)

    def revert(self, project: Project) -> Changes:
        return cameras.update_camera(project, self.camera_id, setup=self._old[0], notes=self._old[1])


@dataclass
class SaveLook:
    """Save a look preset; undo removes it, or puts back the text it replaced."""

    name: str
    look_text: str
    text: str = "Save look preset"
    _old: str | None = None
    _captured: bool = False

    def apply(self, project: Project) -> Changes:
        if not self._captured:
            self._old = looks.get_look(project, self.name)
            self._captured = True
        return looks.save_look(project, self.name, self.look_text)

    def revert(self, project: Project) -> Changes:
        if self._old is None:
            return looks.delete_look(project, self.name)
        return looks.save_look(project, self.name, self._old)


@dataclass
class AddScene:
    """Undo removes the scene (shots of it already in the bin are detached); redo puts it back
    under the same id and re-attaches them, so later steps on the stack still find it."""

    code: str
    title: str = ""
    text: str = "Add scene"
    scene_id: int | None = None
    _scene: object = None
    _detached: list = field(default_factory=list, repr=False)

    def apply(self, project: Project) -> Changes:
        if self._scene is None:
            scene, changes = scenes.add_scene(project, self.code, self.title)
            self.scene_id, self._scene = scene.id, scene
            return changes
        return scenes.restore_scene(project, self._scene, self._detached)

    def revert(self, project: Project) -> Changes:
        self._detached, changes = scenes.delete_scene(project, self.scene_id)
        return changes
