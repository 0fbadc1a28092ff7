"""The user's LoRAs per preset, each with a strength; every job queued with that preset records
them (path, strength and the file's SHA-256) in its recipe (`engine.recipes`).

Only local `.safetensors` files: a pickle-based LoRA (.ckpt/.pt/.bin) can run code when loaded.

`director lora add|remove` call `add_lora` / `remove_lora` once; the window wraps the same calls in
undoable edits (`SetLora`, `RemoveLora`) that put back what was there, under its own id.
"""

from __future__ import annotations

import math
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from director.core.changes import Changes
from director.core.errors import InvalidInput, NotFound, Refused
from director.store.ids import next_id
from director.store.project import Project, utc_now
from director.store.rows import one, rows

STRENGTH_RANGE = (-4.0, 4.0)
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Lora:
    id: int
    preset: str
    name: str  # the adapter name diffusers is given
    path: str  # absolute path of a local .safetensors file
    strength: float


def check_strength(value) -> float:
    lo, hi = STRENGTH_RANGE
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"a LoRA's strength is a number from {lo:g} to {hi:g}; got {value!r}") from None
    if math.isnan(x) or not lo <= x <= hi:
        raise InvalidInput(f"LoRA strength {value} is out of range ({lo:g} to {hi:g}); nearest valid: "
                           f"{0.0 if math.isnan(x) else max(lo, min(hi, x)):g}")
    return x


def check_file(path: str | Path) -> Path:
    """A LoRA file the engine may load: an existing local .safetensors file."""
    p = Path(path).expanduser()
    if p.suffix.lower() != ".safetensors":
        raise InvalidInput(f"{p.name}: Director loads LoRAs only as .safetensors (a {p.suffix or 'suffix-less'} file can "
                           "run code when loaded, or is not a LoRA); convert it to safetensors first")
    if not p.is_file():
        raise NotFound(f"no LoRA file at {p}")
    return p.resolve()


def default_name(path: str | Path) -> str:
    """The adapter name a LoRA gets when none is given: its file's stem, made safe."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", Path(path).expanduser().stem)[:64] or "lora"


def list_loras(project: Project, preset: str | None = None) -> list[Lora]:
    if preset is None:
        found = rows(project.db, "SELECT id, preset, name, path, strength FROM loras ORDER BY preset, id")
    else:
        found = rows(project.db, "SELECT id, preset, name, path, strength FROM loras WHERE preset = ? ORDER BY id", [preset])
    return [Lora(**r) for r in found]


def add_lora(project: Project, preset: str, path: str | Path, strength: float = 1.0, name: str | None = None) -> tuple[Lora, Changes]:
    """Add a LoRA to a preset (or change the strength of the one with that name)."""
    p = check_file(path)
    strength = check_strength(strength)
    name = name or default_name(p)
    if not _NAME.match(name):
        raise InvalidInput(f"a LoRA's name is 1-64 letters, digits, '_', '.' or '-' (not starting with '.' or '-'); got {name!r}")
    with project.atomic() as db:
        # A fresh id from store.ids: an id undo deleted is never handed to another LoRA.
        db.execute(
            "INSERT INTO loras (id, preset, name, path, strength, created_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (preset, name) DO UPDATE SET path = excluded.path, strength = excluded.strength",
            [next_id(db, "loras"), preset, name, str(p), strength, utc_now()])
    return find_lora(project, preset, name), Changes.of(project=True)


def remove_lora(project: Project, preset: str, name: str) -> Changes:
    with project.atomic() as db:
        cur = db.execute("DELETE FROM loras WHERE preset = ? AND name = ?", [preset, name])
        if cur.rowcount != 1:
            known = ", ".join(lora.name for lora in list_loras(project, preset)) or "none"
            raise NotFound(f"preset {preset} has no LoRA {name!r} (its LoRAs: {known})")
    return Changes.of(project=True)


def find_lora(project: Project, preset: str, name: str) -> Lora | None:
    r = one(project.db, "SELECT id, preset, name, path, strength FROM loras WHERE preset = ? AND name = ?", [preset, name])
    return Lora(**r) if r else None


def _put_back(project: Project, lora: Lora) -> Changes:
    """Write a LoRA row back as it was (undo and redo): its preset, name, file and strength, under its own id."""
    try:
        with project.atomic() as db:
            db.execute(
                "INSERT INTO loras (id, preset, name, path, strength, created_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET preset = excluded.preset, name = excluded.name, path = excluded.path, "
                "strength = excluded.strength",
                [lora.id, lora.preset, lora.name, lora.path, lora.strength, utc_now()])
    except sqlite3.IntegrityError:  # another LoRA of that preset took the name meanwhile
        raise Refused(f"preset {lora.preset} already has another LoRA called {lora.name!r}; remove it first") from None
    return Changes.of(project=True)


def _delete(project: Project, lora_id: int) -> Changes:
    with project.atomic() as db:
        db.execute("DELETE FROM loras WHERE id = ?", [lora_id])
    return Changes.of(project=True)


@dataclass
class SetLora:
    """Add a LoRA to a preset, or change the file or strength of the one with that name: the same
    `add_lora` as `director lora add`. Undo puts back what was there (nothing, or the old row)."""

    preset: str
    path: str
    strength: float = 1.0
    name: str | None = None
    text: str = ""
    _before: Lora | None = field(default=None, repr=False)
    _after: Lora | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.text = self.text or f"Set LoRA {self.name or default_name(self.path)} ({self.strength:g})"

    def apply(self, project: Project) -> Changes:
        if self._after is not None:  # redo: the row as the first apply left it
            return _put_back(project, self._after)
        before = find_lora(project, self.preset, self.name or default_name(check_file(self.path)))
        self._after, changes = add_lora(project, self.preset, self.path, self.strength, self.name)
        self._before = before
        return changes

    def revert(self, project: Project) -> Changes:
        return _put_back(project, self._before) if self._before else _delete(project, self._after.id)


@dataclass
class RemoveLora:
    """Take a LoRA off a preset (`remove_lora`, as `director lora remove`); undo puts it back under its own id."""

    preset: str
    name: str
    text: str = ""
    _removed: Lora | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.text = self.text or f"Remove LoRA {self.name}"

    def apply(self, project: Project) -> Changes:
        removed = find_lora(project, self.preset, self.name)
        changes = remove_lora(project, self.preset, self.name)  # refuses a name the preset lacks, by name
        self._removed = removed
        return changes

    def revert(self, project: Project) -> Changes:
        return _put_back(project, self._removed)
