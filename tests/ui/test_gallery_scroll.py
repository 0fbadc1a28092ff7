"""A 200-take gallery scrolls end to end while thumbnails decode, and the event loop never stalls."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

from director.ui.gallery.take_gallery import TakeGallery
from director.ui.undo import ProjectSession

try:
    from .test_gallery_media import add_take, make_shot
except ImportError:
    from test_gallery_media import add_take, make_shot

STALL_LIMIT_S = 0.250


class StallMeter(QObject):
    """A 10 ms timer; the longest gap between its ticks is the longest the loop was blocked."""

    def __init__(self):
        super().__init__()
        self.gaps: list[float] = []
        self._last = time.perf_counter()
        self._timer = QTimer(self)
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._tick)

    def start(self):
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self):
        self._timer.stop()

    def _tick(self):
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self._last = now


class Scroller(QObject):
    finished = Signal()

    def __init__(self, view, step: int):
        super().__init__()
        self.bar = view.verticalScrollBar()
        self.step = step
        self.timer = QTimer(self)
        self.timer.setInterval(16)
        self.timer.timeout.connect(self._advance)

    def _advance(self):
        if self.bar.value() >= self.bar.maximum():
            self.timer.stop()
            self.finished.emit()
            return
        self.bar.setValue(self.bar.value() + self.step)


def test_scrolling_200_takes_never_stalls_the_event_loop(project, qtbot):
    session = ProjectSession(project)
    shot_id, cams = make_shot(project)
    for i in range(200):
        camera = cams["A"] if i % 2 else cams["B"]
        if i % 8 == 0:
            add_take(project, shot_id, camera, seed=i, video=True, frames=4, offset=i % 20)
        else:
            add_take(project, shot_id, camera, seed=i, video=False, colour=(i, 255 - i, (7 * i) % 256))
    gallery = TakeGallery(session)
    qtbot.addWidget(gallery)
    gallery.resize(1000, 700)
    gallery.show()
    qtbot.waitExposed(gallery)

    t0 = time.perf_counter()
    meter = StallMeter()
    meter.start()
    gallery.set_shot(shot_id)
    scroller = Scroller(gallery.view, step=40)
    with qtbot.waitSignal(scroller.finished, timeout=60_000):
        scroller.timer.start()
    if gallery.thumbnails.pending():
        with qtbot.waitSignal(gallery.thumbnails.idle, timeout=30_000):
            pass
    meter.stop()
    print(f"scrolled in {time.perf_counter() - t0:.2f}s, max gap {max(meter.gaps) * 1000:.0f} ms")

    assert gallery.model.rowCount() == 200
    bar = gallery.view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == bar.maximum()
    assert len(meter.gaps) > 20
    assert max(meter.gaps) < STALL_LIMIT_S, f"event loop stalled {max(meter.gaps) * 1000:.0f} ms"
    # the tiles scrolled past were decoded, so the loader really worked during the scroll
    assert len(gallery.thumbnails._cache) >= 40
