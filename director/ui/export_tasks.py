"""Run any exporter off the UI thread, with progress and cancel (Anki's background operations).

Every exporter in director/export has the shape `fn(..., progress=cb, is_cancelled=fn)`; wrap it as
`lambda progress, is_cancelled: export_cut_mp4(cut, media, dest, opts, progress=progress,
is_cancelled=is_cancelled)` and hand that to an ExportTask. Gather project data (the Cut, take
infos, the storyboard layout) on the UI thread first: the work callable should touch files only.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from director.core.errors import DirectorError
from director.export.common import ExportCancelled

log = logging.getLogger(__name__)

Work = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]


class _Runnable(QRunnable):
    def __init__(self, task: "ExportTask"):
        super().__init__()
        self.setAutoDelete(False)  # the task keeps it; Qt deleting a Python-owned runnable would crash
        self._task = task

    def run(self) -> None:
        self._task._run()


class ExportTask(QObject):
    """One export on a worker thread. Signals arrive on the thread the task lives on (the UI's).

    Exactly one of `finished(result)`, `failed(message)` or `cancelled()` is emitted per start.
    """

    progress = Signal(int, int)  # done, total
    finished = Signal(object)  # the exporter's result (Mp4Result, InterchangeResult, page count…)
    failed = Signal(str)  # a sentence for the user; the traceback, if any, went to the log
    cancelled = Signal()

    def __init__(self, work: Work, label: str = "Export", *, pool: QThreadPool | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.label = label
        self._work = work
        self._pool = pool or QThreadPool.globalInstance()
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._done.set()
        self._runnable: _Runnable | None = None
        self.error: BaseException | None = None  # what the last failed run raised (set before `failed`)

    @property
    def running(self) -> bool:
        return not self._done.is_set()

    def start(self) -> None:
        if self.running:
            raise RuntimeError(f"{self.label} is already running")
        self._cancel.clear()
        self._done.clear()
        self.error = None
        self._runnable = _Runnable(self)
        self._pool.start(self._runnable)

    def cancel(self) -> None:
        """Ask the exporter to stop at its next frame or file; `cancelled` follows once it has."""
        self._cancel.set()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the work returns (for shutdown); True if it did."""
        return self._done.wait(timeout_s)

    def _run(self) -> None:
        try:
            result = self._work(self.progress.emit, self._cancel.is_set)
        except ExportCancelled:
            self._finish(self.cancelled.emit)
        except DirectorError as exc:
            message = str(exc)
            self.error = exc
            self._finish(lambda: self.failed.emit(message))
        except Exception as exc:  # the boundary for a worker thread: log once, tell the user a sentence
            log.exception("%s failed", self.label)
            message = f"{self.label} failed: {exc.__class__.__name__}: {exc}"
            self.error = exc
            self._finish(lambda: self.failed.emit(message))
        else:
            self._finish(lambda: self.finished.emit(result))

    def _finish(self, emit: Callable[[], None]) -> None:
        # Mark done before emitting, so a slot that starts the task again is not refused.
        self._done.set()
        emit()


def cut_export_work(project, cut, dest, *, sound: bool = True, skip_missing: bool = False, timeline_id: int | None = None,
                    start_timecode: str | None = None, drop_frame: bool = False) -> Work:
    """The window's cut MP4: the cut's mix plan (when `sound`; `timeline_id` None is the current
    cut) and the takes with sound are read here, on the UI thread; the work renders the mix and
    encodes it beside the picture on the export thread, through the same export as `director
    export cut` (one AAC stereo 48 kHz stream exactly as long as the picture). Its timecode track
    starts at the project's programme start unless `start_timecode` says otherwise."""
    from director.export.audio_mix import export_cut_with_sound
    from director.export.mp4 import Mp4Options
    from director.store import audio
    from director.store.edit_settings import record_start
    from director.store.timeline import default_timeline_id

    plan = audio.mix_plan(project, default_timeline_id(project) if timeline_id is None else timeline_id, cut) if sound else None
    options = Mp4Options(sound_takes=frozenset(audio.take_sound(project, [s.take_id for s in cut.segments])),
                         start_timecode=start_timecode or record_start(project), drop_frame=drop_frame)
    media = project.media
    return lambda progress, cancelled: export_cut_with_sound(cut, media, dest, options, plan, progress=progress,
                                                             is_cancelled=cancelled, skip_missing=skip_missing)
