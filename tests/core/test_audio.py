"""Sound time in whole samples at 48 kHz, and the takes' own sound derived from the picture."""

from __future__ import annotations

import pytest

from director.core import audio as ca
from director.core.cut import Cut, CutSegment
from director.core.errors import InvalidInput
from director.core.timecode import Rate


@pytest.mark.parametrize("fps, per_frame", [("24", 2000), ("25", 1920), ("23.976", 2002), ("30", 1600)])
def test_whole_sample_rates_put_every_frame_on_an_exact_sample(fps, per_frame):
    rate = Rate.parse(fps)
    for frame in (0, 1, 7, 1000, 86400 * 24):
        assert ca.frame_to_sample(frame, rate) == frame * per_frame
        assert ca.sample_to_frame(frame * per_frame, rate) == frame
        assert ca.sample_to_frame(frame * per_frame + per_frame - 1, rate) == frame


def test_2997_frames_start_on_the_first_sample_inside_them_without_drift():
    rate = Rate.parse("29.97")
    assert [ca.frame_to_sample(f, rate) for f in range(6)] == [0, 1602, 3204, 4805, 6407, 8008]
    hour = 107892  # frames of one hour of 29.97 (drop-frame count)
    assert ca.frame_to_sample(hour, rate) == -(-hour * 48000 * 1001 // 30000)
    for f in range(0, 5000, 37):
        assert ca.sample_to_frame(ca.frame_to_sample(f, rate), rate) == f


def seg(start, duration, take, clip, source_frame, **kw):
    return CutSegment(start, duration, take, "x.mp4", "video", clip_id=clip, metadata={"source_frame": source_frame}, **kw)


def test_linked_sound_follows_the_picture_and_merges_where_it_plays_on():
    rate = Rate(24)
    # clip 1 split in two (same take, contiguous), then clip 2 of take 8 (no sound), then take 9
    cut = Cut(rate, 8, 8, (seg(0, 10, 7, 1, 4), seg(10, 5, 7, 2, 14), seg(15, 5, 8, 3, 0), seg(20, 4, 9, 4, 10)))
    pieces = ca.linked_pieces(cut, {7, 9})
    assert [(p.source, p.record_start, p.source_in, p.duration) for p in pieces] == [(7, 0, 8000, 30000), (9, 40000, 20000, 8000)]
    assert all(p.fade_in == p.fade_out == ca.FADE for p in pieces)


def test_a_j_cut_leads_the_picture_and_an_l_cut_runs_past_it_over_the_neighbour():
    rate = Rate(25)
    cut = Cut(rate, 8, 8, (seg(0, 25, 1, 1, 0), seg(25, 25, 2, 2, 50)))
    lead = ca.linked_pieces(cut, {1, 2}, jl={2: ca.JL(lead=4800)})
    assert [(p.source, p.record_start, p.source_in, p.duration) for p in lead] == [(1, 0, 0, 48000 - 4800), (2, 48000 - 4800, 96000 - 4800, 48000 + 4800)]
    lag = ca.linked_pieces(cut, {1, 2}, jl={1: ca.JL(lag=960)})
    assert [(p.source, p.record_start, p.source_in, p.duration) for p in lag] == [(1, 0, 0, 48960), (2, 48960, 96960, 48000 - 960)]
    with pytest.raises(InvalidInput):
        ca.JL(lead=-1)


def test_a_clip_can_keep_one_takes_sound_across_angle_cuts():
    rate = Rate(24)
    cut = Cut(rate, 8, 8, (seg(0, 10, 1, 5, 0), seg(10, 10, 2, 5, 10)))  # angle cut to take 2 at frame 10
    follows = ca.linked_pieces(cut, {1, 2})
    assert [p.source for p in follows] == [1, 2]
    stays = ca.linked_pieces(cut, {1, 2}, follow={5: 1})
    assert [(p.source, p.record_start, p.duration) for p in stays] == [(1, 0, 40000)]


def test_solo_wins_over_mute_and_gain_is_checked():
    a = ca.MixTrack("A1", (), mute=True)
    b = ca.MixTrack("A2", ())
    c = ca.MixTrack("A3", (), solo=True)
    assert [t.name for t in ca.MixPlan(10, (a, b)).audible()] == ["A2"]
    assert [t.name for t in ca.MixPlan(10, (a, b, c)).audible()] == ["A3"]
    with pytest.raises(InvalidInput, match="nearest valid: 24"):
        ca.check_gain(30)
    with pytest.raises(InvalidInput):
        ca.check_gain(float("nan"))
    assert ca.db_to_gain(-6.0) == pytest.approx(0.501, abs=1e-3)


def test_clips_on_a_track_never_overlap_and_are_clamped_to_their_sound():
    with pytest.raises(InvalidInput, match="overlap"):
        ca.AudioTrack(1, "A2", (ca.AudioClip(1, 1, 0, 0, 100), ca.AudioClip(2, 1, 50, 0, 100)))
    pieces = ca.clip_pieces(ca.AudioTrack(1, "A2", (ca.AudioClip(1, 1, 0, 0, 1000),)))
    assert [p.duration for p in ca.clamp(pieces, 600, {("file", 1): 800})] == [600]
    assert [p.duration for p in ca.clamp(pieces, 2000, {("file", 1): 300})] == [300]
