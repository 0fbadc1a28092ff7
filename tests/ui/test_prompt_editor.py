"""The prompt editor: live composition, one version per editing session, looks, history, diff, restore."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from director.core.prompt import CameraSetup, PromptFields
from director.store import edits
from director.store.prompts import current_prompt, prompt_history
from director.ui.cameras_panel import CamerasPanel
from director.ui.prompt_editor import PromptEditor


def new_shot(session, code="1"):
    edit = edits.AddShot(code)
    session.push(edit)
    return edit.shot_id


def editor_for(session, qtbot, shot_id):
    editor = PromptEditor(session)
    qtbot.addWidget(editor)
    editor.set_shot(shot_id)
    editor.show()
    qtbot.waitExposed(editor)
    return editor


def test_typing_updates_the_composed_prompt_without_writing_a_version(session, qtbot):
    sid = new_shot(session)
    editor = editor_for(session, qtbot, sid)
    qtbot.keyClicks(editor.field_edit("subject"), "a red kite")
    qtbot.keyClicks(editor.field_edit("setting"), "over grey dunes")
    assert editor.composed.text() == "a red kite, over grey dunes"
    assert editor.is_dirty() and editor.commit_button.isEnabled()
    assert prompt_history(session.project, sid) == []


def test_ctrl_return_commits_one_version_and_undo_redo_move_the_pointer(session, qtbot):
    sid = new_shot(session)
    editor = editor_for(session, qtbot, sid)
    editor.activateWindow()
    editor.field_edit("subject").setFocus()
    qtbot.waitUntil(lambda: editor.field_edit("subject").hasFocus())
    qtbot.keyClicks(editor.field_edit("subject"), "a red kite")
    with qtbot.waitSignal(editor.prompt_committed):
        qtbot.keyClick(editor.field_edit("subject"), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    v1 = current_prompt(session.project, sid)
    assert v1.version == 1 and v1.composed == "a red kite"
    assert not editor.is_dirty()
    editor.field_edit("subject").setText("a blue kite")
    assert editor.commit()
    assert current_prompt(session.project, sid).composed == "a blue kite"
    session.undo_stack.undo()
    assert current_prompt(session.project, sid).id == v1.id
    assert editor.field_edit("subject").text() == "a red kite"  # the fields follow the undo
    session.undo_stack.redo()
    assert editor.field_edit("subject").text() == "a blue kite"
    assert not editor.commit()  # nothing changed: no new version
    assert len(prompt_history(session.project, sid)) == 2


def test_switching_shot_commits_pending_edits(session, qtbot):
    a, b = new_shot(session, "1"), new_shot(session, "2")
    editor = editor_for(session, qtbot, a)
    editor.field_edit("action").setText("runs for the door")
    editor.set_shot(b)
    assert current_prompt(session.project, a).fields.action == "runs for the door"
    assert editor.field_edit("action").text() == ""


def test_an_empty_prompt_is_refused_with_the_rule(session, qtbot):
    sid = new_shot(session)
    editor = editor_for(session, qtbot, sid)
    editor.field_edit("negative").setText("watermark")
    with qtbot.waitSignal(session.error_raised) as blocker:
        assert not editor.commit()
    assert "the prompt is empty" in blocker.args[0]


def test_look_presets_come_from_the_project(session, qtbot):
    sid = new_shot(session)
    editor = editor_for(session, qtbot, sid)
    names = [editor.look_combo.itemText(i) for i in range(1, editor.look_combo.count())]
    assert {"Noir", "Anamorphic", "35 mm grain", "Golden hour"} <= set(names)
    editor.field_edit("subject").setText("a detective")
    assert editor.apply_look("Noir")
    assert "black and white" in editor.field_edit("look").text()
    assert "black and white" in editor.composed.text()


def test_history_diffs_two_versions_and_restores_one(session, qtbot):
    sid = new_shot(session)
    editor = editor_for(session, qtbot, sid)
    for subject in ("a red kite", "a blue kite"):
        editor.field_edit("subject").setText(subject)
        editor.commit()
    v1, v2 = prompt_history(session.project, sid)
    assert editor.history.count() == 2
    editor.select_versions([v1.id, v2.id])
    text = editor.diff_text()
    assert "v1 → v2" in text and "a red kite" in text and "a blue kite" in text
    editor.select_versions([v1.id])
    assert editor.restore_selected()
    assert current_prompt(session.project, sid).id == v1.id
    assert editor.field_edit("subject").text() == "a red kite"
    assert editor.history.item(1).text().startswith("●")  # v1 (listed newest first) is current
    session.undo_stack.undo()
    assert current_prompt(session.project, sid).id == v2.id


def test_cameras_show_their_composed_prompt_and_edits_are_undoable(session, qtbot):
    sid = new_shot(session)
    session.push(edits.WritePrompt(sid, PromptFields(subject="a lighthouse", shot_size="wide")))
    panel = CamerasPanel(session)
    qtbot.addWidget(panel)
    panel.set_shot(sid)
    assert panel.table.item(0, 0).text() == "A"
    assert panel.table.item(0, 5).text() == "a lighthouse, wide"
    b = panel.add_camera(setup=CameraSetup(shot_size="close-up"))
    assert panel.current_camera_id() == b
    assert panel.table.item(1, 5).text() == "a lighthouse, close-up"
    panel.table.item(0, 2).setText("low angle")  # as if typed into the Angle cell
    assert panel.table.item(0, 5).text() == "a lighthouse, wide, low angle"
    session.undo_stack.undo()
    assert panel.table.item(0, 5).text() == "a lighthouse, wide"
    session.undo_stack.undo()  # the added camera goes
    assert panel.table.rowCount() == 1


def test_leaving_the_editor_commits(session, qtbot):
    sid = new_shot(session)
    editor = editor_for(session, qtbot, sid)
    elsewhere = QLineEdit()
    qtbot.addWidget(elsewhere)
    elsewhere.show()
    editor.activateWindow()
    editor.field_edit("subject").setFocus()
    qtbot.waitUntil(lambda: editor.field_edit("subject").hasFocus())
    editor.field_edit("subject").setText("a lone cyclist")
    elsewhere.activateWindow()
    elsewhere.setFocus()
    qtbot.waitUntil(lambda: current_prompt(session.project, sid) is not None)
    assert current_prompt(session.project, sid).fields.subject == "a lone cyclist"


def test_a_look_typed_on_one_shot_is_saved_as_a_preset_and_used_on_another(session, qtbot):
    from director.store.looks import get_look
    from director.store.shots import add_shot
    from director.ui.prompt_editor import PromptEditor

    first, _ = add_shot(session.project, "1")
    second, _ = add_shot(session.project, "2")
    editor = PromptEditor(session)
    qtbot.addWidget(editor)
    editor.set_shot(first.id)
    editor.edits["look"].setText("bleach bypass, crushed blacks")
    assert editor.save_look("Bleach bypass")
    assert get_look(session.project, "Bleach bypass") == "bleach bypass, crushed blacks"
    assert editor.look_combo.findText("Bleach bypass") > 0  # the combo reloaded on Changes.looks
    assert session.undo_stack.undoText() == "Save look preset"
    session.undo_stack.undo()
    assert get_look(session.project, "Bleach bypass") is None
    session.undo_stack.redo()
    editor.set_shot(second.id)
    assert editor.apply_look("Bleach bypass")
    assert editor.edits["look"].text() == "bleach bypass, crushed blacks"
