"""The queue panel with the queue paused (no engine needed): order, cancel, retry, failures, reopen."""

from __future__ import annotations

from PySide6.QtCore import Qt

from director.core.enums import JobState
from director.engine.messages import Progress, Started
from director.store import jobs as store_jobs
from director.store.jobs import get_job
from director.ui.models.jobs_model import JobsModel, format_duration


def paused_window_with_shot(window, project_file):
    window.new_project(project_file)
    window.set_queue_paused(True)  # before the first pump: nothing reaches the engine
    sid = window.panel("shots").add_shot("1")
    window.panel("prompt").field_edit("subject").setText("a quiet harbour")
    window.panel("generate").set_preset("tiny-t2i")
    window.panel("generate").variants.setValue(2)
    return sid


def queue_three(window):
    return [window.generate()[0] for _ in range(3)]


def test_jobs_model_passes_qtmodeltester_and_shows_waiting_jobs(window, project_file, qtmodeltester, qtbot):
    paused_window_with_shot(window, project_file)
    a, b, c = queue_three(window)
    model = window.panel("queue").model
    qtmodeltester.check(model)
    assert model.job_ids() == [a, b, c]
    assert model.data(model.index(0, JobsModel.STATUS)) == "queued"
    assert model.data(model.index(0, JobsModel.SHOT)) == "1/A"
    assert model.data(model.index(0, JobsModel.PRESET)) == "tiny-t2i ×2"
    qtbot.waitUntil(lambda: window.queue_label.text() == "Queue: 0 running, 3 waiting · paused")  # counted on the reads thread


def test_waiting_jobs_reorder_with_buttons_and_drag(window, project_file):
    paused_window_with_shot(window, project_file)
    a, b, c = queue_three(window)
    queue = window.panel("queue")
    queue.select_job(c)
    assert not queue.down_button.isEnabled()
    queue.up_button.click()
    assert queue.model.queued_ids() == [a, c, b]
    assert queue.selected_job_id() == c
    mime = queue.model.mimeData([queue.model.index(queue.model.row_of(b), 0)])
    assert queue.model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, queue.view.rootIndex())
    assert queue.model.queued_ids() == [b, a, c]
    assert store_jobs.next_queued(window.session.project).id == b


def test_cancel_a_waiting_job_then_retry_it(window, project_file):
    paused_window_with_shot(window, project_file)
    a, b, c = queue_three(window)
    queue = window.panel("queue")
    queue.select_job(b)
    queue.cancel_button.click()
    assert get_job(window.session.project, b).state is JobState.CANCELLED
    assert queue.model.data(queue.model.index(queue.model.row_of(b), JobsModel.MESSAGE)) == "cancelled before it started"
    queue.select_job(b)
    assert queue.retry_button.isEnabled() and not queue.cancel_button.isEnabled()
    new_id = queue.retry_selected()
    assert get_job(window.session.project, new_id).state is JobState.QUEUED
    assert queue.model.queued_ids() == [a, c, new_id]


def test_waiting_jobs_survive_closing_and_reopening(window, project_file):
    paused_window_with_shot(window, project_file)
    ids = queue_three(window)
    window.close_project()
    window.open_project(project_file)
    window.set_queue_paused(True)
    assert window.panel("queue").model.queued_ids() == ids


def test_a_job_that_cannot_run_fails_with_its_reason_in_the_queue_and_a_notification(window, project_file, qtbot):
    sid = paused_window_with_shot(window, project_file)
    assert window.panel("prompt").commit()
    project = window.session.project
    shot_prompt = project.db.execute("SELECT current_prompt_id FROM shots WHERE id = ?", [sid]).fetchone()[0]
    # A job whose size breaks the model's rule (as if the rules changed after it was queued).
    bad, changes = store_jobs.create_job(project, shot_id=sid, camera_id=None, prompt_id=shot_prompt, preset="tiny-t2i",
                                         params={"width": 100}, seeds=[1])
    window.session.announce(changes)
    with qtbot.waitSignal(window.notified, check_params_cb=lambda text: f"Job {bad} failed" in text, timeout=5000):
        window.set_queue_paused(False)
        window.pump()
    window.set_queue_paused(True)
    queue = window.panel("queue")
    message = queue.model.data(queue.model.index(queue.model.row_of(bad), JobsModel.MESSAGE))
    assert "width 100 breaks" in message and "multiple of 8" in message
    assert "width 100 breaks" in window.statusBar().currentMessage()


def test_progress_events_drive_the_bar_and_eta(session, qtmodeltester):
    sid = session.project.db["shots"].insert({"code": "1", "ord": 1, "created_at": "2024-01-01T00:00:00+00:00"}).last_pk
    job_id, _ = store_jobs.create_job(session.project, shot_id=sid, camera_id=None, prompt_id=None, preset="tiny-t2v", params={}, seeds=[1])
    session.announce(store_jobs.mark_running(session.project, job_id))
    model = JobsModel(session)
    assert model.data(model.index(0, JobsModel.PROGRESS)) == "starting"
    model.on_job_event(Started(job_id, "cpu", True))
    model.on_job_event(Progress(job_id, 1, 8))
    model.on_job_event(Progress(job_id, 3, 8))
    assert model.data(model.index(0, JobsModel.PROGRESS)) == "step 3 of 8"
    assert model.data(model.index(0, 0), JobsModel.ProgressRole) == (3, 8)
    assert model.data(model.index(0, JobsModel.ETA)) == "0:00"  # steps this fast finish at once
    qtmodeltester.check(model)


