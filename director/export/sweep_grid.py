"""A sweep's X/Y grid as a PNG (opencv) or a PDF (fpdf2): the parameter values across, the other
axes down, each cell a still of its take — what the window's sweep view shows, for a printout or
a message. No Qt, so the command line and the window write the same files.

A cell with no take yet says why (queued, running, failed, in the bin); a take whose file is
missing or damaged is drawn as a 'media missing' card and named in the returned list, so one bad
file never stops the sheet.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import cv2
import numpy as np

from director import __version__
from director.core.errors import DirectorError, InvalidInput
from director.export.common import atomic_output
from director.export.contact_sheet import FONT, INK, MUTED, drawable
from director.export.frames import DECODE_ERRORS, MediaIssue, MediaPaths, damaged, media_issue
from director.export.storyboard import Still, load_still, missing_card, placeholder_card
from director.store.sweeps import GridCell, GridLayout, SweepGrid


@dataclass(frozen=True)
class GridSheet:
    """What a grid export draws: the sweep, its layout on two axes, a heading and the frame shape."""

    grid: SweepGrid
    layout: GridLayout
    heading: str  # e.g. the project's name
    aspect: float  # picture height / width

    @property
    def subtitle(self) -> str:
        return f"{self.grid.sweep.describe()}   ({self.layout.title})"


def cell_picture(cell: GridCell | None, media: MediaPaths, width: int, height: int, issues: list[MediaIssue]) -> np.ndarray:
    """A cell's still (its take's first frame), or a card saying why there is none."""
    if cell is None:
        return placeholder_card(width, height, "no cell")
    if cell.take_id is None or cell.media_path is None:
        return placeholder_card(width, height, cell.status_text)
    issue = media_issue(media, cell.media_path, cell.kind, take_id=cell.take_id, decode=False)
    if issue is None:
        try:
            return load_still(Still(cell.media_path, cell.kind or "image"), media, width, height)
        except DECODE_ERRORS as exc:
            issue = damaged(cell.take_id, "", cell.media_path, media.path(cell.media_path), exc)
    issues.append(issue)
    return missing_card(width, height, f"media {issue.problem}")


def _put(img, text: str, x: int, y: int, scale: float, color=INK, thick: int = 1, max_w: int | None = None) -> None:
    text = drawable(text)
    if max_w is not None and cv2.getTextSize(text, FONT, scale, thick)[0][0] > max_w:
        while text and cv2.getTextSize(text + "...", FONT, scale, thick)[0][0] > max_w:
            text = text[:-1]
        text = text.rstrip() + "..."
    cv2.putText(img, text, (x, y), FONT, scale, color, thick, cv2.LINE_AA)


def render_grid_png(sheet: GridSheet, media: MediaPaths, dest: str | os.PathLike, *, cell_width: int = 256) -> tuple[tuple[int, int], list[MediaIssue]]:
    """Write the grid as one PNG; return its (width, height) and the takes whose media could not be drawn."""
    if not 64 <= cell_width <= 1920:
        raise InvalidInput("the cell width must be 64 to 1920 pixels")
    layout = sheet.layout
    cols, nrows = len(layout.columns), len(layout.rows)
    pic_w, pic_h = cell_width, max(2, round(cell_width * sheet.aspect))
    scale = cell_width / 400
    line = max(14, round(30 * scale))
    margin = max(8, round(16 * scale))
    label_w = 0
    if layout.y_axes:  # as wide as the longest row label needs, at most one cell
        widest = max(cv2.getTextSize(drawable(part), FONT, scale * 0.85, 1)[0][0] for r in range(nrows) for part in layout.row_label(r).split(" · "))
        label_w = min(cell_width, widest + 2 * margin)
    header = 3 * line + margin
    col_head = line + margin // 2 if layout.x_axis else 0
    cell_h = pic_h + line
    width = margin + label_w + cols * (pic_w + margin)
    height = header + col_head + nrows * (cell_h + margin) + margin
    img = np.full((height, width, 3), 255, np.uint8)
    _put(img, sheet.heading, margin, margin + line, scale * 1.3, INK, 2, width - 2 * margin)
    _put(img, sheet.subtitle, margin, margin + round(2.2 * line), scale * 0.8, MUTED, 1, width - 2 * margin)
    issues: list[MediaIssue] = []
    x0, y0 = margin + label_w, header + col_head
    for c in range(cols):
        if layout.x_axis:
            _put(img, layout.column_label(c), x0 + c * (pic_w + margin), header + line - margin // 2, scale * 0.9, INK, 2, pic_w)
    for r in range(nrows):
        y = y0 + r * (cell_h + margin)
        if layout.y_axes:
            for k, part in enumerate(layout.row_label(r).split(" · ")):
                _put(img, part, margin, y + (k + 1) * line, scale * 0.85, INK, 1, label_w - margin)
        for c in range(cols):
            x = x0 + c * (pic_w + margin)
            cell = layout.cell(r, c)
            img[y : y + pic_h, x : x + pic_w] = cell_picture(cell, media, pic_w, pic_h, issues)
            cv2.rectangle(img, (x, y), (x + pic_w - 1, y + pic_h - 1), (200, 200, 200), 1)
            if cell is not None:
                _put(img, f"{cell.status_text}  (job {cell.job_id})", x, y + pic_h + line - 4, scale * 0.7, MUTED, 1, pic_w)
    with atomic_output(dest) as temp:
        ok, encoded = cv2.imencode(".png", img)
        if not ok:
            raise DirectorError("could not encode the sweep grid as PNG")
        temp.write_bytes(encoded.tobytes())
    return (width, height), issues


def _new_pdf(title: str):
    """Landscape A4 with the storyboard's embedded DejaVu Sans, so any prompt or name reads the same."""
    from fpdf import FPDF  # imported here: the command line's parser must not pay for it

    from director.export.storyboard_pdf import FONT as PDF_FONT
    from director.export.storyboard_pdf import MARGIN, font_files

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(False)
    for style, path in font_files().items():
        pdf.add_font(PDF_FONT, style, str(path))
    pdf.set_title(title)
    pdf.set_creator(f"Director {__version__}")
    pdf.set_author("Director")
    return pdf


