"""TakePlayer: frame-accurate playback of one take, decoded off the UI thread.

Frames come from `media_frames.TakeFrames` (the program viewer's reader: sequential PyAV decoding
that seeks only on a backwards or long jump) on one worker thread, become QImages there, and reach
the UI thread through a queued signal. Playback is driven by elapsed time, not by counting timer
ticks: frame = origin + floor(elapsed × fps), so a late tick skips a frame instead of slowing the
take down, and the take plays at its own rate whatever the project's rate is.

The player never paints; it says which frame is on screen (`frame_shown`) and a view draws it.
`CompareView` drives several players from one clock with `seek` and `prefetch`.

Sound (issue #16): given the take's own sound (`set_sound`), playing starts it at the first sample
of the frame shown (`audio_playback.sample_of` at the take's rate), and a seek, a loop back to the
start or a drifting device restarts it there; pause stops it. A take without sound stays silent.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict, deque
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path

import numpy as np
from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage

from director.core.audio import sample_to_frame
from director.core.model import Take
from director.ui.audio_playback import SoundOutput, sample_of
from director.ui.media_frames import TakeFrames

CACHE_BYTES = 256 << 20
READ_AHEAD = 12


def to_qimage(rgb: np.ndarray) -> QImage:
    """A QImage that owns its pixels (the numpy buffer may be reused by the decoder)."""
    rgb = np.ascontiguousarray(rgb)
    h, w, _ = rgb.shape
    return QImage(rgb.data, w, h, rgb.strides[0], QImage.Format.Format_RGB888).copy()


class _Relay(QObject):
    decoded = Signal(int, int, object, object)  # take epoch, frame index, QImage | None, MediaIssue | None


class TakePlayer(QObject):
    frame_shown = Signal(int, QImage)  # index now on screen, its picture
    playing_changed = Signal(bool)
    opened = Signal(int)  # frame count
    failed = Signal(str)  # a sentence: which take, which file, what the decoder said
    media_failed = Signal(object)  # the MediaIssue behind `failed` (missing, damaged or tampered)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._frames: TakeFrames | None = None
        self._take: Take | None = None
        self._count = 0
        self._rate = Fraction(24)
        self._loop = True
        self._shown = -1
        self._target = 0
        self._origin = 0
        self._playing = False
        self._cache: OrderedDict[int, QImage] = OrderedDict()
        self._cache_max = 64
        self._lock = threading.Lock()
        self._epoch = 0  # bumps on open, so a late frame of the previous take is dropped
        self._todo: deque[int] = deque()
        self._decoding = -1
        self._busy = False
        self._ahead_until = -1
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="take-player")
        self._relay = _Relay(self)
        self._relay.decoded.connect(self._on_decoded)
        self._clock = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_tick)
        self.sound = SoundOutput(self)
        self.sound_source = None  # the take's own sound (audio_playback.ArraySource), or None: silent
        self._lap = 0

    # -- sound -------------------------------------------------------------------------------

    def set_sound(self, source) -> None:
        """The take's own sound (None: silent); arriving during playback, it starts at the frame due."""
        self.sound_source = source
        if self._playing:
            self._start_sound(self._target)
        else:
            self.sound.stop()

    def sound_sample(self, index: int) -> int:
        """The sample heard with frame `index` of this take."""
        return sample_of(index, self._take.rate) if self._take is not None else 0

    def _start_sound(self, index: int) -> None:
        self.sound.start(self.sound_source, self.sound_sample(index)) if self.sound_source is not None else self.sound.stop()

    # -- opening -----------------------------------------------------------------------------

    def open(self, media_root: Path, take: Take) -> None:
        """Show frame 0 of `take` (decoded in the background); stops any playback."""
        self.pause()
        self._release_reader()
        self._take = take
        self.sound_source = None  # the viewer hands the new take's sound over once it is read
        self._frames = TakeFrames(media_root, readers=1)
        self._count = max(1, take.frames)
        self._rate = take.rate.fraction
        frame_bytes = max(1, take.width * take.height * 3)
        self._cache_max = max(8, min(self._count, CACHE_BYTES // frame_bytes))
        self._cache.clear()
        self._shown = -1
        self.opened.emit(self._count)
        self.seek(0)

    def close(self) -> None:
        self.pause()
        self.sound.close()
        self._release_reader()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _release_reader(self) -> None:
        with self._lock:
            # A running decode sees the new epoch and stops at its next frame.
            self._epoch += 1
            self._todo.clear()
            self._busy = False
            self._decoding = -1
        frames, self._frames = self._frames, None
        self._ahead_until = -1
        if frames is not None:
            # Close on the worker, after whatever it is decoding now, so no read races the close.
            self._pool.submit(frames.close)

    # -- state -------------------------------------------------------------------------------

    @property
    def take(self) -> Take | None:
        return self._take

    @property
    def frame_count(self) -> int:
        return self._count

    @property
    def fps(self) -> float:
        return float(self._rate)

    @property
    def position(self) -> int:
        """The frame on screen (-1 before the first picture arrives)."""
        return self._shown

    def current_image(self) -> QImage | None:
        return self._cache.get(self._shown)

    def is_playing(self) -> bool:
        return self._playing

    def loop(self) -> bool:
        return self._loop

    def set_loop(self, loop: bool) -> None:
        self._loop = bool(loop)

    # -- transport ---------------------------------------------------------------------------

    def seek(self, index: int) -> None:
        """Show frame `index` exactly (clamped); during playback the clock restarts from there."""
        if self._frames is None:
            return
        index = max(0, min(int(index), self._count - 1))
        self._target = index
        if self._playing:
            self._origin = index
            self._lap = 0
            self._clock.restart()
            self._start_sound(index)
        self._show_or_fetch(index)

    def step(self, delta: int) -> None:
        self.pause()
        self.seek(max(0, self._shown if self._shown >= 0 else self._target) + delta)

    def play(self) -> None:
        if self._frames is None or self._playing or self._count <= 1:
            return
        start = self._target
        if start >= self._count - 1 and not self._loop:
            start = 0
        self._origin = start
        self._target = start
        self._lap = 0
        self._playing = True
        self._clock.start()
        self._start_sound(start)
        # Ticks at twice the frame rate keep the shown frame within half a frame of the clock.
        self._timer.start(max(4, int(500 / max(1.0, float(self._rate)))))
        self.prefetch(start)
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if not self._playing:
            return
        self._playing = False
        self._timer.stop()
        self.sound.stop()
        self.playing_changed.emit(False)

    def toggle(self) -> None:
        self.pause() if self._playing else self.play()

    def prefetch(self, start: int, count: int = READ_AHEAD) -> None:
        """Decode frames from `start` ahead of need (wrapping when looping)."""
        if self._frames is None:
            return
        if self._loop:
            wanted = [(start + k) % self._count for k in range(min(count, self._count))]
        else:
            wanted = list(range(start, min(self._count, start + count)))
        with self._lock:
            missing = [i for i in wanted if i not in self._cache and i not in self._todo and i != self._decoding]
        if missing:
            self._ahead_until = start + count
            self._decode(missing)

    def _on_tick(self) -> None:
        heard = self.sound.device_due()
        if heard is not None and self._take is not None:
            # The sound is the master clock: the frame of the sample heard (the sound restarts
            # each lap, so this is within the lap), the wall clock re-anchored there.
            self._origin = self._lap * self._count + min(self._count - 1, sample_to_frame(heard, self._take.rate))
            self._clock.restart()
        elapsed_frames = math.floor(self._clock.elapsed() * self._rate / 1000)
        index = self._origin + elapsed_frames
        if index >= self._count:
            if self._loop:
                lap, index = divmod(index, self._count)
                if lap != self._lap:  # looped back to the start: so does the sound
                    self._lap = lap
                    self._start_sound(index)
            else:
                index = self._count - 1
                self._target = index
                self._show_or_fetch(index)
                self.pause()
                return
        if index != self._target:
            self._target = index
            self._show_or_fetch(index)
        unrolled = self._origin + elapsed_frames
        if unrolled + READ_AHEAD // 2 >= self._ahead_until:
            self.prefetch(index)

    # -- decoding ----------------------------------------------------------------------------

    def _show_or_fetch(self, index: int) -> None:
        image = self._cache.get(index)
        if image is not None:
            self._cache.move_to_end(index)
            self._show(index, image)
        else:
            ahead = [i for i in range(index + 1, min(self._count, index + 4)) if i not in self._cache]
            self._decode([index] + ahead, urgent=True)

    def _show(self, index: int, image: QImage) -> None:
        if index != self._shown:
            self._shown = index
            self.frame_shown.emit(index, image)

    def _decode(self, indices: list[int], urgent: bool = False) -> None:
        """Queue frames for the worker. An urgent request (a seek) replaces what was queued, so
        scrubbing never waits behind frames the user has already passed; read-ahead appends."""
        with self._lock:
            if urgent:
                self._todo.clear()
            for i in indices:
                if i not in self._todo and i != self._decoding:
                    self._todo.append(i)
            if self._busy or not self._todo:
                return
            self._busy = True
        self._pool.submit(self._work, self._epoch, self._frames, self._take, self._relay)

    def _work(self, epoch: int, frames: TakeFrames, take: Take, relay: _Relay) -> None:
        """The worker loop: decode queued frames until none are left or another take is opened."""
        while True:
            with self._lock:
                if epoch != self._epoch:
                    return  # open() reset the queue and the busy flag for the new take
                if not self._todo:
                    self._busy = False
                    self._decoding = -1
                    return
                index = self._todo.popleft()
                self._decoding = index
            issue = None
            try:
                rgb = frames.read(take, index)
                image = to_qimage(rgb) if rgb is not None else None
            except Exception as exc:  # missing, damaged or tampered: the view says so, playback stops
                from director.export.frames import classify_failure

                image, issue = None, classify_failure(frames.media, take.media_path, exc, take_id=take.id)
            try:
                relay.decoded.emit(epoch, index, image, issue)
            except RuntimeError:
                return  # the player is gone

    def _on_decoded(self, epoch: int, index: int, image: QImage | None, issue=None) -> None:
        if epoch != self._epoch or self._frames is None:
            return
        if image is None:
            if index == self._target:
                self.pause()
                take = self._take.id if self._take else "?"
                if issue is not None:
                    self.failed.emit(f"frame {index} of take {take} could not be shown: media {issue.problem}: {issue.path}" + (f" ({issue.detail})" if issue.detail else ""))
                    self.media_failed.emit(issue)
                else:
                    self.failed.emit(f"frame {index} of take {take} could not be decoded")
            return
        self._cache[index] = image
        self._cache.move_to_end(index)
        while len(self._cache) > self._cache_max:
            self._cache.popitem(last=False)
        if index == self._target:
            self._show(index, image)
