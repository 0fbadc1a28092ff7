"""Queueing roto: a take's prompts become a segment job, and a segment job becomes the worker's request.

The job's recipe records what SAM 2 is asked: the preset, the take (by id and by the SHA-256 of its
media), every object and prompt as they are when it is queued, and the take's size, length and rate.
Later prompt edits change no queued job and no recorded matte. The job is charged, budgeted,
queued, cancelled and retried like any other (`store.jobs`), and its mattes are recorded with its
figures in one transaction (`store.roto.complete_roto_job`).
"""

from __future__ import annotations

from director.core.changes import Changes
from director.core.enums import MediaKind
from director.core.errors import InvalidInput, NotFound
from director.core.recipe import Recipe
from director.engine.actions import Queued
from director.engine.messages import MatteWritten
from director.engine.presets import get_preset, validate_params
from director.engine.recipes import source_of
from director.store import jobs as store_jobs
from director.store.budget import guard_job
from director.store.media import sha256_file
from director.store.project import Project
from director.store.roto import list_objects
from director.store.takes import get_take

DEFAULT_PRESET = "sam2.1-hiera-tiny"


def roto_params(project: Project, take_id: int) -> dict:
    """The segment job's parameters for a take's prompts now (objects without prompts left out)."""
    take = get_take(project, take_id)
    if take.kind is not MediaKind.VIDEO:
        raise InvalidInput(f"take {take_id} is a still; roto mattes are made for video takes")
    objects = [{"id": o.id, "name": o.name, "prompts": [p.as_dict() for p in o.prompts]}
               for o in list_objects(project, take.id) if o.prompts]
    return {"take_id": take.id, "width": take.width, "height": take.height, "frames": take.frames,
            "fps": float(take.rate.fps), "steps": 1, "objects": objects}


def queue_roto(project: Project, take_id: int, preset_id: str = DEFAULT_PRESET) -> Queued:
    """One segment job for the take's current prompts; refused before queueing when the preset is
    not a segment one, the take has no prompts, or the job would pass a hard budget cap."""
    preset = get_preset(preset_id)
    if preset.kind != "segment":
        raise InvalidInput(f"{preset.id} is a {preset.kind} preset; roto needs a segment preset such as {DEFAULT_PRESET}")
    take = get_take(project, take_id)
    params = validate_params(preset, roto_params(project, take.id))
    source = project.media.path(take.media_path)
    if not source.is_file():
        raise NotFound(f"take {take.id}'s media {take.media_path} is missing from the media store")
    estimate = guard_job(project, take.shot_id, preset.id, params, 1)
    recipe = Recipe(prompt="", preset=preset.id, pipeline_class=preset.pipeline, source=source_of(preset),
                    params=params, seeds=(0,), inputs={"take": sha256_file(source)})
    job_id, changes = store_jobs.create_job(
        project, shot_id=take.shot_id, camera_id=take.camera_id, prompt_id=take.prompt_id, preset=preset.id,
        params=params, seeds=[0], parent_take_id=take.id, estimate_gpu_s=estimate.gpu_s, recipe=recipe,
    )
    return Queued((job_id,), changes | Changes(costs=True), preset, params, (0,), (recipe,))


def segment_request(project: Project, recipe: Recipe, params: dict) -> dict:
    """What the worker needs beyond the preset: the take's media (absolute, checked against the
    SHA-256 the recipe recorded) and the objects with their prompts, as queued."""
    take = get_take(project, params["take_id"])
    path = project.media.path(take.media_path)
    if not path.is_file():
        raise NotFound(f"take {take.id}'s media {take.media_path} is missing from the media store")
    recorded = recipe.inputs.get("take")
    if recorded and sha256_file(path) != recorded:
        raise NotFound(f"take {take.id}'s media is not the file the roto job was queued with (its SHA-256 "
                       "differs); the media store was altered")
    return {"video": str(path), "objects": params["objects"]}


def matte_values(event: MatteWritten) -> dict:
    return {"object_id": event.object_id, "name": event.name, "media_path": event.media_path,
            "thumb_path": event.thumb_path, "frames": event.frames, "width": event.width, "height": event.height,
            "extra": event.extra}
