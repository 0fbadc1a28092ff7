"""Editing sound on the timeline with the mouse and the picture clip's menu (#16): an imported clip
drags to another frame or lane and trims at its edges in whole frames, showing where it will land;
a refused drop reports why and leaves the clip; a picture clip's own sound gets a gain and, on a
multicam clip, a take to stay on. Each is one undo step, and the mix plan follows."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from director.core.audio import frame_to_sample
from director.core.timecode import Rate
from director.store import audio
from director.store import timeline as st
from director.store.audio_media import write_wav
from director.ui.undo import ProjectSession
from tests.export.sound_film import add_video_take, click_sound, make_shot, new_project

RATE = Rate(24, 1)
F = frame_to_sample(1, RATE)  # 2000 samples a frame
PPF = 8.0  # pixels per frame: a 12-frame sound is 96 px wide


def open_view(session, qtbot):
    from director.ui.timeline_view import TimelineView

    view = TimelineView(session)
    view.resize(1000, 400)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.audio.plan is not None, timeout=10_000)
    view.set_zoom(PPF, 0)
    return view


@pytest.fixture
def lanes(tmp_path, qtbot):
    """96 frames of picture with sound; a 12-frame tone on A2 at frames 30 and 60, one on A3 at 84."""
    project = new_project(tmp_path, "24")
    shot = make_shot(project, "1")
    take = add_video_take(project, shot, "A", 96, RATE)
    audio.set_take_audio(project, take, click_sound(96, RATE, 10, bed=0.1))
    write_wav(tmp_path / "tone.wav", np.full((12 * F, 2), 0.2, np.float32))
    sound, _ = audio.import_audio(project, tmp_path / "tone.wav")
    st.insert_shot(project, shot).apply(project)
    tid = st.default_timeline_id(project)
    for at, track in ((30, "A2"), (60, "A2"), (84, "A3")):
        audio.add_clip(project, tid, sound, at * F, track=track).apply(project)
    session = ProjectSession(project)
    view = open_view(session, qtbot)
    yield session, view
    view.close()
    session.shutdown()
    project.close()


def placed(session, view) -> dict[str, list[tuple[int, int, int, int]]]:
    """track → (clip id, record start, source in, duration) as stored."""
    return {t.name: [(c.id, c.record_start, c.source_in, c.duration) for c in t.clips] for t in audio.tracks(session.project, view.timeline_id)}


def plays(session, view, track: str) -> list[tuple]:
    """(source, record start, source in, duration, gain) of what the mix plays on a track."""
    plan = audio.mix_plan(session.project, view.timeline_id, st.build_cut(session.project, view.timeline_id))
    return [(p.source, p.record_start, p.source_in, p.duration, round(p.gain, 4)) for p in next(t for t in plan.tracks if t.name == track).pieces]


def clip_rect(view, clip_id: int):
    """Where an imported clip is drawn, in viewport coordinates."""
    item = next(i for i in view.audio.items if i.clip is not None and i.clip.id == clip_id)
    return view.mapFromScene(item.rect()).boundingRect()


def lane_y(view, lane: int) -> int:
    from PySide6.QtCore import QPointF

    from director.ui.audio_lanes import AUDIO_H

    return view.mapFromScene(QPointF(0, view.audio.lane_y(lane) + AUDIO_H / 2)).y()


def drag(qtbot, view, start: QPoint, end: QPoint):
    """Press, move in two steps and release on the timeline's viewport; the preview at the end."""
    port = view.viewport()
    qtbot.mousePress(port, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(port, QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2))
    qtbot.mouseMove(port, end)
    shown = view.audio.preview()
    qtbot.mouseRelease(port, Qt.MouseButton.LeftButton, pos=end)
    return shown


def reloaded(view, qtbot):
    return qtbot.waitSignal(view.audio.sound_loaded, timeout=10_000)


def test_dragging_a_clip_moves_it_by_whole_frames_in_one_undo_step(lanes, qtbot):
    session, view = lanes
    before, mix_before = placed(session, view), plays(session, view, "A2")
    first = before["A2"][0][0]
    r = clip_rect(view, first)
    start = QPoint(r.center().x(), r.center().y())
    with reloaded(view, qtbot):
        shown = drag(qtbot, view, start, QPoint(start.x() + int(10 * PPF) + 3, start.y()))  # 10 frames and a bit
    assert shown == (1, 40 * F, 52 * F, None)  # drawn where it lands: A2, frames 40..52
    assert placed(session, view)["A2"][0] == (first, 40 * F, 0, 12 * F)
    assert plays(session, view, "A2")[0][1:4] == (40 * F, 0, 12 * F)
    assert session.undo_stack.count() == 1 and session.undo_stack.undoText() == f"Move sound clip {first}"
    with reloaded(view, qtbot):
        session.undo_stack.undo()
    assert placed(session, view) == before and plays(session, view, "A2") == mix_before


