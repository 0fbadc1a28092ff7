"""The main window: projects (new, open, recent, close), title, docks, menus, undo and redo."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QWidget

from director.store.project import Project
from director.store.shots import list_shots
from director.ui.recent import RecentProjects


def test_new_project_shows_its_name_in_the_title_and_builds_the_panels(window, project_file):
    assert window.windowTitle() == "Director"
    assert window.new_project(project_file)
    assert window.windowTitle() == "film — film.director — Director"
    for name in ("shots", "prompt", "cameras", "generate", "queue", "gallery", "viewer"):
        assert window.panel(name) is not None, name
    assert window.centralWidget() is window.panel("gallery")
    assert window.close_project()
    assert window.windowTitle() == "Director"
    assert window.panel("shots") is None
    assert isinstance(window.dock("shots").widget(), QLabel)


def test_there_is_no_save_every_edit_is_already_in_the_file(window, project_file):
    window.new_project(project_file)
    texts = [a.text().replace("&", "") for a in window.menuBar().actions()[0].menu().actions()]
    assert not any(t.startswith("Save") for t in texts)
    window.panel("shots").add_shot("1A", "Opening")
    # Another reader sees the shot while the window still has the project open.
    with Project.open(project_file, readonly=True) as other:
        assert [s.code for s in list_shots(other)] == ["1A"]


def test_shot_selection_reaches_every_panel_that_follows_the_shot(window, project_file, qtbot):
    window.new_project(project_file)
    with qtbot.waitSignal(window.shot_selected) as blocker:
        sid = window.panel("shots").add_shot("2")
    assert blocker.args == [sid]
    assert window.panel("prompt").shot_id == sid
    assert window.panel("cameras").shot_id == sid
    assert window.panel("generate").shot_id == sid
    assert window.panel("gallery").shot_id() == sid
    assert window.generate_action.isEnabled()


def test_ctrl_z_and_ctrl_shift_z_undo_and_redo_through_the_window(window, project_file, qtbot):
    window.new_project(project_file)
    shots = window.panel("shots")
    shots.add_shot("1")
    shots.add_shot("2")
    shots.view.setFocus()
    assert window.undo_action.text() == "&Undo Add shot 2"
    assert QKeySequence("Ctrl+Shift+Z") in window.redo_action.shortcuts()
    qtbot.keyClick(shots.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [s.code for s in list_shots(window.session.project)] == ["1"]
    qtbot.keyClick(shots.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert [s.code for s in list_shots(window.session.project)] == ["1", "2"]
    assert window.redo_action.isEnabled() is False


def test_reopening_restores_the_shots_and_lists_the_project_under_open_recent(window, project_file):
    window.new_project(project_file)
    window.panel("shots").add_shot("5", "Dawn")
    window.close_project()
    assert RecentProjects().paths()[0] == str(project_file)
    window.recent.populate(window.recent_menu, window.open_project)
    first = window.recent_menu.actions()[0]
    assert first.text() == "&1 film.director"
    first.trigger()
    assert window.session is not None
    assert window.panel("shots").current_shot_id() is not None  # the first shot is selected
    model = window.panel("shots").model
    assert model.data(model.shot_index(window.panel("shots").current_shot_id())) == "5  Dawn"


def test_opening_the_same_project_twice_keeps_it_open(window, project_file):
    window.new_project(project_file)
    session = window.session
    assert window.open_project(project_file)
    assert window.session is session


def test_register_panel_docks_a_per_project_widget_that_follows_the_shot(window, project_file):
    seen = []

    class Probe(QWidget):
        def __init__(self, session):
            super().__init__()
            self.session = session

        def set_shot(self, shot_id):
            seen.append(shot_id)

    dock = window.register_panel("probe", "Probe", Probe, Qt.DockWidgetArea.RightDockWidgetArea, shortcut="Ctrl+9")
    assert isinstance(dock, QDockWidget) and dock.objectName() == "dock_probe"
    assert dock.toggleViewAction() in window.view_menu.actions()
    window.new_project(project_file)
    assert window.panel("probe").session is window.session
    sid = window.panel("shots").add_shot("1")
    assert seen[-1] == sid
    window.close_project()
    assert window.panel("probe") is None


def test_settings_write_project_prices_and_engine_folders(window, project_file, qtbot, tmp_path):
    import json

    from director.engine.presets import config_dir, get_preset

    window.new_project(project_file)
    dialog = window.show_settings()
    qtbot.addWidget(dialog)
    dialog.price.setText("not money")
    assert not dialog.save()
    assert "GPU price per hour must be a number" in dialog.error.text()
    dialog.price.setText("4.00")
    dialog.currency.setText("eur")
    dialog.energy.setText("0.30")
    dialog.idle.setValue(300)
    dialog.preset_box.setCurrentIndex(dialog.preset_box.findData("wan21-t2v-1.3b"))
    dialog.folder.setText(str(tmp_path / "wan"))
    dialog.memory_boxes["cpu_offload"].setChecked(True)
    dialog.device.setCurrentIndex(dialog.device.findData("cpu"))
    with qtbot.waitSignal(dialog.settings_saved):
        assert dialog.save()
    s = window.session.project.settings()
    assert (str(s.gpu_price_per_hour), s.currency, str(s.energy_price_per_kwh), s.idle_cutoff_s) == ("4.00", "EUR", "0.30", 300)
    saved = json.loads((config_dir() / "engine.json").read_text())
    assert saved["local_paths"] == {"wan21-t2v-1.3b": str(tmp_path / "wan")}
    preset = get_preset("wan21-t2v-1.3b")
    assert preset.source == str(tmp_path / "wan") and preset.memory.cpu_offload
    assert "Settings saved" in window.notifications


def test_compare_requested_in_the_gallery_shows_the_compare_dock(window, project_file):
    window.new_project(project_file)
    compare = window.panel("compare")
    seen = []
    compare.set_takes = lambda ids: seen.append(ids)  # the compare view's own tests cover showing takes
    window.panel("gallery").compare_requested.emit([1, 2])
    assert seen == [[1, 2]]
    assert window.dock("compare").isVisible()
