"""The user's LoRAs per preset, each with a strength; every job queued with that preset records
them (path, strength and the file's SHA-256) in its recipe (`engine.recipes`).

Only local `.safetensors` files: a pickle-based LoRA (.ckpt/.pt/.bin) can run code when loaded.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from director.core.changes import Changes
from director.core.errors import InvalidInput, NotFound
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
    name = name or re.sub(r"[^A-Za-z0-9_.-]", "_", p.stem)[:64] or "lora"
    if not _NAME.match(name):
        raise InvalidInput(f"a LoRA's name is 1-64 letters, digits, '_', '.' or '-' (not starting with '.' or '-'); got {name!r}")
    with project.atomic() as db:
        db.execute(
            "INSERT INTO loras (preset, name, path, strength, created_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (preset, name) DO UPDATE SET path = excluded.path, strength = excluded.strength",
            [preset, name, str(p), strength, utc_now()])
    r = one(project.db, "SELECT id, preset, name, path, strength FROM loras WHERE preset = ? AND name = ?", [preset, name])
    return Lora(**r), Changes.of(project=True)


def remove_lora(project: Project, preset: str, name: str) -> Changes:
    with project.atomic() as db:
        cur = db.execute("DELETE FROM loras WHERE preset = ? AND name = ?", [preset, name])
        if cur.rowcount != 1:
            known = ", ".join(lora.name for lora in list_loras(project, preset)) or "none"
            raise NotFound(f"preset {preset} has no LoRA {name!r} (its LoRAs: {known})")
    return Changes.of(project=True)
