"""Automatic time from real Qt input events, with an injected clock (no sleeps)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from director.store import shots, timelog
from director.store.project import Project
from director.ui.activity_tracker import ActivityTracker


class FakeClock:
    def __init__(self):
        self.now = 1_700_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def setup(tmp_path, qtbot):
    p = Project.create(tmp_path / "t.director")
    a, _ = shots.add_shot(p, "1A")
    b, _ = shots.add_shot(p, "2A")
    clock = FakeClock()
    tracker = ActivityTracker(p, clock=clock)
    tracker.start()
    editor = QLineEdit()
    qtbot.addWidget(editor)
    editor.show()
    yield p, tracker, clock, editor, a.id, b.id
    tracker.stop()
    p.close()


def type_at(qtbot, clock, editor, *times):
    for t in times:
        clock.now = 1_700_000_000.0 + t
        qtbot.keyClick(editor, Qt.Key.Key_A)


def test_typing_on_a_shot_logs_active_time_when_switching_shots(setup, qtbot):
    p, tracker, clock, editor, a, b = setup
    tracker.set_current_shot(a)
    type_at(qtbot, clock, editor, 0, 30, 90)
    with qtbot.waitSignal(tracker.time_logged) as logged:
        tracker.set_current_shot(b)
    assert logged.args[0].time_log and logged.args[0].costs
    [row] = timelog.time_rows(p)
    assert (row.shot, row.seconds, row.source) == ("1A", 90.0, "auto")
    assert row.when.startswith("2023-11-14T22:13:20")


def test_idle_time_past_the_cut_off_is_not_logged(setup, qtbot):
    p, tracker, clock, editor, a, _ = setup
    p.update_settings(idle_cutoff_s=60)
    tracker.on_changes(p.update_settings(idle_cutoff_s=60))
    tracker.set_current_shot(a)
    type_at(qtbot, clock, editor, 0, 50, 111, 121)  # the 61 s gap ends the first session
    tracker.stop()
    assert [r.seconds for r in timelog.time_rows(p)] == [50.0, 10.0]


def test_the_timer_tick_writes_an_idle_session(setup, qtbot):
    p, tracker, clock, editor, a, _ = setup
    tracker.set_current_shot(a)
    type_at(qtbot, clock, editor, 0, 45)
    clock.now += 121
    with qtbot.waitSignal(tracker.time_logged):
        tracker._timer.timeout.emit()
    assert [r.seconds for r in timelog.time_rows(p)] == [45.0]


def test_paused_tracking_counts_nothing(setup, qtbot):
    p, tracker, clock, editor, a, _ = setup
    tracker.set_current_shot(a)
    type_at(qtbot, clock, editor, 0, 20)
    with qtbot.waitSignal(tracker.paused_changed):
        tracker.set_paused(True)
    type_at(qtbot, clock, editor, 30, 60, 90)
    tracker.set_paused(False)
    type_at(qtbot, clock, editor, 100, 105)
    tracker.stop()
    assert [r.seconds for r in timelog.time_rows(p)] == [20.0, 5.0]


def test_leaving_the_application_pauses_until_it_is_active_again(setup, qtbot):
    p, tracker, clock, editor, a, _ = setup
    tracker.set_current_shot(a)
    type_at(qtbot, clock, editor, 0, 10)
    tracker._on_application_state_changed(Qt.ApplicationState.ApplicationInactive)
    type_at(qtbot, clock, editor, 20, 30)
    tracker._on_application_state_changed(Qt.ApplicationState.ApplicationActive)
    type_at(qtbot, clock, editor, 40, 47)
    tracker.stop()
    assert [r.seconds for r in timelog.time_rows(p)] == [10.0, 7.0]


def test_a_read_only_project_does_not_break_the_window(tmp_path, qtbot):
    path = tmp_path / "ro.director"
    Project.create(path).close()
    p = Project.open(path, readonly=True)
    clock = FakeClock()
    tracker = ActivityTracker(p, clock=clock)
    tracker.start()
    editor = QLineEdit()
    qtbot.addWidget(editor)
    type_at(qtbot, clock, editor, 0, 30)
    tracker.stop()  # nothing raised, nothing written
    assert timelog.time_rows(p) == []
    p.close()
