"""File ▸ Export ▸ Programme Start Timecode…: view or change the project's record start.

The value is the project setting every export numbers the cut's first frame from
(`director export start-tc`); a change is one undoable edit on the project's undo stack.
A bad entry keeps the dialog open with the reason; opened, never exec'd, so the window runs on.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from director.core.errors import InvalidInput
from director.core.smpte import check_start
from director.store.edit_settings import SetRecordStart, record_start


class StartTimecodeDialog(QDialog):
    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.setObjectName("startTimecodeDialog")
        self.setWindowTitle("Programme Start Timecode")
        self.current = record_start(session.project)
        self.edit = QLineEdit(self.current)
        self.edit.setInputMask("99:99:99:99")
        self.edit.setToolTip("The record timecode of the cut's first frame in the MP4, OTIO, EDL, FCP XML and FCPXML")
        self.error = QLabel("")
        self.error.setObjectName("startTimecodeError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c0392b")
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(QLabel("Every export numbers the cut's first frame from this timecode (HH:MM:SS:FF)."))
        form.addRow("Programme start:", self.edit)
        form.addRow(self.error)
        form.addRow(buttons)

    def accept(self) -> None:
        """Apply through the undo stack; an invalid timecode is explained and the dialog stays."""
        text = self.edit.text()
        try:
            value = check_start(text)
        except InvalidInput as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        if value != self.current and not self.session.push(SetRecordStart(value)):
            self.error.setText(f"could not set the programme start to {value}")
            self.error.show()
            return
        super().accept()
