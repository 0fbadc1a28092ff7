"""A screenplay breakdown applied to a project — the first time, and again after every rewrite.

A re-import merges rather than replaces: new scenes and shots are added; a shot whose action or
dialogue changed is flagged with a diff of the script text (and gets a new prompt draft only if the
director never edited the one the import wrote); shots whose paragraph is gone go to the bin, never
deleted; a scene that disappeared is flagged 'removed'. Everything the director edited is kept.
Runs in one transaction, so a failed import changes nothing.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import asdict, dataclass, field

from director.core.changes import Changes
from director.core.screenplay import Breakdown, ScriptScene, ScriptShot, prompt_draft, shot_code
from director.store import prompts, scenes, shots
from director.store.project import Project, utc_now
from director.store.rows import one, rows, scalar


@dataclass
class ImportPlan:
    """What an import does (or, with --dry-run, would do), by scene number and shot code."""

    scenes_added: list[str] = field(default_factory=list)
    scenes_flagged: list[str] = field(default_factory=list)  # changed heading or removed from the script
    shots_added: list[str] = field(default_factory=list)
    shots_changed: list[str] = field(default_factory=list)  # new script text, new prompt draft
    shots_kept: list[str] = field(default_factory=list)  # script changed, the director's prompt kept
    shots_binned: list[str] = field(default_factory=list)
    cast_added: list[str] = field(default_factory=list)
    unchanged: int = 0

    def summary(self) -> str:
        parts = [
            f"{len(self.scenes_added)} scenes added",
            f"{len(self.shots_added)} shots added",
            f"{len(self.shots_changed)} changed",
            f"{len(self.shots_kept)} changed but your prompt kept",
            f"{len(self.shots_binned)} to the bin",
            f"{len(self.scenes_flagged)} scenes flagged",
            f"{len(self.cast_added)} cast added",
            f"{self.unchanged} unchanged",
        ]
        return ", ".join(parts)

    def to_dict(self) -> dict:
        return asdict(self)


def _shot_text(shot: ScriptShot) -> list[str]:
    lines = [shot.action] if shot.action else []
    lines += [f"{d.character}{f' ({d.parenthetical})' if d.parenthetical else ''}: {d.text}" for d in shot.dialogue]
    return lines


def _dialogue_json(shot: ScriptShot) -> str:
    return json.dumps([asdict(d) for d in shot.dialogue], ensure_ascii=False)


def import_script(project: Project, breakdown: Breakdown, *, dry_run: bool = False) -> tuple[ImportPlan, Changes]:
    plan = ImportPlan()
    changes = Changes()
    if dry_run:
        # Everything below, rolled back: the dry run is the real import, so it can never disagree.
        savepoint = "director_script_dry_run"
        project.db.execute(f"SAVEPOINT {savepoint}")
        try:
            _apply(project, breakdown, plan)
        finally:
            project.db.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
            project.db.execute(f"RELEASE SAVEPOINT {savepoint}")
        return plan, Changes()
    with project.atomic():
        changes = _apply(project, breakdown, plan)
    return plan, changes


def _apply(project: Project, breakdown: Breakdown, plan: ImportPlan) -> Changes:
    looks = _cast(project, breakdown, plan)
    scene_ids, shot_ids = [], []
    seen_scene_keys = {s.key for s in breakdown.scenes}
    for script_scene in breakdown.scenes:
        scene_id = _scene(project, script_scene, plan)
        scene_ids.append(scene_id)
        wanted = {s.key for s in script_scene.shots}
        for index, script_shot in enumerate(script_scene.shots, start=1):
            shot_ids.append(_shot(project, scene_id, script_scene, script_shot, index, looks, plan))
        for r in rows(project.db, "SELECT id, code, script_key, status FROM shots WHERE scene_id = ? AND deleted_at IS NULL AND script_key IS NOT NULL", [scene_id]):
            if r["script_key"] not in wanted:
                _retire_shot(project, r, plan)
                shot_ids.append(r["id"])
    for r in rows(project.db, "SELECT id, code, script_key FROM scenes WHERE script_key IS NOT NULL"):
        if r["script_key"] not in seen_scene_keys:
            project.db.execute("UPDATE scenes SET script_status = 'removed' WHERE id = ?", [r["id"]])
            plan.scenes_flagged.append(r["code"])
            scene_ids.append(r["id"])
            for s in rows(project.db, "SELECT id, code, script_key, status FROM shots WHERE scene_id = ? AND deleted_at IS NULL AND script_key IS NOT NULL", [r["id"]]):
                _retire_shot(project, s, plan)
                shot_ids.append(s["id"])
    return Changes.of(scenes=scene_ids, shots=shot_ids, shot_order=True)


def _cast(project: Project, breakdown: Breakdown, plan: ImportPlan) -> dict[str, str]:
    for name in breakdown.cast:
        if not scalar(project.db, "SELECT 1 FROM cast_members WHERE name = ?", [name]):
            project.db.execute("INSERT INTO cast_members (name, created_at) VALUES (?, ?)", [name, utc_now()])
            plan.cast_added.append(name)
    return {r["name"]: r["look_notes"] for r in rows(project.db, "SELECT name, look_notes FROM cast_members")}


def _scene(project: Project, script_scene: ScriptScene, plan: ImportPlan) -> int:
    found = one(project.db, "SELECT id, heading FROM scenes WHERE script_key = ?", [script_scene.key])
    cols = [script_scene.heading, script_scene.int_ext, script_scene.location, script_scene.time_of_day]
    if found is None:
        scene, _ = scenes.add_scene(project, _free_scene_code(project, script_scene.number), script_scene.location.title() or script_scene.heading)
        project.db.execute(
            "UPDATE scenes SET script_key = ?, heading = ?, int_ext = ?, location = ?, time_of_day = ? WHERE id = ?",
            [script_scene.key, *cols, scene.id],
        )
        plan.scenes_added.append(scene.code)
        return scene.id
    if found["heading"] != script_scene.heading:
        # The old heading is kept in the diff, so the flag can be read before it is cleared.
        note = "\n".join(difflib.unified_diff([found["heading"]], [script_scene.heading], "script before", "script now", lineterm=""))
        project.db.execute(
            "UPDATE scenes SET heading = ?, int_ext = ?, location = ?, time_of_day = ?, script_status = 'changed', "
            "script_note = ? WHERE id = ?",
            [*cols, note, found["id"]],
        )
        plan.scenes_flagged.append(script_scene.number)
    else:
        project.db.execute("UPDATE scenes SET script_status = NULL WHERE id = ? AND script_status = 'removed'", [found["id"]])
    return found["id"]


def _free_scene_code(project: Project, number: str) -> str:
    code, n = number, 1
    while scalar(project.db, "SELECT 1 FROM scenes WHERE code = ?", [code]):
        n += 1
        code = f"{number}-{n}"
    return code


def _free_shot_code(project: Project, number: str, index: int) -> str:
    code, extra = shot_code(number, index), 0
    while scalar(project.db, "SELECT 1 FROM shots WHERE code = ? AND deleted_at IS NULL", [code]):
        extra += 1
        code = shot_code(number, index + 26 * extra)
    return code


def _shot(project: Project, scene_id: int, script_scene: ScriptScene, script_shot: ScriptShot, index: int, looks: dict, plan: ImportPlan) -> int:
    found = one(
        project.db,
        "SELECT id, code, script_digest, script_prompt_id, current_prompt_id, deleted_at, status, dialogue FROM shots WHERE script_key = ? ORDER BY deleted_at IS NOT NULL, id LIMIT 1",
        [script_shot.key],
    )
    draft = prompt_draft(script_scene, script_shot, looks)
    if found is None:
        shot, _ = shots.add_shot(project, _free_shot_code(project, script_scene.number, index), _title(script_shot), scene_id=scene_id)
        prompt_id = None
        if not draft.is_empty():
            prompt, _ = prompts.write_prompt(project, shot.id, draft)
            prompt_id = prompt.id
        project.db.execute(
            "UPDATE shots SET script_key = ?, script_digest = ?, script_prompt_id = ?, dialogue = ?, script_status = 'new' WHERE id = ?",
            [script_shot.key, script_shot.digest, prompt_id, _dialogue_json(script_shot), shot.id],
        )
        plan.shots_added.append(shot.code)
        return shot.id
    shot_id = found["id"]
    if found["deleted_at"]:  # binned by an earlier import, back in the script
        shots.restore_shot(project, shot_id)
    if found["script_digest"] == script_shot.digest:
        plan.unchanged += 1
        return shot_id
    old_lines = _lines_of(project, shot_id)
    note = "\n".join(difflib.unified_diff(old_lines, _shot_text(script_shot), "script before", "script now", lineterm=""))
    edited = found["current_prompt_id"] != found["script_prompt_id"]
    prompt_id = found["script_prompt_id"]
    if found["status"] == "locked" or edited or draft.is_empty():
        plan.shots_kept.append(found["code"])
    else:
        prompt, _ = prompts.write_prompt(project, shot_id, draft)  # a new version; the old one stays in history
        prompt_id = prompt.id
        plan.shots_changed.append(found["code"])
    project.db.execute(
        "UPDATE shots SET script_digest = ?, script_prompt_id = ?, dialogue = ?, script_status = 'changed', script_note = ? WHERE id = ?",
        [script_shot.digest, prompt_id, _dialogue_json(script_shot), note, shot_id],
    )
    return shot_id


def _lines_of(project: Project, shot_id: int) -> list[str]:
    """The script text a shot was last imported from: its draft's action and its dialogue."""
    r = one(project.db, "SELECT script_prompt_id, dialogue FROM shots WHERE id = ?", [shot_id])
    action = prompts.get_prompt(project, r["script_prompt_id"]).fields.action if r["script_prompt_id"] else ""
    lines = [action] if action else []
    for d in json.loads(r["dialogue"] or "[]"):
        paren = f" ({d['parenthetical']})" if d.get("parenthetical") else ""
        lines.append(f"{d['character']}{paren}: {d['text']}")
    return lines


