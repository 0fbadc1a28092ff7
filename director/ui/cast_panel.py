"""The Cast panel: the project's characters, their look notes, reference images and where they appear.

The table is a model (`CastModel`) read on the project's reads thread (appearances read every live
shot's prompt and dialogue) and refreshed only while the panel is on screen (`Freshness`). Every
change is a `store.cast` edit pushed on the session's undo stack: the look notes edited inline, a
reference image added (copied into the media store on a pool thread, the same `import_reference`
the CLI's `cast image` uses) or removed, and "use as reference for this shot" (the checkbox
column), which the shot's steered jobs read. Thumbnails are decoded by the session's loader, off
the UI thread. Double-clicking a name copies "Name (look)" for a prompt's subject: the prompt
editor has no API for inserting text into a field, and writing a prompt version behind its back
would race its unsaved edits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QAbstractListModel, QAbstractTableModel, QModelIndex, QObject, QRunnable, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from director.core.errors import DirectorError
from director.store import cast as store_cast
from director.store.script import CastMember, list_cast
from director.ui.freshness import Freshness
from director.ui.undo import ProjectSession

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp)"
THUMB = QSize(96, 96)


@dataclass(frozen=True)
class CastRow:
    member: CastMember
    appears: tuple[store_cast.Appearance, ...]
    used: bool  # a reference for the current shot

    def subject_text(self) -> str:
        """What a prompt's subject says of this member (the import's own form)."""
        return f"{self.member.name} ({self.member.look_notes})" if self.member.look_notes else self.member.name


def read_cast(project, shot_id: int | None) -> list[CastRow]:
    """The rows, on the reads thread: members, where each appears, which the shot uses."""
    where = store_cast.appearances(project)
    used = set(store_cast.shot_references(project, shot_id)) if shot_id is not None else set()
    return [CastRow(m, where.get(m.name, ()), m.name in used) for m in list_cast(project)]


class CastModel(QAbstractTableModel):
    """One row per cast member. Look is edited inline and Reference checked, both as undoable edits."""

    COLUMNS = ("Name", "Look", "Images", "Appears in", "Reference")
    NAME, LOOK, IMAGES, APPEARS, REFERENCE = range(5)
    NameRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, session: ProjectSession, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.rows: list[CastRow] = []
        self.shot_id: int | None = None

    def set_rows(self, rows: list[CastRow], shot_id: int | None) -> None:
        if [r.member.id for r in rows] != [r.member.id for r in self.rows]:
            self.beginResetModel()
            self.rows, self.shot_id = rows, shot_id
            self.endResetModel()
            return
        self.rows, self.shot_id = rows, shot_id
        if rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(self.COLUMNS) - 1))

    def row_of(self, name: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r.member.name == name), -1)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole and section == self.REFERENCE:
            return "Use this member's reference images for the current shot's control jobs (Wan VACE)"
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        writable = not self.session.project.readonly
        row = self.rows[index.row()]
        if index.column() == self.LOOK and writable:
            return base | Qt.ItemFlag.ItemIsEditable
        if index.column() == self.REFERENCE:
            if writable and self.shot_id is not None and (row.member.images or row.used):
                return base | Qt.ItemFlag.ItemIsUserCheckable
            return Qt.ItemFlag.ItemIsSelectable
        return base

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        if role == self.NameRole:
            return row.member.name
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == self.NAME:
                return row.member.name
            if column == self.LOOK:
                return row.member.look_notes
            if column == self.IMAGES:
                return len(row.member.images)
            if column == self.APPEARS:
                return ", ".join(a.shot_code for a in row.appears)
        if role == Qt.ItemDataRole.CheckStateRole and column == self.REFERENCE and self.shot_id is not None:
            return Qt.CheckState.Checked if row.used else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.NAME:
                return f"Double-click to copy “{row.subject_text()}” for a prompt's subject"
            if column == self.APPEARS and row.appears:
                scenes = sorted({a.scene_code for a in row.appears if a.scene_code})
                return f"Shots {', '.join(a.shot_code for a in row.appears)}" + (f" (scenes {', '.join(scenes)})" if scenes else "")
            if column == self.REFERENCE and self.shot_id is not None and not row.member.images:
                return f"{row.member.name} has no reference images yet; add one below"
        return None

    def setData(self, index: QModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        name = self.rows[index.row()].member.name
        if index.column() == self.LOOK and role == Qt.ItemDataRole.EditRole:
            if str(value).strip() == self.rows[index.row()].member.look_notes:
                return False
            return self.session.push(store_cast.SetCastLook(name, str(value)))
        if index.column() == self.REFERENCE and role == Qt.ItemDataRole.CheckStateRole and self.shot_id is not None:
            used = Qt.CheckState(value) == Qt.CheckState.Checked
            return self.session.push(store_cast.SetShotReference(self.shot_id, name, used))
        return False


class ImagesModel(QAbstractListModel):
    """The selected member's reference images, each drawn from the session's thumbnail loader."""

    PathRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, session: ProjectSession, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.paths: list[str] = []
        session.thumbnails.loaded.connect(self._on_loaded)
        session.thumbnails.failed.connect(lambda key, _why: self._on_loaded(key))

    def set_paths(self, paths: tuple[str, ...]) -> None:
        if list(paths) != self.paths:
            self.beginResetModel()
            self.paths = list(paths)
            self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.paths)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        path = self.paths[index.row()]
        if role == self.PathRole:
            return path
        if role == Qt.ItemDataRole.DecorationRole:
            loader = self.session.thumbnails
            pixmap = loader.ask(path, lambda: self.session.project.media.path(path))
            return pixmap if pixmap is not None else loader.placeholder()
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.session.thumbnails.error(path) or path
        return None

    def _on_loaded(self, key: str) -> None:
        if key in self.paths:
            index = self.index(self.paths.index(key))
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


class _Relay(QObject):
    done = Signal(str, object, object)  # member name, media paths or None, error text or None


class _Import(QRunnable):
    """Copy the chosen files into the media store off the UI thread (files only, no rows)."""

    def __init__(self, project, name: str, files: list[str], relay: _Relay):
        super().__init__()
        self.project, self.name, self.files, self.relay = project, name, files, relay

    def run(self) -> None:
        try:
            self.relay.done.emit(self.name, [store_cast.import_reference(self.project, f) for f in self.files], None)
        except DirectorError as exc:
            self.relay.done.emit(self.name, None, str(exc))
        except Exception as exc:  # a pool thread is a boundary: say it, never lose it
            self.relay.done.emit(self.name, None, f"{type(exc).__name__}: {exc}")


class CastPanel(QWidget):
    """The Cast dock. `shot_requested(shot_id)` when an appearance is activated."""

    shot_requested = Signal(int)
    imported = Signal()  # an image import finished, added or refused (tests wait on it)
    refreshed = Signal()  # a read's rows are in the table

    def __init__(self, session: ProjectSession, parent: QWidget | None = None, *, select_shot: Callable[[int], None] | None = None):
        super().__init__(parent)
        self.session = session
        self.shot_id: int | None = None
        self.pending = 0
        self.model = CastModel(session, self)
        self.table = QTableView(self)
        self.table.setObjectName("castTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.SelectedClicked)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(CastModel.LOOK, QHeaderView.ResizeMode.Stretch)
        for column in (CastModel.NAME, CastModel.IMAGES, CastModel.APPEARS, CastModel.REFERENCE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(self._on_double_clicked)

        self.images = ImagesModel(session, self)
        self.image_view = QListView(self)
        self.image_view.setObjectName("castImages")
        self.image_view.setModel(self.images)
        self.image_view.setViewMode(QListView.ViewMode.IconMode)
        self.image_view.setFlow(QListView.Flow.LeftToRight)
        self.image_view.setWrapping(False)
        self.image_view.setIconSize(THUMB)
        self.image_view.setFixedHeight(THUMB.height() + 24)
        self.image_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)

        self.appears = QListWidget(self)
        self.appears.setObjectName("castAppears")
        self.appears.setFixedHeight(THUMB.height() + 24)
        self.appears.setToolTip("Shots this member speaks in or is named in; activate one to go to it")
        self.appears.itemActivated.connect(lambda item: self.shot_requested.emit(int(item.data(Qt.ItemDataRole.UserRole))))
        if select_shot is not None:
            self.shot_requested.connect(select_shot)

        self.add_image_action = self._action("Add Image…", self.ask_images, "Add reference images of the selected member")
        self.remove_image_action = self._action("Remove Image", self.remove_selected_image, "Take the selected reference image off")
        self.copy_look_action = self._action("Copy Look", self.copy_look, "Copy “Name (look)” for a prompt's subject")
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for action in (self.add_image_action, self.remove_image_action, self.copy_look_action):
            button = QToolButton(self)
            button.setDefaultAction(action)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.message = QLabel(self)
        self.message.setObjectName("castMessage")
        self.message.setWordWrap(True)
        self.empty = QLabel("No cast yet: File ▸ Import Screenplay… makes one from the speaking characters.", self)
        self.empty.setWordWrap(True)

        details = QHBoxLayout()
        details.addWidget(self.image_view, 3)
        details.addWidget(self.appears, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addLayout(details)
        layout.addLayout(buttons)
        layout.addWidget(self.message)

        self.relay = _Relay(self)
        self.relay.done.connect(self._imported)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())
        self.image_view.selectionModel().currentChanged.connect(lambda *_: self._update_actions())
        self._keep: str | None = None
        self.model.modelAboutToBeReset.connect(self._on_about_to_reset)
        self.model.modelReset.connect(self._on_reset)
        self.model.dataChanged.connect(lambda *_: self._show_selected())
        self.freshness = Freshness(self, self._request, session=session)
        session.changed.connect(self._on_changes)
        self._update_actions()

    def _action(self, text: str, slot, tip: str) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    # -- reading -------------------------------------------------------------------------------

    def set_shot(self, shot_id: int | None) -> None:
        """The window's current shot: the Reference column is about it."""
        if shot_id != self.shot_id:
            self.shot_id = shot_id
            self.freshness.mark_stale()

    def _on_changes(self, changes) -> None:
        if changes.cast or changes.project or changes.prompts or changes.shots or changes.shot_order or changes.scenes:
            self.freshness.mark_stale()

    def _request(self) -> None:
        shot_id = self.shot_id
        self.session.reads.submit("cast", lambda project: read_cast(project, shot_id), lambda rows: self._apply(rows, shot_id),
                                  on_error=lambda exc: self.message.setText(f"The cast could not be read: {exc}"))

    def _apply(self, rows: list[CastRow], shot_id: int | None) -> None:
        self.model.set_rows(rows, shot_id)
        self.empty.setVisible(not rows)
        self.refreshed.emit()

    def _on_about_to_reset(self) -> None:
        row = self.selected()
        self._keep = row.member.name if row else None

    def _on_reset(self) -> None:
        """The member selected before stays selected (a new one imported, another removed)."""
        self.empty.setVisible(not self.model.rows)
        if self.model.rows and not (self._keep and self.select(self._keep)):
            self.table.selectRow(0)
        self._show_selected()

    # -- the selected member -------------------------------------------------------------------

    def selected(self) -> CastRow | None:
        index = self.table.currentIndex()
        return self.model.rows[index.row()] if index.isValid() and index.row() < len(self.model.rows) else None

    def select(self, name: str) -> bool:
        row = self.model.row_of(name)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def _show_selected(self) -> None:
        row = self.selected()
        self.images.set_paths(row.member.images if row else ())
        self.appears.clear()
        for a in row.appears if row else ():
            item = QListWidgetItem(f"{a.shot_code}" + (f"  (scene {a.scene_code})" if a.scene_code else ""), self.appears)
            item.setData(Qt.ItemDataRole.UserRole, a.shot_id)
        self._update_actions()

    def appearance_codes(self) -> list[str]:
        return [self.appears.item(i).text().split()[0] for i in range(self.appears.count())]

    def _update_actions(self) -> None:
        writable = not self.session.project.readonly
        row = self.selected()
        self.add_image_action.setEnabled(writable and row is not None)
        self.remove_image_action.setEnabled(writable and row is not None and self.image_view.currentIndex().isValid())
        self.copy_look_action.setEnabled(row is not None)

    # -- edits ---------------------------------------------------------------------------------

    def set_look(self, name: str, notes: str) -> bool:
        row = self.model.row_of(name)
        return row >= 0 and self.model.setData(self.model.index(row, CastModel.LOOK), notes)

    def set_reference(self, name: str, used: bool) -> bool:
        row = self.model.row_of(name)
        state = Qt.CheckState.Checked if used else Qt.CheckState.Unchecked
        return row >= 0 and self.model.setData(self.model.index(row, CastModel.REFERENCE), state, Qt.ItemDataRole.CheckStateRole)

    def ask_images(self) -> None:
        row = self.selected()
        if row is None:
            return
        files, _ = QFileDialog.getOpenFileNames(self, f"Reference images of {row.member.name}", "", IMAGE_FILTER)
        if files:
            self.add_images(row.member.name, files)

    def add_images(self, name: str, files: list[str]) -> None:
        """Copy the files into the media store on a pool thread, then add each (undoable)."""
        self.message.clear()
        self.pending += 1
        QThreadPool.globalInstance().start(_Import(self.session.project, name, [str(Path(f)) for f in files], self.relay))

    def _imported(self, name: str, paths, error) -> None:
        self.pending -= 1
        if error is not None:
            self.message.setText(error)
        else:
            for path in paths:
                if not self.session.push(store_cast.AddCastImage(name, path)):
                    break
        self.imported.emit()

    def remove_selected_image(self) -> bool:
        row, index = self.selected(), self.image_view.currentIndex()
        if row is None or not index.isValid():
            return False
        return self.session.push(store_cast.RemoveCastImage(row.member.name, self.images.paths[index.row()]))

    def copy_look(self) -> str:
        row = self.selected()
        if row is None:
            return ""
        text = row.subject_text()
        QGuiApplication.clipboard().setText(text)
        self.message.setText(f"Copied “{text}”: paste it into the prompt's subject.")
        return text

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if index.column() == CastModel.NAME:
            self.copy_look()
