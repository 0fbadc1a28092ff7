"""ActivityTracker: feeds the window's input events to the core's `ActivityClock` and writes the
finished sessions to the time log as automatic entries.

It watches the whole application through one event filter (so every panel counts, including ones
added later), pauses while the application is not the active one (the user is in another program),
and closes idle sessions from a timer so they are written even when no further event comes.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from typing import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal, Slot

from director.core.activity import ActivityClock, Session
from director.core.changes import Changes
from director.core.errors import DirectorError
from director.store import timelog
from director.store.project import Project

log = logging.getLogger(__name__)

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
    }
)
TICK_MS = 15_000
# A click with nothing after it is not work worth a line in the log.
MIN_SESSION_S = 1.0


class ActivityTracker(QObject):
    """Construct with the project, call `start()`, tell it the shot being worked on with
    `set_current_shot`, and `stop()` before the project closes (it writes the open session)."""

    time_logged = Signal(object)  # Changes, after automatic entries were written
    paused_changed = Signal(bool)

    def __init__(self, project: Project, parent: QObject | None = None, *, clock: Callable[[], float] = time.time, tick_ms: int = TICK_MS):
        super().__init__(parent)
        self._project = project
        self._activity = ActivityClock(project.settings().idle_cutoff_s, clock=clock)
        self._user_paused = False
        self._app_inactive = False
        self._running = False
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self._on_tick)

    # -- control -------------------------------------------------------------------------------

    @property
    def current_shot(self) -> int | None:
        return self._activity.shot_id

    @property
    def paused(self) -> bool:
        return self._user_paused

    @property
    def open_seconds(self) -> float:
        return self._activity.open_seconds

    def start(self) -> None:
        app = QCoreApplication.instance()
        if app is None or self._running:
            return
        app.installEventFilter(self)
        if hasattr(app, "applicationStateChanged"):
            app.applicationStateChanged.connect(self._on_application_state_changed)
        self._timer.start()
        self._running = True

    def stop(self) -> None:
        """Write the open session and stop watching (window closing, project switching)."""
        if self._running:
            app = QCoreApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
                if hasattr(app, "applicationStateChanged"):
                    app.applicationStateChanged.disconnect(self._on_application_state_changed)
            self._timer.stop()
            self._running = False
        self._write(self._activity.close())

    @Slot(object)
    def set_current_shot(self, shot_id: int | None) -> None:
        """The main window calls this when the shot being worked on changes (None: no shot)."""
        self._write(self._activity.set_shot(shot_id))

    def set_paused(self, paused: bool) -> None:
        """The user's pause/resume: nothing counts while paused."""
        if paused == self._user_paused:
            return
        self._user_paused = paused
        self._apply_pause()
        self.paused_changed.emit(paused)

    @Slot(object)
    def on_changes(self, changes: Changes) -> None:
        """A changed idle cut-off in the project settings applies from now on."""
        if changes.project:
            self._activity.idle_cutoff_s = float(self._project.settings().idle_cutoff_s)

    # -- events --------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self._write(self._activity.touch())
        return False  # only watching: every event goes on to its widget

    @Slot(Qt.ApplicationState)
    def _on_application_state_changed(self, state: Qt.ApplicationState) -> None:
        self._app_inactive = state != Qt.ApplicationState.ApplicationActive
        self._apply_pause()

    @Slot()
    def _on_tick(self) -> None:
        self._write(self._activity.tick())

    def _apply_pause(self) -> None:
        if self._user_paused or self._app_inactive:
            self._write(self._activity.pause())
        else:
            self._activity.resume()

    def _write(self, sessions: list[Session]) -> None:
        written = [s for s in sessions if s.seconds >= MIN_SESSION_S]
        if not written:
            return
        changes = Changes()
        for s in written:
            started = datetime.fromtimestamp(s.started_at, timezone.utc).isoformat(timespec="milliseconds")
            try:
                _, changed = timelog.log_time(self._project, s.shot_id, s.seconds, source="auto", started_at=started)
            except DirectorError as exc:
                # A read-only project cannot take the entry; tracking must never break the window.
                log.warning("automatic time entry not written: %s", exc)
                return
            changes = changes | changed
        self.time_logged.emit(changes)
