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

from director.core.cost import format_money
from director.core.model import Job, Take
from director.core.recipe import Recipe
from director.export import takeinfo as recorded
from director.store import jobs, takes

# One wording everywhere: the exports, `director take show` and the window say the same sentence.
NOT_RECORDED = recorded.NOT_RECORDED


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
    """The window's view of the one take-info reader (export.takeinfo), plus the Take and Job objects
    the viewers format: the recipe, the prompt and the money share are never worked out twice."""
    info = recorded.take_info(project, take_id)
    take = takes.get_take(project, take_id)
    job = jobs.get_job(project, take.job_id)
    recipe = jobs.take_recipe(project, take_id) if info.recipe_recorded else None
    prompt = info.prompt if info.recipe_recorded else info.version_prompt
    negative = info.negative if info.recipe_recorded else info.version_negative
    money = Decimal(info.money) if info.money is not None else None
    return TakeInfo(take, job, info.camera or "–", info.prompt_version, prompt, negative, money, info.currency, recipe)
