"""Cold start (issue #23): from `director PROJECT` to a window showing the project, and from the first
Generate to the first denoising step, each against a bare script doing the same.

Each figure is a fresh process (the OS file cache is warm after the first run, as it is for a user
who has started Director before):
  1. window: process start → first paint of the window, and → the project open with every panel
     built (`director PROJECT`), against a bare QMainWindow painted;
  2. first step: a project is open, the director spends --think seconds writing a prompt, then
     presses Generate (tiny-t2v): seconds from the press to the first step event, with the worker
     warmed in the background after the open (the default) and with warming off
     (DIRECTOR_WARM_ENGINE=0), against a bare script that imports torch and diffusers, builds the
     same tiny pipeline and reaches its first step callback.
Run: QT_QPA_PLATFORM=offscreen python bench/cold_start.py [--runs 3] [--think 6] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]

WINDOW_PROBE = r"""
import os, sys, time
T0 = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication
marks = {}
if sys.argv[1] == "director":
    from director.ui.app import start_window
    window = start_window(sys.argv[2])
else:
    from PySide6.QtWidgets import QMainWindow
    app = QApplication([])
    window = QMainWindow(); window.resize(1440, 900); window.show()
app = QApplication.instance()
class Probe(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and obj is window and "paint" not in marks:
            marks["paint"] = time.perf_counter() - T0
        return False
probe = Probe(); app.installEventFilter(probe)
while "paint" not in marks or (sys.argv[1] == "director" and (window.session is None or window.busy())):
    app.processEvents(); time.sleep(0.002)
marks["ready"] = time.perf_counter() - T0
print(marks["paint"], marks["ready"], flush=True)
os._exit(0)
"""

GENERATE_PROBE = r"""
import os, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtWidgets import QApplication
from director.engine.messages import Failed, Progress
from director.ui.app import start_window
window = start_window(sys.argv[1])
app = QApplication.instance()
def spin(seconds=None, until=None):
    end = None if seconds is None else time.monotonic() + seconds
    while (end is None or time.monotonic() < end) and not (until and until()):
        app.processEvents(); time.sleep(0.005)
spin(until=lambda: window.session is not None and not window.busy())
window.panel("shots").add_shot("1")
spin(float(sys.argv[2]))  # the director writes a prompt
window.panel("prompt").field_edit("subject").setText("a lighthouse at dusk")
generate = window.panel("generate")
generate.set_preset("tiny-t2v"); generate.variants.setValue(1)
seen = []
window.job_event.connect(lambda e: seen.append((time.perf_counter(), e)))
t = time.perf_counter()
window.generate()
spin(until=lambda: any(isinstance(e, (Progress, Failed)) for _, e in seen))
first = next((w, e) for w, e in seen if isinstance(e, (Progress, Failed)))
if isinstance(first[1], Failed):
    print("failed", first[1].reason, flush=True); os._exit(1)
print(first[0] - t, flush=True)
window.close_project()
os._exit(0)
"""

BARE_STEP = r"""
import time
T0 = time.perf_counter()
import os
os.environ["HF_HUB_OFFLINE"] = "1"
import torch, diffusers
from director.engine.tiny import build_t2v
pipe = build_t2v()
class First(Exception): pass
def cb(pipe, step, timestep, kwargs):
    raise First
try:
    pipe(prompt="a lighthouse at dusk", width=96, height=64, num_frames=17, num_inference_steps=4,
         generator=torch.Generator("cpu").manual_seed(1), callback_on_step_end=cb, output_type="np")
except First:
    pass
print(time.perf_counter() - T0, flush=True)
"""


def run(code: str, args: list[str], env: dict) -> list[float]:
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(out.stdout[-2000:] + out.stderr[-2000:])
    return [float(x) for x in out.stdout.strip().splitlines()[-1].split()]


def make_project(folder: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from director.store.project import Project
    from director.store.shots import add_shot

    path = folder / "cold.director"
    with Project.create(path) as p:
        for i in range(1, 21):
            add_shot(p, f"{i}", f"shot {i}")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--think", type=float, default=6.0, help="seconds between the open and Generate (writing a prompt)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="director-cold-"))
    base_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HF_HUB_OFFLINE": "1",
                "DIRECTOR_CONFIG_DIR": str(folder / "config"), "PYTHONPATH": str(ROOT)}
    project = make_project(folder)
    window, bare, steps = [], [], {"warm": [], "cold": [], "bare": []}
    for i in range(args.runs):
        window.append(run(WINDOW_PROBE, ["director", str(project)], base_env))
        bare.append(run(WINDOW_PROBE, ["bare"], base_env)[0])
        for mode in ("warm", "cold"):
            copy = folder / f"{mode}-{i}.director"
            copy.write_bytes(project.read_bytes())
            env = {**base_env, "DIRECTOR_WARM_ENGINE": "1" if mode == "warm" else "0"}
            steps[mode].append(run(GENERATE_PROBE, [str(copy), str(args.think)], env)[0])
        steps["bare"].append(run(BARE_STEP, [], base_env)[0])
        print(f"run {i + 1}: window paint {window[-1][0]:.2f} s, project ready {window[-1][1]:.2f} s, bare window {bare[-1]:.2f} s; "
              f"first step warm {steps['warm'][-1]:.2f} s, cold {steps['cold'][-1]:.2f} s, bare script {steps['bare'][-1]:.2f} s", flush=True)
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "runs": args.runs, "think_s": args.think,
        "window_paint_s": round(median(w[0] for w in window), 3),
        "project_ready_s": round(median(w[1] for w in window), 3),
        "bare_window_s": round(median(bare), 3),
        "first_step_warm_s": round(median(steps["warm"]), 3),
        "first_step_cold_s": round(median(steps["cold"]), 3),
        "bare_script_first_step_s": round(median(steps["bare"]), 3),
        "raw": {"window": window, "bare_window": bare, "steps": steps},
    }
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    print(f"cold start: paint {result['window_paint_s']:.2f} s (bare {result['bare_window_s']:.2f} s), project ready "
          f"{result['project_ready_s']:.2f} s; first Generate → first step: warm {result['first_step_warm_s']:.2f} s, "
          f"cold {result['first_step_cold_s']:.2f} s, bare script {result['bare_script_first_step_s']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
