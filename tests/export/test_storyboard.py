"""The storyboard: panels in the right order with the right picture, money and running time, as a
PDF (fpdf2, no Qt) and a contact sheet."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import cv2
import numpy as np
import pytest

from director.core.cut import Cut, CutSegment
from director.core.errors import InvalidInput
from director.core.prompt import PromptFields
from director.core.timecode import Rate
from director.export.common import ExportCancelled
from director.export.contact_sheet import render_contact_sheet
from director.export.storyboard import build_storyboard, load_still, panel_picture
from director.export.storyboard_pdf import render_storyboard_pdf
from director.store import choice, expenses, ledger, prompts, shots, takes, timeline

from tests.export.conftest import BLUE, add_take, pdf_pages_text, segment_of, write_png

ROOT = Path(__file__).resolve().parents[2]


def test_cut_order_gives_a_panel_per_shown_take(film, simple_cut):
    board = build_storyboard(film.project, "cut", simple_cut)
    assert [p.shot_code for p in board.panels] == ["10", "20", "40", "30"]
    assert [p.shot_title for p in board.panels] == ["Red", "Green", "Still", "Blue"]
    assert [p.frames for p in board.panels] == [12, 12, 6, 12]
    first = board.panels[0]
    assert first.prompt.startswith("a red sunrise über the roofs") and first.camera == "A"
    assert first.notes == "notes for 10\nTake: note 100"
    assert first.money == Decimal("0.036")
    assert board.total_money == Decimal("0.036") + Decimal("0.072") + Decimal("0.108") + Decimal("0.144")
    assert board.panels[1].still.frame == 5 + 6  # green from its frame 5, middle of 12 frames


def test_the_running_time_is_the_whole_cut_gaps_included(film, simple_cut, out_dir, qapp):
    """42 frames of takes and a 6-frame gap play for 48 frames: the title page says 2.0 s, not 1.75."""
    board = build_storyboard(film.project, "cut", simple_cut)
    assert board.total_frames == 48 == simple_cut.duration
    assert "2.0 s at 24 fps" in board.summary()
    render_storyboard_pdf(board, film.project.media, out_dir / "board.pdf")
    assert "Running time 2.0 s (48 frames at 24 fps)" in pdf_pages_text(out_dir / "board.pdf")[0]


def test_shot_order_shows_each_shots_chosen_take_or_a_placeholder(film):
    takes.set_take_fields(film.project, film.take_ids["blue"], flag="rejected")
    shots.add_shot(film.project, "50", title="Not generated")
    board = build_storyboard(film.project, "shots")
    assert [p.shot_code for p in board.panels] == ["10", "20", "30", "40", "50"]
    assert board.panels[2].placeholder and board.panels[2].still is None  # its only take is rejected
    assert board.panels[4].placeholder and board.panels[4].frames == 96 and board.panels[4].shot_title == "Not generated"
    assert board.panels[0].take_id == film.take_ids["red"]


def test_shot_order_picks_the_take_the_one_rule_picks(film):
    """A newer, better-rated take beside the selected one: the storyboard shows store.choice's pick."""
    p, shot_id = film.project, film.shot_ids["30"]
    prompt = prompts.current_prompt(p, shot_id)
    better = add_take(p, shot_id, prompt.id, "image", write_png(p, BLUE, 160, 240), 160, 240, 1, seed=9, gpu_s=1.0, flag="none", rating=5)
    takes.set_take_fields(p, film.take_ids["blue"], flag="rejected")
    board = build_storyboard(p, "shots")
    assert board.panels[2].take_id == better == choice.chosen_take(p, shot_id)
    assert [panel.take_id for panel in board.panels if panel.take_id] == [choice.chosen_takes(p)[s] for s in film.shot_ids.values()]


