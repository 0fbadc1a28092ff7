"""The edit, storyboard and cost panels live in the window with the rest, and follow the project."""

from __future__ import annotations

from director.store.timelog import list_time


def test_timeline_program_storyboard_and_costs_are_docked_per_project(window, project_file):
    window.new_project(project_file)
    for name in ("timeline", "program", "storyboard", "costs"):
        assert window.panel(name) is not None, name
        assert window.dock(name).toggleViewAction() in window.view_menu.actions()
    window.close_project()
    assert all(window.panel(n) is None for n in ("timeline", "program", "storyboard", "costs"))


def test_moving_the_timeline_playhead_moves_the_program_viewer(window, project_file, qtbot):
    from director.store import cameras, shots, timeline
    from tests.ui.test_timeline_fixtures import make_take

    window.new_project(project_file)
    project = window.session.project
    shot, _ = shots.add_shot(project, "1")
    make_take(project, shot.id, cameras.list_cameras(project, shot.id)[0].id, (200, 30, 30), frames=48)
    window.session.push(timeline.insert_shot(project, shot.id))
    program = window.panel("program")
    with qtbot.waitSignal(program.cut_loaded):  # behind the Viewer tab it waits; in front it builds the cut
        window.show_panel("program")
    with qtbot.waitSignal(program.playhead_moved, timeout=2000) as blocker:
        window.panel("timeline").set_playhead(12)
        window.panel("timeline").playhead_moved.emit(12)
    assert blocker.args == [12]


def test_storyboard_panel_selects_the_shot_in_the_shot_list(window, project_file, qtbot):
    window.new_project(project_file)
    shots = window.panel("shots")
    first = shots.add_shot("1")
    second = shots.add_shot("2")
    shots.select_shot(first)
    with qtbot.waitSignal(window.shot_selected) as blocker:
        window.panel("storyboard").shot_activated.emit(second)
    assert blocker.args == [second]


def test_human_time_on_a_shot_is_written_when_the_user_moves_to_another(window, project_file, qtbot):
    window.new_project(project_file)
    shots = window.panel("shots")
    first = shots.add_shot("1")
    shots.add_shot("2")
    tracker = window.activity
    assert tracker is not None and not tracker.paused
    clock = [1000.0]
    tracker._activity._clock = lambda: clock[0]  # the activity clock is injected for tests
    shots.select_shot(first)
    for _ in range(5):  # five seconds of typing on shot 1
        clock[0] += 1.0
        qtbot.keyClick(window.panel("prompt"), "a")
    shots.select_shot(shots.model.shot_ids()[1])
    entries = [e for e in list_time(window.session.project) if e["shot_id"] == first and e["source"] == "auto"]
    assert entries and abs(sum(e["seconds"] for e in entries) - 5.0) < 1.01


def test_pausing_time_tracking_from_the_menu(window, project_file):
    window.new_project(project_file)
    window.track_time_action.trigger()
    assert window.activity.paused
    window.track_time_action.trigger()
    assert not window.activity.paused


def test_the_generate_panel_shows_an_estimate_and_the_budget(window, project_file):
    from director.core.enums import JobState
    from director.store import jobs, shots

    window.new_project(project_file)
    sid = window.panel("shots").add_shot("1")
    panel = window.panel("generate")
    panel.set_preset("tiny-t2v")
    assert "no history yet" in panel.estimate.text()
    project = window.session.project
    job_id, changes = jobs.create_job(project, shot_id=sid, camera_id=None, prompt_id=None, preset="tiny-t2v", params=panel.params(), seeds=[1])
    jobs.mark_running(project, job_id)
    window.session.announce(changes | jobs.finish_job(project, job_id, JobState.DONE, {"gpu_s": 30.0}))
    panel.variants.setValue(2)
    assert "≈ 60.0 GPU s" in panel.estimate.text()
    window.session.announce(shots.update_shot(project, sid, budget_money="0.01"))
    assert "budget" in panel.estimate.text()


def test_log_time_opens_the_time_log_on_the_current_shot(window, project_file):
    assert not window.log_time_action.isEnabled()
    window.new_project(project_file)
    sid = window.panel("shots").add_shot("1")
    assert window.log_time_action.isEnabled()
    dialog = window.show_time_log()
    assert dialog is not None and dialog.isVisible()
    assert window.show_time_log() is dialog  # one per window
    assert sid is not None


def test_presets_without_weights_are_marked_after_a_check_off_the_ui_thread(window, project_file, qtbot):
    window.new_project(project_file)
    panel = window.panel("generate")
    if not panel._present:
        with qtbot.waitSignal(panel.weights_checked, timeout=30_000):
            pass
    labels = [panel.preset_box.itemText(i) for i in range(panel.preset_box.count())]
    assert any("SD-Turbo" in t and "(weights missing)" in t for t in labels)  # no weights on a test machine
    assert not any("random weights" in t and "weights missing" in t for t in labels)
    # No model's weights are here: it starts on the previz, a real blocking render, not on noise.
    assert panel.preset().id == "previz"


def test_money_moving_updates_the_generate_estimate_from_the_reads_thread(window, project_file, qtbot, monkeypatch):
    """A finished job or an expense re-reads the estimate and the budget verdict off the UI thread
    (with a project budget it sums every job: 60 ms at 250,000 jobs, on each finished job)."""
    import threading

    from director.store import expenses
    from director.ui import generate_panel

    window.new_project(project_file)
    project = window.session.project
    sid = window.panel("shots").add_shot("1")
    panel = window.panel("generate")
    if not panel._present:  # the weights check re-validates the form when it answers: let it first
        with qtbot.waitSignal(panel.weights_checked, timeout=30_000):
            pass
    panel.set_preset("tiny-t2i")
    project.update_settings(budget_money="5")
    panel.validate()
    assert "budget" not in panel.estimate.text()
    threads: list[bool] = []
    real = generate_panel.preview_job
    monkeypatch.setattr(generate_panel, "preview_job", lambda *a, **k: threads.append(threading.current_thread() is threading.main_thread()) or real(*a, **k))
    window.session.announce(expenses.add_expense(project, sid, "5.00")[1])  # the project's cap is used up
    assert True not in threads  # nothing read on the UI thread
    qtbot.waitUntil(lambda: "project money budget" in panel.estimate.text())
    assert threads == [False]
