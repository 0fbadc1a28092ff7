"""`director prompt set --look NAME` applies a look preset as the window's menu does, and
`director prompt restore` is the window's Restore This Version."""

from __future__ import annotations

import json

import pytest

from director.cli import main
from director.store import prompts, shots
from director.store.project import Project


def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def film(tmp_path, capsys):
    path = tmp_path / "film.director"
    assert run(capsys, "new", path)[0] == 0
    assert run(capsys, "shot", "add", path, "1A")[0] == 0
    assert run(capsys, "look", "save", path, "Bleach bypass", "bleach bypass, crushed blacks, silver sheen")[0] == 0
    return path


def _current(path):
    with Project.open(path, readonly=True) as project:
        return prompts.current_prompt(project, shots.find_shot(project, "1A").id)


def test_look_name_applies_the_presets_text(film, capsys):
    code, out, _ = run(capsys, "prompt", "set", film, "1A", "--subject", "a lamp", "--look", "Bleach bypass")
    assert code == 0
    assert _current(film).fields.look == "bleach bypass, crushed blacks, silver sheen"
    assert out.strip().endswith("a lamp, bleach bypass, crushed blacks, silver sheen")


def test_look_name_matches_regardless_of_case(film, capsys):
    assert run(capsys, "prompt", "set", film, "1A", "--subject", "a lamp", "--look", "bleach BYPASS")[0] == 0
    assert _current(film).fields.look == "bleach bypass, crushed blacks, silver sheen"
    assert run(capsys, "prompt", "set", film, "1A", "--look", "noir")[0] == 0  # a built-in preset
    assert _current(film).fields.look == "black and white, high contrast, hard shadows, venetian blind light"


def test_an_unknown_look_is_refused_listing_the_known_ones_and_writes_nothing(film, capsys):
    code, _, err = run(capsys, "prompt", "set", film, "1A", "--subject", "a lamp", "--look", "Western")
    assert code == 1 and "no look preset 'Western'" in err and "--look-text" in err
    assert "Bleach bypass" in err and "Noir" in err  # every known look, the built-in ones too
    assert _current(film) is None


def test_look_text_writes_a_look_literally(film, capsys):
    assert run(capsys, "prompt", "set", film, "1A", "--subject", "a lamp", "--look-text", "noir")[0] == 0
    assert _current(film).fields.look == "noir"
    code, _, err = run(capsys, "prompt", "set", film, "1A", "--look", "Bleach bypass", "--look-text", "noir")
    assert code == 1 and "not both" in err


def test_restore_makes_an_earlier_version_current_and_keeps_every_version(film, capsys):
    run(capsys, "prompt", "set", film, "1A", "--subject", "a lamp")
    run(capsys, "prompt", "set", film, "1A", "--lighting", "blue dusk")
    code, out, _ = run(capsys, "prompt", "restore", film, "1A", "1")
    assert code == 0 and "v1 restored" in out
    assert _current(film).version == 1 and _current(film).composed == "a lamp"
    code, out, _ = run(capsys, "prompt", "history", film, "1A", "--json")
    assert [(h["version"], h["current"]) for h in json.loads(out)] == [(1, True), (2, False)]
    code, out, _ = run(capsys, "prompt", "restore", film, "1A", "1", "--json")
    assert code == 0 and json.loads(out)["changed"] is False
    code, _, err = run(capsys, "prompt", "restore", film, "1A", "9")
    assert code == 1 and "no prompt version 9" in err and _current(film).version == 1


def test_restore_is_refused_on_a_locked_shot(film, capsys):
    run(capsys, "prompt", "set", film, "1A", "--subject", "a lamp")
    run(capsys, "prompt", "set", film, "1A", "--lighting", "blue dusk")
    with Project.open(film) as project:
        shots.update_shot(project, shots.find_shot(project, "1A").id, status="locked")
    code, _, err = run(capsys, "prompt", "restore", film, "1A", "1")
    assert code == 1 and "locked" in err and _current(film).version == 2
