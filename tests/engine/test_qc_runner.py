"""Takes landed through the real worker get continuity QC, measured after their job is committed
and without holding the queue."""

from __future__ import annotations

import threading

from director.core import qc as rules
from director.core.enums import JobState
from director.engine import actions
from director.engine import qc_follow_up
from director.engine.runner import wait_for
from director.store import jobs as store_jobs
from director.store import qc as store_qc
from director.store.shots import find_shot
from director.store.takes import list_takes


def test_every_video_take_that_lands_gets_scores(runner):
    project = runner.project
    queued = actions.queue_generation(project, "12A", "tiny-t2v", variants=2, params={"steps": 2})
    runner.run_until_idle(job_ids=set(queued.job_ids))
    takes = list_takes(project, find_shot(project, "12A").id)
    assert len(takes) == 2
    for take in takes:
        qc = store_qc.get(project, take.id)
        assert qc is not None and qc.error is None, qc
        assert qc.frames == take.frames == 17 and len(qc.lab) == 17
        assert all(len(qc.curves[k]) == 17 for k in rules.FRAME_METRICS)
        assert qc.grade in (rules.GREEN, rules.AMBER, rules.RED)
        assert qc.cpu_s is not None and qc.cpu_s >= 0 and qc.wall_s > 0  # metered
        assert qc.grade == rules.grade(qc.scores, store_qc.thresholds(project))


def test_qc_never_holds_the_queue(runner, monkeypatch):
    """With QC stuck on the first take, both jobs still finish and commit their takes; the scores
    arrive at a later pump once it is released."""
    release = threading.Event()
    real = qc_follow_up.measure.analyse_file

    def slow(path, should_stop=None):
        release.wait(60)
        return real(path, should_stop)

    monkeypatch.setattr(qc_follow_up.measure, "analyse_file", slow)
    project = runner.project
    queued = actions.queue_generation(project, "12A", "tiny-t2v", all_cameras=True, variants=1, params={"steps": 2})
    wait_for(runner, set(queued.job_ids), 120)
    assert all(store_jobs.get_job(project, j).state is JobState.DONE for j in queued.job_ids)
    take_ids = [t.id for t in list_takes(project, find_shot(project, "12A").id)]
    assert len(take_ids) == 2 and all(store_qc.get(project, t) is None for t in take_ids)
    assert runner.qc.pending == 2
    release.set()
    changes = runner.qc.drain(60)
    assert set(take_ids) <= changes.takes
    assert all(store_qc.get(project, t).grade is not None for t in take_ids)


def test_a_take_whose_file_does_not_decode_is_kept_with_the_reason(project):
    from tests.engine import qc_clips

    take_id = qc_clips.add_video_take(project)  # a placeholder file, not a video
    follow = qc_follow_up.QcFollowUp(project)
    try:
        follow.submit([take_id])
        follow.drain(30)
    finally:
        follow.close()
    qc = store_qc.get(project, take_id)
    assert qc.grade is None and qc.grade_name == "failed" and "QC could not read" in qc.error
