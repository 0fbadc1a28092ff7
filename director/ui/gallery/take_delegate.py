"""Paints one gallery tile: thumbnail, stars, selected/rejected, camera letter, random-weights badge.

Painting reads only model roles and cached pixmaps, so a tile costs microseconds and scrolling a
2,000-take gallery never waits on the disk.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from director.ui.gallery.thumbnails import THUMB_SIZE
from director.ui.models.takes_model import TakesModel

PAD = 6
CAPTION_H = 22
SELECTED = QColor(70, 190, 110)
REJECTED = QColor(215, 70, 70)
STAR_ON = QColor(245, 195, 60)
STAR_OFF = QColor(110, 110, 115)


class TakeDelegate(QStyledItemDelegate):
    def __init__(self, parent=None, thumb: QSize = THUMB_SIZE):
        super().__init__(parent)
        self.thumb = QSize(thumb)
        self._small = QFont()
        self._small.setPointSizeF(max(6.0, self._small.pointSizeF() * 0.85))

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        return QSize(self.thumb.width() + 2 * PAD, self.thumb.height() + CAPTION_H + 2 * PAD)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        painter.save()
        rect = option.rect
        palette = option.palette
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, palette.highlight())
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, palette.alternateBase())

        box = QRect(rect.left() + PAD, rect.top() + PAD, self.thumb.width(), self.thumb.height())
        pixmap = index.data(TakesModel.ThumbnailRole)
        if isinstance(pixmap, QPixmap) and not pixmap.isNull():
            size = pixmap.size().scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(box.center())
            painter.drawPixmap(target, pixmap)

        flag = index.data(TakesModel.FlagRole)
        if flag in ("selected", "rejected"):
            colour = SELECTED if flag == "selected" else REJECTED
            painter.setPen(QPen(colour, 3))
            painter.drawRect(box.adjusted(1, 1, -2, -2))
            self._badge(painter, box.right() - 4, box.bottom() - 4, "✔ select" if flag == "selected" else "✘ reject", colour, align_right=True, bottom=True)

        self._camera_letter(painter, box, str(index.data(TakesModel.CameraRole) or ""))
        if index.data(TakesModel.RandomWeightsRole):
            self._badge(painter, box.right() - 4, box.top() + 4, "random weights", QColor(120, 80, 170), align_right=True)

        caption = QRect(rect.left() + PAD, box.bottom() + 2, self.thumb.width(), CAPTION_H - 2)
        rating = int(index.data(TakesModel.RatingRole) or 0)
        painter.setFont(self._small)
        x = caption.left()
        for i in range(5):
            painter.setPen(STAR_ON if i < rating else STAR_OFF)
            painter.drawText(QRect(x, caption.top(), 12, caption.height()), Qt.AlignmentFlag.AlignVCenter, "★")
            x += 12
        painter.setPen(palette.highlightedText().color() if option.state & QStyle.StateFlag.State_Selected else palette.text().color())
        painter.drawText(caption.adjusted(66, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, f"seed {index.data(TakesModel.SeedRole)}")
        painter.restore()

    def _camera_letter(self, painter: QPainter, box: QRect, letter: str) -> None:
        if not letter:
            return
        circle = QRect(box.left() + 4, box.top() + 4, 20, 20)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 170))
        painter.drawEllipse(circle)
        painter.setPen(QColor(240, 240, 240))
        painter.setFont(self._small)
        painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, letter[:2])

    def _badge(self, painter: QPainter, x: int, y: int, text: str, colour: QColor, align_right: bool = False, bottom: bool = False) -> None:
        painter.setFont(self._small)
        metrics = painter.fontMetrics()
        w, h = metrics.horizontalAdvance(text) + 8, metrics.height() + 2
        left = x - w if align_right else x
        top = y - h if bottom else y
        badge = QRect(left, top, w, h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(badge, 3, 3)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
