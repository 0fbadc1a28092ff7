"""Panels fit narrow docks (#21): a row of controls wraps (FlowLayout) instead of setting its panel's
minimum width. At 1366×768 the Viewer dock showed a sideways scroll bar (the viewer asked ~440 px),
the Queue's button row asked ~440 px, and the gallery's filter bar made the window ≥ 1145 px wide."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget
from test_queue_panel import paused_window_with_shot

from director.ui.flow_layout import FlowLayout
from director.ui.models.jobs_model import JobsModel


@pytest.fixture
def row(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    layout = FlowLayout(host, spacing=4)
    buttons = [QPushButton(text) for text in ("Promote", "→ Video", "Extend", "Re-render", "More Like This", "Use in Cut", "Reveal")]
    for button in buttons:
        layout.addWidget(button)
    host.show()
    qtbot.waitExposed(host)
    return host, layout, buttons


def test_a_flow_row_asks_only_for_its_widest_item_and_wraps_in_order(row, qtbot):
    host, layout, buttons = row
    widest = max(b.minimumSizeHint().width() for b in buttons)
    one_line = sum(b.sizeHint().width() for b in buttons) + 4 * (len(buttons) - 1)
    assert host.minimumSizeHint().width() <= widest + 30 < one_line
    assert layout.heightForWidth(one_line) == max(b.sizeHint().height() for b in buttons)
    tall = layout.heightForWidth(widest)
    assert tall >= len(buttons) * buttons[0].sizeHint().height()  # one per line
    host.resize(widest * 2 + 20, tall)
    qtbot.waitUntil(lambda: buttons[-1].geometry().bottom() > buttons[0].geometry().bottom())
    rects = [b.geometry() for b in buttons]
    for a, b in itertools.pairwise(rects):  # reading order: right on the same line, else below
        assert (b.top() == a.top() and b.left() > a.right()) or b.top() > a.bottom()
    for i, a in enumerate(rects):
        assert a.right() < host.width()
        assert not any(a.intersects(b) for b in rects[i + 1:])


def test_the_gallery_viewer_and_queue_fit_the_docks_of_a_1366_screen(window, project_file):
    paused_window_with_shot(window, project_file)
    window.resize(1366, 740)
    assert window.panel("gallery").minimumSizeHint().width() <= 320  # the filter bar wraps
    assert window.panel("viewer").minimumSizeHint().width() <= 280
    queue = window.panel("queue")
    assert queue.minimumSizeHint().width() <= 200
    assert window.minimumSizeHint().width() <= 1024
    assert window.panel("viewer").buttons["more"].text() == "More Like This"


def test_a_narrow_queue_shows_the_columns_that_fit_by_priority(window, project_file, qtbot):
    paused_window_with_shot(window, project_file)
    from director.ui.queue_panel import QueuePanel

    queue = QueuePanel(window.session, window.runner)  # on its own, at set widths
    qtbot.addWidget(queue)
    queue.show()
    view, header = queue.view, queue.view.horizontalHeader()

    def shown() -> list[int]:
        return [c for c in range(len(JobsModel.COLUMNS)) if not view.isColumnHidden(c)]

    queue.resize(270, 300)
    qtbot.waitUntil(lambda: view.isColumnHidden(JobsModel.MESSAGE))
    assert {JobsModel.SHOT, JobsModel.PROGRESS} <= set(shown()) and JobsModel.PRESET not in shown()
    assert sum(header.sectionSize(c) for c in shown()) <= view.viewport().width()
    assert not view.horizontalScrollBar().isVisible()
    queue.resize(1200, 300)
    qtbot.waitUntil(lambda: shown() == list(range(len(JobsModel.COLUMNS))))


def test_the_viewers_prompt_keeps_its_width_in_a_narrow_viewer(window, project_file, qtbot):
    """The prompt wraps within the viewer's width (a 300-character word never widens it) and
    still gets that width: an Ignored size policy in the form gave it none and it vanished."""
    from test_timeline_fixtures import RED, make_take

    from director.ui.gallery.take_viewer import TakeViewer

    shot = paused_window_with_shot(window, project_file)
    project = window.session.project
    camera = project.db.execute("SELECT id FROM cameras WHERE shot_id = ?", [shot]).fetchone()[0]
    viewer = TakeViewer(window.session)
    qtbot.addWidget(viewer)
    viewer.resize(300, 700)
    viewer.show()
    take = make_take(project, shot, camera, RED, frames=4)
    viewer.show_take(take)
    prompt = viewer.fields["prompt"]
    prompt.setText("x" * 300)
    qtbot.waitUntil(lambda: prompt.width() >= 150)
    assert viewer.minimumSizeHint().width() <= 280
    assert prompt.height() >= prompt.fontMetrics().lineSpacing()


def test_sideways_scrollers_names_a_panel_wider_than_its_dock(qtbot):
    from PySide6.QtWidgets import QDockWidget, QMainWindow

    from director.ui.dock_fit import in_dock, sideways_scrollers

    main = QMainWindow()
    qtbot.addWidget(main)
    main.setCentralWidget(QWidget())
    wide = QWidget()
    wide.setObjectName("wide")
    wide.setMinimumWidth(900)
    dock = QDockWidget("Wide")
    dock.setWidget(in_dock(wide))
    main.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    main.resize(800, 400)
    main.show()
    qtbot.waitExposed(main)
    main.resizeDocks([dock], [300], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: bool(sideways_scrollers({"wide": dock})))
    (found,) = sideways_scrollers({"wide": dock})
    assert found["dock"] == "wide" and found["wrapper"] and found["area"] == "PanelScroll scroll_wide"
    wide.setMinimumWidth(50)
    qtbot.waitUntil(lambda: not sideways_scrollers({"wide": dock}))
