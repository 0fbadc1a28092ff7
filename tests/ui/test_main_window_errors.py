"""Open errors made with real files: each dialog says what happened and what to do; the file is untouched."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from PySide6.QtWidgets import QMessageBox

from director.store.project import Project


class Shown(list):
    state: dict


@pytest.fixture
def dialogs(window, monkeypatch):
    """Capture the boxes the window would run, answering with `state['answer']` (Ok unless changed)."""
    shown = Shown()
    state = {"answer": QMessageBox.StandardButton.Ok}

    def fake_exec(box):
        shown.append(box)
        return state["answer"]

    monkeypatch.setattr(window, "exec_dialog", fake_exec)
    shown.state = state
    return shown


def text_of(box: QMessageBox) -> str:
    return f"{box.windowTitle()}\n{box.text()}\n{box.informativeText()}"


def test_a_text_file_is_not_a_project(window, dialogs, project_file):
    project_file.write_text("shot list\n1A rooftop\n")
    before = project_file.read_bytes()
    assert not window.open_project(project_file)
    text = text_of(dialogs[0])
    assert "Not a Director project" in text and "not a SQLite database" in text and "Choose a .director file" in text
    assert project_file.read_bytes() == before and window.session is None


def test_a_foreign_sqlite_database_is_refused_untouched(window, dialogs, project_file):
    conn = sqlite3.connect(project_file)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    before = project_file.read_bytes()
    assert not window.open_project(project_file)
    text = text_of(dialogs[0])
    assert "is not a Director project" in text and "SQLite database but not a Director project" in text
    assert project_file.read_bytes() == before


def test_a_project_from_a_newer_director_says_to_update(window, dialogs, project_file):
    Project.create(project_file).close()
    conn = sqlite3.connect(project_file)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    assert not window.open_project(project_file)
    text = text_of(dialogs[0])
    assert "newer version of Director" in text and "Update Director to open it" in text


def test_a_damaged_project_says_how_to_recover(window, dialogs, project_file):
    Project.create(project_file).close()
    data = bytearray(project_file.read_bytes())
    page = 4096
    data[page : page * 3] = b"\xde\xad\xbe\xef" * (page // 2)  # scribble over the schema's pages
    project_file.write_bytes(bytes(data))
    assert not window.open_project(project_file)
    text = text_of(dialogs[0])
    assert "Project damaged" in text and "backup" in text


def test_a_missing_recent_project_says_so_and_leaves_the_recent_list(window, dialogs, project_file):
    window.recent.add(project_file)
    assert not window.open_project(project_file)
    assert "does not exist" in text_of(dialogs[0])
    assert str(project_file) not in window.recent.paths()


def test_a_project_open_in_another_process_offers_read_only(window, dialogs, project_file, qtbot):
    Project.create(project_file, name="Harbour").close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys\nfrom director.store.project import Project\n"
         "p = Project.open(sys.argv[1])\nprint('open', flush=True)\nsys.stdin.read()\np.close()", str(project_file)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        dialogs.state["answer"] = QMessageBox.StandardButton.Open
        assert window.open_project(project_file)
        box = dialogs[0]
        text = text_of(box)
        assert "Project in use" in text and f"pid {holder.pid}" in text and "Open it read-only" in text
        assert box.button(QMessageBox.StandardButton.Open).text() == "Open Read-Only"
        assert window.session.project.readonly
        assert window.windowTitle() == "Harbour — film.director [read-only] — Director"
        assert window.runner is None  # a reader never generates
        assert not window.panel("shots").add_action.isEnabled()
        assert not window.panel("generate").validate()
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
