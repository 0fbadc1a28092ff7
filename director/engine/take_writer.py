"""The worker's writer thread: takes are encoded, digested and adopted here while the device
already runs the next variant or the next job.

The job thread hands each variant's uint8 frames over (`put`) as soon as they are off the device
and, once the job's last variant is decoded, its ending (`end`). The writer works through them in
order, one at a time: encode (with the frames' SHA-256 taken frame by frame on the way), write
each file once with its SHA-256 taken as it is written, and at the job's end adopt every file
into the store and send the take events and the final one. So the rules stay as they were:

- takes are reported only when the whole job is done, all of them or none;
- a cancelled or failed job leaves no takes and no temporary files, and its final event is sent
  only once they are gone: a cancel or a failure stops the job's encode in progress at the next
  frame and discards whatever it wrote. A job that fails or is cancelled on the device (`fail`)
  waits only for its own write in progress, never for the takes of the jobs before it, so it
  ends as promptly as before;
- at most `max_pending` variants wait or are being written: past that the job thread waits, so
  host memory stays bounded when the device outruns the encoder.

The writer logs when it starts and ends each variant (logger "director.engine.writer", DEBUG).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from pathlib import Path
from typing import Callable

from director.store.media import MediaStore

log = logging.getLogger("director.engine.writer")

MAX_PENDING = 2


class WriteStopped(Exception):
    """Raised inside a write when its job was cancelled or failed meanwhile."""


class JobWrite:
    """One job's writing: its temporary files, the takes written so far and how it ended."""

    def __init__(self, job_id: int, store: MediaStore, cancelled: Callable[[], bool]):
        self.job_id = job_id
        self.store = store
        self._cancelled = cancelled
        self.temps: list[Path] = []
        self.outputs: list[dict] = []  # one per written variant: files, their digests, its event
        self.written: list | None = None  # the adopted takes' events, once the job is done
        self.error: BaseException | None = None  # a write that failed
        self.stopped = False  # the job thread gave up on the job (failure or cancel)
        self.done = threading.Event()  # its final event was sent
        self.write_s = 0.0
        self._state = threading.Condition()
        self._writing = False

    @property
    def cancelled(self) -> bool:
        return self._cancelled()

    def check(self) -> None:
        """Raise WriteStopped when the job is cancelled, stopped or already failed."""
        if self.stopped or self.error is not None or self._cancelled():
            raise WriteStopped()

    def start_write(self) -> bool:
        """A write of this job may begin: not when it is stopped, failed or cancelled."""
        with self._state:
            if self.stopped or self.error is not None or self._cancelled():
                return False
            self._writing = True
            return True

    def end_write(self) -> None:
        with self._state:
            self._writing = False
            self._state.notify_all()

    def stop(self) -> None:
        """No more writes for this job; returns once the one in progress (if any) has stopped,
        which it does at its next frame."""
        with self._state:
            self.stopped = True
            self._state.wait_for(lambda: not self._writing)

    def temp(self, suffix: str) -> Path:
        """A fresh temporary path in the store, discarded unless the job finishes."""
        path = self.store.temp_path(suffix)
        self.temps.append(path)
        return path

    def discard(self) -> None:
        for path in self.temps:
            try:
                path.unlink(missing_ok=True)
            except OSError:  # the final event goes out all the same; `purge` removes it later
                log.warning("job %d: could not remove %s", self.job_id, path, exc_info=True)
        self.temps.clear()


class TakeWriter:
    """One thread, started with the worker, that writes every job's takes in order."""

    def __init__(self, emit, max_pending: int = MAX_PENDING):
        self.emit = emit
        self._tasks: queue.Queue = queue.Queue()
        self._slots = threading.Semaphore(max(1, max_pending))
        self._thread = threading.Thread(target=self._loop, name="director-engine-writer", daemon=True)
        self._thread.start()

    def put(self, job: JobWrite, variant: int, write: Callable[[JobWrite], dict]) -> None:
        """Queue one variant's `write(job) → output`; waits while `max_pending` are queued."""
        self._slots.acquire()
        self._tasks.put(("take", job, (variant, write)))

    def end(self, job: JobWrite, final: Callable[[JobWrite], list]) -> None:
        """Queue the job's end, after its variants: adopt its files (unless it was cancelled or
        a write failed meanwhile), else discard them; then send `final(job)`'s events."""
        self._tasks.put(("end", job, final))

    def fail(self, job: JobWrite, events: list) -> None:
        """The job failed or was cancelled on the device (called on its thread): stop its writes,
        discard its files, then send `events`. Its queued variants are skipped when reached."""
        job.stop()
        job.discard()
        self._send(job, events)

    def close(self) -> None:
        """Finish what is queued, then stop the thread."""
        self._tasks.put(None)
        self._thread.join()

    # -- the thread ----------------------------------------------------------------------------

    def _loop(self) -> None:
        while (task := self._tasks.get()) is not None:
            kind, job, arg = task
            if kind == "take":
                try:
                    self._take(job, *arg)
                finally:
                    self._slots.release()
            else:
                self._end(job, arg)

    def _take(self, job: JobWrite, variant: int, write) -> None:
        if not job.start_write():
            return
        t0 = time.perf_counter()
        log.debug("write start job %d variant %d", job.job_id, variant)
        try:
            job.outputs.append(write(job))
        except WriteStopped:
            pass
        except BaseException as exc:  # a full disk, an encoder error: the job fails with it
            job.error = exc
        finally:
            job.write_s += time.perf_counter() - t0
            log.debug("write end job %d variant %d", job.job_id, variant)
            job.end_write()

    def _end(self, job: JobWrite, final) -> None:
        t0 = time.perf_counter()
        try:
            if job.start_write():  # not cancelled, and no write failed
                try:
                    job.written = [self._adopt(job.store, out) for out in job.outputs]
                    job.temps.clear()
                except BaseException as exc:
                    job.written = None
                    job.error = exc
                finally:
                    job.end_write()
            job.discard()  # nothing when adopted; everything it wrote when not
            job.write_s += time.perf_counter() - t0
            events = final(job)
        except BaseException as exc:  # never leave a job without its final event
            log.exception("job %d: ending it failed", job.job_id)
            job.discard()
            events = [final_on_error(job, exc)]
        self._send(job, events)

    def _send(self, job: JobWrite, events: list) -> None:
        for event in events:
            try:
                self.emit(event)
            except Exception:  # the app went away; nothing to tell
                log.warning("job %d: the app did not take its events", job.job_id)
                break
        job.done.set()

    @staticmethod
    def _adopt(store: MediaStore, out: dict):
        from dataclasses import replace

        media = store.adopt(out["media"], out["media_ext"], digest=out["media_digest"])
        thumb = store.adopt(out["thumb"], "jpg", digest=out["thumb_digest"])
        event = replace(out["event"], media_path=media, thumb_path=thumb)
        if out.get("sound") is not None:  # the take's own sound, content-addressed like its picture
            sound = store.adopt(out["sound"], "wav", digest=out["sound_digest"])
            event = replace(event, sound_path=sound, sound_samples=out["sound_samples"])
        return event


def final_on_error(job: JobWrite, exc: BaseException):
    from director.core.enums import FailureKind
    from director.engine.messages import Failed

    return Failed(job.job_id, FailureKind.ERROR, f"{type(exc).__name__}: {exc}")
