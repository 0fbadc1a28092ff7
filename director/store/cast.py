"""The cast as a director works with it, and the screenplay flags a director clears.

`store.script` creates the cast at import and keeps the look notes and reference images; this module
adds what the Cast panel and `director cast|script …` change afterwards, each as an Edit (apply and
revert in one transaction each), so the window undoes it and the CLI applies it once:

- a member's look notes, and adding or removing a reference image (content-addressed media);
- per shot, which members' reference images it uses (`shot_cast`, migration 0019), read by the
  steered jobs that can take references (Wan VACE, `engine.control`);
- marking a scene's or shot's 'changed' / 'removed' flag as seen.

Where a member appears is read, never stored: a shot's dialogue speakers and the names in its
current prompt's subject and action, by the same rule the import uses for action paragraphs
(`core.screenplay`), so a prompt the director edits moves the member with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from director.core.changes import Changes
from director.core.errors import InvalidInput, NotFound
from director.core.screenplay import _names_in as names_in
from director.store import script
from director.store.project import Project
from director.store.rows import one, rows, scalar

FLAGS = ("changed", "removed")  # what a re-import marks and a director can mark seen ('new' is no flag)
CAST_CHANGES = Changes(cast=True)


def get_member(project: Project, name: str) -> script.CastMember:
    wanted = name.strip().casefold()
    for member in script.list_cast(project):
        if member.name.casefold() == wanted:
            return member
    known = ", ".join(m.name for m in script.list_cast(project)) or "none yet; import a screenplay first"
    raise NotFound(f"no cast member called {name!r} (cast: {known})")


# -- where each member appears -------------------------------------------------------------------


@dataclass(frozen=True)
class Appearance:
    shot_id: int
    shot_code: str
    scene_code: str  # '' for a shot without a scene


def appearances(project: Project) -> dict[str, tuple[Appearance, ...]]:
    """cast name → the live shots (in shot-list order) where the member speaks or is named in the
    shot's current prompt (subject or action)."""
    names = {m.name for m in script.list_cast(project)}
    out: dict[str, list[Appearance]] = {n: [] for n in names}
    if not names:
        return {}
    got = rows(
        project.db,
        "SELECT s.id, s.code, s.dialogue, coalesce(sc.code, '') AS scene_code, coalesce(p.subject, '') AS subject, "
        "coalesce(p.action, '') AS action FROM shots s LEFT JOIN scenes sc ON sc.id = s.scene_id "
        "LEFT JOIN prompts p ON p.id = s.current_prompt_id WHERE s.deleted_at IS NULL "
        "ORDER BY coalesce(sc.ord, 0), s.ord, s.id",
    )
    folded = {n.casefold(): n for n in names}
    for r in got:
        present = set(names_in(f"{r['subject']}\n{r['action']}", names))
        present |= {folded[d["character"].casefold()] for d in json.loads(r["dialogue"] or "[]")
                    if d.get("character", "").casefold() in folded}
        for name in present:
            out[name].append(Appearance(r["id"], r["code"], r["scene_code"]))
    return {n: tuple(a) for n, a in out.items()}


# -- per-shot references ---------------------------------------------------------------------------


def shot_references(project: Project, shot_id: int) -> list[str]:
    """Names of the cast members a shot uses as references, by name."""
    return [r["name"] for r in rows(
        project.db,
        "SELECT c.name FROM shot_cast sc JOIN cast_members c ON c.id = sc.cast_id WHERE sc.shot_id = ? ORDER BY c.name",
        [shot_id],
    )]


def reference_images(project: Project, shot_id: int) -> list[str]:
    """The media paths of every reference image of the cast members a shot uses (name order)."""
    by_name = {m.name: m for m in script.list_cast(project)}
    return [image for name in shot_references(project, shot_id) for image in by_name[name].images]


def _set_reference(project: Project, shot_id: int, cast_id: int, used: bool) -> Changes:
    with project.atomic() as db:
        if used:
            db.execute("INSERT OR IGNORE INTO shot_cast (shot_id, cast_id) VALUES (?, ?)", [shot_id, cast_id])
        else:
            db.execute("DELETE FROM shot_cast WHERE shot_id = ? AND cast_id = ?", [shot_id, cast_id])
    return Changes(cast=True, shots=frozenset({shot_id}))


@dataclass
class SetShotReference:
    """Use (or stop using) a cast member's reference images for a shot's steered jobs."""

    shot_id: int
    name: str
    used: bool
    _was: bool | None = field(default=None, repr=False)
    _cast_id: int | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        return f"{'Use' if self.used else 'Stop using'} {self.name} as a reference"

    def apply(self, project: Project) -> Changes:
        if self._cast_id is None:
            member = get_member(project, self.name)
            if scalar(project.db, "SELECT 1 FROM shots WHERE id = ? AND deleted_at IS NULL", [self.shot_id]) is None:
                raise NotFound(f"no shot with id {self.shot_id}")
            if self.used and not member.images:
                raise InvalidInput(f"{member.name} has no reference images yet; add one first")
            self._cast_id = member.id
            self._was = bool(scalar(project.db, "SELECT 1 FROM shot_cast WHERE shot_id = ? AND cast_id = ?", [self.shot_id, member.id]))
        return _set_reference(project, self.shot_id, self._cast_id, self.used)

    def revert(self, project: Project) -> Changes:
        return _set_reference(project, self.shot_id, self._cast_id, bool(self._was))


