"""Scenes → shots as a Qt tree: status colour, thumbnail of the chosen take, money spent.

Top-level rows are scene groups (plus one group for shots without a scene); their children are
shots in the project's shot order. The model reads the store and never writes it: renames and
drag-reorders become undoable edits pushed through the ProjectSession, and the model refreshes
when the session announces what changed.

At a feature film's scale (issue #24) the rows appear first and fill in: the model reads the shots,
scenes and script flags on the UI thread (what the first paint needs), and each shot's money,
chosen take and still on the project's reads thread, applied per scene in one update (`filled`).
A change that names shots re-reads just those rows here; money that moved without naming a shot
(an expense) is compared for every shot on the reads thread, and only the rows that differ are
re-read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

from PySide6.QtCore import QAbstractItemModel, QMimeData, QModelIndex, QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QColor, QImage, QPixmap

from director.core.cost import format_money
from director.core.enums import MediaKind, ShotStatus
from director.core.errors import NotFound
from director.core.model import Scene, Shot
from director.store import edits, ledger
from director.store.choice import chosen_takes
from director.store.media import TamperedMedia
from director.store.panels import shots_of, take_stills
from director.store.scenes import list_scenes
from director.store.shots import get_shot, list_shots
from director.store.window_reads import SceneScript, ShotScript, scene_scripts, shot_scripts
from director.ui.undo import ProjectSession

STATUS_COLOURS = {
    ShotStatus.DRAFT: QColor(150, 150, 150),
    ShotStatus.REVIEW: QColor(230, 180, 60),
    ShotStatus.APPROVED: QColor(90, 190, 100),
    ShotStatus.LOCKED: QColor(90, 140, 230),
}
THUMB_HEIGHT = 36
# What a re-import of the screenplay left on a shot or a scene, as the list marks it.
SCRIPT_MARKS = {"changed": "script changed", "removed": "removed from script"}
SCRIPT_COLOUR = QColor(230, 150, 60)
MIME_SHOTS = "application/x-director-shot-ids"
GROUP_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsDropEnabled
SHOT_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
EDITABLE_SHOT_FLAGS = SHOT_FLAGS | Qt.ItemFlag.ItemIsEditable
NO_PARENT = 0  # internalId of a top-level (group) index



class _ThumbJob(QRunnable):
    def __init__(self, path: str, height: int, done: Signal):
        super().__init__()
        self.path, self.height, self.done = path, height, done

    def run(self) -> None:
        # QImage (not QPixmap) is safe off the GUI thread; scaling here keeps the UI thread free.
        image = QImage(self.path)
        if not image.isNull():
            image = image.scaledToHeight(self.height, Qt.TransformationMode.SmoothTransformation)
        self.done.emit(self.path, image)


class ThumbnailCache(QObject):
    """Small thumbnails read and scaled on a worker thread; `loaded(path)` when one is ready."""

    loaded = Signal(str)
    _image_ready = Signal(str, QImage)

    def __init__(self, height: int = THUMB_HEIGHT, parent: QObject | None = None):
        super().__init__(parent)
        self.height = height
        self._pixmaps: dict[str, QPixmap | None] = {}
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._image_ready.connect(self._on_image_ready)

    def get(self, path: str) -> QPixmap | None:
        """The pixmap if loaded; otherwise None, and a load is started (once)."""
        if path in self._pixmaps:
            return self._pixmaps[path]
        self._pixmaps[path] = None
        self._pool.start(_ThumbJob(path, self.height, self._image_ready))
        return None

    def wait(self, msecs: int = 5000) -> bool:
        return self._pool.waitForDone(msecs)

    def _on_image_ready(self, path: str, image: QImage) -> None:
        self._pixmaps[path] = None if image.isNull() else QPixmap.fromImage(image)
        self.loaded.emit(path)


@dataclass
class _ShotRow:
    shot: Shot
    spent: Decimal  # ledger.spend_by_shot: jobs plus expenses, project currency only
    take_id: int | None  # store.choice: the shot's chosen take
    thumb: str | None  # that take's still, store-relative
    script: ShotScript | None = None  # flags a screenplay import left (None: never imported)


@dataclass
class _Group:
    scene: Scene | None
    shots: list[_ShotRow] = field(default_factory=list)
    script: SceneScript | None = None

    @property
    def key(self) -> tuple:
        return (self.scene.id if self.scene else None, tuple(r.shot.id for r in self.shots))


class ShotsModel(QAbstractItemModel):
    """The shot list's model. Group rows carry SceneIdRole; shot rows carry ShotIdRole."""

    COLUMNS = ("Shot", "Status", "Spent")
    ShotIdRole = Qt.ItemDataRole.UserRole + 1
    SceneIdRole = Qt.ItemDataRole.UserRole + 2
    IsSceneRole = Qt.ItemDataRole.UserRole + 3
    ChosenTakeRole = Qt.ItemDataRole.UserRole + 4  # the take the thumbnail shows (store.choice)
    ScriptStatusRole = Qt.ItemDataRole.UserRole + 5  # 'new' | 'changed' | 'removed' | None

    filled = Signal()  # every row's money, chosen take and still are in place

    def __init__(self, session: ProjectSession, parent: QObject | None = None, *, thumbnails: ThumbnailCache | None = None):
        super().__init__(parent)
        self.session = session
        self.thumbnails = thumbnails or ThumbnailCache(parent=self)
        self.thumbnails.loaded.connect(self._on_thumbnail_loaded)
        self._groups: list[_Group] = []
        self._where: dict[int, tuple[int, int]] = {}  # shot id → (group row, row in group)
        self._files: dict[str, str | None] = {}  # a still's store name → its file (None: tampered)
        self._currency = "USD"
        self._touched: set[int] = set()  # rows re-read here since the last fill was asked for
        self._waiting_thumbs: dict[str, set[int]] = {}  # a thumbnail file being loaded → the shots that showed it
        self.is_filled = False
        self._load()
        session.changed.connect(self._on_changed)

    # -- reading -------------------------------------------------------------------------------

    def _rows(self, shots: list[Shot]) -> list[_ShotRow]:
        """The rows of these shots: queries bounded by the shots named, never by the project."""
        project = self.session.project
        ids = [s.id for s in shots]
        # The one rule for 'chosen' and the one for 'spent', shared with the storyboard, the
        # timeline, the Costs panel and every export.
        spent = ledger.spend_by_shot(project, ids)
        chosen = chosen_takes(project, ids)
        stills = take_stills(project, chosen.values())
        scripts = shot_scripts(project, ids)
        out = []
        for shot in shots:
            take_id = chosen.get(shot.id)
            still = stills.get(take_id) if take_id is not None else None
            out.append(_ShotRow(shot, spent.get(shot.id, Decimal(0)), take_id, still.path if still and still.kind is MediaKind.IMAGE else None,
                                scripts.get(shot.id)))
        return out

    def _bare_rows(self, shots: list[Shot]) -> list[_ShotRow]:
        """Rows with what the list already knows of each shot's money, take and still (nothing for a
        new shot): the fill brings them up to date."""
        scripts = shot_scripts(self.session.project, [s.id for s in shots])
        out = []
        for shot in shots:
            known = self._row(shot.id) if shot.id in self._where else None
            out.append(_ShotRow(shot, known.spent if known else Decimal(0), known.take_id if known else None,
                                known.thumb if known else None, scripts.get(shot.id)))
        return out

    def _read(self) -> tuple[list[_Group], str]:
        """The structure and the shots (bounded by the shots, scenes and flags): what a first paint needs."""
        project = self.session.project
        scenes = list_scenes(project)
        flags = scene_scripts(project)
        groups = {s.id: _Group(s, script=flags.get(s.id)) for s in scenes}
        loose = _Group(None)
        for row in self._bare_rows(list_shots(project)):
            groups.get(row.shot.scene_id, loose).shots.append(row)
        ordered = [groups[s.id] for s in scenes]
        # The scene-less group is always there when there are no scenes, so a first shot has a home.
        if loose.shots or not ordered:
            ordered.append(loose)
        return ordered, project.settings().currency

    def _load(self) -> None:
        self._groups, self._currency = self._read()
        self._where = self._positions()
        self._ask_fill()

    def _ask_fill(self) -> None:
        """Read every row's money, chosen take and still on the reads thread (see `_apply_fill`)."""
        self._touched.clear()
        self.is_filled = False
        self.session.reads.submit(f"shots-fill-{id(self)}", read_fill, self._apply_fill)

    def _apply_fill(self, fill: dict[int, tuple[Decimal, int | None, str | None]]) -> None:
        """Put the fill in place, per scene in one dataChanged; rows re-read here after it was asked
        for are newer than it and keep what they have."""
        last = len(self.COLUMNS) - 1
        for gi, group in enumerate(self._groups):
            changed, totals = [], False
            for si, row in enumerate(group.shots):
                sid = row.shot.id
                if sid in self._touched:
                    continue
                spent, take_id, thumb = fill.get(sid, (Decimal(0), None, None))
                if (spent, take_id, thumb) != (row.spent, row.take_id, row.thumb):
                    totals = totals or spent != row.spent
                    group.shots[si] = _ShotRow(row.shot, spent, take_id, thumb, row.script)
                    changed.append(si)
            if changed:
                top = self.index(gi, 0)
                self.dataChanged.emit(self.index(min(changed), 0, top), self.index(max(changed), last, top))
            if totals:
                total = self.index(gi, 2)
                self.dataChanged.emit(total, total, [Qt.ItemDataRole.DisplayRole])
        self.is_filled = True
        self.filled.emit()

    def _positions(self) -> dict[int, tuple[int, int]]:
        return {r.shot.id: (gi, si) for gi, g in enumerate(self._groups) for si, r in enumerate(g.shots)}

    def reload(self) -> None:
        """Re-read everything; a reset only when rows moved, otherwise dataChanged for the rows
        that differ, so selections survive and unchanged rows are not repainted. Money, chosen
        takes and stills follow from the reads thread."""
        groups, currency = self._read()
        if [g.key for g in groups] != [g.key for g in self._groups]:
            self.beginResetModel()
            self._groups, self._currency = groups, currency
            self._where = self._positions()
            self.endResetModel()
            self._ask_fill()
            return
        everything = currency != self._currency
        self._currency = currency
        for gi, (old, new) in enumerate(zip(self._groups, groups)):
            if (old.scene, old.script) != (new.scene, new.script):  # a scene renamed or flagged by an import
                old.scene, old.script = new.scene, new.script
                self.dataChanged.emit(self.index(gi, 0), self.index(gi, len(self.COLUMNS) - 1))
        self._apply([r for g in groups for r in g.shots], everything=everything, touched=False)
        self._ask_fill()

    def _apply(self, fresh: list[_ShotRow], *, everything: bool = False, touched: bool = True) -> None:
        """Put re-read rows in place; dataChanged for each row that differs and for its group's total.
        `touched`: these rows were read in full, newer than any fill on its way."""
        last = len(self.COLUMNS) - 1
        totals: set[int] = set()
        for row in fresh:
            if touched:
                self._touched.add(row.shot.id)
            gi, si = self._where[row.shot.id]
            old = self._groups[gi].shots[si]
            if row == old and not everything:
                continue
            self._groups[gi].shots[si] = row
            top = self.index(gi, 0)
            self.dataChanged.emit(self.index(si, 0, top), self.index(si, last, top))
            if row.spent != old.spent or everything:
                totals.add(gi)
        for gi in sorted(totals):
            total = self.index(gi, 2)
            self.dataChanged.emit(total, total, [Qt.ItemDataRole.DisplayRole])

    def _on_changed(self, changes) -> None:
        """Refresh only what a Changes names: a job or a take touches its shot's row; money without
        ids (an expense) compares every shot's spend in one query and repaints those that moved;
        only a new order of rows (shots added, binned, moved, scenes) resets the model."""
        if changes.shot_order or changes.scenes or changes.project:
            self.reload()
            return
        project = self.session.project
        affected: set[int] = set()
        named: dict[int, Shot | None] = {}
        if changes.shots:
            named = {sid: self._shot_or_none(sid) for sid in changes.shots}
            moved = any(s is None or s.deleted or sid not in self._where or s.scene_id != self._row(sid).shot.scene_id
                        for sid, s in named.items())
            if moved:
                self.reload()
                return
            affected |= set(named)
        if changes.jobs or changes.takes:
            shots, complete = shots_of(project, jobs=changes.jobs, takes=changes.takes)
            if not complete:  # a take emptied from the bin: its shot can no longer be named
                self.reload()
                return
            affected |= shots
        if changes.costs:  # which shots' money moved is found on the reads thread
            self.session.reads.submit(f"shots-spend-{id(self)}", ledger.spend_by_shot, self._apply_spend)
        self._reread(affected, named)

    def _reread(self, affected: set[int], named: dict[int, Shot | None] | None = None) -> None:
        named = named or {}
        shots = [named.get(sid) or self._row(sid).shot for sid in sorted(affected) if sid in self._where]
        if shots:
            self._apply(self._rows(shots))

    def _apply_spend(self, spent: dict[int, Decimal]) -> None:
        """Every shot's spend, read in the background: re-read (here, bounded by those shots) the
        rows whose money differs from what they show. A stale answer only costs a re-read that
        finds nothing new; a newer change asks again."""
        self._reread({sid for sid in self._where if self._row(sid).spent != spent.get(sid, Decimal(0))})

    def _row(self, shot_id: int) -> _ShotRow:
        gi, si = self._where[shot_id]
        return self._groups[gi].shots[si]

    def _shot_or_none(self, shot_id: int) -> Shot | None:
        try:
            return get_shot(self.session.project, shot_id)
        except NotFound:
            return None

    def _thumb_file(self, relative: str | None) -> str | None:
        """The thumbnail's file, or None for a row naming a file outside the media folder (never read).
        Resolved once per name: the check looks at the file system."""
        if not relative:
            return None
        if relative not in self._files:
            try:
                self._files[relative] = str(self.session.project.media.path(relative))
            except TamperedMedia:
                self._files[relative] = None
        return self._files[relative]

    def _on_thumbnail_loaded(self, path: str) -> None:
        """Repaint the rows that asked for this file (only painted rows ask), not a scan of every shot."""
        for sid in self._waiting_thumbs.pop(path, ()):
            if sid not in self._where:
                continue
            row = self._row(sid)
            if row.thumb and self._files.get(row.thumb) == path:
                index = self.shot_index(sid)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    # -- lookups ---------------------------------------------------------------------------------

    def shot_id(self, index: QModelIndex) -> int | None:
        row = self._shot_row(index)
        return row.shot.id if row else None

    def shot_at(self, index: QModelIndex) -> Shot | None:
        row = self._shot_row(index)
        return row.shot if row else None

    def scene_id(self, index: QModelIndex) -> int | None:
        """The scene of a group row, or of a shot row's group."""
        if not index.isValid():
            return None
        group_row = index.row() if index.internalId() == NO_PARENT else index.internalId() - 1
        scene = self._groups[group_row].scene
        return scene.id if scene else None

    def shot_index(self, shot_id: int, column: int = 0) -> QModelIndex:
        where = self._where.get(shot_id)
        if where is None:
            return QModelIndex()
        gi, si = where
        return self.index(si, column, self.index(gi, 0))

    def shot_ids(self) -> list[int]:
        """Live shots in display order (group by group)."""
        return [r.shot.id for g in self._groups for r in g.shots]

    def _shot_row(self, index: QModelIndex) -> _ShotRow | None:
        if not index.isValid() or index.internalId() == NO_PARENT:
            return None
        group = self._groups[index.internalId() - 1]
        return group.shots[index.row()] if index.row() < len(group.shots) else None

    # -- structure -------------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        # Bounds checked here, not by hasIndex (two more calls into Python per index: a tree view
        # asks for every row when it lays 1,000 shots out).
        if row < 0 or not 0 <= column < len(self.COLUMNS):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, NO_PARENT) if row < len(self._groups) else QModelIndex()
        group = parent.row()
        if parent.internalId() != NO_PARENT or parent.column() != 0 or group >= len(self._groups) or row >= len(self._groups[group].shots):
            return QModelIndex()  # shots have no children
        return self.createIndex(row, column, group + 1)

    def parent(self, index: QModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == NO_PARENT:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, NO_PARENT)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == NO_PARENT and parent.column() == 0:
            return len(self._groups[parent.row()].shots)
        return 0

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return len(self.COLUMNS)

    def hasChildren(self, parent: QModelIndex = QModelIndex()) -> bool:
        """One call, not rowCount and columnCount: a tree view asks it of every row it repaints."""
        if not parent.isValid():
            return bool(self._groups)
        return parent.internalId() == NO_PARENT and parent.column() == 0 and bool(self._groups[parent.row()].shots)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        if index.internalId() == NO_PARENT:
            return GROUP_FLAGS
        if index.column() == 0 and not self.session.project.readonly:
            row = self._shot_row(index)
            if row is not None and not row.shot.locked:
                return EDITABLE_SHOT_FLAGS
        return SHOT_FLAGS

    # -- data ------------------------------------------------------------------------------------

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if index.internalId() == NO_PARENT:
            return self._group_data(self._groups[index.row()], index.column(), role)
        row = self._shot_row(index)
        return None if row is None else self._shot_data(row, index.column(), role)

    def _group_data(self, group: _Group, column: int, role: int):
        if role == self.IsSceneRole:
            return True
        if role == self.SceneIdRole:
            return group.scene.id if group.scene else None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                if group.scene is None:
                    return "No scene" if len(self._groups) > 1 else "Shots"
                text = f"Scene {group.scene.code}" + (f" · {group.scene.title}" if group.scene.title else "")
                mark = SCRIPT_MARKS.get(group.script.status) if group.script else None
                return f"{text} · {mark}" if mark else text
            if column == 2:
                return format_money(sum((r.spent for r in group.shots), Decimal(0)), self._currency)
        if role == self.ScriptStatusRole:
            return group.script.status if group.script else None
        if role == Qt.ItemDataRole.ToolTipRole and column == 0 and group.script and group.script.heading:
            why = {"changed": "\nIts heading changed at the last screenplay import.",
                   "removed": "\nIt is no longer in the screenplay; its shots went to the bin unless locked."}.get(group.script.status or "", "")
            return f"{group.script.heading}{why}"
        if role == Qt.ItemDataRole.ForegroundRole and column == 0:
            if group.script and group.script.status in SCRIPT_MARKS:
                return SCRIPT_COLOUR
            return QColor(170, 170, 175)
        return None

    def _shot_data(self, row: _ShotRow, column: int, role: int):
        shot = row.shot
        if role == self.ShotIdRole:
            return shot.id
        if role == self.SceneIdRole:
            return shot.scene_id
        if role == self.IsSceneRole:
            return False
        if role == self.ChosenTakeRole:
            return row.take_id
        if role == self.ScriptStatusRole:
            return row.script.status if row.script else None
        if column == 0:
            mark = SCRIPT_MARKS.get(row.script.status) if row.script else None
            if role == Qt.ItemDataRole.DisplayRole:
                text = f"{shot.code}  {shot.title}".rstrip()
                return f"{text}  · {mark}" if mark else text
            if role == Qt.ItemDataRole.EditRole:
                return shot.title
            if role == Qt.ItemDataRole.DecorationRole and row.thumb:
                file = self._thumb_file(row.thumb)
                if file is None:
                    return None
                pixmap = self.thumbnails.get(file)
                if pixmap is None:
                    self._waiting_thumbs.setdefault(file, set()).add(shot.id)
                return pixmap
            if role == Qt.ItemDataRole.ForegroundRole and mark:
                return SCRIPT_COLOUR
            if role == Qt.ItemDataRole.ToolTipRole:
                return shot_tooltip(shot, row.script)
        elif column == 1:
            if role == Qt.ItemDataRole.DisplayRole:
                return shot.status.value
            if role in (Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.ForegroundRole):
                return STATUS_COLOURS[shot.status]
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Status: {shot.status.value}"
        elif column == 2:
            if role == Qt.ItemDataRole.DisplayRole:
                return format_money(row.spent, self._currency)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if role == Qt.ItemDataRole.ToolTipRole:  # whole, where a narrow column elides it
                spent = f"Spent {format_money(row.spent, self._currency)}"
                if shot.budget_money is not None:
                    return f"{spent} of a budget of {format_money(shot.budget_money, self._currency)}"
                return spent
        return None

    def setData(self, index: QModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Renaming a shot edits its title through the undo stack."""
        row = self._shot_row(index)
        if row is None or index.column() != 0 or role != Qt.ItemDataRole.EditRole:
            return False
        title = " ".join(str(value or "").split())
        if title == row.shot.title:
            return False
        return self.session.push(edits.SetShotFields(row.shot.id, {"title": title}, text=f"Rename shot {row.shot.code}"))

    # -- drag and drop ---------------------------------------------------------------------------

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_SHOTS]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:
        ids: list[int] = []
        for index in indexes:
            sid = self.shot_id(index)
            if sid is not None and sid not in ids:
                ids.append(sid)
        mime = QMimeData()
        mime.setData(MIME_SHOTS, json.dumps(ids).encode())
        return mime

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: QModelIndex) -> bool:
        return data.hasFormat(MIME_SHOTS) and parent.isValid() and action == Qt.DropAction.MoveAction

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: QModelIndex) -> bool:
        """Reorder (and move between scenes) as one undoable step.

        Returns True without removing rows itself: the session's change signal re-reads the
        store, and the default removeRows (which refuses) keeps the view from deleting the source.
        """
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        try:
            moved = [int(i) for i in json.loads(bytes(data.data(MIME_SHOTS)).decode())]
        except (ValueError, TypeError):
            return False
        if parent.internalId() == NO_PARENT:
            group_row, position = parent.row(), row
        else:  # dropped onto a shot: insert before it
            group_row, position = parent.internalId() - 1, parent.row()
        return self.move_shots(moved, group_row, position)

    def move_shots(self, moved: list[int], group_row: int, position: int = -1) -> bool:
        """Put `moved` at `position` (-1: the end) within group `group_row`."""
        if not moved or not 0 <= group_row < len(self._groups):
            return False
        group = self._groups[group_row]
        target_ids = [r.shot.id for r in group.shots]
        position = len(target_ids) if position < 0 else min(position, len(target_ids))
        anchor_before = next((sid for sid in target_ids[position:] if sid not in moved), None)
        anchor_after = next((sid for sid in reversed(target_ids[:position]) if sid not in moved), None)
        current = _global_order(self)
        order = [sid for sid in current if sid not in moved]
        if anchor_before is not None:
            at = order.index(anchor_before)
        elif anchor_after is not None:
            at = order.index(anchor_after) + 1
        else:
            at = len(order)
        new_order = order[:at] + moved + order[at:]
        scene_id = group.scene.id if group.scene else None
        steps: list = [edits.SetShotFields(sid, {"scene_id": scene_id}, text="Move shot to scene") for sid in moved if self._scene_of(sid) != scene_id]
        if new_order != current:
            steps.append(edits.ReorderShots(new_order, text="Move shot" if len(moved) == 1 else f"Move {len(moved)} shots"))
        if not steps:
            return False
        if len(steps) == 1:
            return self.session.push(steps[0])
        # One undo step for "move to another scene and place it there".
        stack = self.session.undo_stack
        stack.beginMacro(steps[-1].text if isinstance(steps[-1], edits.ReorderShots) else "Move shot to scene")
        try:
            ok = all(self.session.push(step) for step in steps)
        finally:
            stack.endMacro()
        return ok

    def _scene_of(self, shot_id: int) -> int | None:
        for group in self._groups:
            for row in group.shots:
                if row.shot.id == shot_id:
                    return row.shot.scene_id
        return None


def read_fill(project) -> dict[int, tuple[Decimal, int | None, str | None]]:
    """shot id → (money spent, chosen take, that take's still): the same rules as `_rows`
    (`ledger.spend_by_shot`, `store.choice`), for every shot at once (runs on the reads thread)."""
    spent = ledger.spend_by_shot(project)
    chosen = chosen_takes(project)
    stills = take_stills(project, chosen.values())
    out: dict[int, tuple[Decimal, int | None, str | None]] = {sid: (money, None, None) for sid, money in spent.items()}
    for sid, take_id in chosen.items():
        still = stills.get(take_id)
        out[sid] = (spent.get(sid, Decimal(0)), take_id, still.path if still and still.kind is MediaKind.IMAGE else None)
    return out


def _global_order(model: ShotsModel) -> list[int]:
    """Live shots in the project's order (the `ord` column), which groups only partition."""
    shots = sorted((r.shot for g in model._groups for r in g.shots), key=lambda s: (s.order, s.id))
    return [s.id for s in shots]


def shot_tooltip(shot: Shot, script: ShotScript | None) -> str:
    """The shot, its notes, and what the screenplay says: the diff a re-import left, the dialogue."""
    parts = [f"Shot {shot.code}: {shot.title or 'untitled'}"]
    if shot.notes:
        parts.append(shot.notes)
    if script is not None:
        if script.status == "changed":
            parts.append("Script changed at the last import:\n" + (script.note or "(no text difference recorded)"))
        elif script.status == "removed":
            parts.append("No longer in the screenplay (kept because it is locked).")
        if script.dialogue:
            parts.append("Dialogue:\n" + "\n".join(dialogue_line(d) for d in script.dialogue))
    return "\n\n".join(parts)


def dialogue_line(d: dict) -> str:
    paren = f" ({d['parenthetical']})" if d.get("parenthetical") else ""
    return f"{d.get('character', '')}{paren}: {d.get('text', '')}"
