"""The frozen app's entry point (packaging/director.spec): the window, the CLI and the engine worker.

The engine worker is a `multiprocessing` *spawn* child (director/engine/client.py). In the frozen
app there is no `python` to spawn: the child is this same executable, started with
`--multiprocessing-fork …` (or the resource tracker's `-c …`). `freeze_support()` must run before
anything else so such a child runs its target and exits instead of parsing those arguments as a
Director command line; PyInstaller's multiprocessing runtime hook makes it work on Linux and macOS
as well as Windows.

Two things only the app does, because a checkout's `director` cannot rely on them:
- the window gets the app icon from the bundled resources/ (director/resources.py);
- `DIRECTOR_QUIT_AFTER_FIRST_PAINT=1` closes the window once it has painted and prints the
  seconds since start-up, to measure time-to-first-window (packaging/smoke.sh, packaging/README.md).
"""

import multiprocessing
import sys
import time

_T0 = time.perf_counter()


def _prepare_window(argv: list[str]) -> None:
    """Create the QApplication before run_app does (it reuses it): the icon, and the paint probe."""
    import os

    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QMainWindow

    from director.resources import app_icon_files
    from director.ui.app import create_app

    app = create_app()
    icon = QIcon()
    for path in app_icon_files():
        icon.addFile(str(path))
    if not icon.isNull():
        app.setWindowIcon(icon)
    app.setDesktopFileName("director")  # matches resources/director.desktop (Wayland app id)

    if os.environ.get("DIRECTOR_QUIT_AFTER_FIRST_PAINT"):

        class FirstPaint(QObject):
            done = False

            def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
                if (not self.done and event.type() == QEvent.Type.Paint
                        and hasattr(obj, "window") and isinstance(obj.window(), QMainWindow)):
                    self.done = True
                    print(f"first paint after {time.perf_counter() - _T0:.2f} s", file=sys.stderr, flush=True)
                    QTimer.singleShot(0, lambda: [w.close() for w in app.topLevelWidgets() if w.isVisible()])
                    QTimer.singleShot(0, app.quit)
                return False

        probe = FirstPaint(app)
        app.installEventFilter(probe)
        app._director_first_paint_probe = probe  # keep it alive as long as the app


def main() -> int:
    from director.cli import _wants_window, main as cli_main

    argv = sys.argv[1:]
    if _wants_window(argv):
        _prepare_window(argv)
    return cli_main(argv)


if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
