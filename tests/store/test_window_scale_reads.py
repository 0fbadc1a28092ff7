"""The store reads the window uses at a feature film's scale (issue #24) answer exactly what the
reads they stand in for answer: the ledger by day and over time summed in SQL, the queue's newest
finished jobs read from the top, a Resolver that reads one shot at a time, and a read snapshot."""

from __future__ import annotations

import threading
import time

import pytest

from director.core.cost import group_rows
from director.core.enums import JobState
from director.core.timeline import Clip
from director.store import cost_series, expenses, jobs, ledger, queue_reads, shots, takes, timelog
from director.store import timeline as st
from director.store.project import Project
from director.store.shot_resolver import ShotResolver
from director.store.snapshot import snapshot

from tests.store.test_chosen_take_and_spend import _take


@pytest.fixture
def days(project):
    """Jobs, expenses (one in EUR) and human time on stamps either side of midnight in several zones."""
    a, _ = shots.add_shot(project, "10", "jump")
    b, _ = shots.add_shot(project, "20", "fall")
    for n, (shot, stamp) in enumerate(((a, "2025-03-01T23:30:00.000+00:00"), (b, "2025-03-02T00:30:00.000+00:00"),
                                       (a, "2025-03-02T04:10:00.000+00:00"), (b, "2025-03-02T19:00:00.000+00:00"))):
        take_id = _take(project, shot.id, "A", gpu_s=100.0 * (n + 1), seed=n)
        with project.atomic() as db:  # the job finished on another day, in another hour
            db["jobs"].update(takes.get_take(project, take_id).job_id, {"finished_at": stamp})
    expenses.add_expense(project, a.id, "12.50", note="permit")
    expenses.add_expense(project, None, "3", note="coffee")
    expenses.add_expense(project, b.id, "9", currency="EUR")
    timelog.log_time(project, a.id, 600, started_at="2025-03-01T22:00:00.000+00:00")
    timelog.log_time(project, None, 60, started_at="2025-03-02T12:00:00.000+00:00")
    return project


@pytest.fixture(params=["UTC", "America/New_York", "Asia/Kolkata"])
def zone(request, monkeypatch):
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def test_the_ledger_by_day_in_sql_equals_grouping_every_row(days, zone):
    expected = group_rows(ledger.cost_rows(days), timelog.time_rows(days), "day", days.settings().currency)
    got = cost_series.grouped_by_day(days)
    assert [g.key for g in got] == [g.key for g in expected] == [g.key for g in ledger.grouped(days, "day")]
    for g, e in zip(got, expected):
        assert (g.jobs, g.job_micros, g.expense_micros) == (e.jobs, e.job_micros, e.expense_micros), g.key
        assert g.gpu_s == pytest.approx(e.gpu_s) and g.wall_s == pytest.approx(e.wall_s) and g.human_s == pytest.approx(e.human_s)


def test_spend_over_time_climbs_to_the_projects_money_in_its_currency(days):
    points = cost_series.spend_over_time(days)
    assert points and points[-1].cumulative_micros == ledger.totals(days).money_micros  # the EUR expense stays apart
    assert [p.cumulative_micros for p in points] == sorted(p.cumulative_micros for p in points)
    assert [p.when for p in points] == sorted(p.when for p in points)
    everything = sorted(ledger.cost_rows(days), key=lambda r: r.when)
    assert len(points) <= len(everything)  # summed per hour, never one point per job


def test_the_newest_finished_jobs_are_what_list_jobs_says(project):
    shot, _ = shots.add_shot(project, "1")
    made = [jobs.create_job(project, shot_id=shot.id, camera_id=None, prompt_id=None, preset="tiny-t2i", params={}, seeds=[i])[0] for i in range(12)]
    for n, job_id in enumerate(made[:10]):
        jobs.mark_running(project, job_id)
        jobs.finish_job(project, job_id, (JobState.DONE, JobState.FAILED, JobState.CANCELLED)[n % 3], {"gpu_s": 1.0})
    finished = (JobState.DONE, JobState.FAILED, JobState.CANCELLED)
    for limit in (3, 10, 50):
        expected = jobs.list_jobs(project, states=finished, limit=limit)
        assert queue_reads.finished_jobs(project, limit) == expected
        assert queue_reads.finished_job_ids(project, limit) == [j.id for j in expected]
    assert queue_reads.jobs_by_id(project, [made[0], made[11], 9999]) == {j: jobs.get_job(project, j) for j in (made[0], made[11])}


def test_the_shot_resolver_resolves_every_clip_as_the_resolver_does(project):
    a, _ = shots.add_shot(project, "1", cameras=("A", "B"))
    b, _ = shots.add_shot(project, "2", cameras=("A",))
    _take(project, a.id, "A", gpu_s=1.0, seed=1)
    _take(project, a.id, "B", gpu_s=1.0, seed=2)
    _take(project, b.id, "A", gpu_s=1.0, seed=3)
    shots.update_shot(project, b.id, status="locked")
    st.insert_shot(project, a.id, duration=24).apply(project)
    st.insert_shot(project, b.id, duration=24).apply(project)
    whole, lazy = st.Resolver(project), ShotResolver(project)
    for track in st.load_timeline(project).tracks:
        for clip in track.items:
            if not isinstance(clip, Clip):
                continue
            assert lazy.cameras(clip.shot_id) == whole.cameras(clip.shot_id)
            assert (lazy.shot_code(clip.shot_id), lazy.locked(clip.shot_id)) == (whole.shot_code(clip.shot_id), whole.locked(clip.shot_id))
            for cam in whole.cameras(clip.shot_id):
                assert lazy(clip, cam["id"]) == whole(clip, cam["id"])
                assert lazy.take_row(clip, cam["id"]) == whole.take_row(clip, cam["id"])
    assert lazy.shot_code(9999) == whole.shot_code(9999) == "?"
    size = project.settings()
    lazy_cut = st.tl.flatten(st.load_timeline(project), ShotResolver(project), size.width, size.height)
    assert lazy_cut == st.build_cut(project)


def test_a_read_snapshot_sees_one_state_while_the_writer_commits(project):
    shot, _ = shots.add_shot(project, "1")
    reader = Project.open(project.path, readonly=True)
    try:
        with snapshot(reader):
            before = ledger.totals(reader).expense_micros
            done = threading.Event()
            threading.Thread(target=lambda: (expenses.add_expense(project, shot.id, "5"), done.set())).start()
            assert done.wait(10)
            assert ledger.totals(reader).expense_micros == before  # the same snapshot
        assert ledger.totals(reader).expense_micros == before + 5_000_000  # the next read sees the write
    finally:
        reader.close()
