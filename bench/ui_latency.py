"""How responsive review stays: event-loop stalls while a big gallery scrolls, and first paint.

Measures, offscreen, with real media (distinct PNG stills and H.264 clips, thumbnails decoded for real):
  1. first paint of a 500-take gallery (construct, query, lay out, paint with placeholders), and the
     time until the visible thumbnails are decoded;
  2. the longest and p99 gap between ticks of a 10 ms timer while a 2,000-take gallery scrolls to
     the bottom and back (a gap of 10 ms means no stall);
  3. the same while a tiny-t2v job generates in the engine worker (JobRunner pumped from a timer,
     the new takes announced to the gallery), if the engine can run here, over --runs runs (5):
     the worst and the median of each run's longest stall;
  4. (issue #13) rating one take in the real window on a 1,000-shot, 20,000-take project
     (bench/scale_data.py): the UI-thread time of the key press (the edit and every panel's
     handling of it) and of the longest stall until every panel caught up, and how many rows and
     clips were repainted: shot-list rows, gallery rows, storyboard panels, timeline clips.
Goals: stall ≤ 50 ms, first paint ≤ 200 ms, rating ≤ 5 ms with only the changed row repainted.
Run: QT_QPA_PLATFORM=offscreen python bench/ui_latency.py [--no-engine] [--runs 5] [--rate-takes 20000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _pin_none() -> None:
    """PySide6 6.12 on CPython 3.11 drops a reference to None (and True/False) on every void or
    bool method call (it assumes 3.12's immortal singletons); scrolling 2,000 tiles ends in
    'Fatal Python error: none_dealloc'. Pin them, as bench/timeline.py does, until the app does."""
    if sys.version_info < (3, 12):
        import ctypes

        for singleton in (None, True, False):
            ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 40


_pin_none()

import av  # noqa: E402
import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from director.store import Project, shots  # noqa: E402
from director.store.project import utc_now  # noqa: E402

BIG, FIRST_PAINT = 2000, 500
VIDEO_EVERY = 10


# -- building a project with real media ------------------------------------------------------


def _png(i: int) -> bytes:
    image = np.zeros((72, 128, 3), np.uint8)
    image[:] = ((i * 37) % 256, (i * 91) % 256, (i * 53) % 256)
    cv2.putText(image, str(i), (4, 50), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (255, 255, 255), 2)
    ok, data = cv2.imencode(".png", image)
    assert ok
    return data.tobytes()


def _mp4(path: Path, i: int, frames: int = 8) -> None:
    with av.open(str(path), mode="w", format="mp4") as c:
        s = c.add_stream("libx264", rate=Fraction(12))
        s.width, s.height, s.pix_fmt = 128, 72, "yuv420p"
        s.options = {"preset": "ultrafast", "threads": "1"}
        for k in range(frames):
            image = np.full((72, 128, 3), (i * 13 + k * 20) % 256, np.uint8)
            for p in s.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)


def build(folder: Path) -> tuple[Project, int, int]:
    """A project with a 2,000-take shot and a 500-take shot, every take with its own media file."""
    project = Project.create(folder / "bench")
    big, _ = shots.add_shot(project, "1A", "Big", cameras=("A", "B"))
    small, _ = shots.add_shot(project, "2A", "First paint", cameras=("A",))
    from director.core.prompt import PromptFields
    from director.store import prompts

    for s in (big, small):
        prompts.write_prompt(project, s.id, PromptFields(subject="a lighthouse", action="turns", setting="a storm"))
    cams = {}
    for r in project.db.execute("SELECT id, shot_id FROM cameras ORDER BY id").fetchall():
        cams.setdefault(r[1], []).append(r[0])
    now = utc_now()
    job_rows, take_rows = [], []
    n = 0
    for shot_id, count in ((big.id, BIG), (small.id, FIRST_PAINT)):
        for i in range(count):
            n += 1
            camera = cams[shot_id][i % len(cams[shot_id])]
            video = i % VIDEO_EVERY == 0
            if video:
                temp = project.media.temp_path(".mp4")
                _mp4(temp, n)
                rel = project.media.adopt(temp, "mp4")
            else:
                rel = project.media.put_bytes(_png(n), "png")
            job_rows.append({"id": n, "shot_id": shot_id, "camera_id": camera, "preset": "tiny-t2v" if i % 3 == 0 else "ltx-2b-distilled",
                             "params": json.dumps({"steps": 4 + i % 4}), "seeds": json.dumps([n]), "state": "done", "created_at": now})
            take_rows.append({"id": n, "job_id": n, "shot_id": shot_id, "camera_id": camera, "seed": n, "kind": "video" if video else "image",
                              "media_path": rel, "width": 128, "height": 72, "frames": 8 if video else 1, "fps_num": 12,
                              "rating": i % 6, "flag": ("none", "selected", "rejected")[i % 3], "created_at": f"{now}{n:06d}"})
    with project.atomic() as db:
        db["jobs"].insert_all(job_rows, batch_size=500)
        db["takes"].insert_all(take_rows, batch_size=500)
    return project, big.id, small.id


# -- measuring -------------------------------------------------------------------------------


class StallMeter(QObject):
    """A 10 ms timer; the gap between its ticks is how long the event loop was busy elsewhere."""

    def __init__(self):
        super().__init__()
        self.gaps: list[float] = []
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._tick)

    def start(self):
        self.gaps.clear()
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self):
        self._timer.stop()

    def _tick(self):
        now = time.perf_counter()
        self.gaps.append((now - self._last) * 1000)
        self._last = now

    def summary(self) -> dict:
        gaps = sorted(self.gaps)
        p99 = gaps[min(len(gaps) - 1, int(len(gaps) * 0.99))] if gaps else 0.0
        return {"ticks": len(gaps), "max_ms": round(max(gaps, default=0), 1), "p99_ms": round(p99, 1), "median_ms": round(statistics.median(gaps), 1) if gaps else 0.0}


def run_until(app: QApplication, done, limit_s: float) -> bool:
    """Run the real event loop (exec, as the app does) until done() or the time limit."""
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(5)
    end = time.perf_counter() + limit_s
    poll.timeout.connect(lambda: (done() or time.perf_counter() > end) and loop.quit())
    poll.start()
    if not done():
        loop.exec()
    poll.stop()
    return bool(done())


class _FirstPaint(QObject):
    def __init__(self):
        super().__init__()
        self.at: float | None = None

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and self.at is None:
            # A zero timer fires once this paint has finished and control is back in the loop.
            QTimer.singleShot(0, self._mark)
        return False

    def _mark(self):
        if self.at is None:
            self.at = time.perf_counter()


def first_paint(app, session, shot_id) -> dict:
    from director.ui.gallery.take_gallery import TakeGallery

    probe = _FirstPaint()
    start = time.perf_counter()
    gallery = TakeGallery(session)
    gallery.view.viewport().installEventFilter(probe)
    gallery.resize(1200, 800)
    gallery.set_shot(shot_id)
    gallery.show()
    run_until(app, lambda: probe.at is not None, 10)
    painted = probe.at - start
    run_until(app, lambda: gallery.thumbnails.pending() == 0 and gallery.model.rowCount() > 0, 30)
    thumbs = time.perf_counter() - start
    result = {"takes": gallery.model.rowCount(), "first_paint_ms": round(painted * 1000, 1), "visible_thumbnails_ms": round(thumbs * 1000, 1)}
    gallery.close()
    gallery.deleteLater()
    app.processEvents()
    return result


def scroll(app, gallery, meter: StallMeter, until=None, limit_s: float = 120.0) -> None:
    """Scroll to the bottom and back up at 60 px per 16 ms frame (repeating while `until()` is false)."""
    bar = gallery.view.verticalScrollBar()
    state = {"dir": 1, "passes": 0}

    def step():
        value = bar.value() + 60 * state["dir"]
        bar.setValue(value)
        if state["dir"] == 1 and bar.value() >= bar.maximum():
            state["dir"] = -1
        elif state["dir"] == -1 and bar.value() <= bar.minimum():
            state["dir"] = 1
            state["passes"] += 1

    timer = QTimer()
    timer.setInterval(16)
    timer.timeout.connect(step)
    meter.start()
    timer.start()
    run_until(app, lambda: state["passes"] >= 1 and (until is None or until()), limit_s)
    timer.stop()
    meter.stop()


def with_generation(app, session, gallery, shot_code: str, meter: StallMeter) -> dict | None:
    try:
        from director.engine.actions import queue_generation
        from director.engine.runner import JobRunner
    except ImportError as exc:
        return {"skipped": f"engine not importable: {exc}"}
    queued = queue_generation(session.project, shot_code, "tiny-t2v", variants=2)
    session.announce(queued.changes)
    runner = JobRunner(session.project)
    pump = QTimer()
    pump.setInterval(50)
    arrived: list[int] = []

    def on_pump():
        pumped = runner.pump()
        arrived.extend(pumped.changes.takes)
        session.announce(pumped.changes)

    pump.timeout.connect(on_pump)
    pump.start()
    start = time.perf_counter()
    try:
        scroll(app, gallery, meter, until=lambda: runner.idle, limit_s=300)
    finally:
        pump.stop()
        runner.close()
    states = [r[0] for r in session.project.db.execute(f"SELECT state FROM jobs WHERE id IN ({','.join(map(str, queued.job_ids))})")]
    return {"job_states": states, "takes_arrived": len(arrived), "job_wall_s": round(time.perf_counter() - start, 1), **meter.summary()}


def rate_one_take(app, takes: int, repeat: int = 5) -> dict:
    """Press a rating key on the current take in the real window of a feature-film-sized project:
    the UI-thread time of the press and of the longest stall after it, and what was repainted."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import project_scale as ps
    import scale_data
    from PySide6.QtCore import QModelIndex, Qt
    from PySide6.QtTest import QTest

    from director.ui import timeline_view

    repainted_clips: list[int] = []
    real_update = timeline_view.ClipItem.update

    def counting_update(item, *args):
        repainted_clips.append(item.item.id)
        return real_update(item, *args)

    timeline_view.ClipItem.update = counting_update
    with tempfile.TemporaryDirectory(prefix="director-rate-", ignore_cleanup_errors=True) as tmp:
        path = Path(tmp) / "film.director"
        sizes = scale_data.build(path, takes)
        os.environ["DIRECTOR_CONFIG_DIR"] = str(Path(tmp) / "config")
        window, _opened = ps.open_window(app, path)
        try:
            ps.run_until(app, lambda: ps.settled(window), 120, at_least_s=0.2)
            gallery, shots_model = window.panel("gallery"), window.panel("shots").model
            models = {"shot list rows": shots_model, "gallery rows": gallery.model, "storyboard panels": window.panel("storyboard").board}
            seen: dict[str, set] = {k: set() for k in models}

            def watch(key):
                return lambda tl, br, roles=(): seen[key].update(
                    (r, QModelIndex(tl).parent().row()) for r in range(tl.row(), br.row() + 1))

            for key, model in models.items():
                model.dataChanged.connect(watch(key))
            ticks = ps.Ticks()
            ticks.timer.start()
            samples, counts = [], []
            for n in range(repeat):
                gallery.view.setFocus()
                for v in seen.values():
                    v.clear()
                repainted_clips.clear()
                ps.run_until(app, lambda: True, 1, at_least_s=0.05)
                key = (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_5)[n % 5]
                t = time.perf_counter()
                QTest.keyClick(gallery.view, key)
                press = (time.perf_counter() - t) * 1000
                ticks.reset()
                ps.run_until(app, lambda: ps.settled(window), 30, at_least_s=0.1)
                samples.append((press, max(0.0, ticks.worst)))
                counts.append({**{k: len(v) for k, v in seen.items()}, "timeline clips": len(set(repainted_clips))})
            ticks.timer.stop()
        finally:
            timeline_view.ClipItem.update = real_update
            window.close_project()
            window.close()
            window.deleteLater()
    worst = [max(a, b) for a, b in samples]
    return {"shots": sizes["shots"], "takes": sizes["takes"], "press_ms_median": round(statistics.median(a for a, _ in samples), 2),
            "stall_ms_median": round(statistics.median(b for _, b in samples), 2), "ui_ms_median": round(statistics.median(worst), 2),
            "ui_ms_max": round(max(worst), 2), "repainted": counts[-1], "repainted_max": {k: max(c[k] for c in counts) for k in counts[0]}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-engine", action="store_true", help="skip the runs with a tiny job generating")
    parser.add_argument("--runs", type=int, default=5, help="runs of 'scrolling while generating' (default 5)")
    parser.add_argument("--rate-takes", type=int, default=20_000, help="takes in the project a take is rated in (0: skip)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])

    from director.ui.gallery.take_gallery import TakeGallery
    from director.ui.undo import ProjectSession

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        project, big, small = build(Path(tmp))
        build_s = time.perf_counter() - t0
        session = ProjectSession(project)
        results: dict = {"build_s": round(build_s, 1)}
        results["first_paint_500"] = first_paint(app, session, small)

        gallery = TakeGallery(session)
        gallery.resize(1200, 800)
        gallery.show()
        meter = StallMeter()
        probe = _FirstPaint()
        gallery.view.viewport().installEventFilter(probe)
        meter.start()
        gallery.set_shot(big)
        run_until(app, lambda: probe.at is not None and gallery.thumbnails.pending() == 0, 30)
        meter.stop()
        results["open_2000"] = meter.summary()
        scroll(app, gallery, meter)
        results["scroll_2000"] = meter.summary()
        if not args.no_engine:
            runs = [with_generation(app, session, gallery, "1A", meter) for _ in range(max(1, args.runs))]
            ok = [r for r in runs if r and "max_ms" in r]
            results["scroll_2000_while_generating"] = runs[-1]
            if ok:
                results["scroll_while_generating_runs"] = {
                    "runs": len(ok), "max_stall_ms": max(r["max_ms"] for r in ok),
                    "median_of_max_ms": round(statistics.median(r["max_ms"] for r in ok), 1),
                    "per_run_max_ms": [r["max_ms"] for r in ok], "takes_arrived": sum(r["takes_arrived"] for r in ok)}
        gallery.close()
        project.close()
    if args.rate_takes:
        results["rate_one_take"] = rate_one_take(app, args.rate_takes)

    if args.json:
        print(json.dumps(results, indent=2))
    else:
        fp = results["first_paint_500"]
        print(f"first paint, 500 takes:        {fp['first_paint_ms']:7.1f} ms  (visible thumbnails decoded: {fp['visible_thumbnails_ms']:.0f} ms; goal ≤ 200 ms)")
        for key, label in (("open_2000", "opening 2,000 takes:"), ("scroll_2000", "scrolling 2,000 takes:"), ("scroll_2000_while_generating", "scrolling while generating:")):
            r = results.get(key)
            if not r:
                continue
            if "skipped" in r:
                print(f"{label:30} skipped ({r['skipped']})")
                continue
            extra = f"  job {r['job_states']}, {r['takes_arrived']} takes arrived in {r['job_wall_s']} s" if "job_states" in r else ""
            print(f"{label:30} max gap {r['max_ms']:6.1f} ms, p99 {r['p99_ms']:5.1f} ms, median {r['median_ms']:.1f} ms over {r['ticks']} ticks of 10 ms{extra}")
        runs = results.get("scroll_while_generating_runs")
        if runs:
            print(f"scrolling while generating, {runs['runs']} runs: max stall {runs['max_stall_ms']:.1f} ms (median of the runs' max "
                  f"{runs['median_of_max_ms']:.1f} ms; per run {runs['per_run_max_ms']}; goal ≤ 50 ms)")
        rate = results.get("rate_one_take")
        if rate:
            print(f"rating one take ({rate['shots']} shots, {rate['takes']} takes): UI thread {rate['ui_ms_median']:.2f} ms median, "
                  f"{rate['ui_ms_max']:.2f} ms worst (key press {rate['press_ms_median']:.2f} ms + stall after {rate['stall_ms_median']:.2f} ms); "
                  f"repainted {rate['repainted_max']} (goal ≤ 5 ms, only the changed row)")
        print(f"(project with real media built in {results['build_s']} s; goal: stall ≤ 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
