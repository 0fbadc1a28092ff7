"""The Blocking panel: the current shot seen from above, its subjects and cameras where they stand.

Drag a subject or a camera to move it: each drop is one undoable MovePlacement through the
session's undo stack (the store refuses on a locked shot, and the panel says so). A camera is drawn
where it really stands: its drop sets the bearing it looks from, and its shot size then slides it
along that bearing to the distance that frames the subject as the words say (core.blocking). The
line of action is drawn through the subjects, and cameras across it from camera A are flagged.
"Previz" queues a previz (blocking render) of every camera; the window's runner renders it.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPolygonItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from director.core.blocking import PREVIZ_LABEL, PREVIZ_PRESET, CameraPlan, LineCheck, Placement, Scene, check_line, framed_position
from director.core.changes import Changes
from director.core.errors import DirectorError
from director.store.blocking import MovePlacement, shot_blocking
from director.store.cameras import list_cameras
from director.store.shots import get_shot
from director.ui.undo import ProjectSession

PX_PER_M = 40.0
SUBJECT = QColor(220, 120, 80)
CAMERA = QColor(90, 160, 230)
CROSSING = QColor(235, 70, 70)


def to_screen(x: float, z: float) -> QPointF:
    """Ground metres → scene pixels: x to the right, z up the screen (away from camera A)."""
    return QPointF(x * PX_PER_M, -z * PX_PER_M)


def to_ground(p: QPointF) -> tuple[float, float]:
    return round(p.x() / PX_PER_M, 3), round(-p.y() / PX_PER_M, 3)


class _Marker:
    """What a draggable item stands for; the drop calls back with its new ground position."""

    def __init__(self, kind: str, key: str, on_drop):
        self.kind, self.key, self.on_drop = kind, key, on_drop


class SubjectItem(QGraphicsEllipseItem):
    def __init__(self, marker: _Marker, radius: float):
        super().__init__(-radius, -radius, 2 * radius, 2 * radius)
        self.marker = marker
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
        self.setCursor(Qt.CursorShape.OpenHandCursor)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().mouseReleaseEvent(event)
        self.marker.on_drop(self.marker, *to_ground(self.pos()))


class CameraItem(QGraphicsPolygonItem):
    def __init__(self, marker: _Marker):
        super().__init__(QPolygonF([QPointF(0, -12), QPointF(-9, 9), QPointF(9, 9)]))
        self.marker = marker
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
        self.setCursor(Qt.CursorShape.OpenHandCursor)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().mouseReleaseEvent(event)
        self.marker.on_drop(self.marker, *to_ground(self.pos()))


class BlockingView(QWidget):
    """`previz_queued(job ids)` after the Previz button queued the shot's cameras."""

    previz_queued = Signal(list)

    def __init__(self, session: ProjectSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.shot_id: int | None = None
        self.scene_model: Scene | None = None
        self.cameras: list[CameraPlan] = []
        self.check: LineCheck | None = None
        self.items: dict[tuple[str, str], QGraphicsItem] = {}
        self._last_error = ""

        self.graphics = QGraphicsScene(self)
        self.view = QGraphicsView(self.graphics, self)
        self.view.setObjectName("blockingView")
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.warning = QLabel(self)
        self.warning.setObjectName("blockingWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("QLabel { color: #ff8080; }")
        self.previz_button = QPushButton("Previz", self)
        self.previz_button.setToolTip(f"Queue a {PREVIZ_LABEL} of every camera of this shot (no model, a few seconds on the CPU)")
        self.previz_button.clicked.connect(lambda: self.queue_previz())
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Drag subjects and cameras; each move can be undone", self))
        bar.addStretch(1)
        bar.addWidget(self.previz_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.warning)
        session.changed.connect(self._on_changed)
        session.error_raised.connect(self._on_error)
        self.set_shot(None)

    # -- following the window ------------------------------------------------------------------

    def set_shot(self, shot_id: int | None) -> None:
        self.shot_id = shot_id
        self.reload()

    def _on_changed(self, changes: Changes) -> None:
        if self.shot_id is None:
            return
        if changes.project or self.shot_id in changes.shots or changes.cameras or changes.prompts:
            self.reload()

    def _on_error(self, message: str) -> None:
        self._last_error = message
        if self.isVisible() or self.shot_id is not None:
            self.warning.setText(message)

    def reload(self) -> None:
        """Read the shot's blocking (a few rows) and draw it."""
        self.graphics.clear()
        self.items.clear()
        self.scene_model, self.cameras, self.check = None, [], None
        editable = False
        if self.shot_id is not None:
            try:
                self.scene_model, self.cameras = shot_blocking(self.session.project, self.shot_id)
                self.check = check_line(self.scene_model, self.cameras)
                editable = not self.session.project.readonly and not get_shot(self.session.project, self.shot_id).locked
            except DirectorError as exc:
                self.warning.setText(str(exc))
                self.previz_button.setEnabled(False)
                return
        self.previz_button.setEnabled(editable and bool(self.cameras))
        if self.scene_model is None:
            self.warning.setText("")
            return
        self._draw(editable)
        self.warning.setText(self.check.warning() if self.check else "")

    def _draw(self, editable: bool) -> None:
        g = self.graphics
        grid = QPen(QColor(90, 90, 90, 90))
        for m in range(-10, 11):
            g.addLine(m * PX_PER_M, -10 * PX_PER_M, m * PX_PER_M, 10 * PX_PER_M, grid)
            g.addLine(-10 * PX_PER_M, m * PX_PER_M, 10 * PX_PER_M, m * PX_PER_M, grid)
        (ax, az), (bx, bz) = self.check.line
        dx, dz = bx - ax, bz - az
        n = math.hypot(dx, dz) or 1.0
        far = 12.0
        a, b = to_screen(ax - dx / n * far, az - dz / n * far), to_screen(ax + dx / n * far, az + dz / n * far)
        line = g.addLine(a.x(), a.y(), b.x(), b.y(), QPen(QColor(240, 200, 80), 1.5, Qt.PenStyle.DashLine))
        line.setToolTip("the line of action (180° rule)")
        for fig in self.scene_model.figures:
            radius = max(6.0, max(fig.stand_in.width, fig.stand_in.depth) / 2 * PX_PER_M)
            item = SubjectItem(_Marker("subject", fig.stand_in.key, self._dropped), radius)
            item.setBrush(QBrush(SUBJECT))
            item.setPos(to_screen(fig.at.x, fig.at.z))
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable, editable)
            face = math.radians(fig.at.facing)
            tick = g.addLine(0, 0, math.sin(face) * radius * 1.8, -math.cos(face) * radius * 1.8, QPen(SUBJECT.darker(), 2))
            tick.setParentItem(item)
            label = QGraphicsSimpleTextItem(fig.stand_in.words, item)
            label.setBrush(QBrush(QColor(230, 230, 230)))
            label.setPos(radius + 2, -radius - 14)
            item.setToolTip(f"{fig.stand_in.words} ({fig.stand_in.kind})")
            g.addItem(item)
            self.items[("subject", fig.stand_in.key)] = item
        ids = {c.name: c.id for c in list_cameras(self.session.project, self.shot_id)}
        for cam in self.cameras:
            x, z = framed_position(self.scene_model, cam)
            crossing = self.check is not None and cam.name in self.check.crossing
            item = CameraItem(_Marker("camera", str(ids[cam.name]), self._dropped))
            item.setBrush(QBrush(CROSSING if crossing else CAMERA))
            item.setPos(to_screen(x, z))
            target = self.scene_model.figures[0].at
            item.setRotation(math.degrees(math.atan2(target.x - x, target.z - z)))
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable, editable)
            label = QGraphicsSimpleTextItem(cam.name)
            label.setBrush(QBrush(QColor(230, 230, 230)))
            label.setPos(to_screen(x, z) + QPointF(10, 4))
            g.addItem(label)
            words = ", ".join(w for w in (cam.setup.shot_size, cam.setup.angle, cam.setup.movement, cam.setup.lens) if w)
            item.setToolTip(f"camera {cam.name}: {words or 'no framing words'}" + (" — across the line" if crossing else ""))
            g.addItem(item)
            self.items[("camera", cam.name)] = item

    # -- edits -----------------------------------------------------------------------------------

    def _dropped(self, marker: _Marker, x: float, z: float) -> None:
        self.move(marker.kind, marker.key, x, z)

    def move(self, kind: str, key: str, x: float, z: float) -> bool:
        """Put a subject (by its words) or a camera (by its id) at ground (x, z): one undoable step.
        A subject keeps where it faces."""
        if self.shot_id is None or self.scene_model is None:
            return False
        facing = 0.0
        if kind == "subject":
            facing = next((f.at.facing for f in self.scene_model.figures if f.stand_in.key == key), 0.0)
        self._last_error = ""
        try:
            placement = Placement(x, z, facing)
        except DirectorError as exc:
            self.warning.setText(str(exc))
            self.reload()
            return False
        done = self.session.push(MovePlacement(self.shot_id, kind, key, placement,
                                               text=f"Move {'camera' if kind == 'camera' else key} in blocking"))
        if not done:
            self.reload()  # the item snaps back to where the store says it is
            self.warning.setText(self._last_error)  # and the refusal stays said
        return done

    def queue_previz(self) -> list[int]:
        """A previz of every camera of the shot, queued for the window's runner."""
        from director.engine.actions import queue_generation

        if self.shot_id is None:
            return []
        try:
            queued = queue_generation(self.session.project, get_shot(self.session.project, self.shot_id).code,
                                      PREVIZ_PRESET, all_cameras=True)
        except DirectorError as exc:
            self.warning.setText(str(exc))
            return []
        self.session.announce(queued.changes)
        ids = list(queued.job_ids)
        self.previz_queued.emit(ids)
        return ids
