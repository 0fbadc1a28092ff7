"""Sound files in the media store: anything PyAV decodes becomes 48 kHz stereo 16-bit WAV.

One stored form for every sound (imported or generated with a take), so the mix reads samples
straight off the file with no decoder, and a sample index means the same instant everywhere.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from director.core.audio import CHANNELS, SAMPLE_RATE
from director.core.errors import InvalidInput

IMPORTABLE = (".wav", ".flac", ".mp3", ".aac", ".m4a")
MAX_SECONDS = 4 * 3600


def decode(path: Path) -> np.ndarray:
    """Every audio sample of a file as float32 (n, 2) at 48 kHz; a clear InvalidInput for anything
    that is not sound (nothing is written either way)."""
    import av

    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"no sound file at {path}")
    try:
        container = av.open(str(path))
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(f"{path.name} is not a sound file PyAV can read ({exc}); import WAV, FLAC, MP3 or AAC") from None
    try:
        if not container.streams.audio:
            raise InvalidInput(f"{path.name} has no audio stream; import WAV, FLAC, MP3 or AAC")
        stream = container.streams.audio[0]
        # Mono is copied to both sides at full level (a downmix matrix would lower it by 3 dB).
        mono = stream.codec_context.channels == 1
        layout = "mono" if mono else "stereo"
        resampler = av.AudioResampler(format="flt", layout=layout, rate=SAMPLE_RATE)
        chunks: list[np.ndarray] = []
        total = 0
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1, 1 if mono else CHANNELS))
                    total += out.samples
                if total > MAX_SECONDS * SAMPLE_RATE:
                    raise InvalidInput(f"{path.name} is longer than {MAX_SECONDS // 3600} hours; cut it shorter before importing")
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1, 1 if mono else CHANNELS))
        except av.FFmpegError as exc:
            raise InvalidInput(f"{path.name} is damaged: decoding failed ({exc})") from None
    finally:
        container.close()
    samples = np.concatenate(chunks) if chunks else np.zeros((0, CHANNELS), np.float32)
    if mono:
        samples = np.repeat(samples, CHANNELS, axis=1)
    if not len(samples):
        raise InvalidInput(f"{path.name} holds no sound (zero samples)")
    if not np.isfinite(samples).all():
        raise InvalidInput(f"{path.name} decodes to invalid samples (not finite)")
    return samples.astype(np.float32, copy=False)


def to_pcm16(samples: np.ndarray) -> bytes:
    """float (n, channels) in [-1, 1] → interleaved little-endian int16 stereo (mono doubled)."""
    samples = np.asarray(samples, dtype=np.float32)
    if samples.ndim == 1:
        samples = samples[:, None]
    if samples.shape[1] == 1:
        samples = np.repeat(samples, CHANNELS, axis=1)
    if samples.shape[1] != CHANNELS:
        raise InvalidInput(f"sound must be mono or stereo, got {samples.shape[1]} channels")
    return (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()


def write_wav(path, samples: np.ndarray) -> int:
    """48 kHz stereo 16-bit WAV at a path or into a binary file object (the worker writes it in
    memory to hash it as it lands); returns the number of sample frames written."""
    data = to_pcm16(samples)
    with wave.open(path if hasattr(path, "write") else str(path), "wb") as w:
        w.setnchannels(CHANNELS)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(data)
    return len(data) // (2 * CHANNELS)


def read_wav(path: Path) -> np.ndarray:
    """A stored WAV as float32 (n, 2)."""
    with wave.open(str(path), "rb") as w:
        if w.getframerate() != SAMPLE_RATE or w.getnchannels() != CHANNELS or w.getsampwidth() != 2:
            raise InvalidInput(f"{Path(path).name} is not a stored sound (48 kHz stereo 16-bit WAV)")
        data = w.readframes(w.getnframes())
    return np.frombuffer(data, dtype="<i2").reshape(-1, CHANNELS).astype(np.float32) / 32767.0


def wav_samples(path: Path) -> int:
    with wave.open(str(path), "rb") as w:
        return w.getnframes()
