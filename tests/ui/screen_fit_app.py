"""Drive the real window on a real X display (Xvfb) the way issue #21 found it growing off-screen.

Run by tests/ui/test_screen_fit.py in a subprocess:  DISPLAY=:N QT_QPA_PLATFORM=xcb python screen_fit_app.py OUT
It builds a small project (two shots, takes on two cameras, a cut), starts the window as `director
PATH` does, then: shows the Program viewer, types 300 characters into every prompt field, opens
Compare, shows Costs. After each step it writes the screen (QScreen.grabWindow) to OUT/STEP.png and
what it measured (the window's frame and minimum width, the screen's available area, each visible
dock's size and minimum, the scroll areas in docks that show a horizontal scroll bar) to
OUT/report.json.
It holds no tests itself: the test judges the report.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

TYPED = ("wide angle dolly shot " * 14)[:300]  # 300 characters, words as a director types them
LONG_WORD = "x" * 300  # and one unbreakable run, as a pasted URL or a held key makes


def build_project(folder: Path) -> Path:
    from test_timeline_fixtures import BLUE, GREEN, RED, make_take

    from director.store import shots, timeline
    from director.store.cameras import add_camera, list_cameras
    from director.store.project import Project

    project = Project.create(folder / "fit.director")
    try:
        first, _ = shots.add_shot(project, "1A")
        second, _ = shots.add_shot(project, "2")
        cam_a = list_cameras(project, first.id)[0]
        cam_b, _ = add_camera(project, first.id, "B")
        make_take(project, first.id, cam_a.id, RED, frames=24)
        make_take(project, first.id, cam_a.id, GREEN, frames=24, flag=None)
        make_take(project, first.id, cam_b.id, BLUE, frames=24)
        make_take(project, second.id, list_cameras(project, second.id)[0].id, GREEN, frames=24)
        timeline.insert_shot(project, first.id).apply(project)
        timeline.insert_shot(project, second.id).apply(project)
        return project.path
    finally:
        project.close()


def main(out: Path) -> int:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QTabBar

    from director.ui.app import start_window
    from director.ui.dock_fit import sideways_scrollers

    path = build_project(out)
    window = start_window(str(path))
    app = QApplication.instance()
    report: dict = {"steps": []}

    def settle(seconds: float = 0.6) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end or (window.session is not None and window.busy()):
            app.processEvents()
            time.sleep(0.01)
            if time.monotonic() > end + 20:
                break

    def measure(step: str) -> None:
        settle()
        screen = window.screen()
        frame, avail = window.frameGeometry(), screen.availableGeometry()
        docks = {}
        for name, dock in window.docks.items():
            if dock.isVisible() and not dock.visibleRegion().isEmpty():
                hint = dock.minimumSizeHint()
                docks[name] = {"size": [dock.width(), dock.height()], "minimum": [max(dock.minimumWidth(), hint.width()), max(dock.minimumHeight(), hint.height())]}
        report["steps"].append({
            "step": step,
            "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
            "available": [avail.x(), avail.y(), avail.width(), avail.height()],
            "docks": docks,
            "window_minimum": [window.minimumSizeHint().width(), window.minimumSizeHint().height()],
            "horizontal_scrollbars": sideways_scrollers(window.docks),
            # Each visible dock tab bar's titles: a dock in two bars is a stale bar left on screen.
            "tab_bars": [[bar.tabText(i).replace("&", "") for i in range(bar.count())]
                         for bar in window.findChildren(QTabBar) if bar.parent() is window and bar.isVisible() and bar.count() > 1],
        })
        screen.grabWindow(0).save(str(out / f"{step}.png"))

    while window.session is None or window.busy():
        app.processEvents()
        time.sleep(0.01)
    measure("opened")

    window.show_panel("program")  # the Viewer's tab neighbour: transport, scrubber, timecode
    measure("program")
    window.show_panel("viewer")

    for name in ("prompt", "inspector", "cameras"):
        window.show_panel(name)
        panel = window.panel(name)
        for edit in panel.findChildren(QLineEdit) + panel.findChildren(QPlainTextEdit):
            if not edit.isVisible() or not edit.isEnabled() or edit.isReadOnly():
                continue
            edit.setFocus()
            QTest.keyClicks(edit, TYPED)
            QTest.keyClicks(edit, " " + LONG_WORD)
        settle(0.2)
    window.show_panel("prompt")
    measure("typed")

    gallery = window.panel("gallery")
    window._on_compare_requested(gallery.model.take_ids()[:3])
    measure("compare")

    window.show_panel("costs")
    measure("costs")

    report["usable"] = {name: list(size) for name, size in getattr(window, "usable_sizes", dict)().items()}
    (out / "report.json").write_text(json.dumps(report, indent=1))
    window.close()
    QCoreApplication.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
