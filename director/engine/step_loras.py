"""Distilled-step LoRAs that make a draft preset: a base model plus LoRA files that let it sample
in a few steps (Wan 2.2 A14B "Lightning", 4 steps without CFG).

A preset names its step LoRAs as (source, component): a hub file (`repo::path/in/repo.safetensors`)
or a local `.safetensors` file (a twin's, in its folder, named so when the twin is placed). Wan 2.2's
high-noise LoRA goes into `transformer`, the low-noise one into `transformer_2`
(`load_lora_weights(..., load_into_transformer_2=True)`, diffusers 0.42 WanLoraLoaderMixin, which
converts lightx2v's original key names itself). Each is fused into the weights when the pipeline
loads and its LoRA layers are dropped, so the preset's pipeline is simply the faster model: a
user's own LoRAs still attach and detach on top of it per job (engine.lora).
"""

from __future__ import annotations

from pathlib import Path

from director.engine.presets import Preset

COMPONENTS = ("transformer", "transformer_2")


def resolve_step_loras(preset: Preset, allow_download: bool = False) -> list[tuple[Path, str]]:
    """(file, component) per step LoRA of the preset, found locally (or downloaded when allowed);
    MissingWeights naming the file and how to get it otherwise."""
    from director.engine.loading import _missing, file_of

    out = []
    for source, component in preset.step_loras:
        if component not in COMPONENTS:
            raise ValueError(f"{preset.id}: a step LoRA goes into one of {', '.join(COMPONENTS)}, not {component!r}")
        path = file_of(source, preset, allow_download, "step LoRA file")
        if path.suffix.lower() != ".safetensors":
            raise _missing(preset, f"{path.name}: step LoRAs load from .safetensors files only")
        out.append((path, component))
    return out


def fuse_step_loras(pipe, files: list[tuple[Path, str]]) -> None:
    """Load each file into its component, fuse it at strength 1 and drop the LoRA layers."""
    if not files:
        return
    from safetensors.torch import load_file

    for i, (path, component) in enumerate(files):
        name = f"director_step_{i}"
        extra = {"load_into_transformer_2": True} if component == "transformer_2" else {}
        pipe.load_lora_weights(load_file(str(path)), adapter_name=name, **extra)
        pipe.fuse_lora(components=[component], lora_scale=1.0, adapter_names=[name])
    pipe.unload_lora_weights()


def step_revision(files: list[tuple[Path, str]]) -> str:
    """The step LoRAs' part of the weights fingerprint: each file's SHA-256 (hub snapshots are
    named by commit, but a LoRA is one file, so its bytes say exactly which)."""
    if not files:
        return ""
    from director.engine.loading import file_sha256

    return "".join(f"+{component}:{file_sha256(path)[:16]}" for path, component in files)


def scheduler_for(pipe, preset: Preset):
    """The preset's own sampler where it names one (a distilled recipe's), else the pipeline's."""
    if not preset.scheduler:
        return pipe.scheduler
    import diffusers

    spec = dict(preset.scheduler)
    cls = getattr(diffusers, spec.pop("class"))
    return cls.from_config(pipe.scheduler.config, **spec)
