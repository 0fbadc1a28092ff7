"""FCPXML carries the sound: the takes' own sound and each audio track as audio-only assets of the
WAVs beside the edit, connected below the spine with their gain; mute and solo disable clips. The
file is well formed (xmllint), follows the DTD's rules for what it writes, and reads back (OTIO's
FCPXML reader and by hand) with every sound clip where the mix plays it."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from fractions import Fraction

import opentimelineio as otio
import pytest

from director.cli import main
from director.core.audio import SAMPLE_RATE
from director.core.timecode import Rate
from director.export.edit_model import resolve_link
from director.export.interchange import export_interchange
from director.export.takeinfo import take_infos
from director.store import Project, audio
from director.store import timeline as st
from director.store.angles import multicam_cut
from director.store.takes import list_takes
from tests.export import fcpxml_rules
from tests.export.conftest import multicam_project
from tests.export.sound_film import click_sound
from tests.export.test_audio_interchange import film  # noqa: F401 (the fixture: two shots, a trim, a bed on A2)

TC_START = Fraction(3600)  # 01:00:00:00


@pytest.fixture(autouse=True)
def dtd_rules_for_sound(monkeypatch):
    """The DTD's rules for the elements sound adds: <adjust-volume> after the timing parameters,
    anchored clips (connected below the spine) before a clip's or gap's metadata."""
    rules = fcpxml_rules.RULES
    clip_children, clip_attrs, clip_required = rules["asset-clip"]
    monkeypatch.setitem(rules, "asset-clip", (["note", "conform-rate", "timeMap", "adjust-volume", "asset-clip", "metadata"], clip_attrs, clip_required))
    gap_children, gap_attrs, gap_required = rules["gap"]
    monkeypatch.setitem(rules, "gap", (["note", "asset-clip", "metadata"], gap_attrs, gap_required))
    mc_children, mc_attrs, mc_required = rules["mc-clip"]
    monkeypatch.setitem(rules, "mc-clip", (["note", "conform-rate", "timeMap", "adjust-volume", "adjust-panner", "mc-source", "asset-clip", "metadata"], mc_attrs, mc_required))
    monkeypatch.setitem(rules, "adjust-volume", ([], {"amount"}, set()))


def seconds(text: str) -> Fraction:
    value = text[:-1]
    return Fraction(value) if "/" in value else Fraction(int(value))


def export(capsys, path, dest, *extra) -> ET.Element:
    code = main(["export", "fcpxml", str(path), "-o", str(dest), "--no-progress", *extra])
    out = capsys.readouterr()
    assert code == 0, out.err
    fcpxml_rules.check_fcpxml(dest)
    if shutil.which("xmllint"):
        run = subprocess.run(["xmllint", "--noout", str(dest)], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
    return ET.parse(dest).getroot()


def sound_clips(root: ET.Element) -> list[tuple[ET.Element, ET.Element]]:
    """(spine element, connected sound clip) pairs, in document order."""
    return [(parent, c) for parent in root.find(".//spine") for c in parent if c.tag == "asset-clip" and c.get("lane")]


def record_time(parent: ET.Element, clip: ET.Element) -> Fraction:
    """Where a connected clip plays in the sequence: its parent's offset, less the parent's own
    start, plus the clip's offset in the parent's time."""
    return seconds(parent.get("offset")) - seconds(parent.get("start", "0s")) + seconds(clip.get("offset"))


def test_fcpxml_carries_the_takes_sound_and_the_tracks_with_gain(film, tmp_path, capsys):  # noqa: F811
    dest = tmp_path / "edit" / "film.fcpxml"
    dest.parent.mkdir()
    root = export(capsys, film, dest)
    seq = root.find(".//sequence")
    assert (seq.get("audioLayout"), seq.get("audioRate")) == ("stereo", "48k")
    assets = {a.get("id"): a for a in root.iter("asset")}
    placed = sound_clips(root)
    assert [(c.get("lane"), record_time(p, c) - TC_START, seconds(c.get("start")), seconds(c.get("duration"))) for p, c in placed] == [
        ("-1", Fraction(0), Fraction(4, 24), Fraction(20, 24)),   # shot 1's own sound, from its frame 4 after the trim
        ("-2", Fraction(30, 24), Fraction(0), Fraction(12, 24)),  # the bed on A2 at record frame 30, 0.5 s
    ]
    a1, a2 = (c for _, c in placed)
    assert a1.find("adjust-volume") is None and a2.find("adjust-volume").get("amount") == "-6dB"
    assert all(c.get("enabled") is None for _, c in placed)
    for _, c in placed:
        asset = assets[c.get("ref")]
        assert (asset.get("hasAudio"), asset.get("audioChannels"), asset.get("audioRate"), asset.get("hasVideo")) == ("1", "2", str(SAMPLE_RATE), None)
        assert resolve_link(asset.find("media-rep").get("src"), dest).suffix == ".wav"
        assert resolve_link(asset.find("media-rep").get("src"), dest).is_file()
    # OTIO's stock FCPXML reader finds the two sound lanes with their ranges
    back = otio.adapters.read_from_file(str(dest), adapter_name="fcpx_xml")
    timeline = back if isinstance(back, otio.schema.Timeline) else list(back)[0]
    heard = {t.name: [c for c in t if isinstance(c, otio.schema.Clip)] for t in timeline.audio_tracks()}
    assert set(heard) == {"-1", "-2"}
    (take_sound,), (bed,) = heard["-1"], heard["-2"]
    start = 3600 * 24
    assert take_sound.range_in_parent() == otio.opentime.TimeRange(otio.opentime.RationalTime(start, 24), otio.opentime.RationalTime(20, 24))
    assert take_sound.source_range.start_time.to_frames() == 4
    assert bed.range_in_parent().start_time.value == start + 30 and bed.range_in_parent().duration.value == 12


def test_mute_solo_and_track_gain_reach_the_clips(film, tmp_path, capsys):  # noqa: F811
    with Project.open(film) as p:
        tid = st.default_timeline_id(p)
        audio.set_track(p, tid, "A2", gain_db=-3).apply(p)
        audio.set_track(p, tid, "A1", mute=True).apply(p)
    root = export(capsys, film, tmp_path / "muted.fcpxml")
    a1, a2 = (c for _, c in sound_clips(root))
    assert (a1.get("enabled"), a2.get("enabled")) == ("0", None)
    assert a2.find("adjust-volume").get("amount") == "-9dB"  # the clip's -6 and the track's -3
    with Project.open(film) as p:
        tid = st.default_timeline_id(p)
        audio.set_track(p, tid, "A1", mute=False, solo=True).apply(p)
    a1, a2 = (c for _, c in sound_clips(export(capsys, film, tmp_path / "solo.fcpxml")))
    assert (a1.get("enabled"), a2.get("enabled")) == (None, "0")


def test_no_audio_leaves_the_fcpxml_silent(film, tmp_path, capsys):  # noqa: F811
    root = export(capsys, film, tmp_path / "quiet.fcpxml", "--no-audio")
    assert sound_clips(root) == [] and not [a for a in root.iter("asset") if a.get("hasAudio") == "1"]
    assert root.find(".//sequence").get("audioLayout") is None


def test_sound_under_a_multicam_clip_plays_where_the_mix_plays_it(tmp_path):
    """The sound follows the live angle (camera A's to frame 20, then B's); each piece hangs on
    the mc-clip under it, at the time the mix plays it."""
    project = multicam_project(tmp_path, "24", Rate(24), 48, cut_at=20)
    try:
        rate = project.settings().rate
        for take in list_takes(project, 1):
            audio.set_take_audio(project, take.id, click_sound(48, rate, 5))
        cut = multicam_cut(project)
        plan = audio.mix_plan(project, st.default_timeline_id(project), cut)
        infos = take_infos(project, [s.take_id for s in (*cut.segments, *cut.angles)])
        dest = tmp_path / "mc.fcpxml"
        export_interchange(cut, infos, project.media, dest, "fcpxml", name="Multicam", sound=plan)
    finally:
        project.close()
    fcpxml_rules.check_fcpxml(dest)
    root = ET.parse(dest).getroot()
    placed = sound_clips(root)
    assert {p.tag for p, _ in placed} == {"mc-clip"}
    (a1,) = [t for t in plan.tracks if t.name == "A1"]
    assert [(x.source, x.record_start) for x in a1.pieces] == [(cut.segments[0].take_id, 0), (cut.segments[1].take_id, 20 * 2000)]
    start = seconds(root.find(".//sequence").get("tcStart"))
    assert [(record_time(p, c) - start, seconds(c.get("duration"))) for p, c in placed] == \
           [(Fraction(piece.record_start, SAMPLE_RATE), Fraction(piece.duration, SAMPLE_RATE)) for piece in a1.pieces]
