"""Every reader asks the same rule: which take a shot shows, and what a shot has cost."""

from __future__ import annotations

import time
from decimal import Decimal

from director.core.enums import JobState
from director.store import cameras, choice, expenses, jobs, ledger, shots, takes, timeline


def _take(project, shot_id, camera, *, rating=0, flag="none", seed=1, gpu_s=36.0) -> int:
    camera_id = cameras.find_camera(project, shot_id, camera).id
    job_id, _ = jobs.create_job(project, shot_id=shot_id, camera_id=camera_id, prompt_id=None, preset="tiny-t2v", params={"steps": 4}, seeds=[seed])
    jobs.mark_running(project, job_id, device="cpu")
    jobs.finish_job(project, job_id, JobState.DONE, {"gpu_s": gpu_s, "wall_s": gpu_s, "load_s": 0.0})
    media = project.media.put_bytes(f"take {seed}".encode(), "mp4")
    time.sleep(0.002)  # distinct created_at: 'newest' must mean something
    return takes.insert_take(
        project, job_id,
        {"seed": seed, "variant": 0, "kind": "video", "media_path": media, "width": 96, "height": 64, "frames": 17, "fps_num": 24, "fps_den": 1, "rating": rating, "flag": flag},
    )


def test_an_older_five_star_take_beats_a_newer_one_star_take_everywhere(project):
    shot, _ = shots.add_shot(project, "1A", "rooftop")
    five = _take(project, shot.id, "A", rating=5, seed=1)
    one = _take(project, shot.id, "A", rating=1, seed=2)
    assert one > five
    assert choice.chosen_take(project, shot.id) == five
    assert choice.chosen_takes(project)[shot.id] == five
    # The timeline shows the same take when the shot is placed without naming one.
    timeline.insert_shot(project, shot.id).apply(project)
    cut = timeline.build_cut(project)
    assert {s.take_id for s in cut.segments if s.take_id} == {five}


def test_selected_beats_rating_and_rejected_or_binned_takes_are_never_chosen(project):
    shot, _ = shots.add_shot(project, "2", "alley")
    best = _take(project, shot.id, "A", rating=5, seed=1)
    picked = _take(project, shot.id, "A", rating=2, flag="selected", seed=2)
    assert choice.chosen_take(project, shot.id) == picked
    takes.set_take_fields(project, picked, flag="rejected")
    assert choice.chosen_take(project, shot.id) == best
    takes.set_take_deleted(project, best, True)
    assert choice.chosen_take(project, shot.id) is None


def test_each_camera_has_its_own_choice(project):
    shot, _ = shots.add_shot(project, "3", "door")
    cameras.add_camera(project, shot.id, "B")
    a = _take(project, shot.id, "A", rating=3, seed=1)
    b = _take(project, shot.id, "B", rating=4, seed=2)
    cam_a = cameras.find_camera(project, shot.id, "A").id
    cam_b = cameras.find_camera(project, shot.id, "B").id
    assert choice.chosen_take(project, shot.id, cam_a) == a
    assert choice.chosen_take(project, shot.id, cam_b) == b
    assert choice.chosen_take(project, shot.id) == b


def test_spend_per_shot_counts_expenses_and_leaves_other_currencies_apart(project):
    shot, _ = shots.add_shot(project, "4", "stairs")
    other, _ = shots.add_shot(project, "5", "roof")
    _take(project, shot.id, "A", gpu_s=3600.0)  # one GPU hour at 2.50
    expenses.add_expense(project, shot.id, "12.50", note="location permit")
    expenses.add_expense(project, shot.id, "99", currency="EUR", note="a different currency")
    spent = ledger.spend_by_shot(project)
    assert spent[shot.id] == Decimal("15.00")
    assert other.id not in spent
    assert ledger.spend_by_shot(project, [other.id]) == {}
    # The ledger's own per-shot report says the same.
    report = ledger.cost_rows(project, shot.id)
    in_currency = sum((r.money for r in report if r.currency == "USD"), Decimal(0))
    assert in_currency == spent[shot.id]


def test_a_jobs_takes_and_its_finish_commit_together_or_not_at_all(project):
    from director.core.errors import NotFound
    from director.core.recipe import RunFacts
    from director.store.rows import scalar

    shot, _ = shots.add_shot(project, "6", "pier")
    camera_id = cameras.find_camera(project, shot.id, "A").id
    job_id, _ = jobs.create_job(project, shot_id=shot.id, camera_id=camera_id, prompt_id=None, preset="tiny-t2v", params={}, seeds=[1, 2])
    jobs.mark_running(project, job_id, device="cpu")
    good = {"seed": 1, "variant": 0, "kind": "video", "media_path": project.media.put_bytes(b"one", "mp4"), "width": 96, "height": 64, "frames": 17, "fps_num": 24, "fps_den": 1}
    lost = dict(good, seed=2, variant=1, media_path="ab/cdef0000.mp4")  # its file never reached the store
    try:
        jobs.complete_job(project, job_id, {"gpu_s": 10.0}, [good, lost])
    except NotFound:
        pass
    assert scalar(project.db, "SELECT count(*) FROM takes WHERE job_id = ?", [job_id]) == 0
    assert jobs.get_job(project, job_id).state.value == "running"
    take_ids, changes = jobs.complete_job(project, job_id, {"gpu_s": 10.0}, [good], run_facts=RunFacts(device="cpu"))
    assert len(take_ids) == 1 and set(changes.takes) == set(take_ids)
    job = jobs.get_job(project, job_id)
    assert job.state.value == "done" and jobs.job_recipe(project, job_id) is None  # no recipe was queued with it
