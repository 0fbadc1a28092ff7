"""The program viewer: plays the flattened cut in real time with frame-exact cuts.

A QTimer ticks faster than the frame rate and each tick shows the frame the wall clock says is due
(QElapsedTimer since play started), so playback never drifts: when a frame is late the viewer skips
ahead and counts the skipped frames as dropped rather than slowing down. Frames are rendered ahead
of the playhead on a worker thread (media_frames.ProgramFrames). A take whose file is missing,
damaged or tampered plays black for its length, with a line saying which take and which file.

Under the picture sits the transport (issue #21): play/pause, a scrubber that shows the in and out
marks, and the timecode; Space, J/K/L and the arrow keys work as before.

The cut is built on the project's reads thread, and only while the viewer is on screen (issue #24):
hidden behind the Viewer tab it remembers that the cut changed and builds it when shown;
`cut_loaded` fires when a new cut is in place.

Sound (issue #16): with each cut the reads thread builds its mix plan (store.audio.mix_plan, the
export's rule), the sound thread reads the WAVs it plays, and playing at 1× pushes the mix from the
first sample of the frame shown (audio_playback); a shuttle at any other speed is silent.
`sound_ready` fires when the mix for the cut shown is in place.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QRect, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QFont, QFontDatabase, QImage, QKeyEvent, QPainter
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QSlider, QStyle, QStyleOptionSlider, QToolButton, QVBoxLayout, QWidget

from director.core.audio import sample_to_frame
from director.core.changes import Changes
from director.core.cut import Cut
from director.core.timeline import Clip
from director.store import audio as store_audio
from director.store import cuts
from director.store import timeline as store_timeline
from director.store.panels import shots_of
from director.ui.audio_playback import SoundLoader, SoundOutput, prepared_mix, sample_of
from director.ui.freshness import Freshness
from director.ui.media_frames import ProgramFrames
from director.ui.undo import ProjectSession

READ_AHEAD = 24
SHUTTLE = (1, 2, 4, 8)


def _shots_on(project, timeline_id: int) -> set[int]:
    """The shots with a clip on the timeline: the only ones whose takes can change the cut."""
    return {item.shot_id for track in store_timeline.load_timeline(project, timeline_id).tracks for item in track.items if isinstance(item, Clip)}


def read_cut(project, timeline_id: int, follows_current: bool) -> tuple[int, Cut, set[int]]:
    """(timeline shown, its flattened cut, the shots on it), read off the UI thread. A viewer that
    follows the current cut, or whose cut was deleted, shows the current one."""
    if follows_current or timeline_id not in {c.id for c in cuts.list_cuts(project)}:
        timeline_id = cuts.current_timeline_id(project)
    return timeline_id, store_timeline.build_cut(project, timeline_id), _shots_on(project, timeline_id)


def to_qimage(rgb) -> QImage:
    h, w = rgb.shape[:2]
    # copy(): the QImage must own its pixels; the array may leave the cache at any time.
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


PLAY_TEXT, PAUSE_TEXT = "▶", "❚❚"
MARK_COLOUR = QColor(90, 200, 255)


class MarkedSlider(QSlider):
    """The scrubber: a horizontal slider over the cut's frames that also draws the in and out marks
    (a tick at each, the range between them tinted), so a director sees what will loop or export."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.mark_in: int | None = None
        self.mark_out: int | None = None

    def set_marks(self, mark_in: int | None, mark_out: int | None) -> None:
        self.mark_in, self.mark_out = mark_in, mark_out
        self.update()

    def x_of(self, frame: int) -> int:
        """The pixel column of a frame on the groove (where the handle's centre would be)."""
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        groove = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, self)
        handle = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, self)
        span = max(1, groove.width() - handle.width())
        return groove.x() + handle.width() // 2 + QStyle.sliderPositionFromValue(self.minimum(), self.maximum(), frame, span)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self.mark_in is None and self.mark_out is None:
            return
        p = QPainter(self)
        left = self.x_of(self.mark_in if self.mark_in is not None else self.minimum())
        right = self.x_of(self.mark_out if self.mark_out is not None else self.maximum())
        tint = QColor(MARK_COLOUR)
        tint.setAlpha(70)
        p.fillRect(QRectF(left, self.height() / 2 - 3, max(1, right - left), 6), tint)
        p.setPen(MARK_COLOUR)
        for mark, x in ((self.mark_in, left), (self.mark_out, right)):
            if mark is not None:
                p.drawLine(x, 1, x, self.height() - 2)
        p.end()


