"""A job's recipe, written when it is queued: the exact request the worker will run.

The text sent to the model is the shot prompt version composed with the camera's setup *at queue
time*; editing the camera or the prompt afterwards changes neither a queued job nor a past take.
Every queueing verb (`engine.actions`) builds its recipe here, and the runner (`engine.runner`)
turns a recipe into the worker's request without composing anything again.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, replace

from director.core.errors import NotFound, Refused
from director.core.model import Job
from director.core.prompt import PromptFields
from director.core.recipe import Recipe
from director.engine.lora import recipe_loras
from director.engine.presets import Preset
from director.engine.previz.spec import scene_for
from director.store.cameras import get_camera
from director.store.media import sha256_file
from director.store.project import Project
from director.store.prompts import get_prompt

log = logging.getLogger("director.engine.recipes")

# The validated parameters that name an input file in the media store, and the role its hash is
# recorded under in `Recipe.inputs`.
INPUT_PARAMS = ("init_image",)


def source_of(preset: Preset) -> str:
    """Where the preset's weights come from: a hub id, a local folder or file, or "builtin:<id>"
    for a pipeline built in-process (the tiny presets; exports read that as random weights)."""
    return f"builtin:{preset.id}" if preset.builder else preset.source


def input_hashes(project: Project, params: dict) -> dict:
    """role → SHA-256 of each input file the parameters name (an init image, or the clip extend
    starts from), read from the media store now; a missing file is refused before queueing."""
    out = {}
    for role in INPUT_PARAMS:
        relative = params.get(role)
        if not relative:
            continue
        path = project.media.path(relative)
        if not path.is_file():
            raise NotFound(f"the input {relative} is missing from the media store")
        out[role] = sha256_file(path)
    return out


def compose(project: Project, prompt_id: int | None, camera_id: int | None) -> tuple[PromptFields, str, dict, str]:
    """(prompt fields, camera name, camera setup, the text sent to the model), as they are now."""
    if prompt_id is None:
        raise Refused("a job needs a prompt version")
    fields = get_prompt(project, prompt_id).fields
    camera = get_camera(project, camera_id) if camera_id is not None else None
    setup = camera.setup if camera is not None else None
    return fields, camera.name if camera else "", asdict(setup) if setup else {}, fields.compose(setup)


def new_recipe(project: Project, *, preset: Preset, params: dict, seeds, prompt_id: int | None,
               camera_id: int | None) -> Recipe:
    """The recipe of a job queued now: the prompt version composed with the camera's setup of
    this moment, the validated parameters, the seeds and the hashes of its inputs."""
    fields, camera, setup, text = compose(project, prompt_id, camera_id)
    return Recipe(
        prompt=text,
        negative=params.get("negative") or fields.negative,
        camera=camera,
        camera_setup=setup,
        preset=preset.id,
        pipeline_class=preset.pipeline,
        source=source_of(preset),
        params=dict(params),
        seeds=tuple(int(s) for s in seeds),
        inputs=input_hashes(project, params),
        loras=recipe_loras(project, preset.id),
        scene=scene_for(project, preset, params, prompt_id, camera),  # {} unless the preset is the previz
    )


def replay(recipe: Recipe, seeds) -> Recipe:
    """The same recipe for other seeds (a re-render of one take): nothing recomposed, no run facts."""
    return replace(recipe, seeds=tuple(int(s) for s in seeds), run=None)


def recipe_of_job(project: Project, job: Job) -> Recipe:
    """The job's recorded recipe; for a job queued by a Director that recorded none, one composed
    now from its prompt version and the camera's *current* setup (what such a job always ran),
    said in the log because the camera may have changed since it was queued."""
    from director.store.jobs import job_recipe

    recipe = job_recipe(project, job.id)
    if recipe is not None:
        return replace(recipe, run=None)
    if job.prompt_id is None:
        raise Refused(f"job {job.id} has no prompt version")
    log.warning("job %d has no recorded recipe (queued by an older Director): its prompt is composed from "
                "the camera's current setup", job.id)
    fields, camera, setup, text = compose(project, job.prompt_id, job.camera_id)
    return Recipe(prompt=text, negative=job.params.get("negative") or fields.negative, camera=camera,
                  camera_setup=setup, preset=job.preset, params=dict(job.params), seeds=tuple(job.seeds))
