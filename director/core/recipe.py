"""The recipe of a job: everything that made its pixels, recorded once and never recomputed.

Two halves, both immutable once written:
- the *request*, fixed when the job is queued: the exact text sent to the model (the shot prompt
  composed with that camera's setup at that moment), the negative, the preset and its pipeline,
  every parameter, the seeds and the hashes of any input image or video;
- the *run*, reported by the worker when the job ran: the device and dtype, the scheduler and its
  config, the weights fingerprint, every speed or memory option (marked whether it changes pixels),
  the library versions and the encoder that wrote the take's file.

Take info, every export, `take show` and `take rerender` read this, so editing a camera or a
prompt afterwards changes nothing about a past take.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Option:
    """A speed or memory option the worker applied, and whether it can change the pixels."""

    name: str
    changes_pixels: bool


@dataclass(frozen=True)
class RunFacts:
    device: str = ""
    dtype: str = ""
    pipeline_class: str = ""
    scheduler: str = ""
    scheduler_config: dict = field(default_factory=dict)
    weights: str = ""  # hub commit, or sha256 of the local weights
    options: tuple[Option, ...] = ()
    versions: dict = field(default_factory=dict)  # diffusers, transformers, torch
    # What wrote the take's file from the frames (codec and its options, e.g. libx264 veryfast,
    # crf 18, 16 threads): it changes the file's bytes, never the frames (frames_sha256).
    encoder: dict = field(default_factory=dict)
    # Where it ran when that was a Ray cluster: address, "authentication" ("token", or "none
    # (unauthenticated cluster)" when the user allowed one) and TLS. Empty for this machine and
    # for runs recorded before it existed. It never changes pixels, so `differences` ignores it.
    cluster: dict = field(default_factory=dict)

    @property
    def unauthenticated_cluster(self) -> bool:
        return self.cluster.get("authentication", "token") != "token"

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> RunFacts | None:
        if not text:
            return None
        d = json.loads(text)
        d["options"] = tuple(Option(**o) for o in d.get("options", ()))
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})

    def differences(self, other: RunFacts) -> list[str]:
        """What differs between two runs of one recipe, in words a person can act on."""
        out = []
        for name in ("device", "dtype", "pipeline_class", "scheduler", "weights"):
            a, b = getattr(self, name), getattr(other, name)
            if a != b:
                out.append(f"{name.replace('_', ' ')}: {a or '?'} then {b or '?'}")
        if self.scheduler_config != other.scheduler_config:
            out.append("scheduler config")
        if {o for o in self.options if o.changes_pixels} != {o for o in other.options if o.changes_pixels}:
            out.append("pixel-changing options: " + ", ".join(sorted({o.name for o in set(self.options) ^ set(other.options)})))
        if self.encoder != other.encoder:
            out.append(f"encoder: {_described(self.encoder)} then {_described(other.encoder)}")
        for lib in sorted(set(self.versions) | set(other.versions)):
            if self.versions.get(lib) != other.versions.get(lib):
                out.append(f"{lib} {self.versions.get(lib, '?')} then {other.versions.get(lib, '?')}")
        return out


def _described(encoder: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(encoder.items())) or "?"


@dataclass(frozen=True)
class Recipe:
    prompt: str  # the exact text sent to the model for this job's camera
    negative: str = ""
    camera: str = ""
    camera_setup: dict = field(default_factory=dict)
    preset: str = ""
    pipeline_class: str = ""
    source: str = ""
    params: dict = field(default_factory=dict)  # steps, guidance, width, height, frames, fps, …
    seeds: tuple[int, ...] = ()
    inputs: dict = field(default_factory=dict)  # role → sha256 of an input image or video
    loras: tuple[dict, ...] = ()  # {"name", "path", "strength", "sha256"} per user LoRA of the preset
    keyframes: tuple[dict, ...] = ()  # {"frame", "media_path", "sha256"}: stills at frames (core.keyframes)
    control: dict = field(default_factory=dict)  # a guide video, reference images, strength (engine.control)
    quality: str = "draft"  # "draft" (a fast encoder) or "final" (a promote: the chosen quality)
    scene: dict = field(default_factory=dict)  # a previz job's scene, camera and room (engine.previz.spec)
    audio: dict = field(default_factory=dict)  # a sound that drives the picture: bin name, file, SHA-256, start (engine.audio_drive)
    run: RunFacts | None = None

    def to_json(self) -> str:
        d = asdict(self)
        d.pop("run")
        for later in ("keyframes", "control", "scene", "audio"):  # added later: absent when unused, so older recipes read the same
            if not d[later]:
                d.pop(later)
        return json.dumps(d, sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, run: str | None = None) -> Recipe:
        d: dict[str, Any] = json.loads(text)
        d["seeds"] = tuple(d.get("seeds", ()))
        d["loras"] = tuple(d.get("loras", ()))
        d["keyframes"] = tuple(d.get("keyframes", ()))
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__ and k != "run"}
        return cls(**known, run=RunFacts.from_json(run))
