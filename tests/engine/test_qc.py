"""Continuity QC calibrated on synthetic clips with known faults (tests/engine/qc_clips.py): each
score ranks the faulty clip worse than the clean pan and flags the injected frames (±1), from
frames in memory and from an encoded file; the project's thresholds reproduce those flags."""

from __future__ import annotations

import numpy as np
import pytest

from director.core import qc as rules
from director.engine import qc
from director.store import qc as store_qc
from tests.engine import qc_clips

DEFAULTS = rules.Thresholds()


@pytest.fixture(scope="module")
def measured():
    return {name: qc.analyse_frames(make()) for name, make in qc_clips.CLIPS.items()}


def near(flags, expected):
    """Every expected frame flagged within one frame, and every flag within one of an expected frame."""
    return all(any(abs(f - e) <= 1 for f in flags) for e in expected) and all(any(abs(f - e) <= 1 for e in expected) for f in flags)


def worse(key, a, b):
    return a > b if rules.METRICS[key].worse == "above" else a < b


@pytest.mark.parametrize("metric", sorted(qc_clips.FAULTS))
def test_each_score_ranks_the_faulty_clip_worse_and_flags_the_right_frames(measured, metric):
    clip, expected = qc_clips.FAULTS[metric]
    faulty, clean = measured[clip], measured["clean"]
    assert worse(metric, faulty.scores[metric], clean.scores[metric]), (faulty.scores, clean.scores)
    flags = rules.flagged_frames(metric, faulty.curves[metric], DEFAULTS)
    assert near(flags, expected), (metric, flags, expected)
    assert rules.grade({metric: faulty.scores[metric]}, DEFAULTS) >= rules.AMBER


def test_the_clean_pan_is_green_on_every_metric(measured):
    clean = measured["clean"]
    for key in rules.FRAME_METRICS:
        assert rules.flagged_frames(key, clean.curves[key], DEFAULTS) == [], key
    assert rules.grade(clean.scores, DEFAULTS) == rules.GREEN
    assert clean.frames == qc_clips.FRAMES and len(clean.lab) == qc_clips.FRAMES
    assert all(len(c) == qc_clips.FRAMES for c in clean.curves.values())


def test_one_fault_does_not_raise_the_other_scores(measured):
    """A hard cut is not also flicker or warp (the flow is not followed across it); flicker is not a cut."""
    cut = measured["cut"]
    assert rules.flagged_frames("flicker", cut.curves["flicker"], DEFAULTS) == []
    assert rules.flagged_frames("warp", cut.curves["warp"], DEFAULTS) == []
    assert rules.flagged_frames("cut", measured["flicker"].curves["cut"], DEFAULTS) == []
    assert rules.flagged_frames("cut", measured["teleport"].curves["cut"], DEFAULTS) == []


def test_a_steady_fade_is_not_flicker():
    frames = [np.clip(f.astype(np.int16) - 2 * i, 0, 255).astype(np.uint8) for i, f in enumerate(qc_clips.clean())]
    result = qc.analyse_frames(frames)
    assert rules.flagged_frames("flicker", result.curves["flicker"], DEFAULTS) == []
    # and the same fade pulsing on two frames is
    frames[20] = np.clip(frames[20].astype(np.int16) + 30, 0, 255).astype(np.uint8)
    assert near(rules.flagged_frames("flicker", qc.analyse_frames(frames).curves["flicker"], DEFAULTS), [20])


@pytest.mark.parametrize("metric", ["frozen", "flicker", "warp"])
def test_an_encoded_file_gives_the_same_flags(tmp_path, metric):
    clip, expected = qc_clips.FAULTS[metric]
    result = qc.analyse_file(qc_clips.write_mp4(tmp_path / "take.mp4", qc_clips.CLIPS[clip]()))
    assert result.frames == qc_clips.FRAMES and result.width == qc.WIDTH
    assert near(rules.flagged_frames(metric, result.curves[metric], DEFAULTS), expected)


def test_a_file_that_does_not_decode_is_a_clear_error(tmp_path):
    bad = tmp_path / "take.mp4"
    bad.write_bytes(b"not a video at all")
    with pytest.raises(qc.DirectorError, match="QC could not read take.mp4"):
        qc.analyse_file(bad)


def test_the_project_thresholds_reproduce_the_flags_and_regrade(project, measured):
    """Stored with a take, graded by the project's thresholds; raising a level in Settings turns
    the badge green, restoring it brings the flags back."""
    take_id = qc_clips.add_video_take(project)
    r = measured["teleport"]
    store_qc.record(project, take_id, version=r.version, frames=r.frames, width=r.width, height=r.height,
                    curves=r.curves, lab=r.lab, cpu_s=r.cpu_s, wall_s=r.wall_s)
    row = store_qc.get(project, take_id)
    th = store_qc.thresholds(project)
    assert near(rules.flagged_frames("warp", row.curves["warp"], th), [24])
    assert row.grade == rules.grade(r.scores, DEFAULTS) >= rules.AMBER
    assert row.scores["warp"] == pytest.approx(r.scores["warp"], abs=1e-3)

    changes = store_qc.set_thresholds(project, th.with_level("warp", amber=50, red=60))
    assert take_id in changes.takes
    assert store_qc.get(project, take_id).grade == rules.GREEN
    assert rules.flagged_frames("warp", row.curves["warp"], store_qc.thresholds(project)) == []

    store_qc.set_thresholds(project, rules.Thresholds())
    assert store_qc.get(project, take_id).grade == row.grade


def test_thresholds_are_checked_where_they_enter():
    with pytest.raises(rules.InvalidInput, match="red level .* at or above amber"):
        DEFAULTS.with_level("flicker", amber=5, red=2)
    with pytest.raises(rules.InvalidInput, match="at or below amber"):
        DEFAULTS.with_level("frozen", amber=0.1, red=0.5)
    with pytest.raises(rules.InvalidInput, match="≥ 0"):
        DEFAULTS.with_level("warp", amber=float("nan"))
    with pytest.raises(rules.InvalidInput, match="unknown QC metric"):
        DEFAULTS.with_level("wobble", amber=1)


def test_every_score_has_one_line_saying_what_it_means():
    for key in rules.METRICS:
        line = rules.describe(key, 1.0, DEFAULTS)
        assert "\n" not in line and rules.METRICS[key].meaning in line
