"""Paints one gallery tile: thumbnail, stars, selected/rejected, camera letter, random-weights badge,
a chain badge for lineage (a version of another take, or a take with versions), the continuity
QC badge (green, amber, red; none until measured),
and 'media missing' / 'media damaged' / 'media tampered' when the take's file cannot be shown.

Painting reads three model roles and cached pixmaps: the stars, badges and camera letters are
drawn once into small pixmaps and reused, so a tile costs a handful of Qt calls and scrolling a
2,000-take gallery never waits on the disk or on text layout.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from director.core.blocking import PREVIZ_LABEL, PREVIZ_PRESET
from director.core.enums import TakeFlag
from director.ui.gallery.thumbnails import THUMB_SIZE
from director.ui.media_health import BADGES
from director.ui.models.takes_model import TakesModel

PAD = 6
CAPTION_H = 22
SELECTED = QColor(70, 190, 110)
REJECTED = QColor(215, 70, 70)
TINY = QColor(120, 80, 170)
BROKEN = QColor(180, 40, 40)
STAR_ON = QColor(245, 195, 60)
STAR_OFF = QColor(110, 110, 115)
LINK = QColor(60, 120, 200)
QC_COLOURS = {"green": QColor(60, 170, 90), "amber": QColor(230, 160, 30), "red": QColor(210, 50, 50)}


class TakeDelegate(QStyledItemDelegate):
    def __init__(self, parent=None, thumb: QSize = THUMB_SIZE):
        super().__init__(parent)
        self.thumb = QSize(thumb)
        self._small = QFont()
        self._small.setPointSizeF(max(6.0, self._small.pointSizeF() * 0.85))
        self._pixmaps: dict[tuple, QPixmap] = {}

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        return QSize(self.thumb.width() + 2 * PAD, self.thumb.height() + CAPTION_H + 2 * PAD)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        take = index.data(TakesModel.TakeRole)
        if take is None:
            return
        painter.save()
        rect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, option.palette.highlight())
        box = QRect(rect.left() + PAD, rect.top() + PAD, self.thumb.width(), self.thumb.height())
        pixmap = index.data(TakesModel.ThumbnailRole)
        if isinstance(pixmap, QPixmap) and not pixmap.isNull():
            size = pixmap.size().scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawPixmap(box.left() + (box.width() - size.width()) // 2, box.top() + (box.height() - size.height()) // 2, size.width(), size.height(), pixmap)

        if take.flag is not TakeFlag.NONE:
            picked = take.flag is TakeFlag.SELECTED
            painter.setPen(QPen(SELECTED if picked else REJECTED, 3))
            painter.drawRect(box.adjusted(1, 1, -2, -2))
            badge = self._badge("✔ select" if picked else "✘ reject", SELECTED if picked else REJECTED)
            painter.drawPixmap(box.right() - 3 - badge.width(), box.bottom() - 3 - badge.height(), badge)
        letter = self._letter(str(index.data(TakesModel.CameraRole) or ""))
        painter.drawPixmap(box.left() + 4, box.top() + 4, letter)
        linked = index.data(TakesModel.LineageRole)
        if linked:  # the chain: a version of another take, or a take with versions
            badge = self._badge(f"⛓ from {take.parent_take_id}" if linked == "version" else "⛓ versions", LINK)
            painter.drawPixmap(box.left() + 4, box.bottom() - 3 - badge.height(), badge)
        if take.preset.startswith("tiny-"):
            badge = self._badge("random weights", TINY)
            painter.drawPixmap(box.right() - 3 - badge.width(), box.top() + 4, badge)
        elif take.preset == PREVIZ_PRESET:  # drawn from the blocking, not generated
            badge = self._badge(PREVIZ_LABEL, LINK)
            painter.drawPixmap(box.right() - 3 - badge.width(), box.top() + 4, badge)
        problem = index.data(TakesModel.MediaProblemRole)
        if problem:
            painter.fillRect(box, QColor(0, 0, 0, 110))
            badge = self._badge(BADGES[problem], BROKEN)
            painter.drawPixmap(box.left() + (box.width() - badge.width()) // 2, box.top() + (box.height() - badge.height()) // 2, badge)

        stars = self._stars(take.rating)
        painter.drawPixmap(rect.left() + PAD, box.bottom() + 1 + (CAPTION_H - stars.height()) // 2, stars)
        qc_width = 0
        qc = index.data(TakesModel.QcRole)
        if qc in QC_COLOURS:  # continuity QC, right of the caption
            badge = self._qc_badge(qc)
            painter.drawPixmap(rect.left() + PAD + self.thumb.width() - badge.width(), box.bottom() + 1 + (CAPTION_H - badge.height()) // 2, badge)
            qc_width = badge.width() + 4
        painter.setFont(self._small)
        painter.setPen(option.palette.highlightedText().color() if selected else option.palette.text().color())
        caption = QRect(rect.left() + PAD + stars.width(), box.bottom() + 2, self.thumb.width() - stars.width() - qc_width, CAPTION_H - 2)
        painter.drawText(caption, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, f"seed {take.seed}")
        painter.restore()

    # -- cached decorations ------------------------------------------------------------------

    def _cached(self, key: tuple, size: QSize, draw) -> QPixmap:
        pixmap = self._pixmaps.get(key)
        if pixmap is None:
            pixmap = QPixmap(size)
            pixmap.fill(Qt.GlobalColor.transparent)
            p = QPainter(pixmap)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setFont(self._small)
            draw(p)
            p.end()
            self._pixmaps[key] = pixmap
        return pixmap

    def _stars(self, rating: int) -> QPixmap:
        def draw(p: QPainter) -> None:
            for i in range(5):
                p.setPen(STAR_ON if i < rating else STAR_OFF)
                p.drawText(QRect(i * 12, 0, 12, 16), Qt.AlignmentFlag.AlignCenter, "★")

        return self._cached(("stars", rating), QSize(60, 16), draw)

    def _letter(self, letter: str) -> QPixmap:
        def draw(p: QPainter) -> None:
            if not letter:
                return
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(0, 0, 0, 170))
            p.drawEllipse(0, 0, 20, 20)
            p.setPen(QColor(240, 240, 240))
            p.drawText(QRect(0, 0, 20, 20), Qt.AlignmentFlag.AlignCenter, letter[:2])

        return self._cached(("camera", letter), QSize(20, 20), draw)

    def _qc_badge(self, grade: str) -> QPixmap:
        def draw(p: QPainter) -> None:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QC_COLOURS[grade])
            p.drawRoundedRect(QRect(0, 0, 26, 14), 7, 7)
            p.setPen(QColor(255, 255, 255))
            p.drawText(QRect(0, 0, 26, 14), Qt.AlignmentFlag.AlignCenter, "QC")

        return self._cached(("qc", grade), QSize(26, 14), draw)

    def _badge(self, text: str, colour: QColor) -> QPixmap:
        key = ("badge", text)
        if key in self._pixmaps:
            return self._pixmaps[key]
        from PySide6.QtGui import QFontMetrics

        metrics = QFontMetrics(self._small)
        size = QSize(metrics.horizontalAdvance(text) + 8, metrics.height() + 2)

        def draw(p: QPainter) -> None:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            p.drawRoundedRect(QRect(0, 0, size.width(), size.height()), 3, 3)
            p.setPen(QColor(255, 255, 255))
            p.drawText(QRect(0, 0, size.width(), size.height()), Qt.AlignmentFlag.AlignCenter, text)

        return self._cached(key, size, draw)
