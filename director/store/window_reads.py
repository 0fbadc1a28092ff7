"""Reads the window needs for the script flags, in one query each.

Nothing here decides a rule: which shots a re-import flagged is `store.script`'s answer (the
`script_status` and `script_note` it wrote). These functions only fetch those facts for many rows at once, so a list view reads
them per refresh rather than per row, and keep the SQL in the store.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

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
