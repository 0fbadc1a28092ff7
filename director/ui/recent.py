"""Open Recent: the last projects opened, newest first, kept in the app's QSettings.

Paths that no longer exist stay listed until the user picks one (a removable drive may come back);
picking a missing one drops it with a message instead of an open error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from director.core.places import config_dir

MAX_RECENT = 10
KEY = "recent/projects"


def app_settings() -> QSettings:
    """The app's own settings (window layout, recent files, device), beside the engine's settings.

    An INI file in Director's config folder rather than the platform default, so that
    DIRECTOR_CONFIG_DIR isolates tests and portable installs completely.
    """
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return QSettings(str(folder / "director.ini"), QSettings.Format.IniFormat)


class RecentProjects:
    """The list behind File → Open Recent."""

    def __init__(self, settings: QSettings | None = None):
        self._settings = settings or app_settings()

    def paths(self) -> list[str]:
        value = self._settings.value(KEY, [])
        if isinstance(value, str):  # QSettings returns a lone string for a one-item list
            value = [value]
        return [str(v) for v in (value or [])]

    def add(self, path: str | Path) -> None:
        text = str(Path(path).absolute())
        items = [p for p in self.paths() if p != text]
        self._store([text, *items][:MAX_RECENT])

    def remove(self, path: str | Path) -> None:
        text = str(Path(path).absolute())
        self._store([p for p in self.paths() if p != text])

    def clear(self) -> None:
        self._store([])

    def _store(self, items: list[str]) -> None:
        self._settings.setValue(KEY, items)
        self._settings.sync()

    def populate(self, menu: QMenu, open_path: Callable[[str], None]) -> None:
        """Rebuild the menu: numbered entries (Alt+1…) and Clear Menu."""
        menu.clear()
        items = self.paths()
        for i, path in enumerate(items, start=1):
            label = f"&{i} {Path(path).name}" if i < 10 else f"{i} {Path(path).name}"
            action = QAction(label, menu)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, p=path: open_path(p))
            menu.addAction(action)
        if not items:
            empty = menu.addAction("No recent projects")
            empty.setEnabled(False)
            return
        menu.addSeparator()
        menu.addAction("Clear Menu", self.clear)
