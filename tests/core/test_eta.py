"""The one ETA model (core.eta): load phase, step rate, monotonic elapsed (issue #21, item 6)."""

from __future__ import annotations

from dataclasses import dataclass

from director.core.eta import LOADING_TEXT, JobClock, format_duration, job_elapsed, job_eta_text, stored_elapsed


def test_loading_reads_loading_model_never_zero():
    clock = JobClock()
    assert clock.phase == "waiting" and clock.elapsed(5.0) is None
    clock.start(10.0, loading=True)
    assert clock.phase == "loading"
    assert clock.eta_text(40.0) == LOADING_TEXT  # 30 s into a load: not 0:00
    assert clock.line(40.0) == "elapsed 0:30 · loading model…"


def test_loading_with_an_estimate_still_says_loading():
    clock = JobClock(estimate_s=20.0)
    clock.start(0.0, loading=True)
    assert clock.eta_text(60.0) == LOADING_TEXT  # past the estimate: the load is still what is happening


def test_step_rate_from_progress_events_counts_down_between_events():
    clock = JobClock()
    clock.start(0.0, loading=True)
    clock.progress(30.0, 1, 11)  # the first step came after a 30 s load: that wait is not the rate
    assert clock.seconds_per_step() is None
    clock.progress(32.0, 2, 11)
    clock.progress(34.0, 3, 11)
    assert clock.seconds_per_step() == 2.0
    assert clock.eta(34.0) == 16.0  # 8 steps left at 2 s
    assert clock.eta(37.0) == 13.0  # counted down between events
    assert clock.eta(100.0) == 0.0  # never negative
    assert clock.eta_text(34.0) == "0:16"
    assert clock.line(34.0) == "elapsed 0:34 · ETA 0:16"


def test_before_a_rate_the_estimate_less_time_spent():
    clock = JobClock(estimate_s=50.0)
    clock.start(0.0, loading=False)
    assert clock.phase == "starting"
    assert clock.eta_text(20.0) == "0:30"
    assert JobClock().eta_text(1.0) == "—"


def test_elapsed_never_goes_backwards():
    clock = JobClock()
    clock.start(100.0)
    assert clock.elapsed(160.0) == 60.0
    assert clock.elapsed(150.0) == 60.0  # an earlier reading (a stale tick) never lowers it
    clock.finish(170.0)
    assert clock.elapsed(500.0) == 70.0  # stops at the finish
    assert clock.elapsed(500.0, floor=65.0) == 70.0
    assert clock.elapsed(500.0, floor=90.0) == 90.0


@dataclass
class Row:
    state: str
    started_at: str | None = None
    finished_at: str | None = None
    wall_s: float | None = None
    estimate_gpu_s: float | None = None


def test_a_finished_row_uses_its_stored_start_and_finish_not_the_shorter_worker_wall_time():
    row = Row("done", "2026-01-01T10:00:00+00:00", "2026-01-01T10:01:40+00:00", wall_s=61.0)
    assert stored_elapsed(row.started_at, row.finished_at) == 100.0
    assert job_elapsed(row, 0.0) == 100.0  # the running row counted from started_at: 1:40, not 1:01
    assert job_elapsed(row, 0.0, shown=104.0) == 104.0  # what the clock last showed wins
    assert job_elapsed(Row("done", wall_s=61.0), 0.0) == 61.0  # old rows without timestamps
    assert job_eta_text(row, 0.0) == ""


def test_waiting_rows_show_the_estimate():
    assert job_eta_text(Row("queued", estimate_gpu_s=125.0), 0.0) == "2:05"
    assert job_eta_text(Row("queued"), 0.0) == "—"
    assert job_elapsed(Row("queued"), 0.0) is None


def test_format_duration_reads_like_a_clock():
    assert format_duration(5) == "0:05"
    assert format_duration(3725) == "1:02:05"
    assert format_duration(None) == ""
