"""CostModel: the ledger grouped by shot, scene, camera, preset or day, as a Qt table model.

Named after `store/ledger.py`, which it presents. Rows are the core's `GroupRow`s, so the table, the
CLI and the CSV add up the same way; `RAW_ROLE` gives exact figures (money in micro-units) for sums
and sorting, the display role gives text a person reads.

The model never has to read: the Costs panel reads the groups on its reads thread and hands them to
`show` (one reset). `reload` reads them here, for a model used on its own.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from director.core.cost import GROUPINGS, GroupRow, Totals, format_money, from_micros
from director.store import ledger
from director.store.project import Project

RAW_ROLE = Qt.ItemDataRole.UserRole + 1

# (header, raw value of a GroupRow) in column order; money columns are integer micro-units.
COLUMNS = [
    ("group", lambda g: g.key),
    ("jobs", lambda g: g.jobs),
    ("GPU min", lambda g: g.gpu_s / 60),
    ("jobs money", lambda g: g.job_micros),
    ("expenses", lambda g: g.expense_micros),
    ("money", lambda g: g.money_micros),
    ("human h", lambda g: g.human_s / 3600),
]
MONEY_COLUMNS = {3, 4, 5}
COL_MONEY = 5


class CostModel(QAbstractTableModel):
    """With a project, reads its groups now (`reload`); without one, shows what `show` is given."""

    def __init__(self, project: Project | None = None, by: str = "shot", parent: QObject | None = None):
        super().__init__(parent)
        if by not in GROUPINGS:
            raise ValueError(f"unknown grouping {by!r}")
        self._project = project
        self._by = by
        self._rows: list[GroupRow] = []
        self._totals: Totals | None = None
        if project is not None:
            self.reload()

    # -- what it shows -------------------------------------------------------------------------

    @property
    def by(self) -> str:
        return self._by

    def set_grouping(self, by: str) -> None:
        """Group another way and read again (a model with a project)."""
        if by not in GROUPINGS:
            raise ValueError(f"unknown grouping {by!r}")
        if by != self._by:
            self._by = by
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 0)
            if self._project is not None:
                self.reload()

    def reload(self) -> None:
        """Read the ledger again, on this thread's connection."""
        assert self._project is not None, "a CostModel without a project is given its rows with show()"
        self.show(self._by, ledger.grouped(self._project, self._by), ledger.totals(self._project))

    def show(self, by: str, groups: list[GroupRow], totals: Totals) -> None:
        """Put groups read elsewhere in place. A reset is right here: any new job can regroup every row."""
        if by not in GROUPINGS:
            raise ValueError(f"unknown grouping {by!r}")
        header = by != self._by
        self.beginResetModel()
        self._by, self._rows, self._totals = by, list(groups), totals
        self.endResetModel()
        if header:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 0)

    def totals(self) -> Totals | None:
        """The totals shown with the rows (None before the first read)."""
        return self._totals

    def group(self, row: int) -> GroupRow:
        return self._rows[row]

    # -- Qt's model interface ------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        if not 0 <= section < len(COLUMNS):
            return None
        return self._by if section == 0 else COLUMNS[section][0]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)) or not (0 <= index.column() < len(COLUMNS)):
            return None
        g, col = self._rows[index.row()], index.column()
        raw = COLUMNS[col][1](g)
        if role == RAW_ROLE:
            return raw
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return raw
            if col in MONEY_COLUMNS:
                return format_money(from_micros(raw), self._totals.currency)
            if col == 1:
                return str(raw)
            return f"{raw:.2f}" if col == 6 else f"{raw:.1f}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            align = Qt.AlignmentFlag.AlignLeft if col == 0 else Qt.AlignmentFlag.AlignRight
            return int(align | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col in MONEY_COLUMNS:
            return f"{from_micros(raw)} {self._totals.currency} (exact)"
        return None
