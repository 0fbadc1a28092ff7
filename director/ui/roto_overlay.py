"""Roto in the take viewer: click on the picture to tell SAM 2 what to cut out, see the mattes on top.

With Roto on, a left click on any frame is a positive point for the chosen object, Alt+click or a
right click a negative point, and a left drag a box; each is an undoable edit on the project's
undo stack (`store.roto.AddRotoPrompt`, the object made the first time its name is used). Track
queues a segment job on the take (`engine.roto.queue_roto`); the window's runner runs it like any
job, and when its mattes land the overlay shows them, one colour per object, over the frame being
shown. Several named objects share the take; refine with more clicks on other frames and Track
again. Mattes and prompts are read on the project's reads thread, never on the UI thread.

`attach_roto(viewer)` puts the overlay over the viewer's FrameView and its bar under the picture.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from director.core.enums import MediaKind
from director.core.errors import DirectorError
from director.core.roto import RotoPrompt
from director.store.roto import AddRotoPrompt

COLOURS = [QColor(255, 64, 160), QColor(64, 200, 255), QColor(255, 200, 40), QColor(120, 255, 90), QColor(190, 120, 255)]
DRAG_PX = 5  # a press that moves less than this is a click, not a box
OVERLAY_ALPHA = 0.45


def read_roto(project, take_id: int) -> tuple[list, list[tuple[str, np.ndarray]]]:
    """(the take's objects with prompts, [(object name, alpha)] of its current mattes): reads thread."""
    from director.store.matte_file import decode_matte
    from director.store.roto import latest_mattes, list_objects

    mattes = []
    for m in latest_mattes(project, take_id):
        try:
            mattes.append((m.name, decode_matte(project.media.path(m.media_path))))
        except (ValueError, DirectorError, OSError):
            continue  # a damaged or missing matte file shows nothing; `director check` names it
    return list_objects(project, take_id), mattes


class RotoOverlay(QWidget):
    """A transparent layer over a FrameView: roto clicks in, matte overlay and prompt marks out."""

    def __init__(self, session, frame_view, parent: QObject | None = None):
        super().__init__(frame_view)
        self.session = session
        self.frame_view = frame_view
        self.take = None
        self.active = False
        self.object_name = "object 1"
        self.objects: list = []
        self.mattes: list[tuple[str, np.ndarray]] = []
        self._press: QPointF | None = None
        self._drag: QPointF | None = None
        self._buttons = Qt.MouseButton.NoButton
        self._alt = False
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground, True)
        self.setGeometry(frame_view.rect())
        frame_view.installEventFilter(self)
        session.changed.connect(self._on_changed)

    # -- state --------------------------------------------------------------------------------

    def set_take(self, take) -> None:
        self.take = take if take is not None and take.kind is MediaKind.VIDEO else None
        self.objects, self.mattes = [], []
        self.reload()
        self.update()

    def set_active(self, on: bool) -> None:
        self.active = bool(on) and self.take is not None
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, not self.active)
        self.setCursor(Qt.CursorShape.CrossCursor if self.active else Qt.CursorShape.ArrowCursor)
        self.update()

    def reload(self) -> None:
        if self.take is None:
            return
        take_id = self.take.id
        self.session.reads.submit(f"roto-{id(self)}", lambda project: read_roto(project, take_id),
                                  lambda found, t=take_id: self._loaded(t, found))

    def _loaded(self, take_id: int, found) -> None:
        if self.take is None or self.take.id != take_id:
            return
        self.objects, self.mattes = found
        self.update()

    def _on_changed(self, changes) -> None:
        if self.take is not None and (self.take.id in changes.takes or changes.jobs):
            self.reload()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.frame_view and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.frame_view.rect())
        return False

    # -- coordinates --------------------------------------------------------------------------

    def picture_rect(self) -> QRectF:
        """Where the take's frame is drawn in this widget (FrameView letterboxes it)."""
        if self.take is None:
            return QRectF()
        w, h = self.take.width, self.take.height
        scale = min(self.width() / w, self.height() / h)
        rect = QRectF(0, 0, w * scale, h * scale)
        rect.moveCenter(QRectF(self.rect()).center())
        return rect

    def to_take(self, pos: QPointF) -> tuple[float, float] | None:
        """A widget position as pixels of the take's frame, or None outside the picture."""
        rect = self.picture_rect()
        if rect.isEmpty() or not rect.contains(pos):
            return None
        x = (pos.x() - rect.left()) * self.take.width / rect.width()
        y = (pos.y() - rect.top()) * self.take.height / rect.height()
        return round(min(max(x, 0.0), self.take.width), 1), round(min(max(y, 0.0), self.take.height), 1)

    def from_take(self, x: float, y: float) -> QPointF:
        rect = self.picture_rect()
        return QPointF(rect.left() + x * rect.width() / self.take.width, rect.top() + y * rect.height() / self.take.height)

    # -- clicks -------------------------------------------------------------------------------

    def mousePressEvent(self, event) -> None:
        if not self.active or self.frame_view.index < 0:
            return
        self._press = event.position()
        self._drag = None
        self._buttons = event.button()
        self._alt = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)

    def mouseMoveEvent(self, event) -> None:
        if self._press is not None and self._buttons == Qt.MouseButton.LeftButton and not self._alt:
            self._drag = event.position()
            self.update()

    def mouseReleaseEvent(self, event) -> None:
        if self._press is None:
            return
        press, end = self._press, event.position()
        self._press, self._drag = None, None
        frame = self.frame_view.index
        moved = (end - press).manhattanLength() >= DRAG_PX
        if moved and self._buttons == Qt.MouseButton.LeftButton and not self._alt:
            a, b = self.to_take(press), self.to_take(end)
            if a is None or b is None:
                self.update()
                return
            prompt = RotoPrompt("box", frame, min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
        else:
            at = self.to_take(press)
            if at is None:
                return
            negative = self._buttons == Qt.MouseButton.RightButton or self._alt
            prompt = RotoPrompt("negative" if negative else "positive", frame, at[0], at[1])
        self.add_prompt(prompt)

    def add_prompt(self, prompt: RotoPrompt) -> bool:
        """Record a prompt for the current object through the undo stack (refusals are said)."""
        if self.take is None:
            return False
        done = self.session.push(AddRotoPrompt(self.take.id, self.object_name, prompt))
        self.update()
        return done

    # -- paint --------------------------------------------------------------------------------

    def paintEvent(self, _event) -> None:
        if self.take is None or self.frame_view.index < 0:
            return
        frame = self.frame_view.index
        rect = self.picture_rect()
        painter = QPainter(self)
        names = [o.name for o in self.objects]
        for name, alpha in self.mattes:
            if frame < len(alpha):
                colour = COLOURS[(names.index(name) if name in names else len(names)) % len(COLOURS)]
                painter.drawImage(rect, tint(alpha[frame], colour))
        if self.active or self.objects:
            for index, obj in enumerate(self.objects):
                colour = COLOURS[index % len(COLOURS)]
                for p in obj.prompts:
                    if p.frame == frame:
                        self._mark(painter, p, colour)
        if self._press is not None and self._drag is not None:
            painter.setPen(QPen(QColor(255, 255, 255), 1, Qt.PenStyle.DashLine))
            painter.drawRect(QRectF(self._press, self._drag).normalized())
        painter.end()

    def _mark(self, painter: QPainter, p: RotoPrompt, colour: QColor) -> None:
        if p.kind == "box":
            painter.setPen(QPen(colour, 2))
            painter.drawRect(QRectF(self.from_take(p.x0, p.y0), self.from_take(p.x1, p.y1)))
            return
        centre = self.from_take(p.x0, p.y0)
        fill = QColor(40, 220, 90) if p.kind == "positive" else QColor(235, 50, 50)
        painter.setPen(QPen(QColor(255, 255, 255), 1.5))
        painter.setBrush(fill)
        painter.drawEllipse(centre, 5, 5)
        painter.setBrush(Qt.BrushStyle.NoBrush)


def tint(alpha: np.ndarray, colour: QColor) -> QImage:
    """One frame of a matte as a translucent colour image (ARGB32 premultiplied)."""
    a = (alpha.astype(np.float32) * OVERLAY_ALPHA).astype(np.uint8)
    rgba = np.empty(alpha.shape + (4,), np.uint8)
    for channel, value in enumerate((colour.blue(), colour.green(), colour.red())):
        rgba[..., channel] = (a.astype(np.uint16) * value // 255).astype(np.uint8)
    rgba[..., 3] = a
    image = QImage(rgba.data, alpha.shape[1], alpha.shape[0], alpha.shape[1] * 4, QImage.Format.Format_ARGB32_Premultiplied)
    return image.copy()  # own the pixels: the array goes away


class RotoBar(QWidget):
    """Roto on/off, the object the clicks go to (type a new name for another object), Track."""

    def __init__(self, session, overlay: RotoOverlay, parent: QWidget | None = None, shown=None):
        super().__init__(parent)
        self.session = session
        self.overlay = overlay
        self.shown = shown or (lambda: overlay.take.id if overlay.take is not None else None)  # the viewer's take id
        self.toggle = QToolButton()
        self.toggle.setText("Roto")
        self.toggle.setCheckable(True)
        self.toggle.setToolTip("Click the object (left), not the object (Alt+click or right), or drag a box; "
                               "each click is undoable")
        self.toggle.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.toggle.toggled.connect(self._on_toggled)
        self.object_box = QComboBox()
        self.object_box.setEditable(True)
        self.object_box.setToolTip("The object these clicks belong to; type a name for another object")
        self.object_box.addItem(overlay.object_name)
        self.object_box.currentTextChanged.connect(self._on_name)
        self.track_button = QPushButton("Track")
        self.track_button.setToolTip("Propagate the clicks through the take with SAM 2 (a queued job)")
        self.track_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.track_button.clicked.connect(self.track)
        self.status = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.toggle, self.object_box, self.track_button):
            layout.addWidget(w)
        layout.addWidget(self.status, 1)
        self.set_take(None)

    def set_take(self, take) -> None:
        video = take is not None and take.kind is MediaKind.VIDEO
        self.overlay.set_take(take if video else None)
        for w in (self.toggle, self.object_box, self.track_button):
            w.setEnabled(video)
        if not video and self.toggle.isChecked():
            self.toggle.setChecked(False)
        self.overlay.set_active(self.toggle.isChecked())
        self.status.setText("")

    def _on_toggled(self, on: bool) -> None:
        self.overlay.set_active(on)

    def _on_name(self, text: str) -> None:
        if text.strip():
            self.overlay.object_name = text.strip()

    def track(self) -> int | None:
        """Queue the segment job for the take's prompts now; the window's runner runs it."""
        from director.engine.roto import DEFAULT_PRESET, queue_roto
        from director.engine.presets import all_presets
        from director.engine.loading import weights_present

        take = self.overlay.take
        if take is None or self.shown() != take.id:  # the viewer shows no take (or another) now
            return None
        segment = [p for p in all_presets() if p.kind == "segment"]
        ready = [p for p in segment if weights_present(p)]
        preset = ready[0].id if ready else DEFAULT_PRESET  # a missing one fails with how to get it
        try:
            queued = queue_roto(self.session.project, take.id, preset)
        except DirectorError as exc:
            self.session.error_raised.emit(str(exc))
            return None
        self.session.announce(queued.changes)
        self.status.setText(f"tracking with {preset} (job {queued.job_ids[0]})")
        return queued.job_ids[0]


def attach_roto(viewer) -> RotoBar:
    """Put the roto overlay over the viewer's picture and its bar under it; follow the shown take."""
    overlay = RotoOverlay(viewer.session, viewer.frame_view)
    bar = RotoBar(viewer.session, overlay, viewer, shown=lambda: viewer.take_id)
    layout = viewer.layout()
    layout.insertWidget(layout.indexOf(viewer.frame_view) + 1, bar)
    viewer.take_shown.connect(lambda _take_id: bar.set_take(viewer.info.take if viewer.info else None))
    viewer.player.frame_shown.connect(lambda *_: overlay.update())
    return bar
