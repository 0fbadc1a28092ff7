"""`director take show` prints what the model received, as recorded: a camera edit changes nothing."""

from __future__ import annotations

import json

import pytest

from director.cli import main
from director.core.prompt import CameraSetup
from director.store.cameras import find_camera, update_camera
from director.store.project import Project
from director.store.shots import find_shot


@pytest.fixture
def film(shot_project):
    path = shot_project.path
    shot_project.close()
    return str(path)


def test_take_show_reads_the_recorded_recipe_after_a_camera_edit(film, capsys):
    assert main(["generate", film, "--shot", "12A", "--camera", "B", "--preset", "tiny-t2i", "--seed", "7", "--steps", "2", "--json"]) == 0
    take_id = json.loads(capsys.readouterr().out)[0]["takes"][0]["id"]
    with Project.open(film) as project:
        shot = find_shot(project, "12A")
        update_camera(project, find_camera(project, shot.id, "B").id, setup=CameraSetup(shot_size="insert", lens="100mm"))
    assert main(["take", "show", film, str(take_id)]) == 0
    out = capsys.readouterr().out
    assert "prompt sent: a woman in a red coat, rooftop at night, close-up, 85mm" in out, out
    assert "100mm" not in out and "insert" not in out
    assert "ran on cpu" in out and "random weights" in out
    assert main(["take", "show", film, str(take_id), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["prompt"] == "a woman in a red coat, rooftop at night, close-up, 85mm" and data["camera_setup"]["lens"] == "85mm"
