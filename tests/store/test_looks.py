"""Look presets live in the project and are reusable on every shot."""

from __future__ import annotations

import json

import pytest

from director.cli import main
from director.core.errors import InvalidInput
from director.store import looks
from director.store.edits import SaveLook


def test_a_new_project_has_starter_looks(project):
    names = [n for n, _ in looks.list_looks(project)]
    assert {"35 mm grain", "Anamorphic", "Noir"} <= set(names)


def test_saving_a_look_then_undoing_it(project):
    edit = SaveLook("Bleach bypass", "bleach bypass,  crushed blacks")
    edit.apply(project)
    assert looks.get_look(project, "Bleach bypass") == "bleach bypass, crushed blacks"
    edit.revert(project)
    assert looks.get_look(project, "Bleach bypass") is None


def test_replacing_a_look_and_undo_puts_the_old_text_back(project):
    old = looks.get_look(project, "Noir")
    edit = SaveLook("Noir", "neo-noir, neon, wet streets")
    edit.apply(project)
    assert looks.get_look(project, "Noir") == "neo-noir, neon, wet streets"
    edit.revert(project)
    assert looks.get_look(project, "Noir") == old


def test_a_look_needs_a_name_and_text(project):
    with pytest.raises(InvalidInput, match="name"):
        looks.save_look(project, "  ", "grain")
    with pytest.raises(InvalidInput, match="look text"):
        looks.save_look(project, "Empty", "")


def test_looks_from_the_command_line(tmp_path, capsys):
    film = str(tmp_path / "film.director")
    assert main(["new", film]) == 0
    assert main(["look", "save", film, "Day for night", "blue grade, underexposed"]) == 0
    capsys.readouterr()
    assert main(["look", "list", film, "--json"]) == 0
    assert {"name": "Day for night", "text": "blue grade, underexposed"} in json.loads(capsys.readouterr().out)
    assert main(["look", "delete", film, "Nope"]) == 1
