"""The timeline widget as an editor uses it: drops, drags, trims, keys, zoom, and undo of each."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QWheelEvent
from PySide6.QtWidgets import QApplication

import pytest

from test_timeline_fixtures import film

from director.core.timeline import Gap
from director.store import shots
from director.store import timeline as st
from director.ui.timeline_view import MIME_SHOT, TimelineView, shot_mime, take_mime
from director.ui.undo import ProjectSession


@pytest.fixture
def setup(qtbot, tmp_path):
    project, ids = film(tmp_path)
    session = ProjectSession(project)
    view = TimelineView(session)
    view.resize(900, 260)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    yield session, view, ids
    project.close()


def order(view):
    return [(type(i).__name__, getattr(i, "shot_id", None), i.duration) for i in view.timeline.track(1).items]


def drop(view, mime, x, y=None):
    """What a real drag delivers: enter, move, then drop (Qt refuses a drop whose enter was not accepted)."""
    y = view.track_center_y(0) if y is None else y
    args = (QPointF(x, y).toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), QDragEnterEvent(*args))
    QApplication.sendEvent(view.viewport(), QDragMoveEvent(*args))
    event = QDropEvent(QPointF(x, y), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), event)
    return event


def fill(view, qtbot, session, ids):
    with qtbot.waitSignal(view.cut_changed):
        drop(view, take_mime(ids["t_red"]), 5)
    with qtbot.waitSignal(view.cut_changed):
        drop(view, shot_mime(ids["s2"]), view.frame_to_viewport_x(48) + 5)
    return [i.id for i in view.timeline.track(1).items]


def test_dropping_a_take_and_a_shot_places_them_and_undo_removes_them(setup, qtbot):
    session, view, ids = setup
    first, second = fill(view, qtbot, session, ids)
    assert order(view) == [("Clip", ids["s1"], 48), ("Clip", ids["s2"], 96)]
    assert view.timeline.clip(first).takes == {ids["a1"]: ids["t_red"]}
    with qtbot.waitSignal(view.cut_changed):  # a shot dropped near the start goes before the others
        drop(view, shot_mime(ids["s2"]), view.frame_to_viewport_x(3))
    assert order(view)[0] == ("Clip", ids["s2"], 96)
    assert session.undo_stack.count() == 3 and session.undo_stack.undoText() == "Add shot 2"
    with qtbot.waitSignal(view.cut_changed):
        session.undo_stack.undo()
    with qtbot.waitSignal(view.cut_changed):
        session.undo_stack.undo()
    assert order(view) == [("Clip", ids["s1"], 48)]


def test_a_foreign_drop_is_ignored(setup):
    session, view, ids = setup
    from PySide6.QtCore import QMimeData

    mime = QMimeData()
    mime.setText("hello")
    event = drop(view, mime, 10)
    assert not event.isAccepted() and view.timeline.duration == 0
    assert MIME_SHOT == "application/x-director-shot"


def test_dragging_a_clip_reorders_and_undo_puts_it_back(setup, qtbot):
    session, view, ids = setup
    first, second = fill(view, qtbot, session, ids)
    r = view.item_rect(first)
    start = QPoint(int(r.center().x()), int(r.center().y()))
    end = QPoint(view.frame_to_viewport_x(48 + 96) - 4, start.y())
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view.viewport(), QPoint(start.x() + 20, start.y()))
    qtbot.mouseMove(view.viewport(), end)
    with qtbot.waitSignal(view.cut_changed):
        qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=end)
    assert [i.id for i in view.timeline.track(1).items] == [second, first]
    with qtbot.waitSignal(view.cut_changed):
        session.undo_stack.undo()
    assert [i.id for i in view.timeline.track(1).items] == [first, second]


def test_dragging_a_tail_edge_trims_and_snaps_to_the_playhead(setup, qtbot):
    session, view, ids = setup
    first, second = fill(view, qtbot, session, ids)
    view.set_playhead(30)
    r = view.item_rect(first)
    edge = QPoint(int(r.right()) - 2, int(r.center().y()))
    near_playhead = QPoint(view.frame_to_viewport_x(30) + 5, edge.y())  # 5 px off: snaps
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=edge)
    qtbot.mouseMove(view.viewport(), near_playhead)
    with qtbot.waitSignal(view.cut_changed):
        qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=near_playhead)
    assert view.timeline.clip(first).duration == 30 and view.timeline.track(1).starts() == [0, 30]
    with qtbot.waitSignal(view.cut_changed):
        session.undo_stack.undo()
    assert view.timeline.clip(first).duration == 48


def test_head_trim_by_drag(setup, qtbot):
    session, view, ids = setup
    first, second = fill(view, qtbot, session, ids)
    r = view.item_rect(second)
    edge = QPoint(int(r.left()) + 2, int(r.center().y()))
    to = QPoint(view.frame_to_viewport_x(58), edge.y())
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=edge)
    qtbot.mouseMove(view.viewport(), to)
    with qtbot.waitSignal(view.cut_changed):
        qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=to)
    clip = view.timeline.clip(second)
    assert (clip.source_in, clip.duration) == (10, 86)


def test_keys_split_lift_and_ripple_delete_with_undo(setup, qtbot):
    session, view, ids = setup
    first, second = fill(view, qtbot, session, ids)
    view.set_playhead(20)
    with qtbot.waitSignal(view.cut_changed):
        qtbot.keyClick(view, Qt.Key.Key_S)
    assert [i.duration for i in view.timeline.track(1).items] == [20, 28, 96]
    right = view.timeline.track(1).items[1].id
    view.select(right)
    with qtbot.waitSignal(view.cut_changed):
        qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert isinstance(view.timeline.track(1).items[1], Gap) and view.timeline.duration == 144
    gap = view.timeline.track(1).items[1].id
    view.select(gap)
    with qtbot.waitSignal(view.cut_changed):
        qtbot.keyClick(view, Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)
    assert [i.duration for i in view.timeline.track(1).items] == [20, 96]
    view.select(second)
    with qtbot.waitSignal(view.cut_changed):
        qtbot.keyClick(view, Qt.Key.Key_Delete, Qt.KeyboardModifier.ShiftModifier)
    assert [i.duration for i in view.timeline.track(1).items] == [20]
    for _ in range(4):
        with qtbot.waitSignal(view.cut_changed):
            session.undo_stack.undo()
    assert [i.id for i in view.timeline.track(1).items] == [first, second]
    assert [i.duration for i in view.timeline.track(1).items] == [48, 96]


def test_number_keys_cut_angles_at_the_playhead(setup, qtbot):
    session, view, ids = setup
    first, second = fill(view, qtbot, session, ids)
    view.set_playhead(12)
    with qtbot.waitSignal(view.cut_changed):
        qtbot.keyClick(view, Qt.Key.Key_2)
    cut = st.build_cut(session.project)
    assert [(s.record_start, s.camera, s.take_id) for s in cut.segments[:2]] == [(0, "A", ids["t_red"]), (12, "B", ids["t_green"])]
    assert view.timeline.clip(first).camera_at(12) == ids["b1"]
    errors = []
    session.error_raised.connect(errors.append)
    view.set_playhead(60)
    qtbot.keyClick(view, Qt.Key.Key_2)  # shot 2 has one camera
    assert errors and "no camera 2" in errors[-1]
    with qtbot.waitSignal(view.cut_changed):
        session.undo_stack.undo()
    assert view.timeline.clip(first).angle_cuts == ()


def test_a_locked_shot_refuses_timeline_edits_with_a_message(setup, qtbot):
    session, view, ids = setup
    first, second = fill(view, qtbot, session, ids)
    shots.update_shot(session.project, ids["s1"], status="locked")
    view.set_playhead(10)
    with qtbot.waitSignal(session.error_raised) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_S)
    assert "shot 1 is locked" in blocker.args[0]
    assert [i.duration for i in view.timeline.track(1).items] == [48, 96] and session.undo_stack.count() == 2


def test_ctrl_wheel_zooms_and_plain_wheel_scrolls(setup, qtbot):
    session, view, ids = setup
    fill(view, qtbot, session, ids)
    before = view.ppf
    pos = QPointF(100, view.track_center_y(0))
    event = QWheelEvent(pos, view.mapToGlobal(pos.toPoint()).toPointF(), QPoint(), QPoint(0, 120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), event)
    assert view.ppf == pytest.approx(before * 1.25)
    assert view.item_rect(view.timeline.track(1).items[1].id).left() == pytest.approx(view.frame_to_viewport_x(48), abs=1)
    view.set_zoom(20)
    bar = view.horizontalScrollBar()
    bar.setValue(0)
    QApplication.sendEvent(view.viewport(), QWheelEvent(pos, pos, QPoint(), QPoint(0, -120), Qt.MouseButton.NoButton,
                                                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False))
    assert bar.value() == 120


def test_clicking_the_ruler_moves_the_playhead(setup, qtbot):
    session, view, ids = setup
    fill(view, qtbot, session, ids)
    with qtbot.waitSignal(view.playhead_moved) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(view.frame_to_viewport_x(40), 8))
    assert blocker.args == [40]
