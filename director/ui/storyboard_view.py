"""StoryboardView: the shots as panels in cut order (shot order for shots not cut yet).

Each panel shows the selected still per camera, shot code, duration, a prompt excerpt, status and
money spent. Dragging a panel reorders the shots (store ReorderShots) and, when the shot is on the
cut, moves its clip to match, as one undo step. A panel dragged onto the timeline places its shot
(it carries application/x-director-shot).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QAbstractListModel, QMimeData, QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyle, QStyledItemDelegate, QWidget

from director.core.changes import Changes
from director.core.cost import format_money
from director.core.enums import MediaKind
from director.core.errors import DirectorError
from director.core.model import Shot
from director.core.timeline import Clip
from director.store import timeline as st
from director.store.edits import ReorderShots
from director.store import ledger
from director.store.panels import current_prompt_texts, shots_of
from director.store.project import Project
from director.store.shot_resolver import ShotResolver
from director.store.shots import list_shots
from director.ui.freshness import Backlog, Freshness
from director.ui.timeline_view import MIME_SHOT, shot_mime
from director.ui.undo import ProjectSession

PANEL = QSize(236, 200)
PanelRole = Qt.ItemDataRole.UserRole + 1
ShotIdRole = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class _Layout:
    """Where each live shot sits: storyboard order, frames on the cut and its first clip."""

    shots: list[Shot]
    cut_frames: dict[int, int]
    first_clip: dict[int, Clip]
    in_cut: set[int]

    @property
    def order(self) -> list[int]:
        return [s.id for s in self.shots]


@dataclass(frozen=True)
class BoardRead:
    """What one background read found: the layout, the panels it re-read (shot id → panel) and the
    kind of each still's file; `reset` when the panels are all of them in a new order."""

    layout: _Layout
    panels: dict[int, dict]
    kinds: dict[str, MediaKind]
    reset: bool


def read_layout(project: Project, timeline_id: int) -> _Layout:
    timeline = st.load_timeline(project, timeline_id)
    live = list_shots(project)
    cut_frames: dict[int, int] = {}
    first_clip: dict[int, Clip] = {}
    starts: dict[int, int] = {}
    for track in timeline.tracks:
        for item, start in sorted(zip(track.items, track.starts()), key=lambda p: p[1]):
            if isinstance(item, Clip):
                cut_frames[item.shot_id] = cut_frames.get(item.shot_id, 0) + item.duration
                first_clip.setdefault(item.shot_id, item)
                starts[item.shot_id] = min(starts.get(item.shot_id, start), start)
    ordered = sorted((s for s in live if s.id in starts), key=lambda s: starts[s.id]) + [s for s in live if s.id not in starts]
    return _Layout(ordered, cut_frames, first_clip, set(starts))


def _money(spent: dict, currency: str):
    return lambda shot_id: format_money(spent.get(shot_id, Decimal(0)), currency)


def read_panels(project: Project, layout: _Layout, shots: list[Shot]) -> tuple[dict[int, dict], dict[str, MediaKind]]:
    """The panels of these shots, reading only their rows (takes are read per shot, when asked)."""
    settings = project.settings()
    res = ShotResolver(project)  # the shots asked about, not the whole project
    ids = [s.id for s in shots]
    money = _money(ledger.spend_by_shot(project, ids), settings.currency)  # the one rule: jobs plus expenses, project currency only
    prompts = current_prompt_texts(project, ids)
    panels: dict[int, dict] = {}
    kinds: dict[str, MediaKind] = {}
    for shot in shots:
        clip = layout.first_clip.get(shot.id) or Clip(0, shot.id, 0, 1)
        stills, take_ids = [], []
        for cam in res.cameras(shot.id):
            row = res.take_row(clip, cam["id"])
            still = None
            if row is not None:
                still = (row["thumb_path"], MediaKind.IMAGE.value) if row["thumb_path"] else (row["media_path"], row["kind"])
            stills.append((cam["name"], still[0] if still else None))
            take_ids.append(None if row is None else row["id"])
            if still is not None:
                kinds[still[0]] = MediaKind(still[1])
        frames = layout.cut_frames.get(shot.id, shot.target_frames)
        text = " ".join((prompts.get(shot.id) or "").split())
        panels[shot.id] = {
            "shot_id": shot.id, "code": shot.code, "title": shot.title, "status": shot.status.value,
            "frames": frames, "in_cut": shot.id in layout.in_cut,
            "duration": f"{float(settings.rate.seconds(frames)):.1f} s",
            "prompt": text if len(text) <= 90 else text[:89] + "…",
            "money": money(shot.id),
            "take_ids": take_ids,  # per camera, the take each still shows (store.choice unless the cut pins one)
            "stills": stills,
        }
    return panels, kinds


