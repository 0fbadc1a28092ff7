"""The contact sheet carries each panel's QC footnote as a last line, like the storyboard PDF (#21),
coloured by the grade it names; a sheet with nothing to say about QC keeps its old layout."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from director.export.contact_sheet import (
    CAUTION,
    MUTED,
    WARN,
    qc_ink,
    render_contact_sheet,
)
from director.export.storyboard import build_storyboard


def _ink_in(sheet, top, bottom, left, right, colour) -> int:
    """How many pixels in the box are close to `colour` (anti-aliased text: the core of each stroke)."""
    box = sheet[top:bottom, left:right].astype(int)
    return int((np.abs(box - np.array(colour)).max(axis=2) < 40).sum())


def test_each_panel_with_a_qc_footnote_gets_its_qc_line(film, simple_cut, out_dir):
    board = build_storyboard(film.project, "cut", simple_cut)
    plain = render_contact_sheet(board, film.project.media, out_dir / "plain.png", columns=2, cell_width=320)
    notes = ["QC red: warp error 9.0 px at frame 12", "", "QC amber: flicker 4.1 at frame 3", "QC green"]
    board = replace(board, panels=[replace(p, qc_note=n) for p, n in zip(board.panels, notes + [""] * len(board.panels))])
    w, h = render_contact_sheet(board, film.project.media, out_dir / "qc.png", columns=2, cell_width=320)
    margin, line, pic_h = 12, 17, 240
    rows = -(-len(board.panels) // 2)
    assert (w, h) == (plain[0], plain[1] + rows * line)  # one more line per row of panels
    sheet = cv2.imread(str(out_dir / "qc.png"))
    header = 3 * line + margin

    def qc_row(col: int, row: int) -> tuple[int, int, int, int]:
        y = header + row * (pic_h + 6 * line + margin) + pic_h + 6 * line  # the QC line's baseline
        x = margin + col * (320 + margin)
        return y - line + 3, y + 3, x, x + 320

    assert _ink_in(sheet, *qc_row(0, 0), WARN) > 40  # red take: red line
    assert _ink_in(sheet, *qc_row(1, 0), (0, 0, 0)) == 0 and _ink_in(sheet, *qc_row(1, 0), MUTED) == 0  # nothing to say
    assert _ink_in(sheet, *qc_row(0, 1), CAUTION) > 40
    assert _ink_in(sheet, *qc_row(1, 1), MUTED) > 10 and _ink_in(sheet, *qc_row(1, 1), WARN) == 0


def test_the_qc_line_is_coloured_by_the_grade_its_footnote_names():
    assert qc_ink("QC red: warp error 9.0 px at frame 12") == WARN
    assert qc_ink("QC failed") == WARN
    assert qc_ink("QC green · colour jump from the previous panel: ΔE 31.0 (red)") == WARN
    assert qc_ink("QC amber: flicker 4.1 at frame 3") == CAUTION
    assert qc_ink("QC green") == MUTED
