"""The cut's output frames, one at a time: the streaming reader behind the MP4 writer.

Each segment opens its take once and decodes forward (takes are seconds long, and decoding from
the first frame is frame-exact whatever the file's timestamps say). Only the current source frame
is held, so memory stays flat however long the cut is.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Protocol, Union

import av
import cv2
import numpy as np

from director.core.cut import Cut, CutSegment, source_frame
from director.core.errors import DirectorError, NotFound
from director.export.colour import to_bgr, to_output
from director.export.conform import black, conform, conform_yuv420
from director.store.media import TamperedMedia

Frame = Union[np.ndarray, av.VideoFrame]


class MediaPaths(Protocol):
    """Anything that turns a store-relative media path into a file: a MediaStore does."""

    def path(self, relative: str) -> Path: ...


# What reading one take's file can raise: PyAV's errors (InvalidDataError is also a ValueError),
# the OS's, opencv's, and our own "no video frames". Caught per take, never further out.
DECODE_ERRORS = (av.FFmpegError, OSError, ValueError, EOFError, cv2.error, DirectorError)


@dataclass(frozen=True)
class MediaIssue:
    """One take whose file cannot be used: missing, damaged (does not decode, or its bytes changed)
    or tampered (the row names a file outside the media folder, which is never read)."""

    take_id: int | None
    shot_code: str
    relative: str  # what the row says
    problem: str  # 'missing' | 'damaged' | 'tampered'
    path: str  # the file (the row's own text when tampered: it is never resolved)
    detail: str = ""  # 'decoder said …' and the like

    def describe(self) -> str:
        who = f"take {self.take_id}" if self.take_id is not None else "a take"
        if self.shot_code:
            who += f" (shot {self.shot_code})"
        text = f"{who}: media {self.problem}: {self.path}"
        return f"{text} ({self.detail})" if self.detail else text

    def as_dict(self) -> dict:
        return {"take_id": self.take_id, "shot": self.shot_code, "problem": self.problem, "path": self.path, "detail": self.detail}


class TakeMediaError(NotFound):
    """An export met takes whose media is missing, damaged or tampered; `issues` names each one."""

    def __init__(self, issues):
        self.issues = tuple(issues)
        listed = "; ".join(i.describe() for i in self.issues[:5])
        if len(self.issues) > 5:
            listed += f"; and {len(self.issues) - 5} more"
        head = listed if len(self.issues) == 1 else f"{len(self.issues)} takes cannot be exported: {listed}"
        super().__init__(f"{head}. Run 'director check' to list every take with a problem.")


class Skipped(list):
    """The takes an export left out (`--skip-missing`), each once, in the order they were met."""

    def add(self, issue: MediaIssue) -> None:
        if not any(i.take_id == issue.take_id and i.relative == issue.relative for i in self):
            self.append(issue)

    def take_ids(self) -> set[int]:
        return {i.take_id for i in self if i.take_id is not None}


def decoder_said(exc: BaseException) -> str:
    """The decoder's own words, without PyAV's errno and repeated path."""
    text = ""
    if isinstance(exc, (av.FFmpegError, OSError)):
        text = getattr(exc, "strerror", None) or ""
    text = text or str(exc) or exc.__class__.__name__
    return f"decoder said {text}"


def damaged(take_id: int | None, shot_code: str, relative: str, path: Path | str, exc: BaseException) -> MediaIssue:
    return MediaIssue(take_id, shot_code, relative, "damaged", str(path), decoder_said(exc))


def probe_file(path: Path, kind: str | None) -> None:
    """Open the file and decode its first picture; raises one of DECODE_ERRORS if it cannot."""
    video = kind == "video" or (kind is None and path.suffix.lower() in (".mp4", ".mov", ".m4v", ".mkv", ".webm"))
    if not video:
        read_image(path)
        return
    with av.open(str(path)) as container:
        if not container.streams.video:
            raise DirectorError(f"{path.name} has no video stream")
        for _ in container.decode(container.streams.video[0]):
            return
    raise DirectorError(f"{path.name} has no video frames")


def media_issue(
    media: MediaPaths,
    relative: str,
    kind: str | None = None,
    *,
    take_id: int | None = None,
    shot_code: str = "",
    decode: bool = True,
    verify: bool = True,
) -> MediaIssue | None:
    """What is wrong with one take's file, or None: a row naming a file outside the store is
    'tampered' (and is not opened), an absent file 'missing', one that does not decode or no longer
    hashes to its name 'damaged'. Touches files only, so it may run on any thread. decode=False
    makes it two stat calls (tampered or missing only); verify=False skips hashing the bytes."""

    def issue(problem: str, path, detail: str = "") -> MediaIssue:
        return MediaIssue(take_id, shot_code, relative, problem, str(path), detail)

    try:
        path = media.path(relative)
    except TamperedMedia as exc:
        return issue("tampered", relative, str(exc))
    if not path.is_file():
        return issue("missing", path)
    if not decode:
        return None
    try:
        probe_file(path, kind)
    except DECODE_ERRORS as exc:
        return issue("damaged", path, decoder_said(exc))
    verify_files = getattr(media, "verify", None)
    if verify and verify_files is not None:
        try:
            problem = verify_files([relative]).problem(relative)
        except OSError as exc:
            return issue("damaged", path, f"it could not be read: {exc.strerror or exc}")
        if problem == "damaged":
            return issue("damaged", path, "its bytes changed since Director stored it")
    return None


def classify_failure(media: MediaPaths, relative: str, exc: BaseException, *, take_id: int | None = None, shot_code: str = "") -> MediaIssue:
    """The issue behind an exception raised while reading a take's file: tampered when the row
    names a file outside the store, missing when the file is gone, otherwise damaged."""
    if isinstance(exc, TamperedMedia):
        return MediaIssue(take_id, shot_code, relative, "tampered", relative, str(exc))
    try:
        path = media.path(relative)
    except TamperedMedia as tampered:
        return MediaIssue(take_id, shot_code, relative, "tampered", relative, str(tampered))
    if not path.is_file():
        return MediaIssue(take_id, shot_code, relative, "missing", str(path))
    return damaged(take_id, shot_code, relative, path, exc)


def check_media(cut: Cut, media: MediaPaths, skipped: Skipped | None = None) -> set[int]:
    """Every take the cut shows is looked at before encoding starts (better than failing at minute
    five): a missing, damaged or tampered file raises TakeMediaError naming each take, its shot and
    its file; with `skipped` given they are added to it instead, and their ids returned."""
    issues: list[MediaIssue] = []
    seen: set[int] = set()
    for s in sorted(cut.segments, key=lambda s: s.record_start):
        if s.kind == "gap" or not s.media_path or s.take_id in seen:
            continue
        seen.add(s.take_id)
        found = media_issue(media, s.media_path, s.kind, take_id=s.take_id, shot_code=s.shot_code)
        if found is not None:
            issues.append(found)
    if issues and skipped is None:
        raise TakeMediaError(issues)
    for issue in issues:
        skipped.add(issue)
    return {i.take_id for i in issues}


class VideoSource:
    """One take's video, decoded forward on demand."""

    def __init__(self, path: Path):
        self.path = path
        self._container = av.open(str(path))
        if not self._container.streams.video:
            self._container.close()
            raise DirectorError(f"{path.name} has no video stream")
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


