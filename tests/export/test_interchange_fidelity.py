"""Issue #20: what an editing suite gets. Links that survive a move, EDLs as suites read them,
FCP 7 XML and FCPXML that say what the media is, multicam angles kept, file modes."""

from __future__ import annotations

import os
import re
import shutil
import stat
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import replace
from pathlib import Path

import opentimelineio as otio
import pytest

from director.core.cut import Cut
from director.core.errors import InvalidInput
from director.core.timecode import Rate
from director.export.edit_model import resolve_link
from director.export.interchange import export_interchange
from director.export.takeinfo import take_infos
from director.store import edit_settings
from director.store.angles import multicam_cut

from tests.export.conftest import add_camera_take, multicam_project
from tests.export.fcpxml_rules import check_fcpxml

EDL_EVENT = re.compile(r"^(\d{3})  (\S{1,8}) +V +C +(\S+) (\S+) (\S+) (\S+)$")


@pytest.fixture
def infos(film, simple_cut):
    return take_infos(film.project, [s.take_id for s in simple_cut.segments])


def links_of(path: Path) -> list[str]:
    """Every media link a document holds, as written."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".otio":
        return [c.media_reference.target_url for c in otio.adapters.read_from_string(text, "otio_json").find_clips()]
    if path.suffix == ".edl":
        return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("* FROM CLIP:")]
    if path.suffix == ".xml":
        return [e.text for e in ET.fromstring(text.split("\n", 2)[2]).iter("pathurl")]
    return [e.get("src") for e in ET.fromstring(text.split("\n", 2)[2]).iter("media-rep")]


# -- 2. links -------------------------------------------------------------------------------------


def test_moving_the_export_folder_keeps_every_link_resolving(film, simple_cut, infos, tmp_path):
    """Export to a/, move a/ to b/: every link of every format still names its file. Before, all
    were absolute file:// URLs into a/ and none resolved."""
    a = tmp_path / "a"
    a.mkdir()
    names = ["cut.otio", "cut.edl", "cut.xml", "cut.fcpxml"]
    for name in names:
        export_interchange(simple_cut, infos, film.project.media, a / name, media_folder=a / "media files ü")
    shutil.move(a, tmp_path / "b")
    checked = 0
    for name in names:
        doc = tmp_path / "b" / name
        for url in links_of(doc):
            assert not url.startswith("file:") and " " not in url  # relative and percent-encoded
            target = resolve_link(url, doc)
            assert target.is_file() and target.parent.name == "media files ü", (name, url)
            checked += 1
    assert checked == 4 * 4


def test_absolute_links_on_request(film, simple_cut, infos, out_dir):
    export_interchange(simple_cut, infos, film.project.media, out_dir / "cut.otio", absolute=True)
    export_interchange(simple_cut, infos, film.project.media, out_dir / "cut.xml", absolute=True)
    for url in links_of(out_dir / "cut.otio"):
        assert url.startswith("file:///") and Path(otio.url_utils.filepath_from_url(url)).is_file()
    assert all(u.startswith("file://localhost/") for u in links_of(out_dir / "cut.xml"))


# -- 3. EDL ---------------------------------------------------------------------------------------


def events(text: str) -> list[tuple]:
    return [m.groups() for line in text.splitlines() if (m := EDL_EVENT.match(line))]


def test_edl_is_what_editing_suites_read(film, simple_cut, infos, out_dir):
    """TITLE in ASCII, FCM line, record timecode from 01:00:00:00, reels of 8 characters at most
    mapped to their files in comments, and the prompt in full UTF-8. Before: no FCM, record from
    00:00:00:00, and 'über' folded to 'uber' in the prompt comment."""
    export_interchange(simple_cut, infos, film.project.media, out_dir / "cut.edl", name="Rooftop Film – Schöne Grüße 東京")
    raw = (out_dir / "cut.edl").read_bytes()
    text = raw.decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == "TITLE: Rooftop Film - Schone Grusse DongJing"
    assert lines[1] == "FCM: NON-DROP FRAME"
    evs = events(text)
    assert [e[4] for e in evs] == ["01:00:00:00", "01:00:00:12", "01:00:01:06", "01:00:01:12"]  # the gap leaves 01:00:01:00
    assert all(len(e[1]) <= 8 for e in evs)
    for line in lines:
        if not line.startswith("*"):
            assert line.isascii(), line  # the CMX fields are ASCII
    assert "* REEL T1 IS 10_A_t1.mp4: TAKE 1, SHOT 10, CAMERA A, 24 FPS" in lines
    assert any("a red sunrise über the roofs" in line for line in lines)  # comments keep UTF-8
    # the stock reader keeps edit points, names, reels and links
    timeline = otio.adapters.read_from_string(text, "cmx_3600", rate=24)
    assert timeline.name == "Rooftop Film - Schone Grusse DongJing"
    clips = list(timeline.find_clips())
    assert [c.name for c in clips] == ["10_A_t1", "20_A_t2", "40_A_t4", "30_A_t3"]
    assert [c.metadata["cmx_3600"]["reel"] for c in clips] == ["T1", "T2", "T4", "T3"]
    assert [round(c.range_in_parent().start_time.value) for c in clips] == [0, 12, 30, 36]
    assert [round(c.source_range.start_time.value) for c in clips] == [0, 5, 0, 0]
    assert [c.media_reference.target_url for c in clips][0] == "cut_media/10_A_t1.mp4"


