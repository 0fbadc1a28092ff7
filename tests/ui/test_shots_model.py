"""The shot list: scenes → shots, rename, drag reorder, delete to the bin and restore, all undoable."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor, QImage

from director.core.changes import Changes
from director.core.enums import ShotStatus
from director.store import edits, jobs, scenes, shots, takes
from director.store.shots import list_shots
from director.ui.models.shots_model import ShotsModel
from director.ui.shot_list import BinDialog, ShotList, next_shot_code


def codes(project, deleted=False):
    return [s.code for s in list_shots(project, deleted=deleted)]


def add(session, code, scene_id=None):
    edit = edits.AddShot(code, scene_id=scene_id)
    assert session.push(edit)
    return edit.shot_id


def test_model_passes_qtmodeltester_with_scenes_and_loose_shots(session, qtmodeltester):
    kitchen, _ = scenes.add_scene(session.project, "1", "Kitchen")
    add(session, "1A", kitchen.id)
    add(session, "1B", kitchen.id)
    add(session, "9")
    model = ShotsModel(session)
    qtmodeltester.check(model)
    assert model.rowCount() == 2  # the scene and "No scene"
    assert model.data(model.index(0, 0)) == "Scene 1 · Kitchen"
    assert model.data(model.index(1, 0)) == "No scene"
    assert [model.data(model.index(r, 0, model.index(0, 0))) for r in range(2)] == ["1A", "1B"]


def test_status_colour_and_money_spent_show_per_shot(session, qtbot):
    sid = add(session, "3")
    session.push(edits.SetShotFields(sid, {"status": "approved"}))
    job_id, _ = jobs.create_job(session.project, shot_id=sid, camera_id=None, prompt_id=None, preset="tiny-t2v", params={}, seeds=[1])
    jobs.mark_running(session.project, job_id)
    session.announce(jobs.finish_job(session.project, job_id, jobs.JobState.DONE, {"gpu_s": 3600.0}))
    model = ShotsModel(session)
    assert model.data(model.shot_index(sid, 2)) == "0.00 USD"  # rows first; money fills in from the reads thread
    with qtbot.waitSignal(model.filled):
        pass
    index = model.shot_index(sid, 1)
    assert model.data(index) == "approved"
    assert model.data(index, Qt.ItemDataRole.DecorationRole) == QColor(90, 190, 100)
    assert model.data(model.shot_index(sid, 2)) == "2.50 USD"  # one GPU hour at the default price


def test_renaming_in_the_model_is_an_undoable_title_edit(session, qtmodeltester):
    sid = add(session, "4")
    model = ShotsModel(session)
    assert model.setData(model.shot_index(sid), "Rooftop chase")
    assert shots.get_shot(session.project, sid).title == "Rooftop chase"
    assert model.data(model.shot_index(sid)) == "4  Rooftop chase"
    session.undo_stack.undo()
    assert shots.get_shot(session.project, sid).title == ""
    assert model.data(model.shot_index(sid)) == "4"
    qtmodeltester.check(model)


def test_dropping_a_shot_reorders_as_one_undo_step(session):
    a, b, c = (add(session, code) for code in ("1", "2", "3"))
    model = ShotsModel(session)
    group = model.index(0, 0)
    mime = model.mimeData([model.shot_index(c)])
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, group)
    assert codes(session.project) == ["3", "1", "2"]
    assert model.shot_ids() == [c, a, b]
    session.undo_stack.undo()
    assert codes(session.project) == ["1", "2", "3"]
    session.undo_stack.redo()
    assert codes(session.project) == ["3", "1", "2"]


def test_dropping_onto_another_scene_moves_the_shot_there(session):
    s1, _ = scenes.add_scene(session.project, "1")
    s2, _ = scenes.add_scene(session.project, "2")
    a = add(session, "1A", s1.id)
    b = add(session, "2A", s2.id)
    model = ShotsModel(session)
    mime = model.mimeData([model.shot_index(a)])
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, model.index(1, 0))
    assert shots.get_shot(session.project, a).scene_id == s2.id
    assert model.shot_ids() == [b, a]
    session.undo_stack.undo()  # the scene change and the reorder undo together
    assert shots.get_shot(session.project, a).scene_id == s1.id
    assert model.shot_ids() == [a, b]


def test_the_thumbnail_is_the_selected_take_loaded_off_thread(session, qtbot, tmp_path):
    sid = add(session, "5")
    job_id, _ = jobs.create_job(session.project, shot_id=sid, camera_id=None, prompt_id=None, preset="tiny-t2i", params={}, seeds=[1, 2])
    ids = []
    for i, colour in enumerate((Qt.GlobalColor.red, Qt.GlobalColor.green)):
        image = QImage(64, 36, QImage.Format.Format_RGB32)
        image.fill(colour)
        src = tmp_path / f"t{i}.png"
        image.save(str(src))
        rel = session.project.media.import_file(src)
        ids.append(takes.insert_take(session.project, job_id, {"seed": i, "variant": i, "kind": "image", "media_path": rel,
                                                              "thumb_path": rel, "width": 64, "height": 36}))
    session.push(edits.SetTakeFields(ids[0], flag="selected"))
    model = ShotsModel(session)
    index = model.shot_index(sid)
    with qtbot.waitSignal(model.filled):  # which take is chosen: read on the reads thread
        pass
    assert model.data(index, Qt.ItemDataRole.DecorationRole) is None  # not decoded on the UI thread
    with qtbot.waitSignal(model.dataChanged, timeout=5000):
        pass
    pixmap = model.data(index, Qt.ItemDataRole.DecorationRole)
    assert pixmap is not None and pixmap.toImage().pixelColor(5, 5) == QColor(Qt.GlobalColor.red)


def test_shot_list_adds_selects_deletes_and_restores_from_the_bin(session, qtbot):
    panel = ShotList(session)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.shot_selected) as blocker:
        first = panel.add_shot("12a", "Rooftop")
    assert blocker.args == [first]
    assert codes(session.project) == ["12A"]
    second = panel.add_shot("13")
    assert panel.current_shot_id() == second
    with qtbot.waitSignal(panel.shot_selected) as blocker:
        panel.delete_current()
    assert blocker.args == [None]
    assert codes(session.project) == ["12A"] and codes(session.project, deleted=True) == ["13"]

    dialog = panel.show_bin()
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 1
    with qtbot.waitSignal(dialog.restored):
        dialog.restore_selected()
    assert codes(session.project) == ["12A", "13"]
    assert dialog.list.count() == 0 and not dialog.restore_button.isEnabled()
    assert panel.current_shot_id() == second
    session.undo_stack.undo()  # the restore
    assert codes(session.project, deleted=True) == ["13"]


def test_keyboard_move_keeps_the_moved_shot_current(session, qtbot):
    panel = ShotList(session)
    qtbot.addWidget(panel)
    a, b = panel.add_shot("1"), panel.add_shot("2")
    panel.select_shot(b)
    panel.move_current(-1)
    assert codes(session.project) == ["2", "1"]
    assert panel.current_shot_id() == b


def test_invalid_shot_code_is_refused_with_the_rule(session, qtbot):
    panel = ShotList(session)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(session.error_raised) as blocker:
        assert panel.add_shot("A12") is None
    assert "digits then up to three letters" in blocker.args[0]


def test_next_shot_code_counts_up_from_the_highest_number():
    assert next_shot_code([]) == "1"
    assert next_shot_code(["12A", "12B", "3"]) == "13"


def test_locked_shots_are_not_editable(session):
    sid = add(session, "7")
    session.push(edits.SetShotFields(sid, {"status": ShotStatus.LOCKED.value}))
    model = ShotsModel(session)
    assert not model.flags(model.shot_index(sid)) & Qt.ItemFlag.ItemIsEditable
    assert model.flags(QModelIndex()) & Qt.ItemFlag.ItemIsDropEnabled


def test_bin_dialog_says_when_it_is_empty(session, qtbot):
    dialog = BinDialog(session)
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 0 and not dialog.empty_label.isHidden()


def test_adding_a_scene_in_the_window_files_new_shots_under_it_and_undoes(session, qtbot):
    from director.store.scenes import list_scenes
    from director.store.shots import get_shot

    panel = ShotList(session)
    qtbot.addWidget(panel)
    scene_id = panel.add_scene("INT-KITCHEN", "Breakfast")
    assert [s.code for s in list_scenes(session.project)] == ["INT-KITCHEN"]
    panel.view.setCurrentIndex(panel.model.index(0, 0))  # the scene row is current
    shot_id = panel.add_shot("5")
    assert get_shot(session.project, shot_id).scene_id == scene_id
    session.undo_stack.undo()  # the shot
    session.undo_stack.undo()  # the scene
    assert list_scenes(session.project) == []
    session.undo_stack.redo()
    session.undo_stack.redo()
    assert [s.id for s in list_scenes(session.project)] == [scene_id]
    assert get_shot(session.project, shot_id).scene_id == scene_id and not get_shot(session.project, shot_id).deleted


def test_refreshes_by_changes_keep_every_row_true(session, tmp_path, qtmodeltester):
    """The targeted refresh still lands every kind of change: a shot moved to a scene by a field
    edit alone, a binned take emptied for good, a new project currency."""
    kitchen, _ = scenes.add_scene(session.project, "1", "Kitchen")
    a = add(session, "1")
    b = add(session, "2")
    model = ShotsModel(session)
    assert model.scene_id(model.shot_index(a)) is None
    assert session.push(edits.SetShotFields(a, {"scene_id": kitchen.id}))  # names the shot, not the order
    assert model.scene_id(model.shot_index(a)) == kitchen.id and model.shot_ids() == [a, b]

    job_id, _ = jobs.create_job(session.project, shot_id=b, camera_id=None, prompt_id=None, preset="tiny-t2i", params={}, seeds=[1])
    image = QImage(64, 36, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.blue)
    image.save(str(tmp_path / "b.png"))
    rel = session.project.media.import_file(tmp_path / "b.png")
    take = takes.insert_take(session.project, job_id, {"seed": 1, "variant": 0, "kind": "image", "media_path": rel, "thumb_path": rel, "width": 64, "height": 36})
    session.announce(Changes.of(takes=[take]))
    assert model.data(model.shot_index(b), model.ChosenTakeRole) == take
    assert session.push(edits.DeleteTake(take))
    assert model.data(model.shot_index(b), model.ChosenTakeRole) is None  # in the bin: never chosen
    _, emptied = takes.empty_bin(session.project)
    session.announce(emptied)  # the take is gone: its shot can no longer be looked up by the take
    assert model.data(model.shot_index(b), model.ChosenTakeRole) is None

    session.announce(session.project.update_settings(currency="EUR"))
    assert model.data(model.shot_index(b, 2)) == "0.00 EUR" and model.data(model.shot_index(a, 2)) == "0.00 EUR"
    qtmodeltester.check(model)
