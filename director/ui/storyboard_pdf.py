"""The storyboard as a PDF through Qt's QPdfWriter: a title page, then N panels per page.

Draws only from the pure layout in director/export/storyboard.py. QPdfWriter needs a
QGuiApplication for fonts; `ensure_gui_app` makes an offscreen one when run from the CLI (the
window already has one). Written to a temporary file and renamed, like every export.
"""

from __future__ import annotations

import math
import os

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from director import __version__
from director.core.errors import DirectorError, InvalidInput
from director.export.common import CancelFn, ProgressFn, Reporter, atomic_output
from director.export.frames import MediaPaths, Skipped
from director.export.storyboard import Panel, Storyboard, panel_picture

PANELS_PER_PAGE = (1, 2, 4, 6, 8, 9, 12)
DPI = 150


def ensure_gui_app() -> QGuiApplication:
    """The running application, or a new offscreen one for headless use (CLI, tests).

    A QApplication, not a bare QGuiApplication: a process can have only one, and anything that
    later shows a widget in the same process (a test session, a script) needs the widget kind.
    """
    app = QGuiApplication.instance()
    if app is None:
        from PySide6.QtWidgets import QApplication

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication([])
    return app


def grid(n: int) -> tuple[int, int]:
    """(columns, rows) for n panels on a landscape page: wider than tall, as few empty cells as can be."""
    cols = {1: 1, 2: 2, 4: 2, 6: 3, 8: 4, 9: 3, 12: 4}.get(n) or math.ceil(math.sqrt(n * 1.4))
    return cols, math.ceil(n / cols)


def _qimage(bgr) -> QImage:
    h, w = bgr.shape[:2]
    # .copy(): the QImage must own its pixels once the numpy array goes away.
    return QImage(bgr.data, w, h, bgr.strides[0], QImage.Format.Format_BGR888).copy()


def _font(size_pt: float, bold: bool = False) -> QFont:
    f = QFont("DejaVu Sans")
    f.setPointSizeF(size_pt)
    f.setBold(bold)
    return f


def _title_page(p: QPainter, board: Storyboard, page: QRectF) -> None:
    p.setFont(_font(28, True))
    p.drawText(QRectF(page.left(), page.top() + page.height() * 0.25, page.width(), page.height() * 0.15), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, board.project)
    p.setFont(_font(14))
    lines = [
        f"Storyboard, {board.order} order",
        f"Made on {board.made_on}",
        f"{board.shot_count} shots, {len(board.panels)} panels",
        f"Running time {float(board.rate.seconds(board.total_frames)):.1f} s ({board.total_frames} frames at {board.rate} fps)",
        f"Generation cost {board.money_text()}",
    ]
    p.drawText(QRectF(page.left(), page.top() + page.height() * 0.45, page.width(), page.height() * 0.4), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, "\n".join(lines))
    p.setFont(_font(8))
    p.setPen(QColor(120, 120, 120))
    p.drawText(page, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, f"Director {__version__}")
    p.setPen(QColor(0, 0, 0))


def _panel(p: QPainter, board: Storyboard, panel: Panel, cell: QRectF, media: MediaPaths, scale: float, skipped: Skipped | None) -> None:
    aspect = board.height / board.width if board.width else 9 / 16
    text_h = cell.height() * 0.36
    pic_h = min(cell.height() - text_h, cell.width() * aspect)
    pic_w = pic_h / aspect
    pic = QRectF(cell.left() + (cell.width() - pic_w) / 2, cell.top(), pic_w, pic_h)
    px_w, px_h = max(2, int(pic_w)), max(2, int(pic_h))
    p.drawImage(pic, _qimage(panel_picture(panel, media, px_w, px_h, skipped)))
    p.setPen(QPen(QColor(180, 180, 180), 1))
    p.drawRect(pic)
    p.setPen(QColor(0, 0, 0))
    y = pic.bottom() + 4 * scale
    head = f"{panel.number}.  {panel.shot_code}" + (f"  cam {panel.camera}" if panel.camera else "") + (f"  take {panel.take_id}" if panel.take_id else "  (no take yet)")
    p.setFont(_font(9, True))
    line = p.fontMetrics().height()
    p.drawText(QRectF(cell.left(), y, cell.width(), line), Qt.AlignmentFlag.AlignLeft, head)
    p.setFont(_font(8))
    small = p.fontMetrics().height()
    p.setPen(QColor(90, 90, 90))
    p.drawText(QRectF(cell.left(), y + line, cell.width(), small), Qt.AlignmentFlag.AlignLeft, f"{panel.duration_text(board.rate)}    {board.money_text(panel.money)}")
    p.setPen(QColor(0, 0, 0))
    body = QRectF(cell.left(), y + line + small * 1.2, cell.width(), cell.bottom() - (y + line + small * 1.2))
    text = panel.prompt + (f"\n\nNotes: {panel.notes}" if panel.notes else "")
    p.drawText(body, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap, text)


def render_storyboard_pdf(
    board: Storyboard,
    media: MediaPaths,
    dest: str | os.PathLike,
    *,
    panels_per_page: int = 6,
    progress: ProgressFn | None = None,
    is_cancelled: CancelFn | None = None,
    skipped: Skipped | None = None,
) -> int:
    """Write the PDF (landscape A4); return its page count (title page included).

    A panel whose take's media is missing, damaged or tampered raises TakeMediaError (nothing is
    written); given a `skipped` list it shows a 'media missing' card and the take is added there."""
    if panels_per_page not in PANELS_PER_PAGE:
        raise InvalidInput(f"panels per page must be one of {', '.join(map(str, PANELS_PER_PAGE))}, got {panels_per_page}")
    if not board.panels:
        raise InvalidInput("the storyboard has no panels: add shots (or takes to the cut) first")
    ensure_gui_app()
    cols, rows = grid(panels_per_page)
    pages = 1 + math.ceil(len(board.panels) / panels_per_page)
    reporter = Reporter(len(board.panels), progress, is_cancelled)
    reporter.start()
    with atomic_output(dest) as temp:
        writer = QPdfWriter(str(temp))
        writer.setResolution(DPI)
        writer.setTitle(f"{board.project} storyboard")
        writer.setCreator(f"Director {__version__}")
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape, QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter))
        painter = QPainter()
        if not painter.begin(writer):
            raise DirectorError(f"cannot write the PDF {temp.name}")
        try:
            page = QRectF(writer.pageLayout().paintRectPixels(DPI))
            page.moveTo(0, 0)
            scale = DPI / 72
            _title_page(painter, board, page)
            gap = 6 * scale
            header = 14 * scale
            cell_w = (page.width() - gap * (cols - 1)) / cols
            cell_h = (page.height() - header - gap * (rows - 1)) / rows
            for i, panel in enumerate(board.panels):
                reporter.check()
                slot = i % panels_per_page
                if slot == 0:
                    writer.newPage()
                    painter.setFont(_font(8))
                    painter.setPen(QColor(120, 120, 120))
                    painter.drawText(QRectF(0, 0, page.width(), header), Qt.AlignmentFlag.AlignLeft, f"{board.project}  storyboard  {board.made_on}")
                    painter.drawText(QRectF(0, 0, page.width(), header), Qt.AlignmentFlag.AlignRight, f"page {i // panels_per_page + 2} of {pages}")
                    painter.setPen(QColor(0, 0, 0))
                r, c = divmod(slot, cols)
                cell = QRectF(c * (cell_w + gap), header + r * (cell_h + gap), cell_w, cell_h)
                _panel(painter, board, panel, cell, media, scale, skipped)
                reporter.step()
        finally:
            painter.end()
    return pages
