"""The storyboard as a PDF, drawn with fpdf2: a title page, then N panels per landscape A4 page.

No Qt: the command line, the window and a server write the same file with the same code. Draws
only from the pure layout in storyboard.py. Text is set in DejaVu Sans, embedded (as a subset), so
any prompt or title in any European script reads the same everywhere ("Le Phare — été"). Written
to a temporary file beside the destination and renamed, like every export.
"""

from __future__ import annotations

import io
import math
import os
from pathlib import Path

import cv2

from director import __version__
from director.core.errors import DirectorError, InvalidInput
from director.export.common import CancelFn, ProgressFn, Reporter, atomic_output
from director.export.frames import MediaPaths, Skipped
from director.export.storyboard import Panel, Storyboard, panel_picture
from director.resources import resource_path

PANELS_PER_PAGE = (1, 2, 4, 6, 8, 9, 12)
DPI = 150  # the panels' pictures are rasterised at this resolution for their size on the page
MARGIN = 12.0  # mm
PT = 25.4 / 72  # one point in millimetres
FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# Where the font is when this install carries no resources/ (a plain wheel): Debian/Ubuntu's
# fonts-dejavu-core, Fedora's dejavu-sans-fonts.
SYSTEM_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu-sans-fonts", "/usr/share/fonts/dejavu")

INK = (0, 0, 0)
MUTED = (90, 90, 90)
FAINT = (120, 120, 120)
FRAME = (180, 180, 180)
WARN = (190, 30, 30)


def font_files() -> dict[str, Path]:
    """The regular and bold DejaVu Sans files: resources/fonts/ (a checkout, the frozen app), else the system's."""
    out = {}
    for style, name in FONT_FILES.items():
        found = resource_path(f"fonts/{name}")
        if found is None:
            found = next((Path(d) / name for d in SYSTEM_FONT_DIRS if (Path(d) / name).is_file()), None)
        if found is None:
            raise DirectorError(f"the storyboard font {name} is missing: this install has no resources/fonts/ (install the fonts-dejavu-core package, or Director from its app bundle)")
        out[style] = found
    return out


def grid(n: int) -> tuple[int, int]:
    """(columns, rows) for n panels on a landscape page: wider than tall, as few empty cells as can be."""
    cols = {1: 1, 2: 2, 4: 2, 6: 3, 8: 4, 9: 3, 12: 4}.get(n) or math.ceil(math.sqrt(n * 1.4))
    return cols, math.ceil(n / cols)


def _new_pdf(board: Storyboard):
    from fpdf import FPDF  # imported here: the command line's parser must not pay for it

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(False)
    for style, path in font_files().items():
        pdf.add_font(FONT, style, str(path))
    pdf.set_title(f"{board.project} storyboard")
    pdf.set_creator(f"Director {__version__}")
    pdf.set_author("Director")
    return pdf


def _font(pdf, size_pt: float, bold: bool = False, color=INK) -> float:
    """Set the font; return its line height in mm."""
    pdf.set_font(FONT, "B" if bold else "", size_pt)
    pdf.set_text_color(*color)
    return size_pt * PT * 1.25


def _fit(pdf, text: str, width: float) -> str:
    """`text` on one line of `width` mm, cut with an ellipsis if it is longer."""
    text = " ".join(text.splitlines())
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _title_page(pdf, board: Storyboard) -> None:
    pdf.add_page()
    w, h = pdf.epw, pdf.eph
    line = _font(pdf, 28, True)
    pdf.set_xy(MARGIN, MARGIN + h * 0.40 - line)
    pdf.cell(w, line, _fit(pdf, board.project, w), align="C")
    line = _font(pdf, 14)
    lines = [
        f"Storyboard, {board.order} order",
        f"Made on {board.made_on}",
        f"{board.shot_count} shots, {len(board.panels)} panels",
        f"Running time {board.running_text()}",
        f"Generation cost {board.money_text()}",
    ]
    for i, text in enumerate(lines):
        pdf.set_xy(MARGIN, MARGIN + h * 0.45 + i * line)
        pdf.cell(w, line, _fit(pdf, text, w), align="C")
    line = _font(pdf, 8, color=FAINT)
    pdf.set_xy(MARGIN, MARGIN + h - line)
    pdf.cell(w, line, f"Director {__version__}", align="C")


def _page_header(pdf, board: Storyboard, page: int, pages: int) -> None:
    pdf.add_page()
    line = _font(pdf, 8, color=FAINT)
    pdf.set_xy(MARGIN, MARGIN)
    pdf.cell(pdf.epw, line, f"{board.project}  storyboard  {board.made_on}", align="L")
    pdf.set_xy(MARGIN, MARGIN)
    pdf.cell(pdf.epw, line, f"page {page} of {pages}", align="R")


