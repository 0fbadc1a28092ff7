"""A generated take's own sound, in the one form the store keeps every sound: 48 kHz stereo WAV.

The model's sound comes at its vocoder's rate (LTX-2: channels × samples, float). It is resampled
on the writer thread with libswresample through PyAV, which is deterministic, so a seed's sound
reproduces bit for bit like its frames. Mono is copied to both sides at full level, as imports are
(store.audio_media). A family that makes no sound gives None and its take stays silent: nothing
here ever invents sound.
"""

from __future__ import annotations

import io

import numpy as np

from director.core.audio import CHANNELS, SAMPLE_RATE
from director.core.errors import DirectorError
from director.store.audio_media import write_wav

LAYOUTS = {1: "mono", 2: "stereo"}


class SoundError(DirectorError):
    """The model's sound cannot be stored as it is (no rate, no samples, not finite)."""


def from_device(audio, rate: int | None):
    """(channels × samples float32 in host memory, rate) of a pipeline's sound, or None when the
    family made none. A sound without a known rate is refused: played at a guessed rate it would
    drift against its picture."""
    if audio is None:
        return None
    if not rate:
        raise SoundError("the model returned sound without its sample rate; the take cannot keep it in sync")
    samples = audio.detach().float().cpu().numpy()
    if samples.ndim == 1:
        samples = samples[None, :]
    return np.ascontiguousarray(samples, dtype=np.float32), int(rate)


def to_stored(samples: np.ndarray, rate: int) -> np.ndarray:
    """channels × samples at `rate` → (n, 2) float32 at 48 kHz."""
    channels = samples.shape[0]
    if channels not in LAYOUTS:
        raise SoundError(f"the model returned {channels}-channel sound; a take keeps mono or stereo")
    if samples.shape[1] == 0:
        raise SoundError("the model returned sound with no samples")
    if not np.isfinite(samples).all():
        raise SoundError("the model returned sound with invalid (not finite) samples")
    out = resample(samples, rate, SAMPLE_RATE)
    if channels == 1:
        out = np.repeat(out, CHANNELS, axis=1)
    return out.astype(np.float32, copy=False)


def resample(samples: np.ndarray, rate: int, to_rate: int) -> np.ndarray:
    """channels × samples at `rate` → (n, channels) float32 at `to_rate`, with libswresample
    through PyAV (deterministic). Mono or stereo."""
    channels = samples.shape[0]
    if rate == to_rate:
        return samples.T.copy()
    import av

    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples), format="fltp", layout=LAYOUTS[channels])
    frame.sample_rate = rate
    frame.pts = 0
    resampler = av.AudioResampler(format="flt", layout=LAYOUTS[channels], rate=to_rate)
    chunks = [f.to_ndarray().reshape(-1, channels) for f in resampler.resample(frame)]
    chunks += [f.to_ndarray().reshape(-1, channels) for f in resampler.resample(None)]
    return np.concatenate(chunks) if chunks else np.zeros((0, channels), np.float32)


def wav_bytes(stored: np.ndarray) -> tuple[bytes, int]:
    """The stored WAV's bytes (hashed as they are written) and its number of samples."""
    buffer = io.BytesIO()
    n = write_wav(buffer, stored)
    return buffer.getvalue(), n


def facts(model_samples: np.ndarray, model_rate: int, samples: int, sha256: str) -> dict:
    """What the take's recipe facts say about its sound: what the model made and what was kept."""
    import av

    return {
        "sha256": sha256,
        "sample_rate": SAMPLE_RATE,
        "channels": CHANNELS,
        "samples": samples,
        "model_sample_rate": model_rate,
        "model_channels": int(model_samples.shape[0]),
        "model_samples": int(model_samples.shape[1]),
        "resampler": "none" if model_rate == SAMPLE_RATE else f"libswresample (PyAV {av.__version__})",
    }
