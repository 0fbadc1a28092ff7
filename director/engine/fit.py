"""Fit a job to the card before loading anything: estimate its memory from the preset and size,
read what is free, switch on VAE tiling or offload when they are needed, or refuse with the size
that would fit.

The estimate is deliberately simple and on the safe side: the weights of every component at the
compute dtype (counted from the safetensors headers on disk when the weights are here, else from
`MODELS` by preset),
the transformer's activations (tokens × hidden size × a per-token factor, doubled for CFG) and the
VAE decode (the decoder's widest feature maps over one decode chunk, or one tile when tiled).
Ways to fit, cheapest first: as the preset says; + VAE tiling; + model CPU offload (one component
on the GPU at a time); + group offload with streams (one transformer block at a time).
`DIRECTOR_FIT_FREE_GB` stands in for the free memory (to leave room for other programs, or in tests).
"""

from __future__ import annotations

import json
import math
import os
import re
import struct
from dataclasses import dataclass, replace
from pathlib import Path

from director.core.errors import InvalidInput
from director.engine.presets import Memory, Preset, nearest_frames

GB = 2**30
HEADROOM = 0.9  # of the free memory: the allocator's fragmentation and the CUDA context


@dataclass(frozen=True)
class Model:
    """Billions of parameters per component and the latent geometry that sizes activations."""

    transformer_b: float
    text_b: float
    vae_b: float
    hidden: int
    layers: int
    spatial: int  # pixels per latent pixel, VAE × patch (LTX 32×1, Wan 8×2)
    temporal: int  # frames per latent frame
    decode_chunk: int  # frames the VAE decodes at once (0: the whole clip; LTX decodes 16 frames at a time by default)


# By a pattern searched in the preset id (then its family), most specific first; sources: the model cards' configs (hidden size,
# layers) and parameter counts. A14B holds two 14B experts.
MODELS: tuple[tuple[str, Model], ...] = (
    (r"ltx-?2(?![0-9a-z])", Model(19.0, 12.0, 0.5, 4096, 48, 32, 8, 16)),
    ("ltx-13b", Model(13.0, 4.8, 0.4, 4096, 48, 32, 8, 16)),
    ("ltx", Model(2.0, 4.8, 0.4, 2048, 28, 32, 8, 16)),
    ("a14b", Model(28.0, 5.7, 0.13, 5120, 40, 16, 4, 4)),
    (r"14b(?![0-9a-z])", Model(14.0, 5.7, 0.13, 5120, 40, 16, 4, 4)),
    ("flf2v", Model(14.0, 5.7, 0.13, 5120, 40, 16, 4, 4)),
    ("vace", Model(14.0, 5.7, 0.13, 5120, 40, 16, 4, 4)),
    ("ti2v", Model(5.0, 5.7, 0.7, 3072, 30, 32, 4, 4)),
    (r"(?<![0-9.])5b(?![0-9a-z])", Model(5.0, 5.7, 0.7, 3072, 30, 32, 4, 4)),
    ("wan", Model(1.3, 5.7, 0.13, 1536, 30, 16, 4, 4)),
    ("hunyuan", Model(8.3, 8.0, 0.5, 2048, 54, 32, 4, 4)),
    ("cogvideox", Model(2.0, 4.8, 0.2, 1920, 30, 16, 4, 8)),
    ("flux", Model(12.0, 4.9, 0.08, 3072, 57, 16, 1, 1)),
    ("sdxl", Model(2.6, 0.8, 0.08, 1280, 70, 8, 1, 1)),
    (r"(?<![a-z])sd(?![a-z])", Model(0.9, 0.12, 0.08, 1280, 16, 8, 1, 1)),
)
TINY = Model(0.001, 0.001, 0.001, 32, 2, 8, 1, 0)
ACTIVATION_FACTOR = 12  # live values per token per hidden unit in one block (qkv, attention out, MLP 4×)
DECODER_CHANNELS = 128  # the decoder's widest stage at full resolution
DECODER_FACTOR = 3  # input, output and a norm's buffer of that stage
TILE = 512  # diffusers' default tile edge (pixels)


def model_of(preset: Preset) -> Model:
    if preset.tiny:
        return TINY
    for text in (preset.id.lower(), preset.family.lower()):
        for pattern, model in MODELS:
            if re.search(pattern, text):
                return model
    return Model(14.0, 5.7, 0.5, 5120, 40, 16, 4, 4)  # unknown: count it as a 14B video model


