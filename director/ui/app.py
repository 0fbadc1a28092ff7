"""The QApplication: dark Fusion theme, HiDPI, and the names QSettings and the OS know us by.

`run_app(path)` is what `director` and `director PATH` call.
"""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from director import __version__
from director.resources import app_icon_files

ORG_NAME = "Director"
ORG_DOMAIN = "director.local"
APP_NAME = "Director"

log = logging.getLogger(__name__)


def dark_palette() -> QPalette:
    """A neutral dark palette: footage is judged on grey, not on a tinted or bright surround."""
    p = QPalette()
    window, base, text = QColor(45, 45, 48), QColor(30, 30, 32), QColor(222, 222, 222)
    disabled = QColor(127, 127, 127)
    highlight = QColor(64, 128, 200)
    for role, colour in (
        (QPalette.ColorRole.Window, window),
        (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base),
        (QPalette.ColorRole.AlternateBase, QColor(38, 38, 41)),
        (QPalette.ColorRole.ToolTipBase, QColor(60, 60, 64)),
        (QPalette.ColorRole.ToolTipText, text),
        (QPalette.ColorRole.PlaceholderText, disabled),
        (QPalette.ColorRole.Text, text),
        (QPalette.ColorRole.Button, window),
        (QPalette.ColorRole.ButtonText, text),
        (QPalette.ColorRole.BrightText, QColor(255, 80, 80)),
        (QPalette.ColorRole.Link, QColor(100, 160, 230)),
        (QPalette.ColorRole.Highlight, highlight),
        (QPalette.ColorRole.HighlightedText, QColor(255, 255, 255)),
        (QPalette.ColorRole.Light, QColor(70, 70, 74)),
        (QPalette.ColorRole.Midlight, QColor(58, 58, 62)),
        (QPalette.ColorRole.Mid, QColor(40, 40, 43)),
        (QPalette.ColorRole.Dark, QColor(22, 22, 24)),
        (QPalette.ColorRole.Shadow, QColor(0, 0, 0)),
    ):
        p.setColor(role, colour)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Highlight, QColor(80, 80, 80))
    return p


def configure_app(app: QApplication) -> None:
    """Names, style and palette; safe to call on an application someone else created (tests)."""
    app.setOrganizationName(ORG_NAME)
    app.setOrganizationDomain(ORG_DOMAIN)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setStyle("Fusion")
    app.setPalette(dark_palette())
    icon = QIcon()
    for path in app_icon_files():
        icon.addFile(str(path))
    if not icon.isNull():
        app.setWindowIcon(icon)


def create_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        # Fractional scale factors (150 %) as they are: rounding makes thumbnails blurry or cropped.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_DontCreateNativeWidgetSiblings)
        app = QApplication(argv if argv is not None else sys.argv[:1])
    configure_app(app)
    return app


def run_app(path: str | None = None) -> int:
    """Open the window (and the project at `path`, if given) and run the event loop."""
    from director.ui.main_window import MainWindow

    app = create_app()
    window = MainWindow()
    window.show()
    if path:
        # After the first paint, so an error dialog has a window to sit on.
        QTimer.singleShot(0, lambda: window.open_project(path))
    code = app.exec()
    return int(code)
