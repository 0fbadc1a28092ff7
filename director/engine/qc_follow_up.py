"""QC as a follow-up to a finished job: measure each new video take on a low-priority thread of
the owning process, after the job's takes are committed, and record the result on the thread
that owns the project (the runner's, at its next pump). The queue never waits for it: the next
job is already on the device while QC reads the last one's takes.

One thread (`max_workers`): QC is CPU work beside the UI and the writer; a second thread would only
make each take's badge arrive later. Closing stops the measurement in progress at its next frame;
takes left unmeasured are found by `director qc run PROJECT`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from director.core.changes import Changes
from director.core.errors import DirectorError
from director.engine import qc as measure
from director.store import qc as store_qc
from director.store.media import TamperedMedia
from director.store.project import Project

log = logging.getLogger("director.engine.qc")
NICE = 10  # how much lower than the process the QC thread runs (Linux: per thread)


@dataclass
class _Outcome:
    take_id: int
    result: measure.QcResult | None
    error: str | None
    cpu_s: float
    wall_s: float


class QcFollowUp:
    """Measure takes off the caller's thread; `collect()` records what finished (call it from the
    thread that owns the project)."""

    def __init__(self, project: Project, max_workers: int = 1):
        self.project = project
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="director-qc",
                                        initializer=_lower_priority)
        self._futures: list[Future] = []
        self._stop = threading.Event()

    @property
    def pending(self) -> int:
        return len(self._futures)

    def submit(self, take_ids) -> None:
        """Queue the video takes among `take_ids` (others are ignored)."""
        for work in store_qc.video_takes(self.project, take_ids):
            try:
                path = self.project.media.path(work.media_path)
            except TamperedMedia as exc:
                self._futures.append(_done(_Outcome(work.take_id, None, f"media tampered: {exc}", 0.0, 0.0)))
                continue
            self._futures.append(self._pool.submit(self._measure, work.take_id, path))

    def _measure(self, take_id: int, path) -> _Outcome:
        wall0, cpu0 = time.perf_counter(), time.thread_time()
        try:
            result = measure.analyse_file(path, self._stop.is_set)
            return _Outcome(take_id, result, None, result.cpu_s, result.wall_s)
        except measure.QcCancelled:
            raise
        except DirectorError as exc:
            return _Outcome(take_id, None, str(exc), time.thread_time() - cpu0, time.perf_counter() - wall0)
        except Exception as exc:  # the boundary: a surprise in OpenCV is that take's failure, never the runner's
            log.exception("QC of take %d failed", take_id)
            return _Outcome(take_id, None, f"{type(exc).__name__}: {exc}", time.thread_time() - cpu0, time.perf_counter() - wall0)

    def collect(self, timeout: float = 0.0) -> Changes:
        """Record every finished measurement (waiting up to `timeout` for the first)."""
        if not self._futures:
            return Changes()
        if timeout > 0:
            wait(self._futures, timeout=timeout, return_when="FIRST_COMPLETED")
        changes = Changes()
        still: list[Future] = []
        for future in self._futures:
            if not future.done():
                still.append(future)
                continue
            if future.cancelled() or isinstance(future.exception(), measure.QcCancelled):
                continue
            outcome: _Outcome = future.result()
            try:
                changes = changes | _record(self.project, outcome)
            except DirectorError as exc:  # a read-only project, a full disk: QC is not worth failing over
                log.warning("QC of take %d was not recorded: %s", outcome.take_id, exc)
        self._futures = still
        return changes

    def drain(self, timeout: float | None = None) -> Changes:
        """Wait for every queued measurement and record it (the command line, before it returns)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        changes = Changes()
        while self._futures:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                break
            changes = changes | self.collect(timeout=min(0.5, left) if left is not None else 0.5)
        return changes

    def close(self) -> None:
        """Stop: the measurement in progress ends at its next frame, queued ones are dropped."""
        self._stop.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._futures = []


def _record(project: Project, outcome: _Outcome) -> Changes:
    if outcome.result is None:
        return store_qc.record_failure(project, outcome.take_id, outcome.error or "unknown", outcome.cpu_s, outcome.wall_s)
    r = outcome.result
    return store_qc.record(project, outcome.take_id, version=r.version, frames=r.frames, width=r.width, height=r.height,
                           curves=r.curves, lab=r.lab, cpu_s=r.cpu_s, wall_s=r.wall_s)


def measure_now(project: Project, take_id: int) -> Changes:
    """Measure one take on this thread and record it (`director qc run`)."""
    works = store_qc.video_takes(project, [take_id])
    if not works:
        raise DirectorError(f"take {take_id} is not a live video take; QC measures video takes only")
    wall0, cpu0 = time.perf_counter(), time.thread_time()
    try:
        path = project.media.path(works[0].media_path)
        result = measure.analyse_file(path)
        outcome = _Outcome(take_id, result, None, result.cpu_s, result.wall_s)
    except (TamperedMedia, DirectorError) as exc:
        outcome = _Outcome(take_id, None, str(exc), time.thread_time() - cpu0, time.perf_counter() - wall0)
    return _record(project, outcome)


def _done(outcome: _Outcome) -> Future:
    future: Future = Future()
    future.set_result(outcome)
    return future


def _lower_priority() -> None:
    """Below the window and the writer: QC is the least urgent work in the process."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), os.getpriority(os.PRIO_PROCESS, 0) + NICE)
    except (AttributeError, OSError):
        pass
