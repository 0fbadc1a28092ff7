"""Automatic human time with an injected clock: no sleeps, exact seconds."""

import pytest

from director.core.activity import ActivityClock, Session


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


def work(tracker, clock, gaps):
    """Touch after each gap; return every finished session."""
    out = []
    for gap in gaps:
        clock.advance(gap)
        out += tracker.touch()
    return out


def test_time_between_events_counts_while_active(clock):
    t = ActivityClock(120, clock=clock)
    t.set_shot(7)
    assert work(t, clock, [0, 30, 30, 60]) == []
    assert t.open_seconds == 120
    assert t.close() == [Session(7, 1000.0, 120.0)]


def test_a_gap_longer_than_the_cut_off_ends_the_session_at_the_last_event(clock):
    t = ActivityClock(120, clock=clock)
    t.set_shot(7)
    finished = work(t, clock, [0, 50, 121, 10])
    assert finished == [Session(7, 1000.0, 50.0)]  # the 121 s away is not billed
    assert t.close() == [Session(7, 1171.0, 10.0)]


def test_a_gap_of_exactly_the_cut_off_still_counts(clock):
    t = ActivityClock(120, clock=clock)
    assert work(t, clock, [0, 120]) == []
    assert t.open_seconds == 120


def test_tick_closes_an_idle_session_without_a_new_event(clock):
    t = ActivityClock(120, clock=clock)
    work(t, clock, [0, 40])
    clock.advance(120)
    assert t.tick() == []
    clock.advance(1)
    assert t.tick() == [Session(None, 1000.0, 40.0)]
    assert t.tick() == []


def test_switching_shots_closes_the_session_on_the_old_shot(clock):
    t = ActivityClock(120, clock=clock)
    t.set_shot(1)
    work(t, clock, [0, 30])
    clock.advance(5)
    assert t.set_shot(2) == [Session(1, 1000.0, 30.0)]
    assert t.set_shot(2) == []
    work(t, clock, [0, 20])
    assert t.close() == [Session(2, 1035.0, 20.0)]


def test_paused_time_is_not_counted_until_resumed(clock):
    t = ActivityClock(120, clock=clock)
    work(t, clock, [0, 10])
    assert t.pause() == [Session(None, 1000.0, 10.0)]
    assert work(t, clock, [10, 10, 10]) == [] and t.open_seconds == 0
    t.resume()
    work(t, clock, [10, 15])
    assert t.close() == [Session(None, 1050.0, 15.0)]


def test_a_single_event_is_no_session(clock):
    t = ActivityClock(120, clock=clock)
    work(t, clock, [0])
    assert t.close() == []


def test_long_sessions_are_handed_out_in_chunks(clock):
    t = ActivityClock(120, clock=clock, max_session_s=300)
    finished = work(t, clock, [0] + [60] * 11)
    assert finished == [Session(None, 1000.0, 300.0), Session(None, 1300.0, 300.0)]
    assert t.close() == [Session(None, 1600.0, 60.0)]


def test_the_cut_off_must_be_positive():
    with pytest.raises(ValueError):
        ActivityClock(0)
