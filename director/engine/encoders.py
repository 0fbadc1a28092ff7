"""Which encoder writes a take, from the worker's settings: drafts fast, finals at the chosen quality.

The engine settings (`engine.json`, read by `presets.load_settings`; the local client passes its
"encoder" section to the worker) may hold one section per role:

    "encoder": {
      "draft": {"codec": "auto", "preset": "veryfast", "crf": 18, "threads": 0, "nvenc_preset": "p4"},
      "final": {"codec": "libx264", "preset": "medium", "crf": 18, "threads": 0, "nvenc_preset": "p6"}
    }

A job's role is its recipe's `quality` (a promote is "final"; everything else a "draft"). codec
"auto" is NVENC (`h264_nvenc`) where the device is CUDA and PyAV's FFmpeg can open it, else
libx264. threads 0 means every core this process may use; the resolved number is what the run
facts record, since x264's bytes depend on it (and on nothing else that varies between runs).

Pure Python but for the NVENC probe, which imports PyAV inside the function.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from fractions import Fraction

from director.core.errors import InvalidInput

ROLES = ("draft", "final")
CODECS = ("auto", "libx264", "h264_nvenc")
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo")
NVENC_PRESETS = ("p1", "p2", "p3", "p4", "p5", "p6", "p7")
DEFAULTS: dict[str, dict] = {
    "draft": {"codec": "auto", "preset": "veryfast", "crf": 18, "threads": 0, "nvenc_preset": "p4"},
    "final": {"codec": "libx264", "preset": "medium", "crf": 18, "threads": 0, "nvenc_preset": "p6"},
}
PIX_FMT = "yuv420p"


@dataclass(frozen=True)
class VideoEncoder:
    """One resolved choice: `codec` is libx264 or h264_nvenc, `threads` a number (x264)."""

    role: str
    codec: str
    preset: str
    crf: int  # x264's crf, or NVENC's constant-quality level (cq)
    threads: int = 1

    @property
    def nvenc(self) -> bool:
        return self.codec == "h264_nvenc"

    def av_options(self) -> dict[str, str]:
        """The codec options PyAV hands FFmpeg."""
        if self.nvenc:
            # Constant quality: variable rate with no bitrate target, so cq alone decides.
            return {"preset": self.preset, "rc": "vbr", "cq": str(self.crf), "b": "0"}
        return {"preset": self.preset, "crf": str(self.crf), "threads": str(self.threads)}

    def facts(self) -> dict:
        """What `RunFacts.encoder` records: enough to say why two files of the same frames differ."""
        out = {"role": self.role, "codec": self.codec, "preset": self.preset, "pix_fmt": PIX_FMT}
        if self.nvenc:
            out["cq"] = self.crf
        else:
            out.update(crf=self.crf, threads=self.threads, thread_type="frame" if self.threads > 1 else "none")
        out.update(_library())
        return out


def still_facts(role: str) -> dict:
    """A still is a PNG (OpenCV's default compression): lossless, so only the file's bytes vary."""
    import cv2

    return {"role": role, "codec": "png", "library": f"opencv {cv2.__version__}"}


@functools.cache
def _library() -> dict:
    import av

    return {"pyav": av.__version__, "libavcodec": ".".join(str(n) for n in av.library_versions["libavcodec"])}


def usable_threads() -> int:
    """Every core this process may run on (its affinity, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def _rule(role: str, key: str) -> str:
    return f"engine settings encoder.{role}.{key}"


def _whole(role: str, key: str, value, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise InvalidInput(f"{_rule(role, key)} must be a whole number from {lo} to {hi}, got {value!r}")
    return value


def encoder_settings(section: dict | None) -> dict[str, dict]:
    """The encoder section checked and filled with the defaults; refused with the rule broken."""
    section = section or {}
    if not isinstance(section, dict):
        raise InvalidInput(f"engine settings 'encoder' must be an object with 'draft' and/or 'final', got {section!r}")
    unknown = set(section) - set(ROLES)
    if unknown:
        raise InvalidInput(f"engine settings 'encoder': unknown role(s) {', '.join(sorted(unknown))}; known: {', '.join(ROLES)}")
    out = {}
    for role in ROLES:
        given = section.get(role) or {}
        if not isinstance(given, dict):
            raise InvalidInput(f"engine settings encoder.{role} must be an object, got {given!r}")
        unknown = set(given) - set(DEFAULTS[role])
        if unknown:
            raise InvalidInput(f"engine settings encoder.{role}: unknown key(s) {', '.join(sorted(unknown))}; "
                               f"known: {', '.join(DEFAULTS[role])}")
        s = {**DEFAULTS[role], **given}
        if s["codec"] not in CODECS:
            raise InvalidInput(f"{_rule(role, 'codec')} must be one of {', '.join(CODECS)}, got {s['codec']!r}")
        if s["preset"] not in X264_PRESETS:
            raise InvalidInput(f"{_rule(role, 'preset')} {s['preset']!r} is not an x264 preset; use one of: {', '.join(X264_PRESETS)}")
        if s["nvenc_preset"] not in NVENC_PRESETS:
            raise InvalidInput(f"{_rule(role, 'nvenc_preset')} {s['nvenc_preset']!r} is not an NVENC preset; use one of: {', '.join(NVENC_PRESETS)}")
        _whole(role, "crf", s["crf"], 0, 51)
        _whole(role, "threads", s["threads"], 0, 256)
        out[role] = s
    return out


def check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidInput(f"a job's quality must be one of {', '.join(ROLES)}, got {role!r}")


def choose(section: dict | None, role: str, *, cuda: bool, nvenc_opens=None) -> VideoEncoder:
    """The encoder for a take of `role` ("draft" or "final") on this worker. `nvenc_opens` says
    whether NVENC opens here (asked only when it would be chosen; `nvenc_usable` by default)."""
    check_role(role)
    s = encoder_settings(section)[role]
    codec = s["codec"]
    if codec != "libx264":
        opens = cuda and (nvenc_opens or nvenc_usable)()
        if codec == "h264_nvenc" and not opens:
            raise InvalidInput(f"{_rule(role, 'codec')} is h264_nvenc, which needs a CUDA device and an FFmpeg that can open "
                               "NVENC here; use 'auto' (NVENC where it works, libx264 elsewhere) or 'libx264'")
        codec = "h264_nvenc" if opens else "libx264"
    if codec == "h264_nvenc":
        return VideoEncoder(role, codec, s["nvenc_preset"], s["crf"], threads=0)
    return VideoEncoder(role, codec, s["preset"], s["crf"], threads=s["threads"] or usable_threads())


@functools.cache
def nvenc_usable() -> bool:
    """Whether PyAV's FFmpeg has h264_nvenc and it opens and encodes a frame here (a driver and a
    GPU with an NVENC unit); asked once per process."""
    try:
        import av
        import numpy as np

        if "h264_nvenc" not in av.codecs_available:
            return False
        context = av.CodecContext.create("h264_nvenc", "w")
        context.width, context.height, context.pix_fmt = 256, 256, PIX_FMT
        context.time_base = Fraction(1, 24)
        frame = av.VideoFrame.from_ndarray(np.zeros((256, 256, 3), np.uint8), format="rgb24").reformat(format=PIX_FMT)
        frame.pts = 0
        context.encode(frame)
        context.encode(None)
        return True
    except Exception:
        return False
