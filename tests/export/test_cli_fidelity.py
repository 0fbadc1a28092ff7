"""Issue #20 through `director export …`: the suffix picks the Final Cut Pro XML, links are
relative unless --absolute, the programme start is a project setting, angles are kept."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import av
import opentimelineio as otio
import pytest

from director.cli import main
from director.core.timecode import Rate

from tests.export.conftest import multicam_project


@pytest.fixture(autouse=True)
def only_export_verbs(monkeypatch):
    monkeypatch.setattr("director.cli.COMMAND_MODULES", ["director.commands.export"])


@pytest.fixture
def mc(tmp_path):
    project = multicam_project(tmp_path, "24", Rate(12), 24, cut_at=32)
    path = project.path
    project.close()
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_fcpxml_verb_writes_what_the_name_asks_for(mc, tmp_path, capsys):
    """Before: `-o cut.fcpxml` wrote FCP 7 <xmeml> under that name."""
    assert run(capsys, "export", "fcpxml", mc, "-o", tmp_path / "cut.fcpxml")[0] == 0
    assert ET.parse(tmp_path / "cut.fcpxml").getroot().tag == "fcpxml"
    assert run(capsys, "export", "fcpxml", mc, "-o", tmp_path / "cut.xml")[0] == 0
    assert ET.parse(tmp_path / "cut.xml").getroot().tag == "xmeml"
    code, _, err = run(capsys, "export", "fcpxml", mc, "-o", tmp_path / "other.txt")
    assert code == 1 and ".xml for Final Cut Pro 7 XML" in err and ".fcpxml for FCPXML 1.10" in err
    assert not (tmp_path / "other.txt").exists() and not (tmp_path / "other_media").exists()


def test_otio_verb_keeps_angles_links_relative_and_says_what_is_held(mc, tmp_path, capsys):
    code, out, err = run(capsys, "export", "otio", mc, "-o", tmp_path / "cut.otio", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["angles"] == 2 and data["start_timecode"] == "01:00:00:00"
    assert data["resampled"][0]["note"].startswith("12 fps take at 24 fps, real time")
    timeline = otio.adapters.read_from_file(str(tmp_path / "cut.otio"))
    assert [t.name for t in timeline.video_tracks()] == ["A", "B"]
    assert all(c.media_reference.target_url.startswith("cut_media/") for c in timeline.find_clips())
    assert run(capsys, "export", "otio", mc, "-o", tmp_path / "abs.otio", "--absolute")[0] == 0
    timeline = otio.adapters.read_from_file(str(tmp_path / "abs.otio"))
    assert all(c.media_reference.target_url.startswith("file:///") for c in timeline.find_clips())


def test_programme_start_is_set_once_and_every_export_uses_it(mc, tmp_path, capsys):
    code, out, _ = run(capsys, "export", "start-tc", mc)
    assert code == 0 and "01:00:00:00" in out
    assert run(capsys, "export", "start-tc", mc, "00:59:30:00")[0] == 0
    code, _, err = run(capsys, "export", "start-tc", mc, "25:00:00:99")
    assert code == 1 and "start timecode" in err
    assert run(capsys, "export", "edl", mc, "-o", tmp_path / "cut.edl")[0] == 0
    first = [line for line in (tmp_path / "cut.edl").read_text().splitlines() if line.startswith("001")][0]
    assert first.split()[6] == "00:59:30:00"
    assert run(capsys, "export", "cut", mc, "-o", tmp_path / "cut.mp4", "--preset", "ultrafast")[0] == 0
    with av.open(str(tmp_path / "cut.mp4")) as c:
        assert c.streams.video[0].metadata["timecode"] == "00:59:30:00"
    code, _, err = run(capsys, "export", "edl", mc, "-o", tmp_path / "df.edl", "--drop-frame")
    assert code == 1 and "29.97 and 59.94" in err
