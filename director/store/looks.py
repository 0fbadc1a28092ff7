"""Look presets: named look text (film stock, grade, grain) stored in the project, reusable on any shot."""

from __future__ import annotations

from director.core.changes import Changes
from director.core.errors import InvalidInput, NotFound
from director.store.project import Project
from director.store.rows import one, rows


def list_looks(project: Project) -> list[tuple[str, str]]:
    """(name, text) by name."""
    return [(r["name"], r["text"]) for r in rows(project.db, "SELECT name, text FROM look_presets ORDER BY name COLLATE NOCASE")]


def get_look(project: Project, name: str) -> str | None:
    r = one(project.db, "SELECT text FROM look_presets WHERE name = ?", [name.strip()])
    return r["text"] if r else None


def save_look(project: Project, name: str, text: str) -> Changes:
    """Create or replace a look preset."""
    name, text = " ".join((name or "").split()), " ".join((text or "").split())
    if not name:
        raise InvalidInput("a look preset needs a name, such as 'Bleach bypass'")
    if not text:
        raise InvalidInput("a look preset needs its look text, such as 'bleach bypass, crushed blacks, silver sheen'")
    with project.atomic() as db:
        db.execute(
            "INSERT INTO look_presets (name, text) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET text = excluded.text",
            [name, text],
        )
    return Changes(looks=True)


def delete_look(project: Project, name: str) -> Changes:
    if get_look(project, name) is None:
        raise NotFound(f"no look preset {name!r}")
    with project.atomic() as db:
        db.execute("DELETE FROM look_presets WHERE name = ?", [name.strip()])
    return Changes(looks=True)