def cut_frames(
    cut: Cut,
    media: MediaPaths,
    width: int,
    height: int,
    *,
    native: bool = False,
    skipped: Skipped | None = None,
    checked: set[int] | None = None,
    colour=None,
) -> Iterator[tuple[int, CutSegment | None, Frame]]:
    """Yield (record frame, segment, picture) for every frame of the cut, in order.

    The picture is a BGR ndarray of width×height. With native=True a decoded yuv420p frame comes as
    an av.VideoFrame instead, passed through or conformed in YUV, skipping two colour conversions
    (the MP4 writer's fast path). A repeated source frame (a still, or a take slower than the cut) is
    the same object again, conformed once.

    A take whose file is missing, damaged or tampered raises TakeMediaError naming it, also when its
    decoder fails halfway; with `skipped` given it plays black for its whole length instead (the cut
    keeps its sync) and is added there. `checked`: the ids check_media already returned.

    A take is read with its own colour tags (untagged: BT.601, export.colour). With `colour` the
    native frames come converted into that standard (the MP4 writer's, so it writes what it tags).
    """
    bad = set(checked) if checked is not None else check_media(cut, media, skipped)
    gap = black(width, height)
    frame = 0

    def failed(seg: CutSegment, path, exc: BaseException) -> None:
        issue = damaged(seg.take_id, seg.shot_code, seg.media_path, path, exc)
        if skipped is None:
            raise TakeMediaError([issue]) from exc
        skipped.add(issue)
        bad.add(seg.take_id)

    for seg in sorted(cut.segments, key=lambda s: s.record_start):
        if seg.record_end <= frame:  # overlaps are not in the contract; the earlier segment wins
            continue
        while frame < seg.record_start:  # a hole between segments plays black
            yield frame, None, gap
            frame += 1
        if seg.kind == "gap" or not seg.media_path or seg.take_id in bad:
            for frame in range(frame, seg.record_end):
                yield frame, seg, gap
            frame = seg.record_end
            continue
        path = media.path(seg.media_path)
        if seg.kind == "image":
            try:
                picture = conform(read_image(path), width, height)
            except DECODE_ERRORS as exc:
                failed(seg, path, exc)
                picture = gap
            for frame in range(frame, seg.record_end):
                yield frame, seg, picture
            frame = seg.record_end
            continue
        try:
            source = VideoSource(path)
        except DECODE_ERRORS as exc:
            failed(seg, path, exc)
            source = None
        if source is not None:
            try:
                last_index, last_picture = None, None
                while frame < seg.record_end:
                    try:
                        index, decoded = source.frame(source_frame(seg, frame, cut.rate))
                        if index != last_index:
                            if native and (decoded.width, decoded.height) == (width, height) and colour is None:
                                last_picture = decoded
                            elif native and (decoded.width, decoded.height) == (width, height) and decoded.format.name == "yuv420p":
                                last_picture = to_output(decoded, colour)
                            elif native and decoded.format.name == "yuv420p":
                                last_picture = conform_yuv420(decoded, width, height, colour)
                            else:
                                last_picture = conform(to_bgr(decoded), width, height)
                            last_index = index
                    except DECODE_ERRORS as exc:  # broken halfway: the rest of the segment is black
                        failed(seg, path, exc)
                        break
                    yield frame, seg, last_picture
                    frame += 1
            finally:
                source.close()
        while frame < seg.record_end:  # a take left out, or one that broke halfway
            yield frame, seg, gap
            frame += 1


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
