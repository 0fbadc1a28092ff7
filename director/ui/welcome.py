"""The first thing an empty window shows: New, Open, Open the demo, and the recent projects.

The demo is built the way the README's command builds it (`director demo`, the tiny random-weight
presets), in a separate process so the window never waits; its output is shown as it comes, and
the demo opens when it is done. An existing demo opens at once (with the user's edits to it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QProcess, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

DEMO_DIR_ENV = "DIRECTOR_DEMO_DIR"
DEMO_NAME = "demo.director"


def demo_folder() -> Path:
    """Where the window keeps its demo: DIRECTOR_DEMO_DIR, else 'Director Demo' in the home folder
    (a visible folder: the demo's exports are meant to be looked at)."""
    env = os.environ.get(DEMO_DIR_ENV)
    return Path(env).expanduser() if env else Path.home() / "Director Demo"


def demo_command(folder: Path) -> list[str]:
    """The program and arguments that build the demo: this same Director, as `director demo`."""
    program = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "director"]
    return [*program, "demo", "--out", str(folder)]


class WelcomePage(QWidget):
    """`new_requested`, `open_requested(path or "")` ("" asks for a file) and `demo_ready(path)`."""

    new_requested = Signal()
    open_requested = Signal(str)
    demo_ready = Signal(str)

    def __init__(self, recent_paths, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("welcomePage")
        self._recent_paths = recent_paths
        self._process: QProcess | None = None
        title = QLabel("<h2>Director</h2>Write shot prompts, generate takes, review, cut and cost them.", self)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setWordWrap(True)
        self.new_button = QPushButton("&New Project…", self)
        self.new_button.setObjectName("welcomeNew")
        self.new_button.setToolTip("Create a project file (Ctrl+N)")
        self.new_button.clicked.connect(self.new_requested)
        self.open_button = QPushButton("&Open Project…", self)
        self.open_button.setObjectName("welcomeOpen")
        self.open_button.setToolTip("Open a project file (Ctrl+O)")
        self.open_button.clicked.connect(lambda: self.open_requested.emit(""))
        self.demo_button = QPushButton("Open the &Demo", self)
        self.demo_button.setObjectName("welcomeDemo")
        self.demo_button.setToolTip(f"A small film made with the tiny random-weight presets, kept in {demo_folder()}")
        self.demo_button.clicked.connect(self.open_demo)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.new_button, self.open_button, self.demo_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.status = QLabel(self)
        self.status.setObjectName("welcomeStatus")
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.setWordWrap(True)
        recent_label = QLabel("Recent projects", self)
        self.recent = QListWidget(self)
        self.recent.setObjectName("welcomeRecent")
        self.recent.setMaximumWidth(560)
        self.recent.itemActivated.connect(lambda item: self.open_requested.emit(item.data(Qt.ItemDataRole.UserRole)))
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(recent_label, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.recent, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.refresh()

    def refresh(self) -> None:
        """The recent list, newest first; a missing file stays listed (a drive may come back)."""
        self.recent.clear()
        paths = list(self._recent_paths())
        for path in paths:
            item = QListWidgetItem(f"{Path(path).name}    {Path(path).parent}")
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(path)
            self.recent.addItem(item)
        if not paths:
            item = QListWidgetItem("No recent projects")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent.addItem(item)

    def showEvent(self, event) -> None:
        self.refresh()
        super().showEvent(event)

    # -- the demo --------------------------------------------------------------------------------

    @property
    def building(self) -> bool:
        return self._process is not None

    def open_demo(self) -> None:
        """Open the demo, building it first (in another process) if there is none yet."""
        if self._process is not None:
            return
        folder = demo_folder()
        existing = folder / DEMO_NAME
        if existing.exists():
            self.demo_ready.emit(str(existing))
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.status.setText(f"Cannot make the demo folder {folder}: {exc.strerror or exc}")
            return
        program, *args = demo_command(folder)
        process = QProcess(self)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        process.readyReadStandardOutput.connect(self._show_output)
        process.finished.connect(lambda code, _status: self._demo_finished(code, existing))
        process.errorOccurred.connect(self._demo_error)
        self._process = process
        self.demo_button.setEnabled(False)
        self.status.setText(f"Building the demo in {folder} (tiny random-weight models, about a minute)…")
        process.start(program, args)

    def _show_output(self) -> None:
        if self._process is None:
            return
        text = bytes(self._process.readAllStandardOutput().data()).decode(errors="replace").strip()
        if text:
            self.status.setText(text.splitlines()[-1])

    def _demo_finished(self, code: int, path: Path) -> None:
        self._process = None
        self.demo_button.setEnabled(True)
        if code == 0 and path.exists():
            self.status.setText("")
            self.demo_ready.emit(str(path))
        else:
            self.status.setText(f"The demo could not be built (exit {code}); run 'director demo' in a terminal to see why.")

    def _demo_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._process = None
            self.demo_button.setEnabled(True)
            self.status.setText("The demo could not start: Director's command line was not found.")


def welcome_page(window) -> WelcomePage:
    """The window's empty central area, wired to its own New and Open."""
    page = WelcomePage(window.recent.paths, window)
    page.new_requested.connect(lambda: window.new_project())
    page.open_requested.connect(lambda path: window.open_project(path or None))
    page.demo_ready.connect(lambda path: window.open_project(path))
    return page