def _retire_shot(project: Project, r: dict, plan: ImportPlan) -> None:
    """Gone from the script: to the bin (restorable), or only flagged if the director locked it."""
    if r["status"] == "locked":
        project.db.execute("UPDATE shots SET script_status = 'removed' WHERE id = ?", [r["id"]])
        plan.shots_kept.append(r["code"])
        return
    shots.delete_shot(project, r["id"])
    project.db.execute("UPDATE shots SET script_status = 'removed' WHERE id = ?", [r["id"]])
    plan.shots_binned.append(r["code"])


def _title(shot: ScriptShot) -> str:
    text = shot.action or (f"{shot.dialogue[0].character}: {shot.dialogue[0].text}" if shot.dialogue else "")
    return text if len(text) <= 60 else text[:57].rstrip() + "…"


# -- reading back --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CastMember:
    id: int
    name: str
    look_notes: str
    images: tuple[str, ...] = ()


def list_cast(project: Project) -> list[CastMember]:
    images: dict[int, list[str]] = {}
    for r in rows(project.db, "SELECT cast_id, media_path FROM cast_images ORDER BY rowid"):
        images.setdefault(r["cast_id"], []).append(r["media_path"])
    return [CastMember(r["id"], r["name"], r["look_notes"], tuple(images.get(r["id"], ()))) for r in rows(project.db, "SELECT * FROM cast_members ORDER BY name")]