def read_board(project: Project, timeline_id: int, changes: Changes, known: _Layout | None, shown_money: dict[int, str]) -> BoardRead:
    """Re-read what `changes` can have touched (runs on the reads thread): a new order of panels
    reads them all; otherwise only the panels of the shots the changes name, and, when money moved
    without naming shots (an expense), those whose spend differs from what is shown."""
    layout = known
    if known is None or changes.timeline or changes.shot_order or changes.shots or changes.project:
        layout = read_layout(project, timeline_id)
        if known is None or layout.order != known.order:
            panels, kinds = read_panels(project, layout, layout.shots)
            return BoardRead(layout, panels, kinds, True)
    affected: set[int] | None = set(changes.shots)
    if changes.timeline or changes.project:
        affected = None  # frames on the cut, pinned takes, the frame rate: every panel may differ
    if affected is not None and (changes.takes or changes.jobs):
        shots, complete = shots_of(project, jobs=changes.jobs, takes=changes.takes)
        affected = (affected | shots) if complete else None
    if affected is not None and changes.costs:
        money = _money(ledger.spend_by_shot(project), project.settings().currency)
        affected |= {sid for sid, shown in shown_money.items() if shown != money(sid)}
    shots = [s for s in layout.shots if affected is None or s.id in affected]
    panels, kinds = read_panels(project, layout, shots)
    return BoardRead(layout, panels, kinds, False)


