"""What steers a job beyond its prompt — keyframes, LoRAs, a control video, speed options — on its
way from the recipe to the pipeline call.

`request_fields` (app side, in `runner.build_request`): the recipe's keyframes, LoRAs and control
as absolute paths, each file checked against the SHA-256 recorded when the job was queued, and
the preset's speed options from the engine settings. `steer` (worker side, in the worker's call
arguments): the pipeline arguments they become.
"""

from __future__ import annotations

from director.core.errors import NotFound
from director.core.recipe import Recipe
from director.engine.presets import Preset, load_settings
from director.store.media import sha256_file
from director.store.project import Project


def checked_path(project: Project, relative: str, sha256: str | None, what: str) -> str:
    """The absolute path of a media-store file a job was queued with, refused if it is gone or altered."""
    path = project.media.path(relative)
    if not path.is_file():
        raise NotFound(f"the {what} {relative} is missing from the media store")
    if sha256 and sha256_file(path) != sha256:
        raise NotFound(f"the {what} {relative} is not the file the job was queued with (its SHA-256 differs); "
                       "the media store was altered")
    return str(path)


def request_fields(project: Project, recipe: Recipe, preset: Preset) -> dict:
    """JobRequest fields for the recipe's keyframes, LoRAs, control and driving sound, and the preset's speed options."""
    from director.engine import audio_drive, control, lora, speed

    keyframes = tuple((int(k["frame"]), checked_path(project, k["media_path"], k.get("sha256"), "keyframe"))
                      for k in recipe.keyframes)
    return {
        "keyframes": keyframes,
        "loras": lora.request_loras(recipe.loras),
        "control": control.request_control(project, recipe.control) if recipe.control else None,
        "speed": speed.check(speed.settings_for(preset.id, load_settings()), preset.family),
        "audio": audio_drive.request_audio(project, recipe.audio) if recipe.audio else None,
    }


def steer(kwargs: dict, request, device: str = "cpu") -> dict:
    """Add the keyframes' and the control's arguments to a pipeline call's (worker side). Keyframes
    replace the single init image: the pipeline gets them all, at their frames."""
    from director.engine import conditioning, control

    if request.keyframes:
        kwargs.pop("image", None)
        kwargs.update(conditioning.keyframe_kwargs(request.preset, request.keyframes, request.params))
    if request.control:
        kwargs.update(control.control_kwargs(request.preset, request.control, request.params, kwargs, device))
    return kwargs
