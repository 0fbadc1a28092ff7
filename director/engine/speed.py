"""Speed options diffusers 0.42 has for the video families, each recorded with the job's run facts
and marked whether it changes the pixels (`core.recipe.Option`).

The registry (`OPTIONS`, `check`) is plain Python so the app can refuse a bad choice before a
job is queued; `apply` runs in the worker. Options that need CUDA (streams, Triton kernels, FP8
storage, torchao) are marked so and skipped on other devices with a note, never half-applied.
A user asks for them per preset in the engine settings (`engine.json`: {"speed": {preset: [names]}}).
"""

from __future__ import annotations

from dataclasses import dataclass

from director.core.errors import InvalidInput


@dataclass(frozen=True)
class SpeedOption:
    name: str
    changes_pixels: bool
    cuda_only: bool
    cache: bool  # a step cache on the transformer: only one at a time
    what: str


OPTIONS: dict[str, SpeedOption] = {o.name: o for o in (
    SpeedOption("group_offload_streams", False, True, False,
                "group offload, block level, with CUDA streams: the next block's weights load while this one computes"),
    SpeedOption("first_block_cache", True, False, True,
                "FirstBlockCache (threshold 0.1): skips the later blocks while the first block's output barely changes"),
    SpeedOption("mag_cache", True, False, True,
                "MagCache: skips steps whose residual magnitude is predictable from the model's calibrated ratios"),
    SpeedOption("taylorseer", True, False, True,
                "TaylorSeer: predicts the transformer's features between full steps with a Taylor series"),
    SpeedOption("regional_compile", True, True, False,
                "torch.compile of the repeated transformer blocks (compiled once, reused by every block)"),
    SpeedOption("fp8_layerwise", True, True, False,
                "weights stored in FP8 (e4m3) and cast up to the compute dtype layer by layer: half the weight memory"),
    SpeedOption("torchao_int8", True, True, False,
                "torchao int8 weight-only quantisation of the transformer's linear layers"),
)}

def marks(option: SpeedOption | None) -> str:
    """What an option is marked with wherever it is shown: 'changes pixels', 'CUDA only', both or ''."""
    if option is None:
        return ""
    return ", ".join(m for m, on in (("changes pixels", option.changes_pixels), ("CUDA only", option.cuda_only)) if on)


# MagCache needs each model's magnitude ratios (diffusers ships FLUX's); a family listed here has them.
MAG_RATIOS_BY_FAMILY = {"FLUX": "diffusers.hooks.mag_cache:FLUX_MAG_RATIOS"}


def check(names, family: str = "") -> tuple[str, ...]:
    """The asked-for options in the registry's order; unknown names, two step caches, or MagCache
    for a family without calibrated ratios are refused with the reason."""
    names = tuple(dict.fromkeys(str(n) for n in names or ()))
    unknown = [n for n in names if n not in OPTIONS]
    if unknown:
        raise InvalidInput(f"unknown speed option(s) {', '.join(unknown)}; known: {', '.join(OPTIONS)}")
    caches = [n for n in names if OPTIONS[n].cache]
    if len(caches) > 1:
        raise InvalidInput(f"{' and '.join(caches)} are both step caches; pick one")
    if "mag_cache" in names and family not in MAG_RATIOS_BY_FAMILY:
        raise InvalidInput(f"MagCache needs the model's calibrated magnitude ratios, which Director has for "
                           f"{', '.join(MAG_RATIOS_BY_FAMILY)} only, not {family or 'this family'}; use first_block_cache or taylorseer")
    return tuple(n for n in OPTIONS if n in names)


def key(names, steps: int = 0) -> str:
    """What the options add to a warm pipeline's cache key (they change the loaded pipeline;
    MagCache's ratios are fitted to the step count, so that joins the key too)."""
    if not names:
        return ""
    return "|speed=" + ",".join(names) + (f"|steps={steps}" if "mag_cache" in names else "")


def settings_for(preset_id: str, settings: dict) -> tuple[str, ...]:
    return tuple((settings.get("speed") or {}).get(preset_id) or ())


# -- in the worker -----------------------------------------------------------------------------


def apply(pipe, names, device: str, *, family: str = "", steps: int = 50) -> tuple[list[str], list[str]]:
    """Switch the options on: (applied names, notes on what was skipped and why)."""
    import torch

    applied, notes = [], []
    transformer = getattr(pipe, "transformer", None)
    for name in check(names, family):
        option = OPTIONS[name]
        if option.cuda_only and device != "cuda":
            notes.append(f"{name} skipped: it needs CUDA, this job ran on {device}")
            continue
        if transformer is None:
            notes.append(f"{name} skipped: {type(pipe).__name__} has no transformer")
            continue
        if name == "group_offload_streams":
            pipe.enable_group_offload(onload_device=torch.device(device), offload_device=torch.device("cpu"),
                                      offload_type="block_level", num_blocks_per_group=1, use_stream=True)
        elif option.cache:
            if getattr(transformer, "is_cache_enabled", False):
                raise InvalidInput(f"{name}: the preset already switches on a step cache; pick one")
            try:
                transformer.enable_cache(_cache_config(name, family, steps))
            except ValueError as exc:  # diffusers knows the cache only for the blocks it registered
                if "not registered" not in str(exc):
                    raise
                raise InvalidInput(f"{name} is not available for {type(transformer).__name__} in this diffusers "
                                   f"(its blocks are not registered for step caches); use another option") from None
        elif name == "regional_compile":
            transformer.compile_repeated_blocks(fullgraph=True)
        elif name == "fp8_layerwise":
            transformer.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, compute_dtype=transformer.dtype)
        elif name == "torchao_int8":
            try:
                from torchao.quantization import int8_weight_only, quantize_
            except ImportError:
                notes.append("torchao_int8 skipped: torchao is not installed (pip install torchao)")
                continue
            quantize_(transformer, int8_weight_only())
        # Group offload is recorded under the name the run facts already know (it changes no pixel).
        applied.append("group_offload" if name == "group_offload_streams" else name)
    return applied, notes


def _cache_config(name: str, family: str, steps: int):
    import torch

    if name == "first_block_cache":
        from diffusers import FirstBlockCacheConfig

        return FirstBlockCacheConfig(threshold=0.1)
    if name == "taylorseer":
        from diffusers import TaylorSeerCacheConfig

        return TaylorSeerCacheConfig(cache_interval=2, disable_cache_before_step=1, taylor_factors_dtype=torch.float32)
    import importlib

    from diffusers import MagCacheConfig

    module, _, attr = MAG_RATIOS_BY_FAMILY[family].partition(":")
    return MagCacheConfig(num_inference_steps=steps, mag_ratios=getattr(importlib.import_module(module), attr))
