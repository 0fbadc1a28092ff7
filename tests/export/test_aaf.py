"""Issue #20, Avid: AAF through the otio-aaf-adapter, read back by the same adapter.

A single-rate cut round-trips its edit points, sources, links (absolute: the adapter reads a
relative one back as file://FOLDER/…) and start; a multicam cut goes out
as its live edit (the adapter drops per-clip 'enabled'); a mixed-rate cut is refused before any
file is made, with the adapter's reason."""

from __future__ import annotations

import sys

import opentimelineio as otio
import pytest

from director.cli import main
from director.core.errors import DirectorError, InvalidInput
from director.core.timecode import Rate
from director.export.aaf import export_aaf
from director.export.edit_model import resolve_link
from director.export.takeinfo import take_infos
from director.store.angles import multicam_cut

from tests.export.conftest import multicam_project

def read_aaf(path):
    edit = otio.adapters.read_from_file(str(path), adapter_name="AAF")
    return edit, [t for t in edit.tracks if t.kind == "Video"]


def placed(track) -> list[tuple]:
    return [
        (type(i).__name__, i.range_in_parent().start_time.to_frames(), i.duration().to_frames(),
         i.source_range.start_time.to_frames() if isinstance(i, otio.schema.Clip) else None)
        for i in track
    ]


def test_a_single_rate_cut_round_trips_edit_points_sources_links_and_start(film, simple_cut, out_dir):
    infos = take_infos(film.project, [s.take_id for s in simple_cut.segments if s.take_id])
    result = export_aaf(simple_cut, infos, film.project.media, out_dir / "cut.aaf")
    assert result.path == out_dir / "cut.aaf" and result.writer == "aaf" and result.clips == 4
    edit, (track,) = read_aaf(out_dir / "cut.aaf")
    assert placed(track) == [("Clip", 0, 12, 0), ("Clip", 12, 12, 5), ("Gap", 24, 6, None), ("Clip", 30, 6, 0), ("Clip", 36, 12, 0)]
    assert edit.global_start_time == otio.opentime.RationalTime(86400, 24)  # 01:00:00:00
    for clip in track.find_clips():
        assert clip.source_range.start_time.rate == 24
        assert clip.media_reference.target_url.startswith(f"file://{out_dir}/cut_media/")
        assert resolve_link(clip.media_reference.target_url, out_dir / "cut.aaf").is_file()
    assert sorted(p.name for p in out_dir.iterdir()) == ["cut.aaf", "cut_media"]  # no temporary edit left beside it


def test_a_multicam_cut_goes_out_as_its_live_edit(tmp_path):
    project = multicam_project(tmp_path, "24", Rate(24), 48, cut_at=20)
    try:
        cut = multicam_cut(project)
        assert cut.angles  # camera B's take under A's clip, and A's under B's
        infos = take_infos(project, [s.take_id for s in (*cut.segments, *cut.angles)])
        export_aaf(cut, infos, project.media, tmp_path / "mc.aaf")
    finally:
        project.close()
    _, (track,) = read_aaf(tmp_path / "mc.aaf")
    assert [(c.name.split("_")[1], c.range_in_parent().start_time.to_frames(), c.source_range.start_time.to_frames()) for c in track.find_clips()] == \
           [("A", 0, 0), ("B", 20, 20)]


@pytest.mark.parametrize("project_fps, take_fps", [("24", Rate(12)), ("23.976", Rate(24))])
def test_a_mixed_rate_cut_is_refused_before_anything_is_written(tmp_path, project_fps, take_fps):
    project = multicam_project(tmp_path, project_fps, take_fps, 48, cut_at=20)
    out = tmp_path / "out"
    out.mkdir()
    try:
        cut = multicam_cut(project)
        with pytest.raises(InvalidInput, match=r"AAF needs every take at the cut's rate .* refuses mixed rates"):
            export_aaf(cut, take_infos(project, [s.take_id for s in cut.segments]), project.media, out / "mixed.aaf")
    finally:
        project.close()
    assert list(out.iterdir()) == []


def test_without_the_adapter_it_says_how_to_install_it(film, simple_cut, out_dir, monkeypatch):
    monkeypatch.setitem(sys.modules, "otio_aaf_adapter", None)
    with pytest.raises(DirectorError, match=r"pip install 'director\[aaf\]'"):
        export_aaf(simple_cut, {}, film.project.media, out_dir / "cut.aaf")
    assert list(out_dir.iterdir()) == []


def test_director_export_aaf(tmp_path, capsys):
    project = multicam_project(tmp_path, "24", Rate(24), 48, cut_at=20)
    path = str(project.path)
    project.close()
    assert main(["export", "aaf", path, "-o", str(tmp_path / "cli.aaf"), "--no-progress"]) == 0
    assert "wrote" in capsys.readouterr().out
    _, (track,) = read_aaf(tmp_path / "cli.aaf")
    assert len(list(track.find_clips())) == 2
