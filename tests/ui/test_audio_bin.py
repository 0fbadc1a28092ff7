"""The Audio bin (#16 part C): Import… decodes off the UI thread and lists the sound with its
duration and rate; a file that is not sound is refused with the reason and nothing is stored; a
row drags out as the sound the timeline accepts; the window docks the bin."""

from __future__ import annotations

import threading

import pytest

from director.core.audio import SAMPLE_RATE
from director.store import audio
from director.ui.audio_bin import MIME_SOUND, AudioBin, sound_of
from tests.store.test_audio_store import write_sound


@pytest.fixture
def bin_(session, qtbot):
    panel = AudioBin(session)
    qtbot.addWidget(panel)
    yield panel
    panel.close()


def media_files(project) -> set:
    return {p for p in project.media.root.rglob("*") if p.is_file()}


def test_import_lists_the_sound_with_duration_and_rate(bin_, session, qtbot, tmp_path, monkeypatch):
    source = write_sound(tmp_path / "foghorn.flac", seconds=1.5, rate=44100, channels=1)
    threads = []
    real = audio.prepare_import
    monkeypatch.setattr(audio, "prepare_import", lambda *a, **k: threads.append(threading.current_thread().name) or real(*a, **k))
    with qtbot.waitSignal(bin_.imported, timeout=10_000):
        bin_.import_files([source])
        assert bin_.progress.isVisibleTo(bin_) and bin_.importing == 1  # busy while decoding
    assert threads and threads[0] != threading.current_thread().name
    assert not bin_.progress.isVisibleTo(bin_) and bin_.import_button.text() == "Import…"
    model = bin_.model
    assert model.rowCount() == 1
    assert [model.index(0, c).data() for c in range(3)] == ["foghorn", "0:01.500", "48 kHz stereo"]
    (found,) = audio.list_audio(session.project)
    assert found.samples == int(1.5 * SAMPLE_RATE)
    mime = model.mimeData([model.index(0, 0)])
    assert mime.hasFormat(MIME_SOUND) and sound_of(mime) == found.id


def test_a_file_that_is_not_sound_is_refused_and_nothing_is_stored(bin_, session, qtbot, tmp_path):
    bad = tmp_path / "notes.wav"
    bad.write_text("this is not a sound")
    before = media_files(session.project)
    errors = []
    session.error_raised.connect(errors.append)
    with qtbot.waitSignal(bin_.import_failed, timeout=10_000) as failed:
        bin_.import_files([bad])
    assert "notes.wav" in failed.args[0] and "not a sound file" in failed.args[0]
    assert errors == failed.args and bin_.status.text() == failed.args[0]
    assert bin_.model.rowCount() == 0 and audio.list_audio(session.project) == []
    assert media_files(session.project) == before
    with qtbot.waitSignal(bin_.import_failed, timeout=10_000) as failed:
        bin_.import_files([tmp_path / "script.txt"])
    assert "import a sound file" in failed.args[0]


def test_the_window_docks_the_audio_bin(window, tmp_path, qtbot):
    window.new_project(tmp_path / "bin.director")
    dock = window.docks["audio"]
    assert dock.windowTitle() == "Audio"
    assert isinstance(window.panel("audio"), AudioBin)
