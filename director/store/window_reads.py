"""Reads the window needs for the script flags, the take bin and emptying it, in one query each.

Nothing here decides a rule: which shots a re-import flagged is `store.script`'s answer (the
`script_status` and `script_note` it wrote), and which takes are in the bin is `store.takes`'s
soft delete. These functions only fetch those facts for many rows at once, so a list view reads
them per refresh rather than per row, and keep the SQL in the store.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from director.core.enums import MediaKind, TakeFlag
from director.store.artifacts import artifact_paths
from director.store.media import MediaStore, TamperedMedia
from director.store.project import Project
from director.store.rows import rows


def _marks(ids: list) -> str:
    return ", ".join("?" * len(ids))


# -- script flags ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShotScript:
    """A shot's place in the imported screenplay: status 'new' | 'changed' | 'removed' | None (the
    script never named it, or it is as imported), the diff of its script text at the last re-import,
    and the dialogue that goes with it (dicts with character, text, parenthetical)."""

    shot_id: int
    status: str | None
    note: str
    dialogue: tuple[dict, ...]
    from_script: bool


def shot_scripts(project: Project, shot_ids: Iterable[int]) -> dict[int, ShotScript]:
    """shot id → its script flags and dialogue, for the given shots that exist."""
    ids = sorted({int(i) for i in shot_ids})
    if not ids:
        return {}
    got = rows(
        project.db,
        f"SELECT id, script_key, script_status, script_note, dialogue FROM shots WHERE id IN ({_marks(ids)})",
        ids,
    )
    return {
        r["id"]: ShotScript(r["id"], r["script_status"], r["script_note"] or "", tuple(json.loads(r["dialogue"] or "[]")), r["script_key"] is not None)
        for r in got
    }


@dataclass(frozen=True)
class SceneScript:
    scene_id: int
    heading: str
    status: str | None  # 'changed' (new heading) | 'removed' (gone from the script) | None


def scene_scripts(project: Project) -> dict[int, SceneScript]:
    """scene id → its heading and script flag (every scene; a project has tens, not thousands)."""
    return {
        r["id"]: SceneScript(r["id"], r["heading"] or "", r["script_status"])
        for r in rows(project.db, "SELECT id, heading, script_status FROM scenes")
    }


# -- the take bin ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BinnedTake:
    take_id: int
    shot_id: int
    shot_code: str
    shot_binned: bool  # the shot itself is in the shot bin too
    camera: str
    seed: int
    variant: int
    kind: MediaKind
    rating: int
    flag: TakeFlag
    deleted_at: str
    media_path: str
    thumb_path: str | None


def binned_takes(project: Project) -> list[BinnedTake]:
    """Every take in the bin, most recently binned first."""
    got = rows(
        project.db,
        "SELECT t.id, t.shot_id, s.code, s.deleted_at AS shot_deleted, coalesce(c.name, '') AS camera, t.seed, t.variant, "
        "t.kind, t.rating, t.flag, t.deleted_at, t.media_path, t.thumb_path FROM takes t JOIN shots s ON s.id = t.shot_id "
        "LEFT JOIN cameras c ON c.id = t.camera_id WHERE t.deleted_at IS NOT NULL ORDER BY t.deleted_at DESC, t.id DESC",
    )
    return [
        BinnedTake(r["id"], r["shot_id"], r["code"], r["shot_deleted"] is not None, r["camera"], r["seed"], r["variant"],
                   MediaKind(r["kind"]), r["rating"], TakeFlag(r["flag"]), r["deleted_at"], r["media_path"], r["thumb_path"])
        for r in got
    ]


def media_in_use(project: Project) -> set[str]:
    """Every stored file a row still names: takes (live or binned) and cast reference images."""
    used: set[str] = set()
    for r in rows(project.db, "SELECT media_path, thumb_path FROM takes"):
        used.add(r["media_path"])
        if r["thumb_path"]:
            used.add(r["thumb_path"])
    used |= {r["media_path"] for r in rows(project.db, "SELECT media_path FROM cast_images")}
    used |= {r["media_path"] for r in rows(project.db, "SELECT media_path FROM audio_files UNION SELECT media_path FROM take_audio")}
    used |= artifact_paths(project)  # a previz take's depth and layout videos
    return used


def remove_unused_media(media: MediaStore, candidates: Iterable[str], in_use: set[str]) -> tuple[int, int]:
    """Delete the candidate files no row names any more; (files, bytes) removed.

    Only the files of the takes just emptied from the bin are candidates, never "everything not
    referenced": a take the engine is finishing right now has its file in the store a moment before
    its row exists. Touches no database, so it runs on a pool thread. A name outside the store (a
    tampered row) is skipped, never followed.
    """
    files = freed = 0
    for rel in sorted(set(candidates) - in_use):
        try:
            path = media.path(rel)
        except TamperedMedia:
            continue
        try:
            size = path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            continue
        files += 1
        freed += size
    return files, freed
