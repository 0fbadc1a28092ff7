"""Settings every edit export shares: the programme's first record timecode.

OTIO, OTIOZ, the EDL, FCP 7 XML, FCPXML and the MP4's timecode track all number the cut's first
frame from this one value (01:00:00:00 unless the project says otherwise; migration 0010).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from director.core.changes import Changes
from director.core.smpte import DEFAULT_START, check_start
from director.store.project import Project
from director.store.rows import scalar


def record_start(project: Project) -> str:
    """The project's programme start timecode, HH:MM:SS:FF."""
    try:
        value = scalar(project.db, "SELECT record_start_tc FROM project WHERE id = 1")
    except sqlite3.OperationalError:  # a read-only project from before migration 0010
        return DEFAULT_START
    return value or DEFAULT_START


def set_record_start(project: Project, text: str) -> Changes:
    """Set the programme start (validated: HH:MM:SS:FF, frames 00–23)."""
    value = check_start(text)
    with project.atomic() as db:
        db.execute("UPDATE project SET record_start_tc = ? WHERE id = 1", [value])
    return Changes(project=True)


@dataclass
class SetRecordStart:
    """Change the programme start as an undoable edit (the window's File ▸ Export ▸ Programme Start);
    undo puts back the value it replaced."""

    timecode: str
    _old: str | None = None

    @property
    def text(self) -> str:
        return f"Set programme start to {check_start(self.timecode)}"

    def apply(self, project: Project) -> Changes:
        if self._old is None:
            self._old = record_start(project)
        return set_record_start(project, self.timecode)

    def revert(self, project: Project) -> Changes:
        return set_record_start(project, self._old or DEFAULT_START)


def edit_title(project: Project, timeline_id: int) -> str:
    """The sequence name an edit file carries: 'Project - Cut name' (CLI and window alike)."""
    from director.store.timeline import list_timelines

    return f"{project.settings().name} - {dict(list_timelines(project)).get(timeline_id) or 'Cut'}"
