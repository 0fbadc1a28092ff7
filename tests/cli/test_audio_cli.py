"""Sound end to end through the command line: import, place, mix, export with and without sound."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

from director.cli import main
from director.core.audio import FADE, SAMPLE_RATE, frame_to_sample
from director.store import Project, audio, shots
from director.store import timeline as st
from tests.export.sound_film import add_video_take, click_sound, decode_audio, make_shot
from tests.store.test_audio_store import write_sound


def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def streams(path):
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(path)], capture_output=True, text=True, check=True)
    return json.loads(probe.stdout)["streams"]


@pytest.fixture
def film(tmp_path):
    """25 fps: shot 1 with a take whose sound clicks at frame 5, shot 2 with a silent take, both cut."""
    path = tmp_path / "film.director"
    with Project.create(path, fps="25", width=64, height=64) as p:
        rate = p.settings().rate
        one = make_shot(p, "1")
        two = make_shot(p, "2")
        loud = add_video_take(p, one, "A", 25, rate)
        audio.set_take_audio(p, loud, click_sound(25, rate, 5, 0.8))
        add_video_take(p, two, "A", 25, rate, seed=2)
        st.insert_shot(p, one, duration=25).apply(p)
        st.insert_shot(p, two, duration=25).apply(p)
        p.db.execute("UPDATE shots SET dialogue = ? WHERE id = ?", [json.dumps([{"character": "ANNA", "text": "Jump.", "parenthetical": ""},
                                                                               {"character": "BEN", "text": "Now?", "parenthetical": ""}]), one])
        p.db.conn.commit()
    return path


def test_import_place_mute_solo_and_export_the_cut_with_sound(film, tmp_path, capsys):
    music = write_sound(tmp_path / "music.flac", seconds=1.0, rate=44100)
    code, out, err = run(capsys, "audio", "import", film, music, "--name", "theme", "--json")
    assert code == 0, err
    assert json.loads(out)["name"] == "theme"
    code, out, _ = run(capsys, "audio", "list", film)
    assert "theme" in out and "1.00" in out
    code, out, err = run(capsys, "cut", "audio", "add", film, "theme", "--at", 25, "--gain", -6, "--json")
    assert code == 0, err
    clip = json.loads(out)["clip"]
    code, out, _ = run(capsys, "cut", "audio", "show", film, "--json")
    tracks = json.loads(out)
    assert [t["name"] for t in tracks] == ["A1", "A2"] and tracks[1]["clips"][0]["record_start"] == frame_to_sample(25, Project.open(film, readonly=True).settings().rate)
    assert run(capsys, "cut", "audio", "gain", film, clip, -200)[0] == 1  # refused: out of range
    assert run(capsys, "cut", "audio", "mute", film, "A2")[0] == 0
    dest = tmp_path / "cut.mp4"
    code, out, err = run(capsys, "export", "cut", film, "-o", dest, "--preset", "ultrafast", "--no-progress", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["audio"] and report["audio_samples"] == 2 * SAMPLE_RATE
    kinds = [s["codec_type"] for s in streams(dest)]
    assert kinds.count("audio") == 1
    heard = decode_audio(dest)
    assert abs(int(np.argmax(np.abs(heard[:, 0]))) - frame_to_sample(5, Project.open(film, readonly=True).settings().rate)) <= 4
    assert np.abs(heard[SAMPLE_RATE + 2048 :]).max() < 0.01  # the silent take and the muted music: silence
    assert run(capsys, "cut", "audio", "mute", film, "A2", "--off")[0] == 0
    assert run(capsys, "cut", "audio", "solo", film, "A2")[0] == 0
    assert run(capsys, "export", "cut", film, "-o", dest, "--preset", "ultrafast", "--no-progress")[0] == 0
    heard = decode_audio(dest)
    assert np.abs(heard[: SAMPLE_RATE - 2048]).max() < 0.01  # A1 is not soloed: its click is gone
    assert 0.2 < np.abs(heard[SAMPLE_RATE + 4096 :]).max() < 0.3  # the music at -6 dB (0.5 → 0.25)
    assert run(capsys, "cut", "audio", "remove", film, clip)[0] == 0
    code, out, _ = run(capsys, "cut", "audio", "show", film, "--json")
    assert json.loads(out)[1]["clips"] == []


def test_no_audio_leaves_the_sound_out(film, tmp_path, capsys):
    dest = tmp_path / "quiet.mp4"
    code, out, err = run(capsys, "export", "cut", film, "-o", dest, "--preset", "ultrafast", "--no-progress", "--no-audio")
    assert code == 0, err
    assert "no audio" in out
    assert [s["codec_type"] for s in streams(dest) if s["codec_type"] != "data"] == ["video"]  # data: the timecode track


def test_a_bad_sound_file_is_refused_with_its_name_and_nothing_changes(film, tmp_path, capsys):
    bad = tmp_path / "broken.mp3"
    bad.write_bytes(b"\xff\xfb" + b"\x00" * 100)
    code, _, err = run(capsys, "audio", "import", film, bad)
    assert code == 1 and "broken.mp3" in err
    with Project.open(film, readonly=True) as p:
        assert audio.list_audio(p) == []


def test_stems_srt_and_a_j_cut(film, tmp_path, capsys):
    code, out, err = run(capsys, "export", "stems", film, "-o", tmp_path / "stems", "--json")
    assert code == 0, err
    files = json.loads(out)["files"]
    assert [f.rsplit("/", 1)[1] for f in files] == ["film_A1.wav"]
    code, out, err = run(capsys, "export", "srt", film, "-o", tmp_path / "film.srt")
    assert code == 0, err
    text = (tmp_path / "film.srt").read_text()
    assert text == "1\n00:00:00,000 --> 00:00:00,480\nANNA: Jump.\n\n2\n00:00:00,480 --> 00:00:01,000\nBEN: Now?\n"
    with Project.open(film, readonly=True) as p:
        second = st.load_timeline(p).tracks[0].items[1].id
        first = st.load_timeline(p).tracks[0].items[0].id
    def a1_pieces():
        with Project.open(film, readonly=True) as p:
            plan = audio.mix_plan(p, st.default_timeline_id(p), st.build_cut(p))
        return [(x.record_start, x.duration) for x in next(t for t in plan.tracks if t.name == "A1").pieces]

    assert run(capsys, "cut", "trim", film, first, "--tail", -10)[0] == 0  # shot 1 shows 15 frames
    assert a1_pieces() == [(0, 15 * 1920)]
    # L cut: shot 1's sound runs 6 frames on under shot 2's picture (which is silent)
    assert run(capsys, "cut", "audio", "link", film, first, "--lag", 6)[0] == 0
    assert a1_pieces() == [(0, 21 * 1920)]
    assert run(capsys, "cut", "audio", "link", film, second, "--lead", -1)[0] == 1
