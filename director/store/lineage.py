"""Lineage: which take a take was made from and which were made from it, and putting a new version
in the cut in place of its source.

The one fact is `takes.parent_take_id`, copied from the job that made the take (promote, extend,
image to video, re-render and more-like-this record their source take as the job's parent). The
gallery's chain badge, the viewer's parent and children and "Use in cut" all read it here.
"""

from __future__ import annotations

from dataclasses import dataclass

from director.core.errors import InvalidInput, NotFound
from director.core.model import Take
from director.store.project import Project
from director.store.rows import rows
from director.store.takes import TAKE_SELECT, _take, get_take
from director.store.timeline import Resolver, TimelineEdit, load_timeline, set_clip_take


@dataclass(frozen=True)
class Lineage:
    take_id: int
    parent: Take | None  # None: made from a prompt, or its source was emptied from the bin
    children: tuple[Take, ...]  # live takes made from it, oldest first

    @property
    def linked(self) -> bool:
        return self.parent is not None or bool(self.children)


def lineage(project: Project, take_id: int) -> Lineage:
    take = get_take(project, take_id)
    parent = None
    if take.parent_take_id is not None:
        try:
            parent = get_take(project, take.parent_take_id)
        except NotFound:
            parent = None
    children = tuple(_take(r) for r in rows(
        project.db, f"{TAKE_SELECT} WHERE t.parent_take_id = ? AND t.deleted_at IS NULL ORDER BY t.created_at, t.id", [take_id]))
    return Lineage(take_id, parent, children)


def parents_in_shot(project: Project, shot_id: int) -> set[int]:
    """Ids of the shot's takes that have live children (a take's versions stay in its shot), so
    a gallery can badge a source as well as its versions with one query."""
    return {r["parent_take_id"] for r in rows(
        project.db, "SELECT DISTINCT parent_take_id FROM takes WHERE shot_id = ? AND parent_take_id IS NOT NULL AND deleted_at IS NULL",
        [shot_id])}


def use_in_cut(project: Project, take_id: int, timeline_id: int | None = None) -> TimelineEdit:
    """The undoable edit that shows `take_id` in the cut instead of what its camera shows now: in
    the first clip of its shot showing its source take (its parent), else the shot's first clip."""
    take = get_take(project, take_id)
    if take.deleted:
        raise InvalidInput(f"take {take_id} is in the bin; restore it first")
    if take.camera_id is None:
        raise InvalidInput(f"take {take_id} has no camera, so no clip can show it")
    timeline = load_timeline(project, timeline_id)
    clips = [item for track in timeline.tracks for item in track.items
             if getattr(item, "shot_id", None) == take.shot_id]
    if not clips:
        code = Resolver(project).shot_code(take.shot_id)
        raise NotFound(f"shot {code} is not in the cut {timeline.name!r}; add the take to the timeline instead")
    showing_source = [c for c in clips if take.parent_take_id is not None and c.takes.get(take.camera_id) == take.parent_take_id]
    clip = (showing_source or clips)[0]
    if clip.takes.get(take.camera_id) == take_id:
        raise InvalidInput(f"take {take_id} is already in the cut")
    return set_clip_take(project, clip.id, take_id)


def group_variations(takes: list[Take]) -> list[tuple[Take, int]]:
    """The gallery's "Group variations" order: each take followed by the takes made from it
    (more-like-this, promote, extend…), recursively, each with its depth (0: not made from a take
    shown here). Roots and siblings keep the order they were given (the gallery's sort); a take
    whose source is not in the list stays where it is, at depth 0."""
    shown = {t.id for t in takes}
    children: dict[int, list[Take]] = {}
    roots = []
    for take in takes:
        if take.parent_take_id in shown and take.parent_take_id != take.id:
            children.setdefault(take.parent_take_id, []).append(take)
        else:
            roots.append(take)
    out: list[tuple[Take, int]] = []
    placed: set[int] = set()

    def place(take: Take, depth: int) -> None:
        if take.id in placed:  # a loop of hand-edited rows: show each take once
            return
        placed.add(take.id)
        out.append((take, depth))
        for child in children.get(take.id, ()):
            place(child, depth + 1)

    for take in roots:
        place(take, 0)
    for take in takes:  # only reachable through a loop: still shown, once
        place(take, 0)
    return out
