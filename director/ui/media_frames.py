"""Decoded picture for the program viewer: take frames read with PyAV/OpenCV, letterboxed into the
cut's frame size, cached, and rendered ahead of the playhead on a worker thread.

No Qt here on purpose: the worker thread touches only numpy arrays, and the viewer turns a finished
array into a QImage on the UI thread. PyAV and cv2 release the GIL while they decode and resize, so
the read-ahead runs beside the event loop instead of stalling it.

A take whose file is missing, damaged or names a place outside the media folder costs that take
only: TakeFrames raises for it (the caller decides), ProgramFrames shows black there and remembers
the problem (`problem(take_id)`) so the viewer can say which take and which file.
"""

from __future__ import annotations

import errno
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from director.core.cut import Cut, CutSegment
from director.store.media import MediaStore

if TYPE_CHECKING:
    from director.export.frames import MediaIssue

BLACK_KEY = ("black",)


def letterbox(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """Fit a picture inside width×height keeping its aspect; the bars are black."""
    canvas = np.zeros((height, width, 3), np.uint8)
    h, w = rgb.shape[:2]
    scale = min(width / w, height / h)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    if (nw, nh) != (w, h):
        rgb = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    x, y = (width - nw) // 2, (height - nh) // 2
    canvas[y : y + nh, x : x + nw] = rgb
    return canvas


class _VideoReader:
    """Sequential decoding with seeks only when a read jumps backwards or far ahead."""

    AHEAD = 48  # decoding forward this far is cheaper than a seek to a keyframe

    def __init__(self, path: Path):
        import av  # heavy; only when a video is first shown

        self.container = av.open(str(path))
        if not self.container.streams.video:
            self.container.close()
            raise OSError(errno.EINVAL, "no video stream", str(path))
        self.stream = self.container.streams.video[0]
        self.stream.thread_type = "AUTO"
        self.rate = Fraction(self.stream.average_rate or 24)
        self.base = self.stream.time_base
        self._frames = None
        self._next = 0
        self._last: np.ndarray | None = None
        self.lock = threading.Lock()

    def _index(self, frame) -> int:
        if frame.pts is None:
            return self._next
        return round(frame.pts * self.base * self.rate)

    def _restart(self, index: int) -> None:
        if index > 0:
            pts = int(index / self.rate / self.base)
            self.container.seek(pts, stream=self.stream, backward=True, any_frame=False)
        else:
            self.container.seek(0, stream=self.stream)
        self._frames = self.container.decode(self.stream)
        self._next = -1

    def read(self, index: int) -> np.ndarray | None:
        with self.lock:
            if self._frames is None or index < self._next or index > self._next + self.AHEAD:
                self._restart(index)
            for frame in self._frames:
                at = self._index(frame)
                self._next = at + 1
                if at >= index:
                    self._last = frame.to_ndarray(format="rgb24")
                    return self._last
            self._frames = None  # past the end: hold the last picture
            return self._last

    def close(self) -> None:
        self.container.close()


class TakeFrames:
    """RGB frames of takes by (media path, frame index); one open reader per video, LRU-bounded."""

    def __init__(self, root: Path, readers: int = 8):
        self.root = Path(root)
        self.media = MediaStore(self.root)  # resolves rows inside the media folder, never outside it
        self._readers: OrderedDict[str, _VideoReader] = OrderedDict()
        self._stills: dict[str, np.ndarray] = {}
        self._max = readers
        self._lock = threading.Lock()

    def read(self, segment: CutSegment, index: int) -> np.ndarray | None:
        """The take's frame `index` as RGB (None for a segment without media). A row naming a file
        outside the media folder raises TamperedMedia, a missing file FileNotFoundError, an
        unreadable one the decoder's error."""
        path = segment.media_path
        if path is None:
            return None
        if segment.kind == "image" or path.lower().endswith((".png", ".jpg", ".jpeg", ".webp")):
            with self._lock:
                still = self._stills.get(path)
            if still is None:
                file = self._file(path)
                bgr = cv2.imread(str(file), cv2.IMREAD_COLOR)
                if bgr is None:
                    raise OSError(errno.EINVAL, "not a readable image", str(file))
                still = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
                with self._lock:
                    self._stills[path] = still
            return still
        with self._lock:
            reader = self._readers.pop(path, None)
            if reader is None:
                reader = _VideoReader(self._file(path))
            self._readers[path] = reader
            while len(self._readers) > self._max:
                self._readers.popitem(last=False)[1].close()
        return reader.read(index)

    def forget(self, relative: str) -> None:
        """Drop the reader of a file that failed, so a later read opens it afresh."""
        with self._lock:
            reader = self._readers.pop(relative, None)
            self._stills.pop(relative, None)
        if reader is not None:
            try:
                reader.close()
            except Exception:  # a broken container may fail to close too; it is gone either way
                pass

    def _file(self, relative: str) -> Path:
        file = self.media.path(relative)
        if not file.is_file():
            raise FileNotFoundError(errno.ENOENT, "no such file", str(file))
        return file

    def close(self) -> None:
        with self._lock:
            for r in self._readers.values():
                r.close()
            self._readers.clear()


class ProgramFrames:
    """The cut's output frames as letterboxed RGB arrays, with an LRU cache and read-ahead.

    Frames are cached by what they show (take and source frame), so a still held for 100 frames
    is decoded and scaled once."""

    def __init__(self, root: Path, cut: Cut, width: int, height: int, cache_frames: int = 96):
        self.takes = TakeFrames(root)
        self.width, self.height = width, height
        self._cut = cut
        self._starts = [s.record_start for s in cut.segments]
        self._cache: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._max = cache_frames
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="program-frames")
        self._ahead: Future | None = None
        self._generation = 0
        self._problems: dict[int, MediaIssue] = {}  # take id -> why it shows black

    @property
    def cut(self) -> Cut:
        return self._cut

    def set_cut(self, cut: Cut) -> None:
        with self._lock:
            self._generation += 1  # a read-ahead for the old cut stops at its next frame
            self._cut = cut
            self._starts = [s.record_start for s in cut.segments]
            self._cache.clear()
            self._problems.clear()  # an edit is a fresh look: a file put back plays again

    def key(self, frame: int) -> tuple:
        seg = self.segment_at(frame)
        if seg is None or seg.take_id is None:
            return BLACK_KEY
        return (seg.take_id, seg.source_frame_at(frame, self._cut.rate))

    def segment_at(self, frame: int) -> CutSegment | None:
        import bisect

        i = bisect.bisect_right(self._starts, frame) - 1
        if i < 0:
            return None
        seg = self._cut.segments[i]
        return seg if seg.record_start <= frame < seg.record_end else None

    def cached(self, frame: int) -> np.ndarray | None:
        key = self.key(frame)
        with self._lock:
            img = self._cache.get(key)
            if img is not None:
                self._cache.move_to_end(key)
            return img

    def problem(self, take_id: int | None) -> MediaIssue | None:
        """Why a take shows black (its file missing, damaged or tampered), once a frame of it was asked for."""
        return self._problems.get(take_id) if take_id is not None else None

    def render(self, frame: int) -> np.ndarray:
        """The output picture at a record frame (black outside the cut or where a take's media
        cannot be read: that costs the one take, never the viewer)."""
        img = self.cached(frame)
        if img is not None:
            return img
        seg = self.segment_at(frame)
        key = self.key(frame)
        rgb = None
        if key != BLACK_KEY and seg.take_id not in self._problems:
            try:
                rgb = self.takes.read(seg, key[1])
            except Exception as exc:  # the per-take boundary: any reader failure is this take's problem
                from director.export.frames import classify_failure  # PyAV: loaded when first needed

                self._problems[seg.take_id] = classify_failure(self.takes.media, seg.media_path, exc, take_id=seg.take_id, shot_code=seg.shot_code)
                self.takes.forget(seg.media_path)
        img = letterbox(rgb, self.width, self.height) if rgb is not None else np.zeros((self.height, self.width, 3), np.uint8)
        with self._lock:
            self._cache[key] = img
            while len(self._cache) > self._max:
                self._cache.popitem(last=False)
        return img

    def read_ahead(self, start: int, count: int, step: int = 1) -> None:
        """Render frames start, start+step, … on the worker thread (replacing any earlier request)."""
        generation = self._generation
        end = self._cut.duration

        def work() -> None:
            f = start
            for _ in range(count):
                if self._generation != generation or not 0 <= f < end:
                    return
                self.render(f)
                f += step

        if self._ahead is not None and not self._ahead.done():
            self._generation += 1
            generation = self._generation
        self._ahead = self._pool.submit(work)

    def close(self) -> None:
        self._generation += 1
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.takes.close()
