"""The cut for an editing suite: every format reads back as the same sequence of shots and lengths."""

from __future__ import annotations

import zipfile

import opentimelineio as otio
import pytest

from director.core.errors import InvalidInput
from director.export.common import ExportCancelled
from director.export.edit_model import resolve_link
from director.export.interchange import export_interchange
from director.export.takeinfo import take_infos


def sequence(timeline: otio.schema.Timeline) -> list[tuple[str, int]]:
    """(clip name or 'gap', duration in frames) along the first video track."""
    track = timeline.video_tracks()[0]
    out = []
    for item in track:
        name = "gap" if isinstance(item, otio.schema.Gap) else item.name
        out.append((name, round(item.duration().value)))
    return out


def starts(timeline) -> list[int]:
    return [round(c.source_range.start_time.value) for c in timeline.find_clips()]


EXPECTED = [("10_A_t1", 12), ("20_A_t2", 12), ("gap", 6), ("40_A_t4", 6), ("30_A_t3", 12)]


@pytest.fixture
def infos(film, simple_cut):
    return take_infos(film.project, [s.take_id for s in simple_cut.segments])


def test_otio_reads_back_with_order_durations_and_director_metadata(film, simple_cut, infos, out_dir):
    result = export_interchange(simple_cut, infos, film.project.media, out_dir / "cut.otio", name="Rooftop")
    assert result.clips == 4
    timeline = otio.adapters.read_from_file(str(out_dir / "cut.otio"))
    assert timeline.name == "Rooftop"
    assert sequence(timeline) == EXPECTED
    assert starts(timeline) == [0, 5, 0, 0]
    red = timeline.find_clips()[0]
    meta = red.metadata["director"]
    assert meta["prompt"].startswith("a red sunrise über the roofs")
    assert meta["negative"] == "blurry"
    assert meta["seed"] == 100 and meta["preset"] == "tiny-t2v"
    assert meta["money"] == "0.036000" and meta["currency"] == "USD"  # 36 GPU-s at 3.60 an hour
    assert timeline.global_start_time.to_timecode() == "01:00:00:00"
    assert timeline.duration().value == 48 and timeline.duration().rate == 24


def test_clips_reference_exported_copies_of_the_media(film, simple_cut, infos, out_dir):
    result = export_interchange(simple_cut, infos, film.project.media, out_dir / "cut.otio")
    folder = out_dir / "cut_media"
    assert sorted(p.name for p in folder.iterdir()) == ["10_A_t1.mp4", "20_A_t2.mp4", "30_A_t3.mp4", "40_A_t4.png"]
    timeline = otio.adapters.read_from_file(str(out_dir / "cut.otio"))
    for clip in timeline.find_clips():
        path = resolve_link(clip.media_reference.target_url, out_dir / "cut.otio")  # relative to the .otio
        assert (folder / clip.media_reference.name).samefile(path)
        take = film.takes[{"10": "red", "20": "green", "30": "blue", "40": "still"}[clip.metadata["director"]["shot"]]]
        assert open(path, "rb").read() == film.project.media.path(take.media_path).read_bytes()
    assert set(result.media) == set(folder.iterdir())


def test_edl_reads_back_as_the_same_cut(film, simple_cut, infos, out_dir):
    export_interchange(simple_cut, infos, film.project.media, out_dir / "cut.edl")
    text = (out_dir / "cut.edl").read_text()
    assert "TITLE:" in text and "T1" in text
    timeline = otio.adapters.read_from_file(str(out_dir / "cut.edl"), adapter_name="cmx_3600", rate=24)
    assert [(d) for _, d in sequence(timeline)] == [d for _, d in EXPECTED]
    assert [c.name for c in timeline.find_clips()] == [n for n, _ in EXPECTED if n != "gap"]
    assert starts(timeline) == [0, 5, 0, 0]


def test_fcp_xml_reads_back_as_the_same_cut(film, simple_cut, infos, out_dir):
    export_interchange(simple_cut, infos, film.project.media, out_dir / "cut.xml")
    timeline = otio.adapters.read_from_file(str(out_dir / "cut.xml"), adapter_name="fcp_xml")
    assert sequence(timeline) == EXPECTED
    assert starts(timeline) == [0, 5, 0, 0]
    urls = [c.media_reference.target_url for c in timeline.find_clips()]
    assert all(u.startswith("cut_media/") and resolve_link(u, out_dir / "cut.xml").is_file() for u in urls)


def test_otioz_bundles_the_media_inside(film, simple_cut, infos, out_dir):
    export_interchange(simple_cut, infos, film.project.media, out_dir / "cut.otioz")
    assert [p.name for p in out_dir.iterdir()] == ["cut.otioz"]  # no media folder, no staging left
    with zipfile.ZipFile(out_dir / "cut.otioz") as z:
        names = set(z.namelist())
    assert {"content.otio", "media/10_A_t1.mp4", "media/40_A_t4.png"} <= names
    (out_dir / "x").mkdir()
    timeline = otio.adapters.read_from_file(str(out_dir / "cut.otioz"), extract_to_directory=str(out_dir / "x"))
    assert sequence(timeline) == EXPECTED
    assert timeline.find_clips()[0].metadata["director"]["seed"] == 100


def test_ntsc_cut_keeps_its_rate(film, simple_cut, infos, out_dir):
    from dataclasses import replace

    from director.core.timecode import Rate

    cut = replace(simple_cut, rate=Rate(30000, 1001))
    export_interchange(cut, infos, film.project.media, out_dir / "cut.otio")
    timeline = otio.adapters.read_from_file(str(out_dir / "cut.otio"))
    assert timeline.duration().rate == pytest.approx(29.97, abs=0.01)
    assert [d for _, d in sequence(timeline)] == [d for _, d in EXPECTED]


def test_cancelling_leaves_no_interchange_file(film, simple_cut, infos, out_dir):
    calls = []
    with pytest.raises(ExportCancelled):
        export_interchange(simple_cut, infos, film.project.media, out_dir / "cut.xml", progress=lambda d, t: calls.append(d), is_cancelled=lambda: len(calls) >= 2)
    assert not (out_dir / "cut.xml").exists()
    assert not any(p.name.startswith(".") for p in out_dir.rglob("*"))


def test_unknown_format_is_refused(film, simple_cut, infos, out_dir):
    with pytest.raises(InvalidInput, match="format"):
        export_interchange(simple_cut, infos, film.project.media, out_dir / "cut.aaf")
