"""The model registry: presets the user picks, and the rules their parameters must follow.

Pure Python on purpose: the UI and CLI import this to validate a request *before* it is queued,
and must not pay for (or depend on) torch. The worker reads the same `Preset` objects.
"""

from __future__ import annotations

import json
import math
import os
import secrets
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from director.core.errors import InvalidInput, NotFound
from director.core.places import config_dir  # noqa: F401 - presets.config_dir stays importable

KINDS = ("t2i", "t2v", "i2v", "segment", "depth")  # segment: SAM 2 mattes of a take (engine.segment); depth: guides (engine.depth_model)
TINY_NOTE = "random weights — for trying the workflow"
TWIN_SOURCE = "twin:"  # a twin's source before it is placed in this machine's twins folder
REFUSED_SUFFIXES = (".ckpt", ".pt", ".pth", ".bin", ".pkl", ".pickle")
SINGLE_FILE_SUFFIXES = (".safetensors", ".gguf")
SEED_MAX = 2**32 - 1
SEED_MODES = ("random", "fixed", "list")
# Preset fields that change no pixel and no loading: left out of `Preset.cache_key`.
COSMETIC_FIELDS = ("label", "notes", "defaults", "constraints", "user", "twin", "twin_of", "no_twin", "retired")
MEMORY_KEYS = ("cpu_offload", "group_offload", "vae_tiling", "vae_slicing", "first_block_cache", "compile")


@dataclass(frozen=True)
class Defaults:
    width: int
    height: int
    frames: int = 1
    fps: float = 24.0
    steps: int = 8
    guidance: float = 1.0


@dataclass(frozen=True)
class Constraints:
    """What the model accepts. frames = frame_step * k + frame_offset (LTX 8k+1, Wan 4k+1)."""

    size_multiple: int = 32
    min_size: int = 64
    max_width: int = 2048
    max_height: int = 2048
    frame_step: int = 1
    frame_offset: int = 0
    min_frames: int = 1
    max_frames: int = 1
    max_steps: int = 100

    @property
    def frame_rule(self) -> str:
        if self.frame_step <= 1:
            return "any frame count"
        return f"{self.frame_step}k+{self.frame_offset}"


@dataclass(frozen=True)
class Memory:
    """Memory/speed options; the worker applies each only where the device supports it."""

    cpu_offload: bool = False  # CUDA only: diffusers raises on CPU-only torch
    group_offload: bool = False
    vae_tiling: bool = False
    vae_slicing: bool = False
    first_block_cache: float | None = None  # FirstBlockCache threshold (0.1 is the published sweet spot)
    compile: bool = False  # transformer.compile_repeated_blocks; CUDA only


@dataclass(frozen=True)
class Preset:
    """A model and how to run it.

    `source` is a hub id (`org/name`), a local diffusers folder, or a single `.safetensors`/`.gguf`
    file (then `config` names the local folder or hub id holding the pipeline's configs).
    `builder` (``module:function``) builds the pipeline in-process instead of loading weights;
    the tiny presets use it. Everything after "build the pipeline" is the same for every preset.
    """

    id: str
    label: str
    kind: str
    pipeline: str
    source: str
    family: str
    defaults: Defaults
    constraints: Constraints
    dtype: str = "bfloat16"
    config: str | None = None
    builder: str | None = None
    tiny: bool = False
    memory: Memory = Memory()
    call_args: dict = field(default_factory=dict)  # fixed extra kwargs for the pipeline call
    notes: str = ""
    user: bool = False
    twin: str | None = None  # the id of this preset's tiny twin (same class and layout, random weights)
    twin_of: str | None = None  # on a twin: the preset it stands in for
    no_twin: str = ""  # why this preset has no twin, shown by `models list`
    retired: str = ""  # why this preset takes no new jobs (its id still resolves for old takes)
    step_loras: tuple[tuple[str, str], ...] = ()  # (source, component): distilled-step LoRAs fused at load (engine.step_loras)
    scheduler: dict = field(default_factory=dict)  # {"class": …, config overrides}: a distilled recipe's own sampler

    @property
    def listing_label(self) -> str:
        return f"{self.label} ({TINY_NOTE})" if self.tiny else self.label

    @property
    def is_video(self) -> bool:
        return self.kind in ("t2v", "i2v", "previz")

    def pull_command(self) -> str:
        """Exactly how a user gets the weights for this preset."""
        if self.builder:
            return "nothing to download (built in-process)"
        if self.twin_of:
            return f"director models pull {self.id}   (builds the tiny twin here; nothing is downloaded)"
        if _is_single_file(self.source):
            if _looks_like_path(self.source):
                return f"put the file at {self.source} (and its config folder at {self.config})"
            repo, _, filename = self.source.partition("::")
            return f"director models pull {self.id}   (or: hf download {repo} {filename})"
        if _looks_like_path(self.source):
            return f"put a diffusers folder at {self.source}, or set this preset's local folder in Settings → Models"
        return f"director models pull {self.id}   (or: hf download {self.source})"

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def cache_key(self) -> str:
        """What makes two presets load the same pipeline: everything but the cosmetic fields
        (label, notes, defaults, constraints, user). The worker keeps pipelines warm by it and a
        cluster sends a job to the actor that holds its key."""
        d = self.to_dict()
        for cosmetic in COSMETIC_FIELDS:
            d.pop(cosmetic, None)
        return json.dumps(d, sort_keys=True, default=str)


def _looks_like_path(source: str) -> bool:
    return source.startswith(("/", "~", ".", "\\")) or (len(source) > 1 and source[1] == ":")


def _is_single_file(source: str) -> bool:
    return source.lower().endswith(SINGLE_FILE_SUFFIXES)


def _video(step: int, offset: int, max_frames: int, multiple: int, max_w: int, max_h: int) -> Constraints:
    return Constraints(
        size_multiple=multiple,
        max_width=max_w,
        max_height=max_h,
        frame_step=step,
        frame_offset=offset,
        min_frames=step + offset,
        max_frames=max_frames,
    )