def test_dragging_a_clip_onto_another_lane_moves_it_to_that_track(lanes, qtbot):
    session, view = lanes
    before = placed(session, view)
    first = before["A2"][0][0]
    r = clip_rect(view, first)
    start = QPoint(r.center().x(), r.center().y())
    with reloaded(view, qtbot):
        shown = drag(qtbot, view, start, QPoint(start.x() - int(20 * PPF), lane_y(view, 2)))
    assert shown == (2, 10 * F, 22 * F, None)
    after = placed(session, view)
    assert [c[0] for c in after["A2"]] == [before["A2"][1][0]] and after["A3"][0] == (first, 10 * F, 0, 12 * F)
    assert plays(session, view, "A3")[0][1] == 10 * F
    with reloaded(view, qtbot):
        session.undo_stack.undo()
    assert placed(session, view) == before


def test_dragging_the_left_edge_trims_the_head_and_the_right_edge_the_tail(lanes, qtbot):
    session, view = lanes
    before = placed(session, view)
    first = before["A2"][0][0]
    r = clip_rect(view, first)
    head = QPoint(r.left() + 2, r.center().y())
    with reloaded(view, qtbot):
        shown = drag(qtbot, view, head, QPoint(head.x() + int(3 * PPF), head.y()))
    assert shown == (1, 33 * F, 42 * F, None)
    assert placed(session, view)["A2"][0] == (first, 33 * F, 3 * F, 9 * F)  # the end stays at frame 42
    assert plays(session, view, "A2")[0][1:4] == (33 * F, 3 * F, 9 * F)
    r = clip_rect(view, first)
    tail = QPoint(r.right() - 2, r.center().y())
    with reloaded(view, qtbot):
        shown = drag(qtbot, view, tail, QPoint(tail.x() - int(4 * PPF), tail.y()))
    assert shown == (1, 33 * F, 38 * F, None)
    assert placed(session, view)["A2"][0] == (first, 33 * F, 3 * F, 5 * F)
    assert [session.undo_stack.text(k) for k in range(2)] == [f"Trim sound clip {first}"] * 2
    with reloaded(view, qtbot):
        session.undo_stack.undo()
    assert placed(session, view)["A2"][0] == (first, 33 * F, 3 * F, 9 * F)
    with reloaded(view, qtbot):
        session.undo_stack.undo()
    assert placed(session, view) == before


@pytest.mark.parametrize("what, words", [
    ("over the next clip", "would overlap"),
    ("past the sound's end", "past the end of its sound"),
    ("to zero length", "0 samples long"),
    ("before frame 0", "before the cut's first frame"),
    ("onto A1", "takes' own sound"),
])
def test_a_refused_drop_shows_why_and_leaves_the_clip(lanes, qtbot, what, words):
    session, view = lanes
    before, mix_before = placed(session, view), plays(session, view, "A2")
    first = before["A2"][0][0]  # frames 30..42; the next clip starts at 60
    r = clip_rect(view, first)
    mid, y = r.center().x(), r.center().y()
    start, end = {
        "over the next clip": (QPoint(mid, y), QPoint(mid + int(25 * PPF), y)),
        "past the sound's end": (QPoint(r.right() - 2, y), QPoint(r.right() - 2 + int(2 * PPF), y)),
        "to zero length": (QPoint(r.right() - 2, y), QPoint(r.left() - 2 - int(PPF), y)),
        "before frame 0": (QPoint(mid, y), QPoint(mid - int(40 * PPF), y)),
        "onto A1": (QPoint(mid, y), QPoint(mid, lane_y(view, 0))),
    }[what]
    with qtbot.waitSignal(session.error_raised, timeout=2000) as error:
        shown = drag(qtbot, view, start, end)
    assert shown is not None and words in shown[3]  # drawn as refused before the drop
    assert words in error.args[0]
    assert placed(session, view) == before and plays(session, view, "A2") == mix_before
    assert session.undo_stack.count() == 0
    assert clip_rect(view, first) == r  # still drawn where it was


def test_a_click_without_a_drag_only_selects_the_clip(lanes, qtbot):
    session, view = lanes
    before = placed(session, view)
    r = clip_rect(view, before["A2"][0][0])
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=r.center())
    item = next(i for i in view.audio.items if i.clip is not None and i.clip.id == before["A2"][0][0])
    assert item.isSelected() and placed(session, view) == before and session.undo_stack.count() == 0


def picture_menu(view):
    rect = view.item_rect(view.timeline.tracks[0].items[0].id)
    return view.context_menu(rect.center())


def action(menu, text: str):
    return next(a for a in menu.actions() if a.text() == text)


