"""Queueing jobs steered by a shot's keyframes or by a control video: the family's rule is checked
first (`engine.conditioning`, `engine.control`), so a preset that cannot take them is refused
with the reason before anything is queued, and each job's recipe records every still, guide and
reference with its SHA-256 (a re-render reads the same pixels).
"""

from __future__ import annotations

from dataclasses import replace

from director.core.changes import Changes
from director.core.errors import InvalidInput
from director.engine import conditioning, control
from director.engine.actions import Queued, plan_generation
from director.engine.encoders import check_role
from director.engine.presets import get_preset, validate_params
from director.engine.recipes import new_recipe
from director.store import jobs as store_jobs
from director.store.budget import guard_job
from director.store.keyframes import list_keyframes
from director.store.media import sha256_file
from director.store.project import Project
from director.store.shots import find_shot


def _provisional(preset, params: dict, first_image: str | None) -> dict:
    """The checked parameters; an image-to-video preset's required input is the first still."""
    given = dict(params or {})
    if preset.kind == "i2v":
        if not first_image:
            raise InvalidInput(f"{preset.id} animates a still: give it a keyframe")
        given["init_image"] = first_image
    return validate_params(preset, given)


def keyframe_plan(project: Project, shot_id: int, preset, params: dict) -> tuple[dict, tuple[dict, ...]]:
    """(checked params, the recipe's keyframes) for the shot's strip with this preset, or InvalidInput."""
    strip = list_keyframes(project, shot_id)
    if not strip:
        raise InvalidInput("the shot has no keyframes; add one with 'director keyframe add'")
    checked = _provisional(preset, params, strip[0].media_path)
    where = conditioning.plan(preset, strip, checked.get("frames", 1))
    if preset.kind == "i2v":  # the still the job starts from is the strip's earliest
        checked = validate_params(preset, {**checked, "init_image": where[0][1]})
    recorded = tuple({"frame": i, "media_path": path, "sha256": sha256_file(project.media.path(path))} for i, path in where)
    return checked, recorded


def queue_steered(project: Project, shot_code: str, preset_id: str, *, keyframes: bool = True,
                  control_spec: dict | None = None, cameras=None, all_cameras: bool = False, variants: int = 1,
                  seed_mode: str = "random", seeds=(), params: dict | None = None, quality: str = "draft") -> Queued:
    """One job per camera steered by the shot's keyframes (`keyframes`) and/or a control
    (`control_spec`: `control.recipe_control`'s dict); refused before queueing when the family
    takes neither or the budget would be passed."""
    check_role(quality)
    shot = find_shot(project, shot_code)
    preset = get_preset(preset_id)
    if not keyframes and not control_spec:
        raise InvalidInput("a steered job needs the shot's keyframes or a control video")
    recorded: tuple[dict, ...] = ()
    if keyframes:
        checked, recorded = keyframe_plan(project, shot.id, preset, params or {})
    else:
        checked = validate_params(preset, dict(params or {}))
    if control_spec:
        why = control.takes_control(preset)
        if why:
            raise InvalidInput(why)
        if recorded and preset.pipeline == "WanVACEPipeline":
            raise InvalidInput("VACE takes keyframes or a control video in one job, not both; remove one")
    targets, prompt_id, preset, checked, chosen = plan_generation(
        project, shot_code, preset_id, cameras=cameras, all_cameras=all_cameras, variants=variants,
        seed_mode=seed_mode, seeds=seeds, params=checked)
    estimate = guard_job(project, shot.id, preset.id, checked, len(chosen) * len(targets))
    per_job = estimate.gpu_s / len(targets) if estimate.known else None
    recipes = [replace(new_recipe(project, preset=preset, params=checked, seeds=chosen, prompt_id=prompt_id, camera_id=cam),
                       quality=quality, keyframes=recorded, control=dict(control_spec or {}))
               for _shot, cam in targets]
    ids, changes = [], Changes()
    for (shot_id, camera_id), recipe in zip(targets, recipes):
        job_id, ch = store_jobs.create_job(project, shot_id=shot_id, camera_id=camera_id, prompt_id=prompt_id,
                                           preset=preset.id, params=checked, seeds=chosen, estimate_gpu_s=per_job,
                                           recipe=recipe)
        ids.append(job_id)
        changes = changes | ch
    return Queued(tuple(ids), changes | Changes(costs=True), preset, checked, tuple(chosen), tuple(recipes))
