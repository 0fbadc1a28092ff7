"""Panels that nobody looks at do no work (issue #24).

A `Freshness` sits on a panel and decides when its refresh runs: a change that matters marks the
panel stale; a stale panel that is on screen refreshes on the next turn of the event loop (a burst
of changes in one turn makes one refresh); a hidden one (its dock closed, or a tab behind another)
only remembers, and refreshes when it is shown. A dock tabbed behind another stays "visible" to Qt
(it is only covered), so on screen means visible with something of it uncovered, and a panel
learns it came to the front from its first paint. The refresh itself is the panel's: usually a
background read (`session.reads`) whose result is applied in one model update.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from director.core.changes import Changes


class Freshness(QObject):
    """`mark_stale()` after a change that matters; `refresh` runs when the widget is (or becomes)
    visible. Starts stale: a panel's first refresh is its first showing. `refreshes` counts runs."""

    def __init__(self, widget: QWidget, refresh: Callable[[], None], *, stale: bool = True, session=None):
        super().__init__(widget)
        self.widget = widget
        self._refresh = refresh
        self._stale = stale
        self.refreshes = 0
        self._timer = QTimer(self)  # a child: it dies with the panel, never firing into a deleted one
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh_now)
        widget.installEventFilter(self)
        if session is not None:
            session.watch(self)  # the session is busy while a refresh is scheduled
        if stale:
            self._schedule()

    @property
    def stale(self) -> bool:
        return self._stale

    def on_screen(self) -> bool:
        """Shown and not covered (a tab behind another dock is visible to Qt, but covered)."""
        return self.widget.isVisible() and not self.widget.visibleRegion().isEmpty()

    @property
    def scheduled(self) -> bool:
        """A refresh will run on the next turn of the event loop."""
        return self._timer.isActive()

    def mark_stale(self) -> None:
        self._stale = True
        self._schedule()

    def refresh_now(self) -> None:
        """Refresh at once if stale and visible (what the next turn would do)."""
        self._timer.stop()
        if self._stale and self.on_screen():
            self._stale = False
            self.refreshes += 1
            self._refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._stale and watched is self.widget and event.type() in (QEvent.Type.Show, QEvent.Type.Paint):
            self._schedule()  # shown, or brought to the front of its tabs
        return False

    def _schedule(self) -> None:
        if not self._timer.isActive() and self.on_screen():
            self._timer.start()


class Backlog:
    """The Changes a panel has not shown yet, for a panel that reads in the background.

    `add` what the session announced; `take` what the next read must cover (everything not yet
    applied, also what a read still on its way covers: a newer read supersedes it); `done` once the
    read that `take` fed is applied. A result applied before a newer `take` leaves the newer
    changes waiting, so nothing announced is ever lost between a read and its result."""

    def __init__(self, initial: Changes | None = None):
        self.waiting = initial if initial is not None else Changes()
        self.reading = Changes()

    def add(self, changes: Changes) -> None:
        self.waiting = self.waiting | changes

    def take(self) -> Changes:
        self.reading = self.reading | self.waiting
        self.waiting = Changes()
        return self.reading

    def done(self) -> None:
        self.reading = Changes()

    def __bool__(self) -> bool:
        return bool(self.waiting) or bool(self.reading)
