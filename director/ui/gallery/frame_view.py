"""A widget that draws one decoded frame, letterboxed, and remembers which frame index it shows.

Tiny presets make 64-pixel pictures; they are scaled up without smoothing so a director sees the
real pixels rather than a blur that flatters them.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget


class FrameView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._image: QImage | None = None
        self.index = -1
        self.message = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 90)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def sizeHint(self) -> QSize:
        return QSize(480, 270)

    def image(self) -> QImage | None:
        return self._image

    def set_frame(self, index: int, image: QImage | None) -> None:
        self.index = index
        self._image = image
        self.message = ""
        self.update()

    def set_message(self, text: str) -> None:
        self._image, self.index, self.message = None, -1, text
        self.update()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(12, 12, 14))
        if self._image is not None and not self._image.isNull():
            size = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(self.rect().center())
            upscale = size.width() > self._image.width() * 2
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, not upscale)
            painter.drawImage(target, self._image)
        elif self.message:
            painter.setPen(QColor(180, 180, 180))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
        painter.end()
