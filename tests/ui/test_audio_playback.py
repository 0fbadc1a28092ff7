"""Sound in the viewers (#16 part C): each viewer starts sound at the first sample of the frame it
shows (a click recorded at frame N is the first sample written when playing from N), Compare plays
the focused pane, the Program viewer plays the export's mix, a shuttle is silent, and without an
audio device the picture plays on. The device is a QBuffer here: no sound card needed."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QBuffer, QIODevice, Qt

from director.core.audio import SAMPLE_RATE, frame_to_sample
from director.core.timecode import Rate
from director.export.audio_mix import Mixer, render_mix
from director.store import audio
from director.store import timeline as st
from director.store.audio_media import to_pcm16
from director.ui import audio_playback
from director.ui.audio_playback import LEAD, SoundOutput
from director.ui.undo import ProjectSession
from tests.export.sound_film import add_video_take, click_sound, make_shot, new_project

RATE = Rate(24, 1)


def tap(output: SoundOutput) -> QBuffer:
    """Point a viewer's sound at a buffer instead of a device."""
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    output.device = buf
    return buf


def written(buf: QBuffer) -> np.ndarray:
    return np.frombuffer(bytes(buf.data()), dtype="<i2").reshape(-1, 2)


def viewer_with_sound(session, take_id: int, qtbot):
    """The take viewer showing a take, once its sound is read."""
    from director.ui.gallery.take_viewer import TakeViewer

    viewer = TakeViewer(session)
    qtbot.addWidget(viewer)
    viewer.show_take(take_id)
    qtbot.waitUntil(lambda: viewer.player.sound_source is not None, timeout=5000)
    return viewer


@pytest.fixture
def film(tmp_path, qtbot):
    """Two takes of one shot: A clicks at frame 10, B at frame 30 (48 frames, 24 fps)."""
    project = new_project(tmp_path, "24")
    shot = make_shot(project, "1", cams=("A", "B"))
    a = add_video_take(project, shot, "A", 48, RATE, seed=1)
    b = add_video_take(project, shot, "B", 48, RATE, seed=2)
    audio.set_take_audio(project, a, click_sound(48, RATE, 10))
    audio.set_take_audio(project, b, click_sound(48, RATE, 30))
    session = ProjectSession(project)
    yield session, a, b
    session.shutdown()
    project.close()


def test_sample_of_a_frame_is_the_exports_rule():
    assert audio_playback.sample_of(10, RATE) == 20000
    assert audio_playback.sample_of(1, Rate(24000, 1001)) == 2002
    assert audio_playback.sample_of(1, Rate(30000, 1001)) == frame_to_sample(1, Rate(30000, 1001)) == 1602


def test_take_viewer_plays_the_takes_sound_from_the_frame_shown(film, qtbot):
    session, a, _ = film
    viewer = viewer_with_sound(session, a, qtbot)
    buf = tap(viewer.player.sound)
    viewer.player.set_loop(False)
    with qtbot.waitSignal(viewer.player.frame_shown, check_params_cb=lambda i, _img: i == 10, timeout=5000):
        viewer.seek(10)
    viewer.player.play()
    assert viewer.player.sound.start_sample == frame_to_sample(10, RATE) == 20000
    data = written(buf)
    assert len(data) == LEAD
    assert data[0, 0] == round(0.9 * 32767) and not data[1:, 0].any()  # the click of frame 10 comes first
    viewer.player.pause()
    assert not viewer.player.sound.playing
    # a seek while playing restarts the sound at the new frame
    viewer.player.play()
    buf2 = tap(viewer.player.sound)
    viewer.player.seek(4)
    assert viewer.player.sound.start_sample == 8000
    viewer.player.sound.feed()  # the next chunk
    data = written(buf2)
    assert np.flatnonzero(data[:, 0]).tolist() == [12000]  # frame 10's click, 6 frames after frame 4
    viewer.player.pause()
    viewer.player.close()


