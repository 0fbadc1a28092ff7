"""Previz render speed (#15): one previz take of 768×512×121 at 24 fps through the engine worker's
real path (in process): numpy render of picture, depth and layout, then the writer's three H.264
encodes, thumbnail and adoption. The goal is faster than real time (121 frames at 24 fps = 5.04 s)
on 2 CPU cores. Render-only figures (1 and 2 render threads) are measured too, so the encode's
share shows. The machine's load average is recorded: on a shared machine it is what moves the
numbers most.

    python bench/previz_speed.py                    # two scenes, 768x512x121
    python bench/previz_speed.py --frames 49        # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCENES = (
    ("exterior, two people, wide, dolly in", "a detective and a suspect", "a rooftop at dusk",
     {"shot_size": "wide shot", "movement": "dolly in"}),
    ("interior, close-up, 85mm, handheld", "a woman in a red coat", "an interrogation room at night",
     {"shot_size": "close-up", "lens": "85mm", "movement": "handheld"}),
)


def run(width: int, height: int, frames: int, fps: int) -> list[dict]:
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
            renders = {}
            for threads in (1, 2):
                t0 = time.perf_counter()
                *_arrays, cpu_s = render_arrays(request.scene, request.params, 1, lambda: None, threads=threads)
                renders[threads] = {"wall_s": round(time.perf_counter() - t0, 3), "cpu_s": round(cpu_s, 3)}
            events = []
            worker = Worker(events.append)
            t0 = time.perf_counter()
            worker.run(request)
            wall = time.perf_counter() - t0
            worker.close()
            final = events[-1]
            meter = final.meter
            clip_s = frames / fps
            out.append({
                "scene": name, "width": width, "height": height, "frames": frames, "fps": fps,
                "ended": type(final).__name__,
                "render_only_1_thread": renders[1], "render_only_2_threads": renders[2],
                "take_wall_s": round(wall, 3), "take_cpu_s": round(meter.gpu_s, 3), "write_s": round(meter.write_s or 0, 3),
                "clip_s": round(clip_s, 3), "realtime_factor": round(clip_s / wall, 3),
                "render_fps_2_threads": round(frames / renders[2]["wall_s"], 1),
            })
        project.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--width", type=int, default=768)
    ap.add_argument("--height", type=int, default=512)
    ap.add_argument("--frames", type=int, default=121)
    ap.add_argument("--fps", type=int, default=24)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "previz_speed.json")
    args = ap.parse_args()
    load_before = os.getloadavg()
    results = run(args.width, args.height, args.frames, args.fps)
    report = {"machine": {"cpus": os.cpu_count(), "load_average_before": [round(x, 2) for x in load_before],
                          "load_average_after": [round(x, 2) for x in os.getloadavg()], "node": os.uname().nodename},
              "goal": "realtime_factor > 1 (the take is written faster than it plays)", "results": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
