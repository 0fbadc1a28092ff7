"""The bridge between the durable queue in the project file and an engine.

`JobRunner` takes queued jobs from the store, turns each into a self-contained `JobRequest`,
submits it, and records what the engine reports (takes, figures, failures). It is the only code
that writes generation results into the project, and it runs in the process that owns the
project file. It never blocks unless asked: the UI calls `pump()` from a timer; the CLI calls
`run_until_idle()`.

It keeps as many jobs submitted as the engine can run at once (`client.capacity`: one for the
local worker, one per placed actor on a Ray cluster), so a cluster's GPUs work in parallel while
the queue order and the ledger stay the app's. Each committed video take is then measured for
continuity QC on a thread of its own (`engine.qc_follow_up`), recorded at a later pump. A job
that says `Decoded` no longer holds its slot: the device starts the next one while the worker
writes its takes. Each finished or failed job is charged at the price of the GPU type it ran on
when the project's price table has one (`store.gpu_prices`).

A job runs its recipe, recorded when it was queued (`engine.recipes`): the text the worker sends
to the pipeline is the recipe's, whatever happened to the camera or the prompt since. A finished
job's takes, figures, money and run facts are recorded in one transaction
(`store.jobs.complete_job`); if recording fails for any reason the job ends failed with the
reason, never left running.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Callable

from director.core.changes import Changes
from director.core.enums import FailureKind, JobState
from director.core.errors import DirectorError, NotFound, Refused
from director.core.model import Job
from director.engine.client import EngineClient, LocalEngineClient
from director.engine.messages import (Decoded, Event, Failed, Finished, JobRequest, MatteWritten, Meter, Progress, Retrying,
                                      Started, TakeWritten)
from director.engine.presets import Preset, get_preset, validate_params
from director.engine.qc_follow_up import QcFollowUp
from director.engine.recipes import recipe_of_job
from director.engine.roto import matte_values, segment_request
from director.engine.steering import request_fields
from director.store import jobs as store_jobs
from director.store import queue_state
from director.store.gpu_prices import price_for
from director.store.media import sha256_file
from director.store.project import Project
from director.store.roto import complete_roto_job

log = logging.getLogger("director.engine.runner")


@dataclass(frozen=True)
class Pumped:
    """What one pump did: the store changes to refresh, and the raw events (for progress bars)."""

    changes: Changes = field(default_factory=Changes)
    events: tuple[Event, ...] = ()


def build_request(project: Project, job: Job, presets: Callable[[str], Preset] = get_preset) -> JobRequest:
    """A job row → the request the worker runs: its recipe's text, negative, parameters (checked
    against the preset again) and seeds, and absolute media paths. A job queued by a Director
    that recorded no recipe is composed from the camera's current setup (and says so in the
    log). Raises DirectorError when it cannot run."""
    preset = presets(job.preset)
    recipe = recipe_of_job(project, job)
    params = validate_params(preset, recipe.params)
    init = None
    if params.get("init_image"):
        path = project.media.path(params["init_image"])
        if not path.is_file():
            raise NotFound(f"the input image {params['init_image']} is missing from the media store")
        recorded = recipe.inputs.get("init_image")
        if recorded and sha256_file(path) != recorded:
            raise NotFound(f"the input image {params['init_image']} is not the file the job was queued with "
                           "(its SHA-256 differs); the media store was altered")
        init = str(path)
    return JobRequest(
        job_id=job.id,
        preset=preset,
        prompt=recipe.prompt,
        params=params,
        seeds=tuple(recipe.seeds or job.seeds),
        media_root=str(project.media.root),
        negative=recipe.negative,
        init_image=init,
        init_frame=params.get("init_frame", "first"),
        quality=recipe.quality,
        scene=recipe.scene or None,  # a previz job's scene (engine.previz)
        segment=segment_request(project, recipe, params) if preset.kind == "segment" else None,  # engine.roto
        **request_fields(project, recipe, preset),  # keyframes, LoRAs, control, speed (engine.steering)
    )


class JobRunner:
    """Drives queued jobs through an engine and records results. One per open project.

    UI: call `pump()` from a QTimer (it never blocks with the default max_wait=0) and refresh
    what `Pumped.changes` names; read `progress` for bars. CLI: `run_until_idle(on_event)`.
    Up to `client.capacity` jobs (1 when the client has none) are submitted at once.
    """

    def __init__(self, project: Project, client: EngineClient | None = None, *,
                 presets: Callable[[str], Preset] = get_preset):
        """`presets` resolves a job's preset id (the registry by default; benchmarks add their own)."""
        self.project = project
        self.presets = presets
        self._owns_client = client is None
        self.client = client or LocalEngineClient()
        self.progress: dict[int, tuple[int, int]] = {}  # job id → (step, total), per running job
        self._running: dict[int, None] = {}  # submitted and not yet final, in submission order
        self._decoded: set[int] = set()  # running jobs off the device, their takes being written
        self._only: set[int] | None = None  # while run_until_idle(job_ids=…): start only these
        self._takes: dict[int, list[TakeWritten]] = {}
        self._devices: dict[int, str] = {}
        self._requests: dict[int, JobRequest] = {}  # what each running job was sent
        self.qc = QcFollowUp(project)  # continuity QC of each landed video take, off this thread

    # -- what runs ------------------------------------------------------------------------------

    @property
    def running_job_ids(self) -> tuple[int, ...]:
        """Every job submitted to the engine and not yet finished, lowest id first."""
        return tuple(sorted(self._running))

    @property
    def running_job_id(self) -> int | None:
        """The lowest running job id, or None (from when one job ran at a time)."""
        return min(self._running) if self._running else None

    @property
    def capacity(self) -> int:
        """How many jobs the engine takes at once: its `capacity` (placed actors on a Ray
        cluster), at least 1, so a job still goes out while a cluster is connecting (the client
        holds it) or unreachable (it fails with the client's message)."""
        return max(1, int(self.client.capacity))

    # -- queue control --------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        """The project's pause (`store.queue_state`): set here, from the window, or by
        `director queue pause` in another process."""
        return queue_state.is_paused(self.project)

    def pause(self) -> None:
        """Finish the running jobs but start no new ones (kept across restarts)."""
        queue_state.set_paused(self.project, True)

    def resume(self) -> None:
        queue_state.set_paused(self.project, False)

    def cancel(self, job_id: int) -> Changes:
        """A queued job is cancelled in the store now; a running one is asked to stop (its
        Failed(cancelled) event, seen by a later pump, records it)."""
        job = store_jobs.get_job(self.project, job_id)
        if job.state is JobState.QUEUED:
            return store_jobs.cancel_queued(self.project, job_id)
        if job.state is JobState.RUNNING and job_id in self._running:
            self.client.cancel(job_id)
            return Changes()
        raise Refused(f"job {job_id} is {job.state.value}; only queued or running jobs can be cancelled")

    def close(self) -> None:
        self.qc.close()
        if self._owns_client:
            self.client.shutdown()

    @property
    def idle(self) -> bool:
        return not self._running and (self.paused or self._next_job() is None)

    # -- pumping --------------------------------------------------------------------------------

    def pump(self, max_wait: float = 0.0) -> Pumped:
        """Fill the engine's free slots with queued jobs, then record whatever events arrived
        (waiting at most `max_wait` seconds for the first), then fill the slots they freed."""
        changes = self._start_next()
        events = tuple(self.client.poll_events(max_wait)) if self._running else ()
        for event in events:
            changes = changes | self._record(event)
        changes = changes | self._start_next() | self.qc.collect()
        return Pumped(changes, events)

    def run_until_idle(
        self, on_event: Callable[[Event], None] | None = None, *, job_ids: set[int] | None = None, tick: float = 0.1
    ) -> Changes:
        """Block until the queue is empty (or the given jobs are finished, starting no others);
        the CLI's loop."""
        total = Changes()
        self._only = set(job_ids) if job_ids is not None else None
        try:
            while True:
                if job_ids is not None and all(store_jobs.get_job(self.project, j).state.finished for j in job_ids):
                    return total | self.qc.drain()
                if self.idle:
                    self._refuse_if_paused()
                    return total | self.qc.drain()
                pumped = self.pump(tick)
                total = total | pumped.changes
                if on_event:
                    for event in pumped.events:
                        on_event(event)
        finally:
            self._only = None

    def _refuse_if_paused(self) -> None:
        """A blocking run that stops because the queue is paused says so, rather than reporting
        its waiting jobs as unfinished; they stay queued."""
        if not self.paused:
            return
        waiting = [j.id for j in store_jobs.list_jobs(self.project, states=(JobState.QUEUED,))
                   if self._only is None or j.id in self._only]
        if waiting:
            raise Refused(f"the queue is paused; job(s) {', '.join(map(str, sorted(waiting)))} wait "
                          f"(resume it with: director queue resume {self.project.path})")

    def _next_job(self) -> Job | None:
        if self._only is None:
            return store_jobs.next_queued(self.project)
        queued = store_jobs.list_jobs(self.project, states=(JobState.QUEUED,))
        return next((j for j in queued if j.id in self._only), None)

    def _start_next(self) -> Changes:
        changes = Changes()
        while not self.paused and len(self._running) - len(self._decoded) < self.capacity and (job := self._next_job()) is not None:
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
            self._running[job.id] = None
            self._takes[job.id] = []
            self._requests[job.id] = request
            self.client.submit(request)
        return changes

    def _record(self, event) -> Changes:
        job_id = event.job_id
        match event:
            case Started(device=device):
                self._devices[job_id] = device
                return Changes.of(jobs=[job_id])
            case Progress(step=step, total=total):
                self.progress[job_id] = (step, total)
                return Changes()
            case Decoded():
                if job_id in self._running:
                    self._decoded.add(job_id)  # its slot is free for the next job
                return Changes()
            case TakeWritten() | MatteWritten():
                # Held until Finished: a job cancelled or failed later leaves no takes (or mattes).
                self._takes.setdefault(job_id, []).append(event)
                return Changes()
            case Retrying(kind=kind, message=message, attempt=attempt):
                # Not final: the engine runs the job again elsewhere. It stays running; what the
                # lost attempt made is dropped and its progress starts over.
                log.warning("job %d, attempt %d: %s (%s)", job_id, attempt, message, kind.value)
                self._takes[job_id] = []
                self.progress.pop(job_id, None)
                self._devices.pop(job_id, None)
                self._decoded.discard(job_id)
                return Changes()
            case Finished():
                takes = self._takes.pop(job_id, [])
                request = self._requests.get(job_id)
                self._job_done(job_id)
                return self._complete(job_id, event, takes, request)
            case Failed(kind=kind, message=message, meter=meter):
                self._takes.pop(job_id, None)
                self._job_done(job_id)
                state = JobState.CANCELLED if kind is FailureKind.CANCELLED else JobState.FAILED
                return self._end(job_id, state, Meter.of(meter), kind, message)
        return Changes()

    def _complete(self, job_id: int, event: Finished, takes: list[TakeWritten], request: JobRequest | None) -> Changes:
        """Record a finished job's takes, figures, money and run facts in one transaction; if
        anything refuses (a take's media missing, a price too large to charge, the disk), the job
        ends failed with the reason and no takes."""
        meter = Meter.of(event.meter)
        sent = event.received.get("prompt")
        if request is not None and sent is not None and sent != request.prompt:
            # Never record a take whose recipe would say other than what the model read.
            return self._end(job_id, JobState.FAILED, meter, FailureKind.ERROR,
                             f"the pipeline received {sent!r}, not the recipe's text {request.prompt!r}; no takes were recorded")
        try:
            if any(isinstance(t, MatteWritten) for t in takes):  # a segment job's results (store.roto)
                return complete_roto_job(self.project, job_id, meter.to_dict(), [matte_values(t) for t in takes],
                                         run_facts=event.run_facts, price_per_hour=self._price(meter))[1]
            take_ids, changes = store_jobs.complete_job(
                self.project, job_id, meter.to_dict(), [_take_values(t) for t in takes],
                run_facts=event.run_facts, price_per_hour=self._price(meter),
            )
            self._follow_up(take_ids)
            return changes
        except DirectorError as exc:
            log.warning("job %d finished but was not recorded: %s", job_id, exc)
            reason = str(exc)
        except Exception as exc:  # the boundary: any surprise ends the job with its name, logged once
            log.exception("job %d finished but recording it failed", job_id)
            reason = f"{type(exc).__name__}: {exc}"
        return self._end(job_id, JobState.FAILED, meter, FailureKind.ERROR,
                         f"the job finished but its takes were not recorded ({reason}); no takes were kept")

    def _follow_up(self, take_ids) -> None:
        """The job is committed: QC follows on its own thread and the queue goes on. A failure to
        queue it never touches the job (its takes are kept; `director qc run` measures them)."""
        try:
            self.qc.submit(take_ids)
        except Exception:
            log.exception("QC of takes %s was not queued", take_ids)

    def _end(self, job_id: int, state: JobState, meter: Meter, kind: FailureKind | None, error: str) -> Changes:
        """Record how a job ended, with its figures and money; if the money cannot be recorded
        (a price so large the charge overflows), with its figures and no charge, the reason in
        its error; never leaves it running unless the project cannot be written at all."""
        try:
            return store_jobs.finish_job(self.project, job_id, state, meter.to_dict(), error_kind=kind, error=error,
                                         price_per_hour=self._price(meter))
        except NotFound:
            return Changes()
        except Exception as exc:
            log.exception("job %d: recording how it ended failed; recording it without a charge", job_id)
            first = exc
        uncharged = replace(meter, gpu_s=None, energy_wh=None)
        used = f"it used {meter.gpu_s:.3f} device seconds but " if meter.gpu_s is not None else ""
        note = f"; {used}the charge could not be recorded ({type(first).__name__}: {first})"
        try:
            return store_jobs.finish_job(self.project, job_id, JobState.FAILED, uncharged.to_dict(),
                                         error_kind=kind or FailureKind.ERROR, error=error + note)
        except Exception:
            log.exception("job %d could not be recorded as ended; the next open marks it interrupted", job_id)
            return Changes.of(jobs=[job_id])

    def _price(self, meter: Meter):
        """The price per GPU hour of the GPU type the job ran on, or None for the project's."""
        return price_for(self.project, meter.to_dict())

    def _job_done(self, job_id: int) -> None:
        self.progress.pop(job_id, None)
        self._devices.pop(job_id, None)
        self._running.pop(job_id, None)
        self._decoded.discard(job_id)
        self._requests.pop(job_id, None)


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
        "sound": (t.sound_path, t.sound_samples) if t.sound_path else None,
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
