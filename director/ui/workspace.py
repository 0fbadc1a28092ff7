"""What the director is working on: the current shot, camera, take and playhead, with signals.

One Workspace per window. Panels bind to it instead of to each other: the shot list sets the shot,
the cameras panel the camera, the gallery the take, the timeline and the program viewer the
playhead, and whoever follows listens. A setter announces only a real change, so two panels bound
both ways (the timeline and the program viewer share the playhead) never echo each other forever.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class Workspace(QObject):
    shot_changed = Signal(object)  # shot id or None
    camera_changed = Signal(object)  # camera id or None
    take_changed = Signal(object)  # take id or None
    playhead_changed = Signal(int)  # record frame on the cut

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._shot: int | None = None
        self._camera: int | None = None
        self._take: int | None = None
        self._playhead = 0

    @property
    def shot(self) -> int | None:
        return self._shot

    @property
    def camera(self) -> int | None:
        return self._camera

    @property
    def take(self) -> int | None:
        return self._take

    @property
    def playhead(self) -> int:
        return self._playhead

    def set_shot(self, shot_id: int | None) -> None:
        """A new shot also forgets the camera and the take, which belonged to the old one."""
        if shot_id == self._shot:
            return
        # First, so panels that pick a camera or a take of the new shot on shot_changed keep it.
        self.set_camera(None)
        self.set_take(None)
        self._shot = shot_id
        self.shot_changed.emit(shot_id)

    def set_camera(self, camera_id: int | None) -> None:
        if camera_id != self._camera:
            self._camera = camera_id
            self.camera_changed.emit(camera_id)

    def set_take(self, take_id: int | None) -> None:
        if take_id != self._take:
            self._take = take_id
            self.take_changed.emit(take_id)

    def set_playhead(self, frame: int) -> None:
        frame = max(0, int(frame))
        if frame != self._playhead:
            self._playhead = frame
            self.playhead_changed.emit(frame)

    def clear(self) -> None:
        """The project closed: nothing is current."""
        self.set_shot(None)
        self.set_playhead(0)