def test_format_duration_reads_like_a_clock():
    assert format_duration(5) == "0:05"
    assert format_duration(125) == "2:05"
    assert format_duration(3725) == "1:02:05"
    assert format_duration(None) == ""


def test_generate_panel_shows_the_rule_that_failed(window, project_file):
    paused_window_with_shot(window, project_file)
    panel = window.panel("generate")
    panel.set_preset("tiny-t2v")
    panel.frames.setValue(20)
    assert not panel.generate_button.isEnabled()
    assert "frames 20 breaks LTX's 8k+1 rule; nearest valid: 17" in panel.message.text()
    panel.frames.setValue(17)
    panel.seed_mode.setCurrentIndex(panel.seed_mode.findData("list"))
    panel.seeds.setText("1 2")
    assert panel.validate(), panel.message.text()
    panel.variants.setValue(3)
    assert "seed mode 'list' needs one seed per variant: 3 variants, 2 seeds" in panel.message.text()
    panel.seeds.setText("1 2 x")
    assert "seed 'x' is not a whole number" in panel.message.text()
    panel.seeds.setText("7 8 9")
    assert panel.validate() and panel.generate_button.isEnabled()
    (job_id,) = window.generate()
    assert get_job(window.session.project, job_id).seeds == [7, 8, 9]


def test_generate_all_cameras_queues_one_job_per_camera_with_shared_seeds(window, project_file):
    paused_window_with_shot(window, project_file)
    window.panel("cameras").add_camera()
    ids = window.generate(all_cameras=True)
    assert len(ids) == 2
    a, b = (get_job(window.session.project, i) for i in ids)
    assert a.camera_id != b.camera_id and a.seeds == b.seeds


def test_a_jobs_cost_stays_in_the_currency_it_was_charged_in(window, project_file):
    """Changing the project's currency later must not relabel past money (0.25 USD is not 0.25 EUR)."""
    paused_window_with_shot(window, project_file)
    (job_id,) = queue_three(window)[:1]
    project = window.session.project
    window.session.announce(store_jobs.mark_running(project, job_id))
    window.session.announce(store_jobs.finish_job(project, job_id, JobState.DONE, {"gpu_s": 360.0}))
    model = window.panel("queue").model
    assert model.data(model.index(model.row_of(job_id), JobsModel.COST)) == "0.25 USD"
    window.session.announce(project.update_settings(currency="EUR"))
    assert model.data(model.index(model.row_of(job_id), JobsModel.COST)) == "0.25 USD"


def _running_job(session, started_ago_s: float = 0.0):
    sid = session.project.db["shots"].insert({"code": "1", "ord": 1, "created_at": "2024-01-01T00:00:00+00:00"}).last_pk
    job_id, _ = store_jobs.create_job(session.project, shot_id=sid, camera_id=None, prompt_id=None, preset="tiny-t2v", params={}, seeds=[1])
    session.announce(store_jobs.mark_running(session.project, job_id))
    if started_ago_s:
        from datetime import datetime, timedelta, timezone

        earlier = (datetime.now(timezone.utc) - timedelta(seconds=started_ago_s)).isoformat()
        session.project.db.execute("UPDATE jobs SET started_at = ? WHERE id = ?", [earlier, job_id])
    return job_id


def test_a_loading_model_reads_loading_not_zero(session):
    """Issue #21: the ETA read 0:00 while the model was still loading."""
    job_id = _running_job(session)
    model = JobsModel(session)
    model.on_job_event(Started(job_id, "cpu", True))
    assert model.data(model.index(0, JobsModel.ETA)) == "loading model…"
    assert model.data(model.index(0, JobsModel.PROGRESS)) == "loading model…"
    model.on_job_event(Progress(job_id, 1, 8))
    assert model.data(model.index(0, JobsModel.PROGRESS)) == "step 1 of 8"


def test_elapsed_never_jumps_backwards_when_the_job_finishes(session):
    """Issue #21: a running row counted from the stored start, the finished row showed the worker's
    shorter wall time (its load and hand-over left out), so the clock jumped back."""
    job_id = _running_job(session, started_ago_s=95)
    model = JobsModel(session)
    model.on_job_event(Started(job_id, "cpu", False))
    running = model.elapsed_seconds(model.job_at(0))
    assert running >= 95
    session.announce(store_jobs.finish_job(session.project, job_id, JobState.DONE, {"gpu_s": 30.0, "wall_s": 40.0}))
    assert model.job_at(0).state is JobState.DONE
    assert model.elapsed_seconds(model.job_at(0)) >= running
    assert model.data(model.index(0, JobsModel.ELAPSED)) == format_duration(model.elapsed_seconds(model.job_at(0)))
    assert model.data(model.index(0, JobsModel.ELAPSED)) != "0:40"


def test_a_pause_from_the_command_line_shows_in_the_window_within_a_second(window, project_file, qtbot):
    """`director queue pause` writes the project's pause marker from another process; the window's
    button, its Generate menu action and the status bar follow it."""
    from director.store import queue_state

    paused_window_with_shot(window, project_file)
    window.set_queue_paused(False)
    queue = window.panel("queue")
    assert not queue.pause_button.isChecked()
    queue_state.set_paused(window.session.project, True)  # what the CLI's verb does
    qtbot.waitUntil(lambda: queue.pause_button.isChecked(), timeout=3000)
    assert queue.pause_button.text() == "Resume Queue" and window.pause_action.isChecked()
    queue_state.set_paused(window.session.project, False)
    qtbot.waitUntil(lambda: not queue.pause_button.isChecked(), timeout=3000)
    assert not window.pause_action.isChecked()
