"""The Notifications panel (#21, item 5): a history of every finished, failed and cancelled job with
its link, desktop notices while the window is not active, and a status bar that is red only while
an error is shown."""

from __future__ import annotations

from PySide6.QtWidgets import QSystemTrayIcon

from director.core.enums import JobState
from director.store import jobs as store_jobs
from director.ui.notifications import DesktopNotifier, NotificationsPanel
from test_queue_panel import paused_window_with_shot


class FakeTray:
    """Stands in for QSystemTrayIcon where the offscreen platform has no tray."""

    messages: list = []

    def __init__(self, icon, parent):
        pass

    def setToolTip(self, text):
        pass

    def show(self):
        pass

    def showMessage(self, title, text, icon, ms):
        FakeTray.messages.append((title, text))


def _finished_job(project, sid, prompt_id):
    job_id, _ = store_jobs.create_job(project, shot_id=sid, camera_id=None, prompt_id=prompt_id, preset="tiny-t2i", params={}, seeds=[1])
    store_jobs.mark_running(project, job_id)
    store_jobs.finish_job(project, job_id, JobState.DONE, {"gpu_s": 1.0})
    return job_id


def test_history_holds_every_finished_failed_and_cancelled_job_with_its_link(window, project_file, qtbot):
    sid = paused_window_with_shot(window, project_file)
    assert window.panel("prompt").commit()
    project = window.session.project
    prompt_id = project.db.execute("SELECT current_prompt_id FROM shots WHERE id = ?", [sid]).fetchone()[0]
    done_before = _finished_job(project, sid, prompt_id)  # ended before the panel opened: read from the store
    panel = window.panel("notifications")
    assert isinstance(panel, NotificationsPanel)
    assert panel.model.job_ids() == {done_before}

    cancelled = window.generate()[0]
    queue = window.panel("queue")
    queue.select_job(cancelled)
    queue.cancel_button.click()
    bad, changes = store_jobs.create_job(project, shot_id=sid, camera_id=None, prompt_id=prompt_id, preset="tiny-t2i",
                                         params={"width": 100}, seeds=[1])
    window.session.announce(changes)
    with qtbot.waitSignal(window.engine.job_ended, check_params_cb=lambda job_id, text, error: job_id == bad, timeout=5000):
        window.set_queue_paused(False)
        window.pump()
    window.set_queue_paused(True)
    kinds = {n.job_id: n.kind for n in panel.model.notices() if n.job_id is not None}
    assert kinds == {done_before: "finished", cancelled: "cancelled", bad: "failed"}, kinds
    # The window's own words for the job are recorded once, not again as a plain notice.
    assert sum("failed" in n.text and f"Job {bad}" in n.text for n in panel.model.notices()) == 1

    # A failed job's link: its whole reason, and its row in the queue.
    row = next(r for r, n in enumerate(panel.model.notices()) if n.job_id == bad)
    assert panel.open_notice(row)
    assert "width 100 breaks" in panel.detail.text()
    assert queue.selected_job_id() == bad

    # The history survives a reopen (it is the store's).
    window.close_project()
    window.open_project(project_file)
    window.set_queue_paused(True)
    reopened = window.panel("notifications")
    assert {n.job_id: n.kind for n in reopened.model.notices() if n.job_id is not None} == kinds


def test_a_job_ending_while_the_window_is_not_active_sends_a_desktop_notice(session, monkeypatch):
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    FakeTray.messages = []
    panel = NotificationsPanel(session, notifier=DesktopNotifier(tray_factory=FakeTray))
    sid = session.project.db["shots"].insert({"code": "1", "ord": 1, "created_at": "2024-01-01T00:00:00+00:00"}).last_pk
    job_id = _finished_job(session.project, sid, None)
    assert not panel.window().isActiveWindow()  # never shown: not the window the director looks at
    panel.on_job_ended(job_id, f"Job {job_id} finished (1 take)", False)
    assert FakeTray.messages == [("Director: job finished", f"Job {job_id} finished (1 take)")]
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: False))
    panel.on_job_ended(job_id, "again", False)
    assert len(FakeTray.messages) == 1  # no tray: nothing sent, the row is still there
    assert [n.job_id for n in panel.model.notices()] == [job_id]  # one row per job, however often it is said


def test_the_status_bar_is_red_only_while_the_error_shows(window):
    window.notify("something broke", error=True)
    bar = window.statusBar()
    assert "ff8080" in bar.styleSheet()
    bar.showMessage("Open a project file")  # a hover tip (QStatusTipEvent does this)
    assert bar.styleSheet() == ""
    window.notify("another failure", error=True)
    assert "ff8080" in bar.styleSheet()
    bar.clearMessage()  # the error's time ran out
    assert bar.styleSheet() == ""
    window.notify("Queued 1 job")
    assert bar.styleSheet() == ""