def test_edl_source_timecode_is_at_the_takes_own_rate(tmp_path):
    """A 12 fps take cut in at its frame 16 in a 24 fps project: the source in point is
    00:00:01:04 (frame 16 at 12 fps), never the invalid 00:00:00:16; the source out is the last
    take frame used + 1; a comment says each take frame is held two record frames."""
    project = multicam_project(tmp_path, "24", Rate(12), 24, cut_at=32)  # B from record 32 = take frame 16
    try:
        cut = multicam_cut(project)
        infos = take_infos(project, [s.take_id for s in (*cut.segments, *cut.angles)])
        export_interchange(cut, infos, project.media, tmp_path / "cut.edl")
    finally:
        project.close()
    text = (tmp_path / "cut.edl").read_text(encoding="utf-8")
    first, second = events(text)
    assert first[2:] == ("00:00:00:00", "00:00:01:04", "01:00:00:00", "01:00:01:08")  # frames 0–15 at 12 fps over 32 record frames
    assert second[2:] == ("00:00:01:04", "00:00:02:00", "01:00:01:08", "01:00:02:00")
    for tc in (first[2], first[3], second[2], second[3]):
        assert int(tc[-2:]) < 12
    assert "12 FPS TAKE AT 24 FPS, REAL TIME" in text


def test_edl_drop_frame_when_asked_and_the_project_start(film, simple_cut, infos, out_dir):
    ntsc = replace(simple_cut, rate=Rate(30000, 1001))
    export_interchange(ntsc, infos, film.project.media, out_dir / "df.edl", drop_frame=True)
    text = (out_dir / "df.edl").read_text(encoding="utf-8")
    assert "FCM: DROP FRAME" in text and events(text)[0][4] == "01:00:00;00"
    with pytest.raises(InvalidInput, match="29.97 and 59.94"):
        export_interchange(simple_cut, infos, film.project.media, out_dir / "x.edl", drop_frame=True)
    export_interchange(simple_cut, infos, film.project.media, out_dir / "late.edl", start_timecode="00:59:50:00")
    assert events((out_dir / "late.edl").read_text())[0][4] == "00:59:50:00"


def test_start_timecode_is_a_project_setting_every_export_reads(film, simple_cut, infos, out_dir):
    p = film.project
    assert edit_settings.record_start(p) == "01:00:00:00"
    edit_settings.set_record_start(p, "10:00:00:00")
    with pytest.raises(InvalidInput):
        edit_settings.set_record_start(p, "10:00:00:30")
    start = edit_settings.record_start(p)
    export_interchange(simple_cut, infos, p.media, out_dir / "cut.otio", start_timecode=start)
    export_interchange(simple_cut, infos, p.media, out_dir / "cut.xml", start_timecode=start)
    timeline = otio.adapters.read_from_file(str(out_dir / "cut.otio"))
    assert timeline.global_start_time.to_timecode() == "10:00:00:00"
    seq_tc = ET.parse(out_dir / "cut.xml").getroot().find("sequence/timecode/string").text
    assert seq_tc == "10:00:00:00"


# -- 5. FCP 7 XML and FCPXML ----------------------------------------------------------------------


