"""Prompt versions: immutable rows; a shot points at its current one."""

from __future__ import annotations

from director.core.changes import Changes
from director.core.errors import NotFound, Refused
from director.core.model import Prompt
from director.core.prompt import PromptFields
from director.store.project import Project, utc_now
from director.store.rows import one, rows, scalar
from director.store.shots import get_shot


def _prompt(r: dict) -> Prompt:
    return Prompt(
        id=r["id"],
        shot_id=r["shot_id"],
        version=r["version"],
        fields=PromptFields(**{k: r[k] for k in PromptFields.names()}),
        composed=r["composed"],
        created_at=r["created_at"],
    )


def get_prompt(project: Project, prompt_id: int) -> Prompt:
    r = one(project.db, "SELECT * FROM prompts WHERE id = ?", [prompt_id])
    if r is None:
        raise NotFound(f"no prompt version with id {prompt_id}")
    return _prompt(r)


def current_prompt(project: Project, shot_id: int) -> Prompt | None:
    shot = get_shot(project, shot_id)
    return get_prompt(project, shot.current_prompt_id) if shot.current_prompt_id else None


def prompt_history(project: Project, shot_id: int) -> list[Prompt]:
    return [_prompt(r) for r in rows(project.db, "SELECT * FROM prompts WHERE shot_id = ? ORDER BY version", [shot_id])]


def prompt_version(project: Project, shot_id: int, version: int) -> Prompt:
    r = one(project.db, "SELECT * FROM prompts WHERE shot_id = ? AND version = ?", [shot_id, version])
    if r is None:
        raise NotFound(f"shot has no prompt version {version}")
    return _prompt(r)


def write_prompt(project: Project, shot_id: int, fields: PromptFields) -> tuple[Prompt, Changes]:
    """A new version that becomes current; writing the same fields again changes nothing."""
    fields.validate()
    shot = get_shot(project, shot_id)
    if shot.locked:
        raise Refused(f"shot {shot.code} is locked; its prompt cannot change")
    current = current_prompt(project, shot_id)
    if current is not None and current.fields == fields:
        return current, Changes()
    with project.atomic() as db:
        version = (scalar(db, "SELECT max(version) FROM prompts WHERE shot_id = ?", [shot_id]) or 0) + 1
        prompt_id = db["prompts"].insert(
            {"shot_id": shot_id, "version": version, **fields.to_dict(), "composed": fields.compose(), "created_at": utc_now()}
        ).last_pk
        db.execute("UPDATE shots SET current_prompt_id = ? WHERE id = ?", [prompt_id, shot_id])
    return get_prompt(project, int(prompt_id)), Changes.of(prompts=[prompt_id], shots=[shot_id])


def set_current_prompt(project: Project, shot_id: int, prompt_id: int | None) -> Changes:
    """Point a shot at an existing version (restore, undo)."""
    if prompt_id is not None and get_prompt(project, prompt_id).shot_id != shot_id:
        raise NotFound("that prompt version belongs to another shot")
    with project.atomic() as db:
        db.execute("UPDATE shots SET current_prompt_id = ? WHERE id = ?", [prompt_id, shot_id])
    return Changes.of(shots=[shot_id], prompts=[prompt_id] if prompt_id else [])
