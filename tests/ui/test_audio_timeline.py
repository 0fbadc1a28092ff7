"""Audio lanes on the timeline (#16 part C): A1 shows the takes' own sound from the mix plan with
waveforms drawn off the UI thread's peaks; M / S / gain in the lane header, per-clip gain, J/L and a
sound dropped from the bin are undoable edits that change what the export mixes."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDropEvent

from director.core.audio import frame_to_sample
from director.core.timecode import Rate
from director.export.audio_mix import render_mix
from director.store import audio
from director.store import timeline as st
from director.ui.audio_bin import sound_mime
from director.ui.undo import ProjectSession
from tests.export.sound_film import add_video_take, click_sound, make_shot, new_project

RATE = Rate(24, 1)


@pytest.fixture
def lanes(tmp_path, qtbot):
    from director.ui.timeline_view import TimelineView

    project = new_project(tmp_path, "24")
    shot = make_shot(project, "1")
    take = add_video_take(project, shot, "A", 48, RATE)
    audio.set_take_audio(project, take, click_sound(48, RATE, 10, bed=0.1))
    tone = np.full((frame_to_sample(12, RATE), 2), 0.2, np.float32)
    tone_path = tmp_path / "tone.wav"
    from director.store.audio_media import write_wav

    write_wav(tone_path, tone)
    sound, _ = audio.import_audio(project, tone_path)
    session = ProjectSession(project)
    session.push(st.insert_shot(project, shot))
    view = TimelineView(session)
    view.resize(900, 400)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.audio.plan is not None, timeout=10_000)
    yield session, view, sound
    view.close()
    session.shutdown()
    project.close()


def mix(session, view):
    cut = st.build_cut(session.project, view.timeline_id)
    return render_mix(audio.mix_plan(session.project, view.timeline_id, cut), session.project.media)


def reloaded(view, qtbot):
    return qtbot.waitSignal(view.audio.sound_loaded, timeout=10_000)


def test_a1_shows_the_takes_sound_with_its_waveform(lanes, qtbot):
    session, view, _ = lanes
    assert [t.name for t in view.audio.tracks] == ["A1"]
    (item,) = view.audio.items
    assert item.key[0] == "take" and item.record_start == 0 and item.duration == frame_to_sample(48, RATE)
    cache = view.audio.cache
    qtbot.waitUntil(lambda: cache.pending == 0, timeout=5000)
    view.viewport().repaint()
    assert item.painted_wave


def test_mute_solo_and_gain_from_the_lane_header_are_undoable(lanes, qtbot):
    session, view, _ = lanes
    before = mix(session, view)
    assert np.abs(before).max() > 0.5
    with reloaded(view, qtbot):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.audio.button_rect(0, "mute").center().toPoint())
    assert view.audio.tracks[0].mute and not mix(session, view).any()
    with reloaded(view, qtbot):
        session.undo_stack.undo()
    assert not view.audio.tracks[0].mute and np.array_equal(mix(session, view), before)
    with reloaded(view, qtbot):
        view.audio.set_track("A1", gain_db=-6.0)
    ratio = np.abs(mix(session, view)).max() / np.abs(before).max()
    assert abs(20 * np.log10(ratio) + 6.0) < 0.05
    with reloaded(view, qtbot):
        session.undo_stack.undo()
    assert np.array_equal(mix(session, view), before)


def test_a_sound_dropped_from_the_bin_lands_on_a_track_and_undo_takes_it_away(lanes, qtbot):
    session, view, sound = lanes
    before = mix(session, view)
    target = QPoint(view.frame_to_viewport_x(24), view.track_center_y(0))
    mime = sound_mime(sound.id)  # kept alive: the event does not own it
    event = QDropEvent(QPointF(target), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with reloaded(view, qtbot):
        view.dropEvent(event)
    assert [t.name for t in view.audio.tracks] == ["A1", "A2"]
    (clip,) = view.audio.tracks[1].clips
    assert clip.record_start == frame_to_sample(24, RATE) and clip.audio_id == sound.id
    after = mix(session, view)
    at = frame_to_sample(30, RATE)
    assert after[at, 0] == pytest.approx(before[at, 0] + 0.2, abs=1e-3)
    # solo A2 from its header: only the tone is heard
    with reloaded(view, qtbot):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.audio.button_rect(1, "solo").center().toPoint())
    soloed = mix(session, view)
    assert soloed[at, 0] == pytest.approx(0.2, abs=1e-3) and not soloed[: frame_to_sample(24, RATE)].any()
    # the clip's gain, then undo all three edits
    with reloaded(view, qtbot):
        view.audio.set_clip_gain(clip.id, -6.0)
    assert mix(session, view)[at, 0] == pytest.approx(0.2 * 10 ** (-6 / 20), abs=1e-3)
    for _ in range(3):
        with reloaded(view, qtbot):
            session.undo_stack.undo()
    assert [t.name for t in view.audio.tracks] == ["A1"] and np.array_equal(mix(session, view), before)


def test_jl_offsets_from_the_window(lanes, qtbot):
    session, view, _ = lanes
    clip_id = view.timeline.tracks[0].items[0].id
    with reloaded(view, qtbot):
        assert view.audio.set_jl(clip_id, 0, 6)
    assert session.project.db.execute("SELECT lead, lag FROM clip_sound WHERE clip_id = ?", [clip_id]).fetchone() == (0, frame_to_sample(6, RATE))
    assert session.undo_stack.undoText().startswith("Sound of clip")
    with reloaded(view, qtbot):
        session.undo_stack.undo()
    assert session.project.db.execute("SELECT count(*) FROM clip_sound WHERE lag > 0").fetchone()[0] == 0


def test_the_picture_clip_menu_offers_jl_and_a_lane_offers_its_gain(lanes):
    session, view, _ = lanes
    rect = view.item_rect(view.timeline.tracks[0].items[0].id)
    menu = view.context_menu(rect.center())
    assert any(a.text().startswith("Sound: &J/L") for a in menu.actions())
    lane_pos = view.mapFromScene(QPointF(100, view.audio.lane_y(0) + 10))
    menu = view.context_menu(lane_pos)
    assert [a.text() for a in menu.actions()] == ["Track A1 &Gain… (+0 dB)"]
