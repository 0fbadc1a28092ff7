"""Waveforms: peaks of each stored sound computed once, off the UI thread, and drawn as paths.

`WaveformCache` (one per session, `waveforms(session)`) reads a stored WAV on its own thread and
keeps its peaks: the lowest and highest sample of every PEAK_STEP samples, both channels together.
`ask(relative)` returns them, or None and starts the read (once); `loaded(relative)` says when they
arrive, so a view repaints then. Drawing never touches a file: `waveform_path` turns the peaks over
a stretch of samples into one filled QPainterPath a pixel column at a time.
"""

from __future__ import annotations

import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QPointF, QRectF, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath
from PySide6.QtWidgets import QSizePolicy, QWidget

from director.store.audio_media import read_wav

PEAK_STEP = 256  # samples per peak: 187.5 peaks a second, finer than any timeline zoom shows


def peaks_of(samples: np.ndarray) -> np.ndarray:
    """(m, 2) float32: the min and max of each PEAK_STEP samples over both channels."""
    samples = np.asarray(samples, np.float32)
    if samples.ndim == 1:
        samples = samples[:, None]
    n = len(samples)
    if n == 0:
        return np.zeros((0, 2), np.float32)
    m = -(-n // PEAK_STEP)
    padded = np.zeros((m * PEAK_STEP, samples.shape[1]), np.float32)
    padded[:n] = samples
    blocks = padded.reshape(m, -1)
    return np.stack([blocks.min(axis=1), blocks.max(axis=1)], axis=1)


def envelope(peaks: np.ndarray, start: int, count: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Per pixel column of `width`, the lowest and highest value of samples [start, start+count)."""
    width = max(1, int(width))
    edges = np.linspace(start, start + count, width + 1) / PEAK_STEP
    first = np.clip(np.floor(edges[:-1]).astype(np.int64), 0, len(peaks))
    last = np.clip(np.maximum(np.ceil(edges[1:]).astype(np.int64), first + 1), 0, len(peaks))
    lo = np.zeros(width, np.float32)
    hi = np.zeros(width, np.float32)
    for k in range(width):
        if last[k] > first[k]:
            lo[k] = peaks[first[k] : last[k], 0].min()
            hi[k] = peaks[first[k] : last[k], 1].max()
    return lo, hi


def waveform_path(peaks: np.ndarray, rect: QRectF, start: int, count: int) -> QPainterPath:
    """The waveform of samples [start, start+count) filling `rect` (0 dB at its edges), as one path:
    the highs left to right, then the lows back."""
    path = QPainterPath()
    width = int(rect.width())
    if width < 1 or count <= 0 or len(peaks) == 0:
        return path
    lo, hi = envelope(peaks, start, count, width)
    mid, half = rect.center().y(), rect.height() / 2
    xs = rect.left() + np.arange(width) + 0.5
    path.moveTo(QPointF(xs[0], mid - float(hi[0]) * half))
    for x, v in zip(xs[1:], hi[1:]):
        path.lineTo(QPointF(x, mid - float(v) * half))
    for x, v in zip(xs[::-1], lo[::-1]):
        path.lineTo(QPointF(x, mid - float(v) * half))
    path.closeSubpath()
    return path


class _Relay(QObject):
    done = Signal(str, object)  # relative path, peaks (or None when the file could not be read)


class WaveformCache(QObject):
    """Peaks per stored sound (by its media-relative path), computed on one worker thread."""

    loaded = Signal(str)

    def __init__(self, media, parent: QObject | None = None):
        super().__init__(parent)
        self.media = media
        self._peaks: dict[str, np.ndarray | None] = {}
        self._asked: set[str] = set()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="director-waveforms")
        self._relay = _Relay(self)
        self._relay.done.connect(self._deliver)
        self.threads: set[str] = set()  # where peaks were computed (tests: never the UI thread)
        self.pending = 0

    def ask(self, relative: str) -> np.ndarray | None:
        if relative in self._peaks:
            return self._peaks[relative]
        if relative not in self._asked:
            self._asked.add(relative)
            self.pending += 1
            self._pool.submit(self._compute, relative, self._relay)
        return None

    def _compute(self, relative: str, relay: _Relay) -> None:
        self.threads.add(threading.current_thread().name)
        try:
            peaks = peaks_of(read_wav(Path(self.media.path(relative))))
        except Exception:  # a missing or altered file: no waveform, the clip still plays its picture
            peaks = None
        try:
            relay.done.emit(relative, peaks)
        except RuntimeError:
            pass  # the cache is gone

    def _deliver(self, relative: str, peaks) -> None:
        self.pending -= 1
        self._peaks[relative] = peaks if peaks is not None else np.zeros((0, 2), np.float32)
        self.loaded.emit(relative)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


_caches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def waveforms(session) -> WaveformCache:
    """The session's waveform cache (made on first use; it goes with the session)."""
    cache = _caches.get(session)
    if cache is None:
        cache = WaveformCache(session.project.media, session)
        session.destroyed.connect(cache.shutdown)
        _caches[session] = cache
    return cache


WAVE_COLOUR = QColor(110, 200, 140)


class WaveformStrip(QWidget):
    """The waveform of one sound under the take viewer, with the playhead at the sample heard."""

    def __init__(self, cache: WaveformCache, parent: QWidget | None = None):
        super().__init__(parent)
        self.cache = cache
        self.relative: str | None = None
        self.length = 0
        self.position = 0
        self.last_path: QPainterPath | None = None  # what the last paint drew (tests)
        self.setMinimumHeight(28)
        self.setMaximumHeight(40)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("The take's own sound")
        cache.loaded.connect(self._on_loaded)

    def set_sound(self, relative: str | None, length: int) -> None:
        self.relative, self.length, self.position = relative, int(length), 0
        self.last_path = None
        self.setVisible(relative is not None)
        if relative is not None:
            self.cache.ask(relative)
        self.update()

    def set_position(self, sample: int) -> None:
        self.position = int(sample)
        self.update()

    def _on_loaded(self, relative: str) -> None:
        if relative == self.relative:
            self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(24, 28, 26))
        peaks = self.cache.ask(self.relative) if self.relative else None
        if peaks is not None and self.length > 0:
            self.last_path = waveform_path(peaks, QRectF(self.rect()).adjusted(0, 2, 0, -2), 0, self.length)
            p.fillPath(self.last_path, WAVE_COLOUR)
            x = self.width() * self.position / self.length
            p.setPen(QColor(255, 70, 60))
            p.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        p.end()