def test_a_clip_of_a_shot_with_no_take_gets_a_placeholder_panel_in_its_place(film):
    """The timeline holds red, then shot 50 (nothing generated yet), then green: three panels."""
    p = film.project
    empty, _ = shots.add_shot(p, "50", title="Lighthouse")
    prompts.write_prompt(p, empty.id, PromptFields(subject="a lighthouse at dusk"))
    timeline.insert_take(p, film.take_ids["red"]).apply(p)
    timeline.insert_shot(p, empty.id).apply(p)
    timeline.insert_take(p, film.take_ids["green"]).apply(p)
    board = build_storyboard(p, "cut", timeline.build_cut(p))
    assert [(panel.shot_code, panel.placeholder) for panel in board.panels] == [("10", False), ("50", True), ("20", False)]
    waiting = board.panels[1]
    assert (waiting.shot_title, waiting.prompt, waiting.frames, waiting.camera) == ("Lighthouse", "a lighthouse at dusk", 96, "A")
    card = panel_picture(waiting, p.media, 160, 120)
    assert card.mean() > 150 and tuple(card[20, 80]) == (225, 225, 225)  # a light card, not a black frame…
    assert card[40:80, 20:140].min() < 120  # …that says "no take yet"


def test_each_panel_carries_its_share_and_the_panels_add_up_to_the_title_page(film, out_dir, qapp):
    """Shot 10 appears twice in the cut; its spend (job + expense, not the EUR expense) is split over
    both panels, and the panels sum to the total, which is what the ledger says the shots cost."""
    p = film.project
    expenses.add_expense(p, film.shot_ids["10"], "1.00", note="location scout")
    expenses.add_expense(p, film.shot_ids["10"], "5.00", currency="EUR", note="not in the project currency")
    cut = Cut(Rate(24), 320, 240, (segment_of(p, film.take_ids["red"], 0, 12), segment_of(p, film.take_ids["green"], 12, 12), segment_of(p, film.take_ids["red"], 24, 12, 12)))
    board = build_storyboard(p, "cut", cut)
    assert [panel.money for panel in board.panels] == [Decimal("0.518"), Decimal("0.072"), Decimal("0.518")]
    spend = ledger.spend_by_shot(p, [film.shot_ids["10"], film.shot_ids["20"]])
    assert sum(panel.money for panel in board.panels) == board.total_money == sum(spend.values()) == Decimal("1.108")
    render_storyboard_pdf(board, p.media, out_dir / "board.pdf", panels_per_page=4)
    text = pdf_pages_text(out_dir / "board.pdf")
    assert "Generation cost 1.11 USD" in text[0]
    assert text[1].count("0.52 USD") == 2 and "0.07 USD" in text[1]


def test_an_odd_micro_unit_goes_to_the_first_panels(film):
    """Green is cut in three times (gaps between): 0.072002 over three panels is 0.024001 twice and 0.024."""
    p, green = film.project, film.take_ids["green"]
    expenses.add_expense(p, film.shot_ids["20"], "0.000002")
    gap = lambda start: CutSegment(start, 2, None, None, "gap")  # noqa: E731
    cut = Cut(Rate(24), 320, 240, (segment_of(p, green, 0, 10), gap(10), segment_of(p, green, 12, 10, 10), gap(22), segment_of(p, green, 24, 6, 20)))
    board = build_storyboard(p, "cut", cut)
    assert [panel.money for panel in board.panels] == [Decimal("0.024001"), Decimal("0.024001"), Decimal("0.024")]
    assert sum(panel.money for panel in board.panels) == board.total_money == Decimal("0.072002")


def test_panels_made_with_random_weights_say_so(film, out_dir, qapp):
    """The fixture's takes come from tiny presets (random weights); a take from real weights does not."""
    p, shot_id = film.project, film.shot_ids["20"]
    real = add_take(p, shot_id, prompts.current_prompt(p, shot_id).id, "image", write_png(p, BLUE, 320, 180), 320, 180, 1, seed=5, gpu_s=1.0,
                    preset="sdxl-turbo", source="stabilityai/sdxl-turbo", rating=5)
    board = build_storyboard(p, "shots")
    assert [(panel.shot_code, panel.take_id == real, panel.random_weights) for panel in board.panels] == [
        ("10", False, True), ("20", True, False), ("30", False, True), ("40", False, True)]
    render_storyboard_pdf(board, p.media, out_dir / "board.pdf", panels_per_page=4)
    body = pdf_pages_text(out_dir / "board.pdf")[1]
    assert body.count("random weights") == 3


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


