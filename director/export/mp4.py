"""Cut → H.264 MP4 through PyAV's libx264 (opencv's wheel cannot encode H.264).

Constant frame rate at the cut's rate, yuv420p so every player opens it, every take conformed to
the output size, frame-exact cuts from the core frame map (core.cut.source_frame, the one every
interchange file names). Tagged and streamable: BT.709 (HD) or BT.601 (SD) primaries, transfer and
matrix with limited range, converted into exactly that (export.colour), the index (moov) at the
front (+faststart), and a timecode track starting at the project's programme start. With a mix
(export.audio_mix) it carries one AAC stereo 48 kHz stream exactly as long as the picture, fed as the
picture advances so the two interleave. Written beside
the destination and renamed at the end, so a cancel or a crash never leaves a half-written file
under the user's name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from director.core.audio import frame_to_sample, samples_for
from director.core.cut import Cut, CutSegment
from director.core.errors import DirectorError, InvalidInput
from director.core.smpte import DEFAULT_START, RecordClock
from director.core.timecode import Rate
from director.export.audio_mix import AacTrack
from director.export.colour import Colour, for_size, to_output
from director.export.common import X264_PRESETS, CancelFn, ProgressFn, Reporter, atomic_output
from director.export.frames import MediaIssue, MediaPaths, Prefetch, Skipped, check_media, cut_frames


@dataclass(frozen=True)
class Mp4Options:
    """crf: 0 (lossless) to 51, 18 ≈ visually lossless. width/height 0 = the cut's size."""

    crf: int = 18
    preset: str = "medium"
    width: int = 0
    height: int = 0
    burn_in: bool = False
    threads: int = 0  # 0 = libx264 decides (one per core)
    start_timecode: str = DEFAULT_START  # the project's programme start (store.edit_settings)
    drop_frame: bool = False
    sound_takes: frozenset = frozenset()  # takes with their own sound: the burn-in says "sound"

    def validate(self) -> None:
        if not 0 <= self.crf <= 51:
            raise InvalidInput(f"CRF must be 0 to 51 (18 is visually lossless), got {self.crf}")
        if self.preset not in X264_PRESETS:
            raise InvalidInput(f"unknown x264 preset {self.preset!r}; use one of: {', '.join(X264_PRESETS)}")


@dataclass(frozen=True)
class Mp4Result:
    path: Path
    frames: int
    width: int
    height: int
    rate: Rate
    skipped: tuple[MediaIssue, ...] = ()  # takes left out (black in their place) with skip_missing
    colour: str = ""  # 'bt709' | 'bt601'
    audio_samples: int = 0  # samples of the AAC mix (0: no audio stream)

    @property
    def seconds(self) -> Fraction:
        return self.rate.seconds(self.frames)


def output_size(cut: Cut, options: Mp4Options) -> tuple[int, int]:
    width, height = options.width or cut.width, options.height or cut.height
    if width <= 0 or height <= 0:
        raise InvalidInput("the cut has no frame size; give one with width and height")
    # yuv420p stores colour at half resolution in both directions, so x264 refuses odd sizes.
    if width % 2 or height % 2:
        raise InvalidInput(f"H.264 (yuv420p) needs an even frame size, got {width}x{height}")
    return width, height


def burn_in(picture: np.ndarray, seg: CutSegment | None, record_frame: int, rate: Rate, clock: RecordClock | None = None,
            sound_takes: frozenset = frozenset()) -> np.ndarray:
    """Shot code, camera, take and record timecode in a dark band at the bottom (a review copy's slate)."""
    out = picture.copy()  # the picture may be shared by repeated frames: never draw on it
    parts = []
    if seg is not None and seg.take_id is not None:
        parts += [seg.shot_code or "?", f"cam {seg.camera or '-'}", f"take {seg.take_id}" + (" sound" if seg.take_id in sound_takes else "")]
    else:
        parts.append("black")
    parts.append(clock.timecode(record_frame) if clock is not None else rate.timecode(record_frame))
    text = "   ".join(parts)
    h, w = out.shape[:2]
    scale = max(0.4, h / 720 * 0.9)
    thick = max(1, round(scale * 2))
    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
    pad = max(4, th // 2)
    y0 = h - th - base - 2 * pad
    band = out[y0:h, 0 : min(w, tw + 2 * pad)]
    band[:] = (band * 0.35).astype(np.uint8)
    cv2.putText(out, text, (pad, h - base - pad), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), thick, cv2.LINE_AA)
    return out