def render_grid_pdf(sheet: GridSheet, media: MediaPaths, dest: str | os.PathLike) -> tuple[int, list[MediaIssue]]:
    """Write the grid as a landscape A4 PDF, rows continued over as many pages as they need;
    return the page count and the takes whose media could not be drawn."""
    from director.export.storyboard_pdf import DPI, FRAME, MARGIN, PT, _fit, _font, _jpeg

    layout = sheet.layout
    cols, nrows = len(layout.columns), len(layout.rows)
    issues: list[MediaIssue] = []
    with atomic_output(dest) as temp:
        pdf = _new_pdf(f"{sheet.heading}: sweep {sheet.grid.sweep.id}")
        gap = 4 * PT
        label_w = 42.0 if layout.y_axes else 0.0
        head_h = 32 * PT
        col_head = 12 * PT if layout.x_axis else 0.0
        caption = 9 * PT
        cell_w = (pdf.epw - label_w - gap * cols) / cols
        pic_h = cell_w * sheet.aspect
        usable = pdf.eph - head_h - col_head
        if pic_h + caption > usable:  # a tall frame: fit the height instead
            pic_h = usable - caption - gap
            cell_w = pic_h / sheet.aspect
        per_page = max(1, int((usable + gap) // (pic_h + caption + gap)))
        pages = math.ceil(nrows / per_page)
        for page in range(pages):
            pdf.add_page()
            line = _font(pdf, 13, True)
            pdf.set_xy(MARGIN, MARGIN)
            pdf.cell(pdf.epw, line, _fit(pdf, sheet.heading, pdf.epw * 0.7), align="L")
            small = _font(pdf, 8, color=MUTED)
            pdf.set_xy(MARGIN, MARGIN)
            pdf.cell(pdf.epw, line, f"page {page + 1} of {pages}", align="R")
            pdf.set_xy(MARGIN, MARGIN + line)
            pdf.cell(pdf.epw, small, _fit(pdf, sheet.subtitle, pdf.epw), align="L")
            top = MARGIN + head_h
            x0 = MARGIN + label_w
            if layout.x_axis:
                _font(pdf, 9, True)
                for c in range(cols):
                    pdf.set_xy(x0 + c * (cell_w + gap), top)
                    pdf.cell(cell_w, col_head, _fit(pdf, layout.column_label(c), cell_w), align="C")
            for i, r in enumerate(range(page * per_page, min(nrows, (page + 1) * per_page))):
                y = top + col_head + i * (pic_h + caption + gap)
                if layout.y_axes:
                    lh = _font(pdf, 8.5)
                    for k, part in enumerate(layout.row_label(r).split(" · ")):
                        pdf.set_xy(MARGIN, y + k * lh)
                        pdf.cell(label_w - gap, lh, _fit(pdf, part, label_w - gap))
                for c in range(cols):
                    x = x0 + c * (cell_w + gap)
                    cell = layout.cell(r, c)
                    px = (max(2, round(cell_w / 25.4 * DPI)), max(2, round(pic_h / 25.4 * DPI)))
                    pdf.image(_jpeg(cell_picture(cell, media, px[0], px[1], issues)), x, y, cell_w, pic_h)
                    pdf.set_draw_color(*FRAME)
                    pdf.set_line_width(0.2)
                    pdf.rect(x, y, cell_w, pic_h)
                    if cell is not None:
                        _font(pdf, 7, color=MUTED)
                        pdf.set_xy(x, y + pic_h)
                        pdf.cell(cell_w, caption, _fit(pdf, f"{cell.status_text} (job {cell.job_id})", cell_w))
        pdf.output(str(temp))
    return pages, issues