@pytest.mark.parametrize("per_page, pages", [(1, 5), (2, 3), (4, 2), (6, 2), (12, 2)])
def test_pdf_has_a_title_page_then_the_chosen_panels_per_page(qapp, film, simple_cut, out_dir, per_page, pages):
    board = build_storyboard(film.project, "cut", simple_cut)
    out = out_dir / "board.pdf"
    seen = []
    assert render_storyboard_pdf(board, film.project.media, out, panels_per_page=per_page, progress=lambda d, t: seen.append((d, t))) == pages
    assert seen[0] == (0, 4) and seen[-1] == (4, 4)
    text = pdf_pages_text(out)
    assert len(text) == pages
    assert "Rooftop Film" in text[0] and "4 shots" in text[0]
    assert "Generation cost 0.36 USD" in text[0]
    body = "\n".join(text[1:])
    assert "über the roofs" in body and "notes for 20" in body and "take 4" in body
    assert all(f"page {n} of {pages}" in text[n - 1] for n in range(2, pages + 1))


def test_pdf_shows_non_latin_titles_and_prompts_in_its_embedded_font(qapp, film, simple_cut, out_dir):
    p = film.project
    shots.update_shot(p, film.shot_ids["10"], title="Le Phare — été")
    board = build_storyboard(p, "cut", simple_cut)
    render_storyboard_pdf(board, p.media, out_dir / "board.pdf", panels_per_page=4)
    body = pdf_pages_text(out_dir / "board.pdf")[1]
    assert "1. 10 · Le Phare — été" in body
    assert "a red sunrise über the roofs" in body
    assert b"/FontFile2" in (out_dir / "board.pdf").read_bytes()  # the font travels inside the file


def test_pdf_refuses_odd_panel_counts_and_cancel_leaves_no_file(film, simple_cut, out_dir):
    board = build_storyboard(film.project, "cut", simple_cut)
    with pytest.raises(InvalidInput):
        render_storyboard_pdf(board, film.project.media, out_dir / "b.pdf", panels_per_page=5)
    with pytest.raises(ExportCancelled):
        render_storyboard_pdf(board, film.project.media, out_dir / "b.pdf", panels_per_page=1, is_cancelled=lambda: True)
    calls = []
    with pytest.raises(ExportCancelled):  # cancelled half-way, after two panels were drawn
        render_storyboard_pdf(board, film.project.media, out_dir / "b.pdf", progress=lambda d, t: calls.append(d), is_cancelled=lambda: len(calls) > 2)
    assert list(out_dir.iterdir()) == []


def test_a_failed_pdf_keeps_the_file_that_was_there(film, simple_cut, out_dir):
    (out_dir / "b.pdf").write_bytes(b"the old storyboard")
    board = build_storyboard(film.project, "cut", simple_cut)
    with pytest.raises(ExportCancelled):
        render_storyboard_pdf(board, film.project.media, out_dir / "b.pdf", is_cancelled=lambda: True)
    assert (out_dir / "b.pdf").read_bytes() == b"the old storyboard"
    assert [f.name for f in out_dir.iterdir()] == ["b.pdf"]


def test_the_pdf_is_written_without_qt(film, simple_cut, out_dir):
    """Rendering the storyboard PDF loads no Qt: the command line and a server need no GUI library."""
    path = film.project.path
    film.project.close()
    code = (
        "import sys; from director.core.cut import Cut, CutSegment; from director.core.timecode import Rate\n"
        "from director.store.project import Project; from director.store import timeline\n"
        "from director.export.storyboard import build_storyboard; from director.export.storyboard_pdf import render_storyboard_pdf\n"
        f"p = Project.open({str(path)!r}, readonly=True)\n"
        f"print(render_storyboard_pdf(build_storyboard(p, 'shots'), p.media, {str(out_dir / 'b.pdf')!r}, panels_per_page=2))\n"
        "print(sorted({'PySide6', 'shiboken6'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[:2] == ["3", "[]"]
    assert (out_dir / "b.pdf").read_bytes().startswith(b"%PDF-")


def test_contact_sheet_text_falls_back_to_ascii_where_opencv_cannot_draw_unicode():
    from director.export.contact_sheet import ascii_text

    assert ascii_text("über café\n東京") == "uber cafe ??"