def dtype_bytes(preset: Preset, device: str) -> int:
    if device == "cpu":
        return 4  # the worker computes in float32 on a CPU
    return {"float32": 4, "float16": 2, "bfloat16": 2}.get(preset.dtype, 2)


@dataclass(frozen=True)
class Estimate:
    weights: int  # every component
    transformer: int
    text: int
    vae: int
    activations: int
    decode: int
    decode_tiled: int

    def need(self, memory: Memory) -> int:
        decode = self.decode_tiled if memory.vae_tiling else self.decode
        if memory.group_offload:
            block = self.transformer // max(1, self._layers)
            return 2 * block + self.activations + max(self.text // 8, decode)
        if memory.cpu_offload:
            return max(self.transformer + self.activations, self.text, self.vae + decode)
        return self.weights + self.activations + decode

    _layers: int = 1


DENOISERS = ("transformer", "transformer_2", "unet")
TEXT_PARTS = ("text_encoder", "text_encoder_2", "text_encoder_3", "image_encoder", "connectors")


def _tensor_count(path: Path) -> int:
    """Parameters in a safetensors file, from its header alone (8-byte length, then JSON)."""
    with open(path, "rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
    return sum(math.prod(v["shape"]) for k, v in header.items() if k != "__metadata__")


def disk_params(preset: Preset) -> dict[str, int] | None:
    """Parameters per component ("denoiser", "text", "vae") counted from the weights on disk, or
    None when they are not here (then `MODELS` stands in). What is on disk beats any table: a
    local fine-tune, a twin or a quantised file is counted as it is."""
    if preset.builder:
        return None
    from director.engine.loading import MissingWeights, UnsafeWeights, resolve

    try:
        how, weights, config = resolve(preset)
    except (MissingWeights, UnsafeWeights):
        return None
    counts = {"denoiser": 0, "text": 0, "vae": 0}
    if how == "single_file":
        counts["denoiser"] = _tensor_count(weights) if weights.suffix == ".safetensors" else weights.stat().st_size
        folder = config
    else:
        folder = weights
    for f in sorted(folder.rglob("*.safetensors")) if folder else ():
        part = f.relative_to(folder).parts[0] if len(f.relative_to(folder).parts) > 1 else "transformer"
        if how == "single_file" and part in DENOISERS:
            continue  # the single file is the denoiser
        group = "denoiser" if part in DENOISERS else "vae" if part.startswith("vae") else "text"
        counts[group] += _tensor_count(f)
    return counts


def estimate(preset: Preset, width: int, height: int, frames: int, device: str = "cuda", guidance: float = 1.0,
             counts: dict[str, int] | None = None) -> Estimate:
    """The job's memory; `counts` (from `disk_params`) replaces the table's parameter counts."""
    m, b = model_of(preset), dtype_bytes(preset, device)
    latent_frames = (frames - 1) // m.temporal + 1 if frames > 1 else 1
    tokens = latent_frames * math.ceil(height / m.spatial) * math.ceil(width / m.spatial)
    batch = 2 if guidance > 1.0 else 1  # classifier-free guidance runs the conditional and the unconditional pass
    activations = int(tokens * m.hidden * b * ACTIVATION_FACTOR * batch)
    chunk = frames if m.decode_chunk == 0 else min(frames, m.decode_chunk)
    per_pixel = DECODER_CHANNELS * b * DECODER_FACTOR
    decode = int(chunk * height * width * per_pixel)
    decode_tiled = int(chunk * min(height, TILE) * min(width, TILE) * per_pixel)
    if counts:
        transformer, text, vae = (int(counts[k] * b) for k in ("denoiser", "text", "vae"))
    else:
        transformer, text, vae = (int(x * 1e9 * b) for x in (m.transformer_b, m.text_b, m.vae_b))
    return Estimate(transformer + text + vae, transformer, text, vae, activations, decode, decode_tiled, m.layers)


@dataclass(frozen=True)
class Fit:
    memory: Memory  # what to apply: the preset's own options plus what was switched on to fit
    switched_on: tuple[str, ...]
    need: int
    free: int | None

    def note(self) -> str:
        free = f", {self.free / GB:.1f} GB free" if self.free is not None else ""
        if not self.switched_on:
            return ""
        return f"to fit the card Director switched on {' and '.join(self.switched_on)} (needs about {self.need / GB:.1f} GB{free})"


LADDER = (("VAE tiling", {"vae_tiling": True}), ("CPU offload", {"cpu_offload": True}),
          ("group offload with streams", {"group_offload": True, "cpu_offload": False}))


def choose(preset: Preset, params: dict, free: int | None, device: str, counts: dict[str, int] | None = None) -> Fit:
    """The cheapest way to fit `free` bytes; free=None (unknown) keeps the preset's options.
    Refuses with the size that would fit when nothing does."""
    w, h, f = params["width"], params["height"], params.get("frames", 1)
    est = estimate(preset, w, h, f, device, params.get("guidance", 1.0), counts)
    memory = preset.memory
    if free is None:
        return Fit(memory, (), est.need(memory), None)
    budget = free * HEADROOM
    if est.need(memory) <= budget:
        return Fit(memory, (), est.need(memory), free)
    for _name, change in LADDER:
        if any(k in ("cpu_offload", "group_offload") for k in change) and device != "cuda":
            continue  # offload moves weights to main memory: it helps only a GPU
        if all(getattr(memory, k) == v for k, v in change.items()):
            continue
        memory = replace(memory, **change)
        if est.need(memory) <= budget:
            return Fit(memory, _switched(preset.memory, memory), est.need(memory), free)
    raise InvalidInput(_refusal(preset, params, est.need(memory), free, memory, device,
                                _switched(preset.memory, memory), counts))


def _switched(before: Memory, after: Memory) -> tuple[str, ...]:
    """The options on in `after` that were off in `before`, in words."""
    return tuple(words for flag, words in (("vae_tiling", "VAE tiling"), ("cpu_offload", "CPU offload"),
                                           ("group_offload", "group offload with streams"))
                 if getattr(after, flag) and not getattr(before, flag))


def _refusal(preset: Preset, params: dict, need: int, free: int, memory: Memory, device: str, tried, counts) -> str:
    w, h, f = params["width"], params["height"], params.get("frames", 1)
    c = preset.constraints
    budget = free * HEADROOM
    size = f"{w}×{h}" + (f"×{f} frames" if preset.is_video else "")
    with_what = f" even with {' and '.join(tried)}" if tried else ""
    tips = []
    g = params.get("guidance", 1.0)
    if preset.is_video:  # fewer frames first: the size stays what the director framed
        frames = f
        while frames > c.min_frames:
            frames = nearest_frames(max(c.min_frames, frames // 2), c)
            if estimate(preset, w, h, frames, device, g, counts).need(memory) <= budget:
                tips.append(f"{frames} frames at {w}×{h}")
                break
            if frames == c.min_frames:
                break
    scale = 0.9
    while scale > 0.1:
        sw = max(c.min_size, int(w * scale) // c.size_multiple * c.size_multiple)
        sh = max(c.min_size, int(h * scale) // c.size_multiple * c.size_multiple)
        if estimate(preset, sw, sh, f, device, g, counts).need(memory) <= budget:
            tips.append(f"{sw}×{sh}" + (f"×{f} frames" if preset.is_video else ""))
            break
        scale -= 0.1
    advice = f"; it would fit at {' or '.join(tips)}" if tips else "; no smaller size of this preset fits: free memory or use a bigger card"
    where = "GPU" if device == "cuda" else device
    return (f"{preset.id} at {size} needs about {need / GB:.1f} GB{with_what}, and {free / GB:.1f} GB is free on this "
            f"{where}{advice}")


def free_memory(device: str) -> int | None:
    """Free bytes on the device now (`torch.cuda.mem_get_info`; available RAM on a CPU);
    DIRECTOR_FIT_FREE_GB overrides it; None where it cannot be known (MPS)."""
    forced = os.environ.get("DIRECTOR_FIT_FREE_GB")
    if forced:
        try:
            return int(float(forced) * GB)
        except ValueError:
            raise InvalidInput(f"DIRECTOR_FIT_FREE_GB must be a number of GB, got {forced!r}") from None
    if device == "cuda":
        import torch

        return int(torch.cuda.mem_get_info()[0])
    if device == "cpu":
        import psutil

        return int(psutil.virtual_memory().available)
    return None


def fit_preset(preset: Preset, params: dict, device: str, held: int = 0) -> Fit:
    """`choose` against the device's free memory plus `held` (the warm pipelines the worker
    would drop to make room)."""
    free = free_memory(device)
    return choose(preset, params, None if free is None else free + held, device, disk_params(preset))
