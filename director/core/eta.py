"""One job's clock: elapsed time and ETA, the one model the queue panel and the CLI both read.

A job first loads its model (no steps, no rate: the ETA says "loading model…", never 0:00), then
denoises; the ETA is the measured seconds per step since the first progress event times the steps
left, counted down between events. Before a rate is known it is the queue's estimate less the time
already spent. Elapsed is monotonic: it is never shown smaller than it was, so a job that finishes
(whose stored wall time may be measured by the worker, after its load) never jumps backwards.

Times are `time.monotonic()` seconds passed in by the caller, so tests need no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

LOADING_TEXT = "loading model…"
STARTING_TEXT = "starting…"
UNKNOWN_TEXT = "—"


def format_duration(seconds: float | None) -> str:
    """m:ss, or h:mm:ss from an hour; '' for None."""
    if seconds is None:
        return ""
    seconds = max(0, int(round(seconds)))
    if seconds < 3600:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def seconds_since(iso: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a stored UTC timestamp to `now` (default: now); None without a timestamp."""
    if not iso:
        return None
    try:
        then = datetime.fromisoformat(iso)
    except ValueError:
        return None
    return max(0.0, ((now or datetime.now(timezone.utc)) - then).total_seconds())


def stored_elapsed(started_at: str | None, finished_at: str | None) -> float | None:
    """A finished job's elapsed time from the same clock the running row counted on (its start
    and finish as stored), so the figure a running row showed is never more than the final one."""
    if not started_at or not finished_at:
        return None
    try:
        return max(0.0, (datetime.fromisoformat(finished_at) - datetime.fromisoformat(started_at)).total_seconds())
    except ValueError:
        return None


@dataclass
class JobClock:
    """Elapsed and ETA of one job from its events. `started` is the monotonic time the job started
    (a window that opens on a running job passes the start it read from the store)."""

    started: float | None = None
    estimate_s: float | None = None  # the queue's estimate of the job's seconds (None: no history)
    loading: bool = False
    step: int = 0
    total: int = 0
    finished_at: float | None = None
    _first_step_at: float | None = None
    _first_step: int = 0
    _last_step_at: float | None = None
    _shown_elapsed: float = 0.0

    # -- events --------------------------------------------------------------------------------

    def start(self, now: float, loading: bool = False) -> None:
        """The worker took the job; `loading` when its model is not warm."""
        if self.started is None:
            self.started = now
        self.loading = loading

    def progress(self, now: float, step: int, total: int) -> None:
        """Step `step` of `total` is done: the load is over and the rate can be measured."""
        if self.started is None:
            self.started = now
        self.loading = False
        if self._first_step_at is None:
            self._first_step_at, self._first_step = now, step
        self.step, self.total = step, total
        self._last_step_at = now

    def finish(self, now: float) -> None:
        """The job ended (any way): elapsed stops here."""
        if self.finished_at is None:
            self.finished_at = now

    # -- readings ------------------------------------------------------------------------------

    @property
    def phase(self) -> str:
        """'waiting', 'loading', 'starting' (warm, no step yet), 'stepping' or 'finished'."""
        if self.finished_at is not None:
            return "finished"
        if self.started is None:
            return "waiting"
        if self._last_step_at is None:
            return "loading" if self.loading else "starting"
        return "stepping"

    def elapsed(self, now: float, floor: float | None = None) -> float | None:
        """Seconds since the start, never less than any value returned before nor than `floor`
        (a stored figure for the same job); None while waiting."""
        if self.started is None:
            return floor
        end = self.finished_at if self.finished_at is not None else now
        value = max(end - self.started, self._shown_elapsed, floor or 0.0)
        self._shown_elapsed = value
        return value

    def seconds_per_step(self) -> float | None:
        """The measured rate since the first progress event (that event's wait held the load)."""
        if self._first_step_at is None or self._last_step_at is None or self.step <= self._first_step:
            return None
        return (self._last_step_at - self._first_step_at) / (self.step - self._first_step)

    def eta(self, now: float) -> float | None:
        """Seconds left: the step rate × steps left, counted down since the last step; before a
        rate, the estimate less the time spent; None when neither is known or while loading with
        no estimate."""
        phase = self.phase
        if phase == "finished":
            return 0.0
        rate = self.seconds_per_step()
        if rate is not None:
            return max(0.0, rate * max(0, self.total - self.step) - (now - self._last_step_at))
        if self.estimate_s is not None:
            spent = 0.0 if self.started is None else now - self.started
            return max(0.0, self.estimate_s - spent)
        return None

    def eta_text(self, now: float) -> str:
        """What an ETA cell says: 'loading model…' while loading, a clock once a rate is known,
        the estimate otherwise, '—' when nothing is known."""
        phase = self.phase
        if phase == "finished":
            return ""
        if phase == "loading":
            return LOADING_TEXT
        eta = self.eta(now)
        if eta is None:
            return STARTING_TEXT if phase == "starting" else UNKNOWN_TEXT
        return format_duration(eta)

    def line(self, now: float) -> str:
        """One line for a terminal: 'elapsed 0:12 · ETA 0:30' (or '· loading model…')."""
        elapsed = format_duration(self.elapsed(now)) or "0:00"
        text = self.eta_text(now)
        if not text:
            return f"elapsed {elapsed}"
        return f"elapsed {elapsed} · {text}" if text in (LOADING_TEXT, STARTING_TEXT, UNKNOWN_TEXT) else f"elapsed {elapsed} · ETA {text}"


# -- a job row as the queue panel and `director queue list` show it ---------------------------------


def clock_for(job, now: float) -> JobClock:
    """A clock for a job read from the store, before (or without) any of its events: started where
    the store says it started, with the queue's estimate."""
    since = seconds_since(job.started_at)
    return JobClock(started=now - since if since is not None else None, estimate_s=job.estimate_gpu_s)


def job_elapsed(job, now: float, clock: JobClock | None = None, shown: float | None = None) -> float | None:
    """Elapsed seconds of a job row: a running job's clock; a finished job's stored start to finish
    (the worker's own wall time, which leaves out the start, only for rows without both), never
    less than `shown`, what its clock last showed; None for a waiting job."""
    state = getattr(job.state, "value", job.state)
    if state == "queued":
        return None
    if state == "running":
        return (clock or clock_for(job, now)).elapsed(now, shown)
    stored = stored_elapsed(job.started_at, job.finished_at)
    if stored is None:
        stored = job.wall_s
    known = [v for v in (stored, shown) if v is not None]
    return max(known) if known else None


def job_eta_text(job, now: float, clock: JobClock | None = None) -> str:
    """The ETA cell of a job row: a running job's clock (see JobClock.eta_text); a waiting job's
    estimate; nothing for a finished one."""
    state = getattr(job.state, "value", job.state)
    if state == "running":
        return (clock or clock_for(job, now)).eta_text(now)
    if state == "queued":
        return format_duration(job.estimate_gpu_s) if job.estimate_gpu_s is not None else UNKNOWN_TEXT
    return ""
