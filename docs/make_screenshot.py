"""Take the README's screenshot: the real window on a real display (Xvfb) with tiny-generated takes.

Run:  xvfb-run -s "-screen 0 1920x1080x24" .venv/bin/python docs/make_screenshot.py [--project P] [-o docs/screenshot.png]
      (or 1366x768x24: the window takes the screen's size, as on a first start; nothing is forced)
It builds the demo project first when none is given (tiny presets, a few minutes on a CPU). It
fails when the window does not fit the screen, a panel is under its usable size or scrolls sideways
in its dock, or the window cannot be made 1024 px narrow (issue #21).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

# A fresh settings folder: the screenshot shows the default layout, not the last one used here.
os.environ.setdefault("DIRECTOR_CONFIG_DIR", tempfile.mkdtemp(prefix="director-shot-"))

from PySide6.QtCore import QEventLoop, QTimer

from director.ui.app import create_app
from director.ui.dock_fit import sideways_scrollers
from director.ui.main_window import MainWindow


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--project", help="an existing project (default: build the demo in demo-out/)")
    parser.add_argument("-o", "--out", default="docs/screenshot.png")
    parser.add_argument("--shot", default="1A")
    args = parser.parse_args()
    project = args.project
    if project is None:
        subprocess.run([sys.executable, "-m", "director", "demo", "--out", "demo-out"], check=True)
        project = "demo-out/demo.director"
    app = create_app()
    window = MainWindow()  # sized to the screen as on a first start
    window.show()
    if not window.open_project(project):
        return 1
    shots = window.panel("shots")
    target = next(s for s in shots.model.shot_ids() if window.session.project.db["shots"].get(s)["code"] == args.shot)
    shots.select_shot(target)
    wait(1500)  # thumbnails decode off the UI thread
    gallery = window.panel("gallery")
    ids = gallery.model.take_ids()
    if ids:
        gallery.select_takes(ids[:1])
        gallery.take_activated.emit(ids[0])
    window.panel("timeline").set_playhead(24)
    window.panel("program").seek(24)
    wait(2500)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    screen = window.screen()
    frame, area = window.frameGeometry(), screen.availableGeometry()
    problems = [] if area.contains(frame) else [f"the window {frame.getRect()} leaves the screen {area.getRect()}"]
    for name, dock in window.docks.items():
        usable = window.usable_sizes()[name]
        if dock.isVisible() and (dock.width() < usable[0] or dock.height() < usable[1]):
            problems.append(f"{name} is {dock.width()}x{dock.height()}, needs {usable[0]}x{usable[1]}")
    for area in sideways_scrollers(window.docks):
        problems.append(f"{area['area']} in the {area['dock']} dock scrolls sideways ({area['range']} more than its {area['viewport']} px)")
    if window.minimumSizeHint().width() > 1024:
        problems.append(f"the window cannot be narrower than {window.minimumSizeHint().width()} px (a 1024 px screen)")
    screen.grabWindow(0).copy(frame).save(args.out)
    print(f"saved {args.out} ({frame.width()}x{frame.height()} on a {screen.size().width()}x{screen.size().height()} screen)")
    for problem in problems:
        print(f"  does not fit: {problem}")
    window.close()
    app.processEvents()
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
