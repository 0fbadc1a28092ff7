"""Audio to video in the Generate panel (#16): for an LTX-2 text-to-video preset a Sound row offers
the Audio bin's sounds and where the clip starts in them; the queued job's recipe records the
sound; presets that cannot be driven hide the row and never send one."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QVBoxLayout, QWidget

from director.core.audio import SAMPLE_RATE
from director.core.prompt import PromptFields
from director.store import audio as store_audio
from director.store.audio_media import write_wav
from director.store.jobs import job_recipe
from director.store.prompts import write_prompt
from director.store.shots import add_shot


@pytest.fixture
def panel(session, qtbot):
    from director.ui.generate_panel import GeneratePanel

    host = QWidget()
    QVBoxLayout(host).addWidget(p := GeneratePanel(session))
    host.resize(420, 900)
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    shot, _ = add_shot(session.project, "1")
    write_prompt(session.project, shot.id, PromptFields(subject="a drummer plays a fill"))
    p.set_shot(shot.id)
    p.variants.setValue(1)
    yield p
    host.close()


def _import(panel, tmp_path, name="drums", seconds=2.0):
    path = tmp_path / f"{name}.wav"
    n = int(seconds * SAMPLE_RATE)
    write_wav(path, np.zeros((n, 2), np.float32) + 0.1)
    sound, changes = store_audio.import_audio(panel.session.project, path, name)
    panel.session.announce(changes)  # as the Audio bin does after an import
    return sound


def test_a_sound_from_the_bin_drives_an_ltx2_job_queued_from_the_panel(panel, tmp_path):
    sound = _import(panel, tmp_path)
    panel.set_preset("tiny-ltx2-t2v")
    assert panel.sound_box.isVisibleTo(panel) and not panel.sound_from.isEnabled()
    assert [panel.sound_box.itemText(i) for i in range(panel.sound_box.count())] == [
        "None (the model makes the sound)", "drums (2.0 s)"]
    panel.sound_box.setCurrentIndex(panel.sound_box.findData(sound.id))
    assert panel.sound_from.isEnabled()
    panel.sound_from.setValue(0.5)
    [job_id] = panel.queue()
    recorded = job_recipe(panel.session.project, job_id).audio
    assert (recorded["name"], recorded["from_sample"], recorded["media_path"]) == ("drums", SAMPLE_RATE // 2, sound.media_path)


def test_a_start_past_the_sounds_end_is_refused_and_queues_nothing(panel, tmp_path, qtbot):
    sound = _import(panel, tmp_path, seconds=1.0)
    panel.set_preset("tiny-ltx2-t2v")
    panel.sound_box.setCurrentIndex(panel.sound_box.findData(sound.id))
    panel.sound_from.setValue(3.0)
    with qtbot.waitSignal(panel.session.error_raised) as said:
        assert panel.queue() == []
    assert "start inside it" in said.args[0]


def test_a_preset_that_cannot_be_driven_hides_the_row_and_sends_no_sound(panel, tmp_path):
    sound = _import(panel, tmp_path)
    panel.set_preset("tiny-ltx2-t2v")
    panel.sound_box.setCurrentIndex(panel.sound_box.findData(sound.id))
    panel.set_preset("tiny-t2v")
    assert not panel.sound_box.isVisibleTo(panel)
    [job_id] = panel.queue()
    assert job_recipe(panel.session.project, job_id).audio == {}


def test_a_long_sound_name_does_not_widen_the_form_past_its_dock(panel, tmp_path):
    """At 1366×768 the Generate dock is about 310 px wide and its form never scrolls sideways: a
    wide Sound row would clip the Size row's height box off its right edge."""
    from director.ui.main_window import MIN_PANEL

    _import(panel, tmp_path, name="Foghorn and sea at dawn, take 3 (wild track, both mics)")
    panel.set_preset("tiny-ltx2-t2v")
    panel.sound_box.setCurrentIndex(1)
    assert panel.form_scroll.widget().minimumSizeHint().width() <= MIN_PANEL["generate"][0]
