"""Verbs that queue generation: new takes for a shot, promotion, image-to-video, extend, re-render.

Each validates against the preset *before* anything is queued, writes one transaction per job,
records lineage (`parent_take_id`) and the job's recipe (`engine.recipes`: the exact text sent to
the model for that camera, composed now, with every parameter, seed and input hash), and returns
the new job ids with what changed. They only queue: a `JobRunner` runs the jobs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from director.core.changes import Changes
from director.core.enums import JobState, MediaKind
from director.core.errors import InvalidInput, NotFound
from director.core.recipe import Recipe
from director.engine.audio_drive import takes_audio
from director.engine.encoders import check_role
from director.engine.presets import Preset, draw_seeds, get_preset, nearest_frames, validate_params
from director.engine.recipes import new_recipe, recipe_of_job, replay
from director.store import jobs as store_jobs
from director.store.budget import guard_job
from director.store.cameras import find_camera, list_cameras
from director.store.project import Project
from director.store.shots import find_shot, get_shot
from director.store.takes import get_take, takes_of_job


@dataclass(frozen=True)
class Queued:
    job_ids: tuple[int, ...]
    changes: Changes
    preset: Preset
    params: dict
    seeds: tuple[int, ...]
    recipes: tuple[Recipe, ...] = ()  # one per job, as recorded


def _prompt_id(project: Project, shot_id: int) -> int:
    shot = get_shot(project, shot_id)
    if shot.current_prompt_id is None:
        raise InvalidInput(f"shot {shot.code} has no prompt yet; write one first (director prompt set … {shot.code} --subject …)")
    return shot.current_prompt_id


def plan_generation(
    project: Project,
    shot_code: str,
    preset_id: str,
    *,
    cameras: list[str] | None = None,
    all_cameras: bool = False,
    variants: int = 1,
    seed_mode: str = "random",
    seeds: list[int] | tuple[int, ...] = (),
    params: dict | None = None,
) -> tuple[list[tuple[int, int | None]], int, Preset, dict, list[int]]:
    """Validate a request without queueing (for --dry-run): ([(shot, camera)], prompt, preset, params, seeds)."""
    shot = find_shot(project, shot_code)
    prompt_id = _prompt_id(project, shot.id)
    preset = get_preset(preset_id)
    checked = validate_params(preset, params or {})
    if all_cameras:
        targets = [(shot.id, c.id) for c in list_cameras(project, shot.id)] or [(shot.id, None)]
    elif cameras:
        targets = [(shot.id, find_camera(project, shot.id, name).id) for name in cameras]
    else:
        first = list_cameras(project, shot.id)
        targets = [(shot.id, first[0].id if first else None)]
    # All cameras of a shot share the seeds, so their takes cut together.
    chosen = draw_seeds(variants, seed_mode, list(seeds))
    return targets, prompt_id, preset, checked, chosen


def queue_generation(project: Project, shot_code: str, preset_id: str, *, quality: str = "draft", audio: dict | None = None,
                     **kwargs) -> Queued:
    """One job per camera with N variants each; refused before queueing if a rule is broken or
    the whole request would pass a hard budget cap (checked once, so no camera is half-queued).
    `quality` picks the worker's encoder for the takes: "draft" (fast) or "final". `audio`
    (engine.audio_drive.recipe_audio) is a sound that drives the picture."""
    check_role(quality)
    targets, prompt_id, preset, params, seeds = plan_generation(project, shot_code, preset_id, **kwargs)
    if audio:
        why = takes_audio(preset)
        if why:
            raise InvalidInput(why)
    estimate = guard_job(project, targets[0][0], preset.id, params, len(seeds) * len(targets))
    per_job = estimate.gpu_s / len(targets) if estimate.known else None
    # Every camera's text is composed now, before the first job is written.
    recipes = [replace(new_recipe(project, preset=preset, params=params, seeds=seeds, prompt_id=prompt_id, camera_id=camera_id),
                       quality=quality, audio=dict(audio or {}))
               for _shot_id, camera_id in targets]
    ids, changes = [], Changes()
    for (shot_id, camera_id), recipe in zip(targets, recipes):
        job_id, ch = store_jobs.create_job(
            project, shot_id=shot_id, camera_id=camera_id, prompt_id=prompt_id,
            preset=preset.id, params=params, seeds=seeds, estimate_gpu_s=per_job, recipe=recipe,
        )
        ids.append(job_id)
        changes = changes | ch
    return Queued(tuple(ids), changes | Changes(costs=True), preset, params, tuple(seeds), tuple(recipes))


def _queue_from_take(project: Project, take_id: int, preset: Preset, params: dict, seeds: list[int],
                     recipe: Recipe | None = None) -> Queued:
    """One job from a take; its recipe is `recipe` (promote, re-render: the take's own text) or,
    by default, the take's prompt version composed with its camera's setup now (extend, i2v)."""
    take = get_take(project, take_id)
    job = store_jobs.get_job(project, take.job_id)
    checked = validate_params(preset, params)
    estimate = guard_job(project, take.shot_id, preset.id, checked, len(seeds))
    if recipe is None:
        recipe = new_recipe(project, preset=preset, params=checked, seeds=seeds, prompt_id=job.prompt_id, camera_id=take.camera_id)
    job_id, changes = store_jobs.create_job(
        project, shot_id=take.shot_id, camera_id=take.camera_id, prompt_id=job.prompt_id,
        preset=preset.id, params=checked, seeds=seeds, parent_take_id=take.id, estimate_gpu_s=estimate.gpu_s,
        recipe=recipe,
    )
    return Queued((job_id,), changes | Changes(costs=True), preset, checked, tuple(seeds), (recipe,))


def _fit(value: int, multiple: int, lo: int, hi: int) -> int:
    return max(lo, min(hi, value // multiple * multiple))


def promote_take(project: Project, take_id: int, preset_id: str | None = None, overrides: dict | None = None) -> Queued:
    """A final render of a draft: same seed, prompt and camera; the final preset's size and steps.
    Promoting within one preset doubles size and steps (within its limits)."""
    take = get_take(project, take_id)
    job = store_jobs.get_job(project, take.job_id)
    source = get_preset(job.preset)
    target = get_preset(preset_id) if preset_id else source
    if target.kind != source.kind:
        raise InvalidInput(f"cannot promote a {source.kind} take with a {target.kind} preset; choose a {source.kind} preset")
    c = target.constraints
    if target.id == source.id:
        params = {
            "width": _fit(take.width * 2, c.size_multiple, c.min_size, c.max_width),
            "height": _fit(take.height * 2, c.size_multiple, c.min_size, c.max_height),
            "steps": min(c.max_steps, int(job.params.get("steps", target.defaults.steps)) * 2),
        }
    else:
        params = {"width": target.defaults.width, "height": target.defaults.height, "steps": target.defaults.steps}
    if target.is_video:
        params["frames"] = nearest_frames(take.frames, c)
        params["fps"] = job.params.get("fps", target.defaults.fps)
    for key in ("guidance", "negative", "init_image", "init_frame"):
        if key in job.params and target.id == source.id:
            params[key] = job.params[key]
    params.update({k: v for k, v in (overrides or {}).items() if v is not None})
    checked = validate_params(target, params)
    # The draft's own text (its recipe), not the prompt recomposed with the camera as it is now.
    drawn = recipe_of_job(project, job)
    recipe = new_recipe(project, preset=target, params=checked, seeds=[take.seed], prompt_id=job.prompt_id, camera_id=take.camera_id)
    recipe = replace(recipe, prompt=drawn.prompt, negative=checked.get("negative") or drawn.negative,
                     camera=drawn.camera, camera_setup=drawn.camera_setup, quality="final")
    return _queue_from_take(project, take_id, target, checked, [take.seed], recipe)


def rerender_take(project: Project, take_id: int) -> Queued:
    """The take's recipe queued again for its seed, as recorded: the same text (never recomposed
    from the camera or prompt as they are now), preset, parameters and inputs. On the same device,
    dtype, options and library versions the frames match bit for bit (`rerender_result` says)."""
    take = get_take(project, take_id)
    job = store_jobs.get_job(project, take.job_id)
    recipe = replay(recipe_of_job(project, job), [take.seed])
    preset = get_preset(recipe.preset or job.preset)
    return _queue_from_take(project, take_id, preset, dict(recipe.params), [take.seed], recipe)


@dataclass(frozen=True)
class RerenderResult:
    """How a re-render compares with its original take."""

    original_take_id: int
    job_id: int
    take_id: int | None  # None when the re-render did not finish
    identical: bool  # the same media bytes (one content address)
    frames_identical: bool  # the same decoded frames (the container may still differ)
    differences: tuple[str, ...]  # what differs between the two runs (RunFacts.differences)
    note: str = ""

    def describe(self) -> str:
        if self.take_id is None:
            return f"the re-render of take {self.original_take_id} did not finish{': ' + self.note if self.note else ''}"
        if self.identical:
            return f"take {self.take_id} is bit-identical to take {self.original_take_id}"
        what = "the same frames in a different file" if self.frames_identical else "different frames"
        why = "; ".join(self.differences) if self.differences else (
            self.note or "no recorded difference in device, dtype, scheduler, weights, options or versions explains it")
        return f"take {self.take_id} differs from take {self.original_take_id} ({what}): {why}"


def rerender_result(project: Project, original_take_id: int, job_id: int) -> RerenderResult:
    """Compare a finished re-render (the job `rerender_take` queued) with the take it re-made."""
    original = get_take(project, original_take_id)
    job = store_jobs.get_job(project, job_id)
    if job.state is not JobState.DONE:
        return RerenderResult(original_take_id, job_id, None, False, False, (), job.error or job.state.value)
    made = takes_of_job(project, job_id)
    if not made:
        return RerenderResult(original_take_id, job_id, None, False, False, (), "it recorded no take")
    new = made[0]
    identical = new.media_path == original.media_path
    frames_identical = identical or (
        bool(original.extra.get("frames_sha256")) and new.extra.get("frames_sha256") == original.extra.get("frames_sha256"))
    before = store_jobs.job_recipe(project, original.job_id)
    after = store_jobs.job_recipe(project, job_id)
    differences: tuple[str, ...] = ()
    note = ""
    if before is None or before.run is None:
        note = "the original take's run was not recorded (made before Director 0.2), so what differs cannot be named"
    elif after is not None and after.run is not None:
        differences = tuple(before.run.differences(after.run))
    return RerenderResult(original_take_id, job_id, new.id, identical, frames_identical, differences, note)


# The image-to-video preset of each text-to-video family: extending a take or animating a frame
# of it stays in its own family (and a twin's take in its twin family), so the look carries over.
I2V_OF = {
    "ltx2": "ltx2-i2v", "ltx2-distilled": "ltx2-i2v",
    "wan22-a14b-t2v": "wan22-a14b-i2v", "wan22-a14b-t2v-lightning": "wan22-a14b-i2v-lightning",
    "wan22-ti2v-5b": "wan22-ti2v-5b-i2v", "wan21-t2v-1.3b": "wan22-ti2v-5b-i2v", "hunyuan15-t2v": "hunyuan15-i2v",
    "tiny-ltx2-t2v": "tiny-ltx2-i2v", "tiny-wan22-a14b-t2v": "tiny-wan22-a14b-i2v",
    "tiny-wan22-a14b-t2v-lightning": "tiny-wan22-a14b-i2v-lightning", "tiny-wan22-ti2v-t2v": "tiny-wan22-ti2v-i2v",
    "tiny-wan21-t2v": "tiny-wan22-ti2v-i2v", "tiny-hunyuan15-t2v": "tiny-hunyuan15-i2v",
}


def _default_i2v(source_preset: str | None) -> str:
    """The family's own image-to-video preset; an image-to-video take's own; else LTX-2.5's (or
    the built-in tiny one for a tiny take). ltx-condition is retired."""
    if source_preset in I2V_OF:
        return I2V_OF[source_preset]
    try:
        if get_preset(source_preset).kind == "i2v" and not get_preset(source_preset).retired:
            return source_preset
    except (NotFound, KeyError, TypeError):
        pass
    return "tiny-i2v" if source_preset and source_preset.startswith("tiny-") else "ltx2-i2v"


def extend_take(project: Project, take_id: int, preset_id: str | None = None, *, variants: int = 1,
                seed_mode: str = "random", seeds=(), overrides: dict | None = None) -> Queued:
    """A new clip that starts from the last frame of a video take."""
    take = get_take(project, take_id)
    if take.kind is not MediaKind.VIDEO:
        raise InvalidInput(f"take {take_id} is a still; extend works on clips (use i2v to animate a still)")
    job = store_jobs.get_job(project, take.job_id)
    preset = get_preset(preset_id or _default_i2v(job.preset))
    params = {"width": take.width, "height": take.height, "fps": take.rate.fps, "init_image": take.media_path,
              "init_frame": "last", **{k: v for k, v in (overrides or {}).items() if v is not None}}
    return _queue_from_take(project, take_id, preset, params, draw_seeds(variants, seed_mode, list(seeds)))


def image_to_video(project: Project, *, take_id: int | None = None, image: str | Path | None = None,
                   shot_code: str | None = None, camera: str | None = None, preset_id: str | None = None,
                   variants: int = 1, seed_mode: str = "random", seeds=(), overrides: dict | None = None) -> Queued:
    """Animate a still take (or the first frame of a clip), or an imported image file."""
    if (take_id is None) == (image is None):
        raise InvalidInput("give either a take or an image file to animate")
    chosen = draw_seeds(variants, seed_mode, list(seeds))
    if take_id is not None:
        take = get_take(project, take_id)
        job = store_jobs.get_job(project, take.job_id)
        preset = get_preset(preset_id or _default_i2v(job.preset))
        params = {"init_image": take.media_path, "init_frame": "first", **{k: v for k, v in (overrides or {}).items() if v is not None}}
        return _queue_from_take(project, take_id, preset, params, chosen)
    path = Path(image)
    if not path.is_file():
        raise NotFound(f"no image file at {path}")
    if not shot_code:
        raise InvalidInput("animating an image file needs --shot (the shot the new takes belong to)")
    shot = find_shot(project, shot_code)
    prompt_id = _prompt_id(project, shot.id)
    preset = get_preset(preset_id or "tiny-i2v")
    cam = find_camera(project, shot.id, camera).id if camera else next((c.id for c in list_cameras(project, shot.id)), None)
    params = validate_params(preset, {"init_image": "pending", **{k: v for k, v in (overrides or {}).items() if v is not None}})
    from director.engine.media_out import read_still

    try:
        read_still(path)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    estimate = guard_job(project, shot.id, preset.id, params, len(chosen))
    params["init_image"] = project.media.import_file(path)
    recipe = new_recipe(project, preset=preset, params=params, seeds=chosen, prompt_id=prompt_id, camera_id=cam)
    job_id, changes = store_jobs.create_job(
        project, shot_id=shot.id, camera_id=cam, prompt_id=prompt_id, preset=preset.id, params=params, seeds=chosen,
        estimate_gpu_s=estimate.gpu_s, recipe=recipe,
    )
    return Queued((job_id,), changes | Changes(costs=True), preset, params, tuple(chosen), (recipe,))
