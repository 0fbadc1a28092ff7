"""Blocking in the project file: stored per shot, undoable with its keys stable, refused on a
locked shot, and a file from before migration 0015 gains the table with its shots kept."""

from __future__ import annotations

import sqlite3

import pytest

from director.core.blocking import Placement, default_camera_placement
from director.core.errors import NotFound, Refused
from director.core.prompt import PromptFields
from director.store import Project
from director.store.blocking import MovePlacement, shot_blocking, stored_placements, subject_key
from director.store.cameras import find_camera
from director.store.prompts import write_prompt
from director.store.shots import add_shot, update_shot


def _shot(project):
    shot, _ = add_shot(project, "12A", "Rooftop")
    write_prompt(project, shot.id, PromptFields(subject="a detective and a suspect", setting="rooftop at night"))
    return shot


def test_defaults_until_moved_then_the_stored_placement_and_undo_puts_it_back(project):
    shot = _shot(project)
    scene, cams = shot_blocking(project, shot.id)
    assert [f.stand_in.key for f in scene.figures] == ["a detective", "a suspect"]
    assert cams[0].name == "A" and cams[0].at == default_camera_placement(0)
    key = subject_key(scene, "suspect")
    move = MovePlacement(shot.id, "subject", key, Placement(2.0, 1.5, 200))
    assert move.apply(project).shots == {shot.id}
    scene, _ = shot_blocking(project, shot.id)
    assert scene.figures[1].at == Placement(2.0, 1.5, 200)
    cam = find_camera(project, shot.id, "A")
    cmove = MovePlacement(shot.id, "camera", str(cam.id), Placement(-3, -4))
    cmove.apply(project)
    assert shot_blocking(project, shot.id)[1][0].at == Placement(-3, -4)
    cmove.revert(project)
    move.revert(project)
    assert stored_placements(project, shot.id) == ({}, {})
    move.apply(project)  # redo
    assert stored_placements(project, shot.id)[0] == {"a suspect": Placement(2.0, 1.5, 200)}
    with pytest.raises(NotFound, match="subjects: 1 a detective; 2 a suspect"):
        subject_key(scene, "a horse")


def test_a_locked_shot_keeps_its_blocking(project):
    shot = _shot(project)
    update_shot(project, shot.id, status="locked")
    with pytest.raises(Refused, match="locked"):
        MovePlacement(shot.id, "subject", "a detective", Placement(0, 1)).apply(project)


def test_a_file_from_before_blocking_gains_it_and_keeps_its_shots(tmp_path):
    path = tmp_path / "old.director"
    with Project.create(path) as p:
        _shot(p)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DROP TABLE blocking")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0015_blocking'")
    conn.execute("PRAGMA user_version = 14")
    conn.close()
    with Project.open(path) as p:
        shot = p.db.execute("SELECT id FROM shots WHERE code = '12A'").fetchone()[0]
        MovePlacement(shot, "subject", "a detective", Placement(1, 1)).apply(p)
        assert stored_placements(p, shot)[0] == {"a detective": Placement(1, 1)}
