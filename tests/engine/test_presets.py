"""Choosing a model and its parameters: refused before anything is queued, with the fix named."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import pytest

from director.core.errors import InvalidInput
from director.engine.presets import (
    TINY_NOTE,
    all_presets,
    draw_seeds,
    get_preset,
    preset_from_dict,
    save_user_preset,
    validate_params,
)


def test_a_frame_count_off_ltx_rule_is_refused_with_the_nearest_valid_count():
    with pytest.raises(InvalidInput, match=r"frames 50 breaks LTX's 8k\+1 rule; nearest valid: 49"):
        validate_params(get_preset("ltx-2b-distilled"), {"frames": 50})


def test_a_frame_count_off_wan_rule_names_the_4k_plus_1_rule():
    with pytest.raises(InvalidInput, match=r"frames 80 breaks Wan's 4k\+1 rule; nearest valid: 81"):
        validate_params(get_preset("wan21-t2v-1.3b"), {"frames": 80})


def test_a_size_that_is_not_a_multiple_of_32_is_refused_with_the_nearest_size():
    with pytest.raises(InvalidInput, match=r"width 770 breaks LTX's size rule .*multiple of 32.*nearest valid: 768"):
        validate_params(get_preset("ltx-2b-distilled"), {"width": 770})


def test_too_many_frames_is_refused_with_the_largest_valid_count():
    with pytest.raises(InvalidInput, match=r"frames 257 .*nearest valid: 33"):
        validate_params(get_preset("tiny-t2v"), {"frames": 257})


def test_defaults_fill_what_the_user_left_out():
    params = validate_params(get_preset("tiny-t2v"), {"steps": 2})
    assert params == {"width": 96, "height": 64, "frames": 17, "fps": 12.0, "steps": 2, "guidance": 1.0}


def test_an_image_preset_refuses_frames_and_an_i2v_preset_needs_an_image():
    with pytest.raises(InvalidInput, match="still images"):
        validate_params(get_preset("tiny-t2i"), {"frames": 9})
    with pytest.raises(InvalidInput, match="animates an image"):
        validate_params(get_preset("tiny-i2v"), {})


def test_every_listing_marks_tiny_presets_as_random_weights():
    presets = {p.id: p for p in all_presets()}
    for pid in ("tiny-t2i", "tiny-t2v", "tiny-i2v"):
        assert presets[pid].tiny and TINY_NOTE in presets[pid].listing_label
    assert TINY_NOTE not in presets["ltx-2b-distilled"].listing_label
    assert {p.kind for p in presets.values()} == {"t2i", "t2v", "i2v", "previz", "segment", "depth"}


def test_a_user_preset_saved_in_settings_shows_up_in_the_registry():
    mine = replace(get_preset("wan21-t2v-1.3b"), id="my-wan", label="My Wan", source="/models/wan")
    path = save_user_preset(mine)
    loaded = get_preset("my-wan")
    assert loaded.user and loaded.source == "/models/wan" and path.is_file()


def test_a_user_preset_pointing_at_a_ckpt_file_is_refused_with_the_reason(tmp_path):
    data = json.loads(json.dumps(get_preset("sd-turbo").to_dict()))
    data.update(id="old", source=str(tmp_path / "model.ckpt"), config=str(tmp_path))
    for key in ("user", "tiny", "builder"):
        data.pop(key)
    with pytest.raises(InvalidInput, match=r"model.ckpt is a pickle-based checkpoint.*arbitrary code"):
        preset_from_dict(data)


def test_a_user_preset_cannot_name_code_to_run():
    data = get_preset("tiny-t2v").to_dict()
    with pytest.raises(InvalidInput, match="cannot set 'builder'"):
        preset_from_dict(data)


def test_seeds_are_drawn_fixed_or_listed_one_per_variant():
    drawn = draw_seeds(4)
    assert len(drawn) == 4 and all(0 <= s < 2**32 for s in drawn)
    assert draw_seeds(3, "fixed", [41]) == [41, 42, 43]
    assert draw_seeds(2, "list", [5, 9]) == [5, 9]
    with pytest.raises(InvalidInput, match="one seed per variant"):
        draw_seeds(3, "list", [5])


def test_the_app_can_validate_and_queue_without_importing_torch():
    code = (
        "import sys, director.engine.presets, director.engine.client, director.engine.runner, "
        "director.engine.actions, director.engine.loading, director.engine.messages; "
        "bad = [m for m in ('torch', 'diffusers', 'transformers', 'PySide6') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(("params", "message"), [
    ({"steps": 0}, "steps 0 is out of range (1 to 100); nearest valid: 1"),
    ({"steps": -3}, "steps -3 is out of range (1 to 100); nearest valid: 1"),
    ({"steps": 101}, "steps 101 is out of range (1 to 100); nearest valid: 100"),
    ({"steps": INF}, "steps inf is out of range (1 to 100); nearest valid: 100"),
    ({"steps": NAN}, "steps is not a number (NaN); the rule: 1 to 100; this preset's default: 4"),
    ({"steps": 2.5}, "steps 2.5 is not a whole number; nearest valid: 2"),
    ({"width": 0}, "width 0 breaks LTX's size rule (a multiple of 32 from 32 to 256); nearest valid: 32"),
    ({"height": -64}, "height -64 breaks LTX's size rule (a multiple of 32 from 32 to 256); nearest valid: 32"),
    ({"width": INF}, "width inf breaks LTX's size rule (a multiple of 32 from 32 to 256); nearest valid: 256"),
    ({"height": NAN}, "height is not a number (NaN)"),
    ({"frames": 0}, "frames 0 breaks LTX's range (9 to 33 frames); nearest valid: 9"),
    ({"frames": -17}, "frames -17 breaks LTX's range (9 to 33 frames); nearest valid: 9"),
    ({"frames": INF}, "frames inf breaks LTX's range (9 to 33 frames); nearest valid: 33"),
    ({"frames": NAN}, "frames is not a number (NaN)"),
    ({"fps": 0}, "fps 0 is out of range (1 to 120); nearest valid: 1"),
    ({"fps": -24}, "fps -24 is out of range (1 to 120); nearest valid: 1"),
    ({"fps": INF}, "fps inf is out of range (1 to 120); nearest valid: 120"),
    ({"fps": NAN}, "fps is not a number (NaN); the rule: 1 to 120; this preset's default: 12"),
    ({"guidance": -1}, "guidance -1 is out of range (0 to 30); nearest valid: 0"),
    ({"guidance": 31}, "guidance 31 is out of range (0 to 30); nearest valid: 30"),
    ({"guidance": -INF}, "guidance -inf is out of range (0 to 30); nearest valid: 0"),
    ({"guidance": NAN}, "guidance is not a number (NaN)"),
    ({"steps": True}, "steps must be a number, got True"),
])
def test_a_number_that_breaks_a_rule_is_refused_with_the_rule_and_the_nearest_valid_value(params, message):
    # Before, 0 for size, steps, frames or fps silently became the preset's default.
    with pytest.raises(InvalidInput) as refused:
        validate_params(get_preset("tiny-t2v"), params)
    assert message in str(refused.value)


def test_only_an_absent_number_takes_the_default():
    preset = get_preset("tiny-t2v")
    assert validate_params(preset, {"steps": None, "fps": None}) == validate_params(preset, {})
    assert validate_params(preset, {"guidance": 0})["guidance"] == 0.0  # zero guidance is a valid choice, kept


def test_a_still_preset_refuses_zero_frames_instead_of_making_one():
    with pytest.raises(InvalidInput, match="tiny-t2i makes still images; frames must be 1, got 0; nearest valid: 1"):
        validate_params(get_preset("tiny-t2i"), {"frames": 0})


@pytest.mark.parametrize(("variants", "message"), [
    (0, "variants 0 is out of range (1 to 64); nearest valid: 1"),
    (-2, "variants -2 is out of range (1 to 64); nearest valid: 1"),
    (65, "variants 65 is out of range (1 to 64); nearest valid: 64"),
])
def test_a_variant_count_out_of_range_is_refused_with_the_nearest_count(variants, message):
    with pytest.raises(InvalidInput) as refused:
        draw_seeds(variants)
    assert message in str(refused.value)


def test_every_built_in_preset_accepts_its_own_defaults():
    # A segment (SAM 2) job's size and frames come from its take, its prompts from the project.
    segment = {"take_id": 1, "width": 64, "height": 48, "frames": 9, "fps": 12,
               "objects": [{"id": 1, "name": "car", "prompts": [{"kind": "positive", "frame": 0, "x0": 3, "y0": 4}]}]}
    for preset in all_presets():
        if preset.kind == "depth":  # depth models make control guides in the worker, never takes
            continue
        given = {"i2v": {"init_image": "still.png"}, "segment": segment}.get(preset.kind, {})
        validate_params(preset, given)
