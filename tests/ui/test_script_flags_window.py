"""A re-import's flags in the window (#18): the shot list's right-click menu shows a flagged shot's or
scene's script change (old → new) and marks it seen, undoably; unflagged rows offer neither."""

from __future__ import annotations

from pathlib import Path

from director.core.screenplay import parse_fountain
from director.store.scenes import find_scene
from director.store.script import import_script, shot_script
from director.store.shots import find_shot
from director.store.window_reads import scene_scripts
from director.ui.script_diff_dialog import ScriptDiffDialog

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _import(window, text: str) -> None:
    _, changes = import_script(window.session.project, parse_fountain(text))
    window.session.announce(changes)


def rewritten(window, project_file, heading=False):
    assert window.new_project(project_file)
    _import(window, (FIXTURES / "lighthouse.fountain").read_text())
    rewrite = (FIXTURES / "lighthouse_rewrite.fountain").read_text()
    if heading:
        rewrite = rewrite.replace("INT. KITCHEN - DAWN", "INT. KITCHEN - DUSK")
    _import(window, rewrite)
    return window.panel("shots")


def menu_texts(shot_list, index) -> list[str]:
    menu = shot_list.context_menu(index)
    try:
        return [a.text() for a in menu.actions()]
    finally:
        menu.deleteLater()


def scene_index(model, code):
    return next(model.index(r, 0) for r in range(model.rowCount()) if model.data(model.index(r, 0)).startswith(f"Scene {code}"))


def test_a_changed_shot_shows_its_diff_and_is_marked_seen_from_the_menu_then_undone(window, project_file, qtbot):
    shots = rewritten(window, project_file)
    project, model = window.session.project, shots.model
    lamp = find_shot(project, "1A").id
    assert model.data(model.shot_index(lamp)).endswith("· script changed")
    texts = menu_texts(shots, model.shot_index(lamp))
    assert "Script Changes…" in texts and "Mark Script Change Seen" in texts
    assert "Script Changes…" not in menu_texts(shots, model.shot_index(find_shot(project, "1B").id))

    menu = shots.context_menu(model.shot_index(lamp))
    shots.script_diff_action.trigger()
    menu.deleteLater()
    dialog = shots.findChild(ScriptDiffDialog, "scriptDiffDialog")
    assert dialog is not None and dialog.isVisible() and dialog.windowTitle() == "Script Changes — Shot 1A"
    text = dialog.plain_text()
    assert "-Mara (to herself): One more night." in text and "+Mara (to herself): Just one more night." in text
    assert dialog.seen_button.isEnabled()
    dialog.seen_button.click()
    assert not dialog.isVisible()
    assert shot_script(project, lamp)["status"] is None
    assert not model.data(model.shot_index(lamp)).endswith("· script changed")
    assert window.session.undo_stack.undoText() == "Mark script change seen (shot 1A)"
    assert "Script Changes…" not in menu_texts(shots, model.shot_index(lamp))

    window.undo()
    assert shot_script(project, lamp)["status"] == "changed"
    assert model.data(model.shot_index(lamp)).endswith("· script changed")
    window.redo()
    assert shot_script(project, lamp)["status"] is None


def test_a_removed_scene_is_marked_seen_from_its_row(window, project_file):
    shots = rewritten(window, project_file)
    project, model = window.session.project, shots.model
    cliff = find_scene(project, "2").id
    index = scene_index(model, "2")
    assert model.data(index).endswith("· removed from script")
    assert "Mark Script Change Seen" in menu_texts(shots, index)
    menu = shots.context_menu(index)
    shots.script_seen_action.trigger()
    menu.deleteLater()
    assert scene_scripts(project)[cliff].status is None
    assert not model.data(scene_index(model, "2")).endswith("· removed from script")
    # Scene 3 was not flagged and none of its shots were: no script actions on it.
    assert "Mark Script Change Seen" not in menu_texts(shots, scene_index(model, "3"))
    window.undo()
    assert scene_scripts(project)[cliff].status == "removed"


def test_a_changed_heading_shows_the_old_heading(window, project_file):
    shots = rewritten(window, project_file, heading=True)
    project = window.session.project
    kitchen = find_scene(project, "3").id
    dialog = shots.show_script_diff(scene_id=kitchen)
    assert "-INT. KITCHEN - DAWN" in dialog.plain_text() and "+INT. KITCHEN - DUSK" in dialog.plain_text()
    assert dialog.mark_seen()
    assert scene_scripts(project)[kitchen].status is None
    # Read again after it was seen: the diff is still there, nothing left to mark.
    again = shots.show_script_diff(scene_id=kitchen)
    assert "+INT. KITCHEN - DUSK" in again.plain_text() and not again.seen_button.isEnabled()
    again.reject()
