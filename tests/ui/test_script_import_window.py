"""From script to shots in the window (#18): File ▸ Import Screenplay…, the preview, the merge after a
rewrite, the 'script changed' marker with its diff, and the dialogue in the Shot panel."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QFileDialog

from director.store.prompts import current_prompt
from director.store.shots import find_shot, list_shots
from director.ui import script_import

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIRST = FIXTURES / "lighthouse.fountain"
REWRITE = FIXTURES / "lighthouse_rewrite.fountain"


def codes(project, deleted=False):
    return [s.code for s in list_shots(project, deleted=deleted)]


def open_preview(window, qtbot, path):
    with qtbot.waitSignal(window.importer.preview_shown, timeout=10_000) as shown:
        assert window.import_screenplay(path)
    return shown.args[0]


def test_import_previews_then_cancel_changes_nothing_and_ok_makes_scenes_and_shots(window, project_file, qtbot, monkeypatch):
    assert window.new_project(project_file)
    project = window.session.project
    # The director picks File ▸ Import Screenplay… with its shortcut and chooses the file.
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(FIRST), ""))
    assert window.import_script_action.isEnabled()
    assert window.import_script_action.shortcut().toString() == "Ctrl+Shift+I"
    with qtbot.waitSignal(window.importer.preview_shown, timeout=10_000) as shown:
        window.import_script_action.trigger()
    dialog = shown.args[0]
    assert dialog.isVisible()
    assert dialog.codes("scenes_added") == ["1", "2", "3"]
    assert dialog.codes("shots_added") == ["1A", "1B", "2A", "3A"]
    assert dialog.codes("cast_added") == ["Mara", "Tomas"]
    assert "add 3 scenes and 4 shots" in dialog.summary.text()
    assert "merges" in dialog.findChild(type(dialog.summary), "importMergeNote").text()
    assert codes(project) == []  # the preview was a dry run, rolled back

    dialog.reject()
    assert codes(project) == [] and window.panel("shots").model.shot_ids() == []

    dialog = open_preview(window, qtbot, FIRST)
    with qtbot.waitSignal(window.importer.imported, timeout=5000):
        dialog.import_button.click()
    assert codes(project) == ["1A", "1B", "2A", "3A"]

    # The shot list shows the scenes with their shots; the first new shot is current.
    shot_list = window.panel("shots")
    model = shot_list.model
    groups = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert groups == ["Scene 1 · Lighthouse Lamp Room", "Scene 2 · Cliff Path", "Scene 3 · Kitchen"]
    assert shot_list.current_shot_id() == find_shot(project, "1A").id
    assert current_prompt(project, find_shot(project, "1A").id).fields.subject == "Mara"

    # The Shot panel shows the shot's dialogue.
    inspector = window.panel("inspector")
    assert inspector.shot_id == find_shot(project, "1A").id
    assert "Mara (to herself): One more night." in inspector.dialogue_text()
    window.select_shot(find_shot(project, "2A").id)
    assert "Tomas: Mara! I brought the new wick." in inspector.dialogue_text()

    # Importing the same script again has nothing to do, and says so.
    dialog = open_preview(window, qtbot, FIRST)
    assert dialog.windowTitle() == "Import Screenplay" and "The Lighthouse" in dialog.findChildren(type(dialog.summary))[0].text()
    assert dialog.summary.text().startswith("Nothing to import") and not dialog.import_button.isEnabled()
    dialog.reject()


def test_a_rewrite_merges_keeps_the_directors_prompt_flags_the_change_and_bins_what_is_gone(window, project_file, qtbot, qtmodeltester):
    assert window.new_project(project_file)
    project = window.session.project
    dialog = open_preview(window, qtbot, FIRST)
    with qtbot.waitSignal(window.importer.imported, timeout=5000):
        dialog.accept()
    one_a = find_shot(project, "1A").id

    # The director rewrites 1A's prompt in the prompt editor.
    window.select_shot(one_a)
    editor = window.panel("prompt")
    editor.field_edit("subject").setText("Mara, weathered keeper in a yellow oilskin")
    assert editor.commit()
    mine = current_prompt(project, one_a).id

    # The writer's rewrite: 1A's line changed, scene 2 cut, scene 4 added.
    dialog = open_preview(window, qtbot, REWRITE)
    assert dialog.codes("shots_kept") == ["1A"]
    assert dialog.codes("shots_binned") == ["2A"]
    assert dialog.codes("shots_added") == ["4A"]
    assert dialog.codes("scenes_flagged") == ["2"]
    assert codes(project) == ["1A", "1B", "2A", "3A"]  # nothing yet
    with qtbot.waitSignal(window.importer.imported, timeout=5000):
        dialog.accept()
    assert codes(project) == ["1A", "1B", "3A", "4A"]
    assert codes(project, deleted=True) == ["2A"]
    assert current_prompt(project, one_a).id == mine  # the director's prompt is kept

    # The shot list marks 1A 'script changed' and its tooltip carries the diff; scene 2 is flagged.
    model = window.panel("shots").model
    index = model.shot_index(one_a)
    assert model.data(index).endswith("· script changed")
    assert model.data(index, model.ScriptStatusRole) == "changed"
    tip = model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert "-Mara (to herself): One more night." in tip and "+Mara (to herself): Just one more night." in tip
    assert model.data(model.shot_index(find_shot(project, "1B").id)).endswith("script changed") is False
    scene_two = next(r for r in range(model.rowCount()) if model.data(model.index(r, 0)).startswith("Scene 2"))
    assert model.data(model.index(scene_two, 0)).endswith("· removed from script")
    assert model.data(model.index(scene_two, 0), model.ScriptStatusRole) == "removed"
    qtmodeltester.check(model)

    # The Shot panel shows the diff and the new dialogue.
    window.select_shot(one_a)
    inspector = window.panel("inspector")
    assert "Just one more night." in inspector.dialogue_text()
    assert "-Mara (to herself): One more night." in inspector.diff_text()
    assert "changed" in inspector.script_status.text()

    # The binned shot comes back from the shot bin, undoably.
    bin_dialog = window.panel("shots").show_bin()
    assert bin_dialog.list.item(0).text().startswith("2A")
    bin_dialog.restore_selected()
    assert "2A" in codes(project)
    window.undo()
    assert codes(project, deleted=True) == ["2A"]
    bin_dialog.close()


def test_the_file_is_parsed_off_the_ui_thread_and_a_bad_one_is_refused_with_the_reason(window, project_file, qtbot, tmp_path, monkeypatch):
    assert window.new_project(project_file)
    threads: list[bool] = []
    real = script_import.parse_fountain

    def spy(*args, **kwargs):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(script_import, "parse_fountain", spy)
    notes = tmp_path / "notes.fountain"
    notes.write_text("Just some notes, no scene headings at all.\n")
    with qtbot.waitSignal(window.importer.failed, timeout=10_000) as failed:
        window.import_screenplay(notes)
    assert "no scene headings" in failed.args[0] and "notes.fountain" in failed.args[0]
    assert window.notifications[-1] == failed.args[0]
    assert window.importer.dialog is None and codes(window.session.project) == []

    dialog = open_preview(window, qtbot, FIRST)
    assert threads == [False, False]  # both parses ran on a pool thread
    dialog.reject()

    missing = tmp_path / "gone.fountain"
    with qtbot.waitSignal(window.importer.failed, timeout=10_000) as failed:
        window.import_screenplay(missing)
    assert "no screenplay at" in failed.args[0]


def test_a_preview_for_a_project_that_closed_meanwhile_is_dropped(window, project_file, qtbot, tmp_path):
    assert window.new_project(project_file)
    assert window.import_screenplay(FIRST)
    window.close_project()  # before the pool thread answers
    assert not window.import_script_action.isEnabled()
    other = tmp_path / "other.director"
    assert window.new_project(other)
    shown = []
    window.importer.preview_shown.connect(shown.append)
    assert QThreadPool.globalInstance().waitForDone(10_000)  # the parse has answered…
    QApplication.processEvents()  # …and its answer was delivered to the UI thread
    assert shown == [] and window.importer.dialog is None
    assert codes(window.session.project) == []


def test_reading_a_project_read_only_offers_no_import(window, project_file, qtbot):
    assert window.new_project(project_file)
    window.close_project()
    assert window.open_project(project_file, readonly=True)
    assert not window.import_script_action.isEnabled()
    assert not window.import_screenplay(FIRST)
    assert "write" in window.notifications[-1]
