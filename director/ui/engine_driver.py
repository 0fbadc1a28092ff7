"""The engine for one open, writable project: its client, the runner a QTimer pumps, the take
actions that queue work (promote, image to video, extend, re-render) and a notification per job
that ends (for a re-render, what it found: `actions.rerender_result(...).describe()`).

Split out of the main window, which keeps docks, menus and layout: the window builds one driver per
project, forwards `notified` to its status bar and `job_event` to the queue panel, and the driver
announces what each pump changed through the session, so every view refreshes from those ids.
Nothing here blocks: a pump never waits for the engine, and the engine is shut down on a thread.
"""

from __future__ import annotations

import logging
import os
import threading

from PySide6.QtCore import QObject, QTimer, Signal

from director.core.enums import JobState
from director.core.errors import DirectorError
from director.engine import actions
from director.engine.client import LocalEngineClient
from director.engine.engine_choice import make_engine_client
from director.engine.runner import JobRunner
from director.engine.variations import more_like_this
from director.store.jobs import get_job
from director.store.takes import takes_of_job
from director.store.summary import job_counts
from director.ui.settings_dialog import (
    allow_unauthenticated_setting,
    apply_device_setting,
    engine_client_settings,
    engine_setting,
)
from director.ui.undo import ProjectSession

log = logging.getLogger(__name__)

PUMP_INTERVAL_MS = 40
# The local worker starts this long after a project opens (its panels are built by then), so its
# imports of torch and diffusers (seconds) are done before the first Generate. DIRECTOR_WARM_ENGINE=0
# leaves it to the first job (the test suite, a machine short of memory).
WARM_DELAY_MS = 1500
TAKE_VERBS = {
    "promote": lambda project, take_id: actions.promote_take(project, take_id),
    "i2v": lambda project, take_id: actions.image_to_video(project, take_id=take_id),
    "extend": lambda project, take_id: actions.extend_take(project, take_id),
    "rerender": lambda project, take_id: actions.rerender_take(project, take_id),
    "more": lambda project, take_id: more_like_this(project, take_id),
    "from_previz": lambda project, take_id: _from_previz(project, take_id),  # engine.previz.guide
}


def _from_previz(project, take_id: int):
    from director.engine.previz.guide import default_guided_preset, queue_from_previz

    return queue_from_previz(project, take_id, default_guided_preset())