def test_the_waveform_is_read_off_the_ui_thread_and_drawn(film, qtbot):
    import threading

    from director.ui.audio_waveform import waveforms
    from director.ui.gallery.take_viewer import TakeViewer

    session, a, _ = film
    viewer = TakeViewer(session)
    viewer.resize(400, 400)
    qtbot.addWidget(viewer)
    viewer.show()
    viewer.show_take(a)
    cache = waveforms(session)
    qtbot.waitUntil(lambda: cache.pending == 0 and viewer.waveform.relative in cache._peaks, timeout=5000)
    assert cache.threads and threading.current_thread().name not in cache.threads
    assert all(name.startswith("director-waveforms") for name in cache.threads)
    viewer.waveform.repaint()
    path = viewer.waveform.last_path
    assert path is not None and path.elementCount() > 2 * viewer.waveform.width() - 4
    # the click at 10/48 of the take is the tallest column of the drawing
    from director.ui.audio_waveform import envelope

    box = path.boundingRect()
    half = (viewer.waveform.height() - 4) / 2
    assert abs(box.height() - 0.9 * half) < 0.5  # silence and one +0.9 click: only the click stands up
    peaks = cache.ask(viewer.waveform.relative)
    assert np.argmax(peaks[:, 1]) == 20000 // 256
    width = viewer.waveform.width()
    _lo, hi = envelope(peaks, 0, frame_to_sample(48, RATE), width)
    assert abs(int(np.argmax(hi)) - width * 10 // 48) <= 1
    viewer.player.close()


def test_a_silent_take_shows_no_waveform_and_plays_silent(film, qtbot, tmp_path):
    from director.ui.gallery.take_viewer import TakeViewer

    session, a, _ = film
    silent = add_video_take(session.project, session.project.db.execute("SELECT shot_id FROM takes WHERE id = ?", [a]).fetchone()[0], "A", 24, RATE, seed=9)
    viewer = TakeViewer(session)
    qtbot.addWidget(viewer)
    viewer.show_take(silent)
    assert viewer.waveform.relative is None and viewer.player.sound_source is None
    buf = tap(viewer.player.sound)
    viewer.player.play()
    assert viewer.player.is_playing() and not viewer.player.sound.playing and not bytes(buf.data())
    viewer.player.close()


def test_without_an_audio_device_the_picture_plays_on(film, qtbot, monkeypatch):
    monkeypatch.setitem(audio_playback._device_state, "ok", False)
    session, a, _ = film
    viewer = viewer_with_sound(session, a, qtbot)
    viewer.player.play()
    assert not viewer.player.sound.playing
    qtbot.waitUntil(lambda: viewer.player.position >= 3, timeout=5000)  # frames still advance
    viewer.player.close()


def test_compare_plays_the_focused_pane(film, qtbot):
    from director.ui.gallery.compare_view import CompareView

    session, a, b = film
    view = CompareView(session)
    qtbot.addWidget(view)
    view.loop_box.setChecked(False)
    view.set_takes([a, b])
    qtbot.waitUntil(lambda: all(p.sound_source is not None for p in view.panes), timeout=5000)
    buf = tap(view.sound)
    view.seek(10)
    view.play()
    assert view.focused == 0 and view.sound.start_sample == 20000
    assert written(buf)[0, 0] == round(0.9 * 32767)  # A's click at frame 10
    buf = tap(view.sound)
    qtbot.mouseClick(view.panes[1], Qt.MouseButton.LeftButton)  # hear B instead, from the frame shown
    assert view.focused == 1 and view.panes[1].title.text().startswith("🔊")
    assert view.sound.start_sample == frame_to_sample(view.index(), RATE)
    buf = tap(view.sound)
    view.seek(28)
    start = view.sound.start_sample
    assert start == frame_to_sample(28, RATE)
    click = frame_to_sample(30, RATE) - start
    assert 0 < click < LEAD and written(buf)[click, 0] == round(0.9 * 32767)
    view.pause()
    assert not view.sound.playing
    for pane in view.panes:
        pane.player.close()


@pytest.fixture
def cut(film, qtbot):
    """The two takes cut: A for frames 0–19, then B for 20–47."""
    from director.ui.program_viewer import ProgramViewer

    session, a, b = film
    project = session.project
    shot = project.db.execute("SELECT shot_id FROM takes WHERE id = ?", [a]).fetchone()[0]
    session.push(st.insert_shot(project, shot))
    session.push(st.cut_to_camera(project, 20, name="B"))
    viewer = ProgramViewer(session)
    viewer.resize(320, 240)
    qtbot.addWidget(viewer)
    with qtbot.waitSignal(viewer.sound_ready, timeout=10_000):
        viewer.show()
    yield session, viewer
    viewer.close()


def test_program_viewer_plays_the_exports_mix_from_the_frame_shown(cut, qtbot):
    session, viewer = cut
    plan = audio.mix_plan(session.project, viewer.timeline_id, viewer.cut)
    mix = render_mix(plan, session.project.media)
    assert viewer.sound_source is not None and viewer.sound_source.length == len(mix) == frame_to_sample(48, RATE)
    buf = tap(viewer.sound)
    viewer.seek(25)
    viewer.play(1)
    assert viewer.sound.start_sample == frame_to_sample(25, RATE)
    viewer.sound.feed()
    data = written(buf)
    start = viewer.sound.start_sample
    assert np.array_equal(data, np.frombuffer(to_pcm16(mix[start : start + len(data)]), "<i2").reshape(-1, 2))
    click = frame_to_sample(30, RATE) - start  # B's click at its frame 30 is heard at record frame 30
    assert abs(int(data[click, 0])) > 0.8 * 32767
    viewer.pause()


def test_shuttle_is_silent_and_1x_plays(cut, qtbot):
    session, viewer = cut
    tap(viewer.sound)
    viewer.play(2)
    assert viewer.playing and not viewer.sound.playing
    viewer.play(-1)
    assert not viewer.sound.playing
    viewer.play(1)
    assert viewer.sound.playing and viewer.sound.start_sample == frame_to_sample(viewer.frame, RATE)
    qtbot.keyClick(viewer, Qt.Key.Key_L)  # L again: 2× forward, muted
    assert viewer.speed == 2 and not viewer.sound.playing
    qtbot.keyClick(viewer, Qt.Key.Key_K)
    assert not viewer.playing and not viewer.sound.playing


def test_an_audio_edit_changes_what_the_viewer_plays(cut, qtbot):
    session, viewer = cut
    before = viewer.sound_source.read(0, viewer.sound_source.length)
    with qtbot.waitSignal(viewer.sound_ready, timeout=10_000):
        session.push(audio.set_track(session.project, viewer.timeline_id, "A1", mute=True))
    assert not viewer.sound_source.read(0, viewer.sound_source.length).any()  # only A1 plays here: muted, silence
    with qtbot.waitSignal(viewer.sound_ready, timeout=10_000):
        session.undo_stack.undo()
    assert np.array_equal(viewer.sound_source.read(0, viewer.sound_source.length), before)


def test_mixer_windows_are_the_whole_mix_sample_for_sample(cut):
    session, viewer = cut
    plan = audio.mix_plan(session.project, viewer.timeline_id, viewer.cut)
    whole = render_mix(plan, session.project.media)
    mixer = Mixer(plan, session.project.media)
    pieces = [mixer.render(s, 1000) for s in range(0, plan.length, 1000)]
    assert np.array_equal(np.concatenate(pieces), whole)
    # a window that starts inside a fade
    edge = frame_to_sample(20, RATE)
    assert np.array_equal(mixer.render(edge - 100, 333), whole[edge - 100 : edge + 233])


def test_playing_in_the_window_starts_the_sound_once_not_on_every_frame(window, film, qtbot):
    """The window's playhead echoes each frame the Program viewer shows back to it (timeline and
    viewer follow each other). That echo must not restart the sound: on a real sound server each
    restart tears the audio sink down, and a cut played with a restart every frame was heard as
    0.06 s of clicks in 6 s (bench/sound_out.py on a PulseAudio null sink)."""
    session, a, _b = film
    project = session.project
    path = project.path
    shot = project.db.execute("SELECT shot_id FROM takes WHERE id = ?", [a]).fetchone()[0]
    session.push(st.insert_shot(project, shot))
    session.shutdown()
    project.close()
    assert window.open_project(str(path))
    window.show_panel("program")
    program = window.panel("program")
    qtbot.waitUntil(lambda: program.sound_source is not None, timeout=10_000)
    tap(program.sound)
    starts = []
    program.sound.started.connect(starts.append)
    program.seek(0)
    program.play(1)
    qtbot.wait(600)  # about 14 frames at 24 fps
    assert program.frame >= 5
    assert starts == [0], f"the sound restarted {len(starts) - 1} times in {program.frame} frames"
    program.seek(30)  # a real jump still restarts it at the new frame
    assert starts[-1] == frame_to_sample(30, RATE)
    program.pause()


def test_the_program_viewer_follows_the_sound_it_plays(cut, qtbot):
    """The sound is the master clock: while the device has played nothing yet the picture holds
    its first frame (a PulseAudio stream took up to 1.1 s to start on a loaded 2-core machine); once
    it plays, the frame shown is the frame of the sample heard; when the device clock stops moving
    (a stall, the sound's end) the wall clock carries on from there."""
    from director.ui import audio_playback

    session, viewer = cut
    tap(viewer.sound)
    played_us = [0]
    viewer.sound.device_clock = lambda: played_us[0]
    viewer.seek(0)
    viewer.play(1)
    qtbot.wait(300)  # seven frames of wall clock: the device has not started
    assert viewer.frame == 0 and viewer.playing
    played_us[0] = 500_000  # the device has played half a second
    qtbot.waitUntil(lambda: viewer.frame == 12, timeout=2000)
    played_us[0] = 750_000
    qtbot.waitUntil(lambda: viewer.frame == 18, timeout=2000)
    # The device clock stops: after STALL_S the wall clock moves the picture on from frame 18.
    qtbot.waitUntil(lambda: viewer.frame > 19, timeout=int(audio_playback.STALL_S * 1000) + 2000)
    viewer.pause()


def test_a_device_that_never_starts_leaves_the_picture_to_the_wall_clock(cut, qtbot, monkeypatch):
    from director.ui import audio_playback

    monkeypatch.setattr(audio_playback, "STARTUP_S", 0.2)
    session, viewer = cut
    tap(viewer.sound)
    viewer.sound.device_clock = lambda: 0
    viewer.seek(0)
    viewer.play(1)
    qtbot.waitUntil(lambda: viewer.frame >= 6, timeout=3000)  # it waited 0.2 s, then played on
    viewer.pause()


def test_the_take_viewer_follows_the_sound_it_plays(film, qtbot):
    session, a, _ = film
    viewer = viewer_with_sound(session, a, qtbot)
    tap(viewer.player.sound)
    played_us = [0]
    viewer.player.sound.device_clock = lambda: played_us[0]
    viewer.player.set_loop(False)
    viewer.seek(0)
    viewer.player.play()
    qtbot.wait(300)
    assert viewer.player._target == 0  # held while the device starts
    played_us[0] = 1_000_000
    qtbot.waitUntil(lambda: viewer.player._target == 24, timeout=2000)
    viewer.player.pause()
    viewer.player.close()


def test_compare_follows_the_focused_panes_sound(film, qtbot):
    from director.ui.gallery.compare_view import CompareView

    session, a, b = film
    view = CompareView(session)
    qtbot.addWidget(view)
    view.loop_box.setChecked(False)
    view.set_takes([a, b])
    qtbot.waitUntil(lambda: all(p.sound_source is not None for p in view.panes), timeout=5000)
    tap(view.sound)
    played_us = [0]
    view.sound.device_clock = lambda: played_us[0]
    view.seek(0)
    view.play()
    qtbot.wait(300)
    assert view.index() == 0  # every pane waits for the sound to start
    played_us[0] = 1_000_000
    qtbot.waitUntil(lambda: view.index() == 24, timeout=2000)
    view.pause()


def test_a_looping_take_starts_over_when_its_sound_ends(film, qtbot):
    """At the end of the take's sound the device clock stops; the picture does not wait there
    for ever: it loops, and the sound starts again from the first sample."""
    import time

    session, a, _ = film
    viewer = viewer_with_sound(session, a, qtbot)
    tap(viewer.player.sound)
    sound = viewer.player.sound
    began = [time.monotonic()]
    sound.started.connect(lambda _s: began.__setitem__(0, time.monotonic()))
    length_us = viewer.player.sound_source.length * 1_000_000 // 48_000
    sound.device_clock = lambda: min(int((time.monotonic() - began[0]) * 1_000_000), length_us)
    starts = []
    sound.started.connect(starts.append)
    viewer.player.set_loop(True)
    viewer.seek(40)
    viewer.player.play()  # 8 frames from the end
    qtbot.waitUntil(lambda: len(starts) >= 2, timeout=3000)
    assert starts == [frame_to_sample(40, RATE), 0]
    viewer.player.pause()
    viewer.player.close()
