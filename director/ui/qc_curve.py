"""The continuity QC strip under the take viewer: one bar per frame, as tall as the frame's worst
score measured against its amber level and coloured by its grade (core.qc), the worst frames
marked; a click seeks the viewer there. It reads one stored row (store.qc), never a frame.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from director.core import qc as rules
from director.store import qc as store_qc

COLOURS = {rules.GREEN: QColor(60, 170, 90), rules.AMBER: QColor(230, 160, 30), rules.RED: QColor(210, 50, 50)}
CEILING = 3.0  # a bar at full height is three times its amber level or worse
MARKS = 5  # worst frames marked


def frame_badness(qc: store_qc.TakeQc, th: rules.Thresholds) -> list[tuple[float, int | None, str | None]]:
    """Per frame: (height 0..1, grade, the metric that set it)."""
    out: list[tuple[float, int | None, str | None]] = []
    for i in range(qc.frames):
        found = []
        for key in rules.FRAME_METRICS:
            curve = qc.curves.get(key, [])
            value = curve[i] if i < len(curve) else None
            if value is not None:
                found.append((rules.grade_value(key, value, th), rules.severity({key: value}, th), key))
        if not found:
            out.append((0.0, None, None))
            continue
        grade, ratio, key = max(found)
        out.append((min(ratio, CEILING) / CEILING, grade, key))
    return out


class QcCurve(QWidget):
    """`frame_clicked(frame)` when the user clicks a frame (the viewer seeks there)."""

    frame_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("qcCurve")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.qc: store_qc.TakeQc | None = None
        self.thresholds = rules.Thresholds()
        self.bars: list[tuple[float, int | None, str | None]] = []
        self.worst: list[int] = []  # marked frames, worst first
        self.position = 0
        self.message = ""

    def sizeHint(self) -> QSize:
        return QSize(300, 44)

    def minimumSizeHint(self) -> QSize:
        return QSize(60, 44)

    def load(self, project, take_id: int | None, video: bool = True) -> None:
        """Show a take's QC (one primary-key read); stills and unmeasured takes say so."""
        self.qc, self.bars, self.worst = None, [], []
        if take_id is None or not video:
            self.message = ""
            self.setVisible(False)
            return
        self.setVisible(True)
        qc = store_qc.get(project, take_id)
        self.thresholds = store_qc.thresholds(project)
        if qc is None:
            self.message = "QC: not measured yet"
        elif qc.error:
            self.message = f"QC failed: {qc.error}"
        else:
            self.qc, self.message = qc, ""
            self.bars = frame_badness(qc, self.thresholds)
            flagged = sorted((i for i, (_, g, _) in enumerate(self.bars) if g is not None and g >= rules.AMBER),
                             key=lambda i: (-(self.bars[i][1] or 0), -self.bars[i][0], i))
            self.worst = flagged[:MARKS]
        self.setToolTip(self._summary())
        self.update()

    def set_position(self, frame: int) -> None:
        if frame != self.position:
            self.position = frame
            self.update()

    def frame_at(self, x: float) -> int:
        n = max(1, len(self.bars))
        return max(0, min(n - 1, int(x / max(1, self.width()) * n)))

    def frame_x(self, frame: int) -> float:
        """The centre of a frame's bar (what a click there selects)."""
        n = max(1, len(self.bars))
        return (frame + 0.5) * self.width() / n

    def _summary(self) -> str:
        if self.qc is None:
            return self.message
        lines = [f"Continuity QC: {rules.GRADE_NAMES[self.qc.grade] if self.qc.grade is not None else 'not graded'}"]
        lines += [rules.describe(k, self.qc.scores.get(k), self.thresholds) for k in rules.FRAME_METRICS]
        if self.worst:
            lines.append("Worst frames (click to go there): " + ", ".join(str(f + 1) for f in self.worst))
        return "\n".join(lines)

    # -- painting and input ------------------------------------------------------------------

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(28, 28, 30))
        if not self.bars:
            p.setPen(QColor(170, 170, 170))
            p.drawText(self.rect().adjusted(6, 0, -6, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self.message)
            return
        w, h = self.width(), self.height() - 8
        n = len(self.bars)
        step = w / n
        amber_y = 8 + h * (1 - 1 / CEILING)
        for i, (height, grade, _) in enumerate(self.bars):
            if grade is None:
                continue
            bar_h = max(1.0, height * h)
            p.fillRect(QRectF(i * step, 8 + h - bar_h, max(1.0, step - 1), bar_h), COLOURS[grade])
        p.setPen(QPen(QColor(230, 160, 30, 140), 1, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(0, amber_y), QPointF(w, amber_y))
        p.setPen(Qt.PenStyle.NoPen)
        for frame in self.worst:  # a red triangle over each worst frame
            x = self.frame_x(frame)
            p.setBrush(QColor(255, 80, 80))
            p.drawPolygon(QPolygonF([QPointF(x - 4, 0), QPointF(x + 4, 0), QPointF(x, 7)]))
        p.setPen(QPen(QColor(240, 240, 240), 1))
        x = self.frame_x(self.position)
        p.drawLine(QPointF(x, 0), QPointF(x, self.height()))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.bars and event.button() == Qt.MouseButton.LeftButton:
            frame = self.frame_at(event.position().x())
            # A click within a few pixels of a worst-frame mark lands on that frame exactly.
            near = [f for f in self.worst if abs(self.frame_x(f) - event.position().x()) <= 5]
            self.frame_clicked.emit(near[0] if near else frame)
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self.qc is not None and self.bars:
            frame = self.frame_at(event.position().x())
            values = []
            for key in rules.FRAME_METRICS:
                curve = self.qc.curves.get(key, [])
                if frame < len(curve) and curve[frame] is not None:
                    values.append(f"{rules.METRICS[key].label} {curve[frame]:.2f}")
            QToolTip.showText(event.globalPosition().toPoint(), f"frame {frame + 1}: " + " · ".join(values), self)
        super().mouseMoveEvent(event)
