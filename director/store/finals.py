"""Finals: the final-quality render of a draft take, made by a conform (engine/conform.py).

A final is a new version of its draft, never a copy: its job records the draft as `parent_take_id`,
and a row here records the recipe key it was made from (prompt, preset, parameters and seed of the
promoted recipe), which frames of the draft the cut used and which frames were rendered, and, once
it has landed, the final take and its drift from the draft. A re-conform reuses a final whose key
matches and whose rendered frames cover what the cut now uses.

A clip a director toggled back to its draft is held (`conform_holds`): a later conform leaves it on
the draft. The toggle is one undoable edit (the timeline change and the hold together).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from director.core.changes import Changes
from director.core.errors import InvalidInput, NotFound
from director.store.project import Project, utc_now
from director.store.rows import one, rows, scalar
from director.store.timeline import TimelineEdit, set_clip_take


@dataclass(frozen=True)
class Final:
    id: int
    draft_take_id: int
    job_id: int
    final_take_id: int | None
    recipe_key: str
    used_start: int  # first take frame the cut used (of the draft), when queued
    used_end: int  # one past the last
    render_start: int  # the frames the final renders
    render_end: int
    drift: dict | None
    created_at: str
    landed_at: str | None
    job_state: str = ""

    @property
    def landed(self) -> bool:
        return self.final_take_id is not None

    def covers(self, start: int, end: int) -> bool:
        return self.render_start <= start and end <= self.render_end


_SELECT = "SELECT f.*, j.state AS job_state FROM finals f JOIN jobs j ON j.id = f.job_id"


def _final(r: dict) -> Final:
    return Final(
        id=r["id"], draft_take_id=r["draft_take_id"], job_id=r["job_id"], final_take_id=r["final_take_id"],
        recipe_key=r["recipe_key"], used_start=r["used_start"], used_end=r["used_end"],
        render_start=r["render_start"], render_end=r["render_end"],
        drift=json.loads(r["drift"]) if r["drift"] else None, created_at=r["created_at"], landed_at=r["landed_at"],
        job_state=r.get("job_state") or "",
    )


def add_final(project: Project, *, draft_take_id: int, job_id: int, recipe_key: str, used: tuple[int, int],
              rendered: tuple[int, int]) -> int:
    """Record a queued final of a draft (its job must already be queued with the draft as parent)."""
    job = one(project.db, "SELECT parent_take_id FROM jobs WHERE id = ?", [job_id])
    if job is None:
        raise NotFound(f"no job {job_id}")
    if job["parent_take_id"] != draft_take_id:
        raise InvalidInput(f"job {job_id} is not a render of take {draft_take_id} (its parent take is {job['parent_take_id']})")
    with project.atomic() as db:
        return int(db["finals"].insert({
            "draft_take_id": draft_take_id, "job_id": job_id, "recipe_key": recipe_key,
            "used_start": int(used[0]), "used_end": int(used[1]),
            "render_start": int(rendered[0]), "render_end": int(rendered[1]), "created_at": utc_now(),
        }).last_pk)


def get_final(project: Project, final_id: int) -> Final:
    r = one(project.db, f"{_SELECT} WHERE f.id = ?", [final_id])
    if r is None:
        raise NotFound(f"no final {final_id}")
    return _final(r)


def list_finals(project: Project) -> list[Final]:
    return [_final(r) for r in rows(project.db, f"{_SELECT} ORDER BY f.id")]


def finals_of_draft(project: Project, draft_take_id: int) -> list[Final]:
    """Every final of a draft, newest first (failed and cancelled ones too: the caller decides)."""
    return [_final(r) for r in rows(project.db, f"{_SELECT} WHERE f.draft_take_id = ? ORDER BY f.id DESC", [draft_take_id])]


def final_take_ids(project: Project) -> set[int]:
    """Every take that is a landed final (the timeline badges its clips 'final')."""
    return set(drafts_of_finals(project))


def drafts_of_finals(project: Project) -> dict[int, int]:
    """final take id → the draft it is a final of (the storyboard's 'FINAL of take N' badge)."""
    return {r["final_take_id"]: r["draft_take_id"]
            for r in rows(project.db, "SELECT final_take_id, draft_take_id FROM finals WHERE final_take_id IS NOT NULL")}


def final_of_take(project: Project, final_take_id: int) -> Final | None:
    r = one(project.db, f"{_SELECT} WHERE f.final_take_id = ? ORDER BY f.id DESC LIMIT 1", [final_take_id])
    return _final(r) if r else None


def reusable_final(project: Project, draft_take_id: int, recipe_key: str, start: int, end: int) -> Final | None:
    """The newest final of this draft made from the same recipe whose rendered frames cover
    [start, end) and whose job is done or still pending (a failed or cancelled one is not reused)."""
    for f in finals_of_draft(project, draft_take_id):
        if f.recipe_key == recipe_key and f.covers(start, end) and f.job_state in ("done", "queued", "running"):
            if f.job_state == "done" and not f.landed and not _job_has_take(project, f.job_id):
                continue
            return f
    return None


def _job_has_take(project: Project, job_id: int) -> bool:
    return bool(scalar(project.db, "SELECT count(*) FROM takes WHERE job_id = ? AND deleted_at IS NULL", [job_id]))


def unlanded(project: Project) -> list[Final]:
    """Finals whose job has finished but whose take is not yet recorded here."""
    return [_final(r) for r in rows(project.db, f"{_SELECT} WHERE f.final_take_id IS NULL AND j.state = 'done' ORDER BY f.id")]


def land_final(project: Project, final_id: int, final_take_id: int, drift: dict) -> Changes:
    with project.atomic() as db:
        db.execute("UPDATE finals SET final_take_id = ?, drift = ?, landed_at = ? WHERE id = ?",
                   [final_take_id, json.dumps(drift, sort_keys=True), utc_now(), final_id])
    return Changes(timeline=True)


# -- holds and the per-clip toggle ---------------------------------------------------------------


def held_clips(project: Project) -> dict[int, int]:
    """clip id → the draft take it was toggled back to."""
    return {r["clip_id"]: r["draft_take_id"] for r in rows(project.db, "SELECT clip_id, draft_take_id FROM conform_holds")}


def _set_hold(project: Project, clip_id: int, draft_take_id: int | None) -> None:
    with project.atomic() as db:
        db.execute("DELETE FROM conform_holds WHERE clip_id = ?", [clip_id])
        if draft_take_id is not None:
            db.execute("INSERT INTO conform_holds (clip_id, draft_take_id, created_at) VALUES (?, ?, ?)",
                       [clip_id, draft_take_id, utc_now()])


@dataclass
class ToggleClip:
    """Show a clip's drafts instead of their finals, or the finals again: one undoable edit (the
    clip's takes and the hold that keeps a later conform from switching it back)."""

    clip_id: int
    edits: tuple[TimelineEdit, ...]
    hold_after: int | None  # the draft held after apply (None: no hold)
    hold_before: int | None

    @property
    def text(self) -> str:
        return f"show the {'draft' if self.hold_after is not None else 'final'} in clip {self.clip_id}"

    def apply(self, project: Project) -> Changes:
        changes = Changes(timeline=True)
        with project.atomic():
            for edit in self.edits:
                changes = changes | edit.apply(project)
            _set_hold(project, self.clip_id, self.hold_after)
        return changes

    def revert(self, project: Project) -> Changes:
        changes = Changes(timeline=True)
        with project.atomic():
            for edit in reversed(self.edits):
                changes = changes | edit.revert(project)
            _set_hold(project, self.clip_id, self.hold_before)
        return changes


def toggle_clip(project: Project, clip_id: int, take_ids: list[int], *, to_draft: bool) -> ToggleClip:
    """The edit that shows `take_ids` (the drafts, or their finals) in the clip; apply it to make it so."""
    if not take_ids:
        raise InvalidInput(f"clip {clip_id} shows no take to toggle")
    before = held_clips(project).get(clip_id)
    edits = tuple(set_clip_take(project, clip_id, t) for t in take_ids)
    return ToggleClip(clip_id, edits, take_ids[0] if to_draft else None, before)
