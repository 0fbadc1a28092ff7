"""Layout that fits (issue #21), offscreen: the Generate form under a budget warning, the missing-
weights notice, saved window geometry on a smaller screen, and the timeline's opening height."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect
from PySide6.QtWidgets import QVBoxLayout, QWidget


def _generate_panel(session, qtbot, size):
    from director.ui.generate_panel import GeneratePanel

    host = QWidget()
    QVBoxLayout(host).addWidget(panel := GeneratePanel(session))
    host.resize(*size)
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    return host, panel


def _in(panel, widget) -> QRect:
    return QRect(widget.mapTo(panel, widget.rect().topLeft()), widget.size())


def test_a_budget_warning_never_squashes_the_generate_form(session, qtbot):
    from director.core.enums import JobState
    from director.store import jobs, shots

    project = session.project
    shot, _ = shots.add_shot(project, "1")
    host, panel = _generate_panel(session, qtbot, (300, 300))
    panel.set_preset("tiny-t2v")
    panel.set_shot(shot.id)
    job_id, _ = jobs.create_job(project, shot_id=shot.id, camera_id=None, prompt_id=None, preset="tiny-t2v", params=panel.params(), seeds=[1])
    jobs.mark_running(project, job_id)
    jobs.finish_job(project, job_id, JobState.DONE, {"gpu_s": 30.0})
    session.announce(shots.update_shot(project, shot.id, budget_money="0.01"))
    panel.validate()
    qtbot.wait(20)
    assert "budget" in panel.estimate.text() and panel.estimate.isVisible()
    rows = [panel.preset_box, panel.variants, panel.steps, panel.guidance, panel.width_box, panel.frames, panel.fps, panel.target, panel.estimate]
    rects = [_in(panel, w) for w in rows]
    for widget, rect in zip(rows, rects):
        assert rect.height() >= widget.minimumSizeHint().height(), f"{widget.objectName() or type(widget).__name__} squashed to {rect.height()} px"
    for a, b in zip(rects, rects[1:]):
        assert a.bottom() < b.top() or a.top() == b.top(), f"rows overlap: {a} and {b}"
    assert not _in(panel, panel.frames).intersects(_in(panel, panel.fps))
    estimate = panel.estimate
    assert estimate.height() >= estimate.heightForWidth(estimate.width())  # every line of the warning shows
    # The form scrolls; the Generate buttons stay in view under it.
    assert panel.form_scroll.verticalScrollBar().maximum() > 0
    assert panel.rect().contains(_in(panel, panel.generate_button))


def test_the_generate_panel_says_before_queueing_that_weights_are_missing(session, qtbot):
    host, panel = _generate_panel(session, qtbot, (360, 600))
    if not panel._present:
        with qtbot.waitSignal(panel.weights_checked, timeout=30_000):
            pass
    real = next(p for p in panel._presets if not p.tiny and not p.builder)
    panel.set_preset(real.id)  # no weights on a test machine (an empty HF cache, offline)
    assert panel.weights_missing()
    assert panel.weights_notice.isVisible()
    text = panel.weights_notice.text()
    assert real.label in text and real.pull_command() in text and "Model folder" in text
    panel.set_preset("tiny-t2v")  # random weights, built here: nothing to get
    assert not panel.weights_missing() and not panel.weights_notice.isVisible()


def test_a_saved_geometry_larger_than_the_screen_is_clamped_to_it(qtbot):
    from director.ui.main_window import MainWindow
    from director.ui.recent import app_settings

    big = MainWindow()
    big.setMinimumSize(0, 0)
    big.setGeometry(2600, 1900, 3600, 2400)  # a window saved on a much larger monitor, off this screen
    settings = app_settings()
    settings.setValue("window/geometry", big.saveGeometry())
    settings.sync()
    big.deleteLater()
    window = MainWindow()
    qtbot.addWidget(window)
    area = window.screen().availableGeometry()
    frame = window.frameGeometry()
    assert frame.left() >= area.left() and frame.top() >= area.top()
    assert frame.height() <= area.height()
    assert frame.width() <= max(area.width(), window.minimumSizeHint().width())
    assert isinstance(settings.value("window/geometry"), QByteArray)


def test_the_timeline_opens_tall_enough_for_its_clips_and_camera_lanes(window, project_file, qtbot):
    from director.store import cameras, shots, timeline
    from director.ui.timeline_view import RULER_H, TRACK_H
    from tests.ui.test_timeline_fixtures import make_take

    window.new_project(project_file)
    project = window.session.project
    shot, _ = shots.add_shot(project, "1")
    make_take(project, shot.id, cameras.list_cameras(project, shot.id)[0].id, (200, 30, 30), frames=24)
    window.session.push(timeline.insert_shot(project, shot.id))
    qtbot.waitUntil(lambda: not window.busy(), timeout=10_000)
    qtbot.wait(50)
    view = window.panel("timeline")
    assert view.isVisible()
    assert view.viewport().height() >= RULER_H + TRACK_H, view.viewport().height()  # a whole track, lanes included


def test_a_preset_set_before_the_weights_check_answers_is_kept(window, project_file, qtbot):
    """The check may start the panel on another preset only while none was chosen: it switched a
    chosen tiny-t2v to the previz mid-session (a 2-step job then read 'steps 2 is out of range')."""
    window.new_project(project_file)
    panel = window.panel("generate")
    panel._present = {}  # as if the check had not answered yet
    panel.set_preset("tiny-t2v")
    panel._on_weights_checked({p.id: False for p in panel._presets} | {"previz": True})
    assert panel.preset().id == "tiny-t2v"
