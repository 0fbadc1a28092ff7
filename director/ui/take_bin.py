"""The take bin: every take moved to the bin, from every shot, with Restore and Empty Bin.

Restoring is an undoable edit (a DeleteTake run backwards), so Ctrl+Z sends the take back to the
bin. Emptying is not an edit: it removes the binned takes from the project for good, so it asks
first and says so. The rows go in one transaction on the UI thread (it owns the connection); then
the files only those takes used are deleted on a pool thread, never "every file no row names"
(the engine may have just put a new take's file in the store, a moment before its row).
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRunnable,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from director.core.changes import Changes
from director.core.enums import TakeFlag
from director.core.errors import DirectorError
from director.store import takes
from director.store.edits import DeleteTake
from director.store.media import MediaStore
from director.store.window_reads import (
    BinnedTake,
    binned_takes,
    media_in_use,
    remove_unused_media,
)
from director.ui.undo import ProjectSession
from director.ui.window_edits import Inverse


def local_time(iso_utc: str) -> str:
    from director.ui.models.time_model import local_when

    return local_when(iso_utc)


class TakeBinModel(QAbstractTableModel):
    """Binned takes, newest in the bin first; re-read when a take or shot changes."""

    COLUMNS = ("Shot", "Camera", "Take", "Seed", "Rating", "Flag", "Binned")
    TakeIdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, session: ProjectSession, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self._rows: list[BinnedTake] = binned_takes(session.project)
        session.changed.connect(self._on_changed)

    def reload(self) -> None:
        self.beginResetModel()
        self._rows = binned_takes(self.session.project)
        self.endResetModel()

    def _on_changed(self, changes: Changes) -> None:
        if changes.takes or changes.shots or changes.project:
            self.reload()

    def take_at(self, row: int) -> BinnedTake:
        return self._rows[row]

    def take_ids(self) -> list[int]:
        return [r.take_id for r in self._rows]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        take = self._rows[index.row()]
        if role == self.TakeIdRole:
            return take.take_id
        if role == Qt.ItemDataRole.DisplayRole:
            col = index.column()
            if col == 0:
                return take.shot_code + (" (shot in bin)" if take.shot_binned else "")
            if col == 1:
                return take.camera
            if col == 2:
                return f"{take.take_id} · {take.kind.value}"
            if col == 3:
                return str(take.seed)
            if col == 4:
                return "★" * take.rating if take.rating else ""
            if col == 5:
                return "" if take.flag is TakeFlag.NONE else take.flag.value
            if col == 6:
                return local_time(take.deleted_at)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Take {take.take_id} of shot {take.shot_code}, camera {take.camera}: {take.media_path}"
        return None


class _PurgeRelay(QObject):
    done = Signal(int, int)  # files, bytes


class _PurgeJob(QRunnable):
    def __init__(self, media: MediaStore, candidates: set[str], in_use: set[str], relay: _PurgeRelay):
        super().__init__()
        self.media, self.candidates, self.in_use, self.relay = media, candidates, in_use, relay

    def run(self) -> None:
        try:
            files, freed = remove_unused_media(self.media, self.candidates, self.in_use)
        except OSError:
            files, freed = -1, 0
        try:
            self.relay.done.emit(files, freed)
        except RuntimeError:  # the application quit meanwhile
            pass


class TakeBinDialog(QDialog):
    """Signals: `emptied(count)` after the rows went; `media_removed(files, bytes)` once the files did
    (files is -1 when the disk refused)."""

    emptied = Signal(int)
    media_removed = Signal(int, int)

    def __init__(self, session: ProjectSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("takeBinDialog")
        self.setWindowTitle("Take Bin")
        self.session = session
        self.model = TakeBinModel(session, self)
        self.table = QTableView(self)
        self.table.setObjectName("takeBinTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _i: self.restore_selected())
        self.empty_label = QLabel("The take bin is empty.", self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.restore_button = buttons.addButton("&Restore", QDialogButtonBox.ButtonRole.ActionRole)
        self.restore_button.setToolTip("Put the selected takes back with their shots (Undo sends them back to the bin)")
        self.restore_button.clicked.connect(self.restore_selected)
        self.empty_button = buttons.addButton("&Empty Bin…", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.empty_button.setToolTip("Remove every take in the bin for good and delete its media files")
        self.empty_button.clicked.connect(self.ask_empty)
        buttons.rejected.connect(self.reject)
        self._relay = _PurgeRelay()
        self._relay.done.connect(self._on_purged)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Takes moved to the bin keep their media and costs until the bin is emptied.", self))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(buttons)
        self.model.modelReset.connect(self._update)
        self.table.selectionModel().selectionChanged.connect(self._update)
        self.resize(640, 360)
        self._update()

    def _update(self, *_args) -> None:
        has = self.model.rowCount() > 0
        writable = not self.session.project.readonly
        self.empty_label.setVisible(not has)
        self.restore_button.setEnabled(writable and bool(self.selected_take_ids()))
        self.empty_button.setEnabled(writable and has)
        if has and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)

    def selected_take_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.take_at(r).take_id for r in rows]

    def select_takes(self, take_ids: list[int]) -> None:
        self.table.clearSelection()
        mode = self.table.selectionMode()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for row, tid in enumerate(self.model.take_ids()):
            if tid in take_ids:
                self.table.selectRow(row)
        self.table.setSelectionMode(mode)

    def restore_selected(self) -> bool:
        ids = self.selected_take_ids()
        if not ids:
            return False
        stack = self.session.undo_stack
        if len(ids) > 1:
            stack.beginMacro(f"Restore {len(ids)} takes from the bin")
        try:
            results = [self.session.push(Inverse(DeleteTake(t), text=f"Restore take {t} from the bin")) for t in ids]  # every one, even after a refusal
            ok = all(results)
        finally:
            if len(ids) > 1:
                stack.endMacro()
        return ok

    # -- emptying --------------------------------------------------------------------------------

    def confirm_text(self) -> str:
        n = self.model.rowCount()
        return (f"Empty the take bin? The {n} take{'s' if n != 1 else ''} in it will be removed from the project for good "
                "and their media files deleted from disk. This cannot be undone.")

    def confirm(self, text: str) -> bool:
        """Ask before destroying anything (tests answer through QMessageBox.question)."""
        answer = QMessageBox.question(self, "Empty Take Bin", text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def ask_empty(self) -> bool:
        if self.model.rowCount() == 0 or not self.confirm(self.confirm_text()):
            return False
        return self.empty()

    def empty(self) -> bool:
        """Forget every binned take (one transaction), then delete the files only they used, off the UI thread."""
        project = self.session.project
        candidates = set()
        for t in binned_takes(project):
            candidates.add(t.media_path)
            if t.thumb_path:
                candidates.add(t.thumb_path)
        try:
            count, changes = takes.empty_bin(project)
            in_use = media_in_use(project)
        except DirectorError as exc:
            self.session.error_raised.emit(str(exc))
            return False
        self.session.announce(changes)
        self.emptied.emit(count)
        QThreadPool.globalInstance().start(_PurgeJob(project.media, candidates, in_use, self._relay))
        return True

    def _on_purged(self, files: int, freed: int) -> None:
        if files < 0:
            self.session.error_raised.emit("the bin was emptied, but some of its media files could not be deleted from disk")
        self.media_removed.emit(files, freed)
