"""A take's artifacts: files made with its picture that are not the picture — a previz take's
depth and layout videos (`engine.previz`). They live in the media store, content-addressed like
the picture, and are named in the take's `extra` as {"artifacts": {role: "ab/…mp4"}}; this module
is the one rule for reading them, and `purge` keeps every file a take names here."""

from __future__ import annotations

from director.core.errors import InvalidInput, NotFound
from director.core.model import Take
from director.store.project import Project
from director.store.rows import rows

ROLES = ("depth", "layout")


def take_artifacts(take: Take) -> dict[str, str]:
    """role → media path of the take's artifacts ({} for a take that has none)."""
    found = (take.extra or {}).get("artifacts") or {}
    return {role: path for role, path in found.items() if role in ROLES and isinstance(path, str)}


def artifact_path(project: Project, take: Take, role: str):
    """The absolute path of one artifact, refused with the reason when the take has none or it is gone."""
    if role not in ROLES:
        raise InvalidInput(f"an artifact is one of {', '.join(ROLES)}; got {role!r}")
    relative = take_artifacts(take).get(role)
    if relative is None:
        raise NotFound(f"take {take.id} has no {role} video (only previz takes store one)")
    path = project.media.path(relative)
    if not path.is_file():
        raise NotFound(f"take {take.id}'s {role} video {relative} is missing from the media store")
    return path


def artifact_paths(project: Project) -> set[str]:
    """Every artifact any take (live or binned) names: media that purge must keep."""
    out: set[str] = set()
    for role in ROLES:
        sql = f"SELECT json_extract(extra, '$.artifacts.{role}') AS p FROM takes WHERE json_extract(extra, '$.artifacts.{role}') IS NOT NULL"
        out.update(r["p"] for r in rows(project.db, sql))
    return out
