"""Exports run off the UI thread: progress arrives, cancel stops them, failures become a sentence."""

from __future__ import annotations

import threading


from director.core.errors import Refused  # noqa: E402
from director.export.mp4 import Mp4Options, export_cut_mp4  # noqa: E402
from director.ui.export_tasks import ExportTask  # noqa: E402


def test_an_mp4_export_runs_on_a_worker_thread_and_reports_progress(qtbot, film, simple_cut, out_dir):
    threads, seen = set(), []

    def work(progress, is_cancelled):
        threads.add(threading.get_ident())
        return export_cut_mp4(simple_cut, film.project.media, out_dir / "cut.mp4", Mp4Options(preset="ultrafast"), progress=progress, is_cancelled=is_cancelled)

    task = ExportTask(work, "Cut")
    task.progress.connect(lambda d, t: seen.append((d, t)))
    with qtbot.waitSignal(task.finished, timeout=30000) as blocker:
        task.start()
    assert blocker.args[0].frames == 48
    assert threading.get_ident() not in threads
    qtbot.waitUntil(lambda: seen and seen[-1] == (48, 48), timeout=5000)
    assert (out_dir / "cut.mp4").is_file() and not task.running


def test_cancel_stops_the_export_and_leaves_no_file(qtbot, film, simple_cut, out_dir):
    started = threading.Event()

    def work(progress, is_cancelled):
        def slow_progress(d, t):
            started.set()
            if not is_cancelled():
                threading.Event().wait(0.01)

        return export_cut_mp4(simple_cut, film.project.media, out_dir / "cut.mp4", Mp4Options(preset="ultrafast"), progress=slow_progress, is_cancelled=is_cancelled)

    task = ExportTask(work)
    with qtbot.waitSignal(task.cancelled, timeout=30000):
        task.start()
        assert started.wait(10)
        task.cancel()
    assert list(out_dir.iterdir()) == []


def test_a_refusal_arrives_as_failed_with_the_message(qtbot):
    def work(progress, is_cancelled):
        raise Refused("shot 12A is locked")

    task = ExportTask(work)
    with qtbot.waitSignal(task.failed, timeout=5000) as blocker:
        task.start()
    assert blocker.args == ["shot 12A is locked"]


def test_an_unexpected_error_is_a_sentence_not_a_traceback(qtbot):
    task = ExportTask(lambda p, c: 1 / 0, "Storyboard")
    with qtbot.waitSignal(task.failed, timeout=5000) as blocker:
        task.start()
    assert blocker.args[0].startswith("Storyboard failed: ZeroDivisionError")
