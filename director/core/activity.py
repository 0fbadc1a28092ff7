"""Automatic human time: active time on the current shot, cut at an idle cut-off.

Input events call `touch()`. Time between two events counts when the gap is at most the cut-off;
a longer gap ends the session at the last event, so a user who walks away is billed nothing for the
walk. Nothing after the last event counts either: we cannot know the user was there. Switching shots,
pausing and closing end the session. The clock is injected so tests drive time by hand, and the
class never touches Qt or the store: it returns finished `Session`s and the caller writes them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

DEFAULT_IDLE_CUTOFF_S = 120.0
# An open session is written in chunks, so a crash loses at most this much tracked time.
DEFAULT_MAX_SESSION_S = 15 * 60.0


@dataclass(frozen=True)
class Session:
    """A stretch of active work on one shot (None: project-wide work); `started_at` is clock time."""

    shot_id: int | None
    started_at: float
    seconds: float


class ActivityClock:
    def __init__(
        self,
        idle_cutoff_s: float = DEFAULT_IDLE_CUTOFF_S,
        *,
        clock: Callable[[], float] = time.time,
        max_session_s: float = DEFAULT_MAX_SESSION_S,
    ):
        if idle_cutoff_s <= 0:
            raise ValueError("the idle cut-off must be positive")
        self.idle_cutoff_s = float(idle_cutoff_s)
        self.max_session_s = float(max_session_s)
        self._clock = clock
        self._shot_id: int | None = None
        self._start: float | None = None
        self._last: float | None = None
        self._paused = False

    # -- state ---------------------------------------------------------------------------------

    @property
    def shot_id(self) -> int | None:
        return self._shot_id

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def open_seconds(self) -> float:
        """Active seconds in the session not yet handed out."""
        if self._start is None or self._last is None:
            return 0.0
        return self._last - self._start

    # -- events --------------------------------------------------------------------------------

    def touch(self) -> list[Session]:
        """The user did something. Returns sessions this event finished (idle gap, chunk limit)."""
        if self._paused:
            return []
        now = self._clock()
        if self._last is None:
            self._start = self._last = now
            return []
        finished: list[Session] = []
        if now - self._last > self.idle_cutoff_s:
            finished += self._close()
            self._start = now
        self._last = now
        if self._last - self._start >= self.max_session_s:
            finished += self._close()
            self._start = self._last = now
        return finished

    def tick(self) -> list[Session]:
        """Called by a timer: ends a session once its idle gap passes the cut-off, with no new event."""
        if self._last is not None and self._clock() - self._last > self.idle_cutoff_s:
            return self._close()
        return []

    def set_shot(self, shot_id: int | None) -> list[Session]:
        """Work moves to another shot: the session on the old one ends at its last event."""
        if shot_id == self._shot_id:
            return []
        finished = self._close()
        self._shot_id = shot_id
        return finished

    def pause(self) -> list[Session]:
        """Stop counting (the user's choice, or the window lost focus) until `resume()`."""
        finished = self._close()
        self._paused = True
        return finished

    def resume(self) -> None:
        self._paused = False

    def close(self) -> list[Session]:
        """End the open session (window closing, project switching)."""
        return self._close()

    def _close(self) -> list[Session]:
        start, last = self._start, self._last
        self._start = self._last = None
        if start is None or last is None or last <= start:
            return []
        return [Session(self._shot_id, start, last - start)]
