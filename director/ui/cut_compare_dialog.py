"""Timeline ▸ Compare Cuts…: two cuts side by side — length, shots used, what the takes shown cost
and what the shots used cost in all (`store.cut_compare`, the same table `director timeline
compare` prints). The comparison is read on the project's reads thread, so a long cut never
holds the window up.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from director.store import cuts
from director.store.cut_compare import CutComparison, compare_cuts


class CompareCutsDialog(QDialog):
    """Pick two cuts; the table fills when the reads thread has compared them."""

    def __init__(self, session, parent: QWidget | None = None, *, cut_a: int | None = None, cut_b: int | None = None):
        super().__init__(parent)
        self.setObjectName("compareCutsDialog")
        self.setWindowTitle("Compare Cuts")
        self.session = session
        self.comparison: CutComparison | None = None
        found = cuts.list_cuts(session.project)
        current = next((c.id for c in found if c.current), found[0].id)
        other = next((c.id for c in found if c.id != current), current)
        self.a_box, self.b_box = QComboBox(self), QComboBox(self)
        for box in (self.a_box, self.b_box):
            for c in found:
                box.addItem(c.name, c.id)
        self.a_box.setCurrentIndex(max(0, self.a_box.findData(cut_a if cut_a is not None else current)))
        self.b_box.setCurrentIndex(max(0, self.b_box.findData(cut_b if cut_b is not None else other)))
        self.a_box.currentIndexChanged.connect(self.refresh)
        self.b_box.currentIndexChanged.connect(self.refresh)
        form = QFormLayout()
        form.addRow("Cut &A:", self.a_box)
        form.addRow("Cut &B:", self.b_box)
        self.table = QTableWidget(0, 2, self)
        self.table.setObjectName("compareCutsTable")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.status = QLabel("Comparing…", self)
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(640, 380)
        self.refresh()

    def chosen(self) -> tuple[int, int]:
        return int(self.a_box.currentData()), int(self.b_box.currentData())

    def refresh(self) -> None:
        """Compare the chosen cuts off the UI thread; the newest choice wins."""
        a, b = self.chosen()
        self.status.setText("Comparing…")
        self.session.reads.submit("compare-cuts", lambda project: compare_cuts(project, a, b), self._show, self._failed)

    def _failed(self, exc: Exception) -> None:
        self.status.setText(f"Could not compare the cuts: {exc}")

    def _show(self, found: CutComparison) -> None:
        self.comparison = found
        rows = found.table()
        self.table.setHorizontalHeaderLabels([rows[0][1], rows[0][2]])
        body = rows[1:]
        self.table.setRowCount(len(body))
        self.table.setVerticalHeaderLabels([r[0] for r in body])
        for i, (_, left, right) in enumerate(body):
            self.table.setItem(i, 0, QTableWidgetItem(left))
            self.table.setItem(i, 1, QTableWidgetItem(right))
        self.table.resizeRowsToContents()
        a, b = found.a, found.b
        longer = b.frames - a.frames
        length = "the same length" if longer == 0 else f"{b.name} is {abs(longer)} frames {'longer' if longer > 0 else 'shorter'}"
        differs = f"; shots in both with different takes: {', '.join(found.different_takes)}" if found.different_takes else ""
        extra = b.takes_money - a.takes_money
        self.status.setText(f"{length}; the takes {b.name} shows cost {found.money(abs(extra))} "
                            f"{'more' if extra >= 0 else 'less'} than {a.name}'s{differs}.")
