"""The window never tells a director to run `director …` for something the window does itself (#18):
a budget refusal points at the Shot panel or Settings, lookups point at the panel that lists the
same, and no user-facing string in director/ui names a command the window has a control for."""

from __future__ import annotations

import ast
import re
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from director.core.errors import DirectorError
from director.engine import actions
from director.store import expenses, jobs, scenes, takes, timelog
from director.store import timeline as st
from director.store.project import Project
from director.store.shots import get_shot
from director.ui.errors import describe_open_error
from director.ui.hints import for_window

UI = Path(__file__).resolve().parents[2] / "director" / "ui"
# Commands whose work the window does: a user-facing string in director/ui must not send anyone to them.
WINDOW_DOES = r"new|shot|scene|takes?|cut|timeline|script|prompt|queue|report|settings|camera|look|generate|export|purge"


def commit_line(qtbot, field, text):
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def test_a_shot_budget_refusal_points_at_the_shot_panel_and_following_it_lets_the_job_through(window, project_file, qtbot):
    assert window.new_project(project_file)
    project = window.session.project
    sid = window.panel("shots").add_shot("1", "Harbour")
    editor = window.panel("prompt")
    editor.field_edit("subject").setText("a harbour at dusk")
    assert editor.commit()
    generate, inspector = window.panel("generate"), window.panel("inspector")
    generate.set_preset("tiny-t2i")
    commit_line(qtbot, inspector.budget, "5")
    window.session.announce(expenses.add_expense(project, sid, "5.00", note="boat hire")[1])  # the cap is used up

    # The Generate panel's estimate says the cap is reached and where to raise it: the Shot panel.
    generate.validate()
    text = generate.estimate.text()
    assert "shot 1 money budget would be passed" in text
    assert "Raise shot 1's budget to 5 in the Shot panel (Shot ▸ Shot Properties…, Ctrl+I)" in text
    assert "director" not in text
    # Queueing anyway is refused by the engine's guard, said the same way in the status bar.
    assert window.generate() == []
    assert "in the Shot panel" in window.notifications[-1] and "director shot set" not in window.notifications[-1]

    # The director follows the hint: Ctrl+I, a bigger budget; the job is allowed now.
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    commit_line(qtbot, inspector.budget, "50")
    assert get_shot(project, sid).budget_money == Decimal(50)
    generate.validate()
    assert "would be passed" not in generate.estimate.text()


def test_a_project_budget_is_set_in_settings_and_its_refusal_points_there(window, project_file, qtbot):
    assert window.new_project(project_file)
    project = window.session.project
    sid = window.panel("shots").add_shot("2")
    window.panel("prompt").field_edit("subject").setText("a lighthouse")
    assert window.panel("prompt").commit()
    dialog = window.show_settings()
    dialog.budget_money.setText("3")
    dialog.budget_gpu.setText("90")
    with qtbot.waitSignal(dialog.settings_saved):
        assert dialog.save()
    assert project.settings().budget_money == Decimal(3) and project.settings().budget_gpu_s == 5400.0
    again = window.show_settings()
    assert again.budget_money.text() == "3" and again.budget_gpu.text() == "90"
    again.budget_gpu.setText("lots")
    assert not again.save() and "number of minutes" in again.error.text()
    again.reject()

    window.session.announce(expenses.add_expense(project, sid, "4.00")[1])  # past the cap
    generate = window.panel("generate")
    generate.set_preset("tiny-t2i")
    generate.validate()
    assert "Raise the project's budget to 4 in File ▸ Settings… ▸ Project" in generate.estimate.text()
    costs = window.panel("costs")
    with qtbot.waitSignal(costs.refreshed):  # read on the reads thread once the panel is on screen
        window.show_panel("costs")
    assert "Raise the project's budget to 4 in File ▸ Settings… ▸ Project" in costs.budget_label.text()
    assert "director settings" not in costs.budget_label.text()


def test_store_and_engine_lookups_that_reach_the_window_name_its_panels(project, tmp_path):
    """Each message a window action can meet, built by the real store or engine call."""
    from director.store.shots import add_shot

    add_shot(project, "9")

    def message(call) -> str:
        with pytest.raises(DirectorError) as caught:
            call()
        return for_window(str(caught.value))

    said = {
        "take": message(lambda: takes.get_take(project, 999)),
        "clip": message(lambda: st.timeline_of_item(project, 999)),
        "job": message(lambda: jobs.get_job(project, 999)),
        "scene": message(lambda: scenes.find_scene(project, "INT-NOWHERE")),
        "time": message(lambda: timelog.edit_time_entry(project, 999, seconds=1)),
        "prompt": message(lambda: actions.queue_generation(project, "9", "tiny-t2i")),
    }
    assert said["take"].endswith("the Takes panel lists the current shot's takes")
    assert said["clip"].endswith("the Timeline panel shows the cut")
    assert said["job"].endswith("the Queue panel (Ctrl+5) lists them")
    assert said["scene"].endswith("add one with Shot ▸ Add Scene… (Ctrl+Alt+N)")
    assert said["time"].endswith("Generate ▸ Log Time… (Ctrl+Shift+T) lists them")
    assert "write one first in the Prompt panel (Ctrl+2)" in said["prompt"]
    for text in said.values():
        assert not re.search(rf"\bdirector ({WINDOW_DOES})\b", text), text

    missing = tmp_path / "elsewhere" / "gone.director"
    with pytest.raises(DirectorError) as caught:
        Project.open(missing)
    report = describe_open_error(missing, caught.value)
    assert "create one with File ▸ New Project…" in report.detail and "director new" not in report.detail


def test_no_string_in_the_window_sends_a_director_to_a_command_the_window_has(qtbot):
    """Only what the window cannot do may name a command ('director check', pulling weights)."""
    found = []
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                if path.name == "hints.py":
                    continue  # the patterns that recognise the store's hints
                if re.search(rf"\bdirector ({WINDOW_DOES})\b", node.value):
                    found.append(f"{path.relative_to(UI)}:{node.lineno}: {node.value!r}")
    assert found == []


def test_a_gpu_budget_refusal_names_minutes_and_the_shot_panel(window, project_file, qtbot):
    assert window.new_project(project_file)
    project = window.session.project
    sid = window.panel("shots").add_shot("3")
    window.panel("prompt").field_edit("subject").setText("a storm")
    assert window.panel("prompt").commit()
    job_id, _ = jobs.create_job(project, shot_id=sid, camera_id=None, prompt_id=None, preset="tiny-t2i", params={}, seeds=[1])
    jobs.mark_running(project, job_id)
    window.session.announce(jobs.finish_job(project, job_id, jobs.JobState.DONE, {"gpu_s": 600.0}))  # ten GPU minutes spent
    commit_line(qtbot, window.panel("inspector").gpu_budget, "5")
    generate = window.panel("generate")
    generate.set_preset("tiny-t2i")
    generate.validate()
    text = generate.estimate.text()
    assert re.search(r"Raise shot 3's GPU budget to \d+ minutes in the Shot panel \(Shot ▸ Shot Properties…, Ctrl\+I\)", text), text
    assert "--budget" not in text
