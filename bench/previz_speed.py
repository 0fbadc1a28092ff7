"""Previz render speed (#15): one previz take of 768×512×121 at 24 fps through the engine worker's
real path (in process): render of picture, depth and labels, the writer's three H.264 encodes
(picture, depth, layout), the frames' digest, thumbnail and adoption. The goal is faster than real
time (121 frames at 24 fps = 5.04 s) on 2 CPU cores.

Two measures per take: wall seconds, which on a shared machine mostly measure the load, and the
process's CPU seconds over the whole take (every thread: render, encoders, digest), which do not
depend on the load: on an idle 2-core machine the take is real time at the latest when its CPU
seconds are at most 2 × 5.04 s, and for certain when they are at most 5.04 s (one core's worth).
Render-only figures show the encodes' share.

    python bench/previz_speed.py                          # this checkout, 3 runs per scene
    python bench/previz_speed.py --frames 49 --runs 1     # a quick look
    python bench/previz_speed.py --before /tmp/old-tree   # before/after, runs interleaved

With --before, each run of each tree is its own process and the trees alternate run by run, so
both see the same machine state; the JSON holds both with their median and minimum.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCENES = (
    ("exterior, two people, wide, dolly in", "a detective and a suspect", "a rooftop at dusk",
     {"shot_size": "wide shot", "movement": "dolly in"}),
    ("interior, close-up, 85mm, handheld", "a woman in a red coat", "an interrogation room at night",
     {"shot_size": "close-up", "lens": "85mm", "movement": "handheld"}),
)


def run_once(width: int, height: int, frames: int, fps: int) -> list[dict]:
    """One take per scene through the worker, plus a render-only pass: this process's tree."""
    from director.core.prompt import CameraSetup, PromptFields
    from director.engine import actions
    from director.engine.previz.job import render_arrays
    from director.engine.runner import build_request
    from director.engine.worker_run import Worker
    from director.store import Project
    from director.store import jobs as store_jobs
    from director.store.cameras import find_camera, update_camera
    from director.store.prompts import write_prompt
    from director.store.shots import add_shot

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        project = Project.create(Path(tmp) / "bench")
        for i, (name, subject, setting, setup) in enumerate(SCENES):
            shot, _ = add_shot(project, f"{i + 1}A", name)
            write_prompt(project, shot.id, PromptFields(subject=subject, setting=setting))
            update_camera(project, find_camera(project, shot.id, "A").id, setup=CameraSetup(**setup))
            queued = actions.queue_generation(project, shot.code, "previz", seed_mode="list", seeds=[1],
                                              params={"width": width, "height": height, "frames": frames, "fps": fps})
            request = build_request(project, store_jobs.get_job(project, queued.job_ids[0]))
            c0, t0 = time.process_time(), time.perf_counter()
            render_arrays(request.scene, request.params, 1, lambda: None)
            render = {"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0}
            events = []
            worker = Worker(events.append)
            c0, t0 = time.process_time(), time.perf_counter()
            worker.run(request)
            take = {"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0}
            worker.close()
            final = events[-1]
            out.append({"scene": name, "ended": type(final).__name__, "render_only": render, "take": take,
                        "render_cpu_s_metered": final.meter.gpu_s, "write_s": final.meter.write_s or 0.0})
        project.close()
    return out


def _stats(values: list[float]) -> dict:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3),
            "runs": [round(v, 3) for v in values]}


def summarise(runs: list[list[dict]], clip_s: float) -> list[dict]:
    """Per scene: median and minimum of each measure over the runs."""
    out = []
    for k, first in enumerate(runs[0]):
        per = [run[k] for run in runs]
        take_cpu = _stats([r["take"]["cpu_s"] for r in per])
        take_wall = _stats([r["take"]["wall_s"] for r in per])
        out.append({
            "scene": first["scene"], "ended": sorted({r["ended"] for r in per}),
            "take_cpu_s": take_cpu, "take_wall_s": take_wall,
            "render_only_cpu_s": _stats([r["render_only"]["cpu_s"] for r in per]),
            "render_only_wall_s": _stats([r["render_only"]["wall_s"] for r in per]),
            "render_cpu_s_metered": _stats([r["render_cpu_s_metered"] for r in per]),
            "clip_s": round(clip_s, 3),
            "cpu_realtime_factor_min": round(clip_s / take_cpu["min"], 3),
            "wall_realtime_factor_best": round(clip_s / take_wall["min"], 3),
        })
    return out


def _child(tree: Path, args) -> list[dict]:
    """One run in a fresh process that imports Director from `tree`."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(tree), "--width", str(args.width),
           "--height", str(args.height), "--frames", str(args.frames), "--fps", str(args.fps)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--width", type=int, default=768)
    ap.add_argument("--height", type=int, default=512)
    ap.add_argument("--frames", type=int, default=121)
    ap.add_argument("--fps", type=int, default=24)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--before", type=Path, help="another checkout (the code before a change) to run alternately")
    ap.add_argument("--note", default="", help="what the trees are (recorded in the JSON)")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "previz_speed.json")
    args = ap.parse_args()
    if args.child is not None:
        sys.path.insert(0, str(args.child))
        print(json.dumps(run_once(args.width, args.height, args.frames, args.fps)))
        return 0
    trees = {"after": ROOT} if args.before is None else {"before": args.before.resolve(), "after": ROOT}
    load_before = os.getloadavg()
    runs: dict[str, list] = {name: [] for name in trees}
    for _ in range(args.runs):
        for name, tree in trees.items():
            runs[name].append(_child(tree, args))
    clip_s = args.frames / args.fps
    report = {
        "machine": {"cpus": os.cpu_count(), "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_after": [round(x, 2) for x in os.getloadavg()], "node": os.uname().nodename},
        "note": args.note,
        "size": {"width": args.width, "height": args.height, "frames": args.frames, "fps": args.fps},
        "goal": "take_cpu_s <= clip_s: the whole take (render and encodes) in one core's worth of the clip's length",
        "results": {name: summarise(r, clip_s) for name, r in runs.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
