"""The bridge between the durable queue in the project file and an engine.

`JobRunner` takes queued jobs from the store, turns each into a self-contained `JobRequest`,
submits it, and records what the engine reports (takes, figures, failures). It is the only code
that writes generation results into the project, and it runs in the process that owns the
project file. It never blocks unless asked: the UI calls `pump()` from a timer; the CLI calls
`run_until_idle()`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable

from director.core.changes import Changes
from director.core.enums import FailureKind, JobState
from director.core.errors import DirectorError, NotFound, Refused
from director.core.model import Job
from director.core.prompt import PromptFields
from director.engine.client import EngineClient, LocalEngineClient
from director.engine.messages import Event, Failed, Finished, JobRequest, Progress, Started, TakeWritten
from director.engine.presets import Preset, get_preset, validate_params
from director.store import jobs as store_jobs
from director.store import takes as store_takes
from director.store.cameras import get_camera
from director.store.project import Project
from director.store.prompts import get_prompt

log = logging.getLogger("director.engine.runner")


@dataclass(frozen=True)
class Pumped:
    """What one pump did: the store changes to refresh, and the raw events (for progress bars)."""

    changes: Changes = field(default_factory=Changes)
    events: tuple[Event, ...] = ()


def build_request(project: Project, job: Job, presets: Callable[[str], Preset] = get_preset) -> JobRequest:
    """A job row → the request the worker runs: composed prompt with the camera, validated
    parameters, seeds, and absolute media paths. Raises DirectorError when it cannot run."""
    preset = presets(job.preset)
    params = validate_params(preset, job.params)
    if job.prompt_id is None:
        raise Refused(f"job {job.id} has no prompt version")
    fields: PromptFields = get_prompt(project, job.prompt_id).fields
    setup = get_camera(project, job.camera_id).setup if job.camera_id else None
    init = None
    if params.get("init_image"):
        path = project.media.path(params["init_image"])
        if not path.is_file():
            raise NotFound(f"the input image {params['init_image']} is missing from the media store")
        init = str(path)
    return JobRequest(
        job_id=job.id,
        preset=preset,
        prompt=fields.compose(setup),
        params=params,
        seeds=tuple(job.seeds),
        media_root=str(project.media.root),
        negative=params.get("negative") or fields.negative,
        init_image=init,
        init_frame=params.get("init_frame", "first"),
    )


class JobRunner:
    """Drives queued jobs through an engine and records results. One per open project.

    UI: call `pump()` from a QTimer (it never blocks with the default max_wait=0) and refresh
    what `Pumped.changes` names; read `progress` for bars. CLI: `run_until_idle(on_event)`.
    """

    def __init__(self, project: Project, client: EngineClient | None = None, *,
                 presets: Callable[[str], Preset] = get_preset):
        """`presets` resolves a job's preset id (the registry by default; benchmarks add their own)."""
        self.project = project
        self.presets = presets
        self._owns_client = client is None
        self.client = client or LocalEngineClient()
        self.paused = False
        self.running_job_id: int | None = None
        self.progress: dict[int, tuple[int, int]] = {}  # job id → (step, total) of the running job
        self._takes: dict[int, list[TakeWritten]] = {}
        self._devices: dict[int, str] = {}

    # -- queue control --------------------------------------------------------------------------

    def pause(self) -> None:
        """Finish the running job but start no new ones."""
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    def cancel(self, job_id: int) -> Changes:
        """A queued job is cancelled in the store now; a running one is asked to stop (its
        Failed(cancelled) event, seen by a later pump, records it)."""
        job = store_jobs.get_job(self.project, job_id)
        if job.state is JobState.QUEUED:
            return store_jobs.cancel_queued(self.project, job_id)
        if job.state is JobState.RUNNING and job_id == self.running_job_id:
            self.client.cancel(job_id)
            return Changes()
        raise Refused(f"job {job_id} is {job.state.value}; only queued or running jobs can be cancelled")

    def close(self) -> None:
        if self._owns_client:
            self.client.shutdown()

    @property
    def idle(self) -> bool:
        return self.running_job_id is None and (self.paused or store_jobs.next_queued(self.project) is None)

    # -- pumping --------------------------------------------------------------------------------

    def pump(self, max_wait: float = 0.0) -> Pumped:
        """Start the next job if the engine is free, then record whatever events arrived
        (waiting at most `max_wait` seconds for the first)."""
        changes = self._start_next()
        events = tuple(self.client.poll_events(max_wait)) if self.running_job_id is not None else ()
        for event in events:
            changes = changes | self._record(event)
        if self.running_job_id is None:
            changes = changes | self._start_next()
        return Pumped(changes, events)

    def run_until_idle(
        self, on_event: Callable[[Event], None] | None = None, *, job_ids: set[int] | None = None, tick: float = 0.1
    ) -> Changes:
        """Block until the queue is empty (or the given jobs are finished); the CLI's loop."""
        total = Changes()
        while True:
            if job_ids is not None and all(store_jobs.get_job(self.project, j).state.finished for j in job_ids):
                return total
            if self.idle:
                return total
            pumped = self.pump(tick)
            total = total | pumped.changes
            if on_event:
                for event in pumped.events:
                    on_event(event)

    def _start_next(self) -> Changes:
        if self.paused or self.running_job_id is not None:
            return Changes()
        changes = Changes()
        while (job := store_jobs.next_queued(self.project)) is not None:
            try:
                request = build_request(self.project, job, self.presets)
            except DirectorError as exc:
                # A job that can never run (preset gone, rules changed) fails now, not forever.
                changes = changes | store_jobs.mark_running(self.project, job.id)
                changes = changes | store_jobs.finish_job(
                    self.project, job.id, JobState.FAILED, error_kind=FailureKind.INVALID_PARAMS, error=str(exc)
                )
                continue
            changes = changes | store_jobs.mark_running(self.project, job.id)
            self.running_job_id = job.id
            self._takes[job.id] = []
            self.client.submit(request)
            break
        return changes

    def _record(self, event: Event) -> Changes:
        job_id = event.job_id
        match event:
            case Started(device=device):
                self._devices[job_id] = device
                return Changes.of(jobs=[job_id])
            case Progress(step=step, total=total):
                self.progress[job_id] = (step, total)
                return Changes()
            case TakeWritten():
                # Held until Finished: a job cancelled or failed later leaves no takes.
                self._takes.setdefault(job_id, []).append(event)
                return Changes()
            case Finished(meter=meter):
                try:
                    take_ids = [store_takes.insert_take(self.project, job_id, _take_values(t)) for t in self._takes.pop(job_id, [])]
                except DirectorError as exc:
                    # The job must not stay "running" forever because recording it failed.
                    self._job_done(job_id)
                    return store_jobs.finish_job(self.project, job_id, JobState.FAILED, meter,
                                                 error_kind=FailureKind.ERROR, error=f"takes not recorded: {exc}")
                changes = store_jobs.finish_job(self.project, job_id, JobState.DONE, meter)
                job = store_jobs.get_job(self.project, job_id)
                self._job_done(job_id)
                return changes | Changes.of(takes=take_ids, shots=[job.shot_id])
            case Failed(kind=kind, message=message, meter=meter):
                self._takes.pop(job_id, None)
                state = JobState.CANCELLED if kind is FailureKind.CANCELLED else JobState.FAILED
                try:
                    changes = store_jobs.finish_job(self.project, job_id, state, meter, error_kind=kind, error=message)
                except NotFound:
                    changes = Changes()
                self._job_done(job_id)
                return changes
        return Changes()

    def _job_done(self, job_id: int) -> None:
        self.progress.pop(job_id, None)
        self._devices.pop(job_id, None)
        if self.running_job_id == job_id:
            self.running_job_id = None


def _take_values(t: TakeWritten) -> dict:
    return {
        "seed": t.seed,
        "variant": t.variant,
        "kind": t.kind,
        "media_path": t.media_path,
        "thumb_path": t.thumb_path,
        "width": t.width,
        "height": t.height,
        "frames": t.frames,
        "fps_num": t.fps_num,
        "fps_den": t.fps_den,
        "extra": t.extra,
    }


def wait_for(runner: JobRunner, job_ids: set[int], timeout: float, on_event=None) -> None:
    """Pump until the jobs are finished or the timeout passes (tests, scripts)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(store_jobs.get_job(runner.project, j).state.finished for j in job_ids):
            return
        for event in runner.pump(0.1).events:
            if on_event:
                on_event(event)
    raise TimeoutError(f"jobs {sorted(job_ids)} did not finish within {timeout:g} s")
