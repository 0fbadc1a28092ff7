"""Matte exports decode back (#19 part B): a PNG sequence with alpha, a luma matte MP4 and an RGBA
ProRes 4444 .mov each have the take's frame count and size and carry the matte; refusals write
nothing; an interrupted export leaves no file behind."""

from __future__ import annotations

from fractions import Fraction

import av
import cv2
import numpy as np
import pytest


from tests.engine.roto_fixtures import FRAMES, H, W, moving_square  # noqa: E402

from director.core.errors import InvalidInput  # noqa: E402
from director.export.common import ExportCancelled  # noqa: E402
from director.export.mattes import export_matte  # noqa: E402
from director.store.matte_file import decode_matte, encode_matte  # noqa: E402

RATE = Fraction(12)


@pytest.fixture
def files(tmp_path):
    frames = moving_square()
    alpha = np.zeros((FRAMES, H, W), np.uint8)
    for i in range(FRAMES):
        alpha[i, 14:34, 8 + i * 4:28 + i * 4] = 255  # the square, frame by frame
    alpha[:, 0, 0] = 200  # one soft pixel
    take = tmp_path / "take.mp4"
    with av.open(str(take), "w") as out:
        stream = out.add_stream("libx264rgb", rate=12)
        stream.width, stream.height, stream.pix_fmt = W, H, "rgb24"
        stream.options = {"crf": "0"}
        for f in frames:
            out.mux(stream.encode(av.VideoFrame.from_ndarray(f, format="rgb24")))
        out.mux(stream.encode())
    matte = tmp_path / "matte.npz"
    matte.write_bytes(encode_matte(alpha))
    return frames, alpha, take, matte


def test_the_stored_matte_file_is_the_same_bytes_for_the_same_matte(files):
    _frames, alpha, _take, matte = files
    assert encode_matte(alpha) == matte.read_bytes()
    assert np.array_equal(decode_matte(matte), alpha)


def test_png_sequence_with_alpha(files, tmp_path):
    frames, alpha, take, matte = files
    out = export_matte(matte, take, tmp_path / "car", "png", RATE)
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"car_{i:05d}.png" for i in range(FRAMES)]
    for i, name in enumerate(names):
        bgra = cv2.imread(str(out / name), cv2.IMREAD_UNCHANGED)
        assert bgra.shape == (H, W, 4)
        assert np.array_equal(bgra[..., 3], alpha[i]) and np.array_equal(bgra[..., 2::-1], frames[i])


def test_luma_matte_mp4(files, tmp_path):
    _frames, alpha, take, matte = files
    out = export_matte(matte, take, tmp_path / "car_luma.mp4", "luma", RATE)
    with av.open(str(out)) as c:
        stream = c.streams.video[0]
        assert Fraction(stream.average_rate) == RATE
        luma = [f.to_ndarray(format="gray") for f in c.decode(video=0)]
    assert len(luma) == FRAMES and luma[0].shape == (H, W)
    for got, want in zip(luma, alpha):
        assert np.abs(got.astype(int) - want).max() <= 16  # x264 at crf 12 keeps a hard edge within a few levels
        assert np.array_equal(got > 127, want > 127)


def test_rgba_prores_4444_mov(files, tmp_path):
    frames, alpha, take, matte = files
    out = export_matte(matte, take, tmp_path / "car.mov", "prores", RATE)
    with av.open(str(out)) as c:
        ctx = c.streams.video[0].codec_context
        assert ctx.name == "prores" and ctx.profile == "4444" and "yuva444" in ctx.pix_fmt
        decoded = [f.to_ndarray(format="rgba") for f in c.decode(video=0)]
    assert len(decoded) == FRAMES and decoded[0].shape == (H, W, 4)
    for got, rgb, a in zip(decoded, frames, alpha):
        assert np.abs(got[..., 3].astype(int) - a).max() <= 1
        assert np.abs(got[..., :3].astype(int) - rgb).mean() < 2


def test_refusals_and_cancel_leave_nothing(files, tmp_path):
    _frames, alpha, take, matte = files
    short = tmp_path / "short.npz"
    short.write_bytes(encode_matte(alpha[:4]))
    with pytest.raises(InvalidInput, match="does not fit its take"):
        export_matte(short, take, tmp_path / "x.mov", "prores", RATE)
    with pytest.raises(InvalidInput, match="png, luma, prores"):
        export_matte(matte, take, tmp_path / "x.gif", "gif", RATE)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(InvalidInput, match="not empty"):
        export_matte(matte, take, tmp_path / "full", "png", RATE)
    with pytest.raises(ExportCancelled):
        export_matte(matte, take, tmp_path / "gone.mov", "prores", RATE, is_cancelled=lambda: True)
    with pytest.raises(ExportCancelled):
        export_matte(matte, take, tmp_path / "seq", "png", RATE, is_cancelled=lambda: True)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["full", "matte.npz", "short.npz", "take.mp4"]
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["keep.txt"]
