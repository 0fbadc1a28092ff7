"""Alternate cuts in the window (#18): the Timeline panel's cut switcher and the Timeline menu —
new, duplicate, rename, delete, switch — each on the undo stack, with the timeline and the program
viewer showing the cut that is current."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QInputDialog
from test_timeline_fixtures import BLUE, RED, film, near, pixel

from director.store import cuts
from director.store import timeline as st
from director.store.project import Project
from director.store.takes import get_take
from director.ui.timeline_view import shot_mime


@pytest.fixture
def film_file(tmp_path):
    """Shot 1 (red, 48 frames) on the project's one cut, 'Cut'; shot 2 (a blue still) not cut yet."""
    project, ids = film(tmp_path)
    st.insert_shot(project, ids["s1"], duration=48).apply(project)
    path = project.path
    project.close()
    return path, ids


def answer(monkeypatch, text):
    """What the director types into the name prompt."""
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (text, True))


def drop_shot(view, shot_id, frame):
    """A shot dragged from the shot list onto the timeline at a frame (what a real drag delivers)."""
    x, y = view.frame_to_viewport_x(frame) + 3, view.track_center_y(0)
    mime = shot_mime(shot_id)
    args = (QPointF(x, y).toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), QDragEnterEvent(*args))
    QApplication.sendEvent(view.viewport(), QDragMoveEvent(*args))
    QApplication.sendEvent(view.viewport(), QDropEvent(QPointF(x, y), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))


def shown(window, qtbot):
    """(cut name in the switcher, shots on the timeline, shots the program viewer plays), once every
    panel has caught up (the program viewer builds its cut in the background, and only on screen)."""
    window.dock("program").raise_()
    qtbot.waitUntil(lambda: not window.busy(), timeout=5000)
    timeline, program = window.panel("timeline"), window.panel("program")
    on_timeline = [item.shot_id for track in timeline.timeline.tracks for item in track.items if hasattr(item, "shot_id")]
    playing = [get_take(window.session.project, seg.take_id).shot_id for seg in program.cut.segments if seg.take_id is not None]
    assert program.timeline_id == timeline.timeline_id == cuts.current_timeline_id(window.session.project)
    return timeline.cut_bar.combo.currentText(), on_timeline, playing


