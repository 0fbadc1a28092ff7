"""Roto in the take viewer (#19 part B), offscreen: a left click, an Alt+click, a right click and a
drag on the picture become undoable prompt edits at the take's own pixel coordinates and frame;
undo and redo keep their ids; Track queues a segment job; a recorded matte shows as an overlay."""

from __future__ import annotations


import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt


from tests.engine.roto_fixtures import FRAMES, H, W, video_take  # noqa: E402

from director.store import jobs  # noqa: E402
from director.store.matte_file import encode_matte  # noqa: E402
from director.store.roto import complete_roto_job, list_objects  # noqa: E402
from director.store.shots import add_shot  # noqa: E402
from director.ui.gallery.take_viewer import TakeViewer  # noqa: E402
from director.ui.undo import ProjectSession  # noqa: E402


@pytest.fixture
def viewer(project, qtbot):
    session = ProjectSession(project)
    shot, _ = add_shot(project, "9", "Pier")
    take = video_take(project, shot.id, None)
    view = TakeViewer(session)
    qtbot.addWidget(view)
    view.resize(640, 620)
    view.show()
    qtbot.waitExposed(view)
    view.show_take(take)
    qtbot.waitUntil(lambda: view.frame_view.index == 0 and view.current_image() is not None, timeout=5000)
    return session, view, take


def at(overlay, x, y) -> QPoint:
    return overlay.from_take(x, y).toPoint()


def prompts(project, take):
    return [(o.name, p.kind, p.frame, round(p.x0), round(p.y0)) for o in list_objects(project, take) for p in o.prompts]


def test_clicks_and_a_drag_become_undoable_prompt_edits(viewer, qtbot):
    session, view, take = viewer
    bar, overlay = view.roto, view.roto.overlay
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # off: clicks pass through
    bar.toggle.setChecked(True)
    assert not overlay.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    view.seek(3)
    qtbot.waitUntil(lambda: view.frame_view.index == 3, timeout=5000)
    qtbot.mouseClick(overlay, Qt.MouseButton.LeftButton, pos=at(overlay, 30, 20))
    qtbot.mouseClick(overlay, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.AltModifier, pos=at(overlay, 70, 40))
    qtbot.mouseClick(overlay, Qt.MouseButton.RightButton, pos=at(overlay, 5, 5))
    bar.object_box.setEditText("sign")
    qtbot.mousePress(overlay, Qt.MouseButton.LeftButton, pos=at(overlay, 50, 5))
    qtbot.mouseMove(overlay, at(overlay, 60, 15))
    qtbot.mouseMove(overlay, at(overlay, 75, 30))
    qtbot.mouseRelease(overlay, Qt.MouseButton.LeftButton, pos=at(overlay, 75, 30))
    got = prompts(session.project, take)
    assert got == [("object 1", "positive", 3, 30, 20), ("object 1", "negative", 3, 70, 40),
                   ("object 1", "negative", 3, 5, 5), ("sign", "box", 3, 50, 5)]
    box = list_objects(session.project, take)[1].prompts[0]
    assert (round(box.x1), round(box.y1)) == (75, 30)
    ids = [p.id for o in list_objects(session.project, take) for p in o.prompts]
    assert session.undo_stack.count() == 4 and session.undo_stack.undoText().startswith("Roto sign: box")
    session.undo_stack.undo()
    session.undo_stack.undo()
    assert prompts(session.project, take) == got[:2] and [o.name for o in list_objects(session.project, take)] == ["object 1"]
    session.undo_stack.redo()
    session.undo_stack.redo()
    assert [p.id for o in list_objects(session.project, take) for p in o.prompts] == ids
    # A click beside the letterboxed picture is no prompt.
    rect = overlay.picture_rect()
    assert rect.left() > 2 or rect.top() > 2, "the picture fills the viewer: no letterbox to click"
    beside = QPoint(1, overlay.height() // 2) if rect.left() > 2 else QPoint(overlay.width() // 2, 1)
    qtbot.mouseClick(overlay, Qt.MouseButton.LeftButton, pos=beside)
    assert len(prompts(session.project, take)) == 4


def test_track_queues_a_segment_job_and_a_recorded_matte_shows(viewer, qtbot):
    session, view, take = viewer
    bar, overlay = view.roto, view.roto.overlay
    bar.toggle.setChecked(True)
    qtbot.mouseClick(overlay, Qt.MouseButton.LeftButton, pos=at(overlay, 30, 20))
    job_id = bar.track()
    job = jobs.get_job(session.project, job_id)
    assert job.state is jobs.JobState.QUEUED and job.params["take_id"] == take and job.parent_take_id == take
    # The matte the job would record (the worker's part is tested in tests/engine/test_roto.py).
    jobs.mark_running(session.project, job_id)
    alpha = np.zeros((FRAMES, H, W), np.uint8)
    alpha[:, 10:30, 20:40] = 255
    media, thumb = session.project.media.put_bytes(encode_matte(alpha), "npz"), session.project.media.put_bytes(b"t", "jpg")
    obj = list_objects(session.project, take)[0]
    _ids, changes = complete_roto_job(session.project, job_id, {"gpu_s": 1.0}, [
        {"object_id": obj.id, "name": obj.name, "media_path": media, "thumb_path": thumb, "frames": FRAMES, "width": W, "height": H}])
    session.announce(changes)
    qtbot.waitUntil(lambda: len(overlay.mattes) == 1 and not session.busy(), timeout=5000)
    shot = view.grab().toImage()  # the picture with the overlay on top, as on screen
    inside = shot.pixelColor(overlay.mapTo(view, at(overlay, 23, 12)))  # in the matte, off the click's mark
    outside = shot.pixelColor(overlay.mapTo(view, at(overlay, 60, 42)))
    assert inside.red() > 100 and inside.red() > outside.red() + 60  # the matte is tinted over the picture


def test_a_finished_roto_job_is_announced_as_mattes_not_takes(viewer, qtbot):
    from director.ui.engine_driver import EngineDriver

    session, view, take = viewer
    view.roto.toggle.setChecked(True)
    qtbot.mouseClick(view.roto.overlay, Qt.MouseButton.LeftButton, pos=at(view.roto.overlay, 30, 20))
    job_id = view.roto.track()
    jobs.mark_running(session.project, job_id)
    jobs.finish_job(session.project, job_id, jobs.JobState.DONE, {"gpu_s": 1.0})
    driver = EngineDriver(session)
    said = []
    driver.notified.connect(lambda text, error: said.append((text, error)))
    driver._notify_finished([job_id])
    assert said == [(f"Job {job_id} finished (roto: 1 matte of take {take})", False)]


def test_with_no_take_shown_clicks_and_track_do_nothing(viewer, qtbot):
    session, view, take = viewer
    view.roto.toggle.setChecked(True)
    view.show_take(None)
    qtbot.mouseClick(view.roto.overlay, Qt.MouseButton.LeftButton, pos=view.roto.overlay.rect().center())
    assert view.roto.track() is None
    assert list_objects(session.project, take) == [] and jobs.list_jobs(session.project, states=(jobs.JobState.QUEUED,)) == []