def set_cast_look(project: Project, name: str, look_notes: str) -> Changes:
    """A cast member's look notes; later prompt drafts and re-imports use them."""
    from director.core.errors import NotFound

    with project.atomic() as db:
        cur = db.execute("UPDATE cast_members SET look_notes = ? WHERE name = ?", [look_notes.strip(), name])
        if cur.rowcount != 1:
            raise NotFound(f"no cast member called {name!r}; 'director cast list' shows them")
    return Changes.of(project=True)


def add_cast_image(project: Project, name: str, relative: str, note: str = "") -> Changes:
    """A reference image (already in the media store) for a cast member."""
    from director.core.errors import NotFound

    project.media.path(relative)  # refuses a name outside the store
    with project.atomic() as db:
        cast_id = scalar(db, "SELECT id FROM cast_members WHERE name = ?", [name])
        if cast_id is None:
            raise NotFound(f"no cast member called {name!r}")
        db.execute("INSERT OR IGNORE INTO cast_images (cast_id, media_path, note) VALUES (?, ?, ?)", [cast_id, relative, note])
    return Changes.of(project=True)


def shot_script(project: Project, shot_id: int) -> dict:
    """A shot's dialogue and script flags, for the window and `shot show`."""
    r = one(project.db, "SELECT script_key, script_status, script_note, dialogue FROM shots WHERE id = ?", [shot_id])
    if r is None:
        return {}
    return {"key": r["script_key"], "status": r["script_status"], "note": r["script_note"], "dialogue": json.loads(r["dialogue"] or "[]")}


def dialogue_of(project: Project, shot_ids) -> dict[int, list[str]]:
    """Each shot's dialogue as subtitle lines ("CHARACTER: text"), for the SRT export."""
    out: dict[int, list[str]] = {}
    for shot_id in sorted({int(s) for s in shot_ids if s is not None}):
        r = one(project.db, "SELECT dialogue FROM shots WHERE id = ?", [shot_id])
        lines = json.loads((r or {}).get("dialogue") or "[]")
        if lines:
            out[shot_id] = [f"{d['character']}: {d['text']}" for d in lines]
    return out
