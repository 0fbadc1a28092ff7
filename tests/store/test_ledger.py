"""The cost ledger read through the real store: jobs are created, run and finished with meter dicts."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from director.core.cost import group_rows
from director.core.enums import JobState
from director.core.errors import InvalidInput, NotFound, Refused
from director.core.prompt import PromptFields
from director.store import budget, cameras, expenses, jobs, ledger, prompts, scenes, shots, takes, timelog
from director.store.project import Project

PARAMS = {"steps": 8, "frames": 9, "width": 64, "height": 64}


@pytest.fixture
def project(tmp_path):
    p = Project.create(tmp_path / "film.director", currency="USD", gpu_price_per_hour="3.60")
    scene, _ = scenes.add_scene(p, "1", "Lighthouse")
    shot_a, _ = shots.add_shot(p, "1A", scene_id=scene.id, target_frames=48)
    shot_b, _ = shots.add_shot(p, "1B", target_frames=24)
    prompts.write_prompt(p, shot_a.id, PromptFields(subject="a keeper"))
    cameras.add_camera(p, shot_a.id, "B")
    yield p
    p.close()


def shot_id(project, code):
    return shots.find_shot(project, code).id


def run_job(project, code, gpu_s, *, camera="A", preset="tiny-t2v", params=PARAMS, seeds=(1,), energy_wh=None, state=JobState.DONE, flags=(), estimate_gpu_s=None):
    """A job through the real queue: create, mark running, finish with a meter; one take per flag."""
    sid = shot_id(project, code)
    cam = cameras.find_camera(project, sid, camera)
    prompt = prompts.current_prompt(project, sid)
    job_id, _ = jobs.create_job(
        project, shot_id=sid, camera_id=cam.id, prompt_id=prompt.id if prompt else None, preset=preset,
        params=dict(params), seeds=list(seeds), estimate_gpu_s=estimate_gpu_s,
    )
    jobs.mark_running(project, job_id, device="cpu")
    for i, flag in enumerate(flags):
        rel = project.media.put_bytes(f"job {job_id} take {i}".encode(), "png")
        take_id = takes.insert_take(project, job_id, {"seed": i, "variant": i, "kind": "image", "media_path": rel, "width": 64, "height": 64})
        if flag != "none":
            takes.set_take_fields(project, take_id, flag=flag)
    meter = {"gpu_s": gpu_s, "wall_s": gpu_s + 1, "load_s": 0.5, "peak_mem_bytes": 1_000}
    if energy_wh is not None:
        meter["energy_wh"] = energy_wh
    jobs.finish_job(project, job_id, state, meter)
    return job_id


def test_money_is_gpu_hours_times_price_plus_energy_to_the_cent(project):
    project.update_settings(energy_price_per_kwh="0.30")
    job_id = run_job(project, "1A", 1800.0, energy_wh=500.0)  # 0.5 h × 3.60 + 0.5 kWh × 0.30
    assert jobs.get_job(project, job_id).money == Decimal("1.95")
    [row] = ledger.cost_rows(project)
    assert row.money == Decimal("1.95") and row.gpu_price_per_hour == "3.60" and row.energy_price_per_kwh == "0.30"


def test_a_later_price_change_does_not_rewrite_history(project):
    first = run_job(project, "1A", 3600.0)
    project.update_settings(gpu_price_per_hour="10.00")
    second = run_job(project, "1A", 3600.0)
    assert jobs.get_job(project, first).money == Decimal("3.60")
    assert jobs.get_job(project, second).money == Decimal("10.00")
    assert ledger.totals(project).money == Decimal("13.60")
    assert [r.gpu_price_per_hour for r in ledger.cost_rows(project)] == ["3.60", "10.00"]


def test_many_small_jobs_sum_exactly_in_micro_units(project):
    for _ in range(7):
        run_job(project, "1A", 0.1)  # 0.1 s at 3.60/h = 0.0001 each
    assert ledger.totals(project).money == Decimal("0.0007")
    assert sum(r.money for r in ledger.cost_rows(project)) == Decimal("0.0007")


def test_failed_and_cancelled_jobs_still_cost_their_gpu_time(project):
    run_job(project, "1A", 360.0, state=JobState.FAILED)
    run_job(project, "1A", 360.0, state=JobState.CANCELLED)
    assert ledger.totals(project).money == Decimal("0.72")


def test_expenses_are_listed_and_included_in_totals(project):
    run_job(project, "1A", 3600.0)
    expenses.add_expense(project, shot_id(project, "1A"), "12.50", note="cloud upscale")
    expenses.add_expense(project, None, "40", note="music licence")
    assert [e.amount for e in expenses.list_expenses(project)] == [Decimal("12.50"), Decimal("40")]
    assert [e.note for e in expenses.list_expenses(project, shot_id(project, "1A"))] == ["cloud upscale"]
    t = ledger.totals(project)
    assert (t.job_micros, t.expense_micros, t.money) == (3_600_000, 52_500_000, Decimal("56.10"))


def test_an_expense_must_be_a_positive_amount(project):
    for bad in ("0", "-3", "abc", "NaN"):
        with pytest.raises(InvalidInput):
            expenses.add_expense(project, None, bad)


def test_expense_in_another_currency_is_kept_apart(project):
    expenses.add_expense(project, None, "10", currency="eur")
    t = ledger.totals(project)
    assert t.money == 0 and t.other == {"EUR": 10_000_000}


def test_deleting_an_expense(project):
    expense_id, changes = expenses.add_expense(project, None, "5")
    assert changes.costs
    expenses.delete_expense(project, expense_id)
    assert expenses.list_expenses(project) == []
    with pytest.raises(NotFound):
        expenses.delete_expense(project, expense_id)


def test_time_entries_can_be_corrected_and_deleted(project):
    entry, _ = timelog.log_time(project, shot_id(project, "1A"), 600, note="blocking")
    changes = timelog.edit_time_entry(project, entry, seconds=900, note="blocking and lookdev", shot_id=shot_id(project, "1B"))
    assert changes.time_log and changes.costs
    [row] = timelog.time_rows(project)
    assert (row.seconds, row.note, row.shot) == (900, "blocking and lookdev", "1B")
    timelog.edit_time_entry(project, entry, shot_id=None)
    assert timelog.time_rows(project)[0].shot == ""
    with pytest.raises(InvalidInput):
        timelog.edit_time_entry(project, entry, seconds=0)
    timelog.delete_time_entry(project, entry)
    assert ledger.totals(project).human_s == 0


def test_rows_reconcile_with_totals_in_every_grouping(project):
    project.update_settings(energy_price_per_kwh="0.25")
    run_job(project, "1A", 123.456, energy_wh=7.7)
    run_job(project, "1A", 99.9, camera="B", preset="tiny-t2i")
    project.update_settings(gpu_price_per_hour="2.99")
    run_job(project, "1B", 1000.0)
    expenses.add_expense(project, shot_id(project, "1B"), "3.33")
    expenses.add_expense(project, None, "1.01")
    timelog.log_time(project, shot_id(project, "1A"), 300)
    timelog.log_time(project, None, 60, source="auto")
    t = ledger.totals(project)
    cost, time = ledger.cost_rows(project), timelog.time_rows(project)
    assert sum(r.money_micros for r in cost) == t.money_micros
    for by in ("shot", "scene", "camera", "preset", "day"):
        groups = group_rows(cost, time, by, t.currency)
        assert sum(g.money_micros for g in groups) == t.money_micros, by
        assert sum(g.jobs for g in groups) == t.jobs == 3
        assert sum(g.gpu_s for g in groups) == pytest.approx(t.gpu_s)
        assert sum(g.human_s for g in groups) == pytest.approx(t.human_s) == 360
    by_shot = {g.key: g for g in group_rows(cost, time, "shot", t.currency)}
    assert by_shot["1B"].expense_micros == 3_330_000 and by_shot["—"].expense_micros == 1_010_000


def test_estimate_needs_history_of_the_same_preset(project):
    est = budget.estimate_job(project, "tiny-t2v", PARAMS, 2)
    assert not est.known and "no history yet" in est.describe()


def test_estimate_scales_seconds_per_step_by_steps_variants_frames_and_pixels(project):
    run_job(project, "1A", 10.0, seeds=(1, 2))  # 8 steps × 9 frames × 64² × 2 variants
    run_job(project, "1A", 99.0, preset="other")
    bigger = {"steps": 16, "frames": 9, "width": 128, "height": 64}
    est = budget.estimate_job(project, "tiny-t2v", bigger, 4)  # ×2 steps ×2 pixels ×2 variants
    assert est.gpu_s == pytest.approx(80.0)
    assert est.money == Decimal("0.08") and est.basis == 1


def test_guard_job_returns_the_estimate_when_there_is_no_cap(project):
    run_job(project, "1A", 10.0)
    est = budget.guard_job(project, shot_id(project, "1A"), "tiny-t2v", PARAMS, 3)
    assert est.gpu_s == pytest.approx(30.0)


def test_budget_refusal_exactly_at_the_boundary(project):
    sid = shot_id(project, "1A")
    run_job(project, "1A", 1000.0)  # 1.00 USD spent; one variant of PARAMS ≈ 1000 s ≈ 1.00 USD
    shots.update_shot(project, sid, budget_money="2.00")
    est = budget.guard_job(project, sid, "tiny-t2v", PARAMS, 1)  # 1.00 + 1.00 = 2.00: reaching the cap is allowed
    assert est.money == Decimal("1.00")
    assert budget.check_budget(project, sid, est).level == "warn"
    shots.update_shot(project, sid, budget_money="1.999999")
    with pytest.raises(Refused) as refused:
        budget.guard_job(project, sid, "tiny-t2v", PARAMS, 1)
    message = str(refused.value)
    assert "shot 1A money budget would be passed" in message
    assert "spent 1.00 USD" in message and "this job ≈ 1.00 USD" in message and "= 2.00 USD" in message
    assert f"director shot set {project.path.name} 1A --budget 2" in message


def test_warning_starts_at_eighty_percent(project):
    sid = shot_id(project, "1A")
    run_job(project, "1A", 1000.0)
    shots.update_shot(project, sid, budget_money="2.50")  # 2.00 of 2.50 = 80 %
    assert budget.check_budget(project, sid, budget.estimate_job(project, "tiny-t2v", PARAMS, 1)).level == "warn"
    shots.update_shot(project, sid, budget_money="2.51")
    assert budget.check_budget(project, sid, budget.estimate_job(project, "tiny-t2v", PARAMS, 1)).level == "ok"


def test_queued_jobs_count_against_the_cap(project):
    sid = shot_id(project, "1A")
    run_job(project, "1A", 1000.0)
    project.update_settings(budget_gpu_s=3000.0)
    for _ in range(2):  # 1000 spent + 1000 queued + 1000 this job = 3000: the cap, allowed
        est = budget.guard_job(project, sid, "tiny-t2v", PARAMS, 1)
        jobs.create_job(project, shot_id=sid, camera_id=None, prompt_id=None, preset="tiny-t2v", params=PARAMS, seeds=[5], estimate_gpu_s=est.gpu_s)
    with pytest.raises(Refused) as refused:
        budget.guard_job(project, sid, "tiny-t2v", PARAMS, 1)
    message = str(refused.value)
    assert "project GPU-time budget would be passed" in message and "queued 33.3 GPU min" in message
    assert f"director settings {project.path.name} --budget-gpu-minutes 67" in message


def test_with_no_history_a_spent_cap_still_refuses(project):
    sid = shot_id(project, "1A")
    run_job(project, "1A", 1000.0, preset="other")
    shots.update_shot(project, sid, budget_money="1.00")
    with pytest.raises(Refused, match="this job unknown"):
        budget.guard_job(project, sid, "tiny-t2v", PARAMS, 1)
    shots.update_shot(project, sid, budget_money="1.01")
    assert not budget.guard_job(project, sid, "tiny-t2v", PARAMS, 1).known


def test_estimate_error_is_recorded_when_the_job_finishes(project):
    run_job(project, "1A", 10.0)
    est = budget.estimate_job(project, "tiny-t2v", PARAMS, 1)
    job_id = run_job(project, "1A", 12.5, estimate_gpu_s=est.gpu_s)
    row = next(r for r in ledger.cost_rows(project) if r.id == job_id)
    assert row.estimate_gpu_s == pytest.approx(10.0)
    assert row.estimate_error == pytest.approx(0.25)


def test_forecast_prices_remaining_shots_at_the_chosen_variants(project):
    run_job(project, "1A", 10.0)
    shots.update_shot(project, shot_id(project, "1B"), status="approved")
    [f] = budget.forecast(project, 4)
    assert (f.shot, f.cameras) == ("1A", 2)
    assert f.estimate.gpu_s == pytest.approx(80.0)  # 2 cameras × 4 variants × 10 s


def test_yield_counts_takes_per_selected_and_money_on_rejected_takes(project):
    # 3 takes share 1.00 USD: shares 0.333334, 0.333333, 0.333333
    run_job(project, "1A", 1000.0, seeds=(1, 2, 3), flags=("rejected", "selected", "none"))
    run_job(project, "1A", 1000.0, seeds=(4, 5), flags=("rejected", "rejected"))
    run_job(project, "1B", 500.0, flags=("selected",))
    shots.update_shot(project, shot_id(project, "1A"), status="approved")  # 48 frames at 24 = 2 s
    by_shot = {y.scope: y for y in ledger.shot_yields(project)}
    a = by_shot["1A"]
    assert (a.takes, a.selected, a.rejected) == (5, 1, 3)
    assert a.takes_per_selected == 5.0
    assert a.rejected_money == Decimal("1.333334")
    assert a.approved_s == Fraction(2)
    assert a.money_per_approved_s == Decimal("1.00")
    assert a.gpu_min_per_approved_s == pytest.approx(2000 / 60 / 2)
    assert by_shot["1B"].money_per_approved_s is None
    whole = ledger.project_yield(project)
    assert (whole.takes, whole.selected, whole.money) == (6, 2, Decimal("2.50"))
    assert whole.rejected_micros == a.rejected_micros
    assert whole.money_per_approved_s == Decimal("1.25")
