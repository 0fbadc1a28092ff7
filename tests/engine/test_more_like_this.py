"""More like this: neighbouring seeds of a liked take, recorded as its children, from its recorded recipe."""

from __future__ import annotations

import json

import pytest

from director.cli import main
from director.engine.variations import neighbouring_seeds
from director.store import jobs as store_jobs
from director.store.project import Project
from director.store.takes import get_take, takes_of_job


@pytest.fixture
def film(shot_project):
    path = shot_project.path
    shot_project.close()
    return str(path)


def test_neighbouring_seeds_never_repeat_the_parent_or_go_negative():
    assert neighbouring_seeds(10, 4) == [11, 9, 12, 8]
    assert neighbouring_seeds(0, 3) == [1, 2, 3]


def test_more_like_this_records_lineage_and_new_seeds(film, capsys):
    assert main(["generate", film, "--shot", "12A", "--camera", "B", "--preset", "tiny-t2i", "--seed", "40", "--steps", "2", "--json"]) == 0
    parent = json.loads(capsys.readouterr().out)[0]["takes"][0]["id"]
    assert main(["take", "more", film, str(parent), "--variants", "3", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert [r["state"] for r in results] == ["done"]
    with Project.open(film, readonly=True) as p:
        children = takes_of_job(p, results[0]["job"])
        assert sorted(t.seed for t in children) == [39, 41, 42] and 40 not in {t.seed for t in children}
        assert all(t.parent_take_id == parent for t in children)
        recipe = store_jobs.job_recipe(p, results[0]["job"])
        assert recipe.prompt == store_jobs.take_recipe(p, parent).prompt  # the recorded text, replayed
        assert get_take(p, parent).seed == 40


def test_wordings_are_suggested_then_queued_as_given(film, capsys):
    assert main(["generate", film, "--shot", "12A", "--preset", "tiny-t2i", "--seed", "7", "--steps", "2", "--json"]) == 0
    parent = json.loads(capsys.readouterr().out)[0]["takes"][0]["id"]
    assert main(["take", "more", film, str(parent), "--suggest", "--json"]) == 0
    suggested = json.loads(capsys.readouterr().out)
    assert len(suggested) == 3 and all(s.startswith("a woman in a red coat") for s in suggested)
    mine = suggested[0].replace("more dramatic lighting", "lit by a single flare")
    assert main(["take", "more", film, str(parent), "--variants", "1", "--wording", mine, "--wording", suggested[1], "--no-wait", "--json"]) == 0
    queued = json.loads(capsys.readouterr().out)["queued"]
    with Project.open(film, readonly=True) as p:
        assert [store_jobs.job_recipe(p, j).prompt for j in queued] == [mine, suggested[1]]
    assert main(["take", "more", film, str(parent), "--wording", mine, "--wording", mine, "--no-wait"]) == 1
    assert "given twice" in capsys.readouterr().err
