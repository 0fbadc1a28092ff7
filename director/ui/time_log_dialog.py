"""Log Time: the human-time entries of a project, manual entries, and corrections.

A non-modal dialog over a `TimeModel`: every entry (automatic and manual), newest first, or only
the current shot's. "Add…" opens a row editor (shot, a duration typed as 25m / 1h30m / 1:30:00,
note) that writes `timelog.log_time(source='manual')`; the minutes and note cells are corrected in
place and Delete removes entries, through `timelog.edit_time_entry` / `timelog.delete_time_entry`.

Time entries are facts the user corrects explicitly (like `director time log|edit|delete`), so
these are plain writes, not undoable edits on the session's stack; Delete asks first. Every write
is announced as `Changes(time_log=True, costs=True)`, so the cost dashboard refreshes, and emitted
as `time_changed`. A refusal (an unreadable duration, 0, more than 24 h) is shown in the dialog and
writes nothing. A read-only project shows the entries and offers no editing.

The main window opens it with `open_time_log(window, window.session, current_shot_id)`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from director.core.changes import Changes
from director.core.errors import DirectorError
from director.store import timelog
from director.store.shots import list_shots
from director.ui.hints import for_window
from director.ui.models.time_model import COL_MINUTES, COL_NOTE, COL_SHOT, ID_ROLE, NO_SHOT, TimeModel, duration_text
from director.ui.undo import ProjectSession

TIME_CHANGES = Changes(time_log=True, costs=True)
DURATION_HINT = "25m, 1h30m or 1:30:00"


class TimeLogDialog(QDialog):
    time_changed = Signal(object)  # Changes, after this dialog wrote the time log

    def __init__(self, session: ProjectSession, shot_id: int | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.shot_id = shot_id
        self.setWindowTitle("Log Time")
        self.setModal(False)
        self.resize(640, 420)

        self.this_shot = QCheckBox("Only the current shot", self)
        self.this_shot.setObjectName("this_shot")
        self.this_shot.toggled.connect(self._apply_filter)

        self.model = TimeModel(session, None, self)
        self.model.refused.connect(self._show_error)
        self.model.written.connect(self._on_model_written)
        self.model.modelReset.connect(self._update_summary)
        self.model.dataChanged.connect(self._update_summary)

        self.table = QTableView(self)
        self.table.setObjectName("time_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_NOTE, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)

        self.summary = QLabel(self)
        self.summary.setObjectName("summary")
        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d9534f;")
        self.error.hide()

        # -- the row editor for a manual entry --
        self.editor = QGroupBox("New manual entry", self)
        self.shot_combo = QComboBox(self.editor)
        self.duration = QLineEdit(self.editor)
        self.duration.setPlaceholderText(DURATION_HINT)
        self.duration.textChanged.connect(self._preview_duration)
        self.duration.returnPressed.connect(self.commit_add)
        self.duration_preview = QLabel(self.editor)
        self.note = QLineEdit(self.editor)
        self.note.setPlaceholderText("what you worked on (optional)")
        self.note.returnPressed.connect(self.commit_add)
        duration_row = QHBoxLayout()
        duration_row.addWidget(self.duration, 1)
        duration_row.addWidget(self.duration_preview)
        form = QFormLayout(self.editor)
        form.addRow("Shot", self.shot_combo)
        form.addRow("Duration", duration_row)
        form.addRow("Note", self.note)
        self.log_button = QPushButton("Log", self.editor)
        self.log_button.setDefault(True)
        self.log_button.clicked.connect(self.commit_add)
        cancel = QPushButton("Cancel", self.editor)
        cancel.clicked.connect(self.cancel_add)
        buttons_row = QHBoxLayout()
        buttons_row.addStretch(1)
        buttons_row.addWidget(cancel)
        buttons_row.addWidget(self.log_button)
        form.addRow(buttons_row)
        self.editor.hide()

        # -- buttons --
        self.add_button = QPushButton("Add…", self)
        self.add_button.clicked.connect(self.start_add)
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.clicked.connect(self.delete_selected)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.add_button)
        bottom.addWidget(self.delete_button)
        bottom.addStretch(1)
        bottom.addWidget(close)

        top = QHBoxLayout()
        top.addWidget(self.this_shot)
        top.addStretch(1)
        top.addWidget(self.summary)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.editor)
        layout.addLayout(bottom)

        session.changed.connect(self._on_changes)
        self.set_shot(shot_id)
        self._update_editable()

    # -- following the window --------------------------------------------------------------------

    def set_shot(self, shot_id: int | None) -> None:
        """The window's current shot: the filter's shot and the new entry's default."""
        self.shot_id = shot_id
        self.this_shot.setEnabled(shot_id is not None)
        if shot_id is None:
            self.this_shot.setChecked(False)
        self._apply_filter()
        self._fill_shots()

    def _apply_filter(self) -> None:
        self.model.set_shot_filter(self.shot_id if self.this_shot.isChecked() and self.shot_id is not None else None)
        self.table.setColumnHidden(COL_SHOT, self.model.shot_filter is not None)
        self._update_summary()

    def _fill_shots(self) -> None:
        keep = self.shot_combo.currentData() if self.editor.isVisible() else self.shot_id
        self.shot_combo.clear()
        self.shot_combo.addItem(f"{NO_SHOT} — no shot", None)
        for shot in list_shots(self.session.project):
            self.shot_combo.addItem(f"{shot.code} — {shot.title}" if shot.title else shot.code, shot.id)
        found = self.shot_combo.findData(keep)
        self.shot_combo.setCurrentIndex(found if found >= 0 else 0)

    def _on_changes(self, changes: Changes) -> None:
        if changes.shots or changes.shot_order or changes.scenes:
            self._fill_shots()
        if changes.project:
            self._update_editable()

    # -- adding ----------------------------------------------------------------------------------

    def start_add(self) -> None:
        if self.session.project.readonly:
            return
        self._fill_shots()
        found = self.shot_combo.findData(self.shot_id)
        self.shot_combo.setCurrentIndex(found if found >= 0 else 0)
        self.duration.clear()
        self.note.clear()
        self._clear_error()
        self.editor.show()
        self.add_button.setEnabled(False)
        self.duration.setFocus()

    def cancel_add(self) -> None:
        self.editor.hide()
        self._clear_error()
        self._update_editable()

    def commit_add(self) -> int | None:
        """Write the typed entry; returns its id, or None when it was refused (message shown)."""
        if self.session.project.readonly or not self.editor.isVisible():
            return None
        try:
            seconds = timelog.parse_duration(self.duration.text())
            entry_id, changes = timelog.log_time(
                self.session.project, self.shot_combo.currentData(), seconds, source="manual", note=self.note.text().strip()
            )
        except DirectorError as exc:
            self._show_error(str(exc))
            self.duration.setFocus()
            self.duration.selectAll()
            return None
        self.editor.hide()
        self._update_editable()
        self._after_write(changes)
        row = self.model.row_of(entry_id)
        if row is not None:
            self.table.selectRow(row)
        return entry_id

    def _preview_duration(self, text: str) -> None:
        if not text.strip():
            self.duration_preview.clear()
            return
        try:
            seconds = timelog.parse_duration(text)
        except DirectorError:
            self.duration_preview.setText("?")
            return
        self.duration_preview.setText(f"= {seconds / 60:.1f} min" if seconds < 3600 else f"= {duration_text(seconds)}")

    # -- correcting ------------------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.index(r, 0).data(ID_ROLE) for r in rows]

    def select_entry(self, entry_id: int) -> bool:
        row = self.model.row_of(entry_id)
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def edit_entry(self, entry_id: int, *, duration: str | None = None, note: str | None = None) -> bool:
        """Correct an entry as typing into its cells would; False (and a message) when refused."""
        row = self.model.row_of(entry_id)
        if row is None or self.session.project.readonly:
            return False
        self._clear_error()
        if duration is not None:
            self.model.setData(self.model.index(row, COL_MINUTES), duration)
        if note is not None and not self.error_text():
            self.model.setData(self.model.index(row, COL_NOTE), note)
        return not self.error_text()

    def delete_selected(self) -> int:
        """Delete the selected entries after asking; returns how many were deleted."""
        ids = self.selected_ids()
        if not ids or self.session.project.readonly or not self.confirm_delete(ids):
            return 0
        changes, done = Changes(), 0
        try:
            for entry_id in ids:
                changes |= timelog.delete_time_entry(self.session.project, entry_id)
                done += 1
        except DirectorError as exc:
            self._show_error(str(exc))
        if done:
            self._after_write(changes)
        return done

    def confirm_delete(self, ids: list[int]) -> bool:
        minutes = sum(self.model.entry(self.model.row_of(i)).seconds for i in ids if self.model.row_of(i) is not None) / 60
        what = "this time entry" if len(ids) == 1 else f"these {len(ids)} time entries"
        answer = QMessageBox.question(self, "Delete time", f"Delete {what} ({minutes:.1f} min)? This cannot be undone.")
        return answer == QMessageBox.StandardButton.Yes

    # -- after every write -----------------------------------------------------------------------

    def _after_write(self, changes: Changes) -> None:
        changes = changes | TIME_CHANGES
        self._clear_error()
        self.session.announce(changes)
        self.time_changed.emit(changes)

    def _on_model_written(self, changes: Changes) -> None:
        """A cell correction: the model has written and announced it already."""
        self._clear_error()
        self.time_changed.emit(changes | TIME_CHANGES)

    def _show_error(self, message: str) -> None:
        self.error.setText(for_window(message))
        self.error.show()

    def _clear_error(self) -> None:
        self.error.clear()
        self.error.hide()

    def error_text(self) -> str:
        """The refusal shown in the dialog, or '' when there is none."""
        return self.error.text()

    # -- state -----------------------------------------------------------------------------------

    def _update_editable(self) -> None:
        writable = not self.session.project.readonly
        self.add_button.setEnabled(writable and not self.editor.isVisible())
        self.add_button.setToolTip("" if writable else "The project is open read-only")
        if not writable:
            self.editor.hide()
            self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._update_buttons()

    def _update_buttons(self, *_) -> None:
        self.delete_button.setEnabled(not self.session.project.readonly and bool(self.table.selectionModel().selectedRows()))

    def _update_summary(self, *_) -> None:
        n, seconds = self.model.rowCount(), self.model.total_seconds()
        self.summary.setText(f"{n} {'entry' if n == 1 else 'entries'}, {seconds / 3600:.2f} h")


def open_time_log(parent: QWidget | None, session: ProjectSession, shot_id: int | None) -> TimeLogDialog:
    """Show the Log Time dialog for this session (one per parent; reused and raised when open).

    It closes itself when the session goes away (the project is closed)."""
    existing = getattr(parent, "_time_log_dialog", None) if parent is not None else None
    if isinstance(existing, TimeLogDialog):
        try:
            if existing.session is session:
                existing.set_shot(shot_id)
                existing.show()
                existing.raise_()
                existing.activateWindow()
                return existing
            existing.close()
            existing.deleteLater()
        except RuntimeError:  # its C++ side is already gone
            pass
    dialog = TimeLogDialog(session, shot_id, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    session.destroyed.connect(dialog.close)
    if parent is not None:
        parent._time_log_dialog = dialog
    dialog.show()
    return dialog
