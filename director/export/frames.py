"""The cut's output frames, one at a time: the streaming reader behind the MP4 writer.

Each segment opens its take once and decodes forward (takes are seconds long, and decoding from
the first frame is frame-exact whatever the file's timestamps say). Only the current source frame
is held, so memory stays flat however long the cut is.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Iterator, Protocol, Union

import av
import cv2
import numpy as np

from director.core.cut import Cut, CutSegment
from director.core.errors import DirectorError, NotFound
from director.export.conform import black, conform, conform_yuv420

Frame = Union[np.ndarray, av.VideoFrame]


class MediaPaths(Protocol):
    """Anything that turns a store-relative media path into a file: a MediaStore does."""

    def path(self, relative: str) -> Path: ...


def check_media(cut: Cut, media: MediaPaths) -> None:
    """Refuse before encoding starts if any take's file is missing or names a file outside the store.

    Better than failing at minute five; the message names each take, its shot and its file.
    """
    problems: list[str] = []
    seen: set[int] = set()
    for s in cut.segments:
        if s.kind == "gap" or not s.media_path or s.take_id in seen:
            continue
        seen.add(s.take_id)
        try:
            path = media.path(s.media_path)
        except DirectorError as exc:  # store.media.TamperedMedia
            problems.append(f"take {s.take_id} (shot {s.shot_code}): {exc}")
            continue
        if not path.is_file():
            problems.append(f"take {s.take_id} (shot {s.shot_code}): media missing: {path}")
    if problems:
        listed = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise NotFound(f"{len(problems)} take(s) of the cut cannot be exported: {listed}. Run 'director check'.")


class VideoSource:
    """One take's video, decoded forward on demand."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self._container = av.open(str(path))
        except av.FFmpegError as exc:
            raise DirectorError(f"cannot read {path.name}: {exc}") from exc
        stream = self._container.streams.video[0]
        stream.thread_type = "AUTO"
        self._stream = stream
        self._frames = self._container.decode(stream)
        self._index = -1
        self._current: av.VideoFrame | None = None

    @property
    def size(self) -> tuple[int, int]:
        return self._stream.codec_context.width, self._stream.codec_context.height

    def frame(self, index: int) -> tuple[int, av.VideoFrame]:
        """(index actually shown, frame): past the file's end the last frame holds."""
        if index < self._index:  # a backwards request cannot happen within a segment; reopen to be safe
            self.close()
            self.__init__(self.path)
        while self._index < index:
            try:
                self._current = next(self._frames)
            except StopIteration:
                break
            self._index += 1
        if self._current is None:
            raise DirectorError(f"{self.path.name} has no video frames")
        return self._index, self._current

    def close(self) -> None:
        self._container.close()


def read_image(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise DirectorError(f"cannot read image {path.name}")
    return image


def cut_frames(cut: Cut, media: MediaPaths, width: int, height: int, *, native: bool = False) -> Iterator[tuple[int, CutSegment | None, Frame]]:
    """Yield (record frame, segment, picture) for every frame of the cut, in order.

    The picture is a BGR ndarray of width×height. With native=True a decoded yuv420p frame comes as
    an av.VideoFrame instead, passed through or conformed in YUV, skipping two colour conversions
    (the MP4 writer's fast path). A repeated source frame (a still, or a take slower than the cut) is
    the same object again, conformed once.
    """
    check_media(cut, media)
    gap = black(width, height)
    frame = 0
    for seg in sorted(cut.segments, key=lambda s: s.record_start):
        if seg.record_end <= frame:  # overlaps are not in the contract; the earlier segment wins
            continue
        while frame < seg.record_start:  # a hole between segments plays black
            yield frame, None, gap
            frame += 1
        if seg.kind == "gap" or not seg.media_path:
            for frame in range(frame, seg.record_end):
                yield frame, seg, gap
            frame = seg.record_end
            continue
        path = media.path(seg.media_path)
        if seg.kind == "image":
            picture = conform(read_image(path), width, height)
            for frame in range(frame, seg.record_end):
                yield frame, seg, picture
            frame = seg.record_end
            continue
        source = VideoSource(path)
        try:
            last_index, last_picture = None, None
            for frame in range(frame, seg.record_end):
                index, decoded = source.frame(seg.source_frame_at(frame, cut.rate))
                if index != last_index:
                    if native and (decoded.width, decoded.height) == (width, height):
                        last_picture = decoded
                    elif native and decoded.format.name == "yuv420p":
                        last_picture = conform_yuv420(decoded, width, height)
                    else:
                        last_picture = conform(decoded.to_ndarray(format="bgr24"), width, height)
                    last_index = index
                yield frame, seg, last_picture
        finally:
            source.close()
        frame = seg.record_end


class _Failed:
    def __init__(self, exc: BaseException):
        self.exc = exc


_DONE = object()


class Prefetch:
    """Run a frame iterator on a second thread, `depth` frames ahead of the consumer.

    Decoding and conforming (PyAV, opencv: both release the GIL) then overlap with encoding, the
    way the ffmpeg command line runs decode and encode on separate threads. Memory stays bounded
    by `depth` frames. Use as a context manager so a cancel stops the reader and closes its files.
    """

    def __init__(self, frames: Iterator, depth: int = 8):
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(frames,), name="director-export-reader", daemon=True)
        self._thread.start()

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _read(self, frames: Iterator) -> None:
        try:
            for item in frames:
                if not self._put(item):
                    break
        except BaseException as exc:  # handed to the consumer, which raises it on its own thread
            self._put(_Failed(exc))
            return
        finally:
            close = getattr(frames, "close", None)
            if close is not None:
                close()  # a generator's finally blocks close its decoders, on this thread
        self._put(_DONE)

    def __iter__(self):
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item

    def close(self) -> None:
        self._stop.set()
        while self._thread.is_alive():
            try:
                self._queue.get(timeout=0.05)
            except queue.Empty:
                pass
        self._thread.join()

    def __enter__(self) -> "Prefetch":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
