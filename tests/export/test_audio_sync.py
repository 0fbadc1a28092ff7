"""Sync to the sample: a click recorded at a take's frame N plays at record frame N's first sample in
the exported MP4 after a trim, a split, a reorder and an angle cut, at 24, 25 and 23.976 fps."""

from __future__ import annotations

import json
import subprocess

import pytest

from director.core.audio import SAMPLE_RATE, frame_to_sample
from director.export.audio_mix import render_mix
from director.export.mp4 import Mp4Options, export_cut_mp4
from director.store import audio
from director.store import timeline as st
from tests.export.sound_film import add_video_take, click_sound, clicks, decode_audio, make_shot, new_project

AAC_SLACK = 4  # samples: AAC smears a one-sample click by a few samples either side of its peak


def build(project, rate):
    """Shot 10 (cameras A and B, clicks at frames 20 and 36), shot 20 (click at frame 10). Returns the takes."""
    s10 = make_shot(project, "10", ("A", "B"))
    s20 = make_shot(project, "20", ("A",))
    a = add_video_take(project, s10, "A", 48, rate, seed=1)
    b = add_video_take(project, s10, "B", 48, rate, seed=2)
    c = add_video_take(project, s20, "A", 48, rate, seed=3)
    audio.set_take_audio(project, a, click_sound(48, rate, 20, 0.9))
    audio.set_take_audio(project, b, click_sound(48, rate, 36, -0.9))
    audio.set_take_audio(project, c, click_sound(48, rate, 10, 0.6))
    return s10, s20, a, b, c


@pytest.mark.parametrize("fps", ["24", "25", "23.976"])
def test_clicks_land_on_their_frames_after_trim_split_reorder_and_angle_cut(tmp_path, fps):
    project = new_project(tmp_path, fps)
    try:
        rate = project.settings().rate
        s10, s20, a, b, c = build(project, rate)
        first = st.insert_shot(project, s10, take_id=a, duration=40)
        first.apply(project)
        clip = first.edit.subjects[0]
        st.insert_shot(project, s20, take_id=c, duration=24).apply(project)
        st.trim_clip(project, clip, "head", delta=4).apply(project)       # shot 10 now shows frames 4..39
        st.split_clip(project, 10, clip_id=clip).apply(project)           # record 0..9 | 10..35
        timeline = st.load_timeline(project)
        shot20 = timeline.tracks[0].items[2].id
        st.move_clip(project, shot20, 0).apply(project)                   # shot 20 first: 0..23, then shot 10 at 24
        st.cut_to_camera(project, 24 + 26, name="B").apply(project)       # from shot 10's frame 30 on, camera B
        cut = st.build_cut(project)
        plan = audio.mix_plan(project, timeline.id, cut)
        mix = render_mix(plan, project.media)
        assert len(mix) == frame_to_sample(cut.duration, rate)
        # where each click should be: shot 20's frame 10 at record 10; shot 10 A's frame 20 at record
        # 24 + 16; shot 10 B's frame 36 after the angle cut at record 24 + 32
        expected = [frame_to_sample(10, rate), frame_to_sample(40, rate), frame_to_sample(56, rate)]
        assert clicks(mix) == expected
        assert [round(float(mix[i, 0]), 2) for i in expected] == [0.6, 0.9, -0.9]
        dest = tmp_path / "cut.mp4"
        result = export_cut_mp4(cut, project.media, dest, Mp4Options(preset="ultrafast"), audio=mix)
        assert result.audio_samples == len(mix)
        heard = decode_audio(dest)
        found = clicks(heard)
        assert len(found) == 3
        for got, want in zip(found, expected):
            assert abs(got - want) <= AAC_SLACK, (fps, found, expected)
    finally:
        project.close()


def test_one_aac_stream_as_long_as_the_picture(tmp_path):
    project = new_project(tmp_path, "23.976")
    try:
        rate = project.settings().rate
        s10, _, a, _, _ = build(project, rate)
        st.insert_shot(project, s10, take_id=a, duration=37).apply(project)
        cut = st.build_cut(project)
        mix = render_mix(audio.mix_plan(project, st.default_timeline_id(project), cut), project.media)
        dest = tmp_path / "cut.mp4"
        export_cut_mp4(cut, project.media, dest, Mp4Options(preset="ultrafast"), audio=mix)
    finally:
        project.close()
    probe = json.loads(subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(dest)], capture_output=True, text=True, check=True).stdout)
    kinds = [s["codec_type"] for s in probe["streams"]]
    audio_streams = [s for s in probe["streams"] if s["codec_type"] == "audio"]
    assert kinds.count("audio") == 1
    (a_stream,) = audio_streams
    assert a_stream["codec_name"] == "aac" and int(a_stream["sample_rate"]) == SAMPLE_RATE and a_stream["channels"] == 2
    video = next(s for s in probe["streams"] if s["codec_type"] == "video")
    assert abs(float(a_stream["duration"]) - float(video["duration"])) <= 1024 / SAMPLE_RATE
    assert abs(float(video["duration"]) - 37 * 1001 / 24000) < 1e-3
