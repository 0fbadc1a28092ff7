"""Thumbnails decoded off the UI thread, cached as QPixmaps in a bounded LRU.

A view asks `get(key)` while painting; a miss returns None, the caller shows `placeholder()` and
calls `request(...)`, and `loaded(key)` fires when the pixmap is ready. Decoding (PyAV for video,
QImageReader for stills) happens in a QThreadPool; only the QImage → QPixmap step runs on the UI
thread, because QPixmap is a GUI-thread object. The newest request runs first, so the rows a user
has just scrolled to appear before the ones scrolled past.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, QRunnable, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QColor, QImage, QImageReader, QPainter, QPixmap

from director.core.enums import MediaKind
from director.core.errors import DirectorError
from director.core.model import Take

THUMB_SIZE = QSize(192, 108)


def thumbnail_source(take: Take) -> tuple[str, str]:
    """(cache key, store-relative path): the engine's small JPEG where there is one, else the media."""
    path = take.thumb_path or take.media_path
    return path, path


def fit(size: QSize, box: QSize) -> QSize:
    """`size` scaled to fit inside `box`, keeping its aspect, at least 1×1."""
    scaled = QSize(max(1, size.width()), max(1, size.height())).scaled(box, Qt.AspectRatioMode.KeepAspectRatio)
    return QSize(max(1, scaled.width()), max(1, scaled.height()))


def decode_thumbnail(path: Path, kind: MediaKind | None, box: QSize) -> QImage:
    """First frame of a video or the still itself, scaled to fit `box`. Safe off the UI thread."""
    if kind is MediaKind.VIDEO or (kind is None and path.suffix.lower() in (".mp4", ".mov", ".mkv", ".webm")):
        return _video_first_frame(path, box)
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    if reader.size().isValid():
        reader.setScaledSize(fit(reader.size(), box))
    image = reader.read()
    if image.isNull():
        raise OSError(f"cannot read {path.name}: {reader.errorString()}")
    return image.convertToFormat(QImage.Format.Format_RGB32)


def _video_first_frame(path: Path, box: QSize) -> QImage:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            size = fit(QSize(frame.width, frame.height), box)
            # swscale does the scaling in C; only the small result crosses into Python.
            small = frame.reformat(width=size.width(), height=size.height(), format="rgb24")
            array = small.to_ndarray()
            h, w, _ = array.shape
            return QImage(array.data, w, h, array.strides[0], QImage.Format.Format_RGB888).copy()
    raise OSError(f"{path.name} has no video frames")


class _Relay(QObject):
    """Lives on the UI thread; a worker's emit is queued to it (QRunnable has no signals)."""

    done = Signal(str, object, str)  # key, QImage | None, error


class _ThumbJob(QRunnable):
    def __init__(self, relay: _Relay, key: str, path: Path, kind: MediaKind | None, box: QSize):
        super().__init__()
        self.relay, self.key, self.path, self.kind, self.box = relay, key, path, kind, box

    def run(self) -> None:
        try:
            image, error = decode_thumbnail(self.path, self.kind, self.box), ""
        except Exception as exc:  # a broken file must cost one grey tile, not the loader
            image = None
            if not self.path.is_file():
                error = f"missing: {self.path}"
            else:
                said = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
                error = f"damaged: decoder said {said}"
        try:
            self.relay.done.emit(self.key, image, error)
        except RuntimeError:
            pass  # the loader was destroyed while this job ran


class ThumbnailLoader(QObject):
    """Off-thread thumbnail decoding with an LRU cache of pixmaps and one request per key in flight."""

    loaded = Signal(str)  # key
    failed = Signal(str, str)  # key, reason: 'missing: PATH' or 'damaged: decoder said …'

    idle = Signal()  # nothing pending any more

    def __init__(self, box: QSize = THUMB_SIZE, capacity: int = 800, threads: int = 2, parent: QObject | None = None):
        super().__init__(parent)
        self.box = QSize(box)
        self.capacity = capacity
        self._cache: OrderedDict[str, QPixmap] = OrderedDict()
        self._pending: set[str] = set()
        self._failed: dict[str, str] = {}
        self._priority = itertools.count()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max(1, threads))
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_done)
        self._placeholder = _tile(self.box, QColor(48, 48, 52))
        self._broken = _tile(self.box, QColor(90, 40, 40))

    def placeholder(self) -> QPixmap:
        return self._placeholder

    def broken(self) -> QPixmap:
        """The tile of a file that could not be read."""
        return self._broken

    def get(self, key: str) -> QPixmap | None:
        pixmap = self._cache.get(key)
        if pixmap is not None:
            self._cache.move_to_end(key)
            return pixmap
        if key in self._failed:
            return self._broken
        return None

    def request(self, key: str, path: Path, kind: MediaKind | None = None) -> None:
        if key in self._pending or key in self._cache or key in self._failed:
            return
        self._pending.add(key)
        # Rising priority: the newest request (what the user scrolled to) is decoded first.
        self._pool.start(_ThumbJob(self._relay, key, Path(path), kind, self.box), next(self._priority) % 1_000_000_000)

    def ask(self, key: str, resolve: Callable[[], Path], kind: MediaKind | None = None) -> QPixmap | None:
        """For a paint: the pixmap if decoded (the broken tile if it failed), else None after asking
        for it once. `resolve()` names the file and runs only on a miss, never twice for one key; a
        row naming a file outside the media folder (TamperedMedia) costs that tile only.

        Never decodes: decoding is the pool's, so a paint never waits on a file."""
        pixmap = self.get(key)
        if pixmap is not None or key in self._pending:
            return pixmap
        try:
            path = resolve()
        except DirectorError as exc:
            self._failed[key] = f"tampered: {exc}"
            self.failed.emit(key, self._failed[key])
            return self._broken
        self.request(key, path, kind)
        return None

    def pending(self) -> int:
        return len(self._pending)

    def error(self, key: str) -> str | None:
        return self._failed.get(key)

    def clear(self) -> None:
        self._pool.clear()
        self._pending.clear()
        self._cache.clear()
        self._failed.clear()

    def wait_for_done(self, msecs: int = -1) -> bool:
        """Block until decoding threads finish (shutdown and benchmarks only)."""
        return self._pool.waitForDone(msecs)

    def _on_done(self, key: str, image: QImage | None, error: str) -> None:
        if key not in self._pending:
            return  # cleared meanwhile
        self._pending.discard(key)
        if image is None:
            self._failed[key] = error
            self.failed.emit(key, error)
        else:
            self._cache[key] = QPixmap.fromImage(image)
            while len(self._cache) > self.capacity:
                self._cache.popitem(last=False)
            self.loaded.emit(key)
        if not self._pending:
            self.idle.emit()


def _tile(box: QSize, colour: QColor) -> QPixmap:
    pixmap = QPixmap(box)
    pixmap.fill(colour)
    painter = QPainter(pixmap)
    painter.setPen(colour.lighter(160))
    painter.drawRect(0, 0, box.width() - 1, box.height() - 1)
    painter.end()
    return pixmap