class ProgramViewer(QWidget):
    """Plays a timeline's cut. Keys: Space play/pause, J/K/L shuttle, I/O marks, Home/End,
    ←/→ one frame, 1–9 cut to that camera at the playhead (also while playing)."""

    playhead_moved = Signal(int)
    playback_started = Signal()
    playback_stopped = Signal()
    marks_changed = Signal(object, object)  # in frame or None, out frame or None
    cut_loaded = Signal()
    sound_ready = Signal()

    def __init__(self, session: ProjectSession, timeline_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.project = session.project
        # Without a timeline id it plays the project's current cut and follows a switch of cuts.
        self._follows_current = timeline_id is None
        self.timeline_id = timeline_id or cuts.current_timeline_id(self.project)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 90)
        settings = self.project.settings()
        self._cut_shots: set[int] = set()
        self.frames = ProgramFrames(self.project.media.root, Cut(settings.rate, settings.width, settings.height, ()),
                                    settings.width, settings.height)
        self._frame = 0
        self._image: QImage | None = None
        self._speed = 0  # frames of cut per frame of wall time; negative plays backwards
        self._anchor_frame = 0
        self._clock = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_tick)
        self.dropped_frames = 0
        self.shown_frames = 0
        self._mark_in: int | None = None
        self._mark_out: int | None = None
        self.sound = SoundOutput(self)
        self.sound_source = None  # the cut's mix (audio_playback.MixSource), None while silent
        self.sound_loader = SoundLoader(self)
        self._build_transport()
        session.changed.connect(self._on_changes)
        self._show(0)
        self.freshness = Freshness(self, self._request, session=session)  # the first showing builds the cut

    def _build_transport(self) -> None:
        """Play/pause, the scrubber and the timecode in a strip under the picture. None of them
        takes the keyboard focus, so Space and J/K/L keep reaching the viewer."""
        self.transport = QWidget(self)
        self.transport.setObjectName("programTransport")
        self.transport.setAutoFillBackground(True)
        self.play_button = QToolButton(self.transport)
        self.play_button.setObjectName("programPlay")
        self.play_button.setText(PLAY_TEXT)
        self.play_button.setToolTip("Play or pause the cut (Space); J/K/L shuttle")
        self.play_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.play_button.clicked.connect(self.toggle)
        self.scrubber = MarkedSlider(self.transport)
        self.scrubber.setObjectName("programScrubber")
        self.scrubber.setToolTip("Drag to move through the cut; I and O set the in and out marks")
        self.scrubber.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scrubber.setRange(0, 0)
        self.scrubber.valueChanged.connect(self._on_scrubbed)
        self.timecode = QLabel(self.transport)
        self.timecode.setObjectName("programTimecode")
        self.timecode.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        bar = QHBoxLayout(self.transport)
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addWidget(self.play_button)
        bar.addWidget(self.scrubber, 1)
        bar.addWidget(self.timecode)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addStretch(1)  # the picture: painted by paintEvent above the strip
        layout.addWidget(self.transport)
        self.playback_started.connect(lambda: self.play_button.setText(PAUSE_TEXT))
        self.playback_stopped.connect(lambda: self.play_button.setText(PLAY_TEXT))

    def _sync_transport(self) -> None:
        """The scrubber and timecode follow the frame shown (without seeking back from the scrubber)."""
        last = max(0, self.cut.duration - 1)
        self.scrubber.blockSignals(True)
        self.scrubber.setRange(0, last)
        self.scrubber.setValue(self._frame)
        self.scrubber.blockSignals(False)
        rate = self.cut.rate
        self.timecode.setText(f"{rate.timecode(self._frame)} / {rate.timecode(self.cut.duration)}")

    def _on_scrubbed(self, frame: int) -> None:
        self.seek(frame)

    @property
    def mark_in(self) -> int | None:
        return self._mark_in

    @mark_in.setter
    def mark_in(self, frame: int | None) -> None:
        self._mark_in = frame
        self.scrubber.set_marks(self._mark_in, self._mark_out)

    @property
    def mark_out(self) -> int | None:
        return self._mark_out

    @mark_out.setter
    def mark_out(self, frame: int | None) -> None:
        self._mark_out = frame
        self.scrubber.set_marks(self._mark_in, self._mark_out)

    # -- model ---------------------------------------------------------------------------------

    @property
    def cut(self) -> Cut:
        return self.frames.cut

    @property
    def frame(self) -> int:
        return self._frame

    @property
    def playing(self) -> bool:
        return self._speed != 0

    @property
    def speed(self) -> int:
        return self._speed

    def problem_at(self, frame: int):
        """Why the take at a record frame shows black (a MediaIssue), once that frame was rendered."""
        seg = self.frames.segment_at(frame)
        return self.frames.problem(seg.take_id) if seg is not None else None

    def problem_text(self, frame: int) -> str:
        issue = self.problem_at(frame)
        if issue is None:
            return ""
        seg = self.frames.segment_at(frame)
        text = f"take {seg.take_id} (shot {seg.shot_code or '?'}): media {issue.problem}\n{issue.path}"
        return text + (f"\n({issue.detail})" if issue.detail else "")

    def frame_image(self, frame: int) -> QImage:
        """The output picture at a record frame, at the project's frame size (letterboxed)."""
        return to_qimage(self.frames.render(frame))

    @Slot()
    def refresh(self) -> None:
        """Rebuild the cut from the project (after an edit, an undo, a take changing or a switch of
        cuts): on the reads thread, now if the viewer is shown, else when it is next shown."""
        self.freshness.mark_stale()

    def _request(self) -> None:
        shown, follows = self.timeline_id, self._follows_current
        self.session.reads.submit(f"program-{id(self)}", lambda project: read_cut(project, shown, follows), self._apply)

    def _apply(self, read: tuple[int, Cut, set[int]]) -> None:
        self.timeline_id, cut, self._cut_shots = read
        self.frames.set_cut(cut)
        self._show(min(self._frame, max(0, self.cut.duration - 1)), force=True)
        self.cut_loaded.emit()
        shown = self.timeline_id
        self.session.reads.submit(f"program-sound-{id(self)}", lambda project: store_audio.mix_plan(project, shown, cut), self._on_plan)

    def _on_plan(self, plan) -> None:
        media = self.project.media
        self.sound_loader.load(lambda: prepared_mix(plan, media), self._set_sound_source)

    def _set_sound_source(self, source) -> None:
        self.sound_source = source
        self._sound_from(self._frame)
        self.sound_ready.emit()

    def _sound_from(self, frame: int) -> None:
        """Sound at 1× from the frame's first sample; silence when paused or shuttling."""
        if self._speed == 1 and self.sound_source is not None:
            self.sound.start(self.sound_source, sample_of(frame, self.cut.rate))
        else:
            self.sound.stop()

    def _on_changes(self, changes: Changes) -> None:
        """An edit of the cut rebuilds it; a take, job or shot change only when its shot is on the cut
        (rating a take of a shot that is not cut, or a job finishing there, costs nothing here). Hidden,
        it does not even look: the cut is built again when it is shown."""
        if changes.timeline or changes.project:
            self.refresh()
            return
        if not (changes.takes or changes.shots) or self.freshness.stale:
            return  # a job starting or failing changes no take on the cut
        if not self.freshness.on_screen():
            self.refresh()
            return
        shots, complete = shots_of(self.project, takes=changes.takes)
        if not complete or (shots | set(changes.shots)) & self._cut_shots:
            self.refresh()

    # -- transport -----------------------------------------------------------------------------

    @Slot(int)
    def seek(self, frame: int) -> None:
        frame = max(0, min(int(frame), max(0, self.cut.duration - 1)))
        if self.playing and frame == self._frame:
            return  # the window's playhead echoing the frame just shown: the clock and sound run on
        if self.playing:
            self._anchor(frame)
            self._sound_from(frame)
        self._show(frame)

    @Slot()
    def play(self, speed: int = 1) -> None:
        if self.cut.duration == 0 or speed == 0:
            return
        was = self.playing
        self._speed = speed
        self._anchor(self._frame)
        self._sound_from(self._frame)
        self.frames.read_ahead(self._frame + (1 if speed > 0 else -1), READ_AHEAD, 1 if speed > 0 else -1)
        self._timer.start(max(1, int(250 * self.cut.rate.den / self.cut.rate.num)))  # 4 ticks a frame
        if not was:
            self.playback_started.emit()

    @Slot()
    def pause(self) -> None:
        if not self.playing:
            return
        self._speed = 0
        self._timer.stop()
        self.sound.stop()
        self.playback_stopped.emit()

    @Slot()
    def toggle(self) -> None:
        self.pause() if self.playing else self.play(1)

    def _anchor(self, frame: int) -> None:
        self._anchor_frame = frame
        self._clock.start()

    def _due(self) -> int:
        """The frame to show now: the frame of the sample being heard while sound plays (the sound
        is the master clock; the wall clock is re-anchored there, so it carries on from it if the
        device stops), else the wall clock's (exact rational arithmetic)."""
        rate = self.cut.rate
        heard = self.sound.device_due() if self._speed == 1 else None
        if heard is not None:
            frame = sample_to_frame(heard, rate)
            self._anchor(frame)
            return frame
        return self._anchor_frame + (self._clock.nsecsElapsed() * rate.num * self._speed) // (1_000_000_000 * rate.den)

    def _on_tick(self) -> None:
        due = self._due()
        end = self.mark_out + 1 if self.mark_out is not None else self.cut.duration
        start = self.mark_in if self.mark_in is not None else 0
        if due >= end or due < start:
            self._show(max(start, min(due, end - 1)))
            self.pause()
            return
        if due == self._frame:
            return
        step = abs(due - self._frame)
        if step > 1:
            self.dropped_frames += step - 1  # late: skip to the due frame instead of slowing down
        self._show(due)
        direction = 1 if self._speed > 0 else -1
        if self.frames.cached(due + direction * READ_AHEAD // 2) is None:
            self.frames.read_ahead(due + direction, READ_AHEAD, direction)

    def _show(self, frame: int, force: bool = False) -> None:
        if frame == self._frame and self._image is not None and not force:
            return
        self._frame = frame
        self._image = self.frame_image(frame)
        self.shown_frames += 1
        self._sync_transport()
        self.update(self._picture_rect())
        self.playhead_moved.emit(frame)

    def reset_counters(self) -> None:
        self.dropped_frames = self.shown_frames = 0

    # -- painting ------------------------------------------------------------------------------

    def _picture_rect(self) -> QRect:
        """Where the picture goes: everything above the transport strip."""
        return QRect(0, 0, self.width(), max(0, self.height() - self.transport.sizeHint().height()))

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        area = self._picture_rect()
        p.fillRect(area, Qt.GlobalColor.black)
        if self._image is not None:
            iw, ih = self._image.width(), self._image.height()
            scale = min(area.width() / iw, (area.height() - 18) / ih)
            w, h = max(0, int(iw * scale)), max(0, int(ih * scale))
            target = QRect((area.width() - w) // 2, (area.height() - 18 - h) // 2, w, h)
            p.drawImage(target, self._image)
        problem = self.problem_text(self._frame)
        if problem:
            p.setPen(QColor(255, 140, 140))
            p.drawText(area.adjusted(8, 8, -8, -26), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, problem)
        p.setPen(QColor(220, 220, 220))
        p.setFont(QFont("monospace", 9))
        seg = self.frames.segment_at(self._frame)
        label = f"frame {self._frame}"
        if seg is not None and seg.shot_code:
            label += f"   {seg.shot_code} cam {seg.camera or '?'}"
            if seg.take_id is None:
                label += " (no take)"
        if self.mark_in is not None or self.mark_out is not None:
            label += f"   in {self.mark_in if self.mark_in is not None else '–'} out {self.mark_out if self.mark_out is not None else '–'}"
        if self.playing and self._speed != 1:
            label += f"   ×{self._speed}"
        p.drawText(6, area.bottom() - 4, label)
        p.end()

    # -- keys ----------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Space:
            self.toggle()
        elif key == Qt.Key.Key_L:
            self.play(self._next_speed(+1))
        elif key == Qt.Key.Key_J:
            self.play(self._next_speed(-1))
        elif key == Qt.Key.Key_K:
            self.pause()
        elif key == Qt.Key.Key_I:
            self.mark_in = self._frame
            self.marks_changed.emit(self.mark_in, self.mark_out)
        elif key == Qt.Key.Key_O:
            self.mark_out = self._frame
            self.marks_changed.emit(self.mark_in, self.mark_out)
        elif key == Qt.Key.Key_Home:
            self.seek(0)
        elif key == Qt.Key.Key_End:
            self.seek(self.cut.duration - 1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            self.pause()
            self.seek(self._frame + (1 if key == Qt.Key.Key_Right else -1))
        elif Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
            from director.ui.timeline_view import cut_to_camera

            cut_to_camera(self.session, self.timeline_id, self._frame, key - Qt.Key.Key_0)
        else:
            super().keyPressEvent(event)

    def _next_speed(self, direction: int) -> int:
        """L and J speed up in their direction (1, 2, 4, 8) and reverse from the other."""
        if self._speed * direction > 0:
            i = SHUTTLE.index(abs(self._speed)) if abs(self._speed) in SHUTTLE else 0
            return direction * SHUTTLE[min(i + 1, len(SHUTTLE) - 1)]
        return direction

    def closeEvent(self, event) -> None:
        self.pause()
        self.sound.close()
        self.frames.close()
        super().closeEvent(event)
