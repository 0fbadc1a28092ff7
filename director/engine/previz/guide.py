"""Generate from previz: a real model job whose control video is a previz take's depth or layout
render, for the take's own shot and camera, so the generated shot keeps the blocking. The control
plumbing is `engine.control` (Wan VACE); a family without it is refused with the reason before
anything is queued."""

from __future__ import annotations

from director.core.errors import InvalidInput
from director.engine import control
from director.engine.actions import Queued
from director.engine.presets import get_preset
from director.engine.steered_jobs import queue_steered
from director.store.artifacts import ROLES, take_artifacts
from director.store.cameras import get_camera
from director.store.cast import reference_images
from director.store.project import Project
from director.store.shots import get_shot
from director.store.takes import get_take


def queue_from_previz(project: Project, take_id: int, preset_id: str, *, mode: str = "depth", strength: float = 1.0,
                      variants: int = 1, seed_mode: str = "random", seeds=(), params: dict | None = None,
                      quality: str = "draft") -> Queued:
    """One job for the previz take's shot and camera, guided by its `mode` video ("depth" or "layout")."""
    why = control.takes_control(get_preset(preset_id))
    if why:
        raise InvalidInput(why)
    if mode not in ROLES:
        raise InvalidInput(f"a previz guides with its {' or its '.join(ROLES)} video; got {mode!r}")
    take = get_take(project, take_id)
    video = take_artifacts(take).get(mode)
    if video is None:
        raise InvalidInput(f"take {take_id} is not a previz take (it has no {mode} video); make one with 'director previz'")
    # The cast the shot uses as references (Cast panel, 'director cast use') go with the guide.
    spec = control.recipe_control(project, video=video, mode=mode, strength=strength, source=f"previz:take {take_id}",
                                  references=tuple(reference_images(project, take.shot_id)))
    shot = get_shot(project, take.shot_id)
    cameras = [get_camera(project, take.camera_id).name] if take.camera_id is not None else None
    return queue_steered(project, shot.code, preset_id, keyframes=False, control_spec=spec, cameras=cameras,
                         variants=variants, seed_mode=seed_mode, seeds=seeds, params=params, quality=quality)


def default_guided_preset() -> str:
    """The preset "Generate from previz" uses from the window: the first Wan VACE preset whose
    weights are on this machine, else its tiny twin (random weights, for trying the workflow)."""
    from director.engine.loading import weights_present
    from director.engine.presets import all_presets

    vace = [p for p in all_presets() if p.pipeline in control.CONTROL_PIPELINES and not p.retired]
    for preset in vace:
        if not preset.tiny and weights_present(preset):
            return preset.id
    return next((p.id for p in vace if p.tiny), vace[0].id if vace else "tiny-wan21-vace")
