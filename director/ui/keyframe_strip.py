"""The keyframe strip in the Shot panel: the current shot's stills at their frames, in frame order.

"Add image…" places a file at the frame in the spin box ("last" is the clip's last frame);
"First + last…" takes two images and places them at the first and the last frame in one undoable
step; "Remove" takes the selected keyframe off. Files are copied into the media store on a pool
thread (never the UI thread); each placement is a `store.keyframes` edit on the session's undo
stack. "Queue takes" queues a job steered by the strip with a preset whose family takes keyframes
(`engine.steered_jobs`, the same action as `director keyframe render`); the queue runs it, and a
family that cannot take this strip is refused with the reason. Queueing is a fact, never undone.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from director.core.errors import DirectorError
from director.core.keyframes import LAST, frame_label
from director.store.keyframes import PlaceKeyframe, RemoveKeyframe, list_keyframes
from director.store.shots import get_shot
from director.ui.undo import ProjectSession

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff)"
THUMB = QSize(96, 64)


class _Relay(QObject):
    done = Signal(object, object)  # (stills or None, error text or None)


class _Import(QRunnable):
    """Copy image files into the media store off the UI thread (after checking they are images)."""

    def __init__(self, project, paths: list[str], relay: _Relay):
        super().__init__()
        self.project, self.paths, self.relay = project, paths, relay

    def run(self) -> None:
        from director.engine.keyframe_sources import still_from_file

        try:
            self.relay.done.emit([still_from_file(self.project, p) for p in self.paths], None)
        except DirectorError as exc:
            self.relay.done.emit(None, str(exc))
        except Exception as exc:  # a pool thread is a boundary: say it, never lose it
            self.relay.done.emit(None, f"{type(exc).__name__}: {exc}")


class KeyframeStrip(QWidget):
    """The current shot's keyframes, with add / first + last / remove."""

    placed = Signal()  # a placement from files finished (tests and the status bar wait on it)

    def __init__(self, session: ProjectSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.shot_id: int | None = None
        self.pending = 0
        self.list = QListWidget(self)
        self.list.setObjectName("keyframeList")
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setFlow(QListWidget.Flow.LeftToRight)
        self.list.setWrapping(False)
        self.list.setIconSize(THUMB)
        self.list.setFixedHeight(THUMB.height() + 44)
        self.list.setToolTip("Stills placed at frames of this shot; 'director keyframe render' makes takes from them")
        self.frame = QSpinBox(self)
        self.frame.setObjectName("keyframeFrame")
        self.frame.setRange(LAST, 100_000)
        self.frame.setSpecialValueText("last")
        self.frame.setValue(0)
        self.frame.setPrefix("frame ")
        self.frame.setToolTip("Where 'Add image…' places the still (the lowest value is the clip's last frame)")
        self.add_button = QPushButton("Add image…", self)
        self.add_button.clicked.connect(self._ask_image)
        self.first_last_button = QPushButton("First + last…", self)
        self.first_last_button.setToolTip("Pick two images: the first becomes frame 0, the second the last frame")
        self.first_last_button.clicked.connect(self._ask_first_last)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.clicked.connect(self.remove_selected)
        self.preset_box = QComboBox(self)
        self.preset_box.setObjectName("keyframePreset")
        self.preset_box.setToolTip("Presets whose family takes keyframes")
        self.queue_button = QPushButton("Queue takes", self)
        self.queue_button.setToolTip("Queue a job steered by this strip with the chosen preset; the queue runs it")
        self.queue_button.clicked.connect(lambda: self.queue_from_strip())
        self.message = QLabel(self)
        self.message.setObjectName("keyframeMessage")
        self.message.setWordWrap(True)
        row = QHBoxLayout()
        for w in (self.frame, self.add_button, self.first_last_button, self.remove_button):
            row.addWidget(w)
        row.addStretch(1)
        render_row = QHBoxLayout()
        render_row.addWidget(self.preset_box, 1)
        render_row.addWidget(self.queue_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(row)
        layout.addLayout(render_row)
        layout.addWidget(self.message)
        self.relay = _Relay(self)
        self.relay.done.connect(self._imported)
        self._frames_for_import: list[int] = []
        session.changed.connect(self._on_changed)
        self.set_shot(None)

    # -- showing -------------------------------------------------------------------------------

    def set_shot(self, shot_id: int | None) -> None:
        self.shot_id = shot_id
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        project = self.session.project
        shot = None
        if self.shot_id is not None:
            try:
                shot = get_shot(project, self.shot_id)
            except DirectorError:
                self.shot_id = None
        for k in list_keyframes(project, shot.id) if shot else []:
            item = QListWidgetItem(f"frame {k.label}", self.list)
            pixmap = QPixmap(str(project.media.path(k.media_path)))
            if not pixmap.isNull():
                item.setIcon(QIcon(pixmap.scaled(THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)))
            item.setData(Qt.ItemDataRole.UserRole, k.frame)
            item.setToolTip(f"{k.source}" + (f" (take {k.take_id})" if k.take_id else "") + (f": {k.note}" if k.note else ""))
        editable = shot is not None and not shot.locked and not project.readonly
        for w in (self.add_button, self.first_last_button, self.remove_button, self.frame):
            w.setEnabled(editable)
        if self.preset_box.count() == 0:
            self._fill_presets()
        self.queue_button.setEnabled(editable and self.list.count() > 0 and self.preset_box.count() > 0)

    def _fill_presets(self) -> None:
        from director.engine.conditioning import NONE, rule_for
        from director.engine.presets import all_presets

        try:
            presets = [p for p in all_presets() if rule_for(p).takes != NONE]
        except DirectorError as exc:  # a broken settings file: said, the strip still works
            self.message.setText(str(exc))
            return
        for p in presets:
            self.preset_box.addItem(p.listing_label, p.id)

    def labels(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def _on_changed(self, changes) -> None:
        if self.shot_id is not None and (self.shot_id in changes.shots or changes.project):
            self.reload()

    # -- placing -------------------------------------------------------------------------------

    def _ask_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Keyframe image", "", IMAGE_FILTER)
        if path:
            self.place_files([path], [self.frame.value()])

    def _ask_first_last(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "First and last frame (two images)", "", IMAGE_FILTER)
        if not paths:
            return
        if len(paths) != 2:
            self.message.setText(f"Pick exactly two images (the first and the last frame); {len(paths)} picked.")
            return
        self.place_files(sorted(paths), [0, LAST])

    def place_files(self, paths: list[str], frames: list[int]) -> None:
        """Copy the files into the store on a pool thread, then place each at its frame."""
        if self.shot_id is None:
            return
        self.message.clear()
        self.pending += 1
        self._frames_for_import = list(frames)
        QThreadPool.globalInstance().start(_Import(self.session.project, [str(Path(p)) for p in paths], self.relay))

    def _imported(self, stills, error) -> None:
        self.pending -= 1
        if error is not None:
            self.message.setText(error)
            self.placed.emit()
            return
        frames, stack = self._frames_for_import, self.session.undo_stack
        if len(stills) > 1:
            stack.beginMacro("Place first and last keyframes")
        try:
            for frame, still in zip(frames, stills):
                self.session.push(PlaceKeyframe(self.shot_id, frame, still.source, still.media_path,
                                                text=f"Place keyframe at frame {frame_label(frame)}"))
        finally:
            if len(stills) > 1:
                stack.endMacro()
        self.placed.emit()

    def queue_from_strip(self, preset_id: str | None = None) -> bool:
        """Queue one job steered by the strip; a refusal (the family's rule, the budget, no prompt) is said."""
        from director.engine.steered_jobs import queue_steered

        preset_id = preset_id or self.preset_box.currentData()
        if self.shot_id is None or not preset_id:
            return False
        try:
            queued = queue_steered(self.session.project, get_shot(self.session.project, self.shot_id).code, preset_id)
        except DirectorError as exc:
            self.message.setText(str(exc))
            return False
        self.message.setText(f"Queued job {', '.join(map(str, queued.job_ids))} with {queued.preset.label}.")
        self.session.announce(queued.changes)
        return True

    def remove_selected(self) -> None:
        item = self.list.currentItem()
        if item is None or self.shot_id is None:
            return
        frame = item.data(Qt.ItemDataRole.UserRole)
        self.session.push(RemoveKeyframe(self.shot_id, frame, text=f"Remove keyframe at frame {frame_label(frame)}"))
