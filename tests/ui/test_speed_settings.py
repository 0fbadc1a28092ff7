"""Speed options in the window (#14): Settings ▸ Engine lists every `engine.speed` option for the
chosen preset with what it does and its "changes pixels" / "CUDA only" marks; OK writes engine.json
through the same `machine_settings.update` as `director engine speed`; a refused combination is
said in the dialog and nothing is saved; the Generate panel names the options on for its preset."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QVBoxLayout, QWidget

from director.cli import main
from director.engine import machine_settings
from director.engine.speed import OPTIONS
from director.ui.recent import app_settings
from director.ui.settings_dialog import ENGINE_KEY, SettingsDialog

PRESET = "ltx-2b-distilled"


@pytest.fixture
def dialog(qtbot):
    d = SettingsDialog(None)
    qtbot.addWidget(d)
    d.preset_box.setCurrentIndex(d.preset_box.findData(PRESET))
    return d


def tick(dialog, *names, on=True):
    for name in names:
        dialog.speed_boxes[name].setChecked(on)


def cli_speed(capsys, preset=PRESET, *args) -> tuple[int, dict | str]:
    code = main(["engine", "speed", preset, *args, "--json"])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if code == 0 else out.err)


def test_every_speed_option_is_listed_with_what_it_does_and_its_marks(dialog):
    assert list(dialog.speed_boxes) == list(OPTIONS)
    for name, option in OPTIONS.items():
        marks, what = dialog.speed_descriptions[name]
        assert dialog.speed_boxes[name].text() == name and what.text() == option.what
        assert ("changes pixels" in marks.text()) == option.changes_pixels and ("CUDA only" in marks.text()) == option.cuda_only
        assert not dialog.speed_boxes[name].isChecked()
    assert dialog.speed_descriptions["first_block_cache"][0].text() == "changes pixels"
    assert dialog.speed_descriptions["group_offload_streams"][0].text() == "CUDA only"
    assert dialog.speed_descriptions["fp8_layerwise"][0].text() == "changes pixels, CUDA only"


def test_ticked_options_are_saved_as_the_command_line_sets_them(dialog, capsys, qtbot):
    tick(dialog, "first_block_cache", "group_offload_streams")
    assert dialog.speed_note.text() == ""
    assert dialog.save()
    code, shown = cli_speed(capsys)
    assert code == 0 and shown["on"] == ["group_offload_streams", "first_block_cache"]
    # ... and what the command line sets, the dialog shows, per preset.
    assert main(["engine", "speed", "wan22-ti2v-5b", "--on", "taylorseer"]) == 0
    capsys.readouterr()
    again = SettingsDialog(None)
    qtbot.addWidget(again)
    again.speed_preset_box.setCurrentIndex(again.speed_preset_box.findData("wan22-ti2v-5b"))  # the Speed tab's choice
    assert again.preset_box.currentData() == "wan22-ti2v-5b"  # is the Engine tab's: one preset shown
    assert again.checked_speed() == ["taylorseer"] and again.speed_boxes["taylorseer"].isChecked()
    again.preset_box.setCurrentIndex(again.preset_box.findData(PRESET))
    assert again.speed_preset_box.currentData() == PRESET
    assert again.checked_speed() == ["group_offload_streams", "first_block_cache"]
    tick(again, "first_block_cache", on=False)
    assert again.save()
    assert cli_speed(capsys)[1]["on"] == ["group_offload_streams"]
    assert cli_speed(capsys, "wan22-ti2v-5b")[1]["on"] == ["taylorseer"]  # untouched


def test_two_step_caches_are_refused_in_the_dialog_and_nothing_is_saved(dialog, qtbot):
    dialog.engine.setText("ray://render-head.lan:10001")
    tick(dialog, "first_block_cache", "taylorseer")
    assert "first_block_cache and taylorseer are both step caches" in dialog.speed_note.text()  # said as ticked
    dialog.tabs.setCurrentIndex(0)
    with qtbot.assertNotEmitted(dialog.settings_saved):
        assert not dialog.save()
    assert "both step caches; pick one" in dialog.error.text() and dialog.tabs.currentWidget() is dialog.speed_tab
    assert not machine_settings.settings_path().exists()
    assert app_settings().value(ENGINE_KEY) is None  # not the engine address either
    tick(dialog, "taylorseer", on=False)
    assert dialog.speed_note.text() == "" and dialog.save()
    assert json.loads(machine_settings.settings_path().read_text())["speed"] == {PRESET: ["first_block_cache"]}


def test_a_refused_combination_on_another_preset_is_named_when_ok_is_pressed(dialog):
    tick(dialog, "mag_cache")  # MagCache's ratios exist for FLUX only
    assert "MagCache needs the model's calibrated magnitude ratios" in dialog.speed_note.text()
    dialog.preset_box.setCurrentIndex(dialog.preset_box.findData("wan22-ti2v-5b"))
    assert dialog.speed_note.text() == "" and dialog.checked_speed() == []
    assert not dialog.save()
    assert dialog.error.text().startswith(f"{PRESET}: MagCache needs") and not machine_settings.settings_path().exists()


def test_the_memory_first_block_cache_and_a_speed_step_cache_are_refused_together(dialog):
    dialog.fbc.setValue(0.1)
    tick(dialog, "taylorseer")
    assert "already switch on the first-block cache" in dialog.speed_note.text()
    assert not dialog.save() and not machine_settings.settings_path().exists()
    dialog.fbc.setValue(0)
    assert dialog.speed_note.text() == "" and dialog.save()


@pytest.fixture
def panel(session, qtbot):
    from director.ui.generate_panel import GeneratePanel

    host = QWidget()
    QVBoxLayout(host).addWidget(p := GeneratePanel(session))
    host.resize(420, 900)
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    yield p
    host.close()


def test_the_generate_panel_names_the_speed_options_on_for_its_preset(panel, qtbot):
    panel.set_preset(PRESET)
    assert panel.speed_note.isHidden()  # none on
    dialog = SettingsDialog(None)
    qtbot.addWidget(dialog)
    dialog.preset_box.setCurrentIndex(dialog.preset_box.findData(PRESET))
    tick(dialog, "first_block_cache")
    assert dialog.save()
    assert panel.speed_note.text() == "Speed: first_block_cache (changes pixels)" and not panel.speed_note.isHidden()
    panel.set_preset("tiny-t2v")
    assert panel.speed_note.isHidden()
    assert main(["engine", "speed", "tiny-t2v", "--on", "taylorseer", "fp8_layerwise"]) == 0
    panel.set_preset(PRESET)
    panel.set_preset("tiny-t2v")  # read again when the preset is chosen
    assert panel.speed_note.text() == "Speed: taylorseer (changes pixels), fp8_layerwise (changes pixels, CUDA only)"


def test_the_generate_panel_says_when_the_saved_options_would_be_refused(panel):
    machine_settings.save({"speed": {"tiny-t2v": ["first_block_cache", "mag_cache"]}})  # edited by hand
    panel.set_preset(PRESET)
    panel.set_preset("tiny-t2v")
    assert "Speed options refused" in panel.speed_note.text() and "both step caches" in panel.speed_note.text()


def test_each_description_gets_its_full_wrapped_height(dialog, qtbot):
    """Shown at the dialog's own size, no description is squeezed into the next line (the tab's
    height comes from the other tabs; the options scroll instead)."""
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.tabs.setCurrentWidget(dialog.speed_tab)
    qtbot.wait(50)
    for name, (_marks, what) in dialog.speed_descriptions.items():
        assert what.height() >= what.heightForWidth(what.width()), name
