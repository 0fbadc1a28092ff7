"""Fixed cost of running a job through Director instead of calling diffusers directly.

Same tiny pipeline, same parameters: (a) the raw diffusers call in this process, (b) a Director
job end to end — queued in a project, run by the warm worker process, MP4 + thumbnail written
into the media store, take row committed. Prints medians, the fixed overhead in ms and the ratio.
Goal (issue 3): <= 150 ms per job, <= 2 % of any job over 10 s.

    .venv/bin/python bench/engine_overhead.py [--runs 5] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

CASES = {
    "small (96x64x17, 4 steps)": {"width": 96, "height": 64, "frames": 17, "steps": 4},
    "larger (192x128x33, 8 steps)": {"width": 192, "height": 128, "frames": 33, "steps": 8},
}


def measure(params: dict, runs: int, folder: Path) -> dict[str, list[float]]:
    """Raw calls and Director jobs interleaved, so both see the same load on a shared machine."""
    import torch

    from director.core.prompt import PromptFields
    from director.engine import actions
    from director.engine.runner import JobRunner, wait_for
    from director.engine.tiny import build_t2v
    from director.store import jobs as store_jobs
    from director.store.project import Project
    from director.store.prompts import write_prompt
    from director.store.shots import add_shot
    from director.store.takes import takes_of_job

    pipe = build_t2v()
    for c in pipe.components.values():
        if hasattr(c, "eval") and hasattr(c, "training"):
            c.eval()
    pipe.set_progress_bar_config(disable=True)
    project = Project.create(folder / f"bench{params['width']}x{params['steps']}")
    shot, _ = add_shot(project, "1")
    fields = PromptFields(subject="a woman in a red coat", setting="rooftop at night")
    write_prompt(project, shot.id, fields)
    runner = JobRunner(project)
    out: dict[str, list[float]] = {"raw": [], "job": [], "worker_pipeline": []}
    try:
        for i in range(runs + 1):
            t0 = time.perf_counter()
            with torch.inference_mode():
                pipe(prompt=fields.compose(), width=params["width"], height=params["height"], num_frames=params["frames"],
                     num_inference_steps=params["steps"], guidance_scale=1.0, frame_rate=12.0,
                     generator=torch.Generator("cpu").manual_seed(i), output_type="np")
            raw = time.perf_counter() - t0
            t0 = time.perf_counter()
            queued = actions.queue_generation(project, "1", "tiny-t2v", variants=1, seed_mode="list", seeds=[i], params=params)
            wait_for(runner, set(queued.job_ids), 300)
            job_s = time.perf_counter() - t0
            job = store_jobs.get_job(project, queued.job_ids[0])
            assert job.state.value == "done" and takes_of_job(project, job.id), job.error
            if i:  # run 0 starts the worker and builds its pipeline: the warm path is what we measure
                out["raw"].append(raw)
                out["job"].append(job_s)
                out["worker_pipeline"].append(job.gpu_s)
        return out
    finally:
        runner.close()
        project.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    os.environ["DIRECTOR_TORCH_THREADS"] = str(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("DIRECTOR_CONFIG_DIR", tmp)
        print(f"tiny-t2v (LTXPipeline, random weights), CPU, {args.threads} torch threads, median of {args.runs} warm runs")
        for name, params in CASES.items():
            m = {k: statistics.median(v) for k, v in measure(params, args.runs, Path(tmp)).items()}
            fixed = (m["job"] - m["worker_pipeline"]) * 1000
            print(f"{name}: raw call {m['raw'] * 1000:.0f} ms | Director job end to end {m['job'] * 1000:.0f} ms "
                  f"(pipeline inside the worker {m['worker_pipeline'] * 1000:.0f} ms) | fixed overhead "
                  f"{fixed:.0f} ms (job minus its own pipeline time), {(m['job'] - m['raw']) * 1000:.0f} ms vs raw | "
                  f"ratio {m['job'] / m['raw']:.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
