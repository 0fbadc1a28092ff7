"""Typed messages between the app and the engine worker: small frozen dataclasses, never dicts.

They cross a process boundary (pickled over a pipe) and later maybe a network (Ray), so they hold
only plain values. The `Preset` travels inside `JobRequest`, which makes a request self-contained:
the worker needs no settings files of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Union

from director.core.enums import FailureKind
from director.core.recipe import RunFacts
from director.engine.presets import Preset


@dataclass(frozen=True)
class JobRequest:
    """Everything the worker needs to run one job; paths are absolute on the worker's machine."""

    job_id: int
    preset: Preset
    prompt: str
    params: dict  # validated by presets.validate_params
    seeds: tuple[int, ...]
    media_root: str
    negative: str = ""
    init_image: str | None = None  # absolute path of a still or a clip to start from (i2v, extend)
    init_frame: str = "first"  # which frame of a clip: "first" or "last" (extend)
    allow_download: bool = False
    quality: str = "draft"  # the recipe's: which encoder of the worker's settings writes the takes
    keyframes: tuple[tuple[int, str], ...] = ()  # (frame index, absolute still path): engine.conditioning
    loras: tuple[tuple[str, str, float], ...] = ()  # (adapter name, absolute .safetensors path, strength)
    control: dict | None = None  # a guide video and reference images, absolute paths (engine.control)
    speed: tuple[str, ...] = ()  # speed options asked for (engine.speed); the worker applies what the device allows
    segment: dict | None = None  # a segment job: {"video": absolute take path, "objects": [...]} (engine.segment_run)
    scene: dict | None = None  # a previz job's scene and camera, as its recipe recorded them (engine.previz)
    audio: dict | None = None  # a driving sound: {"path" (absolute), "from_sample", "name"} (engine.audio_drive)


@dataclass(frozen=True)
class Meter:
    """What a job used, as measured where it ran, and where that was. Every figure is optional: a
    job that stops early has few. The runner hands `to_dict()` to the store's ledger.

    A cluster job also says the machine (`gpu_type` is the price-table key) and its attempts,
    with a Meter for each lost one (`lost_attempts`)."""

    device: str | None = None
    node: str | None = None
    load_s: float | None = None
    gpu_s: float | None = None  # device seconds (to the last decode and its uint8 frames): what the job is charged for
    wall_s: float | None = None
    write_s: float | None = None  # the writer thread's seconds: encoding, digests, thumbnails, adoption
    peak_mem_bytes: int | None = None
    energy_wh: float | None = None
    model_revision: str | None = None
    warnings: tuple[str, ...] = ()  # notes for the user, e.g. the prompt was truncated
    gpu_type: str | None = None
    node_id: str | None = None
    actor_pid: int | None = None
    attempts: int | None = None
    lost_attempts: tuple[Meter, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The figures that are there, as plain values (lost attempts as dicts too)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == ():
                continue
            if f.name == "lost_attempts":
                value = [m.to_dict() for m in value]
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    @classmethod
    def of(cls, value: Meter | dict | None) -> Meter:
        """A Meter from a Meter, None, or a dict of the same names (unknown names are dropped)."""
        if isinstance(value, Meter):
            return value
        known = {f.name for f in fields(cls)}
        d = {k: v for k, v in dict(value or {}).items() if k in known}
        if "warnings" in d:
            d["warnings"] = tuple(d["warnings"] or ())
        if "lost_attempts" in d:
            d["lost_attempts"] = tuple(cls.of(m) for m in d["lost_attempts"] or ())
        return cls(**d)

    # Read access by name, for code written when the meter was a dict (benchmarks, scripts).
    def get(self, name: str, default: Any = None) -> Any:
        value = getattr(self, name, None) if name in self.__dataclass_fields__ else None
        return default if value is None or value == () else value

    def __getitem__(self, name: str) -> Any:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value


# -- app → worker ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submit:
    request: JobRequest


@dataclass(frozen=True)
class Cancel:
    job_id: int


@dataclass(frozen=True)
class Shutdown:
    pass


Command = Union[Submit, Cancel, Shutdown]


# -- worker → app ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Started:
    job_id: int
    device: str
    loading: bool  # the pipeline is not warm: expect a model load before step 1


@dataclass(frozen=True)
class Progress:
    """Step `step` of `total`, counted over all variants of the job (1-based, monotonic), and
    the device seconds the job has used so far (`gpu_s`, as its final meter counts them)."""

    job_id: int
    step: int
    total: int
    variant: int = 0
    gpu_s: float = 0.0


@dataclass(frozen=True)
class Metered:
    """A heartbeat while a job generates: the device seconds it has used so far. Steps can be
    long and decoding has none, so this (with Progress) is what a job that dies without a final
    event is charged."""

    job_id: int
    gpu_s: float


@dataclass(frozen=True)
class Decoded:
    """Not final: the job's last variant is decoded and its frames are off the device, which is
    free for the next job while the worker's writer thread encodes and stores its takes. Its
    TakeWritten and Finished (or a Failed: cancel and write errors still apply) follow.
    `gpu_s` is the job's device seconds, as its Finished meter will say."""

    job_id: int
    gpu_s: float


@dataclass(frozen=True)
class TakeWritten:
    """A take's media, already renamed into the store; paths are relative to the media root."""

    job_id: int
    variant: int
    seed: int
    media_path: str
    thumb_path: str
    kind: str  # MediaKind value
    width: int
    height: int
    frames: int
    fps_num: int
    fps_den: int
    extra: dict = field(default_factory=dict)
    # The take's own sound (a 48 kHz stereo WAV in the store) when the model made one; "" is silent.
    sound_path: str = ""
    sound_samples: int = 0


@dataclass(frozen=True)
class MatteWritten:
    """One roto object's matte of a segment job (frames × height × width uint8 in an .npz),
    already renamed into the store; paths are relative to the media root. Like TakeWritten, held
    by the runner until Finished: a cancelled job records none."""

    job_id: int
    object_id: int
    name: str
    media_path: str
    thumb_path: str
    frames: int
    width: int
    height: int
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Finished:
    """Every variant is written. `run_facts` is what ran (device, dtype, scheduler, weights,
    options, versions) and `received` the text arguments the pipeline call received (prompt,
    negative_prompt when the pipeline takes one), as the worker passed them."""

    job_id: int
    meter: Meter
    run_facts: RunFacts | None = None
    received: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Failed:
    job_id: int
    kind: FailureKind
    message: str
    meter: Meter = field(default_factory=Meter)  # what it used until it stopped: still spent


@dataclass(frozen=True)
class Retrying:
    """Not final: a job's actor or node was lost (`kind` crashed) and the job runs again on
    another actor (a cluster engine). `meter` says where the lost attempt ran and for how long."""

    job_id: int
    kind: FailureKind
    message: str
    attempt: int  # the attempt about to start, 2 for the first retry
    meter: Meter = field(default_factory=Meter)


Event = Union[Started, Progress, Metered, Decoded, TakeWritten, MatteWritten, Finished, Failed, Retrying]
FINAL_EVENTS = (Finished, Failed)
