"""Issue #20, item 4: the MP4 says what its pixels are and plays while it downloads.

Tags are read with PyAV (no ffprobe needed): primaries, transfer, matrix and range on the stream,
and the pixels are checked against the matrix the tags name, so the file is what it says."""

from __future__ import annotations

import struct

import av
import pytest

from director.core.cut import Cut
from director.core.timecode import Rate
from director.export.mp4 import Mp4Options, export_cut_mp4

from tests.export.conftest import GREEN, write_video

FAST = Mp4Options(preset="ultrafast", crf=0)


def top_level_boxes(path) -> list[str]:
    out, data = [], open(path, "rb").read()
    i = 0
    while i + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[i : i + 8])
        if size == 1:
            size = struct.unpack(">Q", data[i + 8 : i + 16])[0]
        out.append(kind.decode("latin-1"))
        if size < 8:
            break
        i += size
    return out


def stream_tags(path) -> dict:
    with av.open(str(path)) as c:
        cc = c.streams.video[0].codec_context
        frame = next(c.decode(video=0))
        y = frame.to_ndarray()[frame.height // 2, frame.width // 2]  # yuv420p: the Y plane comes first
        return {
            "primaries": int(cc.color_primaries), "transfer": int(cc.color_trc), "matrix": int(cc.colorspace),
            "range": int(cc.color_range), "y": int(y), "timecode": c.streams.video[0].metadata.get("timecode"),
        }


def green_cut(film, width, height) -> Cut:
    media = write_video(film.project, GREEN, 6, width, height)
    seg = film.segment("red", 0, 6)
    from dataclasses import replace

    return Cut(Rate(24), width, height, (replace(seg, media_path=media, width=width, height=height, source_frames=6),))


@pytest.mark.parametrize(
    "size, tags, y",
    [
        # HD: BT.709 (1) primaries, transfer and matrix; limited range (1). Pure green is Y = 16 + 219 * 0.7152 = 173
        ((1280, 720), {"primaries": 1, "transfer": 1, "matrix": 1, "range": 1}, 173),
        # SD: BT.601 (SMPTE 170M = 6); pure green is Y = 16 + 219 * 0.587 = 145
        ((320, 240), {"primaries": 6, "transfer": 6, "matrix": 6, "range": 1}, 145),
    ],
)
def test_mp4_is_tagged_and_written_in_the_colours_it_tags(film, tmp_path, size, tags, y):
    """Before: primaries, transfer and matrix unknown (2), range unknown (0), and HD pictures
    converted with BT.601's matrix whatever a player would assume."""
    result = export_cut_mp4(green_cut(film, *size), film.project.media, tmp_path / "cut.mp4", FAST)
    found = stream_tags(tmp_path / "cut.mp4")
    assert {k: found[k] for k in tags} == tags
    assert abs(found["y"] - y) <= 2, found
    assert result.colour == ("bt709" if tags["matrix"] == 1 else "bt601")


def test_mp4_is_streamable_with_a_timecode_track(film, simple_cut, tmp_path):
    """moov (the index) before mdat (the pictures): +faststart. Before: moov at the end. The
    timecode track starts at the programme start every export shares."""
    export_cut_mp4(simple_cut, film.project.media, tmp_path / "cut.mp4", FAST)
    boxes = top_level_boxes(tmp_path / "cut.mp4")
    assert boxes.index("moov") < boxes.index("mdat"), boxes
    assert stream_tags(tmp_path / "cut.mp4")["timecode"] == "01:00:00:00"
    export_cut_mp4(simple_cut, film.project.media, tmp_path / "late.mp4", Mp4Options(preset="ultrafast", start_timecode="00:59:58:00"))
    assert stream_tags(tmp_path / "late.mp4")["timecode"] == "00:59:58:00"
