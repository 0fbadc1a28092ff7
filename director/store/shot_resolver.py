"""A `store.timeline.Resolver` that reads one shot at a time (issue #24).

The Resolver reads every shot and every camera of the project when it is made, and looks a shot's
cameras up by scanning all of them: fine for flattening a whole cut, but the timeline makes a fresh
one after every job that lands on a cut shot, to forget that shot's takes (20 to 50 ms at 1,000
shots on the UI thread, and 5 times that at 5,000), and the storyboard asks each shot's cameras
(a scan of 3,000 cameras per shot). This one answers the same questions, by the same rule (the
clip's own pick if it is still live, else `store.choice`, both inherited unchanged), reading each
shot's row and cameras only when a clip of that shot is first asked about, and remembers them.
"""

from __future__ import annotations

from director.store.project import Project
from director.store.rows import rows
from director.store.timeline import Resolver


class _ByShot(dict):
    """shot id → row, read on first use: the mapping `Resolver` keeps for every shot at once."""

    def __init__(self, project: Project):
        super().__init__()
        self._project = project

    def __missing__(self, shot_id):
        found = rows(self._project.db, "SELECT id, code, status FROM shots WHERE id = ?", [shot_id])
        self[shot_id] = found[0] if found else {}
        return self[shot_id]

    def get(self, shot_id, default=None):
        row = self[shot_id]
        return row if row else default


class ShotResolver(Resolver):
    """Resolver's answers for the shots a view asks about, read lazily and per shot."""

    def __init__(self, project: Project):  # noqa: D107 - deliberately not Resolver's: nothing is read here
        self.project = project
        self.rate = project.settings().rate
        self._shots = _ByShot(project)
        self._cameras: dict[int, dict] = {}  # camera id → row, filled per shot
        self._cameras_of: dict[int, list[dict]] = {}
        self._takes: dict[int, dict[int, dict]] = {}
        self._chosen: dict[tuple[int, int], int] = {}
        self._chosen_shots: set[int] = set()

    def cameras(self, shot_id: int) -> list[dict]:
        """The shot's cameras in order: keys 1–9 pick from this list."""
        if shot_id not in self._cameras_of:
            found = rows(self.project.db, "SELECT id, shot_id, name, ord FROM cameras WHERE shot_id = ? ORDER BY ord, name", [shot_id])
            self._cameras_of[shot_id] = found
            self._cameras.update((c["id"], c) for c in found)
        return list(self._cameras_of[shot_id])

    def __call__(self, clip, camera_id):
        if camera_id is not None and camera_id not in self._cameras:
            self.cameras(clip.shot_id)  # the clip's own shot: its cameras are read together
        return super().__call__(clip, camera_id)
