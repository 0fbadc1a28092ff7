"""One QUndoStack per project; each command wraps a store Edit and announces what it changed."""

from __future__ import annotations

import weakref

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from director.core.changes import Changes
from director.core.errors import DirectorError
from director.store.edits import Edit
from director.store.project import Project


class ProjectSession(QObject):
    """An open project as the window sees it: the project, its undo stack, and a change hub.

    Every view listens to `changed` and refreshes only what a Changes says; no operation touches
    a widget (Anki's OpChanges).
    """

    changed = Signal(object)  # Changes
    error_raised = Signal(str)

    def __init__(self, project: Project, parent: QObject | None = None):
        super().__init__(parent)
        self.project = project
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(500)
        self._media_health = None
        self._thumbnails = None
        self._reads = None
        self._watched = weakref.WeakSet()  # panels' Freshness: busy while a refresh is scheduled

    @property
    def reads(self):
        """The project's reads thread (`BackgroundReads`): slow reads run there on a read-only
        connection of their own, and their results are applied on the UI thread."""
        if self._reads is None:
            from director.ui.background import BackgroundReads

            self._reads = BackgroundReads(self.project.path, self)
        return self._reads

    def watch(self, freshness) -> None:
        self._watched.add(freshness)

    def busy(self) -> bool:
        """Whether a panel's refresh is scheduled, or a background read is waiting, running or not
        yet applied (tests and benchmarks wait for this to settle)."""
        try:
            if any(f.scheduled for f in list(self._watched)):
                return True
        except RuntimeError:  # a panel's C++ side is gone: it refreshes nothing
            pass
        return self._reads is not None and self._reads.busy()

    @property
    def thumbnails(self):
        """Stills for the timeline and the storyboard, decoded on pool threads (one loader per open
        project); a paint asks with `ask(...)` and repaints on `loaded(key)`."""
        if self._thumbnails is None:
            from director.ui.gallery.thumbnails import ThumbnailLoader

            self._thumbnails = ThumbnailLoader(parent=self)
        return self._thumbnails

    @property
    def media_health(self):
        """Which takes' files are missing, damaged or tampered (one MediaHealth per open project)."""
        if self._media_health is None:
            from director.ui.media_health import MediaHealth

            self._media_health = MediaHealth(self.project.media, self)
        return self._media_health

    def shutdown(self) -> None:
        """Before the project closes: drop file checks not started yet (a running one finishes)."""
        if self._reads is not None:
            self._reads.shutdown()  # interrupts a running read; its thread closes its own connection
        if self._media_health is not None:
            self._media_health.shutdown()
        if self._thumbnails is not None:
            self._thumbnails.clear()  # drops decodes not started yet; a running one finishes unheard

    def push(self, edit: Edit) -> bool:
        """Apply an edit through the undo stack; a refusal becomes an error message, not a crash."""
        command = EditCommand(self, edit)
        try:
            command.run_first()
        except DirectorError as exc:
            self.error_raised.emit(str(exc))
            return False
        self.undo_stack.push(command)
        return True

    def announce(self, changes: Changes) -> None:
        if changes:
            self.changed.emit(changes)


class EditCommand(QUndoCommand):
    def __init__(self, session: ProjectSession, edit: Edit):
        super().__init__(edit.text)
        self.session = session
        self.edit = edit
        self._first = True

    def run_first(self) -> None:
        self.session.announce(self.edit.apply(self.session.project))

    def redo(self) -> None:
        # QUndoStack.push calls redo(); the first application already ran in run_first so that a
        # refused edit never enters the stack.
        if self._first:
            self._first = False
            return
        self._run(self.edit.apply)

    def undo(self) -> None:
        self._run(self.edit.revert)

    def _run(self, step) -> None:
        try:
            self.session.announce(step(self.session.project))
        except DirectorError as exc:
            self.setObsolete(True)
            self.session.error_raised.emit(str(exc))
