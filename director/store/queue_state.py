"""Whether a project's queue is paused: a marker file beside the project, not a row.

The queue runs in the one process that holds the project for writing (the window or
`director queue run`), so a pause must reach that process from another one that cannot take
the writer's lock: `NAME.director.paused` beside the resolved project file (where its `.lock`
lives), read by every runner before it starts a job. The running job always finishes.

The marker names the project it belongs to (the project row's creation time), so a marker left
beside a project that was deleted never pauses a new project of the same name.
"""

from __future__ import annotations

import os
from pathlib import Path

from director.core.changes import Changes
from director.core.errors import Refused
from director.store.project import Project
from director.store.rows import scalar


def paused_path(project: Project) -> Path:
    target = project.path.resolve()
    return target.with_name(target.name + ".paused")


def _identity(project: Project) -> str:
    return str(scalar(project.db, "SELECT created_at FROM project WHERE id = 1") or "")


def is_paused(project: Project) -> bool:
    """True while the project's queue is paused (one stat when it is not)."""
    path = paused_path(project)
    try:
        mark = path.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:  # unreadable: a pause someone meant is safer than jobs starting
        return True
    return mark == _identity(project)


def set_paused(project: Project, paused: bool) -> Changes:
    """Pause (start no new job) or resume the queue; idempotent. The marker is written under a
    temporary name and renamed, so a reader never sees half of it."""
    path = paused_path(project)
    try:
        if paused:
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(_identity(project) + "\n", encoding="utf-8")
            os.replace(tmp, path)
        else:
            path.unlink(missing_ok=True)
    except OSError as exc:
        verb = "pause" if paused else "resume"
        raise Refused(f"cannot {verb} the queue of {project.path.name}: {exc.strerror or exc} ({path.parent})") from None
    return Changes()  # no row changes: the runner reads the marker before its next job
