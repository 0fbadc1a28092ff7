"""Moving and trimming imported audio clips (#16): undoable store edits checked by core.audio's
rules, so a refused place (before the cut, over another clip, past the sound's end, zero length,
onto A1) changes nothing, and what the mix plays follows the edit and its undo."""

from __future__ import annotations

import numpy as np
import pytest

from director.core import audio as ca
from director.core.errors import InvalidInput, NotFound
from director.core.timecode import Rate
from director.store import Project, audio
from director.store import timeline as st
from director.store.audio_media import write_wav
from tests.export.sound_film import add_video_take, make_shot

RATE = Rate(24, 1)
F = ca.frame_to_sample(1, RATE)  # 2000 samples a frame at 24 fps


@pytest.fixture
def film(tmp_path):
    """A 12-frame sound on A2 at frames 10 and 40 (the second from 2 frames in, 6 frames long),
    and track A3 with one clip at frame 70."""
    project = Project.create(tmp_path / "film.director", fps="24", width=64, height=64)
    shot = make_shot(project, "1")
    add_video_take(project, shot, "A", 96, RATE)
    st.insert_shot(project, shot).apply(project)  # 96 frames of picture: the mix is that long
    write_wav(tmp_path / "tone.wav", np.full((12 * F, 2), 0.25, np.float32))
    sound, _ = audio.import_audio(project, tmp_path / "tone.wav")
    tid = st.default_timeline_id(project)
    for at, kw in ((10, {}), (40, {"source_in": 2 * F, "duration": 6 * F}), (70, {"track": "A3"})):
        audio.add_clip(project, tid, sound, at * F, track=kw.pop("track", "A2"), **kw).apply(project)
    project.tid = tid
    yield project
    project.close()


def clips(project) -> dict[str, list[tuple[int, int, int, int]]]:
    """track → (clip id, record start, source in, duration) per clip."""
    return {t.name: [(c.id, c.record_start, c.source_in, c.duration) for c in t.clips] for t in audio.tracks(project, project.tid)}


def a2(project):
    return next(t for t in audio.tracks(project, project.tid) if t.name == "A2").clips


def a2_plays(project) -> list[tuple[int, int, int]]:
    """(record start, source in, duration) of what the mix plays on A2."""
    plan = audio.mix_plan(project, project.tid, st.build_cut(project, project.tid))
    return [(p.record_start, p.source_in, p.duration) for p in next(t for t in plan.tracks if t.name == "A2").pieces]


def test_a_move_changes_only_the_record_start_and_undo_puts_it_back(film):
    first = a2(film)[0]
    before = clips(film)
    edit = audio.move_clip(film, first.id, 25 * F)
    edit.apply(film)
    assert a2(film)[0] == ca.AudioClip(first.id, first.audio_id, 25 * F, 0, 12 * F, 0.0, first.name)
    assert edit.text == f"Move sound clip {first.id}"
    edit.revert(film)
    assert clips(film) == before


def test_a_move_onto_another_clips_track_and_back(film):
    first = a2(film)[0]
    before = clips(film)
    edit = audio.move_clip(film, first.id, 50 * F, track="a3")
    edit.apply(film)
    after = clips(film)
    assert [c[0] for c in after["A2"]] == [a2(film)[0].id] and (first.id, 50 * F, 0, 12 * F) in after["A3"]
    assert edit.text.endswith("to track A3")
    edit.revert(film)
    assert clips(film) == before


@pytest.mark.parametrize("at, track, error, words", [
    (-1 * F, None, InvalidInput, "before the cut's first frame"),
    (35 * F, None, InvalidInput, "would overlap"),          # 35..47 runs into the clip at 40
    (65 * F, "A3", InvalidInput, "would overlap"),          # over A3's clip at 70
    (20 * F, "A1", InvalidInput, "takes' own sound"),
    (20 * F, "A9", NotFound, "no audio track 'A9'"),
])
def test_a_refused_move_says_why_and_changes_nothing(film, at, track, error, words):
    before = clips(film)
    with pytest.raises(error, match=words):
        audio.move_clip(film, a2(film)[0].id, at, track=track)
    assert clips(film) == before