def test_the_picture_clips_menu_sets_its_own_sound_gain(lanes, qtbot, monkeypatch):
    session, view = lanes
    clip_id = view.timeline.tracks[0].items[0].id
    (a1,) = plays(session, view, "A1")
    assert a1[4] == 1.0
    (piece,) = [i for i in view.audio.items if i.lane == 0]
    assert piece.label() == ""
    asked = []
    monkeypatch.setattr("director.ui.audio_lanes.QInputDialog.getDouble", lambda *a: (asked.append(a[3]), (-6.0, True))[1])
    with reloaded(view, qtbot):
        action(picture_menu(view), "Sound &Gain… (+0 dB)").trigger()
    assert asked == [0.0]  # the dialog opened on the gain it has
    assert audio.clip_sound(session.project, clip_id) == (-6.0, None)
    assert plays(session, view, "A1")[0][4] == round(10 ** (-6 / 20), 4)
    (piece,) = [i for i in view.audio.items if i.lane == 0]
    assert piece.label() == "-6 dB"
    assert any(a.text() == "Sound &Gain… (-6 dB)" for a in picture_menu(view).actions())
    with reloaded(view, qtbot):
        session.undo_stack.undo()
    assert plays(session, view, "A1") == [a1]
    (piece,) = [i for i in view.audio.items if i.lane == 0]
    assert piece.label() == ""


@pytest.fixture
def multicam(tmp_path, qtbot):
    """A shot with cameras A and B, each take with its own click (A at frame 5, B at frame 30), cut
    to B at frame 24: the live sound is A's then B's."""
    project = new_project(tmp_path, "24")
    shot = make_shot(project, "1", ("A", "B"))
    a = add_video_take(project, shot, "A", 48, RATE)
    b = add_video_take(project, shot, "B", 48, RATE, seed=2)
    audio.set_take_audio(project, a, click_sound(48, RATE, 5))
    audio.set_take_audio(project, b, click_sound(48, RATE, 30))
    st.insert_shot(project, shot).apply(project)
    st.cut_to_camera(project, 24, number=2).apply(project)
    session = ProjectSession(project)
    view = open_view(session, qtbot)
    yield session, view, a, b
    view.close()
    session.shutdown()
    project.close()


def follows_menu(view):
    menu = picture_menu(view)
    sub = next(a.menu() for a in menu.actions() if a.menu() is not None and a.text() == "Sound &Follows")
    return {a.text(): a for a in sub.actions()}


def test_sound_follows_the_live_camera_or_stays_on_one_angles_take(multicam, qtbot):
    session, view, a, b = multicam
    clip_id = view.timeline.tracks[0].items[0].id
    live = [x[:4] for x in plays(session, view, "A1")]
    assert live == [(a, 0, 0, 24 * F), (b, 24 * F, 24 * F, 24 * F)]
    choices = follows_menu(view)
    assert list(choices) == ["&Live Camera", f"Take {a} (A)", f"Take {b} (B)"]
    assert [c.isChecked() for c in choices.values()] == [True, False, False]
    with reloaded(view, qtbot):
        choices[f"Take {b} (B)"].trigger()
    assert audio.clip_sound(session.project, clip_id) == (0.0, b)
    assert [x[:4] for x in plays(session, view, "A1")] == [(b, 0, 0, 48 * F)]  # B's sound across the angle cut
    choices = follows_menu(view)
    assert [c.isChecked() for c in choices.values()] == [False, False, True]
    with reloaded(view, qtbot):
        choices["&Live Camera"].trigger()
    assert audio.clip_sound(session.project, clip_id) == (0.0, None)
    assert [x[:4] for x in plays(session, view, "A1")] == live
    with reloaded(view, qtbot):
        session.undo_stack.undo()
    assert audio.clip_sound(session.project, clip_id)[1] == b
    assert [c.isChecked() for c in follows_menu(view).values()] == [False, False, True]
    with reloaded(view, qtbot):
        session.undo_stack.undo()
    assert [x[:4] for x in plays(session, view, "A1")] == live and session.undo_stack.count() == 2  # both still redoable
    assert session.undo_stack.index() == 0


def test_a_single_camera_clip_has_no_sound_follows_menu(lanes):
    _, view = lanes
    assert not any(a.menu() is not None and a.text() == "Sound &Follows" for a in picture_menu(view).actions())


def test_a_held_take_no_camera_shows_now_stays_listed_and_checked(multicam, qtbot):
    session, view, a, b = multicam
    project = session.project
    clip_id = view.timeline.tracks[0].items[0].id
    newer = add_video_take(project, view.timeline.tracks[0].items[0].shot_id, "A", 48, RATE, seed=3)
    with reloaded(view, qtbot):
        session.push(audio.set_clip_sound(project, clip_id, take_id=a))
    with reloaded(view, qtbot):
        session.push(st.set_clip_take(project, clip_id, newer))  # camera A shows the newer take now
    choices = follows_menu(view)
    assert list(choices) == ["&Live Camera", f"Take {newer} (A)", f"Take {b} (B)", f"Take {a} (A)"]
    assert [c.isChecked() for c in choices.values()] == [False, False, False, True]