_IMAGE = Constraints(size_multiple=8, max_width=2048, max_height=2048)
# SAM 2 (kind "segment"): mattes of a take's own frames, so size and frames come from the take.
_SEGMENT = Constraints(size_multiple=1, min_size=16, max_width=4096, max_height=4096, max_frames=100_000, max_steps=1)
_SAM2_NOTES = ("transformers' Sam2VideoModel and Sam2VideoProcessor (safetensors, config.json); "
               "`director roto add` queues it on a take")
SEGMENT_PRESETS = (
    Preset("sam2.1-hiera-tiny", "SAM 2.1 Hiera tiny (roto mattes)", "segment", "Sam2VideoModel",
           "facebook/sam2.1-hiera-tiny", "SAM 2", Defaults(1024, 1024, steps=1), _SEGMENT, dtype="float32",
           twin="tiny-sam2", notes=f"{_SAM2_NOTES}; 39M parameters, fits any GPU and runs on a CPU"),
    Preset("sam2.1-hiera-large", "SAM 2.1 Hiera large (roto mattes, best edges)", "segment", "Sam2VideoModel",
           "facebook/sam2.1-hiera-large", "SAM 2", Defaults(1024, 1024, steps=1), _SEGMENT, dtype="bfloat16",
           twin="tiny-sam2", notes=f"{_SAM2_NOTES}; 224M parameters, about 4 GB of VRAM for a 720p take"),
    Preset("tiny-sam2", "Tiny twin of sam2.1-hiera-tiny (Sam2VideoModel)", "segment", "Sam2VideoModel",
           "twin:tiny-sam2", "SAM 2", Defaults(64, 64, steps=1), _SEGMENT, dtype="float32", tiny=True,
           twin_of="sam2.1-hiera-tiny", notes="built by `director models pull tiny-sam2` (random weights, nothing downloaded)"),
)
# Depth Anything V2 (kind "depth"): depth guides for control jobs, made in the worker from the
# guide's own frames (engine.depth_model), so size and frames come from the guide.
_DEPTH_NOTES = ("transformers' DepthAnythingForDepthEstimation with DPTImageProcessor (config.json, model.safetensors, "
                "preprocessor_config.json; checked against the hub repository's files); relative inverse depth, near "
                "bright; `director control render --mode depth --depth-model` uses it")
DEPTH_PRESETS = (
    Preset("depth-anything-v2-small", "Depth Anything V2 small (depth guides)", "depth", "DepthAnythingForDepthEstimation",
           "depth-anything/Depth-Anything-V2-Small-hf", "Depth Anything", Defaults(518, 518, steps=1), _SEGMENT,
           dtype="float32", twin="tiny-depth-anything",
           notes=f"{_DEPTH_NOTES}; 24.8M parameters (DINOv2 ViT-S/14 backbone), runs on a CPU, Apache-2.0"),
    Preset("tiny-depth-anything", "Tiny twin of depth-anything-v2-small (DepthAnythingForDepthEstimation)", "depth",
           "DepthAnythingForDepthEstimation", "twin:tiny-depth-anything", "Depth Anything", Defaults(56, 56, steps=1),
           _SEGMENT, dtype="float32", tiny=True, twin_of="depth-anything-v2-small",
           notes="built by `director models pull tiny-depth-anything` (random weights, nothing downloaded)"),
)
_LTX = _video(8, 1, 257, 32, 1280, 1280)
_LTX2 = _video(8, 1, 481, 32, 1920, 1920)  # 20 s at 24 fps: LTX2Pipeline's max_seconds default
_WAN = _video(4, 1, 81, 16, 1280, 1280)
_HUNYUAN15 = _video(4, 1, 121, 16, 1280, 1280)
_TINY_VIDEO = replace(_video(8, 1, 33, 32, 256, 256), min_size=32)
_TWIN_LTX = replace(_video(8, 1, 33, 32, 128, 128), min_size=32)
_TWIN_WAN = replace(_video(4, 1, 33, 16, 128, 128), min_size=16)
_TWIN_WAN_TI2V = replace(_video(4, 1, 33, 32, 128, 128), min_size=32)
_TWIN_DEFAULTS = Defaults(32, 32, frames=9, fps=12, steps=2, guidance=1.0)
_STILLS_NO_TWIN = "still-image families are outside #14's video twins (tiny-t2i covers StableDiffusionPipeline)"
_SRC = "checked against diffusers 0.42.1 as installed"
# Wan 2.2 A14B's 4-step distillation LoRAs (lightx2v) and the sampler their recipe uses.
_LIGHTNING = "lightx2v/Wan2.2-Lightning"
_LIGHTNING_SAMPLER = {"class": "FlowMatchEulerDiscreteScheduler", "shift": 5.0}
# The tiny Lightning twins carry random LoRAs in the same two-file layout inside their folders (engine.twins).
_TWIN_STEP_LORAS = {
    tid: ((f"{TWIN_SOURCE}{tid}/lightning/high_noise_model.safetensors", "transformer"),
          (f"{TWIN_SOURCE}{tid}/lightning/low_noise_model.safetensors", "transformer_2"))
    for tid in ("tiny-wan22-a14b-t2v-lightning", "tiny-wan22-a14b-i2v-lightning")
}

