"""What a reviewer reads beside a take: the prompt it was made from, its parameters, timings, cost.

Pure reads from the store, no Qt: the viewer and the compare view format the same facts, and a test
can check them without a window.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from director.core.cost import format_money
from director.core.errors import NotFound
from director.core.model import Job, Take
from director.store import cameras, jobs, prompts, takes


@dataclass(frozen=True)
class TakeInfo:
    take: Take
    job: Job
    camera: str
    prompt_version: int | None
    prompt: str
    negative: str
    money: Decimal | None  # this take's share of its job's money
    currency: str

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
    camera_name, setup = "–", None
    if take.camera_id is not None:
        try:
            cam = cameras.get_camera(project, take.camera_id)
            camera_name, setup = cam.name, cam.setup
        except NotFound:
            pass
    text, negative, version = "", "", None
    if take.prompt_id is not None:
        p = prompts.get_prompt(project, take.prompt_id)
        # The words the model read: the shot prompt composed with this take's camera.
        text, negative, version = p.fields.compose(setup), p.fields.negative, p.version
    # A job's money is split evenly over the takes it produced; every variant cost the same steps.
    share = len(takes.takes_of_job(project, job.id)) or 1
    money = job.money / share if job.money is not None else None
    return TakeInfo(take, job, camera_name, version, text, negative, money, project.settings().currency)
