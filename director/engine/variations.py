"""More like this: N variations around a take the director liked, recorded as its children.

Neighbouring seeds replay the take's recorded recipe (same text, preset, parameters and inputs) so
only the noise changes; prompt variations are texts the director sees and may edit before anything
is queued (`suggest_wordings` proposes them from the recorded text, never from today's prompt).
Every variation records the take as its parent, so the gallery can group them.
"""

from __future__ import annotations

from dataclasses import replace

from director.core.changes import Changes
from director.core.errors import InvalidInput
from director.engine.actions import Queued, _queue_from_take
from director.engine.presets import get_preset
from director.engine.recipes import recipe_of_job, replay
from director.store import jobs as store_jobs
from director.store.project import Project
from director.store.takes import get_take

MAX_VARIATIONS = 32
# Small changes of emphasis that keep the subject and framing: what a director would try next.
NUDGES = ("more dramatic lighting", "softer light", "closer framing", "wider framing", "different time of day", "more motion")


def neighbouring_seeds(seed: int, n: int) -> list[int]:
    """seed+1, seed-1, seed+2, … : close in number, never the parent's own seed, never negative."""
    out, step = [], 1
    while len(out) < n:
        for candidate in (seed + step, seed - step):
            if candidate >= 0 and candidate != seed and candidate not in out and len(out) < n:
                out.append(candidate)
        step += 1
    return out


def suggest_wordings(project: Project, take_id: int, n: int = 3) -> list[str]:
    """Prompt variations to show (and edit) before queueing: the recorded text with one nudge each."""
    take = get_take(project, take_id)
    recipe = recipe_of_job(project, store_jobs.get_job(project, take.job_id))
    return [f"{recipe.prompt}, {nudge}" for nudge in NUDGES[: max(0, min(n, len(NUDGES)))]]


def more_like_this(project: Project, take_id: int, *, variants: int = 4, wordings: list[str] | None = None) -> Queued:
    """Queue `variants` neighbouring seeds of the take's recipe, once per wording (the recorded text
    when none is given). One job per wording, each with the take as parent."""
    if not 1 <= variants <= MAX_VARIATIONS:
        raise InvalidInput(f"variations must be 1 to {MAX_VARIATIONS}, got {variants}; nearest valid: {min(max(variants, 1), MAX_VARIATIONS)}")
    take = get_take(project, take_id)
    job = store_jobs.get_job(project, take.job_id)
    base = recipe_of_job(project, job)
    preset = get_preset(base.preset or job.preset)
    seeds = neighbouring_seeds(take.seed, variants)
    texts = [" ".join(w.split()) for w in (wordings or []) if w and w.strip()] or [base.prompt]
    if len(set(texts)) != len(texts):
        raise InvalidInput("the same wording is given twice; each variation once")
    ids, changes, recipes = [], Changes(), []
    for text in texts:
        recipe = replace(replay(base, seeds), prompt=text)
        queued = _queue_from_take(project, take_id, preset, dict(base.params), seeds, recipe)
        ids += queued.job_ids
        changes = changes | queued.changes
        recipes += queued.recipes
    return Queued(tuple(ids), changes, preset, dict(base.params), tuple(seeds), tuple(recipes))
