"""Continuity QC speed: seconds of QC per second of 768×512 video on the CPU.

A smooth textured pan with a teleporting object (tests/engine/qc_clips.py's scene) is encoded as
H.264 at 24 fps, then measured from the file as the runner's follow-up does (`engine.qc.analyse_file`:
decode and scale by FFmpeg, DIS flow, warp, colour). Reported per round: wall and thread-CPU
seconds, and their ratio to the clip's length. #19's goal: under 0.25 (a quarter of real time),
so QC never holds the queue back. Timings are wall clock on a shared machine: the median is
reported beside every round.

    python bench/qc_speed.py                     # 10 s of video, 3 rounds
    python bench/qc_speed.py --seconds 4 --rounds 1 --out bench/results/qc_speed.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from director.engine import qc  # noqa: E402
from tests.engine.qc_clips import W, H, scene, write_mp4  # noqa: E402

FPS = 24
GOAL = 0.25


def clip(frames: int) -> list[np.ndarray]:
    big = scene(3, width=W + 3 * frames + 64)
    out = []
    for i in range(frames):
        f = big[:, 3 * i:3 * i + W].copy()
        x = 100 + 2 * i + (250 if i == frames // 2 else 0)
        cv2.rectangle(f, (x % (W - 100), 200), (x % (W - 100) + 96, 296), (250, 250, 40), -1)
        out.append(f)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", help="write the results as JSON here")
    args = ap.parse_args()
    frames = int(args.seconds * FPS)
    rounds = []
    with tempfile.TemporaryDirectory() as tmp:
        path = write_mp4(Path(tmp) / "take.mp4", clip(frames), FPS)
        qc.analyse_file(path)  # warm: OpenCV's and FFmpeg's first-call costs are not QC's
        for r in range(args.rounds):
            cpu0 = time.process_time()  # every thread of the process: FFmpeg's decoder threads too
            result = qc.analyse_file(path)
            cpu = time.process_time() - cpu0
            seconds = frames / FPS
            rounds.append({"wall_s": round(result.wall_s, 3), "cpu_s": round(cpu, 3), "qc_thread_cpu_s": round(result.cpu_s, 3),
                           "wall_per_video_s": round(result.wall_s / seconds, 4),
                           "cpu_per_video_s": round(cpu / seconds, 4)})
            print(f"round {r + 1}: {result.wall_s:.2f} s wall, {cpu:.2f} s CPU (all threads) for {seconds:.1f} s of video "
                  f"→ {result.wall_s / seconds:.3f} wall, {cpu / seconds:.3f} CPU per second of video")
    median = statistics.median(r["wall_per_video_s"] for r in rounds)
    cpu_median = statistics.median(r["cpu_per_video_s"] for r in rounds)
    report = {
        "bench": "qc_speed", "size": f"{W}x{H}", "fps": FPS, "frames": frames, "measure_width": qc.WIDTH,
        "rounds": rounds, "median_wall_per_video_s": median, "median_cpu_per_video_s": cpu_median,
        "goal": GOAL, "meets_goal_wall": median < GOAL, "meets_goal_cpu": cpu_median < GOAL,
        "machine": {"cpus": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2), "python": platform.python_version(),
                    "opencv": cv2.__version__, "cpu_threads_opencv": cv2.getNumThreads(), "processor": platform.processor() or platform.machine()},
    }
    print(f"median: {median:.3f} s of QC per second of video (wall), {cpu_median:.3f} (CPU); goal < {GOAL}: "
          f"wall {'met' if median < GOAL else 'NOT met'}, CPU {'met' if cpu_median < GOAL else 'NOT met'}")
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