class StoryboardModel(QAbstractListModel):
    """One row per live shot, in storyboard order; `PanelRole` gives the panel's fields as a dict.

    It reads nothing on the UI thread: `request()` (the view calls it when shown and stale) reads in
    the background what the announced changes can have touched, and `applied` fires when the result
    is in place. A take landing on one shot of 200 re-reads that panel (one dataChanged); only a new
    order of panels resets the model."""

    applied = Signal()

    def __init__(self, session: ProjectSession, timeline_id: int | None = None, parent=None):
        super().__init__(parent)
        self.session = session
        self.project = session.project
        self.timeline_id = timeline_id or st.default_timeline_id(self.project)
        self.panels: list[dict] = []
        self._layout: _Layout | None = None
        self._kinds: dict[str, MediaKind] = {}  # a still's key → the kind of its file
        self.backlog = Backlog(Changes(project=True))  # the first showing reads everything
        self.thumbnails = session.thumbnails
        self.thumbnails.loaded.connect(self._on_still_loaded)
        self.thumbnails.failed.connect(lambda key, _why: self._on_still_loaded(key))

    def note(self, changes: Changes) -> None:
        """Remember what changed; the next `request` re-reads it."""
        self.backlog.add(changes)

    def reload(self) -> None:
        """Read every panel again at the next request (a reset)."""
        self._layout = None
        self.backlog.add(Changes(project=True))

    def request(self) -> None:
        """Read what the backlog names, off the UI thread; `_apply` puts it in place."""
        if not self.backlog:
            return
        changes, known, timeline_id = self.backlog.take(), self._layout, self.timeline_id
        shown = {p["shot_id"]: p["money"] for p in self.panels} if changes.costs else {}
        self.session.reads.submit(f"storyboard-{id(self)}", lambda project: read_board(project, timeline_id, changes, known, shown), self._apply)

    def _apply(self, read: BoardRead) -> None:
        self.backlog.done()
        self._kinds.update(read.kinds)
        if read.reset or self._layout is None:
            self.beginResetModel()
            self._layout = read.layout
            self.panels = [read.panels[s.id] for s in read.layout.shots]
            self.endResetModel()
        else:
            self._layout = read.layout
            for row, panel in enumerate(self.panels):
                fresh = read.panels.get(panel["shot_id"])
                if fresh is not None and fresh != panel:
                    self.panels[row] = fresh
                    self.dataChanged.emit(self.index(row), self.index(row))
        self.applied.emit()

    # -- Qt model ------------------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.panels)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.panels):
            return None
        panel = self.panels[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{panel['code']} {panel['title']}".strip()
        if role == Qt.ItemDataRole.ToolTipRole:
            return panel["prompt"] or "(no prompt yet)"
        if role == Qt.ItemDataRole.SizeHintRole:
            return PANEL
        if role == PanelRole:
            return panel
        if role == ShotIdRole:
            return panel["shot_id"]
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def supportedDropActions(self):
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def supportedDragActions(self):
        return Qt.DropAction.CopyAction  # the drop reorders through the undo stack; the view never removes rows

    def mimeTypes(self):
        return [MIME_SHOT]

    def mimeData(self, indexes):
        valid = [i for i in indexes if i.isValid()]
        if not valid:
            return None
        return shot_mime(self.panels[valid[0].row()]["shot_id"])

    def canDropMimeData(self, data, action, row, column, parent) -> bool:
        return data is not None and data.hasFormat(MIME_SHOT)

    def dropMimeData(self, data: QMimeData, action, row: int, column: int, parent) -> bool:
        """A panel dropped before `row` (or onto `parent`'s panel): move that shot there."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        try:
            shot_id = int(json.loads(bytes(data.data(MIME_SHOT)).decode())["shot_id"])
        except (ValueError, KeyError, TypeError):
            return False
        if row < 0:
            row = parent.row() if parent.isValid() else len(self.panels)
        return self.move_shot(shot_id, row)

    def move_shot(self, shot_id: int, row: int) -> bool:
        """Put a shot before panel `row`: one undo step that reorders shots and, if the shot is cut,
        moves its clip before the next cut shot's clip."""
        ids = [p["shot_id"] for p in self.panels]
        if shot_id not in ids:
            return False
        old = ids.index(shot_id)
        new = ids[:]
        new.remove(shot_id)
        new.insert(row - 1 if row > old else row, shot_id)
        if new == ids:
            return False
        stack = self.session.undo_stack
        stack.beginMacro("Reorder shots")
        try:
            ok = self.session.push(ReorderShots(new))
            clip_edit = self._clip_move(shot_id, new)
            if ok and clip_edit is not None:
                self.session.push(clip_edit)
        finally:
            stack.endMacro()
        return ok

    def _clip_move(self, shot_id: int, order: list[int]):
        timeline = st.load_timeline(self.project, self.timeline_id)
        for track in timeline.tracks:
            mine = [i for i in track.items if isinstance(i, Clip) and i.shot_id == shot_id]
            if not mine:
                continue
            clip = mine[0]
            rest = [i for i in track.items if i.id != clip.id]
            later = order[order.index(shot_id) + 1 :]
            index = len(rest)
            for k, item in enumerate(rest):
                if isinstance(item, Clip) and item.shot_id in later:
                    index = k
                    break
            if rest[:index] + [clip] + rest[index:] == list(track.items):
                return None
            try:
                return st.move_clip(self.project, clip.id, index, track_id=track.id)
            except DirectorError as exc:
                self.session.error_raised.emit(str(exc))
                return None
        return None

    def still(self, rel: str | None) -> QPixmap | None:
        """A panel's still if decoded; otherwise None, and the pool is asked for it (once). Never
        decodes on the UI thread: a paint shows an empty box until `loaded` repaints the panel."""
        if rel is None:
            return None
        pixmap = self.thumbnails.ask(rel, lambda: self.project.media.path(rel), self._kinds.get(rel))
        return None if pixmap is self.thumbnails.broken() else pixmap  # a missing or unreadable file: an empty box

    def _on_still_loaded(self, key: str) -> None:
        for row, panel in enumerate(self.panels):
            if any(rel == key for _name, rel in panel["stills"]):
                self.dataChanged.emit(self.index(row), self.index(row), [PanelRole])


class StoryboardDelegate(QStyledItemDelegate):
    STATUS = {"draft": QColor(120, 120, 120), "review": QColor(210, 170, 60), "approved": QColor(80, 180, 90), "locked": QColor(200, 80, 80)}

    def sizeHint(self, option, index) -> QSize:
        return PANEL

    def paint(self, p: QPainter, option, index) -> None:
        panel = index.data(PanelRole)
        model = index.model()
        r = option.rect.adjusted(4, 4, -4, -4)
        p.save()
        selected = option.state & QStyle.StateFlag.State_Selected
        p.fillRect(r, QColor(52, 56, 66) if selected else QColor(38, 40, 46))
        stills = panel["stills"] or [("", None)]
        w = (r.width() - 4 * (len(stills[:2]) + 1)) // max(1, len(stills[:2]))
        for k, (name, rel) in enumerate(stills[:2]):
            box = QRect(r.x() + 4 + k * (w + 4), r.y() + 4, w, 70)
            p.fillRect(box, QColor(15, 15, 15))
            pix = model.still(rel)
            if pix is not None:
                scaled = pix.scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
                p.drawPixmap(box.x() + (box.width() - scaled.width()) // 2, box.y() + (box.height() - scaled.height()) // 2, scaled)
            p.setPen(QColor(230, 230, 230))
            p.drawText(box.adjusted(3, 1, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, name)
        if len(stills) > 2:
            p.drawText(QRect(r.right() - 40, r.y() + 60, 36, 14), Qt.AlignmentFlag.AlignRight, f"+{len(stills) - 2}")
        p.setPen(QColor(240, 240, 240))
        p.setFont(QFont("sans", 11, QFont.Weight.Bold))
        p.drawText(QRect(r.x() + 6, r.y() + 80, r.width() - 12, 18), Qt.AlignmentFlag.AlignLeft, f"{panel['code']}  {panel['title']}")
        p.setFont(QFont("sans", 8))
        p.setPen(QColor(190, 190, 190))
        p.drawText(QRect(r.x() + 6, r.y() + 100, r.width() - 12, 46), Qt.TextFlag.TextWordWrap, panel["prompt"] or "(no prompt yet)")
        p.setPen(self.STATUS.get(panel["status"], QColor(150, 150, 150)))
        p.drawText(QRect(r.x() + 6, r.bottom() - 20, 80, 16), Qt.AlignmentFlag.AlignLeft, panel["status"])
        p.setPen(QColor(200, 200, 200))
        p.drawText(QRect(r.x() + 70, r.bottom() - 20, r.width() - 76, 16), Qt.AlignmentFlag.AlignRight,
                   f"{panel['duration']}{'' if panel['in_cut'] else ' (not cut)'}   {panel['money']}")
        if selected:
            p.setPen(QColor(255, 220, 90))
            p.drawRect(r)
        p.restore()


class StoryboardView(QListView):
    """A grid of StoryboardModel's panels. Signals: shot_activated(shot id) on double-click or Enter.
    Slot: refresh()."""

    shot_activated = Signal(int)

    def __init__(self, session: ProjectSession, timeline_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.board = StoryboardModel(session, timeline_id, self)
        self.setModel(self.board)
        self.setItemDelegate(StoryboardDelegate(self))
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Snap)
        self.setGridSize(PANEL)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.activated.connect(lambda index: self.shot_activated.emit(index.data(ShotIdRole)))
        # Hidden (its dock closed or behind a tab) it only remembers; shown, it reads what changed.
        self.freshness = Freshness(self, self.board.request, session=session)
        session.changed.connect(self._on_changes)

    def refresh(self) -> None:
        self.board.reload()
        self.freshness.mark_stale()

    def _on_changes(self, changes: Changes) -> None:
        if changes.timeline or changes.shot_order or changes.shots or changes.takes or changes.jobs or changes.costs or changes.project:
            self.board.note(changes)
            self.freshness.mark_stale()
