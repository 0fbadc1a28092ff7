"""`director PATH` opens the window on that project, themed dark with Fusion."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from director.cli import main
from director.store.project import Project
from director.ui.app import APP_NAME
from director.ui.main_window import MainWindow


def test_director_path_opens_the_window_with_that_project(project_file, qapp):
    Project.create(project_file, name="Harbour").close()
    seen: dict = {}

    def check():
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.windowFilePath() == str(project_file)]
        if not windows:
            QTimer.singleShot(20, check)
            return
        seen["window"] = windows[0]
        seen["title"] = windows[0].windowTitle()
        # exit() ends exec() at once; quit() or a last-window-closed would post a Quit event that
        # a later test's event loop would receive.
        QApplication.exit(0)

    quit_on_close = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    QTimer.singleShot(0, check)
    try:
        assert main([str(project_file)]) == 0
    finally:
        if "window" in seen:
            seen["window"].close()
        qapp.setQuitOnLastWindowClosed(quit_on_close)
    assert seen["title"] == "Harbour — film.director — Director"
    assert qapp.applicationName() == APP_NAME
    assert qapp.style().name().lower() == "fusion"
    assert qapp.palette().color(QPalette.ColorRole.Window).lightness() < 80
