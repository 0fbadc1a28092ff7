"""Frames handed from the render threads to the encoders while the clip is still rendering.

The render writes each frame into arrays allocated for the whole clip and marks it done; the
writer thread's encoders read the frames in order as soon as every earlier one is done, so the
picture, depth and layout are encoded while later frames render instead of after the last one.
The render never waits for an encoder (the arrays hold the clip), and an encoder waiting for a
frame gives up when the render fails or is cancelled (`fail`) or its own job stops (`check`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import numpy as np

POLL_S = 0.25  # how often a waiting encoder asks its job whether it was stopped


class RenderStopped(Exception):
    """The render ended without finishing the clip (cancelled or failed); nothing more will come."""


class FrameFeed:
    """Which frames of an n-frame clip are rendered; encoders wait on it frame by frame."""

    def __init__(self, frames: int):
        self.frames = frames
        self._done = bytearray(frames)
        self._ready = 0  # frames 0 .. ready-1 are all done
        self._failed: BaseException | None = None
        self._cond = threading.Condition()

    def done(self, i: int) -> None:
        with self._cond:
            self._done[i] = 1
            while self._ready < self.frames and self._done[self._ready]:
                self._ready += 1
            self._cond.notify_all()

    def fail(self, exc: BaseException) -> None:
        """No more frames will come: every waiting encoder raises RenderStopped."""
        with self._cond:
            self._failed = exc
            self._cond.notify_all()

    def wait(self, i: int, check: Callable[[], None] = lambda: None) -> None:
        """Return once frame i and all before it are done; `check` runs while waiting (cancel)."""
        with self._cond:
            while self._ready <= i:
                if self._failed is not None:
                    raise RenderStopped(str(self._failed)) from self._failed
                self._cond.wait(POLL_S)
                check()

    def frames_of(self, array: np.ndarray, check: Callable[[], None] = lambda: None) -> FedFrames:
        return FedFrames(self, array, check)


class FedFrames:
    """An (F, …) array read in order as its frames are rendered: what `encode_mp4` iterates."""

    def __init__(self, feed: FrameFeed, array: np.ndarray, check: Callable[[], None]):
        self.feed, self.array, self.check = feed, array, check

    @property
    def shape(self) -> tuple[int, ...]:
        return self.array.shape

    def __len__(self) -> int:
        return len(self.array)

    def __iter__(self) -> Iterator[np.ndarray]:
        for i in range(len(self.array)):
            self.feed.wait(i, self.check)
            yield self.array[i]
