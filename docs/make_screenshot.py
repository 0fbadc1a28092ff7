"""Take the README's screenshot: the real window on a real display (Xvfb) with tiny-generated takes.

Run:  xvfb-run -s "-screen 0 1600x1000x24" .venv/bin/python docs/make_screenshot.py [--project P] [-o docs/screenshot.png]
It builds the demo project first when none is given (tiny presets, a few minutes on a CPU).
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
    window = MainWindow()
    window.resize(1800, 1000)
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
    for name, dock in window.docks.items():
        if dock.isVisible() and dock.widget() is not None:
            hint = dock.widget().minimumSizeHint()
            if hint.width() > 420:
                print(f"  wide panel: {name} needs {hint.width()} px")
    window.grab().save(args.out)
    print(f"saved {args.out} ({window.width()}x{window.height()})")
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
