"""Every family's full-size denoising transformer on one GPU, with and without each speed option.

Each transformer is built from its real config (written below, from the model's
`transformer/config.json` as diffusers 0.42 loads it; nothing is downloaded) with random weights,
in bf16, and run at its preset's default size (`engine.presets`). Per family and option it
reports seconds per denoising step (the transformer's passes for one step: two with classifier-
free guidance), seconds per clip (that × the preset's steps; the text encoder and the VAE decode
are not in it), peak VRAM and MFU (the step's FLOPs counted by torch's FlopCounterMode, over the
card's dense bf16 peak). Options go through `engine.speed.apply`, the worker's own code.

Between steps the latents move the way a sampler moves them (x ← x − 0.05·v), so the step caches
see changing inputs; with random weights their skip rates are not a real model's, so a cache's
time here says what its hooks cost and save on this shape, not what quality it keeps.

    python bench/gpu_matrix.py                          # CUDA, full size; JSON to stdout and --out
    python bench/gpu_matrix.py --tiny                   # the same code at toy configs on the CPU
    python bench/gpu_matrix.py --families wan21-1.3b --options none,first_block_cache --steps 3
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

OPTIONS = ("none", "first_block_cache", "taylorseer", "fp8_layerwise", "regional_compile", "group_offload_streams")
# Dense bf16 peak of the card (TFLOP/s), by a fragment of torch.cuda.get_device_name().
PEAK_TFLOPS = {"H200": 989.0, "H100 PCIe": 756.0, "H100": 989.0, "A100": 312.0, "L40S": 362.0, "4090": 165.0, "A6000": 155.0}


@dataclass(frozen=True)
class Family:
    name: str
    preset: str  # its default size, steps and guidance come from this preset
    cls: str
    config: dict
    tiny: dict  # the config overrides for --tiny
    vae: tuple[int, int, int]  # (spatial, temporal, latent channels)
    text: tuple[int, int] = (512, 4096)  # (tokens, width) of the text embeddings
    notes: str = ""
    extra: dict = field(default_factory=dict)


_WAN_TINY = dict(num_attention_heads=2, attention_head_dim=16, ffn_dim=64, num_layers=2, text_dim=32, freq_dim=32)
FAMILIES = (
    Family("ltx-video-2b", "ltx-2b-distilled", "LTXVideoTransformer3DModel",
           dict(in_channels=128, out_channels=128, patch_size=1, patch_size_t=1, num_attention_heads=32, attention_head_dim=64,
                cross_attention_dim=2048, num_layers=28, caption_channels=4096, qk_norm="rms_norm_across_heads"),
           dict(num_attention_heads=2, attention_head_dim=16, cross_attention_dim=32, num_layers=2, caption_channels=32),
           (32, 8, 128), (128, 4096), "Lightricks/LTX-Video 0.9.8 2B distilled"),
    Family("ltx-2", "ltx2", "LTX2VideoTransformer3DModel", dict(num_layers=48),
           dict(num_attention_heads=2, attention_head_dim=16, cross_attention_dim=32, num_layers=2, caption_channels=32,
                audio_num_attention_heads=2, audio_attention_head_dim=16, audio_cross_attention_dim=32),
           (32, 8, 128), (128, 4096), "Lightricks/LTX-2 19B (video and audio streams; audio at 25 latent frames/s)"),
    Family("wan21-1.3b", "wan21-t2v-1.3b", "WanTransformer3DModel",
           dict(patch_size=(1, 2, 2), num_attention_heads=12, attention_head_dim=128, in_channels=16, out_channels=16,
                text_dim=4096, freq_dim=256, ffn_dim=8960, num_layers=30, cross_attn_norm=True, qk_norm="rms_norm_across_heads"),
           _WAN_TINY, (8, 4, 16), notes="Wan-AI/Wan2.1-T2V-1.3B-Diffusers"),
    Family("wan22-a14b", "wan22-a14b-t2v", "WanTransformer3DModel",
           dict(patch_size=(1, 2, 2), num_attention_heads=40, attention_head_dim=128, in_channels=16, out_channels=16,
                text_dim=4096, freq_dim=256, ffn_dim=13824, num_layers=40, cross_attn_norm=True, qk_norm="rms_norm_across_heads"),
           _WAN_TINY, (8, 4, 16), notes="Wan-AI/Wan2.2-T2V-A14B-Diffusers: one of its two 14B experts (each step runs one)"),
    Family("wan22-a14b-lightning", "wan22-a14b-t2v-lightning", "WanTransformer3DModel",
           dict(patch_size=(1, 2, 2), num_attention_heads=40, attention_head_dim=128, in_channels=16, out_channels=16,
                text_dim=4096, freq_dim=256, ffn_dim=13824, num_layers=40, cross_attn_norm=True, qk_norm="rms_norm_across_heads"),
           _WAN_TINY, (8, 4, 16), notes="Wan 2.2 A14B with lightx2v's 4-step LoRAs fused (same shapes): 480p, 4 steps, no CFG"),
    Family("wan22-ti2v-5b", "wan22-ti2v-5b", "WanTransformer3DModel",
           dict(patch_size=(1, 2, 2), num_attention_heads=24, attention_head_dim=128, in_channels=48, out_channels=48,
                text_dim=4096, freq_dim=256, ffn_dim=14336, num_layers=30, cross_attn_norm=True, qk_norm="rms_norm_across_heads"),
           _WAN_TINY, (16, 4, 48), notes="Wan-AI/Wan2.2-TI2V-5B-Diffusers"),
    Family("wan21-vace-14b", "wan21-vace-14b", "WanVACETransformer3DModel",
           dict(patch_size=(1, 2, 2), num_attention_heads=40, attention_head_dim=128, in_channels=16, out_channels=16,
                text_dim=4096, freq_dim=256, ffn_dim=13824, num_layers=40, cross_attn_norm=True, qk_norm="rms_norm_across_heads",
                vace_layers=[0, 5, 10, 15, 20, 25, 30, 35], vace_in_channels=96),
           {**_WAN_TINY, "vace_layers": [0, 1]}, (8, 4, 16), notes="Wan-AI/Wan2.1-VACE-14B-diffusers, with a control video"),
    Family("hunyuan15", "hunyuan15-t2v", "HunyuanVideo15Transformer3DModel",
           dict(in_channels=65, out_channels=32, num_attention_heads=16, attention_head_dim=128, num_layers=54, num_refiner_layers=2,
                mlp_ratio=4.0, patch_size=1, patch_size_t=1, qk_norm="rms_norm", text_embed_dim=3584, text_embed_2_dim=1472,
                image_embed_dim=1152, rope_axes_dim=(16, 56, 56), task_type="t2v"),
           dict(num_attention_heads=2, attention_head_dim=16, num_layers=2, num_refiner_layers=1, text_embed_dim=32,
                text_embed_2_dim=32, image_embed_dim=32, rope_axes_dim=(4, 6, 6)),
           (16, 4, 32), (256, 3584), "hunyuanvideo-community/HunyuanVideo-1.5 480p T2V (8.3B)"),
)


def _inputs(family: Family, cfg: dict, w: int, h: int, frames: int, batch: int, device, dtype) -> dict:
    """Random inputs shaped as the pipeline hands them to this transformer."""
    import torch

    spatial, temporal, channels = family.vae
    lf, lh, lw = (frames - 1) // temporal + 1, h // spatial, w // spatial
    tokens, text_width = family.text
    text_width = cfg.get("caption_channels", cfg.get("text_dim", cfg.get("text_embed_dim", text_width)))
    g = torch.Generator("cpu").manual_seed(0)

    def rand(*shape):
        return torch.randn(*shape, generator=g).to(device, dtype)

    t = torch.full((batch,), 500.0, device=device)
    if family.cls == "LTXVideoTransformer3DModel":
        return dict(hidden_states=rand(batch, lf * lh * lw, cfg["in_channels"]), encoder_hidden_states=rand(batch, tokens, text_width),
                    timestep=t, encoder_attention_mask=torch.ones(batch, tokens, device=device), num_frames=lf, height=lh, width=lw,
                    rope_interpolation_scale=(temporal / 24.0, spatial, spatial))
    if family.cls == "LTX2VideoTransformer3DModel":
        audio_frames = round(frames / 24.0 * 25)
        audio_width = cfg.get("audio_in_channels", 128)
        audio_text = cfg.get("audio_cross_attention_dim", 2048)
        return dict(hidden_states=rand(batch, lf * lh * lw, cfg.get("in_channels", 128)), audio_hidden_states=rand(batch, audio_frames, audio_width),
                    encoder_hidden_states=rand(batch, tokens, cfg.get("cross_attention_dim", 4096)),
                    audio_encoder_hidden_states=rand(batch, tokens, audio_text), timestep=t,
                    encoder_attention_mask=torch.ones(batch, tokens, device=device),
                    audio_encoder_attention_mask=torch.ones(batch, tokens, device=device),
                    num_frames=lf, height=lh, width=lw, fps=24.0, audio_num_frames=audio_frames)
    if family.cls.startswith("Wan"):
        out = dict(hidden_states=rand(batch, cfg["in_channels"], lf, lh, lw), timestep=t, encoder_hidden_states=rand(batch, tokens, text_width))
        if family.cls == "WanVACETransformer3DModel":
            out["control_hidden_states"] = rand(batch, cfg["vace_in_channels"], lf, lh, lw)
            out["control_hidden_states_scale"] = torch.ones(len(cfg["vace_layers"]), device=device, dtype=dtype)
        return out
    if family.cls == "HunyuanVideo15Transformer3DModel":
        return dict(hidden_states=rand(batch, cfg["in_channels"], lf, lh, lw), timestep=t,
                    encoder_hidden_states=rand(batch, tokens, text_width), encoder_attention_mask=torch.ones(batch, tokens, device=device),
                    encoder_hidden_states_2=rand(batch, 64, cfg["text_embed_2_dim"]), encoder_attention_mask_2=torch.ones(batch, 64, device=device),
                    image_embeds=torch.zeros(batch, 729, cfg["image_embed_dim"], device=device, dtype=dtype))
    raise ValueError(family.cls)


_FULL_PARAMS: dict[str, float] = {}


def full_params_b(family: Family) -> float:
    """Billions of parameters of the full-size config, built on the meta device (no memory):
    the check that the config written here is the real model's."""
    import diffusers
    from accelerate import init_empty_weights

    if family.name not in _FULL_PARAMS:
        with init_empty_weights():
            model = getattr(diffusers, family.cls)(**family.config)
        _FULL_PARAMS[family.name] = round(sum(p.numel() for p in model.parameters()) / 1e9, 2)
    return _FULL_PARAMS[family.name]


