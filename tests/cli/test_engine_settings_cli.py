"""`director engine settings` reads and writes what the window's Settings ▸ Engine does, and the
command line's own worker starts with it (device, memory budget, model folders, memory options)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QLabel

from director.cli import main
from director.engine import machine_settings
from director.engine.client import LocalEngineClient
from director.engine.presets import get_preset
from director.ui.recent import app_settings
from director.ui.settings_dialog import SettingsDialog, apply_device_setting, engine_client_settings

PRESET = "ltx-2b-distilled"


def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_cli_sets_what_the_settings_dialog_shows(tmp_path, capsys, qtbot):
    folder = tmp_path / "ltx"
    folder.mkdir()
    code, out, _ = run(capsys, "engine", "settings", "--device", "cpu", "--memory-budget", "12",
                       "--model-folder", PRESET, folder, "--memory", PRESET, "vae_tiling=off", "--memory", PRESET, "first_block_cache=0.1")
    assert code == 0 and "device: cpu" in out and "12 GB" in out
    dialog = SettingsDialog(None)
    qtbot.addWidget(dialog)
    assert dialog.device.currentData() == "cpu" and dialog.budget.value() == 12
    dialog.preset_box.setCurrentIndex(dialog.preset_box.findData(PRESET))
    assert dialog.folder.text() == str(folder)
    assert not dialog.memory_boxes["vae_tiling"].isChecked() and dialog.fbc.value() == pytest.approx(0.1)
    preset = get_preset(PRESET)  # the registry every job loads through
    assert preset.source == str(folder) and preset.memory.first_block_cache == pytest.approx(0.1) and not preset.memory.vae_tiling


def test_the_dialog_saves_what_the_cli_shows(capsys, qtbot):
    dialog = SettingsDialog(None)
    qtbot.addWidget(dialog)
    dialog.device.setCurrentIndex(dialog.device.findData("mps"))
    dialog.budget.setValue(6)
    assert dialog.save()
    code, out, _ = run(capsys, "engine", "settings", "--json")
    shown = json.loads(out)
    assert code == 0 and shown["device"] == "mps" and shown["memory_budget_gb"] == 6
    assert engine_client_settings() == {"memory_budget_gb": 6.0}


def test_a_device_saved_by_an_older_director_is_still_read(capsys, monkeypatch):
    monkeypatch.delenv("DIRECTOR_DEVICE", raising=False)
    settings = app_settings()
    settings.setValue("engine/device", "cpu")
    settings.setValue("engine/memory_budget_gb", 3.0)
    settings.sync()
    apply_device_setting()
    import os

    assert os.environ.get("DIRECTOR_DEVICE") == "cpu" and engine_client_settings() == {"memory_budget_gb": 3.0}
    run(capsys, "engine", "settings", "--device", "auto")  # engine.json now says auto: it wins
    apply_device_setting()
    assert "DIRECTOR_DEVICE" not in os.environ


@pytest.mark.parametrize(
    "args, message",
    [
        (["--memory-budget", "lots"], "memory budget is a number of GB"),
        (["--memory-budget", "-1"], "memory budget is 0 (automatic) to 4096 GB"),
        (["--model-folder", PRESET, "/no/such/folder"], "is not a folder"),
        (["--model-folder", "tiny-t2i", "/tmp"], "no model preset 'tiny-t2i'"),
        (["--memory", PRESET, "warp_drive=on"], "known options: cpu_offload"),
        (["--memory", PRESET, "vae_tiling=maybe"], "vae_tiling is on or off"),
        (["--memory", PRESET, "first_block_cache=2"], "first_block_cache is a threshold"),
    ],
)
def test_bad_settings_are_refused_and_nothing_is_written(capsys, args, message):
    code, _, err = run(capsys, "engine", "settings", "--device", "cpu", *args)
    assert code == 1 and message in err and "Traceback" not in err
    assert not machine_settings.settings_path().exists()


def test_an_unknown_device_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["engine", "settings", "--device", "tpu"])
    assert exc.value.code == 2 and "invalid choice: 'tpu'" in capsys.readouterr().err


def test_the_command_lines_worker_starts_with_the_saved_budget_and_device(capsys, monkeypatch):
    import os

    assert run(capsys, "engine", "settings", "--device", "cpu", "--memory-budget", "5")[0] == 0
    assert LocalEngineClient()._worker_settings()["memory_budget_gb"] == 5.0
    assert LocalEngineClient({"memory_budget_gb": 2})._worker_settings()["memory_budget_gb"] == 2  # the caller's wins
    monkeypatch.delenv("DIRECTOR_DEVICE", raising=False)
    assert machine_settings.apply_device(override_environment=False) == "cpu" and os.environ["DIRECTOR_DEVICE"] == "cpu"
    monkeypatch.setenv("DIRECTOR_DEVICE", "mps")  # set for one run: it wins on the command line
    assert machine_settings.apply_device(override_environment=False) == "mps"


def test_the_model_folder_label_shows_its_mnemonic_not_an_ampersand(qtbot):
    dialog = SettingsDialog(None)
    qtbot.addWidget(dialog)
    label = next(w for w in dialog.findChildren(QLabel) if w.text() == "Model &folder")
    assert label.buddy() is dialog.folder  # with a buddy, Qt draws 'folder' with f underlined
