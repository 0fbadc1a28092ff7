"""`director cut audio move|trim` (#16): an audio clip's place, track and edges from the command line,
in frames of the cut, through the same store edits the window's drags use."""

from __future__ import annotations

import json

import numpy as np
import pytest

from director.cli import main
from director.core.audio import frame_to_sample
from director.core.timecode import Rate
from director.store import Project, audio
from director.store import timeline as st
from director.store.audio_media import write_wav
from tests.export.sound_film import add_video_take, make_shot

RATE = Rate(25, 1)
F = frame_to_sample(1, RATE)  # 1920 samples a frame at 25 fps


def run(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def film(tmp_path, capsys):
    """50 frames of picture; a 20-frame sound placed on A2 at frame 5 and on A3 at frame 30."""
    path = tmp_path / "film.director"
    with Project.create(path, fps="25", width=64, height=64) as p:
        shot = make_shot(p, "1")
        add_video_take(p, shot, "A", 50, RATE)
        st.insert_shot(p, shot).apply(p)
    write_wav(tmp_path / "rain.wav", np.full((20 * F, 2), 0.1, np.float32))
    assert run(capsys, "audio", "import", path, tmp_path / "rain.wav")[0] == 0
    code, out, err = run(capsys, "cut", "audio", "add", path, "rain", "--at", 5, "--track", "A2", "--json")
    assert code == 0, err
    assert run(capsys, "cut", "audio", "add", path, "rain", "--at", 30, "--track", "A3")[0] == 0
    return path, json.loads(out)["clip"]


def placed(path) -> dict[str, list[tuple[int, int, int]]]:
    """track → (record start, source in, duration) per clip, in frames."""
    with Project.open(path, readonly=True) as p:
        return {t.name: [(c.record_start // F, c.source_in // F, c.duration // F) for c in t.clips] for t in audio.tracks(p, st.default_timeline_id(p))}


def test_move_places_a_clip_at_a_frame_and_on_another_track(film, capsys):
    path, clip = film
    code, out, err = run(capsys, "cut", "audio", "move", path, clip, "--at", 8)
    assert code == 0, err
    assert out.strip() == f"Move sound clip {clip}"
    assert placed(path)["A2"] == [(8, 0, 20)]
    code, out, err = run(capsys, "cut", "audio", "move", path, clip, "--at", 10, "--track", "A3")
    assert code == 0, err
    assert placed(path)["A2"] == [] and placed(path)["A3"] == [(10, 0, 20), (30, 0, 20)]


def test_trim_from_keeps_the_end_and_frames_sets_the_length(film, capsys):
    path, clip = film
    code, _, err = run(capsys, "cut", "audio", "trim", path, clip, "--from", 4)
    assert code == 0, err
    assert placed(path)["A2"] == [(9, 4, 16)]  # starts 4 frames later, 4 frames into the sound, same end
    assert run(capsys, "cut", "audio", "trim", path, clip, "--frames", 6)[0] == 0
    assert placed(path)["A2"] == [(9, 4, 6)]
    assert run(capsys, "cut", "audio", "trim", path, clip, "--from", 0, "--frames", 3)[0] == 0
    assert placed(path)["A2"] == [(5, 0, 3)]


@pytest.mark.parametrize("args, words", [
    (("move", "--at", -2), "before the cut's first frame"),
    (("move", "--at", 20, "--track", "A3"), "would overlap"),
    (("move", "--at", 5, "--track", "A1"), "takes' own sound"),
    (("trim", "--frames", 21), "past the end of its sound"),
    (("trim", "--frames", 0), "0 samples long"),
    (("trim", "--from", -1), "before its sound's first sample"),
    (("trim",), "say where"),
])
def test_a_refused_move_or_trim_says_why_and_changes_nothing(film, capsys, args, words):
    path, clip = film
    before = placed(path)
    code, _, err = run(capsys, "cut", "audio", args[0], path, clip, *args[1:])
    assert code == 1 and words in err
    assert placed(path) == before
