"""The mix: gain, mute and solo change it by the expected dB; a silent take stays silent; stems."""

from __future__ import annotations

import numpy as np
import pytest

from director.core.audio import FADE, frame_to_sample
from director.export.audio_mix import export_stems, render_mix
from director.store import audio
from director.store import timeline as st
from director.store.audio_media import read_wav
from tests.export.sound_film import add_video_take, make_shot
from tests.store.test_audio_store import write_sound


def rms_db(x: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(np.square(x.astype(np.float64)))))


@pytest.fixture
def scene(project, tmp_path):
    """A 48-frame take with a steady tone as its own sound, and music on A2 over the same frames."""
    rate = project.settings().rate
    shot = make_shot(project, "1")
    take = add_video_take(project, shot, "A", 48, rate)
    n = frame_to_sample(48, rate)
    t = np.arange(n) / 48000
    audio.set_take_audio(project, take, np.repeat((0.25 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)[:, None], 2, axis=1))
    st.insert_shot(project, shot, take_id=take, duration=48).apply(project)
    tid = st.default_timeline_id(project)
    music, _ = audio.import_audio(project, write_sound(tmp_path / "music.wav", seconds=2.0, rate=48000))
    audio.add_clip(project, tid, music, 0).apply(project)
    return project, tid


def mix_of(project, tid, track=None):
    plan = audio.mix_plan(project, tid, st.build_cut(project, tid))
    return render_mix(plan, project.media)[FADE:-FADE]


def test_gain_mute_and_solo_change_the_mix_by_the_expected_db(scene):
    project, tid = scene
    both = mix_of(project, tid)
    audio.set_track(project, tid, "A2", mute=True).apply(project)
    take_only = mix_of(project, tid)
    audio.set_track(project, tid, "A2", mute=False).apply(project)
    audio.set_track(project, tid, "A2", solo=True).apply(project)
    music_only = mix_of(project, tid)
    assert np.allclose(take_only + music_only, both, atol=2e-4)
    assert rms_db(take_only) == pytest.approx(20 * np.log10(0.25 / np.sqrt(2)), abs=0.05)
    clip = audio.find_track(project, tid, "A2").clips[0]
    audio.set_clip_gain(project, clip.id, -6).apply(project)
    assert rms_db(mix_of(project, tid)) - rms_db(music_only) == pytest.approx(-6, abs=0.05)
    audio.set_track(project, tid, "A2", gain_db=-6).apply(project)
    assert rms_db(mix_of(project, tid)) - rms_db(music_only) == pytest.approx(-12, abs=0.05)
    audio.set_track(project, tid, "A1", solo=True).apply(project)  # two soloed tracks: both heard
    audio.set_track(project, tid, "A2", mute=True, solo=False).apply(project)
    assert rms_db(mix_of(project, tid)) == pytest.approx(rms_db(take_only), abs=0.05)
    clip_id = st.load_timeline(project, tid).tracks[0].items[0].id
    audio.set_clip_sound(project, clip_id, gain_db=-10).apply(project)
    assert rms_db(mix_of(project, tid)) - rms_db(take_only) == pytest.approx(-10, abs=0.05)


def test_a_take_without_sound_mixes_silence_and_is_not_counted(project):
    rate = project.settings().rate
    shot = make_shot(project, "1")
    take = add_video_take(project, shot, "A", 24, rate)
    st.insert_shot(project, shot, take_id=take).apply(project)
    tid = st.default_timeline_id(project)
    plan = audio.mix_plan(project, tid, st.build_cut(project, tid))
    assert not plan.has_sound and audio.take_sound(project) == {}
    mix = render_mix(plan, project.media)
    assert mix.shape == (frame_to_sample(24, rate), 2) and not mix.any()


def test_stems_are_one_wav_per_track_as_long_as_the_picture(scene, tmp_path):
    project, tid = scene
    audio.set_track(project, tid, "A2", mute=True).apply(project)  # a stem is the track, muted or not
    plan = audio.mix_plan(project, tid, st.build_cut(project, tid))
    paths = export_stems(plan, project.media, tmp_path / "stems", prefix="film_")
    assert [p.name for p in paths] == ["film_A1.wav", "film_A2.wav"]
    a1, a2 = (read_wav(p) for p in paths)
    assert len(a1) == len(a2) == plan.length
    assert rms_db(a1[FADE:-FADE]) == pytest.approx(20 * np.log10(0.25 / np.sqrt(2)), abs=0.05)
    assert rms_db(a2[FADE:-FADE]) == pytest.approx(20 * np.log10(0.5 / np.sqrt(2)), abs=0.05)
