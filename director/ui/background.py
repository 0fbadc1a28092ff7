"""Reads too slow for the UI thread, run on one reads thread per open project (issue #24).

A panel that must read many rows (the Costs panel's ledger, the storyboard's panels, the program
viewer's cut, the shot list's money and stills at open) asks `submit(key, read, apply)`: `read`
runs on the reads thread against the project opened a second time, read-only
(`Project.open(path, readonly=True)`: its own SQLite connection, never the UI thread's), inside one
read transaction so every query of it sees the same committed state; `apply(result)` then runs on
the UI thread, which only puts the result in place (one model update).

Keys coalesce: a submit while an earlier one with the same key still waits replaces it (ten job
events in a burst make one read), and a result whose key was submitted again meanwhile is dropped
(never applied over a newer one). `busy()` says whether anything is waiting, running or not yet
applied (benchmarks and tests wait on `idle`). Closing interrupts a running query and lets the
thread close its connection; the UI thread never waits for it.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from director.core.errors import DirectorError
from director.store.snapshot import interrupt, snapshot, stop_when

log = logging.getLogger(__name__)


@dataclass
class _Task:
    key: str
    ticket: int
    read: Callable[[Any], Any]
    apply: Callable[[Any], None]
    on_error: Callable[[Exception], None] | None
    result: Any = None
    error: Exception | None = None


class _Relay(QObject):
    """Lives on the UI thread; the reads thread's emit is queued to it."""

    done = Signal(object)


class BackgroundReads(QObject):
    """One reads thread and one read-only connection for an open project; see the module doc.

    Signals: `idle()` when nothing is waiting, running or left to apply; `failed(str)` when a read
    raised (the panel that asked keeps what it showed)."""

    idle = Signal()
    failed = Signal(str)

    def __init__(self, path: Path, parent: QObject | None = None, *, opener: Callable[[Path], Any] | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self._opener = opener or _open_readonly
        self._relay = _Relay(self)
        self._relay.done.connect(self._deliver)
        self._lock = threading.Condition()
        self._waiting: OrderedDict[str, _Task] = OrderedDict()
        self._latest: dict[str, int] = {}
        self._running: _Task | None = None
        self._undelivered = 0  # read, emitted, not yet applied on the UI thread
        self._tickets = itertools.count(1)
        self._closed = False
        self._project = None  # opened on the reads thread, used only there
        self._thread: threading.Thread | None = None
        self.reads = 0  # reads run so far (tests count them)

    # -- asking ------------------------------------------------------------------------------------

    def submit(self, key: str, read: Callable[[Any], Any], apply: Callable[[Any], None],
               on_error: Callable[[Exception], None] | None = None) -> int:
        """Run `read(project)` off the UI thread, then `apply(result)` on it (unless superseded).
        Returns the ticket; a later submit with the same key supersedes this one."""
        with self._lock:
            if self._closed:
                return 0
            ticket = next(self._tickets)
            self._latest[key] = ticket
            self._waiting.pop(key, None)  # replaced: the newer read covers what this one would
            self._waiting[key] = _Task(key, ticket, read, apply, on_error)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=f"director-reads-{self.path.stem}", daemon=True)
                self._thread.start()
            self._lock.notify()
        return ticket

    def cancel(self, key: str) -> None:
        """Forget a waiting read and drop any result of this key still on its way."""
        with self._lock:
            self._waiting.pop(key, None)
            self._latest[key] = next(self._tickets)

    def busy(self) -> bool:
        with self._lock:
            return bool(self._waiting) or self._running is not None or self._undelivered > 0

    def shutdown(self) -> None:
        """Drop waiting reads, interrupt a running one, and let the thread close its connection.
        Never waits: the project's own close may wait (briefly) for a read to let go."""
        with self._lock:
            self._closed = True
            self._waiting.clear()
            running = self._running is not None
            project = self._project
            self._lock.notify_all()
        if running and project is not None:
            interrupt(project)

    def join(self, timeout: float = 5.0) -> None:
        """Wait for the reads thread to end (tests; the window never waits)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    # -- the reads thread --------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while True:
                with self._lock:
                    while not self._waiting and not self._closed:
                        self._lock.wait()
                    if self._closed:
                        return
                    _key, task = self._waiting.popitem(last=False)
                    self._running = task
                self._execute(task)
                with self._lock:
                    self._running = None
                    deliver = not self._closed
                    if deliver:
                        self._undelivered += 1
                if deliver:
                    self._relay.done.emit(task)
        finally:
            project, self._project = self._project, None
            if project is not None:
                try:
                    project.close()
                except Exception:  # pragma: no cover - closing a read-only connection
                    log.exception("closing the read-only connection failed")
            with self._lock:
                self._running = None
                self._waiting.clear()

    def _execute(self, task: _Task) -> None:
        try:
            if self._project is None:
                self._project = self._opener(self.path)
                stop_when(self._project, lambda: self._closed)  # a read running at close gives up
            with snapshot(self._project):  # one read transaction: every query of this read sees one state
                task.result = task.read(self._project)
            self.reads += 1
        except Exception as exc:  # handed to the UI thread: a read never kills the thread
            task.error = exc

    # -- back on the UI thread ---------------------------------------------------------------------

    def _deliver(self, task: _Task) -> None:
        with self._lock:
            self._undelivered -= 1
            current = self._latest.get(task.key) == task.ticket and not self._closed
        try:
            if not current:
                return
            if task.error is not None:
                if isinstance(task.error, sqlite3.OperationalError) and "interrupt" in str(task.error):
                    return  # the project closed under it
                if not isinstance(task.error, DirectorError):
                    log.error("background read %s failed", task.key, exc_info=task.error)
                if task.on_error is not None:
                    task.on_error(task.error)
                else:
                    self.failed.emit(f"reading {task.key} failed: {task.error}")
                return
            task.apply(task.result)
        finally:
            if not self.busy():
                self.idle.emit()


def _open_readonly(path: Path):
    from director.store.project import Project

    return Project.open(path, readonly=True)
