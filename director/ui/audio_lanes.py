"""Audio lanes under the timeline's picture tracks (#16 part C): A1, the takes' own sound, then each
audio track of imported clips, with waveforms, per-track mute / solo / gain and per-clip gain.
An imported clip moves (also to another imported-clips lane) and trims at its edges by dragging,
in whole frames of the cut; a picture clip's menu sets its own sound's J/L cut, gain and, on a
multicam clip, the take its sound stays on.

What A1 plays comes from the cut's mix plan (store.audio.mix_plan: the export's rule, J/L cuts
included), read on the session's reads thread; the imported clips come from store.audio.tracks.
Every change is one of store.audio's undoable edits pushed through the session (`session.push`), so
undo, the CLI (`director cut audio …`) and these lanes share one path. The lane header (name, M, S
and the gain) is drawn at the viewport's left edge and stays there while the cut scrolls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QActionGroup, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QGraphicsItem, QGraphicsRectItem, QInputDialog, QSpinBox

from director.core import audio as ca
from director.core.errors import DirectorError
from director.store import audio as store_audio
from director.store import timeline as st
from director.ui.audio_waveform import WAVE_COLOUR, waveform_path, waveforms

AUDIO_H = 34
HEADER_W = 118
BUTTONS = ("mute", "solo")
EDGE_PX = 6  # a press this close to an audio clip's edge trims it instead of moving it
DRAG_PX = 3  # a press that moves less than this is a click, not a drag


class AudioClipItem(QGraphicsRectItem):
    """One stretch of sound on a lane: an imported clip (selectable, with an id) or a piece of A1."""

    def __init__(self, lanes: AudioLanes, lane: int, record_start: int, duration: int, key: tuple[str, int], source_in: int,
                 clip: ca.AudioClip | None = None, gain_db: float = 0.0):
        super().__init__()
        self.lanes, self.lane, self.record_start, self.duration = lanes, lane, record_start, duration
        self.key, self.source_in, self.clip, self.gain_db = key, source_in, clip, gain_db
        self.painted_wave = False  # tests: the waveform was drawn
        if clip is not None:
            self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.relayout()

    def relayout(self) -> None:
        view = self.lanes.view
        per_sample = view.ppf * view.timeline.rate.fraction / ca.SAMPLE_RATE
        y = self.lanes.lane_y(self.lane)
        self.setRect(QRectF(float(self.record_start * per_sample), y + 2, max(1.0, float(self.duration * per_sample)), AUDIO_H - 4))

    def paint(self, p: QPainter, option, widget=None) -> None:
        r = self.rect()
        muted = not self.lanes.audible(self.lane)
        p.fillRect(r, QColor(40, 58, 48) if not muted else QColor(44, 44, 44))
        relative = self.lanes.plan_file(self.key)
        peaks = self.lanes.cache.ask(relative) if relative else None
        if peaks is not None and len(peaks) and r.width() >= 2:
            p.fillPath(waveform_path(peaks, r.adjusted(0, 1, 0, -1), self.source_in, self.duration), WAVE_COLOUR if not muted else QColor(90, 90, 90))
            self.painted_wave = True
        text = self.label()
        if text and r.width() > 30:
            p.setPen(QColor(230, 230, 230))
            p.setFont(self.lanes.font)
            p.drawText(r.adjusted(3, 1, -2, -1), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, text)
        selected = self.isSelected()
        p.setPen(QPen(QColor(255, 220, 90) if selected else QColor(18, 18, 18), 2 if selected else 1))
        p.drawRect(r)

    def label(self) -> str:
        """What the piece says: an imported clip's name, and a gain other than 0 dB (an A1 piece
        has only its picture clip's sound gain)."""
        gain = f"{self.gain_db:+g} dB" if self.gain_db else ""
        return " ".join(w for w in (self.clip.name if self.clip is not None else "", gain) if w)


