"""Issue #20: a take the worker writes says what its numbers mean, exactly as the cut MP4 does:
BT.709 primaries, transfer and matrix for HD, BT.601 (SMPTE 170M) for SD, limited range, and the
pixels converted with the matrix the tags name. Read with ffprobe, as an editing suite would."""

from __future__ import annotations

import json
import shutil
import subprocess
from fractions import Fraction

import av
import numpy as np
import pytest

from director.engine.encoders import VideoEncoder
from director.engine.media_out import encode_mp4
from director.engine.messages import TakeWritten
from director.export.colour import for_size
from director.store.media import MediaStore

from .conftest import request_for, run_to_end

# ffprobe's names for ISO/IEC 23091-2 code points, per standard (export.colour's Colour.name)
FFPROBE = {
    "bt709": {"color_space": "bt709", "color_primaries": "bt709", "color_transfer": "bt709", "color_range": "tv"},
    "bt601": {"color_space": "smpte170m", "color_primaries": "smpte170m", "color_transfer": "smpte170m", "color_range": "tv"},
}
X264 = VideoEncoder("draft", "libx264", "ultrafast", 0, threads=1)

needs_ffprobe = pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe is not installed on this machine")


def probe(path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=color_space,color_primaries,color_transfer,color_range", "-of", "json", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out)["streams"][0]


@needs_ffprobe
@pytest.mark.parametrize("width, height, standard, y", [(1280, 720, "bt709", 173), (96, 64, "bt601", 145)])
def test_encoded_takes_carry_the_cut_mp4s_tags_and_pixels_in_that_matrix(tmp_path, width, height, standard, y):
    frames = np.zeros((3, height, width, 3), np.uint8)
    frames[..., 1] = 255  # pure green: Y is 16 + 219 * Kg of the matrix really used (0.7152 for 709, 0.587 for 601)
    path = tmp_path / "take.mp4"
    path.write_bytes(encode_mp4(frames, Fraction(24), X264))
    assert for_size(width, height).name == standard  # the export's rule for this size
    assert probe(path) == FFPROBE[standard]
    with av.open(str(path)) as c:
        frame = next(c.decode(video=0))
        assert abs(int(frame.to_ndarray()[height // 2, width // 2]) - y) <= 1
        assert np.abs(frame.to_ndarray(format="rgb24").astype(int) - frames[0]).max() <= 3  # read back as it was made


@needs_ffprobe
def test_a_take_from_the_tiny_preset_through_the_worker_is_tagged_like_the_cut(engine, tmp_path):
    events = run_to_end(engine, request_for("tiny-t2v", 7001, tmp_path, seeds=(3,), steps=2))
    (written,) = [e for e in events if isinstance(e, TakeWritten)]
    assert probe(MediaStore(tmp_path).path(written.media_path)) == FFPROBE[for_size(written.width, written.height).name]
