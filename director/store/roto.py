"""Roto in the project file: a take's named objects, the prompts clicked on its frames, and the
mattes segment jobs made of them.

Objects and prompts draw their ids from `store.ids`, so undo removes a prompt and redo puts it
back under its own id (and any later step naming it still finds it). Mattes are results, like
takes: a finished segment job records its mattes, its figures and money in one transaction
(`complete_roto_job`), and a cancelled or failed job records none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

from director.core.changes import Changes
from director.core.enums import JobState
from director.core.errors import NotFound, Refused
from director.core.recipe import RunFacts
from director.core.roto import RotoObject, RotoPrompt, check_name, check_prompt
from director.store.ids import next_id
from director.store.project import Project, utc_now
from director.store.rows import one, rows, scalar
from director.store.takes import get_take


@dataclass(frozen=True)
class Matte:
    id: int
    take_id: int
    job_id: int
    object_id: int | None
    name: str
    media_path: str
    thumb_path: str
    frames: int
    width: int
    height: int
    extra: dict = field(default_factory=dict)
    created_at: str = ""


def _prompt(r: dict) -> RotoPrompt:
    return RotoPrompt(r["kind"], r["frame"], r["x0"], r["y0"], r["x1"], r["y1"], id=r["id"], object_id=r["object_id"])


def _matte(r: dict) -> Matte:
    return Matte(r["id"], r["take_id"], r["job_id"], r["object_id"], r["name"], r["media_path"], r["thumb_path"],
                 r["frames"], r["width"], r["height"], json.loads(r["extra"] or "{}"), r["created_at"])


# -- reads --------------------------------------------------------------------------------------


def list_objects(project: Project, take_id: int) -> list[RotoObject]:
    """The take's objects in the order they were made, each with its prompts (frame, then id)."""
    objects = rows(project.db, "SELECT id, take_id, name FROM roto_objects WHERE take_id = ? ORDER BY id", [take_id])
    prompts = rows(project.db, "SELECT p.* FROM roto_prompts p JOIN roto_objects o ON o.id = p.object_id "
                               "WHERE o.take_id = ? ORDER BY p.frame, p.id", [take_id])
    by_object: dict[int, list[RotoPrompt]] = {}
    for r in prompts:
        by_object.setdefault(r["object_id"], []).append(_prompt(r))
    return [RotoObject(o["id"], o["take_id"], o["name"], tuple(by_object.get(o["id"], ()))) for o in objects]


def find_object(project: Project, take_id: int, name: str) -> RotoObject | None:
    return next((o for o in list_objects(project, take_id) if o.name == name), None)


def get_prompt(project: Project, prompt_id: int) -> RotoPrompt:
    r = one(project.db, "SELECT * FROM roto_prompts WHERE id = ?", [prompt_id])
    if r is None:
        raise NotFound(f"no roto prompt {prompt_id}")
    return _prompt(r)


def list_mattes(project: Project, take_id: int) -> list[Matte]:
    """Every matte of the take, oldest first."""
    return [_matte(r) for r in rows(project.db, "SELECT * FROM mattes WHERE take_id = ? ORDER BY id", [take_id])]


def latest_mattes(project: Project, take_id: int) -> list[Matte]:
    """The take's current mattes: those of its newest finished segment job, one per object."""
    job_id = scalar(project.db, "SELECT max(job_id) FROM mattes WHERE take_id = ?", [take_id])
    if job_id is None:
        return []
    return [_matte(r) for r in rows(project.db, "SELECT * FROM mattes WHERE take_id = ? AND job_id = ? ORDER BY id",
                                    [take_id, job_id])]


def mattes_by_take(project: Project, take_ids: list[int]) -> dict[int, list[Matte]]:
    """take id → its current mattes, for exports that reference them (OTIO metadata)."""
    return {t: found for t in take_ids if (found := latest_mattes(project, t))}


def matte_refs(project: Project, take_id: int) -> tuple[dict, ...]:
    """The take's current mattes as plain values for take info and edit files: object name, the
    matte's content address, the job (recipe) that made it, its frames and size."""
    return tuple({"name": m.name, "media_path": m.media_path, "job_id": m.job_id, "frames": m.frames,
                  "width": m.width, "height": m.height, "alpha_sha256": m.extra.get("alpha_sha256", "")}
                 for m in latest_mattes(project, take_id))


def matte_paths(project: Project) -> set[str]:
    """Every media path a matte names (thumbnails included): kept when the store is purged."""
    out: set[str] = set()
    for r in rows(project.db, "SELECT media_path, thumb_path FROM mattes"):
        out.update((r["media_path"], r["thumb_path"]))
    return out


# -- prompt edits -------------------------------------------------------------------------------


def add_object(project: Project, take_id: int, name: str, *, object_id: int | None = None) -> tuple[RotoObject, Changes]:
    """A new named object on a take (`object_id`: put back one that undo removed)."""
    take = get_take(project, take_id)
    name = check_name(name)
    if find_object(project, take.id, name) is not None:
        raise Refused(f"take {take_id} already has a roto object named {name!r}")
    with project.atomic() as db:
        new_id = object_id if object_id is not None else next_id(db, "roto_objects")
        db.execute("INSERT INTO roto_objects (id, take_id, name, created_at) VALUES (?, ?, ?, ?)",
                   [new_id, take.id, name, utc_now()])
    return RotoObject(new_id, take.id, name), Changes.of(takes=[take.id])


def remove_object(project: Project, object_id: int) -> tuple[RotoObject, Changes]:
    """Delete an object and its prompts (its mattes stay, named, with no object)."""
    obj = _object(project, object_id)
    with project.atomic() as db:
        db.execute("DELETE FROM roto_objects WHERE id = ?", [object_id])
    return obj, Changes.of(takes=[obj.take_id])


