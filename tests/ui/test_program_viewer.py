"""The program viewer shows the right picture on the right frame, letterboxed, and plays in real time."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QElapsedTimer, QPoint, Qt

from test_timeline_fixtures import BLUE, GREEN, RED, film, near, pixel

from director.store import timeline as st
from director.ui.program_viewer import ProgramViewer
from director.ui.undo import ProjectSession


@pytest.fixture
def cut(qtbot, tmp_path):
    """Shot 1 (A red 0–11, B green 12–47), then shot 2 (blue still 96×48) for 24 frames."""
    project, ids = film(tmp_path, width=128, height=96)
    session = ProjectSession(project)
    for make in (lambda: st.insert_shot(project, ids["s1"]), lambda: st.insert_shot(project, ids["s2"], duration=24),
                 lambda: st.cut_to_camera(project, 12, name="B")):
        session.push(make())
    viewer = ProgramViewer(session)
    viewer.resize(320, 260)
    qtbot.addWidget(viewer)
    with qtbot.waitSignal(viewer.cut_loaded):  # the cut is built on the reads thread once shown
        viewer.show()
    qtbot.waitExposed(viewer)
    yield session, viewer, ids
    viewer.close()
    session.shutdown()
    project.close()


def test_each_frame_shows_its_take_exactly_at_the_cut_points(cut):
    session, viewer, ids = cut
    assert viewer.cut.duration == 72
    for frame, colour in ((0, RED), (11, RED), (12, GREEN), (47, GREEN), (48, BLUE), (71, BLUE)):
        image = viewer.frame_image(frame)
        assert (image.width(), image.height()) == (128, 96)
        assert near(pixel(image, 64, 48), colour), (frame, pixel(image, 64, 48))
    assert pixel(viewer.frame_image(72), 64, 48) == (0, 0, 0)  # past the end: black


def test_other_sizes_are_letterboxed(cut):
    session, viewer, ids = cut
    square = viewer.frame_image(20)  # 64×64 green in 128×96: pillarbox 16 px each side
    assert pixel(square, 4, 48) == (0, 0, 0) and near(pixel(square, 20, 48), GREEN) and pixel(square, 123, 48) == (0, 0, 0)
    wide = viewer.frame_image(50)  # 96×48 blue in 128×96: letterbox 16 px top and bottom
    assert pixel(wide, 64, 4) == (0, 0, 0) and near(pixel(wide, 64, 20), BLUE) and pixel(wide, 64, 91) == (0, 0, 0)


def test_an_edit_reaches_the_viewer_and_undo_takes_it_back(cut, qtbot):
    session, viewer, ids = cut
    with qtbot.waitSignal(viewer.cut_loaded):
        session.push(st.cut_to_camera(session.project, 30, name="A"))
    assert near(pixel(viewer.frame_image(30), 64, 48), RED)
    with qtbot.waitSignal(viewer.cut_loaded):
        session.undo_stack.undo()
    assert near(pixel(viewer.frame_image(30), 64, 48), GREEN)


def test_number_keys_cut_while_watching(cut, qtbot):
    session, viewer, ids = cut
    viewer.seek(40)
    with qtbot.waitSignal(viewer.cut_loaded):
        qtbot.keyClick(viewer, Qt.Key.Key_1)
    assert near(pixel(viewer.frame_image(40), 64, 48), RED) and near(pixel(viewer.frame_image(39), 64, 48), GREEN)


def test_transport_keys(cut, qtbot):
    session, viewer, ids = cut
    qtbot.keyClick(viewer, Qt.Key.Key_End)
    assert viewer.frame == 71
    qtbot.keyClick(viewer, Qt.Key.Key_Home)
    assert viewer.frame == 0
    qtbot.keyClick(viewer, Qt.Key.Key_Right)
    qtbot.keyClick(viewer, Qt.Key.Key_Right)
    qtbot.keyClick(viewer, Qt.Key.Key_Left)
    assert viewer.frame == 1
    with qtbot.waitSignal(viewer.marks_changed) as marks:
        qtbot.keyClick(viewer, Qt.Key.Key_I)
    viewer.seek(30)
    qtbot.keyClick(viewer, Qt.Key.Key_O)
    assert (viewer.mark_in, viewer.mark_out) == (1, 30)
    with qtbot.waitSignal(viewer.playback_started):
        qtbot.keyClick(viewer, Qt.Key.Key_L)
    qtbot.keyClick(viewer, Qt.Key.Key_L)
    assert viewer.speed == 2
    qtbot.keyClick(viewer, Qt.Key.Key_J)
    assert viewer.speed == -1
    with qtbot.waitSignal(viewer.playback_stopped):
        qtbot.keyClick(viewer, Qt.Key.Key_K)
    with qtbot.waitSignal(viewer.playback_started):
        qtbot.keyClick(viewer, Qt.Key.Key_Space)
    with qtbot.waitSignal(viewer.playback_stopped):
        qtbot.keyClick(viewer, Qt.Key.Key_Space)


def test_playback_keeps_wall_clock_time_and_stops_at_the_out_mark(cut, qtbot):
    session, viewer, ids = cut
    viewer.mark_out = 47  # two seconds at 24 fps
    viewer.seek(0)
    viewer.reset_counters()
    clock = QElapsedTimer()
    clock.start()
    with qtbot.waitSignal(viewer.playback_stopped, timeout=6000):
        viewer.play()
    elapsed = clock.elapsed() / 1000
    assert viewer.frame == 47
    assert 47 / 24 - 0.05 <= elapsed <= 47 / 24 + 0.5  # real time: not faster, and not slowed down
    assert viewer.shown_frames + viewer.dropped_frames >= 47


# -- the transport under the picture (issue #21) ---------------------------------------------------


def test_the_play_button_and_space_toggle_playback_and_say_which(cut, qtbot):
    session, viewer, ids = cut
    from director.ui.program_viewer import PAUSE_TEXT, PLAY_TEXT

    assert viewer.play_button.isVisible() and viewer.play_button.text() == PLAY_TEXT
    with qtbot.waitSignal(viewer.playback_started):
        qtbot.mouseClick(viewer.play_button, Qt.MouseButton.LeftButton)
    assert viewer.playing and viewer.play_button.text() == PAUSE_TEXT
    with qtbot.waitSignal(viewer.playback_stopped):
        qtbot.mouseClick(viewer.play_button, Qt.MouseButton.LeftButton)
    assert not viewer.playing and viewer.play_button.text() == PLAY_TEXT
    assert viewer.focusPolicy() == Qt.FocusPolicy.StrongFocus and viewer.play_button.focusPolicy() == Qt.FocusPolicy.NoFocus
    with qtbot.waitSignal(viewer.playback_started):
        qtbot.keyClick(viewer, Qt.Key.Key_Space)
    assert viewer.play_button.text() == PAUSE_TEXT
    with qtbot.waitSignal(viewer.playback_stopped):
        qtbot.keyClick(viewer, Qt.Key.Key_Space)


def test_scrubbing_moves_the_frame_and_the_timecode_follows(cut, qtbot):
    session, viewer, ids = cut
    rate = viewer.cut.rate
    assert (viewer.scrubber.minimum(), viewer.scrubber.maximum()) == (0, 71)
    assert viewer.timecode.text() == f"{rate.timecode(0)} / {rate.timecode(72)}"
    with qtbot.waitSignal(viewer.playhead_moved) as moved:
        viewer.scrubber.setValue(50)  # what a drag or a click on the groove does
    assert moved.args == [50] and viewer.frame == 50
    assert near(pixel(viewer.frame_image(viewer.frame), 64, 48), BLUE)
    assert viewer.timecode.text() == f"{rate.timecode(50)} / {rate.timecode(72)}"
    # A click on the groove pages towards the click (the slider's own behaviour), which is a seek too.
    left_of_handle = QPoint(viewer.scrubber.x_of(50) - viewer.scrubber.width() // 3, viewer.scrubber.height() // 2)
    qtbot.mouseClick(viewer.scrubber, Qt.MouseButton.LeftButton, pos=left_of_handle)
    assert viewer.frame < 50 and viewer.scrubber.value() == viewer.frame
    viewer.seek(12)  # the other way: moving the playhead moves the handle
    assert viewer.scrubber.value() == 12 and viewer.timecode.text().startswith(rate.timecode(12))
    qtbot.keyClick(viewer, Qt.Key.Key_End)
    assert viewer.scrubber.value() == 71


def test_in_and_out_marks_are_drawn_on_the_scrubber(cut, qtbot):
    session, viewer, ids = cut
    from director.ui.program_viewer import MARK_COLOUR

    viewer.seek(10)
    qtbot.keyClick(viewer, Qt.Key.Key_I)
    viewer.seek(60)
    qtbot.keyClick(viewer, Qt.Key.Key_O)
    viewer.seek(35)  # the handle sits between the marks, away from both
    slider = viewer.scrubber
    assert (slider.mark_in, slider.mark_out) == (10, 60)
    image = slider.grab().toImage()
    for frame in (10, 60):
        column = [pixel(image, slider.x_of(frame), y) for y in range(image.height())]
        assert any(near(c, (MARK_COLOUR.red(), MARK_COLOUR.green(), MARK_COLOUR.blue()), 30) for c in column), frame
    outside = [pixel(image, slider.x_of(3), y) for y in range(image.height())]
    assert not any(near(c, (MARK_COLOUR.red(), MARK_COLOUR.green(), MARK_COLOUR.blue()), 30) for c in outside)
    viewer.mark_in = viewer.mark_out = None  # cleared marks leave the groove plain
    image = slider.grab().toImage()
    assert not any(near(pixel(image, slider.x_of(10), y), (MARK_COLOUR.red(), MARK_COLOUR.green(), MARK_COLOUR.blue()), 30) for y in range(image.height()))