BUILTIN: tuple[Preset, ...] = (
    Preset("sd-turbo", "SD-Turbo (512², 1 step)", "t2i", "AutoPipelineForText2Image", "stabilityai/sd-turbo", "SD-Turbo",
           Defaults(512, 512, steps=1, guidance=0.0), replace(_IMAGE, max_width=1024, max_height=1024), dtype="float16",
           no_twin=_STILLS_NO_TWIN),
    Preset("sdxl-turbo", "SDXL-Turbo (512², 1 step)", "t2i", "AutoPipelineForText2Image", "stabilityai/sdxl-turbo", "SDXL-Turbo",
           Defaults(512, 512, steps=1, guidance=0.0), replace(_IMAGE, max_width=1024, max_height=1024), dtype="float16",
           no_twin=_STILLS_NO_TWIN),
    Preset("flux-schnell", "FLUX.1-schnell (1024², 4 steps)", "t2i", "FluxPipeline", "black-forest-labs/FLUX.1-schnell", "FLUX",
           Defaults(1024, 1024, steps=4, guidance=0.0), replace(_IMAGE, size_multiple=16),
           memory=Memory(cpu_offload=True, vae_tiling=True), call_args={"max_sequence_length": 256},
           notes="needs CPU offload on GPUs with 24 GB or less", no_twin=_STILLS_NO_TWIN),
    # -- LTX-2: picture and sound in one model --------------------------------------------------
    Preset("ltx2", "LTX-2.5 (picture and sound)", "t2v", "LTX2Pipeline", "Lightricks/LTX-2.5-Diffusers", "LTX-2",
           Defaults(768, 512, frames=121, fps=24, steps=30, guidance=3.0), _LTX2, memory=Memory(cpu_offload=True, vae_tiling=True),
           twin="tiny-ltx2-t2v",
           notes=f"{_SRC}: hub id from pipelines/ltx2/pipeline_ltx2_dfr.py (the newest LTX-2 release diffusers names); "
                 "LTX2Pipeline.__init__ takes its Gemma 3/Gemma 4 text encoder, text connectors, duration head and "
                 "LTX2VocoderWithBWE; call defaults (768×512, 121 frames, frame_rate 24, 30 steps, guidance 3.0) from the "
                 "pipeline's own example; returns frames and an audio track (vocoder output_sampling_rate). "
                 "VRAM: 19-22B transformer plus a 12B Gemma text encoder, about 40 GB in bf16 at once; model CPU offload "
                 "below 80 GB."),
    Preset("ltx2-i2v", "LTX-2.5 image to video (picture and sound)", "i2v", "LTX2ImageToVideoPipeline",
           "Lightricks/LTX-2.5-Diffusers", "LTX-2", Defaults(768, 512, frames=121, fps=24, steps=30, guidance=3.0), _LTX2,
           memory=Memory(cpu_offload=True, vae_tiling=True), twin="tiny-ltx2-i2v",
           notes=f"{_SRC}: same repository and components as ltx2 (pipelines/ltx2/pipeline_ltx2_image2video.py); "
                 "`image` is the first frame. VRAM as ltx2."),
    Preset("ltx2-distilled", "LTX-2.3 distilled (draft, picture and sound)", "t2v", "LTX2Pipeline",
           "dg845/LTX-2.3-Distilled-Diffusers", "LTX-2",
           Defaults(768, 512, frames=121, fps=24, steps=8, guidance=1.0), replace(_LTX2, max_steps=8),
           memory=Memory(cpu_offload=True, vae_tiling=True), twin="tiny-ltx2-t2v",
           call_args={"sigmas": [1.0, 0.99375, 0.9875, 0.98125, 0.975, 0.909375, 0.725, 0.421875]},
           notes=f"{_SRC}: 8 steps on the distilled sigmas of pipelines/ltx2/utils.py (DISTILLED_SIGMA_VALUES), "
                 "guidance 1.0 (distilled: no CFG pass). The hub folder is the diffusers conversion by a diffusers "
                 "maintainer (LTX2Pipeline model_index, LTX2VocoderWithBWE), not a Lightricks-org repository: check it "
                 "before relying on it. VRAM as ltx2, half the time per step without CFG."),
    # -- LTX-Video 0.9.8: the lightest draft --------------------------------------------------
    Preset("ltx-2b-distilled", "LTX-Video 0.9.8 2B distilled (lightest draft)", "t2v", "LTXPipeline",
           "Lightricks/LTX-Video::ltxv-2b-0.9.8-distilled.safetensors", "LTX",
           Defaults(768, 512, frames=121, fps=24, steps=8, guidance=1.0), _LTX, config="Lightricks/LTX-Video",
           memory=Memory(vae_tiling=True), twin="tiny-ltxv098",
           notes="real-time class on an H100; frame_rate follows the export fps. A single original-format checkpoint "
                 "(transformer + VAE, keys model.diffusion_model.* and vae.*) loaded with from_single_file and the "
                 "Lightricks/LTX-Video folder's configs; the T5 text encoder comes from that folder "
                 "(loaders/single_file.py does not find transformers weights there by itself). About 10 GB of VRAM."),
    # -- Wan ------------------------------------------------------------------------------------
    Preset("wan21-t2v-1.3b", "Wan 2.1 T2V 1.3B (small)", "t2v", "WanPipeline", "Wan-AI/Wan2.1-T2V-1.3B-Diffusers", "Wan",
           Defaults(832, 480, frames=81, fps=16, steps=50, guidance=5.0), _WAN, memory=Memory(vae_tiling=True),
           twin="tiny-wan21-t2v", notes="about 8 GB of VRAM; hub id from pipelines/wan/pipeline_wan.py's example"),
    Preset("wan22-a14b-t2v", "Wan 2.2 T2V A14B (two experts, quality)", "t2v", "WanPipeline",
           "Wan-AI/Wan2.2-T2V-A14B-Diffusers", "Wan", Defaults(1280, 720, frames=81, fps=16, steps=40, guidance=4.0), _WAN,
           memory=Memory(cpu_offload=True, vae_tiling=True), twin="tiny-wan22-a14b-t2v",
           notes=f"{_SRC}: WanPipeline.__init__ takes transformer (high-noise expert), transformer_2 (low-noise expert) "
                 "and boundary_ratio (0.875, from the repository's model_index.json) where it switches between them; "
                 "guidance_scale_2 defaults to guidance_scale. 480p (832×480) and 720p. VRAM: two 14B experts, 28 GB "
                 "each in bf16; model CPU offload keeps one on the GPU at a time (about 40 GB peak at 720p)."),
    Preset("wan22-a14b-t2v-lightning", "Wan 2.2 T2V A14B Lightning (4-step draft)", "t2v", "WanPipeline",
           "Wan-AI/Wan2.2-T2V-A14B-Diffusers", "Wan", Defaults(832, 480, frames=81, fps=16, steps=4, guidance=1.0),
           replace(_WAN, max_steps=8), memory=Memory(cpu_offload=True, vae_tiling=True), twin="tiny-wan22-a14b-t2v-lightning",
           step_loras=((f"{_LIGHTNING}::Wan2.2-T2V-A14B-4steps-lora-rank64-Seko-V1.1/high_noise_model.safetensors", "transformer"),
                       (f"{_LIGHTNING}::Wan2.2-T2V-A14B-4steps-lora-rank64-Seko-V1.1/low_noise_model.safetensors", "transformer_2")),
           scheduler=dict(_LIGHTNING_SAMPLER), call_args={"guidance_scale_2": 1.0},
           notes=f"{_SRC}: wan22-a14b-t2v with lightx2v's 4-step distillation LoRAs fused at load, the high-noise one into "
                 "transformer and the low-noise one into transformer_2 (WanLoraLoaderMixin.load_lora_weights, "
                 "load_into_transformer_2=True; its converter reads lightx2v's original key names); file names from "
                 f"the {_LIGHTNING} repository. Its recipe: 4 steps, guidance 1 on both experts (no CFG, half the "
                 "passes), Euler with shift 5. About 10× faster than 40 steps with CFG; VRAM as wan22-a14b-t2v."),
    Preset("wan22-a14b-i2v", "Wan 2.2 I2V A14B (two experts, quality)", "i2v", "WanImageToVideoPipeline",
           "Wan-AI/Wan2.2-I2V-A14B-Diffusers", "Wan", Defaults(1280, 720, frames=81, fps=16, steps=40, guidance=3.5), _WAN,
           memory=Memory(cpu_offload=True, vae_tiling=True), twin="tiny-wan22-a14b-i2v",
           notes=f"{_SRC}: WanImageToVideoPipeline with transformer + transformer_2 and boundary_ratio 0.9, no CLIP "
                 "image encoder (image_encoder/image_processor None in Wan 2.2's model_index.json; the first frame "
                 "enters as 20 latent channels, in_channels 36). VRAM as wan22-a14b-t2v."),
    Preset("wan22-ti2v-5b", "Wan 2.2 TI2V 5B (quality)", "t2v", "WanPipeline", "Wan-AI/Wan2.2-TI2V-5B-Diffusers", "Wan",
           Defaults(1280, 704, frames=121, fps=24, steps=50, guidance=5.0), replace(_WAN, size_multiple=32, max_frames=121),
           memory=Memory(vae_tiling=True), twin="tiny-wan22-ti2v-t2v",
           notes=f"{_SRC}: one 5B transformer on the Wan 2.2 VAE (16× spatial, 48 channels; sizes multiples of 32), "
                 "expand_timesteps True in its model_index.json. 720p at 24 fps. About 24 GB of VRAM."),
    Preset("wan22-ti2v-5b-i2v", "Wan 2.2 TI2V 5B image to video", "i2v", "WanImageToVideoPipeline",
           "Wan-AI/Wan2.2-TI2V-5B-Diffusers", "Wan", Defaults(1280, 704, frames=121, fps=24, steps=50, guidance=5.0),
           replace(_WAN, size_multiple=32, max_frames=121), memory=Memory(vae_tiling=True), twin="tiny-wan22-ti2v-i2v",
           notes=f"{_SRC}: the same TI2V weights through WanImageToVideoPipeline (expand_timesteps conditions the "
                 "first frame; no image encoder), as diffusers' Wan 2.2 5B image-to-video tests build it. First frame "
                 "only. About 24 GB of VRAM."),
    Preset("wan21-flf2v", "Wan 2.1 FLF2V 14B (first + last frame)", "i2v", "WanImageToVideoPipeline",
           "Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers", "Wan", Defaults(1280, 720, frames=81, fps=16, steps=50, guidance=5.5),
           _WAN, memory=Memory(cpu_offload=True, vae_tiling=True), twin="tiny-wan21-flf2v",
           notes=f"{_SRC}: WanImageToVideoPipeline's `image` (first frame) and `last_image` (last frame); a CLIP "
                 "vision encoder embeds both and the transformer's pos_embed_seq_len covers two images, so it needs "
                 "both frames (one alone fails in the transformer). 720p. VRAM: 14B in bf16, offload below 48 GB."),
    Preset("wan21-vace-14b", "Wan 2.1 VACE 14B (control, references)", "t2v", "WanVACEPipeline",
           "Wan-AI/Wan2.1-VACE-14B-diffusers", "Wan", Defaults(832, 480, frames=81, fps=16, steps=30, guidance=5.0), _WAN,
           memory=Memory(cpu_offload=True, vae_tiling=True), twin="tiny-wan21-vace",
           notes=f"{_SRC}: WanVACEPipeline(video, mask, reference_images, conditioning_scale); with none of them it "
                 "is text to video. WanVACETransformer3DModel adds control blocks at vace_layers. The 1.3B "
                 "(Wan-AI/Wan2.1-VACE-1.3B-diffusers, the pipeline's example) fits 8-12 GB. VRAM: 14B in bf16, offload "
                 "below 48 GB."),
    Preset("wan22-a14b-i2v-lightning", "Wan 2.2 I2V A14B Lightning (4-step draft)", "i2v", "WanImageToVideoPipeline",
           "Wan-AI/Wan2.2-I2V-A14B-Diffusers", "Wan", Defaults(832, 480, frames=81, fps=16, steps=4, guidance=1.0),
           replace(_WAN, max_steps=8), memory=Memory(cpu_offload=True, vae_tiling=True), twin="tiny-wan22-a14b-i2v-lightning",
           step_loras=((f"{_LIGHTNING}::Wan2.2-I2V-A14B-4steps-lora-rank64-Seko-V1/high_noise_model.safetensors", "transformer"),
                       (f"{_LIGHTNING}::Wan2.2-I2V-A14B-4steps-lora-rank64-Seko-V1/low_noise_model.safetensors", "transformer_2")),
           scheduler=dict(_LIGHTNING_SAMPLER), call_args={"guidance_scale_2": 1.0},
           notes=f"{_SRC}: wan22-a14b-i2v with lightx2v's I2V 4-step LoRAs fused at load as in wan22-a14b-t2v-lightning "
                 "(diffusers issue 12535 tracked loading lightx2v's I2V LoRAs into both experts). VRAM as wan22-a14b-i2v."),
    # -- HunyuanVideo 1.5 -----------------------------------------------------------------------
    Preset("hunyuan15-t2v", "HunyuanVideo 1.5 T2V 480p", "t2v", "HunyuanVideo15Pipeline",
           "hunyuanvideo-community/HunyuanVideo-1.5-480p_t2v", "HunyuanVideo 1.5",
           Defaults(848, 480, frames=121, fps=24, steps=50, guidance=6.0), _HUNYUAN15,
           memory=Memory(cpu_offload=True, vae_tiling=True), twin="tiny-hunyuan15-t2v",
           notes=f"{_SRC}: hub id from pipelines/hunyuan_video1_5/pipeline_hunyuan_video1_5.py's example; Qwen2.5-VL "
                 "text model + ByT5 glyph encoder; guidance lives in the pipeline's guider component (the call takes no "
                 "guidance_scale and has no step callback: engine.step_watch reports and cancels on its scheduler steps). VAE: 16× spatial, 4× "
                 "temporal (4k+1 frames). VRAM: 8.3B transformer, about 20 GB with offload."),
    Preset("hunyuan15-i2v", "HunyuanVideo 1.5 I2V 480p", "i2v", "HunyuanVideo15ImageToVideoPipeline",
           "hunyuanvideo-community/HunyuanVideo-1.5-480p_i2v", "HunyuanVideo 1.5",
           Defaults(848, 480, frames=121, fps=24, steps=50, guidance=6.0), _HUNYUAN15,
           memory=Memory(cpu_offload=True, vae_tiling=True), twin="tiny-hunyuan15-i2v",
           notes=f"{_SRC}: pipeline_hunyuan_video1_5_image2video.py's example; adds a SigLIP vision encoder; the "
                 "output size follows the image's aspect at the transformer's target_size (no width/height "
                 "arguments). VRAM as hunyuan15-t2v."),
    # -- built in ----------------------------------------------------------------------------------
    Preset("tiny-t2i", "Tiny text-to-image (StableDiffusionPipeline)", "t2i", "StableDiffusionPipeline", "builtin:tiny-t2i",
           "tiny SD", Defaults(128, 128, steps=4, guidance=1.0), replace(_IMAGE, min_size=32, max_width=512, max_height=512),
           dtype="float32", builder="director.engine.tiny:build_t2i", tiny=True),
    Preset("tiny-t2v", "Tiny text-to-video (LTXPipeline)", "t2v", "LTXPipeline", "builtin:tiny-t2v", "LTX",
           Defaults(96, 64, frames=17, fps=12, steps=4, guidance=1.0), _TINY_VIDEO,
           dtype="float32", builder="director.engine.tiny:build_t2v", tiny=True),
    Preset("tiny-i2v", "Tiny image-to-video (LTXConditionPipeline)", "i2v", "LTXConditionPipeline", "builtin:tiny-i2v", "LTX",
           Defaults(96, 64, frames=17, fps=12, steps=4, guidance=1.0), _TINY_VIDEO,
           dtype="float32", builder="director.engine.tiny:build_i2v", tiny=True),
    # -- previz: the shot's blocking drawn by numpy in the worker; no model, no weights (engine.previz) --
    Preset("previz", "previz (blocking render)", "previz", "PrevizRenderer", "builtin:previz", "previz",
           Defaults(768, 512, frames=121, fps=24, steps=1, guidance=1.0),
           Constraints(size_multiple=16, min_size=64, max_width=3840, max_height=2160, min_frames=1, max_frames=481, max_steps=1),
           dtype="float32", builder="director.engine.previz.job:no_pipeline", no_twin="no model to stand in for: numpy draws it",
           notes="stand-ins, set and light from the shot's words, framed by each camera; a depth and a layout video are "
                 "stored with every take (the control for 'Generate from previz'). Not AI output: nothing is generated"),
    # -- tiny twins: each family's class and layout, random weights, loaded from disk like a download --
    *(
        Preset(tid, f"Tiny twin of {of} ({pipeline})", kind, pipeline, f"{TWIN_SOURCE}{tid}", family, _TWIN_DEFAULTS,
               rules, dtype="float32", tiny=True, twin_of=of, step_loras=_TWIN_STEP_LORAS.get(tid, ()),
               scheduler=dict(_LIGHTNING_SAMPLER) if tid in _TWIN_STEP_LORAS else {},
               call_args={"guidance_scale_2": 1.0} if tid in _TWIN_STEP_LORAS else {},
               notes="built by `director models pull " + tid + "` (random weights, nothing downloaded)")
        for tid, kind, pipeline, family, rules, of in (
            ("tiny-ltx2-t2v", "t2v", "LTX2Pipeline", "LTX-2", _TWIN_LTX, "ltx2"),
            ("tiny-ltx2-i2v", "i2v", "LTX2ImageToVideoPipeline", "LTX-2", _TWIN_LTX, "ltx2-i2v"),
            ("tiny-ltxv098", "t2v", "LTXPipeline", "LTX", _TWIN_LTX, "ltx-2b-distilled"),
            ("tiny-wan21-t2v", "t2v", "WanPipeline", "Wan", _TWIN_WAN, "wan21-t2v-1.3b"),
            ("tiny-wan22-a14b-t2v", "t2v", "WanPipeline", "Wan", _TWIN_WAN, "wan22-a14b-t2v"),
            ("tiny-wan22-a14b-i2v", "i2v", "WanImageToVideoPipeline", "Wan", _TWIN_WAN, "wan22-a14b-i2v"),
            ("tiny-wan22-a14b-t2v-lightning", "t2v", "WanPipeline", "Wan", _TWIN_WAN, "wan22-a14b-t2v-lightning"),
            ("tiny-wan22-a14b-i2v-lightning", "i2v", "WanImageToVideoPipeline", "Wan", _TWIN_WAN, "wan22-a14b-i2v-lightning"),
            ("tiny-wan22-ti2v-t2v", "t2v", "WanPipeline", "Wan", _TWIN_WAN_TI2V, "wan22-ti2v-5b"),
            ("tiny-wan22-ti2v-i2v", "i2v", "WanImageToVideoPipeline", "Wan", _TWIN_WAN_TI2V, "wan22-ti2v-5b-i2v"),
            ("tiny-wan21-flf2v", "i2v", "WanImageToVideoPipeline", "Wan", _TWIN_WAN, "wan21-flf2v"),
            ("tiny-wan21-vace", "t2v", "WanVACEPipeline", "Wan", _TWIN_WAN, "wan21-vace-14b"),
            ("tiny-hunyuan15-t2v", "t2v", "HunyuanVideo15Pipeline", "HunyuanVideo 1.5", _TWIN_WAN, "hunyuan15-t2v"),
            ("tiny-hunyuan15-i2v", "i2v", "HunyuanVideo15ImageToVideoPipeline", "HunyuanVideo 1.5", _TWIN_WAN, "hunyuan15-i2v"),
        )
    ),
    *SEGMENT_PRESETS,
    *DEPTH_PRESETS,
)