class _Pipe:
    """What `engine.speed.apply` needs of a pipeline: the transformer, and group offload for it."""

    def __init__(self, transformer):
        self.transformer = transformer

    def enable_group_offload(self, **kwargs):
        self.transformer.enable_group_offload(**kwargs)


def _peak_tflops(device: str) -> float | None:
    if device != "cuda":
        return None
    import torch

    name = torch.cuda.get_device_name(0)
    return next((v for k, v in PEAK_TFLOPS.items() if k in name), None)


def run_one(family: Family, option: str, *, tiny: bool, steps: int, device: str) -> dict:
    import diffusers
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from director.core.errors import InvalidInput
    from director.engine import speed
    from director.engine.presets import get_preset

    preset = get_preset(family.preset)
    d = preset.defaults
    w, h, frames = (64, 64, 9) if tiny else (d.width, d.height, d.frames)
    batch = 2 if d.guidance > 1.0 else 1  # classifier-free guidance: conditional and unconditional in one batch
    dtype = torch.float32 if device == "cpu" else torch.bfloat16
    cfg = {**family.config, **(family.tiny if tiny else {})}
    result = {"family": family.name, "preset": preset.id, "option": option, "size": f"{w}x{h}x{frames}",
              "batch": batch, "preset_steps": d.steps, "source": family.notes}
    torch.manual_seed(0)
    cls = getattr(diffusers, family.cls)
    # Built where it runs, in its dtype: a 14B transformer made in float32 on the CPU and then moved
    # would take minutes of the run and 56 GB of RAM. Group offload starts from the CPU by design.
    with _building("cpu" if option == "group_offload_streams" else device, dtype):
        model = cls(**cfg)
    model = model.to(dtype).eval()
    result["params_b"] = round(sum(p.numel() for p in model.parameters()) / 1e9, 3)
    result["full_params_b"] = full_params_b(family)
    if option != "group_offload_streams":
        model.to(device)
    notes: list[str] = []
    if option != "none":
        try:
            applied, notes = speed.apply(_Pipe(model), [option], device, family=preset.family, steps=steps + 1)
        except InvalidInput as exc:  # the option does not exist for this family: a finding, not a failure
            result.update(unsupported=True, note=str(exc))
            return result
        if not applied:
            result.update(skipped=True, note="; ".join(notes))
            return result
    inputs = _inputs(family, cfg, w, h, frames, batch, device, dtype)
    latents_key = "hidden_states"

    def step(x):
        ctx = model.cache_context("cond") if hasattr(model, "cache_context") and getattr(model, "is_cache_enabled", False) else _null()
        with ctx:
            out = model(**{**inputs, latents_key: x}, return_dict=False)[0]
        return _advance(x, out.to(x.dtype))

    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    nvml = _nvml(device)
    with torch.inference_mode():
        x = inputs[latents_key]
        with FlopCounterMode(display=False) as counter:  # one step, counted (not timed)
            x = step(x)
        flops = counter.get_total_flops()
        if hasattr(model, "_reset_stateful_cache"):
            model._reset_stateful_cache()
        x = step(x)  # warm-up (compiles under regional_compile)
        _sync(device)
        times = []
        energy_mj = _energy_mj(nvml)
        for _ in range(steps):
            t0 = time.perf_counter()
            x = step(x)
            _sync(device)
            times.append(time.perf_counter() - t0)
        if energy_mj is not None:
            energy_mj = _energy_mj(nvml) - energy_mj
    per_step = sorted(times)[len(times) // 2]
    peak = _peak_tflops(device)
    result.update(
        s_per_step=round(per_step, 4),
        s_per_clip=round(per_step * d.steps, 2),
        flops_per_step=flops,
        mfu=round(flops / per_step / (peak * 1e12), 3) if peak else None,
        peak_vram_gb=round(torch.cuda.max_memory_allocated() / 2**30, 2) if device == "cuda" else None,
        # NVML's energy counter over the timed steps (what the cost ledger charges by), per step and per clip.
        j_per_step=round(energy_mj / 1000 / steps, 2) if energy_mj is not None else None,
        wh_per_clip=round(energy_mj / 3.6e6 / steps * d.steps, 4) if energy_mj is not None else None,
        note="; ".join(notes),
    )
    # The latents after the same steps from the same inputs: `main` compares each option's with the
    # plain run's (max abs difference: 0 when the option leaves the pixels alone).
    result["_final"] = x.float().cpu()
    del model, inputs, x
    gc.collect()
    if device == "cuda":
        torch.cuda.empty_cache()
    return result


class _building:
    """torch's default device and dtype for the length of a model's construction."""

    def __init__(self, device: str, dtype):
        self.device, self.dtype = device, dtype

    def __enter__(self):
        import torch

        self._dtype = torch.get_default_dtype()
        self._device = torch.device(self.device)
        torch.set_default_dtype(self.dtype)
        self._device.__enter__()
        return self

    def __exit__(self, *exc):
        import torch

        self._device.__exit__(*exc)
        torch.set_default_dtype(self._dtype)
        return False


def _nvml(device: str):
    """An NVML handle for the GPU in use (nvidia-ml-py), or None where there is none."""
    if device != "cuda":
        return None
    try:
        import pynvml
        import torch

        pynvml.nvmlInit()
        handle = pynvml.nvmlDeviceGetHandleByIndex(torch.cuda.current_device())
        pynvml.nvmlDeviceGetTotalEnergyConsumption(handle)
        return handle
    except Exception:  # no NVML, or a driver without the energy counter
        return None


def _energy_mj(handle) -> int | None:
    if handle is None:
        return None
    import pynvml

    return pynvml.nvmlDeviceGetTotalEnergyConsumption(handle)


def _advance(x, v):
    """One sampler-like move of the latents (x ← x − 0.05·v); a model whose input carries extra
    conditioning channels (HunyuanVideo 1.5: 65 in, 32 out) moves only its latent channels."""
    if v.shape == x.shape:
        return x - 0.05 * v
    y = x.clone()
    y[:, : v.shape[1]] -= 0.05 * v
    return y


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _sync(device: str) -> None:
    import torch

    if device == "cuda":
        torch.cuda.synchronize()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="toy configs on the CPU: proves the script")
    parser.add_argument("--families", help="comma-separated (default: all): " + ", ".join(f.name for f in FAMILIES))
    parser.add_argument("--options", default=",".join(OPTIONS), help="comma-separated from: " + ", ".join(OPTIONS))
    parser.add_argument("--steps", type=int, default=3, help="timed steps per run (after one counted and one warm-up step)")
    parser.add_argument("--out", help="also write the JSON here")
    parser.add_argument("--quiet", action="store_true", help="print only the rows (as they come), not the whole JSON")
    args = parser.parse_args(argv)
    import torch
    from diffusers.utils import logging as diffusers_logging

    diffusers_logging.set_verbosity_error()  # the bf16 cast warnings would bury the rows
    device = "cpu" if args.tiny else "cuda"
    if device == "cuda" and not torch.cuda.is_available():
        print("gpu_matrix: no CUDA device here; run with --tiny to check the script on the CPU", file=sys.stderr)
        return 2
    if args.tiny:
        torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    wanted = set(args.families.split(",")) if args.families else None
    families = [f for f in FAMILIES if wanted is None or f.name in wanted]
    rows = []
    for family in families:
        plain = None
        for option in args.options.split(","):
            try:
                row = run_one(family, option, tiny=args.tiny, steps=args.steps, device=device)
            except Exception as exc:  # one family's failure is a row, not the end of the matrix
                row = {"family": family.name, "option": option, "error": f"{type(exc).__name__}: {exc}"[:400]}
            final = row.pop("_final", None)
            if option == "none":
                plain = final
            if final is not None and plain is not None and final.shape == plain.shape:
                row["max_abs_diff_vs_plain"] = float((final - plain).abs().max())
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
    import diffusers

    report = {"machine": {"device": torch.cuda.get_device_name(0) if device == "cuda" else f"cpu ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)",
                          "torch": str(torch.__version__), "diffusers": str(diffusers.__version__), "tiny": args.tiny},
              "measured_steps": args.steps, "rows": rows}
    text = json.dumps(report, indent=1)
    if not args.quiet:
        print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0 if all("error" not in r for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
