"""Sound in the edit files: OTIO audio tracks read back with their ranges and render with sound
through melt (via OpenTimelineIO's MLT adapter); the EDL's audio events; FCP 7 XML audio tracks."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import opentimelineio as otio
import pytest

from director.cli import main
from director.core.audio import SAMPLE_RATE
from director.store import Project, audio
from director.store import timeline as st
from director.export.edit_model import resolve_link
from tests.export.sound_film import add_video_take, click_sound, clicks, decode_audio, make_shot
from tests.store.test_audio_store import write_sound


@pytest.fixture
def film(tmp_path):
    """24 fps: shot 1 (click at its frame 12) trimmed to start at frame 4; shot 2 silent; a music bed on A2 from frame 30."""
    path = tmp_path / "film.director"
    with Project.create(path, fps="24", width=64, height=64) as p:
        rate = p.settings().rate
        one, two = make_shot(p, "1"), make_shot(p, "2")
        loud = add_video_take(p, one, "A", 48, rate)
        audio.set_take_audio(p, loud, click_sound(48, rate, 12, 0.9))
        add_video_take(p, two, "A", 48, rate, seed=2)
        first = st.insert_shot(p, one, duration=24)
        first.apply(p)
        st.insert_shot(p, two, duration=24).apply(p)
        st.trim_clip(p, first.edit.subjects[0], "head", delta=4).apply(p)  # shot 1: frames 4..23 at record 0..19
        music, _ = audio.import_audio(p, write_sound(tmp_path / "bed.wav", seconds=0.5, rate=48000, freq=200))
        audio.add_clip(p, st.default_timeline_id(p), music, 30 * 2000, gain_db=-6).apply(p)
    return path


def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


def test_otio_audio_tracks_read_back_with_their_ranges(film, tmp_path, capsys):
    dest = tmp_path / "edit" / "film.otio"
    dest.parent.mkdir()
    run(capsys, "export", "otio", film, "-o", dest, "--no-progress")
    timeline = otio.adapters.read_from_file(str(dest))
    kinds = [(t.name, t.kind) for t in timeline.tracks]
    assert kinds == [("V1", "Video"), ("A1", "Audio"), ("A2", "Audio")]
    a1, a2 = timeline.tracks[1], timeline.tracks[2]
    (take_sound,) = list(a1.find_clips())
    assert take_sound.trimmed_range_in_parent() == otio.opentime.TimeRange(otio.opentime.RationalTime(0, 24), otio.opentime.RationalTime(20, 24))
    assert take_sound.source_range.start_time.value == 4  # the trim: its sound starts at frame 4 too
    (bed,) = list(a2.find_clips())
    assert bed.trimmed_range_in_parent().start_time.value == 30 and bed.source_range.duration.value == 12
    assert bed.metadata["director"]["gain_db"] == pytest.approx(-6, abs=0.01)
    for clip in (take_sound, bed):
        assert resolve_link(clip.media_reference.target_url, dest).is_file()


@pytest.mark.skipif(shutil.which("melt") is None, reason="melt (MLT) is not installed")
def test_the_otio_renders_with_sound_through_melt(film, tmp_path, capsys):
    dest = tmp_path / "edit" / "film.otio"
    dest.parent.mkdir()
    run(capsys, "export", "otio", film, "-o", dest, "--no-progress")
    timeline = otio.adapters.read_from_file(str(dest))
    mlt = dest.with_suffix(".mlt")
    otio.adapters.write_to_file(timeline, str(mlt), adapter_name="mlt_xml", width=64, height=64)
    rendered = tmp_path / "rendered.wav"
    subprocess.run(["melt", mlt.name, "-consumer", f"avformat:{rendered}", "acodec=pcm_s16le", "ar=48000", "ac=2", "vn=1"],
                   cwd=dest.parent, check=True, capture_output=True, timeout=120)
    heard = decode_audio(rendered)
    # shot 1's click (its frame 12) plays at record frame 8 after the 4-frame trim
    assert abs(clicks(heard, threshold=0.5)[0] - 8 * 2000) <= 2
    bed = heard[30 * 2000 + 2000 : 30 * 2000 + 10000, 0]
    assert np.abs(heard[20 * 2000 : 30 * 2000]).max() < 0.01  # shot 2 is silent
    # the bed is heard where A2 places it; OTIO has no level of its own, so its -6 dB travels as
    # metadata (read back above) and melt plays the file at its own level
    assert 0.45 < np.abs(bed).max() < 0.55


def test_edl_and_fcp7_xml_carry_the_sound(film, tmp_path, capsys):
    edl = tmp_path / "film.edl"
    run(capsys, "export", "edl", film, "-o", edl, "--no-progress")
    text = edl.read_text()
    audio_events = [line for line in text.splitlines() if " AA " in line]
    assert audio_events == [
        "003  S1       AA    C        00:00:00:04 00:00:01:00 01:00:00:00 01:00:00:20",
        "004  S2       AA    C        00:00:00:00 00:00:00:12 01:00:01:06 01:00:01:18",
    ]
    assert "* AUDIO TRACK A2: 48000 HZ STEREO, GAIN -6 DB" in text
    xml = tmp_path / "film.xml"
    run(capsys, "export", "fcpxml", film, "-o", xml, "--no-progress")
    root = ET.parse(xml).getroot()
    tracks = root.findall("./sequence/media/audio/track")
    assert len(tracks) == 2
    items = [t.findall("clipitem") for t in tracks]
    assert [(c.findtext("start"), c.findtext("end"), c.findtext("in")) for c in items[0]] == [("0", "20", "4")]
    assert [(c.findtext("start"), c.findtext("end")) for c in items[1]] == [("30", "42")]
    assert items[1][0].find("./filter/effect/parameter/value").text == "0.501187"
    assert items[0][0].find("./file/media/audio/samplecharacteristics/samplerate").text == str(SAMPLE_RATE)


def test_no_audio_leaves_the_edit_silent(film, tmp_path, capsys):
    dest = tmp_path / "quiet.otio"
    run(capsys, "export", "otio", film, "-o", dest, "--no-progress", "--no-audio")
    timeline = otio.adapters.read_from_file(str(dest))  # kept: a temporary timeline's tracks read empty
    assert [t.kind for t in timeline.tracks] == ["Video"]