def test_fcp7_xml_declares_format_rates_links_and_generation(film, simple_cut, infos, out_dir):
    """Sequence format with size, rate and pixel aspect; one <rate> per clipitem; the media's real
    rate; percent-encoded pathurls; no <audio> for silent takes; prompt, seed, preset and cost in
    the clip comments. Before: an empty <format/>, two <rate>s, 24 declared for everything, a raw
    pathurl, an empty <audio/> and no generation metadata."""
    export_interchange(simple_cut, infos, film.project.media, out_dir / "cut.xml", media_folder=out_dir / "take media")
    root = ET.parse(out_dir / "cut.xml").getroot()
    sc = root.find("sequence/media/video/format/samplecharacteristics")
    assert (sc.find("width").text, sc.find("height").text, sc.find("pixelaspectratio").text) == ("320", "240", "square")
    assert sc.find("rate/timebase").text == "24"
    clips = list(root.iter("clipitem"))
    assert all(len(c.findall("rate")) == 1 for c in clips)
    assert [c.find("pathurl").text for c in root.iter("file") if c.find("pathurl") is not None][0] == "take%20media/10_A_t1.mp4"
    assert root.find("sequence/media/audio") is None
    red = clips[0].find("comments")
    assert red.find("mastercomment1").text.startswith("prompt: a red sunrise über the roofs")
    assert red.find("mastercomment2").text.startswith("seed 100 · preset tiny-t2v")
    assert red.find("mastercomment3").text == "cost 0.04 USD"
    back = otio.adapters.read_from_file(str(out_dir / "cut.xml"), adapter_name="fcp_xml")
    assert [round(c.range_in_parent().start_time.value) for c in back.find_clips()] == [0, 12, 30, 36]
    assert [round(c.source_range.start_time.value) for c in back.find_clips()] == [0, 5, 0, 0]
    assert back.find_clips()[0].metadata["fcp_xml"]["comments"]["mastercomment3"] == "cost 0.04 USD"


def test_fcp7_xml_says_12_fps_for_12_fps_media_and_audio_only_with_sound(tmp_path):
    project = multicam_project(tmp_path, "24", Rate(12), 24, cut_at=32)
    try:
        cut = multicam_cut(project)
        infos = take_infos(project, [s.take_id for s in (*cut.segments, *cut.angles)])
        export_interchange(cut, infos, project.media, tmp_path / "cut.xml")
    finally:
        project.close()
    root = ET.parse(tmp_path / "cut.xml").getroot()
    files = [f for f in root.iter("file") if f.find("rate") is not None]
    assert {f.find("rate/timebase").text for f in files} == {"12"}
    program = root.find("sequence/media/video/track")
    first = program.findall("clipitem")[0]
    assert (first.find("rate/timebase").text, first.find("in").text, first.find("out").text) == ("12", "0", "16")
    assert (first.find("start").text, first.find("end").text) == ("0", "32")
    assert root.find("sequence/media/audio") is None


def test_a_take_with_sound_gets_a_linked_audio_clip(film, out_dir):
    import av
    import numpy as np

    p = film.project
    temp = p.media.temp_path(".mp4")
    with av.open(str(temp), "w", format="mp4") as c:
        v = c.add_stream("libx264", rate=24)
        v.width, v.height, v.pix_fmt = 320, 240, "yuv420p"
        a = c.add_stream("aac", rate=48000)
        for i in range(12):
            f = av.VideoFrame.from_ndarray(np.zeros((240, 320, 3), np.uint8), format="bgr24")
            f.pts = i
            c.mux(v.encode(f))
        c.mux(v.encode(None))
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
        frame.sample_rate, frame.pts = 48000, 0
        c.mux(a.encode(frame))
        c.mux(a.encode(None))
    media = p.media.adopt(temp, "mp4")
    shot_id = film.shot_ids["10"]
    take = add_camera_take(p, shot_id, "A", media, 12, Rate(24))
    from tests.export.conftest import segment_of

    cut = Cut(Rate(24), 320, 240, (segment_of(p, take, 0, 12),))
    export_interchange(cut, take_infos(p, [take]), p.media, out_dir / "cut.xml")
    root = ET.parse(out_dir / "cut.xml").getroot()
    audio = root.find("sequence/media/audio")
    assert audio is not None and len(audio.findall("track/clipitem")) == 1
    video_clip = root.find("sequence/media/video/track/clipitem")
    assert {lk.find("mediatype").text for lk in video_clip.findall("link")} == {"video", "audio"}


def test_fcpxml_is_version_1_10_and_valid(film, simple_cut, infos, out_dir):
    """`.fcpxml` writes FCPXML 1.10 that follows Apple's DTD (checked element by element; and with
    xmllint --dtdvalid when FCPXML_DTD names Apple's DTD file). Before: FCP 7 <xmeml> under that name."""
    export_interchange(simple_cut, infos, film.project.media, out_dir / "cut.fcpxml", "fcpxml")
    path = out_dir / "cut.fcpxml"
    root = ET.parse(path).getroot()
    assert root.tag == "fcpxml" and root.get("version") == "1.10"
    check_fcpxml(path)
    clips = root.findall(".//spine/asset-clip")
    # record 0, 12, 30, 36 after the 01:00:00:00 start; every time on a frame at 24 fps
    assert [c.get("offset") for c in clips] == ["3600s", "86412/24s", "86430/24s", "86436/24s"]
    assert [c.get("start") for c in clips] == ["0s", "5/24s", "0s", "0s"]
    assert [c.get("duration") for c in clips] == ["12/24s", "12/24s", "6/24s", "12/24s"]
    assert root.find(".//spine/gap").get("offset") == "3601s" and root.find(".//spine/gap").get("duration") == "6/24s"
    assert "a red sunrise über the roofs" in clips[0].find("note").text
    back = otio.adapters.read_from_file(str(path), adapter_name="fcpx_xml")
    timeline = back if isinstance(back, otio.schema.Timeline) else list(back)[0]
    assert [c.name for c in timeline.find_clips()] == ["10_A_t1", "20_A_t2", "40_A_t4", "30_A_t3"]


