"""Blocking from the words: stand-ins from the subjects, set and light from the setting, each
camera's pose from its shot size, angle, lens and movement, and the 180° line."""

from __future__ import annotations

import math

import pytest

from director.core.blocking import (CameraPlan, Placement, build_scene, camera_pose, check_line, default_camera_placement,
                                    fields_of_view, lens_mm, movements_of, shot_size_of, stand_ins)
from director.core.errors import InvalidInput
from director.core.prompt import CameraSetup, PromptFields


def test_subjects_become_stand_ins_in_order_with_their_kind_and_words():
    figures = stand_ins(PromptFields(subject="a detective and a suspect, an old car with a dog"))
    assert [(f.words, f.kind) for f in figures] == [("a detective", "person"), ("a suspect", "person"),
                                                    ("an old car", "vehicle"), ("a dog", "animal")]
    assert figures[2].height < 2 and figures[2].depth > 4  # a car is long and low
    assert [f.kind for f in stand_ins(PromptFields(free_text="a wooden table"))] == ["prop"]
    assert [f.words for f in stand_ins(PromptFields())] == ["a person"]


def test_setting_and_time_of_day_set_the_set_and_its_light():
    night = build_scene(PromptFields(subject="a man", setting="interrogation room", lighting="night, low-key"))
    day = build_scene(PromptFields(subject="a man", setting="a beach at noon"))
    assert night.setting.interior and not day.setting.interior
    assert night.light.time == "night" and day.light.time == "day"
    assert sum(night.light.sky_top) < sum(day.light.sky_top) and night.light.ambient < day.light.ambient
    assert build_scene(PromptFields(subject="a man", setting="a street at sunset")).light.time == "dusk"


def test_framing_words_are_read():
    assert shot_size_of("extreme wide shot")[0] == "extreme wide"
    assert shot_size_of("close-up")[0] == "close-up" and shot_size_of("extreme close-up")[0] == "extreme close-up"
    assert shot_size_of("medium shot")[0] == "medium" and shot_size_of("") is None
    assert lens_mm("85mm") == 85 and lens_mm("a 24 mm lens") == 24 and lens_mm("telephoto") == 135 and lens_mm("") == 35
    with pytest.raises(InvalidInput, match="nearest valid: 1200mm"):
        lens_mm("5000mm")
    assert movements_of("slow pan left, handheld") == ("pan left", "handheld")
    assert movements_of("dolly in") == ("dolly in",) and movements_of("static") == ()
    h85, _ = fields_of_view(85, 768, 512)
    h24, _ = fields_of_view(24, 768, 512)
    assert h85 < h24


def _pose(setup, t=0.0, placement=None, **kw):
    scene = build_scene(PromptFields(subject="a woman in a red coat", setting="rooftop"))
    cam = CameraPlan("A", setup, placement or default_camera_placement(0))
    return camera_pose(scene, cam, t, width=768, height=512, **kw)


def test_shot_size_sets_distance_angle_sets_elevation_and_movement_moves_the_camera():
    dist = {s: math.dist(_pose(CameraSetup(shot_size=s)).eye, (0, 0.9, 0)) for s in ("extreme wide", "wide", "medium", "close-up")}
    assert dist["extreme wide"] > dist["wide"] > dist["medium"] > dist["close-up"]
    low, eye = _pose(CameraSetup(shot_size="medium", angle="low angle")), _pose(CameraSetup(shot_size="medium", angle="eye level"))
    assert low.eye[1] < eye.eye[1] and low.pitch > eye.pitch
    assert _pose(CameraSetup(angle="dutch angle")).roll == 18
    start, end = _pose(CameraSetup(shot_size="medium", movement="dolly in"), 0), _pose(CameraSetup(shot_size="medium", movement="dolly in"), 1)
    assert math.dist(end.eye, (0, 1.4, 0)) < math.dist(start.eye, (0, 1.4, 0))
    a, b = _pose(CameraSetup(movement="handheld"), 0.5, seed=1, frames=48), _pose(CameraSetup(movement="handheld"), 0.5, seed=2, frames=48)
    assert a != b and a == _pose(CameraSetup(movement="handheld"), 0.5, seed=1, frames=48)


def test_placement_refuses_what_is_not_on_the_set():
    with pytest.raises(InvalidInput, match="finite"):
        Placement(float("nan"), 0)
    with pytest.raises(InvalidInput, match="nearest valid: x 500"):
        Placement(900, 0)


def test_cameras_on_one_side_pass_the_180_line_and_one_across_it_is_flagged():
    scene = build_scene(PromptFields(subject="a detective and a suspect"))
    cams = [CameraPlan(n, CameraSetup(shot_size="medium"), default_camera_placement(i)) for i, n in enumerate("ABC")]
    check = check_line(scene, cams)
    assert check.ok and set(check.sides.values()) == {-1} and check.warning() == ""
    across = check_line(scene, cams + [CameraPlan("D", CameraSetup(shot_size="medium"), Placement(1.0, 5.0))])
    assert across.crossing == ("D",) and "D crosses the 180° line" in across.warning()
