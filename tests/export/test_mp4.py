"""Cut → MP4: the file a film maker sends round has exactly the cut's frames, at the cut's rate."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import av
import numpy as np
import pytest

from director.core.cut import Cut, CutSegment
from director.core.errors import InvalidInput, NotFound
from director.core.timecode import Rate
from director.export.common import ExportCancelled
from director.export.mp4 import Mp4Options, export_cut_mp4

from tests.export.conftest import BLUE, GREEN, RED, WHITE, write_counter_video

FAST = Mp4Options(preset="ultrafast", crf=12)


def decode_all(path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="bgr24") for f in c.decode(c.streams.video[0])]


def close_to(pixel, color, tol=12) -> bool:
    return bool(np.all(np.abs(pixel.astype(int) - np.array(color)) <= tol))


def test_cut_mp4_reopens_with_exact_frame_count_rate_and_duration(film, simple_cut, tmp_path):
    out = tmp_path / "cut.mp4"
    result = export_cut_mp4(simple_cut, film.project.media, out, FAST)
    assert result.frames == 48
    with av.open(str(out)) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264"
        assert s.codec_context.pix_fmt == "yuv420p"
        assert (s.codec_context.width, s.codec_context.height) == (320, 240)
        assert s.average_rate == 24
        assert s.frames == 48
        assert s.duration * s.time_base == Fraction(2)
        assert sum(1 for _ in c.decode(s)) == 48


def test_ntsc_rate_is_kept_exactly(film, simple_cut, tmp_path):
    cut = replace(simple_cut, rate=Rate(30000, 1001))
    out = tmp_path / "ntsc.mp4"
    export_cut_mp4(cut, film.project.media, out, FAST)
    with av.open(str(out)) as c:
        s = c.streams.video[0]
        assert s.average_rate == Fraction(30000, 1001)
        assert s.frames == 48
        assert s.duration * s.time_base == Fraction(48 * 1001, 30000)


def test_every_cut_point_shows_the_right_take(film, simple_cut, tmp_path):
    out = tmp_path / "cut.mp4"
    export_cut_mp4(simple_cut, film.project.media, out, FAST)
    frames = decode_all(out)
    centre = lambda i: frames[i][120, 160]  # noqa: E731
    expected = {0: RED, 11: RED, 12: GREEN, 23: GREEN, 24: (0, 0, 0), 29: (0, 0, 0), 30: WHITE, 35: WHITE, 36: BLUE, 47: BLUE}
    for i, color in expected.items():
        assert close_to(centre(i), color), (i, centre(i), color)


def test_wider_and_taller_takes_get_black_bars(film, simple_cut, tmp_path):
    out = tmp_path / "cut.mp4"
    export_cut_mp4(simple_cut, film.project.media, out, FAST)
    frames = decode_all(out)
    green, blue = frames[15], frames[40]
    # 320x180 in 320x240: 30-pixel bars above and below.
    assert close_to(green[10, 160], (0, 0, 0)) and close_to(green[230, 160], (0, 0, 0))
    assert close_to(green[40, 160], GREEN) and close_to(green[200, 160], GREEN)
    # 160x240 in 320x240: 80-pixel bars left and right.
    assert close_to(blue[120, 20], (0, 0, 0)) and close_to(blue[120, 300], (0, 0, 0))
    assert close_to(blue[120, 100], BLUE) and close_to(blue[120, 220], BLUE)


def test_source_in_point_is_frame_exact(film, tmp_path):
    media = write_counter_video(film.project, 20, 64, 64)
    seg = CutSegment(0, 6, 99, media, "video", source_start=5, source_frames=20, width=64, height=64)
    seg2 = CutSegment(6, 3, 99, media, "video", source_start=0, source_frames=20, width=64, height=64)
    out = tmp_path / "counter.mp4"
    export_cut_mp4(Cut(Rate(24), 64, 64, (seg, seg2)), film.project.media, out, Mp4Options(preset="ultrafast", crf=0))
    levels = [int(f[32, 32, 1]) for f in decode_all(out)]
    assert [round(v / 8) for v in levels] == [5, 6, 7, 8, 9, 10, 0, 1, 2]


def test_slower_take_repeats_frames_in_a_faster_cut(film, tmp_path):
    media = write_counter_video(film.project, 20, 64, 64)
    seg = CutSegment(0, 8, 99, media, "video", source_rate=Rate(12), source_frames=20, width=64, height=64)
    out = tmp_path / "slow.mp4"
    export_cut_mp4(Cut(Rate(24), 64, 64, (seg,)), film.project.media, out, Mp4Options(preset="ultrafast", crf=0))
    assert [round(int(f[32, 32, 1]) / 8) for f in decode_all(out)] == [0, 0, 1, 1, 2, 2, 3, 3]


def test_output_size_can_differ_from_the_cut(film, simple_cut, tmp_path):
    out = tmp_path / "big.mp4"
    result = export_cut_mp4(simple_cut, film.project.media, out, replace(FAST, width=640, height=360))
    assert (result.width, result.height) == (640, 360)
    red = decode_all(out)[0]
    assert red.shape == (360, 640, 3)
    # 4:3 red in 16:9: pillarboxed (240 px wide, 80 px bars each side... scaled: 480 wide, 80 px bars).
    assert close_to(red[180, 40], (0, 0, 0)) and close_to(red[180, 320], RED)


def test_burn_in_writes_a_slate_band_without_touching_the_centre(film, simple_cut, tmp_path):
    plain, burnt = tmp_path / "plain.mp4", tmp_path / "burnt.mp4"
    export_cut_mp4(simple_cut, film.project.media, plain, FAST)
    export_cut_mp4(simple_cut, film.project.media, burnt, replace(FAST, burn_in=True))
    a, b = decode_all(plain)[5], decode_all(burnt)[5]
    assert close_to(b[120, 160], RED)
    band_a, band_b = a[215:240, 0:200].astype(int), b[215:240, 0:200].astype(int)
    assert np.abs(band_a - band_b).mean() > 20
    assert (b[215:240, 0:200] > 200).all(axis=2).sum() > 30  # white letters


def test_cancel_leaves_no_file_and_keeps_the_previous_one(film, simple_cut, out_dir):
    out = out_dir / "cut.mp4"
    out.write_bytes(b"the previous export")
    seen = []
    with pytest.raises(ExportCancelled):
        export_cut_mp4(simple_cut, film.project.media, out, FAST, progress=lambda d, t: seen.append(d), is_cancelled=lambda: len(seen) > 3)
    assert out.read_bytes() == b"the previous export"
    assert [p.name for p in out_dir.iterdir()] == ["cut.mp4"]


def test_a_failure_mid_encode_leaves_nothing_behind(film, simple_cut, out_dir):
    out = out_dir / "cut.mp4"

    def explode(done, total):
        if done > 10:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        export_cut_mp4(simple_cut, film.project.media, out, FAST, progress=explode)
    assert list(out_dir.iterdir()) == []


def test_progress_runs_from_zero_to_total(film, simple_cut, tmp_path):
    seen = []
    export_cut_mp4(simple_cut, film.project.media, tmp_path / "c.mp4", FAST, progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 48) and seen[-1] == (48, 48)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_missing_media_is_refused_before_anything_is_written(film, simple_cut, out_dir):
    broken = replace(simple_cut, segments=simple_cut.segments + (CutSegment(48, 5, 7, "ab/missing.mp4", "video", source_frames=5),))
    with pytest.raises(NotFound, match="missing"):
        export_cut_mp4(broken, film.project.media, out_dir / "c.mp4", FAST)
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize(
    "options, message",
    [(Mp4Options(width=321, height=240), "even"), (Mp4Options(crf=60), "CRF"), (Mp4Options(preset="warp"), "preset")],
)
def test_bad_options_are_refused_with_a_reason(film, simple_cut, tmp_path, options, message):
    with pytest.raises(InvalidInput, match=message):
        export_cut_mp4(simple_cut, film.project.media, tmp_path / "c.mp4", options)


def test_an_empty_cut_is_refused(film, tmp_path):
    with pytest.raises(InvalidInput, match="empty"):
        export_cut_mp4(Cut(Rate(24), 320, 240, ()), film.project.media, tmp_path / "c.mp4")


def test_odd_shaped_takes_are_conformed_on_even_pixels(film, out_dir):
    from tests.export.conftest import write_video

    media = write_video(film.project, BLUE, 6, 250, 140)  # 250x140 into 320x240: 320x179 -> 320x178
    seg = CutSegment(0, 6, 9, media, "video", source_frames=6, width=250, height=140)
    out = out_dir / "odd.mp4"
    export_cut_mp4(Cut(Rate(24), 320, 240, (seg,)), film.project.media, out, FAST)
    frame = decode_all(out)[3]
    assert close_to(frame[120, 160], BLUE) and close_to(frame[35, 160], BLUE) and close_to(frame[204, 160], BLUE)
    assert close_to(frame[20, 160], (0, 0, 0)) and close_to(frame[225, 160], (0, 0, 0))
