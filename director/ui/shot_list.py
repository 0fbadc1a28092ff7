"""The shot list panel: the ShotsModel in a tree, with add, rename, reorder, delete and the bin,
the shot's status (draft → review → approved → locked), and a right-click menu of the same.

Every change is an undoable edit pushed through the ProjectSession; the panel only says which
shot is current (`shot_selected`) and keeps that shot selected across refreshes.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from director.core.enums import ShotStatus
from director.core.errors import DirectorError, InvalidInput
from director.core.model import normalize_shot_code
from director.store import cast as store_cast
from director.store import edits
from director.store import timeline as st
from director.store.shots import get_shot, list_shots
from director.ui.models.shots_model import THUMB_HEIGHT, ShotsModel
from director.ui.undo import ProjectSession


def next_shot_code(codes: list[str]) -> str:
    """The next free whole-number code after the highest one (12A, 12B → 13)."""
    numbers = [int(m.group(1)) for c in codes if (m := re.match(r"^(\d+)", c))]
    return str(max(numbers, default=0) + 1)


class ShotsView(QTreeView):
    """The tree view of ShotsModel: drag to reorder, F2 renames, Delete bins."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("shotsView")
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed | QAbstractItemView.EditTrigger.SelectedClicked)
        self.setIconSize(QSize(THUMB_HEIGHT * 16 // 9, THUMB_HEIGHT))
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setRootIsDecorated(True)
        self.setAllColumnsShowFocus(True)


class ShotList(QWidget):
    """Shots panel. `shot_selected(shot_id or None)` whenever the current shot changes."""

    shot_selected = Signal(object)
    properties_requested = Signal()  # Shot ▸ Shot Properties…: the window shows the Shot panel

    def __init__(self, session: ProjectSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.model = ShotsModel(session, self)
        self.view = ShotsView(self)
        self.view.setModel(self.model)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Fixed widths, measured once: ResizeToContents measured every row on every dataChanged,
        # so one take landing on one shot re-measured the whole list.
        metrics = self.view.fontMetrics()
        pad = metrics.horizontalAdvance("  ")
        # Narrow enough that the shot's code and thumbnail keep most of a 1366-px screen's dock;
        # a larger amount elides ('12,345.…'), its tooltip and the Costs panel give it whole.
        # The status reads by its colour chip (its word elides; the tooltip has it).
        for column, widest in ((1, "Status"), (2, "0,000.00 USD")):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, max(metrics.horizontalAdvance(widest), metrics.horizontalAdvance(ShotsModel.COLUMNS[column])) + pad)
        self.view.expandAll()
        self._current: int | None = None
        self._restoring = False

        self.add_action = self._action("Add Shot…", "Ctrl+Shift+N", self.ask_add_shot, "Add a shot at the end of the current scene")
        self.rename_action = self._action("Rename Shot", "F2", self.rename_current, "Edit the current shot's title")
        self.delete_action = self._action("Delete Shot", QKeySequence.StandardKey.Delete, self.delete_current, "Move the current shot to the bin")
        self.move_up_action = self._action("Move Shot Up", "Ctrl+Alt+Up", lambda: self.move_current(-1), "Move the current shot earlier")
        self.move_down_action = self._action("Move Shot Down", "Ctrl+Alt+Down", lambda: self.move_current(1), "Move the current shot later")
        self.bin_action = self._action("Shot Bin…", None, self.show_bin, "Restore deleted shots")
        self.add_scene_action = self._action("Add Scene…", "Ctrl+Alt+N", self.ask_add_scene, "Add a scene; new shots go into the current scene")
        self.properties_action = self._action("Shot &Properties…", "Ctrl+I", self.properties_requested.emit,
                                              "Status, length, budgets, notes and script of the current shot")
        self.add_to_timeline_action = self._action("Add to &Timeline", "Ctrl+Alt+A", self.add_current_to_timeline,
                                                   "Put the current shot at the end of the current cut")
        # A screenplay re-import's flags: read what changed, then mark it seen (both for the row right-clicked).
        self._script_target: tuple[int | None, int | None] = (None, None)  # (shot id, scene id)
        self.script_diff_action = self._action("Script Changes…", None, lambda: self.show_script_diff(*self._script_target),
                                               "What the last screenplay import changed here, old → new")
        self.script_seen_action = self._action("Mark Script Change Seen", None, lambda: self.mark_script_seen(*self._script_target),
                                               "Clear the 'script changed' / 'removed' flag (undoable)")
        self.status_group = QActionGroup(self)
        self.status_group.setExclusive(True)
        self.status_actions: dict[ShotStatus, QAction] = {}
        for n, status in enumerate(ShotStatus, start=1):
            action = self._action(status.value.title(), f"Ctrl+Alt+{n}", lambda _checked=False, s=status: self.set_current_status(s),
                                  f"Set the current shot's status to {status.value}")
            action.setCheckable(True)
            self.status_group.addAction(action)
            self.status_actions[status] = action
        self.status_menu = QMenu("&Status", self)
        for action in self.status_actions.values():
            self.status_menu.addAction(action)
        self.context_extras: list[QAction | None] = []  # the window adds Generate and friends
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._on_context_menu)
        for action in (self.rename_action, self.delete_action, self.move_up_action, self.move_down_action):
            # Only while the list has focus, so Delete in a text field still deletes text.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.view.addAction(action)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        # Short labels keep the panel narrow; the full names are in the Shot menu and the tooltips.
        short = {self.add_action: "+ Shot", self.delete_action: "Delete", self.move_up_action: "↑", self.move_down_action: "↓", self.bin_action: "Bin…"}
        for action in (self.add_action, self.delete_action, self.move_up_action, self.move_down_action, self.bin_action):
            action.setIconText(short[action])  # what a tool button shows; menus show the text
            button = QToolButton(self)
            button.setDefaultAction(action)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(buttons)
        layout.addWidget(self.view)

        self.view.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.model.modelAboutToBeReset.connect(self._on_about_to_reset)
        self.model.modelReset.connect(self._on_reset)
        session.changed.connect(self._on_shot_changes)
        self._update_actions()

    def _action(self, text: str, shortcut, slot, tip: str) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(f"{tip} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})" if shortcut else tip)
        action.triggered.connect(slot)
        return action

    # -- current shot ----------------------------------------------------------------------------

    def current_shot_id(self) -> int | None:
        return self._current

    def select_shot(self, shot_id: int | None) -> None:
        index = self.model.shot_index(shot_id) if shot_id is not None else QModelIndex()
        if index.isValid():
            self.view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            )
            self.view.scrollTo(index)
        else:
            self.view.selectionModel().clear()
            self._set_current(None)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._restoring:
            self._set_current(self.model.shot_id(current))

    def _set_current(self, shot_id: int | None) -> None:
        self._update_actions(shot_id)
        if shot_id != self._current:
            self._current = shot_id
            self.shot_selected.emit(shot_id)

    def _on_about_to_reset(self) -> None:
        self._restoring = True

    def _on_reset(self) -> None:
        self.view.expandAll()
        keep = self._current
        if keep is not None and self.model.shot_index(keep).isValid():
            self.select_shot(keep)
            self._restoring = False
            self._update_actions(keep)
            return
        self._restoring = False
        # The current shot went to the bin (or undo removed it): nothing is current now.
        self._set_current(None)

    def _update_actions(self, shot_id: int | None = None) -> None:
        shot_id = self._current if shot_id is None else shot_id
        writable = not self.session.project.readonly
        self.add_action.setEnabled(writable)
        for action in (self.rename_action, self.delete_action, self.move_up_action, self.move_down_action, self.add_to_timeline_action):
            action.setEnabled(writable and shot_id is not None)
        self.bin_action.setEnabled(writable)
        self.add_scene_action.setEnabled(writable)
        self.properties_action.setEnabled(shot_id is not None)
        status = None
        if shot_id is not None:
            try:
                status = get_shot(self.session.project, shot_id).status
            except DirectorError:
                status = None
        for value, action in self.status_actions.items():
            action.setEnabled(writable and status is not None)
            action.setChecked(value == status)

    def _on_shot_changes(self, changes) -> None:
        if self._current is not None and self._current in changes.shots:
            self._update_actions()

    # -- edits -----------------------------------------------------------------------------------

    def ask_add_scene(self) -> None:
        code, ok = QInputDialog.getText(self, "Add Scene", "Scene code (e.g. 12 or INT-KITCHEN):")
        if not (ok and code.strip()):
            return
        title, ok = QInputDialog.getText(self, "Add Scene", f"Title of scene {code.strip()} (optional):")
        if ok:
            self.add_scene(code, title)

    def add_scene(self, code: str, title: str = "") -> int | None:
        """Add a scene (undoable); None if refused."""
        edit = edits.AddScene(code.strip(), title.strip(), text=f"Add scene {code.strip()}")
        return edit.scene_id if self.session.push(edit) else None

    def ask_add_shot(self) -> None:
        codes = [s.code for s in list_shots(self.session.project)]
        code, ok = QInputDialog.getText(self, "Add Shot", "Shot code (digits then letters, e.g. 12 or 12A):", text=next_shot_code(codes))
        if ok and code.strip():
            self.add_shot(code)

    def add_shot(self, code: str, title: str = "") -> int | None:
        """Add a shot in the current shot's scene and make it current; None if refused."""
        try:
            code = normalize_shot_code(code)
        except InvalidInput as exc:
            self.session.error_raised.emit(str(exc))
            return None
        current = self.model.shot_index(self._current) if self._current is not None else QModelIndex()
        scene_id = self.model.scene_id(current) if current.isValid() else self.model.scene_id(self.view.currentIndex())
        edit = edits.AddShot(code, title, scene_id=scene_id, text=f"Add shot {code}")
        if not self.session.push(edit):
            return None
        self.select_shot(edit.shot_id)
        return edit.shot_id

    def rename_current(self) -> None:
        index = self.model.shot_index(self._current) if self._current is not None else QModelIndex()
        if index.isValid():
            self.view.setCurrentIndex(index)
            self.view.edit(index)

    def delete_current(self) -> None:
        if self._current is None:
            return
        shot = self.model.shot_at(self.model.shot_index(self._current))
        self.session.push(edits.DeleteShot(self._current, text=f"Delete shot {shot.code if shot else ''}".strip()))

    def move_current(self, delta: int) -> None:
        """Keyboard reorder: one place up or down in the project's order."""
        if self._current is None:
            return
        order = [s.id for s in list_shots(self.session.project)]
        i = order.index(self._current)
        j = max(0, min(len(order) - 1, i + delta))
        if i == j:
            return
        order.insert(j, order.pop(i))
        self.session.push(edits.ReorderShots(order, text="Move shot"))

    def set_current_status(self, status: ShotStatus | str) -> bool:
        """draft → review → approved → locked for the current shot (undoable)."""
        if self._current is None:
            return False
        status = ShotStatus(status)
        shot = get_shot(self.session.project, self._current)
        if shot.status is status:
            self._update_actions()
            return False
        ok = self.session.push(edits.SetShotFields(shot.id, {"status": status.value}, text=f"Set shot {shot.code} to {status.value}"))
        self._update_actions()
        return ok

    def add_current_to_timeline(self) -> bool:
        """The current shot at the end of the current cut (undoable)."""
        if self._current is None:
            return False
        project, shot_id = self.session.project, self._current
        try:
            edit = st.insert_shot(project, shot_id)
        except DirectorError as exc:
            self.session.error_raised.emit(str(exc))
            return False
        return self.session.push(edit)

    # -- right-click -----------------------------------------------------------------------------

    def context_menu(self, index: QModelIndex) -> QMenu:
        """The menu for a row: a shot's actions (it becomes current first), or a scene's."""
        menu = QMenu(self)
        shot_id = self.model.shot_id(index)
        if shot_id is not None:
            self.select_shot(shot_id)
            for action in (self.properties_action, None, self.rename_action, self.delete_action, None,
                           self.move_up_action, self.move_down_action, None, self.add_to_timeline_action, *self.context_extras):
                menu.addSeparator() if action is None else menu.addAction(action)
            menu.insertMenu(menu.actions()[1], self.status_menu)
            self._add_script_actions(menu, shot_id, None, store_cast.shot_flagged(self.session.project, shot_id))
        else:
            if index.isValid():
                self.view.setCurrentIndex(index.siblingAtColumn(0))  # new shots go into this scene
            for action in (self.add_action, self.add_scene_action, None, self.bin_action):
                menu.addSeparator() if action is None else menu.addAction(action)
            scene_id = self.model.scene_id(index) if index.isValid() else None
            if scene_id is not None:
                self._add_script_actions(menu, None, scene_id, store_cast.scene_flagged(self.session.project, scene_id))
        return menu

    def _add_script_actions(self, menu: QMenu, shot_id: int | None, scene_id: int | None, flagged: bool) -> None:
        """The script flag's actions, only on a row a re-import flagged (a scene: it or one of its shots)."""
        if not flagged:
            return
        self._script_target = (shot_id, scene_id)
        self.script_seen_action.setEnabled(not self.session.project.readonly)
        menu.addSeparator()
        menu.addAction(self.script_diff_action)
        menu.addAction(self.script_seen_action)

    def mark_script_seen(self, shot_id: int | None = None, scene_id: int | None = None) -> bool:
        """Clear a shot's flag, or a scene's and its shots' (undoable); the diff stays readable."""
        if shot_id is None and scene_id is None:
            return False
        read = store_cast.shot_diff if shot_id is not None else store_cast.scene_diff
        try:  # the undo stack's text names the row: "Mark script change seen (shot 1A)"
            title = read(self.session.project, shot_id if shot_id is not None else scene_id).title
        except DirectorError as exc:
            self.session.error_raised.emit(str(exc))
            return False
        return self.session.push(store_cast.MarkScriptSeen(shot_id=shot_id, scene_id=scene_id, label=title[:1].lower() + title[1:]))

    def show_script_diff(self, shot_id: int | None = None, scene_id: int | None = None):
        """Old → new script text of a flagged shot or scene, with Mark Seen (non-modal)."""
        from director.ui.script_diff_dialog import ScriptDiffDialog

        if shot_id is None and scene_id is None:
            return None
        dialog = ScriptDiffDialog(self.session, shot_id=shot_id, scene_id=scene_id, parent=self)
        dialog.open()
        return dialog

    def _on_context_menu(self, pos: QPoint) -> None:
        menu = self.context_menu(self.view.indexAt(pos))
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def show_bin(self) -> BinDialog:
        dialog = BinDialog(self.session, self)
        dialog.restored.connect(self.select_shot)
        dialog.open()  # window-modal, non-blocking: the event loop keeps running
        return dialog


