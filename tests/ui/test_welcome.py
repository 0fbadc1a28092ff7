"""First run: the empty window offers New, Open, Open the demo and the recent projects, and each
button does what it says."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from director.cli import main
from director.ui import welcome
from director.ui.welcome import WelcomePage


def _page(window) -> WelcomePage:
    page = window.centralWidget()
    assert isinstance(page, WelcomePage)
    return page


def test_new_creates_a_project_and_closing_it_brings_the_welcome_back(window, project_file, qtbot, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(project_file), ""))
    qtbot.mouseClick(_page(window).new_button, Qt.MouseButton.LeftButton)
    assert project_file.exists() and window.session is not None and window.session.project.path == project_file
    assert window.close_project()
    page = _page(window)
    assert [page.recent.item(i).data(Qt.ItemDataRole.UserRole) for i in range(page.recent.count())][0] == str(project_file)


def test_open_and_a_recent_project_open_it(window, project_file, qtbot, monkeypatch, capsys):
    assert main(["new", str(project_file)]) == 0
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(project_file), ""))
    qtbot.mouseClick(_page(window).open_button, Qt.MouseButton.LeftButton)
    assert window.session is not None and window.session.project.path == project_file
    assert window.close_project()
    page = _page(window)
    item = page.recent.item(0)
    page.recent.itemActivated.emit(item)
    assert window.session is not None and window.session.project.path == project_file


def test_no_recent_projects_says_so(window):
    page = _page(window)
    assert page.recent.count() == 1 and page.recent.item(0).text() == "No recent projects"
    assert not page.recent.item(0).flags() & Qt.ItemFlag.ItemIsEnabled


def test_open_the_demo_opens_an_existing_demo(window, tmp_path, qtbot, monkeypatch, capsys):
    monkeypatch.setenv("DIRECTOR_DEMO_DIR", str(tmp_path / "demo"))
    assert main(["demo", "--out", str(tmp_path / "demo"), "--no-generate"]) == 0
    qtbot.mouseClick(_page(window).demo_button, Qt.MouseButton.LeftButton)
    assert window.session is not None and window.session.project.path == tmp_path / "demo" / "demo.director"


def test_open_the_demo_builds_it_in_another_process_then_opens_it(window, tmp_path, qtbot, monkeypatch):
    """The real `director demo` in a subprocess, without generation (that is test_demo.py's job):
    the window stays responsive and opens the project when the process is done."""
    folder = tmp_path / "first run"
    monkeypatch.setenv("DIRECTOR_DEMO_DIR", str(folder))
    real = welcome.demo_command
    monkeypatch.setattr(welcome, "demo_command", lambda f: [*real(f), "--no-generate"])
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    page = _page(window)
    qtbot.mouseClick(page.demo_button, Qt.MouseButton.LeftButton)
    assert page.building and not page.demo_button.isEnabled() and "Building the demo" in page.status.text()
    qtbot.waitUntil(lambda: window.session is not None, timeout=60000)
    assert window.session.project.path == folder / "demo.director"