def test_duplicate_edit_switch_back_and_forth_delete_and_undo(window, film_file, qtbot, monkeypatch):
    path, ids = film_file
    assert window.open_project(path)
    project = window.session.project
    timeline, program = window.panel("timeline"), window.panel("program")
    bar = timeline.cut_bar
    menu = [a.text() for a in window.timeline_menu.actions() if not a.isSeparator()]
    assert menu[:8] == ["&New Cut…", "&Duplicate Cut…", "&Rename Cut…", "De&lete Cut", "Ne&xt Cut", "Pre&vious Cut", "Co&mpare Cuts…", "&Conform to Final…"]
    assert shown(window, qtbot) == ("Cut", [ids["s1"]], [ids["s1"]])
    assert not bar.delete_action.isEnabled()  # a project keeps at least one cut

    # Duplicate the cut (Timeline ▸ Duplicate Cut…, its shortcut): the copy is current.
    answer(monkeypatch, "Short version")
    with qtbot.waitSignal(timeline.cut_changed):
        qtbot.keyClick(timeline, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier)
    assert [bar.combo.itemText(i) for i in range(bar.combo.count())] == ["Cut", "Short version"]
    assert shown(window, qtbot) == ("Short version", [ids["s1"]], [ids["s1"]])
    original, copy = [c.id for c in cuts.list_cuts(project)]
    assert timeline.timeline_id == copy
    assert window.undo_action.text() == "&Undo Duplicate cut as 'Short version'"

    # Edit the copy: shot 2 dragged in after shot 1. The original is untouched.
    with qtbot.waitSignal(program.cut_loaded):
        drop_shot(timeline, ids["s2"], 48)
    assert shown(window, qtbot) == ("Short version", [ids["s1"], ids["s2"]], [ids["s1"], ids["s2"]])
    assert near(pixel(program.frame_image(60), 64, 48), BLUE)
    assert [i.shot_id for i in st.load_timeline(project, original).tracks[0].items] == [ids["s1"]]

    # Switch back with the combo (arrow key on the switcher): the timeline and the program follow.
    bar.combo.setFocus()
    with qtbot.waitSignal(program.cut_loaded):
        qtbot.keyClick(bar.combo, Qt.Key.Key_Up)
    assert shown(window, qtbot) == ("Cut", [ids["s1"]], [ids["s1"]])
    assert program.cut.duration == 48 and near(pixel(program.frame_image(30), 64, 48), RED)
    # …and forth with Timeline ▸ Next Cut, then Ctrl+Z switches back again.
    bar.next_action.trigger()
    assert shown(window, qtbot)[0] == "Short version" and program.cut.duration > 48
    timeline.setFocus()
    qtbot.keyClick(timeline, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert shown(window, qtbot)[0] == "Cut"
    qtbot.keyClick(timeline, Qt.Key.Key_Z, Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier)
    assert shown(window, qtbot)[0] == "Short version"

    # Delete the copy: the original is shown; Ctrl+Z brings the copy back with its edit, current again.
    copy_clips = [i.id for i in timeline.timeline.tracks[0].items]
    bar.delete_action.trigger()
    assert [bar.combo.itemText(i) for i in range(bar.combo.count())] == ["Cut"]
    assert shown(window, qtbot) == ("Cut", [ids["s1"]], [ids["s1"]])
    assert not bar.delete_action.isEnabled()
    timeline.setFocus()
    qtbot.keyClick(timeline, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert shown(window, qtbot) == ("Short version", [ids["s1"], ids["s2"]], [ids["s1"], ids["s2"]])
    assert [i.id for i in timeline.timeline.tracks[0].items] == copy_clips  # row for row, same ids

    # The switch is in the file: reopening shows the cut that was current.
    window.close_project()
    with Project.open(path, readonly=True) as reader:
        assert cuts.current_timeline_id(reader) == copy
    assert window.open_project(path)
    assert shown(window, qtbot) == ("Short version", [ids["s1"], ids["s2"]], [ids["s1"], ids["s2"]])


def test_new_and_rename_are_undoable_and_a_taken_name_is_refused(window, film_file, qtbot, monkeypatch):
    path, ids = film_file
    assert window.open_project(path)
    timeline, program = window.panel("timeline"), window.panel("program")
    bar = timeline.cut_bar

    answer(monkeypatch, "Trailer")
    window.timeline_menu.actions()[0].trigger()  # New Cut…
    assert shown(window, qtbot) == ("Trailer", [], [])
    assert program.cut.duration == 0

    answer(monkeypatch, "  Teaser   trailer ")
    bar.rename_action.trigger()
    assert bar.cut_names() == ["Cut", "Teaser trailer"]
    assert window.undo_action.text() == "&Undo Rename cut 'Trailer' to 'Teaser trailer'"
    window.undo()
    assert bar.cut_names() == ["Cut", "Trailer"]
    window.undo()  # the new cut goes, and the first is current again
    assert bar.cut_names() == ["Cut"] and shown(window, qtbot) == ("Cut", [ids["s1"]], [ids["s1"]])
    window.redo()
    assert shown(window, qtbot) == ("Trailer", [], [])

    # A name another cut has is refused with the store's reason, and nothing changes.
    answer(monkeypatch, "cut")
    bar.duplicate_action.trigger()
    assert "already a cut called 'cut'" in window.notifications[-1]
    assert bar.cut_names() == ["Cut", "Trailer"]
    # Cancelling the name prompt does nothing either.
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("ignored", False))
    bar.new_action.trigger()
    assert bar.cut_names() == ["Cut", "Trailer"]


def test_a_switch_pushed_by_another_panel_moves_every_view_and_read_only_shows_the_current_cut(window, film_file, qtbot, monkeypatch):
    """The store's SwitchCut pushed through the session by anyone (not the cut bar) moves the timeline,
    the switcher and the program viewer; reopened read-only, the project shows its current cut and
    offers no cut edits."""
    path, ids = film_file
    assert window.open_project(path)
    answer(monkeypatch, "B-roll")
    window.panel("timeline").cut_bar.new_action.trigger()
    first = cuts.find_timeline(window.session.project, "Cut")
    assert window.session.push(cuts.SwitchCut(first))
    assert shown(window, qtbot)[0] == "Cut"
    window.close_project()
    assert window.open_project(path, readonly=True)
    bar = window.panel("timeline").cut_bar
    assert shown(window, qtbot) == ("Cut", [ids["s1"]], [ids["s1"]])
    assert not any(a.isEnabled() for a in bar.actions_for_menu() if a is not None and a is not bar.compare_action)
    assert bar.compare_action.isEnabled()  # comparing only reads
    assert not bar.combo.isEnabled()
