"""Audio to video: a sound from the bin drives an LTX-2 take through the real worker. The twin's
audio VAE encodes the sound, the DFR pipeline holds it while the picture denoises, and the take
keeps the driving stretch of the sound sample for sample."""

from __future__ import annotations

import json

import numpy as np
import pytest

from director.cli import main
from director.core.audio import SAMPLE_RATE, samples_for
from director.core.enums import JobState
from director.core.errors import InvalidInput
from director.core.prompt import PromptFields
from director.core.timecode import Rate
from director.engine import actions
from director.engine.audio_drive import log_mel, recipe_audio, slaney_mel_bank
from director.engine.runner import JobRunner, wait_for
from director.store import audio
from director.store import jobs as store_jobs
from director.store.audio_media import read_wav, write_wav
from director.store.project import Project
from director.store.prompts import write_prompt
from director.store.shots import add_shot
from director.store.takes import takes_of_job
from tests.engine.twin_cache import built

FRAMES, FPS = 17, 24


def _film(tmp_path) -> Project:
    project = Project.create(tmp_path / "film.director", fps="24", width=64, height=64)
    shot, _ = add_shot(project, "1", "Drummer")
    write_prompt(project, shot.id, PromptFields(subject="a drummer plays a fill"))
    return project


def _sound(project: Project, tmp_path, name: str, seed: int, seconds: float = 2.0):
    rng = np.random.default_rng(seed)
    n = int(seconds * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    beat = (np.sin(2 * np.pi * (110 + 220 * seed) * t) * (np.sin(2 * np.pi * 2 * t) > 0)).astype(np.float32)
    samples = np.stack([beat, beat], axis=1) * 0.5 + rng.normal(0, 0.01, (n, 2)).astype(np.float32)
    path = tmp_path / f"{name}.wav"
    write_wav(path, samples)
    sound, _ = audio.import_audio(project, path, name)
    return sound


def _driven(project: Project, engine, sound, from_sample: int = 0, seed: int = 5):
    runner = JobRunner(project, engine)
    queued = actions.queue_generation(project, "1", "tiny-ltx2-t2v", params={"fps": FPS, "frames": FRAMES, "steps": 2},
                                      seed_mode="list", seeds=[seed], audio=recipe_audio(project, sound, from_sample))
    wait_for(runner, set(queued.job_ids), 240)
    job = store_jobs.get_job(project, queued.job_ids[0])
    assert job.state is JobState.DONE, job.error
    return takes_of_job(project, job.id)[0]


def test_a_sound_drives_the_picture_and_the_take_keeps_that_sound(tmp_path, engine):
    built("tiny-ltx2-t2v")
    project = _film(tmp_path)
    drums, bass = _sound(project, tmp_path, "drums", 1), _sound(project, tmp_path, "bass", 2)
    start = SAMPLE_RATE // 2
    a = _driven(project, engine, drums, start)
    again = _driven(project, engine, drums, start)
    other = _driven(project, engine, bass, start)
    # The picture follows the sound: the same sound and seed give the same frames, another sound other frames.
    assert a.extra["frames_sha256"] == again.extra["frames_sha256"]
    assert a.extra["frames_sha256"] != other.extra["frames_sha256"]
    # The take's sound is the driving stretch, sample for sample, as long as the picture.
    kept = read_wav(project.media.path(audio.take_sound(project, [a.id])[a.id][0]))
    source = read_wav(project.media.path(drums.media_path))
    n = samples_for(FRAMES, Rate(FPS))
    assert kept.shape == (n, 2)
    assert np.array_equal(kept, source[start:start + n])
    assert a.extra["sound"]["driven_by"] == {"name": "drums", "from_sample": start}
    recipe = store_jobs.job_recipe(project, a.job_id)
    assert recipe.audio["name"] == "drums" and recipe.audio["from_sample"] == start
    project.close()


def test_a_family_that_cannot_be_driven_is_refused_before_queueing(tmp_path):
    project = _film(tmp_path)
    drums = _sound(project, tmp_path, "drums", 1)
    with pytest.raises(InvalidInput, match="cannot be driven by a sound"):
        actions.queue_generation(project, "1", "tiny-t2v", audio=recipe_audio(project, drums))
    with pytest.raises(InvalidInput, match="start inside it"):
        recipe_audio(project, drums, drums.samples)
    assert store_jobs.list_jobs(project) == []
    project.close()


def test_generate_audio_on_the_command_line(tmp_path, engine, capsys):
    built("tiny-ltx2-t2v")
    project = _film(tmp_path)
    _sound(project, tmp_path, "drums", 1)
    path = str(project.path)
    project.close()
    assert main(["generate", path, "--shot", "1", "--preset", "tiny-ltx2-t2v", "--variants", "1", "--frames", str(FRAMES),
                 "--fps", str(FPS), "--steps", "2", "--audio", "drums", "--audio-from", "0.25"]) == 0
    with Project.open(path) as project:
        take = store_jobs.list_jobs(project)[0]
        t = takes_of_job(project, take.id)[0]
        assert t.extra["sound"]["driven_by"] == {"name": "drums", "from_sample": SAMPLE_RATE // 4}
    assert main(["generate", path, "--shot", "1", "--preset", "tiny-t2v", "--audio", "drums"]) == 1
    assert "cannot be driven by a sound" in capsys.readouterr().err


def test_log_mel_puts_a_tone_in_its_mel_band():
    rate, n_mels = 16000, 64
    t = np.arange(rate) / rate
    tone = np.sin(2 * np.pi * 1000 * t).astype(np.float32)
    mel = log_mel(np.stack([tone, tone], 1), rate, 160, n_mels)
    assert tuple(mel.shape) == (1, 2, 101, n_mels)
    loudest = int(mel[0, 0, 50].argmax())
    bank = slaney_mel_bank(rate, 1024, n_mels)
    bin_1k = round(1000 / (rate / 2) * 512)
    assert loudest == int(bank[:, bin_1k].argmax())