def test_fcpxml_suffix_picks_the_flavour_and_others_are_refused(film, simple_cut, infos, out_dir):
    export_interchange(simple_cut, infos, film.project.media, out_dir / "cut.xml", "fcpxml")
    assert ET.parse(out_dir / "cut.xml").getroot().tag == "xmeml"
    with pytest.raises(InvalidInput, match=r"\.xml or \.fcpxml"):
        export_interchange(simple_cut, infos, film.project.media, out_dir / "cut.fcp", "fcpxml")
    assert not (out_dir / "cut.fcp").exists()


# -- 6. multicam ----------------------------------------------------------------------------------


@pytest.fixture
def multicam(tmp_path):
    project = multicam_project(tmp_path, "24", Rate(24), 48, cut_at=20)
    try:
        cut = multicam_cut(project)
        infos = take_infos(project, [s.take_id for s in (*cut.segments, *cut.angles)])
        for name in ("cut.otio", "cut.xml", "cut.fcpxml", "cut.edl"):
            export_interchange(cut, infos, project.media, tmp_path / name, name="Multicam")
    finally:
        project.close()
    return tmp_path


def test_otio_keeps_every_angle_one_track_per_camera(multicam):
    """Before: only the live angle was in the file."""
    timeline = otio.adapters.read_from_file(str(multicam / "cut.otio"))
    assert [t.name for t in timeline.video_tracks()] == ["A", "B"]
    a, b = timeline.video_tracks()
    assert [(c.enabled, round(c.range_in_parent().start_time.value)) for c in a] == [(True, 0), (False, 20)]
    assert [(c.enabled, round(c.range_in_parent().start_time.value)) for c in b] == [(False, 0), (True, 20)]
    groups = {c.metadata["director"]["angle_group"] for c in timeline.find_clips()}
    assert groups == {"10 clip 1"}
    assert timeline.metadata["director"]["multicam"] is True


def test_fcp7_and_fcpxml_keep_the_angles(multicam):
    root = ET.parse(multicam / "cut.xml").getroot()
    tracks = root.findall("sequence/media/video/track")
    assert [t.find("enabled").text for t in tracks] == ["TRUE", "FALSE", "FALSE"]
    assert [len(t.findall("clipitem")) for t in tracks] == [2, 2, 2]
    check_fcpxml(multicam / "cut.fcpxml")
    fx = ET.parse(multicam / "cut.fcpxml").getroot()
    angles = fx.findall("resources/media/multicam/mc-angle")
    assert [a.get("angleID") for a in angles] == ["A", "B"]
    assert [s.get("angleID") for s in fx.iter("mc-source")] == ["A", "B"]
    edl = (multicam / "cut.edl").read_text()
    assert len(events(edl)) == 2  # an EDL has one picture track: the program


# -- 8. file modes --------------------------------------------------------------------------------


def test_exports_and_otioz_members_follow_the_umask(film, simple_cut, infos, out_dir):
    """Every export file, and every member of an OTIOZ, is 0644 under umask 022. Before:
    content.otio and version.txt inside the bundle were 0600."""
    old = os.umask(0o022)
    try:
        for name in ("cut.otio", "cut.otioz", "cut.edl", "cut.xml", "cut.fcpxml"):
            export_interchange(simple_cut, infos, film.project.media, out_dir / name)
            assert stat.S_IMODE((out_dir / name).stat().st_mode) == 0o644, name
        with zipfile.ZipFile(out_dir / "cut.otioz") as z:
            modes = {i.filename: stat.S_IMODE(i.external_attr >> 16) for i in z.infolist()}
            assert {"version.txt", "content.otio", "media/10_A_t1.mp4"} <= set(modes)
            assert set(modes.values()) == {0o644}
            z.extractall(out_dir / "x")
        assert stat.S_IMODE((out_dir / "x" / "content.otio").stat().st_mode) == 0o644  # Python's own unzip keeps 0644 too
    finally:
        os.umask(old)
    (out_dir / "y").mkdir()
    back = otio.adapters.read_from_file(str(out_dir / "cut.otioz"), extract_to_directory=str(out_dir / "y"))
    for clip in back.find_clips():
        assert resolve_link(clip.media_reference.target_url, out_dir / "y" / "content.otio").is_file()
