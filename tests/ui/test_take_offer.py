"""A take that lands on a shot not on screen is offered, not forced (#21): the status bar says which
take of which shot is ready, and its Show link goes to that shot and selects the take. A take of the
shot on screen needs no offer (the gallery shows it)."""

from __future__ import annotations

from test_queue_panel import paused_window_with_shot
from test_timeline_fixtures import GREEN, RED, make_take

from director.ui.take_links import TakeOffer


def test_a_take_of_another_shot_is_offered_and_show_goes_to_it(window, project_file, qtbot):
    first = paused_window_with_shot(window, project_file)
    shots = window.panel("shots")
    second = shots.add_shot("2")
    project = window.session.project
    camera = project.db.execute("SELECT id FROM cameras WHERE shot_id = ?", [first]).fetchone()[0]
    window.select_shot(second)
    gallery = window.panel("gallery")
    assert gallery.shot_id() == second
    qtbot.waitUntil(lambda: not window.busy(), timeout=10_000)  # settled, as when a render lands

    take = make_take(project, first, camera, RED, frames=4)
    job = project.db.execute("SELECT job_id FROM takes WHERE id = ?", [take]).fetchone()[0]
    window.engine.job_ended.emit(job, f"Job {job} finished (1 take)", False)
    offer = window.findChild(TakeOffer, "takeOffer")
    assert offer is not None and offer.isVisible()
    assert f"Take {take} of shot 1 is ready" in offer.text() and ">Show</a>" in offer.text()
    assert gallery.shot_id() == second  # offered: the director is not pulled away

    offer.linkActivated.emit(f"take:{take}")
    qtbot.waitUntil(lambda: not window.busy(), timeout=10_000)
    assert gallery.shot_id() == first
    assert gallery.current_take_id() == take and gallery.selected_take_ids() == [take]
    assert window.panel("viewer").take_id == take
    assert not offer.isVisible()

    # A take of the shot on screen, or a failed job, makes no offer.
    here = make_take(project, first, camera, GREEN, frames=4)
    here_job = project.db.execute("SELECT job_id FROM takes WHERE id = ?", [here]).fetchone()[0]
    window.engine.job_ended.emit(here_job, f"Job {here_job} finished (1 take)", False)
    assert not offer.isVisible()
    window.select_shot(second)
    window.engine.job_ended.emit(job, f"Job {job} failed: out of memory", True)
    assert not offer.isVisible()


def test_showing_a_new_take_selects_it_even_with_ctrl_held(window, project_file, qtbot):
    """The view's own setCurrentIndex reads the keyboard: with Ctrl down it toggled the take out of
    the selection it had just been given (seen after a Ctrl+key test left Ctrl down)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    shot = paused_window_with_shot(window, project_file)
    project = window.session.project
    camera = project.db.execute("SELECT id FROM cameras WHERE shot_id = ?", [shot]).fetchone()[0]
    takes = [make_take(project, shot, camera, colour, frames=4) for colour in (RED, GREEN)]
    gallery = window.panel("gallery")
    gallery.set_shot(shot)
    handle = window.windowHandle()  # through the window system: what keyboardModifiers() reports
    QTest.keyPress(handle, Qt.Key.Key_Control, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.keyboardModifiers() & Qt.KeyboardModifier.ControlModifier
    try:
        assert gallery.show_new_take(takes[1])
        assert gallery.selected_take_ids() == [takes[1]] and gallery.current_take_id() == takes[1]
    finally:
        QTest.keyRelease(handle, Qt.Key.Key_Control)