# Presets today's diffusers no longer serves well. Their ids still resolve (`get_preset`), so old
# projects show what made their takes; new jobs are refused with the reason and what to use.
RETIRED: tuple[Preset, ...] = (
    Preset("cogvideox-2b", "CogVideoX-2b", "t2v", "CogVideoXPipeline", "THUDM/CogVideoX-2b", "CogVideoX",
           Defaults(720, 480, frames=49, fps=8, steps=50, guidance=6.0),
           Constraints(size_multiple=16, max_width=720, max_height=480, frame_step=8, frame_offset=1, min_frames=49, max_frames=49),
           dtype="float16", memory=Memory(vae_tiling=True, vae_slicing=True),
           retired="fixed 720×480, 49 frames at 8 fps; Wan 2.2 TI2V 5B makes 720p at 24 fps on the same card "
                   "(use wan22-ti2v-5b)"),
    Preset("ltx-condition", "LTX-Video condition (image to video)", "i2v", "LTXConditionPipeline",
           "Lightricks/LTX-Video-0.9.5", "LTX", Defaults(768, 512, frames=121, fps=24, steps=30, guidance=3.0), _LTX,
           memory=Memory(vae_tiling=True),
           retired="LTX-Video 0.9.5 is three releases behind; LTX-2's image to video adds sound (use ltx2-i2v)"),
    Preset("wan21-i2v", "Wan 2.1 I2V 14B 480p", "i2v", "WanImageToVideoPipeline", "Wan-AI/Wan2.1-I2V-14B-480P-Diffusers", "Wan",
           Defaults(832, 480, frames=81, fps=16, steps=40, guidance=5.0), _WAN,
           memory=Memory(cpu_offload=True, vae_tiling=True),
           retired="superseded by Wan 2.2 I2V A14B at the same size and memory (use wan22-a14b-i2v)"),
)


