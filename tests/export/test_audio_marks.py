"""The burn-in and the contact sheet say which takes have their own sound; a silent take does not."""

from __future__ import annotations

import numpy as np

from director.core.cut import CutSegment
from director.core.timecode import Rate
from director.export import contact_sheet, mp4
from director.export.storyboard import build_storyboard
from director.store import audio
from director.store import timeline as st
from tests.export.sound_film import add_video_take, click_sound, make_shot


def test_burn_in_marks_a_take_with_sound(monkeypatch):
    drawn = []
    monkeypatch.setattr(mp4.cv2, "putText", lambda img, text, *a, **k: drawn.append(text))
    seg = CutSegment(0, 10, 7, "x.mp4", "video", shot_code="10", camera="A")
    picture = np.zeros((64, 64, 3), np.uint8)
    mp4.burn_in(picture, seg, 0, Rate(24), sound_takes=frozenset({7}))
    mp4.burn_in(picture, seg, 0, Rate(24))
    assert "take 7 sound" in drawn[0] and "sound" not in drawn[1]


def test_contact_sheet_marks_takes_with_sound(project, tmp_path, monkeypatch):
    rate = project.settings().rate
    loud_shot, quiet_shot = make_shot(project, "1"), make_shot(project, "2")
    loud = add_video_take(project, loud_shot, "A", 24, rate)
    quiet = add_video_take(project, quiet_shot, "A", 24, rate, seed=2)
    audio.set_take_audio(project, loud, click_sound(24, rate, 3))
    st.insert_shot(project, loud_shot).apply(project)
    st.insert_shot(project, quiet_shot).apply(project)
    cut = st.build_cut(project)
    board = build_storyboard(project, "cut", cut)
    texts = []
    real = contact_sheet._put
    monkeypatch.setattr(contact_sheet, "_put", lambda img, text, *a, **k: (texts.append(text), real(img, text, *a, **k)))
    sound = frozenset(audio.take_sound(project, [p.take_id for p in board.panels]))
    contact_sheet.render_contact_sheet(board, project.media, tmp_path / "sheet.png", sound_takes=sound)
    assert any(f"take {loud} +sound" in t for t in texts)
    assert any(f"take {quiet}" in t and "sound" not in t for t in texts)
