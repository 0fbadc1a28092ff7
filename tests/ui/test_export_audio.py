"""File ▸ Export from the window carries the sound as `director export cut` does: the cut MP4 has one
AAC stereo 48 kHz stream as long as the picture with each take's sound on its frames, and the edits
their sound tracks; File ▸ Export ▸ With Sound off leaves it out."""

from __future__ import annotations

import av
import opentimelineio as otio
import pytest

from director.core.audio import SAMPLE_RATE, frame_to_sample, samples_for
from director.store import audio, timeline
from tests.export.sound_film import click_sound, clicks, decode_audio
from tests.ui.test_timeline_fixtures import film

CLICK = 6  # the frame of camera A's take (shot 1) that clicks


@pytest.fixture
def sound_window(window, tmp_path):
    """Shot 1 (camera A's red take with a click at its frame 6), then shot 2's silent still."""
    project, ids = film(tmp_path)
    rate = project.settings().rate
    audio.set_take_audio(project, ids["t_red"], click_sound(48, rate, CLICK, 0.8))
    for shot in (ids["s1"], ids["s2"]):
        timeline.insert_shot(project, shot).apply(project)
    path = project.path
    project.close()
    assert window.open_project(path)
    window.export_menu.multicam_action.setChecked(False)  # one picture track (camera B's angle left out): these tests count sound tracks
    return window


def export(window, qtbot, key, dest):
    with qtbot.waitSignal(window.export_menu.export_finished, timeout=60_000) as blocker:
        assert window.export_menu.export(key, dest) is not None
    return blocker.args[1]


def test_the_windows_cut_mp4_carries_the_mix_in_sync(sound_window, qtbot, tmp_path):
    menu = sound_window.export_menu
    assert menu.with_sound and menu.sound_action.isCheckable() and menu.sound_action in menu.menu.actions()
    cut = timeline.build_cut(sound_window.session.project)
    rate = cut.rate
    dest = tmp_path / "cut.mp4"
    result = export(sound_window, qtbot, "cut", dest)
    assert result.audio_samples == samples_for(cut.duration, rate)
    with av.open(str(dest)) as c:
        (stream,) = c.streams.audio
        assert (stream.codec_context.name, stream.rate, stream.channels) == ("aac", SAMPLE_RATE, 2)
        assert sum(1 for _ in c.decode(video=0)) == cut.duration
    heard = decode_audio(dest)
    assert [abs(f - frame_to_sample(CLICK, rate)) <= 4 for f in clicks(heard)] == [True]  # one click, on its frame


def test_with_sound_off_the_window_exports_picture_only(sound_window, qtbot, tmp_path):
    menu = sound_window.export_menu
    menu.sound_action.trigger()
    assert not menu.with_sound
    dest = tmp_path / "quiet.mp4"
    assert export(sound_window, qtbot, "cut", dest).audio_samples == 0
    with av.open(str(dest)) as c:
        assert not c.streams.audio
    edit = tmp_path / "quiet.otio"
    export(sound_window, qtbot, "otio", edit)
    back = otio.adapters.read_from_file(str(edit))  # kept: a temporary timeline's tracks read empty
    assert [t.kind for t in back.tracks] == ["Video"]


def test_the_windows_edit_files_carry_the_sound_tracks(sound_window, qtbot, tmp_path):
    edit = tmp_path / "cut.otio"
    export(sound_window, qtbot, "otio", edit)
    back = otio.adapters.read_from_file(str(edit))
    tracks = back.tracks
    assert [(t.name, t.kind) for t in tracks] == [("V1", "Video"), ("A1", "Audio")]
    (sound,) = list(tracks[1].find_clips())
    assert sound.trimmed_range_in_parent().start_time.value == 0
