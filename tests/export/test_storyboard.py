"""The storyboard: panels in the right order with the right picture, as a PDF and a contact sheet."""

from __future__ import annotations

import os
from decimal import Decimal

import cv2
import numpy as np
import pytest

from director.core.errors import InvalidInput
from director.export.common import ExportCancelled
from director.export.contact_sheet import render_contact_sheet
from director.export.storyboard import build_storyboard, load_still
from director.store import shots, takes

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def test_cut_order_gives_a_panel_per_shown_take(film, simple_cut):
    board = build_storyboard(film.project, "cut", simple_cut)
    assert [p.shot_code for p in board.panels] == ["10", "20", "40", "30"]
    assert [p.frames for p in board.panels] == [12, 12, 6, 12]
    assert board.total_frames == 42
    first = board.panels[0]
    assert first.prompt.startswith("a red sunrise über the roofs") and first.camera == "A"
    assert first.notes == "notes for 10\nTake: note 100"
    assert first.money == Decimal("0.036")
    assert board.total_money == Decimal("0.036") + Decimal("0.072") + Decimal("0.108") + Decimal("0.144")
    assert board.panels[1].still.frame == 5 + 6  # green from its frame 5, middle of 12 frames


def test_shot_order_shows_each_shots_best_take_or_an_empty_panel(film):
    takes.set_take_fields(film.project, film.take_ids["blue"], flag="rejected")
    shots.add_shot(film.project, "50", title="Not generated")
    board = build_storyboard(film.project, "shots")
    assert [p.shot_code for p in board.panels] == ["10", "20", "30", "40", "50"]
    assert board.panels[2].take_id is None and board.panels[2].still is None  # only take rejected
    assert board.panels[4].still is None and board.panels[4].frames == 96
    assert board.panels[0].take_id == film.take_ids["red"]


def test_a_panels_still_is_the_take_letterboxed(film, simple_cut):
    board = build_storyboard(film.project, "cut", simple_cut)
    green = load_still(board.panels[1].still, film.project.media, 160, 120)
    assert green.shape == (120, 160, 3)
    assert np.abs(green[60, 80].astype(int) - (0, 255, 0)).max() < 12
    assert green[3, 80].max() < 12  # letterbox bar


def test_contact_sheet_png_has_every_panel(film, simple_cut, out_dir):
    board = build_storyboard(film.project, "cut", simple_cut)
    w, h = render_contact_sheet(board, film.project.media, out_dir / "sheet.png", columns=2, cell_width=320)
    sheet = cv2.imread(str(out_dir / "sheet.png"))
    assert sheet.shape == (h, w, 3)
    margin, line = 12, 17
    header = 3 * line + margin
    pic_h = 240
    centre = lambda col, row: sheet[header + row * (pic_h + 5 * line + margin) + pic_h // 2, margin + col * (320 + margin) + 160]  # noqa: E731
    for (col, row), color in {(0, 0): (0, 0, 255), (1, 0): (0, 255, 0), (0, 1): (255, 255, 255), (1, 1): (255, 0, 0)}.items():
        assert np.abs(centre(col, row).astype(int) - color).max() < 16, (col, row, centre(col, row))


def test_cancelled_contact_sheet_writes_nothing(film, simple_cut, out_dir):
    board = build_storyboard(film.project, "cut", simple_cut)
    with pytest.raises(ExportCancelled):
        render_contact_sheet(board, film.project.media, out_dir / "sheet.png", is_cancelled=lambda: True)
    assert list(out_dir.iterdir()) == []


def pdf_pages_text(path):
    from PySide6.QtPdf import QPdfDocument

    doc = QPdfDocument()
    assert doc.load(str(path)) == QPdfDocument.Error.None_
    try:
        return [doc.getAllText(i).text() for i in range(doc.pageCount())]
    finally:
        doc.close()


@pytest.mark.parametrize("per_page, pages", [(1, 5), (2, 3), (4, 2), (6, 2)])
def test_pdf_has_a_title_page_then_the_chosen_panels_per_page(qapp, film, simple_cut, out_dir, per_page, pages):
    from director.ui.storyboard_pdf import render_storyboard_pdf

    board = build_storyboard(film.project, "cut", simple_cut)
    out = out_dir / "board.pdf"
    assert render_storyboard_pdf(board, film.project.media, out, panels_per_page=per_page) == pages
    text = pdf_pages_text(out)
    assert len(text) == pages
    assert "Rooftop Film" in text[0] and "4 shots" in text[0] and "1.75 s" not in text[0]
    assert "Generation cost 0.36 USD" in text[0]
    body = "\n".join(text[1:])
    assert "über the roofs" in body and "notes for 20" in body and "take 4" in body


def test_pdf_refuses_odd_panel_counts_and_cancel_leaves_no_file(qapp, film, simple_cut, out_dir):
    from director.ui.storyboard_pdf import render_storyboard_pdf

    board = build_storyboard(film.project, "cut", simple_cut)
    with pytest.raises(InvalidInput):
        render_storyboard_pdf(board, film.project.media, out_dir / "b.pdf", panels_per_page=5)
    with pytest.raises(ExportCancelled):
        render_storyboard_pdf(board, film.project.media, out_dir / "b.pdf", panels_per_page=1, is_cancelled=lambda: True)
    assert list(out_dir.iterdir()) == []


def test_contact_sheet_text_falls_back_to_ascii_where_opencv_cannot_draw_unicode():
    from director.export.contact_sheet import ascii_text

    assert ascii_text("über café\n東京") == "uber cafe ??"
