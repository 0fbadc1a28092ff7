"""Sweeps in the window (#18): Generate ▸ Sweep… prices the grid before Queue is possible, the
sweep view opens on the sweep it queued, its cells fill as takes land on the right axes, a click
shows the cell's take, and the grid exports as PNG and PDF. The engine is the real worker with
the tiny image model."""

from __future__ import annotations

import cv2
import pytest
from PySide6.QtCore import Qt

from director.engine.presets import get_preset, validate_params
from director.store import sweeps as store_sweeps
from director.store.budget import estimate_job

pytestmark = pytest.mark.slow


def test_price_then_queue_a_sweep_and_watch_its_grid_fill(window, project_file, qtbot, tmp_path):
    assert window.new_project(project_file)
    window.panel("shots").add_shot("1A", "Kite")
    window.panel("prompt").field_edit("subject").setText("a red kite")
    generate_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Generate")
    assert window.sweep_action in generate_menu.actions() and window.sweep_action.isEnabled()
    window.sweep_action.trigger()
    dialog = window.sweep_dialog
    dialog.set_presets(["tiny-t2i"])
    dialog.seeds.setText("1, 2")
    dialog.parameter.setCurrentIndex(dialog.parameter.findData("steps"))
    dialog.values.setText("2, 3")
    assert not dialog.queue_button.isEnabled()  # nothing priced yet
    assert dialog.price(), dialog.estimate.text()
    assert "= 4 jobs" in dialog.estimate.text() and dialog.queue_button.isEnabled()
    dialog.values.setText("2, 3, 4")
    dialog.values.textEdited.emit("2, 3, 4")
    assert not dialog.queue_button.isEnabled()  # an edit makes the price stale
    dialog.values.setText("2, 3")
    assert dialog.price(), dialog.estimate.text()
    with qtbot.waitSignal(dialog.queued, timeout=10_000) as queued:
        dialog.queue_button.click()
    sweep_id = queued.args[0]
    view = window.sweep_view
    assert view.sweep_id == sweep_id
    qtbot.waitUntil(lambda: view.model.layout_ is not None, timeout=10_000)
    model = view.model
    assert (model.rowCount(), model.columnCount()) == (2, 2)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(2)] == ["steps 2", "steps 3"]
    assert [model.headerData(r, Qt.Orientation.Vertical) for r in range(2)] == ["seed 1", "seed 2"]
    assert all(view.cell_at(r, c).axes["seed"] == (1, 2)[r] and view.cell_at(r, c).axes["steps"] == (2, 3)[c] for r in range(2) for c in range(2))

    # Cells fill as the engine lands takes.
    qtbot.waitUntil(lambda: view.model.grid is not None and view.model.grid.sweep.done == 4, timeout=240_000)
    qtbot.waitUntil(lambda: all(view.cell_at(r, c).take_id for r in range(2) for c in range(2)), timeout=10_000)
    take = view.cell_at(1, 0).take_id
    with qtbot.waitSignal(view.take_requested) as asked:
        view.table.clicked.emit(model.index(1, 0))
    assert asked.args == [take]
    qtbot.waitUntil(lambda: window.panel("gallery").current_take_id() == take, timeout=5_000)

    # Generate ▸ Sweep Grid… from that take opens its sweep again.
    view.close()
    window.sweep_grid_action.trigger()
    assert window.sweep_view.sweep_id == sweep_id and store_sweeps.sweep_of_take(window.session.project, take) == sweep_id

    # Export both formats off the UI thread.
    again = window.sweep_view
    qtbot.waitUntil(lambda: again.model.layout_ is not None, timeout=10_000)
    png, pdf = tmp_path / "grid.png", tmp_path / "grid.pdf"
    with qtbot.waitSignal(again.exported, timeout=60_000) as done:
        again.export(str(png), "png")
    assert done.args[2] is False, done.args
    with qtbot.waitSignal(again.exported, timeout=60_000) as done:
        again.export(str(pdf), "pdf")
    assert done.args[2] is False, done.args
    assert cv2.imread(str(png)) is not None and pdf.read_bytes().startswith(b"%PDF")


def test_the_dialogs_price_is_the_sum_of_its_jobs_estimates(window, project_file, qtbot):
    """With a history to price from, the dialog's estimate is the sum of each cell's own estimate."""
    from director.store import jobs
    from director.core.enums import JobState

    assert window.new_project(project_file)
    sid = window.panel("shots").add_shot("1A", "Kite")
    window.panel("prompt").field_edit("subject").setText("a red kite")
    project = window.session.project
    job, _ = jobs.create_job(project, shot_id=sid, camera_id=None, prompt_id=None, preset="tiny-t2i", params={"steps": 2}, seeds=[1])
    jobs.mark_running(project, job, device="cpu")
    jobs.finish_job(project, job, JobState.DONE, {"gpu_s": 3.0, "wall_s": 3.5, "load_s": 0.1})
    window.sweep_action.trigger()
    dialog = window.sweep_dialog
    dialog.set_presets(["tiny-t2i"])
    dialog.seeds.setText("1, 2")
    dialog.parameter.setCurrentIndex(dialog.parameter.findData("steps"))
    dialog.values.setText("2, 4")
    assert dialog.price(), dialog.estimate.text()
    preset = get_preset("tiny-t2i")
    total = sum(estimate_job(project, "tiny-t2i", validate_params(preset, {"steps": s}), 1).gpu_s for s in (2, 4)) * 2
    assert dialog.plan.gpu_s == pytest.approx(total) and f"{total:.1f} GPU s" in dialog.estimate.text()
    dialog.reject()


def test_a_sweep_of_a_locked_shot_is_refused_with_the_reason(window, project_file, qtbot):
    from director.core.enums import ShotStatus
    from director.store import jobs
    from director.store.shots import update_shot

    assert window.new_project(project_file)
    sid = window.panel("shots").add_shot("7", "Pier")
    window.panel("prompt").field_edit("subject").setText("a pier at dawn")
    window.sweep_action.trigger()
    dialog = window.sweep_dialog
    dialog.set_presets(["tiny-t2i"])
    assert dialog.price(), dialog.estimate.text()
    update_shot(window.session.project, sid, status=ShotStatus.LOCKED)  # locked meanwhile (another panel)
    dialog.queue_button.click()
    assert "Not queued: shot 7 is locked: no new jobs" in dialog.estimate.text()
    assert jobs.list_jobs(window.session.project) == [] and dialog.isVisible() and not dialog.queue_button.isEnabled()
    dialog.reject()
