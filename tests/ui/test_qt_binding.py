"""The Qt binding must survive a day of calls: guards against a PySide6 refcount bug.

PySide6 6.12.0 on CPython 3.11 released a reference to None (and True/False) on each call of a
method returning one, so after a few thousand repaints the process aborted with
'Fatal Python error: none_dealloc'. Run in a child process: the failure is an abort.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

CALLS = textwrap.dedent(
    """
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtWidgets import QApplication, QWidget
    app = QApplication([])
    w = QWidget()
    img = QImage(64, 64, QImage.Format.Format_RGB32)
    p = QPainter(img)
    before = sys.getrefcount(None)
    for _ in range(60_000):
        w.setWindowTitle("x")          # returns None
        w.isVisible()                  # returns False
        p.fillRect(QRect(0, 0, 4, 4), QColor(9, 9, 9))
    p.end()
    print(sys.getrefcount(None) - before)
    """
)


def test_sixty_thousand_calls_do_not_exhaust_none_true_or_false():
    result = subprocess.run([sys.executable, "-c", CALLS], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"the Qt binding corrupted reference counts:\n{result.stderr[-800:]}"
    assert int(result.stdout.strip()) > -1000