def _jpeg(bgr) -> io.BytesIO:
    ok, data = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])
    if not ok:
        raise DirectorError("could not encode a storyboard picture")
    return io.BytesIO(data.tobytes())


def _panel(pdf, board: Storyboard, panel: Panel, x: float, y: float, w: float, h: float, media: MediaPaths, skipped: Skipped | None) -> None:
    aspect = board.height / board.width if board.width else 9 / 16
    text_h = h * 0.36
    pic_h = min(h - text_h, w * aspect)
    pic_w = pic_h / aspect
    px, py = x + (w - pic_w) / 2, y
    pixels = (max(2, round(pic_w / 25.4 * DPI)), max(2, round(pic_h / 25.4 * DPI)))
    pdf.image(_jpeg(panel_picture(panel, media, pixels[0], pixels[1], skipped)), px, py, pic_w, pic_h)
    pdf.set_draw_color(*FRAME)
    pdf.set_line_width(0.2)
    pdf.rect(px, py, pic_w, pic_h)
    top = py + pic_h + 4 * PT

    # The heading: number, shot code and title; the random-weights warning at the right.
    head_line = _font(pdf, 9, True)
    badge_w = 0.0
    if panel.badge:
        _font(pdf, 8, True, WARN)
        badge_w = pdf.get_string_width(panel.badge) + 2
        pdf.set_xy(x + w - badge_w, top)
        pdf.cell(badge_w, head_line, panel.badge, align="R")
        _font(pdf, 9, True)
    head = f"{panel.number}.  {panel.shot_code}" + (f" · {panel.shot_title}" if panel.shot_title else "")
    pdf.set_xy(x, top)
    pdf.cell(w - badge_w, head_line, _fit(pdf, head, w - badge_w), align="L")

    # Camera, take, duration and this panel's share of the cost.
    small = _font(pdf, 8, color=MUTED)
    parts = [f"cam {panel.camera}"] if panel.camera else []
    parts += [f"take {panel.take_id}" if panel.take_id else "no take yet", panel.duration_text(board.rate), board.money_text(panel.money)]
    meta = " · ".join(parts)
    pdf.set_xy(x, top + head_line)
    pdf.cell(w, small, _fit(pdf, meta, w), align="L")

    # The prompt and the notes, wrapped, cut with an ellipsis where the cell ends.
    body_top = top + head_line + small * 1.2
    _font(pdf, 8)
    text = panel.prompt + (f"\n\nNotes: {panel.notes}" if panel.notes else "") + (f"\n\n{panel.qc_note}" if panel.qc_note else "")
    available = max(0, int((y + h - body_top) // small))
    if not available or not text.strip():
        return
    lines = pdf.multi_cell(w, small, text, align="L", dry_run=True, output="LINES")
    if len(lines) > available:
        lines = lines[:available]
        lines[-1] = _fit(pdf, lines[-1] + " …", w)
    for i, text_line in enumerate(lines):
        pdf.set_xy(x, body_top + i * small)
        pdf.cell(w, small, text_line, align="L")


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
    written); given a `skipped` list it shows a 'media missing' card and the take is added there.
    A cancel raises ExportCancelled and leaves nothing at `dest`."""
    if panels_per_page not in PANELS_PER_PAGE:
        raise InvalidInput(f"panels per page must be one of {', '.join(map(str, PANELS_PER_PAGE))}, got {panels_per_page}")
    if not board.panels:
        raise InvalidInput("the storyboard has no panels: add shots (or takes to the cut) first")
    cols, rows = grid(panels_per_page)
    pages = 1 + math.ceil(len(board.panels) / panels_per_page)
    reporter = Reporter(len(board.panels), progress, is_cancelled)
    reporter.start()
    with atomic_output(dest) as temp:
        pdf = _new_pdf(board)
        _title_page(pdf, board)
        gap, header = 6 * PT, 14 * PT
        cell_w = (pdf.epw - gap * (cols - 1)) / cols
        cell_h = (pdf.eph - header - gap * (rows - 1)) / rows
        for i, panel in enumerate(board.panels):
            reporter.check()
            slot = i % panels_per_page
            if slot == 0:
                _page_header(pdf, board, i // panels_per_page + 2, pages)
            r, c = divmod(slot, cols)
            _panel(pdf, board, panel, MARGIN + c * (cell_w + gap), MARGIN + header + r * (cell_h + gap), cell_w, cell_h, media, skipped)
            reporter.step()
        reporter.check()
        pdf.output(str(temp))
    return pages