def export_cut_mp4(
    cut: Cut,
    media: MediaPaths,
    dest: str | os.PathLike,
    options: Mp4Options = Mp4Options(),
    *,
    progress: ProgressFn | None = None,
    is_cancelled: CancelFn | None = None,
    skip_missing: bool = False,
    audio: np.ndarray | None = None,
) -> Mp4Result:
    """Encode the whole cut to `dest`; raises ExportCancelled if `is_cancelled()` turns true.

    `media` resolves the segments' store-relative paths (a project's MediaStore). Safe to call
    from a worker thread: it touches no database, only media files. A take whose media is missing,
    damaged or tampered raises TakeMediaError naming it (nothing is left at `dest`); with
    skip_missing it plays black for its length instead and is listed in the result's `skipped`.
    `audio` is the mix, float32 (n, 2) at 48 kHz and exactly as long as the picture.
    """
    options.validate()
    width, height = output_size(cut, options)
    total = cut.duration
    if total <= 0:
        raise InvalidInput("the cut is empty: place takes on the timeline first")
    skipped = Skipped() if skip_missing else None
    bad = check_media(cut, media, skipped)
    reporter = Reporter(total, progress, is_cancelled)
    time_base = Fraction(cut.rate.den, cut.rate.num)
    colour: Colour = for_size(width, height)
    clock = RecordClock(cut.rate, options.start_timecode, options.drop_frame)
    if audio is not None and len(audio) != samples_for(total, cut.rate):
        raise InvalidInput(f"the mix has {len(audio)} samples; the picture needs exactly {samples_for(total, cut.rate)}")
    with atomic_output(dest) as temp:
        reporter.check()
        try:
            # +faststart: the index goes before the pictures, so a player or a browser starts
            # playing before the whole file has arrived.
            container = av.open(str(temp), mode="w", format="mp4", options={"movflags": "+faststart"})
        except av.FFmpegError as exc:
            raise DirectorError(f"cannot write {Path(dest).name}: {exc}") from exc
        try:
            stream = container.add_stream("libx264", rate=cut.rate.fraction)
            stream.width, stream.height = width, height
            stream.pix_fmt = "yuv420p"
            colour.tag(stream.codec_context)
            stream.metadata["timecode"] = clock.timecode(0)
            stream.codec_context.time_base = time_base
            stream.options = {"crf": str(options.crf), "preset": options.preset}
            # PyAV defaults to slice threading, which makes libx264 use sliced threads: slower and
            # bigger files than the frame threading the ffmpeg command line uses.
            stream.codec_context.thread_type = "AUTO"
            if options.threads:
                stream.codec_context.thread_count = options.threads
            sound = AacTrack(container, audio) if audio is not None else None
            reporter.start()
            frames_in = cut_frames(cut, media, width, height, native=not options.burn_in, skipped=skipped, checked=bad, colour=colour)
            with Prefetch(frames_in) as frames:
                for record, seg, picture in frames:
                    reporter.check()
                    if options.burn_in:
                        picture = burn_in(picture, seg, record, cut.rate, clock, options.sound_takes)
                    if isinstance(picture, np.ndarray):
                        vframe = to_output(av.VideoFrame.from_ndarray(picture, format="bgr24"), colour)
                    else:
                        vframe = picture
                    vframe.pts = record
                    vframe.time_base = time_base
                    container.mux(stream.encode(vframe))
                    if sound is not None:
                        sound.feed(frame_to_sample(record + 1, cut.rate))
                    reporter.step()
            container.mux(stream.encode(None))
            if sound is not None:
                sound.finish()
        finally:
            container.close()
    return Mp4Result(Path(dest).expanduser().absolute(), total, width, height, cut.rate, tuple(skipped or ()), colour.name,
                     0 if audio is None else len(audio))