class EngineDriver(QObject):
    """Signals: job_event(event) for every engine event the runner saw; notified(text, error) for
    the status bar; queue_changed() when the counts of running and waiting jobs may have moved."""

    job_event = Signal(object)
    notified = Signal(str, bool)
    job_ended = Signal(int, str, bool)  # job id, what it says, whether it is an error (before `notified`)
    new_takes = Signal(int, list)  # a take action's source take id, the take ids its job made
    queue_changed = Signal()

    def __init__(self, session: ProjectSession, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self._notified_jobs: set[int] = set()
        self._rerenders: dict[int, int] = {}  # a re-render's job id → the take it re-makes
        self._sources: dict[int, int] = {}  # a take action's job id → the take it was made from
        self._failure_shown = False
        self.client: LocalEngineClient | None = None
        self.runner: JobRunner | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(PUMP_INTERVAL_MS)
        self.timer.timeout.connect(self.pump)

    # -- lifetime ---------------------------------------------------------------------------------

    def open(self) -> None:
        """Make the engine client (from the settings) and the runner; connect the signals first,
        since a malformed engine setting is said through `notified`."""
        apply_device_setting()
        try:  # a Ray client connects on its own thread: the window never waits for a cluster
            self.client = make_engine_client(settings={"engine": engine_setting(), "ray_allow_unauthenticated": allow_unauthenticated_setting()},
                                             worker_settings=engine_client_settings())
        except DirectorError as exc:  # a malformed engine (settings or DIRECTOR_ENGINE): run here
            self._say(f"{exc}; jobs run on this machine", error=True)
            self.client = LocalEngineClient(settings=engine_client_settings())
        self.runner = JobRunner(self.session.project, self.client)

    def start(self) -> None:
        self.timer.start()
        if os.environ.get("DIRECTOR_WARM_ENGINE", "1") != "0":
            QTimer.singleShot(WARM_DELAY_MS, self.warm_up)

    def warm_up(self) -> bool:
        """Start the local worker ahead of the first job (spawning returns at once; the worker's
        imports run in its own, lower-priority process). Returns whether one was started."""
        client = self.client
        if not isinstance(client, LocalEngineClient) or client.worker_pid is not None:
            return False
        try:
            client.start()
        except Exception:  # the first job starts it again, and says why if it still cannot
            log.warning("warming the engine failed", exc_info=True)
            return False
        return True

    def stop(self) -> None:
        """Stop pumping and shut the engine down off the UI thread (a worker loading a model may
        take seconds to stop)."""
        self.timer.stop()
        client, self.client, self.runner = self.client, None, None
        if client is not None:
            threading.Thread(target=_shutdown_quietly, args=(client,), name="engine-shutdown", daemon=True).start()

    # -- the queue --------------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self.runner is not None and self.runner.paused

    def counts(self) -> tuple[int, int]:
        """(running, waiting): summary.job_counts, the one count the queue panel and `queue list` show."""
        counts = job_counts(self.session.project)
        return counts.get(JobState.RUNNING.value, 0), counts.get(JobState.QUEUED.value, 0)

    def pump(self) -> None:
        """One non-blocking turn of the runner; any failure becomes a notification."""
        if self.runner is None:
            return
        if getattr(self.client, "state", None) == "failed" and not self._failure_shown:
            self._failure_shown = True  # once per project: the cluster could not be reached
            self._say(f"engine: {self.client.error}", error=True)
        try:
            pumped = self.runner.pump(0.0)
        except Exception as exc:  # a store or engine error must not stop the timer or the window
            log.exception("engine pump failed")
            self._say(f"generation problem: {exc}", error=True)
            return
        for event in pumped.events:
            self.job_event.emit(event)
        if pumped.changes:
            self.session.announce(pumped.changes)
            self._notify_finished(pumped.changes.jobs)
        if pumped.changes.jobs or pumped.events:
            self.queue_changed.emit()

    def _notify_finished(self, job_ids) -> None:
        """A notification per job that ended, failures with their reason (also those the runner
        refused before the engine saw them, which send no event)."""
        for job_id in sorted(job_ids):
            try:
                job = get_job(self.session.project, job_id)
            except DirectorError:
                continue
            if not job.state.finished or job_id in self._notified_jobs:
                continue
            self._notified_jobs.add(job_id)
            original = self._rerenders.pop(job_id, None)
            if original is not None:
                self._say_rerender(original, job_id, failed=job.state is not JobState.DONE)
            if job.state is JobState.DONE and "take_id" in job.params:  # a roto job (engine.roto): mattes, no takes
                n = len(job.params.get("objects") or ())
                text, error = f"Job {job_id} finished (roto: {n} matte{'s' if n != 1 else ''} of take {job.params['take_id']})", False
            elif job.state is JobState.DONE:
                text, error = f"Job {job_id} finished ({len(job.seeds)} take{'s' if len(job.seeds) != 1 else ''})", False
            elif job.state is JobState.CANCELLED:
                text, error = f"Job {job_id} cancelled", False
            else:
                text, error = f"Job {job_id} failed: {job.error or 'no reason given'}", True
            self.job_ended.emit(job_id, text, error)
            self._say(text, error=error)
            source = self._sources.pop(job_id, None)
            if source is not None and job.state is JobState.DONE:
                made = [t.id for t in takes_of_job(self.session.project, job_id)]
                if made:
                    self.new_takes.emit(source, made)

    # -- take actions -----------------------------------------------------------------------------

    def take_action(self, action: str, take_id: int) -> bool:
        """Queue a promote, image-to-video, extend, re-render or more-like-this of a take; False (and a
        notification saying why) when it cannot be queued."""
        verb = TAKE_VERBS.get(action)
        if verb is None:
            self._say(f"unknown take action {action!r}", error=True)
            return False
        try:
            queued = verb(self.session.project, take_id)
        except DirectorError as exc:
            self._say(str(exc), error=True)
            return False
        self.session.announce(queued.changes)
        if action == "rerender":
            self._rerenders.update((job_id, take_id) for job_id in queued.job_ids)
        self._sources.update((job_id, take_id) for job_id in queued.job_ids)  # its takes are selected when they land
        self._say(f"Queued {action} of take {take_id} with {queued.preset.id} (job {', '.join(map(str, queued.job_ids))})")
        self.pump()
        return True

    def _say_rerender(self, take_id: int, job_id: int, *, failed: bool) -> None:
        """What a finished re-render found: bit-identical, the same frames, or what differs (and why)."""
        try:
            result = actions.rerender_result(self.session.project, take_id, job_id)
        except DirectorError as exc:  # the original take was emptied from the bin meanwhile
            self._say(f"re-render of take {take_id}: {exc}", error=True)
            return
        self._say(f"Re-render: {result.describe()}", error=failed)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.notified.emit(text, error)


def _shutdown_quietly(client: LocalEngineClient) -> None:
    try:
        client.shutdown()
    except Exception:  # a dead worker must not matter to a closed project
        log.exception("engine shutdown failed")
