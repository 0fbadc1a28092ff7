"""Full-size LTX-Video 2B on an H100-class GPU: raw diffusers vs through Director.

The transformer and VAE are built from LTX-Video 2B's configs with random weights (nothing is
downloaded), 768×512×121 frames, 8 steps, bf16, guidance 1 (distilled). For each of
{plain, FirstBlockCache 0.1, compile_repeated_blocks, both} it reports seconds per clip raw and
through a Director job (project → worker → MP4 → take row), peak VRAM, and an MFU estimate of
the denoising transformer against 790 TFLOP/s (H100 SXM dense bf16).

The text encoder is T5's architecture at LTX's width (4096) but 2 layers instead of 24: text
encoding is well under 1 % of a clip and a random 4.7 B-parameter T5 would only cost start-up.

    python bench/gpu_ltx.py                # needs CUDA; exits 2 with a message otherwise
    python bench/gpu_ltx.py --smoke        # the same code path at toy size on the CPU (checks the script)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

PEAK_TFLOPS = 790.0
FULL = dict(width=768, height=512, frames=121, steps=8, fps=24)
SMOKE = dict(width=64, height=64, frames=9, steps=2, fps=24)


def _smoke() -> bool:
    return os.environ.get("DIRECTOR_BENCH_SMOKE") == "1"


def build_ltx_2b():
    """LTXPipeline with LTX-Video 2B's transformer and VAE configs (random weights, bf16).
    Built directly on the GPU so 2 B parameters initialise in seconds, not minutes."""
    import torch
    from diffusers import AutoencoderKLLTXVideo, FlowMatchEulerDiscreteScheduler, LTXPipeline, LTXVideoTransformer3DModel
    from transformers import T5Config, T5EncoderModel

    from director.engine.tiny import _t5_tokenizer, _ltx_components

    if _smoke():
        return LTXPipeline(**_ltx_components())
    torch.manual_seed(0)
    tokenizer, vocab = _t5_tokenizer()
    with torch.device("cuda"):
        # The diffusers defaults of these classes are LTX-Video 2B's published configs
        # (28 blocks, 32 heads × 64, caption width 4096; VAE 128 latent channels, 32× spatial, 8× temporal).
        transformer = LTXVideoTransformer3DModel().to(torch.bfloat16)
        vae = AutoencoderKLLTXVideo().to(torch.bfloat16)
        text_encoder = T5EncoderModel(T5Config(d_model=4096, d_kv=64, d_ff=10240, num_layers=2, num_heads=64,
                                               vocab_size=vocab, feed_forward_proj="gated-gelu")).to(torch.bfloat16)
    return LTXPipeline(transformer=transformer, vae=vae, text_encoder=text_encoder, tokenizer=tokenizer,
                       scheduler=FlowMatchEulerDiscreteScheduler())


def transformer_flops(pipe, p: dict) -> float:
    """Forward FLOPs of the denoiser for one clip: 2·params·tokens for the matmuls plus
    4·tokens²·width per self-attention layer (QKᵀ and AV), times the steps."""
    t = pipe.transformer
    params = sum(x.numel() for x in t.parameters())
    tokens = (p["width"] // pipe.vae_spatial_compression_ratio) * (p["height"] // pipe.vae_spatial_compression_ratio) * (
        (p["frames"] - 1) // pipe.vae_temporal_compression_ratio + 1)
    width = t.config.num_attention_heads * t.config.attention_head_dim
    per_step = 2 * params * tokens + 4 * t.config.num_layers * tokens**2 * width
    return per_step * p["steps"]


def preset_for(memory):
    from director.engine.presets import get_preset

    base = get_preset("ltx-2b-distilled")
    tiny = get_preset("tiny-t2v")
    return replace(base, id="bench-ltx-2b", source="builtin:bench-ltx-2b", builder="bench.gpu_ltx:build_ltx_2b",
                   dtype="float32" if _smoke() else "bfloat16", memory=memory,
                   constraints=tiny.constraints if _smoke() else base.constraints)


def run_raw(preset, p: dict, repeats: int) -> tuple[float, int, float]:
    """(median seconds per clip, peak bytes, median denoise seconds) for warm in-process calls."""
    import torch

    from director.engine.loading import apply_memory, load_pipeline

    device = "cpu" if _smoke() else "cuda"
    pipe, _ = load_pipeline(preset, device)
    apply_memory(pipe, preset, device)
    times, denoise = [], []
    marks: list[float] = []

    def mark(pipeline, step, timestep, kwargs):
        if device == "cuda":
            torch.cuda.synchronize()
        marks.append(time.perf_counter())
        return kwargs

    for i in range(repeats + 1):  # call 0 warms up (and compiles)
        if device == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        marks.clear()
        t0 = time.perf_counter()
        with torch.inference_mode():
            pipe(prompt="a woman in a red coat on a rooftop at night, wide shot", width=p["width"], height=p["height"],
                 num_frames=p["frames"], frame_rate=p["fps"], num_inference_steps=p["steps"], guidance_scale=1.0,
                 generator=torch.Generator("cpu").manual_seed(i), output_type="np", callback_on_step_end=mark)
        if device == "cuda":
            torch.cuda.synchronize()
        if i:
            times.append(time.perf_counter() - t0)
            denoise.append(marks[-1] - t0)
    peak = torch.cuda.max_memory_allocated() if device == "cuda" else 0
    flops = transformer_flops(pipe, p)
    del pipe
    if device == "cuda":
        torch.cuda.empty_cache()
    return statistics.median(times), peak, statistics.median(denoise), flops


def run_director(preset, p: dict, repeats: int, folder: Path) -> tuple[float, float, int]:
    """(median end-to-end seconds queued → take committed, median worker pipeline seconds, peak bytes)."""
    from director.core.prompt import PromptFields
    from director.engine.runner import JobRunner, wait_for
    from director.store import jobs as store_jobs
    from director.store.project import Project
    from director.store.prompts import write_prompt
    from director.store.shots import add_shot

    project = Project.create(folder / f"bench-{abs(hash(preset.memory))}")
    shot, _ = add_shot(project, "1")
    prompt, _ = write_prompt(project, shot.id, PromptFields(subject="a woman in a red coat", setting="rooftop at night", shot_size="wide shot"))
    # The benchmark preset is not in the registry (a builder cannot come from settings): resolve it here.
    runner = JobRunner(project, presets=lambda pid: preset)
    try:
        walls, gpu, peaks = [], [], []
        for i in range(repeats + 1):
            t0 = time.perf_counter()
            job_id, _ = store_jobs.create_job(project, shot_id=shot.id, camera_id=None, prompt_id=prompt.id, preset=preset.id, params={k: p[k] for k in ("width", "height", "frames", "steps", "fps")},
                                              seeds=[i])
            wait_for(runner, {job_id}, 1800)
            job = store_jobs.get_job(project, job_id)
            if job.state.value != "done":
                raise SystemExit(f"Director job failed: {job.error_kind}: {job.error}")
            if i:
                walls.append(time.perf_counter() - t0)
                gpu.append(job.gpu_s)
                peaks.append(job.peak_mem_bytes or 0)
        return statistics.median(walls), statistics.median(gpu), max(peaks)
    finally:
        runner.close()
        project.close()


def main() -> int:
    ap = argparse.ArgumentParser(description="LTX-Video 2B, raw vs through Director, on one GPU")
    ap.add_argument("--smoke", action="store_true", help="toy size on the CPU, to check the script itself")
    ap.add_argument("--repeats", type=int, default=2, help="warm clips timed per configuration")
    ap.add_argument("--configs", default="plain,fbc,compile,fbc+compile")
    args = ap.parse_args()
    if args.smoke:
        os.environ["DIRECTOR_BENCH_SMOKE"] = "1"  # inherited by the worker process
        os.environ["DIRECTOR_DEVICE"] = "cpu"
    import torch

    if not args.smoke and not torch.cuda.is_available():
        print("bench/gpu_ltx.py needs an NVIDIA GPU with CUDA (H100-class for the published comparison); "
              "none is visible to torch here. Run it on a GPU machine, or use --smoke to check the script on a CPU.")
        return 2
    from director.engine.presets import Memory

    p = SMOKE if args.smoke else FULL
    configs = {
        "plain": Memory(vae_tiling=True),
        "fbc": Memory(vae_tiling=True, first_block_cache=0.1),
        "compile": Memory(vae_tiling=True, compile=True),
        "fbc+compile": Memory(vae_tiling=True, first_block_cache=0.1, compile=True),
    }
    device = "CPU (smoke)" if args.smoke else torch.cuda.get_device_name(0)
    print(f"LTX-Video 2B architecture, random weights, {p['width']}x{p['height']}x{p['frames']}, {p['steps']} steps, "
          f"{'float32' if args.smoke else 'bf16'}, {device}; median of {args.repeats} warm clips")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("DIRECTOR_CONFIG_DIR", tmp)
        for name in args.configs.split(","):
            preset = preset_for(configs[name])
            raw_s, raw_peak, denoise_s, flops = run_raw(preset, p, args.repeats)
            dir_s, dir_gpu, dir_peak = run_director(preset, p, args.repeats, Path(tmp))
            mfu = flops / denoise_s / (PEAK_TFLOPS * 1e12) * 100
            print(f"{name:12s} raw {raw_s:7.2f} s/clip (denoise {denoise_s:.2f} s, MFU {mfu:.1f} %, peak {raw_peak / 2**30:.1f} GiB) | "
                  f"Director {dir_s:7.2f} s/clip (pipeline {dir_gpu:.2f} s, peak {dir_peak / 2**30:.1f} GiB) | "
                  f"overhead {(dir_s - raw_s) * 1000:.0f} ms ({(dir_s / raw_s - 1) * 100:.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
