"""`director engine speed PRESET [--on NAME …] [--off NAME …] [--clear]` (#14): a preset's speed
options in engine.json, the same file and checks as Settings ▸ Engine; a refused combination exits
1 with the reason and writes nothing."""

from __future__ import annotations

import json

import pytest

from director.cli import main
from director.engine import machine_settings
from director.engine.presets import load_settings
from director.engine.speed import OPTIONS, settings_for

PRESET = "ltx-2b-distilled"


def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_options_are_switched_on_and_off_and_shown_with_their_marks(capsys):
    code, out, _ = run(capsys, "engine", "speed", PRESET)
    assert code == 0 and f"{PRESET}: no speed options" in out and not machine_settings.settings_path().exists()
    assert all(name in out for name in OPTIONS)
    code, out, _ = run(capsys, "engine", "speed", PRESET, "--on", "fp8_layerwise", "first_block_cache")
    assert code == 0 and "saved to" in out
    assert f"{PRESET}: first_block_cache (changes pixels), fp8_layerwise (changes pixels, CUDA only)" in out
    assert settings_for(PRESET, load_settings()) == ("first_block_cache", "fp8_layerwise")  # what the runner reads
    assert run(capsys, "engine", "speed", PRESET, "--off", "fp8_layerwise")[0] == 0
    code, out, _ = run(capsys, "engine", "speed", PRESET, "--json")
    shown = json.loads(out)
    assert shown["on"] == ["first_block_cache"]
    row = next(r for r in shown["options"] if r["name"] == "group_offload_streams")
    assert row == {"name": "group_offload_streams", "on": False, "changes_pixels": False, "cuda_only": True,
                   "what": OPTIONS["group_offload_streams"].what}
    assert run(capsys, "engine", "speed", PRESET, "--clear")[0] == 0
    assert "speed" not in load_settings()


def test_other_engine_settings_are_kept(capsys):
    assert run(capsys, "engine", "settings", "--device", "cpu", "--memory-budget", "7")[0] == 0
    assert run(capsys, "engine", "speed", PRESET, "--on", "taylorseer")[0] == 0
    assert run(capsys, "engine", "settings", "--memory", PRESET, "vae_tiling=off")[0] == 0
    data = load_settings()
    assert data["device"] == "cpu" and data["memory_budget_gb"] == 7 and data["speed"] == {PRESET: ["taylorseer"]}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--on", "first_block_cache", "taylorseer"], "first_block_cache and taylorseer are both step caches; pick one"),
        (["--on", "mag_cache"], "MagCache needs the model's calibrated magnitude ratios"),
        (["--on", "warp_drive"], "unknown speed option(s) warp_drive; known: group_offload_streams"),
        (["--off", "warp_drive"], "unknown speed option(s) warp_drive"),
    ],
)
def test_refused_options_exit_1_with_the_reason_and_write_nothing(capsys, args, message):
    code, _, err = run(capsys, "engine", "speed", PRESET, *args)
    assert code == 1 and message in err and "Traceback" not in err
    assert not machine_settings.settings_path().exists()


def test_a_step_cache_on_top_of_the_memory_first_block_cache_is_refused_both_ways(capsys):
    assert run(capsys, "engine", "settings", "--memory", PRESET, "first_block_cache=0.1")[0] == 0
    code, _, err = run(capsys, "engine", "speed", PRESET, "--on", "taylorseer")
    assert code == 1 and "already switch on the first-block cache" in err
    assert run(capsys, "engine", "settings", "--memory", PRESET, "first_block_cache=off")[0] == 0
    assert run(capsys, "engine", "speed", PRESET, "--on", "taylorseer")[0] == 0
    code, _, err = run(capsys, "engine", "settings", "--memory", PRESET, "first_block_cache=0.1")
    assert code == 1 and "would be a second step cache" in err
    assert load_settings()["speed"] == {PRESET: ["taylorseer"]} and PRESET not in load_settings().get("memory", {})


def test_an_unknown_preset_is_named(capsys):
    code, _, err = run(capsys, "engine", "speed", "no-such-model", "--on", "taylorseer")
    assert code == 1 and "no preset 'no-such-model'" in err and not machine_settings.settings_path().exists()
