"""Queueing respects budgets: an estimate from history, and a hard cap that refuses with figures."""

from __future__ import annotations

import json

import pytest

from director.cli import main
from director.core.enums import JobState
from director.core.errors import Refused
from director.core.prompt import PromptFields
from director.engine import actions
from director.store import Project, jobs, prompts, shots


def _history(project, shot_id, gpu_s=40.0):
    """One finished tiny-t2v job at the preset's defaults: what the estimate learns from."""
    job_id, _ = jobs.create_job(project, shot_id=shot_id, camera_id=None, prompt_id=None, preset="tiny-t2v",
                                params={"steps": 4, "frames": 17, "width": 96, "height": 64}, seeds=[1])
    jobs.mark_running(project, job_id)
    jobs.finish_job(project, job_id, JobState.DONE, {"gpu_s": gpu_s, "wall_s": gpu_s})
    return job_id


@pytest.fixture
def film(tmp_path):
    p = Project.create(tmp_path / "film", gpu_price_per_hour="36")  # 1 cent per GPU second
    shot, _ = shots.add_shot(p, "1A")
    prompts.write_prompt(p, shot.id, PromptFields(subject="a lighthouse"))
    yield p, shot
    p.close()


def test_a_queued_job_carries_its_estimate_from_history(film):
    project, shot = film
    _history(project, shot.id, gpu_s=40.0)
    queued = actions.queue_generation(project, "1A", "tiny-t2v", variants=2, params={"steps": 4, "frames": 17, "width": 96, "height": 64})
    job = jobs.get_job(project, queued.job_ids[0])
    assert job.estimate_gpu_s == pytest.approx(80.0)  # two variants of a 40 s job


def test_a_hard_shot_budget_refuses_the_whole_request_with_the_figures(film):
    project, shot = film
    _history(project, shot.id, gpu_s=40.0)  # 0.40 spent
    shots.update_shot(project, shot.id, budget_money="1.00")
    before = project.db["jobs"].count
    with pytest.raises(Refused) as info:
        actions.queue_generation(project, "1A", "tiny-t2v", all_cameras=True, variants=2, params={"steps": 4, "frames": 17, "width": 96, "height": 64})
    text = str(info.value)
    assert "1A" in text and "director shot set" in text and "--budget" in text
    assert project.db["jobs"].count == before  # nothing half-queued
    actions.queue_generation(project, "1A", "tiny-t2v", variants=1, params={"steps": 4, "frames": 17, "width": 96, "height": 64})
    assert project.db["jobs"].count == before + 1  # 0.40 + 0.40 fits under 1.00


def test_dry_run_prints_the_estimate_and_exits_1_when_a_cap_would_refuse(film, capsys):
    project, shot = film
    _history(project, shot.id, gpu_s=40.0)
    path = project.path
    project.close()
    assert main(["generate", str(path), "--shot", "1A", "--preset", "tiny-t2v", "--variants", "2", "--dry-run", "--json"]) == 0
    request = json.loads(capsys.readouterr().out)
    assert request["estimate"]["gpu_s"] == pytest.approx(80.0) and request["estimate"]["basis_jobs"] == 1
    assert main(["shot", "set", str(path), "1A", "--budget", "0.50"]) == 0
    capsys.readouterr()
    assert main(["generate", str(path), "--shot", "1A", "--preset", "tiny-t2v", "--variants", "2", "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "≈ 80.0 GPU s" in out and "budget" in out
    with Project.open(path) as again:
        assert again.db["jobs"].count == 1
