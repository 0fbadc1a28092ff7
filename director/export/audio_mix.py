"""Render a mix plan (core.audio.MixPlan, built by store.audio.mix_plan) into samples, AAC and WAV.

Touches no database, only the stored WAVs, so it runs on an export thread like the picture. The
mix is float32 (n, 2) at 48 kHz, exactly `plan.length` samples: the picture's length. Pieces are
added with their gain and their fades (linear ramps); a track's gain and mute/solo apply on top.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from director.core.audio import CHANNELS, MIN_GAIN_DB, SAMPLE_RATE, MixPlan, MixTrack, db_to_gain
from director.core.timecode import Rate
from director.core.errors import InvalidInput
from director.export.common import ExportCancelled, atomic_output, safe_name
from director.export.frames import MediaPaths
from director.store.audio_media import read_wav, write_wav

TIME_BASE = Fraction(1, SAMPLE_RATE)


class _Sources:
    """Each stored sound read once per export."""

    def __init__(self, plan: MixPlan, media: MediaPaths):
        self.plan, self.media = plan, media
        self._cache: dict = {}

    def __call__(self, key) -> np.ndarray:
        if key not in self._cache:
            relative = self.plan.files.get(key)
            if relative is None:
                raise InvalidInput(f"no stored sound for {key[0]} {key[1]}")
            self._cache[key] = read_wav(self.media.path(relative))
        return self._cache[key]


def _add_track(out: np.ndarray, track: MixTrack, sources: _Sources, length: int, start: int = 0) -> None:
    """Add a track's pieces to `out`, which holds record samples [start, start + len(out)) of a mix
    `length` samples long. A window gets exactly the samples the whole render has there (the fades
    are computed on the whole piece, then sliced), so a viewer playing in chunks hears the export."""
    gain = db_to_gain(track.gain_db)
    end = start + len(out)
    for p in track.pieces:
        src = sources((p.kind, p.source))[p.source_in : p.source_in + p.duration]
        n = min(len(src), length - p.record_start)
        lo, hi = max(0, start - p.record_start), min(n, end - p.record_start)
        if hi <= lo:
            continue
        chunk = src[lo:hi] * np.float32(p.gain * gain)
        if p.fade_in:
            k = min(p.fade_in, n)
            if lo < k:
                ramp = np.linspace(0.0, 1.0, k, endpoint=False, dtype=np.float32)[:, None]
                chunk[: min(hi, k) - lo] *= ramp[lo : min(hi, k)]
        if p.fade_out and n == p.duration:
            k = min(p.fade_out, n)
            if hi > n - k:
                ramp = np.linspace(1.0, 0.0, k + 1, dtype=np.float32)[1:, None]
                a = max(lo, n - k)
                chunk[a - lo :] *= ramp[a - (n - k) : hi - (n - k)]
        out[p.record_start + lo - start : p.record_start + hi - start] += chunk


def render_mix(plan: MixPlan, media: MediaPaths) -> np.ndarray:
    """The heard mix: soloed tracks if any, else every unmuted one. Silence where nothing plays."""
    return Mixer(plan, media).render(0, plan.length)


class Mixer:
    """The heard mix rendered a window at a time (the program viewer's sound), each stored sound
    read once; `render(0, plan.length)` is the export's mix, sample for sample."""

    def __init__(self, plan: MixPlan, media: MediaPaths):
        self.plan = plan
        self.sources = _Sources(plan, media)

    def render(self, start: int, count: int) -> np.ndarray:
        start = max(0, min(int(start), self.plan.length))
        out = np.zeros((max(0, min(int(count), self.plan.length - start)), CHANNELS), np.float32)
        for track in self.plan.audible():
            _add_track(out, track, self.sources, self.plan.length, start)
        return out


def render_track(plan: MixPlan, media: MediaPaths, name: str) -> np.ndarray:
    """One track alone with its gain (a stem: mute and solo are the mixer's, not the track's sound)."""
    out = np.zeros((plan.length, CHANNELS), np.float32)
    for track in plan.tracks:
        if track.name == name:
            _add_track(out, track, _Sources(plan, media), plan.length)
    return out


def write_wav_file(samples: np.ndarray, dest: str | os.PathLike) -> Path:
    """A WAV at `dest`, written beside it and renamed when whole."""
    with atomic_output(dest) as temp:
        write_wav(temp, samples)
    return Path(dest).expanduser().absolute()


def export_stems(
    plan: MixPlan, media: MediaPaths, folder: str | os.PathLike, prefix: str = "", *, progress=None, is_cancelled=None,
) -> list[Path]:
    """One WAV per track (`PREFIX_A1.wav`…), each as long as the picture. `progress(done, total)`
    after each track; `is_cancelled()` stops before the next one (each WAV is whole or absent)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, t in enumerate(plan.tracks):
        if is_cancelled is not None and is_cancelled():
            raise ExportCancelled("stems cancelled")
        paths.append(write_wav_file(render_track(plan, media, t.name), folder / f"{prefix}{safe_name(t.name)}.wav"))
        if progress is not None:
            progress(i + 1, len(plan.tracks))
    return paths


def export_cut_with_sound(cut, media: MediaPaths, dest: str | os.PathLike, options, plan: MixPlan | None, *,
                          progress=None, is_cancelled=None, skip_missing: bool = False):
    """The cut MP4 with the AAC mix of `plan` (None: no audio stream), the one export `director
    export cut` and the window's File > Export share. Reads only files (an export thread's work);
    the plan is read from the project beforehand (store.audio.mix_plan)."""
    from director.export.mp4 import export_cut_mp4

    mix = render_mix(plan, media) if plan is not None else None
    return export_cut_mp4(cut, media, dest, options, progress=progress, is_cancelled=is_cancelled,
                          skip_missing=skip_missing, audio=mix)


class AacTrack:
    """An AAC stereo 48 kHz stream in a PyAV container, fed up to a sample as the picture advances
    (so the file interleaves sound and picture), then flushed with the rest."""

    def __init__(self, container, samples: np.ndarray):
        import av

        self._av = av
        self.container = container
        self.samples = samples
        self.stream = container.add_stream("aac", rate=SAMPLE_RATE)
        self.stream.layout = "stereo"
        self.stream.bit_rate = 192_000
        self.stream.codec_context.time_base = TIME_BASE
        self.sent = 0

    def feed(self, until: int) -> None:
        size = self.stream.codec_context.frame_size or 1024
        until = min(until, len(self.samples))
        while self.sent + size <= until:
            self._send(self.samples[self.sent : self.sent + size])

    def finish(self) -> None:
        size = self.stream.codec_context.frame_size or 1024
        while self.sent < len(self.samples):
            self._send(self.samples[self.sent : self.sent + size])
        self.container.mux(self.stream.encode(None))

    def _send(self, chunk: np.ndarray) -> None:
        frame = self._av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk.T, dtype=np.float32), format="fltp", layout="stereo")
        frame.sample_rate = SAMPLE_RATE
        frame.pts = self.sent
        frame.time_base = TIME_BASE
        self.container.mux(self.stream.encode(frame))
        self.sent += len(chunk)


# -- sound for the interchange files ---------------------------------------------------------------


@dataclass(frozen=True)
class SoundClip:
    """One piece of a track as an editing suite places it: a WAV beside the edit, from `source_in`
    for `duration` samples at record sample `record_start`, with its gain (fades are the suite's)."""

    path: Path
    record_start: int
    source_in: int
    duration: int
    available: int  # the file's length in samples
    gain_db: float = 0.0

    @property
    def record_end(self) -> int:
        return self.record_start + self.duration


@dataclass(frozen=True)
class SoundLane:
    name: str
    clips: tuple[SoundClip, ...]
    mute: bool = False
    solo: bool = False
    gain_db: float = 0.0


def sound_file_name(key: tuple[str, int]) -> str:
    return f"take{key[1]}_sound.wav" if key[0] == "take" else f"sound{key[1]}.wav"


def export_sound_media(plan: MixPlan, media: MediaPaths, folder: Path) -> dict[tuple[str, int], Path]:
    """Copy each sound the plan plays into `folder` once (a whole-file rename; an identical copy kept)."""
    import filecmp
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    used = {(p.kind, p.source) for t in plan.tracks for p in t.pieces}
    out = {}
    for key in sorted(used):
        source = media.path(plan.files[key])
        target = folder / sound_file_name(key)
        if not (target.exists() and filecmp.cmp(source, target, shallow=False)):
            with atomic_output(target) as temp:
                shutil.copyfile(source, temp)
        out[key] = target
    return out


def sound_lanes(plan: MixPlan, files: dict[tuple[str, int], Path]) -> list[SoundLane]:
    """The plan's tracks that play something, as lanes of clips naming the copied files."""
    lanes = []
    for t in plan.tracks:
        clips = tuple(
            SoundClip(files[(p.kind, p.source)], p.record_start, p.source_in, p.duration, plan.available[(p.kind, p.source)],
                      round(20 * math.log10(p.gain), 3) if p.gain > 0 else MIN_GAIN_DB)
            for p in t.pieces
        )
        if clips:
            lanes.append(SoundLane(t.name, clips, t.mute, t.solo, t.gain_db))
    return lanes


def at_rate(samples: int, rate: Rate) -> Fraction:
    """A sample count as frames of `rate` (exact; whole frames where the sound sits on frame edges)."""
    return Fraction(samples) * rate.fraction / SAMPLE_RATE
