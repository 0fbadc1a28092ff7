"""A sweep: one request, a grid of jobs on the right axes, priced whole before anything is queued."""

from __future__ import annotations

import json

import pytest

from director.cli import main
from director.store import jobs as store_jobs
from director.store.budget import estimate_job
from director.store.project import Project


@pytest.fixture
def film(shot_project):
    path = shot_project.path
    shot_project.close()
    return str(path)


def test_a_2x2x2_sweep_queues_8_jobs_on_the_right_axes_seed_major(film, capsys):
    argv = ["sweep", film, "--shot", "12A", "--presets", "tiny-t2i,tiny-t2v", "--seeds", "1", "--seeds", "2", "--steps", "2,3", "--frames", "9", "--no-wait", "--json"]
    assert main(argv) == 0
    ids = json.loads(capsys.readouterr().out)["queued"]
    assert len(ids) == 8
    with Project.open(film, readonly=True) as p:
        cells = [store_jobs.get_job(p, i) for i in ids]
        axes = [(j.seeds[0], j.preset, j.params["steps"]) for j in cells]
        assert sorted(axes) == sorted((s, pr, st) for s in (1, 2) for pr in ("tiny-t2i", "tiny-t2v") for st in (2, 3))
        assert [a[0] for a in axes] == [1, 1, 1, 1, 2, 2, 2, 2]  # every cell's first result before any second seed
        assert all(j.params["sweep"]["seed"] == j.seeds[0] for j in cells)
        recipes = [store_jobs.job_recipe(p, i) for i in ids]
        assert {r.params["steps"] for r in recipes} == {2, 3} and all(r.seeds == (c.seeds[0],) for r, c in zip(recipes, cells))


def test_the_dry_run_price_is_the_sum_of_the_cells_and_queues_nothing(film, capsys):
    # One job of each preset first, so both have a history to price from.
    for preset in ("tiny-t2i", "tiny-t2v"):
        assert main(["generate", film, "--shot", "12A", "--preset", preset, "--steps", "2", "--seed", "5", "--json"] + (["--frames", "9"] if preset == "tiny-t2v" else [])) == 0
    capsys.readouterr()
    assert main(["sweep", film, "--shot", "12A", "--presets", "tiny-t2i,tiny-t2v", "--seeds", "1,2", "--steps", "2,3", "--frames", "9", "--dry-run", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    with Project.open(film, readonly=True) as p:
        from director.engine.presets import get_preset, validate_params

        total = 0.0
        for preset in ("tiny-t2i", "tiny-t2v"):
            for steps in (2, 3):
                params = validate_params(get_preset(preset), {"steps": steps, **({"frames": 9} if preset == "tiny-t2v" else {})})
                total += 2 * estimate_job(p, preset, params, 1).gpu_s
        queued = [j for j in store_jobs.list_jobs(p) if j.state.value == "queued"]
    assert plan["cells"] == 8 and plan["gpu_s"] == pytest.approx(total)
    assert plan["axes"]["steps"] == [2, 3] and plan["axes"]["preset"] == ["tiny-t2i", "tiny-t2v"]
    assert queued == []


def test_a_value_given_twice_is_refused_not_dropped(film, capsys):
    assert main(["sweep", film, "--shot", "12A", "--presets", "tiny-t2i", "--seeds", "1,2", "--seeds", "2", "--dry-run"]) == 1
    assert "the seed 2 is given twice" in capsys.readouterr().err
    assert main(["sweep", film, "--shot", "12A", "--presets", "tiny-t2i", "--steps", "2", "--guidance", "3", "--dry-run"]) == 1
    assert "one numeric parameter" in capsys.readouterr().err


def test_csv_prompts_are_sent_as_written_and_the_shot_prompt_is_untouched(film, tmp_path, capsys):
    csv = tmp_path / "prompts.csv"
    csv.write_text("prompt\na lighthouse keeper at dawn\n\"a storm, seen from the lamp room\"\n", encoding="utf-8")
    assert main(["sweep", film, "--shot", "12A", "--presets", "tiny-t2i", "--seeds", "3", "--csv", str(csv), "--camera", "B", "--no-wait", "--json"]) == 0
    ids = json.loads(capsys.readouterr().out)["queued"]
    with Project.open(film, readonly=True) as p:
        texts = [store_jobs.job_recipe(p, i).prompt for i in ids]
        from director.store.prompts import prompt_history
        from director.store.shots import find_shot

        versions = prompt_history(p, find_shot(p, "12A").id)
    assert texts == ["a lighthouse keeper at dawn, close-up, 85mm", "a storm, seen from the lamp room, close-up, 85mm"]
    assert len(versions) == 1


def test_a_sweep_runs_through_the_worker(film, capsys):
    assert main(["sweep", film, "--shot", "12A", "--presets", "tiny-t2i", "--seeds", "1,2", "--steps", "2", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert [r["state"] for r in results] == ["done", "done"] and all(len(r["takes"]) == 1 for r in results)