def twin_source(twin_id: str) -> tuple[str, str | None]:
    """(source, config) of a built-or-not twin on this machine: where the loader looks."""
    from director.engine.twins import TWINS, twin_config_path, twin_path

    config = twin_config_path(twin_id) if TWINS[twin_id].layout == "single_file" else None
    return str(twin_path(twin_id)), (str(config) if config else None)


def _place_twin(preset: Preset) -> Preset:
    if not preset.source.startswith(TWIN_SOURCE):
        return preset
    source, config = twin_source(preset.id)
    # Its step LoRAs live in its folder: named by absolute path, like the source, wherever it runs.
    root = Path(source).parent
    steps = tuple((str(root / s.removeprefix(TWIN_SOURCE)) if s.startswith(TWIN_SOURCE) else s, c) for s, c in preset.step_loras)
    return replace(preset, source=source, config=config, step_loras=steps)


# -- settings ---------------------------------------------------------------------------------


def presets_dir() -> Path:
    return config_dir() / "presets"


def load_settings() -> dict:
    """Engine settings (`engine.json`): local folders per preset, memory overrides, memory budget."""
    path = config_dir() / "engine.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"engine settings {path} are not valid JSON ({exc}); fix or delete the file") from None
    return data if isinstance(data, dict) else {}


def _apply_settings(preset: Preset, settings: dict) -> Preset:
    local = (settings.get("local_paths") or {}).get(preset.id)
    if local:
        preset = replace(preset, source=str(local))
    mem = (settings.get("memory") or {}).get(preset.id)
    if mem:
        preset = replace(preset, memory=_memory_from(mem, f"engine settings for {preset.id}"))
    return preset