# -- look notes and images ------------------------------------------------------------------------

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


def import_reference(project: Project, source) -> str:
    """Copy a reference image into the media store (content-addressed); its media path. Files
    only, no rows, so the window runs it on a pool thread and then pushes `AddCastImage`."""
    from pathlib import Path

    file = Path(source).expanduser()
    if not file.is_file():
        raise InvalidInput(f"no image at {file}")
    if file.suffix.lower() not in IMAGE_SUFFIXES:
        raise InvalidInput(f"{file.name}: a reference image is a PNG, JPEG or WebP file")
    return project.media.import_file(file)



@dataclass
class SetCastLook:
    """A member's look notes (later prompt drafts and re-imports put them in the subject)."""

    name: str
    look_notes: str
    _old: str | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        return f"Look of {self.name}"

    def apply(self, project: Project) -> Changes:
        if self._old is None:
            self._old = get_member(project, self.name).look_notes
        script.set_cast_look(project, self.name, self.look_notes)
        return CAST_CHANGES

    def revert(self, project: Project) -> Changes:
        script.set_cast_look(project, self.name, self._old or "")
        return CAST_CHANGES


def _image_note(project: Project, cast_id: int, relative: str) -> str | None:
    r = one(project.db, "SELECT note FROM cast_images WHERE cast_id = ? AND media_path = ?", [cast_id, relative])
    return None if r is None else r["note"]


def _remove_image(project: Project, cast_id: int, relative: str) -> None:
    with project.atomic() as db:
        db.execute("DELETE FROM cast_images WHERE cast_id = ? AND media_path = ?", [cast_id, relative])


@dataclass
class AddCastImage:
    """A reference image already in the media store (`MediaStore.import_file`) for a member."""

    name: str
    media_path: str
    note: str = ""
    _had: bool | None = field(default=None, repr=False)
    _cast_id: int | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        return f"Add a reference image of {self.name}"

    def apply(self, project: Project) -> Changes:
        if self._cast_id is None:
            member = get_member(project, self.name)
            self._cast_id = member.id
            self._had = self.media_path in member.images
        script.add_cast_image(project, self.name, self.media_path, self.note)
        return CAST_CHANGES

    def revert(self, project: Project) -> Changes:
        if not self._had:  # an image it already had stays
            _remove_image(project, self._cast_id, self.media_path)
        return CAST_CHANGES


@dataclass
class RemoveCastImage:
    """Take a reference image off a member; the file stays in the media store until a purge finds
    nothing naming it, so undo puts the same image back with its note."""

    name: str
    media_path: str
    _note: str | None = field(default=None, repr=False)
    _cast_id: int | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        return f"Remove a reference image of {self.name}"

    def apply(self, project: Project) -> Changes:
        if self._cast_id is None:
            member = get_member(project, self.name)
            note = _image_note(project, member.id, self.media_path)
            if note is None:
                raise NotFound(f"{member.name} has no reference image {self.media_path!r}; 'director cast list --json' shows them")
            self._cast_id, self._note = member.id, note
        _remove_image(project, self._cast_id, self.media_path)
        return CAST_CHANGES

    def revert(self, project: Project) -> Changes:
        script.add_cast_image(project, self.name, self.media_path, self._note or "")
        return CAST_CHANGES


# -- screenplay flags -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScriptDiff:
    """What a re-import changed, for reading before marking it seen: (label, unified diff) parts."""

    title: str
    status: str | None
    parts: tuple[tuple[str, str], ...]

    def text(self) -> str:
        if not self.parts:
            return f"{self.title}: no script change recorded"
        return "\n\n".join(f"{label}\n{diff}" for label, diff in self.parts)


def _removed_lines(project: Project, shot_id: int) -> str:
    return "\n".join(f"-{line}" for line in script._lines_of(project, shot_id))


def _shot_part(project: Project, r: dict) -> tuple[str, str] | None:
    if r["script_status"] == "changed":
        return (f"Shot {r['code']} (changed)", r["script_note"] or "(no text difference recorded)")
    if r["script_status"] == "removed":
        gone = "in the bin" if r["deleted_at"] else "kept: it is locked"
        return (f"Shot {r['code']} (removed from the script, {gone})", _removed_lines(project, r["id"]))
    if r["script_note"]:  # marked seen: the last change stays readable
        return (f"Shot {r['code']} (changed, seen)", r["script_note"])
    return None


