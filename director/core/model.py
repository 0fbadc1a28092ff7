"""The nouns of the domain as frozen dataclasses; the store reads rows into these."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from director.core.enums import FailureKind, JobState, MediaKind, ShotStatus, TakeFlag
from director.core.errors import InvalidInput
from director.core.prompt import CameraSetup, PromptFields
from director.core.timecode import Rate

SHOT_CODE = re.compile(r"^[0-9]{1,4}[A-Z]{0,3}$")
CAMERA_NAME = re.compile(r"^[A-Z][A-Z0-9]{0,3}$")


def normalize_shot_code(code: str) -> str:
    """Shot codes are like 12A: digits then up to three letters. '12a' becomes '12A'."""
    text = (code or "").strip().upper()
    if not SHOT_CODE.match(text):
        raise InvalidInput(f"shot code {code!r} is not valid: use digits then up to three letters, like 12 or 12A")
    return text


def normalize_camera_name(name: str) -> str:
    text = (name or "").strip().upper()
    if not CAMERA_NAME.match(text):
        raise InvalidInput(f"camera name {name!r} is not valid: use a letter, like A, B or C")
    return text


def parse_rating(stars: int | str) -> int:
    try:
        value = int(stars)
    except (TypeError, ValueError):
        raise InvalidInput(f"a rating is a whole number from 0 to 5, got {stars!r}") from None
    if not 0 <= value <= 5:
        raise InvalidInput(f"a rating is from 0 (unrated) to 5 stars, got {value}")
    return value


def parse_status(text: str) -> ShotStatus:
    try:
        return ShotStatus(str(text).strip().lower())
    except ValueError:
        allowed = ", ".join(s.value for s in ShotStatus)
        raise InvalidInput(f"unknown shot status {text!r}; use one of: {allowed}") from None


@dataclass(frozen=True)
class ProjectSettings:
    name: str
    rate: Rate
    width: int
    height: int
    currency: str
    gpu_price_per_hour: Decimal
    energy_price_per_kwh: Decimal | None
    budget_money: Decimal | None
    budget_gpu_s: float | None
    idle_cutoff_s: int


@dataclass(frozen=True)
class Scene:
    id: int
    code: str
    title: str
    order: int
    notes: str = ""


@dataclass(frozen=True)
class Shot:
    id: int
    scene_id: int | None
    code: str
    title: str
    order: int
    target_frames: int
    status: ShotStatus
    budget_money: Decimal | None = None
    budget_gpu_s: float | None = None
    notes: str = ""
    current_prompt_id: int | None = None
    deleted: bool = False

    @property
    def locked(self) -> bool:
        return self.status is ShotStatus.LOCKED


@dataclass(frozen=True)
class Prompt:
    id: int
    shot_id: int
    version: int
    fields: PromptFields
    composed: str
    created_at: str


@dataclass(frozen=True)
class Camera:
    id: int
    shot_id: int
    name: str
    setup: CameraSetup
    notes: str = ""
    order: int = 0


@dataclass(frozen=True)
class Job:
    id: int
    shot_id: int
    camera_id: int | None
    prompt_id: int | None
    preset: str
    params: dict
    seeds: list[int]
    state: JobState
    queue_order: int
    parent_take_id: int | None = None
    created_at: str = ""
    started_at: str | None = None
    finished_at: str | None = None
    load_s: float | None = None
    gpu_s: float | None = None
    wall_s: float | None = None
    energy_wh: float | None = None
    peak_mem_bytes: int | None = None
    money: Decimal | None = None
    estimate_gpu_s: float | None = None
    error_kind: FailureKind | None = None
    error: str | None = None
    node: str | None = None
    device: str | None = None
    model_revision: str | None = None


@dataclass(frozen=True)
class Take:
    id: int
    job_id: int
    shot_id: int
    camera_id: int | None
    prompt_id: int | None
    seed: int
    variant: int
    kind: MediaKind
    media_path: str
    thumb_path: str | None
    width: int
    height: int
    frames: int
    rate: Rate
    rating: int = 0
    flag: TakeFlag = TakeFlag.NONE
    notes: str = ""
    parent_take_id: int | None = None
    created_at: str = ""
    deleted: bool = False
    preset: str = ""
    extra: dict = field(default_factory=dict)
    qc_grade: int | None = None  # continuity QC (core.qc): 0 green, 1 amber, 2 red; None not measured
    qc_severity: float = 0.0  # how far past amber its worst score is (sorts within a grade)
