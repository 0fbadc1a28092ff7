"""TimelineView: the edit as a QGraphicsView over core/timeline.py's Timeline.

The view never edits its scene directly: every gesture (drop, drag, trim, split, delete, angle cut)
builds a store TimelineEdit and pushes it through the session's undo stack; the view redraws from
the project when the session announces `Changes(timeline=True)`. So undo from any menu, the CLI's
writes and this view's gestures all go through one path.

Drag-and-drop MIME types (other widgets put these on a QMimeData):
  application/x-director-take   JSON {"take_id": int}   place the take's shot showing that take
  application/x-director-shot   JSON {"shot_id": int}   place the shot (selected takes per camera)
  application/x-director-sound  JSON {"audio_id": int}  place a sound of the bin on an audio lane

Under the picture tracks sit the audio lanes (ui.audio_lanes): A1, the takes' own sound, and each
audio track, with waveforms and mute / solo / gain; an imported clip drags to another frame or
lane and trims at its edges (AudioLanes.begin_drag / drag_to / end_drag, called from the mouse
handlers here). Their edits go through the same undo stack.
"""

from __future__ import annotations

import json
from typing import Callable

from PySide6.QtCore import QMimeData, QPointF, QRect, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QKeySequence, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsScene, QGraphicsView, QMenu, QWidget

from director.core.changes import Changes
from director.core.enums import MediaKind
from director.core.errors import DirectorError
from director.core.timeline import Clip, Gap, Timeline
from director.store import cuts
from director.store import finals as store_finals
from director.store import timeline as st
from director.store.panels import shots_of
from director.store.shot_resolver import ShotResolver
from director.ui.audio_bin import MIME_SOUND, sound_of
from director.ui.audio_lanes import AudioLanes
from director.ui.cut_bar import CutBar
from director.ui.media_health import BADGES
from director.ui.undo import ProjectSession

MIME_TAKE = "application/x-director-take"
MIME_SHOT = "application/x-director-shot"

RULER_H = 22
TRACK_H = 74
LANE_H = 7
EDGE_PX = 6  # a press this close to a clip's edge trims instead of moving
SNAP_PX = 8
CAMERA_COLOURS = [QColor("#e0b040"), QColor("#40a0e0"), QColor("#d05070"), QColor("#60c060"), QColor("#a070e0"),
                  QColor("#e08040"), QColor("#40c0b0"), QColor("#c0c040"), QColor("#8080ff")]


def _still_of(row: dict | None) -> tuple[str, MediaKind] | None:
    """(store-relative path, kind) of the picture a clip shows: the take's thumbnail, else its media
    (a still image, or a video's first frame)."""
    if row is None:
        return None
    if row.get("thumb_path"):
        return row["thumb_path"], MediaKind.IMAGE
    return (row["media_path"], MediaKind(row["kind"])) if row.get("media_path") else None


def take_mime(take_id: int) -> QMimeData:
    data = QMimeData()
    data.setData(MIME_TAKE, json.dumps({"take_id": int(take_id)}).encode())
    return data


def shot_mime(shot_id: int) -> QMimeData:
    data = QMimeData()
    data.setData(MIME_SHOT, json.dumps({"shot_id": int(shot_id)}).encode())
    return data


def push_edit(session: ProjectSession, make: Callable[[], st.TimelineEdit]) -> bool:
    """Build an edit and push it; a refusal while building or applying becomes the session's error."""
    try:
        edit = make()
    except DirectorError as exc:
        session.error_raised.emit(str(exc))
        return False
    return session.push(edit)


def cut_to_camera(session: ProjectSession, timeline_id: int, frame: int, number: int) -> bool:
    """Keys 1–9: cut to the shot's Nth camera at a record frame (shared by the viewer)."""
    return push_edit(session, lambda: st.cut_to_camera(session.project, frame, number=number, timeline_id=timeline_id))


