"""The Cast dock (#18): the screenplay's characters with look notes edited inline (undoable),
reference images added and removed through the media store, where each appears, and "use as
reference for this shot"; docked with the Shot inspector group in the window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtWidgets import QFileDialog

from director.core.prompt import PromptFields
from director.core.screenplay import parse_fountain
from director.store import cast as store_cast
from director.store import prompts
from director.store.script import import_script, list_cast
from director.store.shots import find_shot
from director.ui.cast_panel import CastModel, CastPanel

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def png(path: Path, colour: str = "red") -> Path:
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    assert image.save(str(path))
    return path


@pytest.fixture
def cast_project(project):
    import_script(project, parse_fountain((FIXTURES / "lighthouse.fountain").read_text()))
    return project


@pytest.fixture
def panel(cast_project, session, qtbot):
    selected: list[int] = []
    widget = CastPanel(session, select_shot=selected.append)
    widget.selected_shots = selected
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.refreshed, timeout=10_000):
        widget.show()
    return widget


def settle(panel, qtbot):
    qtbot.waitUntil(lambda: not panel.session.busy() and not panel.freshness.stale, timeout=10_000)


def cell(panel, name, column, role=Qt.ItemDataRole.DisplayRole):
    return panel.model.data(panel.model.index(panel.model.row_of(name), column), role)


def test_lists_the_cast_with_where_each_appears(panel, qtmodeltester):
    qtmodeltester.check(panel.model)
    assert [r.member.name for r in panel.model.rows] == ["Mara", "Tomas"]
    assert cell(panel, "Mara", CastModel.APPEARS) == "1A, 3A"  # named in 1A, in 3A's subject
    assert cell(panel, "Tomas", CastModel.APPEARS) == "2A, 3A"
    assert not panel.empty.isVisible()
    panel.select("Tomas")
    assert panel.appearance_codes() == ["2A", "3A"]
    panel.appears.itemActivated.emit(panel.appears.item(0))
    assert panel.selected_shots == [find_shot(panel.session.project, "2A").id]


def test_edit_look_inline_then_undo_and_redo(panel, qtbot):
    project, stack = panel.session.project, panel.session.undo_stack
    index = panel.model.index(panel.model.row_of("Mara"), CastModel.LOOK)
    assert panel.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert panel.model.setData(index, "60s, yellow oilskin, grey braid")  # what the inline editor commits
    assert [c.look_notes for c in list_cast(project) if c.name == "Mara"] == ["60s, yellow oilskin, grey braid"]
    settle(panel, qtbot)
    assert cell(panel, "Mara", CastModel.LOOK) == "60s, yellow oilskin, grey braid"
    assert stack.undoText() == "Look of Mara"
    stack.undo()
    settle(panel, qtbot)
    assert [c.look_notes for c in list_cast(project) if c.name == "Mara"] == [""] and cell(panel, "Mara", CastModel.LOOK) == ""
    stack.redo()
    settle(panel, qtbot)
    assert cell(panel, "Mara", CastModel.LOOK) == "60s, yellow oilskin, grey braid"
    # Double-clicking the name copies what a prompt's subject says of her.
    panel.select("Mara")
    panel._on_double_clicked(panel.model.index(panel.model.row_of("Mara"), CastModel.NAME))
    assert QGuiApplication.clipboard().text() == "Mara (60s, yellow oilskin, grey braid)"


def test_add_and_remove_reference_images_undoably_with_thumbnails(panel, qtbot, tmp_path, monkeypatch):
    project, stack = panel.session.project, panel.session.undo_stack
    panel.select("Mara")
    first, second = png(tmp_path / "mara.png"), png(tmp_path / "mara2.jpg", "blue")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(first), str(second)], ""))
    with qtbot.waitSignal(panel.imported, timeout=10_000):
        panel.add_image_action.trigger()
    (mara,) = [c for c in list_cast(project) if c.name == "Mara"]
    assert len(mara.images) == 2
    assert project.media.path(mara.images[0]).read_bytes() == first.read_bytes()  # content-addressed copy
    settle(panel, qtbot)
    assert panel.images.paths == list(mara.images) and cell(panel, "Mara", CastModel.IMAGES) == 2
    # Thumbnails are decoded on the loader's pool threads; the tile is the image, not the placeholder.
    loader = panel.session.thumbnails
    panel.images.data(panel.images.index(0), Qt.ItemDataRole.DecorationRole)
    qtbot.waitUntil(lambda: loader.get(mara.images[0]) is not None, timeout=10_000)
    tile = panel.images.data(panel.images.index(0), Qt.ItemDataRole.DecorationRole).toImage()
    assert tile.pixelColor(tile.width() // 2, tile.height() // 2) == QColor("red")

    panel.image_view.setCurrentIndex(panel.images.index(1))
    assert panel.remove_image_action.isEnabled()
    panel.remove_image_action.trigger()
    settle(panel, qtbot)
    assert [c.images for c in list_cast(project) if c.name == "Mara"] == [mara.images[:1]] and len(panel.images.paths) == 1
    stack.undo()
    settle(panel, qtbot)
    assert [c.images for c in list_cast(project) if c.name == "Mara"] == [mara.images]
    stack.undo()  # the second image's add
    stack.undo()  # the first's
    settle(panel, qtbot)
    assert [c.images for c in list_cast(project) if c.name == "Mara"] == [()] and panel.images.paths == []


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_added(panel, qtbot, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture")
    with qtbot.waitSignal(panel.imported, timeout=10_000):
        panel.add_images("Mara", [str(notes)])
    assert "a reference image is a PNG, JPEG or WebP file" in panel.message.text()
    assert all(not c.images for c in list_cast(panel.session.project)) and panel.session.undo_stack.count() == 0


def test_use_as_reference_for_the_current_shot(panel, qtbot, tmp_path):
    project, stack = panel.session.project, panel.session.undo_stack
    kitchen = find_shot(project, "3A").id
    panel.set_shot(kitchen)
    settle(panel, qtbot)
    ref = panel.model.index(panel.model.row_of("Mara"), CastModel.REFERENCE)
    assert not panel.model.flags(ref) & Qt.ItemFlag.ItemIsUserCheckable  # no image yet
    with qtbot.waitSignal(panel.imported, timeout=10_000):
        panel.add_images("Mara", [str(png(tmp_path / "mara.png"))])
    settle(panel, qtbot)
    assert panel.model.flags(ref) & Qt.ItemFlag.ItemIsUserCheckable
    assert cell(panel, "Mara", CastModel.REFERENCE, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert panel.set_reference("Mara", True)
    assert store_cast.shot_references(project, kitchen) == ["Mara"]
    assert store_cast.reference_images(project, kitchen) == list(list_cast(project)[0].images)
    settle(panel, qtbot)
    assert cell(panel, "Mara", CastModel.REFERENCE, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    # Another shot has its own choice.
    panel.set_shot(find_shot(project, "1A").id)
    settle(panel, qtbot)
    assert cell(panel, "Mara", CastModel.REFERENCE, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    stack.undo()
    assert store_cast.shot_references(project, kitchen) == []


def test_appears_in_follows_a_prompt_edit(panel, qtbot):
    project = panel.session.project
    lamp_out = find_shot(project, "1B")
    _, changes = prompts.write_prompt(project, lamp_out.id, PromptFields(subject="Tomas at the door", action="he knocks"))
    panel.session.announce(changes)
    settle(panel, qtbot)
    assert cell(panel, "Tomas", CastModel.APPEARS) == "1B, 2A, 3A"


def test_the_cast_dock_sits_with_the_shot_inspector(window, project_file, qtbot):
    assert window.new_project(project_file)
    _, changes = import_script(window.session.project, parse_fountain((FIXTURES / "lighthouse.fountain").read_text()))
    window.session.announce(changes)
    dock = window.dock("cast")
    assert dock is not None and dock.windowTitle() == "Cast"
    assert window.dock("inspector") in window.tabifiedDockWidgets(dock)
    window.show_panel("cast")
    panel = window.panel("cast")
    assert isinstance(panel, CastPanel)
    qtbot.waitUntil(lambda: [r.member.name for r in panel.model.rows] == ["Mara", "Tomas"], timeout=10_000)
    # The panel follows the window's current shot, and an appearance takes the window there.
    window.select_shot(find_shot(window.session.project, "3A").id)
    assert panel.shot_id == find_shot(window.session.project, "3A").id
    panel.select("Tomas")
    qtbot.waitUntil(lambda: panel.appearance_codes() == ["2A", "3A"], timeout=10_000)
    panel.appears.itemActivated.emit(panel.appears.item(0))
    assert window.panel("shots").current_shot_id() == find_shot(window.session.project, "2A").id
