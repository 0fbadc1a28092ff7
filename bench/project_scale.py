"""A feature film's worth of shots (issue #24): the WINDOW at 1,000 shots, 20,000 takes, 50,000 jobs.

    QT_QPA_PLATFORM=offscreen python bench/project_scale.py [--takes 20000] [--scale 2000,20000,100000]
                                                          [--events 5] [--json PATH]

Builds a realistic project (bench/scale_data.py: currencies set, expenses, human time, scenes, a cut,
takes with tiny PNG files on disk) and measures, in the real MainWindow offscreen:
  1. open (median of 3): from `open_project` to the end of the first paint that shows the shot list
     with the current shot selected; and until everything has filled in (background reads applied);
  2. job events, driving the real runner (the window's own pump) with a scripted engine, as
     tests/ui/test_targeted_refresh.py does: for 'job started', 'take landed' (TakeWritten) and
     'job finished' (the takes and the money recorded), the UI-thread time of the pump that
     handled it plus the longest stall of the event loop until every panel has caught up (a 5 ms
     timer's worst late tick); the Costs dock hidden (the default) and shown;
  3. the cost report through the code `director report costs --by shot` runs
     (export.costs.build_report) and the ungrouped one;
  4. the shot list's full reload (ShotsModel.reload) — linear in shots?
and a scaling table of the same at 2k, 20k and 100k takes.
Goals (2-core dev machine): first paint <= 0.5 s, each job event <= 50 ms, cost report <= 100 ms.
The last line reads: `window open: X s; worst job event: Y ms; cost report: Z ms` (20,000 takes).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _pin_none() -> None:
    """PySide6 on CPython 3.11 can drop a reference to None/True/False on void or bool calls (it
    assumes 3.12's immortal singletons); long Qt loops then end in 'none_dealloc'. Pin them, as
    bench/timeline.py and bench/ui_latency.py do."""
    if sys.version_info < (3, 12):
        import ctypes

        for singleton in (None, True, False):
            ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 40


_pin_none()

import scale_data  # noqa: E402

GOALS = {"first_paint_s": 0.5, "event_ms": 50.0, "report_ms": 100.0}
OPENS = 3  # opens per size (median reported): the machine is shared and noisy


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


# -- the store side --------------------------------------------------------------------------


def measure_store(path: Path, repeat: int = 7) -> dict:
    from director.export.costs import build_report
    from director.store import Project

    opens = []
    for _ in range(5):
        t = time.perf_counter()
        p = Project.open(path)
        opens.append((time.perf_counter() - t) * 1000)
        p.close()
    p = Project.open(path, readonly=True)
    try:
        report = timed(lambda: build_report(p, "costs", "shot"), repeat)
        report_rows = timed(lambda: build_report(p, "costs", None), max(2, repeat // 3))
    finally:
        p.close()
    return {"store_open_ms": round(median(opens), 1), "report_by_shot_ms": round(median(report), 1),
            "report_by_shot_max_ms": round(max(report), 1), "report_rows_ms": round(median(report_rows), 1)}


# -- start-up ----------------------------------------------------------------------------------

STARTUP_PROBE = r"""
import os, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
if sys.argv[1] == "director":
    try:
        from director.ui.app import start_window
        window = start_window()  # what `director` does: the app, the window, shown; the rest loads after
    except ImportError:  # a Director from before #24: what its run_app did
        from director.ui.app import create_app
        from director.ui.main_window import MainWindow
        create_app()
        window = MainWindow()
        window.show()
else:
    from PySide6.QtWidgets import QMainWindow
    app = QApplication([])
    window = QMainWindow()
    window.resize(1440, 900)
    window.show()
app = QApplication.instance()

class Probe(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and obj is window:
            QTimer.singleShot(0, lambda: (print("painted", flush=True), os._exit(0)))
        return False

probe = Probe()
app.installEventFilter(probe)
app.exec()
"""


def measure_startup(runs: int = 5) -> dict:
    """Process start to the end of the first paint: `director`'s window against a bare QMainWindow."""
    import subprocess

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DIRECTOR_CONFIG_DIR": tempfile.mkdtemp(prefix="director-bench-config-")}
    out: dict[str, list[float]] = {"director": [], "bare": []}
    for _ in range(runs):
        for which in ("bare", "director"):
            t = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-c", STARTUP_PROBE, which], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    env=env, text=True)
            line = proc.stdout.readline()
            elapsed = time.perf_counter() - t
            proc.wait(30)
            assert line.strip() == "painted", f"the {which} window never painted"
            out[which].append(elapsed)
    d, b = median(out["director"]), median(out["bare"])
    return {"director_s": round(d, 3), "bare_qmainwindow_s": round(b, 3), "ratio": round(d / b, 2),
            "director_runs_s": [round(x, 3) for x in out["director"]], "bare_runs_s": [round(x, 3) for x in out["bare"]]}


# -- the window side ---------------------------------------------------------------------------


class ScriptedEngine:
    """An engine client that runs nothing: the benchmark says which events the worker sent."""

    capacity = 1

    def __init__(self):
        self.submitted: list = []
        self.events: list = []

    def submit(self, request) -> None:
        self.submitted.append(request)

    def poll_events(self, max_wait: float = 0.0) -> list:
        out, self.events = self.events, []
        return out

    def cancel(self, job_id: int) -> None:
        pass

    def shutdown(self) -> None:
        pass


class Ticks:
    """A 5 ms timer; its late ticks are how long the UI thread was busy with something else."""

    INTERVAL = 5

    def __init__(self):
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(self.INTERVAL)
        self.timer.timeout.connect(self._tick)
        self.worst = 0.0
        self._last = time.perf_counter()

    def reset(self):
        self.worst = 0.0
        self._last = time.perf_counter()

    def _tick(self):
        now = time.perf_counter()
        self.worst = max(self.worst, (now - self._last) * 1000 - self.INTERVAL)
        self._last = now


def run_until(app, done, limit_s: float, at_least_s: float = 0.0) -> bool:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(2)
    start = time.perf_counter()
    end = start + limit_s

    def check():
        now = time.perf_counter()
        if (done() and now - start >= at_least_s) or now > end:
            loop.quit()

    poll.timeout.connect(check)
    poll.start()
    loop.exec()
    poll.stop()
    return bool(done())


def settled(window) -> bool:
    """Every panel built and every background read applied (a window from before #24 has neither:
    it did everything before returning)."""
    busy = getattr(window, "busy", None)
    return not busy() if callable(busy) else True


class FirstPaint:
    """When the shot list first paints with rows in it and a current shot (end of that paint)."""

    def __init__(self, window):
        from PySide6.QtCore import QObject

        self.window = window
        self.at: float | None = None
        outer = self

        class Filter(QObject):
            def eventFilter(self, obj, event):
                from PySide6.QtCore import QEvent, QTimer

                if event.type() == QEvent.Type.Paint and outer.at is None and outer._ready():
                    QTimer.singleShot(0, outer._mark)
                return False

        self._filter = Filter()

    def _ready(self) -> bool:
        shots = self.window.panel("shots")
        return shots is not None and shots.model.rowCount() > 0 and self.window.workspace.shot is not None

    def _mark(self):
        if self.at is None:
            self.at = time.perf_counter()

    def install(self, app):
        app.installEventFilter(self._filter)

    def remove(self, app):
        app.removeEventFilter(self._filter)


def open_window(app, path: Path):
    """The window as `director` starts it (the empty window painted, then the rest of the code
    loaded on a thread, which is waited for: a project opened from a running window), then the
    project opened: to the end of the first paint showing the shot list and the current shot, and
    until every panel is built and every background read applied."""
    try:
        from director.ui import app as director_app

        window = director_app.start_window()
    except (ImportError, AttributeError):  # a Director from before #24 had no start_window
        from director.ui.main_window import MainWindow

        director_app = None
        window = MainWindow()
        window.show()
    window.resize(1440, 900)
    run_until(app, lambda: True, 2, at_least_s=0.2)
    preloading = getattr(director_app, "preloading", None)
    if preloading is not None:
        preloading.join(60)
    probe = FirstPaint(window)
    probe.install(app)
    start = time.perf_counter()
    assert window.open_project(path), "the window did not open the project"
    returned = time.perf_counter()
    run_until(app, lambda: probe.at is not None, 120)
    first = probe.at
    probe.remove(app)
    run_until(app, lambda: settled(window), 300, at_least_s=0.05)
    done = time.perf_counter()
    return window, {"open_returned_s": round(returned - start, 3), "first_paint_s": round(first - start, 3),
                    "filled_in_s": round(done - start, 3)}


def job_events(app, window, n_jobs: int, costs_shown: bool) -> dict:
    """n_jobs jobs on random shots (one on the current shot), each through started, take landed,
    finished. Per kind of event: the worst of (pump on the UI thread, longest stall after it)."""
    import random

    from director.engine.messages import Finished, Progress, Started, TakeWritten
    from director.engine.runner import JobRunner
    from director.store import jobs
    from director.engine.actions import queue_generation
    from director.store.shots import get_shot
    from director.store.shots import list_shots

    project = window.session.project
    engine = ScriptedEngine()
    window.runner = JobRunner(project, engine)
    if window.engine is not None:
        window.engine.timer.stop()  # the benchmark pumps, so each event is timed alone
    costs = window.dock("costs")
    costs.setVisible(costs_shown)
    if costs_shown:
        costs.raise_()
    run_until(app, lambda: settled(window), 300, at_least_s=0.1)
    rnd = random.Random(7)
    live = [s.id for s in list_shots(project) if not s.locked]
    targets = [window.workspace.shot] + [rnd.choice(live) for _ in range(n_jobs - 1)]
    ticks = Ticks()
    ticks.timer.start()
    samples: dict[str, list[tuple[float, float]]] = {"started": [], "take landed": [], "finished": []}

    def fire(kind: str, events: list) -> None:
        run_until(app, lambda: True, 1, at_least_s=0.02)
        engine.events = events
        t = time.perf_counter()
        window.pump()
        sync = (time.perf_counter() - t) * 1000
        ticks.reset()
        run_until(app, lambda: settled(window), 120, at_least_s=0.06)
        samples[kind].append((sync, max(0.0, ticks.worst)))

    for i, shot_id in enumerate(targets):
        queued = queue_generation(project, get_shot(project, shot_id).code, "tiny-t2i", cameras=["A"], variants=1, seed_mode="list", seeds=[1000 + i],
                                  params={"steps": 2, "width": 64, "height": 64})
        job_id, changes = queued.job_ids[0], queued.changes
        window.session.announce(changes)
        window.pump()  # submitted: running
        run_until(app, lambda: settled(window), 120, at_least_s=0.02)
        fire("started", [Started(job_id, "cpu", False), Progress(job_id, 1, 2)])
        still = project.media.put_bytes(scale_data.tiny_png(10_000_000 + i), "png")
        fire("take landed", [TakeWritten(job_id, 0, 1000 + i, still, still, "image", 8, 8, 1, 24, 1), Progress(job_id, 2, 2)])
        fire("finished", [Finished(job_id, {"gpu_s": 30.0, "wall_s": 33.0})])
        assert jobs.get_job(project, job_id).state.value == "done"
    ticks.timer.stop()
    out = {}
    for kind, pairs in samples.items():
        worst = [max(a, b) for a, b in pairs]
        out[kind] = {"pump_ms_median": round(median([a for a, _ in pairs]), 1), "stall_ms_median": round(median([b for _, b in pairs]), 1),
                     "worst_ms": round(max(worst), 1), "median_ms": round(median(worst), 1)}
    return out


def shot_list_reload(window, repeat: int = 5) -> float:
    model = window.panel("shots").model
    return round(median(timed(model.reload, repeat)), 1)


def measure_window(path: Path, n_jobs: int) -> dict:
    from PySide6.QtWidgets import QApplication

    from director.ui.app import create_app

    app = QApplication.instance() or create_app([])
    opens = []
    for _ in range(OPENS):
        os.environ["DIRECTOR_CONFIG_DIR"] = tempfile.mkdtemp(prefix="director-bench-config-")  # the default layout
        window, o = open_window(app, path)
        opens.append(o)
        if len(opens) < OPENS:
            window.close_project()
            window.close()
            window.deleteLater()
            run_until(app, lambda: True, 1, at_least_s=0.05)
    opened = {k: round(median([o[k] for o in opens]), 3) for k in opens[0]}
    opened["first_paint_runs_s"] = [o["first_paint_s"] for o in opens]
    try:
        hidden = job_events(app, window, n_jobs, costs_shown=False)
        shown = job_events(app, window, max(2, n_jobs // 2), costs_shown=True)
        reload_ms = shot_list_reload(window)
    finally:
        window.close_project()
        window.close()
        window.deleteLater()
        run_until(app, lambda: True, 1, at_least_s=0.05)
    worst = max(v["worst_ms"] for d in (hidden, shown) for v in d.values())
    return {**opened, "events_costs_hidden": hidden, "events_costs_shown": shown, "worst_event_ms": worst, "shot_list_reload_ms": reload_ms}


def one_size(takes: int, n_jobs: int, folder: Path) -> dict:
    path = folder / f"scale{takes}.director"
    t = time.perf_counter()
    sizes = scale_data.build(path, takes)
    build_s = time.perf_counter() - t
    result = {"sizes": sizes, "build_s": round(build_s, 1), "file_mb": round(path.stat().st_size / 1e6, 1)}
    result.update(measure_store(path))
    result.update(measure_window(path, n_jobs))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--takes", type=int, default=20_000, help="the headline size (default 20,000 takes)")
    parser.add_argument("--scale", default="2000,20000,100000", help="sizes for the scaling table ('' for none)")
    parser.add_argument("--events", type=int, default=5, help="jobs fired per size (each: started, take landed, finished)")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up comparison with a bare QMainWindow")
    args = parser.parse_args()
    from director.ui.app import create_app

    create_app([])
    sizes = sorted({int(s) for s in args.scale.split(",") if s.strip()} | {args.takes})
    results: dict[int, dict] = {}
    with tempfile.TemporaryDirectory(prefix="director-scale-") as tmp:
        for takes in sizes:
            results[takes] = one_size(takes, args.events, Path(tmp))
            r = results[takes]
            print(f"[{takes} takes built in {r['build_s']} s, {r['file_mb']} MB]", file=sys.stderr, flush=True)

    print(f"{'takes':>7} {'shots':>6} {'jobs':>7} | {'first paint':>11} {'filled in':>9} | {'started':>8} {'landed':>8} {'finished':>8} "
          f"{'(costs shown)':>13} | {'report':>7} {'rows rpt':>8} | {'shot list reload':>16}")
    for takes, r in results.items():
        h, s = r["events_costs_hidden"], r["events_costs_shown"]
        print(f"{takes:>7} {r['sizes']['shots']:>6} {r['sizes']['jobs']:>7} | {r['first_paint_s']:>9.2f} s {r['filled_in_s']:>7.2f} s | "
              f"{h['started']['worst_ms']:>5.0f} ms {h['take landed']['worst_ms']:>5.0f} ms {h['finished']['worst_ms']:>5.0f} ms "
              f"{max(v['worst_ms'] for v in s.values()):>10.0f} ms | {r['report_by_shot_ms']:>4.0f} ms {r['report_rows_ms']:>5.0f} ms | "
              f"{r['shot_list_reload_ms']:>13.1f} ms")
    head = results[args.takes]
    startup = None if args.no_startup else measure_startup()
    if startup:
        print(f"start-up to first paint: director {startup['director_s']:.3f} s, bare QMainWindow {startup['bare_qmainwindow_s']:.3f} s "
              f"(x{startup['ratio']:.2f}; goal <= x1.5)")
    print(f"store alone (Project.open, {args.takes} takes): {head['store_open_ms']:.0f} ms of the window's first paint")
    print("goals: first paint <= 0.5 s, each job event <= 50 ms, cost report (--by shot) <= 100 ms; "
          "event = worst of the pump on the UI thread and the longest stall until every panel caught up")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"sizes": {str(k): v for k, v in results.items()}, "startup": startup,
                                         "load_average": os.getloadavg()}, indent=2))
    print(f"window open: {head['first_paint_s']:.2f} s; worst job event: {head['worst_event_ms']:.0f} ms; cost report: {head['report_by_shot_ms']:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
