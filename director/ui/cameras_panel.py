"""Camera setups of the current shot (A, B, C…), each with the prompt the model will read.

Editing a cell is an undoable SetCamera; Add Camera an undoable AddCamera; Remove Camera (Delete
while the table has focus, or the right-click menu) an undoable RemoveCamera, which the store
refuses for a camera that has takes (takes always name the camera that shot them), and the panel
says so. The composed prompt
column is the shot's current prompt composed with that camera's framing, so the director sees
exactly what each angle sends.
"""

from __future__ import annotations

import string

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from director.core.errors import DirectorError
from director.core.model import Camera
from director.core.prompt import CAMERA_FIELDS, CameraSetup, PromptFields
from director.store import edits
from director.store.cameras import list_cameras
from director.store.prompts import current_prompt
from director.store.shots import get_shot
from director.ui.undo import ProjectSession
from director.ui.window_edits import RemoveCamera

HEADERS = ("Camera", "Shot size", "Angle", "Movement", "Lens", "Prompt sent to the model")
PROMPT_COLUMN = len(HEADERS) - 1


def next_camera_name(existing: list[str]) -> str:
    for letter in string.ascii_uppercase:
        if letter not in existing:
            return letter
    raise DirectorError("a shot can have at most 26 lettered cameras")


class CamerasPanel(QWidget):
    """`camera_selected(camera_id or None)` when the current camera changes."""

    camera_selected = Signal(object)

    def __init__(self, session: ProjectSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.shot_id: int | None = None
        self._cameras: list[Camera] = []
        self._filling = False

        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setObjectName("camerasTable")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        header = self.table.horizontalHeader()
        for col in range(PROMPT_COLUMN):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(PROMPT_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.currentCellChanged.connect(lambda *_: self._on_current_cell())

        self.add_button = QPushButton("Add Camera", self)
        self.add_button.setToolTip("Add the next lettered camera setup to this shot")
        self.add_button.clicked.connect(lambda: self.add_camera())
        self.remove_action = QAction("Remove Camera", self)
        self.remove_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.remove_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)  # Delete in a cell editor still deletes text
        self.remove_action.setStatusTip("Remove the selected camera (only one that has no takes)")
        self.remove_action.triggered.connect(lambda: self.remove_camera())
        self.table.addAction(self.remove_action)
        self.remove_button = QPushButton("Remove Camera", self)
        self.remove_button.setToolTip("Remove the selected camera setup (Delete); a camera with takes stays")
        self.remove_button.clicked.connect(lambda: self.remove_camera())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_context_menu)
        self.message = QLabel(self)
        self.message.setObjectName("camerasMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("QLabel { color: #ff8080; }")
        bar = QHBoxLayout()
        bar.addWidget(self.add_button)
        bar.addWidget(self.remove_button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        layout.addWidget(self.message)
        session.changed.connect(self._on_changed)
        self.set_shot(None)

    def set_shot(self, shot_id: int | None) -> None:
        if shot_id != self.shot_id:
            self.message.clear()
        self.shot_id = shot_id
        self.reload()

    def reload(self) -> None:
        keep = self.current_camera_id()
        project = self.session.project
        self._cameras = list_cameras(project, self.shot_id) if self.shot_id is not None else []
        prompt = None
        editable = False
        if self.shot_id is not None:
            try:
                prompt = current_prompt(project, self.shot_id)
                editable = not project.readonly and not get_shot(project, self.shot_id).locked
            except DirectorError:
                self._cameras = []
        fields = prompt.fields if prompt else PromptFields()
        self._filling = True
        try:
            self.table.setRowCount(len(self._cameras))
            for row, camera in enumerate(self._cameras):
                values = (camera.name, *(getattr(camera.setup, f) for f in CAMERA_FIELDS), fields.compose(camera.setup))
                for col, value in enumerate(values):
                    # Reuse items: this can run inside itemChanged, while the cell's editor closes.
                    item = self.table.item(row, col)
                    if item is None:
                        item = QTableWidgetItem()
                        self.table.setItem(row, col, item)
                    item.setText(value)
                    flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                    if editable and 1 <= col < PROMPT_COLUMN:
                        flags |= Qt.ItemFlag.ItemIsEditable
                    item.setFlags(flags)
                    if col == PROMPT_COLUMN:
                        item.setToolTip(value)
        finally:
            self._filling = False
        self.add_button.setEnabled(editable)
        self._editable = editable
        ids = [c.id for c in self._cameras]
        row = ids.index(keep) if keep in ids else (0 if ids else -1)
        if row >= 0:
            self.table.setCurrentCell(row, 0)
        self._update_remove()
        self.camera_selected.emit(self.current_camera_id())

    def _update_remove(self) -> None:
        can = getattr(self, "_editable", False) and self.current_camera_id() is not None
        self.remove_button.setEnabled(can)
        self.remove_action.setEnabled(can)

    def camera_ids(self) -> list[int]:
        return [c.id for c in self._cameras]

    def current_camera_id(self) -> int | None:
        row = self.table.currentRow()
        return self._cameras[row].id if 0 <= row < len(self._cameras) else None

    def select_camera(self, camera_id: int) -> None:
        ids = self.camera_ids()
        if camera_id in ids:
            self.table.setCurrentCell(ids.index(camera_id), 0)

    def add_camera(self, name: str | None = None, setup: CameraSetup = CameraSetup()) -> int | None:
        if self.shot_id is None:
            return None
        name = name or next_camera_name([c.name for c in self._cameras])
        edit = edits.AddCamera(self.shot_id, name, setup, text=f"Add camera {name}")
        if not self.session.push(edit):
            return None
        self.select_camera(edit.camera_id)
        return edit.camera_id

    def remove_camera(self, camera_id: int | None = None) -> bool:
        """Remove a camera (the selected one by default), undoably; a camera with takes is refused
        with the store's reason, said here and in the status bar."""
        camera_id = self.current_camera_id() if camera_id is None else camera_id
        camera = next((c for c in self._cameras if c.id == camera_id), None)
        if camera is None:
            return False
        reasons: list[str] = []

        def keep(reason: str) -> None:
            reasons.append(reason)

        self.message.clear()
        self.session.error_raised.connect(keep)
        try:
            ok = self.session.push(RemoveCamera(camera.id, text=f"Remove camera {camera.name}"))
        finally:
            self.session.error_raised.disconnect(keep)
        if not ok:
            self.message.setText("; ".join(reasons))
        return ok

    def context_menu(self, row: int) -> QMenu:
        if 0 <= row < len(self._cameras):
            self.table.setCurrentCell(row, 0)
        menu = QMenu(self)
        add = menu.addAction("Add Camera")
        add.setEnabled(self.add_button.isEnabled())
        add.triggered.connect(lambda: self.add_camera())
        menu.addAction(self.remove_action)
        return menu

    def _on_context_menu(self, pos: QPoint) -> None:
        menu = self.context_menu(self.table.rowAt(pos.y()))
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def _on_current_cell(self) -> None:
        self._update_remove()
        self.camera_selected.emit(self.current_camera_id())

    def set_camera_field(self, camera_id: int, field: str, value: str) -> bool:
        camera = next((c for c in self._cameras if c.id == camera_id), None)
        if camera is None or field not in CAMERA_FIELDS:
            return False
        setup = CameraSetup(**{**{f: getattr(camera.setup, f) for f in CAMERA_FIELDS}, field: " ".join(value.split())})
        if setup == camera.setup:
            return False
        return self.session.push(edits.SetCamera(camera_id, setup, text=f"Change camera {camera.name}"))

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or not 1 <= item.column() < PROMPT_COLUMN:
            return
        camera = self._cameras[item.row()]
        if not self.set_camera_field(camera.id, CAMERA_FIELDS[item.column() - 1], item.text()):
            self.reload()  # refused or unchanged: show the stored value again

    def _on_changed(self, changes) -> None:
        if self.shot_id is None:
            return
        if changes.cameras or self.shot_id in changes.shots or changes.prompts:
            self.reload()