def test_the_left_edge_moves_record_start_and_source_in_together(film):
    second = a2(film)[1]  # frames 40..46, from 2 frames into its sound
    edit = audio.trim_clip(film, second.id, source_in=5 * F)
    edit.apply(film)
    moved = a2(film)[1]
    assert (moved.record_start, moved.source_in, moved.duration) == (43 * F, 5 * F, 3 * F)
    assert moved.record_end == second.record_end  # the right edge stays
    edit.revert(film)
    edit = audio.trim_clip(film, second.id, source_in=0)  # back to the sound's first sample: starts earlier
    edit.apply(film)
    assert (a2(film)[1].record_start, a2(film)[1].duration) == (38 * F, 8 * F)


def test_the_right_edge_sets_the_duration_and_both_edges_at_once(film):
    second = a2(film)[1]
    audio.trim_clip(film, second.id, duration=10 * F).apply(film)
    assert (a2(film)[1].record_start, a2(film)[1].source_in, a2(film)[1].duration) == (40 * F, 2 * F, 10 * F)
    audio.trim_clip(film, second.id, source_in=0, duration=4 * F).apply(film)
    assert (a2(film)[1].record_start, a2(film)[1].source_in, a2(film)[1].duration) == (38 * F, 0, 4 * F)


def test_the_mix_plays_the_moved_and_trimmed_stretch(film):
    first, second = a2(film)
    assert a2_plays(film) == [(10 * F, 0, 12 * F), (40 * F, 2 * F, 6 * F)]
    trim = audio.trim_clip(film, second.id, source_in=4 * F, duration=2 * F)
    trim.apply(film)
    move = audio.move_clip(film, first.id, 60 * F)
    move.apply(film)
    assert a2_plays(film) == [(42 * F, 4 * F, 2 * F), (60 * F, 0, 12 * F)]
    move.revert(film)
    trim.revert(film)
    assert a2_plays(film) == [(10 * F, 0, 12 * F), (40 * F, 2 * F, 6 * F)]


@pytest.mark.parametrize("source_in, duration, words", [
    (None, 11 * F, "past the end of its sound"),   # 2 + 11 frames of a 12-frame sound
    (8 * F, None, "0 samples long"),               # the left edge onto the right one (2 + 6 frames)
    (13 * F, None, "0 samples long"),              # the left edge past the right one
    (None, 0, "0 samples long"),
    (-1, None, "before its sound's first sample"),
])
def test_a_refused_trim_says_why_and_changes_nothing(film, source_in, duration, words):
    before = clips(film)
    with pytest.raises(InvalidInput, match=words):
        audio.trim_clip(film, a2(film)[1].id, source_in=source_in, duration=duration)
    assert clips(film) == before


def test_a_trim_over_a_neighbour_and_a_trim_before_the_cut_are_refused(film, tmp_path):
    long, _ = audio.import_audio(film, _long_sound(tmp_path))
    edit = audio.add_clip(film, film.tid, long, 0, source_in=20 * F, duration=5 * F, track="A2")  # frames 0..5, 20 frames in
    edit.apply(film)
    clip_id = next(k for table, k, _, _ in edit.changes if table == "audio_clips")
    before = clips(film)
    with pytest.raises(InvalidInput, match="would overlap"):
        audio.trim_clip(film, clip_id, duration=15 * F)  # 0..15 over the clip at 10
    with pytest.raises(InvalidInput, match="before the cut's first frame"):
        audio.trim_clip(film, clip_id, source_in=19 * F)  # the left edge one frame before frame 0
    with pytest.raises(InvalidInput, match="say where"):
        audio.trim_clip(film, clip_id)
    assert clips(film) == before


def _long_sound(tmp_path):
    path = tmp_path / "long.wav"
    write_wav(path, np.full((60 * F, 2), 0.1, np.float32))
    return path


def test_core_rules_alone():
    clip = ca.AudioClip(1, 7, 10 * F, 2 * F, 4 * F, name="door")
    track = ca.AudioTrack(1, "A2", (clip, ca.AudioClip(2, 7, 20 * F, 0, 5 * F)))
    assert ca.placed(ca.moved(clip, 15 * F), track, 12 * F).record_start == 15 * F  # ends at 19, next starts at 20
    with pytest.raises(InvalidInput, match=r"door \(sound clip 1\) would overlap sound clip 2 on track A2"):
        ca.placed(ca.moved(clip, 17 * F), track, 12 * F)  # 17..21 over 20..25
    assert ca.trimmed(clip, source_in=0) == ca.AudioClip(1, 7, 8 * F, 0, 6 * F, name="door")
    with pytest.raises(InvalidInput, match="0.042 s past the end"):
        ca.placed(ca.trimmed(clip, duration=11 * F), track, 12 * F)