def _memory_from(data: dict, where: str) -> Memory:
    unknown = set(data) - set(MEMORY_KEYS)
    if unknown:
        raise InvalidInput(f"{where}: unknown memory option(s) {', '.join(sorted(unknown))}; known: {', '.join(MEMORY_KEYS)}")
    return Memory(**data)


def preset_from_dict(data: dict, *, where: str = "preset") -> Preset:
    """A user preset from JSON. User presets cannot name a builder: a settings file must not run code."""
    data = dict(data)
    if data.get("builder"):
        raise InvalidInput(f"{where}: user presets cannot set 'builder'")
    try:
        data["defaults"] = Defaults(**data["defaults"])
        data["constraints"] = Constraints(**data.get("constraints", {}))
        data["memory"] = _memory_from(data.get("memory", {}), where)
        known = {f.name for f in fields(Preset)}
        unknown = set(data) - known
        if unknown:
            raise InvalidInput(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        preset = Preset(**{**data, "user": True, "tiny": False})
    except (KeyError, TypeError) as exc:
        raise InvalidInput(f"{where}: not a valid preset ({exc})") from None
    if preset.kind not in KINDS:
        raise InvalidInput(f"{where}: kind must be one of {', '.join(KINDS)}, got {preset.kind!r}")
    check_source(preset)
    return preset


def check_source(preset: Preset) -> None:
    """Refuse pickle-based weights: loading them can run arbitrary code."""
    path = preset.source.partition("::")[2] or preset.source
    if path.lower().endswith(REFUSED_SUFFIXES):
        raise InvalidInput(
            f"preset {preset.id}: {Path(path).name} is a pickle-based checkpoint ({Path(path).suffix}), which can run "
            "arbitrary code when loaded; Director loads only .safetensors or .gguf weights. Convert it to safetensors first."
        )
    if _is_single_file(path) and not preset.config:
        raise InvalidInput(f"preset {preset.id}: a single weights file needs 'config' (a local folder with the pipeline's configs)")


def save_user_preset(preset: Preset) -> Path:
    """Write a user preset to the settings folder; it shows up in every listing."""
    check_source(preset)
    if any(p.id == preset.id for p in BUILTIN):
        raise InvalidInput(f"{preset.id} is a built-in preset; choose another id")
    folder = presets_dir()
    folder.mkdir(parents=True, exist_ok=True)
    data = preset.to_dict()
    for key in ("user", "tiny", "builder"):
        data.pop(key, None)
    path = folder / f"{preset.id}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2))
    os.replace(tmp, path)
    return path


@dataclass(frozen=True)
class BrokenPreset:
    """A user preset file that cannot be used, and why; listed so the user can fix it, while
    every other preset keeps working."""

    id: str  # the id the file names, or its file name when that cannot be read
    path: Path
    error: str


def _check_defaults(preset: Preset) -> None:
    """A preset whose own defaults break its rules would fail every job it is picked for."""
    try:
        validate_params(preset, {"init_image": "still.png"} if preset.kind == "i2v" else {})
    except InvalidInput as exc:
        raise InvalidInput(f"its defaults break its own rules ({exc})") from None


def _read_user_presets() -> tuple[list[Preset], list[BrokenPreset]]:
    folder = presets_dir()
    if not folder.is_dir():
        return [], []
    good: list[Preset] = []
    broken: list[BrokenPreset] = []
    taken = {p.id for p in BUILTIN}
    for path in sorted(folder.glob("*.json")):
        pid = path.stem
        try:
            try:
                data = json.loads(path.read_text())
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise InvalidInput(f"{path} is not valid JSON ({exc})") from None
            if not isinstance(data, dict):
                raise InvalidInput(f"{path}: a preset is a JSON object, got {type(data).__name__}")
            pid = str(data.get("id") or pid)
            preset = preset_from_dict(data, where=str(path))
            try:
                _check_defaults(preset)
            except InvalidInput as exc:
                raise InvalidInput(f"{path}: {exc}") from None
            if preset.id in taken:
                raise InvalidInput(f"{path}: the id {preset.id!r} is already taken by another preset; choose another id")
        except InvalidInput as exc:
            broken.append(BrokenPreset(pid, path, str(exc)))
            continue
        except Exception as exc:  # a user's file must not stop the app: any other surprise is named too
            broken.append(BrokenPreset(pid, path, f"{path}: not a valid preset ({type(exc).__name__}: {exc})"))
            continue
        taken.add(preset.id)
        good.append(preset)
    return good, broken


def user_presets() -> list[Preset]:
    """The user presets that can be used; broken files are skipped (see `broken_presets`)."""
    return _read_user_presets()[0]


def broken_presets() -> list[BrokenPreset]:
    """User preset files that cannot be used, each with the error that says how to fix it."""
    return _read_user_presets()[1]


def all_presets() -> list[Preset]:
    """Every preset a job may use (retired ones are left out: `get_preset` still finds them)."""
    settings = load_settings()
    return [_apply_settings(_place_twin(p), settings) for p in (*BUILTIN, *user_presets())]


def get_preset(preset_id: str) -> Preset:
    presets = all_presets()
    for preset in presets:
        if preset.id == preset_id:
            return preset
    for preset in RETIRED:
        if preset.id == preset_id:
            return preset
    for bad in broken_presets():
        if bad.id == preset_id:
            raise NotFound(f"preset {preset_id!r} cannot be used: {bad.error}; fix or delete the file")
    known = ", ".join(p.id for p in presets)
    raise NotFound(f"no preset {preset_id!r}; presets: {known}")


# -- validation --------------------------------------------------------------------------------


FPS_RANGE = (1.0, 120.0)
GUIDANCE_RANGE = (0.0, 30.0)
VARIANTS_MAX = 64  # the generate panel's limit too
_FAR = 10**9  # stands in for ±inf when a whole number is checked against a rule


def _nearest_multiple(value: int, multiple: int, lo: int, hi: int) -> int:
    best = max(lo, min(hi, round(value / multiple) * multiple))
    if best % multiple:
        best = (hi // multiple) * multiple if best > value else -(-lo // multiple) * multiple
    return best


def nearest_frames(frames: int, c: Constraints) -> int:
    frames = max(c.min_frames, min(c.max_frames, frames))
    if c.frame_step <= 1:
        return frames
    k = round((frames - c.frame_offset) / c.frame_step)
    value = k * c.frame_step + c.frame_offset
    while value < c.min_frames:
        value += c.frame_step
    while value > c.max_frames:
        value -= c.frame_step
    return value


def _real(name: str, value: Any, rule: str, default: float) -> float:
    """A user's number as a float; refused (never replaced) when it is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InvalidInput(f"{name} must be a number, got {value!r}; the rule: {rule}")
    try:
        x = float(value)
    except ValueError:
        raise InvalidInput(f"{name} must be a number, got {value!r}; the rule: {rule}") from None
    if math.isnan(x):
        raise InvalidInput(f"{name} is not a number (NaN); the rule: {rule}; this preset's default: {default:g}")
    return x


def _shown(x: float) -> str:
    return f"{x:g}" if math.isfinite(x) else ("inf" if x > 0 else "-inf")


def _whole(name: str, value: Any, rule: str, default: int, nearest, broken) -> int:
    """A whole number that follows its rule. `nearest` maps any int to the nearest valid one and
    `broken(shown, candidate)` says which rule a value breaks; 0, negatives, fractions and ±inf
    are refused with the nearest valid value, never replaced by it."""
    x = _real(name, value, rule, default)
    candidate = round(x) if math.isfinite(x) else (_FAR if x > 0 else -_FAR)
    near = nearest(candidate)
    if candidate != near:
        raise InvalidInput(f"{broken(_shown(x), candidate)}; nearest valid: {near}")
    if x != candidate:
        raise InvalidInput(f"{name} {_shown(x)} is not a whole number; nearest valid: {near}")
    return near


def _bounded(name: str, value: Any, lo: float, hi: float, default: float) -> float:
    rule = f"{lo:g} to {hi:g}"
    x = _real(name, value, rule, default)
    if not lo <= x <= hi:
        raise InvalidInput(f"{name} {_shown(x)} is out of range ({rule}); nearest valid: {max(lo, min(hi, x)):g}")
    return x


def validate_params(preset: Preset, params: dict[str, Any]) -> dict[str, Any]:
    """Fill defaults for what is absent (or None) and check every rule; the message names the rule
    and the nearest valid value. A given value is never replaced: 0, negative, NaN and ±inf are
    refused like any other value that breaks a rule."""
    if preset.retired:
        raise InvalidInput(f"preset {preset.id} is retired and takes no new jobs: {preset.retired}")
    if preset.kind == "depth":
        raise InvalidInput(f"{preset.id} makes depth guides for control jobs, not takes; use it with "
                           f"'director control render --mode depth --depth-model {preset.id}'")
    if preset.kind == "segment":
        from director.engine.segment_params import validate_segment

        return validate_segment(preset, params)
    d, c = preset.defaults, preset.constraints
    known = {"width", "height", "frames", "fps", "steps", "guidance", "negative", "init_image", "init_frame"}
    unknown = set(params) - known
    if unknown:
        raise InvalidInput(f"unknown parameter(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")

    def given(key: str, default):
        value = params.get(key)
        return default if value is None else value

    out: dict[str, Any] = {}
    for name, hi, default in (("width", c.max_width, d.width), ("height", c.max_height, d.height)):
        rule = f"{preset.family}'s size rule (a multiple of {c.size_multiple} from {c.min_size} to {hi})"
        out[name] = _whole(name, given(name, default), rule, default,
                           lambda v, hi=hi: _nearest_multiple(v, c.size_multiple, c.min_size, hi),
                           lambda shown, _v, name=name, rule=rule: f"{name} {shown} breaks {rule}")
    if not preset.is_video:
        out["frames"] = _whole("frames", given("frames", 1), "still images have 1 frame", 1, lambda v: 1,
                               lambda shown, _v: f"{preset.id} makes still images; frames must be 1, got {shown}")
    else:
        def frames_broken(shown: str, v: int) -> str:
            if not c.min_frames <= v <= c.max_frames:
                return f"frames {shown} breaks {preset.family}'s range ({c.min_frames} to {c.max_frames} frames)"
            return f"frames {shown} breaks {preset.family}'s {c.frame_rule} rule"

        out["frames"] = _whole("frames", given("frames", d.frames), f"{c.frame_rule}, {c.min_frames} to {c.max_frames} frames",
                               d.frames, lambda v: nearest_frames(v, c), frames_broken)
    out["steps"] = _whole("steps", given("steps", d.steps), f"1 to {c.max_steps}", d.steps,
                          lambda v: max(1, min(c.max_steps, v)),
                          lambda shown, _v: f"steps {shown} is out of range (1 to {c.max_steps})")
    out["fps"] = _bounded("fps", given("fps", d.fps), *FPS_RANGE, d.fps)
    out["guidance"] = _bounded("guidance", given("guidance", d.guidance), *GUIDANCE_RANGE, d.guidance)
    out = {k: out[k] for k in ("width", "height", "frames", "fps", "steps", "guidance")}
    if params.get("negative"):
        out["negative"] = str(params["negative"])
    if preset.kind == "i2v" or params.get("init_image"):
        if preset.kind != "i2v":
            raise InvalidInput(f"{preset.id} is {preset.kind}; an input image needs an image-to-video preset")
        if not params.get("init_image"):
            raise InvalidInput(f"{preset.id} animates an image: give a still take or an image file")
        out["init_image"] = str(params["init_image"])
        frame = params.get("init_frame", "first")
        if frame not in ("first", "last"):
            raise InvalidInput(f"init_frame must be 'first' or 'last', got {frame!r}")
        out["init_frame"] = frame
    return out


# -- seeds -------------------------------------------------------------------------------------


def draw_seeds(n: int, mode: str = "random", given: list[int] | tuple[int, ...] = ()) -> list[int]:
    """One seed per variant, always recorded. random: drawn; fixed: base, base+1, …; list: exactly these."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise InvalidInput(f"variants must be a whole number from 1 to {VARIANTS_MAX}, got {n!r}")
    if not 1 <= n <= VARIANTS_MAX:
        raise InvalidInput(f"variants {n} is out of range (1 to {VARIANTS_MAX}); nearest valid: {max(1, min(VARIANTS_MAX, n))}")
    if mode not in SEED_MODES:
        raise InvalidInput(f"seed mode must be one of {', '.join(SEED_MODES)}, got {mode!r}")
    given = [int(s) for s in given]
    for s in given:
        if not 0 <= s <= SEED_MAX:
            raise InvalidInput(f"seed {s} is out of range (0 to {SEED_MAX}); nearest valid: {max(0, min(SEED_MAX, s))}")
    if mode == "random":
        if given:
            raise InvalidInput("seeds were given with seed mode 'random'; use --seed-mode fixed or list")
        return [secrets.randbelow(SEED_MAX + 1) for _ in range(n)]
    if mode == "fixed":
        if len(given) != 1:
            raise InvalidInput(f"seed mode 'fixed' takes one base seed, got {len(given)}")
        return [(given[0] + i) % (SEED_MAX + 1) for i in range(n)]
    if len(given) != n:
        raise InvalidInput(f"seed mode 'list' needs one seed per variant: {n} variants, {len(given)} seeds")
    return given
