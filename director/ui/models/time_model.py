"""TimeModel: the human-time entries (automatic and manual), newest first, as a Qt table model.

Rows are the ledger's `TimeRow`s (`timelog.time_rows`), so the table shows exactly what the cost
dashboard and `director report time` add up. The minutes and note cells are editable on a writable
project: an edit goes straight to `timelog.edit_time_entry` (time entries are facts the user corrects
explicitly, not undoable edits) and is announced through the session; a refusal is emitted as
`refused(message)` and nothing is written. The model refreshes when the session says the time log
changed.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from director.core.changes import Changes
from director.core.cost import TimeRow
from director.core.errors import DirectorError
from director.store import timelog
from director.ui.undo import ProjectSession

RAW_ROLE = Qt.ItemDataRole.UserRole + 1  # exact value: ISO timestamp, shot id, seconds, source, note
ID_ROLE = Qt.ItemDataRole.UserRole + 2  # the time entry's id

COL_WHEN, COL_SHOT, COL_MINUTES, COL_SOURCE, COL_NOTE = range(5)
HEADERS = ["when", "shot", "minutes", "source", "note"]
EDITABLE_COLUMNS = {COL_MINUTES, COL_NOTE}
NO_SHOT = "(project)"


def local_when(iso_utc: str) -> str:
    """'2025-03-04 14:05' in the user's time zone; the stored text when it is not a timestamp."""
    try:
        return datetime.fromisoformat(iso_utc).astimezone().strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return str(iso_utc)


def duration_text(seconds: float) -> str:
    """Seconds as text `timelog.parse_duration` reads back: 1500 → '25m', 5415 → '1h30m15s'."""
    total = round(float(seconds))
    if total <= 0:
        return f"{float(seconds):g}s"
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return "".join(f"{v}{u}" for v, u in ((h, "h"), (m, "m"), (s, "s")) if v)


def parse_minutes_cell(text: str) -> float:
    """What a typed minutes cell means in seconds: '25' is 25 minutes (the column's unit);
    anything with a unit or colons ('25m', '1h30m', '1:30:00') is read by `parse_duration`."""
    t = str(text).strip()
    try:
        return float(t) * 60
    except ValueError:
        return timelog.parse_duration(t)


class TimeModel(QAbstractTableModel):
    refused = Signal(str)  # a correction the store refused; nothing was written
    written = Signal(object)  # Changes, after a correction was written and announced

    def __init__(self, session: ProjectSession, shot_id: int | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._session = session
        self._shot_id = shot_id
        self._rows: list[TimeRow] = []
        session.changed.connect(self._on_changes)
        self.reload()

    # -- what it shows -------------------------------------------------------------------------

    @property
    def shot_filter(self) -> int | None:
        return self._shot_id

    def set_shot_filter(self, shot_id: int | None) -> None:
        """Only this shot's entries, or every entry (project-wide ones too) with None."""
        if shot_id != self._shot_id:
            self._shot_id = shot_id
            self._reset()

    def reload(self) -> None:
        """Read the time log again: in place when the same entries are shown, else a reset."""
        fresh = self._read()
        if [r.id for r in fresh] != [r.id for r in self._rows]:
            self.beginResetModel()
            self._rows = fresh
            self.endResetModel()
            return
        changed = [i for i, (a, b) in enumerate(zip(self._rows, fresh)) if a != b]
        self._rows = fresh
        if changed:
            self.dataChanged.emit(self.index(min(changed), 0), self.index(max(changed), len(HEADERS) - 1))

    def entry(self, row: int) -> TimeRow:
        return self._rows[row]

    def row_of(self, entry_id: int) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.id == entry_id), None)

    def total_seconds(self) -> float:
        return sum(r.seconds for r in self._rows)

    def _read(self) -> list[TimeRow]:
        found = timelog.time_rows(self._session.project, self._shot_id)
        return sorted(found, key=lambda r: (r.when, r.id), reverse=True)

    def _reset(self) -> None:
        self.beginResetModel()
        self._rows = self._read()
        self.endResetModel()

    def _on_changes(self, changes: Changes) -> None:
        if changes.time_log or changes.shots or changes.scenes:
            self.reload()

    # -- Qt's model interface ------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return HEADERS[section] if 0 <= section < len(HEADERS) else None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() in EDITABLE_COLUMNS and not self._session.project.readonly:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)) or not (0 <= index.column() < len(HEADERS)):
            return None
        r, col = self._rows[index.row()], index.column()
        if role == ID_ROLE:
            return r.id
        if role == RAW_ROLE:
            return (r.when, r.shot_id, r.seconds, r.source, r.note)[col]
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_WHEN:
                return local_when(r.when)
            if col == COL_SHOT:
                return r.shot or NO_SHOT
            if col == COL_MINUTES:
                return f"{r.seconds / 60:.1f}"
            if col == COL_SOURCE:
                return r.source
            return r.note
        if role == Qt.ItemDataRole.EditRole:
            if col == COL_MINUTES:
                return duration_text(r.seconds)
            if col == COL_NOTE:
                return r.note
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            align = Qt.AlignmentFlag.AlignRight if col == COL_MINUTES else Qt.AlignmentFlag.AlignLeft
            return int(align | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_MINUTES:
                return f"{duration_text(r.seconds)} ({r.seconds:g} s). Edit: 25m, 1h30m or 1:30:00; a bare number is minutes."
            if col == COL_WHEN:
                return f"{r.when} (UTC)"
            if col == COL_SHOT and r.scene:
                return f"scene {r.scene}"
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        r = self._rows[index.row()]
        try:
            if index.column() == COL_MINUTES:
                seconds = parse_minutes_cell(str(value))
                if seconds == r.seconds:
                    return False
                changes = timelog.edit_time_entry(self._session.project, r.id, seconds=seconds)
            else:
                note = str(value).strip()
                if note == r.note:
                    return False
                changes = timelog.edit_time_entry(self._session.project, r.id, note=note)
        except DirectorError as exc:
            self.refused.emit(str(exc))
            return False
        self.reload()  # the same entries: updates the row in place, so the editor and selection stay
        self._session.announce(changes)
        self.written.emit(changes)
        return True
