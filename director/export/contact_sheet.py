"""The storyboard as one PNG contact sheet, drawn with opencv (no Qt, so the CLI and a server can make it).

OpenCV 5's putText draws Unicode (über, 東京); OpenCV 4's Hershey fonts draw ASCII only, so there
accents are folded ("über" → "uber") and other characters become '?'. The PDF carries the full text.
"""

from __future__ import annotations

import math
import os
import textwrap
import unicodedata

import cv2
import numpy as np

from director.core import qc as rules
from director.core.errors import DirectorError, InvalidInput
from director.export.common import CancelFn, ProgressFn, Reporter, atomic_output
from director.export.frames import MediaPaths, Skipped
from director.export.storyboard import Storyboard, panel_picture

FONT = cv2.FONT_HERSHEY_SIMPLEX
INK = (30, 30, 30)
MUTED = (110, 110, 110)
WARN = (30, 30, 190)  # BGR: red
CAUTION = (0, 120, 200)  # BGR: amber


UNICODE_TEXT = int(cv2.__version__.split(".")[0]) >= 5


def ascii_text(text: str) -> str:
    """Accents dropped, other non-ASCII characters as '?', line breaks as spaces."""
    out = []
    for c in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(c):
            continue
        out.append(c if " " <= c <= "~" else (" " if c.isspace() else "?"))
    return "".join(out)


def drawable(text: str) -> str:
    """What putText can draw: the text itself on OpenCV 5 (control characters as spaces), else ASCII."""
    if UNICODE_TEXT:
        return "".join(c if c.isprintable() else " " for c in text)
    return ascii_text(text)


def qc_ink(note: str) -> tuple[int, int, int]:
    """The colour of a panel's QC line: the worst grade its footnote (export.qc_report.qc_footnote)
    names, for the take or for the colour jump into it."""
    red, amber = rules.GRADE_NAMES[rules.RED], rules.GRADE_NAMES[rules.AMBER]
    if note.startswith((f"QC {red}", "QC failed")) or f"({red})" in note:
        return WARN
    if note.startswith(f"QC {amber}") or f"({amber})" in note:
        return CAUTION
    return MUTED


def _put(img, text, x, y, scale, color=INK, thick=1):
    cv2.putText(img, drawable(text), (x, y), FONT, scale, color, thick, cv2.LINE_AA)


def render_contact_sheet(
    board: Storyboard,
    media: MediaPaths,
    dest: str | os.PathLike,
    *,
    columns: int = 4,
    cell_width: int = 320,
    progress: ProgressFn | None = None,
    is_cancelled: CancelFn | None = None,
    skipped: Skipped | None = None,
    sound_takes: frozenset = frozenset(),
) -> tuple[int, int]:
    """Write the sheet as PNG; return its (width, height). One row of panels per `columns` panels.
    A panel whose take has its own sound (`sound_takes`, from store.audio.take_sound) says so; a
    panel with a QC footnote (the storyboard's `qc_note`) gets it as a last line, coloured by grade.

    A panel whose take's media is missing, damaged or tampered raises TakeMediaError (nothing is
    written); given a `skipped` list it shows a 'media missing' card and the take is added there."""
    if not board.panels:
        raise InvalidInput("the storyboard has no panels: add shots (or takes to the cut) first")
    if not 1 <= columns <= 12 or not 64 <= cell_width <= 1920:
        raise InvalidInput("columns must be 1 to 12 and the cell width 64 to 1920 pixels")
    aspect = board.height / board.width if board.width else 9 / 16
    pic_w, pic_h = cell_width, max(2, round(cell_width * aspect))
    scale = cell_width / 640
    line = max(12, round(34 * scale))
    text_h = (6 if any(p.qc_note for p in board.panels) else 5) * line  # a QC line where there is one to show
    margin = max(8, round(24 * scale))
    rows = math.ceil(len(board.panels) / columns)
    header = 3 * line + margin
    width = margin + columns * (cell_width + margin)
    height = header + rows * (pic_h + text_h + margin) + margin
    sheet = np.full((height, width, 3), 255, np.uint8)
    _put(sheet, board.project, margin, margin + line, scale * 1.6, INK, 2)
    _put(sheet, f"Storyboard ({board.order} order), {board.made_on}: {board.summary()}", margin, margin + round(2.4 * line), scale * 0.9, MUTED)
    reporter = Reporter(len(board.panels), progress, is_cancelled)
    reporter.start()
    chars = max(10, int(cell_width / (19 * scale * 0.75)))
    for i, panel in enumerate(board.panels):
        reporter.check()
        x = margin + (i % columns) * (cell_width + margin)
        y = header + (i // columns) * (pic_h + text_h + margin)
        sheet[y : y + pic_h, x : x + pic_w] = panel_picture(panel, media, pic_w, pic_h, skipped)
        cv2.rectangle(sheet, (x, y), (x + pic_w - 1, y + pic_h - 1), (200, 200, 200), 1)
        ty = y + pic_h + line
        title = f"  {panel.shot_title}" if panel.shot_title else ""
        _put(sheet, textwrap.shorten(drawable(f"{panel.number}. {panel.shot_code}{title}"), chars, placeholder="..."), x, ty, scale * 0.9, INK, 2)
        camera = f"cam {panel.camera}  " if panel.camera else ""
        take = (f"take {panel.take_id}" + (" +sound" if panel.take_id in sound_takes else "")) if panel.take_id else "no take yet"
        meta = f"{camera}{take}   {panel.duration_text(board.rate)}   {board.money_text(panel.money)}"
        _put(sheet, meta, x, ty + line, scale * 0.75, MUTED)
        if panel.badge:
            (meta_w, _), _ = cv2.getTextSize(drawable(meta + "   "), FONT, scale * 0.75, 1)
            _put(sheet, panel.badge, x + meta_w, ty + line, scale * 0.75, WARN, 2)
        for k, text in enumerate(textwrap.wrap(drawable(panel.prompt), chars)[:2]):
            _put(sheet, text, x, ty + (2 + k) * line, scale * 0.75)
        if panel.notes:
            _put(sheet, textwrap.shorten(drawable(panel.notes.replace("\n", "  ")), chars, placeholder="..."), x, ty + 4 * line, scale * 0.75, MUTED)
        if panel.qc_note:
            _put(sheet, textwrap.shorten(drawable(panel.qc_note), chars, placeholder="..."), x, ty + 5 * line, scale * 0.75, qc_ink(panel.qc_note))
        reporter.step()
    with atomic_output(dest) as temp:
        ok, encoded = cv2.imencode(".png", sheet)
        if not ok:
            raise DirectorError("could not encode the contact sheet as PNG")
        temp.write_bytes(encoded.tobytes())
    return width, height
