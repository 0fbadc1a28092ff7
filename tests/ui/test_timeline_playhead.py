"""The timeline's playhead leaves nothing behind when it moves (issue #21: after playback a stale
second playhead stayed below the last track, where the old repaint never reached)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtGui import QRegion

from test_timeline_fixtures import film

from director.store import timeline as st
from director.ui.timeline_view import RULER_H, TRACK_H, TimelineView
from director.ui.undo import ProjectSession


class PaintedRegions(QObject):
    """Collects the regions a widget is asked to repaint."""

    def __init__(self, widget):
        super().__init__(widget)
        self.region = QRegion()
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.region = self.region.united(event.region())
        return False


def test_moving_the_playhead_repaints_the_old_line_down_to_the_bottom_of_the_view(qtbot, tmp_path):
    project, ids = film(tmp_path)
    session = ProjectSession(project)
    try:
        session.push(st.insert_shot(project, ids["s1"]))
        view = TimelineView(session)
        qtbot.addWidget(view)
        view.resize(600, RULER_H + TRACK_H * 3 + 80)  # one track: the view runs well below the scene
        view.show()
        qtbot.waitExposed(view)
        view.set_playhead(20)
        qtbot.wait(50)
        painted = PaintedRegions(view.viewport())
        for frame in range(21, 45):  # what playback in the program viewer does, frame by frame
            view.set_playhead(frame)
        qtbot.wait(50)
        height = view.viewport().height()
        assert height > view.scene().height() + 40
        for frame in range(20, 45):
            x = view.frame_to_viewport_x(frame)
            column = QRect(x, 0, 1, height)
            assert painted.region.intersected(column) == QRegion(column), f"frame {frame}'s line is not repainted over the view's height"
    finally:
        session.shutdown()
        project.close()
