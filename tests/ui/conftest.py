"""UI fixtures: the real main window, offscreen, with its own config folder and project files.

The top-level conftest already isolates DIRECTOR_CONFIG_DIR (QSettings live there too) and sets
HF_HUB_OFFLINE=1 and QT_QPA_PLATFORM=offscreen; these fixtures add the window and a session.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_OFFLINE"] = "1"


@pytest.fixture(autouse=True)
def _configured_app(qapp):
    """The app names and theme the real `director` sets, so QSettings and styles match."""
    from director.ui.app import configure_app

    configure_app(qapp)
    yield


@pytest.fixture
def session(project, qtbot):
    from director.ui.undo import ProjectSession

    s = ProjectSession(project)
    yield s
    s.shutdown()  # its reads thread (if a panel started one) lets go of its connection


@pytest.fixture
def window(qtbot):
    """The real main window with no project; closed (engine stopped, project closed) afterwards."""
    from director.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close_project()
    w.close()


@pytest.fixture
def project_file(tmp_path):
    return tmp_path / "film.director"
