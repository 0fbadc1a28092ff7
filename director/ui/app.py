"""The QApplication: dark Fusion theme, HiDPI, and the names QSettings and the OS know us by.

`run_app(path)` is what `director` and `director PATH` call.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from director import __version__
from director.resources import app_icon_files

ORG_NAME = "Director"
ORG_DOMAIN = "director.local"
APP_NAME = "Director"

log = logging.getLogger(__name__)

# What an open project needs and the empty window's first paint does not (issue #24): the store and
# sqlite-utils, the engine's client side, PyAV and NumPy, and every panel. `preload_in_background`
# imports them on a thread after the first paint, so opening a project finds them loaded.
PRELOAD = (
    "director.store.project",
    "director.store.ledger",
    "director.store.budget",
    "director.store.timeline",
    "director.store.cuts",
    "director.engine.runner",
    "director.engine.actions",
    "director.engine.engine_choice",
    "director.export.costs",
    "director.export.frames",
    "director.ui.undo",
    "director.ui.background",
    "director.ui.engine_driver",
    "director.ui.activity_tracker",
    "director.ui.shot_list",
    "director.ui.gallery.take_gallery",
    "director.ui.gallery.take_viewer",
    "director.ui.prompt_editor",
    "director.ui.cameras_panel",
    "director.ui.generate_panel",
    "director.ui.timeline_view",
    "director.ui.queue_panel",
    "director.ui.shot_inspector",
    "director.ui.program_viewer",
    "director.ui.cost_dashboard",
    "director.ui.storyboard_view",
    "director.ui.gallery.compare_view",
    "director.ui.errors",
)


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


preloading: threading.Thread | None = None  # the last preload started (benchmarks wait for it)


def preload_in_background(modules: tuple[str, ...] = PRELOAD) -> threading.Thread:
    """Import `modules` on a daemon thread (module code only: no widget is made there). An import
    the UI thread needs meanwhile waits for that module alone; a failure is logged and left to the
    import that needs it."""

    def run() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # the import that needs it says why, on the UI thread
                log.debug("preloading %s failed", name, exc_info=True)

    global preloading
    thread = threading.Thread(target=run, name="director-preload", daemon=True)
    thread.start()
    preloading = thread
    return thread


class _FirstPaint(QObject):
    """Runs `then` on the turn of the event loop after the widget's first paint, once."""

    def __init__(self, widget, then):
        super().__init__(widget)
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint and self._then is not None:
            then, self._then = self._then, None
            watched.removeEventFilter(self)
            QTimer.singleShot(0, then)
        return False


def _after_first_paint(widget, then) -> None:
    _FirstPaint(widget, then)


def start_window(path: str | None = None):
    """The window as `director` shows it: the empty window painted first, then the rest of the code
    loaded on a thread, then the project at `path` (if given) opened. Returns the window."""
    from director.ui.main_window import MainWindow

    create_app()
    window = MainWindow()
    window.show()

    def after_paint() -> None:
        preload_in_background()
        if path:
            # After the first paint (not a zero timer, which can run before the window is first
            # exposed): the window shows at once, and an error dialog has a window to sit on.
            window.open_project(path)

    _after_first_paint(window, after_paint)
    return window


def run_app(path: str | None = None) -> int:
    """Open the window (and the project at `path`, if given) and run the event loop."""
    window = start_window(path)  # noqa: F841 - kept alive while the loop runs
    code = QApplication.instance().exec()
    return int(code)
