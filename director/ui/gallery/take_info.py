"""What a reviewer reads beside a take: the prompt it was made from, its parameters, timings, cost.

The prompt is the take's recorded recipe (`store.jobs.take_recipe`): the exact text the model
received, composed with the camera's setup *when the job was queued*. Editing the camera or the
prompt afterwards changes nothing here. A job queued before recipes were recorded has none; its
take says so and shows the prompt version the job pointed at, labelled as the shot prompt alone,
since the camera framing it was composed with was never kept. Nothing is recomposed from a
camera's current setup.

Pure reads from the store, no Qt: the viewer and the compare view format the same facts, and a test
can check them without a window.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from director.core.cost import format_money, from_micros, split_evenly, to_micros
from director.core.errors import NotFound
from director.core.model import Job, Take
from director.core.recipe import Recipe
from director.store import cameras, jobs, prompts, takes
from director.store.panels import job_labels

NOT_RECORDED = "recipe not recorded (made before Director 0.2)"


@dataclass(frozen=True)
class TakeInfo:
    take: Take
    job: Job
    camera: str
    prompt_version: int | None
    prompt: str  # exactly what the model received; for a take without a recipe, the prompt version as written
    negative: str
    money: Decimal | None  # this take's share of its job's money
    currency: str  # the job's own currency
    recipe: Recipe | None = None

    @property
    def recipe_recorded(self) -> bool:
        return self.recipe is not None

    @property
    def recipe_note(self) -> str:
        """'' for a take with its recipe; otherwise the sentence that says it has none."""
        return "" if self.recipe_recorded else NOT_RECORDED

    @property
    def prompt_label(self) -> str:
        """What `prompt` is, in words: the recorded text, or the labelled prompt version."""
        if self.recipe_recorded:
            return f"sent to the model (camera {self.camera})"
        if self.prompt_version is None:
            return f"{NOT_RECORDED}; no prompt version"
        return f"{NOT_RECORDED}; prompt v{self.prompt_version} as written (the shot prompt alone, camera framing not recorded)"

    @property
    def money_text(self) -> str:
        return format_money(self.money, self.currency)

    @property
    def timings_text(self) -> str:
        parts = [f"{label} {value:.1f} s" for label, value in (("load", self.job.load_s), ("GPU", self.job.gpu_s), ("wall", self.job.wall_s)) if value is not None]
        return " · ".join(parts) if parts else "not measured"


def take_info(project, take_id: int) -> TakeInfo:
    take = takes.get_take(project, take_id)
    job = jobs.get_job(project, take.job_id)
    recipe = jobs.take_recipe(project, take_id)
    version = prompts.get_prompt(project, take.prompt_id) if take.prompt_id is not None else None
    if recipe is not None:
        text, negative = recipe.prompt, recipe.negative
        camera_name = recipe.camera or _camera_name(project, take.camera_id)
    else:
        # No recipe: the version the job pointed at, as it was written (never recomposed with the
        # camera's setup of today, which may have changed since the take was made).
        text = version.composed if version is not None else ""
        negative = version.fields.negative if version is not None else ""
        camera_name = _camera_name(project, take.camera_id)
    label = job_labels(project, [job.id]).get(job.id)
    currency = label.currency if label is not None else project.settings().currency
    return TakeInfo(take, job, camera_name, version.version if version else None, text, negative, _share(project, job, take), currency, recipe)


def _camera_name(project, camera_id: int | None) -> str:
    if camera_id is None:
        return "–"
    try:
        return cameras.get_camera(project, camera_id).name
    except NotFound:
        return "–"


def _share(project, job: Job, take: Take) -> Decimal | None:
    """This take's share of its job's money: split evenly to the micro-unit, so shares add up to it."""
    if job.money is None:
        return None
    # In the ledger's order (variant, then id), so this share is the one its reports count.
    siblings = [t.id for t in sorted(takes.takes_of_job(project, job.id), key=lambda t: (t.variant, t.id))]
    if take.id not in siblings:
        return job.money
    return from_micros(split_evenly(to_micros(job.money), len(siblings))[siblings.index(take.id)])
