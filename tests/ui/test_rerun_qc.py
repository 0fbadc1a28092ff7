"""Take ▸ Re-run QC (#21): the window's `director qc run` measures the selected video takes on the
runner's QC thread; the result is recorded at a pump and the gallery's QC badge follows. A still is
refused with what QC measures."""

from __future__ import annotations

from test_queue_panel import paused_window_with_shot
from test_timeline_fixtures import RED, WHITE, make_take

from director.store import qc as store_qc
from director.ui.models.takes_model import TakesModel


def test_take_menu_rerun_qc_measures_the_selected_take_and_the_badge_follows(window, project_file, qtbot):
    shot = paused_window_with_shot(window, project_file)
    project = window.session.project
    camera = project.db.execute("SELECT id FROM cameras WHERE shot_id = ?", [shot]).fetchone()[0]
    clip = make_take(project, shot, camera, RED, frames=6)
    still = make_take(project, shot, camera, WHITE, kind="image")
    gallery = window.panel("gallery")
    gallery.set_shot(shot)
    assert store_qc.get(project, clip) is None
    assert window.rerun_qc_action in window.take_menu.actions() and window.rerun_qc_action.isEnabled()

    gallery.select_takes([clip])
    window.rerun_qc_action.trigger()
    qtbot.waitUntil(lambda: store_qc.get(project, clip) is not None, timeout=20_000)
    measured = store_qc.get(project, clip)
    assert measured.error is None and measured.frames == 6
    qtbot.waitUntil(lambda: gallery.model.data(gallery.model.index_of(clip), TakesModel.QcRole) is not None, timeout=5_000)

    # Again: measured anew (a new row), not skipped as already measured.
    first = measured.created_at
    qtbot.wait(1100)  # created_at has a resolution of a second
    window.rerun_qc_action.trigger()
    qtbot.waitUntil(lambda: store_qc.get(project, clip).created_at != first, timeout=20_000)

    gallery.select_takes([still])
    notices = []
    window.notified.connect(notices.append)
    window.rerun_qc_action.trigger()
    assert notices and "video takes only" in notices[-1]
