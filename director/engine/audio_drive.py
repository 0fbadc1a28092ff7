"""Audio to video: a sound from the bin drives the picture (LTX-2's audio-to-video).

diffusers 0.42 does this with `LTX2DFRPipeline` (pipelines/ltx2/pipeline_ltx2_dfr.py): the same
components as `LTX2Pipeline` (so it is made from the loaded pipeline with `from_pipe`, nothing
loaded twice), called with the sound's latents and `freeze_audio=True`, which holds the audio at
sigma 0 while the video denoises and attends to it. The DFR call runs the distilled schedule of
pipelines/ltx2/utils.py (`DISTILLED_SIGMA_VALUES`, 8 steps); the job's step count does not apply.

App side (`takes_audio`, `recipe_audio`, `request_audio`): which presets can be driven, and the
recipe's record of the sound (its bin name, media file, SHA-256 and where in it the clip starts).
Worker side (`drive`): the stored 48 kHz WAV → the audio VAE's rate → log-mel → latents, cut to the
clip's length. The take's own sound is the driving slice itself, sample for sample, not the VAE's
re-synthesis of it: it is what the picture was made to.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from director.core import audio as ca
from director.core.errors import InvalidInput
from director.engine.presets import Preset
from director.store.audio import AudioFile
from director.store.media import sha256_file_cached
from director.store.project import Project

DRIVEN_PIPELINES = ("LTX2Pipeline",)
# LTX-2's audio features: a 1024-point Hann STFT, magnitude, Slaney mel bank up to Nyquist, natural
# log clamped at 1e-5; the rate, hop and number of mel bins come from the audio VAE's config.
N_FFT = 1024
LOG_FLOOR = 1e-5


def takes_audio(preset: Preset) -> str:
    """'' when a sound can drive this preset's picture, else why not."""
    if preset.pipeline in DRIVEN_PIPELINES:
        return ""
    return (f"{preset.label} ({preset.pipeline}) cannot be driven by a sound; pick an LTX-2 text-to-video "
            "preset (ltx2 or ltx2-distilled), which makes picture to a sound you bring")


def recipe_audio(project: Project, sound: AudioFile, from_sample: int = 0) -> dict:
    """What the recipe records of a driving sound; refused when the start is outside it."""
    if from_sample < 0 or from_sample >= sound.samples:
        raise InvalidInput(f"{sound.name} is {sound.seconds:.2f} s long; start inside it "
                           f"(asked for {from_sample / ca.SAMPLE_RATE:.2f} s)")
    return {"audio_id": sound.id, "name": sound.name, "media_path": sound.media_path,
            "sha256": sha256_file_cached(project.media.path(sound.media_path)), "from_sample": int(from_sample)}


def request_audio(project: Project, audio: dict) -> dict:
    """The recipe's driving sound with its absolute path, checked against the recorded SHA-256."""
    from director.engine.steering import checked_path

    return {"path": checked_path(project, audio["media_path"], audio.get("sha256"), "driving sound"),
            "from_sample": int(audio["from_sample"]), "name": audio.get("name", "")}


# -- in the worker -----------------------------------------------------------------------------


def driving_slice(audio: dict, frames: int, fps) -> np.ndarray:
    """The clip's stretch of the sound as (n, 2) float32 at 48 kHz, silence added at its end where
    the sound is shorter than the clip."""
    from director.core.timecode import Rate
    from director.store.audio_media import read_wav

    n = ca.samples_for(frames, Rate.parse(str(fps)))
    samples = read_wav(Path(audio["path"]))[audio["from_sample"]: audio["from_sample"] + n]
    if len(samples) < n:
        samples = np.concatenate([samples, np.zeros((n - len(samples), samples.shape[1]), np.float32)])
    return np.ascontiguousarray(samples)