@dataclass
class AudioDrag:
    """An imported clip being dragged from its lane `home`: `mode` is 'move', 'head' (its left
    edge) or 'tail'. `request` is the store edit a drop asks for, `lane` and `span` (record samples)
    where it would land, `refusal` why the drop would be refused (None: it would land)."""

    clip: ca.AudioClip
    home: int
    lane: int
    mode: str
    press_x: float
    moved: bool = False
    request: tuple | None = None
    span: tuple[int, int] | None = None
    refusal: str | None = None


def _gain_db(gain: float) -> float:
    """A piece's linear gain back in dB, to the tenth the gain dialog sets."""
    return round(20 * math.log10(gain), 1) if gain > 0 else ca.MIN_GAIN_DB


class _Signals(QObject):
    sound_loaded = Signal()  # the cut's mix plan is in place (lanes drawn from it)


class AudioLanes:
    """The timeline view's audio lanes; the view calls reload/build/height/draw_headers/press/drop."""

    def __init__(self, view):
        self.view = view
        self.session = view.session
        self.cache = waveforms(self.session)
        self.cache.loaded.connect(lambda _rel: self.view.viewport().update())
        self.signals = _Signals(view)
        self.sound_loaded = self.signals.sound_loaded
        self.font = QFont("sans", 8)
        self.tracks: list[store_audio.TrackState] = []
        self.plan: ca.MixPlan | None = None
        self.items: list[AudioClipItem] = []
        self.drag: AudioDrag | None = None
        self.reload()

    # -- data ----------------------------------------------------------------------------------

    def reload(self) -> None:
        """The lanes' tracks now (a few rows), the mix plan on the reads thread."""
        project, timeline_id = self.session.project, self.view.timeline_id
        self.drag = None  # the lanes changed under a drag: its clip may no longer be what was grabbed
        self.tracks = store_audio.tracks(project, timeline_id)
        self.session.reads.submit(f"timeline-sound-{id(self)}", lambda p: store_audio.mix_plan(p, timeline_id, st.build_cut(p, timeline_id)),
                                  self._on_plan)

    def _on_plan(self, plan: ca.MixPlan) -> None:
        self.plan = plan
        self.build()
        self.view.viewport().update()
        self.sound_loaded.emit()

    def plan_file(self, key) -> str | None:
        if self.plan is not None and key in self.plan.files:
            return self.plan.files[key]
        return None

    def audible(self, lane: int) -> bool:
        t = self.tracks[lane]
        if any(x.solo for x in self.tracks):
            return t.solo
        return not t.mute

    # -- scene ---------------------------------------------------------------------------------

    def lane_y(self, lane: int) -> float:
        from director.ui.timeline_view import RULER_H, TRACK_H

        return RULER_H + max(1, len(self.view.timeline.tracks)) * TRACK_H + lane * AUDIO_H

    def height(self) -> int:
        return len(self.tracks) * AUDIO_H

    def build(self) -> None:
        """(Re)make the lanes' items: A1 from the plan's pieces, other lanes from their clips."""
        scene = self.view.scene()
        for item in self.items:
            if item.scene() is scene:
                scene.removeItem(item)
        self.items = []
        plan_tracks = {t.name: t for t in self.plan.tracks} if self.plan is not None else {}
        for lane, track in enumerate(self.tracks):
            if track.kind == "linked":
                mix = plan_tracks.get(track.name)
                for piece in mix.pieces if mix is not None else ():
                    self._add(AudioClipItem(self, lane, piece.record_start, piece.duration, (piece.kind, piece.source), piece.source_in,
                                            gain_db=_gain_db(piece.gain)))
            else:
                for clip in track.clips:
                    self._add(AudioClipItem(self, lane, clip.record_start, clip.duration, ("file", clip.audio_id), clip.source_in, clip, clip.gain_db))
        self.view._update_scene_rect()

    def _add(self, item: AudioClipItem) -> None:
        self.view.scene().addItem(item)
        self.items.append(item)

    def relayout(self) -> None:
        for item in self.items:
            item.relayout()

    def lane_at_y(self, scene_y: float) -> int | None:
        k = int((scene_y - self.lane_y(0)) // AUDIO_H) if scene_y >= self.lane_y(0) else -1
        return k if 0 <= k < len(self.tracks) else None

    def clip_item_at(self, scene_pos: QPointF) -> AudioClipItem | None:
        for gi in self.view.scene().items(scene_pos):
            if isinstance(gi, AudioClipItem) and gi.clip is not None:
                return gi
        return None

    # -- dragging an imported clip: move, or trim at an edge --------------------------------------

    def begin_drag(self, viewport_pos: QPointF, scene_pos: QPointF) -> bool:
        """A press on an imported clip selects it and starts a drag (near an edge: a trim of that
        edge); True when the press was on one. Presses on the lane headers are not drags."""
        if viewport_pos.x() < HEADER_W:
            return False
        item = self.clip_item_at(scene_pos)
        if item is None:
            return False
        self.view.scene().clearSelection()
        item.setSelected(True)
        if self.session.project.readonly:
            return True  # selected; nothing to drag in a file open read-only
        r = item.rect()
        mode = "head" if scene_pos.x() - r.left() <= EDGE_PX else "tail" if r.right() - scene_pos.x() <= EDGE_PX else "move"
        self.drag = AudioDrag(item.clip, item.lane, item.lane, mode, scene_pos.x())
        return True

    def drag_to(self, scene_pos: QPointF) -> None:
        """Follow the pointer: work out where the clip would land and whether it may."""
        drag = self.drag
        if drag is None:
            return
        if abs(scene_pos.x() - drag.press_x) > DRAG_PX or (drag.mode == "move" and self.lane_at_y(scene_pos.y()) not in (None, drag.home)):
            drag.moved = True
        if drag.moved:
            drag.lane, drag.request, drag.span = self._landing(drag, scene_pos)
            drag.refusal = self._refusal(drag)
        self.view.viewport().update()

    def end_drag(self, scene_pos: QPointF) -> bool:
        """The drop: one undoable store edit, or the refusal reported and the clip left as it was."""
        drag, self.drag = self.drag, None
        self.view.viewport().update()
        if drag is None or not drag.moved:
            return False
        _, request, _ = self._landing(drag, scene_pos)
        clip = drag.clip
        if request in (("move", clip.record_start, None), ("head", clip.source_in), ("tail", clip.duration)):
            return False  # dropped where it was
        project = self.session.project
        if request[0] == "move":
            return self._push(lambda: store_audio.move_clip(project, clip.id, request[1], track=request[2]))
        if request[0] == "head":
            return self._push(lambda: store_audio.trim_clip(project, clip.id, source_in=request[1]))
        return self._push(lambda: store_audio.trim_clip(project, clip.id, duration=request[1]))

    def _edge_frame(self, sample: int, dx: float) -> int:
        """The whole frame nearest to where an edge at record `sample` lands when dragged `dx` scene
        pixels (may be negative: before the cut, refused)."""
        view = self.view
        return round(float(sample * view.timeline.rate.fraction / ca.SAMPLE_RATE) + dx / view.ppf)

    def _landing(self, drag: AudioDrag, scene_pos: QPointF) -> tuple[int, tuple, tuple[int, int]]:
        """(lane, store request, record span) for the pointer at `scene_pos`, edges on whole frames."""
        clip, dx, rate = drag.clip, scene_pos.x() - drag.press_x, self.view.timeline.rate
        if drag.mode == "move":
            start = ca.frame_to_sample(self._edge_frame(clip.record_start, dx), rate)
            lane = self.lane_at_y(scene_pos.y())
            lane = drag.home if lane is None else lane
            track = None if lane == drag.home else self.tracks[lane].name
            return lane, ("move", start, track), (start, start + clip.duration)
        if drag.mode == "head":
            start = ca.frame_to_sample(self._edge_frame(clip.record_start, dx), rate)
            return drag.home, ("head", clip.source_in + start - clip.record_start), (start, clip.record_end)
        end = ca.frame_to_sample(self._edge_frame(clip.record_end, dx), rate)
        return drag.home, ("tail", end - clip.record_start), (clip.record_start, end)

    def _refusal(self, drag: AudioDrag) -> str | None:
        """Why the drop would be refused, by core.audio's rules on the lanes as shown (the store
        checks again on the drop); None when it would land."""
        track = self.tracks[drag.lane]
        kind, value = drag.request[0], drag.request[1]
        try:
            ca.check_clips_track(track.kind)
            if kind == "move":
                new = ca.moved(drag.clip, value)
            else:
                new = ca.trimmed(drag.clip, source_in=value) if kind == "head" else ca.trimmed(drag.clip, duration=value)
            available = self.plan.available.get(("file", drag.clip.audio_id), 0) if self.plan is not None else new.source_in + new.duration
            ca.placed(new, ca.AudioTrack(track.id or 0, track.name, track.clips), available)
        except DirectorError as exc:
            return str(exc)
        return None

    def preview(self) -> tuple[int, int, int, str | None] | None:
        """Where the dragged clip would land, as drawn: (lane, record start, record end in samples,
        why it would be refused or None); None when no drag has moved yet."""
        drag = self.drag
        if drag is None or not drag.moved or drag.span is None:
            return None
        return drag.lane, drag.span[0], drag.span[1], drag.refusal

    def draw_drag(self, p: QPainter) -> None:
        """The landing place of a dragged clip, in scene coordinates: an outline, red where refused."""
        shown = self.preview()
        if shown is None:
            return
        lane, start, end, refusal = shown
        view = self.view
        per_sample = view.ppf * view.timeline.rate.fraction / ca.SAMPLE_RATE
        a, b = sorted((float(start * per_sample), float(end * per_sample)))
        colour = QColor(255, 90, 80) if refusal else QColor(90, 200, 255)
        r = QRectF(a, self.lane_y(lane) + 2, max(1.0, b - a), AUDIO_H - 4)
        p.save()
        fill = QColor(colour)
        fill.setAlpha(60)
        p.fillRect(r, fill)
        p.setPen(QPen(colour, 2, Qt.PenStyle.DashLine))
        p.drawRect(r)
        p.restore()

    # -- the header: name, M, S, gain ----------------------------------------------------------

    def button_rect(self, lane: int, which: str) -> QRectF:
        """Where a lane's M or S button is, in viewport coordinates (clicks and tests aim here)."""
        y = self.view.mapFromScene(QPointF(0, self.lane_y(lane))).y()
        x = 34 + 20 * BUTTONS.index(which)
        return QRectF(x, y + 8, 18, AUDIO_H - 16)

    def draw_headers(self, p: QPainter) -> None:
        p.save()
        p.resetTransform()  # viewport coordinates: the headers stay at the left edge
        p.setFont(self.font)
        for lane, track in enumerate(self.tracks):
            y = self.view.mapFromScene(QPointF(0, self.lane_y(lane))).y()
            p.fillRect(QRectF(0, y, HEADER_W, AUDIO_H), QColor(30, 32, 38, 230))
            p.setPen(QColor(220, 220, 220))
            p.drawText(QRectF(4, y, 30, AUDIO_H), Qt.AlignmentFlag.AlignVCenter, track.name)
            for which, on, colour in (("mute", track.mute, QColor(220, 90, 60)), ("solo", track.solo, QColor(230, 200, 60))):
                r = self.button_rect(lane, which)
                p.fillRect(r, colour if on else QColor(60, 62, 70))
                p.setPen(QColor(20, 20, 20) if on else QColor(200, 200, 200))
                p.drawText(r, Qt.AlignmentFlag.AlignCenter, which[0].upper())
            p.setPen(QColor(180, 180, 180))
            p.drawText(QRectF(76, y, HEADER_W - 78, AUDIO_H), Qt.AlignmentFlag.AlignVCenter, f"{track.gain_db:+.1f}dB")
        p.restore()

    def press(self, viewport_pos: QPointF) -> bool:
        """A click on a lane's M or S button toggles it (undoable); True when it was one."""
        for lane, track in enumerate(self.tracks):
            for which in BUTTONS:
                if self.button_rect(lane, which).contains(viewport_pos):
                    self.set_track(track.name, **{which: not getattr(track, which)})
                    return True
        return False

    # -- edits (all undoable, all store.audio's) -----------------------------------------------

    def _push(self, make) -> bool:
        try:
            edit = make()
        except DirectorError as exc:
            self.session.error_raised.emit(str(exc))
            return False
        return self.session.push(edit)

    def set_track(self, name: str, *, mute: bool | None = None, solo: bool | None = None, gain_db: float | None = None) -> bool:
        return self._push(lambda: store_audio.set_track(self.session.project, self.view.timeline_id, name, mute=mute, solo=solo, gain_db=gain_db))

    def set_clip_gain(self, clip_id: int, gain_db: float) -> bool:
        return self._push(lambda: store_audio.set_clip_gain(self.session.project, clip_id, gain_db))

    def remove_clip(self, clip_id: int) -> bool:
        return self._push(lambda: store_audio.remove_clip(self.session.project, clip_id))

    def set_jl(self, clip_id: int, lead_frames: int, lag_frames: int) -> bool:
        """A picture clip's J and L cut, in frames of the cut (stored as samples)."""
        rate = self.view.timeline.rate
        return self._push(lambda: store_audio.set_clip_sound(self.session.project, clip_id, lead=ca.frame_to_sample(lead_frames, rate),
                                                             lag=ca.frame_to_sample(lag_frames, rate)))

    def set_sound_gain(self, clip_id: int, gain_db: float) -> bool:
        """A picture clip's own sound gain in dB (what `cut audio link --gain` sets)."""
        return self._push(lambda: store_audio.set_clip_sound(self.session.project, clip_id, gain_db=gain_db))

    def set_sound_take(self, clip_id: int, take_id: int | None) -> bool:
        """Keep a multicam clip's sound on one take across angle cuts, or (None) let it follow the
        live camera: `cut audio link --take ID | --follow-live`."""
        project = self.session.project
        if take_id is None:
            return self._push(lambda: store_audio.set_clip_sound(project, clip_id, follow_live=True))
        return self._push(lambda: store_audio.set_clip_sound(project, clip_id, take_id=take_id))

    def drop_sound(self, audio_id: int, scene_pos: QPointF) -> bool:
        """A sound from the bin dropped at a frame: on the clips lane under the pointer, else the
        first lane it fits on, else a new one."""
        project = self.session.project
        frame = self.view.frame_at_x(scene_pos.x())
        lane = self.lane_at_y(scene_pos.y())
        track = self.tracks[lane].name if lane is not None and self.tracks[lane].kind == "clips" else None

        def make():
            sound = store_audio.find_audio(project, audio_id)
            return store_audio.add_clip(project, self.view.timeline_id, sound, ca.frame_to_sample(frame, self.view.timeline.rate), track=track)

        return self._push(make)

    # -- menus ---------------------------------------------------------------------------------

    def add_clip_menu(self, menu, item: AudioClipItem) -> None:
        clip = item.clip
        writable = not self.session.project.readonly
        gain = menu.addAction(f"Clip &Gain… ({clip.gain_db:+g} dB)")
        gain.setEnabled(writable)
        gain.triggered.connect(lambda: self._ask_gain(f"Gain of {clip.name or 'the clip'} (dB)", clip.gain_db, lambda db: self.set_clip_gain(clip.id, db)))
        remove = menu.addAction("&Remove Sound")
        remove.setEnabled(writable)
        remove.triggered.connect(lambda: self.remove_clip(clip.id))

    def add_lane_menu(self, menu, lane: int) -> None:
        track = self.tracks[lane]
        gain = menu.addAction(f"Track {track.name} &Gain… ({track.gain_db:+g} dB)")
        gain.setEnabled(not self.session.project.readonly)
        gain.triggered.connect(lambda: self._ask_gain(f"Gain of track {track.name} (dB)", track.gain_db, lambda db: self.set_track(track.name, gain_db=db)))

    def add_picture_menu(self, menu, clip_id: int) -> None:
        """A picture clip's own sound: J/L cut, gain, and on a multicam clip the take it follows."""
        project = self.session.project
        writable = not project.readonly
        action = menu.addAction("Sound: &J/L Cut…")
        action.setEnabled(writable)
        action.triggered.connect(lambda: self._ask_jl(clip_id))
        gain_db, held = store_audio.clip_sound(project, clip_id)
        gain = menu.addAction(f"Sound &Gain… ({gain_db:+g} dB)")
        gain.setEnabled(writable)
        gain.triggered.connect(lambda: self._ask_gain("Gain of the clip's own sound (dB)", gain_db, lambda db: self.set_sound_gain(clip_id, db)))
        track, index, _ = self.view.timeline.locate(clip_id)
        takes = store_audio.sound_takes(project, track.items[index])
        if takes:
            self._add_follow_menu(menu, clip_id, held, takes)

    def _add_follow_menu(self, menu, clip_id: int, held: int | None, takes: list[tuple[int, str]]) -> None:
        """Sound Follows ▸ Live Camera, or one take of each angle (checked: what it does now)."""
        sub = menu.addMenu("Sound &Follows")
        sub.setEnabled(not self.session.project.readonly)
        group = QActionGroup(sub)
        group.setExclusive(True)
        choices = [("&Live Camera", None)] + [(f"Take {take_id} ({camera})", take_id) for take_id, camera in takes]
        for text, take_id in choices:
            action = sub.addAction(text)
            action.setCheckable(True)
            action.setChecked(take_id == held)
            group.addAction(action)
            if take_id != held:  # choosing what it does already is no edit
                action.triggered.connect(lambda _checked=False, t=take_id: self.set_sound_take(clip_id, t))

    def _ask_gain(self, title: str, current: float, apply) -> None:
        db, ok = QInputDialog.getDouble(self.view, "Gain", title, current, ca.MIN_GAIN_DB, ca.MAX_GAIN_DB, 1)
        if ok:
            apply(db)

    def jl_dialog(self, clip_id: int) -> JLDialog:
        """The J/L dialog for a picture clip, opened on the offsets it has now (in frames of the cut)."""
        rate = self.view.timeline.rate
        jl = store_audio.clip_jl(self.session.project, clip_id)
        return JLDialog(ca.sample_to_frame(jl.lead, rate), ca.sample_to_frame(jl.lag, rate), self.view)

    def _ask_jl(self, clip_id: int) -> None:
        dialog = self.jl_dialog(clip_id)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.values() != dialog.opened_with:
            self.set_jl(clip_id, *dialog.values())


class JLDialog(QDialog):
    """Lead (J) and lag (L) of a clip's sound in frames, starting from its current values."""

    def __init__(self, lead_frames: int, lag_frames: int, parent=None):
        super().__init__(parent)
        self.setWindowTitle("J/L cut")
        self.opened_with = (lead_frames, lag_frames)
        form = QFormLayout(self)
        self.lead, self.lag = QSpinBox(), QSpinBox()
        for box, value in ((self.lead, lead_frames), (self.lag, lag_frames)):
            box.setRange(0, max(10_000, value))
            box.setSuffix(" frames")
            box.setValue(value)
        form.addRow("Sound starts before the picture (J)", self.lead)
        form.addRow("Sound runs past the picture (L)", self.lag)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[int, int]:
        return self.lead.value(), self.lag.value()
