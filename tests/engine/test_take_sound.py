"""A generated take's own sound: the LTX-2 twin's sound goes through the real worker into the store
(48 kHz stereo WAV named by its SHA-256, written with the take), its facts are recorded, `export
cut` plays it in sync with the picture, and a silent family's take stays silent."""

from __future__ import annotations

import json

import numpy as np
import pytest

from director.cli import main
from director.core.audio import FADE, SAMPLE_RATE, frame_to_sample, samples_for
from director.core.enums import JobState
from director.core.errors import InvalidInput, NotFound
from director.core.prompt import PromptFields
from director.core.timecode import Rate
from director.engine import actions
from director.engine.runner import JobRunner, wait_for
from director.engine.take_sound import SoundError, from_device, to_stored
from director.store import audio
from director.store import jobs as store_jobs
from director.store import timeline as st
from director.store.audio_media import read_wav, wav_samples, write_wav
from director.store.media import sha256_file
from director.store.project import Project
from director.store.prompts import write_prompt
from director.store.shots import add_shot
from director.store.takes import takes_of_job
from tests.engine.twin_cache import built
from tests.export.sound_film import decode_audio

RATE = Rate(24)


def _film(tmp_path) -> Project:
    project = Project.create(tmp_path / "film.director", fps="24", width=64, height=64)
    shot, _ = add_shot(project, "1", "Bell tower")
    write_prompt(project, shot.id, PromptFields(subject="a bell rings in a tower"))
    return project


def _generate(project: Project, engine, preset: str, seed: int = 5) -> list:
    runner = JobRunner(project, engine)
    queued = actions.queue_generation(project, "1", preset, params={"fps": 24, "frames": 17, "steps": 2},
                                      seed_mode="list", seeds=[seed])
    wait_for(runner, set(queued.job_ids), 240)
    job = store_jobs.get_job(project, queued.job_ids[0])
    assert job.state is JobState.DONE, job.error
    return takes_of_job(project, job.id)


def _lag(heard: np.ndarray, source: np.ndarray, start: int, length: int) -> int:
    """Where `heard[start:start+length]` sits in `source` (the best normalised correlation)."""
    window = heard[start : start + length, 0].astype(np.float64)
    src = source[:, 0].astype(np.float64)
    dots = np.correlate(src, window, mode="valid")
    energy = np.sqrt(np.convolve(src**2, np.ones(length), mode="valid")) + 1e-12
    return int(np.argmax(dots / energy)) - start