def shot_diff(project: Project, shot_id: int) -> ScriptDiff:
    r = one(project.db, "SELECT id, code, script_status, script_note, deleted_at FROM shots WHERE id = ?", [shot_id])
    if r is None:
        raise NotFound(f"no shot with id {shot_id}")
    part = _shot_part(project, r)
    return ScriptDiff(f"Shot {r['code']}", r["script_status"] if r["script_status"] in FLAGS else None, (part,) if part else ())


def scene_diff(project: Project, scene_id: int) -> ScriptDiff:
    """A scene's heading change and those of its shots (live, and binned by the re-import)."""
    s = one(project.db, "SELECT id, code, heading, script_status, script_note FROM scenes WHERE id = ?", [scene_id])
    if s is None:
        raise NotFound(f"no scene with id {scene_id}")
    parts: list[tuple[str, str]] = []
    if s["script_status"] == "changed":
        parts.append((f"Scene {s['code']} heading", s["script_note"] or f"(heading now: {s['heading']})"))
    elif s["script_status"] == "removed":
        parts.append((f"Scene {s['code']} (removed from the script)", f"-{s['heading']}"))
    elif s["script_note"]:
        parts.append((f"Scene {s['code']} heading (seen)", s["script_note"]))
    for r in rows(project.db, "SELECT id, code, script_status, script_note, deleted_at FROM shots WHERE scene_id = ? "
                              "AND (script_status IN ('changed', 'removed') OR (script_note != '' AND deleted_at IS NULL)) "
                              "ORDER BY ord, id", [scene_id]):
        part = _shot_part(project, r)
        if part:
            parts.append(part)
    return ScriptDiff(f"Scene {s['code']}", s["script_status"] if s["script_status"] in FLAGS else None, tuple(parts))


def shot_flagged(project: Project, shot_id: int) -> bool:
    return scalar(project.db, "SELECT 1 FROM shots WHERE id = ? AND script_status IN ('changed', 'removed')", [shot_id]) is not None


def scene_flagged(project: Project, scene_id: int) -> bool:
    """The scene's own flag, or one of its live shots'."""
    return scalar(
        project.db,
        "SELECT 1 FROM scenes WHERE id = ? AND script_status IN ('changed', 'removed') UNION ALL "
        "SELECT 1 FROM shots WHERE scene_id = ? AND deleted_at IS NULL AND script_status IN ('changed', 'removed')",
        [scene_id, scene_id],
    ) is not None


@dataclass
class MarkScriptSeen:
    """Clear the 'changed' / 'removed' flag of a shot, or of a scene and its live shots; the diff
    itself stays readable. Undo puts every flag back as it was."""

    shot_id: int | None = None
    scene_id: int | None = None
    label: str = ""
    _shots: dict = field(default_factory=dict, repr=False)  # shot id → its flag before
    _scene: str | None = field(default=None, repr=False)
    _taken: bool = field(default=False, repr=False)

    @property
    def text(self) -> str:
        return f"Mark script change seen{f' ({self.label})' if self.label else ''}"

    def _capture(self, project: Project) -> None:
        if self.scene_id is not None:
            r = one(project.db, "SELECT code, script_status FROM scenes WHERE id = ?", [self.scene_id])
            if r is None:
                raise NotFound(f"no scene with id {self.scene_id}")
            self._scene = r["script_status"] if r["script_status"] in FLAGS else None
            found = rows(project.db, "SELECT id, script_status FROM shots WHERE scene_id = ? AND deleted_at IS NULL "
                                     "AND script_status IN ('changed', 'removed')", [self.scene_id])
            what = f"scene {r['code']}"
        else:
            r = one(project.db, "SELECT code, script_status FROM shots WHERE id = ?", [self.shot_id])
            if r is None:
                raise NotFound(f"no shot with id {self.shot_id}")
            found = [{"id": self.shot_id, "script_status": r["script_status"]}] if r["script_status"] in FLAGS else []
            what = f"shot {r['code']}"
        self._shots = {f["id"]: f["script_status"] for f in found}
        if not self._shots and self._scene is None:
            raise InvalidInput(f"{what} has no script change to mark seen")
        self.label = self.label or what
        self._taken = True

    def _write(self, project: Project, seen: bool) -> Changes:
        with project.atomic() as db:
            if self.scene_id is not None and self._scene is not None:
                db.execute("UPDATE scenes SET script_status = ? WHERE id = ?", [None if seen else self._scene, self.scene_id])
            for shot_id, flag in self._shots.items():
                db.execute("UPDATE shots SET script_status = ? WHERE id = ?", [None if seen else flag, shot_id])
        scenes = [self.scene_id] if self.scene_id is not None else []
        return Changes.of(scenes=scenes, shots=list(self._shots))

    def apply(self, project: Project) -> Changes:
        if not self._taken:
            self._capture(project)
        return self._write(project, True)

    def revert(self, project: Project) -> Changes:
        return self._write(project, False)
