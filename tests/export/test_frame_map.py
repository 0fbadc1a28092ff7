"""Issue #20, item 1: one frame map for the cut. The MP4 and every interchange file name the same
take frame for every record frame, at mixed rates, through a multicam angle cut."""

from __future__ import annotations

import math
from fractions import Fraction

import av
import opentimelineio as otio
import pytest

from director.core.cut import CutSegment, resampling, source_frame, source_span
from director.core.smpte import RecordClock, parse_timecode, timecode
from director.core.timecode import Rate
from director.export.interchange import export_interchange
from director.export.mp4 import Mp4Options, export_cut_mp4
from director.export.takeinfo import take_infos
from director.store.angles import multicam_cut

from tests.export.conftest import multicam_project, read_camera_counter


def exact_rate(value: float) -> Fraction:
    return Fraction(value).limit_denominator(1001)


def otio_named_frames(path) -> list[tuple[str, int]]:
    """(camera, take frame) the OTIO file names for each record frame: the enabled clip there, its
    source start (a time) plus the record offset, as the frame of its media on screen then."""
    timeline = otio.adapters.read_from_file(str(path))
    named: dict[int, tuple[str, int]] = {}
    for track in timeline.video_tracks():
        position = 0
        for item in track:
            frames = round(item.duration().value)
            record_rate = exact_rate(item.duration().rate)
            if isinstance(item, otio.schema.Clip) and item.enabled:
                start = item.source_range.start_time
                media_rate = exact_rate(item.media_reference.available_range.start_time.rate)
                start_s = Fraction(round(start.value)) / exact_rate(start.rate)
                for j in range(frames):
                    t = start_s + Fraction(j) / record_rate
                    named[position + j] = (item.metadata["director"]["camera"], math.floor(t * media_rate))
            position += frames
    return [named[k] for k in range(len(named))]


def mp4_shown_frames(path) -> list[tuple[str, int]]:
    with av.open(str(path)) as c:
        return [read_camera_counter(f.to_ndarray(format="bgr24")) for f in c.decode(c.streams.video[0])]


@pytest.mark.parametrize("project_fps", ["23.976", "24", "25", "29.97"])
@pytest.mark.parametrize("take_fps", [12, 16, 24])
def test_mp4_frame_k_shows_the_frame_the_otio_names(tmp_path, project_fps, take_fps):
    """For every record frame k of a cut with an angle cut, at four project rates and three take
    rates, the MP4 shows the take frame (and the camera) the OTIO names. Before: the OTIO rescaled
    each clip's start back to the cut's rate and declared the media at the cut's rate."""
    take_rate = Rate(take_fps)
    frames = 2 * take_fps  # two seconds
    project = multicam_project(tmp_path, project_fps, take_rate, frames, cut_at=20)
    try:
        cut = multicam_cut(project)
        infos = take_infos(project, [s.take_id for s in (*cut.segments, *cut.angles)])
        export_cut_mp4(cut, project.media, tmp_path / "cut.mp4", Mp4Options(crf=0, preset="ultrafast"))
        export_interchange(cut, infos, project.media, tmp_path / "cut.otio")
    finally:
        project.close()
    shown = mp4_shown_frames(tmp_path / "cut.mp4")
    named = otio_named_frames(tmp_path / "cut.otio")
    assert len(shown) == len(named) == cut.duration
    assert [c for c, _ in shown[:20]] == ["A"] * 20 and set(c for c, _ in shown[20:]) == {"B"}
    assert shown == named
    # and both are the core map, frame for frame
    assert [(s.camera, source_frame(s, k, cut.rate)) for k in range(cut.duration) for s in [cut.segment_at(k)]] == shown


def test_angle_cut_at_23976_names_source_20_in_every_format(tmp_path):
    """The issue's reproduction: a 23.976 project, 24 fps takes, cut to B at 20. `cut show` says
    source 20; OTIO said `19@23.976`, the EDL 00:00:00:19 and the XML <in>19</in>."""
    project = multicam_project(tmp_path, "23.976", Rate(24), 48, cut_at=20)
    try:
        cut = multicam_cut(project)
        assert [s.source_start for s in cut.segments] == [0, 20]
        infos = take_infos(project, [s.take_id for s in (*cut.segments, *cut.angles)])
        for name in ("cut.otio", "cut.edl", "cut.xml", "cut.fcpxml"):
            export_interchange(cut, infos, project.media, tmp_path / name)
    finally:
        project.close()
    timeline = otio.adapters.read_from_file(str(tmp_path / "cut.otio"))
    live_b = [c for c in timeline.find_clips() if c.enabled and c.metadata["director"]["camera"] == "B"][0]
    assert (live_b.source_range.start_time.value, live_b.source_range.start_time.rate) == (20, 24)
    edl = (tmp_path / "cut.edl").read_text(encoding="utf-8").splitlines()
    event = [line for line in edl if line.startswith("002")][0]
    assert event.split()[4] == "00:00:00:20"  # source in, at the take's 24 fps
    xml = (tmp_path / "cut.xml").read_text(encoding="utf-8")
    assert "<in>20</in>" in xml and "<in>19</in>" not in xml
    fcpx = (tmp_path / "cut.fcpxml").read_text(encoding="utf-8")
    assert 'start="20/24s"' in fcpx  # camera B's piece inside the multicam starts on take frame 20


def test_frame_map_holds_and_skips_and_says_which():
    twelve = CutSegment(0, 24, 1, "x.mp4", "video", source_start=4, source_rate=Rate(12), source_frames=10)
    frames = [source_frame(twelve, k, Rate(24)) for k in range(24)]
    assert frames[:12] == [4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9] and frames[12:] == [9] * 12  # held, then past the end
    r = resampling(twelve, Rate(24))
    assert r.held[0] == (4, 2) and r.frozen_from == 12 and not r.skipped
    assert "12 fps take at 24 fps" in r.describe() and "last frame holds from record frame 12" in r.describe()
    sixteen = CutSegment(0, 6, 1, "x.mp4", "video", source_rate=Rate(16), source_frames=100)
    assert [source_frame(sixteen, k, Rate(24)) for k in range(6)] == [0, 0, 1, 2, 2, 3]
    assert resampling(sixteen, Rate(24)).held == ((0, 2), (2, 2))
    fast = CutSegment(0, 1001, 1, "x.mp4", "video", source_rate=Rate(24), source_frames=2000)
    assert resampling(fast, Rate(24000, 1001)).skipped == (1000,)  # 24 fps at 23.976: one in a thousand
    assert source_span(fast, Rate(24000, 1001)) == (0, 1002)
    same = CutSegment(0, 10, 1, "x.mp4", "video", source_start=3, source_rate=Rate(25), source_frames=100)
    assert resampling(same, Rate(25)).exact and resampling(same, Rate(25)).describe() == ""


def test_drop_frame_timecode_round_trips_and_starts_at_one_hour():
    ntsc = Rate(30000, 1001)
    assert timecode(1800, ntsc, drop=True) == "00:01:00;02"  # frames 00 and 01 skipped at minute 1
    assert timecode(17982, ntsc, drop=True) == "00:10:00;00"  # but not at minute 10
    assert all(parse_timecode(timecode(f, ntsc, True), ntsc) == f for f in range(0, 120000, 97))
    assert RecordClock(ntsc, drop_frame=True).start_frame == 107892  # an hour of clock time
    assert RecordClock(Rate(24000, 1001)).timecode(20) == "01:00:00:20"
    with pytest.raises(Exception, match="29.97 and 59.94"):
        RecordClock(Rate(25), drop_frame=True)