def test_an_ltx2_take_keeps_its_sound_and_the_cut_plays_it_in_sync(engine, tmp_path, capsys):
    built("tiny-ltx2-t2v")
    project = _film(tmp_path)
    try:
        (take,) = _generate(project, engine, "tiny-ltx2-t2v")
        (again,) = _generate(project, engine, "tiny-ltx2-t2v")
        stored = audio.take_sound(project)
        assert set(stored) == {take.id, again.id}
        relative, samples = stored[take.id]
        facts = take.extra["sound"]
        # content-addressed like the picture, and the recipe facts say what was kept
        assert relative == f"{facts['sha256'][:2]}/{facts['sha256'][2:]}.wav"
        assert sha256_file(project.media.path(relative)) == facts["sha256"]
        assert (facts["sample_rate"], facts["channels"], facts["model_sample_rate"], facts["model_channels"]) == (SAMPLE_RATE, 2, 16000, 2)
        assert samples == facts["samples"] == wav_samples(project.media.path(relative))
        assert abs(samples - 3 * facts["model_samples"]) <= 3  # 16 kHz → 48 kHz
        # the same seed makes the same sound, bit for bit, as it makes the same frames
        assert again.extra["sound"]["sha256"] == facts["sha256"] and stored[again.id][0] == relative
        sound = read_wav(project.media.path(relative))
        assert np.abs(sound).max() > 0.01
        # the take twice: record frames 0-9, then again from record frame 10
        for duration in (10, 17):
            st.insert_shot(project, take.shot_id, take_id=take.id, duration=duration).apply(project)
        frames = st.build_cut(project).duration
    finally:
        project.close()
    dest = tmp_path / "cut.mp4"
    assert main(["export", "cut", str(tmp_path / "film.director"), "-o", str(dest), "--no-progress", "--json", "--preset", "ultrafast"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["audio"] is True and out["audio_samples"] == samples_for(frames, RATE)
    heard = decode_audio(dest)
    assert len(heard) >= out["audio_samples"]
    # each clip's sound starts on its first frame's first sample (the twin's sound is 17 ms long;
    # past its fades, its samples are found in the file exactly where the clip starts)
    second = frame_to_sample(10, RATE)
    inner = slice(FADE, len(sound) - FADE)
    for at in (0, second):
        assert _lag(heard, sound, at + inner.start, inner.stop - inner.start) == -at
        assert np.abs(heard[at + inner.start : at + inner.stop, 0] - sound[inner, 0]).max() < 0.1  # AAC's error
    assert np.abs(heard[len(sound) + 500 : second - 500]).max() < 0.01  # silence where the sound ended
    assert np.abs(heard[second + len(sound) + 500 : out["audio_samples"]]).max() < 0.01


def test_a_silent_family_take_stays_silent(engine, tmp_path):
    project = _film(tmp_path)
    try:
        (take,) = _generate(project, engine, "tiny-t2v")
        assert "sound" not in take.extra and not audio.has_sound(project, take.id)
        st.insert_shot(project, take.shot_id, take_id=take.id).apply(project)
        cut = st.build_cut(project)
        assert not audio.mix_plan(project, st.default_timeline_id(project), cut).has_sound
    finally:
        project.close()


# -- the pieces, without a worker ------------------------------------------------------------------


def test_model_sound_is_resampled_to_48k_stereo_at_its_own_pitch_and_level():
    t = np.arange(16000) / 16000
    tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    out = to_stored(np.stack([tone, -tone]), 16000)
    assert out.shape[1] == 2 and abs(len(out) - 48000) <= 3 and out.dtype == np.float32
    spectrum = np.abs(np.fft.rfft(out[4000:44000, 0]))
    assert abs(np.argmax(spectrum) * SAMPLE_RATE / 40000 - 440) <= 2
    assert 0.48 < np.abs(out[4000:44000, 0]).max() < 0.52 and np.allclose(out[:, 0], -out[:, 1], atol=1e-6)
    mono = to_stored(tone[None, :], 16000)
    assert np.array_equal(mono[:, 0], mono[:, 1]) and 0.48 < np.abs(mono).max() < 0.52  # full level both sides
    assert np.array_equal(to_stored(np.stack([tone, tone]), 48000)[:, 0], tone)  # 48 kHz is kept as it is


def test_sound_that_cannot_be_kept_in_sync_is_refused_not_guessed():
    import torch

    assert from_device(None, None) is None  # a silent family
    with pytest.raises(SoundError, match="without its sample rate"):
        from_device(torch.zeros(2, 100), None)
    with pytest.raises(SoundError, match="3-channel"):
        to_stored(np.zeros((3, 100), np.float32), 16000)
    with pytest.raises(SoundError, match="not finite"):
        to_stored(np.full((2, 100), np.nan, np.float32), 16000)


def _finished_job(project: Project) -> tuple[int, dict]:
    queued = actions.queue_generation(project, "1", "tiny-t2v", seed_mode="list", seeds=[1])
    job_id = queued.job_ids[0]
    store_jobs.mark_running(project, job_id, device="cpu")
    media = project.media.put_bytes(b"picture", "mp4")
    return job_id, {"seed": 1, "variant": 0, "kind": "video", "media_path": media, "width": 64, "height": 64, "frames": 17,
                    "fps_num": 24, "fps_den": 1, "extra": {}}


def test_a_take_and_its_sound_commit_together_or_not_at_all(tmp_path):
    project = _film(tmp_path)
    try:
        job_id, values = _finished_job(project)
        temp = project.media.temp_path(".wav")
        n = write_wav(temp, np.full((4800, 2), 0.25, np.float32))
        wav = project.media.adopt(temp, "wav")
        with pytest.raises(NotFound, match="not in the store"):
            store_jobs.complete_job(project, job_id, {"gpu_s": 1.0}, [{**values, "sound": ("ab/" + "0" * 62 + ".wav", n)}])
        with pytest.raises(InvalidInput, match="holds 4800 samples, not the 4801"):
            store_jobs.complete_job(project, job_id, {"gpu_s": 1.0}, [{**values, "sound": (wav, n + 1)}])
        assert takes_of_job(project, job_id) == [] and audio.take_sound(project) == {}
        (take_id,), _ = store_jobs.complete_job(project, job_id, {"gpu_s": 1.0}, [{**values, "sound": (wav, n)}])
        assert audio.take_sound(project) == {take_id: (wav, 4800)}
    finally:
        project.close()