def _object(project: Project, object_id: int) -> RotoObject:
    r = one(project.db, "SELECT take_id FROM roto_objects WHERE id = ?", [object_id])
    if r is None:
        raise NotFound(f"no roto object {object_id}")
    return next(o for o in list_objects(project, r["take_id"]) if o.id == object_id)


def add_prompt(project: Project, object_id: int, prompt: RotoPrompt, *, prompt_id: int | None = None) -> tuple[RotoPrompt, Changes]:
    """Record a click or box on a frame of the object's take, checked against the take's size
    and length (`prompt_id`: put back one that undo removed)."""
    obj = _object(project, object_id)
    take = get_take(project, obj.take_id)
    check_prompt(prompt, take.width, take.height, take.frames)
    with project.atomic() as db:
        new_id = prompt_id if prompt_id is not None else next_id(db, "roto_prompts")
        db.execute("INSERT INTO roto_prompts (id, object_id, frame, kind, x0, y0, x1, y1, created_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [new_id, object_id, prompt.frame, prompt.kind, float(prompt.x0), float(prompt.y0),
                    None if prompt.x1 is None else float(prompt.x1), None if prompt.y1 is None else float(prompt.y1),
                    utc_now()])
    return get_prompt(project, new_id), Changes.of(takes=[take.id])


def remove_prompt(project: Project, prompt_id: int) -> tuple[RotoPrompt, Changes]:
    prompt = get_prompt(project, prompt_id)
    take_id = scalar(project.db, "SELECT take_id FROM roto_objects WHERE id = ?", [prompt.object_id])
    with project.atomic() as db:
        db.execute("DELETE FROM roto_prompts WHERE id = ?", [prompt_id])
    return prompt, Changes.of(takes=[take_id])


@dataclass
class AddRotoPrompt:
    """Click a point or drag a box for a named object on a take's frame; the object is made the
    first time its name is used. Undo removes the prompt (and the object it made); redo puts
    both back under their own ids."""

    take_id: int
    name: str
    prompt: RotoPrompt
    _object_id: int | None = field(default=None, repr=False)
    _made_object: bool = field(default=False, repr=False)
    _prompt_id: int | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        return f"Roto {self.name}: {self.prompt.describe()}"

    def apply(self, project: Project) -> Changes:
        take = get_take(project, self.take_id)
        check_prompt(self.prompt, take.width, take.height, take.frames)  # before an object is made for it
        changes = Changes()
        existing = find_object(project, self.take_id, self.name)
        if existing is None:
            obj, changes = add_object(project, self.take_id, self.name, object_id=self._object_id)
            self._made_object = True
        else:
            obj = existing
        self._object_id = obj.id
        placed, more = add_prompt(project, obj.id, self.prompt, prompt_id=self._prompt_id)
        self._prompt_id = placed.id
        return changes | more

    def revert(self, project: Project) -> Changes:
        _p, changes = remove_prompt(project, self._prompt_id)
        if self._made_object:
            _o, more = remove_object(project, self._object_id)
            changes = changes | more
        return changes


@dataclass
class RemoveRotoPrompt:
    """Take a click or box back; undo puts it back under its own id."""

    prompt_id: int
    text: str = "Remove roto prompt"
    _removed: RotoPrompt | None = field(default=None, repr=False)

    def apply(self, project: Project) -> Changes:
        self._removed, changes = remove_prompt(project, self.prompt_id)
        return changes

    def revert(self, project: Project) -> Changes:
        return add_prompt(project, self._removed.object_id, self._removed, prompt_id=self._removed.id)[1]


# -- results ------------------------------------------------------------------------------------


def complete_roto_job(project: Project, job_id: int, meter: dict | None, mattes: list[dict], *,
                      run_facts: RunFacts | None = None, price_per_hour: Decimal | None = None) -> tuple[list[int], Changes]:
    """A finished segment job's mattes, figures, money and run facts in ONE transaction. Each
    matte's files must already be in the media store (a file is complete before a row names it)."""
    from director.store.jobs import _finish_cols

    take_id = json.loads(scalar(project.db, "SELECT params FROM jobs WHERE id = ?", [job_id]) or "{}").get("take_id")
    if take_id is None:
        raise Refused(f"job {job_id} is not a segment job; it has no take to record mattes on")
    for m in mattes:
        for key in ("media_path", "thumb_path"):
            if not project.media.path(m[key]).is_file():
                raise NotFound(f"matte file {m[key]} of job {job_id} is missing from the media store")
    cols = _finish_cols(project, job_id, JobState.DONE, meter, None, None, price_per_hour)
    now = utc_now()
    with project.atomic() as db:
        live = {r["id"] for r in rows(db, "SELECT id FROM roto_objects WHERE take_id = ?", [take_id])}
        ids = []
        for m in mattes:
            cur = db.execute(
                "INSERT INTO mattes (take_id, job_id, object_id, name, media_path, thumb_path, frames, width, height, "
                "extra, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [take_id, job_id, m["object_id"] if m["object_id"] in live else None, m["name"], m["media_path"],
                 m["thumb_path"], m["frames"], m["width"], m["height"], json.dumps(m.get("extra") or {}, sort_keys=True), now])
            ids.append(int(cur.lastrowid))
        if run_facts is not None:
            db.execute("UPDATE jobs SET run_facts = ? WHERE id = ? AND run_facts IS NULL", [run_facts.to_json(), job_id])
        db["jobs"].update(job_id, cols)
    return ids, Changes.of(jobs=[job_id], takes=[take_id], costs=True)