def slaney_mel_bank(rate: int, n_fft: int, n_mels: int) -> np.ndarray:
    """(n_mels, n_fft // 2 + 1) triangular filters on the Slaney mel scale, area-normalised."""
    def hz_to_mel(f):
        f = np.asarray(f, dtype=np.float64)
        linear = f / (200.0 / 3)
        log = 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
        return np.where(f >= 1000.0, log, linear)

    def mel_to_hz(m):
        m = np.asarray(m, dtype=np.float64)
        return np.where(m >= 15.0, 1000.0 * np.exp((np.log(6.4) / 27.0) * (m - 15.0)), m * (200.0 / 3))

    bins = np.linspace(0, rate / 2, n_fft // 2 + 1)
    edges = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(rate / 2), n_mels + 2))
    lower = (bins[None, :] - edges[:-2, None]) / (edges[1:-1] - edges[:-2])[:, None]
    upper = (edges[2:, None] - bins[None, :]) / (edges[2:] - edges[1:-1])[:, None]
    bank = np.maximum(0.0, np.minimum(lower, upper))
    return (bank * (2.0 / (edges[2:] - edges[:-2]))[:, None]).astype(np.float32)


def log_mel(samples: np.ndarray, rate: int, hop: int, n_mels: int):
    """(1, channels, time, n_mels) log-mel of (n, channels) samples at `rate`."""
    import torch

    wave = torch.from_numpy(np.ascontiguousarray(samples.T))
    spec = torch.stft(wave, N_FFT, hop_length=hop, win_length=N_FFT, window=torch.hann_window(N_FFT),
                      center=True, pad_mode="reflect", return_complex=True).abs()
    mel = torch.from_numpy(slaney_mel_bank(rate, N_FFT, n_mels)) @ spec
    return torch.log(torch.clamp(mel, min=LOG_FLOOR)).permute(0, 2, 1).unsqueeze(0).contiguous()


def at_rate(samples: np.ndarray, rate: int) -> np.ndarray:
    """(n, 2) float32 at 48 kHz → (n', 2) at `rate`."""
    from director.engine.take_sound import resample

    return resample(np.ascontiguousarray(samples.T), ca.SAMPLE_RATE, rate).astype(np.float32, copy=False)


def latents_for(pipe, samples: np.ndarray, frames: int, fps: float):
    """The audio VAE's latents of the driving samples, as many as the pipeline's clip has."""
    import torch

    vae = pipe.audio_vae
    rate, hop = int(vae.config.sample_rate), int(vae.config.mel_hop_length)
    mel = log_mel(at_rate(samples, rate), rate, hop, int(vae.config.mel_bins))
    if mel.shape[1] != vae.config.in_channels:
        mel = mel.mean(dim=1, keepdim=True).expand(-1, vae.config.in_channels, -1, -1).contiguous()
    with torch.inference_mode():
        latents = vae.encode(mel.to(vae.device, vae.dtype)).latent_dist.mode()
    from diffusers.pipelines.ltx2.dfr_layout import resolve_canvas

    canvas, _, _ = resolve_canvas(frames, pipe.vae_temporal_compression_ratio)
    wanted = round(canvas / fps * rate / hop / float(pipe.audio_vae_temporal_compression_ratio))
    if latents.shape[2] >= wanted:
        return latents[:, :, :wanted]
    pad = latents[:, :, -1:].expand(-1, -1, wanted - latents.shape[2], -1)
    return torch.cat([latents, pad], dim=2)


@dataclass(frozen=True)
class Drive:
    """A job's audio to video, made once for all its variants: the DFR pipeline sharing the loaded
    one's components, its audio arguments, and the take's sound ((n, 2) float32 at 48 kHz)."""

    pipe: object
    kwargs: dict
    sound: np.ndarray


def prepare(pipe, audio: dict, params: dict) -> Drive:
    """The Drive of a job. Keyframe slots are generated only where the checkpoint has their learned
    marker (LTX-2.5 and later), as the DFR recipe does."""
    from diffusers import LTX2DFRPipeline

    driven = LTX2DFRPipeline.from_pipe(pipe)
    samples = driving_slice(audio, params["frames"], params["fps"])
    latents = latents_for(driven, samples, params["frames"], float(params["fps"]))
    slots = bool(getattr(driven.transformer.config, "use_keyframes_abs_pos_embedding", False))
    return Drive(driven, {"audio_latents": latents, "freeze_audio": True, "generate_slots": slots}, samples)