def toggle_conform(project, clip_id: int, to: str):
    """The edit that shows a conformed clip's draft again, or its final (engine.conform's rule)."""
    from director.engine import conform  # loads the drift check (OpenCV) only when used

    return conform.toggle(project, clip_id, to)[0]


class ClipItem(QGraphicsRectItem):
    """A clip or gap. Paints its thumbnail, shot code, and for a multicam clip one lane per camera
    with that camera's live stretches filled; the live camera at the playhead is outlined."""

    def __init__(self, view: TimelineView, item: Clip | Gap, track_index: int, start: int):
        super().__init__()
        self.view = view
        self.item = item
        self.track_index = track_index
        self.start = start
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.runs = item.camera_runs() if isinstance(item, Clip) else []  # items are values: compute once
        self.relayout()

    def relayout(self) -> None:
        ppf = self.view.ppf
        y = RULER_H + self.track_index * TRACK_H
        self.setRect(QRectF(self.start * ppf, y + 2, max(1.0, self.item.duration * ppf), TRACK_H - 4))

    def paint(self, p: QPainter, option, widget=None) -> None:
        r = self.rect()
        selected = self.isSelected()
        if isinstance(self.item, Gap):
            p.fillRect(r, QColor(30, 30, 30))
            p.setPen(QPen(QColor(90, 90, 90), 1, Qt.PenStyle.DashLine))
            p.drawRect(r)
            return
        info = self.view.clip_info(self.item)
        p.fillRect(r, QColor(60, 66, 80) if not info["locked"] else QColor(70, 60, 60))
        if r.width() < 10:
            # Zoomed far out a clip is a few pixels wide: its edges are all that reads, and
            # skipping thumbnail, label and lanes keeps a 500-clip overview under a frame's time.
            p.fillRect(QRectF(r.x(), r.y(), 1, r.height()), QColor(20, 20, 20))
            return
        body = QRectF(r.x(), r.y(), r.width(), r.height() - LANE_H * max(1, len(info["cameras"])) - 2)
        thumb = self.view.still(info) if r.width() > 24 else None  # never decodes: the pool does
        if thumb is not None:
            tw = min(body.height() * thumb.width() / max(1, thumb.height()), r.width() - 2)
            p.drawPixmap(QRectF(r.x() + 1, body.y() + 1, tw, body.height() - 2), thumb, QRectF(thumb.rect()))
        if r.width() > 18:
            p.setPen(QColor(240, 240, 240))
            p.setFont(self.view.label_font)
            label = info["code"] + (" 🔒" if info["locked"] else "")
            p.drawText(body.adjusted(4, 2, -2, -2), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, label)
            if info["conform"] and r.width() > 60:  # draft or final, after a conform
                p.setPen(QColor(120, 220, 140) if info["conform"] == "final" else QColor(255, 190, 90))
                p.drawText(body.adjusted(4, 2, -2, -2), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, info["conform"].upper())
            problem = self.view.clip_problem(self.item)
            if problem:  # the take's file cannot be shown: the cut plays black here
                p.setPen(QColor(255, 120, 120))
                p.drawText(body.adjusted(4, 2, -2, -2), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, BADGES[problem])
        # Angle lanes: one per camera, filled where that camera is live.
        ppf = self.view.ppf
        live_now = None
        if self.start <= self.view.playhead < self.start + self.item.duration:
            live_now = self.item.camera_at(self.item.source_in + self.view.playhead - self.start)
        for k, cam in enumerate(info["cameras"]):
            y = r.bottom() - LANE_H * (len(info["cameras"]) - k) - 1
            colour = CAMERA_COLOURS[k % len(CAMERA_COLOURS)]
            p.fillRect(QRectF(r.x(), y, r.width(), LANE_H - 1), QColor(40, 40, 40))
            for src, length, cam_id in self.runs:
                if cam_id == cam["id"]:
                    x = r.x() + (src - self.item.source_in) * ppf
                    p.fillRect(QRectF(x, y, max(1.0, length * ppf), LANE_H - 1), colour if cam_id == live_now else colour.darker(160))
            if cam["id"] == live_now:
                p.setPen(QPen(QColor(255, 255, 255), 1))
                p.drawRect(QRectF(r.x(), y, r.width(), LANE_H - 1))
        p.setPen(QPen(QColor(255, 220, 90) if selected else QColor(20, 20, 20), 2 if selected else 1))
        p.drawRect(r)


