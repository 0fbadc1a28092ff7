"""Shots edited in the window (#18): the Shot panel (status, length, budgets, notes — each undoable),
a locked shot refusing new jobs with the reason in the Generate panel, the take bin (restore, empty
for good after asking), removing a camera (refused with the store's reason when it has takes), and
the right-click menus on shots, takes and clips."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox
from test_timeline_fixtures import film

from director.core.enums import ShotStatus
from director.store import timeline as st
from director.store.cameras import list_cameras
from director.store.jobs import list_jobs
from director.store.shots import get_shot
from director.store.takes import get_take, list_takes

CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


@pytest.fixture
def film_file(tmp_path):
    project, ids = film(tmp_path)
    path = project.path
    project.close()
    return path, ids


def right_click(widget, pos: QPoint) -> QMenu:
    """What a right-click delivers (a context-menu event), and the menu it pops up."""
    QApplication.sendEvent(widget, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, widget.mapToGlobal(pos)))
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu)
    return menu


def entry(menu: QMenu, text: str):
    """The menu entry whose text (without '&' and the shortcut) is `text`, looking into submenus."""
    for action in menu.actions():
        if action.text().replace("&", "") == text:
            return action
        if action.menu() is not None:
            found = entry(action.menu(), text)
            if found is not None:
                return found
    return None


def texts(menu: QMenu) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


def commit_line(qtbot, field, text):
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def test_status_length_budgets_and_notes_are_edited_in_the_shot_panel_and_undone(window, project_file, qtbot):
    assert window.new_project(project_file)
    project = window.session.project
    sid = window.panel("shots").add_shot("1", "Harbour")
    shot = lambda: get_shot(project, sid)
    window.dock("inspector").hide()
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)  # Shot ▸ Shot Properties…
    assert window.dock("inspector").isVisible()
    inspector = window.panel("inspector")
    assert inspector.shot_id == sid and "Shot 1" in inspector.heading.text()

    # Status by keyboard in the status box.
    inspector.status_box.setFocus()
    qtbot.keyClick(inspector.status_box, Qt.Key.Key_Down)
    assert shot().status is ShotStatus.REVIEW
    model = window.panel("shots").model
    assert model.data(model.shot_index(sid, 1)) == "review"
    assert window.undo_action.text() == "&Undo Set shot 1 to review"

    # Money budget: typed, Enter; a bad one is refused with the store's rule and the stored value shows again.
    commit_line(qtbot, inspector.budget, "50")
    assert shot().budget_money == Decimal(50)
    assert model.data(model.shot_index(sid, 2), Qt.ItemDataRole.ToolTipRole) == "Spent 0.00 USD of a budget of 50.00 USD"
    commit_line(qtbot, inspector.budget, "-3")
    assert "must be more than 0" in inspector.message.text()
    assert inspector.budget.text() == "50" and shot().budget_money == Decimal(50)
    # GPU budget in minutes (stored in seconds), and a length in frames with its seconds beside it.
    commit_line(qtbot, inspector.gpu_budget, "2.5")
    assert shot().budget_gpu_s == 150.0 and inspector.gpu_budget.text() == "2.5"
    commit_line(qtbot, inspector.gpu_budget, "soon")
    assert "number of minutes" in inspector.message.text() and shot().budget_gpu_s == 150.0
    inspector.target.setFocus()
    inspector.target.selectAll()
    qtbot.keyClicks(inspector.target, "48")
    qtbot.keyClick(inspector.target, Qt.Key.Key_Return)
    assert shot().target_frames == 48 and inspector.target_seconds.text() == "= 2.00 s at 24 fps"
    # Notes: Ctrl+Return keeps them.
    inspector.notes.setFocus()
    qtbot.keyClicks(inspector.notes, "shoot at low tide")
    qtbot.keyClick(inspector.notes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert shot().notes == "shoot at low tide"

    # Every one of them is an undo step, newest first.
    for check in (lambda s: s.notes == "", lambda s: s.target_frames == 96, lambda s: s.budget_gpu_s is None,
                  lambda s: s.budget_money is None, lambda s: s.status is ShotStatus.DRAFT):
        window.undo()
        assert check(shot()), shot()
    assert inspector.budget.text() == "" and inspector.status_box.currentText() == "draft"
    window.redo()
    assert shot().status is ShotStatus.REVIEW and inspector.status_box.currentText() == "review"


def test_a_locked_shot_refuses_new_jobs_and_the_generate_panel_says_why(window, project_file, qtbot):
    assert window.new_project(project_file)
    project = window.session.project
    sid = window.panel("shots").add_shot("7", "Pier")
    editor = window.panel("prompt")
    editor.field_edit("subject").setText("a pier at dawn")
    assert editor.commit()
    generate, inspector = window.panel("generate"), window.panel("inspector")
    generate.set_preset("tiny-t2i")
    assert generate.validate()

    qtbot.keyClick(window, Qt.Key.Key_3, CTRL_ALT)  # Shot ▸ Status ▸ Approved
    assert get_shot(project, sid).status is ShotStatus.APPROVED
    qtbot.keyClick(window, Qt.Key.Key_4, CTRL_ALT)  # … ▸ Locked
    assert get_shot(project, sid).status is ShotStatus.LOCKED
    assert window.panel("shots").status_actions[ShotStatus.LOCKED].isChecked()
    assert "Shot 7 is locked: no new jobs start" in generate.message.text()
    assert "Ctrl+I" in generate.message.text() and "director" not in generate.message.text()
    assert not generate.generate_button.isEnabled() and not generate.generate_all_button.isEnabled()
    assert window.generate() == [] and list_jobs(project) == []
    assert "is locked" in window.notifications[-1]
    # Frozen in the Shot panel too: only status and notes stay editable.
    assert inspector.locked_note.isVisible()
    assert not inspector.budget.isEnabled() and not inspector.target.isEnabled() and inspector.status_box.isEnabled()
    assert editor.field_edit("subject").isReadOnly()

    window.undo()  # back to approved: the panel clears
    assert get_shot(project, sid).status is ShotStatus.APPROVED
    assert generate.message.text() == "" and generate.generate_all_button.isEnabled()
    assert not inspector.locked_note.isVisible() and inspector.budget.isEnabled()


def test_the_take_bin_restores_undoably_and_empties_for_good_after_asking(window, film_file, qtbot, monkeypatch, qtmodeltester):
    path, ids = film_file
    assert window.open_project(path)
    project = window.session.project
    red_files = [project.media.path(get_take(project, ids["t_red"]).media_path), project.media.path(get_take(project, ids["t_red"]).thumb_path)]
    gallery = window.panel("gallery")
    window.select_shot(ids["s1"])
    gallery.select_takes([ids["t_red"]])
    gallery.view.setFocus()
    qtbot.keyClick(gallery.view, Qt.Key.Key_Delete)
    window.select_shot(ids["s2"])
    gallery.select_takes([ids["t_blue"]])
    qtbot.keyClick(gallery.view, Qt.Key.Key_Delete)

    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = window._take_bin
    assert dialog is not None and dialog.isVisible()
    qtmodeltester.check(dialog.model)
    assert sorted(dialog.model.take_ids()) == sorted([ids["t_red"], ids["t_blue"]])
    assert {dialog.model.take_at(r).shot_code for r in range(2)} == {"1", "2"}

    # Restore one: it is back in its shot's takes; Ctrl+Z sends it back to the bin.
    dialog.select_takes([ids["t_blue"]])
    assert dialog.restore_button.isEnabled()
    dialog.restore_button.click()
    assert not get_take(project, ids["t_blue"]).deleted and dialog.model.take_ids() == [ids["t_red"]]
    assert ids["t_blue"] in gallery.model.take_ids()  # shot 2 is current in the gallery
    window.undo()
    assert get_take(project, ids["t_blue"]).deleted and len(dialog.model.take_ids()) == 2
    window.redo()

    # Empty: it asks, saying it is for good; Cancel keeps everything.
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Cancel)
    dialog.empty_button.click()
    assert "for good" in asked[0] and "deleted from disk" in asked[0] and "cannot be undone" in asked[0]
    assert dialog.model.take_ids() == [ids["t_red"]] and all(f.exists() for f in red_files)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(dialog.media_removed, timeout=10_000) as removed:
        dialog.empty_button.click()
    assert removed.args[0] == 2  # the take's video and its thumbnail
    assert not any(f.exists() for f in red_files)
    assert dialog.model.rowCount() == 0 and not dialog.empty_button.isEnabled()
    assert [t.id for t in list_takes(project, ids["s1"], deleted=True)] == []
    assert project.media.path(get_take(project, ids["t_green"]).media_path).exists()  # other takes keep theirs
    assert "Deleted 2 media files" in window.notifications[-1]


def test_a_camera_without_takes_is_removed_undoably_and_one_with_takes_is_refused(window, film_file, qtbot):
    path, ids = film_file
    assert window.open_project(path)
    project = window.session.project
    window.select_shot(ids["s1"])
    cameras = window.panel("cameras")
    spare = cameras.add_camera()
    assert [c.name for c in list_cameras(project, ids["s1"])] == ["A", "B", "C"]

    cameras.select_camera(spare)
    cameras.table.setFocus()
    qtbot.keyClick(cameras.table, Qt.Key.Key_Delete)
    assert [c.name for c in list_cameras(project, ids["s1"])] == ["A", "B"]
    assert window.undo_action.text() == "&Undo Remove camera C"
    window.undo()
    assert [c.id for c in list_cameras(project, ids["s1"]) if c.name == "C"] == [spare]  # the same camera, same id

    cameras.select_camera(ids["a1"])
    cameras.remove_button.click()
    assert cameras.message.text() == "camera A has generated takes and cannot be removed"
    assert window.notifications[-1] == cameras.message.text()
    assert [c.name for c in list_cameras(project, ids["s1"])] == ["A", "B", "C"]


def test_right_click_menus_on_shots_takes_and_clips(window, film_file, qtbot):
    path, ids = film_file
    assert window.open_project(path)
    project = window.session.project
    shot_list, gallery, timeline = window.panel("shots"), window.panel("gallery"), window.panel("timeline")

    # A shot: its menu, with the status and Add to Timeline.
    view = shot_list.view
    rect = view.visualRect(shot_list.model.shot_index(ids["s2"]))
    menu = right_click(view.viewport(), rect.center())
    assert shot_list.current_shot_id() == ids["s2"]
    assert texts(menu)[:2] == ["Shot Properties…", "Status"]
    assert {"Rename Shot", "Delete Shot", "Add to Timeline", "Generate"} <= set(texts(menu))
    entry(menu, "Review").trigger()
    menu.close()
    assert get_shot(project, ids["s2"]).status is ShotStatus.REVIEW
    menu = right_click(view.viewport(), rect.center())
    entry(menu, "Add to Timeline").trigger()
    menu.close()
    assert [i.shot_id for i in timeline.timeline.tracks[0].items] == [ids["s2"]]

    # A take: rate it from the menu, put it on the timeline.
    window.select_shot(ids["s1"])
    index = gallery.model.index_of(ids["t_green"])
    menu = right_click(gallery.view.viewport(), gallery.view.visualRect(index).center())
    assert gallery.selected_take_ids() == [ids["t_green"]]
    assert {"Play", "Rate", "Select", "Reject", "Note…", "Add to Timeline", "Promote", "Extend", "Move to Bin", "Take Bin…"} <= set(texts(menu))
    assert not entry(menu, "Image to Video").isEnabled()  # a video take
    entry(menu, "★★★★").trigger()
    menu.close()
    assert get_take(project, ids["t_green"]).rating == 4
    menu = gallery.context_menu(index)
    entry(menu, "Add to Timeline").trigger()
    clip = timeline.timeline.tracks[0].items[1]
    assert clip.shot_id == ids["s1"] and clip.takes == {ids["b1"]: ids["t_green"]}

    # A clip: go to its shot, split it where the pointer is, undo.
    first = timeline.timeline.tracks[0].items[0]
    r = timeline.item_rect(first.id)
    at = QPoint(timeline.frame_to_viewport_x(24), int(r.center().y()))
    menu = right_click(timeline.viewport(), at)
    assert {"Go to Shot 2", "Show Take in Viewer", "Split Here", "Lift", "Ripple Delete", "New Cut…"} <= set(texts(menu))
    entry(menu, "Go to Shot 2").trigger()
    menu.close()
    assert shot_list.current_shot_id() == ids["s2"]
    menu = right_click(timeline.viewport(), at)
    entry(menu, "Split Here").trigger()
    menu.close()
    assert [i.duration for i in timeline.timeline.tracks[0].items][:2] == [24, 72]
    window.undo()
    assert len(timeline.timeline.tracks[0].items) == 2
    # The multicam clip offers its cameras.
    second = timeline.timeline.tracks[0].items[1]
    r = timeline.item_rect(second.id)
    menu = timeline.context_menu(QPoint(int(r.left()) + 10, int(r.center().y())))
    assert texts(entry(menu, "Cut to Camera Here").menu()) == ["Camera A", "Camera B"]
    entry(menu, "Show Take in Viewer").trigger()
    assert window.panel("viewer").take_id == ids["t_green"]
    assert st.load_timeline(project).tracks[0].items[1].id == second.id
