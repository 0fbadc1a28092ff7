"""The Blocking panel: subjects and cameras drawn from above, a drop is one undoable move, a
camera across the line is flagged, Previz queues a blocking render per camera; the window docks it."""

from __future__ import annotations

import pytest

from director.core.prompt import CameraSetup, PromptFields


@pytest.fixture
def shot(project):
    from director.store.cameras import add_camera, find_camera, update_camera
    from director.store.prompts import write_prompt
    from director.store.shots import add_shot

    s, _ = add_shot(project, "12A", "Rooftop")
    write_prompt(project, s.id, PromptFields(subject="a detective and a suspect", setting="rooftop at night"))
    update_camera(project, find_camera(project, s.id, "A").id, setup=CameraSetup(shot_size="wide shot"))
    add_camera(project, s.id, "B", CameraSetup(shot_size="medium shot"))
    return s


def test_dragging_a_camera_across_the_line_warns_and_undo_puts_it_back(session, shot, qtbot):
    from director.store.blocking import stored_placements
    from director.store.cameras import find_camera
    from director.ui.blocking_view import BlockingView, to_ground, to_screen

    view = BlockingView(session)
    qtbot.addWidget(view)
    view.set_shot(shot.id)
    assert {k for k in view.items} == {("subject", "a detective"), ("subject", "a suspect"), ("camera", "A"), ("camera", "B")}
    assert view.warning.text() == ""
    item = view.items[("camera", "B")]
    item.setPos(to_screen(0.0, 6.0))  # what a drag leaves; the drop reports it
    item.marker.on_drop(item.marker, *to_ground(item.pos()))
    b = find_camera(session.project, shot.id, "B")
    assert stored_placements(session.project, shot.id)[1][b.id].z == 6.0
    assert "B crosses the 180° line" in view.warning.text()
    assert session.undo_stack.undoText() == "Move camera in blocking"
    session.undo_stack.undo()
    assert stored_placements(session.project, shot.id) == ({}, {}) and view.warning.text() == ""
    session.undo_stack.redo()
    assert "crosses" in view.warning.text()
    subject = view.items[("subject", "a suspect")]
    subject.setPos(to_screen(2.0, 1.0))
    subject.marker.on_drop(subject.marker, *to_ground(subject.pos()))
    assert stored_placements(session.project, shot.id)[0]["a suspect"].x == 2.0


def test_a_locked_shot_cannot_be_moved_and_previz_queues_every_camera(session, shot, qtbot):
    from director.store import jobs as store_jobs
    from director.store.shots import update_shot
    from director.ui.blocking_view import BlockingView

    view = BlockingView(session)
    qtbot.addWidget(view)
    view.set_shot(shot.id)
    with qtbot.waitSignal(view.previz_queued) as queued:
        view.previz_button.click()
    ids = queued.args[0]
    assert len(ids) == 2
    recipes = [store_jobs.job_recipe(session.project, j) for j in ids]
    assert [r.preset for r in recipes] == ["previz", "previz"] and [r.scene["camera"]["name"] for r in recipes] == ["A", "B"]
    update_shot(session.project, shot.id, status="locked")
    view.reload()
    assert not view.previz_button.isEnabled()
    assert not view.move("subject", "a detective", 1.0, 1.0)
    assert "locked" in view.warning.text()


def test_the_window_docks_the_blocking_panel(window):
    dock = window.dock("blocking")
    assert dock is not None and dock.windowTitle() == "Blocking"
