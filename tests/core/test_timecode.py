from fractions import Fraction

import pytest

from director.core.errors import InvalidInput
from director.core.timecode import Rate


def test_ntsc_rates_are_exact_fractions():
    assert Rate.parse("23.976") == Rate(24000, 1001)
    assert Rate.parse("30000/1001").fps == pytest.approx(29.97, abs=1e-3)
    assert Rate.parse(25) == Rate(25)


def test_frames_and_seconds_round_trip_without_drift():
    r = Rate(24000, 1001)
    for frames in (0, 1, 23, 24, 1001, 86_400):
        assert r.frames(r.seconds(frames)) == frames
    assert r.seconds(24000) == Fraction(1001)


def test_rescale_maps_frame_starts_between_rates():
    assert Rate(24).rescale(24, Rate(12)) == 12
    assert Rate(24).rescale(25, Rate(12)) == 12
    assert Rate(12).rescale(5, Rate(24)) == 10


def test_timecode_display():
    assert Rate(24).timecode(24 * 3661 + 5) == "01:01:01:05"


def test_bad_rates_are_refused():
    with pytest.raises(InvalidInput):
        Rate.parse("fast")
    with pytest.raises(InvalidInput):
        Rate(0)