class BinDialog(QDialog):
    """Deleted shots; Restore brings one back (an undoable edit) at the end of the list."""

    restored = Signal(int)

    def __init__(self, session: ProjectSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("shotBinDialog")
        self.setWindowTitle("Shot Bin")
        self.session = session
        self.list = QListWidget(self)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.empty_label = QLabel("The bin is empty.", self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.restore_button = buttons.addButton("Restore", QDialogButtonBox.ButtonRole.ActionRole)
        self.restore_button.clicked.connect(self.restore_selected)
        buttons.rejected.connect(self.reject)
        self.list.itemActivated.connect(lambda _item: self.restore_selected())
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Deleted shots keep their takes and costs until the bin is emptied.", self))
        layout.addWidget(self.list)
        layout.addWidget(self.empty_label)
        layout.addWidget(buttons)
        self.refresh()
        session.changed.connect(lambda changes: self.refresh() if changes.shots or changes.shot_order else None)

    def refresh(self) -> None:
        self.list.clear()
        for shot in list_shots(self.session.project, deleted=True):
            item = QListWidgetItem(f"{shot.code}  {shot.title}".rstrip())
            item.setData(Qt.ItemDataRole.UserRole, shot.id)
            self.list.addItem(item)
        has_items = self.list.count() > 0
        self.empty_label.setVisible(not has_items)
        self.restore_button.setEnabled(has_items)
        if has_items:
            self.list.setCurrentRow(0)

    def restore_selected(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        shot_id = int(item.data(Qt.ItemDataRole.UserRole))
        if self.session.push(edits.RestoreShot(shot_id)):
            self.restored.emit(shot_id)