class TimelineView(QGraphicsView):
    """The edit of one timeline. Signals: cut_changed (after any change to the edit),
    playhead_moved(frame), selection_changed(clip id or None). Slots: refresh(), set_playhead(frame),
    set_zoom(pixels per frame).

    Made without a timeline id it shows the project's current cut and follows it when the cut bar
    above the ruler (or an undo, or a command) switches cuts."""

    cut_changed = Signal()
    playhead_moved = Signal(int)
    selection_changed = Signal(object)
    shot_activated = Signal(int)  # right-click ▸ Go to Shot
    take_activated = Signal(int)  # right-click ▸ Show Take in Viewer

    def __init__(self, session: ProjectSession, timeline_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.project = session.project
        self._follows_current = timeline_id is None
        self.timeline_id = timeline_id or cuts.current_timeline_id(self.project)
        self.ppf = 4.0  # pixels per frame
        self.playhead = 0
        self.label_font = QFont("sans", 9, QFont.Weight.Bold)
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)  # drops are delivered to the viewport, not the view
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setBackgroundBrush(QBrush(QColor(22, 22, 24)))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self._items: dict[int, ClipItem] = {}
        self._info: dict[int, dict] = {}
        self._finals = None  # (resolver, final take ids, held clips): see conform_state
        self._by_still: dict[str, set[int]] = {}  # a still's key → the clips that show it
        self.thumbnails = session.thumbnails
        self.thumbnails.loaded.connect(self._on_still_loaded)
        self.thumbnails.failed.connect(lambda key, _why: self._on_still_loaded(key))
        self._press: dict | None = None
        self._drop_marker: float | None = None
        self.timeline: Timeline = st.load_timeline(self.project, self.timeline_id)
        self._scene.selectionChanged.connect(self._on_scene_selection)
        session.changed.connect(self._on_changes)
        session.media_health.changed.connect(self._on_media_health)
        # The cut switcher lives in a margin above the viewport, as a table's header does.
        self.cut_bar = CutBar(session, self)
        self.setViewportMargins(0, self.cut_bar.sizeHint().height(), 0, 0)
        self.audio = AudioLanes(self)
        self._rebuild()

    # -- model → scene -------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Reload the timeline from the project and redraw; announces cut_changed."""
        selected = self.selected_id()
        shown = self.timeline_id
        self.timeline_id = self._timeline_to_show()
        self.timeline = st.load_timeline(self.project, self.timeline_id)
        self.audio.reload()
        self._rebuild(selected if shown == self.timeline_id else None)
        self.cut_bar.reload()
        self.cut_changed.emit()

    def _timeline_to_show(self) -> int:
        """The current cut when following it; a fixed cut that was deleted gives way to the current one."""
        if self._follows_current or self.timeline_id not in {c.id for c in cuts.list_cuts(self.project)}:
            return cuts.current_timeline_id(self.project)
        return self.timeline_id

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        frame = self.frameWidth()
        self.cut_bar.setGeometry(frame, frame, self.width() - 2 * frame, self.cut_bar.sizeHint().height())

    def _on_changes(self, changes: Changes) -> None:
        """An edit of the cut rebuilds it; a take, a job or a shot changing repaints only the clips
        of the shots it names (a job finishing on a shot that is not cut touches nothing here)."""
        if changes.timeline or changes.project:
            self.refresh()
            return
        if not (changes.takes or changes.shots):
            return  # a camera's setup, a prompt, a cost, a job starting or failing: nothing a clip shows
        shots, complete = shots_of(self.project, takes=changes.takes)
        shots |= set(changes.shots)
        clips = [gi for gi in self._items.values() if isinstance(gi.item, Clip) and (not complete or gi.item.shot_id in shots)]
        if not clips:
            return
        self._resolver = ShotResolver(self.project)  # reads a shot's row, cameras and takes when a clip of it paints
        for gi in clips:
            self._info.pop(gi.item.id, None)
            gi.update()
        self.cut_changed.emit()  # which take a clip shows may have changed

    def _rebuild(self, selected: int | None = None) -> None:
        self._scene.clear()
        self._items.clear()
        self._info.clear()
        self._by_still.clear()
        self._resolver = ShotResolver(self.project)
        for k, track in enumerate(self.timeline.tracks):
            for item, start in zip(track.items, track.starts()):
                gi = ClipItem(self, item, k, start)
                self._scene.addItem(gi)
                self._items[item.id] = gi
                if item.id == selected:
                    gi.setSelected(True)
        self.audio.items = []  # the scene was cleared with them
        self.audio.build()

    def _update_scene_rect(self) -> None:
        width = max(self.timeline.duration + 240, 2000) * self.ppf
        height = RULER_H + max(1, len(self.timeline.tracks)) * TRACK_H + self.audio.height()
        self._scene.setSceneRect(0, 0, width, height)

    def clip_info(self, clip: Clip) -> dict:
        """Shot code, cameras, lock and thumbnail of a clip, read once per rebuild."""
        info = self._info.get(clip.id)
        if info is None:
            res = self._resolver
            cams = res.cameras(clip.shot_id)
            row = res.take_row(clip, clip.camera_at(clip.source_in))
            still = _still_of(row)
            info = {"code": res.shot_code(clip.shot_id), "cameras": cams if len(cams) > 1 else cams[:1],
                    "locked": res.locked(clip.shot_id), "still": still,
                    "take_id": row["id"] if row is not None else None,
                    "media": (row["media_path"], row["kind"]) if row is not None else None,
                    "conform": self.conform_state(clip.id, row["id"] if row is not None else None)}
            self._info[clip.id] = info
            if still is not None:
                self._by_still.setdefault(still[0], set()).add(clip.id)
        return info

    def conform_state(self, clip_id: int, take_id: int | None) -> str:
        """'final' when the clip shows a conformed final, 'draft' when it is held on its draft after
        a conform, else '' (read once per resolver: after each rebuild or landed take)."""
        if self._finals is None or self._finals[0] is not self._resolver:
            self._finals = (self._resolver, store_finals.final_take_ids(self.project), store_finals.held_clips(self.project))
        _, finals, held = self._finals
        if take_id is not None and take_id in finals:
            return "final"
        return "draft" if clip_id in held else ""

    def still(self, info: dict) -> QPixmap | None:
        """The clip's still if decoded; otherwise None, and the pool is asked for it (once)."""
        still = info["still"]
        if still is None:
            return None
        rel, kind = still
        pixmap = self.thumbnails.ask(rel, lambda: self.project.media.path(rel), kind)
        return None if pixmap is self.thumbnails.broken() else pixmap  # a file that cannot be read: no still

    def _on_still_loaded(self, key: str) -> None:
        for clip_id in self._by_still.get(key, ()):
            gi = self._items.get(clip_id)
            if gi is not None:
                gi.update()

    def _on_media_health(self, _relative: str) -> None:
        self.viewport().update()

    def clip_problem(self, clip: Clip) -> str | None:
        """'missing', 'damaged' or 'tampered' when the clip's take's file cannot be shown; the file is
        looked at (off the UI thread) when the clip is first painted, so None also means 'not yet'."""
        media = self.clip_info(clip)["media"]
        if media is None:
            return None
        health = self.session.media_health
        if not health.known(media[0]):
            health.request(media[0], media[1])
        issue = health.issue(media[0])
        return issue.problem if issue is not None else None

    # -- geometry ------------------------------------------------------------------------------

    def frame_at_x(self, scene_x: float) -> int:
        return max(0, round(scene_x / self.ppf))

    def track_at_y(self, scene_y: float) -> int | None:
        k = int((scene_y - RULER_H) // TRACK_H)
        return self.timeline.tracks[k].id if 0 <= k < len(self.timeline.tracks) else None

    def item_rect(self, item_id: int) -> QRectF:
        """Where an item is drawn, in viewport coordinates (tests and tools aim with this)."""
        return self.mapFromScene(self._items[item_id].rect()).boundingRect()

    def frame_to_viewport_x(self, frame: int) -> int:
        return self.mapFromScene(QPointF(frame * self.ppf, 0)).x()

    def track_center_y(self, index: int = 0) -> int:
        return self.mapFromScene(QPointF(0, RULER_H + index * TRACK_H + TRACK_H / 2)).y()

    @Slot(float)
    def set_zoom(self, ppf: float, anchor_frame: int | None = None) -> None:
        """Pixels per frame, kept between 0.05 and 40; the anchor frame stays under the same pixel."""
        ppf = max(0.05, min(40.0, ppf))
        anchor_frame = self.playhead if anchor_frame is None else anchor_frame
        before = self.frame_to_viewport_x(anchor_frame)
        self.ppf = ppf
        for gi in self._items.values():
            gi.relayout()
        self.audio.relayout()
        self._update_scene_rect()
        bar = self.horizontalScrollBar()
        bar.setValue(int(anchor_frame * ppf - before))
        self.viewport().update()

    def snap(self, frame: int, exclude: int | None = None) -> int:
        """The nearest item edge or the playhead within SNAP_PX pixels, else the frame itself."""
        candidates = [self.playhead]
        for track in self.timeline.tracks:
            for item, start in zip(track.items, track.starts()):
                if item.id != exclude:
                    candidates += [start, start + item.duration]
        best = min(candidates, key=lambda c: abs(c - frame))
        return best if abs(best - frame) * self.ppf <= SNAP_PX else frame

    # -- playhead and selection ----------------------------------------------------------------

    @Slot(int)
    def set_playhead(self, frame: int) -> None:
        frame = max(0, int(frame))
        if frame == self.playhead:
            return
        old = self.playhead
        self.playhead = frame
        # Repaint the two columns over the viewport's full height: the line runs from the ruler to the
        # bottom of the view, below the last track too, where a scene-rect update never reached and
        # the old line stayed behind as a second playhead after playback (issue #21).
        for f in (old, frame):
            x = round(self.frame_to_viewport_x(f))
            self.viewport().update(QRect(x - 2, 0, 5, self.viewport().height()))
        for f in (old, frame):
            hit = self.timeline.clip_at(f)
            if hit is not None:
                self._items[hit[0].items[hit[1]].id].update()
        self.playhead_moved.emit(frame)

    def selected_id(self) -> int | None:
        items = [gi for gi in self._scene.selectedItems() if isinstance(gi, ClipItem)]
        return items[0].item.id if items else None

    def select(self, item_id: int | None) -> None:
        self._scene.clearSelection()
        if item_id in self._items:
            self._items[item_id].setSelected(True)

    def _on_scene_selection(self) -> None:
        try:
            self.selection_changed.emit(self.selected_id())
        except RuntimeError:  # the scene is being cleared
            pass

    # -- painting ------------------------------------------------------------------------------

    def drawForeground(self, p: QPainter, rect: QRectF) -> None:
        top = self.mapToScene(0, 0).y()
        p.fillRect(QRectF(rect.left(), top, rect.width(), RULER_H), QColor(36, 36, 40))
        p.setPen(QColor(150, 150, 150))
        p.setFont(QFont("monospace", 7))
        rate = self.timeline.rate
        step = rate.nominal
        while step * self.ppf < 60:
            step *= 2 if step < rate.nominal * 10 else 3
        first = int(max(0, rect.left()) / self.ppf) // step * step
        f = first
        while f * self.ppf <= rect.right():
            x = f * self.ppf
            p.drawLine(QPointF(x, top + RULER_H - 6), QPointF(x, top + RULER_H))
            p.drawText(QPointF(x + 2, top + 10), rate.timecode(f))
            f += step
        if self._drop_marker is not None:
            p.setPen(QPen(QColor(90, 200, 255), 2))
            p.drawLine(QPointF(self._drop_marker, top), QPointF(self._drop_marker, self._scene.height()))
        x = self.playhead * self.ppf
        p.setPen(QPen(QColor(255, 70, 60), 1))
        p.drawLine(QPointF(x, top), QPointF(x, max(self._scene.height(), rect.bottom())))
        self.audio.draw_drag(p)
        self.audio.draw_headers(p)

    # -- mouse: playhead, select, move, trim ---------------------------------------------------

    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        self.setFocus()
        if self.audio.press(event.position()):
            return
        pos = self.mapToScene(event.position().toPoint())
        below_ruler = pos.y() - self.mapToScene(0, 0).y() >= RULER_H
        if below_ruler and self.audio.begin_drag(event.position(), pos):  # an imported sound clip: move or trim it
            self._press = {"mode": "audio"}
            return
        gi = self._clip_item_at(pos)
        if gi is None or not below_ruler:
            self._scene.clearSelection()
            self.set_playhead(self.frame_at_x(pos.x()))
            self._press = {"mode": "scrub"}
            return
        self.select(gi.item.id)
        r = gi.rect()
        mode = "move"
        if isinstance(gi.item, Clip):
            if abs(pos.x() - r.left()) <= EDGE_PX:
                mode = "head"
            elif abs(pos.x() - r.right()) <= EDGE_PX:
                mode = "tail"
        self._press = {"mode": mode, "item": gi.item.id, "x": pos.x(), "start": gi.start, "moved": False}

    def mouseMoveEvent(self, event) -> None:
        if self._press is None:
            return super().mouseMoveEvent(event)
        pos = self.mapToScene(event.position().toPoint())
        mode = self._press["mode"]
        if mode == "audio":
            self.audio.drag_to(pos)
            return
        if mode == "scrub":
            self.set_playhead(self.frame_at_x(pos.x()))
            return
        if abs(pos.x() - self._press["x"]) > 3:
            self._press["moved"] = True
        if mode == "move" and self._press["moved"]:
            track = self.track_at_y(pos.y())
            if track is not None:
                index = self.timeline.track(track).boundary_index(self.frame_at_x(pos.x()))
                edges = self.timeline.track(track).starts() + [self.timeline.track(track).duration]
                self._drop_marker = edges[index] * self.ppf
                self.viewport().update()
        elif mode in ("head", "tail"):
            self._drop_marker = self.snap(self.frame_at_x(pos.x()), exclude=None) * self.ppf
            self.viewport().update()

    def mouseReleaseEvent(self, event) -> None:
        press, self._press = self._press, None
        self._drop_marker = None
        self.viewport().update()
        if press is not None and press["mode"] == "audio":
            self.audio.end_drag(self.mapToScene(event.position().toPoint()))
            return
        if press is None or press["mode"] == "scrub" or not press["moved"]:
            return super().mouseReleaseEvent(event)
        pos = self.mapToScene(event.position().toPoint())
        frame = self.frame_at_x(pos.x())
        item_id = press["item"]
        if press["mode"] == "move":
            track_id = self.track_at_y(pos.y())
            if track_id is None:
                return
            self._move(item_id, track_id, frame)
        else:
            target = self.snap(frame)
            push_edit(self.session, lambda: st.trim_clip(self.project, item_id, press["mode"], to_frame=target))

    def _move(self, item_id: int, track_id: int, frame: int) -> None:
        track = self.timeline.track(track_id)
        index = track.boundary_index(frame)
        src, i, _ = self.timeline.locate(item_id)
        if src.id == track_id and index > i:
            index -= 1  # boundaries counted with the item still in place
        if src.id == track_id and index == i:
            return
        push_edit(self.session, lambda: st.move_clip(self.project, item_id, index, track_id=track_id))

    def _clip_item_at(self, pos: QPointF) -> ClipItem | None:
        for gi in self._scene.items(pos):
            if isinstance(gi, ClipItem):
                return gi
        return None

    # -- wheel: Ctrl zooms around the pointer --------------------------------------------------

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            anchor = self.frame_at_x(self.mapToScene(event.position().toPoint()).x())
            self.set_zoom(self.ppf * (1.25 ** steps), anchor)
            event.accept()
            return
        if not event.modifiers() and event.angleDelta().x() == 0:
            bar = self.horizontalScrollBar()  # a timeline scrolls sideways
            bar.setValue(bar.value() - event.angleDelta().y())
            event.accept()
            return
        super().wheelEvent(event)

    # -- right-click ---------------------------------------------------------------------------

    def context_menu(self, viewport_pos) -> QMenu:
        """The menu for what is under the pointer: a clip (it becomes selected), a gap, or the empty
        cut. Edits act where the pointer is: Split Here splits at that frame, Cut to Camera cuts there."""
        pos = self.mapToScene(viewport_pos)
        frame = self.frame_at_x(pos.x())
        gi = self._clip_item_at(pos)
        writable = not self.project.readonly
        menu = QMenu(self)
        sound = self.audio.clip_item_at(pos)
        if sound is not None:
            self._scene.clearSelection()
            sound.setSelected(True)
            self.audio.add_clip_menu(menu, sound)
        lane = self.audio.lane_at_y(pos.y())
        if lane is not None:
            self.audio.add_lane_menu(menu, lane)
            return menu

        def add(text: str, slot, key: str | None = None, enabled: bool = True, parent: QMenu = menu):
            action = parent.addAction(text)
            if key:
                action.setShortcut(QKeySequence(key))  # shown in the menu; the keys work in the timeline
            action.setEnabled(enabled)
            action.triggered.connect(slot)
            return action

        if gi is not None and isinstance(gi.item, Clip):
            clip = gi.item
            self.select(clip.id)
            info = self.clip_info(clip)
            add(f"&Go to Shot {info['code']}", lambda: self.shot_activated.emit(clip.shot_id))
            add("Show &Take in Viewer", lambda: self.take_activated.emit(info["take_id"]), None, info["take_id"] is not None)
            menu.addSeparator()
            inside = gi.start < frame < gi.start + clip.duration
            add("&Split Here", lambda: push_edit(self.session, lambda: st.split_clip(self.project, frame, clip_id=clip.id)), None, writable and inside)
            cams = info["cameras"]
            if len(cams) > 1:
                sub = menu.addMenu("Cut to &Camera Here")
                sub.setEnabled(writable)
                for n, cam in enumerate(cams[:9], start=1):
                    add(f"Camera {cam['name']}", lambda _c=False, n=n: cut_to_camera(self.session, self.timeline_id, frame, n), str(n), parent=sub)
            state = info["conform"]
            add("Show &Draft" if state == "final" else "Show &Final",
                lambda: push_edit(self.session, lambda: toggle_conform(self.project, clip.id, "draft" if state == "final" else "final")),
                None, writable and bool(state))
            add("&Lift", lambda: push_edit(self.session, lambda: st.lift_clip(self.project, clip.id)), "Del", writable)
            add("&Ripple Delete", lambda: push_edit(self.session, lambda: st.ripple_delete(self.project, clip.id)), "Shift+Del", writable)
            self.audio.add_picture_menu(menu, clip.id)
            menu.addSeparator()
        elif gi is not None:
            gap = gi.item
            self.select(gap.id)
            add("&Close Gap", lambda: push_edit(self.session, lambda: st.ripple_delete(self.project, gap.id)), "Del", writable)
            menu.addSeparator()
        for action in self.cut_bar.actions_for_menu():
            menu.addSeparator() if action is None else menu.addAction(action)
        return menu

    def contextMenuEvent(self, event) -> None:
        menu = self.context_menu(event.pos())
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(event.globalPos())
        event.accept()

    # -- keys ----------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        selected = self.selected_id()
        if key == Qt.Key.Key_S and not mods:
            push_edit(self.session, lambda: st.split_clip(self.project, self.playhead, clip_id=self._split_target(selected), timeline_id=self.timeline_id))
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and selected is not None:
            if mods & Qt.KeyboardModifier.ShiftModifier or isinstance(self._items[selected].item, Gap):
                push_edit(self.session, lambda: st.ripple_delete(self.project, selected))
            else:
                push_edit(self.session, lambda: st.lift_clip(self.project, selected))
        elif Qt.Key.Key_1 <= key <= Qt.Key.Key_9 and not (mods & Qt.KeyboardModifier.ControlModifier):
            cut_to_camera(self.session, self.timeline_id, self.playhead, key - Qt.Key.Key_0)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            self.set_playhead(self.playhead + (1 if key == Qt.Key.Key_Right else -1))
        else:
            super().keyPressEvent(event)

    def _split_target(self, selected: int | None) -> int | None:
        """Split the selected clip when the playhead is inside it, else whatever clip is under the playhead."""
        if selected is not None and isinstance(self._items[selected].item, Clip):
            gi = self._items[selected]
            if gi.start < self.playhead < gi.start + gi.item.duration:
                return selected
        return None

    # -- drops from other widgets --------------------------------------------------------------

    def _accepts(self, mime: QMimeData) -> bool:
        return mime.hasFormat(MIME_TAKE) or mime.hasFormat(MIME_SHOT) or mime.hasFormat(MIME_SOUND)

    def dragEnterEvent(self, event) -> None:
        if self._accepts(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if not self._accepts(event.mimeData()):
            return event.ignore()
        if event.mimeData().hasFormat(MIME_SOUND):  # sound lands at the frame under the pointer
            return event.acceptProposedAction()
        pos = self.mapToScene(event.position().toPoint())
        track = self.track_at_y(pos.y()) or self.timeline.tracks[0].id
        t = self.timeline.track(track)
        edges = t.starts() + [t.duration]
        self._drop_marker = edges[t.boundary_index(self.frame_at_x(pos.x()))] * self.ppf
        self.viewport().update()
        event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:
        self._drop_marker = None
        self.viewport().update()

    def dropEvent(self, event) -> None:
        self._drop_marker = None
        mime = event.mimeData()
        if not self._accepts(mime):
            return event.ignore()
        pos = self.mapToScene(event.position().toPoint())
        if mime.hasFormat(MIME_SOUND):
            audio_id = sound_of(mime)
            if audio_id is None:
                self.session.error_raised.emit("that drop is not a sound Director understands")
                return event.ignore()
            ok = self.audio.drop_sound(audio_id, pos)
            event.setDropAction(Qt.DropAction.CopyAction)
            return event.accept() if ok else event.ignore()
        track = self.track_at_y(pos.y()) or self.timeline.tracks[0].id
        frame = self.frame_at_x(pos.x())
        try:
            if mime.hasFormat(MIME_TAKE):
                take_id = int(json.loads(bytes(mime.data(MIME_TAKE)).decode())["take_id"])
                ok = push_edit(self.session, lambda: st.insert_take(self.project, take_id, timeline_id=self.timeline_id, track_id=track, frame=frame))
            else:
                shot_id = int(json.loads(bytes(mime.data(MIME_SHOT)).decode())["shot_id"])
                ok = push_edit(self.session, lambda: st.insert_shot(self.project, shot_id, timeline_id=self.timeline_id, track_id=track, frame=frame))
        except (ValueError, KeyError, TypeError):
            self.session.error_raised.emit("that drop is not a take or a shot Director understands")
            return event.ignore()
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept() if ok else event.ignore()
        self.viewport().update()
