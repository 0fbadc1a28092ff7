"""Roto mattes out to an editing suite, in the three forms compositors import:

- `png`: a PNG sequence with alpha (the take's own pixels, the matte as alpha), one file a frame;
- `luma`: a luma matte MP4 (white where the object is), H.264 4:2:0 at the take's rate;
- `prores`: an RGBA ProRes 4444 `.mov` (PyAV `prores_ks`, profile 4444, `yuva444p10le`), the
  take's pixels with the matte in its alpha channel.

A matte is read from its stored file (`store.matte_file`), the take's frames from its media. Every
output is written under a temporary name beside the destination and renamed into place when
whole (`export.common.atomic_output`); a PNG sequence fills a temporary folder renamed the same
way, so an interrupted export leaves nothing half-written and never touches an older one.
"""

from __future__ import annotations

import os
import shutil
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from director.core.errors import InvalidInput
from director.export.common import CancelFn, ExportCancelled, atomic_output, never, temp_beside
from director.store.destinations import check_output_folder
from director.store.matte_file import decode_matte

FORMATS = ("png", "luma", "prores")
SUFFIXES = {"luma": ".mp4", "prores": ".mov"}


def read_take_frames(path: Path) -> np.ndarray:
    """The take's frames as (F, H, W, 3) uint8 RGB."""
    with av.open(str(path)) as container:
        return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])


def _checked(alpha: np.ndarray, frames: np.ndarray | None) -> None:
    if frames is not None and frames.shape[:3] != alpha.shape:
        raise InvalidInput(f"the matte ({alpha.shape[0]} frames at {alpha.shape[2]}×{alpha.shape[1]}) does not fit "
                           f"its take ({frames.shape[0]} frames at {frames.shape[2]}×{frames.shape[1]}); "
                           "re-run roto on the take")


def export_matte(matte_file: Path, take_media: Path | None, dest: str | os.PathLike, fmt: str, rate: Fraction,
                 *, is_cancelled: CancelFn | None = None) -> Path:
    """Write one matte as `fmt` at `dest` (a folder for png, else a file) and return it."""
    if fmt not in FORMATS:
        raise InvalidInput(f"a matte exports as one of {', '.join(FORMATS)}, got {fmt!r}")
    is_cancelled = is_cancelled or never
    alpha = decode_matte(matte_file)
    frames = None if fmt == "luma" else read_take_frames(take_media)
    _checked(alpha, frames)
    if fmt == "png":
        return write_png_sequence(frames, alpha, dest, is_cancelled)
    if fmt == "luma":
        return write_luma_mp4(alpha, dest, rate, is_cancelled)
    return write_prores_4444(frames, alpha, dest, rate, is_cancelled)


def write_png_sequence(frames: np.ndarray, alpha: np.ndarray, dest, is_cancelled: CancelFn = never) -> Path:
    """`dest`/NAME_00000.png … (RGBA, 8 bit) where NAME is the folder's name."""
    folder = check_output_folder(dest)
    if folder.exists() and any(folder.iterdir()):
        raise InvalidInput(f"{folder} is not empty; choose a new folder for the PNG sequence")
    temp = temp_beside(folder)
    temp.mkdir()
    try:
        for i, (rgb, a) in enumerate(zip(frames, alpha)):
            if is_cancelled():
                raise ExportCancelled("cancelled; no PNG sequence was written")
            bgra = np.dstack([rgb[..., ::-1], a])
            if not cv2.imwrite(str(temp / f"{folder.name}_{i:05d}.png"), bgra):
                raise OSError(f"OpenCV could not write frame {i} of the PNG sequence")
        if folder.exists():
            folder.rmdir()  # empty, checked above
        os.replace(temp, folder)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return folder


def _encode(dest, codec: str, pix_fmt: str, rate: Fraction, pictures, options: dict, width: int, height: int,
            is_cancelled: CancelFn, fmt: str) -> Path:
    with atomic_output(dest) as temp:
        with av.open(str(temp), "w") as out:
            stream = out.add_stream(codec, rate=rate)
            stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
            stream.options = options
            for picture in pictures:
                if is_cancelled():
                    raise ExportCancelled(f"cancelled; no {fmt} matte was written")
                out.mux(stream.encode(picture))
            out.mux(stream.encode())
    return Path(dest)


def write_luma_mp4(alpha: np.ndarray, dest, rate: Fraction, is_cancelled: CancelFn = never) -> Path:
    """A luma matte: white where the object is, black elsewhere (crf 12: the edge survives)."""
    _frames, height, width = alpha.shape
    if width % 2 or height % 2:  # 4:2:0 needs even sizes: pad with the edge, never resample the matte
        alpha = np.pad(alpha, ((0, 0), (0, height % 2), (0, width % 2)), mode="edge")
    pictures = (av.VideoFrame.from_ndarray(a, format="gray") for a in alpha)
    return _encode(dest, "libx264", "yuv420p", rate, pictures, {"crf": "12", "preset": "medium"},
                   alpha.shape[2], alpha.shape[1], is_cancelled, "luma")


def write_prores_4444(frames: np.ndarray, alpha: np.ndarray, dest, rate: Fraction, is_cancelled: CancelFn = never) -> Path:
    """RGBA ProRes 4444 (`prores_ks` profile 4, `yuva444p10le`, alpha_bits 16)."""
    pictures = (av.VideoFrame.from_ndarray(np.dstack([rgb, a]), format="rgba") for rgb, a in zip(frames, alpha))
    return _encode(dest, "prores_ks", "yuva444p10le", rate, pictures,
                   {"profile": "4", "vendor": "apl0", "alpha_bits": "16"},
                   frames.shape[2], frames.shape[1], is_cancelled, "prores")
