"""The engine as the app sees it: submit, cancel, poll events, shut down.

`EngineClient` is the interface the UI and CLI program against; `LocalEngineClient` runs jobs in
a spawned worker process on this machine. A cluster engine (Ray) implements the same four
methods and the rest of the app does not change. No torch is imported here.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import time
from abc import ABC, abstractmethod
from collections import deque
from multiprocessing.connection import wait
from typing import Iterator

from director.core.enums import FailureKind
from director.core.errors import DirectorError
from director.engine.messages import (
    FINAL_EVENTS, Cancel, Decoded, Event, Failed, JobRequest, Meter, Metered, Progress, Shutdown, Started, Submit,
)

CANCEL_GRACE_S = 5.0


class EngineClient(ABC):
    """Runs generation jobs somewhere and reports typed events; every job ends in exactly one
    Finished or Failed event.

    Besides the methods, every client says how it stands: `capacity` (how many jobs it runs at
    once; a cluster counts its placed actors, 0 while it connects), `state` ("idle",
    "connecting", "ready", "failed" or "closed") and `error` (why it failed, or None)."""

    state: str = "ready"
    error: DirectorError | None = None

    @property
    def capacity(self) -> int:
        """How many jobs run at once; one unless the engine says otherwise."""
        return 1

    @abstractmethod
    def submit(self, request: JobRequest) -> None:
        """Queue a request; jobs run in submission order."""

    @abstractmethod
    def cancel(self, job_id: int) -> None:
        """Stop a job: a waiting one at once, a running one within a step (or by restart)."""

    @abstractmethod
    def poll_events(self, timeout: float = 0.0) -> list[Event]:
        """Events that arrived, waiting at most `timeout` seconds for the first; never blocks
        longer, so a UI timer can call it with timeout 0."""

    @abstractmethod
    def shutdown(self) -> None:
        """Stop the engine; waiting jobs are dropped without events."""

    @property
    @abstractmethod
    def busy(self) -> bool:
        """A job is running or waiting."""

    def events(self, timeout: float = 0.1) -> Iterator[Event]:
        """Every event until the engine is idle (the CLI's blocking loop)."""
        while self.busy:
            yield from self.poll_events(timeout)


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class LocalEngineClient(EngineClient):
    """A spawned worker process on this machine, started lazily and restarted after a crash.

    The client hands the worker one job at a time and keeps the rest itself, so a crash loses
    only the jobs in the worker and a waiting job can be dropped without asking the worker. A job
    whose last variant is decoded (`Decoded`) leaves the device to the next one while the
    worker's writer thread finishes its takes: it is then "writing" until its final event.

    `settings` go to the worker (memory_budget_gb, encoder, …); without an "encoder" entry the
    engine settings file's (`engine.json`) is used.
    """

    def __init__(self, settings: dict | None = None, *, cancel_grace_s: float = CANCEL_GRACE_S):
        self.settings = settings or {}
        self.cancel_grace_s = cancel_grace_s
        self._ctx = mp.get_context("spawn")  # never fork a process that may hold CUDA state
        self._proc = None
        self._commands = None
        self._events = None
        self._pending: deque[JobRequest] = deque()
        self._running: JobRequest | None = None
        self._spent: dict = {}  # what the running job reported using so far: device, gpu_s, since
        self._writing: dict[int, tuple[JobRequest, dict]] = {}  # decoded, takes being written
        self._cancel_sent_at: float | None = None
        self._outbox: list[Event] = []
        self.restarts = 0

    # -- process --------------------------------------------------------------------------------

    @property
    def worker_pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self._proc.is_alive() else None

    def start(self) -> None:
        """Start the worker now (otherwise the first submit does), e.g. to hide its start-up time."""
        if self._proc is not None and self._proc.is_alive():
            return
        from director.engine.machine_settings import apply_device
        from director.engine.worker import worker_main

        try:  # the saved device, unless DIRECTOR_DEVICE is set for this run; the worker inherits it
            apply_device(override_environment=False)
        except DirectorError:  # a broken settings file: presets say so; the worker picks a device
            pass
        cmd_recv, cmd_send = self._ctx.Pipe(duplex=False)
        evt_recv, evt_send = self._ctx.Pipe(duplex=False)
        proc = self._ctx.Process(
            target=worker_main, args=(cmd_recv, evt_send, self._worker_settings()), name="director-engine", daemon=True
        )
        proc.start()
        # Close our copies of the child's ends, so a dead worker reads as EOF here.
        cmd_recv.close()
        evt_send.close()
        self._proc, self._commands, self._events = proc, cmd_send, evt_recv

    def _worker_settings(self) -> dict:
        """The caller's settings, completed from engine.json (`engine.machine_settings`: what
        Settings ▸ Engine and `director engine settings` write), so the CLI's worker runs as the
        window's does."""
        settings = dict(self.settings)
        from director.engine.presets import load_settings

        try:
            saved = load_settings()
        except DirectorError:  # a broken settings file: presets say so; the worker uses defaults
            saved = {}
        for key in ("encoder", "memory_budget_gb"):
            if key not in settings and saved.get(key) is not None:
                settings[key] = saved[key]
        return settings

    def _stop_process(self, kill: bool) -> None:
        proc = self._proc
        if proc is None:
            return
        if kill and proc.is_alive():
            proc.kill()
        proc.join(timeout=5)
        for conn in (self._commands, self._events):
            try:
                conn.close()
            except OSError:
                pass
        self._proc = self._commands = self._events = None

    # -- EngineClient ---------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._running is not None or bool(self._pending) or bool(self._outbox) or bool(self._writing)

    @property
    def running_job(self) -> int | None:
        return self._running.job_id if self._running else None

    def submit(self, request: JobRequest) -> None:
        self._pending.append(request)
        self._dispatch()

    def cancel(self, job_id: int) -> None:
        for req in list(self._pending):
            if req.job_id == job_id:
                self._pending.remove(req)
                self._outbox.append(Failed(job_id, FailureKind.CANCELLED, "cancelled before it started"))
                return
        if self._running and self._running.job_id == job_id and self._cancel_sent_at is None:
            self._cancel_sent_at = time.monotonic()
            self._send(Cancel(job_id))
        elif job_id in self._writing:
            # The writer stops at the next frame; the device is already on another job, so no
            # restart deadline applies.
            self._send(Cancel(job_id))

    def poll_events(self, timeout: float = 0.0) -> list[Event]:
        out, self._outbox = self._outbox, []
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            out.extend(self._drain())
            self._check_cancel_deadline(out)
            if out or self._events is None:
                return out
            remaining = deadline - time.monotonic()
            if self._cancel_sent_at is not None:
                remaining = min(remaining, self._cancel_sent_at + self.cancel_grace_s - time.monotonic())
            if remaining <= 0:
                if time.monotonic() >= deadline:
                    return out
                continue
            wait([self._events, self._proc.sentinel], remaining)

    def shutdown(self) -> None:
        self._pending.clear()
        if self._proc is not None and self._proc.is_alive():
            self._send(Shutdown())
            self._proc.join(timeout=5)
        self._stop_process(kill=True)
        self._running = None
        self._writing.clear()

    # -- internals ------------------------------------------------------------------------------

    def _send(self, msg) -> None:
        try:
            self._commands.send(msg)
        except (BrokenPipeError, OSError, AttributeError):
            pass  # the worker is dead; _drain notices and reports the job as crashed

    def _dispatch(self) -> None:
        if self._running is not None or not self._pending:
            return
        self.start()
        self._running = self._pending.popleft()
        self._spent = {"since": time.monotonic()}
        self._cancel_sent_at = None
        self._send(Submit(self._running))

    def _note(self, event: Event) -> None:
        """Keep what the running job has used, for a crash that ends it without a meter."""
        if self._running is None or event.job_id != self._running.job_id:
            return
        if isinstance(event, Started):
            self._spent["device"] = event.device
        elif isinstance(event, (Progress, Metered, Decoded)):
            self._spent["gpu_s"] = max(self._spent.get("gpu_s", 0.0), event.gpu_s)

    def _lost_job_meter(self, spent: dict | None = None) -> Meter:
        """A job whose worker died is charged the device seconds it reported until then."""
        spent = self._spent if spent is None else spent
        since = spent.get("since")
        return Meter(device=spent.get("device"), gpu_s=spent.get("gpu_s"),
                     wall_s=time.monotonic() - since if since is not None else None)

    def _drain(self) -> list[Event]:
        """Everything the worker has sent; then, if it died, a crash for its job."""
        out: list[Event] = []
        if self._events is None:
            return out
        try:
            while self._events.poll(0):
                event = self._events.recv()
                self._note(event)
                out.append(event)
                running = self._running is not None and event.job_id == self._running.job_id
                if isinstance(event, Decoded) and running:
                    # The device is free: the next job goes in while this one's takes are written.
                    self._writing[event.job_id] = (self._running, self._spent)
                    self._running = None
                    self._cancel_sent_at = None
                    self._dispatch()
                elif isinstance(event, FINAL_EVENTS) and running:
                    self._running = None
                    self._cancel_sent_at = None
                    self._dispatch()
                elif isinstance(event, FINAL_EVENTS):
                    self._writing.pop(event.job_id, None)
        except (EOFError, OSError):
            pass
        if not self._proc.is_alive():
            code = self._proc.exitcode
            self._stop_process(kill=False)
            self.restarts += 1
            lost = [(job, spent, "writing the takes of") for job, spent in self._writing.values()]
            if self._running is not None:
                lost.append((self._running, self._spent, "running"))
            self._running = None
            self._writing.clear()
            for job, spent, doing in lost:
                out.append(Failed(
                    job.job_id, FailureKind.CRASHED,
                    f"the engine worker stopped ({_describe_exit(code)}) while {doing} job {job.job_id} "
                    f"with {job.preset.id}; nothing else was lost and a new worker starts for the next job",
                    self._lost_job_meter(spent),
                ))
            self._dispatch()
        return out

    def _check_cancel_deadline(self, out: list[Event]) -> None:
        if self._cancel_sent_at is None or self._running is None:
            return
        if time.monotonic() - self._cancel_sent_at < self.cancel_grace_s:
            return
        job = self._running
        self._running = None
        self._cancel_sent_at = None
        self._stop_process(kill=True)
        self.restarts += 1
        out.append(Failed(
            job.job_id, FailureKind.CANCELLED,
            f"cancelled: the worker did not stop within {self.cancel_grace_s:g} s, so it was restarted",
            self._lost_job_meter(),
        ))
        for other, spent in self._writing.values():  # their takes were being written in that worker
            out.append(Failed(
                other.job_id, FailureKind.CRASHED,
                f"the engine worker was restarted to stop job {job.job_id} while it wrote the takes of job "
                f"{other.job_id}; run job {other.job_id} again",
                self._lost_job_meter(spent),
            ))
        self._writing.clear()
        self._dispatch()
